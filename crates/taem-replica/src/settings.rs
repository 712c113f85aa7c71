//! The shop settings a counter applies: point rates and the tier configuration.
//!
//! The head office will own these through the server (sync issue); until then the counter
//! CLI sets them. Stored as validated JSON; read inside every write transaction so a change
//! made by another process is never missed.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};

use crate::Result;
use crate::error::ReplicaError;

pub use taem_core::ShopSettings;
use taem_core::{SystemRates, TierSettings};

const RATES_KEY: &str = "rates";
const TIERS_KEY: &str = "tiers";
/// `meta` key of the settings revision, moved by every store (a macro, so that queries can
/// `concat!` it).
macro_rules! settings_rev_key {
    () => {
        "settings_rev"
    };
}
const SETTINGS_REV_KEY: &str = settings_rev_key!();

/// The settings revision as an SQL expression, 0 before the first store (a macro, so that
/// queries can `concat!` it).
macro_rules! settings_rev_sql {
    () => {
        concat!(
            "COALESCE((SELECT CAST(value AS INTEGER) FROM meta WHERE key = '",
            crate::settings::settings_rev_key!(),
            "'), 0)"
        )
    };
}
pub(crate) use {settings_rev_key, settings_rev_sql};

fn invariant(what: &str, e: impl std::fmt::Display) -> ReplicaError {
    ReplicaError::Invariant {
        what: format!("{what}: {e}"),
    }
}

pub(crate) fn store(tx: &Connection, s: &ShopSettings, now: DateTime<Utc>) -> Result<()> {
    let rates = serde_json::to_string(&s.rates).map_err(|e| invariant("rates", e))?;
    let tiers = serde_json::to_string(&s.tiers).map_err(|e| invariant("tiers", e))?;
    for (key, value) in [(RATES_KEY, rates), (TIERS_KEY, tiers)] {
        tx.execute(
            "INSERT INTO settings(key, value, updated_at_ms) VALUES (?1, ?2, ?3)
             ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at_ms = excluded.updated_at_ms",
            params![key, value, now.timestamp_millis()],
        )
        .map_err(ReplicaError::Sqlite)?;
    }
    // Every store moves the revision, so every connection's cache notices.
    tx.execute(
        "INSERT INTO meta(key, value) VALUES (?1, '1')
         ON CONFLICT(key) DO UPDATE SET value = CAST(value AS INTEGER) + 1",
        [SETTINGS_REV_KEY],
    )
    .map_err(ReplicaError::Sqlite)?;
    Ok(())
}

/// The settings, from the cache while their revision is the one they were read at. (Keyed on
/// the settings' own revision rather than `PRAGMA data_version`, which moves with every sale
/// another process commits, such as a second counter window or a batch import.)
pub(crate) fn cached(
    conn: &rusqlite::Connection,
    cache: &std::cell::RefCell<Option<(i64, std::sync::Arc<ShopSettings>)>>,
) -> rusqlite::Result<Result<std::sync::Arc<ShopSettings>>> {
    let version: i64 = conn
        .prepare_cached(concat!("SELECT ", settings_rev_sql!()))?
        .query_row([], |r| r.get(0))?;
    cached_at(conn, cache, version)
}

/// [`cached`] with the revision already read (a write reads it with the outbox's next
/// sequence number, in one statement).
pub(crate) fn cached_at(
    conn: &rusqlite::Connection,
    cache: &std::cell::RefCell<Option<(i64, std::sync::Arc<ShopSettings>)>>,
    version: i64,
) -> rusqlite::Result<Result<std::sync::Arc<ShopSettings>>> {
    if let Some((seen, settings)) = cache.borrow().as_ref()
        && *seen == version
    {
        return Ok(Ok(settings.clone()));
    }
    Ok(load(conn)?.map(|settings| {
        let settings = std::sync::Arc::new(settings);
        *cache.borrow_mut() = Some((version, settings.clone()));
        settings
    }))
}

pub(crate) fn load(conn: &rusqlite::Connection) -> rusqlite::Result<Result<ShopSettings>> {
    let get = |key: &str| -> rusqlite::Result<Option<String>> {
        conn.query_row("SELECT value FROM settings WHERE key = ?1", [key], |r| {
            r.get(0)
        })
        .optional()
    };
    let (rates, tiers) = (get(RATES_KEY)?, get(TIERS_KEY)?);
    Ok((|| {
        let rates = match rates {
            Some(json) => serde_json::from_str(&json).map_err(|e| invariant("stored rates", e))?,
            None => SystemRates::default(),
        };
        let tiers = match tiers {
            Some(json) => serde_json::from_str(&json).map_err(|e| invariant("stored tiers", e))?,
            None => TierSettings::default_for_new_shop(),
        };
        Ok(ShopSettings { rates, tiers })
    })())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Settings as this version stores them. Replicas keep them as JSON, so renaming a field or
    /// a variant would make released replicas unreadable: change the format only with a
    /// migration that rewrites the stored value.
    const STORED_V1: &str = r#"{"rates":{"counter":{"baht":"25.00","points":1},"ecommerce":{"baht":"50.00","points":1},"sms":{"baht":"100.00","points":1}},"tiers":{"enabled":true,"period":"last_6_months","tiers":[{"id":1,"name":"สมาชิก","description":"","start_points":0,"icon":"seedling","rate_mode":{"mode":"based_on_system"}},{"id":2,"name":"โกลด์","description":"x","start_points":2000,"icon":"gold","rate_mode":{"mode":"custom","rate":{"baht":"10.00","points":1}}}]}}"#;

    #[test]
    fn stored_settings_of_released_replicas_stay_readable() {
        let settings: ShopSettings = serde_json::from_str(STORED_V1).unwrap();
        assert_eq!(
            settings.tiers.period,
            taem_core::CalculationPeriod::Last6Months
        );
        assert_eq!(settings.tiers.tiers().len(), 2);
        assert_eq!(serde_json::to_string(&settings).unwrap(), STORED_V1);
    }
}
