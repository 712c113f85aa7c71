//! Bulk loading of confirmed history: members and their bills as the server would hand them to
//! a new counter. Used by the demo-shop generator and the benchmarks; the sync issue's
//! bootstrap can reuse it.
//!
//! Loaded rows are *confirmed* (they come from the shop's history, not from this counter), so
//! they write no outbox rows.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use rusqlite::params;
use taem_core::time::{bangkok_date, day_number};
use taem_core::{MemberCode, MemberProfile, Money, Phone, Points, TierChangeReason};

use crate::Result;
use crate::error::ReplicaError;
use crate::open::Replica;

/// Members per transaction: large enough to amortise commits, small enough to report
/// progress often and keep the WAL bounded.
const BULK_MEMBERS_PER_TX: usize = 5_000;

/// One bill of loaded history.
#[derive(Clone, Debug)]
pub struct BulkBill {
    /// Bill number (unique in the shop).
    pub bill_no: String,
    /// Amount.
    pub amount: Money,
    /// When.
    pub at: DateTime<Utc>,
    /// Branch code.
    pub branch: String,
}

/// One member of loaded history.
#[derive(Clone, Debug)]
pub struct BulkMember {
    /// Mobile number.
    pub phone: Phone,
    /// Member code.
    pub code: MemberCode,
    /// Profile (validated by the loader).
    pub profile: MemberProfile,
    /// Registering branch code.
    pub branch: String,
    /// Registration time.
    pub registered_at: DateTime<Utc>,
    /// Bills, oldest first.
    pub bills: Vec<BulkBill>,
}

/// Progress of a bulk load.
#[derive(Clone, Copy, Debug, Default)]
pub struct BulkProgress {
    /// Members loaded so far.
    pub members: u64,
    /// Ledger entries loaded so far.
    pub entries: u64,
}

impl Replica {
    /// Loads confirmed members and bills in batches, calling `progress` after each batch.
    /// Points use the shop's current rates; tiers are placed as of now.
    pub fn load_confirmed(
        &mut self,
        members: impl Iterator<Item = BulkMember>,
        mut progress: impl FnMut(BulkProgress),
    ) -> Result<BulkProgress> {
        let mut done = BulkProgress::default();
        let mut batch = Vec::with_capacity(BULK_MEMBERS_PER_TX);
        // Durability of a bulk load of history is the loader's job (it can start over), so
        // skip the per-commit fsync and give the load a large page cache.
        self.conn
            .execute_batch("PRAGMA synchronous = OFF; PRAGMA cache_size = -262144;")
            .map_err(|e| self.fail(e))?;
        let mut members = members.peekable();
        let outcome = loop {
            batch.clear();
            batch.extend(members.by_ref().take(BULK_MEMBERS_PER_TX));
            if batch.is_empty() {
                break Ok(done);
            }
            match self.load_batch(&batch) {
                Ok(entries) => {
                    done.members += batch.len() as u64;
                    done.entries += entries;
                    progress(done);
                }
                Err(e) => break Err(e),
            }
        };
        self.conn
            .execute_batch("PRAGMA synchronous = FULL; PRAGMA cache_size = -2000; PRAGMA wal_checkpoint(TRUNCATE);")
            .map_err(|e| self.fail(e))?;
        outcome
    }

    fn load_batch(&mut self, batch: &[BulkMember]) -> Result<u64> {
        let env = self.env.clone();
        self.write(|ctx| {
            let tiers = &ctx.settings.tiers;
            let rate = ctx.settings.rates.counter;
            let window = tiers.period.window_start(ctx.today).map(day_number);
            let lowest = tiers.lowest().id;
            let mut entries = 0u64;
            let tx = &ctx.tx;
            let fail = |e| ctx.fail(e);
            let mut insert_member = tx
                .prepare_cached(
                    "INSERT INTO members(member_uid, code, phone, first_name, last_name, birthday,
                         gender, email, address, tags, marketing_consent, pdpa_consent, note,
                         branch, registered_at_ms, updated_at_ms, balance_confirmed, tier_id,
                         tier_since_ms)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?15, ?16, ?17, ?18)",
                )
                .map_err(fail)?;
            let mut insert_name = tx
                .prepare_cached("INSERT INTO member_names(rowid, name) VALUES (?1, ?2)")
                .map_err(fail)?;
            let mut insert_entry = tx
                .prepare_cached(
                    "INSERT INTO ledger(member_id, kind, points, tier_credit, day, at_ms, bill_no,
                         amount_satang, branch, op_id, confirmed)
                     VALUES (?1, 'earn', ?2, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 1)",
                )
                .map_err(fail)?;
            let mut insert_bucket = tx
                .prepare_cached(
                    "INSERT INTO tier_points_daily(member_id, day, points) VALUES (?1, ?2, ?3)",
                )
                .map_err(fail)?;
            let mut insert_change = tx
                .prepare_cached(
                    "INSERT INTO tier_changes(member_id, from_tier, to_tier, reason, accumulated, at_ms)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                )
                .map_err(fail)?;
            for m in batch {
                let profile = m.profile.clone().validated(ctx.today)?;
                let mut buckets: BTreeMap<i64, i64> = BTreeMap::new();
                let mut balance = 0i64;
                let earned: Vec<(Points, i64)> = m
                    .bills
                    .iter()
                    .map(|b| {
                        let points = rate.points_for(b.amount);
                        let day = day_number(bangkok_date(b.at));
                        (points, day)
                    })
                    .collect();
                for (points, day) in &earned {
                    balance += points.0;
                    if points.0 != 0 {
                        *buckets.entry(*day).or_default() += points.0;
                    }
                }
                let accumulated: i64 = buckets
                    .iter()
                    .filter(|(day, _)| window.is_none_or(|w| **day >= w))
                    .map(|(_, p)| p)
                    .sum();
                let placed = tiers.placement(Points(accumulated)).id;
                let registered_ms = m.registered_at.timestamp_millis();
                let last_ms = m.bills.last().map_or(registered_ms, |b| b.at.timestamp_millis());
                insert_member
                    .execute(params![
                        env.op_id_at(m.registered_at).as_bytes().as_slice(),
                        m.code.as_str(),
                        m.phone.as_str(),
                        profile.first_name,
                        profile.last_name,
                        profile.birthday.map(|b| b.format("%Y-%m-%d").to_string()),
                        profile.gender.as_str(),
                        profile.email,
                        profile.address,
                        serde_json::to_string(&profile.tags).unwrap_or_else(|_| "[]".into()),
                        profile.marketing_consent,
                        profile.pdpa_consent,
                        profile.note,
                        m.branch,
                        registered_ms,
                        balance,
                        placed,
                        last_ms,
                    ])
                    .map_err(|e| {
                        let phone_clash = e.sqlite_error_code()
                            == Some(rusqlite::ErrorCode::ConstraintViolation)
                            && e.to_string().contains("members.phone");
                        if phone_clash {
                            ReplicaError::PhoneTaken {
                                phone: m.phone.display_grouped(),
                                code: m.code.display_grouped(),
                                name: profile.full_name(),
                            }
                        } else {
                            ctx.fail(e)
                        }
                    })?;
                let id = tx.last_insert_rowid();
                insert_name
                    .execute(params![id, profile.full_name()])
                    .map_err(fail)?;
                for (bill, (points, day)) in m.bills.iter().zip(&earned) {
                    if points.0 == 0 {
                        continue;
                    }
                    insert_entry
                        .execute(params![
                            id,
                            points.0,
                            day,
                            bill.at.timestamp_millis(),
                            bill.bill_no,
                            bill.amount.satang(),
                            bill.branch,
                            env.op_id_at(bill.at).as_bytes().as_slice(),
                        ])
                        .map_err(fail)?;
                    entries += 1;
                }
                for (day, points) in &buckets {
                    insert_bucket.execute(params![id, day, points]).map_err(fail)?;
                }
                insert_change
                    .execute(params![
                        id,
                        Option::<u32>::None,
                        lowest,
                        TierChangeReason::Registered.as_str(),
                        0,
                        registered_ms
                    ])
                    .map_err(fail)?;
                if placed != lowest {
                    insert_change
                        .execute(params![
                            id,
                            lowest,
                            placed,
                            TierChangeReason::Earned.as_str(),
                            accumulated,
                            last_ms
                        ])
                        .map_err(fail)?;
                }
            }
            // The entries went in with their buckets: the fold's watermark moves past them, so
            // that no fold goes through a loaded history again.
            crate::tiers::fold_batch(tx, u64::MAX).map_err(fail)?;
            Ok(entries)
        })
    }
}
