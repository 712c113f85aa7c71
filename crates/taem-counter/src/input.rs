//! Small parsers for what a person types on the command line or a POS sends on a batch line.

pub use taem_replica::branch_code;

/// Replaces the typographic minus (U+2212 `−`, what word processors and our own help text
/// print) with the ASCII `-` the number parsers read.
pub fn ascii_minus(text: &str) -> String {
    text.replace('\u{2212}', "-")
}

/// Reads a `--limit`: a whole number of at least 1 (0 would ask for nothing).
pub fn limit(text: &str) -> Result<usize, String> {
    match text.trim().parse::<usize>() {
        Ok(0) => Err("0 is not a limit: give 1 or more".into()),
        Ok(n) => Ok(n),
        Err(_) => Err(format!(
            "`{text}` is not a limit: give a whole number, 1 or more"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn branch_codes_are_upper_cased_and_spaces_or_thai_letters_refused() {
        assert_eq!(branch_code(" cnx01 ").unwrap(), "CNX01");
        assert_eq!(branch_code("HQ-2_b").unwrap(), "HQ-2_B");
        for bad in ["", "  ", "BKK 01", "สาขา1", "ABCDEFGHIJKLMNOPQ"] {
            assert!(branch_code(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn a_typographic_minus_reads_as_a_minus() {
        assert_eq!(ascii_minus("−5"), "-5");
        assert_eq!(ascii_minus("+5"), "+5");
    }

    #[test]
    fn a_limit_of_zero_is_refused() {
        assert!(limit("0").is_err());
        assert_eq!(limit("3"), Ok(3));
        assert!(limit("-1").is_err());
    }
}
