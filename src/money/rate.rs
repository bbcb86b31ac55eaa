//! A price for a number of coins: "0.99 for 70". Per-coin rates such as
//! 0.99 / 70 = 0.0141428571… have no exact decimal, so a rate is kept as this
//! ratio and a value is computed multiplication first (`0.99 × coins / 70`):
//! 7,000,000 coins are exactly 99,000.00, never 99,001.00 from a per-coin
//! figure rounded before it was multiplied.

use std::cmp::Ordering;

use rust_decimal::Decimal;

use super::MoneyError;

/// `amount` (in the currency) for `per` coins (or diamonds).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rate {
    amount: Decimal,
    per: u64,
}

impl Rate {
    /// `amount` for `per` units; `None` when `per` is zero.
    pub fn new(amount: Decimal, per: u64) -> Option<Rate> {
        (per > 0).then_some(Rate { amount, per })
    }

    /// A rate stated per single unit (a config's `grant_value_per_coin`).
    pub fn per_one(amount: Decimal) -> Rate {
        Rate { amount, per: 1 }
    }

    pub fn amount(&self) -> Decimal {
        self.amount
    }

    pub fn per(&self) -> u64 {
        self.per
    }

    /// The price of one unit, to Decimal's 28 digits: for showing and
    /// comparing only. Never multiply it: use [`Rate::value_of`].
    pub fn per_unit(&self) -> Decimal {
        self.amount
            .checked_div(Decimal::from(self.per))
            .unwrap_or_default()
    }

    /// What `count` units cost at this rate, exactly where the result has an
    /// exact decimal (multiplied before it is divided). Not rounded: the
    /// caller rounds once, in [`super::rounding`], for what it needs.
    pub fn value_of(&self, count: u64) -> Result<Decimal, MoneyError> {
        let overflow = MoneyError::Overflow { what: "money" };
        self.amount
            .checked_mul(Decimal::from(count))
            .and_then(|total| total.checked_div(Decimal::from(self.per)))
            .ok_or(overflow)
    }

    /// Compares two rates per unit exactly (cross-multiplied, no division).
    pub fn cmp_per_unit(&self, other: &Rate) -> Ordering {
        let left = self.amount.checked_mul(Decimal::from(other.per));
        let right = other.amount.checked_mul(Decimal::from(self.per));
        match (left, right) {
            (Some(l), Some(r)) => l.cmp(&r),
            // Beyond Decimal's range (not reachable with capped config
            // values): the 28-digit quotients still order them.
            _ => self.per_unit().cmp(&other.per_unit()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_multiplied_before_they_are_divided() {
        let Some(rate) = Rate::new(Decimal::new(99, 2), 70) else {
            panic!("a rate for 70 coins");
        };
        assert_eq!(rate.value_of(7_000_000), Ok(Decimal::from(99_000)));
        assert_eq!(rate.value_of(700), Ok(Decimal::new(99, 1)));
        assert_eq!(rate.value_of(70), Ok(Decimal::new(99, 2)));
        // The old way: the per-coin rate rounded to 6 decimals, then multiplied.
        let rounded = rate.per_unit().round_dp(6);
        assert_eq!(rounded * Decimal::from(7_000_000), Decimal::from(99_001));
    }

    #[test]
    fn rates_compare_exactly() {
        let (a, b) = (
            Rate::new(Decimal::new(99, 2), 70),
            Rate::new(Decimal::new(999, 2), 700),
        );
        let (Some(a), Some(b)) = (a, b) else {
            panic!("rates");
        };
        // 0.99/70 = 0.014142857… < 9.99/700 = 0.014271428…
        assert_eq!(a.cmp_per_unit(&b), Ordering::Less);
        assert_eq!(Rate::new(Decimal::ONE, 0), None);
    }
}
