//! Bench 6: the full tier re-evaluation and the daily incremental one, as of the demo shop's
//! date, against raw SQL reading the same day buckets.

use std::hint::black_box;
use std::time::{Duration, Instant};

use anyhow::Context;
use chrono::{Days, NaiveDate};
use rusqlite::{Connection, params};
use taem_core::time::day_number;
use taem_replica::{ReevaluationMode, Replica};

use crate::Sizes;
use crate::figures::{Figure, Goal, millis};
use crate::setup::demo_today;

const FULL_BASELINE: &str = "raw SELECT member_id, SUM(points) FROM tier_points_daily WHERE day >= ? GROUP BY member_id, streamed";
const DAILY_BASELINE: &str =
    "raw SELECT DISTINCT member_id of the day that left the window, then each one's in-window SUM";

/// Runs the tier benches; mutates the run copy (members move tier).
pub fn run(replica: &mut Replica, raw: &Connection, sizes: &Sizes) -> anyhow::Result<Vec<Figure>> {
    let today = demo_today();
    let tomorrow = today + Days::new(1);
    let period = replica.settings()?.tiers.period;
    let start = |d: NaiveDate| period.window_start(d).map_or(i64::MIN, day_number);
    let runs = sizes.tier_runs.max(1);

    eprintln!("bench: full tier re-evaluation as of {today} (median of {runs} runs)");
    full_baseline(raw, start(today))?; // untimed: the same warm cache for both sides
    let (mut ours, mut bare) = (Vec::new(), Vec::new());
    for _ in 0..runs {
        bare.push(full_baseline(raw, start(today))?.0);
        let started = Instant::now();
        let report = replica
            .reevaluate_tiers(ReevaluationMode::Full, today)
            .context("full re-evaluation")?;
        ours.push(started.elapsed());
        anyhow::ensure!(
            report.mode == ReevaluationMode::Full,
            "ran {:?}",
            report.mode
        );
        eprintln!(
            "  full: {} ms, {} members checked, {} up, {} down",
            report.elapsed_ms, report.members_checked, report.upgraded, report.downgraded
        );
    }
    let full = Figure::new(
        "tier_full_reevaluation",
        millis(median(ours)),
        "ms",
        FULL_BASELINE,
        millis(median(bare)),
        Goal::below(2000.0),
    );

    eprintln!("bench: daily incremental re-evaluation, {today} then {tomorrow}");
    replica
        .reevaluate_tiers(ReevaluationMode::Incremental, today)
        .context("incremental re-evaluation establishing the window")?;
    let (from, to) = (start(today), start(tomorrow));
    daily_baseline(raw, from, to)?; // untimed warm-up
    let mut bare = Vec::new();
    let mut raw_members = 0;
    for _ in 0..runs {
        let (took, members) = daily_baseline(raw, from, to)?;
        bare.push(took);
        raw_members = members;
    }
    let started = Instant::now();
    let report = replica
        .reevaluate_tiers(ReevaluationMode::Incremental, tomorrow)
        .context("daily incremental re-evaluation")?;
    let took = started.elapsed();
    anyhow::ensure!(
        report.mode == ReevaluationMode::Incremental,
        "the daily run fell back to {:?}",
        report.mode
    );
    eprintln!(
        "  incremental: {} ms, {} members checked, {} up, {} down",
        report.elapsed_ms, report.members_checked, report.upgraded, report.downgraded
    );
    let daily = Figure::new(
        "tier_daily_reevaluation",
        millis(took),
        "ms",
        DAILY_BASELINE,
        millis(median(bare)),
        Goal::below(1000.0),
    );
    let members = Figure::new(
        "tier_daily_members_checked",
        report.members_checked as f64,
        "members",
        "raw count of members with points on the day that left the window",
        raw_members as f64,
        Goal::default(),
    );
    Ok(vec![full, daily, members])
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort_unstable();
    samples.get(samples.len() / 2).copied().unwrap_or_default()
}

/// Every member's in-window total, streamed; returns the time and the members seen.
fn full_baseline(raw: &Connection, start_day: i64) -> anyhow::Result<(Duration, u64)> {
    let started = Instant::now();
    let mut stmt = raw.prepare_cached(
        "SELECT member_id, SUM(points) FROM tier_points_daily WHERE day >= ?1 GROUP BY member_id",
    )?;
    let mut rows = stmt.query([start_day])?;
    let (mut members, mut total) = (0u64, 0i64);
    while let Some(row) = rows.next()? {
        let _id: i64 = row.get(0)?;
        let points: i64 = row.get(1)?;
        members += 1;
        total = total.wrapping_add(points);
    }
    black_box(total);
    Ok((started.elapsed(), members))
}

/// The members with points on the days in `[from, to)` and their totals from `to` on.
fn daily_baseline(raw: &Connection, from: i64, to: i64) -> anyhow::Result<(Duration, u64)> {
    let started = Instant::now();
    let ids: Vec<i64> = raw
        .prepare_cached(
            "SELECT DISTINCT member_id FROM tier_points_daily WHERE day >= ?1 AND day < ?2",
        )?
        .query_map(params![from, to], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let mut sum = raw.prepare_cached(
        "SELECT COALESCE(SUM(points), 0) FROM tier_points_daily WHERE member_id = ?1 AND day >= ?2",
    )?;
    let mut total = 0i64;
    for id in &ids {
        let points: i64 = sum.query_row(params![id, to], |r| r.get(0))?;
        total = total.wrapping_add(points);
    }
    black_box(total);
    Ok((started.elapsed(), ids.len() as u64))
}
