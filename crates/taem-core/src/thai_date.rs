//! Dates as Thai people write them: day first, year in the Buddhist Era or the Common Era.
//!
//! A Thai birthday is usually written `15/08/2530`: day/month/year with the year in the Buddhist
//! Era (พ.ศ., B.E. = C.E. + 543), though `15/08/1987` in C.E. is common too. The two eras never
//! overlap in practice, so the year itself tells which one was meant: [`BE_YEAR_MIN`] and later
//! are B.E., earlier years down to [`CE_YEAR_MIN`] are C.E. Two-digit years are refused because
//! `30` could be 2530 or 1930 or 2030.

use chrono::{Datelike, NaiveDate};
use thiserror::Error;

use crate::digits::to_ascii_digits;

/// Years between the eras: B.E. year = C.E. year + 543.
pub const BE_OFFSET_YEARS: i32 = 543;

/// The earliest year accepted, read as C.E.
pub const CE_YEAR_MIN: i32 = 1800;

/// The latest year read as C.E.; later years are B.E.
pub const CE_YEAR_MAX: i32 = BE_YEAR_MIN - 1;

/// The earliest year read as B.E. (1857 C.E.).
pub const BE_YEAR_MIN: i32 = 2400;

/// The latest year accepted, read as B.E. (2456 C.E.); a bound so a typo like `25300` is caught.
pub const BE_YEAR_MAX: i32 = 2999;

/// Why text could not be read as a date.
///
/// Every variant keeps the input and the facts the message is built from, so the UI can show
/// its own Thai wording instead of this English one.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ThaiDateError {
    /// Nothing but whitespace was entered.
    #[error("no date was entered: write it as day/month/year, like 15/08/2530 or 15/08/1987")]
    Empty,

    /// The text is not in any of the accepted forms.
    #[error(
        "{input:?} is not a date in a form this app reads: write day/month/year like 15/08/2530 \
         (B.E.) or 15/08/1987 (C.E.), year-month-day like 1987-08-15, or with a Thai month like \
         15 ส.ค. 2530"
    )]
    Unrecognised {
        /// The input, trimmed.
        input: String,
    },

    /// The year has only two digits, which could be B.E. or C.E.
    #[error(
        "{input:?} has a two-digit year, which could be B.E. or C.E.: write all 4 digits of the \
         year, e.g. 15/08/2530 or 15/08/1987"
    )]
    TwoDigitYear {
        /// The input, trimmed.
        input: String,
    },

    /// The year is outside the accepted range (or outside its era, when the era was written).
    #[error(
        "the year {year} in {input:?} is out of range: write all 4 digits of a year from \
         {CE_YEAR_MIN} to {CE_YEAR_MAX} (C.E.) or from {BE_YEAR_MIN} to {BE_YEAR_MAX} (B.E.), \
         e.g. 15/08/2530 or 15/08/1987"
    )]
    YearOutOfRange {
        /// The input, trimmed.
        input: String,
        /// The year as written.
        year: i32,
    },

    /// The day does not exist in that month, or the month does not exist.
    #[error(
        "{input:?} is not a real date: check the day and the month (February has 29 days only \
         in leap years, and some months have 30 days)"
    )]
    NoSuchDate {
        /// The input, trimmed.
        input: String,
    },
}

/// A Thai month: its full name and the usual abbreviation.
struct ThaiMonth {
    full: &'static str,
    short: &'static str,
}

/// The Thai months, January first.
const THAI_MONTHS: [ThaiMonth; 12] = [
    ThaiMonth {
        full: "มกราคม",
        short: "ม.ค.",
    },
    ThaiMonth {
        full: "กุมภาพันธ์",
        short: "ก.พ.",
    },
    ThaiMonth {
        full: "มีนาคม",
        short: "มี.ค.",
    },
    ThaiMonth {
        full: "เมษายน",
        short: "เม.ย.",
    },
    ThaiMonth {
        full: "พฤษภาคม",
        short: "พ.ค.",
    },
    ThaiMonth {
        full: "มิถุนายน",
        short: "มิ.ย.",
    },
    ThaiMonth {
        full: "กรกฎาคม",
        short: "ก.ค.",
    },
    ThaiMonth {
        full: "สิงหาคม",
        short: "ส.ค.",
    },
    ThaiMonth {
        full: "กันยายน",
        short: "ก.ย.",
    },
    ThaiMonth {
        full: "ตุลาคม",
        short: "ต.ค.",
    },
    ThaiMonth {
        full: "พฤศจิกายน",
        short: "พ.ย.",
    },
    ThaiMonth {
        full: "ธันวาคม",
        short: "ธ.ค.",
    },
];

/// The era markers พ.ศ. and ค.ศ. with their dots removed.
const BE_MARKER: &str = "พศ";
const CE_MARKER: &str = "คศ";

/// The era a year was written in.
#[derive(Clone, Copy)]
enum Era {
    Buddhist,
    Common,
}

/// The parts of a date as written, before any checks on their values.
struct WrittenDate<'a> {
    day: &'a str,
    month: Month<'a>,
    year: &'a str,
    era: Option<Era>,
}

/// A month as written: digits, or a Thai name already looked up (1–12).
enum Month<'a> {
    Digits(&'a str),
    Number(u32),
}

/// Reads a date as Thai people write it and returns it in the Common Era.
///
/// Accepts, after trimming and converting Thai digits:
/// - day/month/year: `15/08/2530`, `1/8/1987`, with `/`, `-` or `.` between the parts;
/// - year-month-day: `1987-08-15`, `2530-08-15`;
/// - a Thai month name, full or abbreviated, with or without an era marker:
///   `15 ส.ค. 2530`, `15 สิงหาคม 2530`, `15 สิงหาคม พ.ศ. 2530`, `15 ส.ค. ค.ศ. 1987`.
///
/// A year from [`BE_YEAR_MIN`] to [`BE_YEAR_MAX`] is B.E., one from [`CE_YEAR_MIN`] to
/// [`CE_YEAR_MAX`] is C.E.; when พ.ศ. or ค.ศ. is written the year must lie in that era's range.
/// Leap days are checked in C.E., where the leap-year rule applies: 29/02/2531 (1988) exists,
/// 29/02/2530 (1987) does not.
pub fn parse_thai_date(input: &str) -> Result<NaiveDate, ThaiDateError> {
    let input = input.trim();
    if input.is_empty() {
        return Err(ThaiDateError::Empty);
    }
    let unrecognised = || ThaiDateError::Unrecognised {
        input: input.to_owned(),
    };
    let ascii = to_ascii_digits(input);
    let written = if ascii
        .chars()
        .all(|c| c.is_ascii_digit() || is_date_separator(c) || c.is_whitespace())
    {
        numeric_parts(&ascii)
    } else {
        thai_month_parts(&ascii)
    }
    .ok_or_else(unrecognised)?;

    let year = year_ce(input, written.year, written.era)?;
    // Day and month have at most two digits here, so parsing cannot overflow.
    let day: u32 = written.day.parse().map_err(|_| unrecognised())?;
    let month = match written.month {
        Month::Digits(digits) => digits.parse().map_err(|_| unrecognised())?,
        Month::Number(number) => number,
    };
    NaiveDate::from_ymd_opt(year, month, day).ok_or_else(|| ThaiDateError::NoSuchDate {
        input: input.to_owned(),
    })
}

/// Whether `c` separates the parts of a numeric date.
fn is_date_separator(c: char) -> bool {
    matches!(c, '/' | '-' | '.')
}

/// Splits `15/08/2530` or `2530-08-15` into its parts.
fn numeric_parts(ascii: &str) -> Option<WrittenDate<'_>> {
    let parts: Vec<&str> = ascii.split(is_date_separator).map(str::trim).collect();
    let [first, second, third] = parts.as_slice() else {
        return None;
    };
    if !parts
        .iter()
        .all(|part| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit()))
    {
        return None;
    }
    let (day, month, year) = if first.len() == 4 {
        (*third, *second, *first)
    } else {
        (*first, *second, *third)
    };
    (day.len() <= 2 && month.len() <= 2).then_some(WrittenDate {
        day,
        month: Month::Digits(month),
        year,
        era: None,
    })
}

/// Splits `15 ส.ค. 2530` or `15 สิงหาคม พ.ศ. 2530` into its parts.
fn thai_month_parts(ascii: &str) -> Option<WrittenDate<'_>> {
    let after_day = ascii.trim_start_matches(|c: char| c.is_ascii_digit());
    let day = &ascii[..ascii.len() - after_day.len()];
    let middle = after_day.trim_end_matches(|c: char| c.is_ascii_digit());
    let year = &after_day[middle.len()..];
    if !(1..=2).contains(&day.len()) || year.is_empty() {
        return None;
    }

    // Dots and spaces are dropped so ส.ค., ส.ค and สค all match, as people write all three.
    let name: String = middle
        .chars()
        .filter(|&c| !c.is_whitespace() && !matches!(c, '.' | ',' | '-' | '/'))
        .collect();
    let (name, era) = if let Some(name) = name.strip_suffix(BE_MARKER) {
        (name, Some(Era::Buddhist))
    } else if let Some(name) = name.strip_suffix(CE_MARKER) {
        (name, Some(Era::Common))
    } else {
        (name.as_str(), None)
    };
    let month = THAI_MONTHS.iter().position(|month| {
        month.full == name || month.short.chars().filter(|&c| c != '.').eq(name.chars())
    })?;
    Some(WrittenDate {
        day,
        // `position` in a 12-entry table is below 12.
        month: Month::Number(month as u32 + 1),
        year,
        era,
    })
}

/// The C.E. year for the year digits as written, in the era written or implied by the number.
fn year_ce(input: &str, digits: &str, era: Option<Era>) -> Result<i32, ThaiDateError> {
    if digits.len() == 2 {
        return Err(ThaiDateError::TwoDigitYear {
            input: input.to_owned(),
        });
    }
    let year: i32 = digits.parse().map_err(|_| ThaiDateError::Unrecognised {
        input: input.to_owned(),
    })?;
    let era = era.unwrap_or(if year >= BE_YEAR_MIN {
        Era::Buddhist
    } else {
        Era::Common
    });
    match era {
        Era::Buddhist if (BE_YEAR_MIN..=BE_YEAR_MAX).contains(&year) => Ok(year - BE_OFFSET_YEARS),
        Era::Common if (CE_YEAR_MIN..=CE_YEAR_MAX).contains(&year) => Ok(year),
        _ => Err(ThaiDateError::YearOutOfRange {
            input: input.to_owned(),
            year,
        }),
    }
}

/// The date as dd/mm/yyyy in B.E., the usual Thai form: `15/08/2530`.
pub fn format_be(date: NaiveDate) -> String {
    format!(
        "{:02}/{:02}/{}",
        date.day(),
        date.month(),
        date.year() + BE_OFFSET_YEARS
    )
}

/// The date with the abbreviated Thai month and the B.E. year, as on receipts: `15 ส.ค. 2530`
/// (the day without a leading zero: `5 ส.ค. 2530`).
pub fn format_thai_short(date: NaiveDate) -> String {
    // `month0` is 0..=11, always an index into the 12 months.
    let month = &THAI_MONTHS[date.month0() as usize];
    format!(
        "{} {} {}",
        date.day(),
        month.short,
        date.year() + BE_OFFSET_YEARS
    )
}

/// The date as dd/mm/yyyy in C.E.: `15/08/1987`.
pub fn format_ce(date: NaiveDate) -> String {
    format!("{:02}/{:02}/{:04}", date.day(), date.month(), date.year())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Days;
    use proptest::prelude::*;

    fn date(year: i32, month: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(year, month, day).unwrap()
    }

    fn parse(input: &str) -> NaiveDate {
        parse_thai_date(input).unwrap()
    }

    #[test]
    fn day_first_dates_in_either_era_give_the_same_day() {
        let expected = date(1987, 8, 15);
        for written in [
            "15/08/2530",
            "15/8/2530",
            "15-08-2530",
            "15.08.2530",
            " 15 / 08 / 2530 ",
            "15/08/1987",
            "๑๕/๐๘/๒๕๓๐",
            "1987-08-15",
            "2530-08-15",
            "1987/8/15",
        ] {
            assert_eq!(parse_thai_date(written), Ok(expected), "{written}");
        }
        assert_eq!(parse("1/2/2530"), date(1987, 2, 1));
    }

    #[test]
    fn thai_month_names_are_read_full_or_abbreviated() {
        let expected = date(1987, 8, 15);
        for written in [
            "15 ส.ค. 2530",
            "15 ส.ค 2530",
            "15 สค 2530",
            "15ส.ค.2530",
            "15 สิงหาคม 2530",
            "15 สิงหาคม พ.ศ. 2530",
            "15 ส.ค. ค.ศ. 1987",
            "๑๕ ส.ค. ๒๕๓๐",
        ] {
            assert_eq!(parse_thai_date(written), Ok(expected), "{written}");
        }
        for (month, number) in THAI_MONTHS.iter().zip(1..) {
            assert_eq!(
                parse(&format!("1 {} 2530", month.full)),
                date(1987, number, 1)
            );
            assert_eq!(
                parse(&format!("1 {} 2530", month.short)),
                date(1987, number, 1)
            );
        }
    }

    #[test]
    fn blank_input_is_empty() {
        assert_eq!(parse_thai_date(" \t"), Err(ThaiDateError::Empty));
    }

    #[test]
    fn unknown_forms_are_unrecognised() {
        for written in [
            "15/08",
            "15/08/2530/1",
            "2530",
            "15 Aug 1987",
            "15 ส.ค.",
            "ส.ค. 2530",
            "15//2530",
            "115/08/2530",
            "15/08/99999999999",
            "15 สิงหา 2530",
        ] {
            assert_eq!(
                parse_thai_date(written),
                Err(ThaiDateError::Unrecognised {
                    input: written.into()
                }),
                "{written}"
            );
        }
        let message = ThaiDateError::Unrecognised { input: "x".into() }.to_string();
        assert!(message.contains("15/08/2530") && message.contains("15 ส.ค. 2530"));
    }

    #[test]
    fn two_digit_years_are_refused_as_ambiguous() {
        for written in ["15/08/30", "15/08/87", "87-08-15", "15 ส.ค. 30"] {
            assert_eq!(
                parse_thai_date(written),
                Err(ThaiDateError::TwoDigitYear {
                    input: written.into()
                }),
                "{written}"
            );
        }
        let message = ThaiDateError::TwoDigitYear {
            input: "15/08/30".into(),
        }
        .to_string();
        assert!(message.contains("all 4 digits") && message.contains("15/08/2530"));
    }

    #[test]
    fn years_outside_both_eras_are_out_of_range() {
        for (written, year) in [
            ("15/08/253", 253),
            ("15/08/1799", 1799),
            ("15/08/3000", 3000),
            ("15/08/25300", 25300),
            ("15/08/0087", 87),
            ("15 ส.ค. พ.ศ. 1987", 1987),
            ("15 ส.ค. ค.ศ. 2530", 2530),
        ] {
            assert_eq!(
                parse_thai_date(written),
                Err(ThaiDateError::YearOutOfRange {
                    input: written.into(),
                    year
                }),
                "{written}"
            );
        }
        let message = ThaiDateError::YearOutOfRange {
            input: "x".into(),
            year: 3000,
        }
        .to_string();
        assert!(message.contains("from 1800 to 2399 (C.E.) or from 2400 to 2999 (B.E.)"));
    }

    #[test]
    fn the_era_boundary_is_at_2400() {
        assert_eq!(parse("01/01/2399"), date(2399, 1, 1));
        assert_eq!(parse("01/01/2400"), date(1857, 1, 1));
        assert_eq!(parse("31/12/2999"), date(2456, 12, 31));
        assert_eq!(parse("01/01/1800"), date(1800, 1, 1));
    }

    #[test]
    fn impossible_days_and_months_are_no_such_date() {
        for written in [
            "31/02/2530",
            "31/04/1987",
            "00/08/2530",
            "15/13/2530",
            "15/00/2530",
        ] {
            assert_eq!(
                parse_thai_date(written),
                Err(ThaiDateError::NoSuchDate {
                    input: written.into()
                }),
                "{written}"
            );
        }
    }

    #[test]
    fn leap_days_follow_the_common_era_year() {
        // 2531 B.E. is not divisible by 4 but 1988 C.E. is; 2443 B.E. is 1900, not a leap year.
        assert_eq!(parse("29/02/2531"), date(1988, 2, 29));
        assert!(matches!(
            parse_thai_date("29/02/2530"),
            Err(ThaiDateError::NoSuchDate { .. })
        ));
        assert!(matches!(
            parse_thai_date("29/02/2443"),
            Err(ThaiDateError::NoSuchDate { .. })
        ));
        assert_eq!(parse("29/02/2543"), date(2000, 2, 29));
    }

    #[test]
    fn dates_are_formatted_the_thai_way() {
        let d = date(1987, 8, 15);
        assert_eq!(format_be(d), "15/08/2530");
        assert_eq!(format_ce(d), "15/08/1987");
        assert_eq!(format_thai_short(d), "15 ส.ค. 2530");
        assert_eq!(format_thai_short(date(2024, 1, 5)), "5 ม.ค. 2567");
        assert_eq!(format_be(date(2024, 1, 5)), "05/01/2567");
    }

    /// Days from 1900-01-01 to 2099-12-31.
    fn day_in_1900s_or_2000s() -> impl Strategy<Value = NaiveDate> {
        let first = date(1900, 1, 1);
        let days = u64::try_from((date(2099, 12, 31) - first).num_days()).unwrap();
        (0..=days).prop_map(move |offset| first.checked_add_days(Days::new(offset)).unwrap())
    }

    proptest! {
        #[test]
        fn every_formatted_date_parses_back_to_itself(d in day_in_1900s_or_2000s()) {
            prop_assert_eq!(parse_thai_date(&format_be(d)), Ok(d));
            prop_assert_eq!(parse_thai_date(&format_ce(d)), Ok(d));
            prop_assert_eq!(parse_thai_date(&format_thai_short(d)), Ok(d));
            let iso = format!("{:04}-{:02}-{:02}", d.year(), d.month(), d.day());
            prop_assert_eq!(parse_thai_date(&iso), Ok(d));
        }

        #[test]
        fn arbitrary_text_never_panics(input in any::<String>()) {
            let _ = parse_thai_date(&input);
        }

        #[test]
        fn date_like_text_never_panics_and_stays_in_range(
            input in "[0-9๐-๙/.\\- ]{0,12}(ส\\.ค\\.|สิงหาคม|พ\\.ศ\\.|ก)?[0-9๐-๙ ]{0,6}",
        ) {
            if let Ok(d) = parse_thai_date(&input) {
                prop_assert!((CE_YEAR_MIN..=BE_YEAR_MAX - BE_OFFSET_YEARS).contains(&d.year()));
            }
        }
    }
}
