//! The systemd unit in deploy/: systemd accepts it, and rates its hardening
//! SAFE. `verify` wants the binary the unit names to exist, so it runs in a
//! private mount namespace whose /usr/local/bin holds the binary under test.

use std::path::Path;
use std::process::Command;

#[test]
fn the_unit_passes_systemd_analyze_and_is_rated_safe() {
    let unit = Path::new(env!("CARGO_MANIFEST_DIR")).join("deploy/coinguard.service");
    let script = format!(
        "set -e; mount -t tmpfs none /usr/local/bin; cp {} /usr/local/bin/coinguard; \
         systemd-analyze verify {unit}; echo VERIFIED; systemd-analyze security --offline=true {unit}",
        env!("CARGO_BIN_EXE_coinguard"),
        unit = unit.display()
    );
    crate::support::require_tool("unshare");
    crate::support::require_tool("systemd-analyze");
    let out = Command::new("unshare")
        .args(["--mount", "--propagation", "private", "bash", "-c", &script])
        .output()
        .expect("unshare and systemd-analyze (.ci/run installs them)");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert!(stdout.contains("VERIFIED"), "{stdout}");
    assert!(!stderr.contains("Unknown key"), "{stderr}");
    let exposure: f64 = stdout
        .lines()
        .find_map(|l| {
            l.split("Overall exposure level for coinguard.service:")
                .nth(1)
        })
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no exposure level in:\n{stdout}"));
    assert!(exposure < 1.0, "exposure {exposure} is not SAFE:\n{stdout}");
    assert!(stdout.contains("SAFE"), "{stdout}");
    // Not PrivateUsers=: it would hide the clients' accounts from the service.
    let text = std::fs::read_to_string(&unit).unwrap();
    assert!(
        !text.lines().any(|l| l.starts_with("PrivateUsers=")),
        "{text}"
    );
    for key in [
        "User=coinguard",
        "StateDirectory=coinguard",
        "RuntimeDirectory=coinguard",
        "NoNewPrivileges=yes",
        "ProtectSystem=strict",
        "ProtectHome=yes",
        "PrivateTmp=yes",
        "RestrictAddressFamilies=AF_UNIX",
    ] {
        assert!(text.lines().any(|l| l == key), "the unit lacks {key}");
    }
}

/// The drop-in that lets notify commands reach the network (deploy/
/// notify-network.conf): systemd accepts the unit with it, and rates it
/// still well hardened (exposure under 2, "OK"); only the network opens.
#[test]
fn the_notify_network_drop_in_verifies_and_keeps_the_unit_hardened() {
    let deploy = Path::new(env!("CARGO_MANIFEST_DIR")).join("deploy");
    let script = format!(
        "set -e; mount -t tmpfs none /usr/local/bin; cp {bin} /usr/local/bin/coinguard; \
         mount -t tmpfs none /etc/systemd/system; cp {d}/coinguard.service /etc/systemd/system/; \
         mkdir /etc/systemd/system/coinguard.service.d; \
         cp {d}/notify-network.conf /etc/systemd/system/coinguard.service.d/; \
         systemd-analyze verify /etc/systemd/system/coinguard.service; echo VERIFIED; \
         systemd-analyze security --offline=true /etc/systemd/system/coinguard.service",
        bin = env!("CARGO_BIN_EXE_coinguard"),
        d = deploy.display()
    );
    let out = Command::new("unshare")
        .args(["--mount", "--propagation", "private", "bash", "-c", &script])
        .output()
        .expect("unshare and systemd-analyze (.ci/run installs them)");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert!(stdout.contains("VERIFIED"), "{stdout}");
    let exposure: f64 = stdout
        .lines()
        .find_map(|l| {
            l.split("Overall exposure level for coinguard.service:")
                .nth(1)
        })
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no exposure level in:\n{stdout}"));
    assert!(
        (1.0..2.0).contains(&exposure),
        "exposure {exposure}: the drop-in was not read, or opens too much:\n{stdout}"
    );
    // The network, and nothing else.
    let text = std::fs::read_to_string(deploy.join("notify-network.conf")).unwrap();
    let keys: Vec<&str> = text
        .lines()
        .filter(|l| !l.starts_with('#') && l.contains('='))
        .map(|l| l.split('=').next().unwrap_or(""))
        .collect();
    assert_eq!(
        keys,
        ["PrivateNetwork", "IPAddressDeny", "RestrictAddressFamilies"]
    );
}
