//! The fixture corpus (tests/fixtures/import, made by its make.py): every file imported into a
//! real replica, with the report and the members compared to expected.json; re-uploads and
//! overlapping files import nothing twice; a refused file writes nothing.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::NaiveDate;
use serde_json::Value;
use taem_import::{ImportOptions, ImportReport, ReplicaSink, SHOP_UPLOAD_ROWS_MAX, Table, import};
use taem_replica::{FixedEnvironment, MemberKey, Replica};

const BRANCH: &str = "CNX01";

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/import")
}

fn expected() -> serde_json::Map<String, Value> {
    let text = std::fs::read_to_string(fixtures().join("expected.json")).unwrap();
    serde_json::from_str::<Value>(&text)
        .unwrap()
        .as_object()
        .unwrap()
        .clone()
}

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 24).unwrap()
}

fn replica(dir: &Path) -> Replica {
    let env = Arc::new(FixedEnvironment::new(
        today().and_hms_opt(3, 0, 0).unwrap().and_utc(),
        7,
    ));
    Replica::create(dir, "ร้านทดสอบ", "BKK01", env).unwrap()
}

fn upload(replica: &mut Replica, file: &Path) -> ImportReport {
    let mut sink = ReplicaSink {
        replica,
        branch: BRANCH.into(),
    };
    let options = ImportOptions {
        max_rows: Some(SHOP_UPLOAD_ROWS_MAX),
        today: today(),
        dry_run: false,
    };
    import(Table::from_path(file), options, &mut sink, &mut |_| {})
}

fn members(replica: &Replica) -> u64 {
    replica.status().unwrap().members as u64
}

#[test]
fn every_fixture_gives_its_expected_report_and_members() {
    let expected = expected();
    assert!(expected.len() >= 15, "the corpus is there");
    for (file, want) in &expected {
        let dir = tempfile::tempdir().unwrap();
        let mut r = replica(dir.path());
        let report = upload(&mut r, &fixtures().join(file));
        let error = report.file_error.as_ref().map(|e| e.code);
        assert_eq!(error, want["file_error"].as_str(), "{file}: {report:?}");
        assert_eq!(
            report.imported,
            want["imported"].as_u64().unwrap(),
            "{file}"
        );
        assert_eq!(
            members(&r),
            report.imported,
            "{file}: the replica holds what was imported"
        );
        let problems: Vec<(u64, String, String)> = report
            .problems
            .iter()
            .map(|p| {
                (
                    p.line,
                    p.column.map_or(String::new(), |c| c.key().into()),
                    p.code.into(),
                )
            })
            .collect();
        let wanted: Vec<(u64, String, String)> = want["problems"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| {
                (
                    p["line"].as_u64().unwrap(),
                    p["column"].as_str().unwrap_or("").into(),
                    p["code"].as_str().unwrap().into(),
                )
            })
            .collect();
        assert_eq!(problems, wanted, "{file}");
        assert!(
            report
                .problems
                .iter()
                .all(|p| !p.th.is_empty() && !p.en.is_empty())
        );
        if let Some(unknown) = want.get("unknown_columns").and_then(Value::as_array)
            && error.is_none()
        {
            let unknown: Vec<&str> = unknown.iter().filter_map(Value::as_str).collect();
            assert_eq!(report.unknown_columns, unknown, "{file}");
        }
        if let Some(list) = want["members"].as_array() {
            let lines: Vec<u64> = report
                .imported_codes
                .iter()
                .map(|(line, _)| *line)
                .collect();
            let wanted: Vec<u64> = list.iter().map(|m| m["line"].as_u64().unwrap()).collect();
            assert_eq!(lines, wanted, "{file}: the lines imported");
        }
        for m in want["members"].as_array().into_iter().flatten() {
            let phone = m["phone"].as_str().unwrap();
            let view = r
                .member(&MemberKey::parse(phone).unwrap())
                .unwrap_or_else(|e| panic!("{file}: {phone}: {e}"));
            let p = &view.profile;
            let what = format!("{file} line {}", m["line"]);
            assert_eq!(p.first_name, m["first_name"].as_str().unwrap(), "{what}");
            assert_eq!(p.last_name, m["last_name"].as_str().unwrap(), "{what}");
            assert_eq!(
                p.birthday.map(|d| d.to_string()),
                m["birthday"].as_str().map(String::from),
                "{what}"
            );
            assert_eq!(p.gender.as_str(), m["gender"].as_str().unwrap(), "{what}");
            assert_eq!(p.email.as_deref(), m["email"].as_str(), "{what}");
            assert_eq!(
                p.address.as_deref(),
                m.get("address").and_then(Value::as_str),
                "{what}"
            );
            let tags: Vec<&str> = m["tags"]
                .as_array()
                .unwrap()
                .iter()
                .filter_map(Value::as_str)
                .collect();
            assert_eq!(p.tags, tags, "{what}");
            assert_eq!(
                p.marketing_consent,
                m["marketing_consent"].as_bool().unwrap(),
                "{what}"
            );
            assert_eq!(
                p.pdpa_consent,
                m["pdpa_consent"].as_bool().unwrap(),
                "{what}"
            );
            assert_eq!(p.note.as_deref(), m["note"].as_str(), "{what}");
            assert_eq!(
                view.balance,
                m["initial_points"].as_i64().unwrap(),
                "{what}"
            );
            assert_eq!(
                view.branch, BRANCH,
                "{what}: registered at the chosen branch"
            );
        }
    }
}

#[test]
fn uploading_the_same_file_again_imports_nothing_twice() {
    let dir = tempfile::tempdir().unwrap();
    let mut r = replica(dir.path());
    let file = fixtures().join("utf8-bom.csv");
    let first = upload(&mut r, &file);
    assert_eq!(first.imported, 5);
    let waiting = r.sync_status().unwrap().waiting;
    assert!(
        waiting >= 5,
        "each member went through the outbox ({waiting})"
    );
    let again = upload(&mut r, &file);
    assert_eq!((again.imported, again.already_members), (0, 5));
    assert!(again.problems.iter().all(|p| p.code == "already_member"));
    assert_eq!(members(&r), 5);
    assert_eq!(
        r.sync_status().unwrap().waiting,
        waiting,
        "nothing new to send"
    );

    // A file that overlaps: two of the same members and one new one.
    let text = std::fs::read_to_string(&file).unwrap();
    let mut lines: Vec<&str> = text.lines().take(3).collect();
    lines.push("0899990001,มานะ,ใหม่");
    let header = lines[0].to_string();
    let overlap = dir.path().join("overlap.csv");
    let body = format!("{}\r\n{}\r\n{}\r\n", header, lines[1..].join("\r\n"), "");
    std::fs::write(&overlap, body).unwrap();
    let report = upload(&mut r, &overlap);
    assert_eq!(report.already_members, 2, "{report:?}");
    assert_eq!(members(&r), 5 + report.imported);
}

/// The report's value and header of a repeated or already-member phone are the file's own, so
/// a manager searching the file for what the report shows finds it.
#[test]
fn repeated_and_known_phones_are_reported_as_the_file_writes_them() {
    let dir = tempfile::tempdir().unwrap();
    let mut r = replica(dir.path());
    let first = upload(&mut r, &fixtures().join("duplicates.csv"));
    let repeated: Vec<(u64, &str, &str)> = first
        .problems
        .iter()
        .filter(|p| p.code == "duplicate_in_file")
        .map(|p| (p.line, p.header.as_str(), p.value.as_str()))
        .collect();
    assert_eq!(
        repeated,
        [
            (4, "เบอร์มือถือ*", "081-234-5678"),
            (6, "เบอร์มือถือ*", "+66 81 234 5678"),
            (7, "เบอร์มือถือ*", "0898765432"),
        ]
    );

    let again = dir.path().join("again.csv");
    std::fs::write(
        &again,
        "Phone*,First name*\r\n+66812345678,สมหญิง\r\n089 876 5432,บุญชู\r\n",
    )
    .unwrap();
    let report = upload(&mut r, &again);
    let known: Vec<(u64, &str, &str)> = report
        .problems
        .iter()
        .map(|p| (p.line, p.header.as_str(), p.value.as_str()))
        .collect();
    assert_eq!(
        known,
        [(2, "Phone*", "+66812345678"), (3, "Phone*", "089 876 5432")]
    );
    // The message still gives the number as people read it, and the member's code.
    assert!(
        report.problems[0].th.contains("081-234-5678"),
        "{}",
        report.problems[0].th
    );
}

#[test]
fn a_check_says_what_an_import_would_do_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mut r = replica(dir.path());
    let file = fixtures().join("utf8-bom.csv");
    let check = |r: &mut Replica, bulk: bool| {
        let mut sink = ReplicaSink {
            replica: r,
            branch: BRANCH.into(),
        };
        let options = ImportOptions {
            max_rows: (!bulk).then_some(SHOP_UPLOAD_ROWS_MAX),
            today: today(),
            dry_run: true,
        };
        import(Table::from_path(&file), options, &mut sink, &mut |_| {})
    };
    let before = check(&mut r, false);
    assert_eq!(
        (before.rows, before.imported, before.already_members),
        (5, 0, 0)
    );
    assert!(before.problems.is_empty(), "{before:?}");
    assert_eq!(members(&r), 0, "a check writes nothing");
    assert_eq!(r.sync_status().unwrap().waiting, 0);

    let first = upload(&mut r, &file);
    assert_eq!(first.imported, 5);
    // Checked again, the file's members are now reported as members, in both modes.
    for bulk in [false, true] {
        let after = check(&mut r, bulk);
        assert_eq!(
            (after.imported, after.already_members),
            (0, 5),
            "bulk {bulk}"
        );
        assert!(after.problems.iter().all(|p| p.code == "already_member"));
        assert_eq!(after.bad_rows(), 5);
    }
    assert_eq!(members(&r), 5);
}

#[test]
fn a_refused_file_writes_nothing_and_says_why_in_both_languages() {
    for (file, code) in [
        ("rows-5001.csv", "too_many_rows"),
        ("missing-required.csv", "missing_columns"),
        ("binary-renamed.csv", "not_a_table"),
        ("empty.csv", "empty_file"),
        ("header-only.csv", "no_rows"),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let mut r = replica(dir.path());
        let report = upload(&mut r, &fixtures().join(file));
        let e = report.file_error.as_ref().unwrap();
        assert_eq!(e.code, code);
        assert!(!e.th.is_empty() && e.th.chars().any(|c| ('\u{0E00}'..='\u{0E7F}').contains(&c)));
        assert_eq!(members(&r), 0, "{file}");
        assert_eq!(r.sync_status().unwrap().waiting, 0, "{file}");
    }
}

#[test]
fn a_batch_is_written_whole_or_not_at_all() {
    use taem_core::{MemberProfile, Phone, Points};
    use taem_replica::ImportMember;
    let dir = tempfile::tempdir().unwrap();
    let mut r = replica(dir.path());
    let member = |line: u64, phone: &str, first: &str| ImportMember {
        line,
        phone: Phone::parse(phone).unwrap(),
        profile: MemberProfile {
            first_name: first.into(),
            ..MemberProfile::default()
        },
        initial_points: Points(50),
        code: None,
    };
    // The second row breaks a rule the engine would have caught: the whole batch rolls back.
    let batch = [member(2, "0861110001", "ก้อย"), member(3, "0861110002", " ")];
    assert!(r.import_members(BRANCH, &batch, |_| {}).is_err());
    assert_eq!(members(&r), 0);
    assert_eq!(r.sync_status().unwrap().waiting, 0);
    // A branch code that cannot be one.
    let e = r.import_members("สาขา 1", &batch[..1], |_| {}).unwrap_err();
    assert_eq!(e.code(), "bad_branch");
    // The good row alone: the member, the import entry and two operations.
    let done = r.import_members(BRANCH, &batch[..1], |_| {}).unwrap();
    assert_eq!(done.imported.len(), 1);
    let view = r.member(&MemberKey::parse("0861110001").unwrap()).unwrap();
    assert_eq!(
        (view.balance, view.accumulated_points, view.branch.as_str()),
        (50, 0, BRANCH)
    );
    assert_eq!(
        r.sync_status().unwrap().waiting,
        2,
        "registration + initial points"
    );
}

#[test]
fn a_members_download_imports_again_as_the_same_members() {
    use taem_import::Lang;
    use taem_import::download::{Dataset, download};
    use taem_import::export::ExportFormat;
    use taem_replica::ExportFilter;
    let dir = tempfile::tempdir().unwrap();
    let mut source = replica(&dir.path().join("a"));
    for file in [
        "utf8-bom.csv",
        "windows-874.csv",
        "crlf-quoted.csv",
        "formula-cells.csv",
        "be-dates.csv",
    ] {
        assert!(
            upload(&mut source, &fixtures().join(file))
                .file_error
                .is_none()
        );
    }
    let count = members(&source);
    for (format, lang, ext) in [
        (ExportFormat::Csv, Lang::Th, "csv"),
        (ExportFormat::Xlsx, Lang::Th, "xlsx"),
        (ExportFormat::Csv, Lang::En, "csv"),
    ] {
        let mut bytes = Vec::new();
        let rows = download(
            &source,
            Dataset::Members,
            &ExportFilter::default(),
            format,
            lang,
            &mut bytes,
            &mut |_| {},
        )
        .unwrap();
        assert_eq!(rows, count);
        let file = dir.path().join(format!("members-{lang:?}.{ext}"));
        std::fs::write(&file, &bytes).unwrap();
        let target_dir = dir.path().join(format!("b-{lang:?}-{ext}"));
        let mut target = replica(&target_dir);
        let report = upload(&mut target, &file);
        assert!(report.file_error.is_none(), "{report:?}");
        assert_eq!(
            (report.imported, report.problems.len()),
            (count, 0),
            "{ext} {lang:?}: {:?}",
            report.problems
        );
        // The member codes are kept (the cards still scan); the other extra columns
        // (registering branch, registered, tier) are ignored, and said so.
        assert_eq!(
            report.unknown_columns.len(),
            3,
            "{:?}",
            report.unknown_columns
        );
        assert_eq!(report.new_codes, 0);
        source
            .export_members(&ExportFilter::default(), |m| {
                let copy = target.member(&MemberKey::parse(&m.phone).unwrap()).unwrap();
                assert_eq!(copy.profile, m.profile, "{ext} {lang:?} {}", m.phone);
                assert_eq!(copy.balance, m.balance);
                assert_eq!(copy.code, m.code, "{ext} {lang:?}: the card's code is kept");
                Ok::<(), taem_replica::ReplicaError>(())
            })
            .unwrap();
    }
}

/// A member list with a member code column (a download's, or another system's): a Taem code
/// no other member has is kept; any other code is replaced by a new one, and the report says
/// so for each member (their old card will not scan) without making the row one with
/// problems. A check says the same as the import.
#[test]
fn member_codes_are_kept_when_they_can_be_and_each_new_one_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let mut r = replica(dir.path());
    // A member of the shop already has code A.
    let first = dir.path().join("first.csv");
    std::fs::write(&first, "เบอร์มือถือ*,ชื่อ*\r\n0861110000,แก้ว\r\n").unwrap();
    assert_eq!(upload(&mut r, &first).imported, 1);
    let taken = r
        .member(&MemberKey::parse("0861110000").unwrap())
        .unwrap()
        .code;
    let free = taem_core::MemberCode::from_bits(0x2_0000_0000_1234).display_grouped();
    let free2 = taem_core::MemberCode::from_bits(0x2_0000_0000_5678)
        .as_str()
        .to_string();
    // Typed with en dashes and full-width characters (other keyboards): still the code.
    let free3 = taem_core::MemberCode::from_bits(0x2_0000_0000_9abc).display_grouped();
    let typed3: String = free3
        .chars()
        .map(|c| match c {
            '-' => '–',
            'A'..='Z' => char::from_u32(c as u32 - 0x21 + 0xFF01).unwrap(),
            c => c,
        })
        .collect();
    let file = dir.path().join("codes.csv");
    std::fs::write(
        &file,
        format!(
            "Phone*,First name*,Member code\r\n\
             0861110001,ก้อย,{free}\r\n\
             0861110002,ขวัญ,MC-00012\r\n\
             0861110003,คำ,{free}\r\n\
             0861110004,งาม,{taken}\r\n\
             0861110005,จัน,\r\n\
             0861110006,ฉัตร,{free2}\r\n\
             0861110007,ชม,{typed3}\r\n\
             0861110008,ซอ,1234567919\r\n"
        ),
    )
    .unwrap();
    let notes = |report: &ImportReport| -> Vec<(u64, String, String)> {
        report
            .problems
            .iter()
            .map(|p| (p.line, p.code.to_string(), p.value.clone()))
            .collect()
    };
    let expected = vec![
        (3, "code_not_kept".to_string(), "MC-00012".to_string()),
        (4, "code_not_kept".to_string(), free.clone()),
        // As the file writes it.
        (5, "code_not_kept".to_string(), taken.clone()),
        (9, "code_not_kept".to_string(), "1234567919".to_string()),
    ];
    // The check first: the same notes, nothing written.
    let mut sink = ReplicaSink {
        replica: &mut r,
        branch: BRANCH.into(),
    };
    let check = import(
        Table::from_path(&file),
        ImportOptions {
            max_rows: Some(SHOP_UPLOAD_ROWS_MAX),
            today: today(),
            dry_run: true,
        },
        &mut sink,
        &mut |_| {},
    );
    assert_eq!(notes(&check), expected, "{:?}", check.problems);
    assert_eq!((check.new_codes, check.rows_with_problems), (4, 0));
    assert_eq!(members(&r), 1);

    let report = upload(&mut r, &file);
    assert_eq!(notes(&report), expected, "{:?}", report.problems);
    assert_eq!(
        (report.imported, report.new_codes, report.rows_with_problems),
        (8, 4, 0)
    );
    assert!(
        report.unknown_columns.is_empty(),
        "{:?}",
        report.unknown_columns
    );
    let code_of =
        |r: &Replica, phone: &str| r.member(&MemberKey::parse(phone).unwrap()).unwrap().code;
    assert_eq!(
        taem_core::MemberCode::shown(&code_of(&r, "0861110001")),
        free
    );
    assert_eq!(code_of(&r, "0861110006"), free2);
    assert_eq!(
        taem_core::MemberCode::shown(&code_of(&r, "0861110007")),
        free3
    );
    // A code a spreadsheet turned into a number is said as such.
    let number = report.problems.iter().find(|p| p.line == 9).unwrap();
    assert!(
        number.en.contains("turned it into a number"),
        "{}",
        number.en
    );
    for phone in ["0861110002", "0861110003", "0861110004", "0861110005"] {
        let code = code_of(&r, phone);
        assert!(
            code != taken && taem_core::MemberCode::shown(&code) != free,
            "{phone}: a code of its own ({code})"
        );
    }
    // Each note names the new code and says the old card will not scan, in both languages.
    let note = &report.problems[0];
    let new = taem_core::MemberCode::shown(&code_of(&r, "0861110002"));
    assert_eq!(note.header, "Member code");
    assert!(
        note.en.contains(&new) && note.en.contains("will not find them"),
        "{}",
        note.en
    );
    assert!(
        note.th.contains(&new) && note.th.contains("ออกบัตรใหม่"),
        "{}",
        note.th
    );
    assert_eq!(members(&r), 9);
}

#[test]
fn downloads_filter_by_branch_and_date_and_neutralise_formulas() {
    use taem_import::Lang;
    use taem_import::download::{Dataset, download};
    use taem_import::export::ExportFormat;
    use taem_replica::ExportFilter;
    let dir = tempfile::tempdir().unwrap();
    let mut r = replica(dir.path());
    for file in ["formula-cells.csv", "utf8-bom.csv"] {
        assert!(upload(&mut r, &fixtures().join(file)).file_error.is_none());
    }
    let csv = |dataset, filter: &ExportFilter| {
        let mut bytes = Vec::new();
        download(
            &r,
            dataset,
            filter,
            ExportFormat::Csv,
            Lang::Th,
            &mut bytes,
            &mut |_| {},
        )
        .unwrap();
        String::from_utf8(bytes).unwrap()
    };
    let all = csv(Dataset::Members, &ExportFilter::default());
    assert!(all.starts_with('\u{feff}'), "a BOM for Excel");
    for line in all.lines().skip(1) {
        for cell in line.split(',') {
            let cell = cell.trim_matches('"');
            assert!(!cell.starts_with(['=', '+', '@']), "{cell} in {line}");
        }
    }
    assert!(all.contains("'="), "formula text kept, neutralised: {all}");
    let other_branch = ExportFilter {
        branch: Some("BKK01".into()),
        ..ExportFilter::default()
    };
    assert_eq!(
        csv(Dataset::Members, &other_branch).lines().count(),
        1,
        "header only"
    );
    let tomorrow = ExportFilter {
        from: today().succ_opt(),
        ..ExportFilter::default()
    };
    assert_eq!(csv(Dataset::Ledger, &tomorrow).lines().count(), 1);
    let today_only = ExportFilter {
        from: Some(today()),
        to: Some(today()),
        ..ExportFilter::default()
    };
    let ledger = csv(Dataset::Ledger, &today_only);
    assert!(
        ledger.lines().count() > 1,
        "the import entries of today: {ledger}"
    );
    assert!(ledger.contains("นำเข้าแต้ม"));
    assert_eq!(csv(Dataset::Redemptions, &today_only).lines().count(), 1);
    assert!(
        csv(Dataset::TierChanges, &ExportFilter::default())
            .lines()
            .count()
            > 1
    );
}
