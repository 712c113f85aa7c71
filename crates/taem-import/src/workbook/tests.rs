//! Reading workbooks: row numbers, cell text, empty workbooks and a sheet broken part way.

use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};

use super::*;

fn rows(book: &mut Workbook) -> (String, Vec<RawRow>) {
    let (name, rows) = open(book.save_to_buffer().unwrap()).unwrap();
    (name, rows.map(Result::unwrap).collect())
}

#[test]
fn rows_keep_the_sheets_row_numbers_and_columns_with_the_blank_rows_between() {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    // The header in B3, a row skipped, a row of formatting only, then a member.
    sheet.write_string(2, 1, "เบอร์มือถือ*").unwrap();
    sheet.write_string(2, 2, "ชื่อ*").unwrap();
    sheet.write_string(3, 1, "0812345678").unwrap();
    sheet.write_blank(5, 1, &Format::new().set_bold()).unwrap();
    sheet.write_string(7, 2, "สมศรี").unwrap();
    let (_, rows) = rows(&mut book);
    let lines: Vec<u64> = rows.iter().map(|r| r.line).collect();
    assert_eq!(lines, [3, 4, 5, 6, 7, 8]);
    assert_eq!(rows[0].cells, ["", "เบอร์มือถือ*", "ชื่อ*"]);
    assert_eq!(rows[1].cells, ["", "0812345678"]);
    assert!(rows[2..5].iter().all(RawRow::is_blank));
    assert_eq!(rows[5].cells, ["", "", "สมศรี"]);
}

#[test]
fn numbers_dates_and_booleans_read_as_a_person_typed_them() {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    for (col, header) in ["เบอร์มือถือ*", "ชื่อ*", "วันเกิด", "แต้มเริ่มต้น", "ยินยอมรับข่าวสาร"]
        .iter()
        .enumerate()
    {
        sheet.write_string(0, col as u16, *header).unwrap();
    }
    sheet.write_number(1, 0, 812345678).unwrap();
    sheet.write_string(1, 1, "'=สมศรี").unwrap();
    let date = ExcelDateTime::from_ymd(1987, 8, 15).unwrap();
    sheet
        .write_datetime_with_format(1, 2, &date, &Format::new().set_num_format("dd/mm/yyyy"))
        .unwrap();
    sheet.write_number(1, 3, 1200.5).unwrap();
    sheet.write_boolean(1, 4, true).unwrap();
    let (_, rows) = rows(&mut book);
    assert_eq!(
        rows[1].cells,
        ["812345678", "=สมศรี", "15/08/1987", "1200.5", "true"]
    );
}

#[test]
fn a_workbook_without_text_is_empty() {
    let mut book = Workbook::new();
    book.add_worksheet();
    book.add_worksheet().write_string(4, 4, "  ").unwrap();
    assert!(matches!(
        open(book.save_to_buffer().unwrap()),
        Err(FileError::EmptyFile)
    ));
}

/// A ZIP archive of `files`, stored (not compressed), so a test can write a workbook's XML
/// as it likes, broken included.
fn stored_zip(files: &[(&str, &str)]) -> Vec<u8> {
    fn crc32(data: &[u8]) -> u32 {
        let mut crc = !0u32;
        for &b in data {
            crc ^= u32::from(b);
            for _ in 0..8 {
                crc = if crc & 1 == 1 {
                    (crc >> 1) ^ 0xEDB8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }
    let (mut zip, mut directory) = (Vec::new(), Vec::new());
    for (name, text) in files {
        let (name, data) = (name.as_bytes(), text.as_bytes());
        let offset = zip.len() as u32;
        // version 20, no flags, stored, no time: the same in both headers.
        let mut fields = vec![20u8, 0, 0, 0, 0, 0, 0, 0, 0, 0];
        fields.extend(crc32(data).to_le_bytes());
        fields.extend((data.len() as u32).to_le_bytes());
        fields.extend((data.len() as u32).to_le_bytes());
        fields.extend((name.len() as u16).to_le_bytes());
        fields.extend([0, 0]);
        zip.extend(0x0403_4b50u32.to_le_bytes());
        zip.extend(&fields);
        zip.extend(name);
        zip.extend(data);
        directory.extend(0x0201_4b50u32.to_le_bytes());
        directory.extend([20, 0]);
        directory.extend(&fields);
        // No comment, disk 0, no attributes.
        directory.extend([0u8; 10]);
        directory.extend(offset.to_le_bytes());
        directory.extend(name);
    }
    let directory_offset = zip.len() as u32;
    let count = (files.len() as u16).to_le_bytes();
    zip.extend(&directory);
    zip.extend(0x0605_4b50u32.to_le_bytes());
    zip.extend([0, 0, 0, 0]);
    zip.extend(count);
    zip.extend(count);
    zip.extend((directory.len() as u32).to_le_bytes());
    zip.extend(directory_offset.to_le_bytes());
    zip.extend([0, 0]);
    zip
}

#[test]
fn a_sheet_that_breaks_part_way_gives_its_rows_then_says_why() {
    let cell = |r: u32, col: &str, text: &str| {
        format!(r#"<c r="{col}{r}" t="inlineStr"><is><t>{text}</t></is></c>"#)
    };
    let mut sheet = String::from(
        r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>"#,
    );
    sheet += &format!(
        r#"<row r="1">{}{}</row>"#,
        cell(1, "A", "เบอร์มือถือ*"),
        cell(1, "B", "ชื่อ*")
    );
    for r in 2..=600 {
        sheet += &format!(
            r#"<row r="{r}">{}{}</row>"#,
            cell(r, "A", "0812345678"),
            cell(r, "B", "ก")
        );
    }
    // The file ends in the middle of a row (a copy cut short).
    sheet += r#"<row r="601"><c r="A601" t="inlineStr"><is><t>08"#;
    let bytes = stored_zip(&[
        (
            "_rels/.rels",
            r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#,
        ),
        (
            "xl/workbook.xml",
            r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="สมาชิก" sheetId="1" r:id="rId1"/></sheets></workbook>"#,
        ),
        (
            "xl/_rels/workbook.xml.rels",
            r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#,
        ),
        ("xl/worksheets/sheet1.xml", &sheet),
    ]);
    let (name, rows) = open(bytes).unwrap();
    assert_eq!(name, "สมาชิก");
    let rows: Vec<Result<RawRow, FileError>> = rows.collect();
    // Every row before the one being read when the sheet broke (that row may lack cells:
    // it is not given), then the error.
    assert_eq!(rows.len(), 600, "599 rows, then the error");
    assert_eq!(rows[598].as_ref().unwrap().line, 599);
    match &rows[599] {
        Err(FileError::NotATable(why)) => {
            assert!(
                why.starts_with("the sheet \"สมาชิก\" cannot be read"),
                "{why}"
            )
        }
        other => panic!("{other:?}"),
    }
}
