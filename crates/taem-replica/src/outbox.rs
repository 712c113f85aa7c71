//! The write path shared by every operation: one immediate transaction, the outbox row, the
//! ledger row with its day bucket, the tier re-placement.

use std::path::Path;

use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::{Connection, OptionalExtension, params};
use taem_core::time::{bangkok_date, day_number};
use taem_core::{LedgerKind, Operation, OperationKind, Points, TierChangeReason};
use uuid::Uuid;

use crate::Result;
use crate::error::{ReplicaError, classify};
use crate::open::{Device, Replica};
use crate::settings::{self, ShopSettings};
use crate::views::{TierChangeView, TierView};

/// One `BEGIN IMMEDIATE` … `COMMIT` on the replica's connection, rolled back when dropped
/// uncommitted. Its three statements are prepared once and reused (rusqlite's `Transaction`
/// parses `BEGIN`/`COMMIT` text on every sale, ≈10 % of an award's CPU).
pub(crate) struct WriteTxn<'a> {
    conn: &'a Connection,
    open: bool,
}

impl<'a> WriteTxn<'a> {
    fn begin(conn: &'a Connection) -> rusqlite::Result<WriteTxn<'a>> {
        conn.prepare_cached("BEGIN IMMEDIATE")?.execute([])?;
        Ok(WriteTxn { conn, open: true })
    }

    fn commit(mut self) -> rusqlite::Result<()> {
        self.conn.prepare_cached("COMMIT")?.execute([])?;
        self.open = false;
        Ok(())
    }
}

impl Drop for WriteTxn<'_> {
    fn drop(&mut self) {
        if self.open {
            // Nothing to report to: the error that caused the rollback is already on its way.
            let _ = self
                .conn
                .prepare_cached("ROLLBACK")
                .and_then(|mut statement| statement.execute([]));
        }
    }
}

impl std::ops::Deref for WriteTxn<'_> {
    type Target = Connection;
    fn deref(&self) -> &Connection {
        self.conn
    }
}

/// Everything a write needs, valid for one transaction.
pub(crate) struct Ctx<'a> {
    pub tx: WriteTxn<'a>,
    pub settings: std::sync::Arc<ShopSettings>,
    pub now: DateTime<Utc>,
    pub today: NaiveDate,
    pub device: Device,
    /// Set by writes that store settings, so the cache is dropped after the commit.
    pub settings_changed: bool,
    path: &'a Path,
    wait_ms: u64,
    /// The outbox sequence number the next `record` in this transaction takes: read when the
    /// transaction began, moved by each `record` (an import records thousands of operations
    /// in one transaction), forgotten by a write that moves the acknowledged sequence.
    next_seq: std::cell::Cell<Option<i64>>,
}

/// Turns rusqlite results into replica errors with the file's path.
pub(crate) trait SqlResult<T> {
    fn sql(self, ctx: &Ctx<'_>) -> Result<T>;
}

impl<T> SqlResult<T> for rusqlite::Result<T> {
    fn sql(self, ctx: &Ctx<'_>) -> Result<T> {
        self.map_err(|e| classify(e, ctx.path, ctx.wait_ms))
    }
}

impl Replica {
    /// Runs `f` inside ONE `BEGIN IMMEDIATE` transaction and commits; any error rolls back
    /// everything `f` wrote.
    pub(crate) fn write<T>(&mut self, f: impl FnOnce(&mut Ctx<'_>) -> Result<T>) -> Result<T> {
        let now = self.env.now();
        let device = self.device.clone();
        let (path, wait_ms) = (self.path.as_path(), self.wait_ms);
        let fail = |e| classify(e, path, wait_ms);
        let tx = WriteTxn::begin(&self.conn).map_err(fail)?;
        // One statement reads what every write needs first: the settings' revision (is the
        // cached copy current?) and the outbox's next sequence number (statements per sale,
        // docs/benchmarks.md).
        let (version, next_seq): (i64, i64) = tx
            .prepare_cached(WRITE_START_SQL)
            .and_then(|mut s| s.query_row([], |r| Ok((r.get(0)?, r.get(1)?))))
            .map_err(fail)?;
        let settings = settings::cached_at(&tx, &self.settings_cache, version).map_err(fail)??;
        let mut ctx = Ctx {
            tx,
            settings,
            now,
            today: bangkok_date(now),
            device,
            settings_changed: false,
            path,
            wait_ms,
            next_seq: std::cell::Cell::new(Some(next_seq)),
        };
        let out = f(&mut ctx)?;
        let settings_changed = ctx.settings_changed;
        ctx.tx.commit().map_err(fail)?;
        if settings_changed {
            *self.settings_cache.borrow_mut() = None;
        }
        crate::checkpoint::note_write(&self.last_write, self.clock_origin);
        if let Some(checkpointer) = &self.background_checkpoints {
            checkpointer.restart_if_over_cap(&self.conn, self.wait_ms);
        }
        Ok(out)
    }
}

impl Ctx<'_> {
    /// An SQLite failure inside this transaction as the replica reports it (a full disk, a
    /// lock, damage).
    pub(crate) fn fail(&self, e: rusqlite::Error) -> ReplicaError {
        classify(e, self.path, self.wait_ms)
    }

    /// Drops the outbox's next sequence number read when the transaction began, for a write
    /// that moves the acknowledged sequence (`meta.device_seq`) or removes outbox rows.
    pub fn forget_next_seq(&self) {
        self.next_seq.set(None);
    }

    /// The replica file.
    pub fn path(&self) -> &Path {
        self.path
    }

    /// What the operation id `op_id` already did on this counter, if anything (for
    /// exactly-once retries): the operation waiting in the outbox; once the server has
    /// acknowledged it and the outbox let it go, the points operation its ledger entry records
    /// (found through `acked_entries` until the server confirms the entry, then by its
    /// operation id) or the profile operation kept in `acked_ops` (for
    /// [`ACKED_OPS_KEEP_DAYS`]). (A retry by a POS that never saw the answer can come after a
    /// sync.)
    pub fn previous(&self, op_id: Uuid) -> Result<Option<OperationKind>> {
        if self.op_id_used(op_id)? {
            self.previous_used(op_id)
        } else {
            Ok(None)
        }
    }

    /// Whether [`Ctx::previous`] would find anything for `op_id`. A new id, the usual case on
    /// a sale's path, is answered by one statement probing the four places at once
    /// (docs/benchmarks.md, statements per sale).
    pub fn op_id_used(&self, op_id: Uuid) -> Result<bool> {
        self.tx
            .prepare_cached(OPERATION_ID_USED_SQL)
            .and_then(|mut s| s.query_row([op_id.as_bytes().as_slice()], |r| r.get(0)))
            .sql(self)
    }

    /// [`Ctx::previous`] for an id its probe found used (a sale probes with its member read).
    pub fn previous_used(&self, op_id: Uuid) -> Result<Option<OperationKind>> {
        let id = op_id.as_bytes().as_slice();
        if let Some(op) = self.outbox_operation(op_id)? {
            return Ok(Some(op.kind));
        }
        let recorded = self
            .tx
            .prepare_cached(RECORDED_OPERATION_SQL)
            .and_then(|mut s| s.query_row([id], recorded_operation).optional())
            .sql(self)?;
        if recorded.is_some() {
            return Ok(recorded);
        }
        // Acknowledged and not yet confirmed: the entry's id; or a profile operation's body.
        let acked: Option<(Option<i64>, Option<String>)> = self
            .tx
            .prepare_cached(ACKED_OPERATION_SQL)
            .and_then(|mut s| s.query_row([id], |r| Ok((r.get(0)?, r.get(1)?))).optional())
            .sql(self)?;
        match acked {
            Some((Some(entry), _)) => self
                .tx
                .prepare_cached(RECORDED_ENTRY_SQL)
                .and_then(|mut s| s.query_row([entry], recorded_operation).optional())
                .sql(self),
            Some((None, Some(body))) => parse_body(op_id, &body).map(Some),
            _ => Ok(None),
        }
    }

    /// The operation waiting in the outbox under `op_id`, if any.
    pub fn outbox_operation(&self, op_id: Uuid) -> Result<Option<Operation>> {
        self.tx
            .prepare_cached(outbox_operations_sql!("WHERE o.op_id = ?1"))
            .and_then(|mut s| {
                s.query_row([op_id.as_bytes().as_slice()], |r| {
                    outbox_operation(r, self.device.device_id)
                })
                .optional()
            })
            .sql(self)?
            .transpose()
    }

    /// Like [`Ctx::previous`], but only for ids the caller chose: an id this counter just
    /// minted (UUIDv7, 74 random bits) cannot have been used before, so the look-up is skipped
    /// on the sale's hot path.
    pub fn previous_if(&self, caller_chose_id: bool, op_id: Uuid) -> Result<Option<OperationKind>> {
        if caller_chose_id {
            self.previous(op_id)
        } else {
            Ok(None)
        }
    }

    /// Appends the operation to the outbox with the next gapless device sequence number;
    /// `ledger_id` is the pending ledger entry the operation wrote, if any.
    ///
    /// The sequence is the outbox's own key: one more than the highest row, or than the
    /// highest number the server acknowledged and the outbox dropped (`meta.device_seq`, moved
    /// only when acknowledged rows are removed). Deriving it costs a read of the last page
    /// instead of a write to a counter row in every sale.
    pub fn record(
        &self,
        op_id: Uuid,
        member_id: i64,
        ledger_id: Option<i64>,
        kind: OperationKind,
    ) -> Result<Operation> {
        let seq: i64 = match self.next_seq.get() {
            Some(seq) => seq,
            None => self
                .tx
                .prepare_cached(concat!("SELECT ", device_seq_high_sql!(), " + 1"))
                .and_then(|mut s| s.query_row([], |r| r.get(0)))
                .sql(self)?,
        };
        // Profile operations carry a hybrid-logical-clock stamp (the server merges edits per
        // field by it); points operations are ledger facts and need none, which keeps the
        // sale's transaction free of a clock-row write.
        let hlc = match kind {
            OperationKind::RegisterMember { .. } | OperationKind::EditMember { .. } => {
                Some(self.tick_hlc()?)
            }
            _ => None,
        };
        // A points operation is rebuilt from its ledger entry when it is read (schema v10), so
        // its row keeps no JSON copy; its time is kept to the millisecond, as the row has it.
        let rebuilt = ledger_id.is_some()
            && matches!(
                kind,
                OperationKind::Earn { .. }
                    | OperationKind::VoidBill { .. }
                    | OperationKind::Redeem { .. }
                    | OperationKind::Adjust { .. }
                    | OperationKind::ImportPoints { .. }
            );
        let at_ms = self.now.timestamp_millis();
        let op = Operation {
            op_id,
            device_seq: seq as u64,
            device_id: self.device.device_id,
            branch: self.device.branch.clone(),
            at: if rebuilt {
                DateTime::from_timestamp_millis(at_ms).unwrap_or(self.now)
            } else {
                self.now
            },
            hlc,
            kind,
        };
        let body = if rebuilt {
            None
        } else {
            Some(
                serde_json::to_string(&op).map_err(|e| ReplicaError::Invariant {
                    what: format!("operation {op_id} does not serialise: {e}"),
                })?,
            )
        };
        self.tx
            .prepare_cached(
                "INSERT INTO outbox(device_seq, op_id, kind, member_id, body, created_at_ms,
                     ledger_id, member_uid)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )
            .and_then(|mut statement| {
                statement.execute(params![
                    seq,
                    op_id.as_bytes().as_slice(),
                    op.kind.name(),
                    member_id,
                    body,
                    at_ms,
                    ledger_id,
                    op.kind.member_id().as_bytes().as_slice(),
                ])
            })
            .sql(self)?;
        // What is pushed is what was recorded (checked in every debug build's tests).
        #[cfg(debug_assertions)]
        if rebuilt {
            let read = self.outbox_operation(op_id)?;
            assert_eq!(read.as_ref(), Some(&op), "operation {op_id} read back");
        }
        // Only this transaction writes the outbox until it commits.
        self.next_seq.set(Some(seq + 1));
        Ok(op)
    }

    /// The next hybrid-logical-clock stamp of this counter, persisted in the transaction.
    fn tick_hlc(&self) -> Result<taem_core::Hlc> {
        let last = crate::sync::read_hlc(&self.tx).sql(self)?;
        let next = taem_core::Hlc::tick(last, self.now.timestamp_millis());
        crate::sync::write_hlc(&self.tx, next).sql(self)?;
        Ok(next)
    }

    /// Writes a pending ledger entry (marked for the tier fold, see `tiers`) and the member's
    /// pending balance; returns the entry's id.
    pub fn insert_entry(&self, entry: &NewEntry<'_>) -> Result<i64> {
        let credit = taem_core::tier_credit(entry.kind, entry.points, entry.counts_toward_tier);
        // The tier credit goes to the day buckets later, off the sale's path (a fold): until
        // then the entry is marked, and `tiers::accumulated` counts it from the ledger.
        self.tx
            .prepare_cached(
                "INSERT INTO ledger(member_id, kind, points, tier_credit, day, at_ms, bill_no,
                     amount_satang, rate, reason, counts_toward_tier, branch, op_id, confirmed,
                     unbucketed)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, 0, ?14)",
            )
            .and_then(|mut statement| {
                statement.execute(params![
                    entry.member_id,
                    entry.kind.as_str(),
                    entry.points.0,
                    credit.0,
                    entry.tier_day,
                    self.now.timestamp_millis(),
                    entry.bill_no,
                    entry.amount_satang,
                    entry.rate,
                    entry.reason,
                    entry.counts_toward_tier,
                    self.device.branch,
                    entry.op_id.as_bytes().as_slice(),
                    credit != Points::ZERO,
                ])
            })
            .sql(self)?;
        let id = self.tx.last_insert_rowid();
        self.tx
            .prepare_cached(
                "UPDATE members SET balance_pending = balance_pending + ?2 WHERE id = ?1",
            )
            .and_then(|mut statement| statement.execute(params![entry.member_id, entry.points.0]))
            .sql(self)?;
        Ok(id)
    }

    /// Today's shop-local day number, the bucket of entries written now.
    pub fn today_day(&self) -> i64 {
        day_number(self.today)
    }

    /// Re-places a member after a change of accumulated points, recording any move.
    pub fn replace_tier(
        &self,
        member_id: i64,
        current: u32,
        reason: TierChangeReason,
    ) -> Result<Option<TierChangeView>> {
        let accumulated =
            crate::tiers::accumulated(&self.tx, member_id, self.tier_window_start()).sql(self)?;
        self.replace_tier_at(member_id, current, reason, accumulated)
    }

    /// The first day of the tier window today (none: since registration).
    pub fn tier_window_start(&self) -> Option<NaiveDate> {
        self.settings.tiers.period.window_start(self.today)
    }

    /// [`Ctx::replace_tier`] with the member's accumulated points already known.
    pub fn replace_tier_at(
        &self,
        member_id: i64,
        current: u32,
        reason: TierChangeReason,
        accumulated: Points,
    ) -> Result<Option<TierChangeView>> {
        let Some(to) = self
            .settings
            .tiers
            .change_for(Some(current), accumulated, reason)
        else {
            return Ok(None);
        };
        self.write_tier_change(member_id, Some(current), to, reason, accumulated)
            .map(Some)
    }

    /// Moves a member to tier `to` and records the change.
    pub fn write_tier_change(
        &self,
        member_id: i64,
        from: Option<u32>,
        to: u32,
        reason: TierChangeReason,
        accumulated: Points,
    ) -> Result<TierChangeView> {
        self.tx
            .prepare_cached("UPDATE members SET tier_id = ?2, tier_since_ms = ?3 WHERE id = ?1")
            .and_then(|mut statement| {
                statement.execute(params![member_id, to, self.now.timestamp_millis()])
            })
            .sql(self)?;
        self.insert_tier_change(member_id, from, to, reason, accumulated)
    }

    /// Records a tier change of a member whose row already says `to` (a new member, written
    /// in the lowest tier).
    pub fn insert_tier_change(
        &self,
        member_id: i64,
        from: Option<u32>,
        to: u32,
        reason: TierChangeReason,
        accumulated: Points,
    ) -> Result<TierChangeView> {
        let at_ms = self.now.timestamp_millis();
        self.tx
            .prepare_cached("INSERT INTO tier_changes(member_id, from_tier, to_tier, reason, accumulated, at_ms)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)")
                .and_then(|mut statement| statement.execute(params![member_id, from, to, reason.as_str(), accumulated.0, at_ms]))
            .sql(self)?;
        Ok(TierChangeView {
            from: from.map(|id| tier_view(&self.settings, id)),
            to: tier_view(&self.settings, to),
            reason,
            accumulated_points: accumulated.0,
            at: self.now,
        })
    }
}

/// The highest outbox sequence number used so far, as an SQL expression: the outbox's last
/// row, or the highest number the server acknowledged and the outbox dropped
/// (`meta.device_seq`). A macro, so that queries can `concat!` it.
macro_rules! device_seq_high_sql {
    () => {
        "MAX(COALESCE((SELECT MAX(device_seq) FROM outbox), 0),
             COALESCE((SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'device_seq'), 0))"
    };
}
pub(crate) use device_seq_high_sql;

/// What a write reads first: the settings revision and the outbox's next sequence number.
const WRITE_START_SQL: &str = concat!(
    "SELECT ",
    crate::settings::settings_rev_sql!(),
    ", ",
    device_seq_high_sql!(),
    " + 1"
);

/// How long a registration or profile edit the server acknowledged is still recognised when
/// a POS sends it again (retries come within minutes; this is generous).
pub const ACKED_OPS_KEEP_DAYS: i64 = 30;

/// The confirmed ledger entry an operation id wrote, with its member (a retry after the
/// server confirmed it; `ledger_op_confirmed` holds confirmed entries only).
pub(crate) const RECORDED_OPERATION_SQL: &str =
    "SELECT l.kind, l.points, l.bill_no, l.amount_satang, l.rate, l.reason,
            l.counts_toward_tier, m.member_uid
     FROM ledger l JOIN members m ON m.id = l.member_id
     WHERE l.op_id = ?1 AND l.confirmed = 1 ORDER BY l.id LIMIT 1";

/// Whether operation id `$id` (a parameter) is anywhere [`Ctx::previous`] looks, as an SQL
/// expression (a macro, so that queries can `concat!` it).
macro_rules! op_id_used_sql {
    ($id:literal) => {
        concat!(
            "(EXISTS(SELECT 1 FROM outbox WHERE op_id = ",
            $id,
            ") OR EXISTS(SELECT 1 FROM ledger WHERE op_id = ",
            $id,
            " AND confirmed = 1) OR EXISTS(SELECT 1 FROM acked_entries WHERE op_id = ",
            $id,
            ") OR EXISTS(SELECT 1 FROM acked_ops WHERE op_id = ",
            $id,
            "))"
        )
    };
}
pub(crate) use op_id_used_sql;

/// Whether operation id `?1` is anywhere [`Ctx::previous`] looks.
const OPERATION_ID_USED_SQL: &str = concat!("SELECT ", op_id_used_sql!("?1"));

/// An acknowledged operation not in the ledger's confirmed entries: its pending entry's id, or
/// a profile operation's body.
pub(crate) const ACKED_OPERATION_SQL: &str =
    "SELECT ledger_id, NULL FROM acked_entries WHERE op_id = ?1
     UNION ALL SELECT NULL, body FROM acked_ops WHERE op_id = ?1
     LIMIT 1";

/// A ledger entry by its id, with its member, as [`RECORDED_OPERATION_SQL`] reads it.
pub(crate) const RECORDED_ENTRY_SQL: &str =
    "SELECT l.kind, l.points, l.bill_no, l.amount_satang, l.rate,
            l.reason, l.counts_toward_tier, m.member_uid
     FROM ledger l JOIN members m ON m.id = l.member_id
     WHERE l.id = ?1";

/// Outbox rows as operations (see [`outbox_operation`]), the rows `$tail` picks (a macro,
/// so that the statement text is static).
macro_rules! outbox_operations_sql {
    ($tail:literal) => {
        concat!(
            "SELECT l.kind, l.points, l.bill_no, l.amount_satang, l.rate, l.reason,
                    l.counts_toward_tier, o.member_uid, o.op_id, o.device_seq, o.created_at_ms,
                    l.branch, o.body, o.ledger_id
             FROM outbox o LEFT JOIN ledger l ON o.body IS NULL AND l.id = o.ledger_id ",
            $tail
        )
    };
}
pub(crate) use outbox_operations_sql;

/// The operation of an outbox row read by [`outbox_operations_sql`]: its stored JSON body,
/// or, for a points operation recorded since schema v10, rebuilt from its ledger entry, the
/// member id it was recorded for and this counter's device id.
pub(crate) fn outbox_operation(
    r: &rusqlite::Row<'_>,
    device_id: Uuid,
) -> rusqlite::Result<Result<Operation>> {
    let op_id = Uuid::from_slice(&r.get::<_, Vec<u8>>(8)?).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(8, rusqlite::types::Type::Blob, e.into())
    })?;
    if let Some(body) = r.get::<_, Option<String>>(12)? {
        return Ok(
            serde_json::from_str(&body).map_err(|e| ReplicaError::Invariant {
                what: format!("stored body of operation {op_id}: {e}"),
            }),
        );
    }
    if r.get::<_, Option<String>>(0)?.is_none() {
        let ledger_id: Option<i64> = r.get(13)?;
        return Ok(Err(ReplicaError::Invariant {
            what: format!(
                "operation {op_id} in the outbox has no stored body and its ledger entry \
                 ({ledger_id:?}) is gone"
            ),
        }));
    }
    let at_ms: i64 = r.get(10)?;
    Ok(Ok(Operation {
        op_id,
        device_seq: r.get::<_, i64>(9)? as u64,
        device_id,
        branch: r.get(11)?,
        at: DateTime::from_timestamp_millis(at_ms).unwrap_or_default(),
        hlc: None,
        kind: recorded_operation(r)?,
    }))
}

/// An operation stored as JSON.
fn parse_body(op_id: Uuid, body: &str) -> Result<OperationKind> {
    serde_json::from_str::<Operation>(body)
        .map(|op| op.kind)
        .map_err(|e| ReplicaError::Invariant {
            what: format!("stored body of operation {op_id}: {e}"),
        })
}

/// The points operation a ledger row records, as the counter sent it.
fn recorded_operation(r: &rusqlite::Row<'_>) -> rusqlite::Result<OperationKind> {
    let kind: String = r.get(0)?;
    let points = Points(r.get(1)?);
    let bill_no: Option<String> = r.get(2)?;
    let amount_satang: Option<i64> = r.get(3)?;
    let rate: Option<String> = r.get(4)?;
    let reason: String = r.get::<_, Option<String>>(5)?.unwrap_or_default();
    let counts_toward_tier: bool = r.get(6)?;
    let member_id = Uuid::from_slice(&r.get::<_, Vec<u8>>(7)?).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(7, rusqlite::types::Type::Blob, e.into())
    })?;
    let amount = amount_satang
        .and_then(|s| taem_core::Money::from_satang(s).ok())
        .unwrap_or(taem_core::Money::ZERO);
    Ok(match LedgerKind::parse(&kind) {
        Some(LedgerKind::Earn) => OperationKind::Earn {
            member_id,
            bill_no: bill_no.unwrap_or_default(),
            amount,
            // A row written here keeps the rate as JSON; one that came from the server, as
            // shown. Either way the receipt shows the rate; failing both, the bill's own
            // "amount for points" is the rate it earned at.
            rate: rate
                .as_deref()
                .and_then(|text| serde_json::from_str(text).ok())
                .or_else(|| taem_core::PointRate::new(amount, points).ok())
                .unwrap_or_else(taem_core::PointRate::default_counter),
            points,
        },
        Some(LedgerKind::EarnReversal) => OperationKind::VoidBill {
            member_id,
            bill_no: bill_no.unwrap_or_default(),
            points,
            reason,
        },
        Some(LedgerKind::Redeem) => OperationKind::Redeem {
            member_id,
            points,
            reward: reason,
        },
        Some(LedgerKind::Adjust) => OperationKind::Adjust {
            member_id,
            points,
            reason,
            counts_toward_tier,
        },
        _ => OperationKind::ImportPoints { member_id, points },
    })
}

/// A ledger entry about to be written.
pub(crate) struct NewEntry<'a> {
    pub member_id: i64,
    pub kind: LedgerKind,
    pub points: Points,
    pub counts_toward_tier: bool,
    /// The shop-local day its tier credit belongs to (a void credits the bill's own day).
    pub tier_day: i64,
    pub bill_no: Option<&'a str>,
    pub amount_satang: Option<i64>,
    pub rate: Option<String>,
    pub reason: Option<&'a str>,
    pub op_id: Uuid,
}

/// How a tier looks on a card; a tier removed from the settings shows as its id.
pub(crate) fn tier_view(settings: &ShopSettings, id: u32) -> TierView {
    match settings.tiers.label(id) {
        Some((name, icon)) => TierView {
            id,
            name: name.to_string(),
            icon,
        },
        None => TierView {
            id,
            name: format!("#{id}"),
            icon: taem_core::TierIcon::Star,
        },
    }
}
