//! Small parsers for what a person types on the command line or a POS sends on a batch line.

pub use taem_replica::branch_code;

/// Replaces the typographic minus (U+2212 `−`, what word processors and our own help text
/// print) with the ASCII `-` the number parsers read.
pub fn ascii_minus(text: &str) -> String {
    text.replace('\u{2212}', "-")
}

/// The longest `--wait-ms` (10 minutes): a counter waiting longer for a lock is better told
/// that another program holds it. (SQLite takes at most `i32::MAX` ms, ≈ 24.8 days.)
pub const WAIT_MS_MAX: u64 = 600_000;

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

/// Reads a limit of at most `max`: a larger one is refused rather than quietly cut to `max`
/// (the caller would take the answer for complete).
fn limit_at_most(text: &str, max: usize, what: &str) -> Result<usize, String> {
    let n = limit(text)?;
    if n > max {
        return Err(format!("{n} is more than {what} can give: give 1 to {max}"));
    }
    Ok(n)
}

/// The most members one search answers with (the replica cuts a larger limit down).
pub const SEARCH_LIMIT_MAX: usize = taem_replica::SEARCH_RESULTS_MAX;
/// The most lines one `history` answers with (likewise).
pub const HISTORY_LIMIT_MAX: usize = taem_replica::HISTORY_ITEMS_MAX;

/// Reads a `member find --limit` (and a batch `find` line's limit): 1 to [`SEARCH_LIMIT_MAX`].
pub fn search_limit(text: &str) -> Result<usize, String> {
    limit_at_most(text, SEARCH_LIMIT_MAX, "a search")
}

/// Reads a `history --limit`: 1 to [`HISTORY_LIMIT_MAX`].
pub fn history_limit(text: &str) -> Result<usize, String> {
    limit_at_most(text, HISTORY_LIMIT_MAX, "a member's history")
}

/// Reads `--wait-ms`: 0 to [`WAIT_MS_MAX`].
pub fn wait_ms(text: &str) -> Result<u64, String> {
    let max = WAIT_MS_MAX;
    match text.trim().parse::<u64>() {
        Ok(ms) if ms <= max => Ok(ms),
        Ok(_) => Err(format!(
            "at most {max} ms (10 minutes) can be waited for a lock: give 0 to {max}"
        )),
        Err(_) => Err(format!(
            "`{text}` is not a number of milliseconds: give 0 to {max}, e.g. 30000"
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
    fn the_maximums_the_help_states_are_the_ones_applied() {
        // `member find --help`, `history --help`, `--wait-ms`'s help and `export --help` give
        // these numbers in words.
        assert_eq!(SEARCH_LIMIT_MAX, 100);
        assert_eq!(HISTORY_LIMIT_MAX, 1_000);
        assert_eq!(WAIT_MS_MAX, 600_000);
        assert_eq!(taem_protocol::BOOTSTRAP_RECENT_ENTRIES, 50);
        assert_eq!(search_limit("100"), Ok(100));
        assert!(search_limit("101").unwrap_err().contains("1 to 100"));
        assert!(wait_ms("600001").unwrap_err().contains("600000"));
        assert_eq!(wait_ms("0"), Ok(0));
    }

    #[test]
    fn a_limit_of_zero_is_refused() {
        assert!(limit("0").is_err());
        assert_eq!(limit("3"), Ok(3));
        assert!(limit("-1").is_err());
    }
}
