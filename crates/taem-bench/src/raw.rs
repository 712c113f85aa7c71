//! The baseline's own connection: raw rusqlite on the same file as the replica.

use std::path::Path;
use std::time::Duration;

use anyhow::Context;
use rusqlite::{Connection, OpenFlags};

/// Same as the replica's memory map, so a ratio measures code, not configuration.
use taem_replica::MMAP_BYTES;
/// How long a baseline write waits for the replica's lock (they never overlap in this bench,
/// but the checkpointer thread may briefly hold the file).
const BUSY_TIMEOUT_MS: u64 = 3_000;

/// Columns a member answer needs (global id, code, phone, name, tier, balance): what a raw
/// look-up must read to show the same member line as the replica.
pub const SUMMARY_COLUMNS: &str = "id, member_uid, code, phone, first_name, last_name, \
    balance_confirmed, balance_pending, tier_id";

/// A member line as the baseline reads it.
pub type SummaryRow = (i64, Vec<u8>, String, String, String, String, i64, i64, u32);

/// Reads [`SUMMARY_COLUMNS`] from a row.
pub fn summary_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<SummaryRow> {
    Ok((
        r.get(0)?,
        r.get(1)?,
        r.get(2)?,
        r.get(3)?,
        r.get(4)?,
        r.get(5)?,
        r.get(6)?,
        r.get(7)?,
        r.get(8)?,
    ))
}

/// Opens a second, raw connection to the replica file: WAL (the file's mode), durable commits
/// (`synchronous=FULL`), no automatic checkpoint, the same memory map as the replica.
pub fn open(path: &Path) -> anyhow::Result<Connection> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .with_context(|| format!("opening {} for the baseline", path.display()))?;
    conn.busy_timeout(Duration::from_millis(BUSY_TIMEOUT_MS))?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "wal_autocheckpoint", 0)?;
    conn.pragma_update(None, "mmap_size", MMAP_BYTES)?;
    // As the replica does: cached statements with `LIMIT ?` stay compiled instead of being
    // re-prepared on each use (see taem-replica's `stable_plans`).
    conn.set_db_config(
        rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG,
        true,
    )?;
    let mode: String = conn.query_row("PRAGMA journal_mode", [], |r| r.get(0))?;
    anyhow::ensure!(
        mode.eq_ignore_ascii_case("wal"),
        "baseline sees journal mode {mode}, not wal"
    );
    Ok(conn)
}

/// The SQLite library version both sides use.
pub fn sqlite_version() -> &'static str {
    rusqlite::version()
}
