//! Where the household is: the household service at a socket, or a file
//! opened in this process. Chosen once per command, from (first wins):
//!
//! 1. `--db PATH` or `--socket PATH` on the command line (both at once is a
//!    usage error);
//! 2. `COINGUARD_DB` or `COINGUARD_SOCKET` in the environment (both set is a
//!    usage error; a command-line option overrides the other's variable);
//! 3. the household service, if its default socket exists;
//! 4. the file `household.db` in the platform data folder.
//!
//! `init` and `demo` always work on a file: they create it.

use std::path::{Path, PathBuf};

use super::{Args, CliError};
use crate::client::{DEFAULT_SOCKET, Household};
use crate::domain::Clock;

/// Where the household is answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Place {
    /// This process opens the file (embedded mode).
    File(PathBuf),
    /// The household service answers at this socket.
    Service(PathBuf),
}

/// An environment variable that is set and not empty.
fn env(name: &str) -> Option<PathBuf> {
    std::env::var_os(name)
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
}

/// Where this command's household is.
pub fn place(args: &Args) -> Result<Place, CliError> {
    choose(
        args.db.clone(),
        args.socket.clone(),
        env("COINGUARD_DB"),
        env("COINGUARD_SOCKET"),
        Path::new(DEFAULT_SOCKET).exists(),
    )
}

/// The rules above, given what was found (pure, for tests).
fn choose(
    db: Option<PathBuf>,
    socket: Option<PathBuf>,
    db_env: Option<PathBuf>,
    socket_env: Option<PathBuf>,
    default_socket_exists: bool,
) -> Result<Place, CliError> {
    match (db, socket) {
        (Some(_), Some(_)) => Err(CliError::Usage(
            "give --db (open a household file here) or --socket (talk to the household service), not both".into(),
        )),
        (Some(db), None) => Ok(Place::File(db)),
        (None, Some(socket)) => Ok(Place::Service(socket)),
        (None, None) => match (db_env, socket_env) {
            (Some(_), Some(_)) => Err(CliError::Usage(
                "COINGUARD_DB and COINGUARD_SOCKET are both set; unset one, or choose with --db PATH or --socket PATH".into(),
            )),
            (Some(db), None) => Ok(Place::File(db)),
            (None, Some(socket)) => Ok(Place::Service(socket)),
            (None, None) if default_socket_exists => {
                Ok(Place::Service(PathBuf::from(DEFAULT_SOCKET)))
            }
            (None, None) => Ok(Place::File(default_db_path())),
        },
    }
}

/// Reaches this command's household.
pub fn connect<'c>(args: &Args, clock: &'c dyn Clock) -> Result<Household<'c>, CliError> {
    Ok(match place(args)? {
        Place::File(path) => Household::open(&path, clock)?,
        Place::Service(socket) => Household::connect(&socket)?,
    })
}

/// The file `init` or `demo` creates: `--db`, else `COINGUARD_DB`, else
/// `default`. Naming a socket on the command line is a usage error (a
/// household is created as a file; the service then opens it).
pub fn file_to_create(args: &Args, default: PathBuf) -> Result<PathBuf, CliError> {
    if args.socket.is_some() {
        return Err(CliError::Usage(
            "init and demo create a household file: give --db PATH, not --socket (the household service opens a file made this way)".into(),
        ));
    }
    Ok(args
        .db
        .clone()
        .or_else(|| env("COINGUARD_DB"))
        .unwrap_or(default))
}

/// Where the household lives when nothing else is said: the platform data folder.
pub fn default_db_path() -> PathBuf {
    let base = std::env::var_os("XDG_DATA_HOME")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| {
            std::env::var_os("HOME").map(|home| {
                let home = PathBuf::from(home);
                if cfg!(target_os = "macos") {
                    home.join("Library/Application Support")
                } else {
                    home.join(".local/share")
                }
            })
        })
        .unwrap_or_else(|| PathBuf::from("."));
    base.join("coinguard").join("household.db")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_beat_variables_and_two_places_at_once_are_refused() {
        let p = |s: &str| Some(PathBuf::from(s));
        let file = |s: &str| Ok::<_, String>(Place::File(PathBuf::from(s)));
        let service = |s: &str| Ok::<_, String>(Place::Service(PathBuf::from(s)));
        let cases = [
            ((p("a.db"), None, None, None, true), file("a.db")),
            ((None, p("s.sock"), None, None, false), service("s.sock")),
            (
                (p("a.db"), p("s.sock"), None, None, false),
                Err("not both".into()),
            ),
            ((p("a.db"), None, None, p("e.sock"), false), file("a.db")),
            (
                (None, p("s.sock"), p("e.db"), None, false),
                service("s.sock"),
            ),
            ((None, None, p("e.db"), None, true), file("e.db")),
            ((None, None, None, p("e.sock"), false), service("e.sock")),
            (
                (None, None, p("e.db"), p("e.sock"), false),
                Err("both set".into()),
            ),
            ((None, None, None, None, true), service(DEFAULT_SOCKET)),
        ];
        for ((db, socket, db_env, socket_env, exists), expected) in cases {
            let got = choose(db, socket, db_env, socket_env, exists).map_err(|e| e.to_string());
            match (&got, &expected) {
                (Err(message), Err(part)) => assert!(message.contains(part.as_str()), "{message}"),
                _ => assert_eq!(got, expected),
            }
        }
        assert_eq!(
            choose(None, None, None, None, false).ok(),
            Some(Place::File(default_db_path()))
        );
    }
}
