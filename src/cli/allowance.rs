//! `coinguard allowance`: set, list and stop allowances.

use super::household::print_change;
use super::output::{clean, say};
use super::{AllowanceCommand, Args, CliError, EXIT_OK, guardian_auth, output};
use crate::api::Call;
use crate::api::reply::{AllowancesView, ChangeView};
use crate::client::Household;

pub(super) fn allowance(
    args: &Args,
    h: &mut Household<'_>,
    command: &AllowanceCommand,
) -> Result<u8, CliError> {
    match command {
        AllowanceCommand::Set {
            member,
            coins,
            money,
            every,
            on,
            guardian,
        } => {
            let auth = guardian_auth(h, guardian)?;
            let change: ChangeView = h.ask(Call::AllowanceSet {
                member: member.clone(),
                coins: coins.clone(),
                money: money.clone(),
                every: every.clone(),
                on: on.clone(),
                auth,
            })?;
            print_change(args, &change)?;
            Ok(EXIT_OK)
        }
        AllowanceCommand::List => {
            let list: AllowancesView = h.ask(Call::AllowanceList)?;
            if args.json {
                output::json(&list)?;
                return Ok(EXIT_OK);
            }
            if list.allowances.is_empty() {
                say!(
                    "No allowances. Set one with `coinguard allowance set MEMBER --coins N --every week`."
                )?;
            }
            for a in &list.allowances {
                say!("{}: {}", clean(&a.member), clean(&a.words))?;
            }
            Ok(EXIT_OK)
        }
        AllowanceCommand::Stop { member, guardian } => {
            let auth = guardian_auth(h, guardian)?;
            let change: ChangeView = h.ask(Call::AllowanceStop {
                member: member.clone(),
                auth,
            })?;
            print_change(args, &change)?;
            Ok(EXIT_OK)
        }
    }
}
