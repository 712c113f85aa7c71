//! `taem-bench sync`: the sync path end to end — a real axum server on loopback (started
//! in-process on its own runtime), real replicas, real HTTP through `taem-sync`.
//!
//! Baselines, measured in the same run:
//! - drain: the server's store applying the same operations directly (`Store::push`, no HTTP,
//!   no client, no replica) on a fresh database;
//! - bootstrap: SQLite's online backup API copying the server's database file (the bare cost
//!   of moving that many bytes through SQLite);
//! - empty pull: a bare `SELECT … FROM changes WHERE shop_id = ? AND seq > ?` on the server's
//!   database.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use chrono::Utc;
use taem_core::{MemberProfile, Money, Operation, Phone};
use taem_protocol::EnrolRequest;
use taem_replica::{AwardRequest, MemberKey, NewMember, Replica, SystemEnvironment};
use taem_server::sqlite::SqliteStore;
use taem_server::store::{DeviceAuth, Store};

use crate::figures::{Figure, Goal, Latencies, micros, millis};

/// Options of `sync`.
#[derive(Debug, clap::Args)]
pub struct SyncArgs {
    /// Operations queued offline and drained.
    #[arg(long, default_value_t = 10_000)]
    pub ops: usize,
    /// Members on the server for the bootstrap bench (the goals are set at 1,000,000; at
    /// smaller sizes the fixed costs of a bootstrap weigh more against the baseline).
    #[arg(long, default_value_t = 1_000_000)]
    pub members: usize,
    /// Print one JSON object per figure on stdout.
    #[arg(long)]
    pub json: bool,
    /// Smaller sizes for a smoke run.
    #[arg(long)]
    pub quick: bool,
}

struct Running {
    url: String,
    _runtime: tokio::runtime::Runtime,
}

fn serve(store: Arc<dyn Store>) -> anyhow::Result<Running> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let listener = runtime.block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))?;
    let url = format!("http://{}", listener.local_addr()?);
    let app = taem_server::http::router(taem_server::http::AppState { store });
    runtime.spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Ok(Running {
        url,
        _runtime: runtime,
    })
}

fn client_runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?)
}

fn phone(i: usize) -> Phone {
    Phone::parse(&format!("08{:08}", i)).expect("generated phone")
}

fn profile(i: usize) -> MemberProfile {
    MemberProfile {
        first_name: format!("สมาชิก{i}"),
        last_name: "ทดสอบ".into(),
        ..MemberProfile::default()
    }
}

/// A new shop on `store` and an enrolled, bootstrapped replica in `dir`.
fn enrolled_replica(
    store: &SqliteStore,
    url: &str,
    dir: &Path,
    shop: Option<uuid::Uuid>,
) -> anyhow::Result<(Replica, uuid::Uuid)> {
    let now = Utc::now();
    let (shop, code) = match shop {
        Some(shop) => (shop, store.create_enrol_code(shop, "B1", 1, now)?.0),
        None => {
            let created = store.create_shop("bench", ("B1", "B1"), ("owner", "1234"), now)?;
            (created.shop_id, created.enrol_code)
        }
    };
    let mut replica = Replica::create(dir, "bench", "B1", Arc::new(SystemEnvironment))?;
    client_runtime()?.block_on(taem_sync::enrol(
        &mut replica,
        url,
        &code,
        "bench",
        &mut |_| {},
    ))?;
    Ok((replica, shop))
}

/// Queues `ops` awards over `members` members (registered first) on a replica, offline.
fn queue(replica: &mut Replica, members: usize, ops: usize, offset: usize) -> anyhow::Result<()> {
    for i in 0..members {
        replica.register_member(NewMember {
            phone: phone(offset + i),
            profile: profile(offset + i),
            op_id: None,
        })?;
    }
    for i in 0..ops.saturating_sub(members) {
        replica.award(AwardRequest {
            member: MemberKey::Phone(phone(offset + i % members)),
            bill_no: format!("D{offset}-{i}"),
            amount: Money::parse(&format!("{}", 100 + i % 900))?,
            op_id: None,
        })?;
    }
    Ok(())
}

/// Runs the suite.
pub fn run(args: &SyncArgs) -> anyhow::Result<Vec<Figure>> {
    let ops = if args.quick { 500 } else { args.ops };
    let members_on_server = if args.quick { 2_000 } else { args.members };
    let work = tempfile::tempdir()?;
    let mut figures = Vec::new();

    // 1. Drain one counter's queue over HTTP.
    let store = Arc::new(SqliteStore::open(&work.path().join("server"))?);
    let server = serve(store.clone())?;
    let (mut replica, shop) = enrolled_replica(&store, &server.url, &work.path().join("c1"), None)?;
    let members = (ops / 10).max(1);
    queue(&mut replica, members, ops, 0)?;
    let queued: Vec<Operation> = replica.outbox_batch(ops)?;
    eprintln!("bench: drain {} queued operations over HTTP", queued.len());
    let started = Instant::now();
    let report = client_runtime()?.block_on(taem_sync::sync_once(&mut replica, &mut |_| {}))?;
    let drain = started.elapsed();
    anyhow::ensure!(
        report.pushed as usize == queued.len() && report.rejected == 0,
        "drain: {report:?}"
    );

    // Baseline: the same operations applied by the store directly, on a fresh database.
    let direct_store = SqliteStore::open(&work.path().join("direct"))?;
    let created =
        direct_store.create_shop("direct", ("B1", "B1"), ("owner", "1234"), Utc::now())?;
    let device = direct_store.enrol(
        &EnrolRequest {
            code: created.enrol_code,
            device_name: "direct".into(),
        },
        Utc::now(),
    )?;
    let auth = DeviceAuth {
        shop_id: device.shop_id,
        device_id: device.device_id,
        branch: device.branch,
    };
    let rewritten: Vec<Operation> = queued
        .iter()
        .cloned()
        .map(|mut op| {
            op.device_id = auth.device_id;
            op
        })
        .collect();
    let started = Instant::now();
    for chunk in rewritten.chunks(taem_sync::PUSH_BATCH) {
        direct_store.push(&auth, chunk, Utc::now())?;
    }
    let direct = started.elapsed();
    let per_op = |d: Duration| micros(d) / queued.len() as f64;
    let baseline = "the server's store applying the same operations directly (Store::push, no HTTP, no client), fresh database";
    figures.push(Figure::new(
        "sync_drain_per_op",
        per_op(drain),
        "µs",
        baseline,
        per_op(direct),
        Goal::ratio(3.0),
    ));
    figures.push(Figure::new(
        "sync_drain_ops_per_s",
        queued.len() as f64 / drain.as_secs_f64(),
        "ops/s",
        "same baseline, in operations per second",
        queued.len() as f64 / direct.as_secs_f64(),
        Goal::default(),
    ));

    // 2. Three counters draining at once.
    let mut counters = Vec::new();
    for i in 0..3 {
        let (mut r, _) = enrolled_replica(
            &store,
            &server.url,
            &work.path().join(format!("m{i}")),
            Some(shop),
        )?;
        queue(&mut r, (ops / 30).max(1), ops / 3, 1_000_000 * (i + 1))?;
        counters.push(r);
    }
    let total: usize = counters
        .iter()
        .map(|r| r.outbox_batch(ops).map(|b| b.len()))
        .sum::<Result<usize, _>>()?;
    eprintln!("bench: three counters drain {total} operations at once");
    let started = Instant::now();
    let handles: Vec<_> = counters
        .into_iter()
        .map(|mut r| {
            std::thread::spawn(move || -> anyhow::Result<()> {
                client_runtime()?.block_on(taem_sync::sync_once(&mut r, &mut |_| {}))?;
                Ok(())
            })
        })
        .collect();
    for h in handles {
        h.join()
            .map_err(|_| anyhow::anyhow!("a drain thread panicked"))??;
    }
    let three = started.elapsed();
    figures.push(Figure::new(
        "sync_drain_3_counters_per_op",
        micros(three) / total as f64,
        "µs",
        "one counter's drain above, per operation",
        per_op(drain),
        Goal::default(),
    ));

    // 3. Pull latency when nothing changed (after catching up with the three counters).
    client_runtime()?.block_on(taem_sync::sync_once(&mut replica, &mut |_| {}))?;
    let client = taem_sync::SyncClient::for_replica(&replica)?;
    let cursor = replica.pull_cursor()?;
    let rt = client_runtime()?;
    let samples = if args.quick { 200 } else { 2_000 };
    let mut pulls = Vec::with_capacity(samples);
    for _ in 0..samples {
        let started = Instant::now();
        let page = rt.block_on(client.pull(cursor, 1000))?;
        pulls.push(started.elapsed());
        anyhow::ensure!(
            page.changes.is_empty(),
            "the shop changed during the pull bench"
        );
    }
    let raw = rusqlite::Connection::open(store.path())?;
    let mut bare = Vec::with_capacity(samples);
    for _ in 0..samples {
        let started = Instant::now();
        let n: i64 = raw
            .prepare_cached("SELECT COUNT(*) FROM (SELECT seq, body FROM changes WHERE shop_id = ?1 AND seq > ?2 LIMIT 1000)")?
            .query_row(rusqlite::params![shop.as_bytes().as_slice(), cursor as i64], |r| r.get(0))?;
        bare.push(started.elapsed());
        anyhow::ensure!(n == 0);
    }
    let (pulls, bare) = (Latencies::new(pulls), Latencies::new(bare));
    figures.push(Figure::new(
        "sync_empty_pull_p99",
        millis(pulls.quantile(0.99)),
        "ms",
        "bare SELECT of the changes after the cursor on the server's database",
        millis(bare.quantile(0.99)),
        Goal::below(5.0),
    ));

    // 4. Bootstrap a new counter from a server holding many members.
    eprintln!("bench: loading {members_on_server} members on the server");
    let boot_store = Arc::new(SqliteStore::open(&work.path().join("boot-server"))?);
    let boot_server = serve(boot_store.clone())?;
    let created = boot_store.create_shop("boot", ("B1", "B1"), ("owner", "1234"), Utc::now())?;
    let loader = boot_store.enrol(
        &EnrolRequest {
            code: created.enrol_code,
            device_name: "loader".into(),
        },
        Utc::now(),
    )?;
    let loader_auth = DeviceAuth {
        shop_id: loader.shop_id,
        device_id: loader.device_id,
        branch: loader.branch,
    };
    let mut seq = 0u64;
    let batch = 1_000;
    for start in (0..members_on_server).step_by(batch) {
        let ops: Vec<Operation> = (start..(start + batch).min(members_on_server))
            .map(|i| {
                seq += 1;
                Operation {
                    op_id: uuid::Uuid::now_v7(),
                    device_seq: seq,
                    device_id: loader_auth.device_id,
                    branch: "B1".into(),
                    at: Utc::now(),
                    hlc: None,
                    kind: taem_core::OperationKind::RegisterMember {
                        member_id: uuid::Uuid::now_v7(),
                        code: taem_core::MemberCode::from_bits(0x1_0000_0000 + i as u64),
                        phone: phone(i),
                        profile: profile(i),
                        imported: false,
                    },
                }
            })
            .collect();
        boot_store.push(&loader_auth, &ops, Utc::now())?;
    }
    let db_bytes: u64 = std::fs::read_dir(boot_store.path().parent().context("server folder")?)?
        .filter_map(|e| e.ok()?.metadata().ok())
        .map(|m| m.len())
        .sum();
    eprintln!(
        "bench: server database with {members_on_server} members: {:.0} MB",
        db_bytes as f64 / 1e6
    );
    let code = boot_store
        .create_enrol_code(created.shop_id, "B1", 1, Utc::now())?
        .0;
    let started = Instant::now();
    let mut fresh = Replica::create(
        &work.path().join("fresh"),
        "x",
        "B1",
        Arc::new(SystemEnvironment),
    )?;
    let report = client_runtime()?.block_on(taem_sync::enrol(
        &mut fresh,
        &boot_server.url,
        &code,
        "fresh",
        &mut |_| {},
    ))?;
    let boot = started.elapsed();
    anyhow::ensure!(
        report.bootstrapped_members as usize == members_on_server,
        "bootstrap got {} members",
        report.bootstrapped_members
    );
    let started = Instant::now();
    {
        let src = rusqlite::Connection::open(boot_store.path())?;
        let mut dst = rusqlite::Connection::open(work.path().join("backup.sqlite3"))?;
        let backup = rusqlite::backup::Backup::new(&src, &mut dst)?;
        backup
            .run_to_completion(1024, Duration::ZERO, None)
            .context("backup copy")?;
    }
    let copy = started.elapsed();
    figures.push(Figure::new(
        &format!("sync_bootstrap_{members_on_server}_members"),
        millis(boot),
        "ms",
        "SQLite online backup copy of the server's database",
        millis(copy),
        Goal::below_and_ratio(10_000.0, 3.0),
    ));
    drop(boot_server);
    figures.extend(two_process_bootstrap(
        &boot_store,
        created.shop_id,
        &work.path().join("fresh2"),
        boot,
    )?);
    figures.push(Figure::new(
        "sync_bench_peak_rss",
        crate::rss::own_peak_mb()?,
        "MB",
        "(server and counters run in this one process)",
        0.0,
        Goal::default(),
    ));
    Ok(figures)
}

/// `VmHWM` of a process, in MB (None once it has exited).
fn peak_mb(pid: u32) -> Option<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let kb: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))?
        .split_whitespace()
        .next()?
        .parse()
        .ok()?;
    Some(kb * 1024.0 / 1e6)
}

/// The bootstrap again with the real binaries as separate processes (`taem-server serve` and
/// `taem-counter enrol`), for the peak memory of each side. Skipped, with a note, when the
/// binaries are not built next to the bench.
fn two_process_bootstrap(
    store: &SqliteStore,
    shop: uuid::Uuid,
    counter_dir: &Path,
    in_process: Duration,
) -> anyhow::Result<Vec<Figure>> {
    use std::io::BufRead;
    let bin = std::env::current_exe()?;
    let (server_bin, counter_bin) = (
        bin.with_file_name("taem-server"),
        bin.with_file_name("taem-counter"),
    );
    if !server_bin.exists() || !counter_bin.exists() {
        eprintln!(
            "bench: two-process bootstrap skipped: build taem-server and taem-counter next to the bench (cargo build --release --workspace --bins)"
        );
        return Ok(Vec::new());
    }
    let data_dir = store.path().parent().context("server folder")?;
    let code = store.create_enrol_code(shop, "B1", 1, Utc::now())?.0;
    let mut server = std::process::Command::new(&server_bin)
        .arg("--data-dir")
        .arg(data_dir)
        .args(["serve", "--listen", "127.0.0.1:0"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()?;
    let mut line = String::new();
    std::io::BufReader::new(server.stdout.take().context("server stdout")?).read_line(&mut line)?;
    let url = line
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .context("server address")?
        .to_string();
    let server_floor = peak_mb(server.id()).unwrap_or_default();
    eprintln!("bench: two-process bootstrap from {url}");
    let started = Instant::now();
    let mut counter = std::process::Command::new(&counter_bin)
        .arg("--data-dir")
        .arg(counter_dir)
        .args(["--json", "enrol", &url, &code])
        .stdout(std::process::Stdio::null())
        .spawn()?;
    let mut counter_peak: f64 = 0.0;
    let status = loop {
        if let Some(mb) = peak_mb(counter.id()) {
            counter_peak = counter_peak.max(mb);
        }
        if let Some(status) = counter.try_wait()? {
            break status;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let elapsed = started.elapsed();
    let server_peak = peak_mb(server.id()).unwrap_or_default();
    let _ = server.kill();
    let _ = server.wait();
    anyhow::ensure!(status.success(), "taem-counter enrol failed");
    Ok(vec![
        Figure::new(
            "sync_bootstrap_processes_ms",
            millis(elapsed),
            "ms",
            "the in-process bootstrap above",
            millis(in_process),
            Goal::below(10_000.0),
        ),
        Figure::new(
            "sync_bootstrap_server_peak_rss",
            server_peak,
            "MB",
            "VmHWM of the same taem-server process before the bootstrap (its floor)",
            server_floor,
            Goal::default(),
        ),
        Figure::new(
            "sync_bootstrap_counter_peak_rss",
            counter_peak,
            "MB",
            "(none: the taem-counter process's peak, sampled every 20 ms)",
            0.0,
            Goal::default(),
        ),
    ])
}
