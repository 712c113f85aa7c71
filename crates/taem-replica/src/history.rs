//! A member's history (ledger entries and tier changes, newest first), the outbox and the
//! replica's status.

use chrono::{DateTime, Utc};
use rusqlite::params;
use taem_core::{LedgerKind, Money, Operation, TierChangeReason};
use uuid::Uuid;

use crate::Result;
use crate::members::MemberKey;
use crate::open::Replica;
use crate::outbox::tier_view;
use crate::views::{HistoryItem, LedgerEntryView, ReplicaStatus, TierChangeView};

/// The most history lines one call returns.
pub const HISTORY_ITEMS_MAX: usize = 1_000;

fn at(ms: i64) -> DateTime<Utc> {
    DateTime::<Utc>::from_timestamp_millis(ms).unwrap_or_default()
}

/// A member's newest ledger entries (the card's last activity, the history).
pub(crate) const LEDGER_ENTRIES_SQL: &str =
    "SELECT kind, points, at_ms, bill_no, amount_satang, reason, counts_toward_tier,
            branch, op_id, confirmed
     FROM ledger WHERE member_id = ?1 ORDER BY id DESC LIMIT ?2";

impl Replica {
    /// The newest `limit` history lines of a member: points entries and tier changes.
    pub fn history(&self, key: &MemberKey, limit: usize) -> Result<Vec<HistoryItem>> {
        let limit = limit.clamp(1, HISTORY_ITEMS_MAX);
        let row = self.member_row(key)?;
        let settings = self.shared_settings()?;
        let fail = |e| self.fail(e);
        let mut items: Vec<HistoryItem> = self
            .ledger_entries(row.id, limit)?
            .into_iter()
            .map(HistoryItem::Points)
            .collect();
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT from_tier, to_tier, reason, accumulated, at_ms
                 FROM tier_changes WHERE member_id = ?1 ORDER BY id DESC LIMIT ?2",
            )
            .map_err(fail)?;
        let changes = stmt
            .query_map(params![row.id, limit as i64], |r| {
                let from: Option<u32> = r.get(0)?;
                let reason: String = r.get(2)?;
                Ok(HistoryItem::Tier(TierChangeView {
                    from: from.map(|id| tier_view(&settings, id)),
                    to: tier_view(&settings, r.get(1)?),
                    reason: TierChangeReason::parse(&reason)
                        .unwrap_or(TierChangeReason::Reevaluation),
                    accumulated_points: r.get(3)?,
                    at: at(r.get(4)?),
                }))
            })
            .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
            .map_err(fail)?;
        items.extend(changes);
        // Stable: for equal times, points entries (written first in the same transaction)
        // stay before the tier change they caused, newest first overall.
        items.sort_by_key(|i| std::cmp::Reverse(i.at()));
        items.truncate(limit);
        Ok(items)
    }

    /// The newest `limit` points entries of a member (by local id), newest first.
    pub(crate) fn ledger_entries(
        &self,
        member_id: i64,
        limit: usize,
    ) -> Result<Vec<LedgerEntryView>> {
        self.conn
            .prepare_cached(LEDGER_ENTRIES_SQL)
            .and_then(|mut stmt| {
                stmt.query_map(params![member_id, limit as i64], |r| {
                    let kind: String = r.get(0)?;
                    let amount: Option<i64> = r.get(4)?;
                    let op: Vec<u8> = r.get(8)?;
                    Ok(LedgerEntryView {
                        kind: LedgerKind::parse(&kind).unwrap_or(LedgerKind::Adjust),
                        points: r.get(1)?,
                        at: at(r.get(2)?),
                        bill_no: r.get(3)?,
                        amount: amount
                            .and_then(|s| Money::from_satang(s).ok())
                            .map(|m| m.to_string()),
                        reason: r.get(5)?,
                        counts_toward_tier: r.get(6)?,
                        branch: r.get(7)?,
                        op_id: Uuid::from_slice(&op).unwrap_or_default(),
                        confirmed: r.get(9)?,
                    })
                })?
                .collect()
            })
            .map_err(|e| self.fail(e))
    }

    /// Operations waiting for the server, oldest first (what a sync pushes next).
    pub fn pending_operations(&self, limit: usize) -> Result<Vec<Operation>> {
        let fail = |e| self.fail(e);
        let device_id = self.device.device_id;
        let mut stmt = self
            .conn
            .prepare_cached(crate::outbox::outbox_operations_sql!(
                "ORDER BY o.device_seq LIMIT ?1"
            ))
            .map_err(fail)?;
        let ops = stmt
            .query_map([limit as i64], |r| {
                crate::outbox::outbox_operation(r, device_id)
            })
            .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
            .map_err(fail)?;
        ops.into_iter().collect()
    }

    /// The replica at a glance.
    pub fn status(&self) -> Result<ReplicaStatus> {
        let fail = |e| self.fail(e);
        let count =
            |sql: &str| -> Result<i64> { self.conn.query_row(sql, [], |r| r.get(0)).map_err(fail) };
        Ok(ReplicaStatus {
            path: self.path.display().to_string(),
            schema_version: count("PRAGMA user_version")?,
            device_id: self.device.device_id,
            shop_name: self.device.shop_name.clone(),
            branch: self.device.branch.clone(),
            members: count("SELECT COUNT(*) FROM members")?,
            ledger_entries: count("SELECT COALESCE(MAX(id), 0) FROM ledger")?,
            pending_operations: count("SELECT COUNT(*) FROM outbox")?,
            device_seq: count(concat!("SELECT ", crate::outbox::device_seq_high_sql!()))?,
            sync: self.sync_status()?,
        })
    }
}
