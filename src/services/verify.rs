//! `verify` as a service: the guardian's PIN (if given) turned into the
//! keys that check their seals, the record verified from the last mark (or
//! whole), and a new mark left when nothing was wrong, sealed when the PIN
//! was the guardian's current one.

use crate::auth::{self, Pin};
use crate::domain::Clock;
use crate::ledger::{self, Store, VerifyOptions, VerifyReport, Watch};

use super::ServiceError;

/// What to verify, and with whose PIN.
#[derive(Debug, Clone, Copy)]
pub struct VerifyRequest<'a> {
    /// Read everything, not only what is new since the last mark.
    pub full: bool,
    /// A guardian (by name, or the only one) and their PIN: their seals
    /// are checked.
    pub seal: Option<(Option<&'a str>, &'a Pin)>,
    /// The OS account asking (PIN failures are counted against it; `""` at
    /// the household's own computer).
    pub account: &'a str,
}

/// Verifies the household, and leaves a mark when nothing was wrong;
/// `watch` hears how far it has got and may stop it before the mark.
pub fn verify(
    store: &mut Store,
    clock: &dyn Clock,
    request: &VerifyRequest<'_>,
    watch: &mut Watch<'_>,
) -> Result<VerifyReport, ServiceError> {
    let (check, pass) = match request.seal {
        Some((name, pin)) => {
            let (check, pass) = auth::seal_check(store, clock, name, pin, request.account)?;
            (Some(check), pass)
        }
        None => (None, None),
    };
    let report = ledger::verify_watched(
        store.conn(),
        &VerifyOptions {
            full: request.full,
            seal: check.as_ref(),
        },
        watch,
    )?;
    store.leave_mark(clock, &report, pass.as_ref().map(|p| p.seal_key()))?;
    Ok(report)
}

/// What the seals say, in sentences a parent reads, times household-local
/// (`tz`, named once): sealed up to where, what is not sealed yet ("12
/// transactions since Maria's last seal at ..."), and whether seals were
/// checked at all.
pub fn describe_seals(report: &VerifyReport, tz: chrono_tz::Tz) -> Vec<String> {
    let seals = &report.seals;
    let at = |us: i64| format!("{} ({})", crate::report::local(us, tz), tz.name());
    let count = |n: i64, one: &str, many: &str| {
        if n == 1 {
            format!("1 {one}")
        } else {
            format!("{n} {many}")
        }
    };
    let list = |parts: Vec<String>| match parts.as_slice() {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    };
    let entries = |u: &[i64; 3], all: bool| {
        list(
            [
                count(u[0], "transaction", "transactions"),
                count(u[1], "decision", "decisions"),
                count(u[2], "guardian action", "guardian actions"),
            ]
            .into_iter()
            .zip(u)
            .filter(|(_, n)| all || **n > 0)
            .map(|(text, _)| text)
            .collect(),
        )
    };
    let nothing_new = seals.unsealed.iter().all(|n| *n == 0);
    let mut lines = Vec::new();
    match &seals.checked_for {
        None => {
            lines.push(
                "Seals were not checked: that needs a guardian's PIN (coinguard verify --as NAME). Without it, a record rewritten with its hashes recomputed cannot be told from the real one.".to_string(),
            );
            if let Some(last) = &seals.last {
                let by = last.by.as_deref().unwrap_or("no guardian");
                lines.push(if nothing_new {
                    format!(
                        "Nothing was added since the newest seal ({by}'s, at {}).",
                        at(last.at_us)
                    )
                } else {
                    format!(
                        "{} since the newest seal ({by}'s, at {}).",
                        entries(&seals.unsealed, false),
                        at(last.at_us)
                    )
                });
            }
        }
        Some(name) => {
            if seals.older_pin {
                lines.push(format!(
                    "This PIN is not {name}'s current PIN: only the seals made with it were checked ({} of {name}'s later seals need the current PIN).",
                    seals.own_not_checked
                ));
            }
            match &seals.last {
                Some(last) => {
                    let others = if seals.not_checked > seals.own_not_checked {
                        format!(
                            " ({} other guardians' or left by a verify without a PIN: not checked)",
                            count(
                                i64::try_from(seals.not_checked - seals.own_not_checked)
                                    .unwrap_or(i64::MAX),
                                "other seal is",
                                "other seals are"
                            )
                        )
                    } else {
                        String::new()
                    };
                    lines.push(format!(
                        "{} of {name}'s seals checked with the PIN{others}; the last, at {}, seals {}.",
                        seals.checked,
                        at(last.at_us),
                        entries(&last.lengths, true)
                    ));
                    lines.push(if nothing_new {
                        format!("Nothing since {name}'s last seal at {}: everything is sealed.", at(last.at_us))
                    } else {
                        format!(
                            "{} since {name}'s last seal at {}: not sealed yet, so only as good as whoever can reach the file.",
                            entries(&seals.unsealed, false),
                            at(last.at_us)
                        )
                    });
                }
                None => lines.push(format!(
                    "{name} has no seals this PIN opens: nothing is protected by {name}'s seal ({} not sealed).",
                    entries(&seals.unsealed, true)
                )),
            }
        }
    }
    if let Some(from) = &report.from {
        lines.push(format!(
            "Checked what is new since the verify of {}{}; run without --quick to re-read everything.",
            at(from.at_us),
            match (&from.by, from.checked) {
                (Some(by), true) => format!(", sealed by {by} and checked"),
                (Some(by), false) => format!(", sealed by {by} (not checked without their PIN)"),
                (None, _) => String::new(),
            }
        ));
    }
    lines
}
