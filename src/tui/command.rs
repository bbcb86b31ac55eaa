//! What keys do: the commands, and the one table of keys, help words and
//! footer words. Which commands work where is each screen's business
//! (`screens/`); this table only says which key is which command.

use crossterm::event::KeyCode;

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
    /// In the footer as (keys, word) (the rest only in help).
    pub footer: Option<(&'static str, &'static str)>,
}

/// The keys of `command`, as people read them ("/", "↓/j").
pub fn keys_of(command: Command) -> &'static str {
    KEYMAP
        .iter()
        .find(|b| b.command == command)
        .map_or("", |b| b.keys)
}

pub const KEYMAP: &[Binding] = &[
    Binding {
        keys: "Tab",
        codes: &[KeyCode::Tab],
        command: Command::NextScreen,
        help: "next screen",
        footer: Some(("Tab", "next")),
    },
    Binding {
        keys: "Shift-Tab",
        codes: &[KeyCode::BackTab],
        command: Command::PrevScreen,
        help: "previous screen",
        footer: None,
    },
    Binding {
        keys: "↑/k",
        codes: &[KeyCode::Up, KeyCode::Char('k')],
        command: Command::Up,
        help: "move up",
        footer: None,
    },
    Binding {
        keys: "↓/j",
        codes: &[KeyCode::Down, KeyCode::Char('j')],
        command: Command::Down,
        help: "move down",
        footer: Some(("↑/↓", "move")),
    },
    Binding {
        keys: "←/h",
        codes: &[KeyCode::Left, KeyCode::Char('h')],
        command: Command::Left,
        help: "previous choice (creator, member, audit log)",
        footer: Some(("←/→", "choose")),
    },
    Binding {
        keys: "→/l",
        codes: &[KeyCode::Right, KeyCode::Char('l')],
        command: Command::Right,
        help: "next choice (creator, member, audit log)",
        footer: None,
    },
    Binding {
        keys: "+",
        codes: &[KeyCode::Char('+')],
        command: Command::More,
        help: "one more gift",
        footer: Some(("+/-", "how many")),
    },
    Binding {
        keys: "-",
        codes: &[KeyCode::Char('-')],
        command: Command::Less,
        help: "one gift fewer",
        footer: None,
    },
    Binding {
        keys: "Enter",
        codes: &[KeyCode::Enter],
        command: Command::Select,
        help: "choose / open / buy / send / cash out / reverse / confirm",
        footer: Some(("Enter", "choose")),
    },
    Binding {
        keys: "Esc",
        codes: &[KeyCode::Esc],
        command: Command::Back,
        help: "back (close, cancel, or sign out to pick someone else)",
        footer: Some(("Esc", "back")),
    },
    Binding {
        keys: "a",
        codes: &[KeyCode::Char('a')],
        command: Command::Approve,
        help: "approve the selected request (PIN)",
        footer: Some(("a", "approve")),
    },
    Binding {
        keys: "d",
        codes: &[KeyCode::Char('d')],
        command: Command::Deny,
        help: "deny the selected request (reason, PIN)",
        footer: Some(("d", "deny")),
    },
    Binding {
        keys: "n",
        codes: &[KeyCode::Char('n')],
        command: Command::NextPage,
        help: "next page (after the last, back to the first)",
        footer: Some(("n", "next page")),
    },
    Binding {
        keys: "[",
        codes: &[KeyCode::Char('[')],
        command: Command::Earlier,
        help: "the chart's 14 days before (audit)",
        footer: None,
    },
    Binding {
        keys: "]",
        codes: &[KeyCode::Char(']')],
        command: Command::Later,
        help: "the chart's 14 days after, back to today (audit)",
        footer: None,
    },
    Binding {
        keys: "v",
        codes: &[KeyCode::Char('v')],
        command: Command::Verify,
        help: "check the whole record (audit)",
        footer: None,
    },
    Binding {
        keys: "/",
        codes: &[KeyCode::Char('/')],
        command: Command::Filter,
        help: "filter what is listed (the words it takes are below)",
        footer: Some(("/", "filter")),
    },
    Binding {
        keys: "e",
        codes: &[KeyCode::Char('e')],
        command: Command::Export,
        help: "export the ledger rows the filter shows to a file (audit)",
        footer: None,
    },
    Binding {
        keys: "r",
        codes: &[KeyCode::Char('r')],
        command: Command::AskAgain,
        help: "ask again, with a note (your requests)",
        footer: Some(("r", "ask again")),
    },
    Binding {
        keys: "c",
        codes: &[KeyCode::Char('c')],
        command: Command::CancelRequest,
        help: "cancel a waiting request (your requests)",
        footer: Some(("c", "cancel")),
    },
    Binding {
        keys: "x",
        codes: &[KeyCode::Char('x')],
        command: Command::Remove,
        help: "remove a limit or rule (limits)",
        footer: Some(("x", "remove")),
    },
    Binding {
        keys: "o",
        codes: &[KeyCode::Char('o')],
        command: Command::Acknowledge,
        help: "mark every alert as seen (PIN)",
        footer: None,
    },
    Binding {
        keys: "m",
        codes: &[KeyCode::Char('m')],
        command: Command::AddMember,
        help: "add a teen or a creator (members, PIN)",
        footer: Some(("m", "add")),
    },
    Binding {
        keys: "?",
        codes: &[KeyCode::Char('?')],
        command: Command::Help,
        help: "help",
        footer: Some(("?", "help")),
    },
    Binding {
        keys: "q",
        codes: &[KeyCode::Char('q')],
        command: Command::Quit,
        help: "quit",
        footer: Some(("q", "quit")),
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
