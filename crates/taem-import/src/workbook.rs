//! A workbook's member sheet read as rows: which sheet is the members' (the first whose header
//! is the template's, else the one named like the template's, else the first), and its cells as
//! the text a person typed.
//!
//! An XLSX sheet is streamed: a thread owns the workbook (its cell reader borrows it) and sends
//! the rows in small batches through a bounded channel, so a sheet of a million rows never sits
//! in memory, only the file's bytes and its shared strings do. Errors travel through the same
//! channel. Other workbooks (`.xlsb`, `.ods`) are rare enough to be read whole.
//!
//! The rows are what reading the whole sheet would give: numbered by the spreadsheet's rows,
//! from the first row with a value to the last, blank rows between included.

use std::io::Cursor;
use std::sync::Arc;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};

use calamine::{Data, DataRef, Reader, Xlsx, XlsxCellReader, XlsxError};

use crate::columns::Column;
use crate::error::FileError;
use crate::read::{RawRow, cell_from_text};

/// Rows the reading thread sends at a time (one channel message).
const SHEET_BATCH_ROWS: usize = 256;
/// Batches read ahead of the import: with [`SHEET_BATCH_ROWS`], bounds the rows in memory at
/// once, whatever the size of the sheet.
const SHEET_BATCHES_AHEAD_MAX: usize = 4;

/// The names a shop gives the member sheet when its header is not the template's.
const MEMBER_SHEET_NAMES: [&str; 2] = ["สมาชิก", "members"];

/// The file's bytes, shared: opening a workbook as one format and then as another needs
/// another reader over the same bytes, not another copy of them.
#[derive(Clone)]
struct SharedBytes(Arc<Vec<u8>>);

impl AsRef<[u8]> for SharedBytes {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

type Bytes = Cursor<SharedBytes>;

/// The member sheet's rows.
pub(crate) enum SheetRows {
    /// A sheet read whole.
    Whole(std::vec::IntoIter<RawRow>),
    /// An XLSX sheet, arriving from its reading thread.
    Streamed(Box<StreamedRows>),
}

impl Iterator for SheetRows {
    type Item = Result<RawRow, FileError>;

    fn next(&mut self) -> Option<Self::Item> {
        match self {
            SheetRows::Whole(rows) => rows.next().map(Ok),
            SheetRows::Streamed(rows) => rows.next_row(),
        }
    }
}

/// Opens a workbook (the whole file in `bytes`); answers its member sheet's name and rows.
pub(crate) fn open(bytes: Vec<u8>) -> Result<(String, SheetRows), FileError> {
    let bytes = SharedBytes(Arc::new(bytes));
    match calamine::open_workbook_from_rs::<Xlsx<Bytes>, Bytes>(Cursor::new(bytes.clone())) {
        Ok(book) => streamed(book),
        Err(_) => whole(bytes),
    }
}

/// The rows a sheet starts with, assembled from its cells in the order the file stores them.
struct SheetCells<'a> {
    cells: XlsxCellReader<'a, Bytes>,
    /// A cell read that belongs to the next row.
    next: Option<(u32, u32, Data)>,
    /// The reader said the sheet ended (asking it again would read past the sheet's end).
    ended: bool,
}

impl SheetCells<'_> {
    /// The next row with a value (an empty cell, formatted only, is no value: a whole-sheet
    /// read ignores it too).
    fn next_row(&mut self) -> Result<Option<RawRow>, XlsxError> {
        let mut row: Option<(u32, Vec<String>)> = None;
        loop {
            let cell = match self.next.take() {
                Some(cell) => Some(cell),
                None if self.ended => None,
                None => match self.cells.next_cell()? {
                    Some(c) if matches!(c.get_value(), DataRef::Empty) => continue,
                    Some(c) => {
                        let (r, col) = c.get_position();
                        Some((r, col, Data::from(c.get_value().clone())))
                    }
                    None => {
                        self.ended = true;
                        None
                    }
                },
            };
            let Some((r, col, value)) = cell else {
                return Ok(row.map(|(r, cells)| sheet_row(r, cells)));
            };
            match &mut row {
                Some((current, _)) if *current != r => {
                    self.next = Some((r, col, value));
                    return Ok(row.map(|(r, cells)| sheet_row(r, cells)));
                }
                Some((_, cells)) => place(cells, col, &value),
                None => {
                    let mut cells = Vec::new();
                    place(&mut cells, col, &value);
                    row = Some((r, cells));
                }
            }
        }
    }

    /// The first row with text, if any (the header).
    fn first_text_row(&mut self) -> Result<Option<RawRow>, XlsxError> {
        while let Some(row) = self.next_row()? {
            if !row.is_blank() {
                return Ok(Some(row));
            }
        }
        Ok(None)
    }
}

fn place(cells: &mut Vec<String>, col: u32, value: &Data) {
    let col = col as usize;
    if cells.len() <= col {
        cells.resize(col + 1, String::new());
    }
    cells[col] = cell_text(value);
}

fn sheet_row(row: u32, cells: Vec<String>) -> RawRow {
    RawRow {
        line: u64::from(row) + 1,
        cells,
        flaws: Vec::new(),
    }
}

/// A sheet's cells, or why not. A chart sheet has none (as a whole-sheet read says).
fn sheet_cells<'a>(
    book: &'a mut Xlsx<Bytes>,
    name: &str,
) -> Result<Option<SheetCells<'a>>, XlsxError> {
    match book.worksheet_cells_reader(name) {
        Ok(cells) => Ok(Some(SheetCells {
            cells,
            next: None,
            ended: false,
        })),
        Err(XlsxError::NotAWorksheet(_)) => Ok(None),
        Err(e) => Err(e),
    }
}

fn unreadable(name: &str, e: impl std::fmt::Display) -> FileError {
    FileError::NotATable(format!("the sheet \"{name}\" cannot be read: {e}"))
}

fn named_like_template(name: &str) -> bool {
    MEMBER_SHEET_NAMES
        .iter()
        .any(|n| name.trim().to_lowercase() == *n)
}

/// Picks the member sheet of an XLSX workbook by reading only each sheet's first row with
/// text, then streams that sheet from a thread.
fn streamed(mut book: Xlsx<Bytes>) -> Result<(String, SheetRows), FileError> {
    let mut chosen = None;
    // The fallback sheet, and whether it has any text.
    let mut fallback: Option<(String, bool)> = None;
    let mut first_unreadable = None;
    for name in book.sheet_names() {
        let header = sheet_cells(&mut book, &name)
            .and_then(|cells| cells.map_or(Ok(None), |mut c| c.first_text_row()));
        let header = match header {
            Ok(header) => header,
            Err(e) => {
                first_unreadable.get_or_insert_with(|| unreadable(&name, e));
                continue;
            }
        };
        if header.as_ref().is_some_and(is_template_header) {
            chosen = Some(name);
            break;
        }
        if fallback.is_none() || named_like_template(&name) {
            fallback = Some((name, header.is_some()));
        }
    }
    let name = match (chosen, fallback, first_unreadable) {
        (Some(name), _, _) | (None, Some((name, true)), _) => name,
        (None, _, Some(e)) => return Err(e),
        _ => return Err(FileError::EmptyFile),
    };
    let (sender, batches) = sync_channel(SHEET_BATCHES_AHEAD_MAX);
    let sheet = name.clone();
    std::thread::Builder::new()
        .name("taem-import-sheet".into())
        .spawn(move || send_rows(book, &sheet, &sender))
        .map_err(|e| FileError::Io(format!("the sheet \"{name}\" cannot be read: {e}")))?;
    Ok((
        name,
        SheetRows::Streamed(Box::new(StreamedRows {
            batches,
            batch: Vec::new().into_iter(),
            waiting: None,
            next_line: None,
            finished: false,
        })),
    ))
}

/// What the reading thread sends.
enum Batch {
    /// The next rows.
    Rows(Vec<RawRow>),
    /// The sheet stopped being readable (nothing follows).
    Failed(FileError),
    /// The sheet's last row was sent.
    End,
}

/// The reading thread: every row of the sheet, in batches, then [`Batch::End`] or why not.
/// Stops early when the import stops reading (it dropped the receiving end).
fn send_rows(mut book: Xlsx<Bytes>, name: &str, sender: &SyncSender<Batch>) {
    let mut batch = Vec::with_capacity(SHEET_BATCH_ROWS);
    let read = (|| {
        let Some(mut cells) = sheet_cells(&mut book, name)? else {
            return Ok(true);
        };
        while let Some(row) = cells.next_row()? {
            batch.push(row);
            if batch.len() == SHEET_BATCH_ROWS {
                let full = std::mem::replace(&mut batch, Vec::with_capacity(SHEET_BATCH_ROWS));
                if sender.send(Batch::Rows(full)).is_err() {
                    return Ok(false);
                }
            }
        }
        Ok::<bool, XlsxError>(true)
    })();
    let last = match read {
        Ok(true) => Batch::End,
        // The import stopped reading.
        Ok(false) => return,
        Err(e) => Batch::Failed(unreadable(name, e)),
    };
    // The rows read before the end (or before the sheet broke), then the end. Nobody may be
    // listening any more: then there is nobody to tell either.
    if !batch.is_empty() && sender.send(Batch::Rows(batch)).is_err() {
        return;
    }
    let _ = sender.send(last);
}

/// The import's end of a streamed sheet.
pub(crate) struct StreamedRows {
    batches: Receiver<Batch>,
    batch: std::vec::IntoIter<RawRow>,
    /// A row further down than the next line, given after the blank rows before it.
    waiting: Option<RawRow>,
    /// The line the next row is on, once the first is given.
    next_line: Option<u64>,
    finished: bool,
}

impl StreamedRows {
    fn next_row(&mut self) -> Option<Result<RawRow, FileError>> {
        loop {
            if let Some(row) = self.waiting.take() {
                if let Some(line) = self.next_line
                    && row.line > line
                {
                    // A row the file skips (or holds only formatting in) is a blank row.
                    self.next_line = Some(line + 1);
                    self.waiting = Some(row);
                    return Some(Ok(RawRow {
                        line,
                        cells: Vec::new(),
                        flaws: Vec::new(),
                    }));
                }
                self.next_line = Some(row.line + 1);
                return Some(Ok(row));
            }
            if let Some(row) = self.batch.next() {
                self.waiting = Some(row);
                continue;
            }
            if self.finished {
                return None;
            }
            match self.batches.recv() {
                Ok(Batch::Rows(rows)) => self.batch = rows.into_iter(),
                Ok(Batch::End) => {
                    self.finished = true;
                    return None;
                }
                Ok(Batch::Failed(e)) => {
                    self.finished = true;
                    return Some(Err(e));
                }
                Err(_) => {
                    // The thread ended without saying so: it panicked.
                    self.finished = true;
                    return Some(Err(FileError::Io(
                        "reading the sheet stopped before its last row".into(),
                    )));
                }
            }
        }
    }
}

/// Any other workbook, each sheet read whole.
fn whole(bytes: SharedBytes) -> Result<(String, SheetRows), FileError> {
    let mut book = calamine::open_workbook_auto_from_rs(Cursor::new(bytes))
        .map_err(|e| FileError::NotATable(format!("not a readable Excel workbook: {e}")))?;
    let names = book.sheet_names();
    let mut fallback: Option<(String, Vec<RawRow>)> = None;
    let mut first_unreadable = None;
    for (i, name) in names.iter().enumerate() {
        let range = match book.worksheet_range_at(i) {
            Some(Ok(range)) => range,
            Some(Err(e)) => {
                first_unreadable.get_or_insert_with(|| unreadable(name, e));
                continue;
            }
            None => continue,
        };
        let rows = range_rows(&range);
        if rows
            .iter()
            .find(|r| !r.is_blank())
            .is_some_and(is_template_header)
        {
            return Ok((name.clone(), SheetRows::Whole(rows.into_iter())));
        }
        if fallback.is_none() || named_like_template(name) {
            fallback = Some((name.clone(), rows));
        }
    }
    match (fallback, first_unreadable) {
        (Some((name, rows)), _) if !rows.iter().all(RawRow::is_blank) => {
            Ok((name, SheetRows::Whole(rows.into_iter())))
        }
        (_, Some(e)) => Err(e),
        _ => Err(FileError::EmptyFile),
    }
}

fn range_rows(range: &calamine::Range<Data>) -> Vec<RawRow> {
    let first_row = range.start().map_or(0, |(r, _)| r as u64);
    let first_col = range.start().map_or(0, |(_, c)| c as usize);
    range
        .rows()
        .enumerate()
        .map(|(i, row)| {
            let mut cells: Vec<String> = vec![String::new(); first_col];
            cells.extend(row.iter().map(cell_text));
            RawRow {
                line: first_row + i as u64 + 1,
                cells,
                flaws: Vec::new(),
            }
        })
        .collect()
}

/// A header row names the template's required columns.
fn is_template_header(header: &RawRow) -> bool {
    let columns: Vec<Column> = header
        .cells
        .iter()
        .filter_map(|c| Column::from_header(c))
        .collect();
    Column::ALL
        .into_iter()
        .filter(|c| c.required())
        .all(|c| columns.contains(&c))
}

/// The text of a workbook cell as a person would have typed it. Whole numbers lose no digits
/// and show no `.0`; dates become dd/mm/yyyy (C.E.).
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
        Data::Error(e) => e.to_string(),
    }
}

#[cfg(test)]
mod tests;
