//! The replica's side of sync: its enrolment with a server, the outbox handed to the sync
//! client, the server's answers applied, and the server's changes merged in.
//!
//! Rules:
//! - An outbox row is dropped only once the server's answer covers it (`acked_through`).
//! - What the cashier sees is the server-confirmed state plus this counter's pending
//!   operations. A rejected operation is taken out of the pending state (its ledger rows
//!   deleted, the member's balance and tier rebased) and kept in `rejections` for people.
//! - The server's changes are whole states, applied in change-log order, each page in one
//!   transaction with the cursor, so a crash mid-pull resumes where the last page ended.
//! - A member this counter registered offline that the server merged into another one (the
//!   same phone registered elsewhere) is folded into that member locally: ledger rows,
//!   tier history and pending balance move; nothing is lost.

use chrono::{DateTime, Utc};
use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, params, params_from_iter};
use serde::Serialize;
use taem_core::time::{bangkok_date, day_number};
use taem_core::{
    Hlc, LedgerKind, MemberCode, Operation, OperationKind, ShopSettings, TierChangeReason,
};
use uuid::Uuid;

use crate::Result;
use crate::error::ReplicaError;
use crate::open::Replica;
use crate::outbox::{Ctx, SqlResult};

/// Member indexes a fresh counter's bootstrap builds once at the end instead of row by row
/// (about 3× faster at shop scale), with the SQL of the migration that made them; the unique
/// ones stay, so nothing can be doubled meanwhile. `bootstrap_bulk_mode_leaves_the_schema_as_
/// migrations_make_it` (tests/sync.rs) fails if a migration changes them and this list does not.
const BULK_INDEXES: &[(&str, &str)] = &[
    (
        "members_phone_last4",
        "CREATE INDEX members_phone_last4 ON members(phone_last4)",
    ),
    (
        "members_first_name",
        "CREATE INDEX members_first_name ON members(first_name)",
    ),
    (
        "members_tier",
        "CREATE INDEX members_tier ON members(tier_id)",
    ),
];

/// `meta` keys of the sync state.
mod keys {
    pub const SERVER_URL: &str = "server_url";
    pub const SHOP_ID: &str = "shop_id";
    pub const TOKEN: &str = "device_token";
    pub const CURSOR: &str = "pull_cursor";
    pub const BOOTSTRAP_AFTER: &str = "bootstrap_after";
    pub const BOOTSTRAPPED: &str = "bootstrapped";
    pub const BOOTSTRAP_BULK: &str = "bootstrap_bulk";
    pub const LAST_OK_MS: &str = "last_sync_ok_ms";
    pub const LAST_ATTEMPT_MS: &str = "last_sync_attempt_ms";
    pub const LAST_ERROR: &str = "last_sync_error";
    pub const HLC: &str = "hlc";
    pub const DEVICE_SEQ: &str = "device_seq";
    pub const SHOP_BRANCHES: &str = "shop_branches";
}

/// How this counter reaches its server.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SyncIdentity {
    /// Server base URL.
    pub server_url: String,
    /// The shop on the server.
    pub shop_id: Uuid,
    /// This device on the server.
    pub device_id: Uuid,
    /// The device's bearer token.
    #[serde(skip)]
    pub token: String,
}

/// What the enrolment gave this counter.
#[derive(Clone, Debug)]
pub struct Enrolment {
    /// Server base URL.
    pub server_url: String,
    /// The shop.
    pub shop_id: Uuid,
    /// The shop's name.
    pub shop_name: String,
    /// The branch.
    pub branch: String,
    /// The device id the server issued.
    pub device_id: Uuid,
    /// The device token.
    pub token: String,
}

/// The counter's sync status, for the status bar and `taem-counter status`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SyncStatus {
    /// Enrolled with a server.
    pub enrolled: bool,
    /// The server.
    pub server_url: Option<String>,
    /// The bootstrap snapshot is complete.
    pub bootstrapped: bool,
    /// Operations waiting to be sent (or acknowledged).
    pub waiting: u64,
    /// Operations the server rejected (kept for review).
    pub rejected: u64,
    /// Items a manager should review (flagged redemptions, merged members).
    pub reviews: u64,
    /// Last successful sync.
    pub last_sync_ok: Option<DateTime<Utc>>,
    /// Last attempt.
    pub last_attempt: Option<DateTime<Utc>>,
    /// The error of the last attempt, if it failed.
    pub last_error: Option<String>,
    /// Online: the last attempt succeeded.
    pub online: bool,
    /// The change-log position pulled through.
    pub cursor: u64,
}

/// One operation the server rejected.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Rejection {
    /// The operation.
    pub op_id: Uuid,
    /// Its kind.
    pub kind: String,
    /// The member concerned.
    pub member_id: Option<Uuid>,
    /// Stable reason code.
    pub code: String,
    /// What was wrong.
    pub message: String,
    /// When the counter recorded it.
    pub at: DateTime<Utc>,
}

/// One review item (from the server).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ReviewItem {
    /// Id on the server.
    pub review_id: i64,
    /// `overdrawn`, `merged`, `already_member`, `clock_ahead`.
    pub kind: String,
    /// The member.
    pub member_id: Option<Uuid>,
    /// The operations involved.
    pub op_ids: Vec<Uuid>,
    /// What happened.
    pub message: String,
    /// When.
    pub at: DateTime<Utc>,
}

/// The server's answer to one pushed operation, as the replica needs it.
#[derive(Clone, Debug)]
pub struct PushAnswer {
    /// The operation.
    pub op_id: Uuid,
    /// Rejected: (code, message).
    pub rejected: Option<(String, String)>,
}

/// A ledger entry from the server.
#[derive(Clone, Debug)]
pub struct ServerEntry {
    /// Operation that made it.
    pub op_id: Uuid,
    /// Member.
    pub member_id: Uuid,
    /// Kind.
    pub kind: LedgerKind,
    /// Points.
    pub points: i64,
    /// Tier credit.
    pub tier_credit: i64,
    /// Day of the tier credit.
    pub day: i64,
    /// When.
    pub at: DateTime<Utc>,
    /// Bill.
    pub bill_no: Option<String>,
    /// Amount (THB text).
    pub amount: Option<String>,
    /// Rate text.
    pub rate: Option<String>,
    /// Reason.
    pub reason: Option<String>,
    /// Counts toward tier.
    pub counts_toward_tier: bool,
    /// Branch.
    pub branch: String,
}

/// A member from the server.
#[derive(Clone, Debug)]
pub struct ServerMember {
    /// Global id.
    pub member_id: Uuid,
    /// Code.
    pub code: String,
    /// Phone.
    pub phone: String,
    /// Profile.
    pub profile: taem_core::MemberProfile,
    /// Registering branch.
    pub branch: String,
    /// Registered.
    pub registered_at: DateTime<Utc>,
    /// Balance.
    pub balance: i64,
    /// Tier.
    pub tier_id: u32,
    /// Since.
    pub tier_since: DateTime<Utc>,
    /// Newest field stamp.
    pub hlc: Hlc,
}

/// A staff record from the server.
#[derive(Clone, Debug)]
pub struct ServerStaff {
    /// Id.
    pub staff_id: Uuid,
    /// Name.
    pub name: String,
    /// Role name.
    pub role: String,
    /// Argon2 PHC hash of the PIN.
    pub pin_hash: String,
    /// Active.
    pub active: bool,
}

/// One change from the server's log, as the replica applies it.
#[derive(Clone, Debug)]
pub enum ServerChange {
    /// A member's state.
    Member(ServerMember),
    /// A ledger entry, with the member's balance and tier after it.
    Entry {
        /// The entry.
        entry: ServerEntry,
        /// Balance after.
        balance_after: i64,
        /// Tier after.
        tier_after: u32,
    },
    /// A tier move.
    TierChange {
        /// Member.
        member_id: Uuid,
        /// From.
        from: Option<u32>,
        /// To.
        to: u32,
        /// Why.
        reason: TierChangeReason,
        /// Accumulated.
        accumulated: i64,
        /// When.
        at: DateTime<Utc>,
    },
    /// `from` was merged into `into`.
    Merge {
        /// Gone.
        from: Uuid,
        /// Kept.
        into: Uuid,
        /// `from`'s member code, which keeps finding `into`.
        from_code: Option<String>,
    },
    /// New settings, with the shop's branch codes (empty from an older server).
    Settings(ShopSettings, Vec<String>),
    /// Staff record.
    Staff(ServerStaff),
    /// Review item.
    Review(ReviewItem),
}

/// One bootstrap member.
#[derive(Clone, Debug)]
pub struct BootstrapMember {
    /// The member.
    pub member: ServerMember,
    /// Recent entries (oldest first).
    pub recent: Vec<ServerEntry>,
    /// Tier credit per day.
    pub tier_days: Vec<(i64, i64)>,
}

pub(crate) fn read_hlc(conn: &Connection) -> rusqlite::Result<Hlc> {
    Ok(get_meta(conn, keys::HLC)?
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_default())
}

pub(crate) fn write_hlc(conn: &Connection, hlc: Hlc) -> rusqlite::Result<()> {
    set_meta(
        conn,
        keys::HLC,
        &serde_json::to_string(&hlc).unwrap_or_default(),
    )
}

/// How many members the replica holds and how many operations wait in its outbox (an
/// enrolment takes only a replica with neither).
fn members_and_waiting(conn: &Connection) -> rusqlite::Result<(i64, i64)> {
    conn.query_row(
        "SELECT (SELECT COUNT(*) FROM members), (SELECT COUNT(*) FROM outbox)",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
}

/// Keeps the shop's branch codes as the server sent them (nothing when it sent none).
fn store_shop_branches(conn: &Connection, branches: &[String]) -> rusqlite::Result<()> {
    if branches.is_empty() {
        return Ok(());
    }
    let json = serde_json::to_string(branches).unwrap_or_default();
    set_meta(conn, keys::SHOP_BRANCHES, &json)
}

impl Replica {
    /// The shop's branch codes as its server last sent them; empty for a local shop (or one
    /// whose server did not say), where any branch code is taken.
    pub fn shop_branches(&self) -> Result<Vec<String>> {
        let text = get_meta(&self.conn, keys::SHOP_BRANCHES).map_err(|e| self.fail(e))?;
        Ok(text
            .and_then(|t| serde_json::from_str(&t).ok())
            .unwrap_or_default())
    }

    /// Keeps the shop's branch codes from a bootstrap page.
    pub fn set_shop_branches(&mut self, branches: &[String]) -> Result<()> {
        self.write(|ctx| store_shop_branches(&ctx.tx, branches).sql(ctx))
    }
}

fn get_meta(conn: &Connection, key: &str) -> rusqlite::Result<Option<String>> {
    conn.prepare_cached("SELECT value FROM meta WHERE key = ?1")?
        .query_row([key], |r| r.get(0))
        .optional()
}

pub(crate) fn set_meta(conn: &Connection, key: &str, value: &str) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT INTO meta(key, value) VALUES (?1, ?2)
         ON CONFLICT(key) DO UPDATE SET value = excluded.value",
    )?
    .execute(params![key, value])
    .map(drop)
}

fn del_meta(conn: &Connection, key: &str) -> rusqlite::Result<()> {
    conn.execute("DELETE FROM meta WHERE key = ?1", [key])
        .map(drop)
}

fn ms_time(ms: i64) -> DateTime<Utc> {
    DateTime::<Utc>::from_timestamp_millis(ms).unwrap_or_default()
}

fn invariant(what: impl Into<String>) -> ReplicaError {
    ReplicaError::Invariant { what: what.into() }
}

impl Replica {
    /// The server this counter syncs with, if enrolled.
    pub fn sync_identity(&self) -> Result<Option<SyncIdentity>> {
        let get = |k| get_meta(&self.conn, k).map_err(|e| self.fail(e));
        let (Some(url), Some(shop), Some(token)) = (
            get(keys::SERVER_URL)?,
            get(keys::SHOP_ID)?,
            get(keys::TOKEN)?,
        ) else {
            return Ok(None);
        };
        Ok(Some(SyncIdentity {
            server_url: url,
            shop_id: Uuid::parse_str(&shop).map_err(|e| invariant(format!("shop id: {e}")))?,
            device_id: self.device.device_id,
            token,
        }))
    }

    /// Whether [`Replica::enrol`] would take this replica: empty and never enrolled. Asked
    /// before contacting the server, so that a replica that cannot be enrolled is refused
    /// before an enrolment code is spent on it.
    pub fn check_enrollable(&self) -> Result<()> {
        if let Some(current) = self.sync_identity()? {
            return Err(ReplicaError::AlreadyEnrolled {
                server_url: current.server_url,
            });
        }
        let (members, outbox) = members_and_waiting(&self.conn).map_err(|e| self.fail(e))?;
        if members > 0 || outbox > 0 {
            return Err(ReplicaError::NotEmptyForEnrolment {
                path: self.path.clone(),
                members: members as u64,
            });
        }
        Ok(())
    }

    /// Makes this replica a counter of a server's shop. Only an empty, never-enrolled replica
    /// can be enrolled: its members and history come from the server.
    pub fn enrol(&mut self, enrolment: Enrolment) -> Result<()> {
        self.check_enrollable()?;
        let device = self.write(|ctx| {
            // Again under the write lock: another program may have written since.
            let (members, outbox) = members_and_waiting(&ctx.tx).sql(ctx)?;
            if members > 0 || outbox > 0 {
                return Err(ReplicaError::NotEmptyForEnrolment {
                    path: ctx.path().to_path_buf(),
                    members: members as u64,
                });
            }
            for (key, value) in [
                ("device_id", enrolment.device_id.to_string()),
                ("shop_name", enrolment.shop_name.clone()),
                ("branch", enrolment.branch.clone()),
                (keys::SERVER_URL, enrolment.server_url.clone()),
                (keys::SHOP_ID, enrolment.shop_id.to_string()),
                (keys::TOKEN, enrolment.token.clone()),
                (keys::CURSOR, "0".into()),
                (keys::DEVICE_SEQ, "0".into()),
            ] {
                set_meta(&ctx.tx, key, &value).sql(ctx)?;
            }
            ctx.forget_next_seq();
            let mut device = ctx.device.clone();
            device.device_id = enrolment.device_id;
            device.shop_name = enrolment.shop_name.clone();
            device.branch = enrolment.branch.clone();
            Ok(device)
        })?;
        self.device = device;
        // The file now holds the device's secret token: only this user may read it.
        #[cfg(unix)]
        for suffix in ["", "-wal", "-shm"] {
            use std::os::unix::fs::PermissionsExt;
            let mut name = self.path.clone().into_os_string();
            name.push(suffix);
            let path = std::path::PathBuf::from(name);
            if path.exists() {
                std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).map_err(
                    |e| ReplicaError::Io {
                        path: path.clone(),
                        source: e,
                    },
                )?;
            }
        }
        Ok(())
    }

    /// The next operations to push, oldest first.
    pub fn outbox_batch(&self, limit: usize) -> Result<Vec<Operation>> {
        self.pending_operations(limit)
    }

    /// Applies the server's answers to a push: rejected operations leave the pending state
    /// (kept in `rejections`), and outbox rows up to `acked_through` are dropped.
    pub fn apply_push(&mut self, answers: &[PushAnswer], acked_through: u64) -> Result<()> {
        self.write(|ctx| {
            for answer in answers {
                if let Some((code, message)) = &answer.rejected {
                    ctx.reject(answer.op_id, code, message)?;
                }
            }
            let previous: i64 = get_meta(&ctx.tx, keys::DEVICE_SEQ)
                .sql(ctx)?
                .and_then(|v| v.parse().ok())
                .unwrap_or(0);
            let acked = (acked_through as i64).max(previous);
            set_meta(&ctx.tx, keys::DEVICE_SEQ, &acked.to_string()).sql(ctx)?;
            ctx.forget_next_seq();
            // A points operation's entry stays pending until the server's confirmation comes
            // back: keep where it is, for the confirmation and for a retry meanwhile.
            ctx.tx.execute(ACKED_ENTRIES_SQL, [acked]).sql(ctx)?;
            // Profile operations leave no ledger entry to recognise a retry by: keep them.
            let now_ms = ctx.now.timestamp_millis();
            ctx.tx
                .execute(
                    "INSERT OR IGNORE INTO acked_ops(op_id, body, acked_at_ms)
                     SELECT op_id, body, ?2 FROM outbox
                     WHERE device_seq <= ?1 AND kind IN ('register_member', 'edit_member')",
                    params![acked, now_ms],
                )
                .sql(ctx)?;
            ctx.tx
                .execute(
                    "DELETE FROM acked_ops WHERE acked_at_ms < ?1",
                    [now_ms
                        - chrono::TimeDelta::days(crate::outbox::ACKED_OPS_KEEP_DAYS)
                            .num_milliseconds()],
                )
                .sql(ctx)?;
            ctx.tx
                .execute("DELETE FROM outbox WHERE device_seq <= ?1", [acked])
                .sql(ctx)?;
            Ok(())
        })
    }

    /// Applies one page of the server's change log (each change with its sequence number)
    /// and moves the cursor, in one transaction. Changes at or below the stored cursor are
    /// skipped: another sync of the same replica (a `sync --watch` beside a manual `sync`)
    /// already applied them, and an old entry's balance must not overwrite a newer one.
    pub fn apply_changes(&mut self, changes: &[(u64, ServerChange)], cursor: u64) -> Result<()> {
        self.write(|ctx| {
            let applied: u64 = get_meta(&ctx.tx, keys::CURSOR)
                .sql(ctx)?
                .and_then(|v| v.parse().ok())
                .unwrap_or(0);
            for (seq, change) in changes {
                if *seq > applied {
                    ctx.apply_change(change)?;
                }
            }
            let cursor = cursor.max(applied);
            set_meta(&ctx.tx, keys::CURSOR, &cursor.to_string()).sql(ctx)?;
            // The server's entries were written with their buckets: move the fold's watermark
            // past them now (with any sale's credit still waiting), so that no later fold, and
            // no member's accumulated points, goes through them again.
            crate::tiers::fold_batch(&ctx.tx, u64::MAX).sql(ctx)?;
            Ok(())
        })
    }

    /// Where the next pull starts.
    pub fn pull_cursor(&self) -> Result<u64> {
        Ok(get_meta(&self.conn, keys::CURSOR)
            .map_err(|e| self.fail(e))?
            .and_then(|v| v.parse().ok())
            .unwrap_or(0))
    }

    /// Where an interrupted bootstrap resumes: `None` when it is complete, `Some(None)` when
    /// it has not started, `Some(Some(id))` to continue after member `id`.
    pub fn bootstrap_position(&self) -> Result<Option<Option<Uuid>>> {
        let get = |k| get_meta(&self.conn, k).map_err(|e| self.fail(e));
        if get(keys::BOOTSTRAPPED)?.is_some() {
            return Ok(None);
        }
        Ok(Some(
            get(keys::BOOTSTRAP_AFTER)?.and_then(|v| Uuid::parse_str(&v).ok()),
        ))
    }

    /// Applies one bootstrap page: settings and staff (first page), then members with their
    /// recent history and tier days. `done` marks the snapshot complete; `cursor` is where
    /// pulling starts afterwards.
    #[allow(clippy::too_many_arguments)]
    pub fn apply_bootstrap_page(
        &mut self,
        cursor: u64,
        settings: Option<&ShopSettings>,
        staff: &[ServerStaff],
        members: &[BootstrapMember],
        next_after: Option<Uuid>,
        done: bool,
    ) -> Result<()> {
        // A bootstrap page need not survive a power cut: its position is written in the same
        // transaction, so a page lost with the last WAL frames is simply fetched again. WAL
        // with `synchronous=NORMAL` still never corrupts; counter operations stay FULL.
        self.conn
            .pragma_update(None, "synchronous", "NORMAL")
            .map_err(|e| self.fail(e))?;
        let written = self.write_bootstrap_page(cursor, settings, staff, members, next_after, done);
        self.conn
            .pragma_update(None, "synchronous", "FULL")
            .map_err(|e| self.fail(e))?;
        written?;
        if done {
            // Fold the snapshot into the database file now, not at the first sale.
            self.checkpoint()?;
        }
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    fn write_bootstrap_page(
        &mut self,
        cursor: u64,
        settings: Option<&ShopSettings>,
        staff: &[ServerStaff],
        members: &[BootstrapMember],
        next_after: Option<Uuid>,
        done: bool,
    ) -> Result<()> {
        self.write(|ctx| {
            if let Some(settings) = settings {
                crate::settings::store(&ctx.tx, settings, ctx.now)?;
                ctx.settings = std::sync::Arc::new(settings.clone());
                ctx.settings_changed = true;
            }
            for s in staff {
                ctx.apply_change(&ServerChange::Staff(s.clone()))?;
            }
            // A fresh counter (no members yet) loads in bulk: the non-unique member indexes
            // and the name index are built once when the snapshot is complete.
            let mut bulk = get_meta(&ctx.tx, keys::BOOTSTRAP_BULK).sql(ctx)?.is_some();
            if !bulk && !members.is_empty() {
                let empty: bool = ctx
                    .tx
                    .query_row("SELECT NOT EXISTS(SELECT 1 FROM members)", [], |r| r.get(0))
                    .sql(ctx)?;
                if empty {
                    for (name, _) in BULK_INDEXES {
                        ctx.tx
                            .execute_batch(&format!("DROP INDEX IF EXISTS {name}"))
                            .sql(ctx)?;
                    }
                    set_meta(&ctx.tx, keys::BOOTSTRAP_BULK, "1").sql(ctx)?;
                    bulk = true;
                }
            }
            if let Some(newest) = members.iter().map(|m| m.member.hlc).max() {
                let last = read_hlc(&ctx.tx).sql(ctx)?;
                if newest > last {
                    let next = Hlc::observe(last, newest, ctx.now.timestamp_millis());
                    write_hlc(&ctx.tx, next).sql(ctx)?;
                }
            }
            for m in members {
                // A fresh counter holds none of them: a plain insert. One that clashes (a
                // repeated page, a member registered here meanwhile) fails on a unique index
                // without effect and takes the careful path.
                let local = match ctx.try_insert_new_member(&m.member, !bulk)? {
                    Some(local) => {
                        for entry in &m.recent {
                            ctx.insert_entry_row(local, entry)?;
                        }
                        local
                    }
                    None => {
                        let local = ctx.upsert_member(&m.member)?;
                        for entry in &m.recent {
                            ctx.insert_confirmed_entry(local, entry, false)?;
                        }
                        local
                    }
                };
                for (day, points) in &m.tier_days {
                    ctx.tx
                        .prepare_cached(
                            "INSERT INTO tier_points_daily(member_id, day, points) VALUES (?1, ?2, ?3)
                             ON CONFLICT(member_id, day) DO UPDATE SET points = excluded.points",
                        )
                        .and_then(|mut s| s.execute(params![local, day, points]))
                        .sql(ctx)?;
                }
            }
            // As after a page of changes: the fold's watermark moves past this page's entries.
            crate::tiers::fold_batch(&ctx.tx, u64::MAX).sql(ctx)?;
            if ctx.pull_cursor_is_unset()? {
                set_meta(&ctx.tx, keys::CURSOR, &cursor.to_string()).sql(ctx)?;
            }
            if let Some(after) = next_after {
                set_meta(&ctx.tx, keys::BOOTSTRAP_AFTER, &after.to_string()).sql(ctx)?;
            }
            if done {
                if bulk {
                    for (_, sql) in BULK_INDEXES {
                        ctx.tx.execute_batch(sql).sql(ctx)?;
                    }
                    // Every name, once (rows indexed one by one meanwhile are indexed anew).
                    ctx.tx
                        .execute_batch(
                            "INSERT INTO member_names(member_names) VALUES ('delete-all');
                             INSERT INTO member_names(rowid, name)
                                 SELECT id, CASE WHEN last_name = '' THEN first_name
                                     ELSE first_name || ' ' || last_name END
                                 FROM members;",
                        )
                        .sql(ctx)?;
                    del_meta(&ctx.tx, keys::BOOTSTRAP_BULK).sql(ctx)?;
                }
                set_meta(&ctx.tx, keys::BOOTSTRAPPED, "1").sql(ctx)?;
                del_meta(&ctx.tx, keys::BOOTSTRAP_AFTER).sql(ctx)?;
            }
            Ok(())
        })
    }

    /// Records the outcome of a sync attempt for the status bar.
    pub fn record_sync_attempt(&mut self, error: Option<&str>) -> Result<()> {
        self.write(|ctx| {
            let now = ctx.now.timestamp_millis().to_string();
            set_meta(&ctx.tx, keys::LAST_ATTEMPT_MS, &now).sql(ctx)?;
            match error {
                None => {
                    set_meta(&ctx.tx, keys::LAST_OK_MS, &now).sql(ctx)?;
                    del_meta(&ctx.tx, keys::LAST_ERROR).sql(ctx)?;
                }
                Some(e) => set_meta(&ctx.tx, keys::LAST_ERROR, e).sql(ctx)?,
            }
            Ok(())
        })
    }

    /// The sync status.
    pub fn sync_status(&self) -> Result<SyncStatus> {
        let get = |k| get_meta(&self.conn, k).map_err(|e| self.fail(e));
        let count = |sql: &str| -> Result<u64> {
            self.conn
                .query_row(sql, [], |r| r.get::<_, i64>(0))
                .map(|n| n as u64)
                .map_err(|e| self.fail(e))
        };
        let ms = |v: Option<String>| v.and_then(|v| v.parse::<i64>().ok()).map(ms_time);
        let last_error = get(keys::LAST_ERROR)?;
        let last_attempt = ms(get(keys::LAST_ATTEMPT_MS)?);
        let server_url = get(keys::SERVER_URL)?;
        Ok(SyncStatus {
            enrolled: server_url.is_some(),
            server_url,
            bootstrapped: get(keys::BOOTSTRAPPED)?.is_some(),
            waiting: count("SELECT COUNT(*) FROM outbox")?,
            rejected: count("SELECT COUNT(*) FROM rejections")?,
            reviews: count("SELECT COUNT(*) FROM reviews")?,
            last_sync_ok: ms(get(keys::LAST_OK_MS)?),
            online: last_attempt.is_some() && last_error.is_none(),
            last_attempt,
            last_error,
            cursor: self.pull_cursor()?,
        })
    }

    /// Operations the server rejected, newest first.
    pub fn rejections(&self) -> Result<Vec<Rejection>> {
        let mut statement = self
            .conn
            .prepare(
                "SELECT op_id, kind, member_uid, code, message, at_ms FROM rejections
                 ORDER BY at_ms DESC",
            )
            .map_err(|e| self.fail(e))?;
        statement
            .query_map([], |r| {
                Ok(Rejection {
                    op_id: uuid_col(r.get(0)?),
                    kind: r.get(1)?,
                    member_id: r.get::<_, Option<Vec<u8>>>(2)?.map(uuid_col),
                    code: r.get(3)?,
                    message: r.get(4)?,
                    at: ms_time(r.get(5)?),
                })
            })
            .and_then(|rows| rows.collect())
            .map_err(|e| self.fail(e))
    }

    /// Review items (flagged redemptions, merged members), newest first.
    pub fn reviews(&self) -> Result<Vec<ReviewItem>> {
        let mut statement = self
            .conn
            .prepare(
                "SELECT review_id, kind, member_uid, op_ids, message, at_ms FROM reviews
                 ORDER BY review_id DESC",
            )
            .map_err(|e| self.fail(e))?;
        statement
            .query_map([], |r| {
                let op_ids: String = r.get(3)?;
                Ok(ReviewItem {
                    review_id: r.get(0)?,
                    kind: r.get(1)?,
                    member_id: r.get::<_, Option<Vec<u8>>>(2)?.map(uuid_col),
                    op_ids: serde_json::from_str(&op_ids).unwrap_or_default(),
                    message: r.get(4)?,
                    at: ms_time(r.get(5)?),
                })
            })
            .and_then(|rows| rows.collect())
            .map_err(|e| self.fail(e))
    }
}

/// The member columns a server state sets, in the order both the insert and the update of
/// a server member bind them after the row's key: code, phone, the profile, branch,
/// registration, update time, confirmed balance, confirmed tier, tier since.
fn state_values(m: &ServerMember, now: DateTime<Utc>) -> [Value; 18] {
    let p = &m.profile;
    let (birthday, tags) = crate::members::profile_columns(p);
    let text = |t: &str| Value::Text(t.to_string());
    let opt = |t: &Option<String>| t.clone().map_or(Value::Null, Value::Text);
    [
        text(&m.code),
        text(&m.phone),
        text(&p.first_name),
        text(&p.last_name),
        opt(&birthday),
        text(p.gender.as_str()),
        opt(&p.email),
        opt(&p.address),
        Value::Text(tags),
        Value::Integer(p.marketing_consent.into()),
        Value::Integer(p.pdpa_consent.into()),
        opt(&p.note),
        text(&m.branch),
        Value::Integer(m.registered_at.timestamp_millis()),
        Value::Integer(now.timestamp_millis()),
        Value::Integer(m.balance),
        Value::Integer(m.tier_id.into()),
        Value::Integer(m.tier_since.timestamp_millis()),
    ]
}

fn uuid_col(bytes: Vec<u8>) -> Uuid {
    Uuid::from_slice(&bytes).unwrap_or_default()
}

// The statements that find a ledger entry by operation id. None may scan the ledger (a test in
// open.rs checks their plans): a sale writes no operation-id index entry, so confirmed entries
// are found through the partial index `ledger_op_confirmed`, pending ones by the entry id their
// outbox row or `acked_entries` keeps.

/// Whether the server's entry is already here, confirmed.
pub(crate) const CONFIRMED_ENTRY_SQL: &str =
    "SELECT 1 FROM ledger WHERE op_id = ?1 AND kind = ?2 AND confirmed = 1";

/// This counter's own pending entry for an operation the server confirms.
pub(crate) const PENDING_ENTRY_SQL: &str =
    "SELECT l.id, l.member_id, l.points, l.tier_credit, l.day, l.unbucketed FROM ledger l
     WHERE l.id = (SELECT ledger_id FROM outbox WHERE op_id = ?1
                   UNION ALL SELECT ledger_id FROM acked_entries WHERE op_id = ?1
                   LIMIT 1)
       AND l.op_id = ?1 AND l.kind = ?2 AND l.confirmed = 0";

/// A pending ledger entry as [`PENDING_ENTRY_SQL`] and [`REJECTED_ENTRY_SQL`] read it.
struct PendingRow {
    id: i64,
    member: i64,
    points: i64,
    credit: i64,
    day: i64,
    /// Its tier credit waits for the fold (not in a day bucket yet).
    unbucketed: bool,
}

impl PendingRow {
    fn read(r: &rusqlite::Row<'_>) -> rusqlite::Result<PendingRow> {
        Ok(PendingRow {
            id: r.get(0)?,
            member: r.get(1)?,
            points: r.get(2)?,
            credit: r.get(3)?,
            day: r.get(4)?,
            unbucketed: r.get(5)?,
        })
    }
}

/// The pending entry of an operation the server rejected (it is still in the outbox).
pub(crate) const REJECTED_ENTRY_SQL: &str =
    "SELECT id, member_id, points, tier_credit, day, unbucketed FROM ledger
     WHERE id = (SELECT ledger_id FROM outbox WHERE op_id = ?1)
       AND op_id = ?1 AND confirmed = 0";

/// Keeps the pending entries of the operations acknowledged through `?1`, whose outbox rows
/// are about to go, findable until their confirmations arrive.
pub(crate) const ACKED_ENTRIES_SQL: &str = "INSERT OR IGNORE INTO acked_entries(op_id, ledger_id)
     SELECT o.op_id, o.ledger_id FROM outbox o JOIN ledger l ON l.id = o.ledger_id
     WHERE o.device_seq <= ?1 AND l.confirmed = 0";

impl Ctx<'_> {
    fn pull_cursor_is_unset(&self) -> Result<bool> {
        Ok(get_meta(&self.tx, keys::CURSOR)
            .sql(self)?
            .is_none_or(|v| v == "0"))
    }

    fn local_id(&self, uid: Uuid) -> Result<Option<i64>> {
        self.tx
            .prepare_cached("SELECT id FROM members WHERE member_uid = ?1")
            .and_then(|mut s| {
                s.query_row([uid.as_bytes().as_slice()], |r| r.get(0))
                    .optional()
            })
            .sql(self)
    }

    fn require_local(&self, uid: Uuid) -> Result<i64> {
        self.local_id(uid)?.ok_or_else(|| {
            invariant(format!(
                "the server sent an entry for member {uid} before the member"
            ))
        })
    }

    fn apply_change(&mut self, change: &ServerChange) -> Result<()> {
        match change {
            ServerChange::Member(m) => {
                self.upsert_member(m)?;
            }
            ServerChange::Entry {
                entry,
                balance_after,
                tier_after,
            } => {
                let local = self.require_local(entry.member_id)?;
                self.insert_confirmed_entry(local, entry, true)?;
                self.tx
                    .prepare_cached(
                        "UPDATE members SET balance_confirmed = ?2, tier_confirmed = ?3 WHERE id = ?1",
                    )
                    .and_then(|mut s| s.execute(params![local, balance_after, tier_after]))
                    .sql(self)?;
                self.rebase_tier(local)?;
            }
            ServerChange::TierChange {
                member_id,
                from,
                to,
                reason,
                accumulated,
                at,
            } => {
                let local = self.require_local(*member_id)?;
                // The server's record replaces this counter's own provisional one.
                self.tx
                    .execute(
                        "DELETE FROM tier_changes WHERE id = (SELECT id FROM tier_changes
                             WHERE member_id = ?1 AND confirmed = 0 AND to_tier = ?2
                             ORDER BY id LIMIT 1)",
                        params![local, to],
                    )
                    .sql(self)?;
                self.tx
                    .execute(
                        "INSERT INTO tier_changes(member_id, from_tier, to_tier, reason,
                             accumulated, at_ms, confirmed)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, 1)",
                        params![
                            local,
                            from,
                            to,
                            reason.as_str(),
                            accumulated,
                            at.timestamp_millis()
                        ],
                    )
                    .sql(self)?;
            }
            ServerChange::Merge {
                from,
                into,
                from_code,
            } => {
                if let (Some(code), Some(into_local)) = (from_code, self.local_id(*into)?) {
                    self.tx
                        .execute(
                            "INSERT OR REPLACE INTO member_code_aliases(code, member_id) VALUES (?1, ?2)",
                            params![code, into_local],
                        )
                        .sql(self)?;
                }
                if let Some(from_local) = self.local_id(*from)? {
                    match self.local_id(*into)? {
                        Some(into_local) => self.fold_member(from_local, into_local)?,
                        None => {
                            self.tx
                                .execute(
                                    "UPDATE members SET member_uid = ?2 WHERE id = ?1",
                                    params![from_local, into.as_bytes().as_slice()],
                                )
                                .sql(self)?;
                        }
                    }
                }
            }
            ServerChange::Settings(settings, branches) => {
                store_shop_branches(&self.tx, branches).sql(self)?;
                crate::settings::store(&self.tx, settings, self.now)?;
                self.settings = std::sync::Arc::new(settings.clone());
                self.settings_changed = true;
            }
            ServerChange::Staff(s) => {
                self.tx
                    .execute(
                        "INSERT INTO staff(staff_id, name, role, pin_hash, active)
                         VALUES (?1, ?2, ?3, ?4, ?5)
                         ON CONFLICT(staff_id) DO UPDATE SET name = excluded.name,
                             role = excluded.role, active = excluded.active,
                             pin_hash = excluded.pin_hash,
                             failed_attempts = CASE WHEN pin_hash = excluded.pin_hash
                                 THEN failed_attempts ELSE 0 END,
                             locked_until_ms = CASE WHEN pin_hash = excluded.pin_hash
                                 THEN locked_until_ms ELSE 0 END",
                        params![
                            s.staff_id.as_bytes().as_slice(),
                            s.name,
                            s.role,
                            s.pin_hash,
                            s.active
                        ],
                    )
                    .sql(self)?;
            }
            ServerChange::Review(item) => {
                self.tx
                    .execute(
                        "INSERT OR REPLACE INTO reviews(review_id, kind, member_uid, op_ids, message, at_ms)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                        params![
                            item.review_id,
                            item.kind,
                            item.member_id.map(|m| m.as_bytes().to_vec()),
                            serde_json::to_string(&item.op_ids).unwrap_or_default(),
                            item.message,
                            item.at.timestamp_millis()
                        ],
                    )
                    .sql(self)?;
            }
        }
        Ok(())
    }

    /// Inserts or updates a member from the server's state; returns the local id.
    fn upsert_member(&mut self, m: &ServerMember) -> Result<i64> {
        let last = read_hlc(&self.tx).sql(self)?;
        if m.hlc > last {
            write_hlc(
                &self.tx,
                Hlc::observe(last, m.hlc, self.now.timestamp_millis()),
            )
            .sql(self)?;
        }
        // A member this counter registered offline with the same phone is the same person:
        // the server merged them (its merge change may come later); fold ours in now.
        let clash = self.held_by_another(
            "SELECT id, member_uid FROM members WHERE phone = ?1",
            m.phone.as_str(),
            m.member_id,
        )?;
        let existing = self.local_id(m.member_id)?;
        if let Some(clash_id) = clash {
            match existing {
                Some(keep) => self.fold_member(clash_id, keep)?,
                None => {
                    // Keep the local row and give it the server's identity.
                    self.tx
                        .execute(
                            "UPDATE members SET member_uid = ?2 WHERE id = ?1",
                            params![clash_id, m.member_id.as_bytes().as_slice()],
                        )
                        .sql(self)?;
                }
            }
        }
        // A member of this counter (registered or imported here, not yet confirmed) holding
        // the code the server has for another member: the server keeps that member's code
        // and gives ours a new one (its state comes by sync); until then ours takes a
        // stand-in code that is free here.
        if let Some(clash_id) = self.held_by_another(
            "SELECT id, member_uid FROM members WHERE code = ?1",
            m.code.as_str(),
            m.member_id,
        )? {
            self.code_aside(clash_id)?;
        }
        let existing = self.local_id(m.member_id)?;
        let p = &m.profile;
        let local = match existing {
            Some(local) => {
                self.tx
                    .execute(
                        "INSERT OR REPLACE INTO member_code_aliases(code, member_id)
                         SELECT code, id FROM members WHERE id = ?1 AND code <> ?2",
                        params![local, m.code],
                    )
                    .sql(self)?;
                let old_name: String = self
                    .tx
                    .query_row(
                        "SELECT first_name || ' ' || last_name FROM members WHERE id = ?1",
                        [local],
                        |r| r.get(0),
                    )
                    .sql(self)?;
                self.tx
                    .execute(
                        "UPDATE members SET code = ?2, phone = ?3, first_name = ?4, last_name = ?5,
                             birthday = ?6, gender = ?7, email = ?8, address = ?9, tags = ?10,
                             marketing_consent = ?11, pdpa_consent = ?12, note = ?13, branch = ?14,
                             registered_at_ms = ?15, updated_at_ms = ?16, balance_confirmed = ?17,
                             tier_confirmed = ?18, tier_since_ms = ?19
                         WHERE id = ?1",
                        params_from_iter(
                            std::iter::once(Value::Integer(local)).chain(state_values(m, self.now)),
                        ),
                    )
                    .sql(self)?;
                if old_name != p.full_name() {
                    self.tx
                        .execute("DELETE FROM member_names WHERE rowid = ?1", [local])
                        .sql(self)?;
                    self.tx
                        .execute(
                            "INSERT INTO member_names(rowid, name) VALUES (?1, ?2)",
                            params![local, p.full_name()],
                        )
                        .sql(self)?;
                }
                local
            }
            None => self.insert_new_member(m)?,
        };
        self.rebase_tier(local)?;
        Ok(local)
    }

    /// The local id of the member `sql` finds by `key` (a phone, a code), when it is not the
    /// server's member `member_id`.
    fn held_by_another(&self, sql: &str, key: &str, member_id: Uuid) -> Result<Option<i64>> {
        let found: Option<(i64, Vec<u8>)> = self
            .tx
            .prepare_cached(sql)
            .and_then(|mut s| {
                s.query_row([key], |r| Ok((r.get(0)?, r.get(1)?)))
                    .optional()
            })
            .sql(self)?;
        Ok(found.and_then(|(id, uid)| (uid != member_id.as_bytes()).then_some(id)))
    }

    /// Gives local member `id` a stand-in code free on this counter (until the server's code
    /// for it arrives), so that the code it held can go to the server's member who has it.
    fn code_aside(&self, id: i64) -> Result<()> {
        // Any free code does; starting from the row id's bits keeps it deterministic.
        let mut bits = (id as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        loop {
            let candidate = MemberCode::from_bits(bits);
            let written = self
                .tx
                .execute(
                    "UPDATE OR IGNORE members SET code = ?2 WHERE id = ?1",
                    params![id, candidate.as_str()],
                )
                .sql(self)?;
            if written == 1 {
                return Ok(());
            }
            bits = bits.wrapping_add(1);
        }
    }

    /// Inserts a member this replica does not hold yet; returns the local id.
    fn insert_new_member(&self, m: &ServerMember) -> Result<i64> {
        self.insert_member_row(m, true)
    }

    /// Inserts a member row; `index_name` false leaves the name index to a bulk build.
    fn insert_member_row(&self, m: &ServerMember, index_name: bool) -> Result<i64> {
        self.tx
            .prepare_cached(
                "INSERT INTO members(member_uid, code, phone, first_name, last_name, birthday,
                     gender, email, address, tags, marketing_consent, pdpa_consent, note,
                     branch, registered_at_ms, updated_at_ms, balance_confirmed,
                     tier_id, tier_confirmed, tier_since_ms)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15,
                     ?16, ?17, ?18, ?18, ?19)",
            )
            .and_then(|mut s| {
                s.execute(params_from_iter(
                    std::iter::once(Value::Blob(m.member_id.as_bytes().to_vec()))
                        .chain(state_values(m, self.now)),
                ))
            })
            .sql(self)?;
        let local = self.tx.last_insert_rowid();
        if index_name {
            self.tx
                .prepare_cached("INSERT INTO member_names(rowid, name) VALUES (?1, ?2)")
                .and_then(|mut s| s.execute(params![local, m.profile.full_name()]))
                .sql(self)?;
        }
        Ok(local)
    }

    /// [`Ctx::insert_new_member`], or `None` when a member with the same id, phone or code
    /// is already here (the failed insert changes nothing).
    fn try_insert_new_member(&self, m: &ServerMember, index_name: bool) -> Result<Option<i64>> {
        match self.insert_member_row(m, index_name) {
            Ok(local) => Ok(Some(local)),
            Err(e) if e.is_unique_violation() => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Writes a server-confirmed ledger entry. This counter's own pending row for the same
    /// operation becomes confirmed (taking the server's figures); a row already confirmed is
    /// left alone, so a change applied twice counts once.
    fn insert_confirmed_entry(&self, local: i64, e: &ServerEntry, with_bucket: bool) -> Result<()> {
        let op = e.op_id.as_bytes().as_slice();
        let applied = self
            .tx
            .prepare_cached(CONFIRMED_ENTRY_SQL)
            .and_then(|mut s| s.exists(params![op, e.kind.as_str()]))
            .sql(self)?;
        if applied {
            return Ok(());
        }
        // This counter's own pending entry: named by its outbox row, or after the server's
        // acknowledgement by `acked_entries`.
        let mine: Option<PendingRow> = self
            .tx
            .prepare_cached(PENDING_ENTRY_SQL)
            .and_then(|mut s| {
                s.query_row(params![op, e.kind.as_str()], PendingRow::read)
                    .optional()
            })
            .sql(self)?;
        if let Some(PendingRow {
            id: row,
            member,
            points,
            credit,
            day,
            unbucketed,
        }) = mine
        {
            self.tx
                .prepare_cached("DELETE FROM acked_entries WHERE op_id = ?1")
                .and_then(|mut s| s.execute([op]))
                .sql(self)?;
            // Out of the pending state, into the confirmed one with the server's figures.
            self.tx
                .prepare_cached(
                    "UPDATE members SET balance_pending = balance_pending - ?2 WHERE id = ?1",
                )
                .and_then(|mut s| s.execute(params![member, points]))
                .sql(self)?;
            // An entry not folded yet stays marked (the fold takes the server's figures);
            // a folded one moves its credit between buckets now.
            if !unbucketed {
                self.add_bucket(member, day, -credit)?;
                self.add_bucket(local, e.day, e.tier_credit)?;
            }
            self.tx
                .prepare_cached(
                    "UPDATE ledger SET member_id = ?2, points = ?3, tier_credit = ?4, day = ?5,
                         confirmed = 1 WHERE id = ?1",
                )
                .and_then(|mut s| s.execute(params![row, local, e.points, e.tier_credit, e.day]))
                .sql(self)?;
            return Ok(());
        }
        self.insert_entry_row(local, e)?;
        if with_bucket {
            self.add_bucket(local, e.day, e.tier_credit)?;
        }
        Ok(())
    }

    /// Inserts a confirmed ledger row (no bucket).
    fn insert_entry_row(&self, local: i64, e: &ServerEntry) -> Result<()> {
        let amount_satang = e
            .amount
            .as_deref()
            .and_then(|a| taem_core::Money::parse(a).ok())
            .map(|m| m.satang());
        self.tx
            .prepare_cached(
                "INSERT INTO ledger(member_id, kind, points, tier_credit, day, at_ms, bill_no,
                     amount_satang, rate, reason, counts_toward_tier, branch, op_id, confirmed)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, 1)",
            )
            .and_then(|mut s| {
                s.execute(params![
                    local,
                    e.kind.as_str(),
                    e.points,
                    e.tier_credit,
                    e.day,
                    e.at.timestamp_millis(),
                    e.bill_no,
                    amount_satang,
                    e.rate,
                    e.reason,
                    e.counts_toward_tier,
                    e.branch,
                    e.op_id.as_bytes().as_slice(),
                ])
            })
            .sql(self)?;
        Ok(())
    }

    fn add_bucket(&self, member: i64, day: i64, points: i64) -> Result<()> {
        if points == 0 {
            return Ok(());
        }
        self.tx
            .prepare_cached(
                "INSERT INTO tier_points_daily(member_id, day, points) VALUES (?1, ?2, ?3)
                 ON CONFLICT(member_id, day) DO UPDATE SET points = points + excluded.points",
            )
            .and_then(|mut s| s.execute(params![member, day, points]))
            .sql(self)?;
        Ok(())
    }

    /// The shown tier: the server's, moved up by this counter's pending earnings.
    fn rebase_tier(&self, local: i64) -> Result<()> {
        let (confirmed, pending_rows): (Option<u32>, i64) = self
            .tx
            .prepare_cached(
                "SELECT tier_confirmed,
                     (SELECT COUNT(*) FROM ledger WHERE member_id = ?1 AND confirmed = 0)
                 FROM members WHERE id = ?1",
            )
            .and_then(|mut s| s.query_row([local], |r| Ok((r.get(0)?, r.get(1)?))))
            .sql(self)?;
        let Some(confirmed) = confirmed else {
            return Ok(());
        };
        let mut tier = confirmed;
        if pending_rows > 0 {
            let start = self.settings.tiers.period.window_start(self.today);
            let accumulated = crate::tiers::accumulated(&self.tx, local, start).sql(self)?;
            if let Some(up) = self.settings.tiers.change_for(
                Some(confirmed),
                accumulated,
                TierChangeReason::Earned,
            ) {
                tier = up;
            }
        }
        self.tx
            .prepare_cached("UPDATE members SET tier_id = ?2 WHERE id = ?1 AND tier_id <> ?2")
            .and_then(|mut s| s.execute(params![local, tier]))
            .sql(self)?;
        Ok(())
    }

    /// Moves everything of local member `from` into `into` and removes `from`.
    fn fold_member(&self, from: i64, into: i64) -> Result<()> {
        if from == into {
            return Ok(());
        }
        for sql in [
            "INSERT OR REPLACE INTO member_code_aliases(code, member_id)
                 SELECT code, ?2 FROM members WHERE id = ?1",
            "UPDATE member_code_aliases SET member_id = ?2 WHERE member_id = ?1",
            "UPDATE ledger SET member_id = ?2 WHERE member_id = ?1",
            "UPDATE tier_changes SET member_id = ?2 WHERE member_id = ?1",
            "UPDATE outbox SET member_id = ?2 WHERE member_id = ?1",
            "INSERT INTO tier_points_daily(member_id, day, points)
                 SELECT ?2, day, points FROM tier_points_daily WHERE member_id = ?1 AND true
                 ON CONFLICT(member_id, day) DO UPDATE SET points = points + excluded.points",
            "DELETE FROM tier_points_daily WHERE member_id = ?1",
            "UPDATE members SET balance_pending = balance_pending + (SELECT balance_pending FROM members WHERE id = ?1) WHERE id = ?2",
            "DELETE FROM member_names WHERE rowid = ?1",
            "DELETE FROM members WHERE id = ?1",
        ] {
            self.tx.execute(sql, params![from, into]).sql(self)?;
        }
        self.rebase_tier(into)
    }

    /// Takes a rejected operation out of the pending state and keeps it for review.
    fn reject(&self, op_id: Uuid, code: &str, message: &str) -> Result<()> {
        let row: Option<RejectedRow> = self
            .tx
            .query_row(
                "SELECT device_seq, kind, member_id, body, created_at_ms FROM outbox WHERE op_id = ?1",
                [op_id.as_bytes().as_slice()],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
            )
            .optional()
            .sql(self)?;
        let Some((seq, kind, member, stored_body, at_ms)) = row else {
            return Ok(()); // answered before: already taken out
        };
        // Read before its ledger rows go: a points operation is rebuilt from them. One that
        // cannot be read is still taken out, and kept with what its row holds.
        let op: Option<Operation> = match self.outbox_operation(op_id) {
            Ok(op) => op,
            Err(ReplicaError::Invariant { .. }) => None,
            Err(e) => return Err(e),
        };
        let body = match &op {
            Some(op) => serde_json::to_string(op)
                .map_err(|e| invariant(format!("operation {op_id} does not serialise: {e}")))?,
            None => stored_body.unwrap_or_default(),
        };
        // Undo the pending ledger rows of the operation.
        let rows: Vec<PendingRow> = {
            let mut s = self.tx.prepare(REJECTED_ENTRY_SQL).sql(self)?;
            s.query_map([op_id.as_bytes().as_slice()], PendingRow::read)
                .and_then(|rows| rows.collect())
                .sql(self)?
        };
        for PendingRow {
            id,
            member: m,
            points,
            credit,
            day,
            unbucketed,
        } in rows
        {
            self.tx
                .execute(
                    "UPDATE members SET balance_pending = balance_pending - ?2 WHERE id = ?1",
                    params![m, points],
                )
                .sql(self)?;
            if !unbucketed {
                self.add_bucket(m, day, -credit)?;
            }
            self.tx
                .execute("DELETE FROM ledger WHERE id = ?1", [id])
                .sql(self)?;
            crate::tiers::lower_watermark_after_delete(&self.tx).sql(self)?;
            self.tx
                .execute(
                    "UPDATE members SET tier_confirmed = COALESCE(tier_confirmed, tier_id) WHERE id = ?1",
                    [m],
                )
                .sql(self)?;
            self.rebase_tier(m)?;
        }
        // A registration the server refused: the member exists nowhere else; drop it when
        // nothing of it was confirmed.
        if let (
            Some(Operation {
                kind: OperationKind::RegisterMember { .. },
                ..
            }),
            Some(m),
        ) = (&op, member)
        {
            let confirmed: i64 = self
                .tx
                .query_row(
                    "SELECT COUNT(*) FROM ledger WHERE member_id = ?1",
                    [m],
                    |r| r.get(0),
                )
                .sql(self)?;
            if confirmed == 0 {
                for sql in [
                    "DELETE FROM tier_changes WHERE member_id = ?1",
                    "DELETE FROM tier_points_daily WHERE member_id = ?1",
                    "DELETE FROM member_names WHERE rowid = ?1",
                    "DELETE FROM members WHERE id = ?1 AND tier_confirmed IS NULL",
                ] {
                    self.tx.execute(sql, [m]).sql(self)?;
                }
            }
        }
        let member_uid = op.as_ref().map(|o| o.kind.member_id());
        self.tx
            .execute(
                "INSERT OR REPLACE INTO rejections(op_id, device_seq, kind, member_uid, code, message, body, at_ms)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                params![
                    op_id.as_bytes().as_slice(),
                    seq,
                    kind,
                    member_uid.map(|u| u.as_bytes().to_vec()),
                    code,
                    message,
                    body,
                    at_ms
                ],
            )
            .sql(self)?;
        Ok(())
    }
}

/// A rejected operation's outbox row: device sequence, kind, local member id, stored body
/// (none for a points operation, see [`crate::outbox::outbox_operation`]), time.
type RejectedRow = (i64, String, Option<i64>, Option<String>, i64);

/// The shop-local day number of a time (for callers building [`ServerEntry`]s).
pub fn day_of(at: DateTime<Utc>) -> i64 {
    day_number(bangkok_date(at))
}
