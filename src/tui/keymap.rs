//! One keymap table: it drives dispatch, the footer legend and the help popup,
//! so the three can never disagree.

use super::app::Screen;

/// What a key does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Command {
    NextScreen,
    PrevScreen,
    Up,
    Down,
    Left,
    Right,
    More,
    Less,
    Select,
    Back,
    Approve,
    Deny,
    NextPage,
    Verify,
    Filter,
    Export,
    AskAgain,
    CancelRequest,
    Remove,
    Acknowledge,
    AddMember,
    Help,
    Quit,
}

/// A key, a command, and words for people.
pub struct Binding {
    pub keys: &'static str,
    pub command: Command,
    pub help: &'static str,
    /// The screens it works on (empty: everywhere); help lists only the
    /// keys of the screen it is opened on.
    pub on: &'static [Screen],
    /// Shown in the footer (the rest only in help).
    pub in_footer: bool,
}

/// The bindings that work on `screen`, in table order.
pub fn for_screen(screen: Screen) -> impl Iterator<Item = &'static Binding> {
    KEYMAP
        .iter()
        .filter(move |b| b.on.is_empty() || b.on.contains(&screen))
}

pub const KEYMAP: &[Binding] = &[
    Binding {
        keys: "Tab",
        command: Command::NextScreen,
        help: "next screen",
        on: &[],
        in_footer: true,
    },
    Binding {
        keys: "Shift-Tab",
        command: Command::PrevScreen,
        help: "previous screen",
        on: &[],
        in_footer: false,
    },
    Binding {
        keys: "↑/k",
        command: Command::Up,
        help: "move up",
        on: &[],
        in_footer: false,
    },
    Binding {
        keys: "↓/j",
        command: Command::Down,
        help: "move down",
        on: &[],
        in_footer: true,
    },
    Binding {
        keys: "←/h",
        command: Command::Left,
        help: "previous choice (creator, member, audit log)",
        on: &[Screen::Gifts, Screen::Limits, Screen::Audit],
        in_footer: false,
    },
    Binding {
        keys: "→/l",
        command: Command::Right,
        help: "next choice (creator, member, audit log)",
        on: &[Screen::Gifts, Screen::Limits, Screen::Audit],
        in_footer: false,
    },
    Binding {
        keys: "+",
        command: Command::More,
        help: "one more gift",
        on: &[Screen::Gifts],
        in_footer: false,
    },
    Binding {
        keys: "-",
        command: Command::Less,
        help: "one gift fewer",
        on: &[Screen::Gifts],
        in_footer: false,
    },
    Binding {
        keys: "Enter",
        command: Command::Select,
        help: "choose / buy / send / confirm",
        on: &[],
        in_footer: true,
    },
    Binding {
        keys: "Esc",
        command: Command::Back,
        help: "back (close, cancel, or pick someone else)",
        on: &[],
        in_footer: true,
    },
    Binding {
        keys: "a",
        command: Command::Approve,
        help: "approve the selected request (PIN)",
        on: &[Screen::Approvals],
        in_footer: false,
    },
    Binding {
        keys: "d",
        command: Command::Deny,
        help: "deny the selected request (reason, PIN)",
        on: &[Screen::Approvals],
        in_footer: false,
    },
    Binding {
        keys: "n",
        command: Command::NextPage,
        help: "next page of history",
        on: &[Screen::History, Screen::Audit],
        in_footer: false,
    },
    Binding {
        keys: "v",
        command: Command::Verify,
        help: "check the whole record (audit)",
        on: &[Screen::Audit],
        in_footer: false,
    },
    Binding {
        keys: "/",
        command: Command::Filter,
        help: "filter history or audit (name, kind, outcome, date)",
        on: &[Screen::History, Screen::Audit],
        in_footer: false,
    },
    Binding {
        keys: "e",
        command: Command::Export,
        help: "export the ledger to a file (audit)",
        on: &[Screen::Audit],
        in_footer: false,
    },
    Binding {
        keys: "r",
        command: Command::AskAgain,
        help: "ask again, with a note (your requests)",
        on: &[Screen::Requests],
        in_footer: false,
    },
    Binding {
        keys: "c",
        command: Command::CancelRequest,
        help: "cancel a waiting request (your requests)",
        on: &[Screen::Requests],
        in_footer: false,
    },
    Binding {
        keys: "x",
        command: Command::Remove,
        help: "remove a limit or rule (limits)",
        on: &[Screen::Limits],
        in_footer: false,
    },
    Binding {
        keys: "o",
        command: Command::Acknowledge,
        help: "mark every alert as seen (PIN)",
        on: &[Screen::Dashboard, Screen::Audit],
        in_footer: false,
    },
    Binding {
        keys: "m",
        command: Command::AddMember,
        help: "add a teen or a creator (members, PIN)",
        on: &[Screen::Members],
        in_footer: false,
    },
    Binding {
        keys: "?",
        command: Command::Help,
        help: "help",
        on: &[],
        in_footer: true,
    },
    Binding {
        keys: "q",
        command: Command::Quit,
        help: "quit",
        on: &[],
        in_footer: true,
    },
];

/// The command for a key, if any.
pub fn command_for(code: &crossterm::event::KeyCode, shift: bool) -> Option<Command> {
    use crossterm::event::KeyCode;
    Some(match code {
        KeyCode::Tab if shift => Command::PrevScreen,
        KeyCode::BackTab => Command::PrevScreen,
        KeyCode::Tab => Command::NextScreen,
        KeyCode::Up | KeyCode::Char('k') => Command::Up,
        KeyCode::Down | KeyCode::Char('j') => Command::Down,
        KeyCode::Left | KeyCode::Char('h') => Command::Left,
        KeyCode::Right | KeyCode::Char('l') => Command::Right,
        KeyCode::Char('+') => Command::More,
        KeyCode::Char('-') => Command::Less,
        KeyCode::Enter => Command::Select,
        KeyCode::Esc => Command::Back,
        KeyCode::Char('a') => Command::Approve,
        KeyCode::Char('d') => Command::Deny,
        KeyCode::Char('n') => Command::NextPage,
        KeyCode::Char('v') => Command::Verify,
        KeyCode::Char('/') => Command::Filter,
        KeyCode::Char('e') => Command::Export,
        KeyCode::Char('r') => Command::AskAgain,
        KeyCode::Char('c') => Command::CancelRequest,
        KeyCode::Char('x') => Command::Remove,
        KeyCode::Char('o') => Command::Acknowledge,
        KeyCode::Char('m') => Command::AddMember,
        KeyCode::Char('?') => Command::Help,
        KeyCode::Char('q') => Command::Quit,
        _ => return None,
    })
}

/// The footer legend, short enough for 80 columns: the first word of each
/// footer binding's help ("Tab next · ↓/j move · ...").
pub fn footer() -> String {
    KEYMAP
        .iter()
        .filter(|b| b.in_footer)
        .map(|b| {
            format!(
                "{} {}",
                b.keys,
                b.help.split([' ', '/', '(']).next().unwrap_or_default()
            )
        })
        .collect::<Vec<_>>()
        .join(" · ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crossterm::event::KeyCode;

    #[test]
    fn every_binding_dispatches_to_its_command() {
        let key = |keys: &str| -> KeyCode {
            if keys == "/" {
                return KeyCode::Char('/');
            }
            match keys.split('/').next().unwrap_or_default() {
                "Tab" => KeyCode::Tab,
                "Shift-Tab" => KeyCode::BackTab,
                "↑" => KeyCode::Up,
                "↓" => KeyCode::Down,
                "←" => KeyCode::Left,
                "→" => KeyCode::Right,
                "Enter" => KeyCode::Enter,
                "Esc" => KeyCode::Esc,
                other => KeyCode::Char(other.chars().next().unwrap_or(' ')),
            }
        };
        for binding in KEYMAP {
            assert_eq!(
                command_for(&key(binding.keys), false),
                Some(binding.command),
                "{}",
                binding.keys
            );
        }
        assert_eq!(
            footer(),
            "Tab next · ↓/j move · Enter choose · Esc back · ? help · q quit"
        );
        assert!(footer().chars().count() <= 80);
        // Help for any screen fits an 80x24 terminal (22 lines inside a border).
        for screen in [
            Screen::Pick,
            Screen::Wallet,
            Screen::Shop,
            Screen::Gifts,
            Screen::Requests,
            Screen::History,
            Screen::Dashboard,
            Screen::Approvals,
            Screen::Members,
            Screen::Limits,
            Screen::Audit,
        ] {
            assert!(for_screen(screen).count() <= 22, "{screen:?}");
        }
        let audit: Vec<_> = for_screen(Screen::Audit).map(|b| b.keys).collect();
        assert!(audit.contains(&"e") && !audit.contains(&"a"), "{audit:?}");
    }
}
