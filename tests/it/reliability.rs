//! Reliability and abuse: many processes spending at once, processes killed
//! mid-write, and random or damaged input that must never panic.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use proptest::prelude::*;

const PIN: &str = "maple syrup river";

/// The binary, with the cheap PIN hashing of the tests' fixtures (the
/// `cheap-pins` feature): these tests run `init` and PIN commands hundreds
/// of times and check what a crash leaves, not what a hash costs (the
/// auth module's own tests pin the real parameters).
fn binary() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_coinguard"));
    cmd.env("COINGUARD_CHEAP_PINS", "1");
    cmd
}

fn coinguard(db: &Path) -> Command {
    let mut cmd = binary();
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

// ---------------------------------------------------------------------------
// Deterministic crash testing: the binary is built with the `crash-points`
// feature (the dev-dependency on this crate turns it on), which aborts the
// process right after the Nth step of the write path, N from
// COINGUARD_CRASH_AFTER (src/ledger/crash.rs). Each N comes from a seeded
// generator, so a failing run replays exactly from its seed.

/// SplitMix64: tiny, and every seed gives a good stream.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// 0..n
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// The run's seed: COINGUARD_CRASH_SEED replays one; otherwise a new one
/// each run (printed, and named in every failure).
fn crash_seed() -> u64 {
    match std::env::var("COINGUARD_CRASH_SEED") {
        Ok(text) => {
            let text = text.trim();
            let parsed = match text.strip_prefix("0x") {
                Some(hex) => u64::from_str_radix(hex, 16),
                None => text.parse(),
            };
            parsed.unwrap_or_else(|_| panic!("COINGUARD_CRASH_SEED={text:?} is not a number"))
        }
        Err(_) => std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(1, |d| d.as_nanos() as u64),
    }
}

/// How many crashes a run makes: COINGUARD_CRASHES, default `default`.
fn crashes_wanted(default: u64) -> u64 {
    std::env::var("COINGUARD_CRASHES")
        .ok()
        .and_then(|k| k.trim().parse().ok())
        .unwrap_or(default)
}

const WRONG_PIN: &str = "not the right pin";

/// One command the crash test runs. Keyed commands are re-run after a crash
/// with the same key, as a person (or a script) retrying would.
#[derive(Clone, Debug)]
enum Step {
    /// `buy Lee PACK --key K`: coins-70 commits, coins-700 asks a guardian.
    Buy { pack: &'static str, key: String },
    /// `gift Lee Ana rose --count N --key K`: over 50 coins asks a guardian
    /// (and holds the coins); more than Lee has is refused.
    Gift { count: u32, key: String },
    /// `request approve ID` with the guardian's PIN.
    Approve(i64),
    /// `request deny ID --reason ...` with the guardian's PIN.
    Deny(i64),
    /// `grant Lee 10` with a wrong PIN: a failed attempt, counted.
    WrongPin,
}

impl Step {
    fn args(&self) -> Vec<String> {
        let s = |v: &[&str]| v.iter().map(|a| (*a).to_string()).collect::<Vec<_>>();
        match self {
            Step::Buy { pack, key } => s(&["--json", "buy", "Lee", pack, "--key", key]),
            Step::Gift { count, key } => s(&[
                "--json",
                "gift",
                "Lee",
                "Ana",
                "rose",
                "--count",
                &count.to_string(),
                "--key",
                key,
            ]),
            Step::Approve(id) => s(&["request", "approve", &id.to_string(), "--pin-stdin"]),
            Step::Deny(id) => s(&[
                "request",
                "deny",
                &id.to_string(),
                "--reason",
                "not this week",
                "--pin-stdin",
            ]),
            Step::WrongPin => s(&["grant", "Lee", "10", "--pin-stdin"]),
        }
    }

    fn stdin(&self) -> &'static str {
        match self {
            Step::Approve(_) | Step::Deny(_) => PIN,
            Step::WrongPin => WRONG_PIN,
            Step::Buy { .. } | Step::Gift { .. } => "",
        }
    }

    fn name(&self) -> &'static str {
        match self {
            Step::Buy { .. } => "buy",
            Step::Gift { .. } => "gift",
            Step::Approve(_) => "approve",
            Step::Deny(_) => "deny",
            Step::WrongPin => "wrong PIN",
        }
    }

    /// Run again after a crash? A wrong PIN is not retried: that would be a
    /// second wrong attempt.
    fn retried(&self) -> bool {
        !matches!(self, Step::WrongPin)
    }
}

/// Where the commands go: the file, or the household service's socket.
#[derive(Clone, Copy)]
enum Via<'a> {
    File(&'a Path),
    Socket(&'a Path),
}

fn run_step(via: Via<'_>, step: &Step, crash_after: Option<u64>) -> std::process::Output {
    let mut cmd = binary();
    cmd.env_remove("COINGUARD_DB")
        .env_remove("COINGUARD_SOCKET")
        .env_remove("COINGUARD_CRASH_AFTER");
    match via {
        Via::File(db) => cmd.arg("--db").arg(db),
        Via::Socket(socket) => cmd.arg("--socket").arg(socket),
    };
    if let Some(n) = crash_after {
        cmd.env("COINGUARD_CRASH_AFTER", n.to_string());
    }
    let mut child = cmd
        .args(step.args())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().unwrap();
        // A command that crashes before reading its PIN closes the pipe.
        let _ = stdin.write_all(format!("{}\n", step.stdin()).as_bytes());
    }
    child.wait_with_output().unwrap()
}

/// The crash household: guardian Maria, Lee (an adult with soft limits, so
/// some purchases and gifts become requests), creator Ana, allowed.
fn crash_household(dir: &Path) -> PathBuf {
    let db = household(dir);
    for args in [
        &[
            "limit",
            "set",
            "Lee",
            "--scope",
            "purchase",
            "--window",
            "transaction",
            "--soft",
            "5",
        ][..],
        &[
            "limit",
            "set",
            "Lee",
            "--scope",
            "gift",
            "--window",
            "transaction",
            "--soft",
            "50",
        ][..],
    ] {
        guardian(&db, args);
    }
    db
}

/// What the test knows besides the file: the failed-PIN count it expects.
#[derive(Default)]
struct Model {
    /// Wrong PINs whose write committed since the last accepted PIN.
    failures: i64,
}

fn count(store: &coinguard::ledger::Store, sql: &str) -> i64 {
    store
        .conn()
        .query_row(sql, [], |r| r.get::<_, i64>(0))
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

/// Guardian-action log entries for Maria: (failed PINs, accepted PINs).
fn pin_log(db: &Path) -> (i64, i64) {
    let store = coinguard::ledger::Store::open(db).unwrap();
    (
        count(
            &store,
            "SELECT COUNT(*) FROM guardian_actions WHERE subject = 'Maria' AND action = 'pin_failed'",
        ),
        count(
            &store,
            "SELECT COUNT(*) FROM guardian_actions WHERE subject = 'Maria' AND action = 'pin_ok'",
        ),
    )
}

/// Everything that must hold after any crash, from the file itself.
fn assert_whole(db: &Path, model: &Model, ctx: &str) {
    let out = coinguard(db).arg("verify").output().unwrap();
    assert!(
        out.status.success(),
        "verify failed {ctx}:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let store = coinguard::ledger::Store::open(db).unwrap();
    let zero = [
        (
            "a transaction's postings do not balance in some unit",
            "SELECT COUNT(*) FROM (SELECT p.tx_id FROM postings p JOIN accounts a ON a.id = p.account_id
             GROUP BY p.tx_id, a.unit HAVING SUM(p.amount) != 0)",
        ),
        (
            "a purchase or gift has other than its 4 postings (written in part)",
            "SELECT COUNT(*) FROM transactions t
             WHERE (SELECT COUNT(*) FROM postings p WHERE p.tx_id = t.id)
                   != CASE t.kind WHEN 'purchase' THEN 4 WHEN 'gift' THEN 4 ELSE -1 END",
        ),
        (
            "an idempotency key committed twice (transactions)",
            "SELECT COUNT(idem_key) - COUNT(DISTINCT idem_key) FROM transactions",
        ),
        (
            "an idempotency key committed twice (requests)",
            "SELECT COUNT(idem_key) - COUNT(DISTINCT idem_key) FROM requests",
        ),
        (
            "a key is both a transaction and a request",
            "SELECT COUNT(*) FROM transactions t JOIN requests r ON r.idem_key = t.idem_key",
        ),
        (
            "a request was approved or denied twice",
            "SELECT COUNT(*) FROM (SELECT subject FROM guardian_actions
             WHERE action IN ('approve', 'deny') GROUP BY subject HAVING COUNT(*) > 1)",
        ),
        (
            "a request's status and the guardian's approvals and denials disagree",
            "SELECT COUNT(*) FROM requests r
             WHERE (r.status IN ('approved', 'denied'))
                   != ((SELECT COUNT(*) FROM guardian_actions g WHERE g.action IN ('approve', 'deny')
                        AND g.subject = 'request #' || r.id) = 1)",
        ),
        (
            "an approved request without its one transaction, or another with one",
            "SELECT COUNT(*) FROM requests r LEFT JOIN transactions t ON t.id = r.tx_id
             WHERE (r.status = 'approved') != (t.idem_key IS NOT NULL AND t.idem_key = 'coinguard#request#' || r.id)",
        ),
        (
            "a transaction made by approving a request that is not approved",
            "SELECT COUNT(*) FROM transactions t WHERE t.idem_key LIKE 'coinguard#request#%'
             AND NOT EXISTS (SELECT 1 FROM requests r WHERE r.tx_id = t.id AND r.status = 'approved')",
        ),
    ];
    for (what, sql) in zero {
        assert_eq!(count(&store, sql), 0, "{what} {ctx}");
    }
    let failures = count(
        &store,
        "SELECT COALESCE(SUM(failures), 0) FROM pin_attempts
         WHERE member_id = (SELECT id FROM members WHERE name = 'Maria')",
    );
    assert_eq!(
        failures, model.failures,
        "the failed-PIN count is not the number of wrong PINs whose write committed {ctx}"
    );
}

/// The next command, from the seed and what is waiting.
fn pick(rng: &mut Rng, db: &Path, model: &Model, seed: u64, i: u64) -> Step {
    let pending: Vec<i64> = {
        let store = coinguard::ledger::Store::open(db).unwrap();
        let mut stmt = store
            .conn()
            .prepare("SELECT id FROM requests WHERE status = 'pending' ORDER BY id")
            .unwrap();
        stmt.query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    };
    let key = format!("crash-{seed:x}-{i}");
    let roll = rng.below(10);
    let pick_pending = rng.next();
    let request =
        (!pending.is_empty()).then(|| pending[(pick_pending % pending.len() as u64) as usize]);
    match (roll, request) {
        (3, _) => Step::Buy {
            pack: "coins-700",
            key,
        },
        (4 | 5, _) => Step::Gift { count: 3, key },
        (6, _) => Step::Gift { count: 60, key },
        (7, Some(id)) => Step::Approve(id),
        (8, Some(id)) => Step::Deny(id),
        (9, _) if model.failures < 4 => Step::WrongPin,
        (9, Some(id)) => Step::Approve(id),
        _ => Step::Buy {
            pack: "coins-70",
            key,
        },
    }
}

/// Did this run crash at its crash point (SIGABRT)?
fn aborted(status: std::process::ExitStatus) -> bool {
    use std::os::unix::process::ExitStatusExt;
    status.signal() == Some(nix::sys::signal::Signal::SIGABRT as i32)
}

/// After `step` has finished (run, or crashed and run again): its key says
/// what it did, once, and asking again returns that same outcome.
fn assert_step_settled(
    via: Via<'_>,
    db: &Path,
    step: &Step,
    last: &std::process::Output,
    ask_again: bool,
    ctx: &str,
) {
    let key = match step {
        Step::Buy { key, .. } | Step::Gift { key, .. } => key,
        Step::Approve(_) | Step::Deny(_) => {
            assert!(
                matches!(last.status.code(), Some(0..=2)),
                "{step:?} ended {:?}: {} {ctx}",
                last.status,
                String::from_utf8_lossy(&last.stderr)
            );
            return;
        }
        Step::WrongPin => {
            assert_eq!(last.status.code(), Some(5), "a wrong PIN {ctx}");
            return;
        }
    };
    assert!(
        matches!(last.status.code(), Some(0 | 3 | 4)),
        "{step:?} ended {:?}: {} {ctx}",
        last.status,
        String::from_utf8_lossy(&last.stderr)
    );
    let doc: serde_json::Value = serde_json::from_slice(&last.stdout)
        .unwrap_or_else(|e| panic!("{step:?} printed no JSON ({e}) {ctx}"));
    let store = coinguard::ledger::Store::open(db).unwrap();
    let quoted = key.replace('\'', "''");
    let txs = count(
        &store,
        &format!("SELECT COUNT(*) FROM transactions WHERE idem_key = '{quoted}'"),
    );
    let requests = count(
        &store,
        &format!("SELECT COUNT(*) FROM requests WHERE idem_key = '{quoted}'"),
    );
    match doc["outcome"].as_str() {
        Some("committed") => {
            assert_eq!((txs, requests), (1, 0), "key {key} {ctx}");
            let id = count(
                &store,
                &format!("SELECT id FROM transactions WHERE idem_key = '{quoted}'"),
            );
            assert_eq!(doc["tx_id"].as_i64(), Some(id), "{doc} {ctx}");
        }
        Some("pending") => {
            assert_eq!((txs, requests), (0, 1), "key {key} {ctx}");
            let id = count(
                &store,
                &format!("SELECT id FROM requests WHERE idem_key = '{quoted}'"),
            );
            assert_eq!(doc["request_id"].as_i64(), Some(id), "{doc} {ctx}");
        }
        Some("denied") => assert_eq!((txs, requests), (0, 0), "key {key} {ctx}"),
        other => panic!("outcome {other:?} {doc} {ctx}"),
    }
    drop(store);
    if !ask_again {
        return;
    }
    // The same key again: the first outcome, nothing written.
    let again = run_step(via, step, None);
    let again_doc: serde_json::Value = serde_json::from_slice(&again.stdout).unwrap_or_else(|e| {
        panic!(
            "{step:?} again printed no JSON ({e}): {} {ctx}",
            String::from_utf8_lossy(&again.stderr)
        )
    });
    for field in ["outcome", "tx_id", "request_id"] {
        assert_eq!(
            again_doc[field], doc[field],
            "{field} on asking again: {again_doc} after {doc} {ctx}"
        );
    }
}

/// The model's failed-PIN count after `step`, from what its writes left in
/// the log: a wrong PIN counts when its write committed, once; an accepted
/// PIN starts the count again.
fn settle_model(model: &mut Model, step: &Step, before: (i64, i64), after: (i64, i64), ctx: &str) {
    let failed = after.0 - before.0;
    let accepted = after.1 - before.1;
    match step {
        Step::WrongPin => {
            assert!(
                matches!(failed, 0 | 1),
                "{failed} failures logged for one wrong PIN {ctx}"
            );
            assert_eq!(accepted, 0, "a wrong PIN accepted {ctx}");
            model.failures += failed;
        }
        Step::Approve(_) | Step::Deny(_) => {
            assert_eq!(failed, 0, "the right PIN logged as failed {ctx}");
            if accepted > 0 {
                model.failures = 0;
            }
        }
        Step::Buy { .. } | Step::Gift { .. } => assert_eq!((failed, accepted), (0, 0), "{ctx}"),
    }
}

/// Crash points in every command, embedded: each command runs with
/// COINGUARD_CRASH_AFTER=N (N from the seed), then again without it when it
/// crashed; the household is checked after the crash and after the retry.
/// COINGUARD_CRASHES sets how many crashes (default 50); a failure names
/// the seed that replays it. The test is in `a_longest_first`, so that it
/// starts first.
pub fn seeded_crash_points_leave_the_household_whole() {
    let seed = crash_seed();
    let wanted = crashes_wanted(50);
    eprintln!(
        "crash points: seed {seed:#x}, {wanted} crashes (replay: COINGUARD_CRASH_SEED={seed:#x})"
    );
    let dir = tempfile::tempdir().unwrap();
    let db = crash_household(dir.path());
    let via = Via::File(&db);
    let mut rng = Rng(seed);
    let mut model = Model::default();
    let (mut crashes, mut completed, mut i) = (0u64, 0u64, 0u64);
    let mut kinds = std::collections::BTreeMap::<&str, u64>::new();
    let started = std::time::Instant::now();
    while crashes < wanted {
        assert!(
            i < wanted * 4 + 20,
            "only {crashes} crashes in {i} commands: is the binary built with the crash-points feature?"
        );
        let step = pick(&mut rng, &db, &model, seed, i);
        // A command takes 10 to 55 steps: most crash, some complete.
        let n = 1 + rng.below(56);
        let ctx = format!(
            "(seed {seed:#x}, command {i}: {step:?} with COINGUARD_CRASH_AFTER={n}; replay: \
             COINGUARD_CRASH_SEED={seed:#x} COINGUARD_CRASHES={} cargo test seeded_crash_points)",
            crashes + 1
        );
        let before = pin_log(&db);
        let first = run_step(via, &step, Some(n));
        let crashed = aborted(first.status);
        let last = if crashed {
            crashes += 1;
            *kinds.entry(step.name()).or_default() += 1;
            let mid = pin_log(&db);
            let mut partial = Model {
                failures: model.failures,
            };
            settle_model(&mut partial, &step, before, mid, &ctx);
            assert_whole(&db, &partial, &format!("after the crash {ctx}"));
            if step.retried() {
                run_step(via, &step, None)
            } else {
                first
            }
        } else {
            completed += 1;
            first
        };
        settle_model(&mut model, &step, before, pin_log(&db), &ctx);
        if !crashed || step.retried() {
            assert_step_settled(via, &db, &step, &last, true, &ctx);
        }
        assert_whole(&db, &model, &format!("after the retry {ctx}"));
        i += 1;
    }
    eprintln!(
        "crash points: {crashes} crashes ({kinds:?}) and {completed} completed commands, seed {seed:#x}, in {:.1?}; nothing lost",
        started.elapsed()
    );
}

/// `coinguard serve` on `db`, with crash point `crash_after` if given; its
/// log goes to `log` (appended), so a full pipe never stalls it. A service
/// that aborts at its crash point before it listens (its own writes when it
/// starts) gives its exit status.
fn start_service(
    db: &Path,
    socket: &Path,
    log: &Path,
    crash_after: Option<u64>,
) -> Result<Child, std::process::ExitStatus> {
    let _ = std::fs::remove_file(socket);
    let mut cmd = binary();
    cmd.env_remove("COINGUARD_DB")
        .env_remove("COINGUARD_CRASH_AFTER")
        .args(["serve", "--db"])
        .arg(db)
        .arg("--socket")
        .arg(socket);
    if let Some(n) = crash_after {
        cmd.env("COINGUARD_CRASH_AFTER", n.to_string());
    }
    let log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(log)
        .unwrap();
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .unwrap();
    let until = std::time::Instant::now() + Duration::from_secs(20);
    while std::os::unix::net::UnixStream::connect(socket).is_err() {
        if let Ok(Some(status)) = child.try_wait() {
            assert!(
                crash_after.is_some() && aborted(status),
                "the service stopped before listening ({status})"
            );
            return Err(status);
        }
        assert!(
            std::time::Instant::now() < until,
            "the service did not start listening"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    Ok(child)
}

/// The service's exit, waiting up to `within` for it.
fn exited(service: &mut Child, within: Duration) -> Option<std::process::ExitStatus> {
    let until = std::time::Instant::now() + within;
    loop {
        if let Some(status) = service.try_wait().unwrap() {
            return Some(status);
        }
        if std::time::Instant::now() >= until {
            return None;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

fn stop_service(mut service: Child) {
    let pid = nix::unistd::Pid::from_raw(i32::try_from(service.id()).unwrap());
    let _ = nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGTERM);
    if exited(&mut service, Duration::from_secs(20)).is_none() {
        let _ = service.kill();
        let _ = service.wait();
        panic!("the service did not stop on SIGTERM within 20 s");
    }
}

/// The same crash points in the household service: the service runs with
/// COINGUARD_CRASH_AFTER=N (N counts its write steps since it started),
/// clients send commands until it aborts, it is started again without the
/// crash point, the command in flight is sent again, and the file is
/// checked as above. COINGUARD_CRASHES sets how many crashes (default 50).
/// The test is in `a_longest_first`, so that it starts first.
pub fn seeded_crash_points_in_the_service_leave_the_household_whole() {
    let seed = crash_seed();
    let wanted = crashes_wanted(50);
    eprintln!(
        "service crash points: seed {seed:#x}, {wanted} crashes (replay: COINGUARD_CRASH_SEED={seed:#x})"
    );
    let dir = tempfile::tempdir().unwrap();
    let db = crash_household(dir.path());
    let socket = dir.path().join("coinguard.sock");
    let log = dir.path().join("service.log");
    let via = Via::Socket(&socket);
    let mut rng = Rng(seed);
    let mut model = Model::default();
    let (mut crashes, mut completed, mut round) = (0u64, 0u64, 0u64);
    let (mut i, mut starting) = (0u64, 0u64);
    let started = std::time::Instant::now();
    while crashes < wanted {
        assert!(
            round < wanted * 4 + 20,
            "only {crashes} crashes in {round} service runs: is the binary built with the crash-points feature?"
        );
        round += 1;
        // Up to about three commands' worth of steps, across commands.
        let n = 1 + rng.below(120);
        let Ok(mut service) = start_service(&db, &socket, &log, Some(n)) else {
            // It crashed at its own writes as it started.
            crashes += 1;
            starting += 1;
            assert_whole(
                &db,
                &model,
                &format!(
                    "(seed {seed:#x}, service run {round} crashed starting, COINGUARD_CRASH_AFTER={n})"
                ),
            );
            continue;
        };
        let mut in_flight = None;
        for _ in 0..6 {
            let step = pick(&mut rng, &db, &model, seed, i);
            i += 1;
            let ctx = format!(
                "(seed {seed:#x}, service run {round} with COINGUARD_CRASH_AFTER={n}, command {i}: {step:?}; \
                 replay: COINGUARD_CRASH_SEED={seed:#x} COINGUARD_CRASHES={} cargo test seeded_crash_points_in_the_service)",
                crashes + 1
            );
            let before = pin_log(&db);
            let out = run_step(via, &step, None);
            // A command the service answered left it running; one it did
            // not answer, it may still be dying of.
            let answered = matches!(out.status.code(), Some(0 | 3 | 4 | 5))
                || (matches!(step, Step::Approve(_) | Step::Deny(_))
                    && matches!(out.status.code(), Some(1 | 2)));
            let wait = if answered {
                Duration::ZERO
            } else {
                Duration::from_secs(10)
            };
            if let Some(status) = exited(&mut service, wait) {
                assert!(
                    aborted(status),
                    "the service ended {status}, not at its crash point {ctx}"
                );
                in_flight = Some((step, before, ctx));
                break;
            }
            assert!(
                answered,
                "{step:?} failed with the service running: {:?} {} {ctx}",
                out.status,
                String::from_utf8_lossy(&out.stderr)
            );
            completed += 1;
            settle_model(&mut model, &step, before, pin_log(&db), &ctx);
            // Asking again would count steps towards this run's crash point.
            assert_step_settled(via, &db, &step, &out, false, &ctx);
        }
        let Some((step, before, ctx)) = in_flight else {
            stop_service(service);
            assert_whole(
                &db,
                &model,
                &format!("(seed {seed:#x}, service run {round}, no crash)"),
            );
            continue;
        };
        crashes += 1;
        let mid = pin_log(&db);
        let mut partial = Model {
            failures: model.failures,
        };
        settle_model(&mut partial, &step, before, mid, &ctx);
        assert_whole(&db, &partial, &format!("after the service crashed {ctx}"));
        let service = start_service(&db, &socket, &log, None).unwrap();
        if step.retried() {
            let last = run_step(via, &step, None);
            settle_model(&mut model, &step, before, pin_log(&db), &ctx);
            assert_step_settled(via, &db, &step, &last, true, &ctx);
        } else {
            model = partial;
        }
        stop_service(service);
        assert_whole(&db, &model, &format!("after the restart and retry {ctx}"));
    }
    eprintln!(
        "service crash points: {crashes} crashes ({starting} while starting) in {round} service runs, {completed} commands answered, \
         seed {seed:#x}, in {:.1?}; nothing lost",
        started.elapsed()
    );
}

/// `init` crashed at each of its write steps in turn leaves either no
/// household (so `init` again makes one) or a whole one whose guardian's
/// PIN works: never a household without its guardian that `init` refuses
/// to make again (which it did before init made the household beside its
/// name and linked it there when whole).
#[test]
fn init_crashed_at_every_step_leaves_nothing_or_a_whole_household() {
    for n in 1..=40u64 {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("h.db");
        let mut child = coinguard(&db)
            .args([
                "init",
                "--guardian",
                "Maria",
                "--timezone",
                "UTC",
                "--pin-stdin",
            ])
            .env("COINGUARD_CRASH_AFTER", n.to_string())
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        {
            use std::io::Write;
            let _ = child
                .stdin
                .take()
                .unwrap()
                .write_all(format!("{PIN}\n").as_bytes());
        }
        let status = child.wait().unwrap();
        if !aborted(status) {
            assert!(
                status.success(),
                "init with COINGUARD_CRASH_AFTER={n}: {status}"
            );
            assert!(
                n > 1,
                "init never crashed: is the binary built with crash-points?"
            );
            return;
        }
        if !db.exists() {
            guardian(&db, &["init", "--guardian", "Maria", "--timezone", "UTC"]);
        }
        let out = coinguard(&db).arg("verify").output().unwrap();
        assert!(
            out.status.success(),
            "verify after init crashed at step {n}"
        );
        // The guardian is there, with the PIN that was given.
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
    }
    panic!("init still crashed at step 40");
}
