//! Bench 7: peak memory of the `taem-counter` binary answering look-ups over stdin (how a POS
//! integration keeps one counter process open).
//!
//! Baseline: the same process's high-water mark right after its first answer, i.e. the
//! binary's floor with the replica open. The ratio shows how much answering many look-ups adds;
//! the goal is on the peak itself.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::Context;
use rand::Rng;

use crate::Sizes;
use crate::figures::{Figure, Goal};
use crate::procstat::{high_water_kb, status_kb};
use crate::workload::{self, Member};

const COUNTER_BINARY: &str = "taem-counter";
const PEAK_RSS_MB_MAX: f64 = 200.0;
const BYTES_PER_MB: f64 = 1e6;
const BASELINE: &str = "VmHWM of the same taem-counter process after its first answer (its floor)";

/// Runs the bench; `None` (after saying why) when the counter binary has not been built.
pub fn run(
    replica_dir: &Path,
    pool: &[Member],
    sizes: &Sizes,
    seed: u64,
) -> anyhow::Result<Option<Figure>> {
    let exe = counter_binary()?;
    if !exe.exists() {
        eprintln!(
            "SKIPPED counter peak RSS: {} is missing; build it first with \
             `cargo build --release -p taem-counter` (plain `cargo build -p taem-counter` for a \
             debug bench)",
            exe.display()
        );
        return Ok(None);
    }
    let n = sizes.counter_queries.max(1);
    eprintln!(
        "bench: peak RSS of {} answering {n} mixed searches",
        exe.display()
    );
    let mut rng = workload::rng(seed, "rss");
    let mut queries = Vec::with_capacity(n);
    while queries.len() < n {
        let m = workload::pick(pool, &mut rng);
        let q = match rng.random_range(0..3) {
            0 => Some(workload::typed_phone(&m.phone, &mut rng)),
            1 => Some(workload::last4(&m.phone)),
            _ => workload::name_fragment(m, &mut rng),
        };
        queries.extend(q);
    }

    let mut child = Command::new(&exe)
        .arg("--data-dir")
        .arg(replica_dir)
        .args(["--json", "member", "find", "--stdin", "--limit", "20"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .with_context(|| format!("starting {}", exe.display()))?;
    let pid = child.id();
    let mut stdin = child.stdin.take().context("counter stdin")?;
    let mut stdout = BufReader::new(child.stdout.take().context("counter stdout")?);
    let mut line = String::new();
    let mut errors = 0usize;
    let mut floor_kb = 0;
    for (i, q) in queries.iter().enumerate() {
        writeln!(stdin, "{q}")?;
        stdin.flush()?;
        line.clear();
        let read = stdout.read_line(&mut line)?;
        anyhow::ensure!(
            read > 0,
            "taem-counter stopped answering at search {i} ({q}); if it refused the replica, \
             rebuild it from the same sources as the bench: cargo build --release -p taem-counter"
        );
        if line.starts_with("{\"error\"") {
            errors += 1;
        }
        if i == 0 {
            floor_kb = high_water_kb(pid)?;
        }
    }
    let peak_kb = high_water_kb(pid)?;
    let resident = resident_breakdown(pid)?;
    drop(stdin);
    let status = child.wait()?;
    anyhow::ensure!(status.success(), "taem-counter exited with {status}");
    anyhow::ensure!(
        errors == 0,
        "taem-counter answered {errors} of {n} searches with an error"
    );
    let mb = |kb: u64| (kb * 1024) as f64 / BYTES_PER_MB;
    eprintln!(
        "  VmHWM after the first answer {:.1} MB, after {n}: {:.1} MB (now resident: {resident})",
        mb(floor_kb),
        mb(peak_kb)
    );
    Ok(Some(Figure::new(
        "counter_peak_rss",
        mb(peak_kb),
        "MB",
        BASELINE,
        mb(floor_kb),
        Goal::below(PEAK_RSS_MB_MAX),
    )))
}

/// The counter next to this executable (both are built into the same target folder).
fn counter_binary() -> anyhow::Result<PathBuf> {
    Ok(std::env::current_exe()?.with_file_name(COUNTER_BINARY))
}

/// This process's own peak resident set, in MB.
pub fn own_peak_mb() -> anyhow::Result<f64> {
    Ok(high_water_kb(std::process::id())? as f64 * 1024.0 / BYTES_PER_MB)
}

/// What the resident set is made of now: heap and stacks (anonymous) versus pages of the
/// memory-mapped replica file (file-backed, clean, given back to the page cache under
/// memory pressure).
fn resident_breakdown(pid: u32) -> anyhow::Result<String> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    let get = |key| {
        status_kb(&status, key).map_or("?".to_string(), |kb| {
            format!("{:.1} MB", (kb * 1024) as f64 / BYTES_PER_MB)
        })
    };
    Ok(format!(
        "VmRSS {}, RssAnon {}, RssFile {}",
        get("VmRSS:"),
        get("RssAnon:"),
        get("RssFile:")
    ))
}
