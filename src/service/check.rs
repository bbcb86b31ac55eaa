//! `coinguard serve --check`: what is wrong with a household service's
//! setup, in words an administrator can act on. Run it as the service's
//! account (`sudo -u coinguard coinguard serve --check ...`): it looks at the
//! owners and modes of the folder, the file and the socket, whether the
//! service answers, and which members no OS account is linked to.

use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::os::unix::net::UnixStream;
use std::path::Path;

use super::peer;
use crate::domain::Role;
use crate::ledger::{self, Store};

/// One finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Finding {
    Ok(String),
    /// Works, but worth knowing (a member nobody can act as yet).
    Note(String),
    /// The setup does not protect the household, or does not work.
    Problem(String),
}

impl Finding {
    pub fn is_problem(&self) -> bool {
        matches!(self, Finding::Problem(_))
    }
}

fn mode_words(mode: u32) -> String {
    format!("{:04o}", mode & 0o7777)
}

/// Checks a path's owner and that nobody else may read or write it (no
/// group or other bits beyond those allowed in `others_may`).
fn private(path: &Path, what: &str, me: u32, others_may: u32, out: &mut Vec<Finding>) -> bool {
    match std::fs::symlink_metadata(path) {
        Err(e) => {
            out.push(Finding::Problem(format!("{what} {}: {e}", path.display())));
            false
        }
        Ok(meta) => {
            let mut fine = true;
            if meta.file_type().is_symlink() {
                out.push(Finding::Problem(format!(
                    "{what} {} is a symbolic link; give the real path",
                    path.display()
                )));
                return false;
            }
            if meta.uid() != me {
                fine = false;
                out.push(Finding::Problem(format!(
                    "{what} {} belongs to {}, not to {} (the service's account): sudo chown {} {}",
                    path.display(),
                    peer::user_name(meta.uid()),
                    peer::user_name(me),
                    peer::user_name(me),
                    path.display()
                )));
            }
            let extra = meta.mode() & 0o077 & !others_may;
            if extra != 0 {
                fine = false;
                let wanted = (meta.mode() & 0o700) | (meta.mode() & others_may);
                out.push(Finding::Problem(format!(
                    "{what} {} has mode {}: other accounts may {} it; sudo chmod {} {}",
                    path.display(),
                    mode_words(meta.mode()),
                    if extra & 0o022 != 0 { "change" } else { "read" },
                    mode_words(wanted),
                    path.display()
                )));
            }
            if fine {
                out.push(Finding::Ok(format!(
                    "{what} {} belongs to {} with mode {}",
                    path.display(),
                    peer::user_name(meta.uid()),
                    mode_words(meta.mode())
                )));
            }
            fine
        }
    }
}

/// Everything `serve --check` looks at, in order.
pub fn check(db: &Path, socket: &Path) -> Vec<Finding> {
    let mut out = Vec::new();
    let me = peer::current();
    if me.uid == 0 {
        out.push(Finding::Problem(
            "running as root: the service should run as its own account (coinguard), so that a fault in it cannot touch the rest of the computer; check again with sudo -u coinguard".into(),
        ));
    }
    let folder = db
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    private(folder, "the household's folder", me.uid, 0, &mut out);
    if private(db, "the household file", me.uid, 0, &mut out) {
        for suffix in ["-wal", "-shm"] {
            let mut side = db.as_os_str().to_owned();
            side.push(suffix);
            let side = std::path::PathBuf::from(side);
            if side.exists() {
                private(&side, "the household's journal", me.uid, 0, &mut out);
            }
        }
    }
    match std::fs::symlink_metadata(socket) {
        Err(_) => out.push(Finding::Problem(format!(
            "no socket at {}: the service is not running (sudo systemctl start coinguard)",
            socket.display()
        ))),
        Ok(meta) if !meta.file_type().is_socket() => out.push(Finding::Problem(format!(
            "{} is not a socket",
            socket.display()
        ))),
        Ok(meta) => {
            if meta.mode() & 0o006 != 0o006 {
                out.push(Finding::Problem(format!(
                    "the socket {} has mode {}: the household's accounts cannot reach it (the service sets 0666 itself; was it changed?)",
                    socket.display(),
                    mode_words(meta.mode())
                )));
            }
            match UnixStream::connect(socket) {
                Ok(_) => out.push(Finding::Ok(format!(
                    "the service answers on {}",
                    socket.display()
                ))),
                Err(e) => out.push(Finding::Problem(format!(
                    "nothing answers on {} ({e}): the service is not running (sudo systemctl start coinguard)",
                    socket.display()
                ))),
            }
        }
    }
    match Store::open(db) {
        Err(e) => out.push(Finding::Problem(e.to_string())),
        Ok(store) => links(&store, &mut out),
    }
    out
}

fn links(store: &Store, out: &mut Vec<Finding>) {
    let conn = store.conn();
    let (members, links) = match (ledger::list_members(conn), ledger::all_links(conn)) {
        (Ok(m), Ok(l)) => (m, l),
        (Err(e), _) | (_, Err(e)) => {
            out.push(Finding::Problem(e.to_string()));
            return;
        }
    };
    for m in &members {
        let accounts: Vec<&str> = links
            .iter()
            .filter(|(id, _)| *id == m.id)
            .map(|(_, user)| user.as_str())
            .collect();
        if accounts.is_empty() {
            let why = if m.role == Role::Guardian {
                "they cannot approve or change rules through the service"
            } else {
                "they cannot use the household through the service"
            };
            out.push(Finding::Note(format!(
                "no OS account is linked to {} ({}): {why}; link one with: coinguard member link {} --os-user USER",
                m.name, m.role, m.name
            )));
        }
        for user in accounts {
            match peer::uid_of(user) {
                Some(_) => out.push(Finding::Ok(format!("{user} acts as {}", m.name))),
                None => out.push(Finding::Problem(format!(
                    "{} is linked to the OS account {user}, which does not exist on this computer: coinguard member unlink {} --os-user {user}",
                    m.name, m.name
                ))),
            }
        }
    }
}
