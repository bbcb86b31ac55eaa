//! The interface's state: who is signed in, the screen in front, the
//! popup, the message, the effects an update asks for. Types only and the
//! small methods on them; the update is in `app`, drawing in `render` and
//! `screens` (which read this and nothing that reads them).

use super::editor::{CreatorChoice, Form, Review};
use super::model::{GiftChoice, Preview, Selection, Verdict, Who};
use crate::domain::{MemberId, Role};

pub use super::screen::{CREATOR_SCREENS, GUARDIAN_SCREENS, MEMBER_SCREENS, Screen};

/// What a PIN is being typed for. Each is one action: no PIN carries over.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PinFor {
    SignIn(MemberId),
    Approve(i64),
    Deny(i64, String),
    /// A rules change, with the review the guardian read (kept if the PIN
    /// is typed wrong, so the edit is never thrown away).
    Policy(Review),
    /// Marking every open alert as seen.
    Acknowledge,
    /// A creator cashing out this many diamonds (their own PIN).
    Redeem(u64),
    /// Reversing a transaction, for this reason.
    Reverse(i64, String),
}

/// What a line of text is being typed for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TextFor {
    /// Why a guardian denies a request (the member sees it).
    DenyReason(i64),
    /// A member's note when asking again, under what asking again would do.
    AskAgainNote(i64, Preview),
    /// Why a guardian reverses a transaction (it is in the record).
    ReverseReason(i64),
    Filter,
    /// Where to export: the lines say which rows and which folder.
    ExportPath(Vec<String>),
    /// How many coins to buy at the best pack rate.
    CustomCoins,
    /// How many diamonds a creator cashes out.
    RedeemDiamonds,
}

impl TextFor {
    /// Whether an empty line is an answer.
    pub(super) fn may_be_empty(&self) -> bool {
        matches!(self, TextFor::AskAgainNote(..) | TextFor::Filter)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Popup {
    Pin {
        purpose: PinFor,
        typed: String,
    },
    /// The PIN typed for this is being checked (off the UI thread); only
    /// Esc is for it meanwhile.
    Checking(PinFor),
    /// A member's own write (buying, a gift, asking again, cancelling) is
    /// being made with the PIN they signed in with, which the household
    /// checks inside it (off the UI thread): what it is, in words. Only Esc
    /// is for it meanwhile.
    Working(String),
    Text {
        purpose: TextFor,
        typed: String,
    },
    Form(Form),
    /// Allowed, blocked or not listed, for a creator.
    Choice(CreatorChoice),
    /// One request, whole (by id, so a refresh that reorders the list
    /// cannot put another request under the keys).
    Request(i64),
    Review(Review),
    Confirm(Confirm),
    /// What the guard says about buying this many coins, before buying.
    BuyCustom {
        coins: u64,
        preview: Preview,
    },
    /// What the guard says about cashing out this many diamonds, before.
    Redeem {
        diamonds: u64,
        preview: Preview,
    },
    /// What reversing a transaction would give back, and what to mind,
    /// before the reason and the PIN.
    Reversal(Reversal),
    Help,
    /// The keys of the popup under it, from its own list (`?` there); Esc
    /// or `?` goes back to it.
    HelpFor(Box<Popup>),
}

/// A transaction a guardian may reverse, and what reversing it would do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reversal {
    pub tx: i64,
    /// The ledger row: when, who, what.
    pub what: String,
    pub gives_back: String,
    pub warnings: Vec<String>,
}

/// A question before an effect: what will happen, in words, then Enter to
/// go ahead or Esc to leave it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Confirm {
    pub title: String,
    pub lines: Vec<String>,
    pub effect: Effect,
    /// What Enter does here, in words ("confirm"): its command's words.
    pub yes: &'static str,
    /// What Esc does here ("cancel").
    pub no: &'static str,
}

impl Confirm {
    pub(super) fn new(title: String, lines: Vec<String>, effect: Effect) -> Confirm {
        Confirm {
            title,
            lines,
            effect,
            yes: "confirm",
            no: "cancel",
        }
    }
}

/// What a preview's verdict means for the person about to confirm.
pub(super) fn verdict_words(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Allow => "This goes through at once.",
        Verdict::NeedsApproval => {
            "This asks a guardian first; nothing is spent until they approve."
        }
        Verdict::Deny => "The guard would refuse this.",
    }
}

/// Why a refused preview would be refused: every refusing reason, in the
/// guard's order, or (when the preview itself failed) what it said.
pub(super) fn why_refused(preview: &Preview) -> String {
    let why: Vec<&str> = preview
        .reasons
        .iter()
        .filter(|(refused, _)| *refused)
        .map(|(_, why)| why.as_str())
        .collect();
    if why.is_empty() {
        preview.summary.clone()
    } else {
        why.join("; ")
    }
}

/// Work for the event loop, run through the services.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    SignIn {
        who: Who,
        pin: Option<String>,
    },
    SignOut,
    Buy {
        pack: String,
    },
    /// Preview buying an exact number of coins (opens `Popup::BuyCustom`).
    PreviewCustom {
        coins: u64,
    },
    BuyCustom {
        coins: u64,
    },
    /// Preview cashing out diamonds (opens `Popup::Redeem`).
    PreviewRedeem {
        diamonds: u64,
    },
    /// Cash out diamonds; `pin` is the creator's own, when they have one.
    Redeem {
        diamonds: u64,
        pin: Option<String>,
    },
    /// Send the gift the preview was made for.
    Gift(GiftChoice),
    Approve {
        request: i64,
        pin: String,
    },
    Deny {
        request: i64,
        reason: String,
        pin: String,
    },
    /// What asking again would do (a refusal only says why; otherwise
    /// the note is asked for).
    PreviewAskAgain {
        request: i64,
    },
    AskAgain {
        request: i64,
        note: String,
    },
    /// What reversing a ledger row would give back (opens `Popup::Reversal`).
    PreviewReversal {
        tx: i64,
        what: String,
    },
    Reverse {
        tx: i64,
        reason: String,
        pin: String,
    },
    Cancel {
        request: i64,
    },
    Policy {
        review: Review,
        pin: String,
    },
    /// Ask where to export, suggesting a file name that does not exist yet.
    AskExportPath,
    Export {
        path: String,
    },
    Acknowledge {
        pin: String,
    },
    /// Reload the view model (a selection that changes what is shown).
    Reload,
    Verify,
}

/// Good news, a refusal, or plain information.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    Good,
    Warning,
    Bad,
}

/// How far back the audit chart goes: 14-day periods, about ten years.
pub(super) const MAX_CHART_BACK: u32 = 260;

/// Longest line a text field takes (a PIN, a reason, a path).
pub(super) const MAX_TYPED: usize = 200;

/// A member's PIN typed at sign-in, kept while they are signed in: their
/// own spending is confirmed with it (a guardian's PIN is never kept: each
/// guardian action asks for it again). Never shown in debug output.
#[derive(Clone, PartialEq, Eq)]
pub struct Remembered(pub String);

impl std::fmt::Debug for Remembered {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("<hidden>")
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct App {
    /// Who is signed in: their id, name and role (which screens they get).
    pub who: Option<Who>,
    /// Their PIN, when a member with one signed in (see [`Remembered`]).
    pub pin: Option<Remembered>,
    pub screen: Screen,
    pub cursor: usize,
    pub popup: Option<Popup>,
    pub message: Option<(String, Tone)>,
    pub selection: Selection,
    pub quit: bool,
    /// How far the open popup's body is scrolled (↑/↓ where a popup has
    /// nothing else to move); back to the top when another popup opens.
    pub popup_scroll: u16,
    /// How many guarded prompts (a PIN, or signing out) have opened: the
    /// event loop drops the keys that were already on their way when one
    /// opens, so they never land in it.
    pub guarded_opens: u64,
    /// Slow work running beside the screens (a verify, an export): how far
    /// it has got, drawn as a gauge; keys keep working meanwhile.
    pub busy: Option<Busy>,
    /// The screen in front is being loaded beside it (see
    /// `ScreenDef::loads_beside`): what is drawn is the last load until the
    /// new one arrives, and the screen says so.
    pub loading: bool,
}

/// How far slow work has got.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Busy {
    /// "Verifying", "Exporting".
    pub doing: &'static str,
    /// What it is on ("transactions", "rows").
    pub stage: &'static str,
    pub done: u64,
    /// How many there are about (0: not known).
    pub total: u64,
    /// Esc was pressed: it stops at its next step.
    pub stopping: bool,
}

impl Busy {
    /// "Verifying transactions: 12,345 of 100,000 · Esc stops".
    pub fn words(&self) -> String {
        let count = if self.total > 0 {
            format!("{} of {}", grouped(self.done), grouped(self.total))
        } else if self.done > 0 {
            grouped(self.done)
        } else {
            String::new()
        };
        let tail = if self.stopping {
            "stopping…"
        } else {
            "Esc stops"
        };
        format!("{} {}: {count} · {tail}", self.doing, self.stage)
    }

    /// How much is done, 0.0 to 1.0 (0 when the total is not known).
    pub fn ratio(&self) -> f64 {
        if self.total == 0 {
            0.0
        } else {
            (self.done as f64 / self.total as f64).clamp(0.0, 1.0)
        }
    }
}

/// 1234567 as "1,234,567".
pub fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

impl Default for App {
    fn default() -> App {
        App {
            who: None,
            pin: None,
            screen: Screen::Pick,
            cursor: 0,
            popup: None,
            message: None,
            selection: Selection::default(),
            quit: false,
            popup_scroll: 0,
            guarded_opens: 0,
            busy: None,
            loading: false,
        }
    }
}

impl App {
    pub fn screens(&self) -> &'static [Screen] {
        match self.who {
            Some((_, _, Role::Guardian)) => &GUARDIAN_SCREENS,
            Some((_, _, Role::Creator)) => &CREATOR_SCREENS,
            Some(_) => &MEMBER_SCREENS,
            None => &[Screen::Pick],
        }
    }

    /// Typed text for a popup that takes text.
    pub fn type_char(&mut self, c: char) {
        let typed = match &mut self.popup {
            Some(Popup::Pin { typed, .. } | Popup::Text { typed, .. }) => typed,
            Some(Popup::Form(form)) => {
                form.error = None;
                // The quiet-hours form's third row is a choice, not a field.
                let Some(field) = form.fields.get_mut(form.field) else {
                    return;
                };
                field
            }
            _ => return,
        };
        if typed.chars().count() < MAX_TYPED && !c.is_control() {
            typed.push(c);
        }
    }

    pub fn backspace(&mut self) {
        match &mut self.popup {
            Some(Popup::Pin { typed, .. } | Popup::Text { typed, .. }) => {
                typed.pop();
            }
            Some(Popup::Form(form)) => {
                if let Some(field) = form.fields.get_mut(form.field) {
                    field.pop();
                }
            }
            _ => {}
        }
    }

    /// Whether keys go to a text field (so 'q' types a q).
    pub fn typing(&self) -> bool {
        matches!(
            self.popup,
            Some(Popup::Pin { .. } | Popup::Text { .. } | Popup::Form(_))
        )
    }

    pub fn is_guardian(&self) -> bool {
        self.who.as_ref().is_some_and(|w| w.2 == Role::Guardian)
    }

    /// Moves to a screen, back to the newest pages, and loads it (each
    /// screen loads what it shows when it comes in front). On the gift
    /// screen the cursor comes back to the gift chosen, which is the one
    /// previewed.
    pub fn go_to(&mut self, screen: Screen) -> Option<Effect> {
        self.screen = screen;
        self.cursor = if screen == Screen::Gifts {
            self.selection.gift
        } else {
            0
        };
        self.selection.first_pages();
        Some(Effect::Reload)
    }

    /// Opens a PIN prompt for one action.
    pub fn ask_pin(&mut self, purpose: PinFor) {
        self.guard(Popup::Pin {
            purpose,
            typed: String::new(),
        });
    }

    /// Opens a prompt that keys typed before it must not answer.
    pub(super) fn guard(&mut self, popup: Popup) {
        self.popup = Some(popup);
        self.guarded_opens += 1;
    }

    pub(super) fn text(&mut self, purpose: TextFor, typed: String) {
        self.popup = Some(Popup::Text { purpose, typed });
    }

    pub(super) fn say(&mut self, text: impl Into<String>, tone: Tone) {
        self.message = Some((text.into(), tone));
    }
}

/// What a mouse click landed on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hit {
    Screen(Screen),
    Row(usize),
}
