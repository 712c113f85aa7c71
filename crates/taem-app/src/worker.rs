//! The background sync worker: its own thread, tokio runtime and replica connection (SQLite's
//! WAL lets the window read and write meanwhile). It syncs every few seconds while the counter
//! is enrolled, backs off while the server cannot be reached, and is woken at once by a write
//! or by "sync now".

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use backon::BackoffBuilder;
use taem_replica::{Environment, Replica};
use taem_sync::SyncError;

use crate::{Progress, ProgressSink, ProgressStage};

/// Between cycles while online.
const ONLINE_INTERVAL: Duration = Duration::from_secs(3);
/// The first and the longest wait between attempts while offline.
const OFFLINE_FIRST: Duration = Duration::from_millis(500);
const OFFLINE_MAX: Duration = Duration::from_secs(5);
/// While not enrolled (or revoked): look again now and then, in case the window enrols.
const IDLE_INTERVAL: Duration = Duration::from_secs(30);

#[derive(Default)]
struct Control {
    wake: bool,
    stop: bool,
    cycles: u64,
}

#[derive(Default)]
struct Shared {
    control: Mutex<Control>,
    changed: Condvar,
    syncing: AtomicBool,
}

impl Shared {
    fn control(&self) -> std::sync::MutexGuard<'_, Control> {
        self.control.lock().unwrap_or_else(|p| p.into_inner())
    }
}

pub(crate) struct Worker {
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
}

impl Worker {
    pub(crate) fn start(dir: &Path, env: Arc<dyn Environment>, progress: ProgressSink) -> Worker {
        let shared = Arc::new(Shared::default());
        let thread = {
            let shared = shared.clone();
            let dir = dir.to_path_buf();
            std::thread::Builder::new()
                .name("taem-sync".into())
                .spawn(move || run(dir, env, progress, shared))
                .map_err(|e| tracing::error!("cannot start the sync worker: {e}"))
                .ok()
        };
        Worker { shared, thread }
    }

    /// Starts a cycle now (after the one running, if any).
    pub(crate) fn wake(&self) {
        wake(&self.shared);
    }

    /// [`Worker::wake`] for another thread (the one upgrading the replica).
    pub(crate) fn waker(&self) -> impl Fn() + Send + 'static {
        let shared = self.shared.clone();
        move || wake(&shared)
    }

    /// Starts a cycle and waits until it has finished (at most `timeout`).
    pub(crate) fn sync_and_wait(&self, timeout: Duration) {
        let mut control = self.shared.control();
        // A cycle already running may have read the outbox before the caller's last write.
        let target = control.cycles + 1 + u64::from(self.syncing());
        control.wake = true;
        self.shared.changed.notify_all();
        let _ = self
            .shared
            .changed
            .wait_timeout_while(control, timeout, |c| c.cycles < target && !c.stop);
    }

    pub(crate) fn syncing(&self) -> bool {
        self.shared.syncing.load(Ordering::SeqCst)
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        self.shared.control().stop = true;
        self.shared.changed.notify_all();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn wake(shared: &Shared) {
    shared.control().wake = true;
    shared.changed.notify_all();
}

fn offline_backoff() -> Box<dyn Iterator<Item = Duration> + Send> {
    Box::new(
        backon::ExponentialBuilder::default()
            .with_min_delay(OFFLINE_FIRST)
            .with_max_delay(OFFLINE_MAX)
            .without_max_times()
            .with_jitter()
            .build(),
    )
}

fn run(dir: PathBuf, env: Arc<dyn Environment>, progress: ProgressSink, shared: Arc<Shared>) {
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("taem-sync-io")
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            tracing::error!("sync worker: no tokio runtime: {e}");
            return;
        }
    };
    let mut replica: Option<Replica> = None;
    let mut backoff: Option<Box<dyn Iterator<Item = Duration> + Send>> = None;
    loop {
        // While the app's upgrade thread migrates an older replica this thread keeps off it
        // (opening would run the same upgrade); that thread wakes it when done.
        if replica.is_none() && Replica::upgrade_due(&dir).is_none() {
            replica = crate::open_replica(&dir, env.clone()).ok();
        }
        let enrolled = replica
            .as_ref()
            .and_then(|r| r.sync_identity().ok().flatten())
            .is_some();
        let wait = if let (true, Some(r)) = (enrolled, replica.as_mut()) {
            shared.syncing.store(true, Ordering::SeqCst);
            let result = runtime.block_on(taem_sync::sync_once(r, &mut |p| {
                let (stage, done) = match p {
                    taem_sync::Progress::Bootstrap { members } => {
                        (ProgressStage::Bootstrap, members)
                    }
                    taem_sync::Progress::Push { sent, .. } => (ProgressStage::Push, sent),
                    taem_sync::Progress::Pull { changes } => (ProgressStage::Pull, changes),
                };
                progress(Progress {
                    stage,
                    done,
                    total: None,
                });
            }));
            shared.syncing.store(false, Ordering::SeqCst);
            // The window refreshes its status bar on this event rather than only on a timer
            // (a webview may slow timers down while the window is covered).
            progress(Progress {
                stage: ProgressStage::Synced,
                done: shared.control().cycles + 1,
                total: None,
            });
            match result {
                Ok(_) => {
                    backoff = None;
                    ONLINE_INTERVAL
                }
                Err(SyncError::Offline { .. }) => backoff
                    .get_or_insert_with(offline_backoff)
                    .next()
                    .unwrap_or(OFFLINE_MAX),
                Err(SyncError::Refused { status: 401, .. }) => IDLE_INTERVAL,
                Err(e) => {
                    tracing::warn!("sync failed: {e}");
                    OFFLINE_MAX
                }
            }
        } else {
            IDLE_INTERVAL
        };
        // Sales leave their tier credit for a fold; a batch per cycle keeps that backlog
        // short without holding the write lock for long.
        if let Some(r) = replica.as_mut()
            && let Err(e) = r.fold_tier_credit(taem_replica::FOLD_BATCH)
        {
            tracing::warn!("folding tier credit: {e}");
        }
        let mut control = shared.control();
        control.cycles += 1;
        shared.changed.notify_all();
        let (mut control, _) = shared
            .changed
            .wait_timeout_while(control, wait, |c| !c.wake && !c.stop)
            .unwrap_or_else(|p| p.into_inner());
        if control.stop {
            return;
        }
        control.wake = false;
    }
}
