//! One keymap table: it drives dispatch, the footer legend and the help popup,
//! so the three can never disagree.

use crossterm::event::KeyCode;

use super::screen::Screen;

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
    Earlier,
    Later,
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
    /// The keys as people read them ("↑/k").
    pub keys: &'static str,
    /// The key codes that trigger it (Shift-Tab arrives as `BackTab`).
    pub codes: &'static [KeyCode],
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
        codes: &[KeyCode::Tab],
        command: Command::NextScreen,
        help: "next screen",
        on: &[],
        in_footer: true,
    },
    Binding {
        keys: "Shift-Tab",
        codes: &[KeyCode::BackTab],
        command: Command::PrevScreen,
        help: "previous screen",
        on: &[],
        in_footer: false,
    },
    Binding {
        keys: "↑/k",
        codes: &[KeyCode::Up, KeyCode::Char('k')],
        command: Command::Up,
        help: "move up",
        on: &[],
        in_footer: false,
    },
    Binding {
        keys: "↓/j",
        codes: &[KeyCode::Down, KeyCode::Char('j')],
        command: Command::Down,
        help: "move down",
        on: &[],
        in_footer: true,
    },
    Binding {
        keys: "←/h",
        codes: &[KeyCode::Left, KeyCode::Char('h')],
        command: Command::Left,
        help: "previous choice (creator, member, audit log)",
        on: &[Screen::Gifts, Screen::Limits, Screen::Audit],
        in_footer: false,
    },
    Binding {
        keys: "→/l",
        codes: &[KeyCode::Right, KeyCode::Char('l')],
        command: Command::Right,
        help: "next choice (creator, member, audit log)",
        on: &[Screen::Gifts, Screen::Limits, Screen::Audit],
        in_footer: false,
    },
    Binding {
        keys: "+",
        codes: &[KeyCode::Char('+')],
        command: Command::More,
        help: "one more gift",
        on: &[Screen::Gifts],
        in_footer: false,
    },
    Binding {
        keys: "-",
        codes: &[KeyCode::Char('-')],
        command: Command::Less,
        help: "one gift fewer",
        on: &[Screen::Gifts],
        in_footer: false,
    },
    Binding {
        keys: "Enter",
        codes: &[KeyCode::Enter],
        command: Command::Select,
        help: "choose / open / buy / send / cash out / confirm",
        on: &[],
        in_footer: true,
    },
    Binding {
        keys: "Esc",
        codes: &[KeyCode::Esc],
        command: Command::Back,
        help: "back (close, cancel, or pick someone else)",
        on: &[],
        in_footer: true,
    },
    Binding {
        keys: "a",
        codes: &[KeyCode::Char('a')],
        command: Command::Approve,
        help: "approve the selected request (PIN)",
        on: &[Screen::Approvals],
        in_footer: false,
    },
    Binding {
        keys: "d",
        codes: &[KeyCode::Char('d')],
        command: Command::Deny,
        help: "deny the selected request (reason, PIN)",
        on: &[Screen::Approvals],
        in_footer: false,
    },
    Binding {
        keys: "n",
        codes: &[KeyCode::Char('n')],
        command: Command::NextPage,
        help: "next page of history",
        on: &[Screen::History, Screen::Audit],
        in_footer: false,
    },
    Binding {
        keys: "[",
        codes: &[KeyCode::Char('[')],
        command: Command::Earlier,
        help: "the chart's 14 days before (audit)",
        on: &[Screen::Audit],
        in_footer: false,
    },
    Binding {
        keys: "]",
        codes: &[KeyCode::Char(']')],
        command: Command::Later,
        help: "the chart's 14 days after, back to today (audit)",
        on: &[Screen::Audit],
        in_footer: false,
    },
    Binding {
        keys: "v",
        codes: &[KeyCode::Char('v')],
        command: Command::Verify,
        help: "check the whole record (audit)",
        on: &[Screen::Audit],
        in_footer: false,
    },
    Binding {
        keys: "/",
        codes: &[KeyCode::Char('/')],
        command: Command::Filter,
        help: "filter what is listed (the words it takes are below)",
        on: &[Screen::History, Screen::Audit],
        in_footer: false,
    },
    Binding {
        keys: "e",
        codes: &[KeyCode::Char('e')],
        command: Command::Export,
        help: "export the ledger to a file (audit)",
        on: &[Screen::Audit],
        in_footer: false,
    },
    Binding {
        keys: "r",
        codes: &[KeyCode::Char('r')],
        command: Command::AskAgain,
        help: "ask again, with a note (your requests)",
        on: &[Screen::Requests],
        in_footer: false,
    },
    Binding {
        keys: "c",
        codes: &[KeyCode::Char('c')],
        command: Command::CancelRequest,
        help: "cancel a waiting request (your requests)",
        on: &[Screen::Requests],
        in_footer: false,
    },
    Binding {
        keys: "x",
        codes: &[KeyCode::Char('x')],
        command: Command::Remove,
        help: "remove a limit or rule (limits)",
        on: &[Screen::Limits],
        in_footer: false,
    },
    Binding {
        keys: "o",
        codes: &[KeyCode::Char('o')],
        command: Command::Acknowledge,
        help: "mark every alert as seen (PIN)",
        on: &[Screen::Dashboard, Screen::Audit],
        in_footer: false,
    },
    Binding {
        keys: "m",
        codes: &[KeyCode::Char('m')],
        command: Command::AddMember,
        help: "add a teen or a creator (members, PIN)",
        on: &[Screen::Members],
        in_footer: false,
    },
    Binding {
        keys: "?",
        codes: &[KeyCode::Char('?')],
        command: Command::Help,
        help: "help",
        on: &[],
        in_footer: true,
    },
    Binding {
        keys: "q",
        codes: &[KeyCode::Char('q')],
        command: Command::Quit,
        help: "quit",
        on: &[],
        in_footer: true,
    },
];

/// The command for a key, if any.
pub fn command_for(code: &KeyCode, shift: bool) -> Option<Command> {
    // Some terminals send Shift-Tab as Tab with the shift modifier.
    let code = match code {
        KeyCode::Tab if shift => &KeyCode::BackTab,
        other => other,
    };
    KEYMAP
        .iter()
        .find(|b| b.codes.contains(code))
        .map(|b| b.command)
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

/// The footer fitted to `width` columns: on a narrow terminal the entries
/// least needed go first (moving, going back, choosing, the next screen),
/// whole, so `? help` and `q quit` always show.
pub fn footer_for(width: usize) -> String {
    let mut entries: Vec<String> = footer().split(" · ").map(str::to_string).collect();
    for least in ["↓/j", "Esc", "Enter", "Tab"] {
        if entries.join(" · ").chars().count() <= width {
            break;
        }
        entries.retain(|e| !e.starts_with(least));
    }
    entries.join(" · ")
}

#[cfg(test)]
mod tests {
    use super::*;

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
        assert_eq!(footer_for(80), footer());
        assert_eq!(
            footer_for(60),
            "Tab next · Enter choose · Esc back · ? help · q quit"
        );
        assert_eq!(footer_for(20), "? help · q quit");
        assert_eq!(command_for(&KeyCode::Tab, true), Some(Command::PrevScreen));
        assert_eq!(command_for(&KeyCode::Char('z'), false), None);
        // Help for any screen fits an 80x24 terminal (22 lines inside a border).
        for screen in [
            Screen::Pick,
            Screen::Earnings,
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
