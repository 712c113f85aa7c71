//! Reading one row: every cell checked against the member rules of `taem-core`, every problem
//! named with its column and a reason in English and Thai.

use chrono::NaiveDate;
use serde::Serialize;
use taem_core::thai_date::parse_thai_date;
use taem_core::{Gender, MemberProfile, Phone, Points, ProfileError};

use crate::columns::{Column, Lang};
use crate::read::RawRow;

/// A row that can be imported.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidRow {
    /// Its line in the file.
    pub line: u64,
    /// The mobile number.
    pub phone: Phone,
    /// The profile (validated).
    pub profile: MemberProfile,
    /// Points from the previous system.
    pub initial_points: Points,
}

/// One problem of one row.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RowProblem {
    /// The row's line in the file.
    pub line: u64,
    /// The column (none for a problem of the whole row).
    pub column: Option<Column>,
    /// The column's header as the file writes it.
    pub header: String,
    /// The cell as written.
    pub value: String,
    /// Stable code, e.g. `bad_phone`.
    pub code: &'static str,
    /// What is wrong and how to fix it, in English.
    pub en: String,
    /// The same in Thai.
    pub th: String,
}

impl RowProblem {
    /// The reason in a language.
    pub fn message(&self, lang: Lang) -> &str {
        match lang {
            Lang::Th => &self.th,
            Lang::En => &self.en,
        }
    }
}

/// Where each known column is in the file.
#[derive(Clone, Debug, Default)]
pub struct Header {
    positions: Vec<(Column, usize, String)>,
}

impl Header {
    /// Maps a header row; answers the header and the headers it does not know.
    pub fn read(row: &RawRow) -> (Header, Vec<String>) {
        let mut header = Header::default();
        let mut unknown = Vec::new();
        for (i, text) in row.cells.iter().enumerate() {
            match Column::from_header(text) {
                Some(c) if !header.positions.iter().any(|(k, _, _)| *k == c) => {
                    header.positions.push((c, i, text.clone()))
                }
                Some(_) => unknown.push(format!("{text} (twice)")),
                None if text.trim().is_empty() => {}
                None => unknown.push(text.trim().to_string()),
            }
        }
        (header, unknown)
    }

    /// Required columns the header lacks.
    pub fn missing(&self) -> Vec<Column> {
        Column::ALL
            .into_iter()
            .filter(|c| c.required() && !self.has(*c))
            .collect()
    }

    /// Whether the file has the column.
    pub fn has(&self, column: Column) -> bool {
        self.positions.iter().any(|(c, _, _)| *c == column)
    }

    fn cell<'r>(&self, row: &'r RawRow, column: Column) -> (&'r str, &str) {
        match self.positions.iter().find(|(c, _, _)| *c == column) {
            Some((_, i, header)) => (
                row.cells.get(*i).map_or("", |s| s.as_str()),
                header.as_str(),
            ),
            None => ("", column.name(Lang::En)),
        }
    }
}

struct Problems<'a> {
    line: u64,
    header: &'a Header,
    row: &'a RawRow,
    list: Vec<RowProblem>,
}

impl Problems<'_> {
    fn add(&mut self, column: Column, code: &'static str, en: String, th: String) {
        let (value, header) = self.header.cell(self.row, column);
        self.list.push(RowProblem {
            line: self.line,
            column: Some(column),
            header: header.to_string(),
            value: value.to_string(),
            code,
            en,
            th,
        });
    }
}

/// Checks one data row. `today` bounds birthdays.
pub fn validate(
    header: &Header,
    row: &RawRow,
    today: NaiveDate,
) -> Result<ValidRow, Vec<RowProblem>> {
    let mut p = Problems {
        line: row.line,
        header,
        row,
        list: Vec::new(),
    };
    let cell = |c: Column| header.cell(row, c).0;

    let phone_text = cell(Column::Phone);
    let phone = if phone_text.is_empty() {
        p.add(
            Column::Phone,
            "missing_phone",
            "the mobile number is empty: every member needs one (e.g. 081-234-5678)".into(),
            "ไม่มีเบอร์มือถือ: สมาชิกทุกคนต้องมีเบอร์มือถือ (เช่น 081-234-5678)".into(),
        );
        None
    } else {
        match Phone::parse(&excel_phone(phone_text)) {
            Ok(phone) => Some(phone),
            Err(e) => {
                p.add(
                    Column::Phone,
                    "bad_phone",
                    format!("{e}"),
                    format!("\"{phone_text}\" ไม่ใช่เบอร์มือถือไทย: เบอร์มือถือมี 10 หลัก ขึ้นต้นด้วย 06, 08 หรือ 09 เช่น 081-234-5678"),
                );
                None
            }
        }
    };

    let birthday_text = cell(Column::Birthday);
    let mut birthday = None;
    if !birthday_text.is_empty() {
        match parse_thai_date(birthday_text) {
            Ok(date) => birthday = Some(date),
            Err(e) => p.add(
                Column::Birthday,
                "bad_birthday",
                format!("{e}"),
                format!("\"{birthday_text}\" ไม่ใช่วันที่: ใช้ วัน/เดือน/ปี เช่น 15/08/2535 (พ.ศ.) หรือ 15/08/1992 (ค.ศ.)"),
            ),
        }
    }

    let gender_text = cell(Column::Gender);
    let gender = match Gender::parse(gender_text) {
        Some(g) => g,
        None => {
            p.add(
                Column::Gender,
                "bad_gender",
                format!("gender \"{gender_text}\" is not one of: หญิง, ชาย, อื่นๆ, female, male, other (or leave it empty)"),
                format!("เพศ \"{gender_text}\" ไม่ถูกต้อง: ใช้ หญิง, ชาย หรือ อื่นๆ (หรือเว้นว่าง)"),
            );
            Gender::Unspecified
        }
    };

    let points_text = cell(Column::InitialPoints);
    let mut initial_points = Points::ZERO;
    if !points_text.is_empty() {
        match Points::parse_signed(points_text) {
            Ok(points) if points.0 >= 0 => initial_points = points,
            _ => p.add(
                Column::InitialPoints,
                "bad_points",
                format!("initial points \"{points_text}\" are not a whole number of 0 or more (e.g. 120); leave it empty for none"),
                format!("แต้มเริ่มต้น \"{points_text}\" ไม่ถูกต้อง: ใช้จำนวนเต็มตั้งแต่ 0 ขึ้นไป เช่น 120 หรือเว้นว่าง"),
            ),
        }
    }

    let mut consent = |column: Column| -> bool {
        let text = cell(column);
        match parse_consent(text) {
            Some(v) => v,
            None => {
                p.add(
                    column,
                    "bad_consent",
                    format!("\"{text}\" is not a yes or no: write ใช่/ไม่, yes/no, y/n, 1/0 (empty means no)"),
                    format!("\"{text}\" ไม่ใช่ ใช่ หรือ ไม่: ใช้ ใช่/ไม่, yes/no, 1/0 (เว้นว่างหมายถึง ไม่)"),
                );
                false
            }
        }
    };
    let marketing_consent = consent(Column::MarketingConsent);
    let pdpa_consent = consent(Column::PdpaConsent);

    let optional = |c: Column| {
        let text = cell(c);
        (!text.is_empty()).then(|| text.to_string())
    };
    let mut profile = MemberProfile {
        first_name: cell(Column::FirstName).to_string(),
        last_name: cell(Column::LastName).to_string(),
        birthday,
        gender,
        email: optional(Column::Email),
        address: optional(Column::Address),
        tags: cell(Column::Tags)
            .split(',')
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(str::to_string)
            .collect(),
        marketing_consent,
        pdpa_consent,
        note: optional(Column::Note),
    };
    // The profile's own rules, all of them: a field found wrong is blanked and the rest
    // checked again, so one row reports every problem it has.
    let validated = loop {
        match profile.clone().validated(today) {
            Ok(v) => break Some(v),
            Err(e) => {
                let (column, code) = profile_column(&e);
                let (en, th) = profile_message(&e);
                p.add(column, code, en, th);
                if column == Column::FirstName && matches!(e, ProfileError::FirstNameMissing) {
                    profile.first_name = "-".into();
                } else {
                    blank(&mut profile, column);
                }
                if p.list.len() > Column::ALL.len() * 2 {
                    break None;
                }
            }
        }
    };
    p.list.sort_by_key(|problem| problem.column);
    match (phone, validated) {
        (Some(phone), Some(profile)) if p.list.is_empty() => Ok(ValidRow {
            line: row.line,
            phone,
            profile,
            initial_points,
        }),
        _ => Err(p.list),
    }
}

/// A phone Excel stored as a number loses its leading 0 (`812345678`): put it back.
fn excel_phone(text: &str) -> String {
    let digits = text.chars().all(|c| c.is_ascii_digit());
    if digits && text.len() == 9 && matches!(text.as_bytes()[0], b'6' | b'8' | b'9') {
        format!("0{text}")
    } else {
        text.to_string()
    }
}

/// Yes or no, in Thai or English; empty is no.
fn parse_consent(text: &str) -> Option<bool> {
    match text.trim().to_lowercase().as_str() {
        "" | "ไม่" | "ไม่ยินยอม" | "no" | "n" | "0" | "false" | "f" | "x" => {
            Some(false)
        }
        "ใช่" | "ยินยอม" | "yes" | "y" | "1" | "true" | "t" | "✓" | "/" => {
            Some(true)
        }
        _ => None,
    }
}

fn profile_column(e: &ProfileError) -> (Column, &'static str) {
    match e {
        ProfileError::FirstNameMissing => (Column::FirstName, "missing_first_name"),
        ProfileError::TooLong { field, .. } => (
            match *field {
                "first name" => Column::FirstName,
                "last name" => Column::LastName,
                "email" => Column::Email,
                "address" => Column::Address,
                _ => Column::Note,
            },
            "too_long",
        ),
        ProfileError::BadEmail { .. } => (Column::Email, "bad_email"),
        ProfileError::BadBirthday { .. } => (Column::Birthday, "bad_birthday"),
        ProfileError::BadTags => (Column::Tags, "bad_tags"),
    }
}

fn profile_message(e: &ProfileError) -> (String, String) {
    let th = match e {
        ProfileError::FirstNameMissing => "ไม่มีชื่อ: สมาชิกทุกคนต้องมีชื่อ".to_string(),
        ProfileError::TooLong { max, .. } => format!("ข้อความยาวเกิน {max} ตัวอักษร: ย่อให้สั้นลง"),
        ProfileError::BadEmail { input } => {
            format!("\"{input}\" ไม่ใช่อีเมล: อีเมลมีรูปแบบ name@example.com หรือเว้นว่าง")
        }
        ProfileError::BadBirthday { date } => format!(
            "วันเกิด {} เป็นไปไม่ได้: ต้องอยู่ระหว่างปี ค.ศ. 1900 ถึงวันนี้ (ตรวจปี พ.ศ./ค.ศ.)",
            date.format("%d/%m/%Y")
        ),
        ProfileError::BadTags => {
            "แท็กไม่ถูกต้อง: ไม่เกิน 20 แท็ก แท็กละไม่เกิน 40 ตัวอักษร คั่นด้วยจุลภาค".to_string()
        }
    };
    (e.to_string(), th)
}

fn blank(profile: &mut MemberProfile, column: Column) {
    match column {
        Column::FirstName => profile.first_name = "-".into(),
        Column::LastName => profile.last_name.clear(),
        Column::Email => profile.email = None,
        Column::Address => profile.address = None,
        Column::Birthday => profile.birthday = None,
        Column::Tags => profile.tags.clear(),
        _ => profile.note = None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header() -> Header {
        Header::read(&RawRow {
            line: 1,
            cells: [
                "เบอร์มือถือ*",
                "ชื่อ*",
                "วันเกิด",
                "อีเมล",
                "แต้มเริ่มต้น",
                "ยินยอมรับข่าวสาร",
            ]
            .map(String::from)
            .to_vec(),
        })
        .0
    }

    fn row(cells: [&str; 6]) -> RawRow {
        RawRow {
            line: 7,
            cells: cells.map(String::from).to_vec(),
        }
    }

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 24).unwrap()
    }

    #[test]
    fn a_good_row_reads_thai_digits_be_dates_and_consents() {
        let ok = validate(
            &header(),
            &row(["๐๘๑-๒๓๔-๕๖๗๘", "สมศรี", "15/08/2535", "", "1,200", "ใช่"]),
            today(),
        )
        .unwrap();
        assert_eq!(ok.phone.as_str(), "0812345678");
        assert_eq!(ok.profile.birthday, NaiveDate::from_ymd_opt(1992, 8, 15));
        assert_eq!(ok.initial_points, Points(1200));
        assert!(ok.profile.marketing_consent);
        // Excel dropped the leading zero of a phone stored as a number.
        assert!(validate(&header(), &row(["812345678", "A", "", "", "", ""]), today()).is_ok());
    }

    #[test]
    fn a_bad_row_reports_every_problem_with_its_column() {
        let problems = validate(
            &header(),
            &row(["081-234-567", "", "31/02/2535", "no-at", "-5", "maybe"]),
            today(),
        )
        .unwrap_err();
        let codes: Vec<(&str, &str)> = problems
            .iter()
            .map(|p| (p.column.map_or("", Column::key), p.code))
            .collect();
        assert_eq!(
            codes,
            [
                ("phone", "bad_phone"),
                ("first_name", "missing_first_name"),
                ("birthday", "bad_birthday"),
                ("email", "bad_email"),
                ("initial_points", "bad_points"),
                ("marketing_consent", "bad_consent"),
            ]
        );
        assert!(
            problems
                .iter()
                .all(|p| p.line == 7 && !p.th.is_empty() && !p.en.is_empty())
        );
    }
}
