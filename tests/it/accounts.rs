//! The household service as a family meets it, with real OS accounts: the
//! service under its own account, a guardian and teens at their own
//! accounts, each running the real `coinguard` command line against the
//! socket. Needs root (CI runs as root) to create the accounts; the
//! accounts are removed afterwards.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

const PIN: &str = "maple syrup river";

/// OS accounts made for one test, removed when it ends (whatever happens).
pub struct Accounts {
    made: Vec<String>,
}

impl Accounts {
    pub fn new() -> Accounts {
        assert!(
            nix::unistd::Uid::effective().is_root(),
            "this test makes OS accounts and must run as root (CI does)"
        );
        Accounts { made: Vec::new() }
    }

    /// Removes `name` at the end too (an account made elsewhere in the test).
    pub fn adopt(&mut self, name: &str) {
        self.made.push(name.to_string());
    }

    /// A new account named `<role><pid>`, no home, no login.
    pub fn add(&mut self, role: &str) -> String {
        let name = format!("cg{role}{}", std::process::id());
        let status = Command::new("useradd")
            .args(["--no-create-home", "--shell", "/usr/sbin/nologin", &name])
            .status()
            .unwrap();
        assert!(status.success(), "useradd {name}");
        self.made.push(name.clone());
        name
    }
}

impl Drop for Accounts {
    fn drop(&mut self) {
        for name in &self.made {
            let _ = Command::new("pkill").args(["-KILL", "-u", name]).status();
            let _ = Command::new("userdel").arg(name).status();
        }
    }
}

/// `coinguard ARGS` as `user`, with `stdin` written to it.
pub fn run_as(
    user: &str,
    binary: &Path,
    args: &[&str],
    stdin: &str,
    env: &[(&str, &str)],
) -> Output {
    let mut command = Command::new("runuser");
    command.args([
        "-u",
        user,
        "--",
        "env",
        "-i",
        "PATH=/usr/bin:/bin",
        "HOME=/nonexistent",
    ]);
    for (key, value) in env {
        command.arg(format!("{key}={value}"));
    }
    let mut child = command
        .arg(binary)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    let _ = input.write_all(stdin.as_bytes());
    drop(input);
    child.wait_with_output().unwrap()
}

pub fn text(output: &Output) -> String {
    format!(
        "exit {:?}\nstdout: {}\nstderr: {}",
        output.status.code(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

fn chown(path: &Path, user: &str, mode: u32) {
    let status = Command::new("chown")
        .arg(format!("{user}:"))
        .arg(path)
        .status()
        .unwrap();
    assert!(status.success());
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// A copy of the binary every account can run, in a folder every account
/// can reach.
pub fn public_binary(dir: &Path) -> PathBuf {
    let binary = dir.join("coinguard");
    std::fs::copy(env!("CARGO_BIN_EXE_coinguard"), &binary).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&binary, std::fs::Permissions::from_mode(0o755)).unwrap();
    binary
}

/// An `LD_PRELOAD` library that moves the realtime clock of whatever loads
/// it four years ahead: what a teen can build without root.
fn clock_shim(dir: &Path) -> PathBuf {
    let source = dir.join("shim.c");
    std::fs::write(
        &source,
        r#"#define _GNU_SOURCE
#include <dlfcn.h>
#include <sys/time.h>
#include <time.h>
static const long SHIFT = 4L * 365 * 24 * 3600;
int clock_gettime(clockid_t id, struct timespec *ts) {
    static int (*real)(clockid_t, struct timespec *);
    if (!real) real = dlsym(RTLD_NEXT, "clock_gettime");
    int r = real(id, ts);
    if (r == 0 && (id == CLOCK_REALTIME || id == CLOCK_REALTIME_COARSE)) ts->tv_sec += SHIFT;
    return r;
}
int gettimeofday(struct timeval *tv, void *tz) {
    static int (*real)(struct timeval *, void *);
    if (!real) real = dlsym(RTLD_NEXT, "gettimeofday");
    int r = real(tv, tz);
    if (r == 0 && tv) tv->tv_sec += SHIFT;
    return r;
}
time_t time(time_t *t) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    if (t) *t = ts.tv_sec;
    return ts.tv_sec;
}
"#,
    )
    .unwrap();
    let shim = dir.join("shim.so");
    let status = Command::new("cc")
        .args(["-shared", "-fPIC", "-O2", "-o"])
        .arg(&shim)
        .arg(&source)
        .arg("-ldl")
        .status()
        .expect("cc must be installed (.ci/run installs build-essential)");
    assert!(status.success(), "building the clock shim");
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&shim, std::fs::Permissions::from_mode(0o755)).unwrap();
    shim
}

/// The JSON document a command printed.
fn json(output: &Output) -> serde_json::Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| panic!("{e}: {}", text(output)))
}

/// Waits for a socket to answer.
pub fn wait_for(socket: &Path) {
    let until = Instant::now() + Duration::from_secs(20);
    while std::os::unix::net::UnixStream::connect(socket).is_err() {
        assert!(Instant::now() < until, "the service did not start");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn a_teen_at_their_own_account_cannot_get_around_the_household_service() {
    let mut accounts = Accounts::new();
    let service_user = accounts.add("svc");
    let mom = accounts.add("mom");
    let sam = accounts.add("sam");
    let alex = accounts.add("alex");
    let root = tempfile::tempdir().unwrap();
    chown(root.path(), "root", 0o755);
    let binary = public_binary(root.path());
    let state = root.path().join("state");
    let run = root.path().join("run");
    std::fs::create_dir(&state).unwrap();
    std::fs::create_dir(&run).unwrap();
    chown(&state, &service_user, 0o700);
    chown(&run, &service_user, 0o755);
    let db = state.join("household.db");
    let db_arg = db.to_str().unwrap();
    let socket = run.join("coinguard.sock");
    let socket_arg = socket.to_str().unwrap();

    // The household, made by the service's account in its own folder.
    let owner = |args: &[&str], stdin: &str| {
        let mut all = vec!["--db", db_arg];
        all.extend_from_slice(args);
        let out = run_as(&service_user, &binary, &all, stdin, &[]);
        assert!(out.status.success(), "{args:?}: {}", text(&out));
        out
    };
    owner(
        &[
            "init",
            "--guardian",
            "Maria",
            "--timezone",
            "UTC",
            "--pin-stdin",
        ],
        &format!("{PIN}\n"),
    );
    let g = format!("{PIN}\n");
    owner(
        &[
            "member",
            "add",
            "Sam",
            "--role",
            "teen",
            "--birthdate",
            "2011-06-01",
            "--pin-stdin",
        ],
        &g,
    );
    owner(
        &[
            "member",
            "add",
            "Kim",
            "--role",
            "teen",
            "--birthdate",
            "2012-01-01",
            "--pin-stdin",
        ],
        &g,
    );
    owner(
        &[
            "member",
            "add",
            "Alex",
            "--role",
            "teen",
            "--birthdate",
            "2007-01-01",
            "--no-pin",
            "--pin-stdin",
        ],
        &g,
    );
    owner(
        &[
            "member",
            "add",
            "Ana",
            "--role",
            "creator",
            "--birthdate",
            "1995-01-01",
            "--no-pin",
            "--pin-stdin",
        ],
        &g,
    );
    owner(
        &[
            "limit",
            "set",
            "Alex",
            "--scope",
            "purchase",
            "--window",
            "month",
            "--hard",
            "5.00",
            "--pin-stdin",
        ],
        &g,
    );
    owner(
        &["rule", "creator", "Sam", "Ana", "--allow", "--pin-stdin"],
        &g,
    );

    // The teen's account can neither read the file nor list its folder.
    let peek = run_as(
        &sam,
        Path::new("/bin/ls"),
        &[state.to_str().unwrap()],
        "",
        &[],
    );
    assert!(!peek.status.success(), "{}", text(&peek));
    let open = run_as(&sam, &binary, &["--db", db_arg, "member", "list"], "", &[]);
    assert!(!open.status.success(), "{}", text(&open));
    assert!(
        String::from_utf8_lossy(&open.stderr).contains("Permission denied"),
        "{}",
        text(&open)
    );

    // The service, as its own account.
    // setpriv runs the service in its own process (runuser would stay as
    // its parent), so the SIGTERM below reaches the service itself.
    let mut service = Command::new("setpriv")
        .args([
            "--reuid",
            &service_user,
            "--regid",
            &service_user,
            "--init-groups",
            "--",
        ])
        .arg(&binary)
        .args(["serve", "--db", db_arg, "--socket", socket_arg])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    wait_for(&socket);
    let client = |user: &str, args: &[&str], stdin: &str, env: &[(&str, &str)]| {
        let mut all = vec!["--socket", socket_arg];
        all.extend_from_slice(args);
        run_as(user, &binary, &all, stdin, env)
    };

    // An account nobody linked is turned away, named.
    let stranger = client(&sam, &["member", "list"], "", &[]);
    assert_eq!(stranger.status.code(), Some(2), "{}", text(&stranger));
    assert!(
        String::from_utf8_lossy(&stranger.stderr).contains(&sam),
        "{}",
        text(&stranger)
    );
    // Root links the accounts (each link needs Maria's PIN).
    for (member, user) in [("Maria", &mom), ("Sam", &sam), ("Alex", &alex)] {
        let out = client(
            "root",
            &["member", "link", member, "--os-user", user, "--pin-stdin"],
            &g,
            &[],
        );
        assert!(out.status.success(), "{}", text(&out));
    }

    // The same questions with the clock shim give the same answers: the
    // clock is the service's. (The shim does move this machine's clock for
    // programs that read it: `date` says so.)
    let shim = clock_shim(root.path());
    let shim_arg = shim.to_str().unwrap();
    let shifted = run_as(
        &sam,
        Path::new("/bin/date"),
        &["+%Y"],
        "",
        &[("LD_PRELOAD", shim_arg)],
    );
    let year_now = chrono::Utc::now()
        .format("%Y")
        .to_string()
        .parse::<i32>()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&shifted.stdout).trim(),
        (year_now + 4).to_string(),
        "the shim works"
    );
    for args in [
        &["--json", "preview", "buy", "Sam", "coins-17500"][..],
        &["--json", "preview", "gift", "Sam", "Ana", "rose"][..],
        &["--json", "limit", "list", "Sam"][..],
    ] {
        let plain = client(&sam, args, "", &[]);
        let faked = client(&sam, args, "", &[("LD_PRELOAD", shim_arg)]);
        assert_eq!(
            plain.status.code(),
            faked.status.code(),
            "{}\n{}",
            text(&plain),
            text(&faked)
        );
        assert_eq!(json(&plain), json(&faked), "{args:?}");
    }
    let asked = client(
        &sam,
        &["--json", "buy", "Sam", "coins-70"],
        "",
        &[("LD_PRELOAD", shim_arg)],
    );
    assert_eq!(
        asked.status.code(),
        Some(3),
        "Sam is 15 whatever his clock says: {}",
        text(&asked)
    );
    let request = json(&asked)["request_id"].as_i64().unwrap();

    // A teen acts only as themself: not as another teen, a creator or a guardian.
    for args in [
        &["buy", "Kim", "coins-70"][..],
        &["redeem", "Ana", "100"][..],
        &["history", "--member", "Kim"][..],
        &["alert", "list"][..],
    ] {
        let out = client(&sam, args, "", &[]);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", text(&out));
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("acts as Sam"),
            "{}",
            text(&out)
        );
    }
    // Even with Maria's right PIN, her actions are hers: not from Sam's account.
    let approve = client(
        &sam,
        &[
            "request",
            "approve",
            &request.to_string(),
            "--as",
            "Maria",
            "--pin-stdin",
        ],
        &g,
        &[],
    );
    assert_eq!(approve.status.code(), Some(2), "{}", text(&approve));
    assert!(
        String::from_utf8_lossy(&approve.stderr).contains("own OS account"),
        "{}",
        text(&approve)
    );

    // With approving in person turned on, Sam's guesses lock only Sam's
    // account out of Maria's PIN; Maria at her account is not stopped.
    let on = client(
        &mom,
        &["household", "approve-in-person", "on", "--pin-stdin"],
        &g,
        &[],
    );
    assert!(on.status.success(), "{}", text(&on));
    for guess in 1..=6 {
        let out = client(
            &sam,
            &["grant", "Sam", "1000", "--as", "Maria", "--pin-stdin"],
            &format!("guess number {guess}\n"),
            &[("LD_PRELOAD", shim_arg)],
        );
        assert_eq!(out.status.code(), Some(5), "guess {guess}: {}", text(&out));
    }
    let locked = client(
        &sam,
        &["grant", "Sam", "1000", "--as", "Maria", "--pin-stdin"],
        &g,
        &[],
    );
    assert_eq!(
        locked.status.code(),
        Some(5),
        "locked even with the right PIN: {}",
        text(&locked)
    );
    // A guardian action needs the PIN: a wrong one fails, the right one works.
    let wrong = client(
        &mom,
        &["request", "approve", &request.to_string(), "--pin-stdin"],
        "not my pin at all\n",
        &[],
    );
    assert_eq!(wrong.status.code(), Some(5), "{}", text(&wrong));
    let approved = client(
        &mom,
        &[
            "--json",
            "request",
            "approve",
            &request.to_string(),
            "--pin-stdin",
        ],
        &g,
        &[],
    );
    assert_eq!(approved.status.code(), Some(0), "{}", text(&approved));
    let mine = client(
        &sam,
        &["--json", "request", "list", "--status", "approved"],
        "",
        &[],
    );
    assert_eq!(json(&mine)["requests"][0]["id"], request, "{}", text(&mine));

    // Eight clients race against one monthly cap: exactly what fits commits.
    let racers: Vec<_> = (0..8)
        .map(|i| {
            let (alex, binary, socket) = (alex.clone(), binary.clone(), socket_arg.to_string());
            std::thread::spawn(move || {
                let key = format!("race-{i}");
                run_as(
                    &alex,
                    &binary,
                    &[
                        "--socket", &socket, "buy", "Alex", "coins-70", "--key", &key,
                    ],
                    "",
                    &[],
                )
            })
        })
        .collect();
    let codes: Vec<Option<i32>> = racers
        .into_iter()
        .map(|r| r.join().unwrap().status.code())
        .collect();
    assert_eq!(
        codes.iter().filter(|c| **c == Some(0)).count(),
        5,
        "5 × 0.99 fits under 5.00: {codes:?}"
    );
    assert_eq!(
        codes.iter().filter(|c| **c == Some(4)).count(),
        3,
        "{codes:?}"
    );

    // A stopped service: exit 6 and the reason.
    let _ = Command::new("kill")
        .args(["-TERM", &service.id().to_string()])
        .status();
    let stopped = service.wait().unwrap();
    assert!(stopped.success(), "{stopped:?}");
    let out = client(&sam, &["member", "list"], "", &[]);
    assert_eq!(out.status.code(), Some(6), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("the coinguard service is not running"),
        "{}",
        text(&out)
    );
    drop(accounts);
}
