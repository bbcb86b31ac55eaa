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

/// For a refund of real money (the unspent part of a purchase): down to the
/// minor unit. A refund is never more than what the coins taken back cost;
/// the part below the minor unit (a fraction of a cent) is not refunded, and
/// the reversal's summary says how much that is.
pub fn for_refund(micros: i64, currency: Currency) -> Result<Money, MoneyError> {
    for_payout(Money::from_micros(currency, micros).amount(), currency)
}

/// The smallest amount of the currency (0.01 USD, 1 JPY, 0.001 KWD): what
/// payouts and refunds are whole multiples of.
pub fn minor_unit(currency: Currency) -> Money {
    let micros = 10_i64.pow(super::MICRO_SCALE.saturating_sub(currency.minor_units()));
    Money::from_micros(currency, micros)
}

/// For a payout of units worth `unit_value` each (a creator's diamonds): how
/// many of `count` pay out in whole minor units, and what they pay. Only those
/// are taken; the rest (fewer than [`payout_step`] units) stay with their
/// owner, so nothing is rounded away: 2,201 diamonds at 0.005 USD pay 11.00
/// USD for 2,200, and 1 diamond stays.
pub fn payable(
    count: u64,
    unit_value: Decimal,
    currency: Currency,
) -> Result<(u64, Money), MoneyError> {
    let step = payout_step(unit_value, currency)?;
    let paying = count - count % step;
    let amount = unit_value
        .checked_mul(Decimal::from(paying))
        .ok_or(MoneyError::Overflow { what: "money" })?;
    Ok((paying, Money::from_decimal(currency, amount)?))
}

/// The fewest units worth `unit_value` each whose value is a whole number of
/// the currency's minor unit: 2 diamonds at 0.005 USD make 0.01 USD.
pub fn payout_step(unit_value: Decimal, currency: Currency) -> Result<u64, MoneyError> {
    let overflow = MoneyError::Overflow { what: "money" };
    let value = unit_value.normalize();
    let extra = value.scale().saturating_sub(currency.minor_units());
    if extra == 0 {
        return Ok(1);
    }
    // value = mantissa / 10^scale; k × value is whole minor units when
    // k × mantissa is a multiple of 10^extra.
    let modulus = 10_u128.checked_pow(extra).ok_or(overflow.clone())?;
    let mantissa = value.mantissa().unsigned_abs() % modulus;
    let (mut a, mut b) = (mantissa, modulus);
    while b != 0 {
        (a, b) = (b, a % b);
    }
    let gcd = a.max(1);
    u64::try_from(modulus / gcd).map_err(|_| overflow)
}

/// For a grant's stated value, which is not money that moves: to the stored
/// scale (micro-units), half away from zero, only when the exact value has
/// more decimals than that (1 coin at 0.99 / 70 is 0.0141428…, stored as
/// 0.014143; 700 coins are exactly 9.90).
pub fn to_stored(amount: Decimal, currency: Currency) -> Result<Money, MoneyError> {
    let rounded =
        amount.round_dp_with_strategy(super::MICRO_SCALE, RoundingStrategy::MidpointAwayFromZero);
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

/// Parts of a whole for display, each to the currency's minor unit, so that
/// the rounded parts add up to the rounded whole (the whole being the exact
/// sum of the parts): each part is rounded down, and the minor units still
/// missing go to the parts that lost most (largest remainder). Rounding each
/// part on its own could show "14.28 = 2.50 + 11.79". Used where figures are
/// shown as a sum ("where the money went").
pub fn split_for_display(parts: &[Money], currency: Currency) -> Vec<Money> {
    let step = minor_unit(currency).micros().max(1);
    let total: i128 = parts.iter().map(|p| i128::from(p.micros())).sum();
    let rounded_total = for_display(
        Decimal::from_i128_with_scale(total, super::MICRO_SCALE),
        currency,
    );
    let target_units = (rounded_total * Decimal::from(10_i64.pow(currency.minor_units())))
        .trunc()
        .try_into()
        .unwrap_or(0_i128);
    let step = i128::from(step);
    let floors: Vec<(i128, i128)> = parts
        .iter()
        .map(|p| {
            let m = i128::from(p.micros());
            (m.div_euclid(step), m.rem_euclid(step))
        })
        .collect();
    let mut missing = target_units - floors.iter().map(|(units, _)| units).sum::<i128>();
    let mut order: Vec<usize> = (0..parts.len()).collect();
    // Largest remainder first; ties to the earlier part, so the result is stable.
    order.sort_by(|a, b| floors[*b].1.cmp(&floors[*a].1).then(a.cmp(b)));
    let mut units: Vec<i128> = floors.iter().map(|(u, _)| *u).collect();
    for index in order {
        if missing <= 0 {
            break;
        }
        if floors[index].1 > 0 {
            units[index] += 1;
            missing -= 1;
        }
    }
    units
        .into_iter()
        .map(|u| Money::from_micros(currency, i64::try_from(u * step).unwrap_or(i64::MAX)))
        .collect()
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
        assert_eq!(
            for_refund(2_138_572, usd).map(|m| m.micros()),
            Ok(2_130_000)
        );
        assert_eq!(
            to_stored(Decimal::new(141_428_571, 10), usd).map(|m| m.micros()),
            Ok(14_143)
        );
    }

    #[test]
    fn parts_shown_add_up_to_the_whole_shown() {
        let usd = Currency::USD;
        let m = |micros| Money::from_micros(usd, micros);
        // Rounded alone, three half cents would show 0.01 + 0.01 + 0.01 =
        // 0.03 beside a whole of 0.02; split together they show 0.02.
        for parts in [
            vec![m(2_500_000), m(11_784_285), m(85_705_715)],
            vec![m(5_000), m(5_000), m(5_000)],
            vec![m(1_004_999), m(1_004_999), m(0)],
            vec![m(-2_005_000), m(3_010_000)],
        ] {
            let total: i64 = parts.iter().map(|p| p.micros()).sum();
            let shown = split_for_display(&parts, usd);
            let shown_total: i64 = shown.iter().map(|p| p.micros()).sum();
            assert_eq!(
                Money::from_micros(usd, shown_total).to_string(),
                m(total).to_string(),
                "{parts:?} -> {shown:?}"
            );
            assert!(shown.iter().all(|p| p.micros() % 10_000 == 0));
        }
    }

    #[test]
    fn payouts_take_only_what_pays_whole_minor_units() {
        let usd = Currency::USD;
        let half_cent = Decimal::new(5, 3);
        assert_eq!(payout_step(half_cent, usd), Ok(2));
        assert_eq!(
            payable(2_201, half_cent, usd).map(|(n, m)| (n, m.micros())),
            Ok((2_200, 11_000_000))
        );
        assert_eq!(payout_step(Decimal::new(3, 3), usd), Ok(10));
        assert_eq!(payout_step(Decimal::new(25, 2), usd), Ok(1));
        let yen = Currency::parse("JPY").unwrap_or(usd);
        assert_eq!(payout_step(Decimal::new(5, 1), yen), Ok(2));
        assert_eq!(minor_unit(usd).micros(), 10_000);
        assert_eq!(minor_unit(yen).micros(), 1_000_000);
    }
}
