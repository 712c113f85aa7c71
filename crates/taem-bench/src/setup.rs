//! The bench's replica: built once from the demo generator and cached, then copied for each
//! run so every run measures the same starting state (awards and re-evaluations change it).

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use anyhow::Context;
use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::OptionalExtension;
use taem_demo::DemoConfig;
use taem_replica::{FixedEnvironment, OpenMode, REPLICA_FILE_NAME, Replica};

use crate::ReplicaArgs;

/// Bills per member on average: ≈10M ledger rows at 1M members.
const BILLS_PER_MEMBER_MEAN: f64 = 10.0;
/// A year of history, so a 12-month tier window holds nearly all of it.
const HISTORY_DAYS: u32 = 365;
/// Print load progress every this many members.
const PROGRESS_MEMBERS_STEP: u64 = 50_000;
const BUILDING_DIR: &str = ".building";
const RUN_DIR: &str = "run";
/// Mixed into the seed of the run's environment so its operation ids differ from the load's.
const RUN_SEED_SALT: u64 = 0xBE4C_4E55;

/// Where this run's copy of the cached replica lives.
#[derive(Debug)]
pub struct Files {
    /// Folder of this run's working copy.
    pub run_dir: PathBuf,
}

impl Files {
    /// The run copy's SQLite file.
    pub fn run_file(&self) -> PathBuf {
        self.run_dir.join(REPLICA_FILE_NAME)
    }

    /// Opens the run copy for counter operations, with the demo's clock.
    pub fn open_run_replica(&self, seed: u64) -> anyhow::Result<Replica> {
        let env = Arc::new(FixedEnvironment::new(demo_now(), seed ^ RUN_SEED_SALT));
        Replica::open(&self.run_dir, OpenMode::ReadWrite, env)
            .with_context(|| format!("opening the run copy in {}", self.run_dir.display()))
    }

    /// Deletes the run copy (best effort: a leftover copy is replaced by the next run).
    pub fn remove_run_copy(&self) {
        let _ = std::fs::remove_dir_all(&self.run_dir);
    }
}

/// The demo shop's "now": every bill is before it, and the benches use its date as today.
pub fn demo_now() -> DateTime<Utc> {
    DemoConfig::default().now
}

/// The shop-local date of [`demo_now`].
pub fn demo_today() -> NaiveDate {
    taem_core::time::bangkok_date(demo_now())
}

/// Builds or reuses the cached replica, then makes this run's copy of it.
pub fn prepare(args: &ReplicaArgs) -> anyhow::Result<Files> {
    eprintln!("SQLite {}", crate::raw::sqlite_version());
    let cache_dir = match &args.dir {
        Some(dir) => dir.clone(),
        None => default_dir(args.members)?,
    };
    std::fs::create_dir_all(&cache_dir)
        .with_context(|| format!("creating {}", cache_dir.display()))?;
    let cached = cache_dir.join(REPLICA_FILE_NAME);
    if cached.exists() {
        let members = count_members(&cache_dir)?;
        anyhow::ensure!(
            members == args.members,
            "{} holds {members} members, not {}: delete it or choose another --dir",
            cached.display(),
            args.members
        );
    }
    if cached.exists()
        && let Some(why) = stale(&cache_dir)?
    {
        eprintln!("{} {why}: rebuilding it", cached.display());
        std::fs::remove_file(&cached).with_context(|| format!("removing {}", cached.display()))?;
    }
    if cached.exists() {
        eprintln!("reusing {} ({} members)", cached.display(), args.members);
        migrate_cache(&cache_dir)?;
    } else {
        build(&cache_dir, args)?;
    }
    let files = Files {
        run_dir: cache_dir.join(RUN_DIR),
    };
    files.remove_run_copy();
    std::fs::create_dir_all(&files.run_dir)?;
    let started = Instant::now();
    std::fs::copy(&cached, files.run_file())
        .with_context(|| format!("copying {} for this run", cached.display()))?;
    // Write the copy out now: gigabytes of dirty pages flushed in the background during the
    // award bench would land on its fsyncs.
    std::fs::File::open(files.run_file())?.sync_all()?;
    eprintln!(
        "copied the replica to {} and synced it in {:.1} s",
        files.run_dir.display(),
        started.elapsed().as_secs_f64()
    );
    Ok(files)
}

/// `<target>/taem-bench/replica-<members>`, next to the bench's own build output.
fn default_dir(members: u64) -> anyhow::Result<PathBuf> {
    let exe = std::env::current_exe()?;
    // <target>/<profile>/taem-bench → <target>
    let target = exe
        .parent()
        .and_then(Path::parent)
        .map_or_else(|| PathBuf::from("target"), Path::to_path_buf);
    Ok(target.join("taem-bench").join(format!("replica-{members}")))
}

/// Counts the cached replica's members with a raw read-only connection, so a cache made by
/// an older schema is still recognised (the run copy is migrated when opened for writing).
fn count_members(dir: &Path) -> anyhow::Result<u64> {
    let path = dir.join(REPLICA_FILE_NAME);
    let conn = open_cache(dir)?;
    let members: i64 = conn
        .query_row("SELECT COUNT(*) FROM members", [], |r| r.get(0))
        .with_context(|| format!("{} is not a Taem replica", path.display()))?;
    Ok(members.max(0) as u64)
}

/// Opens the cached replica read-only with a raw connection, so a cache made by an older
/// schema can be inspected without migrating it.
fn open_cache(dir: &Path) -> anyhow::Result<rusqlite::Connection> {
    let path = dir.join(REPLICA_FILE_NAME);
    rusqlite::Connection::open_with_flags(
        &path,
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .with_context(|| format!("opening {}", path.display()))
}

/// Why the cache no longer stands for a counter's file, if it does not: its ids were minted at
/// one instant, or its pages are not the size a new replica's are.
fn stale(dir: &Path) -> anyhow::Result<Option<String>> {
    if !ids_in_time_order(dir)? {
        return Ok(Some(
            "was loaded with operation ids minted at one instant (before they carried each \
             bill's own time)"
                .into(),
        ));
    }
    let page_size: i64 = open_cache(dir)?.query_row("PRAGMA page_size", [], |r| r.get(0))?;
    Ok((page_size != taem_replica::PAGE_SIZE_BYTES).then(|| {
        format!(
            "has {page_size}-byte pages, a new replica {}",
            taem_replica::PAGE_SIZE_BYTES
        )
    }))
}

/// Whether the cached replica's ledger ids carry their bills' times (UUIDv7 milliseconds equal
/// to `at_ms`), as real histories do. A cache whose ids were all minted at the load's instant
/// makes every new operation id land at a random place in the id index, which no counter sees.
fn ids_in_time_order(dir: &Path) -> anyhow::Result<bool> {
    let conn = open_cache(dir)?;
    let first: Option<(Vec<u8>, i64)> = conn
        .query_row(
            "SELECT op_id, at_ms FROM ledger ORDER BY id LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    Ok(first.is_none_or(|(op_id, at_ms)| {
        uuid::Uuid::from_slice(&op_id)
            .ok()
            .and_then(|id| id.get_timestamp())
            .map(|ts| {
                let (secs, nanos) = ts.to_unix();
                (secs * 1000 + u64::from(nanos) / 1_000_000) as i64
            })
            == Some(at_ms)
    }))
}

/// Brings a cache made by an older schema up to date once, so runs do not each spend their
/// first minutes (and a WAL of hundreds of megabytes) migrating their copy.
fn migrate_cache(dir: &Path) -> anyhow::Result<()> {
    let path = dir.join(REPLICA_FILE_NAME);
    let version: i64 = open_cache(dir)?.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    let latest = taem_replica::schema::latest_version();
    if version >= latest {
        return Ok(());
    }
    eprintln!("migrating the cached replica from schema v{version} to v{latest} …");
    let started = Instant::now();
    let env = Arc::new(FixedEnvironment::new(demo_now(), 0));
    let replica = Replica::open(dir, OpenMode::ReadWrite, env)?;
    replica.checkpoint()?;
    drop(replica);
    std::fs::File::open(&path)?.sync_all()?;
    eprintln!("  migrated in {:.1} s", started.elapsed().as_secs_f64());
    Ok(())
}

/// Loads the demo shop into a staging folder and moves the file into place only when
/// complete, so an interrupted load is never mistaken for a cached replica.
fn build(dir: &Path, args: &ReplicaArgs) -> anyhow::Result<()> {
    let staging = dir.join(BUILDING_DIR);
    let _ = std::fs::remove_dir_all(&staging);
    let env = Arc::new(FixedEnvironment::new(demo_now(), args.seed));
    let branch = taem_demo::branches()
        .first()
        .map_or_else(|| "BKK01".to_string(), |b| b.code.clone());
    let mut replica = Replica::create(&staging, "Taem bench shop", &branch, env)?;
    let mut tiers = replica.settings()?.tiers;
    tiers.enabled = true;
    tiers.period = taem_core::CalculationPeriod::Last12Months;
    replica.set_tier_settings(tiers)?;

    let config = DemoConfig {
        members: args.members,
        seed: args.seed,
        now: demo_now(),
        history_days: HISTORY_DAYS,
        bills_per_member_mean: BILLS_PER_MEMBER_MEAN,
    };
    eprintln!(
        "loading {} demo members (≈{} bills) into {} …",
        args.members,
        (args.members as f64 * BILLS_PER_MEMBER_MEAN) as u64,
        staging.display()
    );
    let started = Instant::now();
    let mut next_report = PROGRESS_MEMBERS_STEP;
    let total = args.members;
    let done = taem_demo::load::load_demo_shop(&mut replica, &config, |p| {
        if p.members >= next_report || p.members == total {
            next_report = p.members + PROGRESS_MEMBERS_STEP;
            let secs = started.elapsed().as_secs_f64();
            let left = secs / p.members.max(1) as f64 * (total - p.members.min(total)) as f64;
            eprintln!(
                "  {:>9}/{total} members, {:>10} bills, {secs:>6.0} s elapsed, ≈{left:.0} s left",
                p.members, p.entries
            );
        }
    })
    .context("generating the demo shop")?;
    replica.checkpoint()?;
    drop(replica);
    std::fs::rename(staging.join(REPLICA_FILE_NAME), dir.join(REPLICA_FILE_NAME))
        .context("moving the built replica into the cache folder")?;
    let _ = std::fs::remove_dir_all(&staging);
    // The load wrote without fsync; flush it now rather than during the timed benches.
    std::fs::File::open(dir.join(REPLICA_FILE_NAME))?.sync_all()?;
    eprintln!(
        "loaded {} members and {} bills in {:.0} s",
        done.members,
        done.entries,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
