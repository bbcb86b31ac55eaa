//! A write checks that the household's path still names the file the store
//! opened, walking the path only when the kernel reported a change on it
//! (`ledger::watch`). Each way of taking the file away from its path stops
//! writes that would be lost; a quiet path is not walked at all.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use coinguard::domain::FixedClock;
use coinguard::ledger::{LedgerError, Store};
use coinguard::services::{self, Mode, PurchaseRequest, ServiceError};

use crate::support::Household;

/// The fixture household, closed (so its file holds everything), its
/// folder, its file and its clock.
fn closed_household() -> (tempfile::TempDir, std::path::PathBuf, FixedClock) {
    let Household { dir, store, clock } = Household::new();
    drop(store);
    let file = dir.path().join("household.db");
    (dir, file, clock)
}

/// A copy of the closed household `file` made in `folder` (made too),
/// and a store open on it.
fn copied_into(file: &Path, folder: &Path) -> Store {
    std::fs::create_dir_all(folder).unwrap();
    std::fs::copy(file, folder.join("household.db")).unwrap();
    Store::open(&folder.join("household.db")).unwrap()
}

/// Sam buys the 70-coin pack through `store`, a minute after the last.
fn buy(store: &mut Store, clock: &FixedClock) -> Result<(), ServiceError> {
    clock.advance(chrono::TimeDelta::minutes(1));
    let request = PurchaseRequest::Pack {
        member: "Sam",
        pack: "coins-70",
        key: None,
    };
    let outcome = services::purchase(store, clock, Mode::Commit, &request)?;
    assert!(outcome.is_committed(), "{outcome:?}");
    Ok(())
}

fn refused_as_gone(result: Result<(), ServiceError>) {
    match result {
        Err(ServiceError::Ledger(LedgerError::FileGone { .. })) => {}
        other => panic!("expected the file to be gone, got {other:?}"),
    }
}

/// Transactions in the household file at `path`, read afresh.
fn transactions(path: &Path) -> i64 {
    Store::open(path)
        .unwrap()
        .conn()
        .query_row("SELECT COUNT(*) FROM transactions", [], |r| r.get(0))
        .unwrap()
}

#[test]
fn a_quiet_path_is_not_walked_and_a_change_on_it_is_walked_once() {
    let (dir, file, clock) = closed_household();
    let mut store = Store::open(&file).unwrap();
    for _ in 0..5 {
        buy(&mut store, &clock).unwrap();
    }
    assert_eq!(store.path_walks(), 0, "nothing changed on the path");
    // A change that leaves the file where it is: walked once, then quiet.
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();
    buy(&mut store, &clock).unwrap();
    assert_eq!(store.path_walks(), 1);
    buy(&mut store, &clock).unwrap();
    assert_eq!(store.path_walks(), 1);
    // Other names beside it are not the path's business: no walk.
    std::fs::write(dir.path().join("notes.txt"), "a backup is due").unwrap();
    std::fs::rename(dir.path().join("notes.txt"), dir.path().join("old.txt")).unwrap();
    buy(&mut store, &clock).unwrap();
    assert_eq!(store.path_walks(), 1);
    // A path with `..` in it is walked on every write instead.
    let roundabout = dir.path().join("sub");
    std::fs::create_dir(&roundabout).unwrap();
    let mut other = Store::open(&roundabout.join("..").join("household.db")).unwrap();
    buy(&mut other, &clock).unwrap();
    buy(&mut other, &clock).unwrap();
    assert_eq!(other.path_walks(), 2);
    drop((store, other));
    assert_eq!(transactions(&file), 10);
}

#[test]
fn a_file_renamed_in_its_folder_takes_no_more_writes() {
    let (dir, file, clock) = closed_household();
    let mut store = Store::open(&file).unwrap();
    buy(&mut store, &clock).unwrap();
    let moved = dir.path().join("renamed.db");
    std::fs::rename(&file, &moved).unwrap();
    // Its WAL keeps the old name: a commit into it would be lost to
    // anyone opening the renamed file (SQLite does not even fold the WAL
    // into a moved file when it closes).
    refused_as_gone(buy(&mut store, &clock));
    // Said again on the next write, though the change was reported once.
    refused_as_gone(buy(&mut store, &clock));
    drop(store);
    // Named back, beside its WAL: the commit before the rename, and no other.
    std::fs::rename(&moved, &file).unwrap();
    assert_eq!(transactions(&file), 1);
}

#[test]
fn a_file_replaced_by_another_renamed_over_it_takes_no_more_writes() {
    let (dir, file, clock) = closed_household();
    let copy = dir.path().join("copy.db");
    std::fs::copy(&file, &copy).unwrap();
    let mut store = Store::open(&file).unwrap();
    buy(&mut store, &clock).unwrap();
    std::fs::rename(&copy, &file).unwrap();
    refused_as_gone(buy(&mut store, &clock));
}

#[test]
fn a_symlink_on_the_path_pointed_elsewhere_takes_no_more_writes() {
    let (_dir, file, clock) = closed_household();
    let top = tempfile::tempdir().unwrap();
    let (first, second) = (top.path().join("first"), top.path().join("second"));
    std::fs::create_dir(&first).unwrap();
    std::fs::create_dir(&second).unwrap();
    std::fs::copy(&file, first.join("household.db")).unwrap();
    std::fs::copy(&file, second.join("household.db")).unwrap();
    let link = top.path().join("current");
    std::os::unix::fs::symlink(&first, &link).unwrap();
    let mut store = Store::open(&link.join("household.db")).unwrap();
    // A path through a symlink is walked on every write: a watch would sit
    // on the link's target, and miss a change in the folders above it.
    buy(&mut store, &clock).unwrap();
    buy(&mut store, &clock).unwrap();
    assert_eq!(store.path_walks(), 2);
    // Pointed at the other folder the way a deploy does: a new link
    // renamed over the old one.
    let next = top.path().join("next");
    std::os::unix::fs::symlink(&second, &next).unwrap();
    std::fs::rename(&next, &link).unwrap();
    refused_as_gone(buy(&mut store, &clock));
    drop(store);
    assert_eq!(transactions(&first.join("household.db")), 2);
    assert_eq!(transactions(&second.join("household.db")), 0);
}

#[test]
fn a_folder_on_the_path_moved_away_takes_no_more_writes() {
    let (_dir, file, clock) = closed_household();
    let top = tempfile::tempdir().unwrap();
    let folder = top.path().join("state");
    let mut store = copied_into(&file, &folder);
    buy(&mut store, &clock).unwrap();
    std::fs::rename(&folder, top.path().join("state-old")).unwrap();
    refused_as_gone(buy(&mut store, &clock));
}

#[test]
fn a_file_deleted_takes_no_more_writes() {
    let (_dir, file, clock) = closed_household();
    let mut store = Store::open(&file).unwrap();
    buy(&mut store, &clock).unwrap();
    std::fs::remove_file(&file).unwrap();
    refused_as_gone(buy(&mut store, &clock));
}

#[test]
fn a_folder_further_up_the_path_renamed_takes_no_more_writes() {
    let (_dir, file, clock) = closed_household();
    let top = tempfile::tempdir().unwrap();
    let mut store = copied_into(&file, &top.path().join("home").join("state"));
    buy(&mut store, &clock).unwrap();
    assert_eq!(store.path_walks(), 0);
    std::fs::rename(top.path().join("home"), top.path().join("home-old")).unwrap();
    refused_as_gone(buy(&mut store, &clock));
}

/// A change the walk accepts (the folder moved and a symlink left in its
/// place) leaves the old watches on folders no longer on the path: the
/// path is watched afresh, here walked from then on, so a later change is
/// still caught.
#[test]
fn a_change_the_walk_accepts_is_followed_by_a_fresh_watch() {
    let (_dir, file, clock) = closed_household();
    let top = tempfile::tempdir().unwrap();
    let state = top.path().join("state");
    let mut store = copied_into(&file, &state);
    buy(&mut store, &clock).unwrap();
    assert_eq!(store.path_walks(), 0);
    let elsewhere = top.path().join("disk");
    std::fs::create_dir(&elsewhere).unwrap();
    std::fs::rename(&state, elsewhere.join("state")).unwrap();
    std::os::unix::fs::symlink(elsewhere.join("state"), &state).unwrap();
    // The same file at the same path: the write goes ahead.
    buy(&mut store, &clock).unwrap();
    assert_eq!(store.path_walks(), 1);
    // The folder the symlink leads to moved away: caught.
    std::fs::rename(&elsewhere, top.path().join("disk-old")).unwrap();
    refused_as_gone(buy(&mut store, &clock));
}
