//! Point rates: "spend `baht` THB → `points` points", and which rate applies where.

use std::fmt;

use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use serde::{Deserialize, Serialize};

use crate::money::Money;
use crate::points::Points;

/// The most points a rate may give per step; beyond it a rate is a typing mistake.
pub const RATE_POINTS_MAX: i64 = 10_000;

/// A conversion rate: every `baht` baht spent earns `points` points.
///
/// Points are `floor(amount × points / baht)`, computed exactly in decimal: a customer never
/// gets a fraction, and never loses one to float rounding (24.99 at 25→1 earns 0, 25.00 earns 1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "RateWire", into = "RateWire")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct PointRate {
    baht: Money,
    points: Points,
}

#[derive(Serialize, Deserialize)]
struct RateWire {
    baht: Money,
    points: i64,
}

/// Why a rate is not usable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RateError {
    /// The baht side is zero.
    #[error("a point rate needs more than 0 baht per step, e.g. 25 baht → 1 point")]
    ZeroBaht,
    /// The points side is not positive or too large.
    #[error("a point rate gives between 1 and {max} points per step; got {points}", max = RATE_POINTS_MAX)]
    PointsOutOfRange {
        /// The points given.
        points: i64,
    },
    /// Text that is not `BAHT:POINTS`.
    #[error(
        "`{input}` is not a point rate: write BAHT:POINTS, e.g. 25:1 (spend 25 baht, earn 1 point)"
    )]
    Unrecognised {
        /// What was typed.
        input: String,
    },
}

impl TryFrom<RateWire> for PointRate {
    type Error = RateError;
    fn try_from(value: RateWire) -> Result<Self, Self::Error> {
        PointRate::new(value.baht, Points(value.points))
    }
}

impl From<PointRate> for RateWire {
    fn from(value: PointRate) -> Self {
        RateWire {
            baht: value.baht,
            points: value.points.0,
        }
    }
}

impl PointRate {
    /// Builds a rate; baht must be above zero and points within 1..=RATE_POINTS_MAX.
    pub fn new(baht: Money, points: Points) -> Result<PointRate, RateError> {
        if baht.is_zero() {
            return Err(RateError::ZeroBaht);
        }
        if points.0 < 1 || points.0 > RATE_POINTS_MAX {
            return Err(RateError::PointsOutOfRange { points: points.0 });
        }
        Ok(PointRate { baht, points })
    }

    /// The default rate of the seed documents: 25 baht → 1 point.
    pub fn default_counter() -> PointRate {
        PointRate {
            baht: Money::from_satang(2_500).unwrap_or(Money::ZERO),
            points: Points(1),
        }
    }

    /// Parses `25:1`, `25=1`, `25/1` or `25 → 1`.
    pub fn parse(input: &str) -> Result<PointRate, RateError> {
        let unrecognised = || RateError::Unrecognised {
            input: input.to_string(),
        };
        let normalised = input.replace("→", ":").replace(['=', '/'], ":");
        let (baht, points) = normalised.split_once(':').ok_or_else(unrecognised)?;
        let baht = Money::parse(baht).map_err(|_| unrecognised())?;
        let points = Points::parse_signed(points).map_err(|_| unrecognised())?;
        PointRate::new(baht, points)
    }

    /// Baht per step.
    pub fn baht(&self) -> Money {
        self.baht
    }

    /// Points per step.
    pub fn points(&self) -> Points {
        self.points
    }

    /// Points earned for a purchase: `floor(amount × points / baht)`.
    pub fn points_for(&self, amount: Money) -> Points {
        let earned = amount.as_decimal() * Decimal::from(self.points.0) / self.baht.as_decimal();
        // Invariant: amount ≤ 10M baht, points ≤ 10k and baht ≥ 0.01, so the quotient is at
        // most 1e13 and always fits an i64.
        Points(earned.floor().to_i64().unwrap_or(0))
    }
}

impl fmt::Display for PointRate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} THB = {} pt", self.baht.display_thb(), self.points)
    }
}

/// Where a purchase happened; each channel may have its own rate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// At a branch counter (the cashier types the amount).
    Counter,
    /// E-commerce orders synced automatically (Shopee, Lazada, LINE SHOPPING).
    EcommerceAuto,
    /// Points given through the e-commerce SMS flow.
    EcommerceSms,
}

/// The shop's main rates ("Point settings", "Sync settings", "SMS settings").
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SystemRates {
    /// The main rate, used at the counter.
    pub counter: PointRate,
    /// The e-commerce rate for automatic marketplace earning.
    pub ecommerce: PointRate,
    /// The rate of the e-commerce SMS flow.
    pub sms: PointRate,
}

impl Default for SystemRates {
    fn default() -> Self {
        SystemRates {
            counter: PointRate::default_counter(),
            ecommerce: PointRate::default_counter(),
            sms: PointRate::default_counter(),
        }
    }
}

impl SystemRates {
    /// The system rate of a channel.
    pub fn for_channel(&self, channel: Channel) -> PointRate {
        match channel {
            Channel::Counter => self.counter,
            Channel::EcommerceAuto => self.ecommerce,
            Channel::EcommerceSms => self.sms,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn rate(baht: &str, points: i64) -> PointRate {
        PointRate::new(Money::parse(baht).unwrap(), Points(points)).unwrap()
    }

    #[test]
    fn default_rate_floors_partial_steps() {
        let r = PointRate::default_counter();
        assert_eq!(r.points_for(Money::parse("24.99").unwrap()), Points(0));
        assert_eq!(r.points_for(Money::parse("25").unwrap()), Points(1));
        assert_eq!(r.points_for(Money::parse("1249.99").unwrap()), Points(49));
        assert_eq!(r.points_for(Money::parse("1250").unwrap()), Points(50));
    }

    #[test]
    fn rates_with_satang_are_exact() {
        // 0.10 × 3 / 0.30 would be 0.9999… in floating point.
        assert_eq!(
            rate("0.30", 3).points_for(Money::parse("0.10").unwrap()),
            Points(1)
        );
    }

    #[test]
    fn bad_rates_are_refused() {
        assert_eq!(PointRate::parse("0:1"), Err(RateError::ZeroBaht));
        assert!(matches!(
            PointRate::parse("25:0"),
            Err(RateError::PointsOutOfRange { .. })
        ));
        assert!(matches!(
            PointRate::parse("25"),
            Err(RateError::Unrecognised { .. })
        ));
        assert_eq!(PointRate::parse("100=3").unwrap(), rate("100", 3));
    }

    proptest! {
        #[test]
        fn points_are_the_exact_floor(satang in 0i64..1_000_000_000, baht_satang in 1i64..1_000_000, pts in 1i64..=RATE_POINTS_MAX) {
            let r = PointRate::new(Money::from_satang(baht_satang).unwrap(), Points(pts)).unwrap();
            let earned = r.points_for(Money::from_satang(satang).unwrap()).0 as i128;
            // earned ≤ amount × pts / baht < earned + 1, in integers (satang cancel out).
            let lhs = satang as i128 * pts as i128;
            prop_assert!(earned * baht_satang as i128 <= lhs);
            prop_assert!(lhs < (earned + 1) * baht_satang as i128);
        }

        #[test]
        fn more_spending_never_earns_fewer_points(a in 0i64..100_000_000, b in 0i64..100_000_000, baht_satang in 1i64..100_000, pts in 1i64..100) {
            let r = PointRate::new(Money::from_satang(baht_satang).unwrap(), Points(pts)).unwrap();
            let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
            prop_assert!(r.points_for(Money::from_satang(lo).unwrap()) <= r.points_for(Money::from_satang(hi).unwrap()));
        }
    }
}
