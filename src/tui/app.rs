//! The pure `update`: a key in, the new state and maybe an effect out. Key
//! handlers never touch the household; effects are run by the event loop
//! through the household's API. The state itself is in `state`. Here are
//! the keys every screen shares (quit, help, Tab, moving, Esc) and the
//! popups; Enter and a screen's own keys are its module's `update`
//! (`screens/`).

use super::editor;
use super::filter;
use super::keymap::{self, Command};
use super::view::{Verdict, ViewModel};
// What the tests below name (their modules take `super::*`).
#[cfg(test)]
use {
    super::view::{AuditView, GiftChoice},
    crate::domain::Role,
};

pub use super::screen::{CREATOR_SCREENS, GUARDIAN_SCREENS, MEMBER_SCREENS, Screen};
pub use super::screens::filter_place;
pub use super::state::*;

impl App {
    /// Rows of the list on the screen in front (its module counts them).
    pub fn rows(&self, vm: &ViewModel) -> usize {
        (super::screens::of(self.screen).rows)(self, vm)
    }
}

/// The pure update: a command in, maybe an effect out.
pub fn update(app: &mut App, command: Command, vm: &ViewModel) -> Option<Effect> {
    let before = app.popup.as_ref().map(std::mem::discriminant);
    let effect = update_inner(app, command, vm);
    app.settle_scroll(before);
    effect
}

impl App {
    /// A popup of another kind (or none) starts at the top of its body.
    pub fn settle_scroll(&mut self, before: Option<std::mem::Discriminant<Popup>>) {
        if self.popup.as_ref().map(std::mem::discriminant) != before {
            self.popup_scroll = 0;
        }
    }
}

fn update_inner(app: &mut App, command: Command, vm: &ViewModel) -> Option<Effect> {
    if let Some(popup) = app.popup.clone() {
        return update_popup(app, popup, command, vm);
    }
    app.message = None;
    // A key that does nothing on this screen says so (and what to press
    // for the keys that do), so it is never taken for one that worked.
    if !keymap::works_on(command, app) {
        app.say(
            format!(
                "{} does nothing here: ? lists the keys of this screen",
                keymap::keys_of(command)
            ),
            Tone::Warning,
        );
        return None;
    }
    let screen = super::screens::of(app.screen);
    match command {
        Command::Quit => {
            app.quit = true;
            None
        }
        Command::Help => {
            app.popup = Some(Popup::Help);
            None
        }
        Command::NextScreen | Command::PrevScreen => {
            let screens = app.screens();
            let at = screens.iter().position(|s| *s == app.screen).unwrap_or(0);
            let next = if command == Command::NextScreen {
                (at + 1) % screens.len()
            } else {
                (at + screens.len() - 1) % screens.len()
            };
            app.go_to(screens[next])
        }
        Command::Down => {
            app.cursor = (app.cursor + 1).min(app.rows(vm).saturating_sub(1));
            (screen.moved)(app)
        }
        Command::Up => {
            app.cursor = app.cursor.saturating_sub(1);
            (screen.moved)(app)
        }
        Command::Back => {
            // Leaving asks first; a stray Esc must not hand the keyboard to
            // whoever picks next.
            if let Some((_, name, _)) = &app.who {
                let question = Confirm::new(
                    format!("Sign out, {}?", super::view::shown(name)),
                    vec!["Back to \"Who are you?\": the next person picks who they are.".into()],
                    Effect::SignOut,
                );
                app.guard(Popup::Confirm(question));
            }
            None
        }
        // Enter and the keys only this screen has: its module says.
        _ => (screen.update)(app, command, vm),
    }
}

/// A click: on a tab, go there; on a list row, select it, and on the row
/// already selected, choose it (as Enter would).
pub fn click(app: &mut App, vm: &ViewModel, hit: Hit) -> Option<Effect> {
    if app.popup.is_some() {
        return None;
    }
    app.message = None;
    match hit {
        Hit::Screen(screen) if screen != app.screen => app.go_to(screen),
        Hit::Screen(_) => None,
        Hit::Row(row) if row == app.cursor => update(app, Command::Select, vm),
        Hit::Row(row) => {
            app.cursor = row;
            (super::screens::of(app.screen).moved)(app)
        }
    }
}

fn update_popup(app: &mut App, popup: Popup, command: Command, vm: &ViewModel) -> Option<Effect> {
    // The popup's own list: a key it does not show does nothing, and says so.
    let live = super::popup::commands(&popup, app, vm);
    if !live.iter().any(|d| d.command == command) {
        app.say(
            format!(
                "{} does nothing here: {}",
                super::popup::key_of(command),
                super::popup::hint_line(&live, false)
            ),
            Tone::Warning,
        );
        return None;
    }
    match (popup, command) {
        // ↑/↓ scroll a popup that has nothing else to move (drawing keeps
        // the offset within the body).
        (
            Popup::Help
            | Popup::Confirm(_)
            | Popup::BuyCustom { .. }
            | Popup::Redeem { .. }
            | Popup::Review(_)
            | Popup::Request(_)
            | Popup::Reversal(_)
            | Popup::Pin { .. }
            | Popup::Text { .. }
            | Popup::HelpFor(_),
            Command::Up | Command::Down,
        ) => {
            app.popup_scroll = if command == Command::Down {
                app.popup_scroll.saturating_add(1)
            } else {
                app.popup_scroll.saturating_sub(1)
            };
            None
        }
        // The keys of a popup: Esc or ? goes back to it, as it was.
        (Popup::HelpFor(under), Command::Back | Command::Help) => {
            app.popup = Some(*under);
            None
        }
        // Esc leaves the popup and whatever its line said (a stale "type
        // the PIN" must not stay behind).
        (_, Command::Back) => {
            app.popup = None;
            app.message = None;
            None
        }
        (Popup::Help, Command::Help) => {
            app.popup = None;
            None
        }
        // ? in a popup that lists it: that popup's keys.
        (popup, Command::Help) => {
            app.popup = Some(Popup::HelpFor(Box::new(popup)));
            None
        }
        (Popup::Request(id), Command::Approve | Command::Deny) if app.is_guardian() => {
            app.popup = None;
            super::screens::decide(app, command, id);
            None
        }
        (Popup::Request(id), Command::AskAgain | Command::CancelRequest) if !app.is_guardian() => {
            app.popup = None;
            super::screens::member_acts(app, vm, command, id)
        }
        (Popup::Reversal(reversal), Command::Select) => {
            app.text(TextFor::ReverseReason(reversal.tx), String::new());
            None
        }
        (Popup::Confirm(confirm), Command::Select) => {
            app.popup = None;
            Some(confirm.effect)
        }
        (Popup::Redeem { diamonds, preview }, Command::Select) => {
            app.popup = None;
            if preview.verdict == Verdict::Deny {
                app.say(
                    format!("Nothing cashed out: {}", why_refused(&preview)),
                    Tone::Bad,
                );
                return None;
            }
            // A creator with a PIN confirms with it, as on the command line.
            let me = app.who.as_ref().map(|w| w.0);
            if vm.members.iter().any(|m| Some(m.id) == me && m.has_pin) {
                app.ask_pin(PinFor::Redeem(diamonds));
                None
            } else {
                Some(Effect::Redeem {
                    diamonds,
                    pin: None,
                })
            }
        }
        (Popup::BuyCustom { coins, preview }, Command::Select) => {
            app.popup = None;
            if preview.verdict == Verdict::Deny {
                app.say(format!("Not bought: {}", why_refused(&preview)), Tone::Bad);
                return None;
            }
            Some(Effect::BuyCustom { coins })
        }
        // An empty PIN is no attempt: nothing is checked, nothing counted.
        (Popup::Pin { typed, .. }, Command::Select) if typed.is_empty() => {
            app.say("Type the PIN, then Enter (Esc to cancel)", Tone::Warning);
            None
        }
        (Popup::Pin { purpose, typed }, Command::Select) => {
            app.popup = None;
            // What the prompt said is answered; the effect says what came of it.
            app.message = None;
            Some(match purpose {
                PinFor::SignIn(member) => {
                    let Some(m) = vm.members.iter().find(|m| m.id == member) else {
                        app.say("That member is gone; pick again", Tone::Bad);
                        return None;
                    };
                    Effect::SignIn {
                        who: (m.id, m.name.clone(), m.role),
                        pin: Some(typed),
                    }
                }
                PinFor::Reverse(tx, reason) => Effect::Reverse {
                    tx,
                    reason,
                    pin: typed,
                },
                PinFor::Approve(request) => Effect::Approve {
                    request,
                    pin: typed,
                },
                PinFor::Deny(request, reason) => Effect::Deny {
                    request,
                    reason,
                    pin: typed,
                },
                PinFor::Policy(review) => Effect::Policy { review, pin: typed },
                PinFor::Acknowledge => Effect::Acknowledge { pin: typed },
                PinFor::Redeem(diamonds) => Effect::Redeem {
                    diamonds,
                    pin: Some(typed),
                },
            })
        }
        (Popup::Text { purpose, typed }, Command::Select)
            if purpose.may_be_empty() || !typed.trim().is_empty() =>
        {
            app.popup = None;
            app.message = None;
            match purpose {
                TextFor::DenyReason(request) => {
                    app.ask_pin(PinFor::Deny(request, typed));
                    None
                }
                TextFor::AskAgainNote(request, _) => Some(Effect::AskAgain {
                    request,
                    note: typed,
                }),
                TextFor::ReverseReason(tx) => {
                    app.ask_pin(PinFor::Reverse(tx, typed));
                    None
                }
                TextFor::ExportPath(_) => Some(Effect::Export { path: typed }),
                TextFor::CustomCoins => match crate::money::Coins::parse(&typed) {
                    Ok(coins) => Some(Effect::PreviewCustom { coins: coins.get() }),
                    Err(e) => {
                        app.say(format!("Nothing bought: {e}"), Tone::Bad);
                        None
                    }
                },
                TextFor::RedeemDiamonds => match crate::money::Diamonds::parse(&typed) {
                    Ok(d) => Some(Effect::PreviewRedeem { diamonds: d.get() }),
                    Err(e) => {
                        app.say(format!("Nothing cashed out: {e}"), Tone::Bad);
                        None
                    }
                },
                TextFor::Filter => apply_filter(app, &typed, vm),
            }
        }
        // An empty line where one is needed: say what is needed, keep asking.
        (Popup::Text { purpose, .. }, Command::Select) => {
            let needed = match purpose {
                TextFor::DenyReason(request) => format!(
                    "A reason is needed to deny request #{request}: the member will read it"
                ),
                TextFor::ExportPath(_) => {
                    "Type a file name ending in .csv, .json or .journal".to_string()
                }
                TextFor::CustomCoins => "Type how many coins to buy".to_string(),
                TextFor::RedeemDiamonds => "Type how many diamonds to cash out".to_string(),
                TextFor::ReverseReason(tx) => {
                    format!("A reason is needed to reverse transaction {tx}: it goes in the record")
                }
                TextFor::AskAgainNote(..) | TextFor::Filter => String::new(),
            };
            app.say(needed, Tone::Warning);
            None
        }
        (Popup::Form(mut form), Command::Up | Command::Down) => {
            let fields = form.rows();
            form.field = if command == Command::Down {
                (form.field + 1) % fields
            } else {
                (form.field + fields - 1) % fields
            };
            app.popup = Some(Popup::Form(form));
            None
        }
        (Popup::Form(mut form), Command::Left | Command::Right) => {
            form.next_option();
            app.popup = Some(Popup::Form(form));
            None
        }
        (Popup::Form(mut form), Command::Select) => {
            let economy = vm.economy.as_ref()?;
            match editor::submit(&form, economy, vm.today?) {
                Ok(review) => app.popup = Some(Popup::Review(review)),
                Err(why) => {
                    form.error = Some(why);
                    app.popup = Some(Popup::Form(form));
                }
            }
            None
        }
        (
            Popup::Choice(mut choice),
            Command::Up | Command::Down | Command::Left | Command::Right,
        ) => {
            choice.step(matches!(command, Command::Down | Command::Right));
            app.popup = Some(Popup::Choice(choice));
            None
        }
        (Popup::Choice(choice), Command::Select) => {
            match choice.review() {
                Ok(review) => app.popup = Some(Popup::Review(review)),
                Err(why) => app.say(why, Tone::Warning),
            }
            None
        }
        (Popup::Review(review), Command::Select) => {
            app.ask_pin(PinFor::Policy(review));
            None
        }
        _ => None,
    }
}

/// Applies a typed filter, or says which word means nothing here (and
/// keeps the filter that was there).
fn apply_filter(app: &mut App, typed: &str, vm: &ViewModel) -> Option<Effect> {
    let place = filter_place(app)?;
    match filter::parse(typed, place, &super::screens::filter_names(vm, place)) {
        Ok(f) => {
            app.selection.filter = f;
            app.selection.first_pages();
            app.cursor = 0;
            Some(Effect::Reload)
        }
        Err(why) => {
            app.say(format!("Filter not changed: {why}"), Tone::Bad);
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[allow(unused_imports)]
    use crate::domain::MemberId;
    #[allow(unused_imports)]
    use crate::tui::view::Preview;
    use crate::tui::view::sample;

    fn teen() -> App {
        App {
            who: Some((MemberId(2), "Sam".into(), Role::Teen)),
            screen: Screen::Wallet,
            ..App::default()
        }
    }

    #[test]
    fn tab_cycles_the_screens_of_who_is_signed_in() {
        let vm = sample(false);
        let mut app = teen();
        let mut seen = Vec::new();
        for _ in 0..5 {
            update(&mut app, Command::NextScreen, &vm);
            seen.push(app.screen);
        }
        assert_eq!(
            seen,
            [
                Screen::Shop,
                Screen::Gifts,
                Screen::Requests,
                Screen::History,
                Screen::Wallet
            ]
        );
        update(&mut app, Command::PrevScreen, &vm);
        assert_eq!(app.screen, Screen::History);
    }

    #[test]
    fn buying_asks_first_and_only_then_has_an_effect() {
        let vm = sample(false);
        let mut app = App {
            screen: Screen::Shop,
            ..teen()
        };
        // coins-70 needs approval: asked first, then bought (asked for).
        assert_eq!(update(&mut app, Command::Select, &vm), None);
        assert!(matches!(
            &app.popup,
            Some(Popup::Confirm(Confirm { effect: Effect::Buy { pack }, .. })) if pack == "coins-70"
        ));
        assert_eq!(
            update(&mut app, Command::Select, &vm),
            Some(Effect::Buy {
                pack: "coins-70".into()
            })
        );
        assert_eq!(app.popup, None);
        // Esc on the confirmation changes nothing.
        update(&mut app, Command::Select, &vm);
        assert_eq!(update(&mut app, Command::Back, &vm), None);
        assert_eq!(app.popup, None);
    }

    #[test]
    fn enter_on_a_refused_preview_only_says_why() {
        let vm = sample(false);
        let mut app = App {
            screen: Screen::Shop,
            ..teen()
        };
        // coins-350 would be refused (quiet hours): nothing is tried.
        update(&mut app, Command::Down, &vm);
        assert_eq!(update(&mut app, Command::Select, &vm), None);
        assert_eq!(app.popup, None);
        let (said, tone) = app.message.clone().unwrap();
        assert!(
            said.starts_with("Not bought: it is 21:30, inside Sam's quiet hours"),
            "{said}"
        );
        assert_eq!(tone, Tone::Bad);
        // The gift previewed (Rose to Ana) is blocked: nothing is sent.
        let mut gifts = App {
            screen: Screen::Gifts,
            ..teen()
        };
        assert_eq!(update(&mut gifts, Command::Select, &vm), None);
        assert_eq!(gifts.popup, None);
        assert_eq!(
            gifts.message,
            Some((
                "Not sent: a guardian has blocked gifts from Sam to Ana".into(),
                Tone::Bad
            ))
        );
        // Any number of coins, previewed as refused: Enter buys nothing.
        let refused = vm.member.as_ref().unwrap().pack_previews[1].clone();
        app.popup = Some(Popup::BuyCustom {
            coins: 3,
            preview: refused,
        });
        assert_eq!(update(&mut app, Command::Select, &vm), None);
        assert!(
            app.message
                .as_ref()
                .is_some_and(|(m, _)| m.starts_with("Not bought: "))
        );
    }

    #[test]
    fn approving_takes_a_pin_for_that_one_request() {
        let vm = sample(true);
        let mut app = App {
            who: Some((MemberId(1), "Maria".into(), Role::Guardian)),
            screen: Screen::Approvals,
            ..App::default()
        };
        assert_eq!(update(&mut app, Command::Approve, &vm), None);
        assert!(app.typing());
        for c in "secret".chars() {
            app.type_char(c);
        }
        app.backspace();
        assert_eq!(
            update(&mut app, Command::Select, &vm),
            Some(Effect::Approve {
                request: 7,
                pin: "secre".into()
            })
        );
        assert!(!app.typing(), "the PIN is gone after its one action");
    }

    #[test]
    fn esc_asks_before_signing_out_and_an_empty_pin_is_no_attempt() {
        let vm = sample(true);
        let mut app = App {
            who: Some((MemberId(1), "Maria".into(), Role::Guardian)),
            screen: Screen::Approvals,
            ..App::default()
        };
        assert_eq!(update(&mut app, Command::Back, &vm), None);
        assert!(app.who.is_some(), "still signed in");
        assert!(matches!(
            &app.popup,
            Some(Popup::Confirm(Confirm { effect: Effect::SignOut, title, .. })) if title == "Sign out, Maria?"
        ));
        assert_eq!(app.guarded_opens, 1, "keys typed before it are dropped");
        // Esc stays; Esc then Enter leaves.
        assert_eq!(update(&mut app, Command::Back, &vm), None);
        assert_eq!(app.popup, None);
        update(&mut app, Command::Back, &vm);
        assert_eq!(
            update(&mut app, Command::Select, &vm),
            Some(Effect::SignOut)
        );
        // A PIN prompt is guarded too, and Enter on an empty PIN tries nothing.
        update(&mut app, Command::Approve, &vm);
        assert_eq!(app.guarded_opens, 3);
        assert_eq!(update(&mut app, Command::Select, &vm), None);
        assert!(matches!(app.popup, Some(Popup::Pin { .. })));
        assert!(
            app.message
                .as_ref()
                .is_some_and(|(m, _)| m.starts_with("Type the PIN"))
        );
    }

    #[test]
    fn enter_opens_a_request_whole_and_it_is_decided_from_there_by_its_id() {
        let mut vm = sample(true);
        let mut app = App {
            who: Some((MemberId(1), "Maria".into(), Role::Guardian)),
            screen: Screen::Approvals,
            ..App::default()
        };
        assert_eq!(update(&mut app, Command::Select, &vm), None);
        assert_eq!(app.popup, Some(Popup::Request(7)));
        // Another request arrives on top while it is open: the keys still
        // act on the one shown.
        if let Some(g) = vm.guardian.as_mut() {
            let mut newer = g.pending[0].clone();
            newer.id = 8;
            g.pending.insert(0, newer);
        }
        update(&mut app, Command::Approve, &vm);
        assert!(matches!(
            app.popup,
            Some(Popup::Pin {
                purpose: PinFor::Approve(7),
                ..
            })
        ));
        update(&mut app, Command::Back, &vm);
        app.popup = Some(Popup::Request(7));
        update(&mut app, Command::Deny, &vm);
        assert!(matches!(
            app.popup,
            Some(Popup::Text {
                purpose: TextFor::DenyReason(7),
                ..
            })
        ));
        // A member opens their own, and cancels it from there.
        let member = sample(false);
        let mut teen = App {
            screen: Screen::Requests,
            ..teen()
        };
        update(&mut teen, Command::Select, &member);
        assert_eq!(teen.popup, Some(Popup::Request(7)));
        update(&mut teen, Command::Approve, &member);
        assert_eq!(
            teen.popup,
            Some(Popup::Request(7)),
            "a member cannot approve"
        );
        update(&mut teen, Command::CancelRequest, &member);
        assert!(matches!(
            teen.popup,
            Some(Popup::Confirm(Confirm {
                effect: Effect::Cancel { request: 7 },
                ..
            }))
        ));
    }

    #[test]
    fn denying_asks_a_reason_then_the_pin() {
        let vm = sample(true);
        let mut app = App {
            who: Some((MemberId(1), "Maria".into(), Role::Guardian)),
            screen: Screen::Approvals,
            ..App::default()
        };
        update(&mut app, Command::Deny, &vm);
        assert_eq!(
            update(&mut app, Command::Select, &vm),
            None,
            "an empty reason is not accepted"
        );
        assert_eq!(
            app.message,
            Some((
                "A reason is needed to deny request #7: the member will read it".into(),
                Tone::Warning
            )),
            "and it says so"
        );
        assert!(matches!(
            app.popup,
            Some(Popup::Text {
                purpose: TextFor::DenyReason(7),
                ..
            })
        ));
        for c in "not now".chars() {
            app.type_char(c);
        }
        update(&mut app, Command::Select, &vm);
        assert!(matches!(
            app.popup,
            Some(Popup::Pin {
                purpose: PinFor::Deny(7, _),
                ..
            })
        ));
        app.type_char('x');
        assert_eq!(
            update(&mut app, Command::Select, &vm),
            Some(Effect::Deny {
                request: 7,
                reason: "not now".into(),
                pin: "x".into()
            })
        );
    }

    #[test]
    fn gift_choices_move_and_reload_the_preview() {
        let vm = sample(false);
        let mut app = App {
            screen: Screen::Gifts,
            ..teen()
        };
        assert_eq!(update(&mut app, Command::More, &vm), Some(Effect::Reload));
        assert_eq!(update(&mut app, Command::Down, &vm), Some(Effect::Reload));
        assert_eq!((app.selection.count, app.selection.gift), (2, 1));
        assert_eq!(update(&mut app, Command::Less, &vm), Some(Effect::Reload));
        assert_eq!(update(&mut app, Command::Less, &vm), Some(Effect::Reload));
        assert_eq!(app.selection.count, 1, "never fewer than one");
        // The loaded preview is still Rose's: Enter sends nothing, it reloads.
        assert_eq!(update(&mut app, Command::Select, &vm), Some(Effect::Reload));
        assert_eq!(app.popup, None);
    }

    #[test]
    fn the_gift_highlighted_previewed_and_sent_is_one_gift() {
        let mut vm = sample(false);
        let mut app = App {
            screen: Screen::Gifts,
            ..teen()
        };
        update(&mut app, Command::Down, &vm);
        // The event loop reloads: the preview is now Galaxy's.
        let galaxy = GiftChoice {
            creator: "Ana".into(),
            gift: "galaxy".into(),
            count: 1,
        };
        vm.member.as_mut().unwrap().gift_preview = Some((
            galaxy.clone(),
            Preview {
                verdict: Verdict::NeedsApproval,
                summary: "Sam sends 1 × Galaxy to Ana: 1,000 coins (14.28 USD); Ana receives 500 diamonds".into(),
                reasons: Vec::new(),
            },
        ));
        // Away and back with Tab: the cursor is still on the gift previewed.
        for _ in 0..5 {
            update(&mut app, Command::NextScreen, &vm);
        }
        assert_eq!(app.screen, Screen::Gifts);
        assert_eq!((app.cursor, app.selection.gift), (1, 1));
        update(&mut app, Command::Select, &vm);
        let Some(Popup::Confirm(confirm)) = app.popup.clone() else {
            panic!("Enter asks first: {:?}", app.popup);
        };
        assert_eq!(confirm.title, "Send 1 × Galaxy to Ana?");
        assert!(confirm.lines[0].contains("1,000 coins (14.28 USD)"));
        assert_eq!(
            update(&mut app, Command::Select, &vm),
            Some(Effect::Gift(galaxy))
        );
        // A highlighted gift whose preview is not loaded is never sent.
        app.cursor = 0;
        assert_eq!(update(&mut app, Command::Select, &vm), Some(Effect::Reload));
        assert_eq!((app.popup.clone(), app.selection.gift), (None, 0));
    }

    #[test]
    fn picking_a_member_with_a_pin_asks_for_it_and_q_quits() {
        let vm = sample(false);
        let mut app = App::default();
        update(&mut app, Command::Select, &vm);
        assert!(matches!(
            app.popup,
            Some(Popup::Pin {
                purpose: PinFor::SignIn(MemberId(1)),
                ..
            })
        ));
        update(&mut app, Command::Back, &vm);
        update(&mut app, Command::Down, &vm);
        assert_eq!(
            update(&mut app, Command::Select, &vm),
            Some(Effect::SignIn {
                who: (MemberId(2), "Sam".into(), Role::Teen),
                pin: None
            })
        );
        update(&mut app, Command::Quit, &vm);
        assert!(app.quit);
    }
}

#[cfg(test)]
mod qa_tests {
    use super::*;
    #[allow(unused_imports)]
    use crate::domain::MemberId;
    #[allow(unused_imports)]
    use crate::tui::view::Preview;
    use crate::tui::view::sample;

    fn guardian(screen: Screen) -> App {
        App {
            who: Some((MemberId(1), "Maria".into(), Role::Guardian)),
            screen,
            ..App::default()
        }
    }

    /// QA 19: keys the footer showed did nothing ("/" on the dashboard gave
    /// no sign, so a q typed next quit); a key that does nothing where it
    /// is pressed says so, and nothing else happens.
    #[test]
    fn a_key_that_does_nothing_here_says_so() {
        let vm = sample(true);
        for (screen, command, keys) in [
            (Screen::Dashboard, Command::Filter, "/"),
            (Screen::Dashboard, Command::Down, "↓/j"),
            (Screen::Dashboard, Command::Select, "Enter"),
            (Screen::Members, Command::Approve, "a"),
        ] {
            let mut app = guardian(screen);
            assert_eq!(update(&mut app, command, &vm), None, "{screen:?}");
            assert_eq!((app.popup.clone(), app.quit), (None, false));
            assert_eq!(
                app.message,
                Some((
                    format!("{keys} does nothing here: ? lists the keys of this screen"),
                    Tone::Warning
                )),
                "{screen:?} {keys}"
            );
        }
        let mut pick = App::default();
        update(&mut pick, Command::NextScreen, &sample(false));
        assert!(
            pick.message
                .is_some_and(|(m, _)| m.starts_with("Tab does nothing here"))
        );
    }

    /// QA 22: "Type the PIN, then Enter" stayed on the status line after
    /// the PIN prompt was cancelled.
    #[test]
    fn esc_takes_a_popups_message_with_it() {
        let vm = sample(true);
        let mut app = guardian(Screen::Approvals);
        update(&mut app, Command::Approve, &vm);
        update(&mut app, Command::Select, &vm);
        assert!(
            app.message.is_some(),
            "an empty PIN is no attempt, and says so"
        );
        update(&mut app, Command::Back, &vm);
        assert_eq!((app.popup.clone(), app.message.clone()), (None, None));
        // A reason asked for, then typed: the PIN prompt opens without the
        // old "a reason is needed" under it.
        update(&mut app, Command::Deny, &vm);
        update(&mut app, Command::Select, &vm);
        assert!(app.message.is_some());
        app.type_char('x');
        update(&mut app, Command::Select, &vm);
        assert!(matches!(app.popup, Some(Popup::Pin { .. })));
        assert_eq!(app.message, None);
    }

    /// QA 22: `n` after the last page went back to the first without a
    /// word and with no page number; pages are numbered in the title and
    /// going back to the first says so.
    #[test]
    fn n_numbers_the_pages_and_says_when_it_goes_back_to_the_first() {
        let mut vm = sample(false);
        if let Some(m) = vm.member.as_mut() {
            m.history_next = Some("5.9".into());
        }
        let mut app = App {
            who: Some((MemberId(2), "Sam".into(), Role::Teen)),
            screen: Screen::History,
            ..App::default()
        };
        assert_eq!(
            update(&mut app, Command::NextPage, &vm),
            Some(Effect::Reload)
        );
        assert_eq!(app.selection.page, 2);
        let text = crate::tui::render::tests::screen_text(&app, &vm, 80, 24);
        assert!(
            text.contains("page 2─") && text.contains("n next page"),
            "{text}"
        );
        // The event loop loads page 2, the last one.
        if let Some(m) = vm.member.as_mut() {
            m.history_next = None;
        }
        let text = crate::tui::render::tests::screen_text(&app, &vm, 80, 24);
        assert!(text.contains("page 2, the last"), "{text}");
        assert_eq!(
            update(&mut app, Command::NextPage, &vm),
            Some(Effect::Reload)
        );
        assert_eq!(
            (app.selection.page, app.selection.history_after.clone()),
            (1, None)
        );
        assert_eq!(
            app.message,
            Some((
                "Page 2 was the last; back to the newest (page 1)".into(),
                Tone::Good
            ))
        );
        // One page only: n says so and loads nothing.
        assert_eq!(update(&mut app, Command::NextPage, &vm), None);
        assert_eq!(
            app.message,
            Some(("Everything listed is on this one page".into(), Tone::Good))
        );
    }

    /// Issue 16: `?` in a popup that takes no text lists that popup's own
    /// keys, in its own words (the screen's keys are not what works
    /// there); Esc or `?` goes back to the popup as it was. In a popup
    /// that takes text, `?` is typed.
    #[test]
    fn question_mark_in_a_popup_lists_the_popups_keys_and_goes_back_to_it() {
        let vm = sample(true);
        let mut app = App {
            who: Some((MemberId(1), "Maria".into(), Role::Guardian)),
            screen: Screen::Approvals,
            ..App::default()
        };
        update(&mut app, Command::Select, &vm);
        assert_eq!(app.popup, Some(Popup::Request(7)));
        for back in [Command::Back, Command::Help] {
            assert_eq!(update(&mut app, Command::Help, &vm), None);
            assert_eq!(app.popup, Some(Popup::HelpFor(Box::new(Popup::Request(7)))));
            let text = crate::tui::render::tests::screen_text(&app, &vm, 80, 24);
            for line in [
                "Keys: Request #7 · pending",
                // (the text read with its runs of spaces as one)
                "a approve (PIN) d deny (reason, PIN) Esc close",
                "Esc/?: back",
            ] {
                assert!(text.contains(line), "{line}: {text}");
            }
            assert!(!text.contains("Tab next screen"), "{text}");
            assert_eq!(update(&mut app, back, &vm), None);
            assert_eq!(app.popup, Some(Popup::Request(7)), "back to it");
        }
        // A PIN may hold a `?`: it is typed, not help.
        update(&mut app, Command::Approve, &vm);
        assert!(app.typing());
        app.type_char('?');
        assert!(matches!(&app.popup, Some(Popup::Pin { typed, .. }) if typed == "?"));
    }

    /// QA 20: the "Cancel your request?" popup said "Esc to cancel", which
    /// reads as the opposite of what Esc does there.
    #[test]
    fn cancelling_a_request_says_what_enter_and_esc_do() {
        let vm = sample(false);
        let mut app = App {
            who: Some((MemberId(2), "Sam".into(), Role::Teen)),
            screen: Screen::Requests,
            ..App::default()
        };
        update(&mut app, Command::CancelRequest, &vm);
        let Some(popup @ Popup::Confirm(_)) = &app.popup else {
            panic!("a confirmation: {:?}", app.popup);
        };
        let commands = crate::tui::popup::commands(popup, &app, &vm);
        assert_eq!(
            crate::tui::popup::hint_line(&commands, false),
            "Enter: cancel the request · Esc: keep it · ?: help"
        );
        let text = crate::tui::render::tests::screen_text(&app, &vm, 80, 24);
        assert!(
            text.contains("Enter: cancel the request · Esc: keep it"),
            "{text}"
        );
    }

    /// A guardian's screens act for the household: a guardian added before
    /// every guardian had a PIN cannot open them.
    #[test]
    fn a_guardian_without_a_pin_cannot_open_the_guardian_screens() {
        let mut vm = sample(false);
        vm.members[0].has_pin = false;
        let mut app = App::default();
        assert_eq!(update(&mut app, Command::Select, &vm), None);
        assert_eq!((app.who.clone(), app.popup.clone()), (None, None));
        let said = app.message.map(|(m, _)| m).unwrap_or_default();
        assert!(
            said.starts_with("Maria has no PIN, and a guardian's screens need one"),
            "{said}"
        );
    }
}

#[cfg(test)]
mod creator_tests {
    use super::*;
    #[allow(unused_imports)]
    use crate::domain::MemberId;
    #[allow(unused_imports)]
    use crate::tui::view::Preview;
    use crate::tui::view::{Verdict, sample_creator};

    fn ana() -> App {
        App {
            who: Some((MemberId(3), "Ana".into(), Role::Creator)),
            screen: Screen::Earnings,
            ..App::default()
        }
    }

    #[test]
    fn a_creator_has_an_earnings_screen_and_cashes_out_after_a_preview() {
        let mut vm = sample_creator();
        let mut app = ana();
        assert_eq!(app.screens(), &CREATOR_SCREENS);
        assert_eq!(app.screens()[0], Screen::Earnings);
        // Enter: how many diamonds, all of them to start with.
        update(&mut app, Command::Select, &vm);
        assert_eq!(
            app.popup,
            Some(Popup::Text {
                purpose: TextFor::RedeemDiamonds,
                typed: "2150".into()
            })
        );
        assert_eq!(
            update(&mut app, Command::Select, &vm),
            Some(Effect::PreviewRedeem { diamonds: 2_150 })
        );
        // The event loop opens the preview; Enter cashes out (no PIN: none set).
        let preview = vm.creator.as_ref().unwrap().all_preview.clone().unwrap();
        app.popup = Some(Popup::Redeem {
            diamonds: 2_150,
            preview: preview.clone(),
        });
        assert_eq!(
            update(&mut app, Command::Select, &vm),
            Some(Effect::Redeem {
                diamonds: 2_150,
                pin: None
            })
        );
        // With a PIN, it is asked for first.
        vm.members[2].has_pin = true;
        app.popup = Some(Popup::Redeem {
            diamonds: 2_150,
            preview: preview.clone(),
        });
        assert_eq!(update(&mut app, Command::Select, &vm), None);
        for c in "ana's pin".chars() {
            app.type_char(c);
        }
        assert_eq!(
            update(&mut app, Command::Select, &vm),
            Some(Effect::Redeem {
                diamonds: 2_150,
                pin: Some("ana's pin".into())
            })
        );
        // A refused preview only says why.
        app.popup = Some(Popup::Redeem {
            diamonds: 10,
            preview: Preview {
                verdict: Verdict::Deny,
                summary: "Ana cashes out 10 diamonds".into(),
                reasons: vec![(true, "the minimum payout is 10.00 USD".into())],
            },
        });
        assert_eq!(update(&mut app, Command::Select, &vm), None);
        assert_eq!(
            app.message,
            Some((
                "Nothing cashed out: the minimum payout is 10.00 USD".into(),
                Tone::Bad
            ))
        );
    }
}

#[cfg(test)]
mod paging_tests {
    use super::*;
    #[allow(unused_imports)]
    use crate::domain::MemberId;
    #[allow(unused_imports)]
    use crate::tui::view::Preview;
    use crate::tui::view::sample;

    #[test]
    fn n_pages_history_and_leaving_the_screen_goes_back_to_the_newest() {
        let mut vm = sample(false);
        let next = "5.9".to_string();
        if let Some(m) = vm.member.as_mut() {
            m.history_next = Some(next.clone());
        }
        let mut app = App {
            who: Some((MemberId(2), "Sam".into(), Role::Teen)),
            screen: Screen::History,
            ..App::default()
        };
        assert_eq!(
            update(&mut app, Command::NextPage, &vm),
            Some(Effect::Reload)
        );
        assert_eq!(app.selection.history_after, Some(next));
        assert_eq!(
            update(&mut app, Command::NextScreen, &vm),
            Some(Effect::Reload)
        );
        assert_eq!(app.selection.history_after, None);
        // Elsewhere, n does nothing.
        assert_eq!(update(&mut app, Command::NextPage, &vm), None);
    }
}

#[cfg(test)]
mod editor_tests {
    use super::*;
    #[allow(unused_imports)]
    use crate::domain::MemberId;
    use crate::domain::{Scope, Window};
    use crate::tui::editor::PolicyChange;
    #[allow(unused_imports)]
    use crate::tui::view::Preview;
    use crate::tui::view::sample;

    fn guardian(screen: Screen) -> App {
        App {
            who: Some((MemberId(1), "Maria".into(), Role::Guardian)),
            screen,
            ..App::default()
        }
    }

    fn type_text(app: &mut App, text: &str) {
        for c in text.chars() {
            app.type_char(c);
        }
    }

    #[test]
    fn a_limit_is_typed_reviewed_with_before_and_after_then_saved_with_a_pin() {
        let vm = sample(true);
        let mut app = guardian(Screen::Limits);
        // Row 0: buying coins, each time (no limit yet).
        assert_eq!(update(&mut app, Command::Select, &vm), None);
        update(&mut app, Command::Down, &vm); // to "Refuse above"
        type_text(&mut app, "5");
        assert_eq!(update(&mut app, Command::Select, &vm), None);
        let Some(Popup::Review(review)) = &app.popup else {
            panic!("a review comes before the PIN: {:?}", app.popup);
        };
        assert_eq!(review.what, "Sam · coins bought each time");
        assert_eq!(review.before, "no limit");
        assert_eq!(review.after, "refused above 5.00 USD");
        update(&mut app, Command::Select, &vm);
        assert!(matches!(
            app.popup,
            Some(Popup::Pin {
                purpose: PinFor::Policy(_),
                ..
            })
        ));
        type_text(&mut app, "pin");
        let Some(Effect::Policy { review, pin }) = update(&mut app, Command::Select, &vm) else {
            panic!("saving is an effect");
        };
        let change = review.change;
        assert_eq!(pin, "pin");
        let PolicyChange::SetLimit { member, limit } = change else {
            panic!("a limit is set");
        };
        assert_eq!(member, "Sam");
        assert_eq!(
            (limit.scope, limit.window),
            (Scope::Purchase, Window::Transaction)
        );
        assert_eq!(
            (limit.soft, limit.hard.map(|a| a.to_string())),
            (None, Some("5.00 USD".into()))
        );
    }

    #[test]
    fn a_creators_state_is_chosen_directly_then_saved_with_one_pin() {
        let vm = sample(true);
        let mut app = guardian(Screen::Limits);
        app.cursor = 22; // 21 limit slots, quiet hours, then Ana (blocked)
        assert_eq!(update(&mut app, Command::Select, &vm), None);
        let Some(Popup::Choice(choice)) = &app.popup else {
            panic!("a chooser opens: {:?}", app.popup);
        };
        assert_eq!(choice.chosen(), Some(crate::domain::CreatorList::Block));
        // Straight to "allowed" (one step up), reviewed, one PIN.
        update(&mut app, Command::Up, &vm);
        update(&mut app, Command::Select, &vm);
        let Some(Popup::Review(review)) = &app.popup else {
            panic!("the choice is reviewed: {:?}", app.popup);
        };
        assert_eq!(
            (review.before.as_str(), review.after.as_str()),
            ("blocked", "allowed")
        );
        update(&mut app, Command::Select, &vm);
        type_text(&mut app, "pin");
        let Some(Effect::Policy { review, .. }) = update(&mut app, Command::Select, &vm) else {
            panic!("saving is an effect");
        };
        assert_eq!(
            review.change,
            PolicyChange::Creator {
                member: "Sam".into(),
                creator: "Ana".into(),
                list: Some(crate::domain::CreatorList::Allow)
            }
        );
        // Choosing the state it is in saves nothing, and says so.
        app.cursor = 22;
        update(&mut app, Command::Select, &vm);
        update(&mut app, Command::Select, &vm);
        assert!(matches!(app.popup, Some(Popup::Choice(_))));
        assert!(
            app.message
                .as_ref()
                .is_some_and(|(m, _)| m.contains("already blocked"))
        );
    }

    #[test]
    fn a_bad_amount_keeps_the_form_open_with_the_reason_and_esc_changes_nothing() {
        let vm = sample(true);
        let mut app = guardian(Screen::Limits);
        update(&mut app, Command::Select, &vm);
        type_text(&mut app, "-3");
        assert_eq!(update(&mut app, Command::Select, &vm), None);
        let Some(Popup::Form(form)) = &app.popup else {
            panic!("still the form");
        };
        assert!(
            form.error
                .as_deref()
                .is_some_and(|e| e.starts_with("Ask a guardian above: "))
        );
        assert_eq!(update(&mut app, Command::Back, &vm), None);
        assert_eq!(app.popup, None);
    }

    #[test]
    fn removing_needs_something_to_remove() {
        let vm = sample(true);
        let mut app = guardian(Screen::Limits);
        update(&mut app, Command::Remove, &vm);
        assert_eq!(app.popup, None);
        assert_eq!(
            app.message,
            Some((
                "Sam has no coins bought each time to remove".into(),
                Tone::Warning
            ))
        );
        // Row 2: buying coins per week, which is set.
        app.cursor = 2;
        update(&mut app, Command::Remove, &vm);
        let Some(Popup::Review(review)) = &app.popup else {
            panic!("removing is reviewed");
        };
        assert_eq!(
            review.before,
            "approval needed above 10.00 USD, refused above 25.00 USD"
        );
        assert_eq!(review.after, "no limit");
    }

    #[test]
    fn audit_switches_logs_filters_and_exports() {
        let vm = sample(true);
        let mut app = guardian(Screen::Audit);
        assert_eq!(update(&mut app, Command::Right, &vm), Some(Effect::Reload));
        assert_eq!(app.selection.audit, AuditView::Decisions);
        assert_eq!(app.rows(&vm), 2);
        update(&mut app, Command::Filter, &vm);
        type_text(&mut app, "sam refused 2026-03");
        assert_eq!(update(&mut app, Command::Select, &vm), Some(Effect::Reload));
        assert_eq!(app.selection.filter.member.as_deref(), Some("Sam"));
        assert_eq!(
            app.selection.filter.outcome,
            Some(crate::tui::filter::Outcome::Deny)
        );
        // A word that means nothing: said, and the filter stays as it was.
        update(&mut app, Command::Filter, &vm);
        type_text(&mut app, " gfit");
        assert_eq!(update(&mut app, Command::Select, &vm), None);
        assert_eq!(app.selection.filter.text, "sam refused 2026-03");
        assert!(
            app.message
                .as_ref()
                .is_some_and(|(m, t)| m.contains("\"gfit\"") && *t == Tone::Bad)
        );
        assert_eq!(
            update(&mut app, Command::Export, &vm),
            Some(Effect::AskExportPath)
        );
    }

    /// Every word a filter accepts filters: outcome words are refused with
    /// the reason where nothing has an outcome, a creator's name on a
    /// teen's history means gifts to them, and switching the audit view
    /// clears a filter that cannot apply there.
    #[test]
    fn filters_take_only_the_words_they_apply() {
        let member = sample(false);
        let mut teen = App {
            who: Some((MemberId(2), "Sam".into(), Role::Teen)),
            screen: Screen::History,
            ..App::default()
        };
        for word in ["refused", "approval"] {
            update(&mut teen, Command::Filter, &member);
            type_text(&mut teen, word);
            assert_eq!(update(&mut teen, Command::Select, &member), None, "{word}");
            assert!(teen.selection.filter.is_empty(), "{word} is not applied");
            let (said, _) = teen.message.clone().unwrap();
            assert!(
                said.contains("what was refused or is waiting is on Requests"),
                "{said}"
            );
        }
        update(&mut teen, Command::Filter, &member);
        type_text(&mut teen, "ana");
        assert_eq!(
            update(&mut teen, Command::Select, &member),
            Some(Effect::Reload)
        );
        assert_eq!(teen.selection.filter.creator.as_deref(), Some("Ana"));
        assert_eq!(teen.selection.filter.member, None);

        let vm = sample(true);
        let mut app = guardian(Screen::Audit);
        update(&mut app, Command::Filter, &vm);
        type_text(&mut app, "refused");
        assert_eq!(
            update(&mut app, Command::Select, &vm),
            None,
            "not on the ledger"
        );
        assert!(
            app.message
                .as_ref()
                .is_some_and(|(m, _)| m.contains("Guard decisions"))
        );
        update(&mut app, Command::Right, &vm); // decisions
        update(&mut app, Command::Filter, &vm);
        type_text(&mut app, "sam refused");
        assert_eq!(update(&mut app, Command::Select, &vm), Some(Effect::Reload));
        // To the guardian actions: "refused" cannot apply, so it is cleared.
        update(&mut app, Command::Right, &vm);
        assert!(app.selection.filter.is_empty());
        assert!(
            app.message
                .as_ref()
                .is_some_and(|(m, _)| m.starts_with("Filter \"sam refused\" cleared"))
        );
        // A filter that applies stays: "sam" on the ledger, then decisions.
        update(&mut app, Command::Filter, &vm);
        type_text(&mut app, "sam");
        update(&mut app, Command::Select, &vm);
        update(&mut app, Command::Right, &vm);
        assert_eq!(app.selection.filter.member.as_deref(), Some("Sam"));
    }

    #[test]
    fn the_audit_chart_steps_back_a_period_and_forward_to_today() {
        let vm = sample(true);
        let mut app = guardian(Screen::Audit);
        assert_eq!(
            update(&mut app, Command::Later, &vm),
            None,
            "not past today"
        );
        assert_eq!(
            update(&mut app, Command::Earlier, &vm),
            Some(Effect::Reload)
        );
        assert_eq!(
            update(&mut app, Command::Earlier, &vm),
            Some(Effect::Reload)
        );
        assert_eq!(app.selection.chart_back, 2);
        assert_eq!(update(&mut app, Command::Later, &vm), Some(Effect::Reload));
        assert_eq!(app.selection.chart_back, 1);
        // Elsewhere the keys do nothing.
        let mut limits = guardian(Screen::Limits);
        assert_eq!(update(&mut limits, Command::Earlier, &vm), None);
    }

    #[test]
    fn a_guardian_adds_a_member_after_reading_who_it_will_be() {
        let vm = sample(true);
        let mut app = guardian(Screen::Members);
        update(&mut app, Command::AddMember, &vm);
        type_text(&mut app, "Kim");
        update(&mut app, Command::Down, &vm);
        type_text(&mut app, "2014-05-01");
        update(&mut app, Command::Down, &vm);
        update(&mut app, Command::Right, &vm); // teen -> creator
        update(&mut app, Command::Left, &vm); // back to teen
        update(&mut app, Command::Select, &vm);
        let Some(Popup::Review(review)) = &app.popup else {
            panic!("adding is reviewed: {:?}", app.popup);
        };
        assert_eq!(review.after, "Kim, teen, born 2014-05-01 (11 today)");
        update(&mut app, Command::Select, &vm);
        type_text(&mut app, "pin");
        let Some(Effect::Policy { review, .. }) = update(&mut app, Command::Select, &vm) else {
            panic!("saving is an effect");
        };
        let change = review.change;
        assert!(matches!(
            change,
            PolicyChange::AddMember {
                role: crate::domain::Role::Teen,
                ..
            }
        ));
    }

    #[test]
    fn enter_on_a_member_opens_their_limits() {
        let vm = sample(true);
        let mut app = guardian(Screen::Members);
        update(&mut app, Command::Select, &vm);
        assert_eq!(app.screen, Screen::Members, "Maria is a guardian");
        assert!(app.message.is_some());
        update(&mut app, Command::Down, &vm);
        update(&mut app, Command::Select, &vm);
        assert_eq!(
            (app.screen, app.selection.rules_member),
            (Screen::Limits, 0)
        );
    }

    #[test]
    fn alerts_are_marked_seen_with_a_pin_and_only_if_there_are_any() {
        let mut vm = sample(true);
        let mut app = guardian(Screen::Dashboard);
        update(&mut app, Command::Acknowledge, &vm);
        type_text(&mut app, "pin");
        assert_eq!(
            update(&mut app, Command::Select, &vm),
            Some(Effect::Acknowledge { pin: "pin".into() })
        );
        // Also from the audit screen's open-alerts view (four views round).
        let mut audit = guardian(Screen::Audit);
        update(&mut audit, Command::Left, &vm);
        assert_eq!(audit.selection.audit, AuditView::Alerts);
        update(&mut audit, Command::Acknowledge, &vm);
        assert!(matches!(
            audit.popup,
            Some(Popup::Pin {
                purpose: PinFor::Acknowledge,
                ..
            })
        ));
        if let Some(g) = vm.guardian.as_mut() {
            g.alerts.clear();
        }
        update(&mut app, Command::Acknowledge, &vm);
        assert_eq!(app.popup, None);
        assert_eq!(
            app.message,
            Some(("No alerts to mark as seen".into(), Tone::Good))
        );
    }

    #[test]
    fn a_member_asks_again_with_a_note_or_cancels_what_waits() {
        let vm = sample(false);
        let mut app = App {
            who: Some((MemberId(2), "Sam".into(), Role::Teen)),
            screen: Screen::Requests,
            ..App::default()
        };
        // Row 0 is pending: it cannot be asked again, but can be cancelled.
        update(&mut app, Command::AskAgain, &vm);
        assert_eq!(app.popup, None);
        assert!(app.message.is_some());
        update(&mut app, Command::CancelRequest, &vm);
        assert!(matches!(
            app.popup,
            Some(Popup::Confirm(Confirm {
                effect: Effect::Cancel { request: 7 },
                ..
            }))
        ));
        update(&mut app, Command::Back, &vm);
        // Row 1 was denied: what asking again would do is previewed first
        // (the event loop opens the note under it), then the note.
        update(&mut app, Command::Down, &vm);
        assert_eq!(
            update(&mut app, Command::AskAgain, &vm),
            Some(Effect::PreviewAskAgain { request: 6 })
        );
        let preview = vm.member.as_ref().unwrap().pack_previews[0].clone();
        app.popup = Some(Popup::Text {
            purpose: TextFor::AskAgainNote(6, preview),
            typed: String::new(),
        });
        type_text(&mut app, "I saved up for it");
        assert_eq!(
            update(&mut app, Command::Select, &vm),
            Some(Effect::AskAgain {
                request: 6,
                note: "I saved up for it".into()
            })
        );
    }
}

#[cfg(test)]
mod custom_amount_tests {
    use super::*;
    #[allow(unused_imports)]
    use crate::domain::MemberId;
    #[allow(unused_imports)]
    use crate::tui::view::Preview;
    use crate::tui::view::{Verdict, sample};

    #[test]
    fn any_number_of_coins_is_typed_previewed_then_bought() {
        let vm = sample(false);
        let mut app = App {
            who: Some((MemberId(2), "Sam".into(), Role::Teen)),
            screen: Screen::Shop,
            ..App::default()
        };
        // Past the two packs: "any number".
        update(&mut app, Command::Down, &vm);
        update(&mut app, Command::Down, &vm);
        assert_eq!(app.cursor, 2);
        update(&mut app, Command::Select, &vm);
        for bad in ["lots", "0", "-5"] {
            for c in bad.chars() {
                app.type_char(c);
            }
            assert_eq!(update(&mut app, Command::Select, &vm), None, "{bad}");
            assert!(
                app.message
                    .as_ref()
                    .is_some_and(|(m, t)| m.starts_with("Nothing bought: ") && *t == Tone::Bad),
                "{bad}: {:?}",
                app.message
            );
            update(&mut app, Command::Select, &vm);
        }
        for c in "250".chars() {
            app.type_char(c);
        }
        assert_eq!(
            update(&mut app, Command::Select, &vm),
            Some(Effect::PreviewCustom { coins: 250 })
        );
        // The event loop runs the preview and opens it; Enter buys.
        app.popup = Some(Popup::BuyCustom {
            coins: 250,
            preview: Preview {
                verdict: Verdict::NeedsApproval,
                summary: "Sam buys 250 coins for 3.54 USD".into(),
                reasons: Vec::new(),
            },
        });
        assert_eq!(
            update(&mut app, Command::Select, &vm),
            Some(Effect::BuyCustom { coins: 250 })
        );
    }
}

/// Dispatch reads the same lists the footer, the help and a popup's hint
/// line are drawn from.
#[cfg(test)]
mod command_list_tests {
    use super::*;
    use crate::domain::MemberId;
    use crate::tui::command::KEYMAP;
    use crate::tui::popup;
    use crate::tui::view::{Preview, sample, sample_creator};

    /// Every screen of everyone (each row under the cursor), and every
    /// popup one or two keys away from them, with those made by effects.
    fn cases() -> Vec<(App, ViewModel)> {
        let people = [
            (None, sample(false)),
            (Some((MemberId(2), "Sam".into(), Role::Teen)), sample(false)),
            (
                Some((MemberId(1), "Maria".into(), Role::Guardian)),
                sample(true),
            ),
            (
                Some((MemberId(3), "Ana".into(), Role::Creator)),
                sample_creator(),
            ),
        ];
        let mut cases = Vec::new();
        for (who, vm) in people {
            let signed_in = App {
                who: who.clone(),
                ..App::default()
            };
            for screen in signed_in.screens().to_vec() {
                let app = App {
                    screen,
                    ..signed_in.clone()
                };
                for view in AuditView::ALL {
                    let mut app = app.clone();
                    app.selection.audit = view;
                    for cursor in 0..app.rows(&vm).max(1) {
                        cases.push((
                            App {
                                cursor,
                                ..app.clone()
                            },
                            vm.clone(),
                        ));
                    }
                }
            }
            let preview = |verdict| Preview {
                verdict,
                summary: "Sam buys 900 coins for 12.73 USD".into(),
                reasons: vec![(false, "a reason".into())],
            };
            for verdict in [Verdict::Allow, Verdict::Deny] {
                for popup in [
                    Popup::BuyCustom {
                        coins: 900,
                        preview: preview(verdict),
                    },
                    Popup::Redeem {
                        diamonds: 900,
                        preview: preview(verdict),
                    },
                ] {
                    let popup = Some(popup);
                    cases.push((
                        App {
                            popup,
                            ..signed_in.clone()
                        },
                        vm.clone(),
                    ));
                }
            }
            let reversal = Popup::Reversal(Reversal {
                tx: 3,
                what: "a purchase".into(),
                gives_back: "70 coins".into(),
                warnings: Vec::new(),
            });
            let popup = Some(reversal);
            cases.push((
                App {
                    popup,
                    ..signed_in.clone()
                },
                vm.clone(),
            ));
        }
        // Popups opened from there, and from those.
        for _ in 0..2 {
            let mut opened = Vec::new();
            for (app, vm) in &cases {
                for binding in KEYMAP {
                    let mut after = app.clone();
                    update(&mut after, binding.command, vm);
                    if after.popup.is_some() && after.popup != app.popup {
                        after.message = None;
                        opened.push((after, vm.clone()));
                    }
                }
            }
            for case in opened {
                if !cases.iter().any(|c| c.0.popup == case.0.popup) {
                    cases.push(case);
                }
            }
        }
        cases
    }

    #[test]
    fn on_every_screen_and_popup_a_listed_key_works_and_any_other_does_nothing() {
        let cases = cases();
        let popups: Vec<_> = cases.iter().filter_map(|c| c.0.popup.as_ref()).collect();
        for kind in [
            "Pin",
            "Text",
            "Form",
            "Choice",
            "Request",
            "Review",
            "Confirm",
            "BuyCustom",
            "Redeem",
            "Reversal",
            "Help",
            "HelpFor",
        ] {
            assert!(
                popups.iter().any(|p| format!("{p:?}").starts_with(kind)),
                "no {kind} popup reached"
            );
        }
        for (app, vm) in &cases {
            let listed: Vec<Command> = match &app.popup {
                Some(p) => {
                    let live = popup::commands(p, app, vm);
                    // Each command it lists is on its hint line.
                    let hints = popup::hint_line(&live, true);
                    for d in &live {
                        assert!(hints.contains(popup::key_of(d.command)), "{hints}: {d:?}");
                    }
                    live.iter().map(|d| d.command).collect()
                }
                None => keymap::for_screen(app).map(|b| b.command).collect(),
            };
            for binding in KEYMAP {
                // The key people press, read as the event loop reads it.
                let command = keymap::command_for(&binding.codes[0], false);
                assert_eq!(command, Some(binding.command), "{}", binding.keys);
                let mut after = app.clone();
                let effect = update(&mut after, binding.command, vm);
                let idle = after
                    .message
                    .as_ref()
                    .is_some_and(|(m, _)| m.contains(" does nothing here"));
                let place = format!("{:?} {:?}: {}", app.screen, app.popup, binding.keys);
                if listed.contains(&binding.command) {
                    assert!(!idle, "listed, but does nothing: {place}");
                } else {
                    assert!(idle && effect.is_none(), "not listed, but works: {place}");
                    let unchanged = App {
                        message: after.message.clone(),
                        ..app.clone()
                    };
                    assert_eq!(after, unchanged, "{place}");
                }
            }
        }
    }
}
