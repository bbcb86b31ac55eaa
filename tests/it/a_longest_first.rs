//! The longest tests, started first. libtest starts a binary's tests in
//! the order of their names, as many at a time as it runs threads
//! (`RUST_TEST_THREADS`, set in `.cargo/config.toml`): a long test whose
//! subject sorts late (`tui`, `reliability`) would start when most of the
//! suite is done and then run nearly alone, setting the suite's wall time.
//! Named here, under a module that sorts first, they start at once and run
//! beside everything else. Each body stays with its subject; a filter on
//! its name (`cargo test seeded_crash_points`) still finds it here.

/// A 100,000-purchase household made, then keys pressed in tmux while the
/// interface verifies it: about 20 s of CPU, most of it making the household.
#[test]
fn keys_are_answered_while_a_large_household_is_verified() {
    crate::tui::keys_are_answered_while_a_large_household_is_verified();
}

/// 50 crashes of the household service, each restarted and checked.
#[test]
fn seeded_crash_points_in_the_service_leave_the_household_whole() {
    crate::reliability::seeded_crash_points_in_the_service_leave_the_household_whole();
}

/// 50 crashes of the command line on one household, each checked.
#[test]
fn seeded_crash_points_leave_the_household_whole() {
    crate::reliability::seeded_crash_points_leave_the_household_whole();
}
