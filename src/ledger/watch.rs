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
//! - every folder from its own up to `/`: the next name on the path made,
//!   removed or renamed in it (the file or a folder on the path replaced, a
//!   symlink on it pointed elsewhere), and the folder itself renamed or
//!   removed. Other names in those folders (`/tmp` and a home folder are
//!   busy) are not the path's business and are let by.
//!
//! Any such event, a lost event (the kernel's queue overflowed), or a watch
//! that could not be set up (the per-user inotify limit reached, a file
//! system without inotify) sends the write to the path walk as before:
//! events never decide that the file is gone, the walk does. One change the
//! kernel does not tell: a file system mounted over a folder on the path.
//! Writes then go on into the file the store opened, which is still whole
//! on the file system underneath.

use std::ffi::OsString;
use std::os::fd::AsFd;
use std::path::Path;

use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
use nix::sys::inotify::{AddWatchFlags, InitFlags, Inotify, InotifyEvent, WatchDescriptor};

/// The watch on a household file's path (none when it could not be set up).
pub(super) struct PathWatch {
    inotify: Option<Inotify>,
    /// Per folder watched, the name on the path inside it: only events
    /// about that name count. The file's own watch is not listed (all of
    /// its events count).
    names: Vec<(WatchDescriptor, OsString)>,
}

impl PathWatch {
    /// Watches `path` from now on. Set up before the store reads which file
    /// the path names, so that no change falls between the two.
    pub(super) fn new(path: &Path) -> PathWatch {
        match watch(path) {
            Ok((inotify, names)) => PathWatch {
                inotify: Some(inotify),
                names,
            },
            Err(_) => PathWatch {
                inotify: None,
                names: Vec::new(),
            },
        }
    }

    /// Whether nothing that concerns the path was reported since the last
    /// call. Reported events are read and dropped: when one concerned the
    /// path, the caller walks it once.
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
        let mut quiet = true;
        while let Ok(events) = inotify.read_events() {
            if events.is_empty() {
                break;
            }
            quiet &= events.iter().all(|e| !self.concerns_the_path(e));
        }
        quiet
    }

    fn concerns_the_path(&self, event: &InotifyEvent) -> bool {
        let about_a_name = AddWatchFlags::IN_CREATE
            | AddWatchFlags::IN_DELETE
            | AddWatchFlags::IN_MOVED_FROM
            | AddWatchFlags::IN_MOVED_TO;
        match &event.name {
            // Something about a name in a folder: only the path's own.
            Some(name) if about_a_name.intersects(event.mask) => self
                .names
                .iter()
                .any(|(wd, on_path)| *wd == event.wd && on_path == name),
            // The file itself, a folder itself, a lost event, a watch gone.
            _ => true,
        }
    }
}

/// The inotify instance watching `path`, and the name on the path inside
/// each folder it watches.
fn watch(path: &Path) -> std::io::Result<(Inotify, Vec<(WatchDescriptor, OsString)>)> {
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
    let absolute = std::path::absolute(path)?;
    let mut names = Vec::new();
    let mut inner = absolute.as_path();
    while let (Some(folder), Some(name)) = (inner.parent(), inner.file_name()) {
        let wd = inotify.add_watch(folder, folder_changes)?;
        names.push((wd, name.to_os_string()));
        inner = folder;
    }
    // A path the walk above cannot follow up to `/` (one with `..` in it)
    // is not watched: it is walked on every write instead.
    if inner != Path::new("/") {
        return Err(std::io::Error::other(
            "a path with `..` is walked, not watched",
        ));
    }
    Ok((inotify, names))
}
