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
