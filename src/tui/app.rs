//! The TUI's state and the pure `update`: a key in, the new state and maybe an
//! effect out. Key handlers never touch the database; effects are run by the
//! event loop through the services.

use super::keymap::Command;
use super::view::{GiftChoice, ViewModel};
use crate::domain::MemberId;

/// The screens, in Tab order for each kind of person.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Screen {
    Pick,
    Wallet,
    Shop,
    Gifts,
    Requests,
    History,
    Dashboard,
    Approvals,
    Members,
    Audit,
}

pub const MEMBER_SCREENS: [Screen; 5] = [
    Screen::Wallet,
    Screen::Shop,
    Screen::Gifts,
    Screen::Requests,
    Screen::History,
];
pub const GUARDIAN_SCREENS: [Screen; 4] = [
    Screen::Dashboard,
    Screen::Approvals,
    Screen::Members,
    Screen::Audit,
];

impl Screen {
    pub fn title(&self) -> &'static str {
        match self {
            Screen::Pick => "Who are you?",
            Screen::Wallet => "Wallet",
            Screen::Shop => "Shop",
            Screen::Gifts => "Gifts",
            Screen::Requests => "Requests",
            Screen::History => "History",
            Screen::Dashboard => "Dashboard",
            Screen::Approvals => "Approvals",
            Screen::Members => "Members",
            Screen::Audit => "Audit",
        }
    }
}

/// What a PIN is being typed for. Each is one action: no PIN carries over.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PinFor {
    SignIn(MemberId),
    Approve(i64),
    Deny(i64, String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Popup {
    Pin { purpose: PinFor, typed: String },
    Reason { request: i64, typed: String },
    Confirm(Effect),
    Help,
}

/// Work for the event loop, run through the services.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    SignIn {
        member: MemberId,
        pin: Option<String>,
    },
    SignOut,
    Buy {
        pack: String,
    },
    Gift {
        creator: String,
        gift: usize,
        count: u64,
    },
    Approve {
        request: i64,
        pin: String,
    },
    Deny {
        request: i64,
        reason: String,
        pin: String,
    },
    /// Reload the view model (a selection that changes a preview).
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

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct App {
    pub who: Option<(MemberId, String, bool)>,
    pub screen: Screen,
    pub cursor: usize,
    pub popup: Option<Popup>,
    pub message: Option<(String, Tone)>,
    pub gift: GiftChoice,
    pub quit: bool,
}

impl Default for App {
    fn default() -> App {
        App {
            who: None,
            screen: Screen::Pick,
            cursor: 0,
            popup: None,
            message: None,
            gift: GiftChoice {
                creator: 0,
                gift: 0,
                count: 1,
                history_after: None,
            },
            quit: false,
        }
    }
}

impl App {
    fn screens(&self) -> &'static [Screen] {
        match self.who {
            Some((_, _, true)) => &GUARDIAN_SCREENS,
            Some(_) => &MEMBER_SCREENS,
            None => &[Screen::Pick],
        }
    }

    fn rows(&self, vm: &ViewModel) -> usize {
        let member = vm.member.as_ref();
        let guardian = vm.guardian.as_ref();
        match self.screen {
            Screen::Pick | Screen::Members => vm.members.len(),
            Screen::Shop => member.map_or(0, |m| m.packs.len()),
            Screen::Gifts => member.map_or(0, |m| m.gifts.len()),
            Screen::Requests => member.map_or(0, |m| m.requests.len()),
            Screen::History => member.map_or(0, |m| m.history.len()),
            Screen::Approvals => guardian.map_or(0, |g| g.pending.len()),
            Screen::Audit => guardian.map_or(0, |g| g.history.len()),
            Screen::Wallet | Screen::Dashboard => 0,
        }
    }

    /// Typed text for a popup that takes text (PIN or reason).
    pub fn type_char(&mut self, c: char) {
        match &mut self.popup {
            Some(Popup::Pin { typed, .. }) | Some(Popup::Reason { typed, .. })
                if typed.chars().count() < 128 =>
            {
                typed.push(c)
            }
            _ => {}
        }
    }

    pub fn backspace(&mut self) {
        if let Some(Popup::Pin { typed, .. } | Popup::Reason { typed, .. }) = &mut self.popup {
            typed.pop();
        }
    }

    /// Whether keys go to a text field (so 'q' types a q).
    pub fn typing(&self) -> bool {
        matches!(self.popup, Some(Popup::Pin { .. } | Popup::Reason { .. }))
    }
}

/// The pure update: a command in, maybe an effect out.
pub fn update(app: &mut App, command: Command, vm: &ViewModel) -> Option<Effect> {
    if let Some(popup) = app.popup.clone() {
        return update_popup(app, popup, command);
    }
    app.message = None;
    let rows = app.rows(vm);
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
            app.screen = screens[next];
            app.cursor = 0;
            if app.gift.history_after.take().is_some() {
                return Some(Effect::Reload);
            }
            None
        }
        Command::Down => {
            app.cursor = (app.cursor + 1).min(rows.saturating_sub(1));
            (app.screen == Screen::Gifts).then(|| {
                app.gift.gift = app.cursor;
                Effect::Reload
            })
        }
        Command::Up => {
            app.cursor = app.cursor.saturating_sub(1);
            (app.screen == Screen::Gifts).then(|| {
                app.gift.gift = app.cursor;
                Effect::Reload
            })
        }
        Command::Left | Command::Right if app.screen == Screen::Gifts => {
            let creators = vm.member.as_ref().map_or(0, |m| m.creators.len()).max(1);
            app.gift.creator = if command == Command::Right {
                (app.gift.creator + 1) % creators
            } else {
                (app.gift.creator + creators - 1) % creators
            };
            Some(Effect::Reload)
        }
        Command::More | Command::Less if app.screen == Screen::Gifts => {
            app.gift.count = if command == Command::More {
                (app.gift.count + 1).min(99)
            } else {
                app.gift.count.saturating_sub(1).max(1)
            };
            Some(Effect::Reload)
        }
        Command::Back => {
            if app.who.is_some() {
                return Some(Effect::SignOut);
            }
            None
        }
        Command::Select => select(app, vm),
        Command::Approve | Command::Deny if app.screen == Screen::Approvals => {
            let request = vm
                .guardian
                .as_ref()
                .and_then(|g| g.pending.get(app.cursor))
                .map(|r| r.id)?;
            app.popup = Some(if command == Command::Approve {
                Popup::Pin {
                    purpose: PinFor::Approve(request),
                    typed: String::new(),
                }
            } else {
                Popup::Reason {
                    request,
                    typed: String::new(),
                }
            });
            None
        }
        Command::Verify if app.screen == Screen::Audit => Some(Effect::Verify),
        Command::NextPage if matches!(app.screen, Screen::History | Screen::Audit) => {
            // The next page, or back to the newest after the last one.
            let next = vm
                .member
                .as_ref()
                .map(|m| m.history_next)
                .or(vm.guardian.as_ref().map(|g| g.history_next))
                .flatten();
            app.gift.history_after = next;
            app.cursor = 0;
            Some(Effect::Reload)
        }
        _ => None,
    }
}

fn select(app: &mut App, vm: &ViewModel) -> Option<Effect> {
    match app.screen {
        Screen::Pick => {
            let member = vm.members.get(app.cursor)?;
            if member.has_pin {
                app.popup = Some(Popup::Pin {
                    purpose: PinFor::SignIn(member.id),
                    typed: String::new(),
                });
                None
            } else {
                Some(Effect::SignIn {
                    member: member.id,
                    pin: None,
                })
            }
        }
        Screen::Shop => {
            let pack = vm.member.as_ref()?.packs.get(app.cursor)?;
            app.popup = Some(Popup::Confirm(Effect::Buy {
                pack: pack.id.clone(),
            }));
            None
        }
        Screen::Gifts => {
            let creator = vm.member.as_ref()?.creators.get(app.gift.creator)?.clone();
            app.popup = Some(Popup::Confirm(Effect::Gift {
                creator,
                gift: app.gift.gift,
                count: app.gift.count,
            }));
            None
        }
        _ => None,
    }
}

fn update_popup(app: &mut App, popup: Popup, command: Command) -> Option<Effect> {
    match (popup, command) {
        (_, Command::Back) => {
            app.popup = None;
            None
        }
        (Popup::Help, _) => {
            app.popup = None;
            None
        }
        (Popup::Confirm(effect), Command::Select) => {
            app.popup = None;
            Some(effect)
        }
        (Popup::Pin { purpose, typed }, Command::Select) => {
            app.popup = None;
            Some(match purpose {
                PinFor::SignIn(member) => Effect::SignIn {
                    member,
                    pin: Some(typed),
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
            })
        }
        (Popup::Reason { request, typed }, Command::Select) if !typed.trim().is_empty() => {
            app.popup = Some(Popup::Pin {
                purpose: PinFor::Deny(request, typed),
                typed: String::new(),
            });
            None
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::view::sample;

    fn teen() -> App {
        App {
            who: Some((MemberId(2), "Sam".into(), false)),
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
        assert_eq!(update(&mut app, Command::Down, &vm), None);
        assert_eq!(update(&mut app, Command::Select, &vm), None);
        assert_eq!(
            app.popup,
            Some(Popup::Confirm(Effect::Buy {
                pack: "coins-350".into()
            }))
        );
        assert_eq!(
            update(&mut app, Command::Select, &vm),
            Some(Effect::Buy {
                pack: "coins-350".into()
            })
        );
        assert_eq!(app.popup, None);
        // Esc on the confirmation changes nothing.
        update(&mut app, Command::Select, &vm);
        assert_eq!(update(&mut app, Command::Back, &vm), None);
        assert_eq!(app.popup, None);
    }

    #[test]
    fn approving_takes_a_pin_for_that_one_request() {
        let vm = sample(true);
        let mut app = App {
            who: Some((MemberId(1), "Maria".into(), true)),
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
    fn denying_asks_a_reason_then_the_pin() {
        let vm = sample(true);
        let mut app = App {
            who: Some((MemberId(1), "Maria".into(), true)),
            screen: Screen::Approvals,
            ..App::default()
        };
        update(&mut app, Command::Deny, &vm);
        assert_eq!(
            update(&mut app, Command::Select, &vm),
            None,
            "an empty reason is not accepted"
        );
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
        assert_eq!((app.gift.count, app.gift.gift), (2, 1));
        assert_eq!(update(&mut app, Command::Less, &vm), Some(Effect::Reload));
        assert_eq!(update(&mut app, Command::Less, &vm), Some(Effect::Reload));
        assert_eq!(app.gift.count, 1, "never fewer than one");
        update(&mut app, Command::Select, &vm);
        assert_eq!(
            app.popup,
            Some(Popup::Confirm(Effect::Gift {
                creator: "Ana".into(),
                gift: 1,
                count: 1
            }))
        );
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
                member: MemberId(2),
                pin: None
            })
        );
        update(&mut app, Command::Quit, &vm);
        assert!(app.quit);
    }
}

#[cfg(test)]
mod paging_tests {
    use super::*;
    use crate::report::Cursor;
    use crate::tui::view::sample;

    #[test]
    fn n_pages_history_and_leaving_the_screen_goes_back_to_the_newest() {
        let mut vm = sample(false);
        let next = Cursor { at_us: 5, id: 9 };
        if let Some(m) = vm.member.as_mut() {
            m.history_next = Some(next);
        }
        let mut app = App {
            who: Some((MemberId(2), "Sam".into(), false)),
            screen: Screen::History,
            ..App::default()
        };
        assert_eq!(
            update(&mut app, Command::NextPage, &vm),
            Some(Effect::Reload)
        );
        assert_eq!(app.gift.history_after, Some(next));
        assert_eq!(
            update(&mut app, Command::NextScreen, &vm),
            Some(Effect::Reload)
        );
        assert_eq!(app.gift.history_after, None);
        // Elsewhere, n does nothing.
        assert_eq!(update(&mut app, Command::NextPage, &vm), None);
    }
}
