//! Spending commands: buy, gift, redeem, and their previews; and how any
//! spending outcome (also an approval, a grant, a reversal) is printed.

use serde::Serialize;

use super::output::{clean, say};
use super::{
    Args, BuyArgs, CliError, EXIT_DENIED, EXIT_NEEDS_APPROVAL, EXIT_OK, GiftArgs, RedeemArgs,
    member_pin, output,
};
use crate::api::Call;
use crate::api::call::Spend;
use crate::api::reply::{ReasonView, ReversalPreviewView, SpendView};
use crate::client::Household;
use crate::domain::{Outcome, TxId};

pub(super) fn buy(
    args: &Args,
    h: &mut Household<'_>,
    buy: &BuyArgs,
    preview: bool,
) -> Result<u8, CliError> {
    let spend = match (&buy.pack, &buy.coins) {
        (_, Some(coins)) => Spend::Coins {
            member: buy.member.clone(),
            coins: coins.clone(),
        },
        (Some(pack), None) => Spend::Pack {
            member: buy.member.clone(),
            pack: pack.clone(),
        },
        (None, None) => {
            return Err(CliError::BadInput(
                "name a pack (see `coinguard catalog`) or give --coins N".into(),
            ));
        }
    };
    send(args, h, spend, preview, &buy.key.key, &buy.member_pin)
}

pub(super) fn gift(
    args: &Args,
    h: &mut Household<'_>,
    gift: &GiftArgs,
    preview: bool,
) -> Result<u8, CliError> {
    let spend = Spend::Gift {
        member: gift.member.clone(),
        creator: gift.creator.clone(),
        gift: gift.gift.clone(),
        count: gift.count.clone(),
    };
    send(args, h, spend, preview, &gift.key.key, &gift.member_pin)
}

pub(super) fn redeem(
    args: &Args,
    h: &mut Household<'_>,
    redeem: &RedeemArgs,
    preview: bool,
) -> Result<u8, CliError> {
    let spend = Spend::Redeem {
        creator: redeem.creator.clone(),
        diamonds: redeem.diamonds.clone(),
    };
    send(args, h, spend, preview, &redeem.key.key, &redeem.member_pin)
}

/// Sends a spend: a preview needs no PIN; a member with a PIN gives it.
fn send(
    args: &Args,
    h: &mut Household<'_>,
    spend: Spend,
    preview: bool,
    key: &Option<String>,
    pin_args: &super::MemberPinArgs,
) -> Result<u8, CliError> {
    let pin = if preview {
        None
    } else {
        member_pin(h, spend.member(), pin_args)?
    };
    let view: SpendView = h.ask(Call::Spend {
        spend,
        preview,
        key: key.clone(),
        pin,
    })?;
    report(args, &view, &Extra::default())
}

/// What a command adds to a spending outcome's JSON: the request it
/// answered, what a reversal gives back.
#[derive(Default)]
pub(super) struct Extra<'a> {
    pub request_id: Option<i64>,
    pub reversal: Option<&'a ReversalPreviewView>,
}

/// A spending outcome under `--json` (SPEC section 7): `outcome` is
/// `committed`, `pending` or `denied`; a preview's is `preview`, with what
/// it `would` be.
#[derive(Serialize)]
struct SpendDocument<'a> {
    outcome: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    would: Option<&'static str>,
    preview: bool,
    tx_id: Option<TxId>,
    request_id: Option<i64>,
    replayed: bool,
    summary: &'a str,
    reasons: &'a [ReasonView],
    /// For a reversal: what it gives back, and warnings, as shown before the PIN.
    #[serde(skip_serializing_if = "Option::is_none")]
    reversal: Option<&'a ReversalPreviewView>,
    /// For a member with an allowance: the money in its terms.
    #[serde(skip_serializing_if = "Option::is_none")]
    allowance_words: Option<&'a str>,
}

/// The SPEC's word for an outcome.
fn word(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::Allow => "committed",
        Outcome::NeedsApproval => "pending",
        Outcome::Deny => "denied",
    }
}

/// Prints an outcome and returns its exit code. A preview that answered
/// exits 0 whatever it would do (nothing was created). The outcome has
/// happened whatever the printing does: a closed output still exits with
/// its code.
pub(super) fn report(args: &Args, view: &SpendView, extra: &Extra<'_>) -> Result<u8, CliError> {
    let code = match (view.preview, view.outcome) {
        (true, _) | (false, Outcome::Allow) => EXIT_OK,
        (false, Outcome::NeedsApproval) => EXIT_NEEDS_APPROVAL,
        (false, Outcome::Deny) => EXIT_DENIED,
    };
    match print_outcome(args, view, extra) {
        Ok(()) | Err(CliError::OutputClosed) => Ok(code),
        Err(e) => Err(e),
    }
}

fn print_outcome(args: &Args, view: &SpendView, extra: &Extra<'_>) -> Result<(), CliError> {
    if args.json {
        return output::json(&SpendDocument {
            outcome: if view.preview {
                "preview"
            } else {
                word(view.outcome)
            },
            would: view.preview.then(|| word(view.outcome)),
            preview: view.preview,
            tx_id: view.tx_id,
            request_id: view.request_id.or(extra.request_id),
            replayed: view.replayed,
            summary: &view.summary,
            reasons: &view.reasons,
            reversal: extra.reversal,
            allowance_words: view.allowance_words.as_deref(),
        });
    }
    let tx = view.tx_id.map(|t| t.to_string()).unwrap_or_default();
    let summary = clean(&view.summary);
    match (view.outcome, view.preview) {
        (Outcome::Allow, false) if view.replayed => say!("{summary}.")?,
        (Outcome::Allow, false) => say!("Done: {summary}. Transaction {tx}.")?,
        (Outcome::Allow, true) => {
            say!("Would go through: {summary}. (Preview: nothing was written.)")?
        }
        (Outcome::NeedsApproval, true) => {
            say!("Would need a guardian's approval: {summary}. (Preview: nothing was written.)")?
        }
        (Outcome::NeedsApproval, false) => say!("Needs a guardian's approval: {summary}.")?,
        (Outcome::Deny, true) => {
            say!("Would be refused: {summary}. (Preview: nothing was written.)")?
        }
        (Outcome::Deny, false) => say!("Refused: {summary}.")?,
    }
    if let Some(words) = &view.allowance_words {
        say!("  That is {}.", clean(words))?;
    }
    for reason in &view.reasons {
        let tag = if reason.severity == Outcome::Deny {
            "refused"
        } else {
            "needs approval"
        };
        say!(
            "  - {} ({tag}): {}",
            clean(&reason.rule.replace('_', " ")),
            clean(&reason.message)
        )?;
    }
    if let (Outcome::NeedsApproval, false, Some(id)) = (view.outcome, view.preview, view.request_id)
    {
        say!(
            "Asked a guardian: request #{id}. Nothing is spent until a guardian approves it (coinguard request approve {id})."
        )?;
    }
    Ok(())
}
