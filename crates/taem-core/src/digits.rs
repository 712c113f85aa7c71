//! Thai digits and digit separators in text typed by people.
//!
//! Cashiers and members sometimes type numbers with Thai digits (๐๑๒๓๔๕๖๗๘๙), because the
//! keyboard is in Thai mode or the number was pasted from a Thai document. Every parser that reads
//! numbers typed by a person (phone numbers, dates, member codes) converts them here first, so all
//! of them accept the same digits and the same separators.

/// Thai digit zero (๐, U+0E50); the ten Thai digits are contiguous from here, in value order.
const THAI_DIGIT_ZERO: u32 = 0x0E50;

/// The characters people put between groups of digits (`081-234-5678`, `(02) 123.4567`) and that
/// [`digits_only`] removes. Tab and `/` are deliberately absent: a tab means two fields were pasted
/// together and `/` separates the parts of a date, so neither belongs inside one number.
pub const DIGIT_SEPARATORS: [char; 5] = [' ', '-', '.', '(', ')'];

/// Converts a Thai digit (๐–๙) to the ASCII digit of the same value; returns any other
/// character unchanged.
pub fn to_ascii_digit(c: char) -> char {
    match c {
        '\u{0E50}'..='\u{0E59}' => {
            // The match arm guarantees 0..=9, so `from_digit` always succeeds; falling back to
            // the input keeps this total without an unwrap.
            char::from_digit(u32::from(c) - THAI_DIGIT_ZERO, 10).unwrap_or(c)
        }
        _ => c,
    }
}

/// Converts every Thai digit in `input` to ASCII (`๐๘๑` → `081`) and leaves every other
/// character as it is.
pub fn to_ascii_digits(input: &str) -> String {
    input.chars().map(to_ascii_digit).collect()
}

/// Whether `c` is one of the [`DIGIT_SEPARATORS`] people put between groups of digits.
pub fn is_digit_separator(c: char) -> bool {
    DIGIT_SEPARATORS.contains(&c)
}

/// The digits of a number as typed by a person: converts Thai digits to ASCII, removes the
/// [`DIGIT_SEPARATORS`] (space, `-`, `.`, `(`, `)`) and returns the remaining ASCII digits.
///
/// Returns `None` when nothing is left or when anything other than a digit or separator was
/// typed (a letter, a tab, a `/`, a `+`), so callers can tell "not a number" from "a number".
pub fn digits_only(input: &str) -> Option<String> {
    let digits: String = input
        .chars()
        .map(to_ascii_digit)
        .filter(|c| !is_digit_separator(*c))
        .collect();
    (!digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())).then_some(digits)
}

/// Removes the thousands separators from a number typed by a person, where they stand where
/// thousands separators go: `1,250.50` → `1250.50`, `12,500` → `12500`. `separators` are the
/// characters accepted as such (`,` always; callers may add `_` or a space).
///
/// Returns `None` when a separator stands anywhere else: `12,50` and `1.250,50` (a decimal
/// comma, as typed on a European keyboard) or `1,2,3` (a slip). Dropping those commas would
/// read the amount 100 or 1,000 times too large, so they are refused, never guessed.
pub fn ungroup_thousands(text: &str, separators: &[char]) -> Option<String> {
    let is_separator = |c: char| separators.contains(&c);
    let (whole, fraction) = match text.split_once('.') {
        Some((whole, fraction)) => (whole, Some(fraction)),
        None => (text, None),
    };
    if fraction.is_some_and(|f| f.contains(is_separator)) {
        return None;
    }
    let unsigned = whole.trim_start_matches(['+', '-']);
    if unsigned.contains(is_separator) {
        let mut groups = unsigned.split(is_separator);
        let first = groups.next().unwrap_or_default();
        if !(1..=3).contains(&first.chars().count()) {
            return None;
        }
        if !groups.all(|g| g.chars().count() == 3) {
            return None;
        }
    }
    Some(text.chars().filter(|c| !is_separator(*c)).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const THAI_DIGITS: &str = "๐๑๒๓๔๕๖๗๘๙";

    #[test]
    fn every_thai_digit_becomes_the_ascii_digit_of_the_same_value() {
        assert_eq!(to_ascii_digits(THAI_DIGITS), "0123456789");
    }

    #[test]
    fn characters_next_to_the_thai_digits_are_left_alone() {
        // U+0E4F (fongman ๏) and U+0E5A (angkhankhu ๚) sit just outside the digit block.
        assert_eq!(to_ascii_digits("\u{0E4F}\u{0E5A}"), "\u{0E4F}\u{0E5A}");
        assert_eq!(to_ascii_digits("โทร ๐๘๑-abc"), "โทร 081-abc");
    }

    #[test]
    fn thousands_separators_come_out_only_where_thousands_are() {
        for (typed, read) in [
            ("1,250.50", "1250.50"),
            ("12,500", "12500"),
            ("1,234,567", "1234567"),
            ("-1,000", "-1000"),
            ("+2,000", "+2000"),
            ("350", "350"),
            ("99.75", "99.75"),
        ] {
            assert_eq!(
                ungroup_thousands(typed, &[',']).as_deref(),
                Some(read),
                "{typed}"
            );
        }
        // A decimal comma or a slip: refused, never read 100 or 1,000 times too large.
        for typed in [
            "12,50", "1,25", "100,5", "1,2,3,4", "1.250,50", ",100", "1,0000", "1,",
        ] {
            assert_eq!(ungroup_thousands(typed, &[',']), None, "{typed}");
        }
        assert_eq!(
            ungroup_thousands("1 000", &[',', ' ']).as_deref(),
            Some("1000")
        );
        assert_eq!(ungroup_thousands("1 0", &[',', ' ']), None);
    }

    #[test]
    fn digits_only_removes_the_usual_separators() {
        assert_eq!(digits_only("081-234-5678").as_deref(), Some("0812345678"));
        assert_eq!(digits_only("(02) 123.4567").as_deref(), Some("021234567"));
        assert_eq!(digits_only(" ๐๘๑ ๒๓๔ ๕๖๗๘ ").as_deref(), Some("0812345678"));
    }

    #[test]
    fn digits_only_rejects_anything_that_is_not_a_separator() {
        assert_eq!(digits_only("081\t234"), None);
        assert_eq!(digits_only("15/08/2530"), None);
        assert_eq!(digits_only("+66812345678"), None);
        assert_eq!(digits_only("08l2345678"), None);
        assert_eq!(digits_only("๑๒a"), None);
    }

    #[test]
    fn digits_only_rejects_input_without_digits() {
        assert_eq!(digits_only(""), None);
        assert_eq!(digits_only(" - . ( ) "), None);
    }

    fn thai_digit(value: u32) -> char {
        THAI_DIGITS.chars().nth(value as usize).unwrap()
    }

    proptest! {
        #[test]
        fn conversion_keeps_the_number_of_characters(input in any::<String>()) {
            prop_assert_eq!(to_ascii_digits(&input).chars().count(), input.chars().count());
        }

        #[test]
        fn conversion_leaves_no_thai_digit_and_is_idempotent(input in any::<String>()) {
            let once = to_ascii_digits(&input);
            prop_assert!(!once.chars().any(|c| THAI_DIGITS.contains(c)));
            prop_assert_eq!(to_ascii_digits(&once), once);
        }

        #[test]
        fn text_without_thai_digits_is_unchanged(input in "[^\u{0E50}-\u{0E59}]*") {
            prop_assert_eq!(to_ascii_digits(&input), input);
        }

        #[test]
        fn digits_written_with_separators_and_thai_digits_come_back(
            written in prop::collection::vec((0u32..10, any::<bool>(), 0usize..6), 1..20)
        ) {
            let mut input = String::new();
            let mut expected = String::new();
            for (value, in_thai, separator) in written {
                let ascii = char::from_digit(value, 10).unwrap();
                input.push(if in_thai { thai_digit(value) } else { ascii });
                expected.push(ascii);
                if let Some(sep) = DIGIT_SEPARATORS.get(separator) {
                    input.push(*sep);
                }
            }
            prop_assert_eq!(digits_only(&input), Some(expected));
        }

        #[test]
        fn digits_only_returns_nothing_but_ascii_digits(input in any::<String>()) {
            if let Some(digits) = digits_only(&input) {
                prop_assert!(!digits.is_empty());
                prop_assert!(digits.bytes().all(|b| b.is_ascii_digit()));
            }
        }
    }
}
