//! The only place amounts are rounded. Stored amounts are never rounded; these
//! functions produce figures for people (display), for payouts, and for charges.

use rust_decimal::{Decimal, RoundingStrategy};

use super::{Currency, Money, MoneyError};

/// For display: half away from zero, to the currency's minor unit, always
/// showing every minor digit ("0.00", never "0").
pub fn for_display(amount: Decimal, currency: Currency) -> Decimal {
    let mut rounded = amount.round_dp_with_strategy(
        currency.minor_units(),
        RoundingStrategy::MidpointAwayFromZero,
    );
    rounded.rescale(currency.minor_units());
    rounded
}

/// A per-coin rate for display: 4 decimals is enough to compare packs
/// (0.0141 vs 0.0143) without pretending to more precision than matters.
pub fn rate_for_display(rate: Decimal) -> Decimal {
    rate.round_dp_with_strategy(4, RoundingStrategy::MidpointAwayFromZero)
        .normalize()
}

/// For payouts: down to the minor unit, so we never pay out money we do not have.
pub fn for_payout(amount: Decimal, currency: Currency) -> Result<Money, MoneyError> {
    let rounded = amount.round_dp_with_strategy(currency.minor_units(), RoundingStrategy::ToZero);
    Money::from_decimal(currency, rounded)
}

/// For charging a custom coin amount: up to the minor unit, so a custom purchase
/// never costs less per coin than the best pack (which would let small custom
/// buys undercut the price list).
pub fn for_charge(amount: Decimal, currency: Currency) -> Result<Money, MoneyError> {
    let rounded =
        amount.round_dp_with_strategy(currency.minor_units(), RoundingStrategy::AwayFromZero);
    Money::from_decimal(currency, rounded)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_rounding_goes_its_documented_way() {
        let usd = Currency::USD;
        let x = Decimal::new(12_345, 3); // 12.345
        assert_eq!(for_display(x, usd), Decimal::new(1235, 2));
        assert_eq!(for_payout(x, usd).map(|m| m.micros()), Ok(12_340_000));
        assert_eq!(
            for_charge(Decimal::new(12_341, 3), usd).map(|m| m.micros()),
            Ok(12_350_000)
        );
        assert_eq!(
            rate_for_display(Decimal::new(1_414_285, 8)),
            Decimal::new(141, 4)
        );
    }
}
