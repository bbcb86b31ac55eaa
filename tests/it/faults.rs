//! Faults of the disk under a running household service: the disk full in
//! the middle of commits, the file system turned read-only, the household's
//! folder removed. Each leaves the household consistent, is said in words a
//! parent understands, and spending resumes when the fault is gone. Uses a
//! small tmpfs the test mounts (CI runs as root).

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{Value, json};

use crate::service::{Client, Service};
use crate::support::Household;

/// A tmpfs of `size` mounted for one test, unmounted when dropped.
struct Tmpfs {
    _dir: tempfile::TempDir,
    mount: PathBuf,
}

impl Tmpfs {
    fn new(size: &str) -> Tmpfs {
        assert!(
            nix::unistd::Uid::effective().is_root(),
            "this test mounts a tmpfs and must run as root (CI does)"
        );
        let dir = tempfile::tempdir().unwrap();
        let mount = dir.path().join("disk");
        std::fs::create_dir(&mount).unwrap();
        let ok = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "none"])
            .arg(&mount)
            .status()
            .unwrap()
            .success();
        assert!(ok, "mount tmpfs");
        Tmpfs { _dir: dir, mount }
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.mount).status();
    }
}

/// The test household (Maria; Sam, Lee; Ana, Bo), copied into `dir`.
fn household_in(dir: &Path) -> PathBuf {
    let h = Household::new();
    let from = h.path();
    drop(h.store);
    let db = dir.join("household.db");
    std::fs::copy(&from, &db).unwrap();
    // On the disk for real, as a household file made long ago is: a disk
    // fault must not be able to take the copy itself.
    std::fs::File::open(&db).unwrap().sync_all().unwrap();
    std::fs::File::open(dir).unwrap().sync_all().unwrap();
    db
}

fn buy(key: &str) -> Value {
    json!({"call": "spend", "spend": {"what": "pack", "member": "Lee", "pack": "coins-70"},
           "preview": false, "key": key, "pin": null})
}

fn committed(db: &Path, key: &str) -> i64 {
    let store = coinguard::ledger::Store::open(db).unwrap();
    store
        .conn()
        .query_row(
            "SELECT COUNT(*) FROM transactions WHERE idem_key = ?1",
            [key],
            |r| r.get(0),
        )
        .unwrap()
}

fn verify_ok(db: &Path) {
    let store = coinguard::ledger::Store::open(db).unwrap();
    assert_eq!(
        coinguard::ledger::verify(store.conn()).unwrap().problem,
        None
    );
}

fn message(answer: &Value) -> &str {
    answer["error"]["message"].as_str().unwrap_or_default()
}

#[test]
fn a_full_disk_refuses_commits_whole_and_spending_resumes_when_space_is_freed() {
    let disk = Tmpfs::new("6m");
    let db = household_in(&disk.mount);
    let sockets = tempfile::tempdir().unwrap();
    let service = Service::start(&db, &sockets.path().join("s.sock"), &[]);
    let mut client = Client::connect(&service.socket);
    assert_eq!(client.send(&buy("before"))["ok"]["outcome"], "allow");
    // Fill the disk to the last byte.
    let filler = disk.mount.join("filler");
    let _ = Command::new("dd")
        .args(["if=/dev/zero", "bs=64k"])
        .arg(format!("of={}", filler.display()))
        .output()
        .unwrap();
    // Commits go on while the journal has room, then each is refused whole.
    let mut refused = None;
    let mut done = Vec::new();
    for i in 0..2_000 {
        let key = format!("full-{i}");
        let answer = client.send(&buy(&key));
        if answer["ok"]["outcome"] == "allow" {
            done.push(key);
            continue;
        }
        refused = Some((key, answer));
        break;
    }
    let (key, answer) = refused.expect("a full disk refuses a commit");
    assert!(
        message(&answer).contains("disk that holds the household is full"),
        "{answer}"
    );
    assert!(message(&answer).contains("nothing was written"), "{answer}");
    // The service stays up and answers reads.
    let wallet = client.send(&json!({"call": "wallet", "member": "Lee"}));
    assert_eq!(wallet["ok"]["reply"], "wallet", "{wallet}");
    // Space again: the same key goes through, once.
    std::fs::remove_file(&filler).unwrap();
    let again = client.send(&buy(&key));
    assert_eq!(again["ok"]["outcome"], "allow", "{again}");
    drop(client);
    drop(service);
    assert_eq!(committed(&db, &key), 1);
    for key in &done {
        assert_eq!(committed(&db, key), 1, "{key}");
    }
    verify_ok(&db);
}

/// An ext4 file system in a file, on a loop device, that turns itself
/// read-only on an error as real disks do (`errors=remount-ro`).
struct Ext4 {
    dir: tempfile::TempDir,
    mount: PathBuf,
}

impl Ext4 {
    fn new() -> Ext4 {
        assert!(
            nix::unistd::Uid::effective().is_root(),
            "must run as root (CI does)"
        );
        let dir = tempfile::tempdir().unwrap();
        let image = dir.path().join("disk.img");
        let file = std::fs::File::create(&image).unwrap();
        file.set_len(32 * 1024 * 1024).unwrap();
        drop(file);
        let ok = Command::new("mkfs.ext4")
            .arg("-q")
            .arg(&image)
            .status()
            .unwrap()
            .success();
        assert!(ok, "mkfs.ext4");
        let mount = dir.path().join("disk");
        std::fs::create_dir(&mount).unwrap();
        let ext4 = Ext4 { dir, mount };
        ext4.mount();
        ext4
    }

    fn mount(&self) {
        let ok = Command::new("mount")
            .args(["-o", "loop,errors=remount-ro"])
            .arg(self.dir.path().join("disk.img"))
            .arg(&self.mount)
            .status()
            .unwrap()
            .success();
        assert!(ok, "mount the ext4 image");
    }

    /// The kernel's own "this file system has an error": it turns read-only
    /// at once, with files open for writing (as after a disk fault).
    fn fail(&self) {
        let source = Command::new("findmnt")
            .args(["-n", "-o", "SOURCE"])
            .arg(&self.mount)
            .output()
            .unwrap();
        let device = String::from_utf8_lossy(&source.stdout)
            .trim()
            .trim_start_matches("/dev/")
            .to_string();
        std::fs::write(
            format!("/sys/fs/ext4/{device}/trigger_fs_error"),
            "coinguard test\n",
        )
        .unwrap();
    }

    /// What an administrator does after: unmount, check, mount again.
    fn repair(&self) {
        assert!(
            Command::new("umount")
                .arg(&self.mount)
                .status()
                .unwrap()
                .success()
        );
        let _ = Command::new("e2fsck")
            .args(["-fy"])
            .arg(self.dir.path().join("disk.img"))
            .output();
        self.mount();
    }
}

impl Drop for Ext4 {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.mount).status();
    }
}

#[test]
fn a_disk_turned_read_only_refuses_commits_whole_and_spending_resumes_after_repair() {
    let disk = Ext4::new();
    let db = household_in(&disk.mount);
    let sockets = tempfile::tempdir().unwrap();
    let socket = sockets.path().join("s.sock");
    let service = Service::start(&db, &socket, &[]);
    let mut client = Client::connect(&service.socket);
    assert_eq!(client.send(&buy("before"))["ok"]["outcome"], "allow");
    disk.fail();
    let answer = client.send(&buy("while-ro"));
    assert!(
        answer["error"].is_object(),
        "a read-only disk takes no commit: {answer}"
    );
    // ext4 marks itself read-only after an error without changing the
    // mount's flags, so what SQLite meets is a write error of the disk.
    assert!(
        message(&answer).contains("disk that holds the household reported an error")
            && message(&answer).contains("nothing was written"),
        "said in words: {answer}"
    );
    let wallet = client.send(&json!({"call": "wallet", "member": "Lee"}));
    assert_eq!(wallet["ok"]["reply"], "wallet", "reads go on: {wallet}");
    drop(client);
    let (status, log) = service.wait_after_term(std::time::Duration::from_secs(10));
    assert!(status.success(), "{status:?} {log}");
    disk.repair();
    let service = Service::start(&db, &socket, &[]);
    let mut client = Client::connect(&service.socket);
    let again = client.send(&buy("while-ro"));
    assert_eq!(again["ok"]["outcome"], "allow", "{again}");
    drop(client);
    drop(service);
    assert_eq!(committed(&db, "before"), 1);
    assert_eq!(committed(&db, "while-ro"), 1);
    verify_ok(&db);
}

#[test]
fn a_removed_folder_stops_writes_that_would_be_lost_and_a_restored_file_is_used_again() {
    let disk = Tmpfs::new("16m");
    let folder = disk.mount.join("state");
    std::fs::create_dir(&folder).unwrap();
    let db = household_in(&folder);
    let backup = disk.mount.join("backup.db");
    std::fs::copy(&db, &backup).unwrap();
    let sockets = tempfile::tempdir().unwrap();
    let service = Service::start(&db, &sockets.path().join("s.sock"), &[]);
    let mut client = Client::connect(&service.socket);
    std::fs::remove_dir_all(&folder).unwrap();
    let answer = client.send(&buy("into-the-void"));
    assert_eq!(answer["error"]["kind"], "household", "{answer}");
    assert!(
        message(&answer).contains("was removed or replaced"),
        "{answer}"
    );
    // Put back (a backup): new connections use it.
    std::fs::create_dir(&folder).unwrap();
    std::fs::copy(&backup, &db).unwrap();
    let mut fresh = Client::connect(&service.socket);
    let answer = fresh.send(&buy("after-restore"));
    assert_eq!(answer["ok"]["outcome"], "allow", "{answer}");
    drop(fresh);
    drop(client);
    drop(service);
    assert_eq!(committed(&db, "after-restore"), 1);
    assert_eq!(committed(&db, "into-the-void"), 0);
    verify_ok(&db);
}
