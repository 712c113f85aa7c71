//! Opening, creating and checking a replica file.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use rusqlite::ffi::ErrorCode;
use rusqlite::{Connection, OpenFlags, OptionalExtension, TransactionBehavior, params};
use serde::Serialize;
use uuid::Uuid;

use crate::Result;
use crate::env::Environment;
use crate::error::{ReplicaError, classify};
use crate::schema::{self, APPLICATION_ID};
use crate::settings::{self, ShopSettings};

/// The replica's file name inside the data directory.
pub const REPLICA_FILE_NAME: &str = "replica.taem.sqlite3";
/// How long a write waits for another program's lock before giving up with `Locked`.
pub const WAIT_FOR_LOCK_MS_DEFAULT: u64 = 3_000;
/// Memory-mapped reads: ≈20–35 % faster index look-ups (recipes). The mapped pages a
/// process touches count in its resident set, so the map is kept small enough for a counter
/// answering look-ups all day on a 1M-member replica to stay well under 200 MB.
pub const MMAP_BYTES: i64 = 64 * 1024 * 1024;

/// SQLite page size of a new replica. A sale writes one page of each B-tree it touches (nine
/// when this was measured, eight since schema v8) to the WAL and syncs them: measured here,
/// nine 4 KiB frames cost a commit ≈35 µs more than one, nine 2 KiB frames ≈20 µs, while
/// look-ups and tier runs at 1M members stay as fast (docs/benchmarks.md). 1 KiB pages gain nothing more (deeper trees) and would split FTS5's
/// ≈1,000-byte index pages over two. A replica made with other pages keeps them.
pub const PAGE_SIZE_BYTES: i64 = 2048;
const SQLITE_MAGIC: &[u8; 16] = b"SQLite format 3\0";
/// Prepared statements kept per connection.
const STATEMENT_CACHE_CAPACITY: usize = 128;

/// Whether the replica is opened for reading only (look-ups) or for counter operations.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OpenMode {
    /// Look-ups only: works on a read-only file and never takes the write lock.
    ReadOnly,
    /// Look-ups and operations.
    ReadWrite,
}

/// This counter's identity.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Device {
    /// Globally unique device id (minted at creation).
    pub device_id: Uuid,
    /// The shop's name.
    pub shop_name: String,
    /// The branch code this counter belongs to.
    pub branch: String,
    /// When the replica was created.
    pub created_at: DateTime<Utc>,
}

/// An open replica.
pub struct Replica {
    /// The background checkpointer, when this process keeps the replica open (declared
    /// first: it stops before the connection closes).
    pub(crate) background_checkpoints: Option<crate::checkpoint::Checkpointer>,
    pub(crate) conn: Connection,
    pub(crate) path: PathBuf,
    pub(crate) env: Arc<dyn Environment>,
    pub(crate) device: Device,
    pub(crate) wait_ms: u64,
    /// Monotonic milliseconds (since `clock_origin`) of this process's last commit, read by
    /// the background checkpointer. Not shop time: only used to detect idleness.
    pub(crate) last_write: std::sync::Arc<std::sync::atomic::AtomicI64>,
    pub(crate) clock_origin: std::time::Instant,
    /// The settings as last read, with the settings revision they were read at: reused until
    /// any connection changes them, so a look-up or a sale does not parse the tier
    /// configuration every time.
    pub(crate) settings_cache:
        std::cell::RefCell<Option<(i64, std::sync::Arc<crate::settings::ShopSettings>)>>,
}

impl std::fmt::Debug for Replica {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Replica")
            .field("path", &self.path)
            .field("device", &self.device)
            .finish()
    }
}

fn io_error(path: &Path, source: std::io::Error) -> ReplicaError {
    if source.kind() == std::io::ErrorKind::PermissionDenied {
        return ReplicaError::ReadOnly {
            path: path.to_path_buf(),
        };
    }
    ReplicaError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Refuses files that are plainly not SQLite before SQLite sees them, so a binary file or an
/// empty file gets a clear message instead of being silently turned into a new database.
fn check_header(path: &Path) -> Result<()> {
    let mut header = [0u8; 16];
    let mut file = std::fs::File::open(path).map_err(|e| io_error(path, e))?;
    match file.read_exact(&mut header) {
        Ok(()) if &header == SQLITE_MAGIC => Ok(()),
        Ok(()) => Err(ReplicaError::NotADatabase {
            path: path.to_path_buf(),
        }),
        Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
            Err(ReplicaError::NotADatabase {
                path: path.to_path_buf(),
            })
        }
        Err(e) => Err(io_error(path, e)),
    }
}

/// A replica on a medium nobody can write (a backup on a read-only USB stick or disc, a
/// read-only mount): SQLite cannot create the `-shm` index a WAL database is read through, so
/// the file is opened as immutable, read on its own. Only when no `-wal` file with content
/// sits beside it: that would hold committed changes the file itself lacks, which an
/// immutable reading would not see.
fn open_immutable(path: &Path) -> Result<Connection> {
    let wal = PathBuf::from(format!("{}-wal", path.display()));
    if std::fs::metadata(&wal).is_ok_and(|m| m.len() > 0) {
        return Err(ReplicaError::ReadOnly {
            path: path.to_path_buf(),
        });
    }
    // A file name inside a URI: only these three characters mean something there.
    let mut uri = String::from("file:");
    for c in path.display().to_string().chars() {
        match c {
            '%' => uri.push_str("%25"),
            '?' => uri.push_str("%3f"),
            '#' => uri.push_str("%23"),
            c => uri.push(c),
        }
    }
    uri.push_str("?immutable=1");
    Connection::open_with_flags(
        &uri,
        OpenFlags::SQLITE_OPEN_READ_ONLY
            | OpenFlags::SQLITE_OPEN_NO_MUTEX
            | OpenFlags::SQLITE_OPEN_URI,
    )
    .and_then(|conn| {
        conn.query_row("PRAGMA application_id", [], |r| r.get::<_, i64>(0))?;
        Ok(conn)
    })
    .map_err(|e| classify(e, path, 0))
}

/// Root may write any file; a replica whose permissions say read-only is still treated as
/// read-only, because that is what the person who set them meant.
fn check_writable(path: &Path) -> Result<()> {
    let meta = std::fs::metadata(path).map_err(|e| io_error(path, e))?;
    if meta.permissions().readonly() {
        return Err(ReplicaError::ReadOnly {
            path: path.to_path_buf(),
        });
    }
    if let Some(dir) = path.parent() {
        let dir_meta = std::fs::metadata(dir).map_err(|e| io_error(dir, e))?;
        if dir_meta.permissions().readonly() {
            return Err(ReplicaError::ReadOnly {
                path: dir.to_path_buf(),
            });
        }
    }
    Ok(())
}

impl Replica {
    /// Deletes the replica in `dir` with its WAL and shared-memory files: for a replica
    /// created for an enrolment that then failed, so that nothing half-made stays behind.
    /// The replica must be closed. Files already gone are not an error.
    pub fn remove_files(dir: &Path) -> Result<()> {
        for suffix in ["", "-wal", "-shm", "-journal"] {
            let path = dir.join(format!("{REPLICA_FILE_NAME}{suffix}"));
            match std::fs::remove_file(&path) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(io_error(&path, e)),
            }
        }
        Ok(())
    }

    /// Creates a new replica in `dir` for a shop's branch. Fails if one exists already.
    pub fn create(
        dir: &Path,
        shop_name: &str,
        branch: &str,
        env: Arc<dyn Environment>,
    ) -> Result<Replica> {
        std::fs::create_dir_all(dir).map_err(|e| io_error(dir, e))?;
        let path = dir.join(REPLICA_FILE_NAME);
        if path.exists() {
            return Err(ReplicaError::AlreadyInitialised { path });
        }
        // A WAL (or its index) whose replica was moved away: SQLite would apply it to the new
        // file and damage it. It may hold the last operations of the old one: never delete it
        // here, say what to do.
        for suffix in ["-wal", "-shm"] {
            let orphan = dir.join(format!("{REPLICA_FILE_NAME}{suffix}"));
            if orphan.exists() {
                return Err(ReplicaError::OrphanWal { file: orphan });
            }
        }
        // Build the new file under a temporary name and rename it into place, so a crash
        // during creation never leaves a half-made replica behind.
        let building = dir.join(format!("{REPLICA_FILE_NAME}.creating"));
        let _ = std::fs::remove_file(&building);
        {
            let mut conn = Connection::open(&building).map_err(|e| classify(e, &building, 0))?;
            conn.pragma_update(None, "page_size", PAGE_SIZE_BYTES)
                .map_err(|e| classify(e, &building, 0))?;
            conn.pragma_update(None, "journal_mode", "DELETE")
                .map_err(|e| classify(e, &building, 0))?;
            schema::migrate(&mut conn, schema::latest_version())
                .map_err(|e| classify(e, &building, 0))?;
            let now = env.now();
            let device_id = env.new_op_id();
            let tx = conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(|e| classify(e, &building, 0))?;
            for (key, value) in [
                ("device_id", device_id.to_string()),
                ("shop_name", shop_name.trim().to_string()),
                ("branch", branch.trim().to_string()),
                ("created_at", now.to_rfc3339()),
                ("device_seq", "0".to_string()),
            ] {
                tx.execute(
                    "INSERT INTO meta(key, value) VALUES (?1, ?2)",
                    params![key, value],
                )
                .map_err(|e| classify(e, &building, 0))?;
            }
            settings::store(&tx, &ShopSettings::default_for_new_shop(), now)?;
            tx.commit().map_err(|e| classify(e, &building, 0))?;
        }
        std::fs::rename(&building, &path).map_err(|e| io_error(&path, e))?;
        Replica::open(dir, OpenMode::ReadWrite, env)
    }

    /// The schema upgrade opening the replica in `dir` would run, as (from, to) versions, or
    /// `None` (up to date, or nothing readable there: opening says why). Lets a program tell
    /// its user before a long upgrade (tens of seconds at a million members) starts.
    pub fn upgrade_due(dir: &Path) -> Option<(i64, i64)> {
        let path = dir.join(REPLICA_FILE_NAME);
        let conn = Connection::open_with_flags(
            &path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .ok()?;
        let app_id: i64 = conn
            .query_row("PRAGMA application_id", [], |r| r.get(0))
            .ok()?;
        let version: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .ok()?;
        let latest = schema::latest_version();
        (app_id == APPLICATION_ID && (1..latest).contains(&version)).then_some((version, latest))
    }

    /// Opens the replica in `dir`, migrating an older schema forward.
    pub fn open(dir: &Path, mode: OpenMode, env: Arc<dyn Environment>) -> Result<Replica> {
        Replica::open_waiting(dir, mode, env, WAIT_FOR_LOCK_MS_DEFAULT)
    }

    /// Like [`Replica::open`], waiting up to `wait_ms` for another program's write lock.
    pub fn open_waiting(
        dir: &Path,
        mode: OpenMode,
        env: Arc<dyn Environment>,
        wait_ms: u64,
    ) -> Result<Replica> {
        let path = dir.join(REPLICA_FILE_NAME);
        if !path.exists() {
            return Err(ReplicaError::NotInitialised {
                dir: dir.to_path_buf(),
            });
        }
        check_header(&path)?;
        let flags = match mode {
            OpenMode::ReadOnly => {
                OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX
            }
            OpenMode::ReadWrite => {
                check_writable(&path)?;
                OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX
            }
        };
        let fail = |e: rusqlite::Error| classify(e, &path, wait_ms);
        let mut conn = Connection::open_with_flags(&path, flags).map_err(fail)?;
        if mode == OpenMode::ReadOnly
            && let Err(e) = conn.query_row("PRAGMA application_id", [], |r| r.get::<_, i64>(0))
        {
            conn = match e.sqlite_error_code() {
                Some(ErrorCode::CannotOpen | ErrorCode::ReadOnly) => open_immutable(&path)?,
                _ => return Err(fail(e)),
            };
        }
        // SQLite takes the wait in milliseconds as a C int: a longer one is as good as forever.
        conn.busy_timeout(Duration::from_millis(wait_ms.min(i32::MAX as u64)))
            .map_err(fail)?;
        // Every statement of a sale and a look-up stays prepared (rusqlite keeps 16 by default,
        // fewer than one award uses).
        conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE_CAPACITY);
        stable_plans(&conn).map_err(fail)?;

        let app_id: i64 = conn
            .query_row("PRAGMA application_id", [], |r| r.get(0))
            .map_err(fail)?;
        let version: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(fail)?;
        if app_id != APPLICATION_ID {
            return Err(ReplicaError::ForeignDatabase { path });
        }
        if version < 1 {
            // Every Taem replica is created at the latest version and only moves forward: a
            // version below 1 under Taem's application id is a damaged header, not an old
            // replica to migrate (migrating it would fail on tables that exist, or worse).
            return Err(ReplicaError::Corrupt {
                path,
                detail: format!(
                    "its header says schema version {version}, which no Taem replica has"
                ),
            });
        }
        if version > schema::latest_version() {
            return Err(ReplicaError::NewerSchema {
                path,
                found: version,
                supported: schema::latest_version(),
            });
        }
        if mode == OpenMode::ReadWrite {
            // WAL lets look-ups run while a sale commits; FULL makes a committed sale survive
            // power loss, not only a crash (SQLite: NORMAL "might roll back" after power loss).
            let journal: String = conn
                .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
                .map_err(fail)?;
            if !journal.eq_ignore_ascii_case("wal") {
                return Err(ReplicaError::Invariant {
                    what: format!("journal mode {journal}, expected wal"),
                });
            }
            conn.pragma_update(None, "synchronous", "FULL")
                .map_err(fail)?;
            // Checkpoints run when the counter is idle (see Checkpointer) or when the last
            // connection closes, never inside a sale.
            conn.pragma_update(None, "wal_autocheckpoint", 0)
                .map_err(fail)?;
            if version < schema::latest_version() {
                schema::migrate(&mut conn, schema::latest_version()).map_err(fail)?;
            }
        } else if version < schema::latest_version() {
            // A look-up right after an upgrade: migrate once (which needs write access), then
            // carry on read-only. A file that cannot be written stays as it is and says why.
            drop(conn);
            drop(Replica::open_waiting(
                dir,
                OpenMode::ReadWrite,
                env.clone(),
                wait_ms,
            )?);
            return Replica::open_waiting(dir, OpenMode::ReadOnly, env, wait_ms);
        }
        conn.pragma_update(None, "foreign_keys", "ON")
            .map_err(fail)?;
        conn.pragma_update(None, "mmap_size", MMAP_BYTES)
            .map_err(fail)?;
        let device = read_device(&conn).map_err(fail)??;
        let mut replica = Replica {
            background_checkpoints: None,
            conn,
            path,
            env,
            device,
            wait_ms,
            last_write: crate::checkpoint::activity(),
            clock_origin: std::time::Instant::now(),
            settings_cache: std::cell::RefCell::new(None),
        };
        if mode == OpenMode::ReadWrite
            && replica.tier_credit_backlog()? >= crate::tiers::FOLD_AT_OPEN
        {
            // Housekeeping for counters driven only by `taem-counter` (the app's worker folds
            // as it goes): sales left their tier credit for a fold. Should it fail (another
            // program holding the write lock), nothing is lost: accumulated points read the
            // unfolded entries, and the next opening or re-evaluation folds them.
            let _ = replica.fold_tier_credit(u64::MAX);
        }
        if mode == OpenMode::ReadWrite {
            // Like the fold: should it fail now (a lock), the next opening tries again.
            let _ = replica.finish_interrupted_replacement();
        }
        Ok(replica)
    }

    /// Sets how much of the file this connection reads through a memory map (`0`: none; new
    /// connections start at [`MMAP_BYTES`]). Mapped pages a process has touched count in its
    /// resident set; without the map SQLite reads through its own small page cache and the
    /// operating system's file cache, a few microseconds slower per look-up.
    pub fn set_memory_map(&self, bytes: i64) -> Result<()> {
        self.conn
            .pragma_update(None, "mmap_size", bytes.max(0))
            .map_err(|e| self.fail(e))
    }

    /// The replica file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// This counter's identity.
    pub fn device(&self) -> &Device {
        &self.device
    }

    /// The time and randomness source.
    pub fn environment(&self) -> &Arc<dyn Environment> {
        &self.env
    }

    pub(crate) fn fail(&self, e: rusqlite::Error) -> ReplicaError {
        classify(e, &self.path, self.wait_ms)
    }

    /// Runs SQLite's full integrity check; returns the problems found (empty when healthy).
    pub fn integrity_check(&self) -> Result<Vec<String>> {
        let mut stmt = self
            .conn
            .prepare("PRAGMA integrity_check")
            .map_err(|e| self.fail(e))?;
        let rows = stmt
            .query_map([], |r| r.get::<_, String>(0))
            .map_err(|e| self.fail(e))?
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(|e| self.fail(e))?;
        Ok(rows.into_iter().filter(|r| r != "ok").collect())
    }
}

fn read_device(conn: &Connection) -> rusqlite::Result<Result<Device>> {
    let get = |key: &str| -> rusqlite::Result<Option<String>> {
        conn.query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
            .optional()
    };
    let (Some(id), Some(shop_name), Some(branch), Some(created)) = (
        get("device_id")?,
        get("shop_name")?,
        get("branch")?,
        get("created_at")?,
    ) else {
        return Ok(Err(ReplicaError::Invariant {
            what: "device identity missing from meta".into(),
        }));
    };
    let parsed = Uuid::parse_str(&id)
        .ok()
        .zip(DateTime::parse_from_rfc3339(&created).ok());
    Ok(match parsed {
        Some((device_id, created)) => Ok(Device {
            device_id,
            shop_name,
            branch,
            created_at: created.with_timezone(&Utc),
        }),
        None => Err(ReplicaError::Invariant {
            what: "device identity unreadable".into(),
        }),
    })
}

/// Keeps cached statements compiled. Without the query planner stability guarantee SQLite
/// marks a statement for re-preparation whenever the planner looked at a bound value (a
/// `LIMIT ?`, a `col = ?` it weighed as a filter), and `sqlite3_clear_bindings`, which
/// rusqlite's statement cache calls each time a statement goes back, then expires it: every
/// use re-parsed and re-planned the statement (measured: the member card's history query on
/// every call, and the operation-id look-up on every award, 10% of a sale's CPU). Our plans
/// never depend on the values bound.
pub(crate) fn stable_plans(conn: &Connection) -> rusqlite::Result<()> {
    conn.set_db_config(
        rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG,
        true,
    )
    .map(drop)
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use chrono::{TimeZone, Utc};
    use rusqlite::StatementStatus;
    use rusqlite::config::DbConfig;
    use taem_core::{MemberProfile, Money, Phone};

    use super::*;
    use crate::{AwardRequest, FixedEnvironment, MemberKey, NewMember};

    /// How often the cached statement `sql` was re-compiled since it was first prepared.
    fn recompiled(replica: &Replica, sql: &str) -> i32 {
        replica
            .conn
            .prepare_cached(sql)
            .unwrap()
            .get_status(StatementStatus::RePrepare)
    }

    #[test]
    fn cached_statements_stay_compiled_across_sales_and_member_cards() {
        let dir = tempfile::tempdir().unwrap();
        let env = Arc::new(FixedEnvironment::new(
            Utc.with_ymd_and_hms(2026, 11, 23, 3, 0, 0).unwrap(),
            7,
        ));
        let mut replica = Replica::create(dir.path(), "ร้านทดสอบ", "BKK01", env.clone()).unwrap();
        let phone = Phone::parse("0812345678").unwrap();
        replica
            .register_member(NewMember {
                phone: phone.clone(),
                profile: MemberProfile {
                    first_name: "สมชาย".into(),
                    ..Default::default()
                },
                op_id: None,
            })
            .unwrap();
        let key = MemberKey::Phone(phone);
        for bill in 1..=5 {
            // The app always sends its own operation id, so every sale probes the outbox, the
            // ledger's confirmed operation ids and the acknowledged ones (the retry check)
            // with a new value.
            replica
                .award(AwardRequest {
                    member: key.clone(),
                    bill_no: format!("R-{bill}"),
                    amount: Money::parse("250").unwrap(),
                    op_id: Some(env.new_op_id()),
                })
                .unwrap();
            // The card reads one entry, the history fifty: the same statement, other limits.
            replica.member(&key).unwrap();
            replica.history(&key, 50).unwrap();
        }
        assert_eq!(
            recompiled(&replica, crate::outbox::RECORDED_OPERATION_SQL),
            0,
            "the operation-id look-up was re-prepared during sales"
        );
        assert_eq!(
            recompiled(&replica, crate::history::LEDGER_ENTRIES_SQL),
            0,
            "the ledger-entries query was re-prepared for each card and history"
        );
        let reader = Replica::open(dir.path(), OpenMode::ReadOnly, env).unwrap();
        assert!(
            reader
                .conn
                .db_config(DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG)
                .unwrap()
        );
    }

    #[test]
    fn accumulated_points_read_only_the_members_entries_above_the_fold() {
        let dir = tempfile::tempdir().unwrap();
        let env = Arc::new(FixedEnvironment::new(
            Utc.with_ymd_and_hms(2026, 11, 23, 3, 0, 0).unwrap(),
            7,
        ));
        let replica = Replica::create(dir.path(), "ร้านทดสอบ", "BKK01", env).unwrap();
        let plan = |sql: &str, params: &[&dyn rusqlite::ToSql]| -> Vec<String> {
            replica
                .conn
                .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
                .unwrap()
                .query_map(params, |r| r.get(3))
                .unwrap()
                .collect::<rusqlite::Result<_>>()
                .unwrap()
        };
        let op_id = uuid::Uuid::nil();
        let id = op_id.as_bytes().as_slice();
        let sale = crate::members::SALE_READ_SQL;
        let statements: [(&str, &[&dyn rusqlite::ToSql]); 4] = [
            (crate::tiers::ACCUMULATED_SQL, rusqlite::params![1, 0]),
            // A sale's read of the member, its operation id and its accumulated points.
            (sale[0], rusqlite::params!["0812345678", id, 0]),
            (sale[1], rusqlite::params!["ABC", id, 0]),
            (sale[2], rusqlite::params![id, id, 0]),
        ];
        for (sql, params) in statements {
            let plan = plan(sql, params);
            assert!(
                plan.iter()
                    .any(|s| s == "SEARCH ledger USING INDEX ledger_member (member_id=? AND id>?)"),
                "{sql}: {plan:?}"
            );
            assert!(
                plan.iter()
                    .all(|s| !s.starts_with("SCAN") || s == "SCAN CONSTANT ROW"),
                "{sql}: {plan:?}"
            );
        }
    }

    #[test]
    fn the_re_evaluation_knows_when_an_entry_waits_for_the_fold() {
        let dir = tempfile::tempdir().unwrap();
        let env = Arc::new(FixedEnvironment::new(
            Utc.with_ymd_and_hms(2026, 11, 23, 3, 0, 0).unwrap(),
            7,
        ));
        let mut replica = Replica::create(dir.path(), "ร้านทดสอบ", "BKK01", env).unwrap();
        let waits = |r: &Replica| crate::tiers::credit_waits_for_fold(&r.conn).unwrap();
        assert!(!waits(&replica));
        // A server entry (nothing to fold), then one the way a sale writes it (raw rows: no
        // member needed for the question).
        replica
            .conn
            .pragma_update(None, "foreign_keys", "OFF")
            .unwrap();
        for marked in [0, 1] {
            replica
                .conn
                .execute(
                    "INSERT INTO ledger(member_id, kind, points, tier_credit, day, at_ms, branch,
                         op_id, unbucketed)
                     VALUES (1, 'earn', 10, 10, 20000, 0, 'BKK01', randomblob(16), ?1)",
                    [marked],
                )
                .unwrap();
            assert_eq!(waits(&replica), marked == 1);
        }
        replica.fold_tier_credit(u64::MAX).unwrap();
        assert!(!waits(&replica));
    }

    #[test]
    fn operation_id_look_ups_never_scan_the_ledger() {
        let dir = tempfile::tempdir().unwrap();
        let env = Arc::new(FixedEnvironment::new(
            Utc.with_ymd_and_hms(2026, 11, 23, 3, 0, 0).unwrap(),
            7,
        ));
        let replica = Replica::create(dir.path(), "ร้านทดสอบ", "BKK01", env).unwrap();
        for sql in [
            crate::outbox::RECORDED_OPERATION_SQL,
            crate::outbox::RECORDED_ENTRY_SQL,
            crate::outbox::ACKED_OPERATION_SQL,
            crate::sync::CONFIRMED_ENTRY_SQL,
            crate::sync::PENDING_ENTRY_SQL,
            crate::sync::REJECTED_ENTRY_SQL,
            crate::sync::ACKED_ENTRIES_SQL,
        ] {
            let mut plan = replica
                .conn
                .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
                .unwrap();
            let params = vec![rusqlite::types::Value::Null; plan.parameter_count()];
            let steps: Vec<String> = plan
                .query_map(rusqlite::params_from_iter(params), |r| r.get(3))
                .unwrap()
                .collect::<rusqlite::Result<_>>()
                .unwrap();
            assert!(
                steps.iter().all(|step| !step.starts_with("SCAN")),
                "{sql}\nscans: {steps:?}"
            );
        }
    }
}
