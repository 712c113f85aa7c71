//! The embedded SQLite store: one writer connection (SQLite has one writer anyway; every
//! push is ONE `BEGIN IMMEDIATE` transaction that applies the batch, advances the device's
//! sequence and appends to the shop's change log) and a small pool of readers for pulls,
//! bootstrap pages and token checks (WAL lets them read while a push writes).

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use rusqlite::{Connection, OpenFlags, OptionalExtension, TransactionBehavior, params};
use taem_core::{Operation, ShopSettings};
use taem_protocol::{
    BootstrapMember, BootstrapPage, Change, ChangeBody, EnrolRequest, EnrolResponse, PullResponse,
    PushResponse, ReviewState, Role, SettingsState, SettingsUpdate, StaffState,
};
use uuid::Uuid;

use crate::apply::{self, ShopTx};
use crate::error::{Result, ServerError};
use crate::schema;
use crate::secrets;
use crate::store::{
    DeviceAuth, DeviceInfo, MemberBalance, ReevaluationSummary, ShopCreated, ShopInfo, Store,
};

/// The database file in the data directory.
pub const DB_FILE_NAME: &str = "taem-server.sqlite3";
/// Enrolment codes printed at shop creation stay valid this long.
pub const FIRST_CODE_VALID_HOURS: u32 = 72;
/// The writer's page cache, in KiB (negative: SQLite reads it as KiB).
const WRITER_CACHE_KIB: i64 = -65_536;
/// Readers kept open.
const READERS_MAX: usize = 8;

/// The SQLite store.
pub struct SqliteStore {
    path: PathBuf,
    writer: Mutex<Connection>,
    readers: Mutex<Vec<Connection>>,
}

fn configure(conn: &Connection) -> rusqlite::Result<()> {
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.set_prepared_statement_cache_capacity(64);
    // Query planner stability: otherwise a cached statement whose plan looked at a bound value
    // (`LIMIT ?3`) is expired by every `clear_bindings` and re-prepared on each use.
    conn.set_db_config(
        rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG,
        true,
    )?;
    Ok(())
}

pub(crate) fn uuid(bytes: Vec<u8>) -> Result<Uuid> {
    Uuid::from_slice(&bytes).map_err(|e| ServerError::Invariant(format!("uuid: {e}")))
}

pub(crate) fn ms(ms: i64) -> DateTime<Utc> {
    DateTime::<Utc>::from_timestamp_millis(ms).unwrap_or_default()
}

impl SqliteStore {
    /// One text column of the shop's member found by each of `keys` (`None`: no member),
    /// in the order given; `sql` selects it with the shop as `?1` and the key as `?2`.
    fn members_column(
        &self,
        shop: Uuid,
        sql: &str,
        keys: &[String],
    ) -> Result<Vec<Option<String>>> {
        self.read(|conn| {
            Self::shop_exists(conn, shop)?;
            let mut s = conn.prepare_cached(sql)?;
            keys.iter()
                .map(|key| {
                    s.query_row(params![shop.as_bytes().as_slice(), key], |r| r.get(0))
                        .optional()
                        .map_err(Into::into)
                })
                .collect()
        })
    }

    /// Opens (creating and migrating) the store in `dir`.
    pub fn open(dir: &Path) -> anyhow::Result<SqliteStore> {
        std::fs::create_dir_all(dir).map_err(|e| {
            anyhow::anyhow!("cannot create the data directory {}: {e}", dir.display())
        })?;
        let path = dir.join(DB_FILE_NAME);
        let mut conn = Connection::open(&path)
            .map_err(|e| anyhow::anyhow!("cannot open {}: {e}", path.display()))?;
        let mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
        anyhow::ensure!(
            mode.eq_ignore_ascii_case("wal"),
            "{} cannot use WAL",
            path.display()
        );
        configure(&conn)?;
        // The one writer keeps the pages a chain's shops write to in memory (the default is
        // 2 MB): a large import or a busy shop's pushes would otherwise spill dirty pages
        // mid-transaction and read the member indexes back from the file.
        conn.pragma_update(None, "cache_size", WRITER_CACHE_KIB)?;
        schema::migrate(&mut conn).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
        Ok(SqliteStore {
            path,
            writer: Mutex::new(conn),
            readers: Mutex::new(Vec::new()),
        })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn write<T>(&self, f: impl FnOnce(&rusqlite::Transaction<'_>) -> Result<T>) -> Result<T> {
        let mut conn = self
            .writer
            .lock()
            .map_err(|_| ServerError::Invariant("writer lock poisoned".into()))?;
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let out = f(&tx)?;
        tx.commit()?;
        Ok(out)
    }

    pub(crate) fn read<T>(&self, f: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        let conn = match self.readers.lock().ok().and_then(|mut r| r.pop()) {
            Some(conn) => conn,
            None => {
                let conn = Connection::open_with_flags(
                    &self.path,
                    OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
                )?;
                configure(&conn)?;
                conn
            }
        };
        // One read transaction: a page is a consistent view.
        conn.execute_batch("BEGIN")?;
        let out = f(&conn);
        let _ = conn.execute_batch("COMMIT");
        if let Ok(mut readers) = self.readers.lock()
            && readers.len() < READERS_MAX
        {
            readers.push(conn);
        }
        out
    }

    pub(crate) fn shop_exists(conn: &Connection, shop: Uuid) -> Result<()> {
        let found: bool = conn.query_row(
            "SELECT EXISTS(SELECT 1 FROM shops WHERE shop_id = ?1)",
            [shop.as_bytes().as_slice()],
            |r| r.get(0),
        )?;
        if found {
            Ok(())
        } else {
            Err(ServerError::NotFound(format!(
                "no shop {shop} on this server: list shops with `taem-server shops`"
            )))
        }
    }

    fn branch_exists(conn: &Connection, shop: Uuid, branch: &str) -> Result<()> {
        let found: bool = conn.query_row(
            "SELECT EXISTS(SELECT 1 FROM branches WHERE shop_id = ?1 AND code = ?2)",
            params![shop.as_bytes().as_slice(), branch],
            |r| r.get(0),
        )?;
        if found {
            Ok(())
        } else {
            Err(ServerError::NotFound(format!(
                "shop {shop} has no branch {branch}: add it with `taem-server branch add --shop {shop} --code {branch} --name NAME`"
            )))
        }
    }

    fn insert_enrol_code(
        tx: &Connection,
        shop: Uuid,
        branch: &str,
        valid_hours: u32,
        now: DateTime<Utc>,
    ) -> Result<(String, DateTime<Utc>)> {
        let code = secrets::new_enrol_code();
        let expires = now + Duration::hours(i64::from(valid_hours.max(1)));
        tx.execute(
            "INSERT INTO enrol_codes(code_hash, shop_id, branch, created_at_ms, expires_at_ms)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![
                secrets::hash(&secrets::normalise_enrol_code(&code)),
                shop.as_bytes().as_slice(),
                branch,
                now.timestamp_millis(),
                expires.timestamp_millis()
            ],
        )?;
        Ok((code, expires))
    }
}

fn clean_branch_code(code: &str) -> Result<String> {
    let code = code.trim().to_uppercase();
    if code.is_empty()
        || code.len() > 16
        || !code.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
    {
        return Err(ServerError::bad(
            "bad_branch_code",
            format!("\"{code}\" is not a branch code"),
            "use 1-16 letters, digits or dashes, e.g. BKK01",
        ));
    }
    Ok(code)
}

fn clean_name(name: &str, what: &'static str) -> Result<String> {
    let name = name.split_whitespace().collect::<Vec<_>>().join(" ");
    if name.is_empty() || name.chars().count() > 100 {
        return Err(ServerError::bad(
            "bad_name",
            format!("the {what} is empty or longer than 100 characters"),
            format!("give the {what} in 1-100 characters"),
        ));
    }
    Ok(name)
}

impl Store for SqliteStore {
    fn create_shop(
        &self,
        name: &str,
        branch: (&str, &str),
        owner: (&str, &str),
        now: DateTime<Utc>,
    ) -> Result<ShopCreated> {
        let name = clean_name(name, "shop name")?;
        let branch_code = clean_branch_code(branch.0)?;
        let branch_name = clean_name(branch.1, "branch name")?;
        let owner_name = clean_name(owner.0, "owner's name")?;
        secrets::check_pin(owner.1)
            .map_err(|e| ServerError::bad("bad_pin", e, "choose another PIN"))?;
        let pin_hash = secrets::hash_pin(owner.1).map_err(ServerError::Invariant)?;
        let settings = serde_json::to_string(&ShopSettings::default_for_new_shop())
            .map_err(|e| ServerError::Invariant(e.to_string()))?;
        let shop_id = Uuid::now_v7();
        self.write(|tx| {
            tx.execute(
                "INSERT INTO shops(shop_id, name, created_at_ms, settings) VALUES (?1, ?2, ?3, ?4)",
                params![
                    shop_id.as_bytes().as_slice(),
                    name,
                    now.timestamp_millis(),
                    settings
                ],
            )?;
            tx.execute(
                "INSERT INTO branches(shop_id, code, name) VALUES (?1, ?2, ?3)",
                params![shop_id.as_bytes().as_slice(), branch_code, branch_name],
            )?;
            let mut shop = ShopTx::new(tx, shop_id, now)?;
            shop.emit_settings()?;
            shop.insert_staff(&owner_name, Role::Owner, &pin_hash)?;
            let (enrol_code, expires_at) =
                Self::insert_enrol_code(tx, shop_id, &branch_code, FIRST_CODE_VALID_HOURS, now)?;
            Ok(ShopCreated {
                shop_id,
                enrol_code,
                expires_at,
            })
        })
    }

    fn list_shops(&self) -> Result<Vec<ShopInfo>> {
        self.read(|conn| {
            let mut s = conn.prepare(
                "SELECT shop_id, name,
                     (SELECT COUNT(*) FROM members m WHERE m.shop_id = s.shop_id),
                     (SELECT COUNT(*) FROM devices d WHERE d.shop_id = s.shop_id AND revoked_at_ms IS NULL)
                 FROM shops s ORDER BY created_at_ms",
            )?;
            let rows = s
                .query_map([], |r| {
                    Ok((r.get::<_, Vec<u8>>(0)?, r.get(1)?, r.get::<_, i64>(2)?, r.get::<_, i64>(3)?))
                })?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            rows.into_iter()
                .map(|(id, name, members, devices)| {
                    Ok(ShopInfo {
                        shop_id: uuid(id)?,
                        name,
                        members: members as u64,
                        devices: devices as u64,
                    })
                })
                .collect()
        })
    }

    fn add_branch(&self, shop: Uuid, code: &str, name: &str) -> Result<()> {
        let code = clean_branch_code(code)?;
        let name = clean_name(name, "branch name")?;
        self.write(|tx| {
            Self::shop_exists(tx, shop)?;
            let added = tx.execute(
                "INSERT OR IGNORE INTO branches(shop_id, code, name) VALUES (?1, ?2, ?3)",
                params![shop.as_bytes().as_slice(), code, name],
            )?;
            if added == 0 {
                return Err(ServerError::Conflict {
                    code: "branch_exists",
                    message: format!("shop {shop} already has a branch {code}"),
                    hint: Some("choose another branch code".into()),
                });
            }
            // Counters learn the new branch with the settings.
            ShopTx::new(tx, shop, Utc::now())?.emit_settings()
        })
    }

    fn create_enrol_code(
        &self,
        shop: Uuid,
        branch: &str,
        valid_hours: u32,
        now: DateTime<Utc>,
    ) -> Result<(String, DateTime<Utc>)> {
        let branch = clean_branch_code(branch)?;
        self.write(|tx| {
            Self::shop_exists(tx, shop)?;
            Self::branch_exists(tx, shop, &branch)?;
            Self::insert_enrol_code(tx, shop, &branch, valid_hours, now)
        })
    }

    fn list_devices(&self, shop: Uuid) -> Result<Vec<DeviceInfo>> {
        self.read(|conn| {
            Self::shop_exists(conn, shop)?;
            let mut s = conn.prepare(
                "SELECT device_id, name, branch, acked_seq, enrolled_at_ms, last_seen_ms, revoked_at_ms
                 FROM devices WHERE shop_id = ?1 ORDER BY enrolled_at_ms",
            )?;
            let rows = s
                .query_map([shop.as_bytes().as_slice()], |r| {
                    Ok((
                        r.get::<_, Vec<u8>>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, String>(2)?,
                        r.get::<_, i64>(3)?,
                        r.get::<_, i64>(4)?,
                        r.get::<_, Option<i64>>(5)?,
                        r.get::<_, Option<i64>>(6)?,
                    ))
                })?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            rows.into_iter()
                .map(|(id, name, branch, acked, enrolled, seen, revoked)| {
                    Ok(DeviceInfo {
                        device_id: uuid(id)?,
                        name,
                        branch,
                        acked_seq: acked as u64,
                        enrolled_at: ms(enrolled),
                        last_seen: seen.map(ms),
                        revoked_at: revoked.map(ms),
                    })
                })
                .collect()
        })
    }

    fn revoke_device(&self, shop: Uuid, device: Uuid, now: DateTime<Utc>) -> Result<()> {
        self.write(|tx| {
            let n = tx.execute(
                "UPDATE devices SET revoked_at_ms = COALESCE(revoked_at_ms, ?3)
                 WHERE shop_id = ?1 AND device_id = ?2",
                params![shop.as_bytes().as_slice(), device.as_bytes().as_slice(), now.timestamp_millis()],
            )?;
            if n == 0 {
                return Err(ServerError::NotFound(format!(
                    "shop {shop} has no device {device}: list them with `taem-server devices list --shop {shop}`"
                )));
            }
            Ok(())
        })
    }

    fn add_staff(&self, shop: Uuid, name: &str, role: Role, pin: &str) -> Result<Uuid> {
        let name = clean_name(name, "staff name")?;
        secrets::check_pin(pin)
            .map_err(|e| ServerError::bad("bad_pin", e, "choose another PIN"))?;
        let pin_hash = secrets::hash_pin(pin).map_err(ServerError::Invariant)?;
        self.write(|tx| {
            Self::shop_exists(tx, shop)?;
            let taken: bool = tx.query_row(
                "SELECT EXISTS(SELECT 1 FROM staff WHERE shop_id = ?1 AND name = ?2 COLLATE NOCASE)",
                params![shop.as_bytes().as_slice(), name],
                |r| r.get(0),
            )?;
            if taken {
                return Err(ServerError::Conflict {
                    code: "staff_exists",
                    message: format!("shop {shop} already has a staff member named \"{name}\""),
                    hint: Some("staff sign in by name: choose a different one (e.g. add the branch)".into()),
                });
            }
            let mut shop_tx = ShopTx::new(tx, shop, Utc::now())?;
            shop_tx.insert_staff(&name, role, &pin_hash)
        })
    }

    fn enrol(&self, request: &EnrolRequest, now: DateTime<Utc>) -> Result<EnrolResponse> {
        let device_name = clean_name(&request.device_name, "device name")?;
        let code_hash = secrets::hash(&secrets::normalise_enrol_code(&request.code));
        self.write(|tx| {
            let row: Option<(Vec<u8>, String, i64, Option<Vec<u8>>)> = tx
                .query_row(
                    "SELECT shop_id, branch, expires_at_ms, used_by FROM enrol_codes WHERE code_hash = ?1",
                    [&code_hash],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
                )
                .optional()?;
            let Some((shop, branch, expires, used_by)) = row else {
                return Err(ServerError::Unauthorized(
                    "this enrolment code is not valid: check it for typos, or ask the shop owner for a new one".into(),
                ));
            };
            if used_by.is_some() {
                return Err(ServerError::Unauthorized(
                    "this enrolment code was already used (each code enrols one counter): ask the shop owner for a new one".into(),
                ));
            }
            if expires <= now.timestamp_millis() {
                return Err(ServerError::Unauthorized(
                    "this enrolment code has expired: ask the shop owner for a new one".into(),
                ));
            }
            let shop_id = uuid(shop)?;
            let device_id = Uuid::now_v7();
            let token = secrets::new_token(shop_id);
            tx.execute(
                "INSERT INTO devices(shop_id, device_id, token_hash, name, branch, enrolled_at_ms)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![
                    shop_id.as_bytes().as_slice(),
                    device_id.as_bytes().as_slice(),
                    secrets::hash(&token),
                    device_name,
                    branch,
                    now.timestamp_millis()
                ],
            )?;
            tx.execute(
                "UPDATE enrol_codes SET used_by = ?2 WHERE code_hash = ?1",
                params![code_hash, device_id.as_bytes().as_slice()],
            )?;
            let shop_name: String = tx.query_row(
                "SELECT name FROM shops WHERE shop_id = ?1",
                [shop_id.as_bytes().as_slice()],
                |r| r.get(0),
            )?;
            Ok(EnrolResponse {
                shop_id,
                shop_name,
                branch,
                device_id,
                token,
            })
        })
    }

    fn authenticate(&self, token: &str, _now: DateTime<Utc>) -> Result<DeviceAuth> {
        let Some((shop, hash)) = secrets::split_token(token) else {
            return Err(ServerError::Unauthorized(
                "malformed device token: this counter is not enrolled with this server".into(),
            ));
        };
        self.read(|conn| {
            let row: Option<(Vec<u8>, Vec<u8>, String, Option<i64>)> = conn
                .prepare_cached(
                    "SELECT shop_id, device_id, branch, revoked_at_ms FROM devices
                     WHERE shop_id = ?1 AND token_hash = ?2",
                )?
                .query_row(params![shop.as_bytes().as_slice(), hash], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
                })
                .optional()?;
            match row {
                None => Err(ServerError::Unauthorized(
                    "unknown device token: this counter is not enrolled with this server".into(),
                )),
                Some((_, _, _, Some(_))) => Err(ServerError::Unauthorized(
                    "this device was revoked by the shop owner: enrol it again with a new code"
                        .into(),
                )),
                Some((shop, device, branch, None)) => Ok(DeviceAuth {
                    shop_id: uuid(shop)?,
                    device_id: uuid(device)?,
                    branch,
                }),
            }
        })
    }

    fn push(
        &self,
        auth: &DeviceAuth,
        ops: &[Operation],
        now: DateTime<Utc>,
    ) -> Result<PushResponse> {
        self.write(|tx| {
            let mut shop = ShopTx::new(tx, auth.shop_id, now)?;
            apply::push(&mut shop, auth, ops)
        })
    }

    fn import_members(
        &self,
        auth: &DeviceAuth,
        rows: &[taem_import::ValidRow],
        now: DateTime<Utc>,
        codes: &mut dyn FnMut(bool) -> taem_core::MemberCode,
    ) -> Result<apply::ImportedMembers> {
        self.write(|tx| {
            let mut shop = ShopTx::new(tx, auth.shop_id, now)?;
            shop.import_members(auth, rows, codes)
        })
    }

    fn pull(&self, auth: &DeviceAuth, cursor: u64, limit: u32) -> Result<PullResponse> {
        let limit = limit.clamp(1, taem_protocol::PULL_LIMIT_MAX);
        self.read(|conn| {
            let shop = auth.shop_id.as_bytes().as_slice();
            let acked: i64 = conn
                .prepare_cached("SELECT acked_seq FROM devices WHERE shop_id = ?1 AND device_id = ?2")?
                .query_row(params![shop, auth.device_id.as_bytes().as_slice()], |r| r.get(0))?;
            let mut s = conn.prepare_cached(
                "SELECT seq, body FROM changes WHERE shop_id = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3",
            )?;
            let rows = s
                .query_map(params![shop, cursor as i64, i64::from(limit) + 1], |r| {
                    Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?))
                })?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            let more = rows.len() > limit as usize;
            let mut changes = Vec::with_capacity(rows.len().min(limit as usize));
            for (seq, body) in rows.into_iter().take(limit as usize) {
                let body: ChangeBody = serde_json::from_str(&body)
                    .map_err(|e| ServerError::Invariant(format!("change {seq}: {e}")))?;
                changes.push(Change {
                    seq: seq as u64,
                    body,
                });
            }
            Ok(PullResponse {
                cursor: changes.last().map_or(cursor, |c| c.seq),
                changes,
                more,
                acked_through: acked as u64,
            })
        })
    }

    fn bootstrap(
        &self,
        auth: &DeviceAuth,
        after: Option<Uuid>,
        limit: u32,
        today: NaiveDate,
    ) -> Result<BootstrapPage> {
        let limit = limit.clamp(1, taem_protocol::BOOTSTRAP_LIMIT_MAX);
        self.read(|conn| {
            let shop = auth.shop_id;
            let (cursor, settings_json, rev): (i64, String, i64) = conn.query_row(
                "SELECT change_seq, settings, settings_rev FROM shops WHERE shop_id = ?1",
                [shop.as_bytes().as_slice()],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )?;
            let settings: ShopSettings = serde_json::from_str(&settings_json)
                .map_err(|e| ServerError::Invariant(format!("settings: {e}")))?;
            let start_day = settings
                .tiers
                .period
                .window_start(today)
                .map_or(i64::MIN, taem_core::time::day_number);
            let first = after.is_none();
            let members = apply::bootstrap_members(conn, shop, after, limit, start_day)?;
            let done = members.len() < limit as usize;
            let next_after = members.last().map(|m: &BootstrapMember| m.member.member_id);
            Ok(BootstrapPage {
                cursor: cursor as u64,
                settings: if first {
                    Some(SettingsState {
                        revision: rev as u64,
                        settings: serde_json::from_str(&settings_json).unwrap_or_default(),
                        branches: apply::shop_branches(conn, shop)?,
                    })
                } else {
                    None
                },
                staff: if first {
                    apply::staff_states(conn, shop)?
                } else {
                    Vec::new()
                },
                members,
                next_after,
                done,
            })
        })
    }

    fn settings(&self, shop: Uuid) -> Result<SettingsState> {
        self.read(|conn| {
            Self::shop_exists(conn, shop)?;
            let (json, rev): (String, i64) = conn.query_row(
                "SELECT settings, settings_rev FROM shops WHERE shop_id = ?1",
                [shop.as_bytes().as_slice()],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?;
            Ok(SettingsState {
                revision: rev as u64,
                settings: serde_json::from_str(&json)
                    .map_err(|e| ServerError::Invariant(e.to_string()))?,
                branches: apply::shop_branches(conn, shop)?,
            })
        })
    }

    fn update_settings(
        &self,
        auth: &DeviceAuth,
        update: &SettingsUpdate,
        now: DateTime<Utc>,
    ) -> Result<SettingsState> {
        let settings: ShopSettings = serde_json::from_value(update.settings.clone()).map_err(|e| {
            ServerError::bad(
                "bad_settings",
                format!("the settings are not valid: {e}"),
                "send the whole settings document ({\"rates\": …, \"tiers\": …}) as `GET /v1/settings` returns it, edited",
            )
        })?;
        // Check the owner's PIN first, in its own transaction, so a wrong PIN is counted
        // even though the update is refused.
        let staff = self.write(|tx| {
            let mut shop = ShopTx::new(tx, auth.shop_id, now)?;
            shop.check_pin(&update.staff, &update.pin)
        })??;
        if staff.role != Role::Owner {
            return Err(ServerError::Forbidden(format!(
                "{} is a {}: only the shop owner changes the shop's settings",
                staff.name,
                staff.role.as_str()
            )));
        }
        self.write(|tx| {
            let mut shop = ShopTx::new(tx, auth.shop_id, now)?;
            shop.replace_settings(&settings, update.base_revision)
        })
    }

    fn reevaluate(
        &self,
        shop: Option<Uuid>,
        today: NaiveDate,
        now: DateTime<Utc>,
    ) -> Result<ReevaluationSummary> {
        let day = taem_core::time::day_number(today);
        let shops: Vec<Uuid> = self.read(|conn| {
            let mut s = conn.prepare(
                "SELECT shop_id FROM shops WHERE (?1 IS NULL AND (reevaluated_day IS NULL OR reevaluated_day < ?2))
                     OR shop_id = ?1",
            )?;
            let ids = s
                .query_map(params![shop.map(|s| s.as_bytes().to_vec()), day], |r| {
                    r.get::<_, Vec<u8>>(0)
                })?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            ids.into_iter().map(uuid).collect()
        })?;
        if let Some(one) = shop
            && shops.is_empty()
        {
            return Err(ServerError::NotFound(format!(
                "no shop {one} on this server"
            )));
        }
        let mut summary = ReevaluationSummary::default();
        for id in shops {
            let (checked, moved) = self.write(|tx| {
                let mut shop = ShopTx::new(tx, id, now)?;
                let out = shop.reevaluate(today, taem_core::TierChangeReason::Reevaluation)?;
                // A run for a day to come does not count as today's: the daily job must still
                // run tomorrow.
                let ran_for = day.min(taem_core::time::day_number(taem_core::time::bangkok_date(
                    now,
                )));
                tx.execute(
                    "UPDATE shops SET reevaluated_day = ?2 WHERE shop_id = ?1",
                    params![id.as_bytes().as_slice(), ran_for],
                )?;
                Ok(out)
            })?;
            summary.shops += 1;
            summary.members_checked += checked;
            summary.moved += moved;
        }
        Ok(summary)
    }

    fn reviews(&self, shop: Uuid) -> Result<Vec<ReviewState>> {
        self.read(|conn| {
            Self::shop_exists(conn, shop)?;
            apply::review_states(conn, shop)
        })
    }

    fn check_branch(&self, shop: Uuid, branch: &str) -> Result<()> {
        let branch = clean_branch_code(branch)?;
        self.read(|conn| {
            Self::shop_exists(conn, shop)?;
            Self::branch_exists(conn, shop, &branch)
        })
    }

    fn member_codes_by_phone(&self, shop: Uuid, phones: &[String]) -> Result<Vec<Option<String>>> {
        self.members_column(
            shop,
            "SELECT code FROM members WHERE shop_id = ?1 AND phone = ?2",
            phones,
        )
    }

    fn member_phones_by_code(&self, shop: Uuid, codes: &[String]) -> Result<Vec<Option<String>>> {
        self.members_column(
            shop,
            "SELECT phone FROM members WHERE shop_id = ?1 AND code = ?2",
            codes,
        )
    }

    fn balances(&self, shop: Uuid) -> Result<Vec<MemberBalance>> {
        self.read(|conn| {
            Self::shop_exists(conn, shop)?;
            let mut s = conn.prepare(
                "SELECT m.member_id, m.phone, m.profile, m.balance, m.tier_id,
                     (SELECT COALESCE(SUM(points), 0) FROM ledger l
                      WHERE l.shop_id = m.shop_id AND l.member_id = m.member_id)
                 FROM members m WHERE m.shop_id = ?1 ORDER BY m.phone",
            )?;
            let rows = s
                .query_map([shop.as_bytes().as_slice()], |r| {
                    Ok((
                        r.get::<_, Vec<u8>>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, String>(2)?,
                        r.get::<_, i64>(3)?,
                        r.get::<_, u32>(4)?,
                        r.get::<_, i64>(5)?,
                    ))
                })?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            rows.into_iter()
                .map(|(id, phone, profile, balance, tier_id, ledger_sum)| {
                    let profile: taem_core::MemberProfile = serde_json::from_str(&profile)
                        .map_err(|e| ServerError::Invariant(e.to_string()))?;
                    Ok(MemberBalance {
                        member_id: uuid(id)?,
                        phone,
                        name: profile.full_name(),
                        balance,
                        ledger_sum,
                        tier_id,
                    })
                })
                .collect()
        })
    }
}

/// Staff state rows, for a bootstrap page.
pub(crate) fn staff_row(
    id: Vec<u8>,
    name: String,
    role: String,
    pin_hash: String,
    active: bool,
) -> Result<StaffState> {
    Ok(StaffState {
        staff_id: uuid(id)?,
        name,
        role: Role::parse(&role).ok_or_else(|| ServerError::Invariant(format!("role {role}")))?,
        pin_hash,
        active,
    })
}
