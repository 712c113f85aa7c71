//! The import itself: read the file, check every row, write the good ones through a
//! [`MemberSink`], and say what happened to each row in a [`ImportReport`].
//!
//! A shop upload (at most [`SHOP_UPLOAD_ROWS_MAX`] rows) is all-or-nothing: its valid rows go to
//! the sink in ONE batch, so a failure writes none of them. A bulk import (a migrating chain,
//! millions of rows) streams: it holds one batch of rows at a time, and a failure keeps the
//! batches already written (the report says how far it got; running it again skips them, their
//! phones being members by then).

use std::collections::HashMap;

use chrono::NaiveDate;
use serde::Serialize;

use crate::columns::Column;
use crate::error::{FileError, SinkError};
use crate::header::Header;
use crate::read::{FileKind, RawRow, Table};
use crate::validate::{CodeNotKept, CodeNotKeptWhy, RowProblem, ValidRow, row_phone, validate};

/// The most member rows one shop upload takes (the seed's limit).
pub const SHOP_UPLOAD_ROWS_MAX: u64 = 5_000;
/// Rows per batch in a bulk import.
pub const BULK_BATCH_ROWS: usize = 25_000;

/// Where imported members go: a counter's replica, or the server's store.
pub trait MemberSink {
    /// Writes `rows` atomically (all or none). Rows whose phone is already a member are not
    /// written. `progress` gets the rows done.
    fn write(
        &mut self,
        rows: &[ValidRow],
        progress: &mut dyn FnMut(u64),
    ) -> Result<SinkOutcome, SinkError>;

    /// The rows whose phone is already a member: (line, that member's code). Reads only: a
    /// check (`dry_run`) reports them as the import would.
    fn existing(&mut self, rows: &[ValidRow]) -> Result<Vec<(u64, String)>, SinkError>;

    /// The lines of the rows whose member code (`ValidRow::code`) another member of the shop
    /// has (not the row's phone's member). Reads only: a check reports them as the import
    /// would (new codes).
    fn taken_codes(&mut self, rows: &[ValidRow]) -> Result<Vec<u64>, SinkError>;
}

/// What a sink did with a batch.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SinkOutcome {
    /// Written: (line, new member code).
    pub imported: Vec<(u64, String)>,
    /// Not written, the phone being a member already: (line, that member's code).
    pub already_members: Vec<(u64, String)>,
    /// Written with a new code, the code the row gave being another member's: lines.
    pub codes_taken: Vec<u64>,
}

/// How to import.
#[derive(Clone, Copy, Debug)]
pub struct ImportOptions {
    /// A shop upload's row limit; `None` for a bulk import (streamed in batches).
    pub max_rows: Option<u64>,
    /// Today (Asia/Bangkok), which bounds birthdays.
    pub today: NaiveDate,
    /// Check only: write nothing (the report says what would happen, the phones already
    /// members included; `imported` stays 0).
    pub dry_run: bool,
}

/// What the import is doing.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ImportStage {
    /// Reading and checking rows.
    Reading,
    /// Writing members.
    Writing,
}

/// Progress of an import.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct ImportProgress {
    /// What.
    pub stage: ImportStage,
    /// Rows done in this stage.
    pub done: u64,
    /// Out of (when known).
    pub total: Option<u64>,
}

/// What an import did.
#[derive(Clone, Debug, Default, Serialize)]
pub struct ImportReport {
    /// What the file was.
    pub file_kind: Option<FileKind>,
    /// The file as a whole was refused (then nothing was imported).
    pub file_error: Option<FileErrorView>,
    /// Member rows in the file (blank rows not counted).
    pub rows: u64,
    /// Members imported.
    pub imported: u64,
    /// Rows not imported because their phone was already a member of the shop.
    pub already_members: u64,
    /// Headers the file has that the template does not (ignored).
    pub unknown_columns: Vec<String>,
    /// The problems of the rows, in file order: every one in a shop upload, the first
    /// [`PROBLEMS_KEPT_MAX`] in a bulk import (the report file, written as the import goes
    /// through a [`ProblemLog`], has them all).
    pub problems: Vec<RowProblem>,
    /// Problems found, all of them (`problems` may keep fewer).
    pub problems_total: u64,
    /// Rows not imported for a problem of their own (rows already members not counted: see
    /// `already_members`), as the summary says "rows with problems".
    pub rows_with_problems: u64,
    /// Lines and member codes of the members imported (shop uploads; empty in bulk).
    pub imported_codes: Vec<(u64, String)>,
    /// Members imported (in a check: to be imported) with a new member code because the
    /// code their row gave could not be kept (not a Taem code, repeated in the file, or
    /// another member's); each has a `code_not_kept` line among the problems, which does not
    /// make its row one with problems.
    pub new_codes: u64,
}

/// A file error as the report shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FileErrorView {
    /// Stable code.
    pub code: &'static str,
    /// English.
    pub en: String,
    /// Thai.
    pub th: String,
}

impl From<&FileError> for FileErrorView {
    fn from(e: &FileError) -> Self {
        FileErrorView {
            code: e.code(),
            en: e.en(),
            th: e.th(),
        }
    }
}

impl ImportReport {
    /// Rows not imported: rows with problems and rows already members.
    pub fn bad_rows(&self) -> u64 {
        self.rows_with_problems + self.already_members
    }

    /// Whether `problems` holds fewer than all the problems found.
    pub fn problems_cut(&self) -> bool {
        (self.problems.len() as u64) < self.problems_total
    }

    /// Takes in the problems of a run of rows that no other call covers, every line of which
    /// comes after the lines taken in before: sorts them into file order, counts them and
    /// their rows, writes each to `log` and keeps up to `keep` in the report.
    fn take_problems(&mut self, mut found: Vec<RowProblem>, keep: usize, log: &mut dyn ProblemLog) {
        found.sort_by_key(|p| (p.line, p.column));
        let mut last_line = None;
        for mut problem in found {
            shorten_value(&mut problem.value);
            // A row already a member has that one problem (only valid rows are looked up), and
            // a member given a new code was imported.
            if problem.code == CODE_NOT_KEPT {
                self.new_codes += 1;
            } else if last_line != Some(problem.line) && problem.code != ALREADY_MEMBER {
                self.rows_with_problems += 1;
                last_line = Some(problem.line);
            }
            self.problems_total += 1;
            log.problem(&problem);
            if self.problems.len() < keep {
                self.problems.push(problem);
            }
        }
    }

    fn refused(mut self, e: &FileError) -> ImportReport {
        self.file_error = Some(e.into());
        self.imported = 0;
        self.imported_codes.clear();
        self
    }
}

/// Problems a bulk import's [`ImportReport`] keeps in memory. A re-run of a million-row
/// import meets a million rows already members: their problems go to the report file as they
/// are found, not into memory.
pub const PROBLEMS_KEPT_MAX: usize = 1_000;

/// Where an import writes every problem as it finds them, in file order (the report file).
/// A shop upload writes them when the file has been checked; a bulk import batch by batch.
pub trait ProblemLog {
    /// The file's columns that are not template columns (ignored): once, before any problem.
    fn ignored_columns(&mut self, columns: &[String]);
    /// One problem of a row.
    fn problem(&mut self, problem: &RowProblem);
}

/// A [`ProblemLog`] that keeps nothing (the report alone says what happened).
pub struct NoLog;

impl ProblemLog for NoLog {
    fn ignored_columns(&mut self, _: &[String]) {}
    fn problem(&mut self, _: &RowProblem) {}
}

/// Imports `table` into `sink`.
pub fn import(
    table: Result<Table, FileError>,
    options: ImportOptions,
    sink: &mut dyn MemberSink,
    progress: &mut dyn FnMut(ImportProgress),
) -> ImportReport {
    import_logged(table, options, sink, progress, &mut NoLog)
}

/// Imports `table` into `sink`, writing every problem to `log` as the import finds it.
pub fn import_logged(
    table: Result<Table, FileError>,
    options: ImportOptions,
    sink: &mut dyn MemberSink,
    progress: &mut dyn FnMut(ImportProgress),
    log: &mut dyn ProblemLog,
) -> ImportReport {
    let mut report = ImportReport::default();
    let mut table = match table {
        Ok(t) => t,
        Err(e) => return report.refused(&e),
    };
    report.file_kind = Some(table.kind);
    let header_row = loop {
        match table.next() {
            None => return report.refused(&FileError::EmptyFile),
            Some(Err(e)) => return report.refused(&e),
            Some(Ok(row)) if row.is_blank() => continue,
            Some(Ok(row)) => break row,
        }
    };
    let (header, unknown) = match Header::read(&header_row) {
        Ok(read) => read,
        Err(e) => return report.refused(&e),
    };
    log.ignored_columns(&unknown);
    report.unknown_columns = unknown;
    let missing = header.missing();
    if !missing.is_empty() {
        return report.refused(&FileError::MissingColumns {
            columns: missing,
            sheet: table.sheet.clone(),
        });
    }
    let checker = Checker {
        header: &header,
        today: options.today,
        codes: HashMap::new(),
        seen: HashMap::new(),
    };
    match options.max_rows {
        Some(max) => shop_upload(table, checker, max, options, sink, progress, report, log),
        None => bulk(table, checker, options, sink, progress, report, log),
    }
}

/// Checks rows one by one, reporting duplicates of a phone seen earlier in the file.
struct Checker<'a> {
    header: &'a Header,
    today: NaiveDate,
    /// Member code (its bits) → the line that kept it first.
    codes: HashMap<u64, u64>,
    /// Phone (see [`phone_key`]) → the line that brought it first.
    seen: HashMap<u64, u64>,
}

/// A phone as a number, for the map of phones seen: its digits after a leading 1, so that
/// numbers of any length up to 18 digits stay apart (a phone is 10 digits, `0` first).
fn phone_key(phone: &taem_core::Phone) -> u64 {
    phone.as_str().bytes().fold(1, |key, digit| {
        key.wrapping_mul(10)
            .wrapping_add(u64::from(digit.wrapping_sub(b'0')))
    })
}

impl Checker<'_> {
    /// The rule for phones met twice: the first line that brings a phone owns it, whether
    /// that row is valid or not, and every later row with the same phone (compared after
    /// normalisation) is reported as its duplicate, on top of any other problem it has. So a
    /// row fixed by adding a corrected copy below the broken one is not imported beside it
    /// unmentioned: the manager sees both lines and removes one.
    fn check(&mut self, row: &RawRow, problems: &mut Vec<RowProblem>) -> Option<ValidRow> {
        let checked = validate(self.header, row, self.today);
        let phone = match &checked {
            Ok(valid) => Some(valid.phone.clone()),
            Err(_) => row_phone(self.header, row),
        };
        let duplicate_of = phone.as_ref().and_then(|phone| {
            let key = phone_key(phone);
            match self.seen.get(&key) {
                Some(first) => Some(*first),
                None => {
                    self.seen.insert(key, row.line);
                    None
                }
            }
        });
        if let (Some(first), Some(phone)) = (duplicate_of, &phone) {
            let (cell, header) = self.header.cell(row, Column::Phone);
            problems.push(duplicate_in_file(row.line, first, phone, cell, header));
        }
        match checked {
            Ok(mut valid) if duplicate_of.is_none() => {
                // The first line that keeps a code owns it; a later one gets a new code.
                if let Some(code) = &valid.code {
                    match self.codes.entry(code.bits()) {
                        std::collections::hash_map::Entry::Occupied(first) => {
                            valid.code_not_kept = Some(CodeNotKept {
                                cell: self.header.cell(row, Column::MemberCode).0.to_string(),
                                why: CodeNotKeptWhy::RepeatsLine(*first.get()),
                            });
                            valid.code = None;
                        }
                        std::collections::hash_map::Entry::Vacant(free) => {
                            free.insert(row.line);
                        }
                    }
                }
                Some(valid)
            }
            Ok(_) => None,
            Err(found) => {
                problems.extend(found);
                None
            }
        }
    }
}

/// A row whose phone an earlier line of the file brought; `cell` and `header` as the file
/// writes them.
fn duplicate_in_file(
    line: u64,
    first: u64,
    phone: &taem_core::Phone,
    cell: &str,
    header: &str,
) -> RowProblem {
    let shown = phone.display_grouped();
    RowProblem {
        line,
        column: Some(Column::Phone),
        header: header.to_string(),
        value: cell.to_string(),
        code: "duplicate_in_file",
        en: format!(
            "phone {shown} is already on line {first} of this file: one member per phone; remove or merge the repeated row"
        ),
        th: format!("เบอร์ {shown} ซ้ำกับบรรทัดที่ {first} ของไฟล์นี้: หนึ่งเบอร์ต่อสมาชิกหนึ่งคน ลบหรือรวมแถวที่ซ้ำ"),
    }
}

/// The problems of the rows a sink found already members (`found`: line, member code), with
/// each row looked up once per batch (a re-run of a bulk import meets a whole batch of them);
/// `phone_header` as the file writes it.
fn already_members(
    found: &[(u64, String)],
    rows: &[ValidRow],
    phone_header: &str,
) -> Vec<RowProblem> {
    if found.is_empty() {
        return Vec::new();
    }
    let by_line: HashMap<u64, &ValidRow> = rows.iter().map(|r| (r.line, r)).collect();
    found
        .iter()
        .filter_map(|(line, code)| {
            let row = by_line.get(line)?;
            Some(already_member(row, code, phone_header))
        })
        .collect()
}

fn already_member(row: &ValidRow, code: &str, phone_header: &str) -> RowProblem {
    // The code as printed on the member's card, the phone as people read it.
    let code = taem_core::MemberCode::shown(code);
    let phone = row.phone.display_grouped();
    RowProblem {
        line: row.line,
        column: Some(Column::Phone),
        header: phone_header.to_string(),
        value: row.phone_cell.clone(),
        code: ALREADY_MEMBER,
        en: format!(
            "phone {phone} is already member {code}: not imported again (nothing changed); edit that member at the counter if their details changed"
        ),
        th: format!(
            "เบอร์ {phone} เป็นสมาชิก {code} อยู่แล้ว: ไม่ได้นำเข้าซ้ำ (ไม่มีอะไรเปลี่ยน) ถ้าข้อมูลเปลี่ยน ให้แก้ไขสมาชิกคนนั้นที่หน้าร้าน"
        ),
    }
}

/// The notes of the members given a new code: `imported` (line, new code; `None` in a
/// check) of the rows `rows`, `taken` the lines whose code was another member's.
fn code_notes<'c>(
    rows: &[ValidRow],
    imported: impl Iterator<Item = (u64, Option<&'c str>)>,
    taken: &[u64],
    code_header: &str,
) -> Vec<RowProblem> {
    if taken.is_empty() && rows.iter().all(|r| r.code_not_kept.is_none()) {
        return Vec::new();
    }
    let by_line: HashMap<u64, &ValidRow> = rows.iter().map(|r| (r.line, r)).collect();
    let taken: std::collections::HashSet<u64> = taken.iter().copied().collect();
    imported
        .filter_map(|(line, new_code)| {
            let row = by_line.get(&line)?;
            let not_kept = match &row.code_not_kept {
                Some(n) => n.clone(),
                None if taken.contains(&line) => CodeNotKept {
                    cell: row.code_cell.clone(),
                    why: CodeNotKeptWhy::OtherMembers,
                },
                None => return None,
            };
            Some(code_not_kept(line, &not_kept, new_code, code_header))
        })
        .collect()
}

/// Whether a cell looks like what a spreadsheet makes of a code it took for a number.
fn looks_like_a_number(cell: &str) -> bool {
    let cell = cell.trim();
    !cell.is_empty()
        && cell
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '.' | 'E' | 'e' | '+' | ','))
        && cell.chars().any(|c| c.is_ascii_digit())
}

/// A member given a new code instead of the one their row gives.
fn code_not_kept(
    line: u64,
    not_kept: &CodeNotKept,
    new_code: Option<&str>,
    header: &str,
) -> RowProblem {
    let cell = &not_kept.cell;
    let (why_en, why_th) = match not_kept.why {
        // A spreadsheet that took the code for a number (all digits, or 1.2E+10) lost it.
        CodeNotKeptWhy::NotTaem if looks_like_a_number(cell) => (
            "is not a Taem member code: the spreadsheet seems to have turned it into a number (format the column as Text and type the code again, or download the members again)".to_string(),
            "ไม่ใช่รหัสสมาชิกของ Taem: โปรแกรมตารางคำนวณน่าจะเปลี่ยนรหัสเป็นตัวเลข (ตั้งรูปแบบคอลัมน์เป็นข้อความแล้วพิมพ์รหัสใหม่ หรือดาวน์โหลดรายชื่อสมาชิกอีกครั้ง)".to_string(),
        ),
        CodeNotKeptWhy::NotTaem => (
            "is not a Taem member code (another system's, or mistyped)".to_string(),
            "ไม่ใช่รหัสสมาชิกของ Taem (เป็นรหัสของระบบอื่น หรือพิมพ์ผิด)".to_string(),
        ),
        CodeNotKeptWhy::RepeatsLine(first) => (
            format!(
                "is also on line {first} of this file: a code goes to one member only, the first line's if anyone's"
            ),
            format!(
                "ซ้ำกับบรรทัดที่ {first} ของไฟล์นี้: รหัสหนึ่งใช้ได้กับสมาชิกคนเดียว ถ้าใช้ได้จะเป็นของบรรทัดแรกที่มีรหัสนี้"
            ),
        ),
        CodeNotKeptWhy::OtherMembers => (
            "is already another member's code in this shop".to_string(),
            "เป็นรหัสของสมาชิกคนอื่นของร้านอยู่แล้ว".to_string(),
        ),
    };
    let (new_en, new_th) = match new_code {
        Some(code) => {
            let code = taem_core::MemberCode::shown(code);
            (
                format!("the member was imported with the new code {code}"),
                format!("สมาชิกได้รหัสใหม่ {code}"),
            )
        }
        None => (
            "the member gets a new code".to_string(),
            "สมาชิกจะได้รหัสใหม่".to_string(),
        ),
    };
    RowProblem {
        line,
        column: Some(Column::MemberCode),
        header: header.to_string(),
        value: cell.clone(),
        code: CODE_NOT_KEPT,
        en: format!(
            "member code {cell} {why_en}: {new_en}; a card printed with {cell} will not find them, so give them a card with the new code"
        ),
        th: format!(
            "รหัสสมาชิก {cell} {why_th}: {new_th} บัตรที่พิมพ์รหัส {cell} จะค้นหาสมาชิกคนนี้ไม่พบ ให้ออกบัตรใหม่ที่มีรหัสใหม่"
        ),
    }
}

#[allow(clippy::too_many_arguments)]
fn shop_upload(
    table: Table,
    checker: Checker<'_>,
    max: u64,
    options: ImportOptions,
    sink: &mut dyn MemberSink,
    progress: &mut dyn FnMut(ImportProgress),
    mut report: ImportReport,
    log: &mut dyn ProblemLog,
) -> ImportReport {
    // At most `max` rows are checked: every problem is kept, and taken in at the end (a file
    // over the limit is refused without them: nothing past the limit was checked).
    let mut problems = Vec::new();
    let stopped = shop_upload_rows(
        table,
        checker,
        max,
        options,
        sink,
        progress,
        &mut report,
        &mut problems,
    );
    if !matches!(stopped, Some(FileError::TooManyRows { .. })) {
        report.take_problems(problems, usize::MAX, log);
    }
    match stopped {
        Some(e) => report.refused(&e),
        None => report,
    }
}

/// A shop upload's checking and its one write; answers the error that refused the file, if
/// one did. The rows' problems go to `problems`.
#[allow(clippy::too_many_arguments)]
fn shop_upload_rows(
    table: Table,
    mut checker: Checker<'_>,
    max: u64,
    options: ImportOptions,
    sink: &mut dyn MemberSink,
    progress: &mut dyn FnMut(ImportProgress),
    report: &mut ImportReport,
    problems: &mut Vec<RowProblem>,
) -> Option<FileError> {
    let mut valid = Vec::new();
    let headers = Headers {
        phone: checker.header.written(Column::Phone),
        code: checker.header.written(Column::MemberCode),
    };
    for row in table {
        let row = match row {
            Ok(row) => row,
            Err(e) => return Some(e),
        };
        if row.is_blank() {
            continue;
        }
        report.rows += 1;
        if report.rows > max {
            // Keep counting (the message says how many), check nothing more.
            continue;
        }
        if let Some(v) = checker.check(&row, problems) {
            valid.push(v);
        }
        if report.rows.is_multiple_of(500) {
            progress(ImportProgress {
                stage: ImportStage::Reading,
                done: report.rows,
                total: None,
            });
        }
    }
    if report.rows > max {
        return Some(FileError::TooManyRows {
            rows: report.rows,
            max,
        });
    }
    if report.rows == 0 {
        return Some(FileError::NoRows);
    }
    progress(ImportProgress {
        stage: ImportStage::Reading,
        done: report.rows,
        total: Some(report.rows),
    });
    if valid.is_empty() {
        return None;
    }
    if options.dry_run {
        return match looked_up(sink, &valid, headers) {
            Ok((found, already)) => {
                problems.extend(found);
                report.already_members = already;
                None
            }
            Err(e) => Some(FileError::Write(e)),
        };
    }
    let total = valid.len() as u64;
    let written = sink.write(&valid, &mut |done| {
        progress(ImportProgress {
            stage: ImportStage::Writing,
            done,
            total: Some(total),
        })
    });
    match written {
        Ok(outcome) => {
            problems.extend(written_problems(&outcome, &valid, headers));
            report.already_members = outcome.already_members.len() as u64;
            report.imported = outcome.imported.len() as u64;
            report.imported_codes = outcome.imported;
            None
        }
        Err(e) => Some(FileError::Write(e)),
    }
}

/// What the reading thread of a bulk import sends.
enum Checked {
    /// A batch of valid rows, with the problems of every row read since the batch before
    /// (the rows of this batch, and the rows between that failed their checks).
    Batch {
        rows: Vec<ValidRow>,
        problems: Vec<RowProblem>,
    },
    /// The file error that stopped the reading, with the problems of the rows read after the
    /// last batch (whose valid rows are not written).
    Stopped {
        error: FileError,
        problems: Vec<RowProblem>,
    },
}

/// The most characters of a cell a problem quotes: a cell swallowed by an unclosed quote can
/// hold the rest of the file, and Excel shows at most 32,767 characters in a cell.
const VALUE_CHARS_SHOWN: usize = 200;

/// Cuts a quoted cell to [`VALUE_CHARS_SHOWN`] characters, saying how long it was.
fn shorten_value(value: &mut String) {
    let chars = value.chars().count();
    if chars > VALUE_CHARS_SHOWN {
        let cut: String = value.chars().take(VALUE_CHARS_SHOWN).collect();
        *value = format!(
            "{cut}… ({} characters)",
            crate::error::grouped(chars as u64)
        );
    }
}

/// The code of a row whose phone is already a member.
pub(crate) const ALREADY_MEMBER: &str = "already_member";
/// The problem code of a member imported with a new code (not a row with problems).
pub(crate) const CODE_NOT_KEPT: &str = "code_not_kept";

/// Problems that make the reading side of a bulk import send its batch early.
const BATCH_PROBLEMS_MAX: usize = 5_000;

/// Batches read ahead of the one being written.
const BATCHES_AHEAD: usize = 1;

/// A bulk import reads and checks rows on one thread while the sink writes the batches
/// already checked on this one, so the two overlap. The batches written are the same as if
/// one thread did both: a file error stops the reading, and the batches checked before it
/// are written; a write error stops both. The problems go to the report and its log batch by
/// batch, in file order, so that memory does not grow with them.
fn bulk(
    table: Table,
    checker: Checker<'_>,
    options: ImportOptions,
    sink: &mut dyn MemberSink,
    progress: &mut dyn FnMut(ImportProgress),
    mut report: ImportReport,
    log: &mut dyn ProblemLog,
) -> ImportReport {
    let (send, receive) = std::sync::mpsc::sync_channel::<Checked>(BATCHES_AHEAD);
    let phone_header = checker.header.written(Column::Phone).to_string();
    let code_header = checker.header.written(Column::MemberCode).to_string();
    let (rows, failed) = std::thread::scope(|scope| {
        let reader = scope.spawn(move || read_checked(table, checker, send));
        let writing = Writing {
            options,
            headers: Headers {
                phone: &phone_header,
                code: &code_header,
            },
        };
        let failed = write_checked(&receive, writing, sink, progress, &mut report, log);
        // Stops the reader at its next batch if the writing stopped first.
        drop(receive);
        let rows = reader
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (rows, failed)
    });
    report.rows = rows;
    if let Some(e) = failed {
        report.file_error = Some((&e).into());
        return report;
    }
    if report.rows == 0 {
        return report.refused(&FileError::NoRows);
    }
    report
}

/// The reading side of a bulk import: answers the rows read (blank ones not counted).
fn read_checked(
    table: Table,
    mut checker: Checker<'_>,
    send: std::sync::mpsc::SyncSender<Checked>,
) -> u64 {
    let mut rows_read = 0;
    let mut batch = Vec::with_capacity(BULK_BATCH_ROWS);
    let mut problems = Vec::new();
    // Rows read since the last batch was sent: a batch goes every BULK_BATCH_ROWS rows read,
    // valid or not, or sooner when BATCH_PROBLEMS_MAX problems are waiting, so that the
    // problems of a file of bad rows do not pile up here (a bad row has up to a dozen).
    let mut rows_in_batch = 0;
    for row in table {
        let row = match row {
            Ok(row) => row,
            Err(error) => {
                let _ = send.send(Checked::Stopped { error, problems });
                return rows_read;
            }
        };
        if row.is_blank() {
            continue;
        }
        rows_read += 1;
        rows_in_batch += 1;
        if let Some(v) = checker.check(&row, &mut problems) {
            batch.push(v);
        }
        if rows_in_batch == BULK_BATCH_ROWS || problems.len() >= BATCH_PROBLEMS_MAX {
            rows_in_batch = 0;
            let full = Checked::Batch {
                rows: std::mem::replace(&mut batch, Vec::with_capacity(BULK_BATCH_ROWS)),
                problems: std::mem::take(&mut problems),
            };
            if send.send(full).is_err() {
                // The writing side stopped.
                return rows_read;
            }
        }
    }
    if !batch.is_empty() || !problems.is_empty() {
        let _ = send.send(Checked::Batch {
            rows: batch,
            problems,
        });
    }
    rows_read
}

/// What the writing side of a bulk import needs to know of the import.
#[derive(Clone, Copy)]
struct Writing<'a> {
    options: ImportOptions,
    headers: Headers<'a>,
}

/// Headers as the file writes them, for the problems the engine adds after a sink answered.
#[derive(Clone, Copy)]
struct Headers<'a> {
    /// The phone column's (rows already members).
    phone: &'a str,
    /// The member code column's (members given a new code).
    code: &'a str,
}

/// A check's look-up of `rows`: the problems of those already members and the notes of those
/// that would get a new code, and how many are members already.
fn looked_up(
    sink: &mut dyn MemberSink,
    rows: &[ValidRow],
    headers: Headers<'_>,
) -> Result<(Vec<RowProblem>, u64), SinkError> {
    let found = sink.existing(rows)?;
    let taken = if rows.iter().any(|r| r.code.is_some()) {
        sink.taken_codes(rows)?
    } else {
        Vec::new()
    };
    let members: std::collections::HashSet<u64> = found.iter().map(|(line, _)| *line).collect();
    let mut problems = already_members(&found, rows, headers.phone);
    problems.extend(code_notes(
        rows,
        rows.iter()
            .filter(|r| !members.contains(&r.line))
            .map(|r| (r.line, None)),
        &taken,
        headers.code,
    ));
    Ok((problems, found.len() as u64))
}

/// The problems of a written batch: its rows already members, its members given new codes.
fn written_problems(
    outcome: &SinkOutcome,
    rows: &[ValidRow],
    headers: Headers<'_>,
) -> Vec<RowProblem> {
    let mut problems = already_members(&outcome.already_members, rows, headers.phone);
    problems.extend(code_notes(
        rows,
        outcome
            .imported
            .iter()
            .map(|(line, code)| (*line, Some(code.as_str()))),
        &outcome.codes_taken,
        headers.code,
    ));
    problems
}

/// The writing side of a bulk import: writes (or, in a check, looks up) each batch as it
/// comes, and takes in its problems; answers the error that stopped it, if one did.
fn write_checked(
    receive: &std::sync::mpsc::Receiver<Checked>,
    writing: Writing<'_>,
    sink: &mut dyn MemberSink,
    progress: &mut dyn FnMut(ImportProgress),
    report: &mut ImportReport,
    log: &mut dyn ProblemLog,
) -> Option<FileError> {
    for checked in receive {
        let (batch, mut problems) = match checked {
            Checked::Batch { rows, problems } => (rows, problems),
            Checked::Stopped { error, problems } => {
                report.take_problems(problems, PROBLEMS_KEPT_MAX, log);
                return Some(error);
            }
        };
        let stopped = write_batch(&batch, writing, sink, progress, report, &mut problems);
        report.take_problems(problems, PROBLEMS_KEPT_MAX, log);
        if stopped.is_some() {
            return stopped;
        }
    }
    None
}

/// Writes (or, in a check, looks up) one batch of a bulk import, adding the problems of its
/// rows already members to `problems`; answers the error that stopped it, if one did.
fn write_batch(
    batch: &[ValidRow],
    Writing { options, headers }: Writing<'_>,
    sink: &mut dyn MemberSink,
    progress: &mut dyn FnMut(ImportProgress),
    report: &mut ImportReport,
    problems: &mut Vec<RowProblem>,
) -> Option<FileError> {
    if batch.is_empty() {
        return None;
    }
    if options.dry_run {
        return match looked_up(sink, batch, headers) {
            Ok((found, already)) => {
                problems.extend(found);
                report.already_members += already;
                None
            }
            Err(e) => Some(FileError::Write(e)),
        };
    }
    let before = report.imported;
    let written = sink.write(batch, &mut |done| {
        progress(ImportProgress {
            stage: ImportStage::Writing,
            done: before + done,
            total: None,
        })
    });
    match written {
        Ok(outcome) => {
            problems.extend(written_problems(&outcome, batch, headers));
            report.already_members += outcome.already_members.len() as u64;
            report.imported += outcome.imported.len() as u64;
            None
        }
        Err(e) => Some(FileError::Write(e)),
    }
}
