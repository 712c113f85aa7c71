//! # taem-bench — Taem's benchmarks
//!
//! Owns the performance figures quoted in `docs/benchmarks.md`. Every figure is measured
//! against a **baseline**: raw rusqlite doing the bare minimum for the same answer, on the SAME
//! SQLite file, in the SAME run, with the same warm cache. A ratio therefore says what the
//! replica's own code costs on top of SQLite, whatever the machine.
//!
//! `taem-bench replica --members N` builds (or reuses) a replica holding a generated demo shop
//! of N members with ≈10 bills each, copies it so every run starts from the same state, and
//! measures member look-up, history, name search, the durable award and the tier
//! re-evaluation through `taem-replica`'s public API, and the peak memory of the
//! `taem-counter` binary answering look-ups.
//!
//! What it must not do: reach into `taem-replica`'s internals (it measures what callers get),
//! or tune a baseline to flatter a ratio. Progress goes to stderr; figures to stdout.

mod awards;
mod import;
mod lookups;
mod raw;
mod rss;
mod setup;
mod sync;
mod tiers;

pub(crate) use taem_bench::{figures, procstat, workload};

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::figures::Figure;

/// Taem's benchmarks: every figure against raw rusqlite on the same file, in the same run.
#[derive(Debug, Parser)]
#[command(name = "taem-bench", version, about, long_about = None)]
struct Cli {
    /// Which benchmark suite.
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// The counter's replica: look-ups, history, name search, awards, tiers, counter memory.
    Replica(ReplicaArgs),
    /// Sync over real HTTP: draining queued operations, empty pulls, bootstrap.
    Sync(sync::SyncArgs),
    /// Member import (a 5,000-row shop upload, a bulk import) and the members download.
    Import(import::ImportArgs),
}

/// Options of `replica`.
#[derive(Debug, Args)]
pub struct ReplicaArgs {
    /// Members in the demo shop (≈10 bills each).
    #[arg(long, default_value_t = 1_000_000)]
    pub members: u64,
    /// Print one JSON object per figure on stdout (the table then goes to stderr).
    #[arg(long)]
    pub json: bool,
    /// Folder caching the built replica (reused when it holds --members members).
    /// Default: <target>/taem-bench/replica-<members>.
    #[arg(long)]
    pub dir: Option<PathBuf>,
    /// Keep this run's working copy of the replica (DIR/run) for inspection.
    #[arg(long)]
    pub keep: bool,
    /// Smaller samples for a smoke run (percentiles then mean less).
    #[arg(long)]
    pub quick: bool,
    /// Seed of the demo shop and of the bench's random choices.
    #[arg(long, default_value_t = 2026)]
    pub seed: u64,
    /// Quiet time between bursts of awards, in milliseconds (the replica checkpoints after
    /// 250 ms without a write).
    #[arg(long, default_value_t = 300)]
    pub award_pause_ms: u64,
    /// Run only these groups (comma-separated); default all.
    #[arg(long, value_enum, value_delimiter = ',')]
    pub only: Vec<Group>,
}

/// Groups of benches, for `--only`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Group {
    /// Phone, last-4, history and name look-ups.
    Lookups,
    /// The durable award.
    Awards,
    /// Full and daily tier re-evaluation.
    Tiers,
    /// Peak memory of the counter process.
    Rss,
}

impl ReplicaArgs {
    fn runs(&self, group: Group) -> bool {
        self.only.is_empty() || self.only.contains(&group)
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let outcome = match cli.command {
        Command::Replica(args) => run_replica(&args),
        Command::Sync(args) => sync::run(&args).and_then(|figures| {
            figures::print(&figures, args.json)?;
            Ok(ExitCode::SUCCESS)
        }),
        Command::Import(args) => import::run(&args).and_then(|figures| {
            figures::print(&figures, args.json)?;
            Ok(ExitCode::SUCCESS)
        }),
    };
    match outcome {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run_replica(args: &ReplicaArgs) -> anyhow::Result<ExitCode> {
    let files = setup::prepare(args)?;
    let outcome = run_benches(args, &files);
    if !args.keep {
        files.remove_run_copy();
    } else {
        eprintln!("kept the run copy in {}", files.run_dir.display());
    }
    let (figures, complete) = outcome?;
    figures::print(&figures, args.json)?;
    if complete {
        Ok(ExitCode::SUCCESS)
    } else {
        Ok(ExitCode::FAILURE)
    }
}

/// Runs every bench on the run copy; `false` when a bench could not run (and said why).
fn run_benches(args: &ReplicaArgs, files: &setup::Files) -> anyhow::Result<(Vec<Figure>, bool)> {
    let sizes = if args.quick {
        Sizes::QUICK
    } else {
        Sizes::FULL
    };
    let mut replica = files.open_run_replica(args.seed)?;
    let raw = raw::open(&files.run_file())?;
    let pool = workload::sample_members(&raw, sizes.members_sampled, args.seed)?;
    let mut figures = Vec::new();

    if args.runs(Group::Lookups) {
        figures.extend(lookups::run(&replica, &raw, &pool, &sizes, args.seed)?);
    }
    if args.runs(Group::Awards) {
        figures.extend(awards::run(
            &mut replica,
            &raw,
            &pool,
            &sizes,
            args.seed,
            args.award_pause_ms,
        )?);
    }
    if args.runs(Group::Tiers) {
        figures.extend(tiers::run(&mut replica, &raw, &sizes)?);
    }
    // The counter opens the file on its own: hand it a checkpointed file and no other writer.
    replica.checkpoint()?;
    drop(replica);
    drop(raw);
    let mut complete = true;
    if args.runs(Group::Rss) {
        match rss::run(&files.run_dir, &pool, &sizes, args.seed)? {
            Some(figure) => figures.push(figure),
            None => complete = args.quick,
        }
    }
    Ok((figures, complete))
}

/// How many samples each bench takes.
#[derive(Clone, Copy, Debug)]
pub struct Sizes {
    /// Distinct members the look-ups and awards draw from.
    pub members_sampled: usize,
    /// Timed look-ups per look-up bench (each side).
    pub lookups: usize,
    /// Untimed look-ups before timing (each side).
    pub lookups_warmup: usize,
    /// Timed awards (and as many baseline inserts).
    pub awards: usize,
    /// Untimed awards before timing.
    pub awards_warmup: usize,
    /// Timed runs of the full tier re-evaluation (and of its baseline); the median is reported.
    pub tier_runs: usize,
    /// Searches sent to the counter process.
    pub counter_queries: usize,
}

impl Sizes {
    /// The real run: enough samples for p99.9 to rest on several observations.
    pub const FULL: Sizes = Sizes {
        members_sampled: 20_000,
        lookups: 20_000,
        lookups_warmup: 1_000,
        awards: 5_000,
        awards_warmup: 1_000,
        tier_runs: 3,
        counter_queries: 20_000,
    };
    /// A smoke run (`--quick`): every code path, small samples.
    pub const QUICK: Sizes = Sizes {
        members_sampled: 2_000,
        lookups: 2_000,
        lookups_warmup: 200,
        awards: 500,
        awards_warmup: 100,
        tier_runs: 1,
        counter_queries: 2_000,
    };
}
