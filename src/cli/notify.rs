//! `coinguard notify`: the commands that tell people about events, and
//! delivering what is due from a household file (for cron or a timer).

use super::household::print_change;
use super::output::{clean, say};
use super::{Args, CliError, EXIT_OK, NotifyCommand, guardian_auth, output};
use crate::api::Call;
use crate::api::reply::{ChangeView, NotifyListView, NotifyRunView};
use crate::client::Household;

pub(super) fn notify(
    args: &Args,
    h: &mut Household<'_>,
    command: &NotifyCommand,
) -> Result<u8, CliError> {
    match command {
        NotifyCommand::Add {
            command,
            events,
            member,
            guardian,
        } => {
            // Checked before the PIN is asked: bad input changes nothing.
            crate::services::notify::parse_command(command)
                .map_err(|e| CliError::BadInput(e.to_string()))?;
            crate::services::notify::parse_events(events)
                .map_err(|e| CliError::BadInput(e.to_string()))?;
            let auth = guardian_auth(h, guardian)?;
            let change: ChangeView = h.ask(Call::NotifyAdd {
                command: command.clone(),
                events: events.clone(),
                member: member.clone(),
                auth,
            })?;
            print_change(args, &change)?;
            if !args.json {
                say!(
                    "It runs for events from now on; `coinguard notify list` shows how its deliveries stand."
                )?;
            }
            Ok(EXIT_OK)
        }
        NotifyCommand::List => {
            let list: NotifyListView = h.ask(Call::NotifyList)?;
            if args.json {
                output::json(&list)?;
                return Ok(EXIT_OK);
            }
            if list.commands.is_empty() {
                say!("No notify commands. Add one with `coinguard notify add --command CMD`.")?;
            }
            for c in &list.commands {
                say!("{}", clean(&c.words))?;
                say!("  delivered {}, waiting {}", c.delivered, c.waiting)?;
                if c.failing {
                    say!(
                        "  FAILING: {} attempts in a row failed{}; last: {}",
                        c.failures,
                        c.failing_since
                            .map(|t| format!(" since {}", t.format("%Y-%m-%d %H:%M UTC")))
                            .unwrap_or_default(),
                        clean(c.last_error.as_deref().unwrap_or("(no message)"))
                    )?;
                } else if c.failures > 0 {
                    say!(
                        "  the last attempt failed ({}); it is tried again",
                        clean(c.last_error.as_deref().unwrap_or("(no message)"))
                    )?;
                }
            }
            Ok(EXIT_OK)
        }
        NotifyCommand::Remove { id, guardian } => {
            let auth = guardian_auth(h, guardian)?;
            let change: ChangeView = h.ask(Call::NotifyRemove { id: *id, auth })?;
            print_change(args, &change)?;
            Ok(EXIT_OK)
        }
        NotifyCommand::Run { timeout } => {
            let run: NotifyRunView = h.ask(Call::NotifyRun {
                timeout_secs: timeout.clone(),
            })?;
            if args.json {
                output::json(&run)?;
            } else {
                say!(
                    "Delivered {} notification(s){}.",
                    run.delivered.len(),
                    if run.summaries > 0 {
                        format!(" ({} weekly summary(ies) recorded)", run.summaries)
                    } else {
                        String::new()
                    }
                )?;
                for (event, command, why) in &run.failed {
                    say!(
                        "  {event} to command #{command} failed: {}; tried again later",
                        clean(why)
                    )?;
                }
            }
            // Failures are retried later: the run itself did its job.
            Ok(EXIT_OK)
        }
    }
}
