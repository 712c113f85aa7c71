//! When the destination refuses a batch, the import says why in the destination's own words:
//! its stable code, and a Thai message with no English inside it (a manager reading Thai sees
//! what to do), and nothing of the file is written.

use std::sync::Arc;

use chrono::NaiveDate;
use taem_import::{ImportOptions, ReplicaSink, SHOP_UPLOAD_ROWS_MAX, Table, import};
use taem_replica::{FixedEnvironment, OpenMode, Replica};

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 25).unwrap()
}

fn env() -> Arc<FixedEnvironment> {
    Arc::new(FixedEnvironment::new(
        today().and_hms_opt(3, 0, 0).unwrap().and_utc(),
        7,
    ))
}

fn members(r: &Replica) -> i64 {
    r.status().unwrap().members
}

#[test]
fn a_replica_locked_by_another_program_refuses_the_upload_in_thai_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = Replica::create(dir.path(), "ร้านทดสอบ", "BKK01", env())
        .unwrap()
        .path()
        .to_path_buf();
    // Another program (a second Taem window, say) is writing.
    let other = rusqlite::Connection::open(&path).unwrap();
    other.execute_batch("BEGIN EXCLUSIVE").unwrap();
    let mut r = Replica::open_waiting(dir.path(), OpenMode::ReadWrite, env(), 100).unwrap();
    let file = "เบอร์มือถือ*,ชื่อ*\r\n081-234-5678,สมชาย\r\n089-999-0000,สมหญิง\r\n";
    let report = import(
        Table::from_bytes(file.as_bytes().to_vec()),
        ImportOptions {
            max_rows: Some(SHOP_UPLOAD_ROWS_MAX),
            today: today(),
            dry_run: false,
        },
        &mut ReplicaSink {
            replica: &mut r,
            branch: "BKK01".into(),
        },
        &mut |_| {},
    );
    let error = report.file_error.expect("the upload is refused");
    assert_eq!(error.code, "locked", "{error:?}");
    assert!(
        error.en.contains("locked by another program"),
        "{}",
        error.en
    );
    assert!(
        error.th.starts_with("บันทึกสมาชิกไม่สำเร็จ: ") && error.th.contains("ถูกโปรแกรมอื่นใช้งานอยู่"),
        "{}",
        error.th
    );
    assert!(
        !error.th.contains("locked") && !error.th.contains("replica"),
        "no English in the Thai message: {}",
        error.th
    );
    assert_eq!(report.imported, 0);
    other.execute_batch("ROLLBACK").unwrap();
    assert_eq!(members(&r), 0, "nothing of the file was written");
}
