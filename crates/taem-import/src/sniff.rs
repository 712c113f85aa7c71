//! Telling what a file is from its first bytes: a workbook, text in which encoding, or
//! something else; and the separator of a CSV text.

use encoding_rs::{Encoding, UTF_8, UTF_16BE, UTF_16LE, WINDOWS_874};

use crate::error::FileError;
use crate::read::FileKind;

/// Share of control characters (other than tab, CR, LF) above which bytes are not text.
const CONTROL_SHARE_MAX: f64 = 0.01;
/// A text that is not all UTF-8 is still read as UTF-8 (its rows that are not reported, row
/// by row) when it has at least this many Thai characters in UTF-8 for each byte sequence
/// that is not: a Windows-874 text almost never forms Thai UTF-8 by chance, so a few bad
/// sequences among many good ones are a row or two saved in another encoding, not a
/// Windows-874 file.
const UTF8_THAI_PER_BAD_SEQUENCE_MIN: usize = 8;

/// Tells UTF-8 (with or without BOM), UTF-16 (with a BOM: Excel's "Unicode Text") and
/// Windows-874 apart, and text from anything else.
pub(crate) fn sniff_text(head: &[u8]) -> Result<(FileKind, &'static Encoding), FileError> {
    if head.starts_with(b"\xFF\xFE") {
        return Ok((FileKind::CsvUtf16, UTF_16LE));
    }
    if head.starts_with(b"\xFE\xFF") {
        return Ok((FileKind::CsvUtf16, UTF_16BE));
    }
    if head.starts_with(b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1") {
        return Err(FileError::OldExcel);
    }
    if let Some(magic) = binary_magic(head) {
        return Err(FileError::NotATable(format!(
            "it is a {magic} file, not a table"
        )));
    }
    if head.contains(&0) {
        return Err(FileError::NotATable(
            "it contains binary data (NUL bytes)".into(),
        ));
    }
    let controls = head
        .iter()
        .filter(|b| b.is_ascii_control() && !matches!(b, b'\t' | b'\r' | b'\n'))
        .count();
    if controls as f64 > head.len() as f64 * CONTROL_SHARE_MAX {
        return Err(FileError::NotATable(
            "it contains binary data (control characters)".into(),
        ));
    }
    if head.starts_with(b"\xEF\xBB\xBF") {
        return Ok((FileKind::CsvUtf8Bom, UTF_8));
    }
    if mostly_utf8(head) {
        Ok((FileKind::CsvUtf8, UTF_8))
    } else {
        Ok((FileKind::CsvWindows874, WINDOWS_874))
    }
}

/// Whether bytes without a BOM are UTF-8: all of them (a character cut at the end of the
/// sample aside), or Thai UTF-8 with only a few sequences that are not
/// ([`UTF8_THAI_PER_BAD_SEQUENCE_MIN`]).
fn mostly_utf8(head: &[u8]) -> bool {
    let mut thai = 0usize;
    let mut bad = 0usize;
    let mut chunks = head.utf8_chunks().peekable();
    while let Some(chunk) = chunks.next() {
        thai += chunk
            .valid()
            .chars()
            .filter(|c| ('\u{0E00}'..='\u{0E7F}').contains(c))
            .count();
        let cut_at_the_end = chunks.peek().is_none() && chunk.invalid().len() < 4;
        if !chunk.invalid().is_empty() && !cut_at_the_end {
            bad += 1;
        }
    }
    bad == 0 || thai >= bad * UTF8_THAI_PER_BAD_SEQUENCE_MIN
}

/// The separator of the header line: Excel's `sep=X` hint when the first line is one (then
/// `true`: that line is not a row), else a comma, unless the line has more semicolons or tabs
/// (a list saved by Excel in a locale that writes `;`, or pasted from a sheet as
/// tab-separated text).
pub(crate) fn sniff_delimiter(text: &[u8]) -> (u8, bool) {
    let mut lines = text.split(|b| *b == b'\n');
    let mut first_line = lines.next().unwrap_or_default();
    if let Some(hint) = first_line
        .strip_suffix(b"\r")
        .unwrap_or(first_line)
        .strip_prefix(b"sep=")
        && let [separator] = hint
        && (separator.is_ascii_punctuation() || *separator == b'\t')
    {
        return (*separator, true);
    }
    if first_line.strip_prefix(b"\xEF\xBB\xBF").is_some() {
        first_line = &first_line[3..];
    }
    let count = |d: u8| first_line.iter().filter(|b| **b == d).count();
    let separator = [b';', b'\t']
        .into_iter()
        .filter(|d| count(*d) > count(b','))
        .max_by_key(|d| count(*d))
        .unwrap_or(b',');
    (separator, false)
}

/// Well-known binary formats by their first bytes.
fn binary_magic(head: &[u8]) -> Option<&'static str> {
    const MAGICS: [(&[u8], &str); 5] = [
        (b"\x89PNG", "PNG image"),
        (b"%PDF", "PDF"),
        (b"\xFF\xD8\xFF", "JPEG image"),
        (b"GIF8", "GIF image"),
        (b"Rar!", "RAR archive"),
    ];
    MAGICS
        .iter()
        .find(|(magic, _)| head.starts_with(magic))
        .map(|(_, name)| *name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_utf8_text_with_one_row_in_windows_874_is_still_utf8() {
        let mut text = "เบอร์มือถือ*,ชื่อ*,นามสกุล\n0870000022,สมศรี,ใจดี\n0870000023,"
            .as_bytes()
            .to_vec();
        text.extend_from_slice(&WINDOWS_874.encode("มานะ").0);
        text.extend_from_slice(",ดี\n".as_bytes());
        assert_eq!(sniff_text(&text).unwrap().0, FileKind::CsvUtf8);
        // A whole Windows-874 text stays Windows-874.
        let thai = WINDOWS_874.encode("เบอร์มือถือ*,ชื่อ*\n0812345678,สมศรี\n").0;
        assert_eq!(sniff_text(&thai).unwrap().0, FileKind::CsvWindows874);
    }

    #[test]
    fn excel_sep_hint_names_the_separator() {
        assert_eq!(sniff_delimiter(b"sep=;\r\na;b,c\r\n"), (b';', true));
        assert_eq!(sniff_delimiter(b"a;b;c,d\r\n"), (b';', false));
        assert_eq!(sniff_delimiter(b"\xEF\xBB\xBFa\tb\tc\r\n"), (b'\t', false));
        assert_eq!(sniff_delimiter(b"a,b\n"), (b',', false));
    }
}
