//! The README's install commands, run as written on this (Debian) machine:
//! the `sh` block under "Installing on Debian or Ubuntu", line by line, as
//! root, in a private mount namespace whose /usr/local/bin, /var/lib/coinguard,
//! /run/coinguard and /etc/systemd/system are empty tmpfs folders, so nothing
//! of this machine's is touched. Three things differ from a real machine,
//! each stated where it happens: the release build is the binary under test;
//! `systemctl` (no systemd in CI) is played by starting the unit's own
//! `ExecStart` as its own `User=`, with its `RuntimeDirectory`; the PINs a
//! person would type at the prompts arrive on standard input.

use std::path::Path;
use std::process::Command;

use crate::accounts::{Accounts, text};

const PIN: &str = "maple syrup river";

/// The install block of README.md.
fn install_block() -> Vec<String> {
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let start = readme
        .find("### Installing on Debian or Ubuntu")
        .expect("the README has its install section");
    let rest = &readme[start..];
    let open = rest.find("```sh\n").expect("an sh block") + "```sh\n".len();
    let close = rest[open..].find("```").expect("the block ends") + open;
    rest[open..close]
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_string)
        .collect()
}

/// A value of the unit file (`User=`, `ExecStart=`).
fn unit_value(unit: &str, key: &str) -> String {
    unit.lines()
        .find_map(|l| l.strip_prefix(&format!("{key}=")))
        .unwrap_or_else(|| panic!("the unit has no {key}="))
        .to_string()
}

#[test]
fn the_readme_install_commands_work_as_written() {
    // One at a time on this machine (two checkouts' test runs would both
    // make the accounts the README names).
    let lock = std::fs::File::create("/tmp/coinguard-install-test.lock").unwrap();
    lock.lock().unwrap();
    let lines = install_block();
    assert!(lines.iter().any(|l| l.contains("useradd")), "{lines:?}");
    for user in ["coinguard", "maria", "sam"] {
        let exists = Command::new("id")
            .arg(user)
            .output()
            .unwrap()
            .status
            .success();
        assert!(
            !exists,
            "this test creates the OS account {user}, which already exists here: run it on a machine without a coinguard installation"
        );
    }
    // The household's people: their OS accounts exist before the README's commands link them.
    let mut accounts = Accounts::new();
    accounts.adopt("coinguard");
    for user in ["maria", "sam"] {
        let ok = Command::new("useradd")
            .args(["--no-create-home", "--shell", "/usr/sbin/nologin", user])
            .status()
            .unwrap()
            .success();
        assert!(ok);
        accounts.adopt(user);
    }
    // The checkout the README is run from.
    let checkout = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(checkout.path().join("target/release")).unwrap();
    std::fs::create_dir_all(checkout.path().join("deploy")).unwrap();
    std::fs::copy(
        env!("CARGO_BIN_EXE_coinguard"),
        checkout.path().join("target/release/coinguard"),
    )
    .unwrap();
    let unit_path = Path::new(env!("CARGO_MANIFEST_DIR")).join("deploy/coinguard.service");
    std::fs::copy(&unit_path, checkout.path().join("deploy/coinguard.service")).unwrap();
    let unit = std::fs::read_to_string(&unit_path).unwrap();
    let (user, exec) = (unit_value(&unit, "User"), unit_value(&unit, "ExecStart"));

    let mut script = String::from(
        "set -eu\n\
         for d in /usr/local/bin /var/lib/coinguard /run/coinguard /etc/systemd/system; do mkdir -p $d; mount -t tmpfs -o mode=0755 none $d; done\n\
         rmdir /var/lib/coinguard/lost+found 2>/dev/null || true\n",
    );
    // tmpfs makes /var/lib/coinguard as root's; the README's install -d sets it.
    for line in &lines {
        let run = if line == "cargo build --release" {
            // The binary under test is the release build here.
            "true".to_string()
        } else if line.contains("systemctl daemon-reload") {
            "true".to_string()
        } else if line.contains("systemctl enable --now coinguard") {
            // What systemd does for the unit: its RuntimeDirectory, then
            // ExecStart as User=, in the background.
            format!(
                "install -d -o {user} -g {user} -m 0755 /run/coinguard\n\
                 runuser -u {user} -- {exec} > /tmp/coinguard-install-test.log 2>&1 &\n\
                 echo $! > {}/service.pid\n\
                 for i in $(seq 1 200); do [ -S /run/coinguard/coinguard.sock ] && break; sleep 0.05; done",
                checkout.path().display()
            )
        } else if line.contains(" init ") {
            format!("printf '%s\\n' '{PIN}' | {line} --pin-stdin")
        } else if line.contains(" member add ") {
            // Maria's PIN, then an empty line: Sam gets no PIN of his own.
            format!("printf '%s\\n\\n' '{PIN}' | {line} --pin-stdin")
        } else if line.contains(" member link ") {
            format!("printf '%s\\n' '{PIN}' | {line} --pin-stdin")
        } else {
            line.clone()
        };
        script.push_str(&format!("echo '+ {}'\n{run}\n", line.replace('\'', "")));
    }
    // And then a member simply runs coinguard at their own account.
    script.push_str(
        "echo '+ sam: coinguard --json member list'\n\
         runuser -u sam -- /usr/local/bin/coinguard --json member list\n\
         kill -TERM $(cat SERVICE_PID)\n\
         wait\n",
    );
    let script = script.replace(
        "SERVICE_PID",
        &checkout.path().join("service.pid").display().to_string(),
    );
    // The mount points are made on this machine's disk (the namespace only
    // hides what is mounted on them); those that were not here go again.
    let made: Vec<&str> = ["/var/lib/coinguard", "/run/coinguard"]
        .into_iter()
        .filter(|d| !Path::new(d).exists())
        .collect();
    let out = Command::new("unshare")
        .args(["--mount", "--propagation", "private", "bash", "-c", &script])
        .current_dir(checkout.path())
        .output()
        .unwrap();
    for dir in made {
        let _ = std::fs::remove_dir(dir);
    }
    let log = std::fs::read_to_string("/tmp/coinguard-install-test.log").unwrap_or_default();
    assert!(out.status.success(), "{}\nservice log:\n{log}", text(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("The setup looks right."), "{stdout}");
    // Sam, at his own account, sees himself through the service: what
    // follows the last marker is the JSON of `member list`.
    let last = stdout
        .rsplit_once("+ sam: coinguard --json member list\n")
        .map(|(_, json)| json)
        .unwrap_or_default();
    let members: serde_json::Value =
        serde_json::from_str(last).unwrap_or_else(|e| panic!("{e}: {stdout}"));
    let names: Vec<&str> = members["members"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|m| m["name"].as_str())
        .collect();
    assert_eq!(names, ["Sam"], "{stdout}");
    drop(accounts);
}
