//! The household service as its clients meet it: the real `coinguard serve`
//! binary on a socket, spoken to line by line as any client (or `socat`)
//! would. Here the test process is the household's owner (the service
//! treats its own account and root as owners); the tests with separate OS
//! accounts are in `accounts`.

use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::support::{GUARDIAN_PIN, Household};

/// A running `coinguard serve`.
pub struct Service {
    pub child: Child,
    pub socket: PathBuf,
    pub db: PathBuf,
}

impl Service {
    pub fn start(db: &Path, socket: &Path, extra: &[&str]) -> Service {
        let child = Command::new(env!("CARGO_BIN_EXE_coinguard"))
            .env_remove("COINGUARD_DB")
            .args(["serve", "--db"])
            .arg(db)
            .arg("--socket")
            .arg(socket)
            .args(extra)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut service = Service {
            child,
            socket: socket.to_path_buf(),
            db: db.to_path_buf(),
        };
        service.wait_ready();
        service
    }

    pub fn wait_ready(&mut self) {
        let until = Instant::now() + Duration::from_secs(20);
        let stopped = loop {
            if UnixStream::connect(&self.socket).is_ok() {
                return;
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                break format!("the service stopped ({status})");
            }
            if Instant::now() > until {
                let _ = self.child.kill();
                break "the service did not start listening in 20 s".to_string();
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        let mut log = String::new();
        if let Some(mut err) = self.child.stderr.take() {
            use std::io::Read;
            let _ = err.read_to_string(&mut log);
        }
        panic!("{stopped} on {}:\n{log}", self.socket.display());
    }

    pub fn signal(&self, signal: nix::sys::signal::Signal) {
        let pid = nix::unistd::Pid::from_raw(i32::try_from(self.child.id()).unwrap());
        nix::sys::signal::kill(pid, signal).unwrap();
    }

    /// SIGTERM, then [`Service::wait`].
    pub fn wait_after_term(self, within: Duration) -> (std::process::ExitStatus, String) {
        self.signal(nix::sys::signal::Signal::SIGTERM);
        self.wait(within)
    }

    /// Waits for the service to exit; its status and what it logged.
    pub fn wait(mut self, within: Duration) -> (std::process::ExitStatus, String) {
        let until = Instant::now() + within;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                let mut log = String::new();
                if let Some(mut err) = self.child.stderr.take() {
                    use std::io::Read;
                    let _ = err.read_to_string(&mut log);
                }
                return (status, log);
            }
            assert!(
                Instant::now() < until,
                "the service did not stop in {within:?}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Service {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One client connection, speaking JSON lines.
pub struct Client {
    reader: BufReader<UnixStream>,
    writer: UnixStream,
}

impl Client {
    /// Connects without saying hello.
    pub fn raw(socket: &Path) -> Client {
        let stream = UnixStream::connect(socket).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(30)))
            .unwrap();
        Client {
            writer: stream.try_clone().unwrap(),
            reader: BufReader::new(stream),
        }
    }

    /// Connects and says hello; panics unless welcomed.
    pub fn connect(socket: &Path) -> Client {
        let mut client = Client::raw(socket);
        let welcome = client.send(&json!({"hello": 1, "client": "test"}));
        assert_eq!(welcome["ok"]["reply"], "welcome", "{welcome}");
        client
    }

    /// Connects and says hello; None if the service went away meanwhile.
    pub fn try_connect(socket: &Path) -> Option<Client> {
        let stream = UnixStream::connect(socket).ok()?;
        stream
            .set_read_timeout(Some(Duration::from_secs(30)))
            .ok()?;
        let mut client = Client {
            writer: stream.try_clone().ok()?,
            reader: BufReader::new(stream),
        };
        let mut line = serde_json::to_vec(&json!({"hello": 1, "client": "test"})).ok()?;
        line.push(b'\n');
        client.writer.write_all(&line).ok()?;
        (client.answer()["ok"]["reply"] == "welcome").then_some(client)
    }

    pub fn send_line(&mut self, line: &[u8]) {
        self.writer.write_all(line).unwrap();
        self.writer.flush().unwrap();
    }

    /// The next answer, or Null when the service closed the connection.
    pub fn answer(&mut self) -> Value {
        let mut line = String::new();
        match self.reader.read_line(&mut line) {
            Ok(0) | Err(_) => Value::Null,
            Ok(_) => serde_json::from_str(&line).unwrap(),
        }
    }

    pub fn send(&mut self, message: &Value) -> Value {
        let mut line = serde_json::to_vec(message).unwrap();
        line.push(b'\n');
        self.send_line(&line);
        self.answer()
    }

    /// As [`Client::send`] to a service that may be killed at any moment:
    /// Null when it went away, whether before the message was written (the
    /// write fails: a broken pipe or a reset connection) or before it
    /// answered.
    pub fn send_unless_gone(&mut self, message: &Value) -> Value {
        let mut line = serde_json::to_vec(message).unwrap();
        line.push(b'\n');
        if self
            .writer
            .write_all(&line)
            .and_then(|()| self.writer.flush())
            .is_err()
        {
            return Value::Null;
        }
        self.answer()
    }
}

fn auth() -> Value {
    json!({"guardian": "Maria", "pin": GUARDIAN_PIN})
}

fn buy(member: &str, key: &str) -> Value {
    json!({"call": "spend", "spend": {"what": "pack", "member": member, "pack": "coins-70"},
           "preview": false, "key": key, "pin": null})
}

/// A household (Maria; Sam, Lee; creators Ana, Bo) with its service.
fn household_with_service(extra: &[&str]) -> (tempfile::TempDir, Service) {
    let h = Household::new();
    let db = h.path();
    let dir = h.dir;
    drop(h.store);
    let socket = dir.path().join("coinguard.sock");
    let service = Service::start(&db, &socket, extra);
    (dir, service)
}

#[test]
fn calls_are_answered_and_a_bad_client_disturbs_nobody_else() {
    let (_dir, service) = household_with_service(&["--message-deadline", "2"]);
    let mut good = Client::connect(&service.socket);
    let me = good.send(&json!({"call": "who_am_i"}));
    assert_eq!(me["ok"]["reply"], "me", "{me}");
    assert_eq!(me["ok"]["service"], true);

    // Not JSON: an error that says so, and the connection closes.
    let mut garbage = Client::connect(&service.socket);
    let answer = garbage.send_line_and_answer(b"this is not json\n");
    assert_eq!(answer["error"]["kind"], "bad_input", "{answer}");
    assert_eq!(
        garbage.answer(),
        Value::Null,
        "closed after a malformed message"
    );

    // A call this service does not know.
    let mut unknown = Client::connect(&service.socket);
    let answer = unknown.send(&json!({"call": "transfer_everything", "to": "me"}));
    assert_eq!(answer["error"]["kind"], "bad_input", "{answer}");
    assert!(
        answer["error"]["message"]
            .as_str()
            .unwrap()
            .contains("not a call this service knows"),
        "{answer}"
    );

    // Oversized: refused by size, closed.
    let mut big = Client::connect(&service.socket);
    let mut line = vec![b'x'; 100 * 1024];
    line.push(b'\n');
    let answer = big.send_line_and_answer(&line);
    assert!(
        answer["error"]["message"]
            .as_str()
            .unwrap()
            .contains("larger than 65536 bytes"),
        "{answer}"
    );

    // A slow client: half a message, then nothing. Others are answered at
    // once meanwhile; the slow one is cut off at its deadline.
    let mut slow = Client::connect(&service.socket);
    slow.send_line(b"{\"call\": \"wal");
    let started = Instant::now();
    for _ in 0..20 {
        let answer = good.send(&json!({"call": "wallet", "member": "Sam"}));
        assert_eq!(answer["ok"]["reply"], "wallet", "{answer}");
    }
    assert!(started.elapsed() < Duration::from_secs(2), "others waited");
    let answer = slow.answer();
    assert!(
        answer["error"]["message"]
            .as_str()
            .unwrap()
            .contains("did not arrive in time"),
        "{answer}"
    );
    assert_eq!(slow.answer(), Value::Null);

    // A client of another protocol hears which side is older.
    let mut future = Client::raw(&service.socket);
    let answer = future.send(&json!({"hello": 2, "client": "coinguard 9"}));
    assert!(
        answer["error"]["message"]
            .as_str()
            .unwrap()
            .contains("the household service is older"),
        "{answer}"
    );
    // No hello at all.
    let mut rude = Client::raw(&service.socket);
    let answer = rude.send(&json!({"call": "who_am_i"}));
    assert!(
        answer["error"]["message"]
            .as_str()
            .unwrap()
            .contains("must be a hello"),
        "{answer}"
    );

    // Still serving, and the household is whole.
    let answer = good.send(&json!({"call": "verify"}));
    assert_eq!(answer["ok"]["ok"], true, "{answer}");
}

impl Client {
    fn send_line_and_answer(&mut self, line: &[u8]) -> Value {
        // The service may close before reading all of an oversized line.
        let _ = self.writer.write_all(line);
        self.answer()
    }
}

#[test]
fn clients_beyond_the_cap_are_told_to_come_back() {
    let (_dir, service) = household_with_service(&["--max-connections", "2"]);
    let _a = Client::connect(&service.socket);
    let _b = Client::connect(&service.socket);
    let mut c = Client::raw(&service.socket);
    let answer = c.answer();
    assert_eq!(answer["error"]["kind"], "unavailable", "{answer}");
    assert!(
        answer["error"]["message"]
            .as_str()
            .unwrap()
            .contains("serving 2 clients already"),
        "{answer}"
    );
    drop(_a);
    // A place freed is taken again.
    let until = Instant::now() + Duration::from_secs(5);
    loop {
        let mut d = Client::raw(&service.socket);
        let answer = d.send(&json!({"hello": 1, "client": "test"}));
        if answer["ok"]["reply"] == "welcome" {
            break;
        }
        assert!(Instant::now() < until, "{answer}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn guardian_actions_need_the_pin_and_the_lockout_is_kept_by_the_service() {
    let (_dir, service) = household_with_service(&[]);
    let mut client = Client::connect(&service.socket);
    let wrong = json!({"guardian": "Maria", "pin": "not the pin at all"});
    let grant = |auth: &Value| json!({"call": "grant", "member": "Sam", "coins": "100", "memo": "", "key": null, "auth": auth});
    for _ in 0..4 {
        let answer = client.send(&grant(&wrong));
        assert_eq!(answer["error"]["kind"], "auth", "{answer}");
    }
    let answer = client.send(&grant(&wrong));
    assert!(
        answer["error"]["message"]
            .as_str()
            .unwrap()
            .contains("locked until"),
        "{answer}"
    );
    // Locked: even the right PIN waits, and a new connection changes nothing.
    let mut again = Client::connect(&service.socket);
    let answer = again.send(&grant(&auth()));
    assert!(
        answer["error"]["message"]
            .as_str()
            .unwrap()
            .contains("too many wrong PINs"),
        "{answer}"
    );
}

#[test]
fn sigterm_answers_the_calls_in_flight_then_stops() {
    let (_dir, service) = household_with_service(&[]);
    let mut clients: Vec<Client> = (0..4).map(|_| Client::connect(&service.socket)).collect();
    // Each client sends a purchase; the service is told to stop while they
    // are on their way. Every call that reached it is answered and wholly
    // done; any other is wholly not done.
    for (i, client) in clients.iter_mut().enumerate() {
        let mut line = serde_json::to_vec(&buy("Sam", &format!("term-{i}"))).unwrap();
        line.push(b'\n');
        client.send_line(&line);
    }
    service.signal(nix::sys::signal::Signal::SIGTERM);
    let answers: Vec<Value> = clients.iter_mut().map(Client::answer).collect();
    let db = service.db.clone();
    let socket = service.socket.clone();
    let (status, log) = service.wait(Duration::from_secs(10));
    assert!(status.success(), "{status:?}\n{log}");
    assert!(log.contains("stopped"), "{log}");
    assert!(!socket.exists(), "the socket goes with the service");
    let store = coinguard::ledger::Store::open(&db).unwrap();
    for (i, answer) in answers.iter().enumerate() {
        let key = format!("term-{i}");
        let committed: i64 = store
            .conn()
            .query_row(
                "SELECT COUNT(*) FROM transactions WHERE idem_key = ?1",
                [&key],
                |r| r.get(0),
            )
            .unwrap();
        match answer {
            Value::Null => assert_eq!(committed, 0, "{key}: no answer, so nothing done"),
            answer => {
                assert_eq!(answer["ok"]["outcome"], "allow", "{answer}");
                assert_eq!(committed, 1, "{key}");
            }
        }
    }
    assert_eq!(
        coinguard::ledger::verify(store.conn()).unwrap().problem,
        None
    );
}

#[test]
fn a_service_killed_mid_commit_twenty_times_loses_nothing_and_commits_each_key_once() {
    let (dir, first) = household_with_service(&[]);
    let (db, socket) = (first.db.clone(), first.socket.clone());
    drop(first);
    let mut answered: Vec<String> = Vec::new();
    let mut tried: Vec<String> = Vec::new();
    for round in 0..20 {
        let service = Service::start(&db, &socket, &[]);
        let workers: Vec<_> = (0..4)
            .map(|worker| {
                let socket = socket.clone();
                std::thread::spawn(move || {
                    let mut done = Vec::new();
                    let mut sent = Vec::new();
                    let Some(mut client) = Client::try_connect(&socket) else {
                        return (sent, done);
                    };
                    for i in 0.. {
                        let key = format!("kill-{round}-{worker}-{i}");
                        sent.push(key.clone());
                        // Killed between two calls, the service is gone
                        // before this one is written: a broken pipe, not
                        // a failure (the key is retried below, as tried).
                        let answer = client.send_unless_gone(&buy(
                            if worker % 2 == 0 { "Sam" } else { "Lee" },
                            &key,
                        ));
                        if answer == Value::Null {
                            break;
                        }
                        assert_eq!(answer["ok"]["outcome"], "allow", "{answer}");
                        done.push(key);
                    }
                    (sent, done)
                })
            })
            .collect();
        // Kill at a different moment each round, commits in flight.
        std::thread::sleep(Duration::from_millis(60 + 37 * (round % 7)));
        service.signal(nix::sys::signal::Signal::SIGKILL);
        let _ = service.wait(Duration::from_secs(10));
        for w in workers {
            let (sent, done) = w.join().unwrap();
            tried.extend(sent);
            answered.extend(done);
        }
    }
    assert!(
        answered.len() > 40,
        "only {} purchases answered",
        answered.len()
    );
    let store = coinguard::ledger::Store::open(&db).unwrap();
    assert_eq!(
        coinguard::ledger::verify(store.conn()).unwrap().problem,
        None
    );
    let count = |key: &str| -> i64 {
        store
            .conn()
            .query_row(
                "SELECT COUNT(*) FROM transactions WHERE idem_key = ?1",
                [key],
                |r| r.get(0),
            )
            .unwrap()
    };
    for key in &answered {
        assert_eq!(count(key), 1, "{key} was answered as done");
    }
    drop(store);
    // Every key tried, retried now: each ends committed exactly once.
    let service = Service::start(&db, &socket, &[]);
    let mut client = Client::connect(&socket);
    for key in &tried {
        let member = if key
            .split('-')
            .nth(2)
            .and_then(|w| w.parse::<u32>().ok())
            .unwrap_or(0)
            % 2
            == 0
        {
            "Sam"
        } else {
            "Lee"
        };
        let answer = client.send(&buy(member, key));
        assert_eq!(answer["ok"]["outcome"], "allow", "{key}: {answer}");
    }
    drop(service);
    let store = coinguard::ledger::Store::open(&db).unwrap();
    for key in &tried {
        assert_eq!(count_in(&store, key), 1, "{key}");
    }
    assert_eq!(
        coinguard::ledger::verify(store.conn()).unwrap().problem,
        None
    );
    drop(dir);
}

fn count_in(store: &coinguard::ledger::Store, key: &str) -> i64 {
    store
        .conn()
        .query_row(
            "SELECT COUNT(*) FROM transactions WHERE idem_key = ?1",
            [key],
            |r| r.get(0),
        )
        .unwrap()
}

#[test]
fn a_purchase_that_needs_approval_is_approved_through_the_service() {
    let (_dir, service) = household_with_service(&[]);
    let mut client = Client::connect(&service.socket);
    let limit = json!({"call": "set_limit", "member": "Sam", "scope": "purchase", "window": "week",
                       "soft": "0.50", "hard": null, "auth": auth()});
    let answer = client.send(&limit);
    assert_eq!(answer["ok"]["reply"], "change", "{answer}");
    let answer = client.send(&buy("Sam", "ask-1"));
    assert_eq!(answer["ok"]["outcome"], "needs_approval", "{answer}");
    let id = answer["ok"]["request_id"].as_i64().unwrap();
    let answer = client.send(&json!({"call": "approve", "id": id, "auth": auth()}));
    assert_eq!(answer["ok"]["outcome"], "allow", "{answer}");
    let requests = client
        .send(&json!({"call": "requests", "status": "approved", "member": null, "limit": 10}));
    assert_eq!(requests["ok"]["requests"][0]["id"], id, "{requests}");
}
