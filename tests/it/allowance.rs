//! Allowances with the fake clock (`COINGUARD_NOW`): paid once per period,
//! for missed periods too, never twice, also with processes racing; said
//! in the member's own terms; shown with the next payment on the wallet.

use std::process::Stdio;

use chrono::{Datelike, TimeDelta, TimeZone, Utc};
use serde_json::Value;

use crate::notify::Home;

/// A household whose clock reads the next Monday, 10:00 UTC, after tomorrow.
fn on_a_monday() -> Home {
    let mut home = Home::new();
    let mut day = home.now.date_naive();
    while day.weekday() != chrono::Weekday::Mon {
        day = day.succ_opt().unwrap();
    }
    home.now = Utc
        .from_local_datetime(&day.and_hms_opt(10, 0, 0).unwrap())
        .unwrap();
    home
}

fn grants(home: &Home, member: &str) -> Vec<(String, i64)> {
    let conn = rusqlite::Connection::open(&home.db).unwrap();
    let mut stmt = conn
        .prepare(
            "SELECT t.memo, l.coins FROM transactions t JOIN members m ON m.id = t.member_id
             JOIN lots l ON l.tx_id = t.id
             WHERE t.kind = 'grant' AND m.name = ?1 ORDER BY t.id",
        )
        .unwrap();
    stmt.query_map([member], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

fn logged(home: &Home, action: &str) -> i64 {
    let conn = rusqlite::Connection::open(&home.db).unwrap();
    conn.query_row(
        "SELECT COUNT(*) FROM guardian_actions WHERE action = ?1",
        [action],
        |r| r.get(0),
    )
    .unwrap()
}

#[test]
fn set_on_a_monday_three_weeks_and_a_day_later_it_has_paid_three_times_never_a_fourth() {
    let mut home = on_a_monday();
    let monday = home.now.date_naive();
    let set = home.ok(home.guardian(&[
        "allowance",
        "set",
        "Lee",
        "--coins",
        "500",
        "--every",
        "week",
    ]));
    let first = monday + TimeDelta::days(7);
    assert!(
        set.contains(&format!(
            "500 coins (≈7.07 USD) every week on Monday; first payment {first}"
        )),
        "{set}"
    );
    // Setting it pays nothing: the first payment is next Monday.
    home.ok(home.run(&["allowance", "list"]));
    assert!(grants(&home, "Lee").is_empty());

    // The computer is off for three weeks and a day; the next command pays
    // each missed week, with its own key.
    home.later(TimeDelta::days(22));
    let list = home.ok(home.run(&["allowance", "list"]));
    let paid = grants(&home, "Lee");
    assert_eq!(
        paid,
        (1..=3)
            .map(|w| (
                format!(
                    "allowance for the week from {}",
                    monday + TimeDelta::days(7 * w)
                ),
                500
            ))
            .collect::<Vec<_>>()
    );
    assert!(
        list.contains(&format!("next on {}", monday + TimeDelta::days(28))),
        "{list}"
    );
    // Any number of commands later, the same day: never a fourth.
    for args in [
        &["allowance", "list"][..],
        &["member", "list"],
        &["notify", "run"],
    ] {
        home.ok(home.run(args));
    }
    assert_eq!(grants(&home, "Lee").len(), 3);
    // In the ledger as grants, in the guardian-action log, and told.
    assert_eq!(logged(&home, "allowance_set"), 1);
    assert_eq!(logged(&home, "grant"), 3);
    let conn = rusqlite::Connection::open(&home.db).unwrap();
    let events: i64 = conn
        .query_row(
            "SELECT COUNT(*) FROM outbox WHERE kind = 'allowance_paid'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(events, 3);
    drop(conn);
    let verify = home.ok(home.run(&["verify"]));
    assert!(
        verify.starts_with("All good. Checked 3 transactions"),
        "{verify}"
    );

    // The fourth comes on the fourth Monday, once.
    home.later(TimeDelta::days(6));
    home.ok(home.run(&["allowance", "list"]));
    home.ok(home.run(&["allowance", "list"]));
    assert_eq!(grants(&home, "Lee").len(), 4);
    let verify = home.ok(home.run(&["verify"]));
    assert!(verify.starts_with("All good."), "{verify}");

    // The schedule never changes once set, and is part of the record: the
    // payments are worked out from the ledger, so moving the first due date
    // back with the sqlite3 shell pays nothing again, and verify names it.
    let conn = rusqlite::Connection::open(&home.db).unwrap();
    assert!(
        conn.execute("UPDATE allowances SET coins = 50000", [])
            .unwrap_err()
            .to_string()
            .contains("an allowance is stopped and set anew, never edited")
    );
    conn.execute_batch(
        "DROP TRIGGER allowances_schedule_fixed; UPDATE allowances SET first_due = '2020-01-06';",
    )
    .unwrap();
    drop(conn);
    home.ok(home.run(&["allowance", "list"]));
    assert_eq!(grants(&home, "Lee").len(), 4, "nothing paid again");
    let out = home.run(&["verify"]);
    let text =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.contains("allowance #1") && text.contains("first_due is \"2020-01-06\""),
        "{text}"
    );
}

#[test]
fn processes_racing_on_a_due_allowance_pay_each_period_once() {
    let mut home = on_a_monday();
    home.ok(home.guardian(&[
        "allowance",
        "set",
        "Sam",
        "--money",
        "5",
        "--every",
        "week",
        "--on",
        "wed",
    ]));
    home.later(TimeDelta::days(22));
    // Eight processes start at once, each paying what is due first.
    let children: Vec<_> = (0..8)
        .map(|_| {
            home.command(&["allowance", "list"])
                .stdin(Stdio::null())
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
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    // Set on a Monday, paid on Wednesdays: 3 Wednesdays in 3 weeks and a day.
    let paid = grants(&home, "Sam");
    assert_eq!(paid.len(), 3, "{paid:?}");
    // 5.00 USD at the best pack rate (0.99 for 70 coins) buys 353 coins.
    assert!(paid.iter().all(|(_, coins)| *coins == 353), "{paid:?}");
}

#[test]
fn a_member_with_an_allowance_reads_amounts_in_its_terms() {
    let home = on_a_monday();
    home.ok(home.guardian(&[
        "allowance",
        "set",
        "Lee",
        "--money",
        "7.14",
        "--every",
        "week",
    ]));
    home.ok(home.guardian(&["rule", "creator", "Lee", "Ana", "--allow"]));
    home.ok(home.run(&["buy", "Lee", "coins-7000"]));
    let out = home.run(&["preview", "gift", "Lee", "Ana", "galaxy"]);
    let text = home.ok(out);
    assert!(
        text.contains("Galaxy to Ana: 1,000 coins (14.28 USD); Ana receives 500 diamonds (2.50 USD); the platform keeps 11.78 USD"),
        "{text}"
    );
    assert!(
        text.contains("That is 14.28 USD: about 2 weeks of your allowance."),
        "{text}"
    );
    // A refusal says it too.
    home.ok(home.guardian(&[
        "limit", "set", "Lee", "--scope", "gift", "--window", "day", "--hard", "100",
    ]));
    let refused = home.run(&["gift", "Lee", "Ana", "galaxy"]);
    assert_eq!(refused.status.code(), Some(4));
    let text = String::from_utf8_lossy(&refused.stdout);
    assert!(text.contains("about 2 weeks of your allowance"), "{text}");
    // The wallet, and the next payment, on the terminal interface's screen.
    let doc: Value = home.json(&["allowance", "list"]);
    assert_eq!(doc["allowances"][0]["coins_per_payment"], 504);
    let clock = coinguard::domain::FixedClock::new(home.now);
    let mut h = coinguard::client::Household::open(&home.db, &clock).unwrap();
    let pick = coinguard::tui::view::load(
        &mut h,
        None,
        coinguard::tui::app::Screen::Pick,
        &Default::default(),
    )
    .unwrap();
    let lee = pick.members.iter().find(|m| m.name == "Lee").unwrap().id;
    let who = (lee, "Lee".to_string(), coinguard::domain::Role::Teen);
    let vm = coinguard::tui::view::load(
        &mut h,
        Some(&who),
        coinguard::tui::app::Screen::Wallet,
        &Default::default(),
    )
    .unwrap();
    let wallet = vm.member.unwrap();
    let next = home.now.date_naive() + TimeDelta::days(7);
    assert!(
        wallet.allowance.starts_with(&format!(
            "7.14 USD (504 coins) every week on Monday; next on {next}; your coins cost 99.99 USD: about 14 weeks of your allowance"
        )),
        "{}",
        wallet.allowance
    );
}

#[test]
fn bad_allowance_input_gets_a_specific_message_and_changes_nothing() {
    let home = on_a_monday();
    home.ok(home.guardian(&[
        "allowance",
        "set",
        "Sam",
        "--coins",
        "100",
        "--every",
        "day",
    ]));
    let count = |home: &Home| -> (i64, i64) {
        let conn = rusqlite::Connection::open(&home.db).unwrap();
        (
            conn.query_row("SELECT COUNT(*) FROM guardian_actions", [], |r| r.get(0))
                .unwrap(),
            conn.query_row("SELECT COUNT(*) FROM allowances", [], |r| r.get(0))
                .unwrap(),
        )
    };
    let before = count(&home);
    let cases: &[(&[&str], &str)] = &[
        (
            &[
                "set", "Lee", "--coins", "5", "--money", "5", "--every", "week",
            ],
            "not both",
        ),
        (
            &["set", "Lee", "--every", "week"],
            "give the allowance as --coins N",
        ),
        (
            &["set", "Lee", "--coins", "0", "--every", "week"],
            "coins must be more than zero",
        ),
        (&["set", "Lee", "--coins", "-5", "--every", "week"], "-5"),
        (
            &[
                "set",
                "Lee",
                "--coins",
                "99999999999999999999999",
                "--every",
                "week",
            ],
            "coins",
        ),
        (&["set", "Lee", "--money", "abc", "--every", "week"], "abc"),
        (&["set", "Lee", "--money", "NaN", "--every", "week"], "NaN"),
        (
            &["set", "Lee", "--money", "5.001", "--every", "week"],
            "5.001",
        ),
        (
            &["set", "Lee", "--money", "0.01", "--every", "week"],
            "buys no coin at the best pack rate",
        ),
        (
            &["set", "Lee", "--coins", "5", "--every", "fortnight"],
            "\"fortnight\" is not a period",
        ),
        (
            &[
                "set", "Lee", "--coins", "5", "--every", "week", "--on", "funday",
            ],
            "--on \"funday\" is not a day of the week",
        ),
        (
            &[
                "set", "Lee", "--coins", "5", "--every", "month", "--on", "31",
            ],
            "give a day from 1 to 28",
        ),
        (
            &[
                "set", "Lee", "--coins", "5", "--every", "day", "--on", "mon",
            ],
            "has no --on day",
        ),
        (
            &["set", "Maria", "--coins", "5", "--every", "week"],
            "\"Maria\" is a guardian",
        ),
        (
            &["set", "Nobody", "--coins", "5", "--every", "week"],
            "there is no member called \"Nobody\"",
        ),
        (
            &["stop", "Lee"],
            "Lee has no allowance; allowances are set for: Sam",
        ),
        (&["stop", "Nobody"], "there is no member called \"Nobody\""),
    ];
    for (args, message) in cases {
        let mut all = vec!["allowance"];
        all.extend_from_slice(args);
        let out = home.guardian(&all);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(message), "{args:?}: {stderr}");
        assert_eq!(count(&home), before, "{args:?} changed something");
    }
}

/// Lee's weekly allowance, set on a Monday, a day past its first payment,
/// in a file that refuses the payment's write (as a full disk or a file the
/// account may only read would: a trigger put in by hand). Also the day
/// the payment was due.
fn an_allowance_the_file_will_not_pay() -> (Home, chrono::NaiveDate) {
    weekly_allowances_the_file_will_not_pay(&["Lee"], None)
}

/// A weekly allowance of 500 coins for each of `members`, set on a Monday,
/// a day past the first payment, in a file that refuses the grants (only
/// `refused`'s, when named). Also the day the payments were due.
fn weekly_allowances_the_file_will_not_pay(
    members: &[&str],
    refused: Option<&str>,
) -> (Home, chrono::NaiveDate) {
    let mut home = on_a_monday();
    let due = home.now.date_naive() + TimeDelta::days(7);
    for member in members {
        home.ok(home.guardian(&[
            "allowance",
            "set",
            member,
            "--coins",
            "500",
            "--every",
            "week",
        ]));
    }
    let whose = refused.map_or(String::new(), |name| {
        format!(" AND NEW.member_id = (SELECT id FROM members WHERE name = '{name}')")
    });
    let conn = rusqlite::Connection::open(&home.db).unwrap();
    conn.execute_batch(&format!(
        "CREATE TRIGGER no_grants BEFORE INSERT ON transactions WHEN NEW.kind = 'grant'{whose}
         BEGIN SELECT RAISE(ABORT, 'the disk is full'); END;"
    ))
    .unwrap();
    drop(conn);
    home.later(TimeDelta::days(8));
    (home, due)
}

/// The file takes writes again.
fn writes_taken_again(home: &Home) {
    let conn = rusqlite::Connection::open(&home.db).unwrap();
    conn.execute_batch("DROP TRIGGER no_grants;").unwrap();
    drop(conn);
}

#[test]
fn an_allowance_that_cannot_be_paid_is_said_beside_the_answer_and_paid_when_it_can_be() {
    let (home, due) = an_allowance_the_file_will_not_pay();

    // The command still answers; the parent is told why the payment was
    // not made, and that it is not lost. `--json` stays one document.
    let out = home.run(&["member", "list", "--json"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let listed: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(listed["members"].is_array(), "{listed}");
    assert!(
        stderr.contains(&format!(
            "coinguard: warning: Lee's allowance due {due} could not be paid: database error: the disk is full. Nothing was lost: it is paid as soon as the household file takes writes again."
        )),
        "{stderr}"
    );
    assert!(grants(&home, "Lee").is_empty());
    // The list says it is due, not "next on" a day already past.
    let list = String::from_utf8_lossy(&home.run(&["allowance", "list"]).stdout).to_string();
    assert!(
        list.contains(&format!("due since {due}, not paid yet")),
        "{list}"
    );

    // Once the file takes writes again, the next command pays it, once,
    // and says nothing more about it.
    writes_taken_again(&home);
    let out = home.run(&["member", "list"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(
        !String::from_utf8_lossy(&out.stderr).contains("could not be paid"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(grants(&home, "Lee").len(), 1);
    let list = home.ok(home.run(&["allowance", "list"]));
    assert!(
        list.contains(&format!("next on {}", due + TimeDelta::days(7))),
        "{list}"
    );
}

/// The same in the terminal interface (real binary, tmux, 80x24): said on
/// the message line, and paid while the interface is open once the file
/// takes writes again.
#[test]
fn the_interface_says_an_allowance_it_could_not_pay_and_pays_it_when_it_can() {
    crate::support::require_tool("tmux");
    let (home, due) = an_allowance_the_file_will_not_pay();

    let tmux = crate::tui::Tmux {
        socket: format!("coinguard-allowance-{}", std::process::id()),
    };
    tmux.session(
        "a",
        &format!(
            "env COINGUARD_NOW={} {} --db {}",
            home.now.to_rfc3339(),
            env!("CARGO_BIN_EXE_coinguard"),
            home.db.display()
        ),
    );
    let screen = tmux.wait_for("a:0", "could not be paid");
    assert!(
        screen.contains("Who are you?")
            && screen.contains(&format!(
                "Lee's allowance due {due} could not be paid: database error: the disk is"
            )),
        "{screen}"
    );
    assert!(grants(&home, "Lee").is_empty());

    writes_taken_again(&home);
    paid_within_8_s(&home, || {
        format!(
            "not paid while the interface was open; it shows:\n{}",
            tmux.screen("a:0")
        )
    });
    assert_eq!(grants(&home, "Lee").len(), 1);
    // Paid: the line no longer says it was not.
    tmux.wait_gone("a:0", "could not be paid");
    tmux.keys("a:0", &["q"]);
}

/// Waits (up to 8 s) for a process other than the test to pay Lee's
/// allowance; `why` says what it shows when it does not.
fn paid_within_8_s(home: &Home, why: impl Fn() -> String) {
    let start = std::time::Instant::now();
    while grants(home, "Lee").is_empty() {
        assert!(
            start.elapsed() < std::time::Duration::from_secs(8),
            "{}",
            why()
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
}

/// The household service pays allowances itself: one it cannot pay is in
/// its log once (not every half second while it lasts), and paid as soon
/// as the file takes writes again.
#[test]
fn the_service_logs_an_allowance_it_cannot_pay_once_and_pays_it_when_it_can() {
    let (home, due) = an_allowance_the_file_will_not_pay();

    let socket = home.file("s.sock");
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_coinguard"))
        .env_remove("COINGUARD_DB")
        .env("COINGUARD_NOW", home.now.to_rfc3339())
        .args(["serve", "--db"])
        .arg(&home.db)
        .arg("--socket")
        .arg(&socket)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut service = crate::service::Service {
        child,
        socket,
        db: home.db.clone(),
    };
    service.wait_ready();
    // Long enough for the service's payer to try five times or more.
    std::thread::sleep(std::time::Duration::from_millis(2_600));
    assert!(grants(&home, "Lee").is_empty());

    writes_taken_again(&home);
    paid_within_8_s(&home, || "the service did not pay it".to_string());
    let (status, log) = service.wait_after_term(std::time::Duration::from_secs(10));
    assert!(status.success(), "{status:?}\n{log}");
    assert_eq!(
        log.matches("paying allowances failed").count(),
        1,
        "said once:\n{log}"
    );
    assert!(
        log.contains(&format!(
            "Lee's allowance due {due} could not be paid: database error: the disk is full"
        )),
        "{log}"
    );
    assert_eq!(log.matches("paid Lee's allowance due").count(), 1, "{log}");
    assert_eq!(grants(&home, "Lee").len(), 1);
}

/// One allowance that cannot be paid holds up no other: Sam is paid while
/// Lee's payment fails. Lee's allowance cannot be changed or stopped while
/// it owes (that would skip the period); Sam's can.
#[test]
fn one_allowance_that_cannot_be_paid_holds_up_no_other() {
    let (home, due) = weekly_allowances_the_file_will_not_pay(&["Lee", "Sam"], Some("Lee"));

    let out = home.run(&["allowance", "list"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains(&format!("Lee's allowance due {due} could not be paid"))
            && !stderr.contains("Sam's"),
        "{stderr}"
    );
    assert_eq!(grants(&home, "Sam").len(), 1, "Sam is paid");
    assert!(grants(&home, "Lee").is_empty());

    // Changing or stopping Lee's allowance now would skip the period it
    // owes: refused, saying why, and nothing changes.
    for args in [
        &[
            "allowance",
            "set",
            "Lee",
            "--coins",
            "900",
            "--every",
            "week",
        ][..],
        &["allowance", "stop", "Lee"],
    ] {
        let out = home.guardian(args);
        let said = String::from_utf8_lossy(&out.stderr);
        assert_ne!(out.status.code(), Some(0), "{said}");
        assert!(
            said.contains(&format!("Lee's allowance due {due} could not be paid"))
                && said.contains("so that no period is skipped or paid twice"),
            "{said}"
        );
        assert_eq!(
            said.matches("could not be paid").count(),
            1,
            "said once, by the refusal:\n{said}"
        );
    }
    assert_eq!(logged(&home, "allowance_set"), 2);
    assert_eq!(logged(&home, "allowance_stop"), 0);
    // Sam's can be changed.
    home.ok(home.guardian(&["allowance", "stop", "Sam"]));
    assert_eq!(logged(&home, "allowance_stop"), 1);
}

/// Lee's allowance owes a period the file would not take: changing it
/// first pays that period, once, when the file takes writes again. While
/// both Lee's and Sam's fail, refusing Lee's change still warns about Sam.
#[test]
fn a_change_waits_for_what_the_allowance_owes_and_others_are_still_told() {
    let (home, due) = weekly_allowances_the_file_will_not_pay(&["Lee", "Sam"], None);

    let out = home.guardian(&["allowance", "stop", "Lee"]);
    let said = String::from_utf8_lossy(&out.stderr);
    assert_ne!(out.status.code(), Some(0), "{said}");
    assert_eq!(
        said.matches(&format!("Lee's allowance due {due} could not be paid"))
            .count(),
        1,
        "Lee's, once, in the refusal:\n{said}"
    );
    assert!(
        said.contains(&format!(
            "coinguard: warning: Sam's allowance due {due} could not be paid"
        )),
        "Sam's still said:\n{said}"
    );

    // The file takes writes: the change pays what Lee's allowance owed,
    // once, then changes it; nothing is said about payments any more.
    writes_taken_again(&home);
    let out = home.guardian(&[
        "allowance",
        "set",
        "Lee",
        "--coins",
        "900",
        "--every",
        "week",
    ]);
    let said = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{said}");
    assert!(!said.contains("could not be paid"), "{said}");
    assert_eq!(
        grants(&home, "Lee"),
        [(format!("allowance for the week from {due}"), 500)]
    );
    assert_eq!(grants(&home, "Sam").len(), 1);
    let list = home.ok(home.run(&["allowance", "list"]));
    assert!(list.contains("Lee: 900 coins"), "{list}");
}
