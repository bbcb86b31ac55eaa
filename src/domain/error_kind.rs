//! One answer to "what kind of failure was this?", for every error the
//! library returns: the command line turns it into an exit code and the
//! `kind` of its JSON error document, and the household service sends it
//! over the wire. Each error type says its kind in one place (`kind()`),
//! so the exit code and the JSON can never disagree.

use serde::{Deserialize, Serialize};

/// The class of a failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// Something typed is not valid (an amount, a date, a name, a key).
    BadInput,
    /// Arguments the command line could not make sense of.
    Usage,
    /// A configuration file has an error (its file, line and key named).
    Config,
    /// What was named does not exist (a member, a pack, a request).
    NotFound,
    /// It exists but cannot be done now (a request no longer pending, a key
    /// used for something else, a transaction already reversed).
    Conflict,
    /// A wrong PIN, a locked account, or no PIN set.
    Auth,
    /// This account may not do that (a teen acting as someone else).
    Forbidden,
    /// The household file is missing, damaged, foreign or newer.
    Household,
    /// The household service is not running or cannot be reached.
    Unavailable,
    /// The disk, the database engine, or something that should not happen.
    Other,
}

impl ErrorKind {
    /// SPEC section 7: 2 bad input or usage, 5 authentication, 6 the
    /// service unreachable, 1 anything else.
    pub fn exit_code(self) -> u8 {
        match self {
            ErrorKind::BadInput
            | ErrorKind::Usage
            | ErrorKind::Config
            | ErrorKind::NotFound
            | ErrorKind::Conflict
            | ErrorKind::Forbidden
            | ErrorKind::Household => 2,
            ErrorKind::Auth => 5,
            ErrorKind::Unavailable => 6,
            ErrorKind::Other => 1,
        }
    }

    /// The word in a JSON error document.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::BadInput => "bad_input",
            ErrorKind::Usage => "usage",
            ErrorKind::Config => "config",
            ErrorKind::NotFound => "not_found",
            ErrorKind::Conflict => "conflict",
            ErrorKind::Auth => "auth",
            ErrorKind::Forbidden => "forbidden",
            ErrorKind::Household => "household",
            ErrorKind::Unavailable => "unavailable",
            ErrorKind::Other => "other",
        }
    }
}
