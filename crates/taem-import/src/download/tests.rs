//! Downloads as files: what each dataset writes, in XLSX and CSV, and how it imports again.

use calamine::{Data, DataType, Reader, Xlsx};
use chrono::{NaiveDateTime, TimeZone};
use taem_core::{MemberProfile, TierChangeReason};

use super::*;
use crate::header::Header;
use crate::read::{RawRow, Table};
use crate::validate::validate;

/// 2026-11-24 23:30 in Bangkok: still the 24th there, already a date later than UTC's hour.
fn at() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 24, 16, 30, 5).unwrap()
}

fn bangkok_at() -> NaiveDateTime {
    NaiveDate::from_ymd_opt(2026, 11, 24)
        .unwrap()
        .and_hms_opt(23, 30, 5)
        .unwrap()
}

/// One member (who owes 20 points) with one earning.
struct OneMember;

impl ExportSource for OneMember {
    fn members(
        &self,
        _: &ExportFilter,
        f: &mut dyn FnMut(MemberExportRow) -> Result<(), ExportError>,
    ) -> Result<u64, ExportError> {
        f(MemberExportRow {
            code: "K56EGN0Q03H".into(),
            phone: "0812345678".into(),
            profile: MemberProfile {
                first_name: "=HYPERLINK(\"x\")".into(),
                last_name: "-double-award".into(),
                ..MemberProfile::default()
            },
            branch: "BKK01".into(),
            registered_at: at(),
            balance: -20,
            tier: "Silver".into(),
        })?;
        Ok(1)
    }

    fn ledger(
        &self,
        _: &ExportFilter,
        _: &[LedgerKind],
        f: &mut dyn FnMut(LedgerExportRow) -> Result<(), ExportError>,
    ) -> Result<u64, ExportError> {
        f(LedgerExportRow {
            at: at(),
            member_code: "K56EGN0Q03H".into(),
            member_phone: "0812345678".into(),
            member_name: "สมศรี".into(),
            kind: LedgerKind::Earn,
            points: 12,
            bill_no: Some("S-1".into()),
            amount_satang: Some(125_050),
            reason: None,
            branch: "BKK01".into(),
            confirmed: true,
        })?;
        Ok(1)
    }

    fn tier_changes(
        &self,
        _: &ExportFilter,
        f: &mut dyn FnMut(TierChangeExportRow) -> Result<(), ExportError>,
    ) -> Result<u64, ExportError> {
        f(TierChangeExportRow {
            at: at(),
            member_code: "K56EGN0Q03H".into(),
            member_name: "สมศรี".into(),
            from: None,
            to: "Base".into(),
            reason: TierChangeReason::Registered,
            accumulated: 0,
        })?;
        Ok(1)
    }
}

fn bytes(dataset: Dataset, format: ExportFormat, lang: Lang) -> Vec<u8> {
    let mut out = Vec::new();
    let rows = download(
        &OneMember,
        dataset,
        &ExportFilter::default(),
        format,
        lang,
        &mut out,
        &mut |_| {},
    )
    .unwrap();
    assert_eq!(rows, 1);
    out
}

/// The one sheet of an XLSX download: its name, its cells and each cell's number format.
fn sheet(dataset: Dataset, lang: Lang) -> (String, Vec<Vec<Data>>, Vec<Option<String>>) {
    let bytes = bytes(dataset, ExportFormat::Xlsx, lang);
    let mut book: Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
    let names = book.sheet_names();
    assert_eq!(names.len(), 1);
    let range = book.worksheet_range(&names[0]).unwrap();
    let styles = book.worksheet_style(&names[0]).unwrap();
    let formats = (0..range.width() as u32)
        .map(|c| {
            styles
                .get((1, c))
                .and_then(|s| s.number_format.as_ref())
                .map(|f| f.format_code.clone())
        })
        .collect();
    let rows = range.rows().map(<[Data]>::to_vec).collect();
    (names[0].clone(), rows, formats)
}

fn position(header: &[Data], starts: &str) -> usize {
    header
        .iter()
        .position(|h| h.to_string().starts_with(starts))
        .unwrap_or_else(|| panic!("{starts} in {header:?}"))
}

#[test]
fn xlsx_text_is_written_as_typed_and_csv_text_is_neutralised() {
    let (_, rows, _) = sheet(Dataset::Members, Lang::Th);
    assert_eq!(rows[1][1], Data::String("=HYPERLINK(\"x\")".into()));
    assert_eq!(rows[1][2], Data::String("-double-award".into()));
    let csv = String::from_utf8(bytes(Dataset::Members, ExportFormat::Csv, Lang::Th)).unwrap();
    assert!(
        csv.contains("\"'=HYPERLINK(\"\"x\"\")\",'-double-award"),
        "{csv}"
    );
}

#[test]
fn xlsx_times_are_bangkok_date_times_and_amounts_have_two_decimals() {
    for lang in [Lang::Th, Lang::En] {
        let (_, rows, formats) = sheet(Dataset::Ledger, lang);
        let time = position(
            &rows[0],
            if lang == Lang::Th {
                "เวลา"
            } else {
                "Time"
            },
        );
        assert!(rows[1][time].is_datetime(), "{lang:?}: {:?}", rows[1][time]);
        assert_eq!(rows[1][time].as_datetime(), Some(bangkok_at()));
        let format = formats[time].as_deref().unwrap_or_default();
        let wanted = match lang {
            // The Thai Buddhist calendar: Excel shows the year in B.E.
            Lang::Th => "[$-107041E]dd/mm/yyyy hh:mm",
            Lang::En => "dd/mm/yyyy hh:mm",
        };
        assert_eq!(format, wanted);
        let amount = position(
            &rows[0],
            if lang == Lang::Th {
                "ยอดซื้อ"
            } else {
                "Amount"
            },
        );
        assert_eq!(rows[1][amount], Data::Float(1250.5));
        assert_eq!(formats[amount].as_deref(), Some("0.00"));

        let (_, rows, _) = sheet(Dataset::Members, lang);
        let registered = position(
            &rows[0],
            if lang == Lang::Th {
                "วันที่สมัคร"
            } else {
                "Registered ("
            },
        );
        assert_eq!(rows[1][registered].as_datetime(), Some(bangkok_at()));
    }
    // CSV keeps the text.
    let csv = String::from_utf8(bytes(Dataset::Ledger, ExportFormat::Csv, Lang::Th)).unwrap();
    assert!(csv.contains("24/11/2569 23:30,"), "{csv}");
}

#[test]
fn headers_say_the_times_are_bangkok_time() {
    for (dataset, lang, header) in [
        (Dataset::Ledger, Lang::Th, "เวลา (เวลาไทย)"),
        (Dataset::Ledger, Lang::En, "Time (Bangkok)"),
        (Dataset::TierChanges, Lang::En, "Time (Bangkok)"),
        (Dataset::Members, Lang::Th, "วันที่สมัคร (เวลาไทย)"),
        (Dataset::Members, Lang::En, "Registered (Bangkok time)"),
    ] {
        assert!(
            headers(dataset, lang).iter().any(|h| h == header),
            "{dataset:?} {lang:?}"
        );
    }
}

#[test]
fn thai_downloads_have_thai_sheet_names() {
    for (dataset, th, en) in [
        (Dataset::Members, "สมาชิก", "Members"),
        (Dataset::Ledger, "รายการแต้ม", "Points ledger"),
        (Dataset::Redemptions, "การแลกแต้ม", "Redemptions"),
        (Dataset::TierChanges, "การเปลี่ยนระดับ", "Tier changes"),
    ] {
        assert_eq!(sheet(dataset, Lang::Th).0, th);
        assert_eq!(sheet(dataset, Lang::En).0, en);
    }
}

#[test]
fn the_members_points_are_headed_as_their_balance_and_import_as_initial_points() {
    let position = Column::ALL
        .iter()
        .position(|c| *c == Column::InitialPoints)
        .unwrap();
    for (lang, header) in [(Lang::Th, BALANCE_HEADER_TH), (Lang::En, BALANCE_HEADER_EN)] {
        assert_eq!(headers(Dataset::Members, lang)[position], header);
        assert_eq!(Column::from_header(header), Some(Column::InitialPoints));
    }
}

#[test]
fn a_member_who_owes_points_is_refused_with_how_to_bring_them_in() {
    for format in [ExportFormat::Csv, ExportFormat::Xlsx] {
        let rows: Vec<RawRow> = Table::from_bytes(bytes(Dataset::Members, format, Lang::Th))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        let (header, _) = Header::read(&rows[0]).unwrap();
        let today = NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
        let problems = validate(&header, &rows[1], today).unwrap_err();
        assert_eq!(problems.len(), 1, "{problems:?}");
        let p = &problems[0];
        assert_eq!(
            (p.column, p.code),
            (Some(Column::InitialPoints), "bad_points")
        );
        assert_eq!(p.header, BALANCE_HEADER_TH);
        assert!(p.en.contains("negative balance"), "{}", p.en);
        assert!(p.en.contains("write 0"), "{}", p.en);
        assert!(
            p.en.contains("write 0 in the cell")
                && p.en.contains("keep the 20 points they owe in the note"),
            "{}",
            p.en
        );
        assert!(
            p.th.contains("ติดลบ") && p.th.contains("จดแต้มที่ค้าง 20 แต้ม"),
            "{}",
            p.th
        );
    }
}

#[test]
fn a_date_that_does_not_exist_is_named_as_such() {
    let problem = |from: &str| {
        plan(
            "ledger",
            std::path::Path::new("x.csv"),
            None,
            Some(from),
            None,
            "th",
        )
        .unwrap_err()
    };
    for (from, why) in [
        (
            "31/02/2569",
            "31/02/2569: that date does not exist (February 2569 has 28 days)",
        ),
        (
            "29/02/2568",
            "that date does not exist (February 2568 has 28 days)",
        ),
        (
            "31/04/2026",
            "that date does not exist (April 2026 has 30 days)",
        ),
        (
            "๓๑/๐๖/๒๕๖๙",
            "that date does not exist (June 2569 has 30 days)",
        ),
        ("00/01/2569", "that date does not exist (there is no day 0)"),
        (
            "15/13/2569",
            "that date does not exist (there is no month 13)",
        ),
        (
            "2569-02-30",
            "that date does not exist (February 2569 has 28 days)",
        ),
    ] {
        let e = problem(from);
        assert!(e.starts_with("--from "), "{e}");
        assert!(e.contains(why), "{from}: {e}");
        assert!(!e.contains("use dd/mm/yyyy"), "{from}: {e}");
    }
    assert!(problem("next week").contains("use dd/mm/yyyy"));
    assert!(problem("01/11/69").contains("two-digit year"));
    // A real leap day is a date.
    assert!(
        plan(
            "ledger",
            std::path::Path::new("x.csv"),
            None,
            Some("29/02/2567"),
            None,
            "th"
        )
        .is_ok()
    );
}

#[test]
fn a_count_of_rows_agrees_with_its_number() {
    assert_eq!(rows_text(0), "0 rows");
    assert_eq!(rows_text(1), "1 row");
    assert_eq!(rows_text(12_000), "12,000 rows");
}

#[test]
fn a_download_never_writes_over_another_or_a_users_file() {
    let dir = tempfile::tempdir().unwrap();
    let save_to = |name: &str| {
        let path = dir.path().join(name);
        let format = format_for(&path).unwrap();
        save(
            &OneMember,
            Dataset::Members,
            &ExportFilter::default(),
            format,
            Lang::Th,
            &path,
            &mut |_| {},
        )
    };
    // A file of the user's named like a temporary file of the download.
    std::fs::write(dir.path().join("L.partial"), "notes").unwrap();
    // Two downloads with the same stem at once: each gets its own content.
    std::thread::scope(|s| {
        let csv = s.spawn(|| save_to("L.csv"));
        let xlsx = s.spawn(|| save_to("L.xlsx"));
        assert_eq!(csv.join().unwrap().unwrap(), 1);
        assert_eq!(xlsx.join().unwrap().unwrap(), 1);
    });
    assert!(
        std::fs::read(dir.path().join("L.csv"))
            .unwrap()
            .starts_with("\u{feff}".as_bytes())
    );
    assert!(
        std::fs::read(dir.path().join("L.xlsx"))
            .unwrap()
            .starts_with(b"PK")
    );
    assert_eq!(
        std::fs::read(dir.path().join("L.partial")).unwrap(),
        b"notes"
    );
    // Nothing else is left in the folder.
    let mut names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, vec!["L.csv", "L.partial", "L.xlsx"]);
    // A folder given as the file: refused before anything is written.
    std::fs::create_dir(dir.path().join("adir.csv")).unwrap();
    let err = save_to("adir.csv").unwrap_err().to_string();
    assert!(err.contains("is a folder"), "{err}");
    assert_eq!(
        std::fs::read_dir(dir.path().join("adir.csv"))
            .unwrap()
            .count(),
        0
    );
}
