//! The screens, and the order Tab visits them in for each kind of person.

/// The screens, in Tab order for each kind of person.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Screen {
    Pick,
    /// A creator's diamonds, what they pay out, and cashing out.
    Earnings,
    Wallet,
    Shop,
    Gifts,
    Requests,
    History,
    Dashboard,
    Approvals,
    Members,
    Limits,
    Audit,
}

pub const MEMBER_SCREENS: [Screen; 5] = [
    Screen::Wallet,
    Screen::Shop,
    Screen::Gifts,
    Screen::Requests,
    Screen::History,
];
/// A creator's screens: their earnings first, then what any member has.
pub const CREATOR_SCREENS: [Screen; 6] = [
    Screen::Earnings,
    Screen::Wallet,
    Screen::Shop,
    Screen::Gifts,
    Screen::Requests,
    Screen::History,
];
pub const GUARDIAN_SCREENS: [Screen; 5] = [
    Screen::Dashboard,
    Screen::Approvals,
    Screen::Members,
    Screen::Limits,
    Screen::Audit,
];

impl Screen {
    pub fn title(&self) -> &'static str {
        match self {
            Screen::Pick => "Who are you?",
            Screen::Earnings => "Earnings",
            Screen::Wallet => "Wallet",
            Screen::Shop => "Shop",
            Screen::Gifts => "Gifts",
            Screen::Requests => "Requests",
            Screen::History => "History",
            Screen::Dashboard => "Dashboard",
            Screen::Approvals => "Approvals",
            Screen::Members => "Members",
            Screen::Limits => "Limits",
            Screen::Audit => "Audit",
        }
    }
}
