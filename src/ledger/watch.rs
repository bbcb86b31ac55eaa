//! Whether anything that could make the household's path name another
//! file happened since the last write: the kernel's word (inotify), so
//! that a write walks the path again only after something on it changed.
//!
//! Before each write the store makes sure its path still names the file it
//! opened: SQLite would go on writing into a removed or replaced file, and
//! every such write would be lost. Walking the path (`statx`) was the
//! costliest step a durable guarded commit adds: 3–4 µs of the 10 µs or so
//! the guard added (BENCHMARKS.md, issue 13, fifth round), because a
//! commit starts with the caches the previous commit's fsync left cold.
//! Asking whether an event is waiting is one `poll` that walks nothing.
//!
//! What is watched, for the path as given (made absolute, symlinks
//! followed as the path walk follows them):
//!
//! - the file: its link count changing (removed, or replaced by a rename
//!   over it), the file renamed, the file deleted;
//! - every folder from its own up to `/`: an entry made, removed or renamed
//!   in it (the file or a folder on the path replaced, a symlink on it
//!   pointed elsewhere), the folder itself renamed or removed.
//!
//! Any event, or a watch that could not be set up (the per-user inotify
//! limit reached, a file system without inotify), sends the write to the
//! path walk as before: events never decide that the file is gone, the
//! walk does. One change the kernel does not tell: a file system mounted
//! over a folder on the path. Writes then go on into the file the store
//! opened, which is still whole on the file system underneath.

use std::os::fd::AsFd;
use std::path::Path;

use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
use nix::sys::inotify::{AddWatchFlags, InitFlags, Inotify};

/// The watch on a household file's path (none when it could not be set up).
pub(super) struct PathWatch {
    inotify: Option<Inotify>,
}

impl PathWatch {
    /// Watches `path` from now on. Set up before the store reads which file
    /// the path names, so that no change falls between the two.
    pub(super) fn new(path: &Path) -> PathWatch {
        PathWatch {
            inotify: watch(path).ok(),
        }
    }

    /// Whether nothing was reported since the last call. Reported events
    /// are read and dropped: the caller walks the path once for them.
    pub(super) fn quiet(&self) -> bool {
        let Some(inotify) = &self.inotify else {
            return false;
        };
        let mut waiting = [PollFd::new(inotify.as_fd(), PollFlags::POLLIN)];
        if matches!(poll(&mut waiting, PollTimeout::ZERO), Ok(0)) {
            return true;
        }
        // Drained until the kernel has no more (a non-blocking read then
        // fails), so that the next write is quiet again.
        while inotify.read_events().is_ok_and(|events| !events.is_empty()) {}
        false
    }
}

fn watch(path: &Path) -> std::io::Result<Inotify> {
    let inotify = Inotify::init(InitFlags::IN_NONBLOCK | InitFlags::IN_CLOEXEC)?;
    inotify.add_watch(
        path,
        AddWatchFlags::IN_ATTRIB | AddWatchFlags::IN_MOVE_SELF | AddWatchFlags::IN_DELETE_SELF,
    )?;
    let folder_changes = AddWatchFlags::IN_CREATE
        | AddWatchFlags::IN_DELETE
        | AddWatchFlags::IN_MOVED_FROM
        | AddWatchFlags::IN_MOVED_TO
        | AddWatchFlags::IN_MOVE_SELF
        | AddWatchFlags::IN_DELETE_SELF
        | AddWatchFlags::IN_ONLYDIR;
    for folder in std::path::absolute(path)?.ancestors().skip(1) {
        inotify.add_watch(folder, folder_changes)?;
    }
    Ok(inotify)
}
