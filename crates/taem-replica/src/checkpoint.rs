//! Background WAL checkpoints, run when the counter is idle.
//!
//! SQLite's automatic checkpoint runs inside the commit that crosses the threshold, so one
//! sale in a few hundred waited ≈20 ms for it (docs/benchmarks.md). The replica turns it off;
//! this thread checkpoints from its own connection once no write happened for a while, and
//! regardless once the WAL grows past a cap, so the WAL stays bounded.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use rusqlite::{Connection, OpenFlags};

use crate::open::Replica;

/// Quiet time after the last write before a checkpoint runs.
pub const CHECKPOINT_IDLE_MS: u64 = 250;
/// Checkpoint even while busy once the WAL is larger than this.
pub const WAL_BYTES_MAX: u64 = 64 * 1024 * 1024;
/// How often the checkpointer looks at the clock and the WAL.
pub const CHECKPOINT_POLL_MS: u64 = 50;

/// A running background checkpointer; stops when dropped.
#[derive(Debug)]
pub struct Checkpointer {
    stop: Arc<AtomicBool>,
    handle: Option<JoinHandle<()>>,
}

/// When this process last wrote, shared between a replica and its checkpointer.
pub(crate) fn activity() -> Arc<AtomicI64> {
    Arc::new(AtomicI64::new(0))
}

fn epoch_ms(start: Instant) -> i64 {
    start.elapsed().as_millis() as i64
}

impl Checkpointer {
    /// Starts checkpointing the replica's file in the background.
    pub fn start(replica: &Replica) -> std::io::Result<Checkpointer> {
        let path: PathBuf = replica.path.clone();
        let wal = PathBuf::from(format!("{}-wal", path.display()));
        let last_write = replica.last_write.clone();
        let clock = replica.clock_origin;
        let stop = Arc::new(AtomicBool::new(false));
        let stop_flag = stop.clone();
        let handle = std::thread::Builder::new()
            .name("taem-checkpoint".into())
            .spawn(move || {
                let Ok(conn) = Connection::open_with_flags(
                    &path,
                    OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
                ) else {
                    return;
                };
                let mut checkpointed_at = -1i64;
                while !stop_flag.load(Ordering::Relaxed) {
                    std::thread::sleep(Duration::from_millis(CHECKPOINT_POLL_MS));
                    let written = last_write.load(Ordering::Relaxed);
                    let wal_bytes = std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0);
                    let idle = epoch_ms(clock) - written >= CHECKPOINT_IDLE_MS as i64;
                    let due = (written != checkpointed_at && idle) || wal_bytes > WAL_BYTES_MAX;
                    if due && wal_bytes > 0 {
                        // PASSIVE never blocks a writer; whatever it cannot copy now waits
                        // for the next quiet moment.
                        let _ = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()));
                        checkpointed_at = written;
                    }
                }
            })?;
        Ok(Checkpointer {
            stop,
            handle: Some(handle),
        })
    }
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(handle) = self.handle.take() {
            let _ = handle.join();
        }
    }
}

/// Records that this process just committed a write.
pub(crate) fn note_write(last_write: &AtomicI64, origin: Instant) {
    last_write.store(epoch_ms(origin), Ordering::Relaxed);
}

impl Replica {
    /// Checkpoints this replica's WAL in the background (a [`Checkpointer`]) for as long as
    /// it stays open. For a process that keeps the replica open and writes — the desktop
    /// app, a long import: automatic checkpoints are off, so without this its WAL would grow
    /// with every sale until the replica closes, and every page read would search a longer
    /// WAL index. Calling it again changes nothing.
    pub fn checkpoint_in_background(&mut self) -> crate::Result<()> {
        if self.background_checkpoints.is_none() {
            let started =
                Checkpointer::start(self).map_err(|source| crate::error::ReplicaError::Io {
                    path: self.path.clone(),
                    source,
                })?;
            self.background_checkpoints = Some(started);
        }
        Ok(())
    }

    /// Runs a checkpoint now (e.g. when a counter closes for the night).
    pub fn checkpoint(&self) -> crate::Result<()> {
        self.conn
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
            .map_err(|e| self.fail(e))
    }
}
