//! Downloads: tables written row by row as CSV (UTF-8 with BOM, so Excel shows Thai) or XLSX
//! (rust_xlsxwriter's constant-memory mode: a row is flushed to a temporary file as soon as the
//! next one starts), so a million rows never sit in memory.
//!
//! In CSV, text a spreadsheet would run as a formula — a cell starting with `=`, `+`, `-` or
//! `@`, or a tab or carriage return that hides one — gets a leading `'`, which Excel and
//! LibreOffice show as plain text ([`neutralise`]). In XLSX a text cell is a string, never a
//! formula, so it holds the text as it is. Numbers Taem computes (points, amounts) are written
//! as numbers, and times as date-time cells, so a spreadsheet sorts and sums them.

use std::io::Write;

use chrono::{Datelike, NaiveDateTime, Timelike};
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook, Worksheet, XlsxError};
use serde::Serialize;

use crate::columns::Lang;

/// A download format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ExportFormat {
    /// CSV, UTF-8 with BOM.
    Csv,
    /// Excel.
    Xlsx,
}

/// One cell of an export.
#[derive(Clone, Debug, PartialEq)]
pub enum Cell {
    /// Text someone typed (neutralised in CSV).
    Text(String),
    /// A whole number Taem computed.
    Int(i64),
    /// A decimal Taem computed (baht), written with its 2 places.
    Decimal(String),
    /// A moment as the shop's clock showed it (Asia/Bangkok): a date-time cell in XLSX, `text`
    /// in CSV.
    Time {
        /// The Bangkok wall-clock time.
        local: NaiveDateTime,
        /// How CSV writes it.
        text: String,
    },
    /// Nothing.
    Empty,
}

/// Text made safe for a spreadsheet: a leading `'` when it starts like a formula.
pub fn neutralise(text: &str) -> String {
    match text.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{text}"),
        _ => text.to_string(),
    }
}

/// Writes a table row by row.
pub struct TableWriter<'w> {
    inner: Inner<'w>,
    rows: u32,
}

enum Inner<'w> {
    Csv(Box<csv::Writer<&'w mut dyn Write>>),
    Xlsx(Box<XlsxTable<'w>>),
}

struct XlsxTable<'w> {
    book: Workbook,
    out: &'w mut (dyn Write + Send),
    /// Times: dd/mm/yyyy hh:mm (in B.E. for Thai).
    time: Format,
    /// Baht: 2 decimal places.
    baht: Format,
}

/// Why an export stopped.
///
/// Each message holds the message of what caused it, so none has a `source()` as well (a
/// caller printing the chain would print it twice).
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// Writing failed.
    #[error("the download could not be written: {0}")]
    Io(std::io::Error),
    /// CSV writing failed.
    #[error("the download could not be written: {0}")]
    Csv(csv::Error),
    /// XLSX writing failed.
    #[error("the Excel file could not be written: {0}")]
    Xlsx(XlsxError),
    /// The rows to download could not be read (the store's message says why).
    #[error("the data to download could not be read: {0}")]
    Source(String),
    /// More rows than one Excel sheet holds.
    #[error(
        "more than 1,048,575 rows do not fit in one Excel sheet: download as CSV, or narrow the dates or branch"
    )]
    TooManyRowsForXlsx,
}

impl From<std::io::Error> for ExportError {
    fn from(e: std::io::Error) -> Self {
        ExportError::Io(e)
    }
}

impl From<csv::Error> for ExportError {
    fn from(e: csv::Error) -> Self {
        ExportError::Csv(e)
    }
}

impl From<XlsxError> for ExportError {
    fn from(e: XlsxError) -> Self {
        ExportError::Xlsx(e)
    }
}

/// The most data rows an Excel sheet holds (after the header).
const XLSX_ROWS_MAX: u32 = 1_048_575;

/// How a time shows in XLSX: dd/mm/yyyy hh:mm, the year in B.E. for Thai (Excel's Thai
/// Buddhist calendar, `07`, in the Thai locale `041E`), as the CSV writes it.
fn time_format(lang: Lang) -> &'static str {
    match lang {
        Lang::Th => "[$-107041E]dd/mm/yyyy hh:mm",
        Lang::En => "dd/mm/yyyy hh:mm",
    }
}

impl<'w> TableWriter<'w> {
    /// A CSV table with its header.
    pub fn csv(out: &'w mut dyn Write, header: &[&str]) -> Result<TableWriter<'w>, ExportError> {
        out.write_all(b"\xEF\xBB\xBF")?;
        let mut writer = csv::WriterBuilder::new()
            .terminator(csv::Terminator::CRLF)
            .from_writer(out);
        writer.write_record(header)?;
        Ok(TableWriter {
            inner: Inner::Csv(Box::new(writer)),
            rows: 0,
        })
    }

    /// An XLSX table (one sheet named `sheet`) with its header; times shown as `lang` writes
    /// dates.
    pub fn xlsx(
        out: &'w mut (dyn Write + Send),
        sheet: &str,
        header: &[&str],
        lang: Lang,
    ) -> Result<TableWriter<'w>, ExportError> {
        let mut book = Workbook::new();
        let bold = Format::new().set_bold();
        let ws = book.add_worksheet_with_constant_memory()?;
        ws.set_name(sheet)?;
        for (i, h) in header.iter().enumerate() {
            ws.write_string_with_format(0, i as u16, *h, &bold)?;
            ws.set_column_width(i as u16, 18)?;
        }
        ws.set_freeze_panes(1, 0)?;
        Ok(TableWriter {
            inner: Inner::Xlsx(Box::new(XlsxTable {
                book,
                out,
                time: Format::new().set_num_format(time_format(lang)),
                baht: Format::new().set_num_format("0.00"),
            })),
            rows: 0,
        })
    }

    /// Rows written so far (not counting the header).
    pub fn rows(&self) -> u32 {
        self.rows
    }

    /// One row.
    pub fn row(&mut self, cells: &[Cell]) -> Result<(), ExportError> {
        match &mut self.inner {
            Inner::Csv(w) => {
                let texts: Vec<String> = cells
                    .iter()
                    .map(|c| match c {
                        Cell::Text(t) => neutralise(t),
                        Cell::Int(i) => i.to_string(),
                        Cell::Decimal(d) => d.clone(),
                        Cell::Time { text, .. } => text.clone(),
                        Cell::Empty => String::new(),
                    })
                    .collect();
                w.write_record(&texts)?;
            }
            Inner::Xlsx(table) => {
                let XlsxTable {
                    book, time, baht, ..
                } = table.as_mut();
                if self.rows >= XLSX_ROWS_MAX {
                    return Err(ExportError::TooManyRowsForXlsx);
                }
                let ws: &mut Worksheet = book.worksheet_from_index(0)?;
                let r = self.rows + 1;
                for (i, c) in cells.iter().enumerate() {
                    let col = i as u16;
                    match c {
                        Cell::Text(t) => {
                            ws.write_string(r, col, t)?;
                        }
                        Cell::Int(v) => {
                            ws.write_number(r, col, *v as f64)?;
                        }
                        Cell::Decimal(d) => match d.parse::<f64>() {
                            Ok(v) => {
                                ws.write_number_with_format(r, col, v, baht)?;
                            }
                            Err(_) => {
                                ws.write_string(r, col, d)?;
                            }
                        },
                        Cell::Time { local, text } => match excel_time(local) {
                            Ok(at) => {
                                ws.write_datetime_with_format(r, col, &at, time)?;
                            }
                            // Out of Excel's range (before 1900): as the CSV writes it.
                            Err(_) => {
                                ws.write_string(r, col, text)?;
                            }
                        },
                        Cell::Empty => {}
                    }
                }
            }
        }
        self.rows += 1;
        Ok(())
    }

    /// Finishes the file.
    pub fn finish(self) -> Result<u32, ExportError> {
        match self.inner {
            Inner::Csv(mut w) => w.flush()?,
            Inner::Xlsx(table) => {
                let XlsxTable { mut book, out, .. } = *table;
                let mut out = StopAtFirstError {
                    inner: out,
                    error: None,
                };
                let saved = book.save_to_writer(&mut out);
                // The destination's own error says what happened (a full disk), better than
                // the workbook's wrapping of it.
                if let Some(e) = out.error {
                    return Err(ExportError::Io(e));
                }
                saved?;
            }
        }
        Ok(self.rows)
    }
}

/// A Bangkok wall-clock time as Excel holds it (seconds kept, so sorting is exact).
fn excel_time(local: &NaiveDateTime) -> Result<ExcelDateTime, XlsxError> {
    let (year, month, day) = (local.year(), local.month(), local.day());
    let year = u16::try_from(year).map_err(|_| XlsxError::DateTimeRangeError(year.to_string()))?;
    ExcelDateTime::from_ymd(year, month as u8, day as u8)?.and_hms(
        local.hour() as u16,
        local.minute() as u8,
        local.second(),
    )
}

/// The destination of an XLSX file, which after its first failed write takes (and drops)
/// whatever else is written.
///
/// The ZIP writer inside the workbook finishes its archive when it is dropped, and says on
/// stderr when that fails; after a failed write it is dropped on the error path and tries
/// again, writing to the same failing destination. That stray line would break `--json`,
/// whose stderr must be one JSON object. Swallowing the writes after the first failure lets
/// that last attempt succeed quietly; the first error is kept and is the one reported.
struct StopAtFirstError<'w> {
    inner: &'w mut (dyn Write + Send),
    error: Option<std::io::Error>,
}

impl Write for StopAtFirstError<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.error.is_some() {
            return Ok(buf.len());
        }
        self.inner.write(buf).map_err(|e| self.failed(e))
    }

    fn flush(&mut self) -> std::io::Result<()> {
        if self.error.is_some() {
            return Ok(());
        }
        self.inner.flush().map_err(|e| self.failed(e))
    }
}

impl StopAtFirstError<'_> {
    /// Keeps the error (not an interruption, which is retried); answers a copy of it for the
    /// writer that hit it.
    fn failed(&mut self, e: std::io::Error) -> std::io::Error {
        if e.kind() == std::io::ErrorKind::Interrupted {
            return e;
        }
        let copy = std::io::Error::new(e.kind(), e.to_string());
        self.error = Some(e);
        copy
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_starts_are_neutralised_and_other_text_is_not() {
        for bad in ["=1+1", "+66812345678", "-5", "@SUM(A1)", "\t=x", "\r=x"] {
            assert!(neutralise(bad).starts_with('\''), "{bad}");
        }
        for ok in ["สมศรี", "0812345678", "a=b", ""] {
            assert_eq!(neutralise(ok), ok);
        }
    }

    #[test]
    fn csv_has_a_bom_and_crlf() {
        let mut out = Vec::new();
        let mut w = TableWriter::csv(&mut out, &["ชื่อ", "แต้ม"]).unwrap();
        w.row(&[Cell::Text("=HYPERLINK(\"x\")".into()), Cell::Int(-40)])
            .unwrap();
        assert_eq!(w.finish().unwrap(), 1);
        let text = String::from_utf8(out).unwrap();
        assert_eq!(text, "\u{feff}ชื่อ,แต้ม\r\n\"'=HYPERLINK(\"\"x\"\")\",-40\r\n");
    }

    /// A destination that takes `room` bytes, then is full.
    struct FullDisk {
        room: usize,
    }

    impl Write for FullDisk {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            if self.room == 0 {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::StorageFull,
                    "No space left on device (os error 28)",
                ));
            }
            let n = buf.len().min(self.room);
            self.room -= n;
            Ok(n)
        }

        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    /// The messages a caller printing the whole chain (`{:#}` of anyhow) shows.
    fn chain(e: &dyn std::error::Error) -> Vec<String> {
        let mut out = vec![e.to_string()];
        let mut next = e.source();
        while let Some(e) = next {
            out.push(e.to_string());
            next = e.source();
        }
        out
    }

    #[test]
    fn a_failed_xlsx_write_says_what_the_destination_said_once() {
        for room in [0, 100, 5_000] {
            let mut out = FullDisk { room };
            let mut w = TableWriter::xlsx(&mut out, "สมาชิก", &["ชื่อ", "แต้ม"], Lang::Th).unwrap();
            for i in 0..2_000 {
                w.row(&[Cell::Text(format!("สมาชิก {i}")), Cell::Int(i)])
                    .unwrap();
            }
            let e = w.finish().unwrap_err();
            assert!(
                matches!(&e, ExportError::Io(io) if io.kind() == std::io::ErrorKind::StorageFull),
                "{e:?}"
            );
            let chain = chain(&e).join(": ");
            assert_eq!(
                chain, "the download could not be written: No space left on device (os error 28)",
                "{room}"
            );
        }
    }

    #[test]
    fn an_error_says_its_cause_once() {
        let missing = || {
            std::io::Error::new(
                std::io::ErrorKind::NotFound,
                "No such file or directory (os error 2)",
            )
        };
        for e in [
            ExportError::from(missing()),
            ExportError::from(csv::Error::from(missing())),
            ExportError::from(XlsxError::IoError(missing())),
        ] {
            let shown = chain(&e).join(": ");
            assert_eq!(shown.matches("No such file").count(), 1, "{shown}");
        }
        let e = ExportError::Source("no shop 0192 on this server".into());
        assert_eq!(
            chain(&e).join(": "),
            "the data to download could not be read: no shop 0192 on this server"
        );
    }

    #[test]
    fn a_text_cell_of_an_xlsx_keeps_its_text() {
        let mut bytes = Vec::new();
        let mut w = TableWriter::xlsx(&mut bytes, "x", &["ชื่อ"], Lang::En).unwrap();
        w.row(&[Cell::Text("@oops".into())]).unwrap();
        w.finish().unwrap();
        let mut book: calamine::Xlsx<_> =
            calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
        let range = calamine::Reader::worksheet_range(&mut book, "x").unwrap();
        assert_eq!(
            range.get_value((1, 0)),
            Some(&calamine::Data::String("@oops".into()))
        );
    }
}
