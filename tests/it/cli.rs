//! The command line as a person or script uses it: exit codes, messages, and
//! that bad input changes nothing.

use std::path::Path;

use assert_cmd::Command;
use serde_json::Value;

fn coinguard() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_coinguard"));
    cmd.env_remove("COINGUARD_DB");
    cmd
}

const PIN: &str = "maple syrup river";

fn init(db: &Path) {
    let out = coinguard()
        .args([
            "--db",
            db.to_str().unwrap(),
            "init",
            "--guardian",
            "Maria",
            "--timezone",
            "Europe/Berlin",
            "--pin-stdin",
        ])
        .write_stdin(format!("{PIN}\n"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("Created the household at"));
}

fn stderr_of(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).to_string()
}

#[test]
fn init_creates_a_private_file_and_never_overwrites_it() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("home.db");
    init(&db);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&db).unwrap().permissions().mode() & 0o777;
        assert_eq!(
            mode, 0o600,
            "the database must be readable by its owner only"
        );
    }
    let before = std::fs::read(&db).unwrap();
    let out = coinguard()
        .args([
            "--db",
            db.to_str().unwrap(),
            "init",
            "--guardian",
            "Other",
            "--pin-stdin",
        ])
        .write_stdin(format!("{PIN}\n"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr_of(&out).contains("already exists; coinguard never overwrites a file"));
    assert!(
        std::fs::read(&db).unwrap() == before,
        "the existing household must be untouched"
    );
}

#[test]
fn init_rejects_bad_input_and_creates_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let long = "x".repeat(65);
    let cases: &[(&[&str], &str)] = &[
        (
            &["--guardian", "Maria", "--currency", "XYZ"],
            "currency \"XYZ\" is not one we know",
        ),
        (
            &["--guardian", "Maria", "--timezone", "Mars/Olympus"],
            "time zone \"Mars/Olympus\" does not exist",
        ),
        (
            &["--guardian", &long],
            "is 65 characters long; the most is 64",
        ),
        (&["--guardian", "Ma\tria"], "contains a control character"),
        (&["--guardian", "  "], "the name is empty"),
        (
            &["--guardian", "Maria", "--currency", "JPY"],
            "\"0.99\" has more decimals than JPY allows (at most 0)",
        ),
    ];
    for (args, expected) in cases {
        let db = dir.path().join("never.db");
        let out = coinguard()
            .args(["--db", db.to_str().unwrap(), "init", "--pin-stdin"])
            .args(*args)
            .write_stdin(format!("{PIN}\n"))
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr_of(&out));
        assert!(
            stderr_of(&out).contains(expected),
            "{args:?}: expected {expected:?} in {}",
            stderr_of(&out)
        );
        assert!(!db.exists(), "{args:?} must not create the database");
    }
}

#[test]
fn a_bad_config_file_is_named_with_line_and_key() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("conf");
    std::fs::create_dir(&config).unwrap();
    std::fs::write(config.join("settings.toml"), "currency = \"USD\"\ntimezone = \"UTC\"\nrequest_expiry_hours = 0\nclock_tolerance_seconds = 5\nunknown_creator = \"deny\"\n").unwrap();
    let db = dir.path().join("h.db");
    let out = coinguard()
        .args([
            "--db",
            db.to_str().unwrap(),
            "init",
            "--config",
            config.to_str().unwrap(),
            "--guardian",
            "Maria",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = stderr_of(&out);
    assert!(
        err.contains(
            "settings.toml, line 3, key `request_expiry_hours`: must be between 1 and 720 hours"
        ),
        "{err}"
    );
    assert!(!db.exists());
}

#[test]
fn catalog_shows_prices_with_per_coin_rates() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("h.db");
    init(&db);
    let out = coinguard()
        .args(["--db", db.to_str().unwrap(), "--json", "catalog"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["currency"], "USD");
    assert_eq!(doc["packs"][0]["id"], "coins-70");
    let money = |amount: &str| serde_json::json!({"amount": amount, "currency": "USD"});
    assert_eq!(doc["packs"][0]["price"], money("0.99"));
    assert_eq!(doc["packs"][0]["price_per_coin"], money("0.014143"));
    assert_eq!(doc["packs"].as_array().unwrap().len(), 7);
    assert_eq!(doc["gifts"][8]["name"], "Universe");
    assert_eq!(doc["gifts"][8]["coins"], 44999);
    assert_eq!(doc["gifts"][8]["creator_diamonds"], 22499);
    assert_eq!(doc["gifts"][8]["creator_money"], money("112.49"));
    let text = coinguard()
        .args(["--db", db.to_str().unwrap(), "catalog"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(
        text.contains("coins-17500      17,500 coins   249.99 USD       0.0143 USD"),
        "{text}"
    );
}

#[test]
fn verify_reports_in_words_and_fails_on_tampering() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("h.db");
    init(&db);
    let out = coinguard()
        .args(["--db", db.to_str().unwrap(), "verify"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("All good. Checked 0 transactions"));
    // Piped, no progress line: stdout is the report alone (only the seal's
    // time, the wall clock's, is not pinned), stderr empty.
    let stdout = String::from_utf8_lossy(&out.stdout);
    let (report, seal) = stdout.rsplit_once("at 20").unwrap();
    assert_eq!(
        report,
        "All good. Checked 0 transactions (0 postings, 0 accounts, 0 coin lots), 0 guard decisions and 2 guardian actions.\n\
         Every entry links to the one before it in all three records (ledger, decisions, guardian actions);\n\
         every transaction balances in money, coins and diamonds; every balance, coin lot and spending\n\
         total matches the entries that made it; the rules, requests and alerts match the records that\n\
         made them; the append-only triggers are in place and no row points at one that is gone.\n\
         Seals were not checked: that needs a guardian's PIN (coinguard verify --as NAME). Without it, a record rewritten with its hashes recomputed cannot be told from the real one.\n\
         Nothing was added since the newest seal (Maria's, "
    );
    assert!(
        seal.ends_with(")).\n") && seal.matches('\n').count() == 1,
        "{seal:?}"
    );
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");

    // Put a real transaction in through the library, then tamper with it.
    {
        let clock = coinguard::domain::SystemClock;
        let mut store = coinguard::ledger::Store::open(&db).unwrap();
        let request = coinguard::services::GrantRequest {
            member: "Maria",
            coins: coinguard::money::Coins::new(70),
            memo: Default::default(),
            key: None,
        };
        let pin = coinguard::auth::Pin::parse(PIN).unwrap();
        let pass = coinguard::auth::guardian_pass(&mut store, &clock, None, &pin, "").unwrap();
        coinguard::services::grant(
            &mut store,
            &clock,
            coinguard::services::Mode::Commit,
            pass,
            &request,
        )
        .unwrap();
    }
    let conn = rusqlite::Connection::open(&db).unwrap();
    conn.execute_batch(
        "DROP TRIGGER postings_no_update; UPDATE postings SET amount = 700 WHERE amount = 70;",
    )
    .unwrap();
    drop(conn);
    let out = coinguard()
        .args(["--db", db.to_str().unwrap(), "--json", "verify"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["ok"], false);
    assert!(
        doc["problem"]["entry"]
            .as_str()
            .unwrap()
            .starts_with("transaction #1 (grant")
    );
    assert_eq!(
        doc["problem"]["message"],
        "its contents do not match its hash: it was changed outside coinguard"
    );
}

#[test]
fn missing_foreign_damaged_and_newer_files_are_refused_plainly() {
    let dir = tempfile::tempdir().unwrap();
    let foreign = dir.path().join("foreign.db");
    rusqlite::Connection::open(&foreign)
        .unwrap()
        .execute_batch("CREATE TABLE photos (id INTEGER)")
        .unwrap();
    let garbage = dir.path().join("garbage.db");
    std::fs::write(
        &garbage,
        b"this is a shopping list, not a database at all........",
    )
    .unwrap();
    let empty = dir.path().join("empty.db");
    std::fs::write(&empty, b"").unwrap();
    let newer = dir.path().join("newer.db");
    init(&newer);
    rusqlite::Connection::open(&newer)
        .unwrap()
        .pragma_update(None, "user_version", 99)
        .unwrap();
    let truncated = dir.path().join("truncated.db");
    let whole = dir.path().join("whole.db");
    init(&whole);
    let bytes = std::fs::read(&whole).unwrap();
    std::fs::write(&truncated, &bytes[..4096]).unwrap();

    let newer_message = format!(
        "was written by a newer coinguard (schema 99; this one knows up to {})",
        coinguard::ledger::schema::latest_version()
    );
    let cases: &[(&Path, &str)] = &[
        (&dir.path().join("nope.db"), "no household database at"),
        (&foreign, "is not a coinguard household database"),
        (
            &garbage,
            "is not a coinguard database: it is not a SQLite file, or it is damaged",
        ),
        (&empty, "is not a coinguard household database"),
        (&newer, &newer_message),
        (&truncated, "the database is damaged"),
    ];
    for (path, expected) in cases {
        let before = std::fs::read(path).ok();
        let out = coinguard()
            .args(["--db", path.to_str().unwrap(), "catalog"])
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(2),
            "{}: {}",
            path.display(),
            stderr_of(&out)
        );
        assert!(
            stderr_of(&out).contains(expected),
            "{}: expected {expected:?} in {}",
            path.display(),
            stderr_of(&out)
        );
        assert!(
            std::fs::read(path).ok() == before,
            "{} must be left as it was",
            path.display()
        );
    }
}

#[test]
fn usage_errors_exit_2() {
    let out = coinguard().arg("frobnicate").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let out = coinguard().args(["init"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr_of(&out).contains("--guardian"));
}

#[test]
fn a_short_pin_or_none_creates_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("h.db");
    for (stdin, expected) in [
        ("12345\n", "a PIN needs at least 6 characters"),
        ("\n", "no PIN on standard input"),
    ] {
        let out = coinguard()
            .args([
                "--db",
                db.to_str().unwrap(),
                "init",
                "--guardian",
                "Maria",
                "--pin-stdin",
            ])
            .write_stdin(stdin)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2));
        assert!(stderr_of(&out).contains(expected), "{}", stderr_of(&out));
        assert!(!db.exists());
    }
    // Digits only, or a common PIN, is refused before anything exists...
    for weak in ["908172", "123456"] {
        let out = coinguard()
            .args([
                "--db",
                db.to_str().unwrap(),
                "init",
                "--guardian",
                "Maria",
                "--pin-stdin",
            ])
            .write_stdin(format!("{weak}\n"))
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{weak}");
        assert!(
            stderr_of(&out).contains(
                "Nothing was created: choose a passphrase, or add --accept-weak-pin to use this PIN anyway"
            ),
            "{}",
            stderr_of(&out)
        );
        assert!(!db.exists(), "{weak}: nothing may be created");
    }
    // ...unless the parent says so, and is still told why it is weak.
    let out = coinguard()
        .args([
            "--db",
            db.to_str().unwrap(),
            "init",
            "--guardian",
            "Maria",
            "--pin-stdin",
            "--accept-weak-pin",
        ])
        .write_stdin("908172\n")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(stderr_of(&out).contains("a passphrase of a few words is much stronger"));
}

#[test]
fn init_without_a_zone_uses_the_computers_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("h.db");
    let out = coinguard()
        .env("TZ", "Asia/Tokyo")
        .args([
            "--db",
            db.to_str().unwrap(),
            "init",
            "--guardian",
            "Maria",
            "--pin-stdin",
        ])
        .write_stdin(format!("{PIN}\n"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("Time zone: Asia/Tokyo (this computer's time zone, from the TZ variable)."),
        "{stdout}"
    );
    // Said before the household exists, with how to choose another.
    assert!(
        stderr_of(&out).contains(
            "the household's time zone will be Asia/Tokyo (this computer's time zone, from the TZ variable)"
        ) && stderr_of(&out).contains("run init with --timezone ZONE"),
        "{}",
        stderr_of(&out)
    );
    let store = coinguard::ledger::Store::open(&db).unwrap();
    assert_eq!(
        store.config().unwrap().settings.timezone,
        chrono_tz::Asia::Tokyo
    );
    // --timezone still wins, and JSON says where the zone came from.
    let db = dir.path().join("h2.db");
    let out = coinguard()
        .env("TZ", "Asia/Tokyo")
        .args([
            "--db",
            db.to_str().unwrap(),
            "--json",
            "init",
            "--guardian",
            "Maria",
        ])
        .args(["--timezone", "Europe/Berlin", "--pin-stdin"])
        .write_stdin(format!("{PIN}\n"))
        .output()
        .unwrap();
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        (doc["timezone"].as_str(), doc["timezone_from"].as_str()),
        (Some("Europe/Berlin"), Some("--timezone"))
    );
}

/// A household driven only through the command line, as a parent would.
pub(crate) struct CliHousehold {
    pub(crate) _dir: tempfile::TempDir,
    pub(crate) db: std::path::PathBuf,
}

impl CliHousehold {
    pub(crate) fn new() -> CliHousehold {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("h.db");
        {
            use coinguard::domain::{FixedClock, Name};
            coinguard::auth::hash_pins_cheaply_for_tests();
            let mut config = coinguard::config::Config::defaults().unwrap();
            config.settings.timezone = chrono_tz::Europe::Berlin;
            coinguard::services::init_household(
                &db,
                &config,
                &Name::parse("Maria").unwrap(),
                &coinguard::auth::Pin::parse(PIN).unwrap(),
                &FixedClock::new(chrono::Utc::now()),
            )
            .unwrap();
        }
        let years_ago = |years: i32| {
            let today = chrono::Utc::now().date_naive();
            chrono::NaiveDate::from_ymd_opt(chrono::Datelike::year(&today) - years, 1, 1)
                .unwrap()
                .to_string()
        };
        // Made through the library with the fixtures' cheap PIN hashing (the
        // stored hash carries its parameters, so the binary verifies it
        // just as well, in microseconds): `init` itself is tested above.
        use coinguard::domain::{BirthDate, FixedClock, Name, Role};
        coinguard::auth::hash_pins_cheaply_for_tests();
        let clock = FixedClock::new(chrono::Utc::now());
        let mut store = coinguard::ledger::Store::open(&db).unwrap();
        let pin = coinguard::auth::Pin::parse(PIN).unwrap();
        for (name, role, age) in [
            ("Sam", Role::Teen, 15),
            ("Kim", Role::Teen, 11),
            ("Lee", Role::Teen, 30),
            ("Ana", Role::Creator, 30),
        ] {
            let born = BirthDate::parse(&years_ago(age), chrono::Utc::now().date_naive()).unwrap();
            let pass = coinguard::auth::guardian_pass(&mut store, &clock, None, &pin, "").unwrap();
            coinguard::services::add_member(
                &mut store,
                &clock,
                pass,
                &Name::parse(name).unwrap(),
                role,
                Some(born),
                None,
            )
            .unwrap();
        }
        CliHousehold { _dir: dir, db }
    }

    pub(crate) fn run(&self, args: &[&str]) -> std::process::Output {
        coinguard()
            .args(["--db", self.db.to_str().unwrap()])
            .args(args)
            .output()
            .unwrap()
    }

    pub(crate) fn guardian(&self, args: &[&str]) -> std::process::Output {
        coinguard()
            .args(["--db", self.db.to_str().unwrap()])
            .args(args)
            .arg("--pin-stdin")
            .write_stdin(format!("{PIN}\n"))
            .output()
            .unwrap()
    }

    pub(crate) fn json(&self, args: &[&str]) -> (Option<i32>, Value) {
        let out = coinguard()
            .args(["--db", self.db.to_str().unwrap(), "--json"])
            .args(args)
            .output()
            .unwrap();
        (
            out.status.code(),
            serde_json::from_slice(&out.stdout).unwrap_or(Value::Null),
        )
    }
}

#[test]
fn spending_commands_exit_0_3_4_with_the_spec_json_shape() {
    let h = CliHousehold::new();
    let (code, doc) = h.json(&["buy", "Lee", "coins-350", "--key", "lee-1"]);
    assert_eq!(code, Some(0));
    assert_eq!(doc["outcome"], "committed");
    assert_eq!(doc["tx_id"], 1);
    assert_eq!(doc["reasons"], serde_json::json!([]));
    let (code, doc) = h.json(&["buy", "Lee", "coins-350", "--key", "lee-1"]);
    assert_eq!(
        (code, doc["replayed"].clone(), doc["tx_id"].clone()),
        (Some(0), Value::Bool(true), Value::from(1))
    );

    let (code, doc) = h.json(&["buy", "Sam", "coins-350"]);
    assert_eq!(code, Some(3));
    assert_eq!(doc["outcome"], "pending");
    assert_eq!(doc["tx_id"], Value::Null);
    assert_eq!(doc["reasons"][0]["rule"], "age_band");
    assert_eq!(
        doc["reasons"][0]["message"],
        "Sam is 15: from 13 to 17, purchases need a guardian's approval"
    );

    let (code, doc) = h.json(&["buy", "Kim", "coins-70"]);
    assert_eq!(code, Some(4));
    assert_eq!(doc["outcome"], "denied");
    assert_eq!(
        doc["reasons"][0]["message"],
        "Kim is 11: under 13, purchases are not allowed"
    );

    let text = h.run(&["gift", "Lee", "Ana", "doughnut", "--count", "2"]);
    assert_eq!(text.status.code(), Some(3));
    let stdout = String::from_utf8_lossy(&text.stdout);
    assert!(stdout.contains("Needs a guardian's approval: Lee sends 2 × Doughnut to Ana: 60 coins (0.86 USD); Ana receives 30 diamonds"), "{stdout}");
    assert!(
        stdout.contains(
            "creator list (needs approval): Ana is not on Lee's list of allowed creators"
        ),
        "{stdout}"
    );
}

#[test]
fn limits_and_rules_are_set_with_the_pin_and_show_before_and_after() {
    let h = CliHousehold::new();
    let out = h.guardian(&[
        "limit", "set", "Lee", "--scope", "purchase", "--window", "day", "--hard", "5",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "Maria changed a limit of Lee.\n  before: (none)\n  after:  purchase per day: refused above 5.00 USD\n"
    );
    let (code, doc) = h.json(&["buy", "Lee", "coins-700"]);
    assert_eq!(code, Some(4));
    assert_eq!(doc["reasons"][0]["rule"], "hard_limit");
    // A reason's figures are data: money in the one JSON shape for money.
    assert_eq!(
        doc["reasons"][0]["limit"],
        serde_json::json!({"amount": "5", "currency": "USD"})
    );
    assert_eq!(
        doc["reasons"][0]["this"],
        serde_json::json!({"amount": "9.99", "currency": "USD"})
    );
    assert_eq!(
        doc["reasons"][0]["remaining"],
        serde_json::json!({"amount": "5", "currency": "USD"})
    );
    let out = h.guardian(&["rule", "creator", "Lee", "Ana", "--allow"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    let out = h.run(&["limit", "list", "Lee"]);
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "purchase per day: refused above 5.00 USD; used today: 0.00 USD; 5.00 USD left before it is refused\n"
    );
    // A limit counted in coins says what the coins are worth.
    let out = h.guardian(&[
        "limit", "set", "Lee", "--scope", "gift", "--window", "week", "--soft", "500",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    let out = h.run(&["limit", "list", "Lee"]);
    assert!(
        String::from_utf8_lossy(&out.stdout).contains(
            "gift per week: approval needed above 500 coins (≈7.07 USD); used this week: 0 coins (0.00 USD); 500 coins (≈7.07 USD) left"
        ),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    h.guardian(&[
        "limit", "remove", "Lee", "--scope", "gift", "--window", "week",
    ]);
    // Preview writes nothing, and says what would happen.
    let out = h.run(&["preview", "buy", "Lee", "coins-350"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(
        String::from_utf8_lossy(&out.stdout)
            .starts_with("Would go through: Lee buys 350 coins for 4.99 USD")
    );
    let (_, doc) = h.json(&["verify"]);
    assert_eq!(doc["transactions"], 0);
}

#[test]
fn a_wrong_pin_exits_5_and_changes_nothing() {
    let h = CliHousehold::new();
    let out = coinguard()
        .args([
            "--db",
            h.db.to_str().unwrap(),
            "limit",
            "set",
            "Lee",
            "--scope",
            "gift",
            "--window",
            "day",
            "--hard",
            "10",
            "--pin-stdin",
        ])
        .write_stdin("not the pin\n")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(5));
    assert_eq!(
        stderr_of(&out),
        "coinguard: wrong PIN for Maria; 4 more tries before a lock\n"
    );
    let out = h.run(&["limit", "list", "Lee"]);
    assert_eq!(String::from_utf8_lossy(&out.stdout), "Lee has no limits.\n");
    // No PIN at all, outside a terminal: a clear way forward.
    let out = h.run(&[
        "limit", "set", "Lee", "--scope", "gift", "--window", "day", "--hard", "10",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr_of(&out).contains("pass it on standard input with --pin-stdin"));
}

#[test]
fn bad_policy_and_spending_input_is_named_and_changes_nothing() {
    let h = CliHousehold::new();
    let cases: &[(&[&str], &str)] = &[
        (
            &[
                "limit", "set", "Lee", "--scope", "fun", "--window", "day", "--hard", "5",
            ],
            "scope \"fun\" is not one of purchase, gift, all",
        ),
        (
            &[
                "limit",
                "set",
                "Lee",
                "--scope",
                "gift",
                "--window",
                "fortnight",
                "--hard",
                "5",
            ],
            "window \"fortnight\" is not one of",
        ),
        (
            &[
                "limit", "set", "Lee", "--scope", "purchase", "--window", "day", "--hard", "5.001",
            ],
            "more decimals than USD allows",
        ),
        (
            &[
                "limit", "set", "Lee", "--scope", "gift", "--window", "day", "--hard", "5.5",
            ],
            "not a whole number of coins",
        ),
        (
            &[
                "limit", "set", "Lee", "--scope", "purchase", "--window", "day", "--soft", "9",
                "--hard", "5",
            ],
            "must not be above the hard amount",
        ),
        (
            &[
                "limit", "set", "Lee", "--scope", "purchase", "--window", "day",
            ],
            "give --soft",
        ),
        (
            &[
                "limit", "set", "Nobody", "--scope", "purchase", "--window", "day", "--hard", "5",
            ],
            "there is no member called \"Nobody\"; members are: Maria, Sam, Kim, Lee, Ana",
        ),
        (
            &[
                "limit", "remove", "Lee", "--scope", "purchase", "--window", "day",
            ],
            "Lee has no purchase limit per day",
        ),
        (
            &[
                "rule",
                "quiet-hours",
                "Lee",
                "--from",
                "25:00",
                "--to",
                "07:00",
            ],
            "\"25:00\" is not a time of day",
        ),
        (
            &[
                "rule",
                "quiet-hours",
                "Lee",
                "--from",
                "21:00",
                "--to",
                "21:00",
            ],
            "a start and an end that differ",
        ),
        (
            &["rule", "creator", "Lee", "Sam", "--block"],
            "Sam is not a creator",
        ),
        (
            &["member", "add", "Zed", "--role", "teen"],
            "Zed needs a birthdate",
        ),
        (
            &[
                "member",
                "add",
                "Zed",
                "--role",
                "pirate",
                "--birthdate",
                "2010-01-01",
            ],
            "role \"pirate\" is not one of guardian, teen, creator",
        ),
        (
            &[
                "member",
                "add",
                "Zed",
                "--role",
                "teen",
                "--birthdate",
                "2010-02-30",
            ],
            "\"2010-02-30\" is not a date that exists",
        ),
        (
            &[
                "member",
                "add",
                "Lee",
                "--role",
                "teen",
                "--birthdate",
                "2010-01-01",
            ],
            "there is already a member called \"Lee\"",
        ),
        (
            &["buy", "Lee", "coins-1"],
            "there is no coin pack \"coins-1\"",
        ),
        (
            &["buy", "Lee", "--coins", "0"],
            "coins must be more than zero",
        ),
        (
            &["buy", "Lee", "--coins", "99999999999999999999999"],
            "too large for coins",
        ),
        (
            &["buy", "Lee", "coins-70", "--key", "has space"],
            "may only contain letters, digits",
        ),
        (
            &["gift", "Lee", "Ana", "rose", "--count", "-3"],
            "is negative",
        ),
        (
            &["gift", "Lee", "Ana", "dragon"],
            "there is no gift \"dragon\"",
        ),
        (&["redeem", "Ana", "1e5"], "not a whole number of diamonds"),
        (&["redeem", "Ana", "-5"], "\"-5\" is negative"),
        (
            &[
                "limit", "set", "Lee", "--scope", "purchase", "--window", "day", "--hard", "-5",
            ],
            "\"-5\" is negative",
        ),
        (
            &[
                "limit", "set", "Lee", "--scope", "purchase", "--window", "day", "--hard", "NaN",
            ],
            "is not a number",
        ),
    ];
    for (args, expected) in cases {
        let spending = matches!(args[0], "buy" | "gift" | "redeem");
        let out = if spending {
            h.run(args)
        } else {
            h.guardian(args)
        };
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr_of(&out));
        assert!(
            stderr_of(&out).contains(expected),
            "{args:?}: expected {expected:?} in {}",
            stderr_of(&out)
        );
    }
    let (_, doc) = h.json(&["verify"]);
    assert_eq!(
        (doc["ok"].clone(), doc["transactions"].clone()),
        (Value::Bool(true), Value::from(0))
    );
    let out = h.run(&["limit", "list", "Lee"]);
    assert_eq!(String::from_utf8_lossy(&out.stdout), "Lee has no limits.\n");
}

/// Spending already past a limit's amount (a purchase approved above the
/// approval amount, or a limit lowered below what was spent) is said as
/// how far past it, not as "0.00 USD left".
#[test]
fn spending_past_a_limit_says_by_how_much() {
    let h = CliHousehold::new();
    let out = h.guardian(&[
        "limit", "set", "Lee", "--scope", "purchase", "--window", "week", "--soft", "5",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    let (code, doc) = h.json(&["buy", "Lee", "coins-700"]);
    assert_eq!(code, Some(3), "{doc}");
    let request = doc["request_id"].to_string();
    let out = h.guardian(&["request", "approve", &request]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    let out = h.run(&["limit", "list", "Lee"]);
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "purchase per week: approval needed above 5.00 USD; used this week: 9.99 USD; already 4.99 USD past the approval amount\n"
    );
    let (code, doc) = h.json(&["buy", "Lee", "coins-70"]);
    assert_eq!(code, Some(3), "{doc}");
    assert_eq!(
        doc["reasons"][0]["message"],
        "spending on coins this week: 9.99 USD used + 0.99 USD = 10.98 USD, above 5.00 USD, the most without a guardian's approval; already 4.99 USD over it"
    );
    // The figure in the data stays what is left: nothing.
    assert_eq!(
        doc["reasons"][0]["remaining"],
        serde_json::json!({"amount": "0", "currency": "USD"})
    );
    // A limit lowered below what was spent says it too.
    let out = h.guardian(&[
        "limit", "set", "Lee", "--scope", "purchase", "--window", "week", "--hard", "8",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    let out = h.run(&["limit", "list", "Lee"]);
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "purchase per week: refused above 8.00 USD; used this week: 9.99 USD; already 1.99 USD over the limit\n"
    );
}

#[test]
fn a_teens_request_is_approved_denied_asked_again_and_reversed_from_the_cli() {
    let h = CliHousehold::new();
    let (code, doc) = h.json(&["buy", "Sam", "coins-350"]);
    assert_eq!((code, doc["request_id"].clone()), (Some(3), Value::from(1)));
    let out = h.run(&["buy", "Sam", "coins-70"]);
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stdout).contains("Asked a guardian: request #2."));

    let listed =
        String::from_utf8_lossy(&h.run(&["request", "list", "--status", "pending"]).stdout)
            .to_string();
    assert!(listed.contains("#1 PENDING"), "{listed}");
    assert!(listed.contains("why it needs a guardian: Sam is 15: from 13 to 17, purchases need a guardian's approval"), "{listed}");

    let out = h.guardian(&["request", "approve", "1"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout).starts_with("Done: Sam buys 350 coins for 4.99 USD")
    );
    let again = h.guardian(&["request", "approve", "1"]);
    assert_eq!(again.status.code(), Some(2));
    assert!(stderr_of(&again).contains("request #1 is approved, not pending"));

    let out = h.guardian(&["request", "deny", "2", "--reason", "Not today"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    let listed =
        String::from_utf8_lossy(&h.run(&["request", "list", "--member", "Sam"]).stdout).to_string();
    assert!(
        listed.contains("#2 DENIED") && listed.contains("Not today"),
        "{listed}"
    );

    let out = h.run(&[
        "request",
        "again",
        "2",
        "--note",
        "please, it is for Ana's birthday",
    ]);
    assert_eq!(out.status.code(), Some(3));
    let (_, doc) = h.json(&["request", "list", "--status", "pending"]);
    assert_eq!(doc["requests"][0]["id"], 3);
    assert_eq!(
        doc["requests"][0]["note"],
        "please, it is for Ana's birthday"
    );

    let out = h.guardian(&["grant", "Sam", "200", "--memo", "allowance"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("Maria grants Sam 200 coins (2.83 USD)"));
    let out = h.guardian(&["reverse", "1", "--reason", "bought by mistake"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout)
            .contains("refund of purchase #1: 350 coins (4.99 USD) back")
    );

    // A refused attempt raises an alert, shown until acknowledged.
    assert_eq!(h.run(&["buy", "Kim", "coins-70"]).status.code(), Some(4));
    let alerts = String::from_utf8_lossy(&h.run(&["alert", "list"]).stdout).to_string();
    assert!(
        alerts.contains("refused: Kim buys 70 coins for 0.99 USD"),
        "{alerts}"
    );
    let out = h.guardian(&["alert", "ack", "--all"]);
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "Acknowledged 1 alert.\n"
    );
    assert_eq!(
        String::from_utf8_lossy(&h.run(&["alert", "list"]).stdout),
        "No alerts.\n"
    );

    let (code, doc) = h.json(&["verify"]);
    assert_eq!(code, Some(0));
    assert_eq!(doc["ok"], true);
    // A waiting gift holds its coins, and says what they are worth.
    let out = h.run(&["gift", "Sam", "Ana", "doughnut"]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr_of(&out));
    let listed =
        String::from_utf8_lossy(&h.run(&["request", "list", "--status", "pending"]).stdout)
            .to_string();
    // One amount, one price: the coins held are the coins the gift would
    // spend, priced as in its summary (from their lots, not the pack rate).
    assert!(
        listed.contains("to Ana: 30 coins (0.42 USD);")
            && listed.contains("holds 30 coins (0.42 USD) until answered"),
        "{listed}"
    );
}

#[test]
fn a_member_with_a_pin_must_give_it_to_spend() {
    let h = CliHousehold::new();
    let out = coinguard()
        .args([
            "--db",
            h.db.to_str().unwrap(),
            "member",
            "pin",
            "Lee",
            "--pin-stdin",
        ])
        .write_stdin(format!("{PIN}\nlee's own secret\n"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    let out = h.run(&["buy", "Lee", "coins-70"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr_of(&out).contains("--pin-stdin"));
    let out = coinguard()
        .args([
            "--db",
            h.db.to_str().unwrap(),
            "buy",
            "Lee",
            "coins-70",
            "--pin-stdin",
        ])
        .write_stdin("not lee's\n")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(5));
    let out = coinguard()
        .args([
            "--db",
            h.db.to_str().unwrap(),
            "buy",
            "Lee",
            "coins-70",
            "--pin-stdin",
        ])
        .write_stdin("lee's own secret\n")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
}

#[test]
fn audit_commands_reject_bad_input_and_never_overwrite_an_export() {
    let h = CliHousehold::new();
    assert_eq!(h.run(&["buy", "Lee", "coins-70"]).status.code(), Some(0));
    let cases: &[(&[&str], &str)] = &[
        (
            &["history", "--since", "2026-02-30"],
            "\"2026-02-30\" is not a date that exists",
        ),
        (
            &["history", "--since", "2026-03-05", "--until", "2026-03-01"],
            "--since 2026-03-05 is after --until 2026-03-01",
        ),
        (
            &["history", "--kind", "theft"],
            "kind \"theft\" is not one of purchase, gift, redeem, grant, reversal",
        ),
        (&["history", "--limit", "0"], "rows must be more than zero"),
        (&["history", "--limit", "501"], "the most is 500"),
        (&["history", "--after", "yesterday"], "is not a page marker"),
        (
            &["history", "--member", "Nobody"],
            "there is no member called \"Nobody\"",
        ),
        (
            &["report", "--period", "year"],
            "period \"year\" is not one of day, week, month",
        ),
        (
            &["export", "--format", "xml"],
            "format \"xml\" is not one of csv, json, hledger",
        ),
    ];
    for (args, expected) in cases {
        let out = h.run(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr_of(&out));
        assert!(
            stderr_of(&out).contains(expected),
            "{args:?}: expected {expected:?} in {}",
            stderr_of(&out)
        );
    }
    let existing = h.db.with_file_name("keep.csv");
    std::fs::write(&existing, "precious").unwrap();
    let out = h.run(&[
        "export",
        "--format",
        "csv",
        "--out",
        existing.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr_of(&out).contains("already exists; coinguard never overwrites a file"));
    assert_eq!(std::fs::read_to_string(&existing).unwrap(), "precious");
    let fresh = h.db.with_file_name("new.journal");
    let out = h.run(&[
        "export",
        "--format",
        "hledger",
        "--out",
        fresh.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    assert!(
        std::fs::read_to_string(&fresh)
            .unwrap()
            .contains("members:Lee:wallet  70 COIN")
    );
    let out = h.run(&["history", "--member", "Lee"]);
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("purchase  Lee          +70 coins, 0.99 USD"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn the_demo_household_is_made_through_the_real_path_and_never_overwritten() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.db");
    let out = coinguard()
        .args(["--db", db.to_str().unwrap(), "--json", "demo", "--no-tui"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["created"], true);
    assert!(doc["transactions"].as_i64().unwrap() > 100, "{doc}");
    assert!(doc["pending_requests"].as_i64().unwrap() >= 2, "{doc}");
    let (_, verify) = {
        let out = coinguard()
            .args(["--db", db.to_str().unwrap(), "--json", "verify"])
            .output()
            .unwrap();
        (
            out.status.code(),
            serde_json::from_slice::<Value>(&out.stdout).unwrap(),
        )
    };
    assert_eq!(verify["ok"], true);
    let ids: Vec<i64> = doc["pending_request_ids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_i64().unwrap())
        .collect();
    assert_eq!(ids.len() as i64, doc["pending_requests"].as_i64().unwrap());
    let before = std::fs::metadata(&db).unwrap().len();
    let out = coinguard()
        .args(["--db", db.to_str().unwrap(), "demo"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(text.contains("already exists; using it as it is"), "{text}");
    assert_eq!(std::fs::metadata(&db).unwrap().len(), before);
    // The suggested approval names a request that is really waiting.
    let suggested: i64 = text
        .split("request approve ")
        .nth(1)
        .and_then(|rest| rest.split(' ').next())
        .and_then(|id| id.parse().ok())
        .unwrap_or_else(|| panic!("no approve suggestion in {text}"));
    assert!(
        ids.contains(&suggested),
        "{suggested} is not pending: {ids:?}"
    );
    // The demo guardian's PIN approves a waiting request.
    let out = coinguard()
        .args([
            "--db",
            db.to_str().unwrap(),
            "request",
            "list",
            "--status",
            "pending",
            "--json",
        ])
        .output()
        .unwrap();
    let pending: Value = serde_json::from_slice(&out.stdout).unwrap();
    let id = pending["requests"][0]["id"].as_i64().unwrap().to_string();
    let out = coinguard()
        .args([
            "--db",
            db.to_str().unwrap(),
            "request",
            "approve",
            &id,
            "--as",
            "Jon",
            "--pin-stdin",
        ])
        .write_stdin(format!("{}\n", coinguard::services::DEMO_PIN))
        .output()
        .unwrap();
    assert!(
        matches!(out.status.code(), Some(0) | Some(4)),
        "{}",
        stderr_of(&out)
    );
}

/// Runs a command whose reader goes away before it writes anything, as
/// `coinguard ... | head -0` does: returns its exit code and standard error.
fn with_closed_output(db: &Path, args: &[&str]) -> (Option<i32>, String) {
    use std::process::Stdio;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_coinguard"))
        .env_remove("COINGUARD_DB")
        .env("RUST_BACKTRACE", "1")
        .args(["--db", db.to_str().unwrap()])
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Closing our end before the child writes makes its first write fail.
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    (out.status.code(), stderr_of(&out))
}

#[test]
fn a_reader_that_goes_away_ends_the_command_quietly() {
    let h = CliHousehold::new();
    assert_eq!(h.run(&["buy", "Lee", "coins-350"]).status.code(), Some(0));
    assert_eq!(h.run(&["buy", "Sam", "coins-70"]).status.code(), Some(3));
    assert_eq!(h.run(&["buy", "Kim", "coins-70"]).status.code(), Some(4));
    let commands: &[&[&str]] = &[
        &["request", "list"],
        &["log", "decisions"],
        &["log", "guardian"],
        &["report"],
        &["alert", "list"],
        &["member", "list"],
        &["verify"],
        &["catalog"],
        &["history"],
        &["limit", "list", "Lee"],
        &["rule", "list", "Lee"],
        &["export", "--format", "csv"],
        &["export", "--format", "json"],
        &["export", "--format", "hledger"],
        &["--json", "request", "list"],
        &["--json", "report"],
        &["--json", "verify"],
    ];
    for args in commands {
        let (code, stderr) = with_closed_output(&h.db, args);
        assert_eq!((code, stderr.as_str()), (Some(0), ""), "{args:?}");
    }
    // What was done stays done, and the exit code still says what it was.
    let (code, stderr) = with_closed_output(&h.db, &["buy", "Sam", "coins-70"]);
    assert_eq!((code, stderr.as_str()), (Some(3), ""));
    let (code, stderr) = with_closed_output(&h.db, &["buy", "Lee", "coins-70"]);
    assert_eq!((code, stderr.as_str()), (Some(0), ""));
    let (_, doc) = h.json(&["verify"]);
    assert_eq!(doc["transactions"], 2);
}

#[test]
fn text_from_the_database_cannot_drive_the_terminal() {
    let h = CliHousehold::new();
    assert_eq!(h.run(&["buy", "Lee", "coins-350"]).status.code(), Some(0));
    assert_eq!(h.run(&["buy", "Sam", "coins-70"]).status.code(), Some(3));
    assert_eq!(h.run(&["buy", "Kim", "coins-70"]).status.code(), Some(4));
    // Rows written before validation existed, or by hand: escape sequences
    // (clear screen, set the window title), a bell, a carriage return and a
    // right-to-left override, in every free-text column the CLI prints.
    let evil = "'x' || char(27) || '[2J' || char(27) || ']0;pwned' || char(7) || char(13) || char(8238) || 'y'";
    let conn = rusqlite::Connection::open(&h.db).unwrap();
    conn.execute_batch(&format!(
        "UPDATE requests SET note = {evil}, summary = {evil}, reasons = json_array(json_object('rule', 'age_band', 'message', {evil})) WHERE id = 1;
         INSERT INTO guardian_actions (id, at_us, actor_id, action, subject, before, after, prev_hash, hash)
           SELECT MAX(id) + 1, MAX(at_us) + 1, NULL, 'pin_failed', {evil}, {evil}, {evil}, '', '' FROM guardian_actions;
         INSERT INTO decisions (id, at_us, actor_id, member_id, action, outcome, summary, reasons, tx_id, prev_hash, hash)
           SELECT MAX(id) + 1, MAX(at_us) + 1, 3, 3, 'purchase', 'deny', {evil}, json_array(json_object('rule', {evil}, 'message', {evil})), NULL, '', '' FROM decisions;
         INSERT INTO alerts (at_us, member_id, kind, message) SELECT MAX(at_us) + 1, 3, 'denied', {evil} FROM alerts;"
    ))
    .unwrap();
    drop(conn);
    let commands: &[&[&str]] = &[
        &["request", "list"],
        &["report"],
        &["log", "decisions"],
        &["log", "guardian"],
        &["alert", "list"],
    ];
    for args in commands {
        let out = h.run(args);
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            !text.contains(['\u{1b}', '\u{7}', '\r', '\u{202e}']),
            "{args:?} printed a control character: {text:?}"
        );
        assert!(
            text.contains("x\\u{1b}[2J\\u{1b}]0;pwned\\u{7}\\u{d}\\u{202e}y"),
            "{args:?} should show the text harmlessly: {text}"
        );
    }
    // JSON carries the text as it is stored: its encoder escapes controls.
    let (_, doc) = h.json(&["alert", "list"]);
    let messages: Vec<&str> = doc["alerts"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|a| a["message"].as_str())
        .collect();
    assert!(
        messages.contains(&"x\u{1b}[2J\u{1b}]0;pwned\u{7}\r\u{202e}y"),
        "{messages:?}"
    );
}

#[test]
fn wrong_pins_then_a_lock_all_exit_5_and_count_down_in_words() {
    let h = CliHousehold::new();
    let attempt = |pin: &str| {
        coinguard()
            .args(["--db", h.db.to_str().unwrap(), "alert", "ack", "--all"])
            .arg("--pin-stdin")
            .write_stdin(format!("{pin}\n"))
            .output()
            .unwrap()
    };
    for left in ["4 more tries", "3 more tries", "2 more tries", "1 more try"] {
        let out = attempt("not the pin");
        assert_eq!(out.status.code(), Some(5), "{}", stderr_of(&out));
        assert_eq!(
            stderr_of(&out),
            format!("coinguard: wrong PIN for Maria; {left} before a lock\n")
        );
    }
    let out = attempt("not the pin");
    assert_eq!(out.status.code(), Some(5), "{}", stderr_of(&out));
    assert!(
        stderr_of(&out).contains("too many wrong PINs for Maria: locked until"),
        "{}",
        stderr_of(&out)
    );
    // While locked, even the right PIN is refused, with the same exit code.
    let out = attempt(PIN);
    assert_eq!(out.status.code(), Some(5), "{}", stderr_of(&out));
    assert!(stderr_of(&out).contains("locked until"));
}

/// Every money figure in a JSON document: `{"amount": "<exact>", "currency"}`.
/// Fails on any other string that looks like money ("4.99", "4.99 USD",
/// "0"), outside free text (summaries, messages, the guard's reasons, and
/// the `*_words` a person reads beside the figures).
fn assert_one_money_shape(doc: &Value, path: &str) {
    let text_keys = [
        "summary",
        "message",
        "detail",
        "memo",
        "limit",
        "reasons",
        "note",
        "resolution",
        "reason",
    ];
    match doc {
        Value::Object(map) => {
            if map.contains_key("amount") {
                let amount = map["amount"]
                    .as_str()
                    .unwrap_or_else(|| panic!("{path}: {doc}"));
                assert_eq!(map.len(), 2, "{path}: {doc}");
                assert_eq!(map["currency"], "USD", "{path}: {doc}");
                assert!(
                    amount.parse::<rust_decimal::Decimal>().is_ok()
                        && (amount == "0" || !amount.ends_with('0') || !amount.contains('.')),
                    "{path}: {amount:?} is not an exact normalised decimal"
                );
                return;
            }
            for (key, value) in map {
                if !text_keys.contains(&key.as_str()) && !key.ends_with("words") {
                    assert_one_money_shape(value, &format!("{path}.{key}"));
                }
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                assert_one_money_shape(item, &format!("{path}[{i}]"));
            }
        }
        Value::String(s) => {
            let numeric = !s.is_empty()
                && s.trim_start_matches('-')
                    .chars()
                    .all(|c| c.is_ascii_digit() || c == '.');
            assert!(
                !numeric && !s.contains(" USD"),
                "{path}: {s:?} looks like money outside the money shape"
            );
        }
        _ => {}
    }
}

#[test]
fn money_in_json_has_one_shape_everywhere() {
    let h = CliHousehold::new();
    for args in [
        &[
            "limit", "set", "Lee", "--scope", "purchase", "--window", "week", "--hard", "50",
        ][..],
        &[
            "limit", "set", "Lee", "--scope", "gift", "--window", "day", "--soft", "500",
        ],
        &["rule", "creator", "Lee", "Ana", "--allow"],
    ] {
        let out = h.guardian(args);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {}", stderr_of(&out));
    }
    assert_eq!(h.run(&["buy", "Lee", "coins-350"]).status.code(), Some(0));
    assert_eq!(
        h.run(&["gift", "Lee", "Ana", "doughnut"]).status.code(),
        Some(0)
    );
    assert_eq!(h.run(&["buy", "Sam", "coins-70"]).status.code(), Some(3));
    let documents: &[&[&str]] = &[
        &["catalog"],
        &["member", "list"],
        &["limit", "list", "Lee"],
        &["report"],
        &["history"],
        &["request", "list"],
        &["log", "decisions"],
        &["alert", "list"],
        &["verify"],
        &["preview", "buy", "Lee", "coins-70"],
        &["export", "--format", "json"],
    ];
    for args in documents {
        let out = coinguard()
            .args(["--db", h.db.to_str().unwrap(), "--json"])
            .args(*args)
            .output()
            .unwrap();
        let doc: Value = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{args:?}: {e}: {}", String::from_utf8_lossy(&out.stdout)));
        assert_one_money_shape(&doc, &format!("{args:?}"));
    }
    let money = |amount: &str| serde_json::json!({"amount": amount, "currency": "USD"});
    let (_, catalog) = h.json(&["catalog"]);
    assert_eq!(catalog["packs"][0]["price"], money("0.99"));
    assert_eq!(catalog["packs"][0]["price_per_coin"], money("0.014143"));
    assert_eq!(catalog["diamond_value"], money("0.005"));
    assert_eq!(catalog["gifts"][8]["creator_money"], money("112.49"));
    let (_, members) = h.json(&["member", "list"]);
    assert_eq!(members["members"][3]["coins_cost"], money("4.562286"));
    // What redeeming them pays: payouts are rounded down to the cent.
    assert_eq!(members["members"][4]["diamonds_value"], money("0.07"));
    let (_, limits) = h.json(&["limit", "list", "Lee"]);
    assert_eq!(limits["limits"][0]["soft"], 500);
    assert_eq!(limits["limits"][0]["used"], 30);
    assert_eq!(limits["limits"][1]["hard"], money("50"));
    assert_eq!(limits["limits"][1]["used"], money("4.99"));
    let (_, history) = h.json(&["history", "--member", "Lee"]);
    assert_eq!(history["transactions"][0]["money"], money("0.427714"));
    assert_eq!(history["transactions"][1]["money"], money("4.99"));
}

#[test]
fn under_json_an_error_is_a_json_document_with_the_same_exit_code() {
    let h = CliHousehold::new();
    let cases: &[(&[&str], i32, &str, &str)] = &[
        (
            &["buy", "Nobody", "coins-70"],
            2,
            "not_found",
            "there is no member called \"Nobody\"",
        ),
        (
            &["buy", "Lee", "--coins", "0"],
            2,
            "bad_input",
            "coins must be more than zero",
        ),
        (
            &["history", "--since", "2026-02-30"],
            2,
            "bad_input",
            "is not a date that exists",
        ),
        (
            &["request", "approve", "9"],
            2,
            "bad_input",
            "a guardian PIN is needed",
        ),
        (
            &["frobnicate"],
            2,
            "usage",
            "unrecognized subcommand 'frobnicate'",
        ),
        (
            &["buy", "Lee"],
            2,
            "usage",
            "required arguments were not provided",
        ),
    ];
    for (args, code, kind, message) in cases {
        let (got, doc) = h.json(args);
        assert_eq!(got, Some(*code), "{args:?}: {doc}");
        assert_eq!(doc["outcome"], "error", "{args:?}: {doc}");
        assert_eq!(doc["error"]["kind"], *kind, "{args:?}: {doc}");
        assert!(
            doc["error"]["message"].as_str().unwrap().contains(message),
            "{args:?}: {doc}"
        );
    }
    // A wrong PIN, an unknown request and a conflict.
    let guardian_json = |args: &[&str], pin: &str| {
        let out = coinguard()
            .args(["--db", h.db.to_str().unwrap(), "--json"])
            .args(args)
            .arg("--pin-stdin")
            .write_stdin(format!("{pin}\n"))
            .output()
            .unwrap();
        (
            out.status.code(),
            serde_json::from_slice::<Value>(&out.stdout).unwrap_or(Value::Null),
        )
    };
    let (code, doc) = guardian_json(&["alert", "ack", "--all"], "not the pin");
    assert_eq!(
        (code, doc["error"]["kind"].as_str()),
        (Some(5), Some("auth"))
    );
    let (code, doc) = guardian_json(&["request", "approve", "9"], PIN);
    assert_eq!(
        (code, doc["error"]["kind"].as_str()),
        (Some(2), Some("not_found")),
        "{doc}"
    );
    assert_eq!(h.run(&["buy", "Sam", "coins-70"]).status.code(), Some(3));
    assert_eq!(
        guardian_json(&["request", "deny", "1", "--reason", "no"], PIN).0,
        Some(0)
    );
    let (code, doc) = guardian_json(&["request", "deny", "1", "--reason", "no"], PIN);
    assert_eq!(
        (code, doc["error"]["kind"].as_str()),
        (Some(2), Some("conflict")),
        "{doc}"
    );
    // Without --json, stdout stays empty and the message is on stderr.
    let out = h.run(&["buy", "Nobody", "coins-70"]);
    assert!(out.stdout.is_empty());
    assert!(stderr_of(&out).contains("there is no member called \"Nobody\""));
}

#[test]
fn a_preview_that_answers_exits_0_and_says_what_would_happen() {
    let h = CliHousehold::new();
    let (code, doc) = h.json(&["preview", "buy", "Sam", "coins-350"]);
    assert_eq!(code, Some(0), "{doc}");
    assert_eq!(doc["outcome"], "preview");
    assert_eq!(doc["would"], "pending");
    assert_eq!(doc["preview"], true);
    assert_eq!(doc["request_id"], Value::Null);
    assert_eq!(doc["reasons"][0]["rule"], "age_band");
    let (code, doc) = h.json(&["preview", "buy", "Kim", "coins-70"]);
    assert_eq!((code, doc["would"].as_str()), (Some(0), Some("denied")));
    let (code, doc) = h.json(&["preview", "buy", "Lee", "coins-70"]);
    assert_eq!((code, doc["would"].as_str()), (Some(0), Some("committed")));
    let out = h.run(&["preview", "buy", "Sam", "coins-350"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("Would need a guardian's approval:"));
    let out = h.run(&["preview", "gift", "Kim", "Ana", "rose"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("Would be refused:"));
    // Nothing was created by any of them.
    let (_, doc) = h.json(&["request", "list"]);
    assert_eq!(doc["requests"], serde_json::json!([]));
    let (_, doc) = h.json(&["verify"]);
    assert_eq!(doc["transactions"], 0);
}

#[test]
fn export_takes_the_ledger_filters_and_no_page_options() {
    let h = CliHousehold::new();
    for _ in 0..3 {
        assert_eq!(h.run(&["buy", "Lee", "coins-70"]).status.code(), Some(0));
    }
    // An export is every transaction the filters select: no pages.
    for option in [&["--limit", "1"][..], &["--after", "1.1"]] {
        let out = h.run(&[&["export", "--format", "csv"][..], option].concat());
        assert_eq!(out.status.code(), Some(2), "{option:?}");
        assert!(
            stderr_of(&out).contains(&format!("unexpected argument '{}'", option[0])),
            "{}",
            stderr_of(&out)
        );
        assert!(out.stdout.is_empty());
    }
    let out = h.run(&["export", "--format", "csv", "--member", "Lee"]);
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 4);
    let out = h.run(&["export", "--format", "csv", "--member", "Sam"]);
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 1);
    // history keeps its pages.
    let (_, doc) = h.json(&["history", "--limit", "1"]);
    assert_eq!(doc["transactions"].as_array().unwrap().len(), 1);
    assert!(doc["next_page"].is_string());
}

#[test]
fn csv_export_defuses_formulas_in_text_cells_and_keeps_numbers() {
    let h = CliHousehold::new();
    let evil = "=HYPERLINK(\"http://evil.example\",\"click\")";
    let out = h.guardian(&[
        "member",
        "add",
        evil,
        "--role",
        "teen",
        "--birthdate",
        "1990-01-01",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    let out = h.guardian(&["grant", evil, "70", "--memo", "+1 for chores"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    let out = h.guardian(&["rule", "creator", "Lee", "Ana", "--allow"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    assert_eq!(h.run(&["buy", "Lee", "coins-70"]).status.code(), Some(0));
    assert_eq!(
        h.run(&["gift", "Lee", "Ana", "doughnut"]).status.code(),
        Some(0)
    );
    let path = h.db.with_file_name("export.csv");
    let out = h.run(&["export", "--format", "csv", "--out", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    let script = "import csv,sys,json\nrows=list(csv.DictReader(open(sys.argv[1],newline='',encoding='utf-8')))\nprint(json.dumps([[r['member'],r['memo'],r['coins'],r['money']] for r in rows]))";
    crate::support::require_tool("python3");
    let out = std::process::Command::new("python3")
        .args(["-c", script, path.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let rows: Vec<Vec<String>> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        rows[0][..3],
        [format!("'{evil}"), "'+1 for chores".into(), "70".into()]
    );
    // A gift takes coins: the number keeps its minus sign.
    assert_eq!(rows[2][2], "-30");
    assert_eq!(rows[2][0], "Lee");
}

#[test]
fn exports_are_readable_by_their_owner_only() {
    let h = CliHousehold::new();
    assert_eq!(h.run(&["buy", "Lee", "coins-70"]).status.code(), Some(0));
    for format in ["csv", "json", "hledger"] {
        let path = h.db.with_file_name(format!("export.{format}"));
        let out = h.run(&[
            "export",
            "--format",
            format,
            "--out",
            path.to_str().unwrap(),
        ]);
        assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600, "{format}: {mode:o}");
        }
    }
}

#[test]
fn the_guardian_log_reads_in_words_and_filters_by_words_or_code() {
    let h = CliHousehold::new();
    let out = h.guardian(&[
        "limit", "set", "Lee", "--scope", "purchase", "--window", "day", "--hard", "5",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    let text = String::from_utf8_lossy(&h.run(&["log", "guardian"]).stdout).to_string();
    assert!(
        text.contains("Maria: limit set: Lee — before: (none); after: purchase per day"),
        "{text}"
    );
    assert!(
        text.contains("Maria: PIN accepted: Maria — accepted"),
        "{text}"
    );
    assert!(
        !text.contains("limit_set") && !text.contains("pin_ok"),
        "{text}"
    );
    for typed in ["limit set", "Limit Set", "limit_set"] {
        let (code, doc) = h.json(&["log", "guardian", "--action", typed]);
        assert_eq!(code, Some(0), "{typed}: {doc}");
        let actions = doc["guardian_actions"].as_array().unwrap();
        assert_eq!(actions.len(), 1, "{typed}: {doc}");
        assert_eq!(actions[0]["action"], "limit_set");
        assert_eq!(actions[0]["action_words"], "limit set");
    }
    let (_, doc) = h.json(&["log", "guardian", "--action", "PIN accepted"]);
    assert!(
        doc["guardian_actions"].as_array().unwrap().len() >= 5,
        "{doc}"
    );
    let out = h.run(&["log", "guardian", "--action", "limit sett"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr_of(&out).contains("action \"limit sett\" is not one of: PIN accepted (pin_ok)"),
        "{}",
        stderr_of(&out)
    );
}

#[test]
fn a_report_for_a_past_period_has_its_totals_and_no_limits() {
    use coinguard::domain::{Scope, Window};
    // History in March 2026, made through the services with a fixed clock.
    let mut h = crate::support::Household::new();
    let sam = h.member_id("Sam");
    let pass = h.pass();
    h.store
        .write(&h.clock, |w| {
            coinguard::ledger::set_limit(
                w,
                &pass,
                &coinguard::ledger::Limit {
                    member: sam,
                    scope: Scope::Purchase,
                    window: Window::Month,
                    soft: None,
                    hard: Some(crate::support::usd_micros(40_000_000)),
                },
            )
        })
        .unwrap();
    crate::support::committed(h.buy("Sam", "coins-350", None));
    crate::support::committed(h.buy("Sam", "coins-350", None));
    crate::support::committed(h.gift("Sam", "Ana", "doughnut", 2, None));
    let refused = h.buy("Sam", "coins-17500", None).unwrap();
    assert_eq!(refused.verdict, coinguard::domain::Outcome::Deny);
    let db = h.path();
    let json = |args: &[&str]| {
        let out = coinguard()
            .args([
                "--db",
                db.to_str().unwrap(),
                "--json",
                "report",
                "--member",
                "Sam",
            ])
            .args(args)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{args:?}: {}", stderr_of(&out));
        let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
        doc["reports"][0].clone()
    };
    let march = json(&["--at", "2026-03"]);
    assert_eq!(
        (march["from"].as_str(), march["to"].as_str()),
        (Some("2026-03-01"), Some("2026-03-31"))
    );
    assert_eq!(march["current"], false);
    assert_eq!(march["purchases"]["amount"], "9.98");
    assert_eq!(march["gifts_coins"], 60);
    assert_eq!(march["refused"], 1);
    assert_eq!(march["top_creators"][0]["creator"], "Ana");
    assert_eq!(march["limits"], Value::Null, "limits are judged now");
    for args in [
        &["--at", "2026-03-04", "--period", "week"][..],
        &["--at", "2026-W10"],
        &["--from", "2026-03-02", "--to", "2026-03-08"],
    ] {
        let week = json(args);
        assert_eq!(
            (week["from"].as_str(), week["to"].as_str()),
            (Some("2026-03-02"), Some("2026-03-08")),
            "{args:?}"
        );
        assert_eq!(week["purchases"]["amount"], "9.98", "{args:?}");
    }
    let day = json(&["--at", "2026-03-01", "--period", "day"]);
    assert_eq!(day["purchases"]["amount"], "0");
    let now = json(&[]);
    assert_eq!(now["current"], true);
    assert_eq!(now["limits"].as_array().unwrap().len(), 1);
    // In words, a past period says where the limits are.
    let out = coinguard()
        .args([
            "--db",
            db.to_str().unwrap(),
            "report",
            "--member",
            "Sam",
            "--at",
            "2026-03",
        ])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        text.starts_with("Sam — 2026-03-01 to 2026-03-31\n  spent on coins 9.98 USD"),
        "{text}"
    );
    // Limits are judged now; a past period shows them as set now against
    // what it used (issue 17's weekly summary: "limits used").
    assert!(
        text.contains("  limits as set now, against what this period used:\n    purchase per month: refused above 40.00 USD: used 9.98 USD (24%)\n"),
        "{text}"
    );
    assert!(!text.contains("left before"), "{text}");
    for (args, expected) in [
        (
            &["--at", "2026-13"][..],
            "\"2026-13\" is not a month that exists",
        ),
        (&["--at", "2026-W54"], "2026 has no ISO week 54"),
        (
            &["--at", "March"],
            "is not a day (2026-03-14), a month (2026-03) or an ISO week",
        ),
        (
            &["--at", "2026-03", "--period", "day"],
            "names a month, not a day",
        ),
        (
            &["--from", "2026-03-09", "--to", "2026-03-01"],
            "--from 2026-03-09 is after --to 2026-03-01",
        ),
        (&["--at", "2999-01"], "is in the future"),
    ] {
        let out = coinguard()
            .args(["--db", db.to_str().unwrap(), "report"])
            .args(args)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(
            stderr_of(&out).contains(expected),
            "{args:?}: {}",
            stderr_of(&out)
        );
    }
}

#[test]
fn the_demo_never_takes_a_household_it_did_not_make() {
    let h = CliHousehold::new();
    assert_eq!(h.run(&["buy", "Lee", "coins-70"]).status.code(), Some(0));
    let before = std::fs::read(&h.db).unwrap();
    // As the README's first session leaves it: COINGUARD_DB set to the family's file.
    let by_env = coinguard()
        .env("COINGUARD_DB", &h.db)
        .args(["demo", "--no-tui"])
        .output()
        .unwrap();
    let by_flag = h.run(&["demo", "--no-tui"]);
    for out in [by_env, by_flag] {
        assert_eq!(out.status.code(), Some(2), "{}", stderr_of(&out));
        assert!(
            stderr_of(&out).contains("is not a demo household (coinguard demo did not make it), so it was left as it is and not opened"),
            "{}",
            stderr_of(&out)
        );
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            !stdout.contains("demo passphrase") && !stdout.contains("Jon"),
            "{stdout}"
        );
    }
    assert!(
        std::fs::read(&h.db).unwrap() == before,
        "the household is untouched"
    );
    let store = coinguard::ledger::Store::open(&h.db).unwrap();
    assert_eq!(coinguard::services::demo_pin(store.conn()), Ok(None));
}

#[test]
fn init_with_an_economy_that_cannot_be_stored_names_it_and_creates_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config");
    std::fs::create_dir(&config).unwrap();
    std::fs::write(
        config.join("economy.toml"),
        "diamond_share_percent = 50\ndiamond_value = \"0.005\"\nminimum_payout = \"10\"\n\
         gifts = []\n[[packs]]\nid = \"p\"\ncoins = 70\nprice = \"0.99\"\n",
    )
    .unwrap();
    let db = dir.path().join("home.db");
    let out = coinguard()
        .args(["--db", db.to_str().unwrap(), "init"])
        .args(["--config", config.to_str().unwrap()])
        .args(["--guardian", "Maria", "--pin-stdin"])
        .write_stdin(format!("{PIN}\n"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr_of(&out));
    assert!(
        stderr_of(&out).contains("economy.toml, key `gifts`: at least one gift is needed"),
        "{}",
        stderr_of(&out)
    );
    assert!(!db.exists(), "nothing is created");
}

#[test]
fn a_guardian_is_added_with_a_pin_and_adults_are_told_when_they_have_none() {
    let h = CliHousehold::new();
    let db = h.db.to_str().unwrap().to_string();
    // Only the acting guardian's PIN: the new guardian has none, so nothing is added.
    let out = coinguard()
        .args([
            "--db",
            &db,
            "member",
            "add",
            "Jon",
            "--role",
            "guardian",
            "--pin-stdin",
        ])
        .write_stdin(format!("{PIN}\n"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr_of(&out));
    let (_, doc) = h.json(&["member", "list"]);
    assert!(
        !doc.to_string().contains("\"Jon\""),
        "a guardian without a PIN was added: {doc}"
    );
    let out = coinguard()
        .args([
            "--db",
            &db,
            "member",
            "add",
            "Jon",
            "--role",
            "guardian",
            "--pin-stdin",
        ])
        .write_stdin(format!("{PIN}\nblue kettle morning\n"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    // Jon's own PIN works for a guardian action at once.
    let out = coinguard()
        .args([
            "--db",
            &db,
            "alert",
            "ack",
            "--all",
            "--as",
            "Jon",
            "--pin-stdin",
        ])
        .write_stdin("blue kettle morning\n")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    // An adult added without a PIN is told what that means.
    let out = h.guardian(&[
        "member",
        "add",
        "Max",
        "--role",
        "teen",
        "--birthdate",
        "1990-01-01",
        "--as",
        "Maria",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout)
            .contains("Max has no PIN: anyone at this computer can act as them"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    // So is a creator (creators cash out real money).
    let out = h.guardian(&[
        "member",
        "add",
        "Zoe",
        "--role",
        "creator",
        "--birthdate",
        "1995-05-05",
        "--as",
        "Maria",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout)
            .contains("Zoe has no PIN: anyone at this computer can act as them"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn coins_that_are_known_carry_what_they_cost_everywhere() {
    let h = CliHousehold::new();
    // 350 coins bought for 4.99 USD: 1.4257 cents each, not the best pack
    // rate of 1.4143 cents.
    let out = h.run(&["buy", "Sam", "coins-350"]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr_of(&out));
    let out = h.guardian(&["request", "approve", "1"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    let out = h.run(&["gift", "Sam", "Ana", "doughnut", "--count", "3"]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr_of(&out));
    let asked = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(asked.contains("90 coins (1.28 USD)"), "{asked}");
    let listed =
        String::from_utf8_lossy(&h.run(&["request", "list", "--status", "pending"]).stdout)
            .to_string();
    assert!(
        listed.contains("holds 90 coins (1.28 USD) until answered"),
        "the hold is priced like the gift it holds for: {listed}"
    );
    let members = String::from_utf8_lossy(&h.run(&["member", "list"]).stdout).to_string();
    assert!(members.contains("350 coins (4.99 USD)"), "{members}");
}

#[test]
fn limit_set_help_says_what_the_all_scope_counts() {
    let out = coinguard()
        .args(["limit", "set", "--help"])
        .output()
        .unwrap();
    let help = String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    assert!(
        help.contains("counted once: money paid for coins, plus granted coins' value when gifted"),
        "{help}"
    );
}

// --- Where the household is: the service's socket or a file (issue 14) ---

#[test]
fn a_socket_with_no_service_behind_it_exits_6_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let socket = dir.path().join("nobody.sock");
    let out = coinguard()
        .env_remove("COINGUARD_SOCKET")
        .args(["--socket", socket.to_str().unwrap(), "member", "list"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(6), "{}", stderr_of(&out));
    assert!(
        stderr_of(&out).contains(&format!(
            "the coinguard service is not running (socket {})",
            socket.display()
        )),
        "{}",
        stderr_of(&out)
    );
    // Under --json, the same as an error document.
    let out = coinguard()
        .env_remove("COINGUARD_SOCKET")
        .args([
            "--json",
            "--socket",
            "/nonexistent/coinguard.sock",
            "verify",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(6));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["outcome"], "error");
    assert_eq!(doc["error"]["kind"], "unavailable");
    assert!(
        doc["error"]["message"]
            .as_str()
            .unwrap()
            .contains("the coinguard service is not running (socket /nonexistent/coinguard.sock)"),
        "{doc}"
    );
}

#[test]
fn coinguard_socket_is_honoured_and_a_db_option_overrides_it() {
    let h = CliHousehold::new();
    let out = coinguard()
        .env("COINGUARD_SOCKET", "/nonexistent/from-env.sock")
        .args(["member", "list"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(6), "{}", stderr_of(&out));
    assert!(
        stderr_of(&out).contains("(socket /nonexistent/from-env.sock)"),
        "{}",
        stderr_of(&out)
    );
    // An option on the command line wins over the other's variable.
    let out = coinguard()
        .env("COINGUARD_SOCKET", "/nonexistent/from-env.sock")
        .args(["--db", h.db.to_str().unwrap(), "member", "list"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("Maria"));
    // COINGUARD_DB still opens a file.
    let out = coinguard()
        .env_remove("COINGUARD_SOCKET")
        .env("COINGUARD_DB", &h.db)
        .args(["member", "list"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
}

#[test]
fn a_file_and_a_socket_at_once_is_a_usage_error() {
    let h = CliHousehold::new();
    let both = coinguard()
        .args(["--db", h.db.to_str().unwrap()])
        .args(["--socket", "/nonexistent/coinguard.sock", "member", "list"])
        .output()
        .unwrap();
    let both_env = coinguard()
        .env("COINGUARD_DB", &h.db)
        .env("COINGUARD_SOCKET", "/nonexistent/coinguard.sock")
        .args(["member", "list"])
        .output()
        .unwrap();
    for (out, expected) in [
        (both, "give --db (open a household file here) or --socket"),
        (both_env, "COINGUARD_DB and COINGUARD_SOCKET are both set"),
    ] {
        assert_eq!(out.status.code(), Some(2), "{}", stderr_of(&out));
        assert!(stderr_of(&out).contains(expected), "{}", stderr_of(&out));
        assert!(out.stdout.is_empty());
    }
    // init and demo create a file: a socket is no place to create one.
    let dir = tempfile::tempdir().unwrap();
    let out = coinguard()
        .args(["--socket", "/nonexistent/coinguard.sock", "init"])
        .args(["--guardian", "Maria", "--pin-stdin"])
        .write_stdin(format!("{PIN}\n"))
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr_of(&out));
    assert!(stderr_of(&out).contains("init and demo create a household file"));
}

// --- QA findings of the command line ---

/// QA 3: the reversal's preview, with its warning, comes before the PIN.
#[test]
fn reverse_shows_what_it_gives_back_and_its_warning_before_the_pin() {
    let h = CliHousehold::new();
    assert_eq!(h.run(&["buy", "Lee", "coins-350"]).status.code(), Some(0));
    let out = h.guardian(&["rule", "creator", "Lee", "Ana", "--allow"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    let out = h.run(&["gift", "Lee", "Ana", "hand-hearts", "--count", "2"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    // No terminal and no --pin-stdin: the PIN cannot be asked, and the
    // preview was already shown.
    let out = h.run(&["reverse", "1", "--reason", "bought by mistake"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr_of(&out));
    assert!(stderr_of(&out).contains("a guardian PIN is needed"));
    let shown = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        shown.contains(
            "Reversing transaction #1: refund of the unspent part of purchase #1: 150 coins back for 2.13 USD"
        ),
        "{shown}"
    );
    assert!(
        shown.contains("Warning: Coins from purchase #1 were spent on gift #2")
            && shown.contains("Reverse gift #2 first")
            && shown.contains("refunds 4.99 USD instead of 2.13 USD"),
        "{shown}"
    );
    // With --json the final document carries it.
    let out = coinguard()
        .args(["--db", h.db.to_str().unwrap(), "--json"])
        .args([
            "reverse",
            "1",
            "--reason",
            "bought by mistake",
            "--pin-stdin",
        ])
        .write_stdin(format!("{PIN}\n"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["outcome"], "committed");
    assert!(
        doc["reversal"]["gives_back"]
            .as_str()
            .unwrap()
            .starts_with("refund of the unspent part of purchase #1: 150 coins"),
        "{doc}"
    );
    assert!(
        doc["reversal"]["warnings"][0]
            .as_str()
            .unwrap()
            .contains("Reverse gift #2 first"),
        "{doc}"
    );
}

/// QA 4: the outcome takes the words people use; anything else is bad input.
#[test]
fn the_decision_log_takes_outcome_words_and_refuses_others() {
    let h = CliHousehold::new();
    assert_eq!(h.run(&["buy", "Lee", "coins-70"]).status.code(), Some(0));
    assert_eq!(h.run(&["buy", "Sam", "coins-70"]).status.code(), Some(3));
    assert_eq!(h.run(&["buy", "Kim", "coins-70"]).status.code(), Some(4));
    let outcomes = |word: &str| -> Vec<String> {
        let (code, doc) = h.json(&["log", "decisions", "--outcome", word]);
        assert_eq!(code, Some(0), "{word}: {doc}");
        doc["decisions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| format!("{} {}", d["member"], d["outcome"]))
            .collect()
    };
    for word in ["deny", "DENY", "refused", "denied"] {
        assert_eq!(outcomes(word), ["\"Kim\" \"deny\""], "{word}");
    }
    for word in ["approval", "needs-approval", "needs_approval"] {
        assert_eq!(outcomes(word), ["\"Sam\" \"needs_approval\""], "{word}");
    }
    for word in ["allow", "allowed"] {
        assert_eq!(outcomes(word), ["\"Lee\" \"allow\""], "{word}");
    }
    let out = h.run(&["log", "decisions", "--outcome", "bogus"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr_of(&out).contains("outcome \"bogus\" is not one of allow, needs-approval, deny"),
        "{}",
        stderr_of(&out)
    );
    assert!(out.stdout.is_empty());
}

/// QA 14: a PIN too short to be anyone's, typed for an existing PIN, is a
/// wrong PIN: exit 5, and it counts towards the lock.
#[test]
fn a_short_pin_for_an_existing_pin_is_a_wrong_pin_and_counts() {
    let h = CliHousehold::new();
    let ack = |pin: &str| {
        coinguard()
            .args(["--db", h.db.to_str().unwrap(), "alert", "ack", "--all"])
            .arg("--pin-stdin")
            .write_stdin(format!("{pin}\n"))
            .output()
            .unwrap()
    };
    let out = ack("12345");
    assert_eq!(out.status.code(), Some(5), "{}", stderr_of(&out));
    assert_eq!(
        stderr_of(&out),
        "coinguard: wrong PIN for Maria; 4 more tries before a lock\n"
    );
    let long = "x".repeat(200);
    let out = ack(&long);
    assert_eq!(
        stderr_of(&out),
        "coinguard: wrong PIN for Maria; 3 more tries before a lock\n"
    );
    // The log has both attempts.
    let (_, doc) = h.json(&["log", "guardian", "--action", "wrong PIN"]);
    assert_eq!(
        doc["guardian_actions"].as_array().unwrap().len(),
        2,
        "{doc}"
    );
    // A member's own PIN the same way.
    let out = coinguard()
        .args(["--db", h.db.to_str().unwrap(), "member", "pin", "Lee"])
        .arg("--pin-stdin")
        .write_stdin(format!("{PIN}\nlee's own secret\n"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    let out = coinguard()
        .args(["--db", h.db.to_str().unwrap(), "buy", "Lee", "coins-70"])
        .arg("--pin-stdin")
        .write_stdin("lee\n")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(5), "{}", stderr_of(&out));
    assert!(stderr_of(&out).contains("wrong PIN for Lee; 4 more tries"));
}

/// QA 14: approving under --json says which request it answered.
#[test]
fn an_approval_under_json_carries_its_request_id() {
    let h = CliHousehold::new();
    assert_eq!(h.run(&["buy", "Sam", "coins-70"]).status.code(), Some(3));
    let out = coinguard()
        .args([
            "--db",
            h.db.to_str().unwrap(),
            "--json",
            "request",
            "approve",
        ])
        .args(["1", "--pin-stdin"])
        .write_stdin(format!("{PIN}\n"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        (doc["outcome"].as_str(), doc["request_id"].as_i64()),
        (Some("committed"), Some(1)),
        "{doc}"
    );
    assert_eq!(doc["tx_id"], 1);
}

/// QA 14: the README lists every kind an error document can have.
#[test]
fn the_readme_names_every_error_kind() {
    let readme = include_str!("../../README.md");
    let kinds_line = readme
        .split("`kind` is one of")
        .nth(1)
        .expect("the README lists the error kinds");
    let listed = &kinds_line[..kinds_line.find(':').unwrap_or(kinds_line.len())];
    use coinguard::domain::ErrorKind::*;
    for kind in [
        BadInput,
        Usage,
        Config,
        NotFound,
        Conflict,
        Auth,
        Forbidden,
        Household,
        Unavailable,
        Other,
    ] {
        assert!(
            listed.contains(&format!("`{}`", kind.as_str())),
            "{} is missing from: {listed}",
            kind.as_str()
        );
    }
}

/// QA 14: a usage error under --json names what is missing.
#[test]
fn a_usage_error_under_json_names_the_argument() {
    let h = CliHousehold::new();
    let (code, doc) = h.json(&["buy", "Lee"]);
    assert_eq!(code, Some(2));
    assert_eq!(doc["error"]["kind"], "usage");
    assert_eq!(
        doc["error"]["message"],
        "the following required arguments were not provided: <PACK>"
    );
    let (code, doc) = h.json(&["limit", "set", "Lee", "--scope", "gift"]);
    assert_eq!(code, Some(2));
    assert!(
        doc["error"]["message"]
            .as_str()
            .unwrap()
            .contains("--window <WINDOW>"),
        "{doc}"
    );
    // A value that is not one of the choices is bad input, named.
    let (code, doc) = h.json(&["limit", "list", "Lee", "--json", "--frob"]);
    assert_eq!(
        (code, doc["error"]["kind"].as_str()),
        (Some(2), Some("usage"))
    );
    let (_, doc) = h.json(&["history", "--kind", "theft"]);
    assert_eq!(doc["error"]["kind"], "bad_input");
}

/// QA 14: a member's own PIN is asked for as theirs.
#[test]
fn without_a_terminal_the_pin_asked_for_is_named() {
    let h = CliHousehold::new();
    let out = coinguard()
        .args(["--db", h.db.to_str().unwrap(), "member", "pin", "Ana"])
        .arg("--pin-stdin")
        .write_stdin(format!("{PIN}\nana's own secret\n"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    let out = h.run(&["redeem", "Ana", "100"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr_of(&out).contains("Ana's own PIN is needed")
            && !stderr_of(&out).contains("guardian"),
        "{}",
        stderr_of(&out)
    );
}

/// QA 14: a path that cannot take a new file is bad input, like one that exists.
#[test]
fn an_export_to_a_folder_that_does_not_exist_exits_2() {
    let h = CliHousehold::new();
    let out = h.run(&[
        "export",
        "--format",
        "csv",
        "--out",
        "/nonexistent/dir/x.csv",
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr_of(&out));
    assert!(
        stderr_of(&out).contains("cannot write /nonexistent/dir/x.csv"),
        "{}",
        stderr_of(&out)
    );
}

/// QA 20: counts agree with their nouns; numbers and choices are named.
#[test]
fn wordings_count_right_and_name_what_is_allowed() {
    let h = CliHousehold::new();
    assert_eq!(h.run(&["buy", "Lee", "coins-70"]).status.code(), Some(0));
    let out = h.run(&["verify"]);
    assert!(
        String::from_utf8_lossy(&out.stdout)
            .starts_with(
                "All good. Checked 1 transaction (4 postings, 4 accounts, 1 coin lot), 1 guard decision and "
            ),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let cases: &[(&[&str], &str)] = &[
        (
            &["request", "approve", "abc", "--pin-stdin"],
            "\"abc\" is not a request number; type its digits, like 12",
        ),
        (
            &["history", "--limit", "1000"],
            "--limit \"1000\" is more rows than a page holds: the most is 500",
        ),
        (
            &["request", "list", "--status", "open"],
            "status \"open\" is not one of pending, approved, denied, expired, cancelled, refused",
        ),
        (
            &[
                "rule",
                "quiet-hours",
                "Lee",
                "--from",
                "21:00",
                "--to",
                "21:00",
            ],
            "quiet hours need a start and an end that differ; --from and --to are both 21:00",
        ),
    ];
    for (args, expected) in cases {
        let out = h.run(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(
            stderr_of(&out).contains(expected) && !stderr_of(&out).contains("a whole number of"),
            "{args:?}: {}",
            stderr_of(&out)
        );
    }
    // `refused` is a status that lists.
    let (code, _) = h.json(&["request", "list", "--status", "refused"]);
    assert_eq!(code, Some(0));
}

/// QA 24: the demo and `rule list` say which time zone their times are in.
#[test]
fn the_demo_and_rule_list_name_the_household_time_zone() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.db");
    let out = coinguard()
        .args(["--db", db.to_str().unwrap(), "demo", "--no-tui"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(text.contains("Its time zone is America/New_York"), "{text}");
    let out = coinguard()
        .args(["--db", db.to_str().unwrap(), "--json", "demo", "--no-tui"])
        .output()
        .unwrap();
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["timezone"], "America/New_York");

    let h = CliHousehold::new();
    let text = String::from_utf8_lossy(&h.run(&["rule", "list", "Lee"]).stdout).to_string();
    assert!(
        text.contains("now in Europe/Berlin, the household's time zone"),
        "{text}"
    );
    let (_, doc) = h.json(&["rule", "list", "Lee"]);
    assert_eq!(doc["timezone"], "Europe/Berlin");
    assert_eq!(doc["member"], "Lee");
}

/// QA 25: the next page's command repeats the filters and the page size.
#[test]
fn the_more_hint_repeats_the_limit_and_the_filters() {
    let h = CliHousehold::new();
    for _ in 0..3 {
        assert_eq!(h.run(&["buy", "Lee", "coins-70"]).status.code(), Some(0));
    }
    let out = h.run(&[
        "history", "--member", "Lee", "--kind", "purchase", "--limit", "2",
    ]);
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    let hint = text
        .lines()
        .find_map(|l| l.strip_prefix("More: "))
        .unwrap_or_else(|| panic!("no hint in {text}"));
    assert!(
        hint.starts_with("coinguard history --member Lee --kind purchase --limit 2 --after "),
        "{hint}"
    );
    // Running it gives the last row, and no further hint.
    let words: Vec<&str> = hint.split(' ').skip(1).collect();
    let next = h.run(&words);
    let next = String::from_utf8_lossy(&next.stdout).to_string();
    assert_eq!(
        next.lines().filter(|l| l.starts_with('#')).count(),
        1,
        "{next}"
    );
    assert!(!next.contains("More:"), "{next}");
}

// --- OS accounts, approve in person, and tables ---

fn os_user() -> String {
    let out = std::process::Command::new("id")
        .arg("-un")
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

#[test]
fn members_are_linked_to_os_accounts_and_listed_with_them() {
    let h = CliHousehold::new();
    let me = os_user();
    let out = h.guardian(&["member", "link", "Sam", "--os-user", &me]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        text.starts_with("Maria changed the OS accounts of Sam.")
            && text.contains(&format!("after:  OS account {me} acts as Sam")),
        "{text}"
    );
    let (_, doc) = h.json(&["member", "list"]);
    let sam = doc["members"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["name"] == "Sam")
        .unwrap()
        .clone();
    assert_eq!(sam["accounts"], serde_json::json!([me]));
    let listed = String::from_utf8_lossy(&h.run(&["member", "list"]).stdout).to_string();
    let sam_line = listed.lines().find(|l| l.starts_with("Sam ")).unwrap();
    assert!(sam_line.ends_with(&me), "{listed}");
    assert!(
        listed.lines().next().unwrap().ends_with("OS accounts"),
        "{listed}"
    );
    // An account that does not exist, and unlinking what is not linked.
    let out = h.guardian(&["member", "link", "Sam", "--os-user", "no-such-user-here"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr_of(&out).contains("there is no OS account \"no-such-user-here\""));
    let out = h.guardian(&["member", "unlink", "Sam", "--os-user", &me]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    let (_, doc) = h.json(&["member", "list"]);
    assert!(doc.to_string().contains("\"accounts\":[]"));
    let out = h.guardian(&["member", "unlink", "Sam", "--os-user", &me]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr_of(&out).contains(&format!("OS account {me} is not linked to Sam")));
}

#[test]
fn approve_in_person_is_off_until_a_guardian_turns_it_on() {
    let h = CliHousehold::new();
    let (_, doc) = h.json(&["household", "show"]);
    assert_eq!(doc["approve_in_person"], false, "{doc}");
    assert_eq!(doc["reached"], "file");
    assert_eq!(doc["timezone"], "Europe/Berlin");
    // A guardian's PIN is needed, and checked.
    let out = coinguard()
        .args(["--db", h.db.to_str().unwrap()])
        .args(["household", "approve-in-person", "on", "--pin-stdin"])
        .write_stdin("not the pin\n")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(5));
    let out = h.guardian(&["household", "approve-in-person", "on"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("before: off\n  after:  on"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let (_, doc) = h.json(&["household", "show"]);
    assert_eq!(doc["approve_in_person"], true);
    let out = h.guardian(&["household", "approve-in-person", "maybe"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr_of(&out).contains("setting \"maybe\" is not one of on, off"));
}

#[test]
fn names_with_wide_characters_line_up_in_tables() {
    let h = CliHousehold::new();
    for name in ["美咲", "Zoë"] {
        let out = h.guardian(&[
            "member",
            "add",
            name,
            "--role",
            "teen",
            "--birthdate",
            "1990-01-01",
            "--no-pin",
        ]);
        assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    }
    let listed = String::from_utf8_lossy(&h.run(&["member", "list"]).stdout).to_string();
    use unicode_width::UnicodeWidthStr;
    // Where "teen" starts, in terminal columns, on every teen's line.
    let columns: Vec<usize> = listed
        .lines()
        .filter_map(|l| l.find(" teen ").map(|at| l[..at].width()))
        .collect();
    assert_eq!(columns.len(), 5, "{listed}");
    assert!(
        columns.windows(2).all(|w| w[0] == w[1]),
        "{columns:?}\n{listed}"
    );
}

#[test]
fn new_pins_that_are_weak_are_refused_unless_accepted() {
    let h = CliHousehold::new();
    let set = |extra: &[&str]| {
        coinguard()
            .args(["--db", h.db.to_str().unwrap(), "member", "pin", "Lee"])
            .args(extra)
            .arg("--pin-stdin")
            .write_stdin(format!("{PIN}\n123456\n"))
            .output()
            .unwrap()
    };
    let out = set(&[]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr_of(&out));
    assert!(
        stderr_of(&out).contains("add --accept-weak-pin to use this PIN anyway"),
        "{}",
        stderr_of(&out)
    );
    let lee_has_pin = || {
        let (_, doc) = h.json(&["member", "list"]);
        doc["members"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["name"] == "Lee")
            .map(|m| m["has_pin"].clone())
    };
    assert_eq!(lee_has_pin(), Some(Value::Bool(false)));
    let out = set(&["--accept-weak-pin"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    assert!(stderr_of(&out).contains("warning: this PIN is one of the most common ones"));
    assert_eq!(lee_has_pin(), Some(Value::Bool(true)));
}

/// The same commands through the household service as on the file: the
/// command line only builds calls, so nothing depends on where the file is.
/// (The test's account runs the service too, so it is the household's owner
/// through the socket, as root is.)
#[test]
fn the_command_line_works_the_same_through_the_household_service() {
    let h = CliHousehold::new();
    let dir = tempfile::tempdir().unwrap();
    let socket = dir.path().join("coinguard.sock");
    let _service = crate::service::Service::start(&h.db, &socket, &[]);
    let remote = |args: &[&str], stdin: &str| {
        coinguard()
            .env_remove("COINGUARD_SOCKET")
            .args(["--socket", socket.to_str().unwrap()])
            .args(args)
            .write_stdin(stdin)
            .output()
            .unwrap()
    };
    let json = |out: &std::process::Output| -> Value {
        serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)))
    };
    let shown = remote(&["--json", "household", "show"], "");
    assert_eq!(shown.status.code(), Some(0), "{}", stderr_of(&shown));
    let shown = json(&shown);
    assert_eq!(
        (shown["reached"].as_str(), shown["service"].as_bool()),
        (Some("service"), Some(true))
    );
    assert_eq!(
        remote(&["buy", "Lee", "coins-70"], "").status.code(),
        Some(0)
    );
    let asked = remote(&["--json", "buy", "Sam", "coins-350"], "");
    assert_eq!(asked.status.code(), Some(3), "{}", stderr_of(&asked));
    assert_eq!(json(&asked)["request_id"], 1);
    // The guardian's PIN travels in the call; a wrong one is counted there.
    let wrong = remote(&["request", "approve", "1", "--pin-stdin"], "not the pin\n");
    assert_eq!(wrong.status.code(), Some(5));
    assert_eq!(
        stderr_of(&wrong),
        "coinguard: wrong PIN for Maria; 4 more tries before a lock\n"
    );
    let approved = remote(
        &["--json", "request", "approve", "1", "--pin-stdin"],
        &format!("{PIN}\n"),
    );
    assert_eq!(approved.status.code(), Some(0), "{}", stderr_of(&approved));
    assert_eq!(json(&approved)["outcome"], "committed");
    // The reversal's preview comes through the service before the PIN.
    let reversed = remote(
        &["reverse", "1", "--reason", "test", "--pin-stdin"],
        &format!("{PIN}\n"),
    );
    assert_eq!(reversed.status.code(), Some(0), "{}", stderr_of(&reversed));
    assert!(
        String::from_utf8_lossy(&reversed.stdout).starts_with("Reversing transaction #1: "),
        "{}",
        String::from_utf8_lossy(&reversed.stdout)
    );
    // Exports arrive in pages and come out as the file's own export does.
    for format in ["csv", "json", "hledger"] {
        let through = remote(&["export", "--format", format], "");
        assert_eq!(through.status.code(), Some(0), "{}", stderr_of(&through));
        let here = h.run(&["export", "--format", format]);
        assert_eq!(
            String::from_utf8_lossy(&through.stdout),
            String::from_utf8_lossy(&here.stdout),
            "{format}"
        );
    }
    let file = dir.path().join("ledger.csv");
    let out = remote(
        &["export", "--format", "csv", "--out", file.to_str().unwrap()],
        "",
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    assert!(stderr_of(&out).contains("Wrote 3 transactions to"));
    // Text commands read the same either way.
    for args in [
        &["member", "list"][..],
        &["limit", "list", "Lee"],
        &["request", "list"],
        &["history"],
        &["verify"],
        &["catalog"],
    ] {
        let through = remote(args, "");
        assert_eq!(
            through.status.code(),
            Some(0),
            "{args:?}: {}",
            stderr_of(&through)
        );
        assert_eq!(
            String::from_utf8_lossy(&through.stdout),
            String::from_utf8_lossy(&h.run(args).stdout),
            "{args:?}"
        );
    }
    // COINGUARD_SOCKET reaches it too.
    let out = coinguard()
        .env("COINGUARD_SOCKET", &socket)
        .args(["--json", "household", "show"])
        .output()
        .unwrap();
    assert_eq!(json(&out)["reached"], "service");
}

/// QA 22: what is left says both amounts when a limit has both: before a
/// guardian must approve, and before it is refused.
#[test]
fn what_is_left_of_a_limit_names_both_of_its_amounts() {
    let h = CliHousehold::new();
    let out = h.guardian(&[
        "limit", "set", "Lee", "--scope", "purchase", "--window", "week", "--soft", "10.00",
        "--hard", "25.00",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    assert_eq!(h.run(&["buy", "Lee", "coins-350"]).status.code(), Some(0));
    let out = h.run(&["limit", "list", "Lee"]);
    let shown = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        shown.contains("used this week: 4.99 USD; 5.01 USD before a guardian must approve, 20.01 USD before it is refused"),
        "{shown}"
    );
    let out = h.run(&["--json", "limit", "list", "Lee"]);
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        doc["limits"][0]["before_approval"]["amount"], "5.01",
        "{doc}"
    );
    assert_eq!(doc["limits"][0]["remaining"]["amount"], "20.01", "{doc}");
}

/// Issue 12, item 2: one figure for `all` spending everywhere. Buying coins
/// and gifting them counts the money once; granted coins count at their
/// value when they are gifted. The export's `all_spending` column, the
/// report's `all`, the `all` limit's gauge and the guard's judgement agree.
#[test]
fn all_spending_is_one_figure_in_the_export_the_report_the_gauge_and_the_guard() {
    use coinguard::domain::{Scope, Window};
    let mut h = crate::support::Household::new();
    let sam = h.member_id("Sam");
    let pass = h.pass();
    let set_all_limit = |h: &mut crate::support::Household, micros: i64| {
        h.store
            .write(&h.clock, |w| {
                coinguard::ledger::set_limit(
                    w,
                    &pass,
                    &coinguard::ledger::Limit {
                        member: sam,
                        scope: Scope::All,
                        window: Window::Month,
                        soft: None,
                        hard: Some(crate::support::usd_micros(micros)),
                    },
                )
            })
            .unwrap();
    };
    set_all_limit(&mut h, 100_000_000);
    // 700 bought coins (9.98 USD), then 100 granted; 800 gifted: the 700
    // bought ones and the 100 granted ones (FIFO, bought first).
    crate::support::committed(h.buy("Sam", "coins-350", None));
    crate::support::committed(h.buy("Sam", "coins-350", None));
    crate::support::committed(h.grant("Sam", 100));
    crate::support::committed(h.gift("Sam", "Ana", "concert", 1, None));
    crate::support::committed(h.gift("Sam", "Ana", "hand-hearts", 3, None));
    let db = h.path();
    let db = db.to_str().unwrap();
    let cents = |text: &str| -> i64 {
        let d: rust_decimal::Decimal = text.parse().unwrap();
        (d * rust_decimal::Decimal::from(1_000_000))
            .trunc()
            .try_into()
            .unwrap()
    };

    // The export: each row's money and what it adds to `all`.
    let out = coinguard()
        .args(["--db", db, "export", "--format", "csv", "--member", "Sam"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    let mut reader = csv::Reader::from_reader(&out.stdout[..]);
    let header = reader.headers().unwrap().clone();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let (kind, money, all) = (col("kind"), col("money"), col("all_spending"));
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    let sum_of = |pick: &dyn Fn(&csv::StringRecord) -> bool, column: usize| -> i64 {
        rows.iter()
            .filter(|r| pick(r))
            .map(|r| cents(&r[column]))
            .sum()
    };
    let paid = sum_of(&|r| &r[kind] == "purchase", money);
    let granted_value = sum_of(&|r| &r[kind] == "grant", money);
    let gifted_cost = sum_of(&|r| &r[kind] == "gift", money);
    let all_in_export = sum_of(&|_| true, all);
    assert_eq!(paid, 9_980_000, "two 350-coin packs");
    assert!(granted_value > 0, "granted coins have a value");
    assert_eq!(
        all_in_export,
        paid + granted_value,
        "money paid once, granted coins at their value once gifted"
    );
    assert_ne!(
        all_in_export,
        paid + gifted_cost,
        "gifting bought coins does not count their money again"
    );
    assert_eq!(sum_of(&|r| &r[kind] == "purchase", all), paid);
    assert_eq!(
        sum_of(&|r| &r[kind] == "grant", all),
        0,
        "a grant costs nothing until gifted"
    );

    // The report's `all` and the gauge of the `all` limit, through the
    // household API the command line and the service answer (on the
    // household's clock: the history is in March 2026).
    let mut session = coinguard::api::Session::new(
        coinguard::ledger::Store::open(&h.path()).unwrap(),
        &h.clock,
        coinguard::api::Caller::Owner,
    );
    let march = |d: u32| chrono::NaiveDate::from_ymd_opt(2026, 3, d).unwrap();
    let reply = session
        .handle(coinguard::api::Call::Report {
            member: Some("Sam".into()),
            first_day: march(1),
            last_day: march(31),
        })
        .unwrap();
    let coinguard::api::Reply::Reports(reports) = reply else {
        panic!("not a report: {reply:?}")
    };
    let report = &reports.reports[0];
    assert_eq!(report.all.micros(), all_in_export);
    assert_eq!(report.purchases.micros(), paid);
    let gauge = report
        .limits
        .as_ref()
        .unwrap()
        .iter()
        .find(|l| l.scope == Scope::All && l.window == Window::Month)
        .unwrap();
    assert_eq!(
        gauge.used,
        coinguard::api::reply::Amount::Money(report.all),
        "the gauge reads the report's figure"
    );
    drop(session);

    // The guard: with the cap at exactly what is used plus one 0.99 USD
    // pack, one pack fits and the next is refused, naming the same figure.
    set_all_limit(&mut h, all_in_export + 990_000);
    crate::support::committed(h.buy("Sam", "coins-70", None));
    let refused = h.buy("Sam", "coins-70", None).unwrap();
    assert_eq!(refused.verdict, coinguard::domain::Outcome::Deny);
    let used_now = coinguard::money::Money::from_micros(
        coinguard::money::Currency::USD,
        all_in_export + 990_000,
    );
    let why: Vec<String> = refused.reasons.iter().map(|r| r.message.clone()).collect();
    assert!(
        why.iter().any(|w| w.contains(&format!("{used_now} used"))),
        "{why:?}"
    );
}

/// Piped (or with --json), an export prints exactly what it did and
/// nothing else: no progress line. At a terminal, how many so far on
/// standard error, cleared at the end.
#[test]
fn export_shows_progress_at_a_terminal_only() {
    let h = CliHousehold::new();
    for _ in 0..3 {
        assert_eq!(h.run(&["buy", "Lee", "coins-70"]).status.code(), Some(0));
    }
    let path = h.db.with_file_name("piped.csv");
    let out = h.run(&["export", "--format", "csv", "--out", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&out.stdout), "");
    assert_eq!(
        stderr_of(&out),
        format!("Wrote 3 transactions to {}.\n", path.display())
    );
    // To standard output: the file's bytes, and nothing on stderr.
    let out = h.run(&["export", "--format", "csv"]);
    assert_eq!(out.stdout, std::fs::read(&path).unwrap());
    assert_eq!(stderr_of(&out), "");
    let json = h.db.with_file_name("piped.json");
    let out = h.run(&[
        "--json",
        "export",
        "--format",
        "json",
        "--out",
        json.to_str().unwrap(),
    ]);
    assert_eq!(stderr_of(&out), "");
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["transactions"], 3);
    // At a terminal (script(1) gives it one): the count, then cleared.
    let bin = env!("CARGO_BIN_EXE_coinguard");
    let typed = h.db.with_file_name("typed.csv");
    let command = format!(
        "{bin} --db {} export --format csv --out {}",
        h.db.display(),
        typed.display()
    );
    let out = std::process::Command::new("script")
        .args(["-qec", &command, "/dev/null"])
        .output()
        .unwrap();
    let seen = String::from_utf8_lossy(&out.stdout);
    assert!(
        seen.contains(&format!(
            "\rexporting: 3 transactions\r{}\r",
            " ".repeat(25)
        )),
        "{seen:?}"
    );
    assert!(seen.contains("Wrote 3 transactions to"), "{seen:?}");
}

/// A child's PIN is not asked for when they are added, but one given on
/// standard input after the guardian's is used, never dropped unread; a
/// child added with nothing after the guardian's PIN has none.
#[test]
fn a_childs_pin_given_on_stdin_when_adding_them_is_set() {
    let h = CliHousehold::new();
    let add = |name: &str, stdin: String| {
        coinguard()
            .args(["--db", h.db.to_str().unwrap(), "member", "add", name])
            .args(["--role", "teen", "--birthdate", "2012-03-04", "--pin-stdin"])
            .write_stdin(stdin)
            .output()
            .unwrap()
    };
    let out = add("Tom", format!("{PIN}\nTom's own secret 7\n"));
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    let out = add("Ivy", format!("{PIN}\n"));
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    let (_, doc) = h.json(&["member", "list"]);
    let has_pin = |name: &str| {
        doc["members"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["name"] == name)
            .map(|m| m["has_pin"].clone())
    };
    assert_eq!(has_pin("Tom"), Some(Value::Bool(true)));
    assert_eq!(has_pin("Ivy"), Some(Value::Bool(false)));
}
