//! A large file whose every row is bad keeps memory flat too: its problems go out batch by
//! batch (a batch is a count of rows read, not of good rows, which this file never fills).
//! (Alone in its test binary: the peak memory it measures is the process's.)

#![cfg(target_os = "linux")]

mod memory;

use std::sync::Arc;

use chrono::NaiveDate;
use taem_import::{ImportOptions, ProblemLog, ReplicaSink, RowProblem, Table, import_logged};
use taem_replica::{FixedEnvironment, Replica};

/// Rows of the file, each with several problems (about 3 KB of reasons a row).
const ROWS: u64 = 60_000;
/// The most the peak memory may grow: a few batches' problems with room to spare (measured:
/// 9 MB). Keeping them to the end, as the reading side did when no batch of good rows ever
/// filled, grew it by hundreds of MB; batches of 25,000 rows read, 172 MB.
const GROWTH_MAX_KB: u64 = 32 * 1024;

/// Counts what the report file would get.
#[derive(Default)]
struct Counted {
    problems: u64,
    last_line: u64,
}

impl ProblemLog for Counted {
    fn ignored_columns(&mut self, _: &[String]) {}
    fn problem(&mut self, p: &RowProblem) {
        assert!(p.line >= self.last_line, "file order");
        self.last_line = p.line;
        self.problems += 1;
    }
}

#[test]
fn a_file_of_bad_rows_sends_its_problems_out_as_it_goes() {
    let today = NaiveDate::from_ymd_opt(2026, 11, 24).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let env = Arc::new(FixedEnvironment::new(
        today.and_hms_opt(3, 0, 0).unwrap().and_utc(),
        7,
    ));
    let mut replica = Replica::create(dir.path(), "ร้านทดสอบ", "BKK01", env).unwrap();
    let list = dir.path().join("bad.csv");
    let mut text = String::from("เบอร์มือถือ*,ชื่อ*,วันเกิด,เพศ,อีเมล,แต้มเริ่มต้น,ยินยอมรับข่าวสาร\r\n");
    for i in 0..ROWS {
        text.push_str(&format!("12{i:05},,31/02/2535,xyz,bad,-5,maybe\r\n"));
    }
    std::fs::write(&list, text).unwrap();
    let options = ImportOptions {
        max_rows: None,
        today,
        dry_run: false,
    };
    let before_kb = memory::reset_peak_kb();
    let mut log = Counted::default();
    let report = import_logged(
        Table::from_path(&list),
        options,
        &mut ReplicaSink {
            replica: &mut replica,
            branch: "BKK01".into(),
        },
        &mut |_| {},
        &mut log,
    );
    let growth_kb = memory::peak_growth_kb(before_kb);
    eprintln!("{ROWS} bad rows raised the peak memory by {growth_kb} kB");
    assert!(
        growth_kb < GROWTH_MAX_KB,
        "{ROWS} bad rows raised the peak memory by {growth_kb} kB"
    );
    assert_eq!(report.imported, 0);
    assert_eq!(report.rows, ROWS);
    assert_eq!(report.rows_with_problems, ROWS);
    assert!(
        report.problems_total >= 5 * ROWS,
        "{}",
        report.problems_total
    );
    assert_eq!(log.problems, report.problems_total);
    assert_eq!(report.problems.len(), taem_import::PROBLEMS_KEPT_MAX);
}
