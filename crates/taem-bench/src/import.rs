//! `taem-bench import`: member import and download at shop and chain scale, each against raw
//! rusqlite doing the bare minimum on the same data in the same run.
//!
//! 1. A 5,000-row shop upload end to end (read, check, write to a replica, report) against
//!    parsing the same CSV and inserting its rows with one prepared statement in one
//!    transaction into a plain table.
//! 2. A bulk import of `--rows` rows by the real `taem-counter import --bulk` process (time and
//!    peak memory) against the same raw parse-and-insert; then the same file into the central
//!    server by the real `taem-server import` process, against the same baseline and against
//!    the floor of the server's own tables (the same rows inserted raw: member, change log,
//!    ledger).
//! 3. A download of those members (`taem-counter export members`, CSV) against a raw
//!    `SELECT` written with the csv crate.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::Context;
use clap::Args;
use rusqlite::Connection;
use taem_import::{ImportOptions, ReplicaSink, SHOP_UPLOAD_ROWS_MAX, Table};
use taem_replica::{FixedEnvironment, Replica};

use crate::figures::{Figure, Goal};
use crate::procstat::high_water_kb;

/// The issue's goals.
const SHOP_UPLOAD_MS_MAX: f64 = 500.0;
const BULK_RATIO_MAX: f64 = 3.0;
const BULK_RSS_MB_MAX: f64 = 300.0;
const BYTES_PER_MB: f64 = 1e6;

/// Options of `import`.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// Rows of the bulk import and the download.
    #[arg(long, default_value_t = 1_000_000)]
    pub rows: u64,
    /// Print one JSON object per figure on stdout (the table then goes to stderr).
    #[arg(long)]
    pub json: bool,
    /// A smoke run: 20,000 bulk rows.
    #[arg(long)]
    pub quick: bool,
}

const FIRST: [&str; 12] = [
    "สมชาย",
    "สมศรี",
    "มานี",
    "มานะ",
    "ปิติ",
    "ชูใจ",
    "วีระ",
    "กาญจนา",
    "ธนพร",
    "ณัฐวุฒิ",
    "Somchai",
    "Ploy",
];
const LAST: [&str; 10] = [
    "ใจดี",
    "รักไทย",
    "ศรีสุข",
    "มั่นคง",
    "บุญมา",
    "แก้วใส",
    "ทองดี",
    "สุขสันต์",
    "Srisuk",
    "Jaidee",
];

/// Writes a member list of `rows` rows (the template's Thai header; unique phones).
fn write_csv(path: &Path, rows: u64) -> anyhow::Result<()> {
    let file = std::fs::File::create(path)?;
    let mut out = std::io::BufWriter::new(file);
    out.write_all(
        "\u{feff}เบอร์มือถือ*,ชื่อ*,นามสกุล,วันเกิด,เพศ,แท็ก,แต้มเริ่มต้น,ยินยอมเก็บข้อมูล (PDPA)\r\n".as_bytes(),
    )?;
    for i in 0..rows {
        let phone = format!("09{:08}", i);
        let first = FIRST[(i % FIRST.len() as u64) as usize];
        let last = LAST[((i / 7) % LAST.len() as u64) as usize];
        let day = i % 28 + 1;
        let month = i % 12 + 1;
        let year = 2500 + i % 45;
        let gender = if i % 2 == 0 {
            "หญิง"
        } else {
            "ชาย"
        };
        writeln!(
            out,
            "{phone},{first},{last},{day:02}/{month:02}/{year},{gender},\"vip, coffee\",{},ใช่\r",
            i % 700
        )?;
    }
    out.flush()?;
    Ok(())
}

/// The baseline: parse the CSV and insert each row with one prepared statement, one
/// transaction, into a plain table (WAL, synchronous=FULL, like the replica).
fn raw_import(csv_path: &Path, db: &Path) -> anyhow::Result<Duration> {
    let _ = std::fs::remove_file(db);
    let t = Instant::now();
    let mut conn = Connection::open(db)?;
    conn.execute_batch(
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;
         CREATE TABLE members(phone TEXT PRIMARY KEY, first_name TEXT, last_name TEXT,
             birthday TEXT, gender TEXT, tags TEXT, points INTEGER, pdpa INTEGER);",
    )?;
    let mut reader = csv::ReaderBuilder::new().from_path(csv_path)?;
    let tx = conn.transaction()?;
    {
        let mut insert =
            tx.prepare("INSERT INTO members VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)")?;
        let mut record = csv::StringRecord::new();
        while reader.read_record(&mut record)? {
            let points: i64 = record.get(6).unwrap_or("0").parse().unwrap_or(0);
            insert.execute(rusqlite::params![
                record.get(0),
                record.get(1),
                record.get(2),
                record.get(3),
                record.get(4),
                record.get(5),
                points,
                record.get(7) == Some("ใช่"),
            ])?;
        }
    }
    tx.commit()?;
    Ok(t.elapsed())
}

fn new_replica(dir: &Path) -> anyhow::Result<Replica> {
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir)?;
    let env = std::sync::Arc::new(FixedEnvironment::new(chrono::Utc::now(), 11));
    Ok(Replica::create(dir, "ร้านทดสอบ", "BKK01", env)?)
}

/// Runs a child process to its end; answers its time and peak resident set (MB).
fn run_measured(mut command: Command) -> anyhow::Result<(Duration, f64)> {
    let t = Instant::now();
    let mut child = command
        .stdout(std::process::Stdio::null())
        .spawn()
        .with_context(|| {
            format!(
                "starting {} (build it: cargo build --release -p taem-counter -p taem-server)",
                command.get_program().to_string_lossy()
            )
        })?;
    let pid = child.id();
    let mut peak_kb = 0;
    loop {
        if let Ok(kb) = high_water_kb(pid) {
            peak_kb = peak_kb.max(kb);
        }
        if let Some(status) = child.try_wait()? {
            anyhow::ensure!(
                status.success(),
                "{} exited with {status}",
                command.get_program().to_string_lossy()
            );
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    Ok((t.elapsed(), peak_kb as f64 * 1024.0 / BYTES_PER_MB))
}

/// Runs the import benches.
pub fn run(args: &ImportArgs) -> anyhow::Result<Vec<Figure>> {
    let rows = if args.quick { 20_000 } else { args.rows };
    let work = tempfile::tempdir()?;
    let dir = work.path();
    let counter: PathBuf = std::env::current_exe()?.with_file_name("taem-counter");
    let mut figures = Vec::new();

    // 1. A shop upload of 5,000 rows, end to end, in this process.
    eprintln!("bench: shop upload of {SHOP_UPLOAD_ROWS_MAX} rows");
    let shop_csv = dir.join("shop.csv");
    write_csv(&shop_csv, SHOP_UPLOAD_ROWS_MAX)?;
    let base_5k = raw_import(&shop_csv, &dir.join("raw-5k.sqlite3"))?;
    let mut replica = new_replica(&dir.join("replica-5k"))?;
    let t = Instant::now();
    let mut sink = ReplicaSink {
        replica: &mut replica,
        branch: "BKK01".into(),
    };
    let options = ImportOptions {
        max_rows: Some(SHOP_UPLOAD_ROWS_MAX),
        today: taem_core::time::bangkok_date(chrono::Utc::now()),
        dry_run: false,
    };
    let report = taem_import::import(Table::from_path(&shop_csv), options, &mut sink, &mut |_| {});
    let mut report_csv = Vec::new();
    taem_import::report::write_csv(&report, &mut report_csv)?;
    let ours_5k = t.elapsed();
    anyhow::ensure!(
        report.imported == SHOP_UPLOAD_ROWS_MAX && report.problems.is_empty(),
        "the shop upload imported {} of {SHOP_UPLOAD_ROWS_MAX} rows: {:?}",
        report.imported,
        report.file_error
    );
    figures.push(Figure::new(
        "import_shop_upload_5000_rows",
        ours_5k.as_secs_f64() * 1e3,
        "ms",
        "raw csv parse + one prepared INSERT per row, one transaction",
        base_5k.as_secs_f64() * 1e3,
        Goal::below(SHOP_UPLOAD_MS_MAX),
    ));

    // 2. A bulk import by the real counter process.
    eprintln!("bench: bulk import of {rows} rows (taem-counter import --bulk)");
    let bulk_csv = dir.join("bulk.csv");
    write_csv(&bulk_csv, rows)?;
    let base_bulk = raw_import(&bulk_csv, &dir.join("raw-bulk.sqlite3"))?;
    let replica_dir = dir.join("replica-bulk");
    drop(new_replica(&replica_dir)?);
    let mut import = Command::new(&counter);
    import
        .arg("--data-dir")
        .arg(&replica_dir)
        .args(["--json", "import", "--bulk"])
        .arg(&bulk_csv);
    let (bulk_time, bulk_rss) = run_measured(import)?;
    let rate = |d: Duration| rows as f64 / d.as_secs_f64();
    figures.push(Figure::new(
        "import_bulk_time",
        bulk_time.as_secs_f64(),
        "s",
        "raw csv parse + one prepared INSERT per row, one transaction",
        base_bulk.as_secs_f64(),
        Goal::ratio(BULK_RATIO_MAX),
    ));
    figures.push(Figure::new(
        "import_bulk_rows_per_s",
        rate(bulk_time),
        "rows/s",
        "raw csv parse + one prepared INSERT per row, one transaction",
        rate(base_bulk),
        Goal::default(),
    ));
    figures.push(Figure::new(
        "import_bulk_peak_rss",
        bulk_rss,
        "MB",
        "none (an absolute goal)",
        0.0,
        Goal::below(BULK_RSS_MB_MAX),
    ));

    // 2a. The same file again, with its report: every row is already a member, and each
    // row's problem goes to the report file, not into memory.
    eprintln!("bench: the same bulk import again (every row already a member, --report)");
    let rerun_report = dir.join("rerun-report.csv");
    let mut rerun = Command::new(&counter);
    rerun
        .arg("--data-dir")
        .arg(&replica_dir)
        .args(["--json", "import", "--bulk", "--report"])
        .arg(&rerun_report)
        .arg(&bulk_csv);
    let (rerun_time, rerun_rss) = run_measured(rerun)?;
    let report_lines =
        std::io::BufRead::lines(std::io::BufReader::new(std::fs::File::open(&rerun_report)?))
            .count() as u64;
    anyhow::ensure!(
        report_lines == rows + 1,
        "the re-run's report has {report_lines} lines, not a header and one per row ({rows})"
    );
    figures.push(Figure::new(
        "import_bulk_rerun_time",
        rerun_time.as_secs_f64(),
        "s",
        "raw csv parse + one prepared INSERT per row, one transaction",
        base_bulk.as_secs_f64(),
        Goal::default(),
    ));
    figures.push(Figure::new(
        "import_bulk_rerun_peak_rss",
        rerun_rss,
        "MB",
        "none (an absolute goal)",
        0.0,
        Goal::below(BULK_RSS_MB_MAX),
    ));

    // 2b. The same file into the central server (`taem-server import`): a chain moving to
    // Taem, each member through the server's exactly-once push path.
    eprintln!("bench: server import of {rows} rows (taem-server import)");
    let server_dir = dir.join("server");
    let shop = {
        use taem_server::store::Store;
        let store = taem_server::sqlite::SqliteStore::open(&server_dir)?;
        store
            .create_shop(
                "ร้านทดสอบ",
                ("BKK01", "สาขาหนึ่ง"),
                ("เจ้าของ", "1234"),
                chrono::Utc::now(),
            )?
            .shop_id
    };
    let mut server_import = Command::new(counter.with_file_name("taem-server"));
    server_import
        .arg("--data-dir")
        .arg(&server_dir)
        .args(["--json", "import", "--branch", "BKK01", "--shop"])
        .arg(shop.to_string())
        .arg(&bulk_csv);
    let (server_time, server_rss) = run_measured(server_import)?;
    let server_members: i64 = Connection::open(server_dir.join(taem_server::sqlite::DB_FILE_NAME))?
        .query_row(
            "SELECT COUNT(*) FROM members WHERE shop_id = ?1",
            [shop.as_bytes().as_slice()],
            |r| r.get(0),
        )?;
    anyhow::ensure!(
        server_members as u64 == rows,
        "the server import left {server_members} members, not {rows}"
    );
    // The issue's 1M-row goal is a chain's import, which is this one.
    figures.push(Figure::new(
        "import_server_time",
        server_time.as_secs_f64(),
        "s",
        "raw csv parse + one prepared INSERT per row, one transaction",
        base_bulk.as_secs_f64(),
        Goal::ratio(BULK_RATIO_MAX),
    ));
    figures.push(Figure::new(
        "import_server_rows_per_s",
        rate(server_time),
        "rows/s",
        "raw csv parse + one prepared INSERT per row, one transaction",
        rate(base_bulk),
        Goal::default(),
    ));
    // The floor of the server's own tables: the same file parsed and its rows inserted raw
    // into a fresh store's members, change log and ledger, what the import writes per member
    // (bodies made with `format!`, no checks, no serde), in transactions of the import's size.
    let floor = server_schema_floor(&bulk_csv, &dir.join("server-floor"))?;
    figures.push(Figure::new(
        "import_server_vs_schema_floor",
        server_time.as_secs_f64(),
        "s",
        "raw csv parse + prepared INSERTs of the same member rows, change-log rows and ledger rows into the server's own tables",
        floor.as_secs_f64(),
        Goal::default(),
    ));
    figures.push(Figure::new(
        "import_server_peak_rss",
        server_rss,
        "MB",
        "none (an absolute figure)",
        0.0,
        Goal::below(BULK_RSS_MB_MAX),
    ));

    // 3. Download the members again.
    eprintln!("bench: download of {rows} members (taem-counter export members, CSV)");
    let out_csv = dir.join("members.csv");
    let mut export = Command::new(&counter);
    export
        .arg("--data-dir")
        .arg(&replica_dir)
        .args(["--json", "export", "members", "-o"])
        .arg(&out_csv);
    let (export_time, export_rss) = run_measured(export)?;
    let t = Instant::now();
    {
        let conn = Connection::open(replica_dir.join(taem_replica::REPLICA_FILE_NAME))?;
        let mut stmt = conn.prepare(
            "SELECT phone, first_name, last_name, birthday, gender, email, address, tags,
                    balance_confirmed + balance_pending, marketing_consent, pdpa_consent, note,
                    code, branch, registered_at_ms, tier_id FROM members",
        )?;
        let mut writer = csv::Writer::from_path(dir.join("raw-members.csv"))?;
        let mut q = stmt.query([])?;
        while let Some(r) = q.next()? {
            let cells: Vec<String> = (0..16)
                .map(|i| {
                    r.get::<_, rusqlite::types::Value>(i)
                        .map(|v| match v {
                            rusqlite::types::Value::Text(t) => t,
                            rusqlite::types::Value::Integer(n) => n.to_string(),
                            _ => String::new(),
                        })
                        .unwrap_or_default()
                })
                .collect();
            writer.write_record(&cells)?;
        }
        writer.flush()?;
    }
    let base_export = t.elapsed();
    figures.push(Figure::new(
        "export_members_time",
        export_time.as_secs_f64(),
        "s",
        "raw SELECT of the same columns written with the csv crate",
        base_export.as_secs_f64(),
        Goal::default(),
    ));
    figures.push(Figure::new(
        "export_members_peak_rss",
        export_rss,
        "MB",
        "none (an absolute figure)",
        0.0,
        Goal::below(BULK_RSS_MB_MAX),
    ));
    Ok(figures)
}

/// Parses the CSV and inserts, for each row, what `taem-server import` writes for a member —
/// its member row (with the phone and code indexes), two change-log rows (the member, its
/// first tier), and for initial points a ledger row (with its member index) and its change —
/// into a fresh store's own tables, with nothing checked and the bodies made by `format!`.
/// Member codes come in runs, as the import draws them.
fn server_schema_floor(csv_path: &Path, dir: &Path) -> anyhow::Result<Duration> {
    let _ = std::fs::remove_dir_all(dir);
    drop(taem_server::sqlite::SqliteStore::open(dir)?);
    let t = Instant::now();
    let mut conn = Connection::open(dir.join(taem_server::sqlite::DB_FILE_NAME))?;
    conn.execute_batch("PRAGMA synchronous=FULL; PRAGMA cache_size=-65536;")?;
    let shop = uuid::Uuid::now_v7();
    let shop = shop.as_bytes().as_slice();
    let device = uuid::Uuid::now_v7();
    let at = chrono::Utc::now();
    let at_ms = at.timestamp_millis();
    let stamps =
        format!(r#"{{"base":{{"hlc":{{"wall_ms":{at_ms},"logical":0}},"device_id":"{device}"}}}}"#);
    let hlc = format!(r#"{{"wall_ms":{at_ms},"logical":0}}"#);
    let mut reader = csv::ReaderBuilder::new().from_path(csv_path)?;
    let mut record = csv::StringRecord::new();
    let mut seq = 0i64;
    let mut code_bits = rand::random::<u64>();
    let mut more = true;
    while more {
        let tx = conn.transaction()?;
        {
            let mut member = tx.prepare_cached(
                "INSERT INTO members(shop_id, member_id, code, phone, profile, stamps, hlc, branch,
                     registered_at_ms, balance, tier_id, tier_since_ms)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'BKK01', ?8, ?9, 1, ?8)",
            )?;
            let mut change =
                tx.prepare_cached("INSERT INTO changes(shop_id, seq, body) VALUES (?1, ?2, ?3)")?;
            let mut entry = tx.prepare_cached(
                "INSERT INTO ledger(shop_id, op_id, kind, member_id, points, tier_credit, day,
                     at_ms, branch, device_id, seq)
                 VALUES (?1, ?2, 'import', ?3, ?4, 0, 20417, ?5, 'BKK01', ?6, ?7)",
            )?;
            for _ in 0..taem_import::BULK_BATCH_ROWS {
                if !reader.read_record(&mut record)? {
                    more = false;
                    break;
                }
                let id = uuid::Uuid::now_v7();
                code_bits += 1;
                let code = taem_core::MemberCode::from_bits(code_bits);
                let phone = record.get(0).unwrap_or_default();
                let points: i64 = record.get(6).unwrap_or("0").parse().unwrap_or(0);
                let profile = format!(
                    r#"{{"first_name":"{}","last_name":"{}","birthday":"{}","gender":"{}","tags":["vip","coffee"],"pdpa_consent":true}}"#,
                    record.get(1).unwrap_or_default(),
                    record.get(2).unwrap_or_default(),
                    record.get(3).unwrap_or_default(),
                    record.get(4).unwrap_or_default(),
                );
                member.execute(rusqlite::params![
                    shop,
                    id.as_bytes().as_slice(),
                    code.as_str(),
                    phone,
                    profile,
                    stamps,
                    hlc,
                    at_ms,
                    points
                ])?;
                seq += 1;
                change.execute(rusqlite::params![
                    shop,
                    seq,
                    format!(
                        r#"{{"type":"member","member_id":"{id}","code":"{code}","phone":"{phone}","profile":{profile},"branch":"BKK01","registered_at":"{at:?}","balance":0,"tier_id":1,"tier_since":"{at:?}","hlc":{hlc}}}"#
                    )
                ])?;
                seq += 1;
                change.execute(rusqlite::params![
                    shop,
                    seq,
                    format!(
                        r#"{{"type":"tier_change","member_id":"{id}","from_tier":null,"to_tier":1,"reason":"registered","accumulated":0,"at":"{at:?}"}}"#
                    )
                ])?;
                if points > 0 {
                    let op = uuid::Uuid::now_v7();
                    seq += 1;
                    entry.execute(rusqlite::params![
                        shop,
                        op.as_bytes().as_slice(),
                        id.as_bytes().as_slice(),
                        points,
                        at_ms,
                        device.as_bytes().as_slice(),
                        seq
                    ])?;
                    change.execute(rusqlite::params![
                        shop,
                        seq,
                        format!(
                            r#"{{"type":"entry","op_id":"{op}","member_id":"{id}","kind":"import","points":{points},"tier_credit":0,"day":20417,"at":"{at:?}","bill_no":null,"amount":null,"rate":null,"reason":null,"counts_toward_tier":false,"branch":"BKK01","device_id":"{device}","balance_after":{points},"tier_after":1,"flagged":false}}"#
                        )
                    ])?;
                }
            }
        }
        tx.commit()?;
    }
    Ok(t.elapsed())
}
