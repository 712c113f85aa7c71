//! A bulk import streams: it reads and checks rows on one thread while the batches already
//! checked are written on another. These tests stop it in the middle — the file failing to
//! read, the destination failing to write — into a real replica, and check that what was
//! written is exactly the whole batches before the fault, and that running it again finishes
//! the job without doubling anyone.

use std::io::Read;
use std::sync::Arc;

use chrono::NaiveDate;
use taem_import::{
    BULK_BATCH_ROWS, ImportOptions, ImportReport, MemberSink, ReplicaSink, SinkError, SinkOutcome,
    Table, ValidRow, import,
};
use taem_replica::{FixedEnvironment, Replica};

const ROWS: usize = BULK_BATCH_ROWS * 2 + BULK_BATCH_ROWS / 2;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 24).unwrap()
}

fn replica(dir: &std::path::Path) -> Replica {
    let env = Arc::new(FixedEnvironment::new(
        today().and_hms_opt(3, 0, 0).unwrap().and_utc(),
        7,
    ));
    Replica::create(dir, "ร้านทดสอบ", "BKK01", env).unwrap()
}

/// A member list of `ROWS` rows, every phone different, one bad row (line 7).
fn file() -> Vec<u8> {
    let mut text = String::from("เบอร์มือถือ*,ชื่อ*,แต้มเริ่มต้น\r\n");
    for i in 0..ROWS {
        if i == 5 {
            text.push_str("12345,สมชาย,10\r\n");
        } else {
            text.push_str(&format!("09{i:08},สมชาย,{}\r\n", i % 3));
        }
    }
    text.into_bytes()
}

/// Reads the bytes, then fails as a file on a drive pulled out would (a boundary we cannot
/// reach here for real).
struct FailingAtEnd(std::io::Cursor<Vec<u8>>);

impl Read for FailingAtEnd {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        match self.0.read(buf)? {
            0 => Err(std::io::Error::other("the drive was removed")),
            n => Ok(n),
        }
    }
}

fn bulk(table: Result<Table, taem_import::FileError>, sink: &mut dyn MemberSink) -> ImportReport {
    let options = ImportOptions {
        max_rows: None,
        today: today(),
        dry_run: false,
    };
    import(table, options, sink, &mut |_| {})
}

fn members(replica: &Replica) -> usize {
    replica.status().unwrap().members as usize
}

#[test]
fn a_file_that_fails_to_read_midway_keeps_the_whole_batches_before_and_a_rerun_finishes() {
    let dir = tempfile::tempdir().unwrap();
    let mut r = replica(dir.path());
    let failing = Table::open(Box::new(FailingAtEnd(std::io::Cursor::new(file()))));
    let report = bulk(
        failing,
        &mut ReplicaSink {
            replica: &mut r,
            branch: "BKK01".into(),
        },
    );
    let error = report
        .file_error
        .as_ref()
        .expect("the read failure is reported");
    assert_eq!(error.code, "io", "{error:?}");
    assert!(error.en.contains("the drive was removed"), "{error:?}");
    // The good rows of the two whole batches (a batch is BULK_BATCH_ROWS rows read, the bad
    // line 7 among the first) were written; the last, not yet whole when the file failed,
    // was not.
    let written = BULK_BATCH_ROWS * 2 - 1;
    assert_eq!(report.imported, written as u64, "{report:?}");
    assert_eq!(members(&r), written);
    assert_eq!(report.problems.len(), 1);
    assert_eq!(report.problems[0].line, 7);

    // The same file, readable this time: the rest is imported, nothing twice.
    let again = bulk(
        Table::from_bytes(file()),
        &mut ReplicaSink {
            replica: &mut r,
            branch: "BKK01".into(),
        },
    );
    assert!(again.file_error.is_none(), "{:?}", again.file_error);
    assert_eq!(again.rows, ROWS as u64);
    assert_eq!(again.imported, (ROWS - 1 - written) as u64);
    assert_eq!(again.already_members, written as u64);
    assert_eq!(members(&r), ROWS - 1);
}

/// The real replica sink, failing its second write (a full disk, say) to see the import stop.
struct FailingSecondWrite<'r> {
    inner: ReplicaSink<'r>,
    writes: usize,
}

impl MemberSink for FailingSecondWrite<'_> {
    fn write(
        &mut self,
        rows: &[ValidRow],
        progress: &mut dyn FnMut(u64),
    ) -> Result<SinkOutcome, SinkError> {
        self.writes += 1;
        if self.writes == 2 {
            return Err(SinkError {
                code: "disk_full",
                en: "the disk is full".into(),
                th: "ดิสก์เต็ม".into(),
            });
        }
        self.inner.write(rows, progress)
    }

    fn existing(&mut self, rows: &[ValidRow]) -> Result<Vec<(u64, String)>, SinkError> {
        self.inner.existing(rows)
    }

    fn taken_codes(&mut self, rows: &[ValidRow]) -> Result<Vec<u64>, SinkError> {
        self.inner.taken_codes(rows)
    }
}

#[test]
fn a_write_that_fails_stops_the_bulk_import_after_the_batches_written() {
    let dir = tempfile::tempdir().unwrap();
    let mut r = replica(dir.path());
    let mut sink = FailingSecondWrite {
        inner: ReplicaSink {
            replica: &mut r,
            branch: "BKK01".into(),
        },
        writes: 0,
    };
    let report = bulk(Table::from_bytes(file()), &mut sink);
    assert_eq!(sink.writes, 2, "no batch is written after the failure");
    let error = report
        .file_error
        .as_ref()
        .expect("the write failure is reported");
    assert!(error.en.contains("the disk is full"), "{error:?}");
    // The sink's own code and Thai message, not an English one inside the Thai.
    assert_eq!(error.code, "disk_full");
    assert_eq!(error.th, "บันทึกสมาชิกไม่สำเร็จ: ดิสก์เต็ม");
    // The first batch's rows but its bad line 7.
    assert_eq!(report.imported, (BULK_BATCH_ROWS - 1) as u64);
    assert_eq!(members(&r), BULK_BATCH_ROWS - 1);
}

/// Collects what an import writes to its report file.
#[derive(Default)]
struct Collected {
    ignored: Vec<String>,
    problems: Vec<taem_import::RowProblem>,
}

impl taem_import::ProblemLog for Collected {
    fn ignored_columns(&mut self, columns: &[String]) {
        self.ignored.extend_from_slice(columns);
    }
    fn problem(&mut self, problem: &taem_import::RowProblem) {
        self.problems.push(problem.clone());
    }
}

#[test]
fn a_rerun_keeps_the_first_problems_in_memory_and_writes_every_one_to_the_log_in_file_order() {
    let dir = tempfile::tempdir().unwrap();
    let mut r = replica(dir.path());
    let first = bulk(
        Table::from_bytes(file()),
        &mut ReplicaSink {
            replica: &mut r,
            branch: "BKK01".into(),
        },
    );
    assert_eq!(first.imported, (ROWS - 1) as u64);
    assert_eq!((first.problems_total, first.rows_with_problems), (1, 1));

    // Again: every row is a problem now (one bad, the rest already members).
    let mut log = Collected::default();
    let options = ImportOptions {
        max_rows: None,
        today: today(),
        dry_run: false,
    };
    let again = taem_import::import_logged(
        Table::from_bytes(file()),
        options,
        &mut ReplicaSink {
            replica: &mut r,
            branch: "BKK01".into(),
        },
        &mut |_| {},
        &mut log,
    );
    assert!(again.file_error.is_none(), "{:?}", again.file_error);
    assert_eq!(again.imported, 0);
    assert_eq!(again.already_members, (ROWS - 1) as u64);
    assert_eq!(again.problems_total, ROWS as u64);
    assert_eq!(
        again.rows_with_problems, 1,
        "the bad line 7; already members apart"
    );
    assert_eq!(again.bad_rows(), ROWS as u64);
    assert!(again.problems_cut());
    assert_eq!(again.problems.len(), taem_import::PROBLEMS_KEPT_MAX);

    // The log has them all, each row once, in file order across the batches; the report
    // keeps the first of them.
    assert_eq!(log.problems.len(), ROWS);
    let lines: Vec<u64> = log.problems.iter().map(|p| p.line).collect();
    let mut sorted = lines.clone();
    sorted.sort_unstable();
    sorted.dedup();
    assert_eq!(lines, sorted, "one problem per row, in file order");
    assert_eq!(lines.first(), Some(&2));
    assert_eq!(lines.last(), Some(&(ROWS as u64 + 1)));
    assert_eq!(log.problems[5].code, "bad_phone");
    assert_eq!(log.problems[5].line, 7);
    assert_eq!(
        &log.problems[..taem_import::PROBLEMS_KEPT_MAX],
        again.problems.as_slice()
    );
    assert!(log.ignored.is_empty());
    assert_eq!(members(&r), ROWS - 1, "nothing doubled");
}
