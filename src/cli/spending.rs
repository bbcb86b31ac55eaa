//! Spending commands: buy, gift, redeem, and their previews.

use serde_json::json;

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
    Ok(report(args, &outcome, mode))
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
    Ok(report(args, &outcome, mode))
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
    Ok(report(args, &outcome, mode))
}

/// Prints an outcome and returns its exit code (a preview exits as the real
/// command would, so scripts can ask first).
pub(super) fn report(args: &Args, outcome: &Outcome, mode: Mode) -> u8 {
    let preview = mode == Mode::Preview;
    let (word, code) = match outcome.kind {
        OutcomeKind::Committed => ("committed", EXIT_OK),
        OutcomeKind::WouldCommit => ("allowed", EXIT_OK),
        OutcomeKind::Pending => ("pending", EXIT_NEEDS_APPROVAL),
        OutcomeKind::Denied => ("denied", EXIT_DENIED),
    };
    if args.json {
        output::json(&json!({
            "outcome": word,
            "preview": preview,
            "tx_id": outcome.tx.map(|t| t.0),
            "request_id": outcome.request,
            "replayed": outcome.replayed,
            "summary": outcome.summary,
            "reasons": crate::guard::reasons_json(&outcome.reasons),
        }));
        return code;
    }
    let tx = outcome.tx.map(|t| t.to_string()).unwrap_or_default();
    match (outcome.kind, preview) {
        (OutcomeKind::Committed, _) if outcome.replayed => println!("{}.", outcome.summary),
        (OutcomeKind::Committed, _) => println!("Done: {}. Transaction {tx}.", outcome.summary),
        (OutcomeKind::WouldCommit, _) => println!(
            "Would go through: {}. (Preview: nothing was written.)",
            outcome.summary
        ),
        (OutcomeKind::Pending, true) => println!(
            "Would need a guardian's approval: {}. (Preview: nothing was written.)",
            outcome.summary
        ),
        (OutcomeKind::Pending, false) => {
            println!("Needs a guardian's approval: {}.", outcome.summary)
        }
        (OutcomeKind::Denied, true) => println!(
            "Would be refused: {}. (Preview: nothing was written.)",
            outcome.summary
        ),
        (OutcomeKind::Denied, false) => println!("Refused: {}.", outcome.summary),
    }
    for reason in &outcome.reasons {
        let tag = if reason.severity == crate::guard::Severity::Deny {
            "refused"
        } else {
            "needs approval"
        };
        println!(
            "  - {} ({tag}): {}",
            reason.rule.as_str().replace('_', " "),
            reason.message
        );
    }
    if let (OutcomeKind::Pending, false, Some(id)) = (outcome.kind, preview, outcome.request) {
        println!(
            "Asked a guardian: request #{id}. Nothing is spent until a guardian approves it (coinguard request approve {id})."
        );
    }
    code
}
