//! The `member-template` a shop downloads and fills: CSV (UTF-8 with BOM, so Excel shows Thai)
//! or XLSX (every column formatted as text, so Excel keeps a phone's leading 0, and a second
//! sheet that says, for each column, whether it must be filled, what it accepts and an
//! example).
//!
//! The rules written there are the importer's own ([`crate::validate`], `taem-core`'s member
//! rules): the limits come from the same constants, and a test keeps every example importable.

use std::io::Write;

use rust_xlsxwriter::{Format, FormatAlign, Workbook, Worksheet, XlsxError};
use taem_core::member::{NAME_CHARS_MAX, TAG_CHARS_MAX, TAGS_MAX, TEXT_CHARS_MAX};
use taem_core::points::POINTS_PER_OPERATION_MAX;

use crate::columns::{Column, Lang};
use crate::download::{BALANCE_HEADER_EN, BALANCE_HEADER_TH};
use crate::engine::SHOP_UPLOAD_ROWS_MAX;
use crate::error::grouped;

/// The template's file name, without extension (the seed's name).
pub const TEMPLATE_NAME: &str = "member-template";

/// Writes the CSV template: the header row only (an example row would be imported if left in,
/// and CSV has no place for notes that an import would not read as a row; the XLSX template
/// carries the rules).
pub fn write_csv(out: &mut dyn Write, lang: Lang) -> std::io::Result<()> {
    out.write_all(b"\xEF\xBB\xBF")?;
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(out);
    writer.write_record(Column::ALL.map(|c| c.header(lang)))?;
    writer.flush()
}

/// The member sheet's name.
fn member_sheet_name(lang: Lang) -> &'static str {
    match lang {
        Lang::Th => "สมาชิก",
        Lang::En => "Members",
    }
}

/// The XLSX template as bytes.
pub fn xlsx(lang: Lang) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    write_member_sheet(book.add_worksheet(), lang)?;
    write_instructions(book.add_worksheet(), lang)?;
    book.save_to_buffer()
}

fn write_member_sheet(sheet: &mut Worksheet, lang: Lang) -> Result<(), XlsxError> {
    let bold = Format::new().set_bold();
    let required = Format::new().set_bold().set_background_color("#FFF2CC");
    let text = Format::new().set_num_format("@");
    sheet.set_name(member_sheet_name(lang))?;
    for (i, c) in Column::ALL.into_iter().enumerate() {
        let col = i as u16;
        sheet.write_string_with_format(
            0,
            col,
            c.header(lang),
            if c.required() { &required } else { &bold },
        )?;
        sheet.set_column_width(col, 20)?;
        // Every column as text: Excel must not turn 0812345678 into 812345678 or 15/08/2535
        // into a date of its own.
        sheet.set_column_format(col, &text)?;
    }
    sheet.set_freeze_panes(1, 0)?;
    Ok(())
}

/// The instructions sheet: a row per column (its header, whether it must be filled, what it
/// accepts, an example), then what holds for the whole file. Its first row is not a member
/// header, so an import never reads it in place of the member sheet, wherever it is put.
fn write_instructions(help: &mut Worksheet, lang: Lang) -> Result<(), XlsxError> {
    let bold = Format::new().set_bold();
    let wrapped = Format::new().set_text_wrap().set_align(FormatAlign::Top);
    help.set_name(match lang {
        Lang::Th => "วิธีกรอก",
        Lang::En => "How to fill",
    })?;
    let titles = match lang {
        Lang::Th => ["คอลัมน์", "ต้องกรอก", "กรอกอย่างไร", "ตัวอย่าง"],
        Lang::En => ["Column", "Required", "What it accepts", "Example"],
    };
    for (i, t) in titles.iter().enumerate() {
        help.write_string_with_format(0, i as u16, *t, &bold)?;
    }
    for (i, c) in Column::ALL.into_iter().enumerate() {
        let row = i as u32 + 1;
        help.write_string_with_format(row, 0, c.header(lang), &wrapped)?;
        help.write_string_with_format(row, 1, required_text(c, lang), &wrapped)?;
        help.write_string_with_format(row, 2, rule(c, lang), &wrapped)?;
        help.write_string_with_format(row, 3, c.example(lang), &wrapped)?;
    }
    let notes_from = Column::ALL.len() as u32 + 2;
    for (i, note) in file_notes(lang).iter().enumerate() {
        help.write_string(notes_from + i as u32, 0, note)?;
    }
    help.set_column_width(0, 28)?;
    help.set_column_width(1, 12)?;
    help.set_column_width(2, 70)?;
    help.set_column_width(3, 32)?;
    help.set_freeze_panes(1, 0)?;
    Ok(())
}

/// "Required": yes (the header has `*`) or no, never left empty.
fn required_text(c: Column, lang: Lang) -> &'static str {
    match (c.required(), lang) {
        (true, Lang::Th) => "ใช่ (*)",
        (false, Lang::Th) => "ไม่",
        (true, Lang::En) => "yes (*)",
        (false, Lang::En) => "no",
    }
}

/// What a column accepts, as the import reads it.
fn rule(c: Column, lang: Lang) -> String {
    let names = grouped(NAME_CHARS_MAX as u64);
    let text = grouped(TEXT_CHARS_MAX as u64);
    let points = grouped(POINTS_PER_OPERATION_MAX as u64);
    match (c, lang) {
        (Column::Phone, Lang::Th) => "เบอร์มือถือไทย 10 หลัก ขึ้นต้นด้วย 06, 08 หรือ 09 เขียนแบบ 0812345678, 081-234-5678, 081 234 5678, +66 81 234 5678 หรือเลขไทย ๐๘๑-๒๓๔-๕๖๗๘ ก็ได้ สมาชิกหนึ่งคนต่อหนึ่งเบอร์: เบอร์ที่ซ้ำในไฟล์หรือเป็นสมาชิกอยู่แล้วจะไม่ถูกนำเข้าซ้ำ".into(),
        (Column::Phone, Lang::En) => "A Thai mobile number: 10 digits starting 06, 08 or 09, written 0812345678, 081-234-5678, 081 234 5678, +66 81 234 5678, or in Thai digits ๐๘๑-๒๓๔-๕๖๗๘. One number per member: a number repeated in the file, or already a member's, is not imported again.".into(),
        (Column::FirstName, Lang::Th) => format!("ไม่เกิน {names} ตัวอักษร"),
        (Column::FirstName, Lang::En) => format!("Up to {names} characters."),
        (Column::LastName, Lang::Th) => format!("ไม่เกิน {names} ตัวอักษร หรือเว้นว่าง"),
        (Column::LastName, Lang::En) => format!("Up to {names} characters, or empty."),
        (Column::Birthday, Lang::Th) => "วัน/เดือน/ปี ปีเป็น พ.ศ. หรือ ค.ศ. ก็ได้ (เขียนปีให้ครบ 4 หลัก) เช่น 15/08/2535 (พ.ศ.) หรือ 15/08/1992 (ค.ศ.); 15 ส.ค. 2535 หรือเลขไทยก็ได้ หรือเว้นว่าง".into(),
        (Column::Birthday, Lang::En) => "Day/month/year, the year in B.E. or C.E. (all 4 digits): 15/08/2535 (B.E.) or 15/08/1992 (C.E.); 15 ส.ค. 2535 and Thai digits work too. Or empty.".into(),
        (Column::Gender, Lang::Th) => "หญิง (หรือ ญ, female, F), ชาย (หรือ ช, male, M), อื่นๆ (หรือ other) หรือเว้นว่างถ้าไม่ระบุ".into(),
        (Column::Gender, Lang::En) => "female (or F, หญิง, ญ), male (or M, ชาย, ช), other (or อื่นๆ), or empty when not given.".into(),
        (Column::Email, Lang::Th) => "รูปแบบ name@example.com หรือเว้นว่าง".into(),
        (Column::Email, Lang::En) => "Like name@example.com, or empty.".into(),
        (Column::Address, Lang::Th) => format!("ไม่เกิน {text} ตัวอักษร หรือเว้นว่าง"),
        (Column::Address, Lang::En) => format!("Up to {text} characters, or empty."),
        (Column::Tags, Lang::Th) => format!("คั่นแต่ละแท็กด้วยจุลภาค (,) อัฒภาค (;) ขีดตั้ง (|) หรือขึ้นบรรทัดใหม่ ไม่เกิน {TAGS_MAX} แท็ก แท็กละไม่เกิน {TAG_CHARS_MAX} ตัวอักษร หรือเว้นว่าง"),
        (Column::Tags, Lang::En) => format!("Tags separated by commas (,), semicolons (;), bars (|) or new lines: at most {TAGS_MAX} tags of up to {TAG_CHARS_MAX} characters each. Or empty."),
        (Column::InitialPoints, Lang::Th) => format!("แต้มที่ยกมาจากระบบเดิม: จำนวนเต็มตั้งแต่ 0 ขึ้นไป ไม่เกิน {points} (1,200 ก็ได้) ไม่มีทศนิยม เว้นว่างคือ 0 คอลัมน์ \"{BALANCE_HEADER_TH}\" ของไฟล์สมาชิกที่ดาวน์โหลดจาก Taem ใช้แทนคอลัมน์นี้ได้"),
        (Column::InitialPoints, Lang::En) => format!("Points brought from the previous system: a whole number from 0 up to {points} (1,200 works too), no decimals; empty is 0. The \"{BALANCE_HEADER_EN}\" column of a members download from Taem is read as this column."),
        (Column::MarketingConsent | Column::PdpaConsent, Lang::Th) => "ยินยอม: ใช่, ยินยอม, ตกลง, yes, y, 1 หรือเครื่องหมาย ✓ หรือ x; ไม่ยินยอม: ไม่ใช่, ไม่, ไม่ยินยอม, no, n, 0, - หรือเว้นว่าง".into(),
        (Column::MarketingConsent | Column::PdpaConsent, Lang::En) => "Agreed: yes, y, 1, true, ใช่, ยินยอม, or a mark ✓ or x. Not agreed: no, n, 0, false, ไม่ใช่, ไม่, -, or empty.".into(),
        (Column::Note, Lang::Th) => format!("ไม่เกิน {text} ตัวอักษร หรือเว้นว่าง"),
        (Column::Note, Lang::En) => format!("Up to {text} characters, or empty."),
        (Column::MemberCode, Lang::Th) => "ไม่อยู่ในแบบฟอร์ม: ไฟล์สมาชิกที่ดาวน์โหลดจาก Taem มีคอลัมน์นี้ สมาชิกที่นำเข้าจะใช้รหัสเดิม บัตรสมาชิกจึงยังสแกนได้ รหัสที่ไม่ใช่รหัสของ Taem หรือเป็นของสมาชิกคนอื่นแล้ว จะได้รหัสใหม่ และรายงานบอกไว้".into(),
        (Column::MemberCode, Lang::En) => "Not a template column: a members download from Taem has it, and the members imported keep their codes, so their cards still scan. A code that is not a Taem code, or is another member's already, is replaced by a new one, and the report says so.".into(),
    }
}

/// What holds for the whole file.
fn file_notes(lang: Lang) -> [String; 3] {
    let rows = grouped(SHOP_UPLOAD_ROWS_MAX);
    let members = member_sheet_name(lang);
    match lang {
        Lang::Th => [
            format!(
                "กรอกสมาชิกในชีต \"{members}\" หนึ่งคนต่อหนึ่งแถว ใต้หัวตาราง อย่าแก้ชื่อหัวคอลัมน์ (คอลัมน์ที่มี * ต้องกรอก) ชีตนี้ไม่ถูกนำเข้า"
            ),
            format!(
                "อัปโหลดได้ครั้งละไม่เกิน {rows} แถว: รายชื่อที่ยาวกว่านั้นให้แบ่งเป็นหลายไฟล์ ไฟล์ละไม่เกิน {rows} แถว"
            ),
            "บันทึกเป็น Excel (.xlsx) หรือ CSV UTF-8 แล้วอัปโหลดไฟล์นั้น".into(),
        ],
        Lang::En => [
            format!(
                "Fill the members in the \"{members}\" sheet, one member per row under the header; keep the headers as they are (columns marked * are required). This sheet is not imported."
            ),
            format!(
                "A shop upload holds at most {rows} rows: split a longer list into files of {rows} rows or fewer."
            ),
            "Save as Excel (.xlsx) or CSV UTF-8, and upload that file.".into(),
        ],
    }
}

#[cfg(test)]
mod tests {
    use calamine::{Data, Reader, Xlsx};
    use chrono::NaiveDate;

    use super::*;
    use crate::header::Header;
    use crate::read::{RawRow, Table};
    use crate::validate::validate;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 24).unwrap()
    }

    /// The instructions sheet of the template, as rows of text.
    fn instructions(lang: Lang) -> Vec<Vec<String>> {
        let bytes = xlsx(lang).unwrap();
        let mut book: Xlsx<_> =
            calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
        let name = book.sheet_names()[1].clone();
        let range = book.worksheet_range(&name).unwrap();
        range
            .rows()
            .map(|r| r.iter().map(Data::to_string).collect())
            .collect()
    }

    #[test]
    fn every_column_says_whether_it_is_required_and_what_it_accepts() {
        for lang in [Lang::Th, Lang::En] {
            let rows = instructions(lang);
            for (i, c) in Column::ALL.into_iter().enumerate() {
                let row = &rows[i + 1];
                assert_eq!(row[0], c.header(lang));
                let yes = if lang == Lang::Th {
                    "ใช่ (*)"
                } else {
                    "yes (*)"
                };
                let no = if lang == Lang::Th { "ไม่" } else { "no" };
                assert_eq!(row[1], if c.required() { yes } else { no }, "{c:?}");
                assert!(row[2].chars().count() > 10, "{c:?} {lang:?}: {}", row[2]);
                assert_eq!(row[3], c.example(lang));
            }
            let rule =
                |c: Column| rows[Column::ALL.iter().position(|k| *k == c).unwrap() + 1][2].clone();
            // Both eras, whatever the template's language.
            assert!(rule(Column::Birthday).contains("15/08/2535"), "{lang:?}");
            assert!(rule(Column::Birthday).contains("15/08/1992"), "{lang:?}");
            for separator in ["(,)", "(;)", "(|)"] {
                assert!(rule(Column::Tags).contains(separator), "{lang:?}");
            }
            assert!(rule(Column::Phone).contains("+66"), "{lang:?}");
            assert!(rule(Column::InitialPoints).contains(" 0 "), "{lang:?}");
            let notes = rows.concat().join("\n");
            assert!(notes.contains("5,000"), "{lang:?}: {notes}");
        }
    }

    #[test]
    fn the_values_the_instructions_name_are_the_ones_the_import_takes() {
        let header = Header::read(&RawRow {
            line: 1,
            cells: Column::ALL.map(|c| c.header(Lang::Th)).to_vec(),
            flaws: Vec::new(),
        })
        .unwrap()
        .0;
        let row = |set: &[(Column, &str)]| {
            let mut cells: Vec<String> = Column::ALL
                .map(|c| c.example(Lang::Th).to_string())
                .to_vec();
            for (c, v) in set {
                cells[Column::ALL.iter().position(|k| k == c).unwrap()] = v.to_string();
            }
            validate(
                &header,
                &RawRow {
                    line: 2,
                    cells,
                    flaws: Vec::new(),
                },
                today(),
            )
        };
        let accepted: &[(Column, &[&str])] = &[
            (
                Column::Phone,
                &[
                    "0812345678",
                    "081-234-5678",
                    "081 234 5678",
                    "+66 81 234 5678",
                    "๐๘๑-๒๓๔-๕๖๗๘",
                ],
            ),
            (
                Column::Birthday,
                &["15/08/2535", "15/08/1992", "15 ส.ค. 2535", ""],
            ),
            (
                Column::Gender,
                &[
                    "หญิง",
                    "ญ",
                    "female",
                    "F",
                    "ชาย",
                    "ช",
                    "male",
                    "M",
                    "อื่นๆ",
                    "other",
                    "",
                ],
            ),
            (Column::Tags, &["a, b", "a; b", "a | b", "a\nb", ""]),
            (Column::InitialPoints, &["0", "1,200", "10,000,000", ""]),
            (
                Column::MarketingConsent,
                &[
                    "ใช่",
                    "ยินยอม",
                    "ตกลง",
                    "yes",
                    "y",
                    "1",
                    "true",
                    "✓",
                    "x",
                    "ไม่ใช่",
                    "ไม่",
                    "ไม่ยินยอม",
                    "no",
                    "n",
                    "0",
                    "false",
                    "-",
                    "",
                ],
            ),
        ];
        for (column, values) in accepted {
            for value in *values {
                assert!(row(&[(*column, value)]).is_ok(), "{column:?} {value:?}");
            }
        }
        for (column, value) in [
            (Column::InitialPoints, "-1"),
            (Column::InitialPoints, "1.5"),
            (Column::Birthday, "15/08/35"),
        ] {
            assert!(row(&[(column, value)]).is_err(), "{column:?} {value:?}");
        }
    }

    #[test]
    fn the_instructions_sheet_never_stands_in_for_the_member_sheet() {
        for lang in [Lang::Th, Lang::En] {
            for instructions_first in [false, true] {
                for with_member in [false, true] {
                    let mut book = Workbook::new();
                    if instructions_first {
                        write_instructions(book.add_worksheet(), lang).unwrap();
                    }
                    let members = book.add_worksheet();
                    write_member_sheet(members, lang).unwrap();
                    if with_member {
                        for (i, c) in Column::ALL.into_iter().enumerate() {
                            members.write_string(1, i as u16, c.example(lang)).unwrap();
                        }
                    }
                    if !instructions_first {
                        write_instructions(book.add_worksheet(), lang).unwrap();
                    }
                    let table = Table::from_bytes(book.save_to_buffer().unwrap()).unwrap();
                    let what = format!("{lang:?} first={instructions_first} member={with_member}");
                    assert_eq!(
                        table.sheet.as_deref(),
                        Some(member_sheet_name(lang)),
                        "{what}"
                    );
                    let rows: Vec<RawRow> = table.map(Result::unwrap).collect();
                    let (header, unknown) = Header::read(&rows[0]).unwrap();
                    assert!(unknown.is_empty(), "{what}: {unknown:?}");
                    assert_eq!(rows.len(), 1 + usize::from(with_member), "{what}");
                    if with_member {
                        let member = validate(&header, &rows[1], today()).unwrap();
                        assert_eq!(member.phone.as_str(), "0812345678", "{what}");
                    }
                }
            }
        }
        // The template as written reads from its member sheet, with no member row.
        for lang in [Lang::Th, Lang::En] {
            let table = Table::from_bytes(xlsx(lang).unwrap()).unwrap();
            assert_eq!(table.sheet.as_deref(), Some(member_sheet_name(lang)));
            assert_eq!(table.count(), 1);
        }
    }
}
