//! Spending commands: buy, gift, redeem, and their previews.

use serde_json::json;

use super::output::{clean, say};
use super::{
    Args, BuyArgs, CliError, EXIT_DENIED, EXIT_NEEDS_APPROVAL, EXIT_OK, GiftArgs, RedeemArgs,
    confirm_member, open, output,
};
use crate::domain::{Clock, IdempotencyKey};
use crate::money::{Coins, Diamonds, parse_count};
use crate::services::{
    self, GiftRequest, Mode, Outcome, OutcomeKind, PurchaseRequest, RedeemRequest,
};

fn key(text: &Option<String>) -> Result<Option<IdempotencyKey>, CliError> {
    Ok(text.as_deref().map(IdempotencyKey::parse).transpose()?)
}

pub(super) fn buy(
    args: &Args,
    clock: &dyn Clock,
    buy: &BuyArgs,
    mode: Mode,
) -> Result<u8, CliError> {
    let key = key(&buy.key)?;
    let request = match (&buy.pack, &buy.coins) {
        (_, Some(coins)) => PurchaseRequest::Custom {
            member: &buy.member,
            coins: Coins::parse(coins)?,
            key,
        },
        (Some(pack), None) => PurchaseRequest::Pack {
            member: &buy.member,
            pack,
            key,
        },
        (None, None) => {
            return Err(CliError::BadInput(
                "name a pack (see `coinguard catalog`) or give --coins N".into(),
            ));
        }
    };
    let mut store = open(args)?;
    if mode == Mode::Commit {
        confirm_member(&mut store, clock, &buy.member, &buy.member_pin)?;
    }
    let outcome = services::purchase(&mut store, clock, mode, &request)?;
    report(args, &outcome, mode)
}

pub(super) fn gift(
    args: &Args,
    clock: &dyn Clock,
    gift: &GiftArgs,
    mode: Mode,
) -> Result<u8, CliError> {
    let count = parse_count(&gift.count, "gifts", 10_000)?;
    let request = GiftRequest {
        member: &gift.member,
        creator: &gift.creator,
        gift: &gift.gift,
        count,
        key: key(&gift.key)?,
    };
    let mut store = open(args)?;
    if mode == Mode::Commit {
        confirm_member(&mut store, clock, &gift.member, &gift.member_pin)?;
    }
    let outcome = services::gift(&mut store, clock, mode, &request)?;
    report(args, &outcome, mode)
}

pub(super) fn redeem(
    args: &Args,
    clock: &dyn Clock,
    redeem: &RedeemArgs,
    mode: Mode,
) -> Result<u8, CliError> {
    let request = RedeemRequest {
        creator: &redeem.creator,
        diamonds: Diamonds::parse(&redeem.diamonds)?,
        key: key(&redeem.key)?,
    };
    let mut store = open(args)?;
    if mode == Mode::Commit {
        confirm_member(&mut store, clock, &redeem.creator, &redeem.member_pin)?;
    }
    let outcome = services::redeem(&mut store, clock, mode, &request)?;
    report(args, &outcome, mode)
}

/// Prints an outcome and returns its exit code. A preview that answered
/// exits 0 whatever it would do (nothing was created); `--json` says what
/// it would do in `would`. The outcome has happened whatever the printing
/// does: a closed output still exits with its code.
pub(super) fn report(args: &Args, outcome: &Outcome, mode: Mode) -> Result<u8, CliError> {
    let code = match (mode, outcome.kind) {
        (Mode::Preview, _) | (_, OutcomeKind::Committed | OutcomeKind::WouldCommit) => EXIT_OK,
        (Mode::Commit, OutcomeKind::Pending) => EXIT_NEEDS_APPROVAL,
        (Mode::Commit, OutcomeKind::Denied) => EXIT_DENIED,
    };
    match print_outcome(args, outcome, mode) {
        Ok(()) | Err(CliError::OutputClosed) => Ok(code),
        Err(e) => Err(e),
    }
}

fn print_outcome(args: &Args, outcome: &Outcome, mode: Mode) -> Result<(), CliError> {
    let preview = mode == Mode::Preview;
    let word = match outcome.kind {
        OutcomeKind::Committed | OutcomeKind::WouldCommit => "committed",
        OutcomeKind::Pending => "pending",
        OutcomeKind::Denied => "denied",
    };
    if args.json {
        let reasons = crate::guard::reasons_json(&outcome.reasons);
        return output::json(&if preview {
            json!({
                "outcome": "preview",
                "preview": true,
                "would": word,
                "tx_id": null,
                "request_id": null,
                "summary": outcome.summary,
                "reasons": reasons,
            })
        } else {
            json!({
                "outcome": word,
                "preview": false,
                "tx_id": outcome.tx.map(|t| t.0),
                "request_id": outcome.request,
                "replayed": outcome.replayed,
                "summary": outcome.summary,
                "reasons": reasons,
            })
        });
    }
    let tx = outcome.tx.map(|t| t.to_string()).unwrap_or_default();
    let summary = clean(&outcome.summary);
    match (outcome.kind, preview) {
        (OutcomeKind::Committed, _) if outcome.replayed => say!("{summary}.")?,
        (OutcomeKind::Committed, _) => say!("Done: {summary}. Transaction {tx}.")?,
        (OutcomeKind::WouldCommit, _) => {
            say!("Would go through: {summary}. (Preview: nothing was written.)")?
        }
        (OutcomeKind::Pending, true) => {
            say!("Would need a guardian's approval: {summary}. (Preview: nothing was written.)")?
        }
        (OutcomeKind::Pending, false) => say!("Needs a guardian's approval: {summary}.")?,
        (OutcomeKind::Denied, true) => {
            say!("Would be refused: {summary}. (Preview: nothing was written.)")?
        }
        (OutcomeKind::Denied, false) => say!("Refused: {summary}.")?,
    }
    for reason in &outcome.reasons {
        let tag = if reason.severity == crate::domain::Outcome::Deny {
            "refused"
        } else {
            "needs approval"
        };
        say!(
            "  - {} ({tag}): {}",
            reason.rule.as_str().replace('_', " "),
            clean(&reason.message)
        )?;
    }
    if let (OutcomeKind::Pending, false, Some(id)) = (outcome.kind, preview, outcome.request) {
        say!(
            "Asked a guardian: request #{id}. Nothing is spent until a guardian approves it (coinguard request approve {id})."
        )?;
    }
    Ok(())
}
