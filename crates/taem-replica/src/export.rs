//! Rows for downloads (members, the points ledger, redemptions, tier changes), read one by one
//! from the replica and handed to a callback, so an export of a million rows holds one row at a
//! time. Filters: the branch (where a member registered, where an entry was made) and a range
//! of shop-local (Asia/Bangkok) dates, both ends included.

use chrono::{DateTime, NaiveDate, Utc};
pub use taem_core::export::{ExportFilter, LedgerExportRow, MemberExportRow, TierChangeExportRow};
use taem_core::{Gender, LedgerKind, MemberProfile, TierChangeReason};

use crate::Result;
use crate::error::ReplicaError;
use crate::open::Replica;

fn at(ms: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(ms).unwrap_or_default()
}

impl Replica {
    fn tier_name(&self, id: i64) -> Result<String> {
        let settings = self.shared_settings()?;
        Ok(settings
            .tiers
            .label(id as u32)
            .map_or_else(|| format!("#{id}"), |(name, _)| name.to_string()))
    }

    /// Calls `f` for every member the filter takes (registration date and branch), oldest
    /// registration first. Stops at the first error `f` returns.
    pub fn export_members<E: From<ReplicaError>>(
        &self,
        filter: &ExportFilter,
        mut f: impl FnMut(MemberExportRow) -> std::result::Result<(), E>,
    ) -> std::result::Result<u64, E> {
        let (from, to) = filter.range_ms();
        let mut stmt = self
            .conn
            .prepare(
                "SELECT code, phone, first_name, last_name, birthday, gender, email, address, tags,
                        marketing_consent, pdpa_consent, note, branch, registered_at_ms,
                        balance_confirmed + balance_pending, tier_id
                 FROM members
                 WHERE registered_at_ms >= ?1 AND registered_at_ms < ?2
                   AND (?3 IS NULL OR branch = ?3)
                 ORDER BY registered_at_ms, id",
            )
            .map_err(|e| self.fail(e))?;
        let mut rows = stmt
            .query(rusqlite::params![from, to, filter.branch()])
            .map_err(|e| self.fail(e))?;
        let mut n = 0;
        while let Some(r) = rows.next().map_err(|e| self.fail(e))? {
            let get = |i| r.get::<_, Option<String>>(i).map_err(|e| self.fail(e));
            let tags: Vec<String> =
                serde_json::from_str(&get(8)?.unwrap_or_default()).unwrap_or_default();
            let row = MemberExportRow {
                code: get(0)?.unwrap_or_default(),
                phone: get(1)?.unwrap_or_default(),
                profile: MemberProfile {
                    first_name: get(2)?.unwrap_or_default(),
                    last_name: get(3)?.unwrap_or_default(),
                    birthday: get(4)?.and_then(|b| NaiveDate::parse_from_str(&b, "%Y-%m-%d").ok()),
                    gender: get(5)?.and_then(|g| Gender::parse(&g)).unwrap_or_default(),
                    email: get(6)?,
                    address: get(7)?,
                    tags,
                    marketing_consent: r.get(9).map_err(|e| self.fail(e))?,
                    pdpa_consent: r.get(10).map_err(|e| self.fail(e))?,
                    note: get(11)?,
                },
                branch: get(12)?.unwrap_or_default(),
                registered_at: at(r.get(13).map_err(|e| self.fail(e))?),
                balance: r.get(14).map_err(|e| self.fail(e))?,
                tier: self.tier_name(r.get(15).map_err(|e| self.fail(e))?)?,
            };
            f(row)?;
            n += 1;
        }
        Ok(n)
    }

    /// Calls `f` for every ledger entry the filter takes (entry date and branch), of the given
    /// kinds (all when empty), oldest first.
    pub fn export_ledger<E: From<ReplicaError>>(
        &self,
        filter: &ExportFilter,
        kinds: &[LedgerKind],
        mut f: impl FnMut(LedgerExportRow) -> std::result::Result<(), E>,
    ) -> std::result::Result<u64, E> {
        let (from, to) = filter.range_ms();
        let kinds_json =
            serde_json::to_string(&kinds.iter().map(|k| k.as_str()).collect::<Vec<_>>())
                .unwrap_or_else(|_| "[]".into());
        let mut stmt = self
            .conn
            .prepare(
                "SELECT l.at_ms, m.code, m.phone, m.first_name || ' ' || m.last_name, l.kind,
                        l.points, l.bill_no, l.amount_satang, l.reason, l.branch, l.confirmed
                 FROM ledger l JOIN members m ON m.id = l.member_id
                 WHERE l.at_ms >= ?1 AND l.at_ms < ?2
                   AND (?3 IS NULL OR l.branch = ?3)
                   AND (?4 = '[]' OR l.kind IN (SELECT value FROM json_each(?4)))
                 ORDER BY l.at_ms, l.id",
            )
            .map_err(|e| self.fail(e))?;
        let mut rows = stmt
            .query(rusqlite::params![from, to, filter.branch(), kinds_json])
            .map_err(|e| self.fail(e))?;
        let mut n = 0;
        while let Some(r) = rows.next().map_err(|e| self.fail(e))? {
            let kind: String = r.get(4).map_err(|e| self.fail(e))?;
            let row = LedgerExportRow {
                at: at(r.get(0).map_err(|e| self.fail(e))?),
                member_code: r.get(1).map_err(|e| self.fail(e))?,
                member_phone: r.get(2).map_err(|e| self.fail(e))?,
                member_name: r
                    .get::<_, String>(3)
                    .map_err(|e| self.fail(e))?
                    .trim()
                    .to_string(),
                kind: LedgerKind::parse(&kind).unwrap_or(LedgerKind::Adjust),
                points: r.get(5).map_err(|e| self.fail(e))?,
                bill_no: r.get(6).map_err(|e| self.fail(e))?,
                amount_satang: taem_core::export::reversal_signed(
                    &kind,
                    r.get(7).map_err(|e| self.fail(e))?,
                ),
                reason: r.get(8).map_err(|e| self.fail(e))?,
                branch: r.get(9).map_err(|e| self.fail(e))?,
                confirmed: r.get(10).map_err(|e| self.fail(e))?,
            };
            f(row)?;
            n += 1;
        }
        Ok(n)
    }

    /// Calls `f` for every tier change the filter takes (change date; branch: the member's
    /// registering branch), oldest first.
    pub fn export_tier_changes<E: From<ReplicaError>>(
        &self,
        filter: &ExportFilter,
        mut f: impl FnMut(TierChangeExportRow) -> std::result::Result<(), E>,
    ) -> std::result::Result<u64, E> {
        let (from, to) = filter.range_ms();
        let mut stmt = self
            .conn
            .prepare(
                "SELECT t.at_ms, m.code, m.first_name || ' ' || m.last_name, t.from_tier,
                        t.to_tier, t.reason, t.accumulated
                 FROM tier_changes t JOIN members m ON m.id = t.member_id
                 WHERE t.at_ms >= ?1 AND t.at_ms < ?2 AND (?3 IS NULL OR m.branch = ?3)
                 ORDER BY t.at_ms, t.id",
            )
            .map_err(|e| self.fail(e))?;
        let mut rows = stmt
            .query(rusqlite::params![from, to, filter.branch()])
            .map_err(|e| self.fail(e))?;
        let mut n = 0;
        while let Some(r) = rows.next().map_err(|e| self.fail(e))? {
            let reason: String = r.get(5).map_err(|e| self.fail(e))?;
            let from_tier: Option<i64> = r.get(3).map_err(|e| self.fail(e))?;
            let row = TierChangeExportRow {
                at: at(r.get(0).map_err(|e| self.fail(e))?),
                member_code: r.get(1).map_err(|e| self.fail(e))?,
                member_name: r
                    .get::<_, String>(2)
                    .map_err(|e| self.fail(e))?
                    .trim()
                    .to_string(),
                from: from_tier.map(|t| self.tier_name(t)).transpose()?,
                to: self.tier_name(r.get(4).map_err(|e| self.fail(e))?)?,
                reason: TierChangeReason::parse(&reason).unwrap_or(TierChangeReason::Reevaluation),
                accumulated: r.get(6).map_err(|e| self.fail(e))?,
            };
            f(row)?;
            n += 1;
        }
        Ok(n)
    }
}
