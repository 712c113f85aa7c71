//! Thai mobile phone numbers, the key a member is found by at the counter.
//!
//! A [`Phone`] can only hold a Thai mobile number in its national form: 10 ASCII digits starting
//! with `06`, `08` or `09`. Landlines are refused because members are reached by SMS and LINE,
//! which need a mobile. However the number was typed — `081-234-5678`, `+66 81 234 5678`,
//! `๐๘๑-๒๓๔-๕๖๗๘` — it is stored and compared in that one form, so the same member is never
//! registered twice under two spellings of one number.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize, Serializer};
use thiserror::Error;

use crate::digits::{is_digit_separator, to_ascii_digit};

/// Number of digits in a Thai mobile number written nationally, trunk `0` included.
pub const PHONE_DIGITS: usize = 10;

/// Thailand's country calling code, as written after `+` or `00`.
const COUNTRY_CODE: &str = "66";

/// The international call prefix dialled from Thailand before a country code.
const INTERNATIONAL_PREFIX: &str = "00";

/// Second digits that make a national number a mobile number (`06…`, `08…`, `09…`).
const MOBILE_SECOND_DIGITS: [u8; 3] = [b'6', b'8', b'9'];

/// Number of digits in a Thai landline number written nationally (`02-123-4567`).
const LANDLINE_DIGITS: usize = 9;

/// Second digits of landline area codes (`02` Bangkok, `03x`, `04x`, `05x`, `07x` provinces).
const LANDLINE_SECOND_DIGITS: [u8; 5] = [b'2', b'3', b'4', b'5', b'7'];

/// Why text could not be read as a Thai mobile number.
///
/// Every variant keeps the input and the facts the message is built from, so the UI can show
/// its own Thai wording instead of this English one.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum PhoneError {
    /// Nothing but whitespace was entered.
    #[error("no phone number was entered: type the member's mobile number, like 081-234-5678")]
    Empty,

    /// A character that cannot be part of a phone number, such as a letter.
    #[error(
        "phone number {input:?} contains {character:?} at position {}, which cannot be part of \
         a phone number: type only digits, optionally with spaces or dashes, like 081-234-5678",
        .position + 1
    )]
    InvalidCharacter {
        /// The input, trimmed.
        input: String,
        /// The first character that was not accepted.
        character: char,
        /// Where `character` is in `input`, counted in characters from 0.
        position: usize,
    },

    /// The number has too few or too many digits.
    #[error(
        "phone number {input:?} has {digits} digits, but a Thai mobile number has 10 digits, \
         like 081-234-5678: check for a missing or extra digit"
    )]
    WrongLength {
        /// The input, trimmed.
        input: String,
        /// How many digits the number has in its national form (with the leading `0`, after
        /// dropping any `+66`), which is what the member would count on their own phone.
        digits: usize,
    },

    /// The number is not a Thai mobile number: a landline (`02-123-4567`, which has only 9
    /// digits), 10 digits outside the mobile ranges, or a foreign number after `+`.
    #[error(
        "{input:?} is not a Thai mobile number: a mobile number starts with 06, 08 or 09, like \
         081-234-5678; landline and foreign numbers cannot be used because members are \
         contacted on their mobile"
    )]
    NotMobile {
        /// The input, trimmed.
        input: String,
    },
}

impl PhoneError {
    /// The message in Thai, for the window and the import report.
    pub fn th(&self) -> String {
        match self {
            PhoneError::Empty => {
                "ยังไม่ได้กรอกเบอร์โทรศัพท์: กรอกเบอร์มือถือของสมาชิก เช่น 081-234-5678".into()
            }
            PhoneError::InvalidCharacter {
                input, character, ..
            } => format!(
                "เบอร์โทรศัพท์ \"{input}\" มีตัวอักษร \"{character}\" ที่ใช้ในเบอร์โทรไม่ได้: กรอกเฉพาะตัวเลข เช่น 081-234-5678"
            ),
            PhoneError::WrongLength { input, digits } => format!(
                "เบอร์โทรศัพท์ \"{input}\" มี {digits} หลัก แต่เบอร์มือถือไทยมี 10 หลัก เช่น 081-234-5678: ตรวจสอบว่าขาดหรือเกินหลักใด"
            ),
            PhoneError::NotMobile { input } => format!(
                "\"{input}\" ไม่ใช่เบอร์มือถือไทย: เบอร์มือถือขึ้นต้นด้วย 06, 08 หรือ 09 เช่น 081-234-5678 (ใช้เบอร์บ้านหรือเบอร์ต่างประเทศไม่ได้)"
            ),
        }
    }
}

/// A Thai mobile number, always held as 10 ASCII digits starting with `06`, `08` or `09`
/// (for example `0812345678`).
///
/// Build one with [`Phone::parse`] (or `str::parse`, `TryFrom<String>`, serde); there is no other
/// way in, so every `Phone` is valid and equal numbers compare equal however they were typed.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize)]
#[serde(try_from = "String")]
pub struct Phone(String);

impl Phone {
    /// Reads a Thai mobile number as people type it.
    ///
    /// Trims surrounding whitespace, converts Thai digits, and ignores spaces, `-`, `.`, `(` and
    /// `)`. Accepts the national form (`081-234-5678`) and the international forms `+66…`,
    /// `0066…` and `66…` (the last only when it has 11 digits, so it cannot be mistaken for a
    /// mistyped national number). A redundant trunk `0` after the country code is tolerated
    /// (`+66 081 234 5678`, `+66(0)812345678`).
    pub fn parse(input: &str) -> Result<Phone, PhoneError> {
        let input = input.trim();
        if input.is_empty() {
            return Err(PhoneError::Empty);
        }

        let mut digits = String::with_capacity(input.len());
        let mut international = false;
        for (position, character) in input.chars().enumerate() {
            let ascii = to_ascii_digit(character);
            if ascii.is_ascii_digit() {
                digits.push(ascii);
            } else if ascii == '+' && position == 0 {
                international = true;
            } else if !is_digit_separator(ascii) {
                return Err(PhoneError::InvalidCharacter {
                    input: input.to_owned(),
                    character,
                    position,
                });
            }
        }

        let national = national_form(input, &digits, international)?;
        if is_landline(&national) {
            // Saying "not a mobile" helps more than "9 digits" when a shop's number was given.
            return Err(PhoneError::NotMobile {
                input: input.to_owned(),
            });
        }
        if national.len() != PHONE_DIGITS {
            return Err(PhoneError::WrongLength {
                input: input.to_owned(),
                digits: national.len(),
            });
        }
        if !is_mobile(&national) {
            return Err(PhoneError::NotMobile {
                input: input.to_owned(),
            });
        }
        Ok(Phone(national))
    }

    /// The number as 10 ASCII digits, like `0812345678`.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The last four digits (`5678`), which cashiers read back to confirm the member without
    /// saying the whole number aloud.
    pub fn last4(&self) -> &str {
        // The invariant (10 ASCII digits) makes every index a character boundary.
        &self.0[PHONE_DIGITS - 4..]
    }

    /// The number grouped the way Thais write it: `081-234-5678`.
    pub fn display_grouped(&self) -> String {
        // The invariant (10 ASCII digits) makes every index a character boundary.
        format!("{}-{}-{}", &self.0[..3], &self.0[3..6], &self.0[6..])
    }
}

/// Turns the digits of any accepted form into the national form, without checking its length.
fn national_form(input: &str, digits: &str, international: bool) -> Result<String, PhoneError> {
    let after_country_code = if international {
        // After `+` only Thailand's code can follow: a foreign number is never a Thai mobile.
        match digits.strip_prefix(COUNTRY_CODE) {
            Some(rest) => Some(rest),
            None => {
                return Err(PhoneError::NotMobile {
                    input: input.to_owned(),
                });
            }
        }
    } else if let Some(rest) = digits
        .strip_prefix(INTERNATIONAL_PREFIX)
        .and_then(|rest| rest.strip_prefix(COUNTRY_CODE))
    {
        Some(rest)
    } else if digits.len() == COUNTRY_CODE.len() + PHONE_DIGITS - 1 {
        // A national number always starts with 0, so 11 digits starting with 66 can only be
        // the international form with the `+` left off.
        digits.strip_prefix(COUNTRY_CODE)
    } else {
        None
    };

    Ok(match after_country_code {
        None => digits.to_owned(),
        // People who know the national form often keep its 0: `+66 (0)81…`.
        Some(rest) if rest.starts_with('0') => rest.to_owned(),
        Some(rest) => format!("0{rest}"),
    })
}

/// Whether a 10-digit national number belongs to a mobile range.
fn is_mobile(national: &str) -> bool {
    match national.as_bytes() {
        [b'0', second, ..] => MOBILE_SECOND_DIGITS.contains(second),
        _ => false,
    }
}

/// Whether a national number has the shape of a Thai landline number.
fn is_landline(national: &str) -> bool {
    match national.as_bytes() {
        [b'0', second, ..] => {
            national.len() == LANDLINE_DIGITS && LANDLINE_SECOND_DIGITS.contains(second)
        }
        _ => false,
    }
}

impl fmt::Display for Phone {
    /// Writes the 10 digits without separators, the form stored and sent to SMS gateways; use
    /// [`Phone::display_grouped`] for people.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for Phone {
    type Err = PhoneError;

    fn from_str(input: &str) -> Result<Self, Self::Err> {
        Phone::parse(input)
    }
}

impl TryFrom<String> for Phone {
    type Error = PhoneError;

    fn try_from(input: String) -> Result<Self, Self::Error> {
        Phone::parse(&input)
    }
}

impl From<Phone> for String {
    fn from(phone: Phone) -> String {
        phone.0
    }
}

impl Serialize for Phone {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn phone(input: &str) -> Phone {
        Phone::parse(input).unwrap()
    }

    #[test]
    fn every_common_way_of_writing_a_mobile_number_gives_the_same_phone() {
        for written in [
            "0812345678",
            "081-234-5678",
            "081 234 5678",
            "081.234.5678",
            "(081) 234-5678",
            "  081-234-5678\n",
            "+66812345678",
            "+66 81 234 5678",
            "+66-81-234-5678",
            "+66 081 234 5678",
            "+66(0)812345678",
            "0066812345678",
            "0066 81 234 5678",
            "66812345678",
            "๐๘๑-๒๓๔-๕๖๗๘",
            "+๖๖ ๘๑ ๒๓๔ ๕๖๗๘",
        ] {
            assert_eq!(
                Phone::parse(written).map(String::from),
                Ok("0812345678".into()),
                "{written}"
            );
        }
    }

    #[test]
    fn numbers_starting_06_08_or_09_are_mobiles() {
        assert_eq!(phone("061 234 5678").as_str(), "0612345678");
        assert_eq!(phone("089 999 0000").as_str(), "0899990000");
        assert_eq!(phone("099-000-1111").as_str(), "0990001111");
    }

    #[test]
    fn blank_input_is_empty() {
        assert_eq!(Phone::parse(""), Err(PhoneError::Empty));
        assert_eq!(Phone::parse(" \t\n"), Err(PhoneError::Empty));
    }

    #[test]
    fn a_letter_is_reported_with_its_position() {
        let error = Phone::parse(" 081-23x-5678").unwrap_err();
        assert_eq!(
            error,
            PhoneError::InvalidCharacter {
                input: "081-23x-5678".into(),
                character: 'x',
                position: 6,
            }
        );
        let message = error.to_string();
        assert!(message.contains("\"081-23x-5678\""), "{message}");
        assert!(message.contains("'x' at position 7"), "{message}");
    }

    #[test]
    fn a_plus_is_accepted_only_at_the_start() {
        assert!(matches!(
            Phone::parse("66+812345678"),
            Err(PhoneError::InvalidCharacter {
                character: '+',
                position: 2,
                ..
            })
        ));
        assert!(matches!(
            Phone::parse("++66812345678"),
            Err(PhoneError::InvalidCharacter {
                character: '+',
                position: 1,
                ..
            })
        ));
    }

    #[test]
    fn slashes_and_tabs_are_not_separators() {
        assert!(matches!(
            Phone::parse("081/234/5678"),
            Err(PhoneError::InvalidCharacter { character: '/', .. })
        ));
        assert!(matches!(
            Phone::parse("081\t2345678"),
            Err(PhoneError::InvalidCharacter {
                character: '\t',
                ..
            })
        ));
    }

    #[test]
    fn a_missing_or_extra_digit_is_a_wrong_length() {
        let short = PhoneError::WrongLength {
            input: "081-234-567".into(),
            digits: 9,
        };
        assert_eq!(Phone::parse("081-234-567"), Err(short.clone()));
        assert!(short.to_string().contains("has 9 digits"));
        assert!(short.to_string().contains("10 digits, like 081-234-5678"));
        assert!(matches!(
            Phone::parse("081-234-56789"),
            Err(PhoneError::WrongLength { digits: 11, .. })
        ));
        assert!(matches!(
            Phone::parse("---"),
            Err(PhoneError::WrongLength { digits: 0, .. })
        ));
    }

    #[test]
    fn the_length_after_a_country_code_is_counted_in_the_national_form() {
        assert!(matches!(
            Phone::parse("+66 81 234 567"),
            Err(PhoneError::WrongLength { digits: 9, .. })
        ));
        assert!(matches!(
            Phone::parse("+66 081 234 56789"),
            Err(PhoneError::WrongLength { digits: 11, .. })
        ));
    }

    #[test]
    fn sixty_six_without_a_plus_is_a_country_code_only_with_eleven_digits() {
        // 12 digits: with a plus this would be +66 0…, without one it is simply too long.
        assert!(matches!(
            Phone::parse("660812345678"),
            Err(PhoneError::WrongLength { digits: 12, .. })
        ));
        // 10 digits starting 66 is a national number that does not start with 0.
        assert!(matches!(
            Phone::parse("6681234567"),
            Err(PhoneError::NotMobile { .. })
        ));
    }

    #[test]
    fn landlines_and_foreign_numbers_are_not_mobiles() {
        for written in [
            "02-123-4567",
            "+66 2 123 4567",
            "053-123-456",
            "0212345678",
            "0712345678",
            "8123456789",
            "+1 212 555 0100",
        ] {
            assert_eq!(
                Phone::parse(written),
                Err(PhoneError::NotMobile {
                    input: written.into()
                }),
                "{written}"
            );
        }
        let message = PhoneError::NotMobile {
            input: "02-123-4567".into(),
        }
        .to_string();
        assert!(message.contains("\"02-123-4567\" is not a Thai mobile number"));
        assert!(message.contains("starts with 06, 08 or 09"));
    }

    #[test]
    fn accessors_show_the_number_for_people_and_machines() {
        let p = phone("+66 81 234 5678");
        assert_eq!(p.as_str(), "0812345678");
        assert_eq!(p.to_string(), "0812345678");
        assert_eq!(p.last4(), "5678");
        assert_eq!(p.display_grouped(), "081-234-5678");
    }

    #[test]
    fn from_str_and_try_from_agree_with_parse() {
        assert_eq!("081-234-5678".parse::<Phone>(), Ok(phone("0812345678")));
        assert_eq!(
            Phone::try_from("081 234 5678".to_owned()),
            Ok(phone("0812345678"))
        );
        assert_eq!(Phone::try_from(String::new()), Err(PhoneError::Empty));
    }

    #[test]
    fn serde_writes_the_normalised_number_and_rejects_invalid_ones() {
        let p = phone("081-234-5678");
        assert_eq!(serde_json::to_string(&p).unwrap(), "\"0812345678\"");
        let read: Phone = serde_json::from_str("\"+66 81 234 5678\"").unwrap();
        assert_eq!(read, p);
        let error = serde_json::from_str::<Phone>("\"081-234-567\"").unwrap_err();
        assert!(error.to_string().contains("has 9 digits"), "{error}");
        assert!(serde_json::from_str::<Phone>("812345678").is_err());
    }

    fn thai_digit(ascii: char) -> char {
        "๐๑๒๓๔๕๖๗๘๙"
            .chars()
            .nth(ascii.to_digit(10).unwrap() as usize)
            .unwrap()
    }

    /// A valid national mobile number, like `0812345678`.
    fn national_mobile() -> impl Strategy<Value = String> {
        (prop::sample::select(vec!['6', '8', '9']), "[0-9]{8}")
            .prop_map(|(second, rest)| format!("0{second}{rest}"))
    }

    /// How the digits before the subscriber number are written, and whether a `+` comes first.
    const WRITTEN_PREFIXES: [(bool, &str); 6] = [
        (false, "0"),
        (true, "66"),
        (true, "660"),
        (false, "0066"),
        (false, "00660"),
        (false, "66"),
    ];

    /// Characters put after a digit; `""` most often so runs of digits stay common.
    const SEPARATORS_WRITTEN: [&str; 8] = ["", "", "", " ", "-", ".", "(", ")"];

    proptest! {
        #[test]
        fn any_written_form_of_a_mobile_normalises_to_the_same_phone(
            national in national_mobile(),
            prefix in 0..WRITTEN_PREFIXES.len(),
            separators in prop::collection::vec(0..SEPARATORS_WRITTEN.len(), 16),
            in_thai in prop::collection::vec(any::<bool>(), 16),
            leading in "[ \t\n]{0,2}",
            trailing in "[ \t\n]{0,2}",
        ) {
            let (plus, prefix) = WRITTEN_PREFIXES[prefix];
            let digits = format!("{prefix}{}", &national[1..]);
            let mut written = leading;
            if plus {
                written.push('+');
            }
            for (i, digit) in digits.chars().enumerate() {
                written.push(if in_thai[i] { thai_digit(digit) } else { digit });
                written.push_str(SEPARATORS_WRITTEN[separators[i]]);
            }
            written.push_str(&trailing);

            let parsed = Phone::parse(&written);
            prop_assert_eq!(parsed.as_ref().map(Phone::as_str), Ok(national.as_str()), "{:?}", written);
        }

        #[test]
        fn parsing_a_phone_again_gives_the_same_phone(national in national_mobile()) {
            let p = phone(&national);
            prop_assert_eq!(Phone::parse(p.as_str()), Ok(p.clone()));
            prop_assert_eq!(Phone::parse(&p.to_string()), Ok(p.clone()));
            prop_assert_eq!(Phone::parse(&p.display_grouped()), Ok(p.clone()));
            let json = serde_json::to_string(&p).unwrap();
            prop_assert_eq!(serde_json::from_str::<Phone>(&json).unwrap(), p);
        }

        #[test]
        fn arbitrary_text_never_panics(input in any::<String>()) {
            let _ = Phone::parse(&input);
        }

        #[test]
        fn whatever_parses_is_ten_digits_of_a_mobile_range(
            input in "[0-9๐-๙+() .\\-a]{0,20}"
        ) {
            if let Ok(p) = Phone::parse(&input) {
                let s = p.as_str();
                prop_assert_eq!(s.len(), PHONE_DIGITS);
                prop_assert!(s.bytes().all(|b| b.is_ascii_digit()));
                prop_assert!(s.starts_with("06") || s.starts_with("08") || s.starts_with("09"));
                prop_assert_eq!(p.last4(), &s[6..]);
            }
        }
    }
}
