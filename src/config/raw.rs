//! The TOML files exactly as written: no meaning yet, unknown keys refused.
//! Fields that need checks after parsing are `Spanned`, so an error can point
//! at the line.

use serde::Deserialize;

use crate::domain::Outcome as Verdict;
use toml::Spanned;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawEconomy {
    pub diamond_share_percent: Spanned<u32>,
    pub diamond_value: Spanned<String>,
    pub minimum_payout: Spanned<String>,
    /// Value per coin of coins a guardian grants; default: the cheapest pack rate.
    #[serde(default)]
    pub grant_value_per_coin: Option<Spanned<String>>,
    pub packs: Vec<RawPack>,
    pub gifts: Vec<RawGift>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPack {
    pub id: Spanned<String>,
    pub coins: Spanned<u64>,
    pub price: Spanned<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawGift {
    pub id: Spanned<String>,
    pub name: Spanned<String>,
    pub coins: Spanned<u64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawAgeBands {
    pub bands: Vec<RawBand>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawBand {
    pub from_age: Spanned<u32>,
    pub purchase: Verdict,
    pub gift: Verdict,
    pub redeem: Verdict,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSettings {
    pub currency: Spanned<String>,
    pub timezone: Spanned<String>,
    pub request_expiry_hours: Spanned<u32>,
    pub clock_tolerance_seconds: Spanned<u32>,
    pub unknown_creator: Verdict,
}
