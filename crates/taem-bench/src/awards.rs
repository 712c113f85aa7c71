//! Bench 5: the durable award in bursts, like a busy counter, with the replica's idle
//! checkpointer running; against a bare durable one-row insert on the same file, in the same
//! bursty pattern with the same idle-checkpoint policy.
//!
//! The award is timed as the counter app makes it: the cashier has found the member (their
//! card is on screen: member row, tier progress, last activity) and previewed the points, and
//! the form sends the award by member code with the operation id it minted for a safe retry.
//! Only the award is timed. A second figure times the award a POS integration sends blind
//! (`taem-counter award --phone …`, no card, no operation id), where every page the award
//! reads may have to come from disk: this machine's kernel drops a file's cached pages
//! within a minute or two of their last use (docs/benchmarks.md).
//!
//! Bursts rotate: 50 counter awards, pause, 50 bare inserts, pause, 50 blind awards, pause,
//! 50 bare inserts, … Each side is then the only writer during its burst, as a counter is.
//! (Interleaving single commits of two connections would make each connection drop its page
//! cache at every commit, because SQLite discards a connection's cache whenever another
//! connection has written: that penalises the side that touches more pages, i.e. the award,
//! by ≈0.1 ms, and no counter works that way.)

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use anyhow::Context;
use rand::Rng;
use rusqlite::{Connection, OpenFlags};
use taem_core::{MemberCode, Money, Phone};
use taem_replica::{AwardRequest, Checkpointer, MemberKey, Replica};

use crate::Sizes;
use crate::figures::{Figure, Goal, Latencies, millis};
use crate::procstat::{DiskReads, thread_cpu_ns, thread_disk_reads};
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

/// Who commits in a burst.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Side {
    /// The counter app's award: card on screen, by code, with the form's operation id.
    Counter,
    /// A POS integration's award: by phone, nothing read before.
    Blind,
    /// The baseline's bare insert.
    Bare,
}

impl Side {
    /// The burst rotation: every other burst is the baseline's.
    fn of_burst(burst: usize) -> Side {
        match burst % 4 {
            0 => Side::Counter,
            2 => Side::Blind,
            _ => Side::Bare,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Side::Counter => "award",
            Side::Blind => "blind award",
            Side::Bare => "bare insert",
        }
    }
}

/// One timed commit.
struct Sample {
    took: Duration,
    side: Side,
    position: usize,
    /// What the commit read from the disk (the bench thread's own reads only).
    read: DiskReads,
    /// How long of it the bench thread was on a CPU (the rest is waiting, for the disk).
    cpu: Duration,
}

/// Runs `commit`, timing it, counting the disk reads it made and its time on a CPU.
fn measured<T>(
    commit: impl FnOnce() -> anyhow::Result<T>,
) -> anyhow::Result<(T, Duration, DiskReads, Duration)> {
    let reads_before = thread_disk_reads().unwrap_or_default();
    let cpu_before = thread_cpu_ns().unwrap_or(0);
    let started = Instant::now();
    let out = commit()?;
    let took = started.elapsed();
    let cpu = Duration::from_nanos(thread_cpu_ns().unwrap_or(0).saturating_sub(cpu_before));
    let read = thread_disk_reads().unwrap_or_default().since(reads_before);
    Ok((out, took, read, cpu))
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
        "bench: durable award ({total} counter awards, {total} blind awards and {} bare inserts \
         in rotating bursts of {BURST_COMMITS}, {pause_ms} ms apart, first {} of each untimed)",
        2 * total,
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
    let targets = |side: Side| if side == Side::Bare { 2 * total } else { total };
    let mut done = [0usize; 3];
    let mut bills = 0usize;
    for burst in 0.. {
        if [Side::Counter, Side::Blind, Side::Bare]
            .iter()
            .all(|&side| done[side as usize] >= targets(side))
        {
            break;
        }
        if burst > 0 {
            wal_bytes_max = wal_bytes_max.max(std::fs::metadata(&wal).map_or(0, |m| m.len()));
            std::thread::sleep(Duration::from_millis(pause_ms));
        }
        let side = Side::of_burst(burst);
        for position in 0..BURST_COMMITS {
            if done[side as usize] >= targets(side) {
                break;
            }
            let (took, read, cpu) = match side {
                Side::Bare => {
                    let x = rng.random_range(0..i64::MAX);
                    let ((), took, read, cpu) = measured(|| {
                        insert.execute([x])?;
                        Ok(())
                    })?;
                    baseline_checkpoints.note_write();
                    (took, read, cpu)
                }
                Side::Counter | Side::Blind => {
                    bills += 1;
                    award(replica, pool, &mut rng, side, format!("BENCH-{bills:07}"))?
                }
            };
            done[side as usize] += 1;
            let warm = if side == Side::Bare {
                2 * sizes.awards_warmup
            } else {
                sizes.awards_warmup
            };
            if done[side as usize] > warm {
                samples.push(Sample {
                    took,
                    side,
                    position,
                    read,
                    cpu,
                });
            }
        }
    }
    drop(replica_checkpoints);
    drop(baseline_checkpoints);
    report_slowest(&mut samples, wal_bytes_max);
    let of = |side: Side| {
        Latencies::new(
            samples
                .iter()
                .filter(|s| s.side == side)
                .map(|s| s.took)
                .collect(),
        )
    };
    let (counter, blind, bare) = (of(Side::Counter), of(Side::Blind), of(Side::Bare));
    let figure = |name: &str, ours: &Latencies, q: f64, goal: Goal| {
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
        figure("award_durable_p50", &counter, 0.5, Goal::ratio(1.5)),
        figure("award_durable_p99", &counter, 0.99, Goal::default()),
        figure("award_durable_p99_9", &counter, 0.999, Goal::below(2.0)),
        figure("award_blind_p50", &blind, 0.5, Goal::default()),
        figure("award_blind_p99_9", &blind, 0.999, Goal::default()),
    ])
}

/// One award, timed alone, with what it read from the disk and its time on a CPU. A counter
/// award first does what the cashier's screen does: the search by phone, the member's card by
/// code, then the preview of the points for the amount.
fn award(
    replica: &mut Replica,
    pool: &[Member],
    rng: &mut impl Rng,
    side: Side,
    bill_no: String,
) -> anyhow::Result<(Duration, DiskReads, Duration)> {
    let member = workload::pick(pool, rng);
    let amount = Money::from_satang(rng.random_range(AMOUNT_SATANG_MIN..=AMOUNT_SATANG_MAX))?;
    let request = if side == Side::Counter {
        let found = replica.find(&member.phone, 20)?;
        let code = &found
            .members
            .first()
            .context("the member's phone finds them")?
            .code;
        let by_code = MemberKey::Code(MemberCode::parse(code)?);
        black_box(replica.member(&by_code)?);
        black_box(replica.preview_award(&by_code, amount)?);
        AwardRequest {
            member: by_code,
            bill_no,
            amount,
            op_id: Some(uuid::Uuid::now_v7()),
        }
    } else {
        AwardRequest {
            member: MemberKey::Phone(Phone::parse(&member.phone)?),
            bill_no,
            amount,
            op_id: None,
        }
    };
    let bill = request.bill_no.clone();
    let (receipt, took, read, cpu) = measured(|| {
        replica
            .award(request)
            .with_context(|| format!("award for bill {bill}"))
    })?;
    anyhow::ensure!(
        !receipt.replayed && receipt.points > 0,
        "award {bill} did not earn"
    );
    black_box(receipt);
    Ok((took, read, cpu))
}

/// Lists each side's slowest commits: whether a tail comes from burst starts (a checkpoint
/// still running when the next customer comes) or from anywhere (the disk), and which
/// commits had to read from the disk (`+d`) and what that cost.
fn report_slowest(samples: &mut [Sample], wal_bytes_max: u64) {
    samples.sort_unstable_by_key(|s| std::cmp::Reverse(s.took));
    for side in [Side::Counter, Side::Blind, Side::Bare] {
        // Slowest first, as sorted above.
        let of_side: Vec<&Sample> = samples.iter().filter(|s| s.side == side).collect();
        let slowest: Vec<String> = of_side
            .iter()
            .take(SLOWEST_SHOWN)
            .map(|s| {
                let disk = if s.read.any() { " +d" } else { "" };
                format!("{:.2} ms (#{}{disk})", millis(s.took), s.position + 1)
            })
            .collect();
        eprintln!(
            "  slowest {} (place in burst): {}",
            side.name(),
            slowest.join(", ")
        );
        let on_cpu = Latencies::new(of_side.iter().map(|s| s.cpu).collect());
        eprintln!(
            "    on a CPU: p50 {:.3} ms, p90 {:.3} ms",
            millis(on_cpu.quantile(0.5)),
            millis(on_cpu.quantile(0.9))
        );
        let (read, clean): (Vec<&Sample>, Vec<&Sample>) =
            of_side.iter().partition(|s| s.read.any());
        let median =
            |of: &[&Sample]| Latencies::new(of.iter().map(|s| s.took).collect()).quantile(0.5);
        if !read.is_empty() {
            let faults: u64 = read.iter().map(|s| s.read.major_faults).sum();
            let bytes: u64 = read.iter().map(|s| s.read.read_bytes).sum();
            eprintln!(
                "    {} of {} read from the disk ({faults} page faults, {:.1} KB): p50 {:.3} ms \
                 against {:.3} ms for the others",
                read.len(),
                read.len() + clean.len(),
                bytes as f64 / 1e3,
                millis(median(&read)),
                millis(median(&clean)),
            );
        }
    }
    eprintln!(
        "  largest WAL seen between bursts: {:.1} MB",
        wal_bytes_max as f64 / 1e6
    );
}

/// The replica's idle checkpoint policy for the baseline's writes (the replica's
/// `Checkpointer` only sees the replica's own commits): a PASSIVE checkpoint from a separate
/// connection once the baseline has not written for `CHECKPOINT_IDLE_MS`.
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
