//! Why a whole file is refused (nothing is imported from it), in English and Thai.

use crate::columns::{Column, Lang};

/// A count as people read it: `5,001`.
pub(crate) fn grouped(n: u64) -> String {
    taem_core::money::group_thousands(&n.to_string())
}

/// A file that cannot be imported at all. Nothing of it is written.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum FileError {
    /// Nothing in it.
    #[error(
        "the file is empty: fill the member template (at least the header and one member) and upload it again"
    )]
    EmptyFile,
    /// Not a spreadsheet or a CSV text.
    #[error(
        "the file is not a member list ({0}): save the member template as CSV or XLSX and upload that file"
    )]
    NotATable(String),
    /// Broken CSV structure.
    #[error(
        "line {line} of the file cannot be read as CSV ({reason}): check the quotes on that line, or save the sheet again as CSV"
    )]
    BadCsv {
        /// Where.
        line: u64,
        /// What the CSV reader said.
        reason: String,
    },
    /// An old Excel 97-2003 workbook (`.xls`), which this app does not read.
    #[error(
        "the file is an old Excel 97-2003 workbook (.xls): open it in Excel and save it as Excel Workbook (.xlsx) or CSV UTF-8, then upload that file"
    )]
    OldExcel,
    /// A required column is not in the header.
    #[error("the header{} has no column for {}: the member template's required columns are marked * (phone and first name); add the missing one, or download the template again", in_sheet(.sheet.as_deref(), Lang::En), missing_names(.columns, Lang::En))]
    MissingColumns {
        /// The required columns missing.
        columns: Vec<Column>,
        /// The sheet read, for a workbook.
        sheet: Option<String>,
    },
    /// A template column appears twice in the header, so which copy holds the data is unclear.
    #[error(
        "the column \"{header}\" appears twice in the header, in columns {} and {}: keep one of them (copy what the other holds into it) and delete the other", column_letter(*.first), column_letter(*.second)
    )]
    DuplicateColumn {
        /// The header as the file writes it (the first copy).
        header: String,
        /// The first copy's position, from 0.
        first: usize,
        /// The second copy's position, from 0.
        second: usize,
    },
    /// A header that is almost a template column: a typo would silently drop its data.
    #[error(
        "the column \"{header}\" (column {}) is not a template column — did you mean \"{suggestion}\"? Rename it to \"{suggestion}\", or delete the column", column_letter(*.position)
    )]
    MisspeltColumn {
        /// The header as the file writes it.
        header: String,
        /// Its position, from 0.
        position: usize,
        /// The template column's header it nearly is (in the header's language).
        suggestion: String,
    },
    /// A header and no member.
    #[error(
        "the file has a header but no member rows: add the members under the header and upload again"
    )]
    NoRows,
    /// More rows than a shop upload takes.
    #[error(
        "the file has {rows} member rows; one upload takes at most {max}: split it into files of {max} rows or fewer and upload each",
        rows = grouped(*.rows),
        max = grouped(*.max)
    )]
    TooManyRows {
        /// Rows found (counting stops soon after the limit).
        rows: u64,
        /// The limit.
        max: u64,
    },
    /// The file could not be read.
    #[error("the file cannot be read: {0}")]
    Io(String),
    /// The destination refused a batch (that batch is rolled back: all of a shop upload, the
    /// batch being written of a bulk import).
    #[error("writing the members failed: {}", .0.en)]
    Write(SinkError),
}

/// Why the destination (a counter's replica, the server's store) could not write or read a
/// batch: a stable code (`locked`, `disk_full`, …) and the message in English and in Thai.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SinkError {
    /// Stable code, the destination's own.
    pub code: &'static str,
    /// What went wrong and what to do, in English.
    pub en: String,
    /// The same in Thai.
    pub th: String,
}

/// A column's letter as a spreadsheet shows it (0 is A, 26 is AA).
pub(crate) fn column_letter(position: usize) -> String {
    let mut n = position + 1;
    let mut letters = Vec::new();
    while n > 0 {
        let rem = (n - 1) % 26;
        letters.push(char::from(b'A' + rem as u8));
        n = (n - 1) / 26;
    }
    letters.iter().rev().collect()
}

fn in_sheet(sheet: Option<&str>, lang: Lang) -> String {
    match (sheet, lang) {
        (None, _) => String::new(),
        (Some(name), Lang::En) => format!(" of sheet \"{name}\""),
        (Some(name), Lang::Th) => format!(" ของชีต \"{name}\" "),
    }
}

fn missing_names(columns: &[Column], lang: Lang) -> String {
    columns
        .iter()
        .map(|c| format!("\"{}\"", c.header(lang)))
        .collect::<Vec<_>>()
        .join(", ")
}

impl FileError {
    /// Stable code.
    pub fn code(&self) -> &'static str {
        match self {
            FileError::EmptyFile => "empty_file",
            FileError::NotATable(_) => "not_a_table",
            FileError::BadCsv { .. } => "bad_csv",
            FileError::OldExcel => "old_excel",
            FileError::MissingColumns { .. } => "missing_columns",
            FileError::DuplicateColumn { .. } => "duplicate_column",
            FileError::MisspeltColumn { .. } => "misspelt_column",
            FileError::NoRows => "no_rows",
            FileError::TooManyRows { .. } => "too_many_rows",
            FileError::Io(_) => "io",
            FileError::Write(e) => e.code,
        }
    }

    /// The message in English.
    pub fn en(&self) -> String {
        self.to_string()
    }

    /// The message in Thai.
    pub fn th(&self) -> String {
        match self {
            FileError::EmptyFile => {
                "ไฟล์ว่างเปล่า: กรอกแบบฟอร์มสมาชิก (หัวตารางและสมาชิกอย่างน้อยหนึ่งคน) แล้วอัปโหลดอีกครั้ง".into()
            }
            FileError::NotATable(why) => format!(
                "ไฟล์นี้ไม่ใช่รายชื่อสมาชิก ({why}): บันทึกแบบฟอร์มสมาชิกเป็น CSV หรือ XLSX แล้วอัปโหลดไฟล์นั้น"
            ),
            FileError::BadCsv { line, reason } => format!(
                "อ่านบรรทัดที่ {line} ของไฟล์ไม่ได้ ({reason}): ตรวจเครื่องหมายคำพูดในบรรทัดนั้น หรือบันทึกเป็น CSV ใหม่"
            ),
            FileError::OldExcel => {
                "ไฟล์นี้เป็นไฟล์ Excel รุ่นเก่า 97-2003 (.xls): เปิดใน Excel แล้วบันทึกเป็น Excel Workbook (.xlsx) หรือ CSV UTF-8 แล้วอัปโหลดไฟล์นั้น".into()
            }
            FileError::MissingColumns { columns, sheet } => format!(
                "หัวตาราง{}ไม่มีคอลัมน์ {}: คอลัมน์ที่ต้องกรอกมีเครื่องหมาย * (เบอร์มือถือและชื่อ) เพิ่มคอลัมน์ที่ขาด หรือดาวน์โหลดแบบฟอร์มใหม่",
                in_sheet(sheet.as_deref(), Lang::Th),
                missing_names(columns, Lang::Th)
            ),
            FileError::DuplicateColumn {
                header,
                first,
                second,
            } => format!(
                "คอลัมน์ \"{header}\" อยู่ในหัวตารางสองครั้ง (คอลัมน์ {} และ {}): เก็บไว้คอลัมน์เดียว (ย้ายข้อมูลจากอีกคอลัมน์มารวม) แล้วลบอีกคอลัมน์ออก",
                column_letter(*first),
                column_letter(*second)
            ),
            FileError::MisspeltColumn {
                header,
                position,
                suggestion,
            } => format!(
                "คอลัมน์ \"{header}\" (คอลัมน์ {}) ไม่ใช่คอลัมน์ของแบบฟอร์ม หมายถึง \"{suggestion}\" หรือไม่? เปลี่ยนชื่อหัวคอลัมน์เป็น \"{suggestion}\" หรือลบคอลัมน์นั้นออก",
                column_letter(*position)
            ),
            FileError::NoRows => {
                "ไฟล์มีแต่หัวตาราง ไม่มีรายชื่อสมาชิก: กรอกสมาชิกใต้หัวตารางแล้วอัปโหลดอีกครั้ง".into()
            }
            FileError::TooManyRows { rows, max } => format!(
                "ไฟล์มีสมาชิก {rows} แถว แต่อัปโหลดได้ครั้งละไม่เกิน {max} แถว: แบ่งเป็นหลายไฟล์ ไฟล์ละไม่เกิน {max} แถว แล้วอัปโหลดทีละไฟล์",
                rows = grouped(*rows),
                max = grouped(*max)
            ),
            FileError::Io(why) => format!("อ่านไฟล์ไม่ได้: {why}"),
            FileError::Write(e) => format!("บันทึกสมาชิกไม่สำเร็จ: {}", e.th),
        }
    }

    /// The message in a language.
    pub fn message(&self, lang: Lang) -> String {
        match lang {
            Lang::Th => self.th(),
            Lang::En => self.en(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_columns_of_a_workbook_name_the_sheet_read() {
        let e = FileError::MissingColumns {
            columns: vec![Column::Phone],
            sheet: Some("วิธีกรอก".into()),
        };
        assert!(
            e.en()
                .starts_with("the header of sheet \"วิธีกรอก\" has no column for \"Phone*\""),
            "{}",
            e.en()
        );
        assert!(e.th().contains("ของชีต \"วิธีกรอก\""), "{}", e.th());
        assert_eq!(column_letter(0), "A");
        assert_eq!(column_letter(27), "AB");
    }
}
