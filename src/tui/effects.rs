//! Running the TUI's effects: each is one call to the household (in this
//! process or through the household service, the same [`Call`]s), never a
//! second way in; each ends in words for the message line.

use std::path::Path;

use super::app::{self, App, Effect, Remembered, Screen, Tone};
use super::view::{self, shown};
use super::{editor, filter};
use crate::api::call::{ExportFormat, GuardianAuth, PinText, QuietHoursSpec, Spend};
use crate::api::reply::{
    AddedView, ChangeView, CountView, ExportView, ReversalPreviewView, SpendView, VerifyView,
};
use crate::api::{ApiError, Call, ErrorKind};
use crate::client::Household;
use crate::domain::printable::plural;
use crate::domain::{LimitAmount, Role, format_time_of_day};

/// Transactions asked for in one part of an export (the parts, put
/// together in order, are the file).
const EXPORT_PART: usize = 10_000;

/// What a spend (or an approval, a reversal, asking again) came to.
fn said(answer: Result<SpendView, ApiError>) -> (String, Tone) {
    match answer {
        Ok(s) => {
            let first = s
                .reasons
                .first()
                .map(|r| shown(&r.message))
                .unwrap_or_default();
            match s.outcome {
                view::Verdict::Allow => (format!("Done: {}", shown(&s.summary)), Tone::Good),
                view::Verdict::NeedsApproval => (
                    format!(
                        "Asked a guardian (request #{}): {first}",
                        s.request_id.unwrap_or_default()
                    ),
                    Tone::Warning,
                ),
                view::Verdict::Deny => (format!("Refused: {first}"), Tone::Bad),
            }
        }
        Err(e) => (shown(&e.message), Tone::Bad),
    }
}

/// A PIN typed wrong, or one that cannot be a PIN: asked again for the same
/// action. A lock, or anything else, is said and the action dropped.
fn pin_retryable(e: &ApiError) -> bool {
    match e.kind {
        ErrorKind::Auth => !e.message.starts_with("too many wrong PINs"),
        ErrorKind::BadInput => e.message.starts_with("a PIN "),
        _ => false,
    }
}

/// A PIN typed wrong (or one that cannot be a PIN) keeps what it was for:
/// the prompt opens again for the same action. Anything else (a lock, a
/// request no longer waiting) is said, and the action dropped.
fn pin_again(app: &mut App, purpose: app::PinFor, error: ApiError, kept: &str) -> (String, Tone) {
    if pin_retryable(&error) {
        app.ask_pin(purpose);
        (
            format!(
                "{}: {kept} is kept; type the PIN again, or Esc to drop it",
                shown(&error.message)
            ),
            Tone::Bad,
        )
    } else {
        (shown(&error.message), Tone::Bad)
    }
}

/// The signed-in guardian's PIN for one action.
fn auth(me: &str, pin: String) -> GuardianAuth {
    GuardianAuth {
        guardian: Some(me.to_string()),
        pin,
    }
}

/// Runs one effect through the household and says how it went.
/// How far slow work has got: `done` of `total` (0: not known) `stage`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Step {
    pub stage: &'static str,
    pub done: u64,
    pub total: u64,
}

/// Work that can take seconds on a large household, run by the event loop
/// on another connection beside the screens: the verify, an export (given
/// the filter in force when it was asked), and anything that checks a PIN
/// (argon2: 30 to 150 ms, long enough to freeze a frame): the PIN typed to
/// sign in, and the writes that carry one (typed for them, or the one a
/// member signed in with).
pub(super) enum Slow {
    Verify,
    Export {
        filter: filter::Filter,
        path: String,
    },
    CheckPin {
        who: view::Who,
        pin: String,
    },
    /// A write whose PIN the household checks inside it (see [`pinned`]),
    /// by the member signed in (`me`), with the PIN they signed in with
    /// (`my_pin`) for their own spending.
    Pinned {
        me: String,
        my_pin: Option<String>,
        effect: Effect,
    },
}

/// Which work it is, never the PIN it carries.
impl std::fmt::Debug for Slow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Slow::Verify => f.write_str("Verify"),
            Slow::Export { path, .. } => write!(f, "Export({path:?})"),
            Slow::CheckPin { who, .. } => write!(f, "CheckPin({:?})", who.1),
            Slow::Pinned { me, .. } => write!(f, "Pinned({me:?})"),
        }
    }
}

/// Where the event loop runs an effect.
#[derive(Debug)]
pub(super) enum Route {
    /// Here, on the UI thread: it is quick (no PIN to check, nothing to
    /// read through).
    Here(Effect),
    /// Beside the screens, in the slot for PIN checks ("checking…",
    /// "working…").
    Check(Slow),
    /// Beside the screens, in the slot for long work with a gauge.
    Work(Slow),
    /// Not at all: its slot is taken; the message line says so, and a PIN
    /// prompt it came from is put back as it was.
    Refused,
}

/// Where `effect` runs, given what runs beside the screens already
/// (`working`: a verify or an export; `checking`: a PIN). `prompt` is the
/// popup in front before the key that asked for it: a PIN typed there is
/// kept when the effect is refused, so Enter tries again. Nothing that
/// checks a PIN ever runs here: while one is checked (its popup left with
/// Esc) a second is refused, not checked in place.
pub(super) fn route(
    effect: Effect,
    app: &mut App,
    prompt: Option<app::Popup>,
    working: bool,
    checking: bool,
) -> Route {
    let Some(slow) = Slow::of(&effect, app) else {
        return Route::Here(effect);
    };
    match slow {
        slow if slow.checks_pin() && !checking => Route::Check(slow),
        slow if slow.checks_pin() => {
            let kept = matches!(prompt, Some(app::Popup::Pin { .. }));
            if kept {
                app.popup = prompt;
            }
            let then = if kept {
                "Enter again once it has answered"
            } else {
                "try again once it has answered"
            };
            app.say(
                format!("Still checking the last PIN: {then}"),
                Tone::Warning,
            );
            Route::Refused
        }
        _ if working => {
            app.say(
                "Still busy with the last one: wait for it, or Esc stops it",
                Tone::Warning,
            );
            Route::Refused
        }
        slow => Route::Work(slow),
    }
}

/// What slow work came to, taken in on the UI thread.
pub(super) enum Done {
    /// Words for the message line.
    Said(String, Tone),
    /// A sign-in's PIN checked: signing in (or asking again) follows as it
    /// does when [`apply`] checks it in place.
    PinChecked {
        who: view::Who,
        pin: String,
        checked: Result<(), ApiError>,
    },
    /// A write that carried a PIN, answered (boxed: its answer is the
    /// largest by far, and news passes by value).
    Pinned(Box<Pinned>),
}

impl Done {
    /// Takes the answer in. A PIN check whose popup was left (Esc) while
    /// it ran signs nobody in (a wrong PIN is still counted). A write that
    /// carried a PIN went ahead or not all the same: its answer is said,
    /// and a PIN typed wrong is asked for again only if its popup is still
    /// in front.
    pub(super) fn take_in(self, app: &mut App) {
        let in_front = matches!(
            app.popup,
            Some(app::Popup::Checking(_) | app::Popup::Working(_))
        );
        match self {
            Done::Said(said, tone) => app.message = Some((said, tone)),
            Done::PinChecked { who, pin, checked } => {
                if !in_front {
                    return;
                }
                app.popup = None;
                app.message = signed_in(app, who, Some(pin), checked);
            }
            Done::Pinned(pinned) if in_front => {
                app.popup = None;
                if pinned.to_top {
                    app.cursor = 0;
                }
                app.message = Some(pinned.take_in(app));
            }
            Done::Pinned(pinned) => app.message = Some(pinned.said()),
        }
    }
}

impl Slow {
    /// The slow work an effect asks for, if it is slow.
    pub(super) fn of(effect: &Effect, app: &App) -> Option<Slow> {
        match effect {
            Effect::Verify => Some(Slow::Verify),
            Effect::Export { path } => Some(Slow::Export {
                filter: app.selection.filter.clone(),
                path: path.clone(),
            }),
            Effect::SignIn {
                who,
                pin: Some(pin),
            } => Some(Slow::CheckPin {
                who: who.clone(),
                pin: pin.clone(),
            }),
            Effect::Approve { .. }
            | Effect::Deny { .. }
            | Effect::Reverse { .. }
            | Effect::Policy { .. }
            | Effect::Acknowledge { .. }
            | Effect::Redeem { pin: Some(_), .. } => Some(Slow::Pinned {
                me: app.who.as_ref()?.1.clone(),
                my_pin: None,
                effect: effect.clone(),
            }),
            // A member who signed in with a PIN confirms their own
            // spending with it: the household checks it inside the write.
            Effect::Buy { .. }
            | Effect::BuyCustom { .. }
            | Effect::Gift(_)
            | Effect::AskAgain { .. }
            | Effect::Cancel { .. }
            | Effect::Redeem { pin: None, .. } => Some(Slow::Pinned {
                me: app.who.as_ref()?.1.clone(),
                my_pin: Some(app.pin.as_ref()?.0.clone()),
                effect: effect.clone(),
            }),
            _ => None,
        }
    }

    /// Whether it checks a PIN (a popup says "checking…" meanwhile, and no
    /// gauge is drawn).
    pub(super) fn checks_pin(&self) -> bool {
        matches!(self, Slow::CheckPin { .. } | Slow::Pinned { .. })
    }

    /// What the screen shows while it runs: a gauge under the screen
    /// ("Verifying"), or for a PIN its popup saying "checking…" (keys other
    /// than Esc are not for it meanwhile).
    pub(super) fn begin(&self, app: &mut App) {
        let doing = match self {
            Slow::Verify => "Verifying",
            Slow::Export { .. } => "Exporting",
            Slow::CheckPin { who, .. } => {
                app.popup = Some(app::Popup::Checking(app::PinFor::SignIn(who.0)));
                return;
            }
            Slow::Pinned { effect, .. } => {
                app.popup = match pin_for(effect) {
                    Some(purpose) => Some(app::Popup::Checking(purpose)),
                    None => working_on(effect).map(app::Popup::Working),
                };
                return;
            }
        };
        app.busy = Some(app::Busy {
            doing,
            stage: "",
            done: 0,
            total: 0,
            stopping: false,
        });
    }

    /// Runs it, telling `progress` how far it has got; stops when that
    /// says so (both only read, so stopping leaves nothing half done).
    pub(super) fn run(self, h: &mut Household<'_>, progress: &mut dyn FnMut(Step) -> bool) -> Done {
        match self {
            Slow::Verify => {
                let (said, tone) = verify(h, progress);
                Done::Said(said, tone)
            }
            Slow::Export { filter, path } => {
                let (said, tone) = export(h, &filter, &path, progress);
                Done::Said(said, tone)
            }
            Slow::CheckPin { who, pin } => Done::PinChecked {
                checked: check_pin(h, &who, &pin),
                who,
                pin,
            },
            Slow::Pinned { me, my_pin, effect } => match pinned(h, &me, my_pin, effect) {
                Some(answer) => Done::Pinned(Box::new(answer)),
                None => Done::Said("Nothing to do".into(), Tone::Warning),
            },
        }
    }
}

/// What a write that carried a PIN came to: what the PIN was typed for
/// (asked again when typed wrong; none for a member's remembered PIN),
/// what a retry keeps, whether the list goes back to its top (a new
/// request comes first), and the answer in words.
pub(super) struct Pinned {
    purpose: Option<app::PinFor>,
    kept: &'static str,
    to_top: bool,
    answer: Result<(String, Tone), ApiError>,
}

impl Pinned {
    /// Its words; a PIN typed wrong opens the prompt again for the same
    /// action (the lockout has counted it).
    fn take_in(self, app: &mut App) -> (String, Tone) {
        match (self.answer, self.purpose) {
            (Ok(said), _) => said,
            (Err(e), Some(purpose)) => pin_again(app, purpose, e, self.kept),
            (Err(e), None) => (shown(&e.message), Tone::Bad),
        }
    }

    /// Its words, with no prompt opened again (its popup was left).
    fn said(self) -> (String, Tone) {
        match self.answer {
            Ok(said) => said,
            Err(e) => (shown(&e.message), Tone::Bad),
        }
    }
}

/// What a member's own write is, in words, for its "working…" popup.
fn working_on(effect: &Effect) -> Option<String> {
    Some(match effect {
        Effect::Buy { pack } => format!("Buying {}", shown(pack)),
        Effect::BuyCustom { coins } => {
            format!("Buying {} coins", crate::money::group_thousands(*coins))
        }
        Effect::Gift(choice) => format!(
            "Sending {} × {} to {}",
            choice.count,
            shown(&choice.gift),
            shown(&choice.creator)
        ),
        Effect::AskAgain { request, .. } => format!("Asking again (request #{request})"),
        Effect::Cancel { request } => format!("Cancelling request #{request}"),
        _ => return None,
    })
}

/// What a PIN typed for a write is for (asked again when it is wrong).
fn pin_for(effect: &Effect) -> Option<app::PinFor> {
    Some(match effect {
        Effect::Approve { request, .. } => app::PinFor::Approve(*request),
        Effect::Deny {
            request, reason, ..
        } => app::PinFor::Deny(*request, reason.clone()),
        Effect::Reverse { tx, reason, .. } => app::PinFor::Reverse(*tx, reason.clone()),
        Effect::Policy { review, .. } => app::PinFor::Policy(review.clone()),
        Effect::Acknowledge { .. } => app::PinFor::Acknowledge,
        Effect::Redeem { diamonds, .. } => app::PinFor::Redeem(*diamonds),
        _ => return None,
    })
}

/// Runs a write that carries a PIN (a guardian's on approving, denying,
/// reversing, a rules change, marking the alerts seen; a creator's on
/// cashing out; a member's own, the one they signed in with, on buying,
/// sending a gift, asking again and cancelling): the household checks the
/// PIN inside the write, so this is the slow part, run beside the screens.
/// `my_pin`: the PIN a member signed in with (none: they have no PIN, and
/// their writes carry none). None for any other effect.
fn pinned(
    h: &mut Household<'_>,
    me: &str,
    my_pin: Option<String>,
    effect: Effect,
) -> Option<Pinned> {
    let purpose = pin_for(&effect);
    // Asking again puts the new request (or purchase) first in the list.
    let to_top = matches!(effect, Effect::AskAgain { .. });
    let (kept, answer) = match effect {
        Effect::Buy { pack } => (
            "",
            h.ask::<SpendView>(Call::Spend {
                spend: Spend::Pack {
                    member: me.to_string(),
                    pack,
                },
                preview: false,
                key: None,
                pin: my_pin,
            })
            .map(|s| said(Ok(s))),
        ),
        Effect::BuyCustom { coins } => (
            "",
            h.ask::<SpendView>(Call::Spend {
                spend: Spend::Coins {
                    member: me.to_string(),
                    coins: coins.to_string(),
                },
                preview: false,
                key: None,
                pin: my_pin,
            })
            .map(|s| said(Ok(s))),
        ),
        Effect::Gift(choice) => (
            "",
            h.ask::<SpendView>(Call::Spend {
                spend: Spend::Gift {
                    member: me.to_string(),
                    creator: choice.creator,
                    gift: choice.gift,
                    count: choice.count.to_string(),
                },
                preview: false,
                key: None,
                pin: my_pin,
            })
            .map(|s| said(Ok(s))),
        ),
        Effect::AskAgain { request, note } => (
            "",
            h.ask::<SpendView>(Call::AskAgain {
                id: request,
                note,
                pin: my_pin,
            })
            .map(|s| said(Ok(s))),
        ),
        Effect::Cancel { request } => (
            "",
            h.ask::<ChangeView>(Call::Cancel {
                id: request,
                pin: my_pin,
            })
            .map(|change| (format!("Cancelled {}", shown(&change.what)), Tone::Good)),
        ),
        Effect::Approve { request, pin } => (
            "the approval",
            h.ask::<SpendView>(Call::Approve {
                id: request,
                auth: auth(me, pin),
            })
            .map(|s| said(Ok(s))),
        ),
        Effect::Deny {
            request,
            reason,
            pin,
        } => (
            "the denial and its reason",
            h.ask::<ChangeView>(Call::Deny {
                id: request,
                reason: reason.clone(),
                auth: auth(me, pin),
            })
            .map(|_| {
                (
                    format!(
                        "Denied request #{request}: they will see \"{}\"",
                        shown(&reason)
                    ),
                    Tone::Good,
                )
            }),
        ),
        Effect::Reverse { tx, reason, pin } => (
            "the reversal and its reason",
            h.ask::<SpendView>(Call::Reverse {
                tx,
                reason,
                key: None,
                auth: auth(me, pin),
            })
            .map(|s| said(Ok(s))),
        ),
        Effect::Policy { review, pin } => (
            "the change",
            policy(h, me, &review.change, pin).map(|text| (text, Tone::Good)),
        ),
        Effect::Acknowledge { pin } => (
            "marking the alerts",
            h.ask::<CountView>(Call::AckAlerts {
                id: None,
                auth: auth(me, pin),
            })
            .map(|done| {
                (
                    format!(
                        "Marked {} as seen (in the guardian log)",
                        plural(done.count, "alert")
                    ),
                    Tone::Good,
                )
            }),
        ),
        // A creator with a PIN confirms their own cashing out with it.
        Effect::Redeem { diamonds, pin } => (
            "the cash-out",
            h.ask::<SpendView>(Call::Spend {
                spend: Spend::Redeem {
                    creator: me.to_string(),
                    diamonds: diamonds.to_string(),
                },
                preview: false,
                key: None,
                pin: pin.or(my_pin),
            })
            .map(|s| said(Ok(s))),
        ),
        _ => return None,
    };
    Some(Pinned {
        purpose,
        kept,
        to_top,
        answer,
    })
}

/// Whether `pin` is `who`'s (a wrong one is counted towards the lockout).
fn check_pin(h: &mut Household<'_>, who: &view::Who, pin: &str) -> Result<(), ApiError> {
    h.call(Call::CheckPin {
        member: who.1.clone(),
        pin: PinText(pin.to_string()),
    })
    .map(|_| ())
}

/// Signs `who` in once their PIN (if any) is checked; a PIN typed wrong
/// opens the prompt again. Words for the message line, if any.
fn signed_in(
    app: &mut App,
    who: view::Who,
    typed: Option<String>,
    checked: Result<(), ApiError>,
) -> Option<(String, Tone)> {
    match checked {
        Ok(()) => {
            // A guardian's PIN is asked again for each action; a
            // member's confirms their own spending while signed in.
            app.pin = typed.filter(|_| who.2 != Role::Guardian).map(Remembered);
            app.who = Some(who);
            // The first of their screens: a guardian's dashboard, a
            // creator's earnings, a wallet.
            app.screen = app.screens().first().copied().unwrap_or(Screen::Pick);
            app.cursor = 0;
            None
        }
        Err(e) => Some(pin_again(app, app::PinFor::SignIn(who.0), e, "signing in")),
    }
}

/// The whole record checked, in words.
fn verify(h: &mut Household<'_>, progress: &mut dyn FnMut(Step) -> bool) -> (String, Tone) {
    let answer = h.call_with_progress(Call::Verify { progress: true }, &mut |p| {
        progress(Step {
            stage: p.stage.words(),
            done: p.done,
            total: p.total,
        })
    });
    match answer.and_then(VerifyView::try_from) {
        Ok(report) => match report.problem {
            None => (
                format!(
                    "All good: checked {}, {}, {}",
                    plural(report.transactions as usize, "transaction"),
                    plural(report.decisions as usize, "decision"),
                    plural(report.guardian_actions as usize, "guardian action")
                ),
                Tone::Good,
            ),
            Some(p) => (
                format!("PROBLEM: {}: {}", shown(&p.entry), shown(&p.message)),
                Tone::Bad,
            ),
        },
        Err(e) if e.message == crate::client::stopped().message => (
            "Verify stopped, as asked: nothing was changed".into(),
            Tone::Warning,
        ),
        Err(e) => (shown(&e.message), Tone::Bad),
    }
}

pub(super) fn apply(effect: Effect, app: &mut App, h: &mut Household<'_>) {
    let me = app.who.as_ref().map(|w| w.1.clone()).unwrap_or_default();
    // A member with a PIN confirms their own spending with the one they
    // signed in with.
    let my_pin = app.pin.as_ref().map(|p| p.0.clone());
    let message = match effect {
        Effect::Reload => None,
        // A write that carries a PIN: run beside the screens by the event
        // loop (see [`Slow`] and [`route`]); here only when it carries
        // none (a member without a PIN), and in tests.
        Effect::Approve { .. }
        | Effect::Deny { .. }
        | Effect::Reverse { .. }
        | Effect::Policy { .. }
        | Effect::Acknowledge { .. }
        | Effect::Redeem { .. }
        | Effect::Buy { .. }
        | Effect::BuyCustom { .. }
        | Effect::Gift(_)
        | Effect::AskAgain { .. }
        | Effect::Cancel { .. } => pinned(h, &me, my_pin, effect).map(|answer| {
            if answer.to_top {
                app.cursor = 0;
            }
            answer.take_in(app)
        }),
        Effect::SignOut => {
            *app = App::default();
            None
        }
        Effect::SignIn { who, pin: typed } => {
            let checked = match &typed {
                Some(pin) => check_pin(h, &who, pin),
                None => Ok(()),
            };
            signed_in(app, who, typed, checked)
        }
        Effect::PreviewCustom { coins } => {
            let preview = view::preview_of(h.ask(Call::Spend {
                spend: Spend::Coins {
                    member: me,
                    coins: coins.to_string(),
                },
                preview: true,
                key: None,
                pin: None,
            }));
            app.popup = Some(app::Popup::BuyCustom { coins, preview });
            None
        }
        Effect::PreviewRedeem { diamonds } => {
            let preview = view::preview_of(h.ask(Call::Spend {
                spend: Spend::Redeem {
                    creator: me,
                    diamonds: diamonds.to_string(),
                },
                preview: true,
                key: None,
                pin: None,
            }));
            app.popup = Some(app::Popup::Redeem { diamonds, preview });
            None
        }
        Effect::PreviewAskAgain { request } => {
            let preview = view::preview_of(h.ask(Call::AskAgainPreview { id: request }));
            if preview.verdict == view::Verdict::Deny {
                // A would-be refusal only says why: trying it would record a
                // refusal and alert the guardians for nothing.
                let why = preview
                    .reasons
                    .iter()
                    .find(|(refused, _)| *refused)
                    .map(|(_, why)| why.clone())
                    .unwrap_or(preview.summary);
                Some((format!("Not asked again: {why}"), Tone::Bad))
            } else {
                app.popup = Some(app::Popup::Text {
                    purpose: app::TextFor::AskAgainNote(request, preview),
                    typed: String::new(),
                });
                None
            }
        }
        Effect::PreviewReversal { tx, what } => {
            match h.ask::<ReversalPreviewView>(Call::ReversalPreview { tx }) {
                Ok(p) => {
                    app.popup = Some(app::Popup::Reversal(app::Reversal {
                        tx,
                        what,
                        gives_back: shown(&p.gives_back),
                        warnings: p.warnings.iter().map(|w| shown(w)).collect(),
                    }));
                    None
                }
                // The household names the transaction and says why.
                Err(e) => Some((format!("Not reversed: {}", shown(&e.message)), Tone::Bad)),
            }
        }
        Effect::AskExportPath => {
            let name = free_export_name(|name| Path::new(name).exists());
            let filter = &app.selection.filter;
            let rows = if filter.is_empty() {
                "It holds every transaction of the ledger (no filter).".to_string()
            } else {
                format!(
                    "It holds only the ledger rows the filter shows: {}",
                    shown(&filter.text)
                )
            };
            let folder = std::env::current_dir()
                .map(|d| format!("A name without a folder goes in {}", d.display()))
                .unwrap_or_else(|_| "Type the whole path of the file".into());
            app.popup = Some(app::Popup::Text {
                purpose: app::TextFor::ExportPath(vec![rows, folder]),
                typed: name,
            });
            None
        }
        Effect::Export { path } => Some(export(h, &app.selection.filter, &path, &mut |_| true)),
        // Run beside the screens by the event loop (see `slow`); here only
        // when called directly (tests), with no one watching.
        Effect::Verify => Some(verify(h, &mut |_| true)),
    };
    if let Some(message) = message {
        app.message = Some(message);
    }
}

/// A limit amount as the household reads one typed: "10" or "500".
fn typed(amount: LimitAmount) -> String {
    match amount {
        LimitAmount::Money(m) => m.amount().normalize().to_string(),
        LimitAmount::Coins(c) => c.get().to_string(),
    }
}

/// The words of a change the household made: `prefix` (the limit's scope
/// and window, a creator's name) taken off, "none" for nothing set.
fn change_words(text: Option<&str>, prefix: &str, none: &str) -> String {
    match text {
        Some(text) => shown(text.strip_prefix(prefix).unwrap_or(text)),
        None => none.to_string(),
    }
}

/// Saves one policy change with the guardian's PIN for that one change;
/// says what changed, before and after, as the guardian-action log records it.
fn policy(
    h: &mut Household<'_>,
    me: &str,
    change: &editor::PolicyChange,
    pin: String,
) -> Result<String, ApiError> {
    use editor::PolicyChange;
    let saved = |what: String, change: &ChangeView, prefix: &str, none: &str| {
        format!(
            "Saved {what}: was {}; now {} (in the guardian log)",
            change_words(change.before.as_deref(), prefix, none),
            change_words(change.after.as_deref(), prefix, none)
        )
    };
    Ok(match change {
        PolicyChange::AddMember {
            name,
            role,
            birthdate,
        } => {
            let added: AddedView = h.ask(Call::AddMember {
                name: name.to_string(),
                role: *role,
                birthdate: Some(birthdate.date().to_string()),
                new_pin: None,
                accept_weak_pin: false,
                auth: auth(me, pin),
            })?;
            let name = shown(&added.member.name);
            format!(
                "Added {name} ({role}, born {}). To give them a PIN: coinguard member pin \"{name}\"",
                birthdate.date()
            )
        }
        PolicyChange::SetLimit { member, limit } => {
            let done: ChangeView = h.ask(Call::SetLimit {
                member: member.clone(),
                scope: limit.scope,
                window: limit.window,
                soft: limit.soft.map(typed),
                hard: limit.hard.map(typed),
                auth: auth(me, pin),
            })?;
            saved(
                format!(
                    "{}'s {} limit per {}",
                    shown(member),
                    limit.scope,
                    limit.window
                ),
                &done,
                &format!("{} per {}: ", limit.scope, limit.window),
                "no limit",
            )
        }
        PolicyChange::RemoveLimit {
            member,
            scope,
            window,
        } => {
            let done: ChangeView = h.ask(Call::RemoveLimit {
                member: member.clone(),
                scope: *scope,
                window: *window,
                auth: auth(me, pin),
            })?;
            saved(
                format!("{}'s {scope} limit per {window}", shown(member)),
                &done,
                &format!("{scope} per {window}: "),
                "no limit",
            )
        }
        PolicyChange::QuietHours { member, quiet } => {
            let done: ChangeView = h.ask(Call::SetQuietHours {
                member: member.clone(),
                quiet: quiet.map(|q| QuietHoursSpec {
                    from: format_time_of_day(q.start_minute),
                    to: format_time_of_day(q.end_minute),
                    action: q.verdict,
                }),
                auth: auth(me, pin),
            })?;
            saved(
                format!("{}'s quiet hours", shown(member)),
                &done,
                "",
                "none",
            )
        }
        PolicyChange::Creator {
            member,
            creator,
            list,
        } => {
            let done: ChangeView = h.ask(Call::SetCreatorList {
                member: member.clone(),
                creator: creator.clone(),
                list: *list,
                auth: auth(me, pin),
            })?;
            saved(
                format!("gifts from {} to {}", shown(member), shown(creator)),
                &done,
                &format!("{creator} "),
                "not on the list",
            )
        }
    })
}

/// The export file name to suggest: `coinguard-export.csv`, or the first
/// of `coinguard-export-2.csv`, `-3`, ... not taken yet (exports never
/// overwrite a file, so suggesting one that exists only sets up a refusal).
fn free_export_name(exists: impl Fn(&str) -> bool) -> String {
    let name = |n: u32| match n {
        1 => "coinguard-export.csv".to_string(),
        n => format!("coinguard-export-{n}.csv"),
    };
    (1..10_000)
        .map(name)
        .find(|candidate| !exists(candidate))
        .unwrap_or_else(|| name(10_000))
}

/// A typed file name: `~/` means the home folder, as in a shell.
fn typed_path(text: &str, home: Option<&Path>) -> std::path::PathBuf {
    let text = text.trim();
    match (text.strip_prefix("~/"), home) {
        (Some(rest), Some(home)) => home.join(rest),
        _ => std::path::PathBuf::from(text),
    }
}

/// The format a file name asks for: .csv, .json, or .journal / .hledger.
fn format_of(path: &Path) -> Option<ExportFormat> {
    match path.extension()?.to_str()?.to_ascii_lowercase().as_str() {
        "csv" => Some(ExportFormat::Csv),
        "json" => Some(ExportFormat::Json),
        "journal" | "hledger" => Some(ExportFormat::Hledger),
        _ => None,
    }
}

/// Writes `text` to a new file at `path`, readable by its owner only (as
/// the household file is: an export holds the same names and amounts). It
/// is written next to it and linked into place once whole, so a failed
/// export leaves nothing half-written, and an existing file is never
/// replaced (the link fails if one appeared meanwhile).
fn save_new(path: &Path, text: &str) -> Result<(), String> {
    use std::io::Write;
    if path.exists() {
        return Err(format!(
            "{} already exists; coinguard never overwrites a file",
            path.display()
        ));
    }
    let failed = |e: std::io::Error| format!("cannot write {}: {e}", path.display());
    let mut partial = path.as_os_str().to_owned();
    partial.push(".coinguard-partial");
    let partial = std::path::PathBuf::from(partial);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let written = options
        .open(&partial)
        .and_then(|mut file| {
            file.write_all(text.as_bytes())
                .and_then(|()| file.sync_all())
        })
        .map_err(failed)
        .and_then(|()| {
            std::fs::hard_link(&partial, path).map_err(|e| {
                if e.kind() == std::io::ErrorKind::AlreadyExists {
                    format!(
                        "{} already exists; coinguard never overwrites a file",
                        path.display()
                    )
                } else {
                    failed(e)
                }
            })
        });
    let _ = std::fs::remove_file(&partial);
    written
}

/// Exports the ledger rows the audit filter shows to a new file: asked of
/// the household, saved here (where this interface runs).
fn export(
    h: &mut Household<'_>,
    filter: &filter::Filter,
    path: &str,
    progress: &mut dyn FnMut(Step) -> bool,
) -> (String, Tone) {
    let home = std::env::var_os("HOME").map(std::path::PathBuf::from);
    let path = typed_path(path, home.as_deref());
    let path = path.as_path();
    let Some(format) = format_of(path) else {
        return (
            format!(
                "Not exported: end the file name with .csv, .json or .journal (got {})",
                path.display()
            ),
            Tone::Bad,
        );
    };
    if path.exists() {
        return (
            format!(
                "Not exported: {} already exists; coinguard never overwrites a file",
                path.display()
            ),
            Tone::Bad,
        );
    }
    let selection = view::Selection {
        filter: filter.clone(),
        ..Default::default()
    };
    let (mut text, mut rows, mut after) = (String::new(), 0u64, None);
    loop {
        let answer: Result<ExportView, ApiError> = h.ask(Call::Export {
            query: selection.history_query(None),
            format,
            after: after.take(),
            limit: EXPORT_PART,
        });
        match answer {
            Ok(part) => {
                text.push_str(&part.text);
                rows += part.rows;
                let step = Step {
                    stage: "rows",
                    done: rows,
                    total: 0,
                };
                if !progress(step) {
                    return (
                        "Export stopped, as asked: no file was written".into(),
                        Tone::Warning,
                    );
                }
                match part.next {
                    Some(next) => after = Some(next),
                    None => break,
                }
            }
            Err(e) => return (format!("Not exported: {}", shown(&e.message)), Tone::Bad),
        }
    }
    if let Err(why) = save_new(path, &text) {
        return (format!("Not exported: {why}"), Tone::Bad);
    }
    let shown_path = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    // Only what applies to the ledger: an outcome filters decisions.
    let mut parts = Vec::new();
    if let Some(m) = &filter.member {
        parts.push(format!("{}'s", shown(m)));
    }
    if let Some(kind) = filter.kind {
        parts.push(kind.as_str().to_string());
    }
    if let Some(c) = &filter.creator {
        parts.push(format!("to {}", shown(c)));
    }
    if let (Some(since), Some(until)) = (filter.since, filter.until) {
        parts.push(format!("from {since} to {until}"));
    }
    let scope = if parts.is_empty() {
        String::new()
    } else {
        format!(" ({})", parts.join(" "))
    };
    (
        format!(
            "Exported {}{scope} to {}",
            plural(rows as usize, "transaction"),
            shown_path.display()
        ),
        Tone::Good,
    )
}
#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::api::reply::{GuardianLogView, HistoryView, MembersView, RulesView, WalletView};
    use crate::domain::{
        FixedClock, Limit, MemberId, Outcome as Verdict, QuietHours, Scope, Window,
    };
    use chrono::TimeZone;
    use editor::PolicyChange;

    pub const PIN: &str = "maple syrup river";

    /// 2026-03-02 15:00 UTC.
    pub fn clock() -> FixedClock {
        FixedClock::new(chrono::Utc.with_ymd_and_hms(2026, 3, 2, 15, 0, 0).unwrap())
    }

    /// A household file with Maria (guardian), Ana (creator, 20) and Sam
    /// (teen, 15), made through the household's API.
    pub fn household(clock: &FixedClock) -> (tempfile::TempDir, std::path::PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("h.db");
        crate::api::session::new_household_for_tests(&path, "Maria", PIN, clock).unwrap();
        let mut h = Household::open(&path, clock).unwrap();
        add(&mut h, "Ana", Role::Creator, "2006-01-01");
        add(&mut h, "Sam", Role::Teen, "2011-01-01");
        (dir, path)
    }

    pub fn add(h: &mut Household<'_>, name: &str, role: Role, born: &str) -> MemberId {
        let added: AddedView = h
            .ask(Call::AddMember {
                name: name.into(),
                role,
                birthdate: Some(born.into()),
                new_pin: None,
                accept_weak_pin: false,
                auth: auth("Maria", PIN.into()),
            })
            .unwrap();
        added.member.id
    }

    pub fn id_of(h: &mut Household<'_>, name: &str) -> MemberId {
        let members: MembersView = h.ask(Call::Members).unwrap();
        members
            .members
            .iter()
            .find(|m| m.name == name)
            .map(|m| m.id)
            .unwrap()
    }

    pub fn signed_in(h: &mut Household<'_>, name: &str, role: Role, screen: Screen) -> App {
        App {
            who: Some((id_of(h, name), name.into(), role)),
            screen,
            ..App::default()
        }
    }

    /// Sam asks for the 70-coin pack, which the test household sends to a
    /// guardian: the request's id.
    pub fn sams_request(h: &mut Household<'_>) -> i64 {
        let asked: SpendView = h
            .ask(Call::Spend {
                spend: Spend::Pack {
                    member: "Sam".into(),
                    pack: "coins-70".into(),
                },
                preview: false,
                key: None,
                pin: None,
            })
            .unwrap();
        asked.request_id.unwrap()
    }

    fn said(app: &mut App) -> String {
        app.message.take().map(|(m, _)| m).unwrap_or_default()
    }

    fn save(app: &mut App, h: &mut Household<'_>, change: PolicyChange, pin: &str) -> String {
        let review = editor::Review {
            change,
            what: String::new(),
            before: String::new(),
            after: String::new(),
        };
        apply(
            Effect::Policy {
                review,
                pin: pin.into(),
            },
            app,
            h,
        );
        said(app)
    }

    /// A limit lowered below what was already spent: Sam's wallet and the
    /// guardian's overview say by how much it is passed, not "0.00 USD left".
    #[test]
    fn a_limit_already_passed_says_by_how_much() {
        let clock = clock();
        let (_dir, path) = household(&clock);
        let mut h = Household::open(&path, &clock).unwrap();
        let request = sams_request(&mut h);
        let approved: crate::api::reply::SpendView = h
            .ask(Call::Approve {
                id: request,
                auth: auth("Maria", PIN.into()),
            })
            .unwrap();
        assert!(approved.tx_id.is_some(), "{approved:?}");
        let mut app = signed_in(&mut h, "Maria", Role::Guardian, Screen::Limits);
        let sam = id_of(&mut h, "Sam");
        let lowered = PolicyChange::SetLimit {
            member: "Sam".into(),
            limit: Limit {
                member: sam,
                scope: Scope::Purchase,
                window: Window::Week,
                soft: None,
                hard: Some(LimitAmount::Money(crate::money::Money::from_micros(
                    crate::money::Currency::USD,
                    500_000,
                ))),
            },
        };
        let said = save(&mut app, &mut h, lowered, PIN);
        assert!(
            said.starts_with("Saved Sam's purchase limit per week"),
            "{said}"
        );
        let sams = signed_in(&mut h, "Sam", Role::Teen, Screen::Wallet);
        let vm = view::load(&mut h, sams.who.as_ref(), sams.screen, &sams.selection).unwrap();
        let shown = frame(&sams, &vm);
        assert!(shown.contains("used 0.99 USD, 0.49 USD over"), "{shown}");
        assert!(!shown.contains("0.00 USD left"), "{shown}");
        let marias = signed_in(&mut h, "Maria", Role::Guardian, Screen::Dashboard);
        let vm = view::load(
            &mut h,
            marias.who.as_ref(),
            marias.screen,
            &marias.selection,
        )
        .unwrap();
        let shown = frame(&marias, &vm);
        assert!(
            shown.contains("0.99 USD of 0.50 USD, 0.49 USD over"),
            "{shown}"
        );
    }

    #[test]
    fn each_kind_of_change_is_saved_through_the_household_and_a_wrong_pin_saves_nothing() {
        let clock = clock();
        let (_dir, path) = household(&clock);
        let mut h = Household::open(&path, &clock).unwrap();
        let mut app = signed_in(&mut h, "Maria", Role::Guardian, Screen::Limits);
        let sam = id_of(&mut h, "Sam");
        let limit = Limit {
            member: sam,
            scope: Scope::Gift,
            window: Window::Day,
            soft: None,
            hard: Some(LimitAmount::Coins(crate::money::Coins::new(300))),
        };
        let set = PolicyChange::SetLimit {
            member: "Sam".into(),
            limit,
        };
        let rules = |h: &mut Household<'_>| -> RulesView {
            h.ask(Call::Rules {
                member: "Sam".into(),
            })
            .unwrap()
        };
        let said = save(&mut app, &mut h, set.clone(), "not the pin");
        assert!(said.starts_with("wrong PIN"), "{said}");
        assert!(rules(&mut h).limits.is_empty());
        // The change is kept: the PIN is asked again for the same change.
        assert!(said.ends_with("the change is kept; type the PIN again, or Esc to drop it"));
        assert!(matches!(
            &app.popup,
            Some(app::Popup::Pin { purpose: app::PinFor::Policy(review), typed })
                if review.change == set && typed.is_empty()
        ));
        app.popup = None;
        let said = save(&mut app, &mut h, set, PIN);
        assert_eq!(
            said,
            "Saved Sam's gift limit per day: was no limit; now refused above 300 coins (≈4.24 USD) (in the guardian log)"
        );
        assert_eq!(rules(&mut h).limits.len(), 1);
        let quiet = QuietHours {
            start_minute: 21 * 60,
            end_minute: 7 * 60,
            verdict: Verdict::Deny,
        };
        let said = save(
            &mut app,
            &mut h,
            PolicyChange::QuietHours {
                member: "Sam".into(),
                quiet: Some(quiet),
            },
            PIN,
        );
        assert!(said.contains("now 21:00–07:00, spending refused"), "{said}");
        let said = save(
            &mut app,
            &mut h,
            PolicyChange::Creator {
                member: "Sam".into(),
                creator: "Ana".into(),
                list: Some(crate::domain::CreatorList::Block),
            },
            PIN,
        );
        assert_eq!(
            said,
            "Saved gifts from Sam to Ana: was not on the list; now blocked (in the guardian log)"
        );
        let said = save(
            &mut app,
            &mut h,
            PolicyChange::RemoveLimit {
                member: "Sam".into(),
                scope: Scope::Gift,
                window: Window::Day,
            },
            PIN,
        );
        assert!(
            said.ends_with("now no limit (in the guardian log)"),
            "{said}"
        );
        let now = rules(&mut h);
        assert!(now.limits.is_empty());
        assert_eq!(
            now.quiet_hours.map(|q| (q.from, q.to)),
            Some(("21:00".into(), "07:00".into()))
        );
        // Every change is in the guardian-action log, and the record checks out.
        let logged: GuardianLogView = h
            .ask(Call::GuardianLog {
                query: crate::api::call::LogQuery {
                    limit: 50,
                    ..Default::default()
                },
            })
            .unwrap();
        let actions: Vec<_> = logged
            .guardian_actions
            .iter()
            .map(|a| a.action.as_str())
            .collect();
        for action in [
            "limit_set",
            "quiet_hours_set",
            "creator_list_set",
            "limit_remove",
        ] {
            assert!(actions.contains(&action), "{action} in {actions:?}");
        }
        let verified: VerifyView = h.ask(Call::Verify { progress: false }).unwrap();
        assert!(verified.ok);
    }

    #[test]
    fn any_number_of_coins_is_previewed_then_asked_for_and_the_ledger_exported() {
        let clock = clock();
        let (dir, path) = household(&clock);
        let mut h = Household::open(&path, &clock).unwrap();
        let mut app = signed_in(&mut h, "Sam", Role::Teen, Screen::Shop);
        apply(Effect::PreviewCustom { coins: 100 }, &mut app, &mut h);
        let Some(app::Popup::BuyCustom { coins, preview }) = app.popup.clone() else {
            panic!("the preview opens: {:?}", app.popup);
        };
        assert_eq!(coins, 100);
        assert_eq!(preview.verdict, view::Verdict::NeedsApproval);
        assert!(
            preview
                .summary
                .starts_with("Sam buys 100 coins for 1.42 USD"),
            "{}",
            preview.summary
        );
        app.popup = None;
        apply(Effect::BuyCustom { coins: 100 }, &mut app, &mut h);
        let said = said(&mut app);
        assert!(said.starts_with("Asked a guardian (request #1)"), "{said}");
        // The guardian exports; the second time the file is there and kept.
        let out = dir.path().join("out.csv");
        let filter = filter::Filter::default();
        let (said, tone) = export(&mut h, &filter, out.to_str().unwrap(), &mut |_| true);
        assert!(said.starts_with("Exported 0 transactions to"), "{said}");
        assert_eq!(tone, Tone::Good);
        let (said, tone) = export(&mut h, &filter, out.to_str().unwrap(), &mut |_| true);
        assert!(
            said.contains("already exists; coinguard never overwrites a file"),
            "{said}"
        );
        assert_eq!(tone, Tone::Bad);
        let (said, _) = export(&mut h, &filter, "out.txt", &mut |_| true);
        assert!(
            said.starts_with("Not exported: end the file name with .csv"),
            "{said}"
        );
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&out).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "readable by its owner only");
    }

    /// Grants `coins` to `member` and allows their gifts to `creator`.
    pub fn grant_and_allow(h: &mut Household<'_>, member: &str, coins: u64, creator: &str) {
        let granted: SpendView = h
            .ask(Call::Grant {
                member: member.into(),
                coins: coins.to_string(),
                memo: String::new(),
                key: None,
                auth: auth("Maria", PIN.into()),
            })
            .unwrap();
        assert_eq!(granted.outcome, view::Verdict::Allow);
        allow(h, member, creator);
    }

    pub fn allow(h: &mut Household<'_>, member: &str, creator: &str) {
        let _: ChangeView = h
            .ask(Call::SetCreatorList {
                member: member.into(),
                creator: creator.into(),
                list: Some(crate::domain::CreatorList::Allow),
                auth: auth("Maria", PIN.into()),
            })
            .unwrap();
    }

    pub fn gift(h: &mut Household<'_>, member: &str, creator: &str, gift: &str, count: u64) {
        let sent: SpendView = h
            .ask(Call::Spend {
                spend: Spend::Gift {
                    member: member.into(),
                    creator: creator.into(),
                    gift: gift.into(),
                    count: count.to_string(),
                },
                preview: false,
                key: None,
                pin: None,
            })
            .unwrap();
        assert_eq!(sent.outcome, view::Verdict::Allow, "{}", sent.summary);
    }

    /// A creator's name on a member's own history filters to their gifts
    /// to that creator.
    #[test]
    fn a_creators_name_filters_a_members_history_to_gifts_to_them() {
        let clock = clock();
        let (_dir, path) = household(&clock);
        let mut h = Household::open(&path, &clock).unwrap();
        add(&mut h, "Bo", Role::Creator, "2000-01-01");
        add(&mut h, "Alex", Role::Teen, "2000-01-01");
        grant_and_allow(&mut h, "Alex", 100, "Ana");
        allow(&mut h, "Alex", "Bo");
        gift(&mut h, "Alex", "Ana", "rose", 1);
        gift(&mut h, "Alex", "Bo", "rose", 1);
        let app = signed_in(&mut h, "Alex", Role::Teen, Screen::History);
        let mut selection = view::Selection {
            filter: filter::parse("ana", filter::Place::OwnHistory, &["Ana", "Bo"]).unwrap(),
            ..Default::default()
        };
        let vm = view::load(&mut h, app.who.as_ref(), Screen::History, &selection).unwrap();
        let history = vm.member.unwrap().history;
        assert_eq!(history.len(), 1, "{history:?}");
        assert!(history[0].detail.contains("to Ana"), "{history:?}");
        selection.filter = filter::Filter::default();
        let vm = view::load(&mut h, app.who.as_ref(), Screen::History, &selection).unwrap();
        assert_eq!(
            vm.member.unwrap().history.len(),
            3,
            "two gifts and the grant"
        );
    }

    /// A creator cashes out from their earnings screen: previewed first,
    /// then committed, confirmed with their own PIN (a wrong one asks
    /// again and cashes out nothing).
    #[test]
    fn a_creator_previews_then_cashes_out_with_their_pin() {
        let clock = clock();
        let (_dir, path) = household(&clock);
        let mut h = Household::open(&path, &clock).unwrap();
        let bo = add(&mut h, "Bo", Role::Creator, "2000-01-01");
        add(&mut h, "Alex", Role::Teen, "2000-01-01");
        grant_and_allow(&mut h, "Alex", 4_000, "Bo");
        let _: crate::api::Reply = h
            .call(Call::SetPin {
                member: "Bo".into(),
                new_pin: "bo's own passphrase".into(),
                accept_weak_pin: false,
                auth: auth("Maria", PIN.into()),
            })
            .unwrap();
        gift(&mut h, "Alex", "Bo", "galaxy", 4);
        // Bo signs in with his PIN and lands on his earnings.
        let mut app = App::default();
        apply(
            Effect::SignIn {
                who: (bo, "Bo".into(), Role::Creator),
                pin: Some("bo's own passphrase".into()),
            },
            &mut app,
            &mut h,
        );
        assert_eq!(app.who, Some((bo, "Bo".into(), Role::Creator)));
        assert_eq!(app.screen, Screen::Earnings);
        let vm = view::load(&mut h, app.who.as_ref(), Screen::Earnings, &app.selection).unwrap();
        let earnings = vm.creator.clone().unwrap();
        assert_eq!(earnings.diamonds, 2_000);
        assert_eq!(earnings.minimum, "10.00 USD");
        assert_eq!(earnings.received.len(), 1, "the gift from Alex");
        // What the gift brought Bo, not what Alex paid.
        assert_eq!(earnings.received[0].figures, "+2,000 diamonds (10.00 USD)");
        assert_eq!(
            earnings.all_preview.map(|p| p.verdict),
            Some(view::Verdict::Allow)
        );
        apply(Effect::PreviewRedeem { diamonds: 2_000 }, &mut app, &mut h);
        let Some(app::Popup::Redeem { diamonds, preview }) = app.popup.clone() else {
            panic!("the preview opens: {:?}", app.popup);
        };
        assert_eq!((diamonds, preview.verdict), (2_000, view::Verdict::Allow));
        assert!(preview.summary.contains("10.00 USD"), "{}", preview.summary);
        app.popup = None;
        let diamonds_now = |h: &mut Household<'_>| {
            let w: WalletView = h
                .ask(Call::Wallet {
                    member: "Bo".into(),
                })
                .unwrap();
            w.member.diamonds
        };
        // Signed in with his PIN, Bo is still asked for it to cash out.
        app.pin = None;
        apply(
            Effect::Redeem {
                diamonds: 2_000,
                pin: Some("not bo's pin".into()),
            },
            &mut app,
            &mut h,
        );
        assert_eq!(
            diamonds_now(&mut h),
            2_000,
            "a wrong PIN cashes out nothing"
        );
        assert!(matches!(
            app.popup,
            Some(app::Popup::Pin {
                purpose: app::PinFor::Redeem(2_000),
                ..
            })
        ));
        apply(
            Effect::Redeem {
                diamonds: 2_000,
                pin: Some("bo's own passphrase".into()),
            },
            &mut app,
            &mut h,
        );
        let (said, tone) = app.message.clone().unwrap();
        assert!(
            said.starts_with("Done: Bo cashes out 2,000 diamonds for 10.00 USD"),
            "{said}"
        );
        assert_eq!(tone, Tone::Good);
        assert_eq!(diamonds_now(&mut h), 0);
    }

    /// QA 22: a wrong PIN at sign-in keeps the prompt open (it closed, and
    /// the person had to pick themselves again); the lockout counts it.
    #[test]
    fn a_wrong_pin_at_sign_in_asks_for_it_again() {
        let clock = clock();
        let (_dir, path) = household(&clock);
        let mut h = Household::open(&path, &clock).unwrap();
        let maria = id_of(&mut h, "Maria");
        let mut app = App::default();
        apply(
            Effect::SignIn {
                who: (maria, "Maria".into(), Role::Guardian),
                pin: Some("not it at all".into()),
            },
            &mut app,
            &mut h,
        );
        assert_eq!(app.who, None, "not signed in");
        assert!(matches!(
            app.popup,
            Some(app::Popup::Pin {
                purpose: app::PinFor::SignIn(m),
                ..
            }) if m == maria
        ));
        let said = said(&mut app);
        assert!(
            said.starts_with("wrong PIN for Maria; 4 more tries"),
            "{said}"
        );
        apply(
            Effect::SignIn {
                who: (maria, "Maria".into(), Role::Guardian),
                pin: Some(PIN.into()),
            },
            &mut app,
            &mut h,
        );
        assert_eq!(app.screen, Screen::Dashboard);
        assert_eq!(app.pin, None, "a guardian's PIN is never kept");
    }

    /// The text of the frame drawn for `app` (80 by 24).
    fn frame(app: &App, vm: &view::ViewModel) -> String {
        let mut terminal =
            ratatui::Terminal::new(ratatui::backend::TestBackend::new(80, 24)).unwrap();
        terminal
            .draw(|f| {
                super::super::render::render(
                    app,
                    vm,
                    super::super::theme::Theme { color: false },
                    f,
                );
            })
            .unwrap();
        let buffer = terminal.backend().buffer();
        buffer.content().iter().map(|c| c.symbol()).collect()
    }

    /// Issue 16: the PIN typed to sign in is checked as slow work (argon2
    /// off the UI thread, on another connection): the frame after Enter
    /// says "checking…", and the answer is what checking in place gave (a
    /// wrong PIN counted and asked again, the right one signs in).
    #[test]
    fn a_sign_in_pin_is_checked_beside_the_screen_and_answers_as_before() {
        let clock = clock();
        let (_dir, path) = household(&clock);
        let mut h = Household::open(&path, &clock).unwrap();
        let maria = id_of(&mut h, "Maria");
        let vm = view::load(&mut h, None, Screen::Pick, &Default::default()).unwrap();
        let mut app = App::default();
        for (typed, right) in [("not it at all", false), (PIN, true)] {
            app.popup = Some(app::Popup::Pin {
                purpose: app::PinFor::SignIn(maria),
                typed: typed.into(),
            });
            let effect = app::update(&mut app, crate::tui::keymap::Command::Select, &vm).unwrap();
            let slow = Slow::of(&effect, &app).expect("a PIN is checked off the UI thread");
            slow.begin(&mut app);
            let shown = frame(&app, &vm);
            assert!(shown.contains("checking…"), "{shown}");
            assert!(shown.contains("PIN for Maria"), "{shown}");
            let mut worker = h.another().unwrap();
            let done = slow.run(&mut worker, &mut |_| true);
            done.take_in(&mut app);
            if right {
                assert_eq!(app.screen, Screen::Dashboard);
                assert_eq!(app.who.as_ref().map(|w| w.0), Some(maria));
                assert_eq!(app.popup, None);
            } else {
                assert_eq!(app.who, None, "not signed in");
                assert!(matches!(
                    app.popup,
                    Some(app::Popup::Pin { purpose: app::PinFor::SignIn(m), .. }) if m == maria
                ));
                let said = said(&mut app);
                assert!(
                    said.starts_with("wrong PIN for Maria; 4 more tries"),
                    "counted: {said}"
                );
            }
        }
    }

    /// Issue 16: every write that carries a PIN (a guardian's, a
    /// creator's typed to cash out) is slow work, whose popup says
    /// "checking…" for that one action; the writes that carry none are not.
    #[test]
    fn every_write_that_carries_a_pin_is_checked_beside_the_screen() {
        use app::PinFor;
        let review = editor::Review {
            change: PolicyChange::QuietHours {
                member: "Sam".into(),
                quiet: None,
            },
            what: String::new(),
            before: String::new(),
            after: String::new(),
        };
        let pin = || "1234".to_string();
        let maria = App {
            who: Some((crate::domain::MemberId(1), "Maria".into(), Role::Guardian)),
            ..App::default()
        };
        for (effect, purpose) in [
            (
                Effect::Approve {
                    request: 7,
                    pin: pin(),
                },
                Some(PinFor::Approve(7)),
            ),
            (
                Effect::Deny {
                    request: 7,
                    reason: "no".into(),
                    pin: pin(),
                },
                Some(PinFor::Deny(7, "no".into())),
            ),
            (
                Effect::Reverse {
                    tx: 3,
                    reason: "oops".into(),
                    pin: pin(),
                },
                Some(PinFor::Reverse(3, "oops".into())),
            ),
            (
                Effect::Policy {
                    review: review.clone(),
                    pin: pin(),
                },
                Some(PinFor::Policy(review.clone())),
            ),
            (
                Effect::Acknowledge { pin: pin() },
                Some(PinFor::Acknowledge),
            ),
            (
                Effect::Redeem {
                    diamonds: 500,
                    pin: Some(pin()),
                },
                Some(PinFor::Redeem(500)),
            ),
            // A creator with no PIN types none: nothing to check.
            (
                Effect::Redeem {
                    diamonds: 500,
                    pin: None,
                },
                None,
            ),
            (
                Effect::Buy {
                    pack: "coins-70".into(),
                },
                None,
            ),
        ] {
            let mut app = maria.clone();
            let slow = Slow::of(&effect, &app);
            assert_eq!(
                slow.as_ref().map(Slow::checks_pin),
                purpose.as_ref().map(|_| true),
                "{effect:?}"
            );
            if let Some(slow) = slow {
                slow.begin(&mut app);
                assert_eq!(app.popup, purpose.map(app::Popup::Checking), "{effect:?}");
                assert_eq!(app.busy, None, "a PIN draws no gauge");
            }
        }
    }

    /// Issue 16: approving with a guardian's PIN runs beside the screen
    /// as the sign-in check does: while it is pending the popup says
    /// "checking…" and keys typed meanwhile land nowhere; when it is
    /// answered the answer applies (a wrong PIN counted, said and asked
    /// for again with the keys before it dropped; the right one approves).
    #[test]
    fn approving_is_checked_beside_the_screen_and_applies_when_answered() {
        use crate::tui::keymap::Command;
        use crossterm::event::{KeyCode, KeyEvent};
        let clock = clock();
        let (_dir, path) = household(&clock);
        let mut h = Household::open(&path, &clock).unwrap();
        let request = sams_request(&mut h);
        let mut app = signed_in(&mut h, "Maria", Role::Guardian, Screen::Approvals);
        let vm = view::load(&mut h, app.who.as_ref(), app.screen, &app.selection).unwrap();
        app::update(&mut app, Command::Approve, &vm);
        for (typed, right) in [("not it at all", false), (PIN, true)] {
            typed.chars().for_each(|c| app.type_char(c));
            let effect = app::update(&mut app, Command::Select, &vm).unwrap();
            let slow = Slow::of(&effect, &app).expect("the PIN is checked off the UI thread");
            slow.begin(&mut app);
            // Pending: the popup says so, and nothing typed lands anywhere.
            let shown = frame(&app, &vm);
            assert!(shown.contains("checking…"), "{shown}");
            assert!(
                shown.contains(&format!("Guardian PIN to approve request #{request}")),
                "{shown}"
            );
            for key in [KeyCode::Char('x'), KeyCode::Enter, KeyCode::Char('q')] {
                assert_eq!(
                    super::super::on_key(&mut app, &vm, KeyEvent::from(key)),
                    None
                );
            }
            assert_eq!(
                app.popup,
                Some(app::Popup::Checking(app::PinFor::Approve(request)))
            );
            assert!(!app.quit);
            let opens = app.guarded_opens;
            let mut worker = h.another().unwrap();
            slow.run(&mut worker, &mut |_| true).take_in(&mut app);
            let status = |h: &mut Household<'_>| {
                let r: crate::api::reply::RequestsView = h
                    .ask(Call::Requests {
                        status: None,
                        member: Some("Sam".into()),
                        limit: 1,
                    })
                    .unwrap();
                r.requests[0].status
            };
            if right {
                assert_eq!(app.popup, None);
                let said = said(&mut app);
                assert!(said.starts_with("Done: "), "{said}");
                assert_eq!(status(&mut h), crate::domain::RequestStatus::Approved);
            } else {
                assert!(matches!(
                    &app.popup,
                    Some(app::Popup::Pin { purpose: app::PinFor::Approve(r), typed })
                        if *r == request && typed.is_empty()
                ));
                assert_eq!(
                    app.guarded_opens,
                    opens + 1,
                    "keys typed before it are dropped"
                );
                let said = said(&mut app);
                assert!(
                    said.starts_with("wrong PIN for Maria; 4 more tries")
                        && said.contains("the approval is kept"),
                    "counted and said: {said}"
                );
                assert_eq!(status(&mut h), crate::domain::RequestStatus::Pending);
            }
        }
    }

    /// Issue 16: a creator's PIN to cash out is checked beside the screen
    /// too. Esc while it is pending closes the popup but cannot stop the
    /// write: the answer is said when it comes, and a PIN typed wrong is
    /// not asked for again (its prompt was left), though it is counted.
    #[test]
    fn a_cash_out_left_with_esc_still_goes_ahead_and_says_so() {
        use crate::tui::keymap::Command;
        let clock = clock();
        let (_dir, path) = household(&clock);
        let mut h = Household::open(&path, &clock).unwrap();
        let bo = add(&mut h, "Bo", Role::Creator, "2000-01-01");
        add(&mut h, "Alex", Role::Teen, "2000-01-01");
        grant_and_allow(&mut h, "Alex", 4_000, "Bo");
        let _: crate::api::Reply = h
            .call(Call::SetPin {
                member: "Bo".into(),
                new_pin: "bo's own passphrase".into(),
                accept_weak_pin: false,
                auth: auth("Maria", PIN.into()),
            })
            .unwrap();
        gift(&mut h, "Alex", "Bo", "galaxy", 4);
        let mut app = App {
            who: Some((bo, "Bo".into(), Role::Creator)),
            screen: Screen::Earnings,
            ..App::default()
        };
        let vm = view::load(&mut h, app.who.as_ref(), app.screen, &app.selection).unwrap();
        let diamonds = |h: &mut Household<'_>| {
            let w: WalletView = h
                .ask(Call::Wallet {
                    member: "Bo".into(),
                })
                .unwrap();
            w.member.diamonds
        };
        for (typed, right) in [("not bo's pin", false), ("bo's own passphrase", true)] {
            app.ask_pin(app::PinFor::Redeem(2_000));
            typed.chars().for_each(|c| app.type_char(c));
            let effect = app::update(&mut app, Command::Select, &vm).unwrap();
            let slow = Slow::of(&effect, &app).expect("the PIN is checked off the UI thread");
            slow.begin(&mut app);
            let shown = frame(&app, &vm);
            assert!(
                shown.contains("Your PIN to cash out 2,000 diamonds"),
                "{shown}"
            );
            assert!(
                shown.contains("Esc: close (it still goes ahead)"),
                "{shown}"
            );
            app::update(&mut app, Command::Back, &vm);
            assert_eq!(app.popup, None);
            let opens = app.guarded_opens;
            let mut worker = h.another().unwrap();
            slow.run(&mut worker, &mut |_| true).take_in(&mut app);
            assert_eq!((app.popup.clone(), app.guarded_opens), (None, opens));
            let said = said(&mut app);
            if right {
                assert!(
                    said.starts_with("Done: Bo cashes out 2,000 diamonds"),
                    "{said}"
                );
                assert_eq!(diamonds(&mut h), 0);
            } else {
                assert!(said.starts_with("wrong PIN for Bo; 4 more tries"), "{said}");
                assert_eq!(diamonds(&mut h), 2_000, "a wrong PIN cashes out nothing");
            }
        }
    }

    /// Issue 16: a teen or creator who signed in with a PIN confirms their
    /// own spending with it, and the household checks it (argon2) inside
    /// the write: buying, a gift, asking again, cancelling and cashing out
    /// all run beside the screen with a "working…" popup. Without a
    /// remembered PIN there is nothing to check and they run here. The
    /// test fails if any of them would run on the UI thread.
    #[test]
    fn a_members_remembered_pin_is_checked_beside_the_screen() {
        let sam = App {
            who: Some((crate::domain::MemberId(3), "Sam".into(), Role::Teen)),
            screen: Screen::Shop,
            ..App::default()
        };
        let with_pin = App {
            pin: Some(Remembered("sam's own passphrase".into())),
            ..sam.clone()
        };
        let gift = view::GiftChoice {
            creator: "Ana".into(),
            gift: "rose".into(),
            count: 3,
        };
        for (effect, popup) in [
            (
                Effect::Buy {
                    pack: "coins-70".into(),
                },
                app::Popup::Working("Buying coins-70".into()),
            ),
            (
                Effect::BuyCustom { coins: 1_500 },
                app::Popup::Working("Buying 1,500 coins".into()),
            ),
            (
                Effect::Gift(gift),
                app::Popup::Working("Sending 3 × rose to Ana".into()),
            ),
            (
                Effect::AskAgain {
                    request: 4,
                    note: "please".into(),
                },
                app::Popup::Working("Asking again (request #4)".into()),
            ),
            (
                Effect::Cancel { request: 4 },
                app::Popup::Working("Cancelling request #4".into()),
            ),
            // Signed in with a PIN, a cash-out with none typed carries it.
            (
                Effect::Redeem {
                    diamonds: 500,
                    pin: None,
                },
                app::Popup::Checking(app::PinFor::Redeem(500)),
            ),
        ] {
            let mut app = with_pin.clone();
            let Route::Check(slow) = route(effect.clone(), &mut app, None, false, false) else {
                panic!("{effect:?} with a remembered PIN must not run on the UI thread");
            };
            slow.begin(&mut app);
            assert_eq!(app.popup, Some(popup), "{effect:?}");
            assert_eq!(app.busy, None, "{effect:?}: no gauge");
            // A verify running meanwhile does not hold it up either.
            let mut app = with_pin.clone();
            assert!(
                matches!(
                    route(effect.clone(), &mut app, None, true, false),
                    Route::Check(_)
                ),
                "{effect:?}"
            );
            // No PIN to check: quick, here.
            let mut app = sam.clone();
            assert!(
                matches!(route(effect.clone(), &mut app, None, false, false), Route::Here(e) if e == effect),
                "{effect:?}"
            );
        }
    }

    /// Issue 16: while a PIN is checked beside the screen (its popup left
    /// with Esc), a second action that carries one is refused with words
    /// that say why, never checked on the UI thread; a PIN typed for it is
    /// kept in its prompt, so Enter tries again once the first answered.
    /// Slow work without a PIN waits for the gauge's slot the same way.
    #[test]
    fn a_second_pin_while_one_is_checked_is_refused_not_checked_here() {
        let maria = App {
            who: Some((crate::domain::MemberId(1), "Maria".into(), Role::Guardian)),
            screen: Screen::Approvals,
            ..App::default()
        };
        let prompt = app::Popup::Pin {
            purpose: app::PinFor::Approve(7),
            typed: PIN.into(),
        };
        let approve = Effect::Approve {
            request: 7,
            pin: PIN.into(),
        };
        let mut app = maria.clone();
        let routed = route(approve.clone(), &mut app, Some(prompt.clone()), false, true);
        assert!(matches!(routed, Route::Refused), "{routed:?}");
        assert_eq!(app.popup, Some(prompt.clone()), "the typed PIN is kept");
        assert_eq!(
            app.message,
            Some((
                "Still checking the last PIN: Enter again once it has answered".into(),
                Tone::Warning
            ))
        );
        // Once it has answered, Enter goes ahead beside the screen.
        let mut app = maria.clone();
        assert!(matches!(
            route(approve, &mut app, Some(prompt), false, false),
            Route::Check(_)
        ));
        // A member's buy with their remembered PIN: no prompt to keep.
        let mut app = App {
            who: Some((crate::domain::MemberId(3), "Sam".into(), Role::Teen)),
            pin: Some(Remembered("sam's own passphrase".into())),
            screen: Screen::Shop,
            ..App::default()
        };
        let confirm = app::Popup::Confirm(app::Confirm::new(
            "Buy coins-70?".into(),
            Vec::new(),
            Effect::Buy {
                pack: "coins-70".into(),
            },
        ));
        let buy = Effect::Buy {
            pack: "coins-70".into(),
        };
        assert!(matches!(
            route(buy, &mut app, Some(confirm), false, true),
            Route::Refused
        ));
        assert_eq!(app.popup, None);
        assert_eq!(
            app.message,
            Some((
                "Still checking the last PIN: try again once it has answered".into(),
                Tone::Warning
            ))
        );
        // A sign-in while another is checked: refused the same way.
        let mut app = App::default();
        let who = (
            crate::domain::MemberId(1),
            "Maria".to_string(),
            Role::Guardian,
        );
        let sign_in = Effect::SignIn {
            who,
            pin: Some(PIN.into()),
        };
        assert!(matches!(
            route(sign_in, &mut app, None, false, true),
            Route::Refused
        ));
        // A verify while another runs is refused; beside a PIN it starts.
        let mut app = maria.clone();
        assert!(matches!(
            route(Effect::Verify, &mut app, None, true, false),
            Route::Refused
        ));
        assert!(
            app.message
                .unwrap()
                .0
                .starts_with("Still busy with the last one")
        );
        let mut app = maria;
        assert!(matches!(
            route(Effect::Verify, &mut app, None, false, true),
            Route::Work(_)
        ));
    }

    /// Issue 16: a teen who signed in with a PIN buys from the shop: the
    /// frame after Enter says "working…", keys typed meanwhile land
    /// nowhere (not even q), and the answer applies when it comes. With a
    /// PIN that is no longer theirs (a guardian changed it meanwhile) the
    /// household refuses it and counts it; no prompt opens, since they
    /// typed none.
    #[test]
    fn a_teen_with_a_pin_buys_beside_the_screen_and_the_answer_applies_when_it_comes() {
        use crate::tui::keymap::Command;
        use crossterm::event::{KeyCode, KeyEvent};
        let clock = clock();
        let (_dir, path) = household(&clock);
        let mut h = Household::open(&path, &clock).unwrap();
        let set_pin = |h: &mut Household<'_>, pin: &str| {
            let _: crate::api::Reply = h
                .call(Call::SetPin {
                    member: "Sam".into(),
                    new_pin: pin.into(),
                    accept_weak_pin: false,
                    auth: auth("Maria", PIN.into()),
                })
                .unwrap();
        };
        set_pin(&mut h, "sam's own passphrase");
        let mut app = signed_in(&mut h, "Sam", Role::Teen, Screen::Shop);
        app.pin = Some(Remembered("sam's own passphrase".into()));
        let vm = view::load(&mut h, app.who.as_ref(), app.screen, &app.selection).unwrap();
        let requests = |h: &mut Household<'_>| {
            let r: crate::api::reply::RequestsView = h
                .ask(Call::Requests {
                    status: None,
                    member: Some("Sam".into()),
                    limit: 10,
                })
                .unwrap();
            r.requests.len()
        };
        for right in [true, false] {
            app.cursor = 0;
            app::update(&mut app, Command::Select, &vm);
            assert!(matches!(app.popup, Some(app::Popup::Confirm(_))));
            let prompt = app.popup.clone();
            let effect = app::update(&mut app, Command::Select, &vm).unwrap();
            let Route::Check(slow) = route(effect, &mut app, prompt, false, false) else {
                panic!("a buy with a remembered PIN runs beside the screen");
            };
            slow.begin(&mut app);
            let shown = frame(&app, &vm);
            assert!(shown.contains("Buying coins-70"), "{shown}");
            assert!(shown.contains("working…"), "{shown}");
            assert!(
                shown.contains("Esc: close (it still goes ahead)"),
                "{shown}"
            );
            let before = app.clone();
            for key in [KeyCode::Char('q'), KeyCode::Enter, KeyCode::Tab] {
                assert_eq!(
                    super::super::on_key(&mut app, &vm, KeyEvent::from(key)),
                    None
                );
            }
            assert_eq!(app, before, "keys typed meanwhile land nowhere");
            let mut worker = h.another().unwrap();
            slow.run(&mut worker, &mut |_| true).take_in(&mut app);
            assert_eq!(app.popup, None);
            let said = said(&mut app);
            if right {
                assert!(said.starts_with("Asked a guardian (request #1)"), "{said}");
                assert_eq!(requests(&mut h), 1);
                // The guardian gives Sam a new PIN; the one he signed in
                // with is no longer his.
                set_pin(&mut h, "a brand new passphrase");
            } else {
                assert!(
                    said.starts_with("wrong PIN for Sam; 4 more tries"),
                    "{said}"
                );
                assert_eq!(requests(&mut h), 1, "a wrong PIN asks for nothing");
            }
        }
    }

    /// Esc while a PIN is checked leaves the prompt: the answer, when it
    /// comes, signs nobody in.
    #[test]
    fn a_pin_check_left_with_esc_signs_nobody_in() {
        let clock = clock();
        let (_dir, path) = household(&clock);
        let mut h = Household::open(&path, &clock).unwrap();
        let maria = id_of(&mut h, "Maria");
        let vm = view::load(&mut h, None, Screen::Pick, &Default::default()).unwrap();
        let mut app = App::default();
        app.popup = Some(app::Popup::Pin {
            purpose: app::PinFor::SignIn(maria),
            typed: PIN.into(),
        });
        let effect = app::update(&mut app, crate::tui::keymap::Command::Select, &vm).unwrap();
        let slow = Slow::of(&effect, &app).unwrap();
        slow.begin(&mut app);
        app::update(&mut app, crate::tui::keymap::Command::Back, &vm);
        assert_eq!(app.popup, None);
        slow.run(&mut h, &mut |_| true).take_in(&mut app);
        assert_eq!(app.who, None);
        assert_eq!(app.screen, Screen::Pick);
    }

    /// QA 3: a guardian reverses from the ledger: what it gives back and
    /// the order trap (a gift spent its coins) are shown before the reason
    /// and the PIN; a wrong PIN keeps the reversal and its reason.
    #[test]
    fn a_guardian_reverses_a_ledger_row_after_reading_what_it_gives_back() {
        let clock = clock();
        let (_dir, path) = household(&clock);
        let mut h = Household::open(&path, &clock).unwrap();
        add(&mut h, "Alex", Role::Teen, "2000-01-01");
        grant_and_allow(&mut h, "Alex", 100, "Ana");
        gift(&mut h, "Alex", "Ana", "doughnut", 1);
        let mut app = signed_in(&mut h, "Maria", Role::Guardian, Screen::Audit);
        let vm = view::load(&mut h, app.who.as_ref(), Screen::Audit, &app.selection).unwrap();
        let rows = &vm.guardian.as_ref().unwrap().history;
        let grant = rows.iter().position(|r| r.kind == "grant").unwrap();
        app.cursor = grant;
        let Some(effect @ Effect::PreviewReversal { tx, .. }) =
            app::update(&mut app, crate::tui::keymap::Command::Select, &vm)
        else {
            panic!("Enter on a ledger row previews its reversal");
        };
        apply(effect, &mut app, &mut h);
        let Some(app::Popup::Reversal(reversal)) = app.popup.clone() else {
            panic!("the preview opens: {:?} {:?}", app.popup, app.message);
        };
        assert_eq!(reversal.tx, tx);
        assert!(reversal.gives_back.contains("70 coins"), "{reversal:?}");
        assert!(
            reversal
                .warnings
                .iter()
                .any(|w| w.contains("Reverse gift #2 first")),
            "{reversal:?}"
        );
        // Enter: the reason, then the PIN.
        app::update(&mut app, crate::tui::keymap::Command::Select, &vm);
        for c in "granted twice".chars() {
            app.type_char(c);
        }
        app::update(&mut app, crate::tui::keymap::Command::Select, &vm);
        assert!(matches!(
            &app.popup,
            Some(app::Popup::Pin { purpose: app::PinFor::Reverse(t, reason), .. })
                if *t == tx && reason == "granted twice"
        ));
        apply(
            Effect::Reverse {
                tx,
                reason: "granted twice".into(),
                pin: "wrong wrong wrong".into(),
            },
            &mut app,
            &mut h,
        );
        assert!(matches!(
            &app.popup,
            Some(app::Popup::Pin {
                purpose: app::PinFor::Reverse(..),
                ..
            })
        ));
        apply(
            Effect::Reverse {
                tx,
                reason: "granted twice".into(),
                pin: PIN.into(),
            },
            &mut app,
            &mut h,
        );
        let said = said(&mut app);
        assert!(said.starts_with("Done: "), "{said}");
        let page: HistoryView = h
            .ask(Call::History {
                query: Default::default(),
                after: None,
                limit: 10,
            })
            .unwrap();
        let original = page.transactions.iter().find(|r| r.id == tx).unwrap();
        assert!(original.reversed_by.is_some());
    }

    /// QA 11: `r` on a request that would now be refused tried it anyway,
    /// recording a refusal and alerting the guardians; it only says why.
    #[test]
    fn asking_again_for_what_would_be_refused_only_says_why() {
        let clock = clock();
        let (_dir, path) = household(&clock);
        let mut h = Household::open(&path, &clock).unwrap();
        let id = sams_request(&mut h);
        let _: ChangeView = h
            .ask(Call::Deny {
                id,
                reason: "not now".into(),
                auth: auth("Maria", PIN.into()),
            })
            .unwrap();
        let mut app = signed_in(&mut h, "Sam", Role::Teen, Screen::Requests);
        // Not refused (yet): the note is asked for under what it would do.
        apply(Effect::PreviewAskAgain { request: id }, &mut app, &mut h);
        assert!(matches!(
            &app.popup,
            Some(app::Popup::Text { purpose: app::TextFor::AskAgainNote(r, p), .. })
                if *r == id && p.verdict == view::Verdict::NeedsApproval
        ));
        app.popup = None;
        let _: ChangeView = h
            .ask(Call::SetLimit {
                member: "Sam".into(),
                scope: crate::domain::Scope::Purchase,
                window: crate::domain::Window::Transaction,
                soft: None,
                hard: Some("0.50".into()),
                auth: auth("Maria", PIN.into()),
            })
            .unwrap();
        let count = |h: &mut Household<'_>| {
            let decisions: crate::api::reply::DecisionsView = h
                .ask(Call::Decisions {
                    query: crate::api::call::LogQuery {
                        limit: 100,
                        ..Default::default()
                    },
                })
                .unwrap();
            let alerts: crate::api::reply::AlertsView = h.ask(Call::Alerts).unwrap();
            (decisions.decisions.len(), alerts.alerts.len())
        };
        let before = count(&mut h);
        apply(Effect::PreviewAskAgain { request: id }, &mut app, &mut h);
        assert_eq!(app.popup, None, "nothing to confirm");
        let said = said(&mut app);
        assert!(said.starts_with("Not asked again: "), "{said}");
        assert!(said.contains("0.50 USD"), "{said}");
        assert_eq!(count(&mut h), before, "no decision, no alert written");
    }

    /// QA 22: the export popup did not say it exports only the rows the
    /// filter shows, nor where a file without a folder goes.
    #[test]
    fn the_export_prompt_says_which_rows_and_which_folder() {
        let clock = clock();
        let (_dir, path) = household(&clock);
        let mut h = Household::open(&path, &clock).unwrap();
        let mut app = signed_in(&mut h, "Maria", Role::Guardian, Screen::Audit);
        app.selection.filter = filter::parse("sam gift", filter::Place::Ledger, &["Sam"]).unwrap();
        apply(Effect::AskExportPath, &mut app, &mut h);
        let Some(app::Popup::Text {
            purpose: app::TextFor::ExportPath(lines),
            ..
        }) = app.popup.clone()
        else {
            panic!("the prompt opens: {:?}", app.popup);
        };
        assert_eq!(
            lines[0],
            "It holds only the ledger rows the filter shows: sam gift"
        );
        let here = std::env::current_dir().unwrap();
        assert_eq!(
            lines[1],
            format!("A name without a folder goes in {}", here.display())
        );
    }

    #[test]
    fn the_export_name_suggested_is_one_not_taken_yet() {
        assert_eq!(free_export_name(|_| false), "coinguard-export.csv");
        let taken = ["coinguard-export.csv", "coinguard-export-2.csv"];
        assert_eq!(
            free_export_name(|n| taken.contains(&n)),
            "coinguard-export-3.csv"
        );
    }

    #[test]
    fn a_typed_path_understands_the_home_folder() {
        let home = Path::new("/home/maria");
        assert_eq!(
            typed_path(" ~/spending.csv ", Some(home)),
            Path::new("/home/maria/spending.csv")
        );
        assert_eq!(typed_path("out.csv", Some(home)), Path::new("out.csv"));
        assert_eq!(typed_path("~/x.csv", None), Path::new("~/x.csv"));
    }
}
