//! Running the TUI's effects: each is one call into the services (never a
//! second way into the ledger), and each ends in words for the message line.

use std::path::Path;

use super::app::{self, App, Effect, Screen, Tone};
use super::{editor, filter, view};
use crate::auth::{self, Pin, Who};
use crate::domain::{Clock, Memo, Role};
use crate::ledger::{self, Store};
use crate::money::{Coins, Diamonds};
use crate::services::{self, GiftRequest, Mode, OutcomeKind, PurchaseRequest, ServiceError};

fn said(outcome: Result<services::Outcome, ServiceError>) -> (String, Tone) {
    match outcome {
        Ok(o) => match o.kind {
            OutcomeKind::Committed | OutcomeKind::WouldCommit => {
                (format!("Done: {}", o.summary), Tone::Good)
            }
            OutcomeKind::Pending => (
                format!(
                    "Asked a guardian (request #{}): {}",
                    o.request.unwrap_or_default(),
                    o.reasons
                        .first()
                        .map(|r| r.message.as_str())
                        .unwrap_or_default()
                ),
                Tone::Warning,
            ),
            OutcomeKind::Denied => (
                format!(
                    "Refused: {}",
                    o.reasons
                        .first()
                        .map(|r| r.message.as_str())
                        .unwrap_or_default()
                ),
                Tone::Bad,
            ),
        },
        Err(e) => (e.to_string(), Tone::Bad),
    }
}

/// The signed-in guardian's pass for one action, from the PIN just typed.
fn guardian_pass(
    store: &mut Store,
    clock: &dyn Clock,
    me: &str,
    typed: &str,
) -> Result<auth::GuardianPass, ServiceError> {
    let pin = Pin::parse(typed).map_err(ServiceError::Auth)?;
    Ok(auth::guardian_pass(store, clock, Some(me), &pin, "")?)
}

/// A PIN typed wrong (or one that cannot be a PIN) keeps what it was for:
/// the prompt opens again for the same action. Anything else (a lock, a
/// request no longer waiting) is said, and the action dropped.
fn pin_again(
    app: &mut App,
    purpose: app::PinFor,
    error: ServiceError,
    kept: &str,
) -> (String, Tone) {
    use auth::AuthError;
    match error {
        ServiceError::Auth(
            AuthError::WrongPin { .. }
            | AuthError::PinTooShort
            | AuthError::PinTooLong
            | AuthError::PinControlChar,
        ) => {
            app.ask_pin(purpose);
            (
                format!("{error}: {kept} is kept; type the PIN again, or Esc to drop it"),
                Tone::Bad,
            )
        }
        other => (other.to_string(), Tone::Bad),
    }
}

/// Runs one effect through the services and says how it went.
pub(super) fn apply(effect: Effect, app: &mut App, store: &mut Store, clock: &dyn Clock) {
    let me = app.who.as_ref().map(|w| w.1.clone()).unwrap_or_default();
    let pin = |text: &str| Pin::parse(text).map_err(ServiceError::Auth);
    let message = match effect {
        Effect::Reload => None,
        Effect::SignOut => {
            *app = App::default();
            None
        }
        Effect::SignIn { member, pin: typed } => {
            let found = ledger::member_by_id(store.conn(), member).ok().flatten();
            match found {
                None => Some(("That member is gone; pick again".to_string(), Tone::Bad)),
                // A guardian's screens act for the household: never without
                // their PIN, even one added before every guardian had one.
                Some(m) if m.role == Role::Guardian && !m.has_pin => Some((
                    format!(
                        "{} has no PIN, and a guardian's screens need one. Another guardian can set it: coinguard member pin \"{}\"",
                        m.name, m.name
                    ),
                    Tone::Bad,
                )),
                Some(m) => {
                    let checked = match typed {
                        Some(typed) => pin(&typed)
                            .and_then(|p| {
                                auth::authenticate(
                                    store,
                                    clock,
                                    Who::Member(m.name.as_str()),
                                    &p,
                                    "",
                                )
                                .map_err(ServiceError::from)
                            })
                            .map(|_| ()),
                        None => Ok(()),
                    };
                    match checked {
                        Ok(()) => {
                            app.who = Some((m.id, m.name.to_string(), m.role));
                            // The first of their screens: a guardian's
                            // dashboard, a creator's earnings, a wallet.
                            app.screen = app.screens().first().copied().unwrap_or(Screen::Pick);
                            app.cursor = 0;
                            None
                        }
                        Err(e) => Some((e.to_string(), Tone::Bad)),
                    }
                }
            }
        }
        Effect::Buy { pack } => Some(said(services::purchase(
            store,
            clock,
            Mode::Commit,
            &PurchaseRequest::Pack {
                member: &me,
                pack: &pack,
                key: None,
            },
        ))),
        Effect::PreviewCustom { coins } => {
            let preview = view::preview_of(services::purchase(
                store,
                clock,
                Mode::Preview,
                &PurchaseRequest::Custom {
                    member: &me,
                    coins: Coins::new(coins),
                    key: None,
                },
            ));
            app.popup = Some(app::Popup::BuyCustom { coins, preview });
            None
        }
        Effect::PreviewRedeem { diamonds } => {
            let preview = view::preview_of(services::redeem(
                store,
                clock,
                Mode::Preview,
                &services::RedeemRequest {
                    creator: &me,
                    diamonds: Diamonds::new(diamonds),
                    key: None,
                },
            ));
            app.popup = Some(app::Popup::Redeem { diamonds, preview });
            None
        }
        Effect::Redeem {
            diamonds,
            pin: typed,
        } => {
            // A creator with a PIN confirms their own cashing out with it.
            let confirmed = match typed {
                Some(typed) => pin(&typed).and_then(|p| {
                    auth::authenticate(store, clock, Who::Member(&me), &p, "")
                        .map(|_| ())
                        .map_err(ServiceError::from)
                }),
                None => Ok(()),
            };
            Some(match confirmed {
                Ok(()) => said(services::redeem(
                    store,
                    clock,
                    Mode::Commit,
                    &services::RedeemRequest {
                        creator: &me,
                        diamonds: Diamonds::new(diamonds),
                        key: None,
                    },
                )),
                Err(e) => pin_again(app, app::PinFor::Redeem(diamonds), e, "the cash-out"),
            })
        }
        Effect::BuyCustom { coins } => Some(said(services::purchase(
            store,
            clock,
            Mode::Commit,
            &PurchaseRequest::Custom {
                member: &me,
                coins: Coins::new(coins),
                key: None,
            },
        ))),
        Effect::Gift(choice) => Some(said(services::gift(
            store,
            clock,
            Mode::Commit,
            &GiftRequest {
                member: &me,
                creator: &choice.creator,
                gift: &choice.gift,
                count: choice.count,
                key: None,
            },
        ))),
        Effect::Approve {
            request,
            pin: typed,
        } => match guardian_pass(store, clock, &me, &typed) {
            Ok(pass) => Some(said(services::approve(store, clock, pass, request))),
            Err(e) => Some(pin_again(
                app,
                app::PinFor::Approve(request),
                e,
                "the approval",
            )),
        },
        Effect::Deny {
            request,
            reason,
            pin: typed,
        } => {
            let outcome = match guardian_pass(store, clock, &me, &typed) {
                Ok(pass) => Memo::parse(&reason)
                    .map_err(ServiceError::from)
                    .and_then(|memo| services::deny(store, clock, pass, request, &memo)),
                Err(e) => {
                    let purpose = app::PinFor::Deny(request, reason);
                    app.message = Some(pin_again(app, purpose, e, "the denial and its reason"));
                    return;
                }
            };
            Some(match outcome {
                Ok(r) => (
                    format!(
                        "Denied request #{}: they will see \"{}\"",
                        r.id,
                        r.resolution.unwrap_or_default()
                    ),
                    Tone::Good,
                ),
                Err(e) => (e.to_string(), Tone::Bad),
            })
        }
        Effect::AskAgain { request, note } => Some(said({
            // The new request (or purchase) comes first in the list.
            app.cursor = 0;
            Memo::parse(&note)
                .map_err(ServiceError::from)
                .and_then(|note| services::ask_again(store, clock, request, &note))
        })),
        Effect::Cancel { request } => Some(match services::cancel(store, clock, &me, request) {
            Ok(r) => (
                format!("Cancelled request #{}: {}", r.id, r.summary),
                Tone::Good,
            ),
            Err(e) => (e.to_string(), Tone::Bad),
        }),
        Effect::Policy { review, pin: typed } => Some(
            match guardian_pass(store, clock, &me, &typed)
                .and_then(|pass| policy(store, clock, pass, review.change.clone()))
            {
                Ok(text) => (text, Tone::Good),
                Err(e) => pin_again(app, app::PinFor::Policy(review), e, "the change"),
            },
        ),
        Effect::AskExportPath => {
            let name = free_export_name(|name| Path::new(name).exists());
            app.popup = Some(app::Popup::Text {
                purpose: app::TextFor::ExportPath,
                typed: name,
            });
            None
        }
        Effect::Export { path } => Some(export(store, &app.selection.filter, &path)),
        Effect::Acknowledge { pin: typed } => Some(
            match guardian_pass(store, clock, &me, &typed)
                .and_then(|pass| services::acknowledge_alerts(store, clock, pass, None))
            {
                Ok(count) => (
                    format!("Marked {count} alert(s) as seen (in the guardian log)"),
                    Tone::Good,
                ),
                Err(e) => pin_again(app, app::PinFor::Acknowledge, e, "marking the alerts"),
            },
        ),
        Effect::Verify => Some(match ledger::verify(store.conn()) {
            Ok(report) => match report.problem {
                None => (
                    format!(
                        "All good: checked {} transactions, {} decisions, {} guardian actions",
                        report.transactions, report.decisions, report.guardian_actions
                    ),
                    Tone::Good,
                ),
                Some(p) => (format!("PROBLEM: {}: {}", p.entry, p.message), Tone::Bad),
            },
            Err(e) => (e.to_string(), Tone::Bad),
        }),
    };
    if let Some(message) = message {
        app.message = Some(message);
    }
}

/// Saves one policy change with the guardian's one-use pass; says what
/// changed, before and after, as the guardian-action log records it.
fn policy(
    store: &mut Store,
    clock: &dyn Clock,
    pass: auth::GuardianPass,
    change: editor::PolicyChange,
) -> Result<String, ServiceError> {
    use editor::PolicyChange;
    let economy = store.config()?.economy;
    let saved = |what: String, before: Option<String>, after: Option<String>| {
        let none = || "none".to_string();
        format!(
            "Saved {what}: was {}; now {} (in the guardian log)",
            before.unwrap_or_else(none),
            after.unwrap_or_else(none)
        )
    };
    Ok(match change {
        PolicyChange::AddMember {
            name,
            role,
            birthdate,
        } => {
            services::add_member(store, clock, pass, &name, role, Some(birthdate), None)?;
            format!(
                "Added {name} ({role}, born {}). To give them a PIN: coinguard member pin \"{name}\"",
                birthdate.date()
            )
        }
        PolicyChange::SetLimit { member, limit } => {
            let spec = services::LimitSpec {
                scope: limit.scope,
                window: limit.window,
                soft: limit.soft,
                hard: limit.hard,
            };
            let c = services::set_limit(store, clock, pass, &member, spec)?;
            let text = |l: &ledger::Limit| services::describe_thresholds(l, &economy);
            saved(
                format!("{member}'s {} limit per {}", limit.scope, limit.window),
                c.before.as_ref().map(text),
                c.after.as_ref().map(text),
            )
        }
        PolicyChange::RemoveLimit {
            member,
            scope,
            window,
        } => {
            let c = services::remove_limit(store, clock, pass, &member, scope, window)?;
            let text = |l: &ledger::Limit| services::describe_thresholds(l, &economy);
            saved(
                format!("{member}'s {scope} limit per {window}"),
                c.before.as_ref().map(text),
                Some("no limit".into()),
            )
        }
        PolicyChange::QuietHours { member, quiet } => {
            let c = services::set_quiet_hours(store, clock, pass, &member, quiet)?;
            saved(
                format!("{member}'s quiet hours"),
                c.before.as_ref().map(services::describe_quiet_hours),
                c.after.as_ref().map(services::describe_quiet_hours),
            )
        }
        PolicyChange::Creator {
            member,
            creator,
            list,
        } => {
            let c = services::set_creator_list(store, clock, pass, &member, &creator, list)?;
            let text = |l: &ledger::CreatorList| match l {
                ledger::CreatorList::Allow => "allowed".to_string(),
                ledger::CreatorList::Block => "blocked".to_string(),
            };
            saved(
                format!("gifts from {member} to {creator}"),
                Some(c.before.as_ref().map_or("not on the list".into(), text)),
                Some(c.after.as_ref().map_or("not on the list".into(), text)),
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

/// Exports the ledger (with the audit filter) to a new file.
fn export(store: &Store, filter: &filter::Filter, path: &str) -> (String, Tone) {
    let home = std::env::var_os("HOME").map(std::path::PathBuf::from);
    let path = typed_path(path, home.as_deref());
    let path = path.as_path();
    let Some(format) = crate::report::Format::from_path(path) else {
        return (
            format!(
                "Not exported: end the file name with .csv, .json or .journal (got {})",
                path.display()
            ),
            Tone::Bad,
        );
    };
    let config = match store.config() {
        Ok(c) => c,
        Err(e) => return (e.to_string(), Tone::Bad),
    };
    let history = crate::report::HistoryFilter {
        member: filter.member,
        creator: filter.creator,
        kind: filter.kind,
        since: filter.since,
        until: filter.until,
    };
    match crate::report::export_to_file(
        store.conn(),
        &history,
        config.settings.currency,
        config.settings.timezone,
        format,
        path,
    ) {
        Ok(count) => {
            let shown = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
            // Only what applies to the ledger: an outcome filters decisions.
            let mut parts = Vec::new();
            if let Some(m) = filter
                .member
                .and_then(|id| ledger::member_by_id(store.conn(), id).ok().flatten())
            {
                parts.push(format!("{}'s", m.name));
            }
            if let Some(kind) = filter.kind {
                parts.push(kind.as_str().to_string());
            }
            if let Some(c) = filter
                .creator
                .and_then(|id| ledger::member_by_id(store.conn(), id).ok().flatten())
            {
                parts.push(format!("to {}", c.name));
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
                    "Exported {count} transactions{scope} to {}",
                    shown.display()
                ),
                Tone::Good,
            )
        }
        Err(e) => (format!("Not exported: {e}"), Tone::Bad),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Config, Verdict};
    use crate::domain::{BirthDate, FixedClock, MemberId, Name, Role, Scope, Window};
    use chrono::TimeZone;
    use editor::PolicyChange;

    const PIN: &str = "maple syrup river";

    /// Maria (guardian, signed in), Sam (teen), Ana (creator).
    fn household() -> (tempfile::TempDir, Store, FixedClock, App, MemberId) {
        let dir = tempfile::tempdir().unwrap();
        let clock = FixedClock::new(chrono::Utc.with_ymd_and_hms(2026, 3, 2, 15, 0, 0).unwrap());
        let mut store = services::init_household(
            &dir.path().join("h.db"),
            &Config::defaults().unwrap(),
            &Name::parse("Maria").unwrap(),
            &Pin::parse(PIN).unwrap(),
            &clock,
        )
        .unwrap();
        let born = BirthDate::parse("2011-01-01", clock.now().date_naive()).unwrap();
        let pass = auth::guardian_pass(
            &mut store,
            &clock,
            Some("Maria"),
            &Pin::parse(PIN).unwrap(),
            "",
        )
        .unwrap();
        let sam = store
            .write(&clock, |w| {
                ledger::add_member(
                    w,
                    &pass,
                    &Name::parse("Ana").unwrap(),
                    Role::Creator,
                    Some(born),
                )?;
                ledger::add_member(
                    w,
                    &pass,
                    &Name::parse("Sam").unwrap(),
                    Role::Teen,
                    Some(born),
                )
            })
            .unwrap();
        let maria = ledger::find_member(store.conn(), "Maria").unwrap().id;
        let app = App {
            who: Some((maria, "Maria".into(), Role::Guardian)),
            screen: Screen::Limits,
            ..App::default()
        };
        (dir, store, clock, app, sam)
    }

    #[test]
    fn a_guardian_without_a_pin_cannot_open_the_guardian_screens() {
        let (_dir, mut store, clock, _, _) = household();
        // A guardian added before every guardian had a PIN.
        let pass = auth::guardian_pass(
            &mut store,
            &clock,
            Some("Maria"),
            &Pin::parse(PIN).unwrap(),
            "",
        )
        .unwrap();
        let jon = store
            .write(&clock, |w| {
                ledger::add_member(w, &pass, &Name::parse("Jon").unwrap(), Role::Guardian, None)
            })
            .unwrap();
        let mut app = App::default();
        apply(
            Effect::SignIn {
                member: jon,
                pin: None,
            },
            &mut app,
            &mut store,
            &clock,
        );
        assert_eq!(app.who, None, "not signed in");
        let said = app.message.map(|(m, _)| m).unwrap_or_default();
        assert!(
            said.starts_with("Jon has no PIN, and a guardian's screens need one"),
            "{said}"
        );
    }

    fn save(
        app: &mut App,
        store: &mut Store,
        clock: &FixedClock,
        change: PolicyChange,
        pin: &str,
    ) -> String {
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
            store,
            clock,
        );
        app.message.take().map(|(m, _)| m).unwrap_or_default()
    }

    #[test]
    fn each_kind_of_change_is_saved_through_the_services_and_a_wrong_pin_saves_nothing() {
        let (_dir, mut store, clock, mut app, sam) = household();
        let limit = ledger::Limit {
            member: sam,
            scope: Scope::Gift,
            window: Window::Day,
            soft: None,
            hard: Some(crate::domain::LimitAmount::Coins(Coins::new(300))),
        };
        let set = PolicyChange::SetLimit {
            member: "Sam".into(),
            limit,
        };
        let said = save(&mut app, &mut store, &clock, set.clone(), "not the pin");
        assert!(said.starts_with("wrong PIN"), "{said}");
        assert!(ledger::limits_of(store.conn(), sam).unwrap().is_empty());
        // The change is kept: the PIN is asked again for the same change.
        assert!(said.ends_with("the change is kept; type the PIN again, or Esc to drop it"));
        assert!(matches!(
            &app.popup,
            Some(app::Popup::Pin { purpose: app::PinFor::Policy(review), typed })
                if review.change == set && typed.is_empty()
        ));
        app.popup = None;
        let said = save(&mut app, &mut store, &clock, set, PIN);
        assert_eq!(
            said,
            "Saved Sam's gift limit per day: was none; now refused above 300 coins (≈4.24 USD) (in the guardian log)"
        );
        assert_eq!(ledger::limits_of(store.conn(), sam).unwrap(), vec![limit]);
        let quiet = ledger::QuietHours {
            start_minute: 21 * 60,
            end_minute: 7 * 60,
            verdict: Verdict::Deny,
        };
        let said = save(
            &mut app,
            &mut store,
            &clock,
            PolicyChange::QuietHours {
                member: "Sam".into(),
                quiet: Some(quiet),
            },
            PIN,
        );
        assert!(said.contains("now 21:00–07:00, spending refused"), "{said}");
        let said = save(
            &mut app,
            &mut store,
            &clock,
            PolicyChange::Creator {
                member: "Sam".into(),
                creator: "Ana".into(),
                list: Some(ledger::CreatorList::Block),
            },
            PIN,
        );
        assert_eq!(
            said,
            "Saved gifts from Sam to Ana: was not on the list; now blocked (in the guardian log)"
        );
        let said = save(
            &mut app,
            &mut store,
            &clock,
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
        assert!(ledger::limits_of(store.conn(), sam).unwrap().is_empty());
        assert_eq!(
            ledger::quiet_hours_of(store.conn(), sam).unwrap(),
            Some(quiet)
        );
        // Every change is in the guardian-action log, and the record checks out.
        let logged =
            crate::report::guardian_actions(store.conn(), &Default::default(), 50).unwrap();
        let actions: Vec<_> = logged.iter().map(|a| a.action.as_str()).collect();
        for action in [
            "limit_set",
            "quiet_hours_set",
            "creator_list_set",
            "limit_remove",
        ] {
            assert!(actions.contains(&action), "{action} in {actions:?}");
        }
        assert_eq!(ledger::verify(store.conn()).unwrap().problem, None);
    }

    #[test]
    fn any_number_of_coins_is_previewed_then_asked_for_and_the_ledger_exported() {
        let (dir, mut store, clock, mut app, sam) = household();
        app.who = Some((sam, "Sam".into(), Role::Teen));
        app.screen = Screen::Shop;
        apply(
            Effect::PreviewCustom { coins: 100 },
            &mut app,
            &mut store,
            &clock,
        );
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
        apply(
            Effect::BuyCustom { coins: 100 },
            &mut app,
            &mut store,
            &clock,
        );
        let said = app.message.take().map(|(m, _)| m).unwrap_or_default();
        assert!(said.starts_with("Asked a guardian (request #1)"), "{said}");
        // The guardian exports; the second time the file is there and kept.
        let path = dir.path().join("out.csv");
        let filter = filter::Filter::default();
        let (said, tone) = export(&store, &filter, path.to_str().unwrap());
        assert!(said.starts_with("Exported 0 transactions to"), "{said}");
        assert_eq!(tone, Tone::Good);
        let (said, tone) = export(&store, &filter, path.to_str().unwrap());
        assert!(
            said.contains("already exists; coinguard never overwrites a file"),
            "{said}"
        );
        assert_eq!(tone, Tone::Bad);
        let (said, _) = export(&store, &filter, "out.txt");
        assert!(
            said.starts_with("Not exported: end the file name with .csv"),
            "{said}"
        );
    }

    /// A creator's name on a member's own history filters to their gifts
    /// to that creator (it was refused there before).
    #[test]
    fn a_creators_name_filters_a_members_history_to_gifts_to_them() {
        let (_dir, mut store, clock, _app, _sam) = household();
        let adult = BirthDate::parse("2000-01-01", clock.now().date_naive()).unwrap();
        let pass = auth::guardian_pass(
            &mut store,
            &clock,
            Some("Maria"),
            &Pin::parse(PIN).unwrap(),
            "",
        )
        .unwrap();
        let alex = store
            .write(&clock, |w| {
                ledger::add_member(
                    w,
                    &pass,
                    &Name::parse("Bo").unwrap(),
                    Role::Creator,
                    Some(adult),
                )?;
                ledger::add_member(
                    w,
                    &pass,
                    &Name::parse("Alex").unwrap(),
                    Role::Teen,
                    Some(adult),
                )
            })
            .unwrap();
        let pin = Pin::parse(PIN).unwrap();
        let mut pass = || auth::guardian_pass(&mut store, &clock, Some("Maria"), &pin, "").unwrap();
        let (p1, p2, p3) = (pass(), pass(), pass());
        let grant = services::GrantRequest {
            member: "Alex",
            coins: Coins::new(100),
            memo: Memo::default(),
            key: None,
        };
        services::grant(&mut store, &clock, Mode::Commit, p1, &grant).unwrap();
        for (pass, creator) in [(p2, "Ana"), (p3, "Bo")] {
            services::set_creator_list(
                &mut store,
                &clock,
                pass,
                "Alex",
                creator,
                Some(ledger::CreatorList::Allow),
            )
            .unwrap();
            let sent = services::gift(
                &mut store,
                &clock,
                Mode::Commit,
                &GiftRequest {
                    member: "Alex",
                    creator,
                    gift: "rose",
                    count: 1,
                    key: None,
                },
            )
            .unwrap();
            assert_eq!(sent.kind, OutcomeKind::Committed, "{}", sent.summary);
        }
        let ana = ledger::find_member(store.conn(), "Ana").unwrap().id;
        let bo = ledger::find_member(store.conn(), "Bo").unwrap().id;
        let mut selection = view::Selection {
            filter: filter::parse(
                "ana",
                filter::Place::OwnHistory,
                &[(ana, "Ana"), (bo, "Bo")],
            )
            .unwrap(),
            ..Default::default()
        };
        let vm = view::load(&mut store, &clock, Some(alex), &selection).unwrap();
        let history = vm.member.unwrap().history;
        assert_eq!(history.len(), 1, "{history:?}");
        assert!(history[0].detail.contains("to Ana"), "{history:?}");
        selection.filter = filter::Filter::default();
        let vm = view::load(&mut store, &clock, Some(alex), &selection).unwrap();
        assert_eq!(
            vm.member.unwrap().history.len(),
            3,
            "two gifts and the grant"
        );
    }

    /// A creator cashes out from their earnings screen: previewed first,
    /// then committed through services::redeem, confirmed with their own
    /// PIN (a wrong one asks again and cashes out nothing).
    #[test]
    fn a_creator_previews_then_cashes_out_with_their_pin() {
        let (_dir, mut store, clock, _guardian, _sam) = household();
        let adult = BirthDate::parse("2000-01-01", clock.now().date_naive()).unwrap();
        let pass = auth::guardian_pass(
            &mut store,
            &clock,
            Some("Maria"),
            &Pin::parse(PIN).unwrap(),
            "",
        )
        .unwrap();
        let (bo, _alex) = store
            .write(&clock, |w| {
                let bo = ledger::add_member(
                    w,
                    &pass,
                    &Name::parse("Bo").unwrap(),
                    Role::Creator,
                    Some(adult),
                )?;
                let alex = ledger::add_member(
                    w,
                    &pass,
                    &Name::parse("Alex").unwrap(),
                    Role::Teen,
                    Some(adult),
                )?;
                Ok::<_, ledger::LedgerError>((bo, alex))
            })
            .unwrap();
        let pin = Pin::parse(PIN).unwrap();
        let mut pass = || auth::guardian_pass(&mut store, &clock, Some("Maria"), &pin, "").unwrap();
        let (p1, p2, p3) = (pass(), pass(), pass());
        let grant = services::GrantRequest {
            member: "Alex",
            coins: Coins::new(4_000),
            memo: Memo::default(),
            key: None,
        };
        services::grant(&mut store, &clock, Mode::Commit, p1, &grant).unwrap();
        services::set_creator_list(
            &mut store,
            &clock,
            p2,
            "Alex",
            "Bo",
            Some(ledger::CreatorList::Allow),
        )
        .unwrap();
        let bo_pin = Pin::parse("bo's own passphrase").unwrap();
        services::set_pin(&mut store, &clock, p3, "Bo", &bo_pin).unwrap();
        let sent = services::gift(
            &mut store,
            &clock,
            Mode::Commit,
            &GiftRequest {
                member: "Alex",
                creator: "Bo",
                gift: "galaxy",
                count: 4,
                key: None,
            },
        )
        .unwrap();
        assert_eq!(sent.kind, OutcomeKind::Committed, "{}", sent.summary);
        // Bo signs in (no PIN needed to look) and lands on his earnings.
        let mut app = App::default();
        apply(
            Effect::SignIn {
                member: bo,
                pin: Some("bo's own passphrase".into()),
            },
            &mut app,
            &mut store,
            &clock,
        );
        assert_eq!(app.who, Some((bo, "Bo".into(), Role::Creator)));
        assert_eq!(app.screen, Screen::Earnings);
        let vm = view::load(&mut store, &clock, Some(bo), &app.selection).unwrap();
        let earnings = vm.creator.clone().unwrap();
        assert_eq!(earnings.diamonds, 2_000);
        assert_eq!(earnings.minimum, "10.00 USD");
        assert_eq!(earnings.received.len(), 1, "the gift from Alex");
        assert_eq!(
            earnings.all_preview.map(|p| p.verdict),
            Some(view::Verdict::Allow)
        );
        apply(
            Effect::PreviewRedeem { diamonds: 2_000 },
            &mut app,
            &mut store,
            &clock,
        );
        let Some(app::Popup::Redeem { diamonds, preview }) = app.popup.clone() else {
            panic!("the preview opens: {:?}", app.popup);
        };
        assert_eq!((diamonds, preview.verdict), (2_000, view::Verdict::Allow));
        assert!(preview.summary.contains("10.00 USD"), "{}", preview.summary);
        app.popup = None;
        let diamonds_now =
            |store: &Store| ledger::balance(store.conn(), ledger::Account::Earnings(bo)).unwrap();
        apply(
            Effect::Redeem {
                diamonds: 2_000,
                pin: Some("not bo's pin".into()),
            },
            &mut app,
            &mut store,
            &clock,
        );
        assert_eq!(
            diamonds_now(&store),
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
            &mut store,
            &clock,
        );
        let (said, tone) = app.message.clone().unwrap();
        assert!(
            said.starts_with("Done: Bo cashes out 2,000 diamonds for 10.00 USD"),
            "{said}"
        );
        assert_eq!(tone, Tone::Good);
        assert_eq!(diamonds_now(&store), 0);
        assert_eq!(ledger::verify(store.conn()).unwrap().problem, None);
    }

    /// The pick screen shows the demo's PIN only in a household marked as
    /// the demo.
    #[test]
    fn only_the_demo_household_shows_its_pin() {
        let (_dir, mut store, clock, _app, _sam) = household();
        let selection = view::Selection::default();
        let vm = view::load(&mut store, &clock, None, &selection).unwrap();
        assert_eq!(vm.demo_pin, None, "no marker, no PIN shown");
        // The marker the demo writes when it makes a household.
        store
            .write(&clock, |w| {
                ledger::log_guardian_action(
                    w,
                    &ledger::GuardianAction {
                        actor: None,
                        action: services::DEMO_MARKER.into(),
                        subject: "this household".into(),
                        before: String::new(),
                        after: "made by coinguard demo".into(),
                    },
                )
            })
            .unwrap();
        let vm = view::load(&mut store, &clock, None, &selection).unwrap();
        assert_eq!(vm.demo_pin.as_deref(), Some(services::DEMO_PIN));
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
