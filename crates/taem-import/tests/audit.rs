//! The files of the member-import audit (tests/fixtures/import/audit, copied as the audit
//! found them): each imported into a real replica, with what must happen to it — refused with
//! the right error, or its rows imported and its problems reported, none lost in silence.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::NaiveDate;
use taem_import::{ImportOptions, ImportReport, ReplicaSink, SHOP_UPLOAD_ROWS_MAX, Table, import};
use taem_replica::{FixedEnvironment, MemberKey, MemberView, Replica};

const BRANCH: &str = "CNX01";

fn audit_file(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures/import/audit")
        .join(name)
}

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 24).unwrap()
}

/// Imports one audit file into a new replica: the report and the replica.
fn upload(name: &str) -> (ImportReport, Replica, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let env = Arc::new(FixedEnvironment::new(
        today().and_hms_opt(3, 0, 0).unwrap().and_utc(),
        7,
    ));
    let mut replica = Replica::create(dir.path(), "ร้านทดสอบ", "BKK01", env).unwrap();
    let mut sink = ReplicaSink {
        replica: &mut replica,
        branch: BRANCH.into(),
    };
    let options = ImportOptions {
        max_rows: Some(SHOP_UPLOAD_ROWS_MAX),
        today: today(),
        dry_run: false,
    };
    let report = import(
        Table::from_path(&audit_file(name)),
        options,
        &mut sink,
        &mut |_| {},
    );
    (report, replica, dir)
}

/// (line, column key, code) of every problem.
fn problems(report: &ImportReport) -> Vec<(u64, &str, &str)> {
    report
        .problems
        .iter()
        .map(|p| (p.line, p.column.map_or("", |c| c.key()), p.code))
        .collect()
}

fn imported_lines(report: &ImportReport) -> Vec<u64> {
    report
        .imported_codes
        .iter()
        .map(|(line, _)| *line)
        .collect()
}

fn member(replica: &Replica, phone: &str) -> MemberView {
    replica
        .member(&MemberKey::parse(phone).unwrap())
        .unwrap_or_else(|e| panic!("{phone}: {e}"))
}

fn file_error(report: &ImportReport) -> (&str, &str, &str) {
    let e = report.file_error.as_ref().expect("the file is refused");
    (e.code, e.en.as_str(), e.th.as_str())
}

#[test]
fn an_unclosed_quote_is_reported_on_its_row_naming_the_rows_it_swallowed() {
    let (report, _, _) = upload("unterminated.csv");
    assert!(report.file_error.is_none(), "{report:?}");
    assert_eq!(problems(&report), [(2, "note", "unclosed_quote")]);
    let p = &report.problems[0];
    assert!(
        p.en.contains("a quote (\") opened on line 2 is never closed")
            && p.en.contains("lines 3–5"),
        "{}",
        p.en
    );
    assert!(
        p.th.contains("บรรทัดที่ 2") && p.th.contains("บรรทัดที่ 3–5"),
        "{}",
        p.th
    );
    assert_eq!(
        report.imported, 0,
        "the row with the open quote is not imported either"
    );
}

#[test]
fn a_typo_in_an_optional_header_stops_the_file_with_the_column_meant() {
    for (file, typo, meant) in [
        ("typo-points.csv", "แต้มเริ่มตัน", "แต้มเริ่มต้น"),
        ("typo-lastname.csv", "นามสกุ", "นามสกุล"),
    ] {
        let (report, replica, _) = upload(file);
        let (code, en, th) = file_error(&report);
        assert_eq!(code, "misspelt_column", "{file}");
        assert!(
            en.contains(&format!("\"{typo}\""))
                && en.contains(&format!("did you mean \"{meant}\"")),
            "{en}"
        );
        assert!(th.contains(&format!("หมายถึง \"{meant}\"")), "{th}");
        assert_eq!(
            replica.status().unwrap().members,
            0,
            "{file}: nothing imported"
        );
    }
}

#[test]
fn a_row_in_another_encoding_in_a_utf8_file_is_reported_and_not_imported() {
    for (file, kind, good, phone) in [
        ("mixed-encoding.csv", "CsvUtf8Bom", vec![2, 4], "0870000019"),
        ("mixed-encoding-nobom.csv", "CsvUtf8", vec![2], "0870000022"),
    ] {
        let (report, replica, _) = upload(file);
        assert_eq!(format!("{:?}", report.file_kind.unwrap()), kind, "{file}");
        assert_eq!(problems(&report), [(3, "first_name", "not_utf8")], "{file}");
        assert!(report.problems[0].en.contains("save it again as CSV UTF-8"));
        assert_eq!(imported_lines(&report), good, "{file}");
        // The UTF-8 rows read as UTF-8, not as Windows-874 garbage.
        assert_eq!(member(&replica, phone).profile.first_name, "สมศรี");
    }
}

#[test]
fn excel_unicode_text_is_read_and_an_old_xls_is_named() {
    let (report, replica, _) = upload("utf16-unicode-text.csv");
    assert!(report.file_error.is_none(), "{report:?}");
    assert_eq!(format!("{:?}", report.file_kind.unwrap()), "CsvUtf16");
    assert_eq!(
        (report.imported, report.problems.len()),
        (2, 0),
        "{report:?}"
    );
    let first = report.imported_codes[0].1.clone();
    assert!(!first.is_empty());
    assert_eq!(replica.status().unwrap().members, 2);

    let (report, _, _) = upload("old.xls");
    let (code, en, th) = file_error(&report);
    assert_eq!(code, "old_excel");
    assert!(en.contains("Excel 97-2003") && en.contains(".xlsx"), "{en}");
    assert!(th.contains("Excel รุ่นเก่า"), "{th}");
}

#[test]
fn a_template_column_twice_in_the_header_stops_the_file() {
    let (report, _, _) = upload("dup-col.csv");
    let (code, en, _) = file_error(&report);
    assert_eq!(code, "duplicate_column");
    assert!(
        en.contains("\"ชื่อ*\"") && en.contains("columns B and C"),
        "{en}"
    );
}

#[test]
fn a_repeated_phone_is_reported_even_when_its_first_row_is_bad() {
    let (report, _, _) = upload("dup-first-bad.csv");
    assert_eq!(
        problems(&report),
        [
            (2, "birthday", "bad_birthday"),
            (3, "phone", "duplicate_in_file"),
            (5, "phone", "duplicate_in_file"),
            (6, "phone", "duplicate_in_file"),
        ]
    );
    assert!(report.problems[1].en.contains("line 2"));
    assert_eq!(imported_lines(&report), [4]);
}

#[test]
fn cells_past_the_header_are_a_row_problem() {
    let (report, _, _) = upload("ragged.csv");
    assert_eq!(problems(&report), [(3, "", "extra_cells")]);
    assert!(
        report.problems[0]
            .en
            .contains("line 3 has 6 cells but the header has 4 columns"),
        "{}",
        report.problems[0].en
    );
    assert_eq!(imported_lines(&report), [2], "a short row is fine");
}

#[test]
fn consents_read_as_a_thai_shop_writes_them() {
    let (report, replica, _) = upload("consent.csv");
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    // (phone, marketing, pdpa): x and ✓ are ticks, ไม่ใช่ is no, ตกลง and on are yes, - is blank.
    for (phone, marketing, pdpa) in [
        ("0890000001", true, true),
        ("0890000002", true, false),
        ("0890000003", false, true),
        ("0890000004", false, true),
        ("0890000005", true, false),
        ("0890000006", true, false),
        ("0890000007", true, false),
        ("0890000008", false, false),
    ] {
        let p = member(&replica, phone).profile;
        assert_eq!(
            (p.marketing_consent, p.pdpa_consent),
            (marketing, pdpa),
            "{phone}"
        );
    }
}

#[test]
fn excel_phones_points_and_dates_with_a_midnight_time_import() {
    let (report, replica, _) = upload("excelisms.csv");
    // 15/08/พ.ศ.2530 is not a date form the member rules read.
    assert_eq!(problems(&report), [(9, "birthday", "bad_birthday")]);
    assert_eq!(imported_lines(&report), [2, 3, 4, 5, 6, 7, 8]);
    assert_eq!(
        member(&replica, "0812340001").profile.first_name,
        "อะพอสโทรฟี"
    );
    assert_eq!(member(&replica, "0812340002").profile.first_name, "สูตร");
    for phone in ["0812340003", "0812340004"] {
        assert_eq!(
            member(&replica, phone).profile.birthday,
            NaiveDate::from_ymd_opt(1987, 8, 15),
            "{phone}"
        );
    }
    assert_eq!(member(&replica, "0812340005").balance, 1200);
    assert_eq!(member(&replica, "0812340006").balance, 1200);

    let (report, replica, _) = upload("nbsp.csv");
    // Line 4's first name is only a non-breaking space: empty.
    assert_eq!(problems(&report), [(4, "first_name", "missing_first_name")]);
    assert_eq!(
        member(&replica, "0812345671").profile.first_name,
        "เอ็นบีเอสพี"
    );
    assert_eq!(
        member(&replica, "0870000012").profile.first_name,
        "ซีโร่\u{200b}วิดท์"
    );
}

#[test]
fn a_workbook_is_read_from_its_member_sheet_whatever_its_place() {
    let (report, replica, _) = upload("sheets-swapped.xlsx");
    assert!(report.file_error.is_none(), "{report:?}");
    assert!(report.imported >= 1 && replica.status().unwrap().members as u64 == report.imported);
    // An error cell reads as Excel shows it.
    assert!(
        report.problems.iter().any(|p| p.value == "#N/A"),
        "{:?}",
        report.problems
    );
}

#[test]
fn an_excel_sep_hint_line_sets_the_separator_and_is_not_a_row() {
    let (report, replica, _) = upload("sep-hint.csv");
    assert!(
        report.file_error.is_none() && report.problems.is_empty(),
        "{report:?}"
    );
    assert_eq!(imported_lines(&report), [3]);
    assert_eq!(member(&replica, "0870000003").profile.first_name, "เซป");
}

#[test]
fn a_whole_windows_874_file_is_still_windows_874() {
    let (report, _, _) = upload("cp874.csv");
    assert_eq!(format!("{:?}", report.file_kind.unwrap()), "CsvWindows874");
    assert_eq!(
        (report.imported, report.problems.len()),
        (2, 0),
        "{report:?}"
    );
}

#[test]
fn a_file_whose_lines_end_with_a_cr_alone_is_read_line_by_line() {
    let (report, replica, _dir) = upload("mac-line-ends.csv");
    assert!(report.file_error.is_none(), "{report:?}");
    assert_eq!(report.rows, 4);
    assert_eq!(imported_lines(&report), [2, 4, 5]);
    assert_eq!(problems(&report), [(3, "phone", "bad_phone")]);
    assert_eq!(member(&replica, "0812345004").profile.first_name, "มานะ");
}

#[test]
fn a_stray_cr_splits_a_row_into_two_lines_and_the_counts_agree() {
    let (report, _replica, _dir) = upload("stray-cr.csv");
    assert!(report.file_error.is_none(), "{report:?}");
    assert_eq!(report.rows, 4);
    assert_eq!(imported_lines(&report), [2, 5]);
    let lines: Vec<u64> = report.problems.iter().map(|p| p.line).collect();
    assert!(
        lines.contains(&3) && lines.contains(&4) && !lines.contains(&1),
        "{:?}",
        problems(&report)
    );
    assert_eq!(report.rows_with_problems, 2);
    // What a check promises is what the import did.
    assert_eq!(report.rows - report.bad_rows(), report.imported);
}
