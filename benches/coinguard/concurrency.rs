//! Throughput with 2, 4 and 8 processes committing guarded purchases against
//! one database at once (WAL, 10 s busy timeout, BEGIN IMMEDIATE). Every
//! child must finish every commit: a "database is locked" would fail it.

use std::path::Path;
use std::process::{Command, Stdio};

use coinguard::domain::SystemClock;
use coinguard::ledger::Store;
use coinguard::services::{self, Mode, PurchaseRequest};
use divan::Bencher;

use crate::history::{self, DENSE, SMALL};

const PER_CHILD: u64 = 50;

/// Child mode: commit `PER_CHILD` purchases into `db`, then exit.
pub fn child(db: &str) -> ! {
    let mut store = Store::open(Path::new(db)).unwrap();
    let request = PurchaseRequest::Pack {
        member: DENSE,
        pack: "coins-70",
        key: None,
    };
    for _ in 0..PER_CHILD {
        let outcome = services::purchase(&mut store, &SystemClock, Mode::Commit, &request).unwrap();
        assert!(outcome.is_committed(), "{:?}", outcome);
    }
    std::process::exit(0)
}

#[divan::bench(args = [1, 2, 4, 8], sample_count = 3)]
fn processes_committing(bencher: Bencher, processes: u64) {
    let (_dir, store) = history::open(SMALL);
    let db = store.path().to_path_buf();
    drop(store);
    bencher
        .counter(divan::counter::ItemsCount::new(processes * PER_CHILD))
        .bench_local(|| {
            let children: Vec<_> = (0..processes)
                .map(|_| {
                    Command::new(std::env::current_exe().unwrap())
                        .env("COINGUARD_BENCH_CHILD", &db)
                        .stdout(Stdio::null())
                        .stderr(Stdio::piped())
                        .spawn()
                        .unwrap()
                })
                .collect();
            for child in children {
                let out = child.wait_with_output().unwrap();
                assert!(
                    out.status.success(),
                    "a committing process failed: {}",
                    String::from_utf8_lossy(&out.stderr)
                );
            }
        });
}
