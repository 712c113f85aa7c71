//! An XLSX member list is streamed: reading a sheet of many rows takes about the memory of the
//! file's bytes, not of its rows. (Alone in its test binary: the peak memory it measures is the
//! process's, which a test running beside it would raise.)

#![cfg(target_os = "linux")]

mod memory;

use taem_import::Table;

/// Rows of the sheet: enough that holding them all (about 1.8 KB a row, as reading the whole
/// sheet did) stands far above the limit below.
const SHEET_ROWS: u32 = 60_000;
/// The most the peak memory may grow while the sheet is read: its file's bytes (about 5 MB),
/// the rows in flight and the reader's buffers, with room to spare.
const READ_GROWTH_MAX_KB: u64 = 40 * 1024;

fn members_sheet(path: &std::path::Path) {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet_with_constant_memory().unwrap();
    sheet.set_name("สมาชิก").unwrap();
    let header = [
        "เบอร์มือถือ*",
        "ชื่อ*",
        "นามสกุล",
        "วันเกิด",
        "เพศ",
        "อีเมล",
        "ที่อยู่",
        "แท็ก",
        "แต้มเริ่มต้น",
        "ยินยอมรับข่าวสาร",
        "ยินยอมเก็บข้อมูล (PDPA)",
    ];
    for (i, h) in header.iter().enumerate() {
        sheet.write_string(0, i as u16, *h).unwrap();
    }
    for r in 1..=SHEET_ROWS {
        let cells = [
            format!("08{r:08}"),
            format!("สมศรี{r}"),
            "ใจดี".into(),
            "15/08/2535".into(),
            "หญิง".into(),
            format!("m{r}@example.com"),
            "99/1 ถ.สุขุมวิท กรุงเทพฯ 10110".into(),
            "vip, coffee".into(),
        ];
        for (i, c) in cells.iter().enumerate() {
            sheet.write_string(r, i as u16, c).unwrap();
        }
        sheet.write_number(r, 8, f64::from(r % 500)).unwrap();
        sheet.write_string(r, 9, "ใช่").unwrap();
        sheet.write_string(r, 10, "ใช่").unwrap();
    }
    book.save(path).unwrap();
}

#[test]
fn reading_a_big_sheet_holds_its_file_not_its_rows() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("members.xlsx");
    members_sheet(&path);
    // The peak so far is the writing's: start counting from now (where the kernel allows it;
    // else the peak only has to stay under the writing's plus the limit).
    let before_kb = memory::reset_peak_kb();

    let table = Table::from_path(&path).unwrap();
    assert_eq!(table.sheet.as_deref(), Some("สมาชิก"));
    let (mut rows, mut last_line) = (0u32, 0u64);
    for row in table {
        let row = row.unwrap();
        rows += 1;
        last_line = row.line;
    }
    assert_eq!(
        (rows, last_line),
        (SHEET_ROWS + 1, u64::from(SHEET_ROWS) + 1)
    );

    let growth_kb = memory::peak_growth_kb(before_kb);
    assert!(
        growth_kb < READ_GROWTH_MAX_KB,
        "reading {SHEET_ROWS} rows raised the peak memory by {growth_kb} kB"
    );
}
