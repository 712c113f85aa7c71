//! Downloads: tables written row by row as CSV (UTF-8 with BOM, so Excel shows Thai) or XLSX
//! (rust_xlsxwriter's constant-memory mode: a row is flushed to a temporary file as soon as the
//! next one starts), so a million rows never sit in memory.
//!
//! Text a spreadsheet would run as a formula — a cell starting with `=`, `+`, `-` or `@`, or a
//! tab or carriage return that hides one — gets a leading `'`, which Excel and LibreOffice
//! show as plain text ([`neutralise`]). Numbers Taem computes (points, amounts) are written as
//! numbers and are never text a person typed.

use std::io::Write;

use rust_xlsxwriter::{Format, Workbook, Worksheet, XlsxError};
use serde::Serialize;

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
    /// Text someone typed (neutralised on the way out).
    Text(String),
    /// A whole number Taem computed.
    Int(i64),
    /// A decimal Taem computed (baht), written with its 2 places.
    Decimal(String),
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
    Xlsx {
        book: Box<Workbook>,
        out: &'w mut (dyn Write + Send),
    },
}

/// Why an export stopped.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// Writing failed.
    #[error("the download could not be written: {0}")]
    Io(#[from] std::io::Error),
    /// CSV writing failed.
    #[error("the download could not be written: {0}")]
    Csv(#[from] csv::Error),
    /// XLSX writing failed.
    #[error("the Excel file could not be written: {0}")]
    Xlsx(#[from] XlsxError),
    /// More rows than one Excel sheet holds.
    #[error(
        "more than 1,048,575 rows do not fit in one Excel sheet: download as CSV, or narrow the dates or branch"
    )]
    TooManyRowsForXlsx,
}

/// The most data rows an Excel sheet holds (after the header).
const XLSX_ROWS_MAX: u32 = 1_048_575;

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

    /// An XLSX table (one sheet named `sheet`) with its header.
    pub fn xlsx(
        out: &'w mut (dyn Write + Send),
        sheet: &str,
        header: &[&str],
    ) -> Result<TableWriter<'w>, ExportError> {
        let mut book = Box::new(Workbook::new());
        let bold = Format::new().set_bold();
        let ws = book.add_worksheet_with_constant_memory()?;
        ws.set_name(sheet)?;
        for (i, h) in header.iter().enumerate() {
            ws.write_string_with_format(0, i as u16, *h, &bold)?;
            ws.set_column_width(i as u16, 18)?;
        }
        Ok(TableWriter {
            inner: Inner::Xlsx { book, out },
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
                        Cell::Empty => String::new(),
                    })
                    .collect();
                w.write_record(&texts)?;
            }
            Inner::Xlsx { book, .. } => {
                if self.rows >= XLSX_ROWS_MAX {
                    return Err(ExportError::TooManyRowsForXlsx);
                }
                let ws: &mut Worksheet = book.worksheet_from_index(0)?;
                let r = self.rows + 1;
                for (i, c) in cells.iter().enumerate() {
                    let col = i as u16;
                    match c {
                        Cell::Text(t) => {
                            // Written as a string cell, never parsed as a formula; the `'`
                            // still keeps it text if the sheet is saved again as CSV.
                            ws.write_string(r, col, neutralise(t))?;
                        }
                        Cell::Int(v) => {
                            ws.write_number(r, col, *v as f64)?;
                        }
                        Cell::Decimal(d) => match d.parse::<f64>() {
                            Ok(v) => {
                                ws.write_number(r, col, v)?;
                            }
                            Err(_) => {
                                ws.write_string(r, col, d)?;
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
            Inner::Xlsx { mut book, out } => book.save_to_writer(out)?,
        }
        Ok(self.rows)
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
}
