//! The background checkpointer copies the WAL into the database once the counter is idle
//! (automatic checkpoints are off so none lands inside a sale).

mod common;

use std::time::Duration;

use common::*;
use rusqlite::{Connection, OpenFlags};
use taem_replica::Checkpointer;

/// Members visible in the main database file alone, ignoring the WAL.
fn members_in_main_file(path: &std::path::Path) -> i64 {
    let uri = format!("file:{}?immutable=1", path.display());
    let conn = Connection::open_with_flags(
        uri,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_URI,
    )
    .unwrap();
    conn.query_row("SELECT COUNT(*) FROM members", [], |r| r.get(0))
        .unwrap()
}

#[test]
fn writes_stay_in_the_wal_until_the_counter_is_idle_then_are_checkpointed() {
    let dir = tempfile::tempdir().unwrap();
    let (mut r, _) = replica(dir.path());
    add(&mut r, "0812345678", "สมชาย", "ใจดี");
    assert_eq!(
        members_in_main_file(r.path()),
        0,
        "no automatic checkpoint inside a write"
    );
    let checkpointer = Checkpointer::start(&r).unwrap();
    add(&mut r, "0898765432", "สมหญิง", "รักดี");
    let mut waited_ms = 0;
    while members_in_main_file(r.path()) < 2 && waited_ms < 5_000 {
        std::thread::sleep(Duration::from_millis(50));
        waited_ms += 50;
    }
    assert_eq!(members_in_main_file(r.path()), 2, "checkpointed once idle");
    drop(checkpointer);
}
