//! What a branch manager looks at: members per tier (per branch and overall), members close to
//! the next tier, and members the next re-evaluation would move down.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap};

use chrono::{Days, NaiveDate};
use serde::Serialize;
use taem_core::time::{bangkok_date, day_number};
use taem_core::{Points, TierChangeReason};

use crate::Result;
use crate::members::row_by_local_id;
use crate::open::Replica;
use crate::outbox::tier_view;
use crate::tiers::points_of;
use crate::views::{MemberSummary, TierView};

/// The most members one manager list returns.
pub const MANAGER_LIST_MAX: usize = 500;

/// Members of one tier.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct TierCount {
    /// The tier.
    pub tier: TierView,
    /// Its start point.
    pub start_points: i64,
    /// Members in it, all branches.
    pub members: i64,
    /// Members in it per registering branch (`branches` order of [`TierOverview`]).
    pub per_branch: Vec<i64>,
}

/// Members per tier, overall and per branch.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct TierOverview {
    /// Whether the tier system is switched on.
    pub enabled: bool,
    /// The branches members registered at, sorted.
    pub branches: Vec<String>,
    /// Lowest tier first; a tier no member holds is listed with zeros.
    pub tiers: Vec<TierCount>,
    /// All members.
    pub total: i64,
}

/// A member close to the next tier.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct TierCandidate {
    /// The member.
    pub member: MemberSummary,
    /// Accumulated points in the calculation period.
    pub accumulated_points: i64,
    /// The tier they would reach.
    pub next_tier: TierView,
    /// Points still needed.
    pub points_to_next: i64,
}

/// A member the next re-evaluation would move down.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct DropCandidate {
    /// The member (with the tier they hold now).
    pub member: MemberSummary,
    /// The tier they would move to.
    pub to: TierView,
    /// Accumulated points on the re-evaluation day.
    pub accumulated_points: i64,
    /// Points they would need to keep their tier.
    pub points_to_keep: i64,
    /// The day of the re-evaluation (Bangkok date).
    pub on: NaiveDate,
}

impl Replica {
    /// Whether a member registered at `branch` (stops at the first one it finds).
    pub fn branch_in_use(&self, branch: &str) -> Result<bool> {
        self.conn
            .query_row(
                "SELECT EXISTS(SELECT 1 FROM members WHERE branch = ?1)",
                [branch],
                |r| r.get(0),
            )
            .map_err(|e| self.fail(e))
    }

    /// Whether `branch` is one of the shop's branches as this counter knows them: by the
    /// server's list when it sent one; otherwise this counter's own branch or one a member
    /// registered at.
    pub fn knows_branch(&self, branch: &str) -> Result<bool> {
        let shop = self.shop_branches()?;
        if !shop.is_empty() {
            return Ok(shop.iter().any(|b| b == branch));
        }
        Ok(self.device.branch == branch || self.branch_in_use(branch)?)
    }

    /// The shop's branches as this counter knows them, its own first, then the others in
    /// order: the server's list when it sent one; otherwise the branches members registered
    /// at (a scan of the members).
    pub fn known_branches(&self) -> Result<Vec<String>> {
        let own = self.device.branch.clone();
        let mut others = self.shop_branches()?;
        if others.is_empty() {
            others = self.tier_overview()?.branches;
        }
        others.retain(|b| *b != own && !b.is_empty());
        others.sort();
        others.dedup();
        Ok(std::iter::once(own).chain(others).collect())
    }

    /// Members per tier, overall and per registering branch.
    pub fn tier_overview(&self) -> Result<TierOverview> {
        let settings = self.shared_settings()?;
        let fail = |e| self.fail(e);
        let mut stmt = self
            .conn
            .prepare("SELECT branch, tier_id, COUNT(*) FROM members GROUP BY branch, tier_id")
            .map_err(fail)?;
        let rows: Vec<(String, u32, i64)> = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .and_then(|rows| rows.collect())
            .map_err(fail)?;
        let branches: Vec<String> = rows
            .iter()
            .map(|(b, _, _)| b.clone())
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        let mut tiers: BTreeMap<(i64, u32), TierCount> = settings
            .tiers
            .tiers()
            .iter()
            .map(|t| {
                (
                    (t.start_points.0, t.id),
                    TierCount {
                        tier: tier_view(&settings, t.id),
                        start_points: t.start_points.0,
                        members: 0,
                        per_branch: vec![0; branches.len()],
                    },
                )
            })
            .collect();
        let mut total = 0;
        for (branch, tier_id, count) in rows {
            total += count;
            let start = settings
                .tiers
                .tier(tier_id)
                .map_or(i64::MAX, |t| t.start_points.0);
            let entry = tiers.entry((start, tier_id)).or_insert_with(|| TierCount {
                tier: tier_view(&settings, tier_id),
                start_points: start,
                members: 0,
                per_branch: vec![0; branches.len()],
            });
            entry.members += count;
            if let Ok(i) = branches.binary_search(&branch) {
                entry.per_branch[i] += count;
            }
        }
        Ok(TierOverview {
            enabled: settings.tiers.enabled,
            branches,
            tiers: tiers.into_values().collect(),
            total,
        })
    }

    /// Members nearest to their next tier (fewest points still needed first), as of today.
    pub fn close_to_next_tier(&self, limit: usize) -> Result<Vec<TierCandidate>> {
        let limit = limit.clamp(1, MANAGER_LIST_MAX);
        let settings = self.shared_settings()?;
        let today = bangkok_date(self.environment().now());
        let start_day = settings
            .tiers
            .period
            .window_start(today)
            .map_or(i64::MIN, day_number);
        let acc = self.accumulated_by_member(start_day)?;
        // (points still needed, member row id, next tier) of the `limit` nearest.
        let mut nearest: BinaryHeap<(i64, i64, u32)> = BinaryHeap::new();
        let fail = |e| self.fail(e);
        let mut stmt = self
            .conn
            .prepare("SELECT id, tier_id FROM members")
            .map_err(fail)?;
        let mut rows = stmt.query([]).map_err(fail)?;
        while let Some(row) = rows.next().map_err(fail)? {
            let id: i64 = row.get(0).map_err(fail)?;
            let tier_id: u32 = row.get(1).map_err(fail)?;
            let points = points_of(&acc, id);
            let Some(current) = settings.tiers.tier(tier_id) else {
                continue;
            };
            let Some(next) = settings
                .tiers
                .tiers()
                .iter()
                .find(|t| t.start_points > current.start_points)
            else {
                continue;
            };
            let needed = (next.start_points.0 - points).max(1);
            nearest.push((needed, id, next.id));
            if nearest.len() > limit {
                nearest.pop();
            }
        }
        let mut found = nearest.into_sorted_vec();
        found.truncate(limit);
        found
            .into_iter()
            .map(|(needed, id, next)| {
                Ok(TierCandidate {
                    member: self.summary_by_row(id)?,
                    accumulated_points: points_of(&acc, id),
                    next_tier: tier_view(&settings, next),
                    points_to_next: needed,
                })
            })
            .collect()
    }

    /// Members the re-evaluation tomorrow (Bangkok date) would move to a lower tier, the
    /// biggest shortfall first. Empty while the tier system is off.
    pub fn due_to_drop(&self, limit: usize) -> Result<Vec<DropCandidate>> {
        let limit = limit.clamp(1, MANAGER_LIST_MAX);
        let settings = self.shared_settings()?;
        if !settings.tiers.enabled {
            return Ok(Vec::new());
        }
        let on = bangkok_date(self.environment().now())
            .checked_add_days(Days::new(1))
            .unwrap_or(NaiveDate::MAX);
        let start_day = settings
            .tiers
            .period
            .window_start(on)
            .map_or(i64::MIN, day_number);
        let acc = self.accumulated_by_member(start_day)?;
        let mut biggest: BinaryHeap<Reverse<(i64, i64, u32)>> = BinaryHeap::new();
        let fail = |e| self.fail(e);
        let mut stmt = self
            .conn
            .prepare("SELECT id, tier_id FROM members")
            .map_err(fail)?;
        let mut rows = stmt.query([]).map_err(fail)?;
        while let Some(row) = rows.next().map_err(fail)? {
            let id: i64 = row.get(0).map_err(fail)?;
            let tier_id: u32 = row.get(1).map_err(fail)?;
            let points = points_of(&acc, id);
            let Some(to) = settings.tiers.change_for(
                Some(tier_id),
                Points(points),
                TierChangeReason::Reevaluation,
            ) else {
                continue;
            };
            let (Some(from_tier), Some(to_tier)) =
                (settings.tiers.tier(tier_id), settings.tiers.tier(to))
            else {
                continue;
            };
            if to_tier.start_points >= from_tier.start_points {
                continue;
            }
            let shortfall = from_tier.start_points.0 - points;
            biggest.push(Reverse((shortfall, id, to)));
            if biggest.len() > limit {
                biggest.pop();
            }
        }
        let mut found: Vec<(i64, i64, u32)> = biggest.into_iter().map(|Reverse(x)| x).collect();
        found.sort_by(|a, b| b.cmp(a));
        found
            .into_iter()
            .map(|(shortfall, id, to)| {
                Ok(DropCandidate {
                    member: self.summary_by_row(id)?,
                    to: tier_view(&settings, to),
                    accumulated_points: points_of(&acc, id),
                    points_to_keep: shortfall,
                    on,
                })
            })
            .collect()
    }

    fn summary_by_row(&self, id: i64) -> Result<MemberSummary> {
        let settings = self.shared_settings()?;
        row_by_local_id(&self.conn, id)
            .map(|row| row.summary(&settings))
            .map_err(|e| self.fail(e))
    }
}
