//! Money: Thai baht with at most two decimals (satang), never a float.

use std::fmt;
use std::str::FromStr;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::digits::{to_ascii_digits, ungroup_thousands};

/// The largest amount one purchase may have. A bill above ten million baht at a loyalty
/// counter is a typing mistake (an extra zero or a bill number typed into the amount box).
pub const PURCHASE_AMOUNT_THB_MAX: i64 = 10_000_000;

/// An amount of Thai baht: non-negative, at most two decimals (satang).
///
/// Held as `rust_decimal::Decimal` scaled to exactly 2 places so `Display` always shows
/// satang and arithmetic is exact.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(type = "string"))]
pub struct Money(Decimal);

/// Why a text is not an amount of baht.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    /// Nothing was typed.
    #[error("the amount is empty: type the purchase amount in baht, e.g. 350 or 1,250.50")]
    Empty,
    /// The text is not a number.
    #[error(
        "`{input}` is not an amount of baht: use digits with an optional decimal point, e.g. 1,250.50"
    )]
    NotANumber {
        /// What was typed.
        input: String,
    },
    /// A comma (or `_`) where no thousands separator goes: a decimal comma (`12,50`) or a slip
    /// (`1,2,3`). Dropping it would read an amount 100 or 1,000 times too large.
    #[error(
        "`{input}` has a comma where no thousands separator goes: commas only separate thousands (1,250.50); for baht and satang use a dot, e.g. 12.50"
    )]
    MisplacedComma {
        /// What was typed.
        input: String,
    },
    /// More than two decimals (baht has 100 satang).
    #[error("`{input}` has {decimals} decimals: baht amounts have at most 2 (satang), e.g. 99.75")]
    TooManyDecimals {
        /// What was typed.
        input: String,
        /// How many decimals it had.
        decimals: u32,
    },
    /// A negative amount.
    #[error(
        "`{input}` is negative: a purchase amount cannot be below 0; to take points back, void the bill"
    )]
    Negative {
        /// What was typed.
        input: String,
    },
    /// Larger than any plausible purchase.
    #[error("`{input}` is more than {max} baht: check for an extra digit", max = group_thousands(&PURCHASE_AMOUNT_THB_MAX.to_string()))]
    TooLarge {
        /// What was typed.
        input: String,
    },
}

impl MoneyError {
    /// The message in Thai, for the window.
    pub fn th(&self) -> String {
        match self {
            MoneyError::Empty => "ยังไม่ได้กรอกยอดซื้อ: กรอกจำนวนเงินเป็นบาท เช่น 350 หรือ 1,250.50".into(),
            MoneyError::NotANumber { input } => {
                format!("\"{input}\" ไม่ใช่จำนวนเงิน: กรอกเฉพาะตัวเลขและจุดทศนิยม เช่น 1,250.50")
            }
            MoneyError::TooManyDecimals { input, decimals } => format!(
                "\"{input}\" มีทศนิยม {decimals} ตำแหน่ง: จำนวนเงินบาทมีทศนิยมได้ไม่เกิน 2 ตำแหน่ง (สตางค์) เช่น 99.75"
            ),
            MoneyError::Negative { input } => {
                format!("\"{input}\" ติดลบ: ยอดซื้อต้องไม่ต่ำกว่า 0 หากต้องการคืนแต้มให้ยกเลิกบิล")
            }
            MoneyError::MisplacedComma { input } => format!(
                "\"{input}\" มีจุลภาค (,) ผิดที่: จุลภาคใช้คั่นหลักพันเท่านั้น เช่น 1,250.50 ส่วนสตางค์ใช้จุด เช่น 12.50"
            ),
            MoneyError::TooLarge { input } => format!(
                "\"{input}\" เกิน {max} บาท: จำนวนเงินมากเกินไป ตรวจสอบว่าพิมพ์ตัวเลขเกินหรือไม่",
                max = group_thousands(&PURCHASE_AMOUNT_THB_MAX.to_string())
            ),
        }
    }
}

impl Money {
    /// Zero baht.
    pub const ZERO: Money = Money(Decimal::ZERO);

    /// Parses what a cashier types: `350`, `1,250.50`, `฿99.75`, `1250 บาท`, Thai digits.
    pub fn parse(input: &str) -> Result<Money, MoneyError> {
        let ascii = to_ascii_digits(input.trim());
        let cleaned: String = ascii
            .trim_start_matches('฿')
            .trim_end_matches("บาท")
            .trim_end_matches("THB")
            .trim()
            .to_string();
        if cleaned.is_empty() {
            return Err(MoneyError::Empty);
        }
        let Some(cleaned) = ungroup_thousands(&cleaned, &[',', '_']) else {
            return Err(MoneyError::MisplacedComma {
                input: input.to_string(),
            });
        };
        let is_plain_number = cleaned
            .chars()
            .all(|c| c.is_ascii_digit() || c == '.' || c == '-' || c == '+');
        let value = match Decimal::from_str(&cleaned) {
            Ok(value) if is_plain_number => value,
            _ => {
                return Err(MoneyError::NotANumber {
                    input: input.to_string(),
                });
            }
        };
        Money::from_decimal(value).map_err(|err| err.with_input(input))
    }

    /// Builds an amount from a decimal, checking sign, scale and size.
    pub fn from_decimal(value: Decimal) -> Result<Money, MoneyError> {
        let input = value.to_string();
        let normalized = value.normalize();
        if normalized.scale() > 2 {
            return Err(MoneyError::TooManyDecimals {
                input,
                decimals: normalized.scale(),
            });
        }
        if value.is_sign_negative() && !value.is_zero() {
            return Err(MoneyError::Negative { input });
        }
        if value > Decimal::from(PURCHASE_AMOUNT_THB_MAX) {
            return Err(MoneyError::TooLarge { input });
        }
        let mut scaled = normalized;
        scaled.rescale(2);
        Ok(Money(scaled))
    }

    /// Builds an amount from whole satang (1 baht = 100 satang).
    pub fn from_satang(satang: i64) -> Result<Money, MoneyError> {
        Money::from_decimal(Decimal::new(satang, 2))
    }

    /// The amount in satang, exact.
    pub fn satang(&self) -> i64 {
        // Invariant: scale is 2 and the value is at most PURCHASE_AMOUNT_THB_MAX, so the
        // mantissa fits an i64 comfortably.
        i64::try_from(self.0.mantissa()).unwrap_or(i64::MAX)
    }

    /// The amount as a decimal with exactly two places.
    pub fn as_decimal(&self) -> Decimal {
        self.0
    }

    /// True for zero baht.
    pub fn is_zero(&self) -> bool {
        self.0.is_zero()
    }

    /// The amount with thousands separators and satang, as shown to people: `1,250.50`.
    pub fn display_thb(&self) -> String {
        let text = self.0.to_string();
        let (whole, frac) = text.split_once('.').unwrap_or((&text, "00"));
        format!("{}.{frac}", group_thousands(whole))
    }
}

impl MoneyError {
    fn with_input(self, input: &str) -> MoneyError {
        let input = input.to_string();
        match self {
            MoneyError::TooManyDecimals { decimals, .. } => {
                MoneyError::TooManyDecimals { input, decimals }
            }
            MoneyError::Negative { .. } => MoneyError::Negative { input },
            MoneyError::TooLarge { .. } => MoneyError::TooLarge { input },
            MoneyError::NotANumber { .. } => MoneyError::NotANumber { input },
            MoneyError::MisplacedComma { .. } => MoneyError::MisplacedComma { input },
            MoneyError::Empty => MoneyError::Empty,
        }
    }
}

/// Puts a comma between groups of three digits: `1234567` → `1,234,567`.
pub fn group_thousands(digits: &str) -> String {
    let (sign, digits) = match digits.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", digits),
    };
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    format!("{sign}{out}")
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl FromStr for Money {
    type Err = MoneyError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Money::parse(s)
    }
}

impl TryFrom<String> for Money {
    type Error = MoneyError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Money::parse(&value)
    }
}

impl From<Money> for String {
    fn from(value: Money) -> String {
        value.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn cashier_forms_parse_to_the_same_amount() {
        for form in [
            "1250.5",
            "1,250.50",
            "฿1,250.50",
            "1250.50 บาท",
            "๑,๒๕๐.๕๐",
            " 1250.50 ",
        ] {
            assert_eq!(Money::parse(form).unwrap().satang(), 125_050, "{form}");
        }
    }

    #[test]
    fn a_decimal_comma_is_refused_not_read_a_hundred_times_larger() {
        // "12,50" used to become 1,250.00 THB: commas were dropped wherever they stood.
        for typed in ["12,50", "1,25", "100,5", "1,2,3,4", "1.250,50", "฿12,50"] {
            assert_eq!(
                Money::parse(typed),
                Err(MoneyError::MisplacedComma {
                    input: typed.into()
                }),
                "{typed}"
            );
        }
        assert_eq!(
            MoneyError::MisplacedComma {
                input: "12,50".into()
            }
            .to_string(),
            "`12,50` has a comma where no thousands separator goes: commas only separate thousands (1,250.50); for baht and satang use a dot, e.g. 12.50"
        );
        assert_eq!(Money::parse("1,234,567.50").unwrap().satang(), 123_456_750);
    }

    #[test]
    fn three_decimals_are_refused_with_the_count() {
        let err = Money::parse("10.005").unwrap_err();
        assert_eq!(
            err,
            MoneyError::TooManyDecimals {
                input: "10.005".into(),
                decimals: 3
            }
        );
        assert!(err.to_string().contains("at most 2"));
    }

    #[test]
    fn trailing_zero_decimals_are_fine() {
        assert_eq!(Money::parse("10.500").unwrap().satang(), 1050);
    }

    #[test]
    fn negative_letters_and_empty_are_refused() {
        assert!(matches!(
            Money::parse("-5"),
            Err(MoneyError::Negative { .. })
        ));
        assert!(matches!(
            Money::parse("12a"),
            Err(MoneyError::NotANumber { .. })
        ));
        assert!(matches!(
            Money::parse("1e3"),
            Err(MoneyError::NotANumber { .. })
        ));
        assert!(matches!(Money::parse(""), Err(MoneyError::Empty)));
        assert!(matches!(
            Money::parse("20000000"),
            Err(MoneyError::TooLarge { .. })
        ));
    }

    #[test]
    fn display_groups_thousands_and_shows_satang() {
        assert_eq!(
            Money::parse("1234567").unwrap().display_thb(),
            "1,234,567.00"
        );
        assert_eq!(Money::parse("0.5").unwrap().display_thb(), "0.50");
        assert_eq!(Money::parse("999").unwrap().to_string(), "999.00");
    }

    #[test]
    fn serde_round_trips_and_rejects_bad_values() {
        let m = Money::parse("99.75").unwrap();
        let json = serde_json::to_string(&m).unwrap();
        assert_eq!(json, "\"99.75\"");
        assert_eq!(serde_json::from_str::<Money>(&json).unwrap(), m);
        assert!(serde_json::from_str::<Money>("\"1.999\"").is_err());
    }

    proptest! {
        #[test]
        fn satang_round_trip(satang in 0i64..=PURCHASE_AMOUNT_THB_MAX * 100) {
            let m = Money::from_satang(satang).unwrap();
            prop_assert_eq!(m.satang(), satang);
            prop_assert_eq!(Money::parse(&m.display_thb()).unwrap(), m);
        }

        #[test]
        fn parse_never_panics(s in "\\PC{0,20}") {
            let _ = Money::parse(&s);
        }
    }
}
