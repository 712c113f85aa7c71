//! The import report as a CSV a manager downloads: one line per problem, with the line of the
//! file, the column, the value and the reason in both languages (UTF-8 with BOM, for Excel).

use std::io::Write;

use crate::engine::{ImportReport, ProblemLog};
use crate::error::grouped;
use crate::export::neutralise;
use crate::validate::RowProblem;

/// Why `report` cannot be where an import's report goes, if it cannot: the file being imported
/// (writing the report would empty the member list before it is read). Checked before the
/// import starts, so nothing is imported and nothing is overwritten.
pub fn report_path_problem(report: &std::path::Path, file: &std::path::Path) -> Option<String> {
    let same = match (report.canonicalize(), file.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    };
    same.then(|| {
        let stem = file
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "import".into());
        format!(
            "--report {} is the file being imported: writing the report there would replace the member list; give the report its own name, e.g. {stem}-report.csv — nothing was imported",
            report.display()
        )
    })
}

/// Creates the report file of an import of `file`, before the import starts, or says why
/// `report` cannot be it: the file being imported, a folder, a folder that does not exist, or
/// an existing file that is not an import report (a member list saved under that name would
/// be lost). An earlier report is replaced, so that the same command can be run again.
pub fn create_report_file(
    report: &std::path::Path,
    file: &std::path::Path,
) -> Result<ReportFile, String> {
    if let Some(problem) = report_path_problem(report, file) {
        return Err(problem);
    }
    if report.is_dir() {
        return Err(format!(
            "--report {} is a folder: give a file name, e.g. {}; nothing was imported",
            report.display(),
            report.join("import-report.csv").display()
        ));
    }
    let cannot = |e: std::io::Error| {
        format!(
            "cannot write the report to {} ({e}): create its folder or choose another --report path; nothing was imported",
            report.display()
        )
    };
    let meta = std::fs::metadata(report).ok();
    if meta.as_ref().is_some_and(|m| !m.is_file()) {
        // A device or a pipe (`/dev/stderr`, a named pipe): written to as it is.
        return std::fs::OpenOptions::new()
            .write(true)
            .open(report)
            .map(|f| ReportFile {
                target: report.to_path_buf(),
                out: ReportOut::Direct(f),
            })
            .map_err(cannot);
    }
    if meta.is_some() && !is_import_report(report) {
        return Err(format!(
            "--report {} already exists and is not an import report: choose another name (or move that file away), so that it is not replaced; nothing was imported",
            report.display()
        ));
    }
    if report
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("xlsx") || e.eq_ignore_ascii_case("xls"))
    {
        return Err(format!(
            "--report {} names an Excel workbook, but the report is CSV (Excel opens it, Thai included): name it .csv; nothing was imported",
            report.display()
        ));
    }
    let folder = match report.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => std::path::Path::new("."),
    };
    let name = report
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    // Written beside the target and renamed over it when complete ([`ReportFile::keep`]):
    // an earlier report stays whole until then, and two imports never write into one file.
    tempfile::Builder::new()
        .prefix(&format!(".{name}."))
        .suffix(".partial")
        .tempfile_in(folder)
        .map(|t| ReportFile {
            target: report.to_path_buf(),
            out: ReportOut::Partial(t),
        })
        .map_err(cannot)
}

/// The report file being written (see [`create_report_file`]).
pub struct ReportFile {
    target: std::path::PathBuf,
    out: ReportOut,
}

enum ReportOut {
    /// A temporary file beside the target, removed if dropped before [`ReportFile::keep`].
    Partial(tempfile::NamedTempFile),
    /// A device or a pipe.
    Direct(std::fs::File),
}

/// An import's report as it is written: the CSV of a [`ReportFile`].
pub type ReportLog = CsvLog<std::io::BufWriter<ReportFile>>;

impl ReportFile {
    /// The report's CSV, written through a buffer.
    pub fn log(self) -> ReportLog {
        CsvLog::new(std::io::BufWriter::new(self))
    }

    /// Finishes the report `log` of the import that ended as `report` and puts it in place.
    pub fn complete(log: ReportLog, report: &ImportReport) -> std::io::Result<()> {
        log.finish(report)?
            .into_inner()
            .map_err(|e| e.into_error())?
            .keep()
    }

    /// Puts the complete report in its place (replacing an earlier report).
    pub fn keep(self) -> std::io::Result<()> {
        match self.out {
            ReportOut::Partial(partial) => {
                partial.as_file().sync_all()?;
                partial.persist(&self.target).map(drop).map_err(|e| e.error)
            }
            ReportOut::Direct(_) => Ok(()),
        }
    }
}

impl Write for ReportFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match &mut self.out {
            ReportOut::Partial(f) => f.write(buf),
            ReportOut::Direct(f) => f.write(buf),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match &mut self.out {
            ReportOut::Partial(f) => f.flush(),
            ReportOut::Direct(f) => f.flush(),
        }
    }
}

/// Whether the file at `path` begins as an import report does (so replacing it loses only an
/// earlier report). An empty file counts as one.
fn is_import_report(path: &std::path::Path) -> bool {
    use std::io::Read;
    let mut start = Vec::new();
    let expected = format!("\u{feff}{}", HEADER[0]);
    let read = std::fs::File::open(path)
        .and_then(|f| f.take(expected.len() as u64).read_to_end(&mut start));
    read.is_ok() && (start.is_empty() || start == expected.as_bytes())
}

/// The report file's first line.
const HEADER: [&str; 6] = [
    "บรรทัด (line)",
    "คอลัมน์ (column)",
    "ค่า (value)",
    "ปัญหา",
    "problem",
    "code",
];

/// The report as CSV, written as the import finds its problems (a [`ProblemLog`]): one line
/// per ignored column, one per problem in file order, and last the error that refused or
/// stopped the file, if one did. The first write error is kept and ends the writing;
/// [`CsvLog::finish`] returns it.
pub struct CsvLog<W: Write> {
    writer: csv::Writer<W>,
    failed: Option<std::io::Error>,
}

impl<W: Write> CsvLog<W> {
    /// Starts the report: the byte-order mark (Excel then reads UTF-8) and the header line.
    pub fn new(mut out: W) -> CsvLog<W> {
        let failed = out.write_all(b"\xEF\xBB\xBF").err();
        let writer = csv::WriterBuilder::new()
            .terminator(csv::Terminator::CRLF)
            .from_writer(out);
        let mut log = CsvLog { writer, failed };
        log.line(HEADER);
        log
    }

    fn line<'a>(&mut self, record: impl IntoIterator<Item = &'a str>) {
        if self.failed.is_none()
            && let Err(e) = self.writer.write_record(record)
        {
            self.failed = Some(e.into());
        }
    }

    /// Writes the file's error, if any, and flushes: answers the writer, or the first error
    /// met writing.
    pub fn finish(mut self, report: &ImportReport) -> std::io::Result<W> {
        if let Some(e) = &report.file_error {
            self.line(["", "", "", &e.th, &e.en, e.code]);
        }
        if let Some(e) = self.failed {
            return Err(e);
        }
        self.writer.flush()?;
        self.writer
            .into_inner()
            .map_err(|e| std::io::Error::other(e.error().to_string()))
    }
}

impl<W: Write> ProblemLog for CsvLog<W> {
    fn ignored_columns(&mut self, columns: &[String]) {
        for column in columns {
            let (th, en) = ignored_column(column);
            self.line([
                "1",
                &neutralise(column),
                "",
                &neutralise(&th),
                &neutralise(&en),
                "ignored_column",
            ]);
        }
    }

    fn problem(&mut self, p: &RowProblem) {
        self.line([
            p.line.to_string().as_str(),
            &neutralise(&p.header),
            &neutralise(&p.value),
            &neutralise(&p.th),
            &neutralise(&p.en),
            p.code,
        ]);
    }
}

/// Writes a report that holds all its problems (a shop upload's) as CSV. A bulk import's
/// report keeps only its first problems: write it as it goes, with [`CsvLog`].
pub fn write_csv(report: &ImportReport, out: &mut dyn Write) -> std::io::Result<()> {
    let mut log = CsvLog::new(out);
    log.ignored_columns(&report.unknown_columns);
    for p in &report.problems {
        log.problem(p);
    }
    log.finish(report).map(drop)
}

/// Why a column of the file was not imported, in Thai and English.
fn ignored_column(header: &str) -> (String, String) {
    (
        format!(
            "คอลัมน์ \"{header}\" ไม่ใช่คอลัมน์ของแบบฟอร์ม จึงข้ามไป ไม่ได้นำเข้าข้อมูลในคอลัมน์นี้: ถ้าเป็นข้อมูลสมาชิก ให้เปลี่ยนชื่อหัวคอลัมน์ให้ตรงกับแบบฟอร์ม"
        ),
        format!(
            "the column \"{header}\" is not a template column, so it was ignored and its data not imported: if it holds member details, rename its header to the template's"
        ),
    )
}

/// What an import that a file error refused or stopped had done by then, for its error
/// message: nothing, or the members of the batches written before it stopped (a bulk import).
pub fn stopped_text(report: &ImportReport) -> String {
    match report.imported {
        0 => "nothing imported".to_string(),
        1 => "1 member was imported before it stopped (running it again skips them)".to_string(),
        n => format!(
            "{} members were imported before it stopped (running it again skips them)",
            grouped(n)
        ),
    }
}

/// Problems a terminal summary lists before "… and N more".
pub const PROBLEMS_SHOWN_MAX: usize = 30;

/// The import's outcome as a terminal shows it: the counts, the ignored columns and the first
/// problems (the report file has them all).
pub fn summary_text(
    r: &ImportReport,
    file: &std::path::Path,
    branch: &str,
    dry_run: bool,
    report_path: Option<&std::path::Path>,
) -> String {
    let mut out = String::new();
    let verb = if dry_run { "would import" } else { "imported" };
    let count = |n: u64, one: &str, many: &str| {
        format!("{} {}", grouped(n), if n == 1 { one } else { many })
    };
    out.push_str(&format!(
        "{}: {}; {verb} {} at branch {branch}; {}; {}",
        file.display(),
        count(r.rows, "member row", "member rows"),
        grouped(if dry_run {
            r.rows - r.bad_rows()
        } else {
            r.imported
        }),
        count(r.already_members, "already a member", "already members"),
        count(
            r.rows_with_problems,
            "row with problems",
            "rows with problems"
        ),
    ));
    if r.new_codes > 0 {
        let n = grouped(r.new_codes);
        out.push_str(&format!(
            "\nสมาชิก {n} คน{}รหัสสมาชิกใหม่ เพราะรหัสในไฟล์ใช้ไม่ได้ บัตรเดิมจะสแกนไม่พบ (ดูรายการ)\n{} {} a new member code, because the code in the file could not be kept: their old cards will not scan (see the list)",
            if dry_run { "จะได้" } else { "ได้" },
            count(r.new_codes, "member", "members"),
            if dry_run { "would get" } else { "got" },
        ));
    }
    if !r.unknown_columns.is_empty() {
        let list = r
            .unknown_columns
            .iter()
            .map(|c| format!("\"{c}\""))
            .collect::<Vec<_>>()
            .join(", ");
        out.push_str(&format!(
            "\nคอลัมน์ที่ไม่อยู่ในแบบฟอร์ม ข้ามไป ไม่ได้นำเข้า: {list}\nignored columns (not template columns, their data was not imported): {list}"
        ));
    }
    // The rows' own problems first: on a re-run every row is already a member, and listing
    // those (counted above) would hide the rows that need fixing.
    // Then the members given a new code (each needs a new card), and rows already members
    // last, only when there is nothing else to list.
    let own = |p: &&RowProblem| {
        p.code != crate::engine::ALREADY_MEMBER && p.code != crate::engine::CODE_NOT_KEPT
    };
    let mut listed: Vec<&RowProblem> = r.problems.iter().filter(own).collect();
    listed.extend(
        r.problems
            .iter()
            .filter(|p| p.code == crate::engine::CODE_NOT_KEPT),
    );
    let listed_total = if listed.is_empty() {
        listed = r.problems.iter().collect();
        r.problems_total
    } else {
        // A row already a member has that one problem.
        r.problems_total.saturating_sub(r.already_members)
    };
    let shown = listed.len().min(PROBLEMS_SHOWN_MAX);
    for p in &listed[..shown] {
        out.push_str(&format!(
            "\n  line {:>5}  {:<16} {}",
            p.line, p.header, p.en
        ));
    }
    if listed_total > shown as u64 {
        out.push_str(&format!(
            "\n  … and {} more",
            grouped(listed_total - shown as u64)
        ));
    }
    match report_path {
        Some(p) => out.push_str(&format!("\nreport: {}", p.display())),
        None if r.problems_total > 0 => out.push_str(
            "\n(--report FILE.csv writes every problem with its reason in Thai and English)",
        ),
        None => {}
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ignored_columns_are_in_the_report_file_and_the_summary_in_both_languages() {
        let report = ImportReport {
            rows: 1,
            unknown_columns: vec!["LINE ID".into()],
            ..ImportReport::default()
        };
        let mut out = Vec::new();
        write_csv(&report, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        let line = text.lines().nth(1).unwrap();
        assert!(line.starts_with("1,LINE ID,,"), "{line}");
        assert!(line.contains("ไม่ใช่คอลัมน์ของแบบฟอร์ม") && line.contains("not a template column"));
        assert!(line.ends_with("ignored_column"));
        let summary = summary_text(&report, std::path::Path::new("a.csv"), "CNX01", false, None);
        assert!(
            summary.contains("ข้ามไป") && summary.contains("ignored columns"),
            "{summary}"
        );
        assert!(summary.contains("\"LINE ID\""));
    }

    #[test]
    fn a_summary_lists_the_rows_own_problems_before_rows_already_members() {
        let problem = |line, code: &'static str| RowProblem {
            line,
            column: None,
            header: String::new(),
            value: String::new(),
            code,
            en: format!("{code} on {line}"),
            th: String::new(),
        };
        let mut problems: Vec<RowProblem> = (2..40).map(|l| problem(l, "already_member")).collect();
        problems.push(problem(40, "bad_phone"));
        problems.push(problem(41, "code_not_kept"));
        let report = ImportReport {
            rows: 40,
            already_members: 38,
            rows_with_problems: 1,
            new_codes: 1,
            problems_total: 40,
            problems,
            ..ImportReport::default()
        };
        let summary = summary_text(&report, std::path::Path::new("a.csv"), "CNX01", false, None);
        assert!(summary.contains("bad_phone on 40"), "{summary}");
        // The member given a new code is listed too (the summary says "see the list").
        assert!(summary.contains("code_not_kept on 41"), "{summary}");
        assert!(
            summary.contains("1 member got a new member code"),
            "{summary}"
        );
        assert!(!summary.contains("already_member on"), "{summary}");
        assert!(!summary.contains("more"), "{summary}");
    }

    #[test]
    fn an_import_stopped_midway_says_how_many_members_it_imported_before() {
        let mut report = ImportReport::default();
        assert_eq!(stopped_text(&report), "nothing imported");
        report.imported = 50_000;
        assert_eq!(
            stopped_text(&report),
            "50,000 members were imported before it stopped (running it again skips them)"
        );
    }

    #[test]
    fn the_summary_counts_in_words_that_agree_with_their_numbers() {
        let one = ImportReport {
            rows: 1,
            imported: 1,
            ..ImportReport::default()
        };
        let summary = summary_text(&one, std::path::Path::new("a.csv"), "CNX01", false, None);
        assert_eq!(
            summary.lines().next().unwrap(),
            "a.csv: 1 member row; imported 1 at branch CNX01; 0 already members; 0 rows with problems"
        );
        let many = ImportReport {
            rows: 12_000,
            imported: 12_000,
            ..ImportReport::default()
        };
        let summary = summary_text(&many, std::path::Path::new("a.csv"), "CNX01", false, None);
        assert!(
            summary.starts_with("a.csv: 12,000 member rows; imported 12,000 at"),
            "{summary}"
        );
    }
}
