//! `taem-app-perf`: the desktop app's performance figures, measured in its real window.
//!
//! Run a release build under a display (scripts/perf-app does all of it):
//!
//! ```text
//! cargo build --release -p taem-desktop -p taem-counter -p taem-app-e2e
//! xvfb-run -a target/release/taem-app-perf --members 1000000 --json
//! ```
//!
//! It makes (once) a demo replica of `--members` members with `taem-counter demo`, then:
//! - **cold start**: starts the app `--starts` times and takes, from `/proc`, the moment the
//!   process was started and, from the page, the moment its first screen (sign-in) was usable;
//!   then signs in and takes the moment the counter's search box was ready. Baseline: the
//!   `taem-counter` process opening the same replica and answering one phone look-up.
//! - **keystroke → results**: types `--searches` queries a cashier would type (parts of Thai
//!   names, last 4 digits, phones) into the search box; the page times each answer from the
//!   keystroke to the results in the DOM and to the next frame (`ui/src/lib/perf.ts`).
//!   Baseline: `Replica::find` for the same queries in this process.
//! - **memory**: the proportional set size (PSS) of the app and every process below it (WebKit's
//!   web and network processes) after the searches, and the app process's own peak RSS. Baseline:
//!   the same PSS total at the first screen, before a member was read.
//!
//! Figures print as a table, or with `--json` one object per line:
//! `{"bench","value","unit","baseline","baseline_value","ratio"}`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::{Context, bail, ensure};
use clap::Parser;
use taem_app_e2e::Window;
use taem_bench::figures::{self, Figure, Goal, Latencies};
use taem_bench::procstat::{high_water_kb, status_kb};
use taem_bench::workload;
use taem_replica::{OpenMode, REPLICA_FILE_NAME, Replica, SystemEnvironment};

/// The issue's goals.
const COLD_START_MS_MAX: f64 = 1500.0;
const KEYSTROKE_MS_MAX: f64 = 50.0;
const APP_MEMORY_MB_MAX: f64 = 300.0;
/// What a cashier signs in as (`taem-demo`'s DEMO_STAFF).
const CASHIER: (&str, &str) = ("มานี", "1111");
const BYTES_PER_MB: f64 = 1e6;
/// How long one step may take before the run fails.
const STEP_TIMEOUT: Duration = Duration::from_secs(60);

/// The desktop app's performance, measured in its real window.
#[derive(Debug, Parser)]
#[command(name = "taem-app-perf")]
struct Args {
    /// Members in the demo replica.
    #[arg(long, default_value_t = 1_000_000)]
    members: u64,
    /// Where the demo replica is kept between runs (default: perf-app-<members> in the build folder).
    #[arg(long)]
    data_dir: Option<PathBuf>,
    /// The app binary (default: taem-desktop next to this program).
    #[arg(long)]
    app: Option<PathBuf>,
    /// How many times to start the app.
    #[arg(long, default_value_t = 5)]
    starts: usize,
    /// How many queries to type.
    #[arg(long, default_value_t = 200)]
    searches: usize,
    /// Seed for the queries.
    #[arg(long, default_value_t = 2026)]
    seed: u64,
    /// Print JSON lines instead of the table.
    #[arg(long)]
    json: bool,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let here = std::env::current_exe()?;
    let bin_dir = here
        .parent()
        .context("this program's folder")?
        .to_path_buf();
    let app = args
        .app
        .clone()
        .unwrap_or_else(|| bin_dir.join("taem-desktop"));
    ensure!(
        app.exists(),
        "{} is not built: cargo build --release -p taem-desktop (or give --app)",
        app.display()
    );
    let counter = bin_dir.join("taem-counter");
    ensure!(
        counter.exists(),
        "{} is not built: cargo build --release -p taem-counter",
        counter.display()
    );
    let data_dir = args
        .data_dir
        .clone()
        .unwrap_or_else(|| bin_dir.join(format!("perf-app-{}", args.members)));
    ensure_replica(&counter, &data_dir, args.members)?;

    let queries = queries(&data_dir, args.searches, args.seed)?;
    let baseline_find = time_finds(&data_dir, &queries)?;
    let baseline_start = time_counter_lookups(&counter, &data_dir, &queries, args.starts)?;

    let runtime = tokio::runtime::Runtime::new()?;
    let measured = runtime.block_on(measure_window(&app, &data_dir, &queries, &args))?;

    let mut out = Vec::new();
    let start_base = "taem-counter process: open the replica, one phone look-up (median)";
    out.push(Figure::new(
        "app_cold_start_first_screen_p50",
        measured.first_screen.quantile(0.5).as_secs_f64() * 1e3,
        "ms",
        start_base,
        figures::millis(baseline_start),
        Goal::default(),
    ));
    out.push(Figure::new(
        "app_signin_to_counter_p50",
        figures::millis(measured.signin.quantile(0.5)),
        "ms",
        start_base,
        figures::millis(baseline_start),
        Goal::default(),
    ));
    out.push(Figure::new(
        "app_cold_start_to_counter_p50",
        figures::millis(measured.to_counter.quantile(0.5)),
        "ms",
        start_base,
        figures::millis(baseline_start),
        Goal::below(COLD_START_MS_MAX),
    ));
    out.push(Figure::new(
        "app_cold_start_to_counter_max",
        figures::millis(measured.to_counter.quantile(1.0)),
        "ms",
        start_base,
        figures::millis(baseline_start),
        Goal::below(COLD_START_MS_MAX),
    ));
    let find_base = "Replica::find, same queries, in-process";
    for (q, name) in [(0.5, "p50"), (0.95, "p95"), (0.99, "p99")] {
        out.push(Figure::new(
            &format!("app_keystroke_to_results_{name}"),
            figures::millis(measured.frame.quantile(q)),
            "ms",
            find_base,
            figures::millis(baseline_find.quantile(q)),
            Goal::below(KEYSTROKE_MS_MAX),
        ));
    }
    out.push(Figure::new(
        "app_keystroke_to_dom_p99",
        figures::millis(measured.dom.quantile(0.99)),
        "ms",
        find_base,
        figures::millis(baseline_find.quantile(0.99)),
        Goal::below(KEYSTROKE_MS_MAX),
    ));
    let pss_base = "the same processes at the first screen (no member read yet)";
    out.push(Figure::new(
        "app_memory_pss_total",
        measured.pss_after_mb,
        "MB",
        pss_base,
        measured.pss_first_mb,
        Goal::below(APP_MEMORY_MB_MAX),
    ));
    out.push(Figure::new(
        "app_ui_process_peak_rss",
        measured.app_peak_rss_mb,
        "MB",
        pss_base,
        measured.pss_first_mb,
        Goal::below(APP_MEMORY_MB_MAX),
    ));
    eprintln!(
        "{} samples of keystroke → results over {} queries; {} cold starts; {} members",
        measured.samples,
        queries.len(),
        args.starts,
        args.members
    );
    figures::print(&out, args.json)
}

/// Makes the demo replica once (kept for later runs).
fn ensure_replica(counter: &Path, dir: &Path, members: u64) -> anyhow::Result<()> {
    if dir.join(REPLICA_FILE_NAME).exists() {
        eprintln!("replica: {} (kept from an earlier run)", dir.display());
        return Ok(());
    }
    std::fs::create_dir_all(dir)?;
    eprintln!(
        "replica: generating {members} members in {} ...",
        dir.display()
    );
    let t = Instant::now();
    let status = Command::new(counter)
        .arg("--data-dir")
        .arg(dir)
        .args(["demo", "--members", &members.to_string()])
        .status()
        .context("running taem-counter demo")?;
    ensure!(status.success(), "taem-counter demo failed ({status})");
    eprintln!("replica: made in {:.1} s", t.elapsed().as_secs_f64());
    Ok(())
}

/// One query a cashier types.
#[derive(Clone, Debug)]
struct Query {
    text: String,
    /// A phone (for the process baseline).
    phone: String,
}

/// Queries for random members: a part of a name, the last 4 digits, a phone; in turn.
fn queries(dir: &Path, count: usize, seed: u64) -> anyhow::Result<Vec<Query>> {
    let conn = rusqlite::Connection::open_with_flags(
        dir.join(REPLICA_FILE_NAME),
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    )?;
    let pool = workload::sample_members(&conn, count, seed)?;
    let mut rng = workload::rng(seed, "app-perf");
    let mut out = Vec::with_capacity(count);
    for (i, m) in pool.iter().cycle().take(count).enumerate() {
        let text = match i % 3 {
            0 => workload::name_fragment(m, &mut rng).unwrap_or_else(|| workload::last4(&m.phone)),
            1 => workload::last4(&m.phone),
            _ => workload::typed_phone(&m.phone, &mut rng),
        };
        out.push(Query {
            text,
            phone: m.phone.clone(),
        });
    }
    Ok(out)
}

/// The baseline for keystroke → results: the replica's own find, in this process.
fn time_finds(dir: &Path, queries: &[Query]) -> anyhow::Result<Latencies> {
    let replica = Replica::open(dir, OpenMode::ReadOnly, Arc::new(SystemEnvironment))?;
    for q in queries.iter().take(20) {
        replica.find(&q.text, 20)?; // warm the page cache like the app's first searches do
    }
    let mut samples = Vec::with_capacity(queries.len());
    for q in queries {
        let t = Instant::now();
        let found = replica.find(&q.text, 20)?;
        samples.push(t.elapsed());
        std::hint::black_box(found);
    }
    Ok(Latencies::new(samples))
}

/// The baseline for cold start: a `taem-counter` process answering one look-up (median).
fn time_counter_lookups(
    counter: &Path,
    dir: &Path,
    queries: &[Query],
    runs: usize,
) -> anyhow::Result<Duration> {
    let mut samples = Vec::new();
    for q in queries.iter().take(runs.max(1)) {
        let t = Instant::now();
        let out = Command::new(counter)
            .arg("--data-dir")
            .arg(dir)
            .args(["member", "find", &q.phone, "--json"])
            .output()?;
        samples.push(t.elapsed());
        ensure!(
            out.status.success(),
            "taem-counter member find failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    Ok(Latencies::new(samples).quantile(0.5))
}

struct Measured {
    first_screen: Latencies,
    signin: Latencies,
    to_counter: Latencies,
    frame: Latencies,
    dom: Latencies,
    samples: usize,
    pss_first_mb: f64,
    pss_after_mb: f64,
    app_peak_rss_mb: f64,
}

async fn measure_window(
    app: &Path,
    dir: &Path,
    queries: &[Query],
    args: &Args,
) -> anyhow::Result<Measured> {
    let mut first_screen = Vec::new();
    let mut signin = Vec::new();
    let mut to_counter = Vec::new();
    let starts = args.starts.max(1);
    for i in 0..starts {
        let w = Window::open_app(app, dir, &[]).await?;
        let pid = app_pid(w.driver_pid())?;
        let first = wait_number(&w, "return window.__taemPerf?.firstScreen ?? null").await?;
        let origin = js_number(&w, "return performance.timeOrigin").await?;
        let started = process_start_epoch_ms(pid)?;
        let cold = Duration::from_secs_f64(((origin + first) - started).max(0.0) / 1e3);
        let pss_first_mb = pss_tree_mb(pid)?;

        w.fill("signin-name", CASHIER.0).await?;
        w.fill("signin-pin", CASHIER.1).await?;
        let clicked = js_number(
            &w,
            "const t = performance.now(); \
             document.querySelector('[data-testid=\"signin-submit\"]').click(); return t;",
        )
        .await?;
        let ready = wait_number(&w, "return window.__taemPerf?.counterReady ?? null").await?;
        let sign = Duration::from_secs_f64((ready - clicked).max(0.0) / 1e3);
        eprintln!(
            "start {}/{starts}: first screen {:.0} ms after the process started, counter {:.0} ms after sign-in",
            i + 1,
            figures::millis(cold),
            figures::millis(sign)
        );
        first_screen.push(cold);
        signin.push(sign);
        to_counter.push(cold + sign);
        if i + 1 < starts {
            w.close().await?;
            continue;
        }
        let (frame, dom) = type_queries(&w, queries).await?;
        let pss_after_mb = pss_tree_mb(pid)?;
        let app_peak_rss_mb = high_water_kb(pid)? as f64 * 1024.0 / BYTES_PER_MB;
        w.close().await?;
        let samples = frame.len();
        return Ok(Measured {
            first_screen: Latencies::new(first_screen),
            signin: Latencies::new(signin),
            to_counter: Latencies::new(to_counter),
            frame: Latencies::new(frame),
            dom: Latencies::new(dom),
            samples,
            pss_first_mb,
            pss_after_mb,
            app_peak_rss_mb,
        });
    }
    unreachable!("the last start returns")
}

/// Types each query into the search box; answers the page's timings (to the frame, to the DOM).
async fn type_queries(
    w: &Window,
    queries: &[Query],
) -> anyhow::Result<(Vec<Duration>, Vec<Duration>)> {
    w.el("search").await?;
    for (i, q) in queries.iter().enumerate() {
        w.fill("search", &q.text).await?;
        let script = format!(
            "const s = window.__taemPerf?.searches ?? []; \
             return s.length > 0 && s[s.length - 1].query === {} ? s.length : null;",
            serde_json::to_string(&q.text)?
        );
        wait_number(w, &script)
            .await
            .with_context(|| format!("query {} ({:?}) showed no results", i + 1, q.text))?;
        if (i + 1) % 50 == 0 {
            eprintln!("  typed {}/{} queries", i + 1, queries.len());
        }
    }
    let all = w
        .client
        .execute("return window.__taemPerf.searches", vec![])
        .await?;
    let list = all.as_array().context("the page's search timings")?;
    let ms = |v: &serde_json::Value, k: &str| {
        Duration::from_secs_f64(v[k].as_f64().unwrap_or(0.0).max(0.0) / 1e3)
    };
    Ok((
        list.iter().map(|v| ms(v, "frame")).collect(),
        list.iter().map(|v| ms(v, "dom")).collect(),
    ))
}

async fn js_number(w: &Window, script: &str) -> anyhow::Result<f64> {
    let v = w.client.execute(script, vec![]).await?;
    v.as_f64()
        .with_context(|| format!("{script} answered {v}, not a number"))
}

/// Polls `script` until it answers a number.
async fn wait_number(w: &Window, script: &str) -> anyhow::Result<f64> {
    let deadline = Instant::now() + STEP_TIMEOUT;
    loop {
        if let Some(n) = w.client.execute(script, vec![]).await?.as_f64() {
            return Ok(n);
        }
        if Instant::now() > deadline {
            bail!("{script} answered nothing within {STEP_TIMEOUT:?}");
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

/// Every process's parent, from `/proc/<pid>/stat`.
fn parents() -> HashMap<u32, u32> {
    let mut map = HashMap::new();
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return map;
    };
    for e in entries.flatten() {
        let Some(pid) = e.file_name().to_str().and_then(|s| s.parse::<u32>().ok()) else {
            continue;
        };
        if let Some(fields) = stat_fields(pid)
            && let Some(ppid) = fields.get(1).and_then(|p| p.parse().ok())
        {
            map.insert(pid, ppid);
        }
    }
    map
}

/// The fields of `/proc/<pid>/stat` after the command name (the first is the state, field 3).
fn stat_fields(pid: u32) -> Option<Vec<String>> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let rest = &stat[stat.rfind(')')? + 1..];
    Some(rest.split_whitespace().map(str::to_string).collect())
}

/// `root` and every process below it.
fn tree(root: u32) -> Vec<u32> {
    let parents = parents();
    let mut out = vec![root];
    let mut i = 0;
    while i < out.len() {
        let p = out[i];
        out.extend(parents.iter().filter(|(_, pp)| **pp == p).map(|(c, _)| *c));
        i += 1;
    }
    out
}

/// The app process below tauri-driver.
fn app_pid(driver: u32) -> anyhow::Result<u32> {
    let deadline = Instant::now() + STEP_TIMEOUT;
    loop {
        for pid in tree(driver) {
            let comm = std::fs::read_to_string(format!("/proc/{pid}/comm")).unwrap_or_default();
            if comm.trim() == "taem-desktop" {
                return Ok(pid);
            }
        }
        if Instant::now() > deadline {
            bail!("no taem-desktop process below tauri-driver ({driver})");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// When the process started, in ms since the epoch (to 1/CLK_TCK s, usually 10 ms): its start in
/// ticks since boot (`/proc/<pid>/stat` field 22) against the time since boot (`/proc/uptime`).
fn process_start_epoch_ms(pid: u32) -> anyhow::Result<f64> {
    let fields = stat_fields(pid).context("the app process is gone")?;
    let start_ticks: f64 = fields
        .get(19)
        .and_then(|s| s.parse().ok())
        .context("field 22 of /proc/<pid>/stat")?;
    let ticks = Command::new("getconf").arg("CLK_TCK").output()?;
    let per_second: f64 = String::from_utf8_lossy(&ticks.stdout)
        .trim()
        .parse()
        .context("getconf CLK_TCK")?;
    let uptime: f64 = std::fs::read_to_string("/proc/uptime")?
        .split_whitespace()
        .next()
        .and_then(|s| s.parse().ok())
        .context("/proc/uptime")?;
    let now_ms = SystemTime::now().duration_since(UNIX_EPOCH)?.as_secs_f64() * 1e3;
    Ok(now_ms - (uptime - start_ticks / per_second) * 1e3)
}

/// The proportional set size of `root` and every process below it, in MB (shared pages are
/// split between the processes sharing them, so the sum counts each page once). Each process's
/// share goes to stderr: PSS, and of it the anonymous (heap) and file-backed parts.
fn pss_tree_mb(root: u32) -> anyhow::Result<f64> {
    let mb = |kb: u64| kb as f64 * 1024.0 / BYTES_PER_MB;
    let mut kb = 0;
    for pid in tree(root) {
        if let Ok(text) = std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup")) {
            let pss = status_kb(&text, "Pss:").unwrap_or(0);
            let comm = std::fs::read_to_string(format!("/proc/{pid}/comm")).unwrap_or_default();
            eprintln!(
                "  {:<22} PSS {:>6.1} MB (anonymous {:.1}, files {:.1}, shared memory {:.1})",
                comm.trim(),
                mb(pss),
                mb(status_kb(&text, "Pss_Anon:").unwrap_or(0)),
                mb(status_kb(&text, "Pss_File:").unwrap_or(0)),
                mb(status_kb(&text, "Pss_Shmem:").unwrap_or(0)),
            );
            kb += pss;
        }
    }
    ensure!(kb > 0, "no memory figures for process {root}");
    Ok(mb(kb))
}
