//! Deterministic crash points for the crash tests: with the `crash-points`
//! feature (off by default, so a shipped binary has none), the process
//! aborts right after the Nth step of the write path, N read once from
//! `COINGUARD_CRASH_AFTER`. A step is one SQL statement finishing on the
//! writer connection inside a write transaction, the `COMMIT` included (so
//! N can land after a commit, before the caller hears of it). Steps are
//! counted across every write this process makes.
//!
//! Every write passes [`Store::write`](super::Store::write), whose writer
//! connection runs nothing outside a transaction once it is open, so one
//! SQLite profile callback on that connection sees every step, including
//! the statements other ledger modules run through their own cached
//! statements. Without the feature this module is empty calls.

use rusqlite::Connection;

/// Called on the writer connection before each write transaction begins.
#[cfg(not(feature = "crash-points"))]
pub(super) fn watch(_conn: &mut Connection) {}

#[cfg(feature = "crash-points")]
pub(super) fn watch(conn: &mut Connection) {
    use std::sync::OnceLock;
    use std::sync::atomic::{AtomicU64, Ordering};

    use rusqlite::trace::{TraceEvent, TraceEventCodes};

    static AFTER: OnceLock<Option<u64>> = OnceLock::new();
    static STEPS: AtomicU64 = AtomicU64::new(0);
    let Some(after) = *AFTER.get_or_init(|| {
        std::env::var("COINGUARD_CRASH_AFTER")
            .ok()
            .and_then(|n| n.trim().parse().ok())
    }) else {
        return;
    };
    let count = move |event: TraceEvent<'_>| {
        let TraceEvent::Profile(stmt, _) = event else {
            return;
        };
        // `BEGIN IMMEDIATE` opens the transaction; it is not a step in it.
        if stmt.sql().trim_start().starts_with("BEGIN") {
            return;
        }
        let done = STEPS.fetch_add(1, Ordering::SeqCst).saturating_add(1);
        if done >= after {
            eprintln!("coinguard: crash point: aborting after write step {done}");
            std::process::abort();
        }
    };
    // The callback is replaced, not added, when a later write installs it
    // again: one count per process.
    if let Err(e) = conn.trace_v2(TraceEventCodes::SQLITE_TRACE_PROFILE, Some(count)) {
        eprintln!("coinguard: crash points not installed: {e}");
    }
}
