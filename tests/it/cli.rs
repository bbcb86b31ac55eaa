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
        ])
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
        .args(["--db", db.to_str().unwrap(), "init", "--guardian", "Other"])
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
            .args(["--db", db.to_str().unwrap(), "init"])
            .args(*args)
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
            "--config",
            config.to_str().unwrap(),
            "init",
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
    assert_eq!(doc["packs"][0]["price"], "0.99");
    assert_eq!(doc["packs"][0]["price_per_coin"], "0.0141");
    assert_eq!(doc["packs"].as_array().unwrap().len(), 7);
    assert_eq!(doc["gifts"][8]["name"], "Universe");
    assert_eq!(doc["gifts"][8]["coins"], 44999);
    assert_eq!(doc["gifts"][8]["creator_diamonds"], 22499);
    assert_eq!(doc["gifts"][8]["creator_money"], "112.49");
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

    // Put a real transaction in through the library, then tamper with it.
    {
        let clock = coinguard::domain::SystemClock;
        let mut store = coinguard::ledger::Store::open(&db).unwrap();
        let request = coinguard::services::GrantRequest {
            guardian: "Maria",
            member: "Maria",
            coins: coinguard::money::Coins::new(70),
            memo: Default::default(),
            key: None,
        };
        coinguard::services::grant(
            &mut store,
            &clock,
            coinguard::services::Mode::Commit,
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
