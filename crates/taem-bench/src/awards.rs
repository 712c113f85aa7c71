//! Bench 5: the durable award in bursts, like a busy counter, with the replica's idle
//! checkpointer running; against a bare durable one-row insert on the same file, in the same
//! bursty pattern with the same idle-checkpoint policy.
//!
//! Bursts alternate: 50 awards, pause, 50 bare inserts, pause, … Each side is then the only
//! writer during its burst, as a counter is. (Interleaving single commits of two connections
//! would make each connection drop its page cache at every commit, because SQLite discards a
//! connection's cache whenever another connection has written: that penalises the side that
//! touches more pages, i.e. the award, by ≈0.1 ms, and no counter works that way.)

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use anyhow::Context;
use rand::Rng;
use rusqlite::{Connection, OpenFlags};
use taem_core::{Money, Phone};
use taem_replica::{AwardRequest, Checkpointer, MemberKey, Replica};

use crate::Sizes;
use crate::figures::{Figure, Goal, Latencies, millis};
use crate::workload::{self, Member};

/// Commits in one burst: a queue at the counter.
const BURST_COMMITS: usize = 50;
/// Purchase amounts drawn, in satang (50–2,000 baht).
const AMOUNT_SATANG_MIN: i64 = 5_000;
const AMOUNT_SATANG_MAX: i64 = 200_000;
/// The replica checkpointer's policy, applied to the baseline's writes too.
const IDLE_BEFORE_CHECKPOINT_MS: i64 = taem_replica::CHECKPOINT_IDLE_MS as i64;
use taem_replica::CHECKPOINT_POLL_MS;
/// Slowest commits listed on stderr, with their place in the burst.
const SLOWEST_SHOWN: usize = 10;

const BASELINE: &str =
    "bare durable 1-row INSERT commit (WAL, synchronous=FULL), same bursts and idle checkpoints";

/// One timed commit.
struct Sample {
    took: Duration,
    award: bool,
    position: usize,
}

/// Runs the award bench; `pause_ms` is the quiet time between bursts.
pub fn run(
    replica: &mut Replica,
    raw: &Connection,
    pool: &[Member],
    sizes: &Sizes,
    seed: u64,
    pause_ms: u64,
) -> anyhow::Result<Vec<Figure>> {
    let total = sizes.awards_warmup + sizes.awards;
    eprintln!(
        "bench: durable award ({total} awards and {total} bare inserts in alternating bursts of \
         {BURST_COMMITS}, {pause_ms} ms apart, first {} of each untimed)",
        sizes.awards_warmup
    );
    raw.execute_batch(
        "CREATE TABLE IF NOT EXISTS bench_baseline(id INTEGER PRIMARY KEY, x INTEGER NOT NULL)",
    )?;
    let wal = PathBuf::from(format!("{}-wal", replica.path().display()));
    let replica_checkpoints = Checkpointer::start(replica)?;
    let baseline_checkpoints = IdleCheckpointer::start(replica.path())?;
    let mut rng = workload::rng(seed, "awards");
    let mut insert = raw.prepare("INSERT INTO bench_baseline(x) VALUES (?1)")?;
    let mut samples = Vec::new();
    let mut wal_bytes_max = 0u64;
    let (mut awarded, mut inserted) = (0usize, 0usize);
    for burst in 0.. {
        if awarded == total && inserted == total {
            break;
        }
        if burst > 0 {
            wal_bytes_max = wal_bytes_max.max(std::fs::metadata(&wal).map_or(0, |m| m.len()));
            std::thread::sleep(Duration::from_millis(pause_ms));
        }
        let award = burst % 2 == 0;
        for position in 0..BURST_COMMITS {
            let took = if award && awarded < total {
                let member = workload::pick(pool, &mut rng);
                let request = AwardRequest {
                    member: MemberKey::Phone(Phone::parse(&member.phone)?),
                    bill_no: format!("BENCH-{awarded:07}"),
                    amount: Money::from_satang(
                        rng.random_range(AMOUNT_SATANG_MIN..=AMOUNT_SATANG_MAX),
                    )?,
                    op_id: None,
                };
                let bill = request.bill_no.clone();
                let started = Instant::now();
                let receipt = replica
                    .award(request)
                    .with_context(|| format!("award for bill {bill}"))?;
                let took = started.elapsed();
                anyhow::ensure!(
                    !receipt.replayed && receipt.points > 0,
                    "award {bill} did not earn"
                );
                black_box(receipt);
                awarded += 1;
                (awarded > sizes.awards_warmup).then_some(took)
            } else if !award && inserted < total {
                let x = rng.random_range(0..i64::MAX);
                let started = Instant::now();
                insert.execute([x])?;
                let took = started.elapsed();
                baseline_checkpoints.note_write();
                inserted += 1;
                (inserted > sizes.awards_warmup).then_some(took)
            } else {
                None
            };
            samples.extend(took.map(|took| Sample {
                took,
                award,
                position,
            }));
        }
    }
    drop(replica_checkpoints);
    drop(baseline_checkpoints);
    report_slowest(&mut samples, wal_bytes_max);
    let side = |award: bool| {
        Latencies::new(
            samples
                .iter()
                .filter(|s| s.award == award)
                .map(|s| s.took)
                .collect(),
        )
    };
    let (ours, bare) = (side(true), side(false));
    let figure = |name: &str, q: f64, goal: Goal| {
        Figure::new(
            name,
            millis(ours.quantile(q)),
            "ms",
            BASELINE,
            millis(bare.quantile(q)),
            goal,
        )
    };
    Ok(vec![
        figure("award_durable_p50", 0.5, Goal::ratio(1.5)),
        figure("award_durable_p99", 0.99, Goal::default()),
        figure("award_durable_p99_9", 0.999, Goal::below(2.0)),
    ])
}

/// Lists the slowest commits: whether a tail comes from burst starts (a checkpoint still
/// running when the next customer comes) or from anywhere (the disk).
fn report_slowest(samples: &mut [Sample], wal_bytes_max: u64) {
    samples.sort_unstable_by_key(|s| std::cmp::Reverse(s.took));
    for s in samples.iter().take(SLOWEST_SHOWN) {
        eprintln!(
            "  slow: {:.3} ms {} (commit {} of its burst)",
            millis(s.took),
            if s.award { "award" } else { "bare insert" },
            s.position + 1
        );
    }
    eprintln!(
        "  largest WAL seen between bursts: {:.1} MB",
        wal_bytes_max as f64 / 1e6
    );
}

/// The replica's idle checkpoint policy for the baseline's writes (the replica's
/// `Checkpointer` only sees the replica's own commits): a PASSIVE checkpoint from a separate
/// connection once the baseline has not written for 250 ms.
struct IdleCheckpointer {
    stop: Arc<AtomicBool>,
    last_write_ms: Arc<AtomicI64>,
    origin: Instant,
    handle: Option<JoinHandle<()>>,
}

impl IdleCheckpointer {
    fn start(path: &Path) -> anyhow::Result<IdleCheckpointer> {
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        let stop = Arc::new(AtomicBool::new(false));
        let last_write_ms = Arc::new(AtomicI64::new(-1));
        let origin = Instant::now();
        let (stop_flag, last) = (stop.clone(), last_write_ms.clone());
        let handle = std::thread::Builder::new()
            .name("bench-checkpoint".into())
            .spawn(move || {
                let mut checkpointed = -1i64;
                while !stop_flag.load(Ordering::Relaxed) {
                    std::thread::sleep(Duration::from_millis(CHECKPOINT_POLL_MS));
                    let written = last.load(Ordering::Relaxed);
                    let now = origin.elapsed().as_millis() as i64;
                    if written >= 0
                        && written != checkpointed
                        && now - written >= IDLE_BEFORE_CHECKPOINT_MS
                    {
                        let _ = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()));
                        checkpointed = written;
                    }
                }
            })?;
        Ok(IdleCheckpointer {
            stop,
            last_write_ms,
            origin,
            handle: Some(handle),
        })
    }

    fn note_write(&self) {
        let now = self.origin.elapsed().as_millis() as i64;
        self.last_write_ms.store(now, Ordering::Relaxed);
    }
}

impl Drop for IdleCheckpointer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(handle) = self.handle.take() {
            let _ = handle.join();
        }
    }
}
