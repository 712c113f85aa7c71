//! Points: whole numbers, never fractions.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::digits::{to_ascii_digits, ungroup_thousands};
use crate::money::group_thousands;

/// The most points one operation may move. Far above any real redemption or adjustment; it
/// catches a phone number typed into the points box.
pub const POINTS_PER_OPERATION_MAX: i64 = 10_000_000;

/// A whole number of points. Signed, because ledger entries take points away too.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(transparent)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Points(pub i64);

/// Why a text is not a usable number of points.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PointsError {
    /// Nothing was typed.
    #[error("the number of points is empty: type a whole number, e.g. 100")]
    Empty,
    /// Not a whole number.
    #[error("`{input}` is not a whole number of points: points have no decimals, e.g. 100")]
    NotAWholeNumber {
        /// What was typed.
        input: String,
    },
    /// A comma (or `_`, a space) where no thousands separator goes (`1,0`, `12,50`).
    #[error(
        "`{input}` has a comma where no thousands separator goes: type whole points, e.g. 1,000 or 10"
    )]
    MisplacedComma {
        /// What was typed.
        input: String,
    },
    /// Zero or negative where a positive number is needed.
    #[error("`{input}` must be more than 0 points")]
    NotPositive {
        /// What was typed.
        input: String,
    },
    /// Zero where a change is needed.
    #[error("an adjustment of 0 points changes nothing: type e.g. +50 or -50")]
    Zero,
    /// Too many points for one operation.
    #[error("`{input}` points is more than one operation may move ({max}): check for an extra digit", max = group_thousands(&POINTS_PER_OPERATION_MAX.to_string()))]
    TooLarge {
        /// What was typed.
        input: String,
    },
}

impl PointsError {
    /// The message in Thai, for the window.
    pub fn th(&self) -> String {
        match self {
            PointsError::Empty => "ยังไม่ได้กรอกจำนวนแต้ม: กรอกจำนวนเต็ม เช่น 100".into(),
            PointsError::NotAWholeNumber { input } => {
                format!("\"{input}\" ไม่ใช่จำนวนแต้มที่ถูกต้อง: แต้มเป็นจำนวนเต็ม ไม่มีทศนิยม เช่น 100")
            }
            PointsError::NotPositive { input } => format!("\"{input}\" ต้องมากกว่า 0 แต้ม"),
            PointsError::Zero => "การปรับ 0 แต้มไม่เปลี่ยนแปลงอะไร: กรอก เช่น +50 หรือ -50".into(),
            PointsError::MisplacedComma { input } => format!(
                "\"{input}\" มีจุลภาค (,) ผิดที่: จุลภาคใช้คั่นหลักพันเท่านั้น กรอกแต้มเป็นจำนวนเต็ม เช่น 1,000 หรือ 10"
            ),
            PointsError::TooLarge { input } => format!(
                "\"{input}\" แต้มมากกว่าที่ทำได้ในครั้งเดียว ({max}): ตรวจสอบว่าพิมพ์ตัวเลขเกินหรือไม่",
                max = group_thousands(&POINTS_PER_OPERATION_MAX.to_string())
            ),
        }
    }
}

impl Points {
    /// No points.
    pub const ZERO: Points = Points(0);

    /// Parses a signed whole number, e.g. `+50`, `-20`, `1,000`, Thai digits.
    pub fn parse_signed(input: &str) -> Result<Points, PointsError> {
        let ascii = to_ascii_digits(input.trim());
        if ascii.is_empty() {
            return Err(PointsError::Empty);
        }
        let Some(cleaned) = ungroup_thousands(&ascii, &[',', '_', ' ']) else {
            return Err(PointsError::MisplacedComma {
                input: input.to_string(),
            });
        };
        let value: i64 = cleaned
            .strip_prefix('+')
            .unwrap_or(&cleaned)
            .parse()
            .map_err(|_| {
                let digits = cleaned.trim_start_matches(['+', '-']);
                if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
                    // Only digits, too many of them for any number of points.
                    PointsError::TooLarge {
                        input: input.to_string(),
                    }
                } else {
                    PointsError::NotAWholeNumber {
                        input: input.to_string(),
                    }
                }
            })?;
        if value.abs() > POINTS_PER_OPERATION_MAX {
            return Err(PointsError::TooLarge {
                input: input.to_string(),
            });
        }
        Ok(Points(value))
    }

    /// Parses a number of points that must be above zero (a redemption).
    pub fn parse_positive(input: &str) -> Result<Points, PointsError> {
        let points = Points::parse_signed(input)?;
        if points.0 <= 0 {
            return Err(PointsError::NotPositive {
                input: input.to_string(),
            });
        }
        Ok(points)
    }

    /// Parses a non-zero signed change (a manual adjustment).
    pub fn parse_adjustment(input: &str) -> Result<Points, PointsError> {
        let points = Points::parse_signed(input)?;
        if points.0 == 0 {
            return Err(PointsError::Zero);
        }
        Ok(points)
    }

    /// The raw count.
    pub fn value(self) -> i64 {
        self.0
    }

    /// The count with thousands separators: `12,500`.
    pub fn display_grouped(self) -> String {
        group_thousands(&self.0.to_string())
    }
}

impl std::ops::Add for Points {
    type Output = Points;
    fn add(self, rhs: Points) -> Points {
        Points(self.0.saturating_add(rhs.0))
    }
}

impl std::ops::AddAssign for Points {
    fn add_assign(&mut self, rhs: Points) {
        *self = *self + rhs;
    }
}

impl std::ops::Sub for Points {
    type Output = Points;
    fn sub(self, rhs: Points) -> Points {
        Points(self.0.saturating_sub(rhs.0))
    }
}

impl std::ops::Neg for Points {
    type Output = Points;
    fn neg(self) -> Points {
        Points(self.0.saturating_neg())
    }
}

impl std::iter::Sum for Points {
    fn sum<I: Iterator<Item = Points>>(iter: I) -> Points {
        iter.fold(Points::ZERO, |a, b| a + b)
    }
}

impl fmt::Display for Points {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_signed_and_grouped_numbers() {
        assert_eq!(Points::parse_signed("+50").unwrap(), Points(50));
        assert_eq!(Points::parse_signed("-1,000").unwrap(), Points(-1000));
        assert_eq!(Points::parse_signed("๑๒๐").unwrap(), Points(120));
        assert_eq!(Points::parse_signed("1 000").unwrap(), Points(1000));
    }

    #[test]
    fn a_comma_that_is_no_thousands_separator_is_refused_not_dropped() {
        // "1,0" used to be read as 10: a slip must not move ten times the points.
        for typed in ["1,0", "12,50", "1,2,3", "10,00"] {
            assert_eq!(
                Points::parse_signed(typed),
                Err(PointsError::MisplacedComma {
                    input: typed.into()
                }),
                "{typed}"
            );
        }
        assert_eq!(
            PointsError::MisplacedComma {
                input: "1,0".into()
            }
            .to_string(),
            "`1,0` has a comma where no thousands separator goes: type whole points, e.g. 1,000 or 10"
        );
    }

    #[test]
    fn a_number_too_long_for_any_points_is_too_large_not_a_fraction() {
        assert_eq!(
            Points::parse_signed("99999999999999999999"),
            Err(PointsError::TooLarge {
                input: "99999999999999999999".into()
            })
        );
    }

    #[test]
    fn refuses_decimals_zero_and_huge_values() {
        assert!(matches!(
            Points::parse_signed("1.5"),
            Err(PointsError::NotAWholeNumber { .. })
        ));
        assert!(matches!(
            Points::parse_positive("0"),
            Err(PointsError::NotPositive { .. })
        ));
        assert!(matches!(
            Points::parse_adjustment("0"),
            Err(PointsError::Zero)
        ));
        assert!(matches!(
            Points::parse_positive("0812345678"),
            Err(PointsError::TooLarge { .. })
        ));
    }

    #[test]
    fn groups_thousands() {
        assert_eq!(Points(1_234_567).display_grouped(), "1,234,567");
        assert_eq!(Points(-1500).display_grouped(), "-1,500");
    }
}
