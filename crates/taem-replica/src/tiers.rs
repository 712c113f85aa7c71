//! Tier settings on the counter and the tier re-evaluation (full and daily incremental).

use std::time::Instant;

use chrono::NaiveDate;
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;
use taem_core::time::day_number;
use taem_core::{Points, SystemRates, TierChangeReason, TierSettings};

use crate::Result;
use crate::open::Replica;
use crate::outbox::SqlResult;
use crate::settings::{self, ShopSettings};

const META_EVAL_START: &str = "tier_eval_start_day";
const META_EVAL_PERIOD: &str = "tier_eval_period";
/// Present while the tier settings changed and the members are not re-placed yet.
const META_REPLACEMENT_DUE: &str = "tier_replacement_due";
/// Stored in place of a start day when the period has no start (since registration).
const NO_START: i64 = i64::MIN;

/// Where the tier fold got to: every ledger entry at or below this id has its tier credit in
/// the day buckets (schema v9).
pub(crate) const META_BUCKETS_THROUGH: &str = "tier_buckets_through";

/// The fold's watermark as an SQL expression, 0 when none is stored (a macro, so that queries
/// can `concat!` it).
macro_rules! buckets_through_sql {
    () => {
        "COALESCE((SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'tier_buckets_through'), 0)"
    };
}
pub(crate) const BUCKETS_THROUGH_SQL: &str = buckets_through_sql!();

/// Entries folded into the day buckets in one transaction, so that a sale waits at most for
/// one batch.
pub const FOLD_BATCH: u64 = 2_000;

/// A replica opened for writing with at least this many entries above the watermark folds
/// them first (a shop that runs `taem-counter` alone and never re-evaluates).
pub const FOLD_AT_OPEN: u64 = 10_000;

/// Accumulated points of one member from `start` (inclusive) on, or all of them: the day
/// buckets plus the member's entries not folded into them yet (found through the ledger's
/// member index above the fold's watermark, so the cost grows with the member's own recent
/// entries only).
pub(crate) fn accumulated(
    conn: &Connection,
    member_id: i64,
    start: Option<NaiveDate>,
) -> rusqlite::Result<Points> {
    let start_day = start_day(start);
    conn.prepare_cached(ACCUMULATED_SQL)?
        .query_row(params![member_id, start_day], |r| r.get(0))
        .map(Points)
}

/// A member's in-window day buckets alone: [`accumulated`] when no entry waits for the fold
/// (the re-evaluation, right after folding, does not read each candidate's ledger index page).
fn accumulated_in_buckets(
    conn: &Connection,
    member_id: i64,
    start: Option<NaiveDate>,
    end_day: i64,
) -> rusqlite::Result<Points> {
    let start_day = start_day(start);
    conn.prepare_cached(
        "SELECT COALESCE(SUM(points), 0) FROM tier_points_daily
         WHERE member_id = ?1 AND day >= ?2 AND day <= ?3",
    )?
    .query_row(params![member_id, start_day, end_day], |r| r.get(0))
    .map(Points)
}

/// [`accumulated`] as of the shop-local day `end_day`: entries dated after it left out (a
/// re-evaluation or preview as of an earlier day must not count what was earned since).
fn accumulated_until(
    conn: &Connection,
    member_id: i64,
    start: Option<NaiveDate>,
    end_day: i64,
) -> rusqlite::Result<Points> {
    let start_day = start_day(start);
    conn.prepare_cached(&format!(
        "SELECT COALESCE((SELECT SUM(points) FROM tier_points_daily
                          WHERE member_id = ?1 AND day >= ?2 AND day <= ?3), 0)
              + COALESCE((SELECT SUM(tier_credit) FROM ledger
                          WHERE member_id = ?1 AND id > {BUCKETS_THROUGH_SQL}
                            AND unbucketed = 1 AND day >= ?2 AND day <= ?3), 0)"
    ))?
    .query_row(params![member_id, start_day, end_day], |r| r.get(0))
    .map(Points)
}

/// Whether any entry waits for the fold.
pub(crate) fn credit_waits_for_fold(conn: &Connection) -> rusqlite::Result<bool> {
    conn.query_row(
        &format!(
            "SELECT EXISTS(SELECT 1 FROM ledger WHERE id > {BUCKETS_THROUGH_SQL} AND unbucketed = 1)"
        ),
        [],
        |r| r.get(0),
    )
}

/// A member's accumulated points as an SQL expression, for member `$member` (a parameter or
/// a column) from day `$day` on: the day buckets plus the member's entries above the fold's
/// watermark (a macro, so that queries can `concat!` it).
macro_rules! accumulated_sql {
    ($member:literal, $day:literal) => {
        concat!(
            "(COALESCE((SELECT SUM(points) FROM tier_points_daily
                        WHERE member_id = ",
            $member,
            " AND day >= ",
            $day,
            "), 0)
              + COALESCE((SELECT SUM(tier_credit) FROM ledger
                          WHERE member_id = ",
            $member,
            " AND id > ",
            crate::tiers::buckets_through_sql!(),
            " AND unbucketed = 1 AND day >= ",
            $day,
            "), 0))"
        )
    };
}
pub(crate) use {accumulated_sql, buckets_through_sql};

/// [`accumulated`]'s query (member `?1`, first day `?2`).
pub(crate) const ACCUMULATED_SQL: &str = concat!("SELECT ", accumulated_sql!("?1", "?2"));

/// The first day of a tier window as the accumulated-points queries take it.
pub(crate) fn start_day(start: Option<NaiveDate>) -> i64 {
    start.map_or(NO_START, day_number)
}

/// Folds up to `limit` entries above the watermark into the day buckets, in one transaction;
/// returns how far the watermark moved, in row ids (0: nothing left). Entries with no credit
/// waiting (server entries, redemptions, imports) are passed over in one step.
pub(crate) fn fold_batch(tx: &Connection, limit: u64) -> rusqlite::Result<u64> {
    let through: i64 = tx.query_row(&format!("SELECT {BUCKETS_THROUGH_SQL}"), [], |r| r.get(0))?;
    let first: Option<i64> = tx
        .query_row(
            "SELECT id FROM ledger WHERE id > ?1 AND unbucketed = 1 ORDER BY id LIMIT 1",
            [through],
            |r| r.get(0),
        )
        .optional()?;
    let last: i64 = match first {
        None => tx.query_row("SELECT COALESCE(MAX(id), 0) FROM ledger", [], |r| r.get(0))?,
        Some(first) => tx.query_row(
            "SELECT MAX(id) FROM (SELECT id FROM ledger WHERE id >= ?1 ORDER BY id LIMIT ?2)",
            params![first, i64::try_from(limit).unwrap_or(i64::MAX)],
            |r| r.get(0),
        )?,
    };
    if last <= through {
        return Ok(0);
    }
    if first.is_some() {
        tx.execute(
            "INSERT INTO tier_points_daily(member_id, day, points)
                 SELECT member_id, day, SUM(tier_credit) FROM ledger
                 WHERE id > ?1 AND id <= ?2 AND unbucketed = 1
                 GROUP BY member_id, day
             ON CONFLICT(member_id, day) DO UPDATE SET points = points + excluded.points",
            params![through, last],
        )?;
        tx.execute(
            "UPDATE ledger SET unbucketed = 0 WHERE id > ?1 AND id <= ?2 AND unbucketed = 1",
            params![through, last],
        )?;
    }
    crate::sync::set_meta(tx, META_BUCKETS_THROUGH, &last.to_string())?;
    Ok((last - through) as u64)
}

/// Keeps the watermark at or below the ledger's largest id after entries were deleted: SQLite
/// gives a new row the largest id plus one, which must land above the watermark.
pub(crate) fn lower_watermark_after_delete(tx: &Connection) -> rusqlite::Result<()> {
    tx.execute(
        &format!(
            "UPDATE meta SET value = MIN({BUCKETS_THROUGH_SQL}, (SELECT COALESCE(MAX(id), 0) FROM ledger))
             WHERE key = ?1"
        ),
        [META_BUCKETS_THROUGH],
    )?;
    Ok(())
}

/// Which re-evaluation to run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ReevaluationMode {
    /// Every member, from the day buckets (after a settings change).
    Full,
    /// Only members with points on the days that left the rolling window since the last run
    /// (the daily job). Falls back to full when the period changed or none ran before.
    Incremental,
}

/// What a re-evaluation did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ReevaluationReport {
    /// The mode that actually ran.
    pub mode: ReevaluationMode,
    /// The shop-local date evaluated for.
    pub as_of: NaiveDate,
    /// Members whose accumulated points were recomputed.
    pub members_checked: u64,
    /// Members moved up.
    pub upgraded: u64,
    /// Members moved down.
    pub downgraded: u64,
    /// Members moved to another tier that starts at the same points (their tier was replaced
    /// by a new one at the same level): neither up nor down.
    pub moved_across: u64,
    /// Wall time, milliseconds.
    pub elapsed_ms: u64,
    /// Whether the moves were made (false for [`Replica::preview_tiers`], which only counts
    /// them).
    pub saved: bool,
}

impl Replica {
    /// The rates and tiers this counter applies.
    pub fn settings(&self) -> Result<ShopSettings> {
        Ok(self.shared_settings()?.as_ref().clone())
    }

    /// The settings without copying them (the cache's shared value).
    pub(crate) fn shared_settings(&self) -> Result<std::sync::Arc<ShopSettings>> {
        settings::cached(&self.conn, &self.settings_cache).map_err(|e| self.fail(e))?
    }

    /// Replaces the point rates.
    pub fn set_rates(&mut self, rates: SystemRates) -> Result<ShopSettings> {
        self.refuse_if_server_owned()?;
        self.write(|ctx| {
            let new = ShopSettings {
                rates,
                tiers: ctx.settings.tiers.clone(),
            };
            settings::store(&ctx.tx, &new, ctx.now)?;
            ctx.settings_changed = true;
            Ok(new)
        })
    }

    /// Replaces the tier settings and re-places every member (reason: settings changed).
    pub fn set_tier_settings(&mut self, tiers: TierSettings) -> Result<ReevaluationReport> {
        self.refuse_if_server_owned()?;
        let previous = self.write(|ctx| {
            let new = ShopSettings {
                rates: ctx.settings.rates,
                // Removed tiers keep their ids and names (the members' tier history).
                tiers: tiers.replacing(&ctx.settings.tiers)?,
            };
            settings::store(&ctx.tx, &new, ctx.now)?;
            ctx.settings_changed = true;
            // Forget where the last evaluation got to, in the same transaction: should the
            // re-placement below not complete, the next run is a full one.
            ctx.tx
                .execute("DELETE FROM meta WHERE key = ?1", [META_EVAL_START])
                .sql(ctx)?;
            // And say the members still wait for it: should the program end before the
            // re-placement below commits (killed, power cut), the next opening does it.
            ctx.tx
                .execute(
                    "INSERT OR REPLACE INTO meta(key, value) VALUES (?1, '1')",
                    [META_REPLACEMENT_DUE],
                )
                .sql(ctx)?;
            Ok(ctx.settings.tiers.clone())
        })?;
        let today = taem_core::time::bangkok_date(self.env.now());
        self.reevaluate(
            ReevaluationMode::Full,
            today,
            TierChangeReason::SettingsChanged,
            Some(&previous),
            true,
        )
    }

    /// Re-places every member when the tier settings changed and the program that changed
    /// them ended before it had re-placed them (killed during `tiers period`); returns whether
    /// it had to. Run when a replica opens for writing.
    pub(crate) fn finish_interrupted_replacement(&mut self) -> Result<bool> {
        if self.meta_text(META_REPLACEMENT_DUE)?.is_none() {
            return Ok(false);
        }
        let today = taem_core::time::bangkok_date(self.env.now());
        self.reevaluate(
            ReevaluationMode::Full,
            today,
            TierChangeReason::SettingsChanged,
            None,
            true,
        )?;
        Ok(true)
    }

    /// Runs the tier re-evaluation as of the shop-local date `today`.
    pub fn reevaluate_tiers(
        &mut self,
        mode: ReevaluationMode,
        today: NaiveDate,
    ) -> Result<ReevaluationReport> {
        self.reevaluate(mode, today, TierChangeReason::Reevaluation, None, true)
    }

    /// Counts the members a re-evaluation as of `today` would move up and down, and moves
    /// nobody: for a date to come ("who drops at the end of the month?"), where a real run
    /// would record moves that have not happened yet.
    pub fn preview_tiers(&mut self, today: NaiveDate) -> Result<ReevaluationReport> {
        self.reevaluate(
            ReevaluationMode::Full,
            today,
            TierChangeReason::Reevaluation,
            None,
            false,
        )
    }

    fn reevaluate(
        &mut self,
        mode: ReevaluationMode,
        today: NaiveDate,
        reason: TierChangeReason,
        previous: Option<&TierSettings>,
        save: bool,
    ) -> Result<ReevaluationReport> {
        let started = Instant::now();
        // The daily run finds members by the days in the buckets: every entry goes in first.
        self.fold_tier_credit(u64::MAX)?;
        let settings = self.shared_settings()?;
        let period = serde_json::to_string(&settings.tiers.period).unwrap_or_default();
        let start = settings.tiers.period.window_start(today);
        let start_day = start_day(start);
        // Entries dated after the evaluation's day do not count (a run as of an earlier day).
        let end_day = day_number(today);
        let last_start: Option<i64> = self.meta_i64(META_EVAL_START)?;
        let last_period: Option<String> = self.meta_text(META_EVAL_PERIOD)?;
        let incremental_possible = last_period.as_deref() == Some(period.as_str())
            && last_start.is_some()
            && reason == TierChangeReason::Reevaluation;
        let mode = if mode == ReevaluationMode::Incremental && incremental_possible {
            ReevaluationMode::Incremental
        } else {
            ReevaluationMode::Full
        };

        // Phase 1, without the write lock: find the members that may move. Cashiers keep
        // awarding meanwhile; phase 2 re-reads each candidate under the lock.
        let candidates: Vec<i64> = match mode {
            ReevaluationMode::Full => {
                self.full_scan(&settings.tiers, start_day, end_day, reason)?
            }
            ReevaluationMode::Incremental => {
                let from = last_start.unwrap_or(NO_START);
                if start_day <= from {
                    Vec::new()
                } else {
                    let mut stmt = self
                        .conn
                        .prepare(
                            "SELECT DISTINCT member_id FROM tier_points_daily
                             WHERE day >= ?1 AND day < ?2",
                        )
                        .map_err(|e| self.fail(e))?;
                    stmt.query_map(params![from, start_day], |r| r.get(0))
                        .and_then(|rows| rows.collect())
                        .map_err(|e| self.fail(e))?
                }
            }
        };
        let members_checked = match mode {
            ReevaluationMode::Full => self.member_count()?,
            ReevaluationMode::Incremental => candidates.len() as u64,
        };

        // Phase 2: one transaction re-places the candidates and records where we got to.
        let (upgraded, downgraded, moved_across) = self.write(|ctx| {
            let (mut up, mut down, mut across) = (0u64, 0u64, 0u64);
            // Folded just before: unless a sale came in between, the buckets are the whole
            // story, and each candidate costs one range of them (measured at 1M members: the
            // daily run read a cold ledger index page per candidate otherwise, 305 → 630 ms).
            let waiting = credit_waits_for_fold(&ctx.tx).sql(ctx)?;
            for member_id in &candidates {
                let tier_id: u32 = ctx
                    .tx
                    .prepare_cached("SELECT tier_id FROM members WHERE id = ?1")
                    .and_then(|mut statement| statement.query_row([member_id], |r| r.get(0)))
                    .sql(ctx)?;
                let acc = if waiting {
                    accumulated_until(&ctx.tx, *member_id, start, end_day)
                } else {
                    accumulated_in_buckets(&ctx.tx, *member_id, start, end_day)
                }
                .sql(ctx)?;
                if let Some(to) = ctx.settings.tiers.change_for(Some(tier_id), acc, reason) {
                    // Up or down is by level (the lowest tier, the next…): a removed tier
                    // by its level before the change, so that the top tier replaced by a new
                    // top tier starting lower is neither.
                    let rank = |id| {
                        ctx.settings
                            .tiers
                            .level(id)
                            .or_else(|| previous.and_then(|p| p.level(id)))
                    };
                    match rank(to).cmp(&rank(tier_id)) {
                        std::cmp::Ordering::Greater => up += 1,
                        std::cmp::Ordering::Less => down += 1,
                        std::cmp::Ordering::Equal => across += 1,
                    }
                    if save {
                        ctx.write_tier_change(*member_id, Some(tier_id), to, reason, acc)?;
                    }
                }
            }
            if !save {
                return Ok((up, down, across));
            }
            if reason == TierChangeReason::SettingsChanged {
                ctx.tx
                    .execute("DELETE FROM meta WHERE key = ?1", [META_REPLACEMENT_DUE])
                    .sql(ctx)?;
            }
            for (key, value) in [
                (META_EVAL_START, start_day.to_string()),
                (META_EVAL_PERIOD, period.clone()),
            ] {
                ctx.tx
                    .execute(
                        "INSERT INTO meta(key, value) VALUES (?1, ?2)
                         ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                        params![key, value],
                    )
                    .sql(ctx)?;
            }
            Ok((up, down, across))
        })?;
        Ok(ReevaluationReport {
            mode,
            as_of: today,
            members_checked,
            upgraded,
            downgraded,
            moved_across,
            elapsed_ms: started.elapsed().as_millis() as u64,
            saved: save,
        })
    }

    /// Every member's accumulated points from `start_day` on, indexed by the member's row id
    /// (one straight scan of the day buckets, plus the entries not folded yet).
    pub(crate) fn accumulated_by_member(&self, start_day: i64) -> Result<Vec<i64>> {
        self.accumulated_by_member_until(start_day, i64::MAX)
    }

    /// [`Replica::accumulated_by_member`] as of the shop-local day `end_day` (entries dated
    /// after it left out).
    pub(crate) fn accumulated_by_member_until(
        &self,
        start_day: i64,
        end_day: i64,
    ) -> Result<Vec<i64>> {
        let fail = |e| self.fail(e);
        let max_id: i64 = self
            .conn
            .query_row("SELECT COALESCE(MAX(id), 0) FROM members", [], |r| r.get(0))
            .map_err(fail)?;
        // Member ids are dense row ids, so a vector indexed by id is the cheapest map.
        let mut acc = vec![0i64; usize::try_from(max_id).unwrap_or(0) + 1];
        // `+day` keeps the planner off the day index: it does not hold the points, so using it
        // would fetch all rows from the table by key, 20× slower than one straight scan of the
        // table (measured at 1M members; NOT INDEXED is ignored for WITHOUT ROWID tables'
        // secondary indexes). Then the entries written since the last fold (a range of the
        // ledger's newest rows).
        for sql in [
            "SELECT member_id, points FROM tier_points_daily WHERE +day >= ?1 AND +day <= ?2"
                .to_string(),
            format!(
                "SELECT member_id, tier_credit FROM ledger
                 WHERE id > {BUCKETS_THROUGH_SQL} AND unbucketed = 1 AND day >= ?1 AND day <= ?2"
            ),
        ] {
            let mut stmt = self.conn.prepare(&sql).map_err(fail)?;
            let mut rows = stmt.query([start_day, end_day]).map_err(fail)?;
            while let Some(row) = rows.next().map_err(fail)? {
                let id: i64 = row.get(0).map_err(fail)?;
                let points: i64 = row.get(1).map_err(fail)?;
                if let Some(slot) = usize::try_from(id).ok().and_then(|i| acc.get_mut(i)) {
                    *slot += points;
                }
            }
        }
        Ok(acc)
    }

    /// Sums every member's in-window buckets and returns the members whose tier would change.
    fn full_scan(
        &self,
        tiers: &TierSettings,
        start_day: i64,
        end_day: i64,
        reason: TierChangeReason,
    ) -> Result<Vec<i64>> {
        let fail = |e| self.fail(e);
        let acc = self.accumulated_by_member_until(start_day, end_day)?;
        let mut stmt = self
            .conn
            .prepare("SELECT id, tier_id FROM members")
            .map_err(fail)?;
        let mut rows = stmt.query([]).map_err(fail)?;
        let mut candidates = Vec::new();
        while let Some(row) = rows.next().map_err(fail)? {
            let id: i64 = row.get(0).map_err(fail)?;
            let tier: u32 = row.get(1).map_err(fail)?;
            let points = points_of(&acc, id);
            if tiers
                .change_for(Some(tier), Points(points), reason)
                .is_some()
            {
                candidates.push(id);
            }
        }
        Ok(candidates)
    }

    /// Adds the tier credit of up to `max_entries` entries written since the last fold to
    /// the day buckets (in transactions of [`FOLD_BATCH`] entries, so a sale waits at most for
    /// one); returns how many entries it went through (in row ids). Sales leave that work for here; the
    /// re-evaluation, the desktop app's background worker and the opening of a replica with a
    /// long backlog call it.
    pub fn fold_tier_credit(&mut self, max_entries: u64) -> Result<u64> {
        if self.tier_credit_backlog()? == 0 {
            return Ok(0); // no write transaction for nothing
        }
        let mut done = 0u64;
        while done < max_entries {
            let limit = FOLD_BATCH.min(max_entries - done);
            let seen = self.write(|ctx| fold_batch(&ctx.tx, limit).sql(ctx))?;
            if seen == 0 {
                break;
            }
            done += seen;
        }
        Ok(done)
    }

    /// How many ledger entries lie above the fold's watermark (an estimate from row ids: the
    /// entries a fold would go through).
    pub fn tier_credit_backlog(&self) -> Result<u64> {
        self.conn
            .query_row(
                &format!("SELECT COALESCE(MAX(id), 0) - {BUCKETS_THROUGH_SQL} FROM ledger"),
                [],
                |r| r.get::<_, i64>(0),
            )
            .map(|n| n.max(0) as u64)
            .map_err(|e| self.fail(e))
    }

    /// How many members each tier holds (tier id, members), lowest tier first.
    pub fn members_per_tier(&self) -> Result<Vec<(u32, i64)>> {
        let settings = self.shared_settings()?;
        let fail = |e| self.fail(e);
        let mut stmt = self
            .conn
            .prepare("SELECT tier_id, COUNT(*) FROM members GROUP BY tier_id")
            .map_err(fail)?;
        let counts: Vec<(u32, i64)> = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .and_then(|rows| rows.collect())
            .map_err(fail)?;
        let mut out: Vec<(u32, i64)> = settings
            .tiers
            .tiers()
            .iter()
            .map(|t| (t.id, counts.iter().find(|c| c.0 == t.id).map_or(0, |c| c.1)))
            .collect();
        out.extend(counts.iter().filter(|c| settings.tiers.tier(c.0).is_none()));
        Ok(out)
    }

    pub(crate) fn member_count(&self) -> Result<u64> {
        self.conn
            .query_row("SELECT COUNT(*) FROM members", [], |r| r.get::<_, i64>(0))
            .map(|n| n as u64)
            .map_err(|e| self.fail(e))
    }

    pub(crate) fn meta_text(&self, key: &str) -> Result<Option<String>> {
        self.conn
            .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
            .optional()
            .map_err(|e| self.fail(e))
    }

    fn meta_i64(&self, key: &str) -> Result<Option<i64>> {
        Ok(self.meta_text(key)?.and_then(|v| v.parse().ok()))
    }
}

/// A member's entry in [`Replica::accumulated_by_member`]'s answer (0 when absent).
pub(crate) fn points_of(acc: &[i64], id: i64) -> i64 {
    usize::try_from(id)
        .ok()
        .and_then(|i| acc.get(i))
        .copied()
        .unwrap_or(0)
}
