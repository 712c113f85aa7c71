//! Why a whole file is refused (nothing is imported from it), in English and Thai.

use crate::columns::{Column, Lang};

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
    /// A required column is not in the header.
    #[error("the header has no column for {}: the member template's required columns are marked * (phone and first name); add the missing one, or download the template again", missing_names(.0, Lang::En))]
    MissingColumns(Vec<Column>),
    /// A header and no member.
    #[error(
        "the file has a header but no member rows: add the members under the header and upload again"
    )]
    NoRows,
    /// More rows than a shop upload takes.
    #[error(
        "the file has {rows} member rows; one upload takes at most {max}: split it into files of {max} rows or fewer and upload each"
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
    #[error("writing the members failed: {0}")]
    Write(String),
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
            FileError::MissingColumns(_) => "missing_columns",
            FileError::NoRows => "no_rows",
            FileError::TooManyRows { .. } => "too_many_rows",
            FileError::Io(_) => "io",
            FileError::Write(_) => "write_failed",
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
            FileError::MissingColumns(columns) => format!(
                "หัวตารางไม่มีคอลัมน์ {}: คอลัมน์ที่ต้องกรอกมีเครื่องหมาย * (เบอร์มือถือและชื่อ) เพิ่มคอลัมน์ที่ขาด หรือดาวน์โหลดแบบฟอร์มใหม่",
                missing_names(columns, Lang::Th)
            ),
            FileError::NoRows => {
                "ไฟล์มีแต่หัวตาราง ไม่มีรายชื่อสมาชิก: กรอกสมาชิกใต้หัวตารางแล้วอัปโหลดอีกครั้ง".into()
            }
            FileError::TooManyRows { rows, max } => format!(
                "ไฟล์มีสมาชิก {rows} แถว แต่อัปโหลดได้ครั้งละไม่เกิน {max} แถว: แบ่งเป็นหลายไฟล์ ไฟล์ละไม่เกิน {max} แถว แล้วอัปโหลดทีละไฟล์"
            ),
            FileError::Io(why) => format!("อ่านไฟล์ไม่ได้: {why}"),
            FileError::Write(why) => format!("บันทึกสมาชิกไม่สำเร็จ: {why}"),
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
