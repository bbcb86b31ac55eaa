//! Editing the database behind coinguard's back, as someone with the `sqlite3`
//! shell would (dropping the append-only triggers first), must be caught.

use rusqlite::Connection;

use crate::support::{Household, committed};

fn household_with_history() -> Household {
    let mut h = Household::new();
    committed(h.buy("Sam", "coins-350", None)); // #1
    committed(h.gift("Sam", "Ana", "hand-hearts", 1, None)); // #2
    committed(h.grant("Lee", 50)); // #3
    committed(h.buy("Lee", "coins-70", None)); // #4
    assert_eq!(h.verify_problem(), None);
    h
}

/// Opens the file directly and drops every trigger, like an attacker.
fn attacker(h: &Household) -> Connection {
    let conn = Connection::open(h.path()).unwrap();
    conn.execute_batch("PRAGMA foreign_keys = OFF").unwrap();
    let triggers: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    for name in triggers {
        conn.execute_batch(&format!("DROP TRIGGER {name}")).unwrap();
    }
    conn
}

#[test]
fn the_ledger_refuses_plain_updates_and_deletes() {
    let h = household_with_history();
    let conn = Connection::open(h.path()).unwrap();
    for sql in [
        "UPDATE postings SET amount = 1 WHERE id = 1",
        "DELETE FROM transactions WHERE id = 4",
        "UPDATE lots SET coins = 1",
        "DELETE FROM lot_moves",
    ] {
        let err = conn.execute_batch(sql).unwrap_err().to_string();
        assert!(err.contains("append-only"), "{sql}: {err}");
    }
}

#[test]
fn every_kind_of_edit_is_named_by_verify() {
    let cases: &[(&str, &str)] = &[
        (
            "UPDATE postings SET amount = amount + 1 WHERE id = 1",
            "transaction #1 (purchase, 2026-03-02 15:01:00 UTC): its contents do not match its hash",
        ),
        (
            "UPDATE transactions SET memo = 'x' WHERE id = 3",
            "transaction #3 (grant, 2026-03-02 15:03:00 UTC): its contents do not match its hash",
        ),
        (
            "UPDATE transactions SET at_us = at_us - 1 WHERE id = 2",
            "transaction #2 (gift",
        ),
        (
            "UPDATE lots SET cost_micros = 0 WHERE id = 1",
            "transaction #1 (purchase",
        ),
        (
            "UPDATE lot_moves SET cost_micros = 0",
            "transaction #2 (gift",
        ),
        (
            "UPDATE accounts SET name = 'member:9:wallet' WHERE name = 'member:2:wallet'",
            "transaction #1 (purchase",
        ),
        (
            "DELETE FROM transactions WHERE id = 2",
            "transaction #3 (grant, 2026-03-02 15:03:00 UTC): it does not follow the transaction before it",
        ),
        (
            "DELETE FROM postings WHERE id = 2",
            "transaction #1 (purchase",
        ),
        (
            "INSERT INTO postings (tx_id, account_id, amount) VALUES (99, 1, 5)",
            "rows belonging to transaction #99: there is no such transaction",
        ),
        (
            "DELETE FROM postings WHERE tx_id = 4; DELETE FROM lots WHERE tx_id = 4; DELETE FROM open_lots WHERE lot_id = 3; DELETE FROM transactions WHERE id = 4",
            "rows belonging to transaction #4: there is no such transaction: rows were added outside coinguard, or the newest transactions were removed",
        ),
        (
            "UPDATE balances SET balance = 9999 WHERE account_id = 4",
            "account member:2:wallet: its stored balance is 9999 COIN but its postings add up to 250 COIN",
        ),
        (
            "UPDATE open_lots SET remaining = remaining + 1",
            "coin lot 1: it should hold 250 coins but the open-lot record says 251",
        ),
        (
            "UPDATE decisions SET summary = 'Sam bought nothing' WHERE id = 2",
            "decision #2 (allow gift by member 2): its contents do not match its hash",
        ),
        (
            "DELETE FROM decisions WHERE id = 1",
            "decision #2 (allow gift by member 2): it does not follow the decision before it",
        ),
        (
            "DELETE FROM guardian_actions WHERE id = 1",
            "guardian action #2 (household_found Maria): it does not follow the action before it",
        ),
        (
            "UPDATE guardian_actions SET after = 'nothing happened' WHERE action = 'grant'",
            "guardian action #10 (grant Lee): its contents do not match its hash",
        ),
        (
            "UPDATE spend_buckets SET purchase_micros = 0",
            "the spending totals: the hour bucket",
        ),
        (
            "UPDATE wallet_costs SET cost_micros = cost_micros + 1",
            "the wallet cost of member 2: it says",
        ),
        (
            "UPDATE spend_events SET creator_id = NULL",
            "transaction #2 (gift, 2026-03-02 15:02:00 UTC): its record in the spending totals does not match it",
        ),
        (
            "DELETE FROM spend_events",
            "transaction #1 (purchase, 2026-03-02 15:01:00 UTC): its record in the spending totals does not match it",
        ),
    ];
    // Every case runs; the failures are listed together.
    let mut wrong = Vec::new();
    for (sql, expected) in cases {
        let h = household_with_history();
        attacker(&h).execute_batch(sql).unwrap();
        let problem = h
            .verify_problem()
            .unwrap_or_else(|| format!("nothing found after {sql}"));
        if !problem.contains(expected) {
            wrong.push(format!(
                "after {sql}\nexpected: {expected}\n     got: {problem}"
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n\n"));
}

// ---------------------------------------------------------------------------
// The attacks of issue 15, each with the real `sqlite3` shell on a household
// file, and what `coinguard verify` (with `--as` where only a seal catches
// it), `buy` and `request approve` then say to the person at the keyboard.
// ---------------------------------------------------------------------------

mod attacks {
    use std::path::{Path, PathBuf};

    use assert_cmd::Command;
    use chrono::{TimeDelta, Utc};
    use coinguard::domain::{BirthDate, FixedClock, Name, Role};

    const PIN: &str = "maple syrup river";

    fn coinguard() -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_coinguard"));
        cmd.env_remove("COINGUARD_DB")
            .env_remove("COINGUARD_SOCKET");
        cmd
    }

    /// A household file made through the library (cheap PIN hashing, as the
    /// command-line tests do), at the real time so the binary can act on it:
    /// guardian Maria, Sam (15: his purchases need approval), Lee (30),
    /// creator Ana.
    struct File {
        _dir: tempfile::TempDir,
        db: PathBuf,
    }

    impl File {
        fn new() -> File {
            coinguard::auth::hash_pins_cheaply_for_tests();
            let dir = tempfile::tempdir().unwrap();
            let db = dir.path().join("h.db");
            let clock = FixedClock::new(Utc::now() - TimeDelta::minutes(5));
            let config = coinguard::config::Config::defaults().unwrap();
            let pin = coinguard::auth::Pin::parse(PIN).unwrap();
            let mut store = coinguard::services::init_household(
                &db,
                &config,
                &Name::parse("Maria").unwrap(),
                &pin,
                &clock,
            )
            .unwrap();
            let today = Utc::now().date_naive();
            let born = |years: i32| {
                let date =
                    chrono::NaiveDate::from_ymd_opt(chrono::Datelike::year(&today) - years, 1, 1)
                        .unwrap();
                BirthDate::parse(&date.to_string(), today).unwrap()
            };
            for (name, role, age) in [
                ("Sam", Role::Teen, 15),
                ("Lee", Role::Teen, 30),
                ("Ana", Role::Creator, 30),
            ] {
                let pass =
                    coinguard::auth::guardian_pass(&mut store, &clock, None, &pin, "").unwrap();
                coinguard::services::add_member(
                    &mut store,
                    &clock,
                    pass,
                    &Name::parse(name).unwrap(),
                    role,
                    Some(born(age)),
                    None,
                )
                .unwrap();
            }
            File { _dir: dir, db }
        }

        fn run(&self, args: &[&str]) -> (Option<i32>, String, String) {
            let out = coinguard()
                .args(["--db", self.db.to_str().unwrap()])
                .args(args)
                .output()
                .unwrap();
            (
                out.status.code(),
                String::from_utf8_lossy(&out.stdout).to_string(),
                String::from_utf8_lossy(&out.stderr).to_string(),
            )
        }

        /// A command a guardian confirms with `pin` on standard input.
        fn with_pin(&self, args: &[&str], pin: &str) -> (Option<i32>, String, String) {
            let out = coinguard()
                .args(["--db", self.db.to_str().unwrap()])
                .args(args)
                .arg("--pin-stdin")
                .write_stdin(format!("{pin}\n"))
                .output()
                .unwrap();
            (
                out.status.code(),
                String::from_utf8_lossy(&out.stdout).to_string(),
                String::from_utf8_lossy(&out.stderr).to_string(),
            )
        }

        fn ok(&self, args: &[&str]) {
            let (code, out, err) = self.run(args);
            assert_eq!(code, Some(0), "{args:?}: {out}{err}");
        }

        fn guardian(&self, args: &[&str]) {
            let (code, out, err) = self.with_pin(args, PIN);
            assert_eq!(code, Some(0), "{args:?}: {out}{err}");
        }

        /// `coinguard verify`: its exit code and what it printed.
        fn verify(&self) -> (Option<i32>, String) {
            let (code, out, err) = self.run(&["verify"]);
            (code, out + &err)
        }

        /// `coinguard verify --as Maria`, her PIN on standard input.
        fn verify_as_maria(&self) -> (Option<i32>, String) {
            let (code, out, err) = self.with_pin(&["verify", "--as", "Maria"], PIN);
            (code, out + &err)
        }

        fn sqlite(&self, script: &str) -> String {
            let out = std::process::Command::new("sqlite3")
                .arg(&self.db)
                .arg(script)
                .output()
                .expect("the sqlite3 shell (installed by .ci/run)");
            assert!(
                out.status.success(),
                "sqlite3 refused {script}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            String::from_utf8_lossy(&out.stdout).to_string()
        }

        /// What someone with the `sqlite3` shell does: drops the append-only
        /// triggers, runs `sql`, and puts the triggers back as they were
        /// (so no missing trigger gives the edit away).
        fn attack(&self, sql: &str) {
            self.attack_then(sql, |_| {});
        }

        /// [`File::attack`], then what an attacker's script does: every
        /// chain recomputed, the seals pointed at the new hashes and chained
        /// again (their MACs need the PIN, which the attacker does not have).
        fn attack_and_recompute(&self, sql: &str) {
            self.attack_then(sql, |db| {
                let conn = rusqlite::Connection::open(db).unwrap();
                coinguard::ledger::recompute_chains_for_tests(&conn).unwrap();
            });
        }

        fn attack_then(&self, sql: &str, then: impl FnOnce(&Path)) {
            let triggers =
                self.sqlite("SELECT sql || ';' FROM sqlite_master WHERE type = 'trigger'");
            let names = self.sqlite("SELECT name FROM sqlite_master WHERE type = 'trigger'");
            let drop: String = names
                .lines()
                .map(|n| format!("DROP TRIGGER {n};"))
                .collect();
            self.sqlite(&format!("PRAGMA foreign_keys = OFF; {drop} {sql}"));
            then(&self.db);
            self.sqlite(&triggers);
        }
    }

    fn says(text: &str, wanted: &str) {
        assert!(text.contains(wanted), "expected {wanted:?} in:\n{text}");
    }

    /// Lee buys five packs; Maria then sets Lee a weekly limit (sealing the
    /// record with all five in it).
    fn five_purchases_then_sealed() -> File {
        let f = File::new();
        for _ in 0..5 {
            f.ok(&["buy", "Lee", "coins-70"]);
        }
        f.guardian(&[
            "limit", "set", "Lee", "--scope", "purchase", "--window", "week", "--hard", "50",
        ]);
        let (code, text) = f.verify_as_maria();
        assert_eq!(code, Some(0), "{text}");
        f
    }

    #[test]
    fn the_newest_transactions_removed_with_everything_derived_fixed_up_are_named() {
        let f = File::new();
        for _ in 0..2 {
            f.ok(&["buy", "Lee", "coins-70"]);
        }
        // The derived tables as they stood after two purchases.
        let before = f.db.with_file_name("before.db");
        f.sqlite(&format!("VACUUM INTO '{}'", before.display()));
        for _ in 0..3 {
            f.ok(&["buy", "Lee", "coins-70"]);
        }
        f.guardian(&[
            "limit", "set", "Lee", "--scope", "purchase", "--window", "week", "--hard", "50",
        ]);
        let (_, report, _) = f.run(&["report", "--member", "Lee", "--period", "week"]);
        says(&report, "4.95 USD");
        // Transactions 3-5 deleted with their postings, lots, decisions and
        // spending, and every derived table put back as it stood before.
        let fixed_up = format!(
            "ATTACH '{}' AS b;
             DELETE FROM postings WHERE tx_id > 2; DELETE FROM lot_paid WHERE lot_id IN (SELECT id FROM lots WHERE tx_id > 2);
             DELETE FROM lots WHERE tx_id > 2; DELETE FROM spend_events WHERE tx_id > 2;
             DELETE FROM decisions WHERE tx_id > 2; DELETE FROM transactions WHERE id > 2;
             DELETE FROM balances; INSERT INTO balances SELECT * FROM b.balances;
             DELETE FROM open_lots; INSERT INTO open_lots SELECT * FROM b.open_lots;
             DELETE FROM wallet_costs; INSERT INTO wallet_costs SELECT * FROM b.wallet_costs;
             DELETE FROM spend_buckets; INSERT INTO spend_buckets SELECT * FROM b.spend_buckets;",
            before.display()
        );
        f.attack(&fixed_up);
        let (_, report, _) = f.run(&["report", "--member", "Lee", "--period", "week"]);
        says(&report, "1.98 USD");
        // The seal Maria's limit made recorded five transactions.
        let (code, text) = f.verify();
        assert_eq!(code, Some(1), "{text}");
        says(&text, "PROBLEM: transaction #5: it is missing, but seal #");
        says(&text, "(Maria, ");
        says(
            &text,
            "sealed 5 transactions: the transactions were cut short",
        );
        // Nothing is built on it.
        let (code, _, err) = f.run(&["buy", "Lee", "coins-70"]);
        assert_eq!(code, Some(2), "{err}");
        says(
            &err,
            "the record has been changed outside coinguard: run `coinguard verify`",
        );

        // Seals rewritten too (lengths cut to two, everything recomputed):
        // only Maria's PIN tells.
        f.attack_and_recompute(
            "UPDATE seals SET tx_len = 2 WHERE tx_len > 2; UPDATE seals SET dec_len = 2 WHERE dec_len > 2;
             DELETE FROM decisions WHERE id > 2;",
        );
        let (code, text) = f.verify();
        assert_eq!(code, Some(0), "{text}");
        says(&text, "Seals were not checked: that needs a guardian's PIN");
        let (code, text) = f.verify_as_maria();
        assert_eq!(code, Some(1), "{text}");
        says(
            &text,
            "it was not made with Maria's PIN: the record it seals was rewritten without it",
        );
    }

    #[test]
    fn the_newest_decisions_removed_are_named() {
        let f = five_purchases_then_sealed();
        f.attack("DELETE FROM decisions WHERE id > (SELECT MAX(id) - 5 FROM decisions)");
        let (code, text) = f.verify();
        assert_eq!(code, Some(1), "{text}");
        says(&text, "PROBLEM: decision #");
        says(&text, "the decisions were cut short");
    }

    #[test]
    fn the_guardian_logs_tail_of_failed_pins_removed_is_named() {
        let f = File::new();
        for _ in 0..3 {
            let (code, _, err) = f.with_pin(&["grant", "Lee", "10"], "not her pin");
            assert_eq!(code, Some(5), "{err}");
        }
        // The failed PINs at the end, their lockout count reset: the count
        // and the record of it disagree.
        f.attack("DELETE FROM guardian_actions WHERE action = 'pin_failed'");
        let (code, text) = f.verify();
        assert_eq!(code, Some(1), "{text}");
        says(
            &text,
            "failed-PIN count of member 1 (Maria) at the household's own computer",
        );

        // Failed PINs followed by Maria's own sealed action: removing them
        // breaks the log; renumbered, recomputed and the seals fixed up,
        // only her PIN tells.
        let f = File::new();
        for _ in 0..3 {
            f.with_pin(&["grant", "Lee", "10"], "not her pin");
        }
        f.guardian(&["grant", "Lee", "10"]);
        f.attack("DELETE FROM guardian_actions WHERE action = 'pin_failed'");
        let (code, text) = f.verify();
        assert_eq!(code, Some(1), "{text}");
        says(&text, "it does not follow the action before it");
        f.attack_and_recompute(
            "UPDATE guardian_actions SET id = -(id - 3) WHERE id > (SELECT MIN(id) FROM guardian_actions WHERE action = 'grant') - 5;
             UPDATE guardian_actions SET id = -id WHERE id < 0;
             UPDATE seals SET ga_len = ga_len - 3 WHERE ga_len > (SELECT MAX(id) FROM guardian_actions) - 3;",
        );
        let (code, text) = f.verify_as_maria();
        assert_eq!(code, Some(1), "{text}");
        says(&text, "Maria's PIN");
    }

    #[test]
    fn a_memo_edited_and_every_chain_recomputed_is_named_with_the_pin() {
        let f = five_purchases_then_sealed();
        f.attack("UPDATE transactions SET memo = 'nothing to see' WHERE id = 2");
        let (code, text) = f.verify();
        assert_eq!(code, Some(1), "{text}");
        says(&text, "PROBLEM: transaction #2 (purchase, ");
        says(
            &text,
            "its contents do not match its hash: it was changed outside coinguard",
        );

        f.attack_and_recompute("");
        let (code, text) = f.verify();
        assert_eq!(code, Some(0), "{text}");
        says(&text, "All good.");
        says(
            &text,
            "Seals were not checked: that needs a guardian's PIN (coinguard verify --as NAME)",
        );
        let (code, text) = f.verify_as_maria();
        assert_eq!(code, Some(1), "{text}");
        says(&text, "PROBLEM: seal #");
        says(
            &text,
            "it was not made with Maria's PIN: the record it seals was rewritten without it",
        );
    }

    #[test]
    fn policy_rows_changed_behind_the_logs_back_are_named() {
        let f = File::new();
        f.guardian(&[
            "limit", "set", "Lee", "--scope", "purchase", "--window", "week", "--hard", "50",
        ]);
        f.guardian(&[
            "rule",
            "quiet-hours",
            "Sam",
            "--from",
            "21:00",
            "--to",
            "07:00",
        ]);
        f.guardian(&["rule", "creator", "Sam", "Ana", "--allow"]);
        let (code, text) = f.verify_as_maria();
        assert_eq!(code, Some(0), "{text}");
        let cases: &[(&str, &str)] = &[
            (
                "UPDATE members SET name = 'Samuel' WHERE name = 'Sam'",
                "member 2 (Samuel)",
            ),
            (
                "UPDATE members SET birthdate = '1990-01-01' WHERE name = 'Sam'",
                "member 2 (Sam)",
            ),
            (
                "UPDATE members SET role = 'guardian' WHERE name = 'Sam'",
                "member 2 (Sam)",
            ),
            (
                "UPDATE members SET pin_hash = (SELECT pin_hash FROM members WHERE name = 'Maria') WHERE name = 'Lee'",
                "member 3 (Lee)",
            ),
            (
                "UPDATE limits SET hard = hard * 100",
                "the purchase limit per week of member 3 (Lee)",
            ),
            (
                "DELETE FROM limits",
                "the purchase limit per week of member 3 (Lee)",
            ),
            (
                "UPDATE quiet_hours SET start_minute = 0, end_minute = 1",
                "the quiet hours of member 2 (Sam)",
            ),
            (
                "DELETE FROM creator_rules",
                "the creator list entry of member 2 (Sam) for member 4 (Ana)",
            ),
            (
                "INSERT INTO catalog_versions (created_at_us, economy_toml) SELECT created_at_us + 1, replace(economy_toml, '0.99', '0.01') FROM catalog_versions",
                "catalog version 2",
            ),
        ];
        let mut wrong = Vec::new();
        for (sql, named) in cases {
            let copy = File::new_copy_of(&f);
            copy.attack(sql);
            let (code, text) = copy.verify();
            if code != Some(1) || !text.contains("PROBLEM: ") || !text.contains(named) {
                wrong.push(format!(
                    "after {sql}: expected {named:?} named, got:\n{text}"
                ));
            }
        }
        assert!(wrong.is_empty(), "{}", wrong.join("\n\n"));
    }

    impl File {
        /// A copy of `other`'s file, to attack separately.
        fn new_copy_of(other: &File) -> File {
            let dir = tempfile::tempdir().unwrap();
            let db = dir.path().join("h.db");
            other.sqlite(&format!("VACUUM INTO '{}'", db.display()));
            File { _dir: dir, db }
        }
    }

    #[test]
    fn a_request_swapped_for_a_dearer_pack_is_shown_as_it_is_and_never_approved() {
        let f = File::new();
        let (code, out, _) = f.run(&["buy", "Sam", "coins-70"]);
        assert_eq!(code, Some(3), "{out}");
        f.attack(
            "UPDATE requests SET params = replace(params, 'coins-70', 'coins-17500'), hold_coins = hold_coins WHERE id = 1",
        );
        // The list says what approving would do, from the parameters as
        // they stand, and that they were changed.
        let (_, list, _) = f.run(&["request", "list"]);
        says(&list, "Sam buys 17,500 coins for 249.99 USD");
        says(&list, "CHANGED OUTSIDE COINGUARD since it was asked");
        let (code, out, err) = f.with_pin(&["request", "approve", "1"], PIN);
        assert_eq!(code, Some(2), "{out}{err}");
        says(
            &err,
            "request #1 was changed outside coinguard after it was asked",
        );
        says(&err, "nothing was approved");
        let (_, text) = f.verify();
        says(&text, "PROBLEM: request #1: it is not what decision #1");
        // Nothing was bought.
        let (_, history, _) = f.run(&["history"]);
        assert!(!history.contains("17,500"), "{history}");
    }

    #[test]
    fn a_dropped_trigger_and_a_dangling_row_are_named() {
        let f = File::new();
        f.ok(&["buy", "Lee", "coins-70"]);
        f.sqlite("DROP TRIGGER postings_no_update");
        let (code, text) = f.verify();
        assert_eq!(code, Some(1), "{text}");
        says(
            &text,
            "PROBLEM: the trigger postings_no_update: it is missing: it was dropped outside coinguard, so its table could be edited.",
        );

        let f = File::new();
        f.attack(
            "INSERT INTO seal_keys (guardian_id, salt, memory_kib, passes, lanes, check_mac, created_at_us) VALUES (99, '00', 8, 1, 1, '00', 0)",
        );
        let (code, text) = f.verify();
        assert_eq!(code, Some(1), "{text}");
        says(
            &text,
            "of seal_keys: it names a row of members that does not exist",
        );
    }

    #[test]
    fn verify_as_says_what_is_not_sealed_yet_and_a_wrong_pin_counts() {
        let f = File::new();
        let (code, text) = f.verify_as_maria();
        assert_eq!(code, Some(0), "{text}");
        for _ in 0..12 {
            f.ok(&["buy", "Lee", "coins-70"]);
        }
        let (code, text) = f.verify_as_maria();
        assert_eq!(code, Some(0), "{text}");
        says(
            &text,
            "12 transactions, 12 decisions and 1 guardian action since Maria's last seal at ",
        );
        says(
            &text,
            "not sealed yet, so only as good as whoever can reach the file",
        );
        // That verify sealed its mark: nothing new since.
        let (_, text) = f.verify_as_maria();
        says(&text, "1 guardian action since Maria's last seal");
        // Without a PIN: the seals are read, not checked.
        let (_, text) = f.verify();
        says(&text, "Seals were not checked");
        // A wrong PIN is refused like any guardian PIN, and counts.
        let (code, _, err) = f.with_pin(&["verify", "--as", "Maria"], "not her pin");
        assert_eq!(code, Some(5), "{err}");
        says(&err, "wrong PIN for Maria; 4 more tries before a lock");
        // Seals are a guardian's: another member's name opens nothing.
        let (code, _, err) = f.with_pin(&["verify", "--as", "Lee"], PIN);
        assert_ne!(code, Some(0), "{err}");
        says(&err, "Lee is not a guardian; only a guardian can do this");
    }

    #[test]
    fn a_new_pin_reseals_and_the_old_pin_still_checks_the_old_seals() {
        let f = File::new();
        f.ok(&["buy", "Lee", "coins-70"]);
        f.guardian(&["grant", "Lee", "10"]);
        let new_pin = "walnut harbour lantern";
        let (code, out, err) = coinguard()
            .args([
                "--db",
                f.db.to_str().unwrap(),
                "member",
                "pin",
                "Maria",
                "--pin-stdin",
            ])
            .write_stdin(format!("{PIN}\n{new_pin}\n"))
            .output()
            .map(|o| {
                (
                    o.status.code(),
                    String::from_utf8_lossy(&o.stdout).to_string(),
                    String::from_utf8_lossy(&o.stderr).to_string(),
                )
            })
            .unwrap();
        assert_eq!(code, Some(0), "{out}{err}");
        f.guardian_with(&["grant", "Lee", "10"], new_pin);
        let (code, out, err) = f.with_pin(&["verify", "--as", "Maria"], new_pin);
        assert_eq!(code, Some(0), "{out}{err}");
        says(&out, "of Maria's seals checked with the PIN");
        let (code, out, err) = f.with_pin(&["verify", "--as", "Maria"], PIN);
        assert_eq!(code, Some(0), "{out}{err}");
        says(
            &out,
            "This PIN is not Maria's current PIN: only the seals made with it were checked",
        );
        // A seal made with the old PIN, changed: the old PIN names it.
        f.attack_and_recompute("UPDATE transactions SET memo = 'x' WHERE id = 1");
        let (code, out, _) = f.with_pin(&["verify", "--as", "Maria"], PIN);
        assert_eq!(code, Some(1), "{out}");
        says(&out, "it was not made with Maria's PIN");
    }

    impl File {
        fn guardian_with(&self, args: &[&str], pin: &str) {
            let (code, out, err) = self.with_pin(args, pin);
            assert_eq!(code, Some(0), "{args:?}: {out}{err}");
        }
    }
}

// ---------------------------------------------------------------------------
// Property: any edit, deletion, insertion or reordering of sealed rows in a
// chain or policy table, with every chain recomputed afterwards, is named by
// a verify with the guardian's PIN.
// ---------------------------------------------------------------------------

mod sealed_rows {
    use std::sync::OnceLock;

    use chrono::{DateTime, Utc};
    use coinguard::domain::{Clock, FixedClock, Scope, Window};
    use coinguard::services::{self, LimitSpec};
    use proptest::prelude::*;
    use rusqlite::types::Value;

    use crate::support::{GUARDIAN_PIN, Household, committed, usd_micros};

    /// The tables a seal covers (chains by their heads, policy by its
    /// digest), and a column of each to edit or swap.
    const TABLES: &[(&str, &str)] = &[
        ("transactions", "memo"),
        ("postings", "amount"),
        ("lots", "coins"),
        ("lot_moves", "coins"),
        ("decisions", "summary"),
        ("guardian_actions", "after"),
        ("members", "name"),
        ("members", "birthdate"),
        ("members", "role"),
        ("members", "pin_hash"),
        ("limits", "hard"),
        ("quiet_hours", "start_minute"),
        ("creator_rules", "list"),
        ("catalog_versions", "economy_toml"),
        ("age_bands", "purchase"),
        ("household", "request_expiry_hours"),
    ];

    #[derive(Debug, Clone)]
    enum Attack {
        Edit { table: usize, row: usize },
        Delete { table: usize, row: usize },
        Insert { table: usize, row: usize },
        Reorder { table: usize, a: usize, b: usize },
    }

    fn attack() -> impl Strategy<Value = Attack> {
        let t = 0..TABLES.len();
        prop_oneof![
            (t.clone(), 0usize..64).prop_map(|(table, row)| Attack::Edit { table, row }),
            (t.clone(), 0usize..64).prop_map(|(table, row)| Attack::Delete { table, row }),
            (t.clone(), 0usize..64).prop_map(|(table, row)| Attack::Insert { table, row }),
            (t, 0usize..64, 0usize..64).prop_map(|(table, a, b)| Attack::Reorder { table, a, b }),
        ]
    }

    /// A copy of the sealed household (below) for one case to attack. It is
    /// made once, its file's bytes kept, and each case gets those bytes in
    /// a folder of its own, opened at the time the household was made: the
    /// same rows, rowids and seals every time, without each case paying
    /// for the dozen or so fsync'd commits that make it (most of this
    /// test's time when each case made its own).
    fn sealed_household() -> Household {
        static MADE: OnceLock<(Vec<u8>, DateTime<Utc>)> = OnceLock::new();
        let (bytes, at) = MADE.get_or_init(|| {
            let Household { dir, store, clock } = make_sealed_household();
            drop(store);
            let path = dir.path().join("household.db");
            // Everything in the main file, so its bytes alone are the household.
            rusqlite::Connection::open(&path)
                .unwrap()
                .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
                .unwrap();
            (std::fs::read(&path).unwrap(), clock.now())
        });
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("household.db"), bytes).unwrap();
        Household::reopen(dir, FixedClock::new(*at))
    }

    /// History in every chain and policy table, then one last guardian
    /// action: everything is sealed.
    fn make_sealed_household() -> Household {
        let mut h = Household::new();
        committed(h.buy("Sam", "coins-350", None));
        committed(h.gift("Sam", "Ana", "hand-hearts", 1, None));
        committed(h.grant("Lee", 50));
        committed(h.buy("Lee", "coins-70", None));
        let pass = h.pass();
        services::set_limit(
            &mut h.store,
            &h.clock,
            pass,
            "Sam",
            LimitSpec {
                scope: Scope::Purchase,
                window: Window::Week,
                soft: None,
                hard: Some(usd_micros(50_000_000)),
            },
        )
        .unwrap();
        let pass = h.pass();
        services::set_quiet_hours(
            &mut h.store,
            &h.clock,
            pass,
            "Lee",
            Some(coinguard::domain::QuietHours {
                start_minute: 21 * 60,
                end_minute: 7 * 60,
                verdict: coinguard::domain::Outcome::Deny,
            }),
        )
        .unwrap();
        h
    }

    fn rows(conn: &rusqlite::Connection, table: &str) -> Vec<Vec<Value>> {
        let mut stmt = conn
            .prepare(&format!("SELECT * FROM {table} ORDER BY rowid"))
            .unwrap();
        let n = stmt.column_count();
        stmt.query_map([], |r| (0..n).map(|i| r.get::<_, Value>(i)).collect())
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    }

    /// The table's rowids (none for a table without them).
    fn rowids(conn: &rusqlite::Connection, table: &str) -> Vec<i64> {
        let Ok(mut stmt) = conn.prepare(&format!("SELECT rowid FROM {table} ORDER BY rowid"))
        else {
            return Vec::new();
        };
        stmt.query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    }

    /// Carries out `attack` (triggers dropped, chains recomputed, triggers
    /// back); `false` when it changed nothing (nothing to assert).
    fn carry_out(h: &Household, attack: &Attack) -> bool {
        let conn = rusqlite::Connection::open(h.path()).unwrap();
        let triggers: Vec<(String, String)> = conn
            .prepare("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        conn.execute_batch("PRAGMA foreign_keys = OFF").unwrap();
        for (name, _) in &triggers {
            conn.execute_batch(&format!("DROP TRIGGER {name}")).unwrap();
        }
        let (table, row, column, other) = match attack {
            Attack::Edit { table, row }
            | Attack::Delete { table, row }
            | Attack::Insert { table, row } => (*table, *row, TABLES[*table].1, None),
            Attack::Reorder { table, a, b } => (*table, *a, TABLES[*table].1, Some(*b)),
        };
        let name = TABLES[table].0;
        let ids = rowids(&conn, name);
        if ids.is_empty() {
            return false;
        }
        let id = ids[row % ids.len()];
        let before = rows(&conn, name);
        let sql = match attack {
            Attack::Edit { .. } => format!(
                "UPDATE {name} SET {column} = CASE typeof({column}) WHEN 'integer' THEN {column} + 1 WHEN 'null' THEN 1 ELSE {column} || 'x' END WHERE rowid = {id}"
            ),
            Attack::Delete { .. } => format!("DELETE FROM {name} WHERE rowid = {id}"),
            Attack::Insert { .. } => {
                // A copy of the row under a new rowid, shifted in among the
                // sealed rows where the table is keyed by rowid alone.
                format!(
                    "CREATE TEMP TABLE copy AS SELECT * FROM {name} WHERE rowid = {id};
                     UPDATE {name} SET rowid = -(rowid + 1) WHERE rowid > {id};
                     UPDATE {name} SET rowid = -rowid WHERE rowid < 0;
                     UPDATE temp.copy SET rowid = {id} + 1;
                     INSERT OR IGNORE INTO {name} SELECT * FROM temp.copy;
                     DROP TABLE temp.copy;"
                )
            }
            Attack::Reorder { .. } => {
                let b = ids[other.unwrap_or(0) % ids.len()];
                format!(
                    "UPDATE {name} SET {column} = CASE rowid WHEN {id} THEN (SELECT {column} FROM {name} WHERE rowid = {b}) ELSE (SELECT {column} FROM {name} WHERE rowid = {id}) END WHERE rowid IN ({id}, {b})"
                )
            }
        };
        // A change a constraint refuses is no attack.
        if conn.execute_batch(&sql).is_err() {
            return false;
        }
        let after = rows(&conn, name);
        // An insertion a unique key refused only renumbered rows, which
        // no fact depends on where ids are not hashed: no attack.
        let changed = match attack {
            Attack::Insert { .. } => after.len() > before.len(),
            _ => after != before,
        };
        coinguard::ledger::recompute_chains_for_tests(&conn).unwrap();
        for (_, sql) in &triggers {
            conn.execute_batch(sql).unwrap();
        }
        changed
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 32, ..ProptestConfig::default() })]

        #[test]
        fn any_change_to_sealed_rows_is_named_with_the_pin(attack in attack()) {
            let mut h = sealed_household();
            prop_assume!(carry_out(&h, &attack));
            let pin = coinguard::auth::Pin::parse(GUARDIAN_PIN).unwrap();
            // The PIN opens Maria's seal keys even when her row was changed;
            // a household with no Maria left is named without it.
            let check = coinguard::auth::seal_check(&mut h.store, &h.clock, None, &pin, "")
                .map(|(check, _)| check)
                .ok();
            let report = coinguard::ledger::verify_with(
                h.store.conn(),
                &coinguard::ledger::VerifyOptions { full: true, seal: check.as_ref() },
            );
            match report {
                Ok(report) => prop_assert!(
                    report.problem.is_some(),
                    "{attack:?} was not named (seals checked: {})",
                    check.is_some()
                ),
                Err(e) => prop_assert!(false, "{attack:?}: verify failed instead of naming it: {e}"),
            }
        }
    }
}
