//! The real binary in tmux: a teen asks for a purchase in the TUI, a guardian
//! approves it from another process, and the teen's screen updates by itself;
//! then the guardian sets a limit in the editor and the teen's shop preview
//! turns to a refusal, again by itself.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

const PIN: &str = "maple syrup river";

pub(crate) struct Tmux {
    pub(crate) socket: String,
}

impl Tmux {
    pub(crate) fn run(&self, args: &[&str]) -> String {
        let out = Command::new("tmux")
            .args(["-L", &self.socket])
            .args(args)
            .output()
            .expect("tmux runs");
        String::from_utf8_lossy(&out.stdout).to_string()
    }

    /// A detached session `name` at 80x24 running `command`.
    pub(crate) fn session(&self, name: &str, command: &str) {
        self.run(&[
            "new-session",
            "-d",
            "-s",
            name,
            "-x",
            "80",
            "-y",
            "24",
            command,
        ]);
    }

    pub(crate) fn screen(&self, window: &str) -> String {
        self.run(&["capture-pane", "-t", window, "-p"])
    }

    pub(crate) fn keys(&self, window: &str, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", window];
        args.extend_from_slice(keys);
        self.run(&args);
    }

    /// Types the guardian's PIN and Enter, as a person would: after reading
    /// the prompt (keys within 150 ms of a PIN prompt opening are dropped as
    /// typed before it).
    pub(crate) fn type_pin(&self, window: &str) {
        std::thread::sleep(Duration::from_millis(300));
        self.keys(window, &["-l", PIN]);
        self.keys(window, &["Enter"]);
    }

    /// Waits (up to 8 s) until `window` no longer shows `text`. (A key sent
    /// right after Escape can be read with it as Alt and the key.)
    pub(crate) fn wait_gone(&self, window: &str, text: &str) {
        let start = Instant::now();
        while self.screen(window).contains(text) {
            assert!(
                start.elapsed() < Duration::from_secs(8),
                "waited for {text:?} to go; the screen shows:\n{}",
                self.screen(window)
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Waits (up to 8 s) until `window` shows `text`, without pressing keys.
    pub(crate) fn wait_for(&self, window: &str, text: &str) -> String {
        let start = Instant::now();
        loop {
            let screen = self.screen(window);
            if screen.contains(text) {
                return screen;
            }
            assert!(
                start.elapsed() < Duration::from_secs(8),
                "waited for {text:?}; the screen shows:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Tmux {
    /// Stops the server and removes its socket file, which tmux leaves
    /// behind (a thousand runs left a thousand files in /tmp/tmux-0).
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["-L", &self.socket, "kill-server"])
            .output();
        let dir = std::env::var_os("TMUX_TMPDIR").map_or_else(
            || std::path::PathBuf::from("/tmp"),
            std::path::PathBuf::from,
        );
        let file = dir
            .join(format!("tmux-{}", nix::unistd::getuid()))
            .join(&self.socket);
        let _ = std::fs::remove_file(file);
    }
}

fn cli(db: &Path, args: &[&str], stdin: &str) -> std::process::Output {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_coinguard"))
        .args(["--db", db.to_str().unwrap()])
        .args(args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

#[test]
fn a_teens_request_is_approved_elsewhere_and_the_screen_updates_by_itself() {
    crate::support::require_tool("tmux");
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("h.db");
    let pin = format!("{PIN}\n");
    assert!(
        cli(&db, &["init", "--guardian", "Maria", "--pin-stdin"], &pin)
            .status
            .success()
    );
    let born = format!("{}-01-01", chrono::Datelike::year(&chrono::Utc::now()) - 15);
    assert!(
        cli(
            &db,
            &[
                "member",
                "add",
                "Sam",
                "--role",
                "teen",
                "--birthdate",
                &born,
                "--pin-stdin"
            ],
            &pin
        )
        .status
        .success()
    );

    let tmux = Tmux {
        socket: format!("coinguard-test-{}", std::process::id()),
    };
    let command = format!("{} --db {}", env!("CARGO_BIN_EXE_coinguard"), db.display());
    // The teen's window.
    tmux.run(&[
        "new-session",
        "-d",
        "-s",
        "t",
        "-n",
        "teen",
        "-x",
        "80",
        "-y",
        "24",
        &command,
    ]);
    let teen = "t:0";
    tmux.wait_for(teen, "Who are you?");
    tmux.keys(teen, &["Down", "Enter"]);
    tmux.wait_for(teen, "Sam's wallet");
    tmux.keys(teen, &["Tab"]);
    tmux.wait_for(teen, "Needs a guardian's approval");
    tmux.keys(teen, &["Enter"]);
    tmux.wait_for(teen, "Buy coins-70?");
    tmux.keys(teen, &["Enter"]);
    tmux.wait_for(teen, "Asked a guardian (request #1)");
    tmux.keys(teen, &["Tab", "Tab"]);
    tmux.wait_for(teen, "#1 PENDING");

    // The guardian's window: sign in with the PIN, approve with the PIN again.
    // In the test's folder, where exports land.
    let here = dir.path().to_str().unwrap();
    tmux.run(&[
        "new-window",
        "-t",
        "t:",
        "-n",
        "guardian",
        "-c",
        here,
        &command,
    ]);
    let guardian = "t:1";
    tmux.wait_for(guardian, "Who are you?");
    tmux.keys(guardian, &["Enter"]);
    tmux.wait_for(guardian, "PIN for Maria");
    tmux.type_pin(guardian);
    tmux.wait_for(guardian, "Waiting for you: 1 request ");
    tmux.keys(guardian, &["Tab"]);
    tmux.wait_for(guardian, "#1 PENDING");
    // Keys typed before the PIN prompt opened never land in it: the stray
    // keys sent with the "a" that opens it are dropped, and no try is used.
    tmux.keys(guardian, &["a", "x", "y", "z", "Enter"]);
    tmux.wait_for(guardian, "Guardian PIN to approve request #1");
    std::thread::sleep(Duration::from_millis(500));
    let prompt = tmux.screen(guardian);
    assert!(
        prompt.contains("Guardian PIN to approve request #1") && !prompt.contains("•••"),
        "{prompt}"
    );
    tmux.type_pin(guardian);
    tmux.wait_for(guardian, "Done: Sam buys 70 coins for 0.99 USD");

    // No key is pressed in the teen's window: it notices the other commit.
    let screen = tmux.wait_for(teen, "#1 APPROVED");
    assert!(
        screen.contains("Sam buys 70 coins for 0.99 USD"),
        "{screen}"
    );

    // The teen looks at the shop; the guardian caps a single purchase at
    // 0.50 USD in the limits editor, reads the before/after, types the PIN.
    tmux.keys(teen, &["BTab", "BTab"]);
    tmux.wait_for(teen, "Needs a guardian's approval");
    tmux.keys(guardian, &["Tab", "Tab"]);
    tmux.wait_for(guardian, "Sam's limits and rules");
    tmux.keys(guardian, &["Enter"]);
    tmux.wait_for(guardian, "Sam · coins bought each time");
    tmux.keys(guardian, &["Down"]);
    tmux.keys(guardian, &["-l", "0.50"]);
    tmux.keys(guardian, &["Enter"]);
    let review = tmux.wait_for(guardian, "Check before saving");
    assert!(review.contains("Before: no limit"), "{review}");
    assert!(
        review.contains("After:  refused above 0.50 USD"),
        "{review}"
    );
    tmux.keys(guardian, &["Enter"]);
    tmux.wait_for(guardian, "Guardian PIN to save this change");
    tmux.type_pin(guardian);
    tmux.wait_for(guardian, "Saved Sam's purchase limit per transaction");
    // Again no key in the teen's window: the preview now refuses, and says why.
    let shop = tmux.wait_for(teen, "Would be refused");
    assert!(shop.contains("0.50 USD"), "{shop}");
    // Any number of coins: typed, previewed (refused, with the reason), not bought.
    tmux.keys(teen, &["Down"; 7]);
    tmux.wait_for(teen, "you choose");
    tmux.keys(teen, &["Enter"]);
    tmux.wait_for(teen, "How many coins?");
    tmux.keys(teen, &["-l", "100"]);
    tmux.keys(teen, &["Enter"]);
    let custom = tmux.wait_for(teen, "Buy 100 coins?");
    assert!(custom.contains("Would be refused"), "{custom}");
    assert!(custom.contains("in one go"), "{custom}");
    tmux.keys(teen, &["Escape"]);
    tmux.wait_gone(teen, "Buy 100 coins?");
    tmux.keys(teen, &["Up"; 7]);
    let out = cli(&db, &["limit", "list", "Sam"], "");
    assert!(
        String::from_utf8_lossy(&out.stdout)
            .contains("purchase per transaction: refused above 0.50 USD"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );

    // Enter on the refused preview only says why: nothing is tried, so
    // nothing is recorded and no guardian is alerted.
    tmux.keys(guardian, &["Tab", "Tab"]);
    tmux.wait_for(guardian, "Alerts: none");
    tmux.keys(teen, &["Enter"]);
    let said = tmux.wait_for(teen, "Not bought: ");
    assert!(!said.contains("Buy coins-70?"), "{said}");
    // Tried from the command line anyway: refused, and the guardian's
    // dashboard shows the alert without a key; marked seen with the PIN.
    let out = cli(&db, &["buy", "Sam", "coins-70", "--pin-stdin"], &pin);
    assert_eq!(out.status.code(), Some(4), "{out:?}");
    tmux.wait_for(guardian, "Alerts: 1");
    tmux.wait_for(guardian, "o mark seen");
    tmux.keys(guardian, &["o"]);
    tmux.wait_for(guardian, "Guardian PIN to mark every open alert as seen");
    tmux.type_pin(guardian);
    tmux.wait_for(guardian, "Marked 1 alert as seen");
    tmux.wait_for(guardian, "Alerts: none");

    // A new member, added from the members screen.
    tmux.keys(guardian, &["Tab", "Tab"]);
    tmux.wait_for(guardian, "m add");
    tmux.keys(guardian, &["m"]);
    tmux.wait_for(guardian, "Add a new member");
    tmux.keys(guardian, &["-l", "Kim"]);
    tmux.keys(guardian, &["Down"]);
    tmux.keys(guardian, &["-l", &born]);
    tmux.keys(guardian, &["Enter"]);
    tmux.wait_for(guardian, "After:  Kim, teen, born");
    tmux.keys(guardian, &["Enter"]);
    tmux.wait_for(guardian, "Guardian PIN to save this change");
    tmux.type_pin(guardian);
    tmux.wait_for(guardian, "Added Kim (teen");
    let out = cli(&db, &["member", "list"], "");
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("Kim"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );

    // The audit screen exports the ledger to a new file, and never over one:
    // after an export it suggests a name not taken yet.
    tmux.keys(guardian, &["Tab", "Tab"]);
    tmux.wait_for(guardian, "◀ Ledger ▶");
    tmux.keys(guardian, &["e"]);
    tmux.wait_for(guardian, "coinguard-export.csv▏");
    tmux.keys(guardian, &["Enter"]);
    tmux.wait_for(guardian, "Exported 1 transaction to");
    tmux.keys(guardian, &["e"]);
    tmux.wait_for(guardian, "coinguard-export-2.csv▏");
    let export = dir.path().join("coinguard-export.csv");
    tmux.keys(guardian, &["BSpace"; 25]);
    tmux.keys(guardian, &["-l", export.to_str().unwrap()]);
    tmux.keys(guardian, &["Enter"]);
    tmux.wait_for(guardian, "coinguard-export.csv already exists");
    let csv = std::fs::read_to_string(&export).unwrap();
    assert!(csv.starts_with("id,"), "{csv}");
    assert_eq!(
        csv.lines().count(),
        2,
        "a header and the one purchase: {csv}"
    );

    // Esc on a main screen asks before signing out; Esc again stays.
    tmux.keys(guardian, &["Escape"]);
    tmux.wait_for(guardian, "Sign out, Maria?");
    std::thread::sleep(Duration::from_millis(300));
    tmux.keys(guardian, &["Escape"]);
    tmux.wait_gone(guardian, "Sign out, Maria?");
    tmux.keys(guardian, &["q"]);
    tmux.keys(teen, &["q"]);
    let start = Instant::now();
    while tmux.run(&["list-sessions"]).contains("t:") && start.elapsed() < Duration::from_secs(5) {
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(
        !tmux.run(&["list-sessions"]).contains("t:"),
        "q should quit; the teen's window:\n{}\nthe guardian's:\n{}",
        tmux.screen(teen),
        tmux.screen(guardian)
    );
}

/// `kill -TERM` (and SIGHUP, SIGINT) leave the terminal as `q` does: out of
/// the alternate screen, mouse reporting off, the cursor shown, the line
/// discipline back (the shell runs the next command), and the household
/// closed cleanly (SQLite removes its write-ahead log on a clean close).
#[test]
fn a_signal_restores_the_terminal_and_closes_the_household() {
    crate::support::require_tool("tmux");
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("h.db");
    let pin = format!("{PIN}\n");
    assert!(
        cli(&db, &["init", "--guardian", "Maria", "--pin-stdin"], &pin)
            .status
            .success()
    );
    let tmux = Tmux {
        socket: format!("coinguard-signal-{}", std::process::id()),
    };
    let here = dir.path().to_str().unwrap();
    tmux.run(&[
        "new-session",
        "-d",
        "-s",
        "s",
        "-x",
        "80",
        "-y",
        "24",
        "-c",
        here,
        "env PS1='READY$ ' sh",
    ]);
    let pane = "s:0";
    tmux.wait_for(pane, "READY$");
    for signal in ["TERM", "HUP", "INT"] {
        let pid_file = dir.path().join("pid");
        let _ = std::fs::remove_file(&pid_file);
        let line = format!(
            "sh -c 'echo $$ > {}; exec {} --db {}'",
            pid_file.display(),
            env!("CARGO_BIN_EXE_coinguard"),
            db.display()
        );
        tmux.keys(pane, &["-l", &line]);
        tmux.keys(pane, &["Enter"]);
        tmux.wait_for(pane, "Who are you?");
        let flags = tmux.run(&[
            "display",
            "-p",
            "-t",
            pane,
            "#{alternate_on} #{mouse_any_flag}",
        ]);
        assert_eq!(flags.trim(), "1 1", "the TUI is up");
        let pid = std::fs::read_to_string(&pid_file).unwrap();
        let killed = Command::new("kill")
            .args([&format!("-{signal}"), pid.trim()])
            .status()
            .unwrap();
        assert!(killed.success());
        // The interface leaves by itself (within one poll of the loop).
        let start = Instant::now();
        while tmux.screen(pane).contains("Who are you?") {
            assert!(
                start.elapsed() < Duration::from_secs(8),
                "{signal}: still running"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        std::thread::sleep(Duration::from_millis(300));
        // The shell runs a command again only if the line discipline is back.
        let done = format!("DONE-{signal}");
        tmux.keys(pane, &["-l", &format!("stty -a > stty.txt; echo {done}")]);
        tmux.keys(pane, &["Enter"]);
        let screen = tmux.wait_for(pane, &format!("\n{done}"));
        assert!(!screen.contains("Who are you?"), "{signal}: {screen}");
        let flags = tmux.run(&[
            "display",
            "-p",
            "-t",
            pane,
            "#{alternate_on} #{cursor_flag} #{mouse_any_flag} #{mouse_button_flag} #{mouse_sgr_flag}",
        ]);
        assert_eq!(
            flags.trim(),
            "0 1 0 0 0",
            "{signal}: alternate screen, cursor, mouse"
        );
        let stty = std::fs::read_to_string(dir.path().join("stty.txt")).unwrap();
        assert!(
            stty.contains(" icanon") && !stty.contains("-icanon") && !stty.contains("-echo "),
            "{signal}: {stty}"
        );
        let wal = dir.path().join("h.db-wal");
        let start = Instant::now();
        while wal.exists() && start.elapsed() < Duration::from_secs(3) {
            std::thread::sleep(Duration::from_millis(50));
        }
        assert!(
            !wal.exists(),
            "{signal}: the database was not closed cleanly"
        );
        tmux.keys(pane, &["-l", "clear"]);
        tmux.keys(pane, &["Enter"]);
    }
}

/// A terminal that goes away (its window closed, tmux killed) ends the
/// interface: it does not stay behind reading a dead terminal. (It spun at
/// full speed for ever: crossterm reads a closed terminal's end-of-file as
/// "no key yet".)
#[test]
fn the_interface_ends_when_its_terminal_goes_away() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("gone.db");
    let pin = format!("{PIN}\n");
    assert!(
        cli(&db, &["init", "--guardian", "Maria", "--pin-stdin"], &pin)
            .status
            .success()
    );
    let tmux = Tmux {
        socket: format!("coinguard-gone-{}", std::process::id()),
    };
    let pid_file = dir.path().join("pid");
    let command = format!(
        "echo $$ > {}; exec {} --db {}",
        pid_file.display(),
        env!("CARGO_BIN_EXE_coinguard"),
        db.display()
    );
    tmux.session("g", &command);
    tmux.wait_for("g:0", "Who are you?");
    let pid = std::fs::read_to_string(&pid_file)
        .unwrap()
        .trim()
        .to_string();
    let alive = |pid: &str| Path::new(&format!("/proc/{pid}")).exists();
    assert!(alive(&pid));
    tmux.run(&["kill-server"]);
    let start = Instant::now();
    while alive(&pid) && start.elapsed() < Duration::from_secs(5) {
        std::thread::sleep(Duration::from_millis(50));
    }
    let state = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    assert!(
        !alive(&pid) || state.contains(") Z "),
        "the interface is still running without its terminal: {state}"
    );
}

/// Issue 16: `coinguard demo` opens the interface at once and makes the
/// demo household beside it under a gauge ("making the demo household: N
/// of 92"), then goes on to "Who are you?" with the demo's PIN; leaving
/// prints what was made. q while it is made stops it and leaves nothing
/// half made: no file at all (so the next demo makes it afresh), or, when
/// the making finished before q was read, the whole demo.
#[test]
fn the_demo_opens_the_interface_first_and_q_leaves_nothing_half_made() {
    crate::support::require_tool("tmux");
    let dir = tempfile::tempdir().unwrap();
    let tmux = Tmux {
        socket: format!("coinguard-demo-{}", std::process::id()),
    };
    // Waits for the gauge or the pick screen, whichever shows first.
    let first_frame = |w: &str| -> String {
        let start = Instant::now();
        loop {
            let screen = tmux.screen(w);
            if screen.contains("making the demo household")
                || screen.contains("coinguard · Who are you?")
            {
                return screen;
            }
            assert!(
                start.elapsed() < Duration::from_secs(8),
                "no gauge and no pick screen:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(5));
        }
    };
    let start = |name: &str, db: &Path| {
        // The shell stays after the interface leaves, to read what it said.
        let command = format!(
            "{} demo --db {}; sleep 60",
            env!("CARGO_BIN_EXE_coinguard"),
            db.display()
        );
        tmux.session(name, &command);
    };

    // The first run, left to finish.
    let db = dir.path().join("demo.db");
    let opened = Instant::now();
    start("a", &db);
    let first = first_frame("a:0");
    eprintln!(
        "first frame after {:?}: {}",
        opened.elapsed(),
        if first.contains("making") {
            "the gauge"
        } else {
            "the pick screen"
        }
    );
    if first.contains("making the demo household") {
        assert!(first.contains(" of 92"), "{first}");
        assert!(first.contains("Esc stop · q quit"), "{first}");
    }
    let pick = tmux.wait_for("a:0", "coinguard · Who are you?");
    assert!(pick.contains("Maria"), "{pick}");
    tmux.wait_for("a:0", "the guardians' PIN is \"demo passphrase\"");
    tmux.keys("a:0", &["q"]);
    tmux.wait_for("a:0", "Created the demo household at");
    assert!(db.exists());

    // The second run, q as soon as it shows.
    let other = tempfile::tempdir().unwrap();
    let db = other.path().join("demo.db");
    start("b", &db);
    let first = first_frame("b:0");
    tmux.keys("b:0", &["q"]);
    let stopped = first.contains("making the demo household") && {
        let start = Instant::now();
        loop {
            let screen = tmux.screen("b:0");
            if screen.contains("Stopped before the demo household was made") {
                break true;
            }
            // Made before q was read: q left the pick screen.
            if screen.contains("Created the demo household at") {
                break false;
            }
            assert!(start.elapsed() < Duration::from_secs(8), "{screen}");
            std::thread::sleep(Duration::from_millis(20));
        }
    };
    eprintln!(
        "q while it was made: {}",
        if stopped {
            "stopped"
        } else {
            "it was already made"
        }
    );
    let left: Vec<_> = std::fs::read_dir(other.path())
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().to_string())
        .collect();
    if stopped {
        assert!(left.is_empty(), "nothing half made is left: {left:?}");
    } else {
        assert_eq!(left, ["demo.db"], "the whole demo, nothing beside it");
    }
    // Either way the next demo (not at a terminal: no interface) works,
    // making it afresh or using the whole one.
    let again = Command::new(env!("CARGO_BIN_EXE_coinguard"))
        .args(["demo", "--db", db.to_str().unwrap()])
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&again.stdout);
    assert!(again.status.success(), "{said}");
    let expected = if stopped {
        "Created the demo household at"
    } else {
        "already exists; using it as it is"
    };
    assert!(said.contains(expected), "{said}");
    let verified = cli(&db, &["verify"], "");
    assert!(
        verified.status.success(),
        "{}",
        String::from_utf8_lossy(&verified.stdout)
    );
}

/// Through the household service an OS account acts only as the members
/// linked to it: the pick screen lists exactly those (issue 14), and a teen's
/// account may not ask what approving a request would do.
#[test]
fn the_pick_screen_shows_only_the_members_linked_to_the_os_account() {
    use coinguard::api::call::GuardianAuth;
    use coinguard::api::{Call, Caller, Session};
    use coinguard::client::Household;
    use coinguard::tui::app::Screen;
    use coinguard::tui::view::{self, Selection};
    let fixture = crate::support::Household::new();
    let path = fixture.path();
    let clock = &fixture.clock;
    let me = coinguard::auth::peer::current();
    {
        let mut owner = Household::open(&path, clock).unwrap();
        owner
            .call(Call::Link {
                member: "Sam".into(),
                os_user: me.user.clone(),
                auth: GuardianAuth {
                    guardian: Some("Maria".into()),
                    pin: crate::support::GUARDIAN_PIN.into(),
                },
            })
            .unwrap();
        // The owner of the file (embedded mode) may act as anyone.
        let vm = view::load(&mut owner, None, Screen::Pick, &Selection::default()).unwrap();
        assert_eq!(vm.members.len(), 5, "Maria, Sam, Lee, Ana and Bo");
        assert!(!vm.service);
    }
    let session = Session::new(
        coinguard::ledger::Store::open(&path).unwrap(),
        clock,
        Caller::Account(me.clone()),
    )
    .via_service();
    let mut teen = Household::Embedded(Box::new(session));
    let vm = view::load(&mut teen, None, Screen::Pick, &Selection::default()).unwrap();
    let names: Vec<&str> = vm.members.iter().map(|m| m.name.as_str()).collect();
    assert_eq!(names, ["Sam"], "only the member linked to {}", me.user);
    assert!(vm.service, "the pick screen says who decided");
    let refused = teen.call(Call::ApprovalPreview { id: 1 }).unwrap_err();
    assert_eq!(refused.kind, coinguard::domain::ErrorKind::Forbidden);
}

/// The pick screen shows the demo's PIN only in a household marked as the
/// demo (by the marker the demo writes when it makes a household).
#[test]
fn only_the_demo_household_shows_its_pin() {
    use coinguard::client::Household;
    use coinguard::tui::app::Screen;
    use coinguard::tui::view::{self, Selection};
    let mut fixture = crate::support::Household::new();
    let path = fixture.path();
    let pick = |clock: &coinguard::domain::FixedClock| {
        let mut h = Household::open(&path, clock).unwrap();
        view::load(&mut h, None, Screen::Pick, &Selection::default()).unwrap()
    };
    assert_eq!(
        pick(&fixture.clock).demo_pin,
        None,
        "no marker, no PIN shown"
    );
    fixture
        .store
        .write(&fixture.clock, |w| {
            coinguard::ledger::log_guardian_action(
                w,
                &coinguard::ledger::GuardianAction {
                    actor: None,
                    action: coinguard::services::DEMO_MARKER.into(),
                    subject: "this household".into(),
                    before: String::new(),
                    after: "made by coinguard demo".into(),
                },
            )
        })
        .unwrap();
    assert_eq!(
        pick(&fixture.clock).demo_pin.as_deref(),
        Some(coinguard::services::DEMO_PIN)
    );
}

/// The limits editor words a change before the household saves it; its
/// words are the household's (the TUI may not call the services for them).
#[test]
fn the_editors_words_for_limits_and_quiet_hours_are_the_households() {
    use coinguard::domain::{Limit, MemberId, Outcome, QuietHours, Scope, Window};
    use coinguard::tui::editor;
    let economy = coinguard::config::Config::defaults().unwrap().economy;
    let usd = crate::support::usd_micros;
    let coins = crate::support::coins;
    for (scope, soft, hard) in [
        (
            Scope::Purchase,
            Some(usd(10_000_000)),
            Some(usd(25_000_000)),
        ),
        (Scope::All, None, Some(usd(60_000_000))),
        (Scope::Gift, Some(coins(500)), None),
        (Scope::Gift, Some(coins(300)), Some(coins(1_000))),
    ] {
        let limit = Limit::new(MemberId(2), scope, Window::Week, soft, hard).unwrap();
        assert_eq!(
            editor::describe_thresholds(&limit, &economy),
            coinguard::services::describe_thresholds(&limit, &economy)
        );
    }
    for verdict in [Outcome::Deny, Outcome::NeedsApproval] {
        let quiet = QuietHours {
            start_minute: 21 * 60,
            end_minute: 7 * 60,
            verdict,
        };
        assert_eq!(
            editor::describe_quiet_hours(&quiet),
            coinguard::services::describe_quiet_hours(&quiet)
        );
    }
}

/// The interface loads every screen through the household service exactly
/// as it does in this process: the same calls, the same view model (the
/// service answers over its socket; the test process is the household's
/// owner there).
#[test]
fn every_screen_loads_the_same_through_the_household_service() {
    use coinguard::client::Household;
    use coinguard::domain::Role;
    use coinguard::tui::app::Screen;
    use coinguard::tui::view::{self, AuditView, Selection};
    let mut fixture = crate::support::Household::new();
    fixture.grant("Sam", 500).unwrap();
    fixture.gift("Sam", "Ana", "doughnut", 2, None).unwrap();
    let path = fixture.path();
    let socket = fixture.dir.path().join("coinguard.sock");
    let clock = coinguard::domain::FixedClock::new(chrono::Utc::now());
    let _service = crate::service::Service::start(&path, &socket, &[]);
    let mut remote = Household::connect(&socket).unwrap();
    let mut local = Household::open(&path, &clock).unwrap();
    let pick = view::load(&mut remote, None, Screen::Pick, &Selection::default()).unwrap();
    let who = |name: &str, role: Role| {
        let id = pick.members.iter().find(|m| m.name == name).unwrap().id;
        (id, name.to_string(), role)
    };
    let screens = [
        (who("Maria", Role::Guardian), Screen::Dashboard),
        (who("Maria", Role::Guardian), Screen::Approvals),
        (who("Maria", Role::Guardian), Screen::Members),
        (who("Maria", Role::Guardian), Screen::Limits),
        (who("Maria", Role::Guardian), Screen::Audit),
        (who("Sam", Role::Teen), Screen::Wallet),
        (who("Sam", Role::Teen), Screen::Shop),
        (who("Sam", Role::Teen), Screen::Gifts),
        (who("Sam", Role::Teen), Screen::Requests),
        (who("Sam", Role::Teen), Screen::History),
        (who("Ana", Role::Creator), Screen::Earnings),
    ];
    for (who, screen) in &screens {
        for audit in [AuditView::Ledger, AuditView::Decisions, AuditView::Actions] {
            let selection = Selection {
                audit,
                ..Default::default()
            };
            let through = view::load(&mut remote, Some(who), *screen, &selection).unwrap();
            let here = view::load(&mut local, Some(who), *screen, &selection).unwrap();
            assert_eq!(through.member, here.member, "{screen:?}");
            assert_eq!(through.creator, here.creator, "{screen:?}");
            assert_eq!(
                through
                    .guardian
                    .map(|g| (g.pending, g.history, g.log, g.rules)),
                here.guardian
                    .map(|g| (g.pending, g.history, g.log, g.rules)),
                "{screen:?} {audit:?}"
            );
            assert!(through.service && !here.service);
        }
    }
}

/// The real binary through the household service (issue 14): `coinguard
/// --socket` opens the interface on the service, a teen asks for a
/// purchase, a guardian approves it with the command line through the same
/// service, and the teen's screen updates by itself (the interface polls the
/// household's version over the socket).
#[test]
fn through_the_household_service_the_screen_updates_by_itself() {
    crate::support::require_tool("tmux");
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("h.db");
    let pin = format!("{PIN}\n");
    assert!(
        cli(&db, &["init", "--guardian", "Maria", "--pin-stdin"], &pin)
            .status
            .success()
    );
    let born = format!("{}-01-01", chrono::Datelike::year(&chrono::Utc::now()) - 15);
    let added = cli(
        &db,
        &[
            "member",
            "add",
            "Sam",
            "--role",
            "teen",
            "--birthdate",
            &born,
            "--pin-stdin",
        ],
        &pin,
    );
    assert!(added.status.success(), "{added:?}");
    let socket = dir.path().join("coinguard.sock");
    let _service = crate::service::Service::start(&db, &socket, &[]);
    let tmux = Tmux {
        socket: format!("coinguard-service-{}", std::process::id()),
    };
    let command = format!(
        "env -u COINGUARD_DB {} --socket {}",
        env!("CARGO_BIN_EXE_coinguard"),
        socket.display()
    );
    tmux.session("s", &command);
    let teen = "s:0";
    let pick = tmux.wait_for(teen, "Who are you?");
    assert!(pick.contains("The household service says whom"), "{pick}");
    tmux.keys(teen, &["Down", "Enter"]);
    tmux.wait_for(teen, "Sam's wallet");
    tmux.keys(teen, &["Tab"]);
    tmux.wait_for(teen, "Needs a guardian's approval");
    tmux.keys(teen, &["Enter"]);
    tmux.wait_for(teen, "Buy coins-70?");
    tmux.keys(teen, &["Enter"]);
    tmux.wait_for(teen, "Asked a guardian (request #1)");
    tmux.keys(teen, &["Tab", "Tab"]);
    tmux.wait_for(teen, "#1 PENDING");
    // The guardian approves from the command line, through the service.
    use std::io::Write;
    let mut approve = Command::new(env!("CARGO_BIN_EXE_coinguard"))
        .env_remove("COINGUARD_DB")
        .arg("--socket")
        .arg(&socket)
        .args(["request", "approve", "1", "--pin-stdin"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    approve
        .stdin
        .take()
        .unwrap()
        .write_all(pin.as_bytes())
        .unwrap();
    let approved = approve.wait_with_output().unwrap();
    assert!(approved.status.success(), "{approved:?}");
    // No key is pressed: the interface sees the household's version move.
    let screen = tmux.wait_for(teen, "#1 APPROVED");
    assert!(screen.contains("Sam buys 70 coins"), "{screen}");
    tmux.keys(teen, &["q"]);
}

/// A reload takes no write lock (issue 16): every preview a screen loads
/// (packs, a gift, cashing out, approving a request, asking again, a
/// reversal) answers at once while another connection holds the write lock,
/// and writes nothing. Before, each ran in a rolled-back `BEGIN IMMEDIATE`
/// and waited out the busy timeout (10 s) behind that writer.
#[test]
fn previews_take_no_write_lock() {
    use coinguard::api::call::{GuardianAuth, Spend};
    use coinguard::api::{Call, Reply};
    use coinguard::client::Household;
    let mut fixture = crate::support::Household::new();
    fixture.grant("Sam", 500).unwrap();
    let gift = fixture.gift("Sam", "Ana", "doughnut", 2, None).unwrap();
    let path = fixture.path();
    let mut h = Household::open(&path, &fixture.clock).unwrap();
    // A request to approve, and one denied to ask again.
    let ask = |h: &mut Household<'_>| match h
        .call(Call::Spend {
            spend: Spend::Coins {
                member: "Lee".into(),
                coins: "1000000".into(),
            },
            preview: false,
            key: None,
            pin: None,
        })
        .unwrap()
    {
        Reply::Spend(s) => s,
        other => panic!("{other:?}"),
    };
    let _ = h.call(Call::SetLimit {
        member: "Lee".into(),
        scope: coinguard::domain::Scope::Purchase,
        window: coinguard::domain::Window::Transaction,
        soft: Some("5".into()),
        hard: None,
        auth: GuardianAuth {
            guardian: None,
            pin: crate::support::GUARDIAN_PIN.into(),
        },
    });
    let waiting = ask(&mut h).request_id.expect("a request");
    let denied = ask(&mut h).request_id.expect("a request");
    h.call(Call::Deny {
        id: denied,
        reason: "no".into(),
        auth: GuardianAuth {
            guardian: None,
            pin: crate::support::GUARDIAN_PIN.into(),
        },
    })
    .unwrap();
    let version = |h: &mut Household<'_>| match h.call(Call::Version).unwrap() {
        Reply::Version { version } => version,
        other => panic!("{other:?}"),
    };
    // Another process takes the write lock and keeps it.
    let writer = rusqlite::Connection::open(&path).unwrap();
    writer.execute_batch("BEGIN IMMEDIATE").unwrap();
    let before = version(&mut h);
    let previews = [
        Call::Spend {
            spend: Spend::Pack {
                member: "Sam".into(),
                pack: "coins-70".into(),
            },
            preview: true,
            key: None,
            pin: None,
        },
        Call::Spend {
            spend: Spend::Gift {
                member: "Sam".into(),
                creator: "Ana".into(),
                gift: "rose".into(),
                count: "3".into(),
            },
            preview: true,
            key: None,
            pin: None,
        },
        Call::Spend {
            spend: Spend::Redeem {
                creator: "Ana".into(),
                diamonds: "30".into(),
            },
            preview: true,
            key: None,
            pin: None,
        },
        Call::ApprovalPreview { id: waiting },
        Call::AskAgainPreview { id: denied },
        Call::ReversalPreview {
            tx: gift.tx.unwrap().0,
        },
    ];
    for call in previews {
        let started = std::time::Instant::now();
        let answer = h.call(call.clone());
        assert!(
            started.elapsed() < std::time::Duration::from_secs(1),
            "{call:?} waited {:?} for the write lock",
            started.elapsed()
        );
        assert!(answer.is_ok(), "{call:?}: {answer:?}");
    }
    writer.execute_batch("ROLLBACK").unwrap();
    assert_eq!(version(&mut h), before, "the previews wrote nothing");
    // A request whose time is up reads as expired in a preview, as the
    // approval (which expires it first) would find it, though nothing
    // has written it so yet.
    fixture.clock.advance(chrono::TimeDelta::hours(49));
    let late = h.call(Call::ApprovalPreview { id: waiting }).unwrap_err();
    assert!(late.message.contains("expired"), "{late:?}");
    assert_eq!(version(&mut h), before, "still nothing written");
}

/// Verify says how far it has got, in this process and through the
/// household service (progress lines before the answer), and stops when
/// the watcher says so, writing nothing; the service carries on serving.
#[test]
fn verify_reports_progress_and_stops_when_asked_in_both_modes() {
    use coinguard::api::reply::{ProgressStage, ProgressView};
    use coinguard::api::{Call, Reply};
    use coinguard::client::Household;
    let mut fixture = crate::support::Household::new();
    fixture.grant("Sam", 500).unwrap();
    fixture.gift("Sam", "Ana", "doughnut", 2, None).unwrap();
    let path = fixture.path();
    let socket = fixture.dir.path().join("coinguard.sock");
    let _service = crate::service::Service::start(&path, &socket, &[]);
    let verify = Call::Verify { progress: true };
    let check = |mut h: Household<'_>| {
        let mut steps: Vec<ProgressView> = Vec::new();
        let reply = h
            .call_with_progress(verify.clone(), &mut |p| {
                steps.push(p);
                true
            })
            .unwrap();
        let Reply::Verify(report) = reply else {
            panic!("{reply:?}")
        };
        assert!(report.ok, "{report:?}");
        let stages: Vec<ProgressStage> = steps.iter().map(|s| s.stage).collect();
        for stage in [
            ProgressStage::File,
            ProgressStage::Transactions,
            ProgressStage::Totals,
            ProgressStage::Decisions,
            ProgressStage::GuardianActions,
        ] {
            assert!(stages.contains(&stage), "{stage:?} in {steps:?}");
        }
        let transactions = steps
            .iter()
            .find(|s| s.stage == ProgressStage::Transactions)
            .unwrap();
        assert_eq!(transactions.total, report.transactions, "{steps:?}");
        // The verify with options (as the command line asks it) is heard too.
        let mut heard = 0;
        let with = Call::VerifyWith {
            incremental: false,
            seal: None,
            progress: true,
        };
        h.call_with_progress(with, &mut |_| {
            heard += 1;
            true
        })
        .unwrap();
        assert!(heard >= 5, "{heard} steps");
        // Stopped at the transactions: an error that says so, nothing written.
        let stopped = h
            .call_with_progress(verify.clone(), &mut |p| {
                p.stage != ProgressStage::Transactions
            })
            .unwrap_err();
        assert!(
            stopped.message.starts_with("stopped before the end"),
            "{stopped:?}"
        );
    };
    check(Household::open(&path, &fixture.clock).unwrap());
    check(Household::connect(&socket).unwrap());
    // The service is still there for the next client, and nothing changed.
    let mut again = Household::connect(&socket).unwrap();
    let Reply::Verify(report) = again.call(Call::Verify { progress: false }).unwrap() else {
        panic!("a verify report")
    };
    assert!(report.ok);
    // Without `progress` the call travels exactly as before.
    assert_eq!(
        serde_json::to_string(&Call::Verify { progress: false }).unwrap(),
        r#"{"call":"verify"}"#
    );
}

/// A household of `count` purchases through the real write path (the guard
/// judges each, the ledger appends it), with fsync off as the benchmarks
/// and the demo seed it: only the durability of the seeding differs.
fn large_household(count: u64) -> crate::support::Household {
    let mut fixture = crate::support::Household::new();
    fixture.store.relax_durability_for_seeding().unwrap();
    for i in 0..count {
        let who = if i % 2 == 0 { "Sam" } else { "Lee" };
        let outcome = fixture.buy(who, "coins-70", None).unwrap();
        assert!(outcome.is_committed(), "{outcome:?}");
    }
    fixture
}

/// How long the interface took to answer, measured in tmux on the real
/// binary (each figure includes tmux `capture-pane` polling, about 2–5 ms).
#[derive(Debug, Default)]
struct Answered {
    /// From starting the binary to the pick screen drawn.
    first_frame: Duration,
    /// `[` on the audit screen with nothing else running: the chart a
    /// period back, to days not read before (each page reads where its
    /// days' money went).
    chart_back: Vec<Duration>,
    /// `]` then, forward again over days read already.
    chart_forward: Vec<Duration>,
    /// For the `[` and `]` above: until the new period's figures are drawn
    /// (its title no longer says "loading…"; the audit loads beside the
    /// screen, so the key's own frame comes first).
    chart_figures: Vec<Duration>,
    /// `?`, Esc, Tab, Shift-Tab while a verify runs.
    keys_during_verify: Vec<Duration>,
    /// `[` / `]` while a verify runs.
    chart_during_verify: Vec<Duration>,
    /// The verify's count as the frames showed it.
    counts: Vec<u64>,
}

fn slowest(times: &[Duration]) -> Duration {
    times.iter().copied().max().unwrap_or_default()
}

fn median(times: &[Duration]) -> Duration {
    let mut sorted = times.to_vec();
    sorted.sort();
    sorted.get(sorted.len() / 2).copied().unwrap_or_default()
}

/// Opens `bin` on `db` in tmux at 80×24, signs in as `guardian` (the
/// first on the pick screen) with `pin`, goes to the audit screen, pages
/// the chart back `skip` times unmeasured (to where the household has
/// history), then back and forward `pages` times, starts a verify and presses
/// keys during it (`rounds` rounds of `?`, Esc, Tab, Shift-Tab, `[`,
/// `]`), each time waiting for the frame that answers; then Esc stops the
/// verify, which says nothing was changed.
fn answered_in_tmux(
    bin: &str,
    db: &Path,
    guardian: &str,
    pin: &str,
    (skip, pages): (usize, usize),
    rounds: usize,
) -> Answered {
    let tmux = Tmux {
        socket: format!("coinguard-large-{}", std::process::id()),
    };
    let command = format!("{bin} --db {}", db.display());
    let mut got = Answered::default();
    let opened = Instant::now();
    tmux.session("l", &command);
    let w = "l:0";
    // As wait_for, polling every 2 ms.
    let shows = |text: &str| {
        let start = Instant::now();
        while !tmux.screen(w).contains(text) {
            assert!(
                start.elapsed() < Duration::from_secs(10),
                "waited for {text:?}:\n{}",
                tmux.screen(w)
            );
            std::thread::sleep(Duration::from_millis(2));
        }
    };
    shows("Who are you?");
    got.first_frame = opened.elapsed();
    tmux.keys(w, &["Enter"]);
    tmux.wait_for(w, &format!("PIN for {guardian}"));
    std::thread::sleep(Duration::from_millis(300));
    tmux.keys(w, &["-l", pin]);
    tmux.keys(w, &["Enter"]);
    tmux.wait_for(w, "Dashboard");
    tmux.keys(w, &["BTab"]);
    tmux.wait_for(w, "Spent on coins per day");

    // The chart's title line ("Spent on coins per day, A to B").
    let period = |screen: &str| -> String {
        screen
            .lines()
            .find(|l| l.contains("Spent on coins per day"))
            .unwrap_or_default()
            .to_string()
    };
    // Presses `key` and waits until the screen shows `shows` (or, with
    // `gone`, no longer shows it); how long that took.
    let answered = |key: &str, shows: &str, gone: bool| -> Duration {
        let pressed = Instant::now();
        tmux.keys(w, &[key]);
        loop {
            let screen = tmux.screen(w);
            if screen.contains(shows) != gone {
                return pressed.elapsed();
            }
            assert!(
                pressed.elapsed() < Duration::from_secs(5),
                "{key} not answered with {shows:?}:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(2));
        }
    };
    // `[` or `]`: answered when the chart shows another period; its
    // figures, when that title no longer says "loading…".
    let paged = |key: &str| -> (Duration, Duration) {
        let before = period(&tmux.screen(w));
        let pressed = Instant::now();
        let answer = answered(key, &before, true);
        while period(&tmux.screen(w)).contains("loading…") {
            assert!(pressed.elapsed() < Duration::from_secs(5), "never loaded");
            std::thread::sleep(Duration::from_millis(2));
        }
        (answer, pressed.elapsed())
    };
    for _ in 0..skip {
        paged("[");
    }
    for _ in 0..pages {
        let (answer, figures) = paged("[");
        got.chart_back.push(answer);
        got.chart_figures.push(figures);
    }
    for _ in 0..pages {
        let (answer, figures) = paged("]");
        got.chart_forward.push(answer);
        got.chart_figures.push(figures);
    }

    tmux.keys(w, &["v"]);
    tmux.wait_for(w, "Verifying");
    // The count this frame shows ("Verifying transactions: 12,345 of ...").
    let count_on = |screen: &str| -> Option<u64> {
        let line = screen.lines().find(|l| l.contains("Verifying"))?;
        let after = line.split(": ").nth(1)?;
        let digits: String = after
            .split(" of ")
            .next()?
            .chars()
            .filter(char::is_ascii_digit)
            .collect();
        digits.parse().ok()
    };
    for _ in 0..rounds {
        let screen = tmux.wait_for(w, "Verifying transactions");
        got.counts.extend(count_on(&screen));
        got.keys_during_verify
            .push(answered("?", "check the whole record", false));
        got.keys_during_verify
            .push(answered("Escape", "check the whole record", true));
        got.keys_during_verify
            .push(answered("Tab", "┌Dashboard", false));
        got.keys_during_verify
            .push(answered("BTab", "Spent on coins per day", false));
        got.chart_during_verify.push(paged("[").0);
        got.chart_during_verify.push(paged("]").0);
        std::thread::sleep(Duration::from_millis(200));
    }
    let screen = tmux.screen(w);
    assert!(screen.contains("Verifying"), "still verifying:\n{screen}");
    // Esc with no popup open stops it; nothing was changed.
    tmux.keys(w, &["Escape"]);
    tmux.wait_for(w, "Verify stopped, as asked: nothing was changed");
    tmux.wait_gone(w, "Verifying");
    tmux.keys(w, &["q"]);
    eprintln!(
        "first frame after {:?}\n\
         chart [ back to days not read yet: slowest {:?}, median {:?} ({} pages)\n\
         chart ] forward again: slowest {:?}, median {:?} ({} pages)\n\
         chart [ and ] to their figures drawn: slowest {:?}, median {:?}\n\
         keys during verify (?, Esc, Tab, Shift-Tab): slowest {:?}, median {:?} ({} keys)\n\
         chart [ / ] during verify: slowest {:?}, median {:?} ({} pages)\n\
         verify counts seen {:?}",
        got.first_frame,
        slowest(&got.chart_back),
        median(&got.chart_back),
        got.chart_back.len(),
        slowest(&got.chart_forward),
        median(&got.chart_forward),
        got.chart_forward.len(),
        slowest(&got.chart_figures),
        median(&got.chart_figures),
        slowest(&got.keys_during_verify),
        median(&got.keys_during_verify),
        got.keys_during_verify.len(),
        slowest(&got.chart_during_verify),
        median(&got.chart_during_verify),
        got.chart_during_verify.len(),
        got.counts,
    );
    got
}

/// The longest a key waits for its frame while a verify of a large
/// household runs: the count keeps moving, `?` opens help and Esc closes
/// it, Tab moves between screens and back, `[`/`]` page the chart, each
/// answered on screen within a frame or two; then Esc stops the verify,
/// which says so. (Timings are printed, not asserted beyond "answered":
/// BENCHMARKS.md has the figures, measured with `key_latency_on_a_copy`.)
/// The test is in `a_longest_first`, so that it starts first.
pub fn keys_are_answered_while_a_large_household_is_verified() {
    crate::support::require_tool("tmux");
    // At least 100,000 transactions (COINGUARD_TUI_LARGE overrides, to
    // measure a larger one).
    let count: u64 = std::env::var("COINGUARD_TUI_LARGE")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(100_000);
    let started = Instant::now();
    let fixture = large_household(count);
    eprintln!("generated {count} purchases in {:?}", started.elapsed());
    let got = answered_in_tmux(
        env!("CARGO_BIN_EXE_coinguard"),
        &fixture.path(),
        crate::support::GUARDIAN,
        crate::support::GUARDIAN_PIN,
        (0, 2),
        3,
    );
    assert!(
        got.counts.windows(2).all(|p| p[0] < p[1]) && got.counts.len() >= 2,
        "the count moves while keys are pressed: {:?}",
        got.counts
    );
    assert!(
        slowest(&got.keys_during_verify) < Duration::from_secs(1),
        "{got:?}"
    );
}

/// Issue 16's latency targets on a household made elsewhere, such as the
/// benchmarks' 1M one (ignored: a measurement, not a check; it needs the
/// file). Give a copy (the interface signs in, which is recorded):
///
/// ```sh
/// cp target/bench-data/1m-v1.db /dev/shm/1m.db
/// cargo build --release
/// COINGUARD_TUI_DB=/dev/shm/1m.db COINGUARD_TUI_BIN=target/release/coinguard \
///   cargo nextest run --run-ignored only --no-capture -E 'test(key_latency_on_a_copy)'
/// ```
///
/// COINGUARD_TUI_GUARDIAN and COINGUARD_TUI_PIN name the guardian first on
/// its pick screen and their PIN (the benchmarks': "Guardian", "benchmark
/// pin"); COINGUARD_TUI_ROUNDS and COINGUARD_TUI_PAGES how many rounds of
/// keys during the verify and chart pages before it (5 and 10), and
/// COINGUARD_TUI_SKIP how many chart pages to step back first, unmeasured
/// (0; the 1M household's history ends on 2026-06-30, so from 2026-11-29
/// it takes 11 to reach it).
#[test]
#[ignore = "a measurement on a household given by COINGUARD_TUI_DB"]
fn key_latency_on_a_copy() {
    crate::support::require_tool("tmux");
    let var = |name: &str, default: &str| std::env::var(name).unwrap_or_else(|_| default.into());
    let db = std::env::var("COINGUARD_TUI_DB").expect("COINGUARD_TUI_DB names a copy to open");
    let bin = var("COINGUARD_TUI_BIN", env!("CARGO_BIN_EXE_coinguard"));
    let rounds = var("COINGUARD_TUI_ROUNDS", "5").parse().unwrap();
    let pages = var("COINGUARD_TUI_PAGES", "10").parse().unwrap();
    let skip = var("COINGUARD_TUI_SKIP", "0").parse().unwrap();
    let got = answered_in_tmux(
        &bin,
        Path::new(&db),
        &var("COINGUARD_TUI_GUARDIAN", "Guardian"),
        &var("COINGUARD_TUI_PIN", "benchmark pin"),
        (skip, pages),
        rounds,
    );
    eprintln!("{got:?}");
}
