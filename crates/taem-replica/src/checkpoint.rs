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
/// How long a writer's restart of a WAL over its cap waits for readers.
const RESTART_WAIT_MS: u64 = 100;
/// How often the checkpointer looks at the clock and the WAL.
pub const CHECKPOINT_POLL_MS: u64 = 50;

/// A running background checkpointer; stops when dropped.
#[derive(Debug)]
pub struct Checkpointer {
    stop: Arc<AtomicBool>,
    /// Set by the thread when the WAL is over its cap; the writer then restarts it.
    over_cap: Arc<AtomicBool>,
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
        Checkpointer::start_capped(replica, WAL_BYTES_MAX)
    }

    /// [`Checkpointer::start`] with a WAL cap of the caller's choosing (a counter on a small
    /// disk).
    pub fn start_capped(replica: &Replica, wal_bytes_max: u64) -> std::io::Result<Checkpointer> {
        let path: PathBuf = replica.path.clone();
        let wal = PathBuf::from(format!("{}-wal", path.display()));
        let last_write = replica.last_write.clone();
        let clock = replica.clock_origin;
        let stop = Arc::new(AtomicBool::new(false));
        let stop_flag = stop.clone();
        let over_cap = Arc::new(AtomicBool::new(false));
        let over_cap_flag = over_cap.clone();
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
                    if wal_bytes > wal_bytes_max {
                        // Writes with no quiet moment (a long `batch`, an import): a PASSIVE
                        // checkpoint never catches up with a writer that keeps appending, so
                        // the WAL would grow without end (1 GB after 80,000 awards, measured).
                        // This thread copies the bulk alongside the writer; the writer, told
                        // so, restarts the WAL after its next commit (see `restart_if_over_cap`).
                        let _ = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()));
                        over_cap_flag.store(true, Ordering::Relaxed);
                        checkpointed_at = written;
                    } else if written != checkpointed_at && idle && wal_bytes > 0 {
                        // PASSIVE never blocks a writer; whatever it cannot copy now waits
                        // for the next quiet moment.
                        let _ = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()));
                        checkpointed_at = written;
                    }
                }
            })?;
        Ok(Checkpointer {
            stop,
            over_cap,
            handle: Some(handle),
        })
    }

    /// Called by the writer after a commit: when the WAL is over its cap, checkpoints the
    /// rest of it on the writer's own connection and restarts it from its beginning. Only a
    /// writer that never pauses gets here (any quiet moment lets the thread do it all), and
    /// then what is left to copy is what came since the thread's last pass.
    /// A reader in another process (a look-up in the app) holds the restart back at most
    /// `RESTART_WAIT_MS`; the next commit tries again.
    pub(crate) fn restart_if_over_cap(&self, writer: &Connection, wait_ms: u64) {
        if self.over_cap.swap(false, Ordering::Relaxed) {
            let _ = writer.busy_timeout(Duration::from_millis(RESTART_WAIT_MS));
            let _ = writer.query_row("PRAGMA wal_checkpoint(RESTART)", [], |_| Ok(()));
            let _ = writer.busy_timeout(Duration::from_millis(wait_ms.min(i32::MAX as u64)));
        }
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
        self.checkpoint_in_background_capped(WAL_BYTES_MAX)
    }

    /// [`Replica::checkpoint_in_background`] with a WAL cap of the caller's choosing.
    pub fn checkpoint_in_background_capped(&mut self, wal_bytes_max: u64) -> crate::Result<()> {
        if self.background_checkpoints.is_none() {
            let started = Checkpointer::start_capped(self, wal_bytes_max).map_err(|source| {
                crate::error::ReplicaError::Io {
                    path: self.path.clone(),
                    source,
                }
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
