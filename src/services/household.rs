//! Creating a household with its first guardian.

use std::path::{Path, PathBuf};

use crate::auth::{self, Pin};
use crate::config::Config;
use crate::domain::{Clock, Name};
use crate::ledger::{self, LedgerError, Store};

use super::ServiceError;

/// Creates the database with its first guardian and their PIN (hashed with
/// argon2id). The household is made whole in a hidden file beside `path`
/// and only then linked to `path` (a hard link, which like the file's own
/// creation refuses an existing file atomically), so a process killed
/// halfway (power cut, `kill -9`) never leaves a household without its
/// guardian at `path`, one that `init` would then refuse to make again;
/// at worst the hidden file stays behind. On any failure the hidden file is
/// removed.
pub fn init_household(
    path: &Path,
    config: &Config,
    guardian: &Name,
    pin: &Pin,
    clock: &dyn Clock,
) -> Result<Store, ServiceError> {
    // Said before the (slow) PIN hash and any file is made; the link below
    // refuses a file that appears meanwhile.
    if std::fs::symlink_metadata(path).is_ok() {
        return Err(LedgerError::AlreadyExists {
            path: path.to_path_buf(),
        }
        .into());
    }
    let phc = auth::hash_pin(pin)?;
    let (recipe, derived) = auth::new_seal_key(pin)?;
    let partial = partial_path(path);
    let remove_partial = || {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", partial.display()));
        }
    };
    // A leftover from an init killed with this same process id.
    remove_partial();
    let made = Store::create(&partial, config, clock.now()).and_then(|mut store| {
        // The first guardian's first seal covers the household as it begins.
        store.write(clock, |w| {
            let id = ledger::found_household(w, guardian, &phc)?;
            let key = ledger::add_seal_key(w, id, &recipe, derived)?;
            w.seal_also_with(&key);
            Ok::<_, LedgerError>(id)
        })?;
        Ok(store)
    });
    match made {
        // Closing the last connection checkpoints the WAL into the file
        // and removes it: the file alone is the whole household.
        Ok(store) => drop(store),
        Err(e) => {
            remove_partial();
            return Err(about(path, &partial, e).into());
        }
    }
    let wal = PathBuf::from(format!("{}-wal", partial.display()));
    let placed = if wal.exists() {
        Err(LedgerError::Io {
            path: path.to_path_buf(),
            message: "the new household's write-ahead log was not folded into it".into(),
        })
    } else {
        place(&partial, path)
    };
    remove_partial();
    placed?;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        // The new name survives a power cut too.
        if let Ok(dir) = std::fs::File::open(dir) {
            let _ = dir.sync_all();
        }
    }
    Ok(Store::open(path)?)
}

/// The hidden file a household is made in before it takes its name.
fn partial_path(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map_or_else(|| "household".into(), |n| n.to_string_lossy());
    path.with_file_name(format!(".{name}.init-{}", std::process::id()))
}

/// Gives the made household its name, never over an existing file.
pub(super) fn place(partial: &Path, path: &Path) -> Result<(), LedgerError> {
    match std::fs::hard_link(partial, path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            Err(LedgerError::AlreadyExists {
                path: path.to_path_buf(),
            })
        }
        // A file system without hard links: a rename, which would replace
        // a file made in the last moment, so look once more first.
        Err(_) if std::fs::symlink_metadata(path).is_err() => std::fs::rename(partial, path)
            .map_err(|e| LedgerError::Io {
                path: path.to_path_buf(),
                message: e.to_string(),
            }),
        Err(_) => Err(LedgerError::AlreadyExists {
            path: path.to_path_buf(),
        }),
    }
}

/// An error about the hidden file, told about the file the person named.
pub(super) fn about(path: &Path, partial: &Path, error: LedgerError) -> LedgerError {
    match error {
        LedgerError::Io { path: p, message } if p == partial => LedgerError::Io {
            path: path.to_path_buf(),
            message,
        },
        LedgerError::AlreadyExists { path: p } if p == partial => LedgerError::AlreadyExists {
            path: path.to_path_buf(),
        },
        other => other,
    }
}
