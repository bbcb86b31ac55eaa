//! One keymap table: it drives dispatch, the footer legend and the help popup,
//! so the three can never disagree.

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
    /// Shown in the footer (the rest only in help).
    pub in_footer: bool,
}

pub const KEYMAP: &[Binding] = &[
    Binding {
        keys: "Tab",
        command: Command::NextScreen,
        help: "next screen",
        in_footer: true,
    },
    Binding {
        keys: "Shift-Tab",
        command: Command::PrevScreen,
        help: "previous screen",
        in_footer: false,
    },
    Binding {
        keys: "↑/k",
        command: Command::Up,
        help: "move up",
        in_footer: false,
    },
    Binding {
        keys: "↓/j",
        command: Command::Down,
        help: "move down",
        in_footer: true,
    },
    Binding {
        keys: "←/h",
        command: Command::Left,
        help: "previous choice (creator, member, audit log)",
        in_footer: false,
    },
    Binding {
        keys: "→/l",
        command: Command::Right,
        help: "next choice (creator, member, audit log)",
        in_footer: false,
    },
    Binding {
        keys: "+",
        command: Command::More,
        help: "one more gift",
        in_footer: false,
    },
    Binding {
        keys: "-",
        command: Command::Less,
        help: "one gift fewer",
        in_footer: false,
    },
    Binding {
        keys: "Enter",
        command: Command::Select,
        help: "choose / buy / send / confirm",
        in_footer: true,
    },
    Binding {
        keys: "Esc",
        command: Command::Back,
        help: "back (close, cancel, or pick someone else)",
        in_footer: true,
    },
    Binding {
        keys: "a",
        command: Command::Approve,
        help: "approve the selected request (PIN)",
        in_footer: false,
    },
    Binding {
        keys: "d",
        command: Command::Deny,
        help: "deny the selected request (reason, PIN)",
        in_footer: false,
    },
    Binding {
        keys: "n",
        command: Command::NextPage,
        help: "next page of history",
        in_footer: false,
    },
    Binding {
        keys: "v",
        command: Command::Verify,
        help: "check the whole record (audit)",
        in_footer: false,
    },
    Binding {
        keys: "/",
        command: Command::Filter,
        help: "filter history or audit (name, kind, outcome, date)",
        in_footer: false,
    },
    Binding {
        keys: "e",
        command: Command::Export,
        help: "export the ledger to a file (audit)",
        in_footer: false,
    },
    Binding {
        keys: "r",
        command: Command::AskAgain,
        help: "ask again, with a note (your requests)",
        in_footer: false,
    },
    Binding {
        keys: "c",
        command: Command::CancelRequest,
        help: "cancel a waiting request (your requests)",
        in_footer: false,
    },
    Binding {
        keys: "x",
        command: Command::Remove,
        help: "remove a limit or rule (limits)",
        in_footer: false,
    },
    Binding {
        keys: "o",
        command: Command::Acknowledge,
        help: "mark every alert as seen (dashboard, PIN)",
        in_footer: false,
    },
    Binding {
        keys: "m",
        command: Command::AddMember,
        help: "add a teen or a creator (members, PIN)",
        in_footer: false,
    },
    Binding {
        keys: "?",
        command: Command::Help,
        help: "help",
        in_footer: true,
    },
    Binding {
        keys: "q",
        command: Command::Quit,
        help: "quit",
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
    }
}
