//! Line-by-line input from a POS (`batch`, `member find --stdin`), read the same way for both:
//!
//! - lines are numbered from 1 as an editor numbers them, blank ones included, and every
//!   answer carries the number of the line it answers (`"line": N`);
//! - blank (or whitespace-only) lines are skipped and get no answer;
//! - a UTF-8 byte order mark at the start of the input (Windows tools write one) is skipped;
//! - a line that is not UTF-8 or longer than [`LINE_BYTES_MAX`] is answered with an error and
//!   the run goes on;
//! - when the input ends and any line was refused, the program exits with
//!   [`EXIT_LINES_FAILED`] after a summary on stderr.

use std::io::BufRead;

use serde_json::Value;

use crate::errors::{EXIT_LINES_FAILED, Refusal};

/// The longest input line accepted (a line is one small JSON object or one search).
pub const LINE_BYTES_MAX: usize = 64 * 1024;

/// How many refused line numbers the closing summary lists.
const FAILED_LINES_SHOWN_MAX: usize = 10;

/// One input line, as read.
pub enum Line<'a> {
    /// The line's text (without its line ending).
    Text(&'a str),
    /// Longer than [`LINE_BYTES_MAX`] (the rest of it was skipped).
    TooLong,
    /// Not UTF-8 text.
    NotUtf8,
}

impl Line<'_> {
    /// The error answer for a line that could not be read as text, if it is one.
    pub fn unreadable(&self, number: usize) -> Option<(&'static str, String)> {
        match self {
            Line::Text(_) => None,
            Line::TooLong => Some((
                "line_too_long",
                format!(
                    "line {number} is longer than {LINE_BYTES_MAX} bytes: one operation per line"
                ),
            )),
            Line::NotUtf8 => Some((
                "not_utf8",
                format!("line {number} is not UTF-8 text: send the input as UTF-8"),
            )),
        }
    }
}

/// Skips the rest of an over-long line, up to and including its line feed.
fn skip_rest_of_line(input: &mut impl BufRead) -> std::io::Result<()> {
    loop {
        let buf = input.fill_buf()?;
        if buf.is_empty() {
            return Ok(());
        }
        match buf.iter().position(|&b| b == b'\n') {
            Some(i) => {
                input.consume(i + 1);
                return Ok(());
            }
            None => {
                let n = buf.len();
                input.consume(n);
            }
        }
    }
}

/// Calls `answer` with each non-blank line of `input` and its number, until the input ends.
pub fn read_lines(
    mut input: impl BufRead,
    mut answer: impl FnMut(usize, Line<'_>) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let mut buf = Vec::new();
    let mut number = 0;
    loop {
        buf.clear();
        let read = std::io::Read::take(&mut input, LINE_BYTES_MAX as u64 + 1)
            .read_until(b'\n', &mut buf)?;
        if read == 0 {
            return Ok(());
        }
        number += 1;
        if !buf.ends_with(b"\n") && buf.len() > LINE_BYTES_MAX {
            skip_rest_of_line(&mut input)?;
            answer(number, Line::TooLong)?;
            continue;
        }
        let mut bytes = buf.strip_suffix(b"\n").unwrap_or(&buf);
        bytes = bytes.strip_suffix(b"\r").unwrap_or(bytes);
        if number == 1 {
            bytes = bytes.strip_prefix("\u{feff}".as_bytes()).unwrap_or(bytes);
        }
        match std::str::from_utf8(bytes) {
            Err(_) => answer(number, Line::NotUtf8)?,
            Ok(text) if text.trim().is_empty() => {}
            Ok(text) => answer(number, Line::Text(text))?,
        }
    }
}

/// A successful answer with its line number added (answers are JSON objects).
pub fn numbered(mut value: Value, number: usize) -> Value {
    if let Value::Object(map) = &mut value {
        map.insert("line".into(), number.into());
        value
    } else {
        serde_json::json!({"line": number, "result": value})
    }
}

/// A refused line's answer.
pub fn error_answer(number: usize, code: &str, message: &str) -> Value {
    serde_json::json!({"line": number, "error": {"code": code, "message": message}})
}

/// The end of a run: an error (exit [`EXIT_LINES_FAILED`]) when any line was refused.
pub fn finish(failed: &[usize]) -> anyhow::Result<()> {
    if failed.is_empty() {
        return Ok(());
    }
    let mut shown: Vec<String> = failed
        .iter()
        .take(FAILED_LINES_SHOWN_MAX)
        .map(usize::to_string)
        .collect();
    if failed.len() > FAILED_LINES_SHOWN_MAX {
        shown.push("…".into());
    }
    let lines = if failed.len() == 1 { "line" } else { "lines" };
    Err(Refusal {
        code: "lines_failed",
        message: format!(
            "{} input {lines} refused ({lines} {}): each was answered with its error, the other lines as usual",
            failed.len(),
            shown.join(", ")
        ),
        exit: EXIT_LINES_FAILED,
    }
    .into())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(input: &[u8]) -> Vec<(usize, String)> {
        let mut seen = Vec::new();
        read_lines(input, |n, line| {
            seen.push((
                n,
                match line {
                    Line::Text(t) => t.to_string(),
                    Line::TooLong => "<too long>".into(),
                    Line::NotUtf8 => "<not utf-8>".into(),
                },
            ));
            Ok(())
        })
        .unwrap();
        seen
    }

    #[test]
    fn blank_lines_are_skipped_but_counted_and_a_bom_is_dropped() {
        let seen = read(b"\xef\xbb\xbfa\n\n  \r\nb\r\n");
        assert_eq!(seen[0], (1, "a".to_string()));
        assert_eq!(seen[1], (4, "b".to_string()));
        assert_eq!(seen.len(), 2, "{seen:?}");
        let seen = read(b"a\n\xff\xfe\nc");
        assert_eq!(seen[1], (2, "<not utf-8>".to_string()));
        assert_eq!(seen[2], (3, "c".to_string()));
    }

    #[test]
    fn an_over_long_line_is_answered_once_and_the_next_line_keeps_its_number() {
        let mut input = vec![b'x'; LINE_BYTES_MAX * 2];
        input.extend_from_slice(b"\nnext\n");
        let seen = read(&input);
        assert_eq!(
            seen,
            vec![(1, "<too long>".to_string()), (2, "next".to_string())]
        );
    }
}
