//! The import report as a CSV a manager downloads: one line per problem, with the line of the
//! file, the column, the value and the reason in both languages (UTF-8 with BOM, for Excel).

use std::io::Write;

use crate::engine::ImportReport;
use crate::export::neutralise;

/// Writes the report's problems as CSV.
pub fn write_csv(report: &ImportReport, out: &mut dyn Write) -> std::io::Result<()> {
    out.write_all(b"\xEF\xBB\xBF")?;
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(out);
    writer.write_record([
        "บรรทัด (line)",
        "คอลัมน์ (column)",
        "ค่า (value)",
        "ปัญหา",
        "problem",
        "code",
    ])?;
    if let Some(e) = &report.file_error {
        writer.write_record(["", "", "", &e.th, &e.en, e.code])?;
    }
    for p in &report.problems {
        writer.write_record([
            p.line.to_string().as_str(),
            &neutralise(&p.header),
            &neutralise(&p.value),
            &neutralise(&p.th),
            &neutralise(&p.en),
            p.code,
        ])?;
    }
    writer.flush()
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
    out.push_str(&format!(
        "{}: {} member rows; {verb} {} at branch {branch}; {} already members; {} rows with problems",
        file.display(),
        r.rows,
        if dry_run { r.rows - r.bad_rows() } else { r.imported },
        r.already_members,
        r.bad_rows() - r.already_members
    ));
    if !r.unknown_columns.is_empty() {
        out.push_str(&format!(
            "\nignored columns: {}",
            r.unknown_columns.join(", ")
        ));
    }
    for p in r.problems.iter().take(PROBLEMS_SHOWN_MAX) {
        out.push_str(&format!(
            "\n  line {:>5}  {:<16} {}",
            p.line, p.header, p.en
        ));
    }
    if r.problems.len() > PROBLEMS_SHOWN_MAX {
        out.push_str(&format!(
            "\n  … and {} more",
            r.problems.len() - PROBLEMS_SHOWN_MAX
        ));
    }
    match report_path {
        Some(p) => out.push_str(&format!("\nreport: {}", p.display())),
        None if !r.problems.is_empty() => out.push_str(
            "\n(--report FILE.csv writes every problem with its reason in Thai and English)",
        ),
        None => {}
    }
    out
}
