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
//! What is watched, for a path with no symlink and no `..` on it, on a
//! local file system:
//!
//! - the file: its link count changing (removed, or replaced by a rename
//!   over it), the file renamed, the file deleted;
//! - every folder from its own up to `/`: the next name on the path made,
//!   removed or renamed in it (the file or a folder on the path replaced
//!   or moved), and the folder itself renamed or removed. Other names in
//!   those folders (`/tmp` and a home folder are busy) are let by.
//!
//! After any event that concerns the path, the store watches the path
//! afresh (as it is now) and then walks it: the walk decides, as before,
//! and a change after the new watch is reported to it.
//!
//! Walked on every write instead, never watched:
//! - a path through a symlink: the watches would sit on the link's target
//!   folder, not on the folders above it, and a change there would go
//!   unseen;
//! - a path with `..`, for the same reason;
//! - a file or folder on a file system that is not known to be local
//!   (NFS, SMB, FUSE: another host's changes are not reported);
//! - when the watch cannot be set up (the per-user inotify limit reached).
//!
//! What the kernel does not report even so: a file system mounted over a
//! folder on the path or over the file (a bind mount), and a file system
//! detached lazily (`umount -l`). Writes then go on into the file the store
//! opened, which is still whole on the file system underneath.

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

    /// Whether the path is watched at all (else it is walked on every write).
    pub(super) fn is_on(&self) -> bool {
        self.inotify.is_some()
    }

    /// Whether nothing that concerns the path was reported since the last
    /// call. `false` once something was: the caller watches afresh and
    /// walks the path, so what is left queued here does not matter.
    pub(super) fn quiet(&self) -> bool {
        let Some(inotify) = &self.inotify else {
            return false;
        };
        let mut waiting = [PollFd::new(inotify.as_fd(), PollFlags::POLLIN)];
        if matches!(poll(&mut waiting, PollTimeout::ZERO), Ok(0)) {
            return true;
        }
        // Events about other names: read and let by, so that the next write
        // is quiet again. A folder that never stops changing is not read
        // for ever: after a few reads it counts as a change.
        for _ in 0..8 {
            match inotify.read_events() {
                Ok(events) if events.is_empty() => return true,
                Ok(events) => {
                    if events.iter().any(|e| self.concerns_the_path(e)) {
                        return false;
                    }
                }
                // Nothing more to read (or the read failed: walk).
                Err(nix::errno::Errno::EAGAIN) => return true,
                Err(_) => return false,
            }
        }
        false
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
/// each folder it watches; an error for a path that is walked instead.
fn watch(path: &Path) -> std::io::Result<(Inotify, Vec<(WatchDescriptor, OsString)>)> {
    let absolute = std::path::absolute(path)?;
    if std::fs::canonicalize(&absolute)? != absolute {
        return Err(std::io::Error::other(
            "a path through a symlink or with `..` is walked, not watched",
        ));
    }
    local(&absolute)?;
    let inotify = Inotify::init(InitFlags::IN_NONBLOCK | InitFlags::IN_CLOEXEC)?;
    inotify.add_watch(
        &absolute,
        AddWatchFlags::IN_ATTRIB | AddWatchFlags::IN_MOVE_SELF | AddWatchFlags::IN_DELETE_SELF,
    )?;
    let folder_changes = AddWatchFlags::IN_CREATE
        | AddWatchFlags::IN_DELETE
        | AddWatchFlags::IN_MOVED_FROM
        | AddWatchFlags::IN_MOVED_TO
        | AddWatchFlags::IN_MOVE_SELF
        | AddWatchFlags::IN_DELETE_SELF
        | AddWatchFlags::IN_ONLYDIR;
    let mut names = Vec::new();
    let mut inner = absolute.as_path();
    while let (Some(folder), Some(name)) = (inner.parent(), inner.file_name()) {
        local(folder)?;
        let wd = inotify.add_watch(folder, folder_changes)?;
        names.push((wd, name.to_os_string()));
        inner = folder;
    }
    if inner != Path::new("/") {
        return Err(std::io::Error::other("the path does not lead up to /"));
    }
    Ok((inotify, names))
}

/// Whether `path` is on a file system whose every change the kernel
/// reports to inotify (a local one; an overlay reports the changes made
/// through it).
fn local(path: &Path) -> std::io::Result<()> {
    use nix::sys::statfs::{
        BTRFS_SUPER_MAGIC, EXT4_SUPER_MAGIC, F2FS_SUPER_MAGIC, OVERLAYFS_SUPER_MAGIC, TMPFS_MAGIC,
        XFS_SUPER_MAGIC, statfs,
    };
    let kind = statfs(path)?.filesystem_type();
    let known = [
        EXT4_SUPER_MAGIC,
        XFS_SUPER_MAGIC,
        BTRFS_SUPER_MAGIC,
        F2FS_SUPER_MAGIC,
        TMPFS_MAGIC,
        OVERLAYFS_SUPER_MAGIC,
    ];
    if known.contains(&kind) {
        Ok(())
    } else {
        Err(std::io::Error::other("not a file system known to be local"))
    }
}
