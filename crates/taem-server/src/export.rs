//! Downloads from the server (`taem-server download`): a shop's members, its whole points
//! ledger, redemptions and tier changes, read from the embedded SQLite store in one read
//! transaction (a consistent snapshot) and handed row by row to `taem-import`'s writer, so a
//! chain's millions of rows never sit in memory. A counter's replica has every member but only
//! recent history; the server has all of it.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};
use taem_core::{LedgerKind, MemberProfile, Money, ShopSettings};
use taem_import::download::{
    ExportFilter, ExportSource, LedgerExportRow, MemberExportRow, TierChangeExportRow,
};
use taem_import::export::ExportError;
use taem_protocol::ChangeBody;
use uuid::Uuid;

use crate::error::{Result, ServerError};
use crate::sqlite::SqliteStore;

/// One shop of the store, as a download's source.
pub struct ShopExport<'a> {
    /// The store.
    pub store: &'a SqliteStore,
    /// The shop.
    pub shop: Uuid,
}

fn at(ms: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(ms).unwrap_or_default()
}

fn profile(json: &str) -> Result<MemberProfile> {
    serde_json::from_str(json).map_err(|e| ServerError::Invariant(format!("a member profile: {e}")))
}

fn to_export(e: ServerError) -> ExportError {
    ExportError::Source(e.to_string())
}

/// Runs `f` on a read snapshot; an error of the row writer (kept aside) wins over the store's.
fn snapshot(
    store: &SqliteStore,
    shop: Uuid,
    f: impl FnOnce(&Connection, &mut Option<ExportError>) -> Result<u64>,
) -> Result<u64, ExportError> {
    let mut written_error = None;
    let out = store.read(|conn| {
        SqliteStore::shop_exists(conn, shop)?;
        f(conn, &mut written_error)
    });
    match (written_error, out) {
        (Some(e), _) => Err(e),
        (None, out) => out.map_err(to_export),
    }
}

/// Hands one row to the writer; a writer error stops the read.
fn give<T>(
    f: &mut dyn FnMut(T) -> Result<(), ExportError>,
    row: T,
    error: &mut Option<ExportError>,
) -> Result<()> {
    f(row).map_err(|e| {
        *error = Some(e);
        ServerError::Invariant("the download stopped".into())
    })
}

fn settings(conn: &Connection, shop: Uuid) -> Result<ShopSettings> {
    let json: String = conn.query_row(
        "SELECT settings FROM shops WHERE shop_id = ?1",
        [shop.as_bytes().as_slice()],
        |r| r.get(0),
    )?;
    serde_json::from_str(&json).map_err(|e| ServerError::Invariant(format!("shop settings: {e}")))
}

fn tier_name(settings: &ShopSettings, id: u32) -> String {
    settings
        .tiers
        .label(id)
        .map_or_else(|| format!("#{id}"), |(name, _)| name.to_string())
}

impl ExportSource for ShopExport<'_> {
    fn members(
        &self,
        filter: &ExportFilter,
        f: &mut dyn FnMut(MemberExportRow) -> Result<(), ExportError>,
    ) -> Result<u64, ExportError> {
        let (from, to) = filter.range_ms();
        let branch = filter.branch();
        snapshot(self.store, self.shop, |conn, error| {
            let settings = settings(conn, self.shop)?;
            let mut s = conn.prepare(
                "SELECT code, phone, profile, branch, registered_at_ms, balance, tier_id
                 FROM members
                 WHERE shop_id = ?1 AND registered_at_ms >= ?2 AND registered_at_ms < ?3
                   AND (?4 IS NULL OR branch = ?4)
                 ORDER BY registered_at_ms, member_id",
            )?;
            let mut rows = s.query(params![self.shop.as_bytes().as_slice(), from, to, branch])?;
            let mut n = 0;
            while let Some(r) = rows.next()? {
                let row = MemberExportRow {
                    code: r.get(0)?,
                    phone: r.get(1)?,
                    profile: profile(&r.get::<_, String>(2)?)?,
                    branch: r.get(3)?,
                    registered_at: at(r.get(4)?),
                    balance: r.get(5)?,
                    tier: tier_name(&settings, r.get(6)?),
                };
                give(f, row, error)?;
                n += 1;
            }
            Ok(n)
        })
    }

    fn ledger(
        &self,
        filter: &ExportFilter,
        kinds: &[LedgerKind],
        f: &mut dyn FnMut(LedgerExportRow) -> Result<(), ExportError>,
    ) -> Result<u64, ExportError> {
        let (from, to) = filter.range_ms();
        let branch = filter.branch();
        let kinds = serde_json::to_string(&kinds.iter().map(|k| k.as_str()).collect::<Vec<_>>())
            .unwrap_or_else(|_| "[]".into());
        snapshot(self.store, self.shop, |conn, error| {
            // In the ledger's key order: by operation id, which is time-ordered (UUIDv7), so
            // 10M rows stream without a sort.
            let mut s = conn.prepare(
                "SELECT l.at_ms, m.code, m.phone, m.profile, l.kind, l.points, l.bill_no,
                        COALESCE(l.amount, CASE WHEN l.kind = 'earn_reversal' THEN
                            (SELECT e.amount FROM ledger e WHERE e.shop_id = l.shop_id
                                AND e.bill_no = l.bill_no AND e.kind = 'earn') END),
                        l.reason, l.branch
                 FROM ledger l
                 LEFT JOIN members m ON m.shop_id = l.shop_id AND m.member_id = l.member_id
                 WHERE l.shop_id = ?1 AND l.at_ms >= ?2 AND l.at_ms < ?3
                   AND (?4 IS NULL OR l.branch = ?4)
                   AND (?5 = '[]' OR l.kind IN (SELECT value FROM json_each(?5)))
                 ORDER BY l.shop_id, l.op_id, l.kind",
            )?;
            let mut rows = s.query(params![
                self.shop.as_bytes().as_slice(),
                from,
                to,
                branch,
                kinds
            ])?;
            let mut n = 0;
            while let Some(r) = rows.next()? {
                let kind: String = r.get(4)?;
                let member_profile = match r.get::<_, Option<String>>(3)? {
                    Some(p) => profile(&p)?,
                    None => MemberProfile::default(),
                };
                let amount: Option<String> = r.get(7)?;
                let row = LedgerExportRow {
                    at: at(r.get(0)?),
                    member_code: r.get::<_, Option<String>>(1)?.unwrap_or_default(),
                    member_phone: r.get::<_, Option<String>>(2)?.unwrap_or_default(),
                    member_name: member_profile.full_name(),
                    kind: LedgerKind::parse(&kind).ok_or_else(|| {
                        ServerError::Invariant(format!("a ledger entry of kind {kind}"))
                    })?,
                    points: r.get(5)?,
                    bill_no: r.get(6)?,
                    amount_satang: taem_core::export::reversal_signed(
                        &kind,
                        amount
                            .as_deref()
                            .and_then(|a| Money::parse(a).ok())
                            .map(|m| m.satang()),
                    ),
                    reason: r.get(8)?,
                    branch: r.get(9)?,
                    confirmed: true,
                };
                give(f, row, error)?;
                n += 1;
            }
            Ok(n)
        })
    }

    fn tier_changes(
        &self,
        filter: &ExportFilter,
        f: &mut dyn FnMut(TierChangeExportRow) -> Result<(), ExportError>,
    ) -> Result<u64, ExportError> {
        let (from, to) = filter.range_ms();
        let branch = filter.branch();
        snapshot(self.store, self.shop, |conn, error| {
            let settings = settings(conn, self.shop)?;
            // The server keeps tier changes in the shop's change log (what counters pull).
            let mut s = conn.prepare(
                "SELECT body FROM changes
                 WHERE shop_id = ?1 AND json_extract(body, '$.type') = 'tier_change'
                 ORDER BY seq",
            )?;
            let mut member = conn.prepare(
                "SELECT code, profile, branch FROM members WHERE shop_id = ?1 AND member_id = ?2",
            )?;
            let mut rows = s.query([self.shop.as_bytes().as_slice()])?;
            let mut n = 0;
            while let Some(r) = rows.next()? {
                let body: String = r.get(0)?;
                let Ok(ChangeBody::TierChange(change)) = serde_json::from_str(&body) else {
                    continue;
                };
                let ms = change.at.timestamp_millis();
                if ms < from || ms >= to {
                    continue;
                }
                let Some((code, member_profile, member_branch)) = member
                    .query_row(
                        params![
                            self.shop.as_bytes().as_slice(),
                            change.member_id.as_bytes().as_slice()
                        ],
                        |r| {
                            Ok((
                                r.get::<_, String>(0)?,
                                r.get::<_, String>(1)?,
                                r.get::<_, String>(2)?,
                            ))
                        },
                    )
                    .optional()?
                else {
                    continue;
                };
                if branch.as_ref().is_some_and(|b| *b != member_branch) {
                    continue;
                }
                let row = TierChangeExportRow {
                    at: change.at,
                    member_code: code,
                    member_name: profile(&member_profile)?.full_name(),
                    from: change.from_tier.map(|t| tier_name(&settings, t)),
                    to: tier_name(&settings, change.to_tier),
                    reason: change.reason,
                    accumulated: change.accumulated,
                };
                give(f, row, error)?;
                n += 1;
            }
            Ok(n)
        })
    }
}
