//! Reading a shop's file as rows of text, whatever it is: CSV in UTF-8 (with or without a BOM),
//! UTF-16 (Excel's "Unicode Text") or Windows-874/TIS-620 (what Thai Excel saves), told apart
//! by the bytes rather than asked ([`crate::sniff`]); or an XLSX workbook (the sheet whose
//! header is the template's, [`crate::workbook`]). Both are streamed: a file of millions of rows
//! never sits in memory.
//!
//! What the text alone would hide is noted on the row ([`CellFlaw`]) for the checks to report:
//! bytes that are not UTF-8 in a UTF-8 file, and a quote left open that swallowed the rows
//! after it.

use std::collections::VecDeque;
use std::io::{Cursor, Read};
use std::sync::{Arc, Mutex};

use encoding_rs::Encoding;
use encoding_rs_io::DecodeReaderBytesBuilder;

use crate::error::FileError;
use crate::sniff::{sniff_delimiter, sniff_text};
use crate::workbook::SheetRows;

/// How many bytes are looked at to tell the kind of file and its encoding.
const SNIFF_BYTES: usize = 64 * 1024;
/// Digits in a cell that starts a line and may be a phone (a row swallowed by an open quote):
/// a national number has 9 or 10, `+66…` 11, `0066…` 13.
const PHONE_DIGITS: std::ops::RangeInclusive<usize> = 9..=13;

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
    /// CSV (or tab-separated "Unicode Text") in UTF-16 with a byte-order mark.
    CsvUtf16,
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
    /// What is wrong with its cells that their text does not show.
    pub flaws: Vec<CellFlaw>,
}

/// Something wrong with a cell of a CSV row that its text alone does not show.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CellFlaw {
    /// In a UTF-8 file, the cell's bytes are not UTF-8 (the row was saved in another
    /// encoding); its text shows U+FFFD where they were.
    NotUtf8 {
        /// The cell's position, from 0.
        cell: usize,
    },
    /// A quote opened at the start of the cell runs over line breaks into lines that look
    /// like rows of their own: it was never closed (or closed far too late), and those rows
    /// are inside this cell.
    RunsOn {
        /// The cell's position, from 0.
        cell: usize,
        /// The line the quote opened on.
        opened_line: u64,
        /// The first line inside the cell that looks like a row.
        rows_from: u64,
        /// The last line inside the cell with any text.
        rows_to: u64,
    },
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
    /// The sheet read, for a workbook.
    pub sheet: Option<String>,
    rows: Rows,
}

/// The file's text as UTF-8 bytes: the file itself when it is UTF-8 (so bytes that are not
/// are seen, cell by cell), else decoded.
type Text = Box<dyn Read + Send>;

enum Rows {
    Csv(Box<CsvRows>),
    Sheet(SheetRows),
}

struct CsvRows {
    reader: csv::Reader<NewlineCounter<Text>>,
    /// Offsets of the CR and LF bytes read so far and not yet passed by a record, `true` for
    /// one that ends a line (an LF, or a CR not followed by an LF).
    breaks: Arc<Mutex<VecDeque<(u64, bool)>>>,
    /// Line breaks before the last record returned.
    lines_before: u64,
    /// The record buffer, reused from row to row.
    record: csv::ByteRecord,
    delimiter: u8,
    /// The first record is Excel's `sep=` hint, not a row.
    skip_hint: bool,
    /// Cells of the header (the first row with any text), once read.
    header_width: Option<usize>,
}

/// Notes where each line break is as the CSV reader pulls text through, so a record's line is
/// known from its byte offset (the CSV reader's own line count misses CRLF line ends). A CR
/// alone ends a line, as the CSV reader and text editors take it: Excel for Mac's "CSV
/// (Macintosh)" ends every line so.
struct NewlineCounter<R> {
    inner: R,
    offset: u64,
    breaks: Arc<Mutex<VecDeque<(u64, bool)>>>,
    /// The offset of a CR that ended the bytes read so far: whether an LF follows it is known
    /// only from the next byte.
    cr_at: Option<u64>,
}

impl<R> NewlineCounter<R> {
    fn new(inner: R, breaks: Arc<Mutex<VecDeque<(u64, bool)>>>) -> NewlineCounter<R> {
        NewlineCounter {
            inner,
            offset: 0,
            breaks,
            cr_at: None,
        }
    }
}

impl<R: Read> Read for NewlineCounter<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        let mut breaks = self.breaks.lock().unwrap_or_else(|p| p.into_inner());
        for (i, &b) in buf[..n].iter().enumerate() {
            // A CR seen at the byte before: a line end of its own unless this is its LF.
            if let Some(cr) = self.cr_at.take() {
                breaks.push_back((cr, b != b'\n'));
            }
            match b {
                b'\n' => breaks.push_back((self.offset + i as u64, true)),
                b'\r' => self.cr_at = Some(self.offset + i as u64),
                _ => {}
            }
        }
        if n == 0
            && let Some(cr) = self.cr_at.take()
        {
            breaks.push_back((cr, true));
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
            let (sheet, rows) = crate::workbook::open(all)?;
            return Ok(Table {
                kind: FileKind::Xlsx,
                sheet: Some(sheet),
                rows: Rows::Sheet(rows),
            });
        }
        let (kind, encoding) = sniff_text(&head)?;
        let (text, (delimiter, skip_hint)) = match kind {
            FileKind::CsvUtf8Bom | FileKind::CsvUtf8 => {
                if head.starts_with(b"\xEF\xBB\xBF") {
                    head.drain(..3);
                }
                let delimiter = sniff_delimiter(&head);
                let text: Text = Box::new(Cursor::new(head).chain(input));
                (text, delimiter)
            }
            _ => decoded(head, input, encoding),
        };
        let breaks = Arc::new(Mutex::new(VecDeque::new()));
        let counted = NewlineCounter::new(text, breaks.clone());
        let reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .delimiter(delimiter)
            .from_reader(counted);
        Ok(Table {
            kind,
            sheet: None,
            rows: Rows::Csv(Box::new(CsvRows {
                reader,
                breaks,
                lines_before: 0,
                record: csv::ByteRecord::new(),
                delimiter,
                skip_hint,
                header_width: None,
            })),
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
}

/// A text in another encoding, decoded to UTF-8 as it is read; with the separator sniffed
/// from its decoded start.
fn decoded(
    head: Vec<u8>,
    input: Box<dyn Read + Send>,
    encoding: &'static Encoding,
) -> (Text, (u8, bool)) {
    let (sample, _) = encoding.decode_with_bom_removal(&head);
    let delimiter = sniff_delimiter(sample.as_bytes());
    let chained: Box<dyn Read + Send> = Box::new(Cursor::new(head).chain(input));
    let text = DecodeReaderBytesBuilder::new()
        .encoding(Some(encoding))
        .bom_override(true)
        .strip_bom(true)
        .build(chained);
    (Box::new(text), delimiter)
}

impl Iterator for Table {
    type Item = Result<RawRow, FileError>;

    fn next(&mut self) -> Option<Self::Item> {
        match &mut self.rows {
            Rows::Sheet(rows) => rows.next(),
            Rows::Csv(csv) => csv.next_row(),
        }
    }
}

impl CsvRows {
    fn next_row(&mut self) -> Option<Result<RawRow, FileError>> {
        loop {
            match self.reader.read_byte_record(&mut self.record) {
                Ok(false) => return None,
                Ok(true) => {
                    let line = self.record_line();
                    if std::mem::take(&mut self.skip_hint) {
                        continue;
                    }
                    let row = self.row(line);
                    if self.header_width.is_none() && !row.is_blank() {
                        self.header_width =
                            row.cells.iter().rposition(|c| !c.is_empty()).map(|i| i + 1);
                    }
                    return Some(Ok(row));
                }
                Err(e) => {
                    if let csv::ErrorKind::Io(io) = e.kind() {
                        // The file stopped being readable (not a fault of its text).
                        return Some(Err(FileError::Io(io.to_string())));
                    }
                    let line = e.position().map_or(0, |p| p.line());
                    return Some(Err(FileError::BadCsv {
                        line,
                        reason: e.to_string(),
                    }));
                }
            }
        }
    }

    /// The line the record just read starts on.
    fn record_line(&mut self) -> u64 {
        let start = self.record.position().map_or(0, |p| p.byte());
        let mut breaks = self.breaks.lock().unwrap_or_else(|p| p.into_inner());
        // Line ends before the record, then the ones it was reported to start on (the CSV
        // reader places a record at the line ends and blank lines it skipped to reach it).
        let mut at = start;
        while let Some(&(offset, lf)) = breaks.front() {
            if offset > at {
                break;
            }
            if offset == at {
                at += 1;
            }
            self.lines_before += u64::from(lf);
            breaks.pop_front();
        }
        self.lines_before + 1
    }

    /// The record just read as a row starting on `line`, with its flaws.
    fn row(&self, line: u64) -> RawRow {
        let mut cells = Vec::with_capacity(self.record.len());
        let mut flaws = Vec::new();
        let mut field_line = line;
        for (i, field) in self.record.iter().enumerate() {
            let text = match std::str::from_utf8(field) {
                Ok(text) => std::borrow::Cow::Borrowed(text),
                Err(_) => {
                    flaws.push(CellFlaw::NotUtf8 { cell: i });
                    String::from_utf8_lossy(field)
                }
            };
            if let Some((from, to)) = swallowed_rows(&text, self.delimiter, self.header_width) {
                flaws.push(CellFlaw::RunsOn {
                    cell: i,
                    opened_line: field_line,
                    rows_from: field_line + from,
                    rows_to: field_line + to,
                });
            }
            field_line += text.matches('\n').count() as u64;
            cells.push(cell_from_text(&text));
        }
        RawRow { line, cells, flaws }
    }
}

/// The lines of a cell (counted from its first, 0) that an open quote swallowed: from the
/// first that looks like a row of its own to the last with text. A line looks like a row
/// when it starts with a phone number and a separator, or has as many separators as the
/// header. A note typed over two lines (Excel's Alt+Enter) has neither.
fn swallowed_rows(text: &str, delimiter: u8, header_width: Option<usize>) -> Option<(u64, u64)> {
    if !text.contains('\n') {
        return None;
    }
    let separator = char::from(delimiter);
    let looks_like_row = |line: &str| {
        let line = line.trim();
        let Some((first, _)) = line.split_once(separator) else {
            return false;
        };
        let first = first
            .trim()
            .trim_start_matches(['\'', '"', '='])
            .trim_matches('"');
        let digits = first.chars().filter(|c| c.is_numeric()).count();
        let phone_like = PHONE_DIGITS.contains(&digits)
            && first
                .chars()
                .all(|c| c.is_numeric() || matches!(c, ' ' | '-' | '+' | '(' | ')' | '.'));
        let full_width =
            header_width.is_some_and(|w| w >= 4 && line.matches(separator).count() + 1 >= w);
        phone_like || full_width
    };
    let lines: Vec<&str> = text.split('\n').collect();
    let from = (1..lines.len()).find(|i| looks_like_row(lines[*i]))?;
    let to = (from..lines.len())
        .rev()
        .find(|i| !lines[*i].trim().is_empty())
        .unwrap_or(from);
    Some((from as u64, to as u64))
}

/// A text cell, trimmed, without the `'` a download put before text that starts like a
/// formula (see `export::neutralise`), so a download imports again as it was.
pub(crate) fn cell_from_text(text: &str) -> String {
    let text = crate::clean::trimmed(text);
    match text.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@', '\t', '\r']) => rest.to_string(),
        _ => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use encoding_rs::WINDOWS_874;

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

    /// Gives its bytes one at a time, so that every CR ends a read.
    struct ByteByByte(Cursor<Vec<u8>>);

    impl Read for ByteByByte {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let one = buf.len().min(1);
            self.0.read(&mut buf[..one])
        }
    }

    #[test]
    fn a_cr_alone_ends_a_line_even_at_the_end_of_a_read() {
        let text = b"a,b\rx,1\r\ry,2\r\nz,3\r";
        let rows: Vec<RawRow> = Table::open(Box::new(ByteByByte(Cursor::new(text.to_vec()))))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        let lines: Vec<(u64, String)> = rows.iter().map(|r| (r.line, r.cells[0].clone())).collect();
        assert_eq!(
            lines,
            [
                (1, "a".to_string()),
                (2, "x".to_string()),
                (4, "y".to_string()),
                (5, "z".to_string())
            ]
        );
    }

    #[test]
    fn utf16_unicode_text_from_excel_reads_as_tab_separated_rows() {
        let text = "เบอร์มือถือ*\tชื่อ*\r\n0812345678\tสมศรี, ใจดี\r\n";
        let mut le = vec![0xFF, 0xFE];
        le.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
        let mut be = vec![0xFE, 0xFF];
        be.extend(text.encode_utf16().flat_map(u16::to_be_bytes));
        for bytes in [le, be] {
            let (kind, rows) = rows(&bytes);
            assert_eq!(kind, FileKind::CsvUtf16);
            assert_eq!(rows[0].cells, ["เบอร์มือถือ*", "ชื่อ*"]);
            assert_eq!(rows[1].cells, ["0812345678", "สมศรี, ใจดี"]);
            assert_eq!(rows[1].line, 2);
        }
    }

    #[test]
    fn an_old_xls_workbook_is_named_as_such() {
        let mut xls = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1".to_vec();
        xls.resize(512, 0);
        assert!(matches!(Table::from_bytes(xls), Err(FileError::OldExcel)));
    }

    #[test]
    fn an_open_quote_that_swallows_rows_is_a_flaw_of_its_cell_and_a_note_over_lines_is_not() {
        let text = "เบอร์มือถือ*,ชื่อ*,หมายเหตุ\r\n0812345678,ก,\"โทรก่อน\r\nฝากไว้ที่ป้อม, ประตู 2\"\r\n0870000007,เปิด,\"ลืมปิด\r\n0870000008,หาย1,\r\n0870000009,หาย2,\r\n";
        let (_, rows) = rows(text.as_bytes());
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[1].flaws, []);
        assert_eq!((rows[2].line, rows[2].cells[0].as_str()), (4, "0870000007"));
        assert_eq!(
            rows[2].flaws,
            [CellFlaw::RunsOn {
                cell: 2,
                opened_line: 4,
                rows_from: 5,
                rows_to: 6
            }]
        );
    }

    #[test]
    fn bytes_that_are_not_utf8_in_a_utf8_file_are_a_flaw_of_their_cell() {
        let mut text = "\u{feff}เบอร์มือถือ*,ชื่อ*\n0812345678,".as_bytes().to_vec();
        text.extend_from_slice(&WINDOWS_874.encode("มานะ").0);
        text.extend_from_slice("\n0812345679,ดี\n".as_bytes());
        let (kind, rows) = rows(&text);
        assert_eq!(kind, FileKind::CsvUtf8Bom);
        assert_eq!(rows[1].flaws, [CellFlaw::NotUtf8 { cell: 1 }]);
        assert!(rows[1].cells[1].contains('\u{FFFD}'));
        assert_eq!(rows[2].flaws, []);
        assert_eq!(rows[2].cells[1], "ดี");
    }

    #[test]
    fn an_excel_sep_hint_is_not_a_row_and_lines_still_count_it() {
        let (_, rows) = rows("sep=;\r\nเบอร์มือถือ*;ชื่อ*\r\n0812345678;ก,ข\r\n".as_bytes());
        assert_eq!(rows.len(), 2);
        assert_eq!((rows[0].line, rows[1].line), (2, 3));
        assert_eq!(rows[1].cells, ["0812345678", "ก,ข"]);
    }

    #[test]
    fn a_workbook_is_read_from_the_sheet_with_the_template_header() {
        let mut book = rust_xlsxwriter::Workbook::new();
        let help = book.add_worksheet().set_name("วิธีกรอก").unwrap();
        help.write_string(0, 0, "คอลัมน์").unwrap();
        let members = book.add_worksheet().set_name("Sheet2").unwrap();
        members.write_string(0, 0, "เบอร์มือถือ*").unwrap();
        members.write_string(0, 1, "ชื่อ*").unwrap();
        members.write_string(1, 0, "0812345678").unwrap();
        members.write_string(1, 1, "สมศรี").unwrap();
        let table = Table::from_bytes(book.save_to_buffer().unwrap()).unwrap();
        assert_eq!(table.sheet.as_deref(), Some("Sheet2"));
        let rows: Vec<RawRow> = table.map(Result::unwrap).collect();
        assert_eq!(rows[1].cells, ["0812345678", "สมศรี"]);

        // No sheet has it: the one named like the template's is read (and named).
        let mut book = rust_xlsxwriter::Workbook::new();
        book.add_worksheet()
            .set_name("Notes")
            .unwrap()
            .write_string(0, 0, "x")
            .unwrap();
        book.add_worksheet()
            .set_name("สมาชิก")
            .unwrap()
            .write_string(0, 0, "โทร")
            .unwrap();
        let table = Table::from_bytes(book.save_to_buffer().unwrap()).unwrap();
        assert_eq!(table.sheet.as_deref(), Some("สมาชิก"));
    }
}
