//! Running a large bulk import again (every row already a member) keeps memory flat: the
//! problems go to the report file as they are found, and the report in memory keeps only the
//! first ones. (Alone in its test binary: the peak memory it measures is the process's, which
//! a test running beside it would raise.)

#![cfg(target_os = "linux")]

mod memory;

use std::io::BufRead;
use std::sync::Arc;

use chrono::NaiveDate;
use taem_import::report::CsvLog;
use taem_import::{ImportOptions, ReplicaSink, Table, import, import_logged};
use taem_replica::{FixedEnvironment, Replica};

/// Rows of the member list: enough that keeping a problem per row in memory (about 600 bytes
/// each with its Thai and English reasons) stands far above the limit below.
const ROWS: u64 = 120_000;
/// The most the peak memory may grow during the second run: two batches of rows in flight and
/// one batch's problems, with room to spare. (Keeping every problem grew it by 73 MB.)
const RERUN_GROWTH_MAX_KB: u64 = 32 * 1024;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 24).unwrap()
}

fn member_list(path: &std::path::Path) {
    let mut text = String::from("เบอร์มือถือ*,ชื่อ*,นามสกุล,แต้มเริ่มต้น\r\n");
    for i in 0..ROWS {
        text.push_str(&format!("09{i:08},สมศรี{i},ใจดี,{}\r\n", i % 7));
    }
    std::fs::write(path, text).unwrap();
}

#[test]
fn a_rerun_of_a_large_import_writes_its_problems_out_instead_of_keeping_them() {
    let dir = tempfile::tempdir().unwrap();
    let env = Arc::new(FixedEnvironment::new(
        today().and_hms_opt(3, 0, 0).unwrap().and_utc(),
        7,
    ));
    let mut replica = Replica::create(dir.path(), "ร้านทดสอบ", "BKK01", env).unwrap();
    let list = dir.path().join("members.csv");
    member_list(&list);
    let options = ImportOptions {
        max_rows: None,
        today: today(),
        dry_run: false,
    };
    let mut sink = ReplicaSink {
        replica: &mut replica,
        branch: "BKK01".into(),
    };
    let first = import(Table::from_path(&list), options, &mut sink, &mut |_| {});
    assert_eq!(first.imported, ROWS);

    // Count from here (where the kernel allows it; else the peak only has to stay under the
    // first run's plus the limit).
    let before_kb = memory::reset_peak_kb();
    let report_path = dir.path().join("report.csv");
    let mut log = CsvLog::new(std::io::BufWriter::new(
        std::fs::File::create(&report_path).unwrap(),
    ));
    let again = import_logged(
        Table::from_path(&list),
        options,
        &mut sink,
        &mut |_| {},
        &mut log,
    );
    log.finish(&again).unwrap();
    let growth_kb = memory::peak_growth_kb(before_kb);
    eprintln!("the second run raised the peak memory by {growth_kb} kB");

    assert!(
        growth_kb < RERUN_GROWTH_MAX_KB,
        "running the import of {ROWS} rows again raised the peak memory by {growth_kb} kB"
    );
    assert_eq!((again.imported, again.already_members), (0, ROWS));
    assert_eq!(again.problems_total, ROWS);
    assert_eq!(again.problems.len(), taem_import::PROBLEMS_KEPT_MAX);
    // The report file has every row's problem.
    let report = std::io::BufReader::new(std::fs::File::open(&report_path).unwrap());
    let mut lines = 0u64;
    for line in report.lines() {
        let line = line.unwrap();
        if lines > 0 {
            assert!(line.ends_with(",already_member"), "{line}");
        }
        lines += 1;
    }
    assert_eq!(lines, 1 + ROWS, "the header and one line per row");
}
