//! Reading one row: every cell checked against the member rules of `taem-core`, every problem
//! named with its column and a reason in English and Thai.

use chrono::NaiveDate;
use serde::Serialize;
use taem_core::thai_date::parse_thai_date;
use taem_core::{Gender, MemberCode, MemberProfile, Phone, Points, ProfileError};

use crate::clean::{date_text, has_fraction, humane, number_text, shown, whole_points_text};
use crate::columns::{Column, Lang};
use crate::header::Header;
use crate::read::{CellFlaw, RawRow};

/// A row that can be imported.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidRow {
    /// Its line in the file.
    pub line: u64,
    /// The mobile number.
    pub phone: Phone,
    /// The phone's cell as the file writes it (`0812345678`, `+66 81 234 5678` …), for the
    /// report of a row whose phone is a member already.
    pub phone_cell: String,
    /// The profile (validated).
    pub profile: MemberProfile,
    /// Points from the previous system.
    pub initial_points: Points,
    /// The member code the file gives (a members download's column), to keep when no other
    /// member has it; `None`: Taem draws one.
    pub code: Option<MemberCode>,
    /// The code's cell as the file writes it (empty when the file gives none).
    pub code_cell: String,
    /// A code the file gives that cannot be kept whoever else has it: the member gets a new
    /// one, and the report says so.
    pub code_not_kept: Option<CodeNotKept>,
}

/// Why the member code a row gives is not kept (the row is imported with a new code).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CodeNotKept {
    /// The cell as the file writes it.
    pub cell: String,
    /// Why.
    pub why: CodeNotKeptWhy,
}

/// Why a row's member code is not kept.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CodeNotKeptWhy {
    /// Not a Taem member code (another system's, or mistyped: the check character fails).
    NotTaem,
    /// An earlier line of the file gives the same code (that line keeps it).
    RepeatsLine(u64),
    /// Another member of the shop has it.
    OtherMembers,
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

    /// A problem of a cell outside the template's columns, or of the whole row.
    fn add_to_row(
        &mut self,
        header: &str,
        value: &str,
        code: &'static str,
        en: String,
        th: String,
    ) {
        self.list.push(RowProblem {
            line: self.line,
            column: None,
            header: header.to_string(),
            value: value.to_string(),
            code,
            en,
            th,
        });
    }

    /// What the reading noticed about the row's cells, and cells past the header's last column.
    fn add_structure(&mut self) {
        for flaw in &self.row.flaws {
            match *flaw {
                CellFlaw::NotUtf8 { cell } => {
                    // A cell of an ignored column imports nothing, garbled or not.
                    if let Some((column, _)) = self.header.at(cell) {
                        self.add(
                            column,
                            "not_utf8",
                            "the cell contains bytes that are not UTF-8 (shown as �) — the file mixes encodings: open it in Excel, retype this row's text if it looks wrong, and save it again as CSV UTF-8".into(),
                            "ช่องนี้มีตัวอักษรที่ไม่ใช่ UTF-8 (แสดงเป็น �) — ไฟล์ปนการเข้ารหัสหลายแบบ: เปิดใน Excel พิมพ์ข้อความในแถวนี้ใหม่ถ้าอ่านไม่ออก แล้วบันทึกใหม่เป็น CSV UTF-8".into(),
                        );
                    }
                }
                CellFlaw::RunsOn {
                    cell,
                    opened_line,
                    rows_from,
                    rows_to,
                } => {
                    let lines = if rows_from == rows_to {
                        format!("line {rows_from}")
                    } else {
                        format!("lines {rows_from}–{rows_to}")
                    };
                    let lines_th = if rows_from == rows_to {
                        format!("บรรทัดที่ {rows_from}")
                    } else {
                        format!("บรรทัดที่ {rows_from}–{rows_to}")
                    };
                    let en = format!(
                        "a quote (\") opened on line {opened_line} is never closed: {lines} of the file, which look like rows of their own, were read into this cell and not imported; close the quote at the end of the cell's text (or delete it) and upload the file again"
                    );
                    let th = format!(
                        "เครื่องหมายคำพูด (\") ที่เปิดในบรรทัดที่ {opened_line} ไม่ได้ปิด: {lines_th} ของไฟล์ซึ่งดูเป็นแถวสมาชิก ถูกอ่านรวมเข้าไปในช่องนี้และไม่ได้นำเข้า ใส่เครื่องหมายคำพูดปิดท้ายข้อความในช่อง (หรือลบออก) แล้วอัปโหลดอีกครั้ง"
                    );
                    match self.header.at(cell) {
                        Some((column, _)) => self.add(column, "unclosed_quote", en, th),
                        None => {
                            let value = self.row.cells.get(cell).cloned().unwrap_or_default();
                            self.add_to_row("", &value, "unclosed_quote", en, th)
                        }
                    }
                }
            }
        }
        let width = self.header.width();
        let cells = self
            .row
            .cells
            .iter()
            .rposition(|c| !c.is_empty())
            .map_or(0, |i| i + 1);
        if width > 0 && cells > width {
            let line = self.line;
            let extra = self.row.cells[width..cells].join(" | ");
            self.add_to_row(
                "",
                &extra,
                "extra_cells",
                format!("line {line} has {cells} cells but the header has {width} columns — a stray separator or an unquoted comma? Put the text that holds a comma in quotes (\"a, b\") or delete the extra separator, so each value is under its column"),
                format!("บรรทัดที่ {line} มี {cells} ช่อง แต่หัวตารางมี {width} คอลัมน์ — มีตัวคั่นเกินหรือมีจุลภาคในข้อความที่ไม่ได้อยู่ในเครื่องหมายคำพูด? ใส่ข้อความที่มีจุลภาคในเครื่องหมายคำพูด (\"a, b\") หรือลบตัวคั่นที่เกิน ให้ค่าแต่ละค่าอยู่ใต้คอลัมน์ของมัน"),
            );
        }
    }
}

/// The row's phone, if it has a valid one (whatever else is wrong with the row).
pub(crate) fn row_phone(header: &Header, row: &RawRow) -> Option<Phone> {
    let text = header.cell(row, Column::Phone).0;
    Phone::parse(&excel_phone(&number_text(text))).ok()
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
    p.add_structure();
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
        let cleaned = excel_phone(&number_text(phone_text));
        match Phone::parse(&cleaned) {
            Ok(phone) => Some(phone),
            Err(e) => {
                let mut en = humane(&e.to_string(), cleaned.trim());
                if let taem_core::PhoneError::InvalidCharacter { character, .. } = e {
                    en = en.replace(&format!("{character:?}"), &shown(&character.to_string()));
                }
                p.add(
                    Column::Phone,
                    "bad_phone",
                    en,
                    format!("{} ไม่ใช่เบอร์มือถือไทย: เบอร์มือถือมี 10 หลัก ขึ้นต้นด้วย 06, 08 หรือ 09 เช่น 081-234-5678", shown(phone_text)),
                );
                None
            }
        }
    };

    let birthday_text = cell(Column::Birthday);
    let mut birthday = None;
    if !birthday_text.is_empty() {
        let cleaned = date_text(birthday_text);
        match parse_thai_date(&cleaned) {
            Ok(date) => birthday = Some(date),
            Err(e) => p.add(
                Column::Birthday,
                "bad_birthday",
                humane(&e.to_string(), cleaned.trim()),
                format!(
                    "{} ไม่ใช่วันที่: ใช้ วัน/เดือน/ปี เช่น 15/08/2535 (พ.ศ.) หรือ 15/08/1992 (ค.ศ.)",
                    shown(birthday_text)
                ),
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
                format!("gender {} is not one of: หญิง, ชาย, อื่นๆ, female, male, other (or leave it empty)", shown(gender_text)),
                format!("เพศ {} ไม่ถูกต้อง: ใช้ หญิง, ชาย หรือ อื่นๆ (หรือเว้นว่าง)", shown(gender_text)),
            );
            Gender::Unspecified
        }
    };

    let points_text = cell(Column::InitialPoints);
    let mut initial_points = Points::ZERO;
    if !points_text.is_empty() {
        let cleaned = whole_points_text(points_text);
        match Points::parse_signed(&cleaned) {
            Ok(points) if points.0 >= 0 => initial_points = points,
            // A member in debt (two counters redeemed the same points offline) has a balance
            // below 0 in a members download; a member cannot be brought in owing points.
            Ok(points) => p.add(
                Column::InitialPoints,
                "bad_points",
                format!(
                    "the points {} are a negative balance (the member owes {} points, e.g. after two counters redeemed the same points offline): a member cannot be brought in owing points, nor given a balance below 0 afterwards; write 0 in the cell (or leave it empty) to import the member without the debt, and keep the {} points they owe in the note column",
                    shown(points_text),
                    points.0.unsigned_abs(),
                    points.0.unsigned_abs()
                ),
                format!(
                    "แต้ม {} ติดลบ (สมาชิกค้างแต้ม {} แต้ม เช่น สองเครื่องแลกแต้มเดียวกันตอนออฟไลน์): นำเข้าสมาชิกที่แต้มติดลบไม่ได้ และปรับแต้มให้ต่ำกว่า 0 ภายหลังก็ไม่ได้ ใส่ 0 ในช่องนี้ (หรือเว้นว่าง) เพื่อนำเข้าสมาชิกโดยไม่มียอดค้าง แล้วจดแต้มที่ค้าง {} แต้มไว้ในช่องหมายเหตุ",
                    shown(points_text),
                    points.0.unsigned_abs(),
                    points.0.unsigned_abs()
                ),
            ),
            Err(taem_core::PointsError::TooLarge { .. }) => p.add(
                Column::InitialPoints,
                "bad_points",
                format!(
                    "initial points {} are more than one member may bring ({}): check for an extra digit",
                    shown(points_text),
                    Points(taem_core::points::POINTS_PER_OPERATION_MAX).display_grouped()
                ),
                format!(
                    "แต้มเริ่มต้น {} มากเกินกว่าที่สมาชิกหนึ่งคนจะมีได้ ({}): ตรวจสอบว่าพิมพ์ตัวเลขเกินหรือไม่",
                    shown(points_text),
                    Points(taem_core::points::POINTS_PER_OPERATION_MAX).display_grouped()
                ),
            ),
            _ if has_fraction(&cleaned) => p.add(
                Column::InitialPoints,
                "bad_points",
                format!("initial points {} have a fraction: points are whole numbers, so round them to a whole number of 0 or more (e.g. 120); leave it empty for none", shown(points_text)),
                format!("แต้มเริ่มต้น {} มีเศษทศนิยม: แต้มเป็นจำนวนเต็ม ปัดเป็นจำนวนเต็มตั้งแต่ 0 ขึ้นไป เช่น 120 หรือเว้นว่าง", shown(points_text)),
            ),
            _ => p.add(
                Column::InitialPoints,
                "bad_points",
                format!("initial points {} are not a whole number of 0 or more (e.g. 120); leave it empty for none", shown(points_text)),
                format!("แต้มเริ่มต้น {} ไม่ถูกต้อง: ใช้จำนวนเต็มตั้งแต่ 0 ขึ้นไป เช่น 120 หรือเว้นว่าง", shown(points_text)),
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
                    format!("{} is not a yes or no: write ใช่/ไม่ใช่, ยินยอม/ไม่ยินยอม, yes/no, y/n, 1/0, or a mark (✓ or x) for yes (empty or - means no)", shown(text)),
                    format!("{} ไม่ใช่ ใช่ หรือ ไม่: ใช้ ใช่/ไม่ใช่, ยินยอม/ไม่ยินยอม, yes/no, 1/0 หรือเครื่องหมาย (✓ หรือ x) แปลว่ายินยอม (เว้นว่างหรือ - หมายถึง ไม่)", shown(text)),
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
        // Tags as people separate them in a cell: commas, semicolons, bars or one per line.
        tags: cell(Column::Tags)
            .split([',', ';', '|', '\n', '\r'])
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
        (Some(phone), Some(profile)) if p.list.is_empty() => {
            let (code, code_not_kept) = member_code(header, row);
            let code_cell = header.cell(row, Column::MemberCode).0.to_string();
            Ok(ValidRow {
                line: row.line,
                phone,
                phone_cell: phone_text.to_string(),
                profile,
                initial_points,
                code,
                code_cell,
                code_not_kept,
            })
        }
        _ => Err(p.list),
    }
}

/// The row's member code cell: a Taem code to keep, or why it cannot be (never a problem of
/// the row: a member list with another system's codes imports with new codes).
fn member_code(header: &Header, row: &RawRow) -> (Option<MemberCode>, Option<CodeNotKept>) {
    let (text, _) = header.cell(row, Column::MemberCode);
    if text.trim().is_empty() {
        return (None, None);
    }
    // Dashes and letters as other keyboards and fonts type them (an en dash, full-width
    // characters from a Thai or Chinese input method) are a code's own.
    let cleaned: String = number_text(text)
        .chars()
        .map(|c| match c {
            '\u{2010}'..='\u{2015}' | '\u{2212}' | '\u{FF0D}' => '-',
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFF01 + 0x21).unwrap_or(c),
            '\u{3000}' => ' ',
            c => c,
        })
        .collect();
    match MemberCode::parse(&cleaned) {
        Ok(code) => (Some(code), None),
        Err(_) => (
            None,
            Some(CodeNotKept {
                cell: text.to_string(),
                why: CodeNotKeptWhy::NotTaem,
            }),
        ),
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

/// Yes or no, in Thai or English; empty (or `-`, a cell left blank on purpose) is no. A mark
/// in the box (`✓`, `/`, `x`) is yes: a Thai shop ticks a consent column to say the member
/// agreed, it does not cross it out to refuse (a refusal is left empty or written ไม่).
fn parse_consent(text: &str) -> Option<bool> {
    match crate::clean::trimmed(text).to_lowercase().as_str() {
        "" | "-" | "ไม่" | "ไม่ใช่" | "ไม่ยินยอม" | "no" | "n" | "0" | "false" | "f" | "off" => {
            Some(false)
        }
        "ใช่" | "ยินยอม" | "ตกลง" | "yes" | "y" | "1" | "true" | "t" | "on" | "✓" | "✔" | "☑"
        | "/" | "x" => Some(true),
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
            flaws: Vec::new(),
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
        .unwrap()
        .0
    }

    fn row(cells: [&str; 6]) -> RawRow {
        RawRow {
            line: 7,
            cells: cells.map(String::from).to_vec(),
            flaws: Vec::new(),
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

    #[test]
    fn tags_are_split_on_commas_semicolons_bars_and_lines() {
        let header = Header::read(&RawRow {
            line: 1,
            flaws: Vec::new(),
            cells: ["เบอร์มือถือ*", "ชื่อ*", "แท็ก"].map(String::from).to_vec(),
        })
        .unwrap()
        .0;
        for cell in [
            "VIP,ทอง",
            "VIP;ทอง",
            "VIP | ทอง",
            "VIP\nทอง",
            " VIP ,, ทอง ",
        ] {
            let raw = RawRow {
                line: 2,
                cells: ["0812345678", "ก", cell].map(String::from).to_vec(),
                flaws: Vec::new(),
            };
            let ok = validate(&header, &raw, today()).unwrap();
            assert_eq!(ok.profile.tags, ["VIP", "ทอง"], "{cell:?}");
        }
    }

    #[test]
    fn excel_style_points_lose_their_zero_decimals_and_a_fraction_is_named() {
        let ok = validate(
            &header(),
            &row(["0812345678", "ก", "", "", "2,000.00", ""]),
            today(),
        )
        .unwrap();
        assert_eq!(ok.initial_points, Points(2000));
        let problems = validate(
            &header(),
            &row(["0812345678", "ก", "", "", "1,200.50", ""]),
            today(),
        )
        .unwrap_err();
        assert_eq!(problems[0].code, "bad_points");
        assert!(
            problems[0].en.contains("have a fraction"),
            "{}",
            problems[0].en
        );
        // A number too long for any points is too large, not "not a whole number".
        let problems = validate(
            &header(),
            &row(["0812345678", "ก", "", "", "99999999999", ""]),
            today(),
        )
        .unwrap_err();
        assert!(
            problems[0]
                .en
                .contains("are more than one member may bring (10,000,000)"),
            "{}",
            problems[0].en
        );
        // Zero decimals are points-only: a phone written with them is still refused.
        assert!(
            validate(
                &header(),
                &row(["0812345678.00", "ก", "", "", "", ""]),
                today()
            )
            .is_err()
        );
    }

    #[test]
    fn a_date_with_a_midnight_time_reads_and_another_time_does_not() {
        for date in ["15/08/1987 0:00", "1987-08-15 00:00:00"] {
            let ok = validate(
                &header(),
                &row(["0812345678", "ก", date, "", "", ""]),
                today(),
            )
            .unwrap();
            assert_eq!(
                ok.profile.birthday,
                NaiveDate::from_ymd_opt(1987, 8, 15),
                "{date}"
            );
        }
        assert!(
            validate(
                &header(),
                &row(["0812345678", "ก", "15/08/1987 13:45", "", "", ""]),
                today()
            )
            .is_err()
        );
    }

    #[test]
    fn phones_excel_wraps_or_pastes_with_invisible_characters_read() {
        for phone in [
            "'0812340001",
            "=\"0812340001\"",
            "081\u{a0}234\u{a0}0001",
            "\u{200b}0812340001",
        ] {
            let ok = validate(&header(), &row([phone, "ก", "", "", "", ""]), today()).unwrap();
            assert_eq!(ok.phone.as_str(), "0812340001", "{phone:?}");
        }
    }

    #[test]
    fn messages_quote_values_as_written_not_as_rust_escapes_them() {
        let problems = validate(
            &header(),
            &row(["081-000-0025 ต่อ 12", "ก", "", "", "", ""]),
            today(),
        )
        .unwrap_err();
        let en = &problems[0].en;
        assert!(en.contains("\"081-000-0025 ต่อ 12\""), "{en}");
        assert!(!en.contains("\\u{"), "{en}");
    }

    #[test]
    fn consent_marks_and_thai_words_read_as_a_shop_means_them() {
        for (text, yes) in [
            ("x", true),
            ("X", true),
            ("✓", true),
            ("ตกลง", true),
            ("on", true),
            ("ไม่ใช่", false),
            ("off", false),
            ("-", false),
            ("", false),
        ] {
            assert_eq!(parse_consent(text), Some(yes), "{text}");
        }
        assert_eq!(parse_consent("maybe"), None);
    }

    #[test]
    fn cells_past_the_header_are_reported_and_empty_ones_are_not() {
        let mut long = row(["0812345678", "ก", "", "", "", ""]);
        long.cells.extend(["".to_string(), "".to_string()]);
        assert!(validate(&header(), &long, today()).is_ok());
        long.cells.push("เกิน".into());
        let problems = validate(&header(), &long, today()).unwrap_err();
        assert_eq!(
            (problems[0].column, problems[0].code),
            (None, "extra_cells")
        );
        assert!(
            problems[0]
                .en
                .contains("has 9 cells but the header has 6 columns"),
            "{}",
            problems[0].en
        );
    }
}
