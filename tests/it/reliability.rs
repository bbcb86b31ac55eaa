//! Reliability and abuse: many processes spending at once, processes killed
//! mid-write, and random or damaged input that must never panic.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use proptest::prelude::*;

const PIN: &str = "maple syrup river";

fn coinguard(db: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_coinguard"));
    cmd.env_remove("COINGUARD_DB")
        .args(["--db", db.to_str().unwrap()]);
    cmd
}

fn guardian(db: &Path, args: &[&str]) {
    let mut child = coinguard(db)
        .args(args)
        .arg("--pin-stdin")
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(format!("{PIN}\n").as_bytes())
        .unwrap();
    assert!(child.wait().unwrap().success(), "{args:?}");
}

/// A household with an adult spender Lee and a creator Ana.
fn household(dir: &Path) -> PathBuf {
    let db = dir.join("h.db");
    guardian(&db, &["init", "--guardian", "Maria"]);
    guardian(
        &db,
        &[
            "member",
            "add",
            "Lee",
            "--role",
            "teen",
            "--birthdate",
            "1990-01-01",
        ],
    );
    guardian(
        &db,
        &[
            "member",
            "add",
            "Ana",
            "--role",
            "creator",
            "--birthdate",
            "1990-01-01",
        ],
    );
    guardian(&db, &["rule", "creator", "Lee", "Ana", "--allow"]);
    db
}

#[test]
fn concurrent_processes_never_pass_a_limit_or_overdraw_a_wallet() {
    let dir = tempfile::tempdir().unwrap();
    let db = household(dir.path());
    // 30.00 a month: exactly three 9.99 packs fit.
    guardian(
        &db,
        &[
            "limit", "set", "Lee", "--scope", "purchase", "--window", "month", "--hard", "30",
        ],
    );
    let buyers: Vec<Child> = (0..8)
        .map(|_| {
            coinguard(&db)
                .args(["--json", "buy", "Lee", "coins-700"])
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let mut committed = 0;
    for child in buyers {
        let out = child.wait_with_output().unwrap();
        let code = out.status.code();
        assert!(
            code == Some(0) || code == Some(4),
            "exit {code:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            !String::from_utf8_lossy(&out.stderr).contains("locked"),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        if code == Some(0) {
            committed += 1;
        }
    }
    assert_eq!(committed, 3, "exactly three purchases fit under 30.00");

    // 2,100 coins in the wallet; eight processes each try to gift 1,000.
    let gifters: Vec<Child> = (0..8)
        .map(|_| {
            coinguard(&db)
                .args(["gift", "Lee", "Ana", "galaxy"])
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let mut gifted = 0;
    for child in gifters {
        let out = child.wait_with_output().unwrap();
        assert!(
            matches!(out.status.code(), Some(0) | Some(4)),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        gifted += i32::from(out.status.code() == Some(0));
    }
    assert_eq!(gifted, 2, "only two gifts of 1,000 fit in 2,100 coins");
    let out = coinguard(&db).args(["--json", "verify"]).output().unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["ok"], true, "{doc}");
    assert_eq!(doc["transactions"], 5);
}

/// The child side of the crash test: commit purchases with keys from
/// `start` on, forever, until killed.
fn crash_child(db: &str, start: u64) -> ! {
    use coinguard::domain::{IdempotencyKey, SystemClock};
    use coinguard::services::{self, Mode, PurchaseRequest};
    let mut store = coinguard::ledger::Store::open(Path::new(db)).unwrap();
    for i in start.. {
        let key = IdempotencyKey::parse(&format!("crash-{i}")).unwrap();
        let request = PurchaseRequest::Pack {
            member: "Lee",
            pack: "coins-70",
            key: Some(key),
        };
        services::purchase(&mut store, &SystemClock, Mode::Commit, &request).unwrap();
    }
    std::process::exit(0)
}

#[test]
fn killed_mid_write_the_ledger_stays_whole_and_retries_commit_once() {
    if let (Ok(db), Ok(start)) = (
        std::env::var("COINGUARD_CRASH_DB"),
        std::env::var("COINGUARD_CRASH_START"),
    ) {
        crash_child(&db, start.parse().unwrap());
    }
    let kills: u32 = std::env::var("COINGUARD_CRASH_KILLS")
        .ok()
        .and_then(|k| k.parse().ok())
        .unwrap_or(12);
    let dir = tempfile::tempdir().unwrap();
    let db = household(dir.path());
    let mut rng_state: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next_random = || {
        rng_state ^= rng_state << 13;
        rng_state ^= rng_state >> 7;
        rng_state ^= rng_state << 17;
        rng_state
    };
    for round in 0..kills {
        let store = coinguard::ledger::Store::open(&db).unwrap();
        let committed: u64 = store
            .conn()
            .query_row("SELECT COUNT(*) FROM transactions", [], |r| {
                r.get::<_, i64>(0)
            })
            .unwrap()
            .unsigned_abs();
        drop(store);
        // Start again one key back: that key was either committed (a replay)
        // or lost with the kill (committed now), never twice.
        let start = committed.saturating_sub(1);
        let mut child = Command::new(std::env::current_exe().unwrap())
            .args([
                "--exact",
                "reliability::killed_mid_write_the_ledger_stays_whole_and_retries_commit_once",
                "--nocapture",
            ])
            .env("COINGUARD_CRASH_DB", &db)
            .env("COINGUARD_CRASH_START", start.to_string())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(20 + next_random() % 180));
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        let store = coinguard::ledger::Store::open(&db).unwrap();
        let report = coinguard::ledger::verify(store.conn()).unwrap();
        assert_eq!(report.problem, None, "after kill {round}");
        let (count, distinct): (i64, i64) = store
            .conn()
            .query_row(
                "SELECT COUNT(*), COUNT(DISTINCT idem_key) FROM transactions",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        assert_eq!(count, distinct, "a retried key committed twice");
        let max_key: Option<String> = store
            .conn()
            .query_row(
                "SELECT idem_key FROM transactions ORDER BY id DESC LIMIT 1",
                [],
                |r| r.get(0),
            )
            .ok();
        if let Some(key) = max_key {
            assert_eq!(
                key,
                format!("crash-{}", count - 1),
                "keys are committed in order, none skipped"
            );
        }
    }
    let store = coinguard::ledger::Store::open(&db).unwrap();
    let total: i64 = store
        .conn()
        .query_row("SELECT COUNT(*) FROM transactions", [], |r| r.get(0))
        .unwrap();
    assert!(
        total > i64::from(kills),
        "the child should commit between kills ({total} commits, {kills} kills)"
    );
    eprintln!("survived {kills} kills with {total} commits, each whole, no key twice");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    /// No text a person can type makes a parser panic; what money parsing
    /// accepts, it displays back to the same amount.
    #[test]
    fn parsers_never_panic(text in ".{0,40}") {
        let usd = coinguard::money::Currency::USD;
        if let Ok(money) = coinguard::money::Money::parse(&text, usd) {
            prop_assert!(money.micros() > 0);
            let again = coinguard::money::Money::parse(&money.display_amount().to_string(), usd);
            prop_assert_eq!(again.map(|m| m.micros()), Ok(money.micros()));
        }
        let _ = coinguard::money::Coins::parse(&text);
        let _ = coinguard::money::Diamonds::parse(&text);
        let _ = coinguard::money::Currency::parse(&text);
        let _ = coinguard::domain::parse_date(&text);
        let _ = coinguard::domain::parse_timezone(&text);
        let _ = coinguard::domain::parse_time_of_day(&text);
        let _ = coinguard::domain::Name::parse(&text);
        let _ = coinguard::domain::IdempotencyKey::parse(&text);
        let _ = coinguard::auth::Pin::parse(&text);
        let _ = coinguard::domain::BirthDate::parse(&text, chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap());
    }

    /// Numbers at the edges: huge, tiny, many decimals, signs, exponents.
    #[test]
    fn amounts_at_the_edges_never_panic(int in any::<u64>(), frac in "[0-9]{0,30}", sign in "[-+]?", exp in "([eE][-+]?[0-9]{1,4})?") {
        let text = format!("{sign}{int}.{frac}{exp}");
        let _ = coinguard::money::Money::parse(&text, coinguard::money::Currency::USD);
        let _ = coinguard::money::Coins::parse(&text);
        let _ = coinguard::money::Coins::parse(&int.to_string());
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    /// A config file with any one line replaced by junk is either accepted or
    /// refused with a message naming the file: never a panic.
    #[test]
    fn damaged_config_files_never_panic(line in 0usize..120, junk in ".{0,30}") {
        let text = include_str!("../../config/economy.toml");
        let damaged: Vec<String> = text.lines().enumerate().map(|(i, l)| if i == line { junk.clone() } else { l.to_string() }).collect();
        match coinguard::config::Economy::from_toml(&damaged.join("\n"), "economy.toml", coinguard::money::Currency::USD) {
            Ok(economy) => prop_assert!(!economy.packs.is_empty()),
            Err(e) => prop_assert!(e.to_string().starts_with("config file economy.toml")),
        }
    }
}

#[test]
fn truncated_or_bit_flipped_databases_are_refused_without_panicking() {
    let dir = tempfile::tempdir().unwrap();
    let db = household(dir.path());
    let out = coinguard(&db)
        .args(["buy", "Lee", "coins-70"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let bytes = std::fs::read(&db).unwrap();
    let mut seed: u64 = 7;
    for case in 0..40u64 {
        seed = seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        let mut damaged = bytes.clone();
        if case % 2 == 0 {
            damaged.truncate((seed % bytes.len() as u64) as usize);
        } else {
            for k in 0..8 {
                let at = ((seed >> (k * 3)) % bytes.len() as u64) as usize;
                damaged[at] ^= 0x5a;
            }
        }
        let path = dir.path().join(format!("damaged-{case}.db"));
        std::fs::write(&path, &damaged).unwrap();
        let out = coinguard(&path).arg("verify").output().unwrap();
        // Refused (2), or opened and verified (0 ok, 1 a problem found): never a crash.
        assert!(
            matches!(out.status.code(), Some(0..=2)),
            "case {case}: {:?} {}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            !String::from_utf8_lossy(&out.stderr).contains("panicked"),
            "case {case}"
        );
    }
}
