//! coinguard's benchmarks: one binary, a module per subject. Run with
//! `cargo bench`; BENCHMARKS.md records the figures and the machine.
//!
//! History databases are generated once through the real guarded write path
//! (services::purchase / services::gift, one SQLite transaction per commit,
//! with fsync off while seeding: the rows are identical to normal operation)
//! and cached under target/bench-data/.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod audit;
mod commit;
mod concurrency;
mod history;
mod service;
mod tui;
mod verify;
mod window;

fn main() {
    // The concurrency benchmark runs this binary as its committing children.
    if let Ok(db) = std::env::var("COINGUARD_BENCH_CHILD") {
        concurrency::child(&db);
    }
    if std::env::args().any(|a| a == "--paired-service") {
        service::paired(1_000);
        return;
    }
    // COINGUARD_BENCH_ROUNDS=N: rounds of the paired commit runs (10,000
    // durable and 5,000 without fsync unless given). At 2,000 durable
    // rounds a run's 3-limit ratio moved by about ±0.015 from run to run;
    // 10,000 (about 12 s per household) holds it steadier.
    let rounds = |default: usize| {
        std::env::var("COINGUARD_BENCH_ROUNDS").map_or(default, |n| {
            n.parse()
                .expect("COINGUARD_BENCH_ROUNDS is a number of rounds")
        })
    };
    if std::env::args().any(|a| a == "--paired-commit") {
        commit::paired(rounds(10_000), true);
        return;
    }
    if std::env::args().any(|a| a == "--paired-commit-cpu") {
        commit::paired(rounds(5_000), false);
        return;
    }
    divan::main();
}
