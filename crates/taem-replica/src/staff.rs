//! Staff sign-in at the counter, offline: the server syncs each staff member's argon2 PIN
//! hash; the counter verifies the PIN locally and limits wrong attempts.

use argon2::password_hash::{PasswordHash, PasswordVerifier};
use rusqlite::{OptionalExtension, params};
use serde::Serialize;
use uuid::Uuid;

use crate::Result;
use crate::error::ReplicaError;
use crate::open::Replica;
use crate::outbox::SqlResult;

pub use taem_core::signin::{PIN_ATTEMPTS_MAX, SIGN_IN_LOCK_MINUTES};
use taem_core::signin::{WrongPin, after_wrong_pin};

/// A signed-in staff member.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct StaffSession {
    /// Staff id.
    pub staff_id: Uuid,
    /// Name.
    pub name: String,
    /// Role (`cashier`, `manager`, `owner`).
    pub role: String,
}

impl Replica {
    /// Checks a staff member's PIN against the synced hash, offline. Wrong PINs are counted;
    /// after [`PIN_ATTEMPTS_MAX`] in a row sign-in is locked for [`SIGN_IN_LOCK_MINUTES`].
    pub fn sign_in(&mut self, name: &str, pin: &str) -> Result<StaffSession> {
        let name = name.trim().to_string();
        self.write(|ctx| {
            let row: Option<(Vec<u8>, String, String, String, u32, i64)> = ctx
                .tx
                .query_row(
                    "SELECT staff_id, name, role, pin_hash, failed_attempts, locked_until_ms
                     FROM staff WHERE name = ?1 COLLATE NOCASE AND active = 1",
                    [&name],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?)),
                )
                .optional()
                .sql(ctx)?;
            let Some((id, stored_name, role, hash, failed, locked_until)) = row else {
                return Err(ReplicaError::UnknownStaff { name: name.clone() });
            };
            let now_ms = ctx.now.timestamp_millis();
            if locked_until > now_ms {
                return Err(locked(&stored_name, locked_until));
            }
            let ok = PasswordHash::new(&hash)
                .map(|parsed| {
                    argon2::Argon2::default()
                        .verify_password(pin.trim().as_bytes(), &parsed)
                        .is_ok()
                })
                .unwrap_or(false);
            if ok {
                ctx.tx
                    .execute(
                        "UPDATE staff SET failed_attempts = 0, locked_until_ms = 0 WHERE staff_id = ?1",
                        [&id],
                    )
                    .sql(ctx)?;
                return Ok(Ok(StaffSession {
                    staff_id: Uuid::from_slice(&id).unwrap_or_default(),
                    name: stored_name,
                    role,
                }));
            }
            let outcome = after_wrong_pin(failed, now_ms);
            let (failed_attempts, locked_until) = outcome.stored();
            ctx.tx
                .execute(
                    "UPDATE staff SET failed_attempts = ?2, locked_until_ms = ?3 WHERE staff_id = ?1",
                    params![id, failed_attempts, locked_until],
                )
                .sql(ctx)?;
            // The counted attempt is committed; the caller gets the error.
            Ok(Err(match outcome {
                WrongPin::Locked { until_ms } => locked(&stored_name, until_ms),
                WrongPin::TryAgain { attempts_left, .. } => ReplicaError::WrongPin {
                    name: stored_name,
                    attempts_left,
                },
            }))
        })?
    }

    /// Names of the staff who can sign in at this counter, sorted.
    pub fn staff_names(&self) -> Result<Vec<String>> {
        let fail = |e| self.fail(e);
        let mut stmt = self
            .conn
            .prepare("SELECT name FROM staff WHERE active = 1 ORDER BY name")
            .map_err(fail)?;
        stmt.query_map([], |r| r.get(0))
            .and_then(|rows| rows.collect())
            .map_err(fail)
    }

    /// Adds a staff member to a counter that is not enrolled (a local or demo shop); an
    /// enrolled counter's staff come from the server. `role` is `cashier`, `manager` or
    /// `owner`; the PIN is 4 to 8 digits and stored only as an argon2 hash.
    pub fn add_local_staff(&mut self, name: &str, role: &str, pin: &str) -> Result<StaffSession> {
        use argon2::password_hash::{PasswordHasher, SaltString};
        self.refuse_if_server_owned()?;
        let name = name.trim().to_string();
        let invalid = |what: String| ReplicaError::Invariant { what };
        if name.is_empty() {
            return Err(invalid("a staff member needs a name".into()));
        }
        if !matches!(role, "cashier" | "manager" | "owner") {
            return Err(invalid(format!(
                "staff role `{role}`: use cashier, manager or owner"
            )));
        }
        let pin = pin.trim();
        if !(4..=8).contains(&pin.len()) || !pin.bytes().all(|b| b.is_ascii_digit()) {
            return Err(invalid("a PIN is 4 to 8 digits".into()));
        }
        let staff_id = self.environment().new_op_id();
        let salt = SaltString::encode_b64(staff_id.as_bytes())
            .map_err(|e| invalid(format!("PIN salt: {e}")))?;
        let hash = argon2::Argon2::default()
            .hash_password(pin.as_bytes(), &salt)
            .map_err(|e| invalid(format!("PIN hash: {e}")))?
            .to_string();
        self.write(|ctx| {
            ctx.tx
                .execute(
                    "INSERT INTO staff(staff_id, name, role, pin_hash, active) VALUES (?1, ?2, ?3, ?4, 1)",
                    params![staff_id.as_bytes().as_slice(), name, role, hash],
                )
                .sql(ctx)?;
            Ok(StaffSession {
                staff_id,
                name: name.clone(),
                role: role.to_string(),
            })
        })
    }

    pub(crate) fn refuse_if_server_owned(&self) -> Result<()> {
        match self.sync_identity()? {
            Some(identity) => Err(ReplicaError::SettingsOwnedByServer {
                server_url: identity.server_url,
            }),
            None => Ok(()),
        }
    }
}

fn locked(name: &str, until_ms: i64) -> ReplicaError {
    let until = chrono::DateTime::<chrono::Utc>::from_timestamp_millis(until_ms)
        .map(taem_core::time::format_bangkok_be)
        .unwrap_or_default();
    ReplicaError::SignInLocked {
        name: name.to_string(),
        until,
    }
}
