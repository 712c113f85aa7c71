//! Member look-up at the counter: exact phone, last 4+ digits, member code / scanned card,
//! and Thai or Latin name substrings (FTS5 trigram), ranked and limited.

use rusqlite::params;
use serde::Serialize;
use taem_core::digits::digits_only;
use taem_core::member_code::looks_like_member_code;
use taem_core::{MemberCode, Phone};

use crate::Result;
use crate::error::ReplicaError;
use crate::members::{MemberKey, MemberRow, find_row, member_columns, member_from_row};
use crate::open::Replica;
use crate::views::MemberSummary;

/// The most results one search returns.
pub const SEARCH_RESULTS_MAX: usize = 100;
/// Trigram search needs 3 characters; shorter names are matched as prefixes.
const TRIGRAM_CHARS_MIN: usize = 3;

/// How the query was understood.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum SearchKind {
    /// A full mobile number.
    Phone,
    /// The last 4 or more digits of a number.
    PhoneSuffix,
    /// A member code or scanned card.
    MemberCode,
    /// Part of a name (3+ characters, anywhere in the name).
    Name,
    /// The start of a first name (1–2 characters).
    NamePrefix,
}

/// A search answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SearchResult {
    /// How the query was read.
    pub kind: SearchKind,
    /// The members found, best first.
    pub members: Vec<MemberSummary>,
    /// A hint for the cashier (e.g. a code that did not check out).
    pub hint: Option<String>,
}

/// Quotes text as one FTS5 phrase (a double quote inside is doubled).
fn fts_phrase(text: &str) -> String {
    format!("\"{}\"", text.replace('"', "\"\""))
}

fn name_rank(name: &str, query: &str) -> u8 {
    let name = name.to_lowercase();
    let query = query.to_lowercase();
    if name == query {
        0
    } else if name.starts_with(&query) {
        1
    } else if name.split(' ').any(|w| w.starts_with(&query)) {
        2
    } else {
        3
    }
}

impl Replica {
    /// Finds members from what a cashier typed or scanned.
    pub fn find(&self, query: &str, limit: usize) -> Result<SearchResult> {
        let q = query.trim();
        let limit = limit.clamp(1, SEARCH_RESULTS_MAX);
        let too_short = || ReplicaError::QueryTooShort {
            query: query.to_string(),
        };
        if q.is_empty() {
            return Err(too_short());
        }
        if q.starts_with('+') {
            let phone = Phone::parse(q)?;
            return self.exact(SearchKind::Phone, &MemberKey::Phone(phone), None);
        }
        if let Some(digits) = digits_only(q) {
            if let Some(phone) = crate::members::without_leading_zero(&digits) {
                return self.exact(SearchKind::Phone, &MemberKey::Phone(phone), None);
            }
            if digits.len() >= 9 {
                let phone = Phone::parse(q)?;
                return self.exact(SearchKind::Phone, &MemberKey::Phone(phone), None);
            }
            if digits.len() >= 4 {
                return self.by_phone_suffix(&digits, limit);
            }
            return Err(too_short());
        }
        let mut hint = None;
        if looks_like_member_code(q) {
            match MemberCode::parse(q) {
                Ok(code) => {
                    return self.exact(SearchKind::MemberCode, &MemberKey::Code(code), None);
                }
                Err(e) => hint = Some(e.to_string()),
            }
        }
        let mut result = self.by_name(q, limit)?;
        result.hint = hint;
        Ok(result)
    }

    fn exact(
        &self,
        kind: SearchKind,
        key: &MemberKey,
        hint: Option<String>,
    ) -> Result<SearchResult> {
        let settings = self.shared_settings()?;
        let row = find_row(&self.conn, key).map_err(|e| self.fail(e))?;
        Ok(SearchResult {
            kind,
            members: row.map(|r| r.summary(&settings)).into_iter().collect(),
            hint,
        })
    }

    fn by_phone_suffix(&self, digits: &str, limit: usize) -> Result<SearchResult> {
        let settings = self.shared_settings()?;
        let last4 = &digits[digits.len() - 4..];
        let fail = |e| self.fail(e);
        let mut stmt = self
            .conn
            .prepare_cached(concat!(
                "SELECT ",
                member_columns!(),
                " FROM members WHERE phone_last4 = ?1 AND phone LIKE '%' || ?2 ORDER BY id LIMIT ?3"
            ))
            .map_err(fail)?;
        let members = stmt
            .query_map(params![last4, digits, limit as i64], member_from_row)
            .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
            .map_err(fail)?;
        Ok(SearchResult {
            kind: SearchKind::PhoneSuffix,
            members: members.iter().map(|r| r.summary(&settings)).collect(),
            hint: None,
        })
    }

    fn by_name(&self, q: &str, limit: usize) -> Result<SearchResult> {
        let settings = self.shared_settings()?;
        let fail = |e| self.fail(e);
        let query = q.split_whitespace().collect::<Vec<_>>().join(" ");
        if query.chars().count() < TRIGRAM_CHARS_MIN {
            let mut stmt = self
                .conn
                .prepare_cached(concat!(
                    "SELECT ",
                    member_columns!(),
                    " FROM members WHERE first_name >= ?1 AND first_name < ?1 || char(1114111)",
                    " ORDER BY first_name, id LIMIT ?2"
                ))
                .map_err(fail)?;
            // The index orders names by their bytes: a Latin prefix is looked up in each of
            // its spellings (`jo`, `Jo`, `jO`, `JO`; at most four for two letters), so that
            // case does not matter, as it does not in the trigram search.
            let mut members = Vec::new();
            for spelling in case_spellings(&query) {
                let found = stmt
                    .query_map(params![spelling, limit as i64], member_from_row)
                    .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
                    .map_err(fail)?;
                members.extend(found);
            }
            members.sort_by(|a, b| {
                (a.profile.first_name.to_lowercase(), a.id)
                    .cmp(&(b.profile.first_name.to_lowercase(), b.id))
            });
            members.dedup_by_key(|m| m.id);
            members.truncate(limit);
            return Ok(SearchResult {
                kind: SearchKind::NamePrefix,
                members: members.iter().map(|r| r.summary(&settings)).collect(),
                hint: None,
            });
        }
        // Words of 3+ characters must all appear (in any order); shorter words are checked
        // on the page. A query of short words only is searched as one phrase.
        let words: Vec<&str> = query.split(' ').collect();
        let long: Vec<String> = words
            .iter()
            .filter(|w| w.chars().count() >= TRIGRAM_CHARS_MIN)
            .map(|w| fts_phrase(w))
            .collect();
        let expression = if long.is_empty() {
            fts_phrase(&query)
        } else {
            long.join(" ")
        };
        // The first page of matches. Scoring every match (bm25) would cost milliseconds on a
        // common syllable, so the page is ranked among itself: names that start with the query
        // come first.
        let mut rows = self.name_matches(&expression, limit)?;
        let lowered: Vec<String> = words.iter().map(|w| w.to_lowercase()).collect();
        rows.retain(|row| {
            let name = row.profile.full_name().to_lowercase();
            lowered.iter().all(|w| name.contains(w.as_str()))
        });
        if rows.is_empty() && words.len() == 1 {
            rows = self.by_name_typed_together(&query, limit)?;
        }
        rows.sort_by_cached_key(|r| (name_rank(&r.profile.full_name(), &query), r.id));
        Ok(SearchResult {
            kind: SearchKind::Name,
            members: rows.iter().map(|r| r.summary(&settings)).collect(),
            hint: None,
        })
    }
}

impl Replica {
    /// The members whose name matches the FTS5 `expression`, at most `limit`, read with their
    /// rows in one query.
    fn name_matches(&self, expression: &str, limit: usize) -> Result<Vec<MemberRow>> {
        let fail = |e| self.fail(e);
        let mut stmt = self
            .conn
            .prepare_cached(concat!(
                "SELECT ",
                member_columns!(),
                " FROM members WHERE id IN",
                " (SELECT rowid FROM member_names WHERE member_names MATCH ?1 LIMIT ?2)"
            ))
            .map_err(fail)?;
        stmt.query_map(params![expression, limit as i64], member_from_row)
            .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
            .map_err(fail)
    }

    /// A first and last name typed as one word (`ยุพินหอม` for ยุพิน หอม: Thai writes no
    /// spaces, and the index holds the name with one): the names holding both sides of some
    /// split of the query, each of 3+ characters, kept when the name without its space holds
    /// the query. Only asked when the query as typed found nobody.
    fn by_name_typed_together(&self, query: &str, limit: usize) -> Result<Vec<MemberRow>> {
        let chars: Vec<char> = query.chars().collect();
        if chars.len() < 2 * TRIGRAM_CHARS_MIN {
            return Ok(Vec::new());
        }
        let splits: Vec<String> = (TRIGRAM_CHARS_MIN..=chars.len() - TRIGRAM_CHARS_MIN)
            .map(|k| {
                let (a, b) = chars.split_at(k);
                format!(
                    "({} AND {})",
                    fts_phrase(&a.iter().collect::<String>()),
                    fts_phrase(&b.iter().collect::<String>())
                )
            })
            .collect();
        // The other splits' matches are dropped below: read more than a page.
        let mut rows = self.name_matches(&splits.join(" OR "), limit * 10)?;
        let wanted = query.to_lowercase();
        rows.retain(|row| {
            let together: String = row
                .profile
                .full_name()
                .to_lowercase()
                .split_whitespace()
                .collect();
            together.contains(&wanted)
        });
        rows.truncate(limit);
        Ok(rows)
    }
}

/// Every upper/lower-case spelling of a short text (`jo` → `jo`, `jO`, `Jo`, `JO`); a
/// character without case (Thai) has one.
fn case_spellings(text: &str) -> Vec<String> {
    let mut spellings = vec![String::new()];
    for c in text.chars() {
        let lower: String = c.to_lowercase().collect();
        let upper: String = c.to_uppercase().collect();
        let forms: Vec<String> = if lower == upper {
            vec![c.to_string()]
        } else {
            vec![lower, upper]
        };
        spellings = spellings
            .iter()
            .flat_map(|s| forms.iter().map(move |f| format!("{s}{f}")))
            .collect();
    }
    spellings.sort();
    spellings.dedup();
    spellings
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phrases_escape_quotes() {
        assert_eq!(fts_phrase("a\"b"), "\"a\"\"b\"");
    }

    #[test]
    fn names_starting_with_the_query_rank_first() {
        assert!(name_rank("สมชาย ใจดี", "สมช") < name_rank("ใจดี สมชาย", "สมช"));
        assert!(name_rank("ใจดี สมชาย", "สมช") < name_rank("xสมชาย", "สมช"));
    }
}
