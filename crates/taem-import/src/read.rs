//! Reading a shop's file as rows of text, whatever it is: CSV in UTF-8 (with or without a BOM)
//! or in Windows-874/TIS-620 (what Thai Excel saves), told apart by the bytes rather than
//! asked; or an XLSX workbook (its first sheet). CSV is streamed: a file of millions of rows
//! never sits in memory.

use std::collections::VecDeque;
use std::io::{Cursor, Read};
use std::sync::{Arc, Mutex};

use calamine::{Data, Reader};
use encoding_rs::{Encoding, UTF_8, WINDOWS_874};
use encoding_rs_io::{DecodeReaderBytes, DecodeReaderBytesBuilder};

use crate::error::FileError;

/// How many bytes are looked at to tell the kind of file and its encoding.
const SNIFF_BYTES: usize = 64 * 1024;
/// Share of control characters (other than tab, CR, LF) above which bytes are not text.
const CONTROL_SHARE_MAX: f64 = 0.01;

/// What a file turned out to be.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FileKind {
    /// CSV in UTF-8 with a byte-order mark.
    CsvUtf8Bom,
    /// CSV in UTF-8.
    CsvUtf8,
    /// CSV in Windows-874 (TIS-620 and its Microsoft extension).
    CsvWindows874,
    /// An Excel workbook.
    Xlsx,
}

/// One row of the file: where it starts and its cells as text (trimmed).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RawRow {
    /// The line (CSV) or row number (XLSX) it starts on, 1-based; the header is line 1.
    pub line: u64,
    /// The cells.
    pub cells: Vec<String>,
}

impl RawRow {
    /// Every cell is empty.
    pub fn is_blank(&self) -> bool {
        self.cells.iter().all(|c| c.is_empty())
    }
}

/// An opened file: its kind and its rows (the header first).
pub struct Table {
    /// What it is.
    pub kind: FileKind,
    rows: Rows,
}

/// The file's bytes decoded to UTF-8.
type Decoded = DecodeReaderBytes<Box<dyn Read + Send>, Vec<u8>>;

enum Rows {
    Csv {
        reader: Box<csv::Reader<NewlineCounter<Decoded>>>,
        /// Offsets of the CR and LF bytes read so far and not yet passed by a record
        /// (`true` for LF).
        breaks: Arc<Mutex<VecDeque<(u64, bool)>>>,
        /// Line breaks before the last record returned.
        lines_before: u64,
        /// The record buffer, reused from row to row.
        record: csv::StringRecord,
    },
    Sheet(std::vec::IntoIter<RawRow>),
}

/// Notes where each line break is as the CSV reader pulls text through, so a record's line is
/// known from its byte offset (the CSV reader's own line count misses CRLF line ends).
struct NewlineCounter<R> {
    inner: R,
    offset: u64,
    breaks: Arc<Mutex<VecDeque<(u64, bool)>>>,
}

impl<R: Read> Read for NewlineCounter<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        let mut breaks = self.breaks.lock().unwrap_or_else(|p| p.into_inner());
        for (i, b) in buf[..n].iter().enumerate() {
            if *b == b'\n' || *b == b'\r' {
                breaks.push_back((self.offset + i as u64, *b == b'\n'));
            }
        }
        self.offset += n as u64;
        Ok(n)
    }
}

impl Table {
    /// Opens a file from a reader. XLSX is recognised by its first bytes (a ZIP archive).
    pub fn open(mut input: Box<dyn Read + Send>) -> Result<Table, FileError> {
        let mut head = Vec::with_capacity(SNIFF_BYTES);
        (&mut input)
            .take(SNIFF_BYTES as u64)
            .read_to_end(&mut head)
            .map_err(|e| FileError::Io(e.to_string()))?;
        if head.iter().all(|b| b.is_ascii_whitespace()) {
            return Err(FileError::EmptyFile);
        }
        if head.starts_with(b"PK\x03\x04") {
            let mut all = head;
            input
                .read_to_end(&mut all)
                .map_err(|e| FileError::Io(e.to_string()))?;
            return Table::xlsx(all);
        }
        let (kind, encoding) = sniff_text(&head)?;
        let delimiter = sniff_delimiter(&head);
        let chained: Box<dyn Read + Send> = Box::new(Cursor::new(head).chain(input));
        let decoded = DecodeReaderBytesBuilder::new()
            .encoding(Some(encoding))
            .bom_override(true)
            .strip_bom(true)
            .build(chained);
        let breaks = Arc::new(Mutex::new(VecDeque::new()));
        let counted = NewlineCounter {
            inner: decoded,
            offset: 0,
            breaks: breaks.clone(),
        };
        let reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .delimiter(delimiter)
            .from_reader(counted);
        Ok(Table {
            kind,
            rows: Rows::Csv {
                reader: Box::new(reader),
                breaks,
                lines_before: 0,
                record: csv::StringRecord::new(),
            },
        })
    }

    /// Opens bytes already in memory (an upload from the app window).
    pub fn from_bytes(bytes: Vec<u8>) -> Result<Table, FileError> {
        Table::open(Box::new(Cursor::new(bytes)))
    }

    /// Opens a file on disk.
    pub fn from_path(path: &std::path::Path) -> Result<Table, FileError> {
        let file = std::fs::File::open(path)
            .map_err(|e| FileError::Io(format!("{}: {e}", path.display())))?;
        Table::open(Box::new(std::io::BufReader::new(file)))
    }

    fn xlsx(bytes: Vec<u8>) -> Result<Table, FileError> {
        let mut book = calamine::open_workbook_auto_from_rs(Cursor::new(bytes))
            .map_err(|e| FileError::NotATable(format!("not a readable Excel workbook: {e}")))?;
        let range = match book.worksheet_range_at(0) {
            Some(Ok(range)) => range,
            Some(Err(e)) => {
                return Err(FileError::NotATable(format!(
                    "the first sheet cannot be read: {e}"
                )));
            }
            None => return Err(FileError::EmptyFile),
        };
        let first_row = range.start().map_or(0, |(r, _)| r as u64);
        let first_col = range.start().map_or(0, |(_, c)| c as usize);
        let rows: Vec<RawRow> = range
            .rows()
            .enumerate()
            .map(|(i, row)| {
                let mut cells: Vec<String> = vec![String::new(); first_col];
                cells.extend(row.iter().map(cell_text));
                RawRow {
                    line: first_row + i as u64 + 1,
                    cells,
                }
            })
            .collect();
        if rows.iter().all(RawRow::is_blank) {
            return Err(FileError::EmptyFile);
        }
        Ok(Table {
            kind: FileKind::Xlsx,
            rows: Rows::Sheet(rows.into_iter()),
        })
    }
}

impl Iterator for Table {
    type Item = Result<RawRow, FileError>;

    fn next(&mut self) -> Option<Self::Item> {
        match &mut self.rows {
            Rows::Sheet(rows) => rows.next().map(Ok),
            Rows::Csv {
                reader,
                breaks,
                lines_before,
                record,
            } => {
                match reader.read_record(record) {
                    Ok(false) => None,
                    Ok(true) => {
                        let start = record.position().map_or(0, |p| p.byte());
                        let mut breaks = breaks.lock().unwrap_or_else(|p| p.into_inner());
                        // Line ends before the record, then the ones it was reported to start
                        // on (the CSV reader places a record at the line ends and blank lines
                        // it skipped to reach it).
                        let mut at = start;
                        while let Some(&(offset, lf)) = breaks.front() {
                            if offset > at {
                                break;
                            }
                            if offset == at {
                                at += 1;
                            }
                            *lines_before += u64::from(lf);
                            breaks.pop_front();
                        }
                        Some(Ok(RawRow {
                            line: *lines_before + 1,
                            cells: record.iter().map(cell_from_text).collect(),
                        }))
                    }
                    Err(e) => {
                        if let csv::ErrorKind::Io(io) = e.kind() {
                            // The file stopped being readable (not a fault of its text).
                            return Some(Err(FileError::Io(io.to_string())));
                        }
                        let line = e.position().map_or(0, |p| p.line());
                        Some(Err(FileError::BadCsv {
                            line,
                            reason: e.to_string(),
                        }))
                    }
                }
            }
        }
    }
}

/// A text cell, trimmed, without the `'` a download put before text that starts like a
/// formula (see `export::neutralise`), so a download imports again as it was.
fn cell_from_text(text: &str) -> String {
    let text = text.trim();
    match text.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@', '\t', '\r']) => rest.to_string(),
        _ => text.to_string(),
    }
}

/// The text of an XLSX cell as a person would have typed it. Whole numbers lose no digits and
/// show no `.0`; dates become dd/mm/yyyy (C.E.).
fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(s) => cell_from_text(s),
        Data::Int(i) => i.to_string(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Bool(b) => if *b { "true" } else { "false" }.to_string(),
        Data::DateTime(_) | Data::DateTimeIso(_) => calamine::DataType::as_date(cell)
            .map(|d| d.format("%d/%m/%Y").to_string())
            .unwrap_or_else(|| cell.to_string()),
        Data::DurationIso(s) => s.clone(),
        Data::Error(e) => format!("#{e:?}"),
    }
}

/// Tells UTF-8 (with or without BOM) from Windows-874, and text from anything else.
fn sniff_text(head: &[u8]) -> Result<(FileKind, &'static Encoding), FileError> {
    if head.contains(&0) {
        return Err(FileError::NotATable(
            "it contains binary data (NUL bytes)".into(),
        ));
    }
    if let Some(magic) = binary_magic(head) {
        return Err(FileError::NotATable(format!(
            "it is a {magic} file, not a table"
        )));
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
    match std::str::from_utf8(head) {
        Ok(_) => Ok((FileKind::CsvUtf8, UTF_8)),
        // Cut in the middle of a character at the end of the sample: still UTF-8.
        Err(e) if e.error_len().is_none() && head.len() - e.valid_up_to() < 4 => {
            Ok((FileKind::CsvUtf8, UTF_8))
        }
        Err(_) => Ok((FileKind::CsvWindows874, WINDOWS_874)),
    }
}

/// The separator of the header line: a comma, unless it has more semicolons or tabs (a list
/// saved by Excel in a locale that writes `;`, or pasted from a sheet as tab-separated text).
fn sniff_delimiter(head: &[u8]) -> u8 {
    let first_line = head.split(|b| *b == b'\n').next().unwrap_or_default();
    let count = |d: u8| first_line.iter().filter(|b| **b == d).count();
    [b';', b'\t']
        .into_iter()
        .filter(|d| count(*d) > count(b','))
        .max_by_key(|d| count(*d))
        .unwrap_or(b',')
}

/// Well-known binary formats by their first bytes.
fn binary_magic(head: &[u8]) -> Option<&'static str> {
    const MAGICS: [(&[u8], &str); 6] = [
        (b"\x89PNG", "PNG image"),
        (b"%PDF", "PDF"),
        (b"\xFF\xD8\xFF", "JPEG image"),
        (b"GIF8", "GIF image"),
        (b"\xD0\xCF\x11\xE0", "old Excel (.xls)"),
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

    fn rows(bytes: &[u8]) -> (FileKind, Vec<RawRow>) {
        let table = Table::from_bytes(bytes.to_vec()).unwrap();
        let kind = table.kind;
        (kind, table.map(Result::unwrap).collect())
    }

    #[test]
    fn utf8_with_and_without_bom_and_windows_874_read_alike() {
        let text = "ชื่อ*,เบอร์มือถือ*\r\nสมศรี,0812345678\r\n";
        let (kind, plain) = rows(text.as_bytes());
        assert_eq!(kind, FileKind::CsvUtf8);
        let mut bom = b"\xEF\xBB\xBF".to_vec();
        bom.extend_from_slice(text.as_bytes());
        let (kind, with_bom) = rows(&bom);
        assert_eq!(kind, FileKind::CsvUtf8Bom);
        let (encoded, _, lossy) = WINDOWS_874.encode(text);
        assert!(!lossy);
        let (kind, thai) = rows(&encoded);
        assert_eq!(kind, FileKind::CsvWindows874);
        assert_eq!(plain, with_bom);
        assert_eq!(plain, thai);
        assert_eq!(plain[1].cells, ["สมศรี", "0812345678"]);
        assert_eq!(plain[1].line, 2);
    }

    #[test]
    fn binary_and_empty_files_are_refused() {
        assert!(matches!(
            Table::from_bytes(Vec::new()),
            Err(FileError::EmptyFile)
        ));
        assert!(matches!(
            Table::from_bytes(b" \r\n ".to_vec()),
            Err(FileError::EmptyFile)
        ));
        assert!(matches!(
            Table::from_bytes(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec()),
            Err(FileError::NotATable(_))
        ));
        assert!(matches!(
            Table::from_bytes(b"PK\x03\x04not really a zip".to_vec()),
            Err(FileError::NotATable(_))
        ));
    }

    #[test]
    fn a_quoted_newline_keeps_the_next_row_on_its_own_line() {
        for text in [
            &b"a,b\n\"x\ny\",1\nz,2\n"[..],
            b"a,b\r\n\"x\r\ny\",1\r\n\r\nz,2\r\n",
        ] {
            let (_, rows) = rows(text);
            assert_eq!(rows[1].cells[1], "1");
            let lines: Vec<u64> = rows.iter().map(|r| r.line).collect();
            let expected: &[u64] = if text.contains(&b'\r') {
                &[1, 2, 5]
            } else {
                &[1, 2, 4]
            };
            assert_eq!(lines, expected, "{:?}", String::from_utf8_lossy(text));
        }
    }
}
