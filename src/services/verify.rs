//! `verify` as a service: the guardian's PIN (if given) turned into the
//! keys that check their seals, the record verified from the last mark (or
//! whole), and a new mark left when nothing was wrong, sealed when the PIN
//! was the guardian's current one.

use crate::auth::{self, Pin};
use crate::domain::Clock;
use crate::ledger::{self, Store, VerifyOptions, VerifyReport};

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

/// Verifies the household, and leaves a mark when nothing was wrong.
pub fn verify(
    store: &mut Store,
    clock: &dyn Clock,
    request: &VerifyRequest<'_>,
) -> Result<VerifyReport, ServiceError> {
    let (check, pass) = match request.seal {
        Some((name, pin)) => {
            let (check, pass) = auth::seal_check(store, clock, name, pin, request.account)?;
            (Some(check), pass)
        }
        None => (None, None),
    };
    let report = ledger::verify_with(
        store.conn(),
        &VerifyOptions {
            full: request.full,
            seal: check.as_ref(),
        },
    )?;
    store.leave_mark(clock, &report, pass.as_ref().map(|p| p.seal_key()))?;
    Ok(report)
}

/// What the seals say, in sentences a parent reads, times household-local
/// (`tz`, named once): sealed up to where, what is not sealed yet, and
/// whether seals were checked at all.
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
    let unsealed = |u: &[i64; 3]| {
        let parts: Vec<String> = [
            count(u[0], "transaction", "transactions"),
            count(u[1], "decision", "decisions"),
            count(u[2], "guardian action", "guardian actions"),
        ]
        .into_iter()
        .zip(u)
        .filter(|(_, n)| **n > 0)
        .map(|(text, _)| text)
        .collect();
        if parts.is_empty() {
            "nothing".to_string()
        } else {
            parts.join(", ")
        }
    };
    let mut lines = Vec::new();
    match &seals.checked_for {
        None => {
            lines.push(
                "Seals were not checked: that needs a guardian's PIN (coinguard verify --as NAME). Without it, a record rewritten with its hashes recomputed cannot be told from the real one.".to_string(),
            );
            if let Some(last) = &seals.last {
                lines.push(format!(
                    "The newest seal ({}, at {}) covers {} transactions; {} came after it.",
                    last.by.as_deref().unwrap_or("no guardian"),
                    at(last.at_us),
                    last.lengths[0],
                    unsealed(&seals.unsealed)
                ));
            }
        }
        Some(name) => match &seals.last {
            Some(last) => {
                lines.push(format!(
                    "{} of {name}'s seals checked with the PIN{}; the last, at {}, seals {} transactions, {} decisions and {} guardian actions.",
                    seals.checked,
                    if seals.not_checked > 0 {
                        format!(
                            " ({} other seals are other guardians' or verify marks, not checked)",
                            seals.not_checked
                        )
                    } else {
                        String::new()
                    },
                    at(last.at_us),
                    last.lengths[0],
                    last.lengths[1],
                    last.lengths[2]
                ));
                lines.push(format!(
                    "Since {name}'s last seal at {}: {} (not sealed yet: only as good as whoever can reach the file).",
                    at(last.at_us),
                    unsealed(&seals.unsealed)
                ));
            }
            None => lines.push(format!(
                "{name} has no seals this PIN opens: nothing here is protected by {name}'s seal. Not sealed: {}.",
                unsealed(&seals.unsealed)
            )),
        },
    }
    if let Some(from) = &report.from {
        lines.push(format!(
            "Checked what is new since the verify of {}{} (run with --full to re-read everything).",
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
