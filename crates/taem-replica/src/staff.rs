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
