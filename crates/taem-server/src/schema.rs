//! The server's SQLite schema. Every table's key starts with `shop_id`, so a distributed
//! PostgreSQL (Citus) can shard the same design by shop; there are no cross-shop
//! transactions and no global sequences (each shop has its own change sequence).

use rusqlite::Connection;

/// `PRAGMA application_id` of Taem server databases ("TAES").
pub const APPLICATION_ID: i64 = 0x5441_4553;

/// Forward-only migrations; index `i` takes the schema from version `i` to `i + 1`.
pub const MIGRATIONS: &[&str] = &[r#"
CREATE TABLE shops (
    shop_id          BLOB PRIMARY KEY,
    name             TEXT NOT NULL,
    created_at_ms    INTEGER NOT NULL,
    change_seq       INTEGER NOT NULL DEFAULT 0,
    settings         TEXT NOT NULL,
    settings_rev     INTEGER NOT NULL DEFAULT 1,
    review_seq       INTEGER NOT NULL DEFAULT 0,
    reevaluated_day  INTEGER
) WITHOUT ROWID;

CREATE TABLE branches (
    shop_id BLOB NOT NULL,
    code    TEXT NOT NULL,
    name    TEXT NOT NULL,
    PRIMARY KEY (shop_id, code)
) WITHOUT ROWID;

-- Looked up by the hash of the code a counter types (the code itself is never stored). The
-- one table not keyed by shop: a typed code does not say its shop. Small and short-lived; on
-- Citus it is a reference table.
CREATE TABLE enrol_codes (
    code_hash     BLOB PRIMARY KEY,
    shop_id       BLOB NOT NULL,
    branch        TEXT NOT NULL,
    created_at_ms INTEGER NOT NULL,
    expires_at_ms INTEGER NOT NULL,
    used_by       BLOB
) WITHOUT ROWID;

CREATE TABLE devices (
    shop_id        BLOB NOT NULL,
    device_id      BLOB NOT NULL,
    token_hash     BLOB NOT NULL,
    name           TEXT NOT NULL,
    branch         TEXT NOT NULL,
    acked_seq      INTEGER NOT NULL DEFAULT 0,
    enrolled_at_ms INTEGER NOT NULL,
    last_seen_ms   INTEGER,
    revoked_at_ms  INTEGER,
    PRIMARY KEY (shop_id, device_id)
) WITHOUT ROWID;
CREATE UNIQUE INDEX devices_token ON devices(shop_id, token_hash);

CREATE TABLE staff (
    shop_id         BLOB NOT NULL,
    staff_id        BLOB NOT NULL,
    name            TEXT NOT NULL,
    role            TEXT NOT NULL,
    pin_hash        TEXT NOT NULL,
    active          INTEGER NOT NULL DEFAULT 1,
    failed_attempts INTEGER NOT NULL DEFAULT 0,
    locked_until_ms INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (shop_id, staff_id)
) WITHOUT ROWID;
CREATE UNIQUE INDEX staff_name ON staff(shop_id, name COLLATE NOCASE);

CREATE TABLE members (
    shop_id          BLOB NOT NULL,
    member_id        BLOB NOT NULL,
    code             TEXT NOT NULL,
    phone            TEXT NOT NULL,
    profile          TEXT NOT NULL,
    stamps           TEXT NOT NULL,
    hlc              TEXT NOT NULL,
    branch           TEXT NOT NULL,
    registered_at_ms INTEGER NOT NULL,
    balance          INTEGER NOT NULL DEFAULT 0,
    tier_id          INTEGER NOT NULL,
    tier_since_ms    INTEGER NOT NULL,
    PRIMARY KEY (shop_id, member_id)
) WITHOUT ROWID;
CREATE UNIQUE INDEX members_phone ON members(shop_id, phone);
CREATE UNIQUE INDEX members_code ON members(shop_id, code);

-- A member registered twice offline: the second id lives on as an alias of the first.
CREATE TABLE member_aliases (
    shop_id   BLOB NOT NULL,
    alias_id  BLOB NOT NULL,
    member_id BLOB NOT NULL,
    PRIMARY KEY (shop_id, alias_id)
) WITHOUT ROWID;

-- Every operation ever answered, with its first answer (exactly once; retries get it back).
CREATE TABLE ops (
    shop_id       BLOB NOT NULL,
    op_id         BLOB NOT NULL,
    device_id     BLOB NOT NULL,
    device_seq    INTEGER NOT NULL,
    body_hash     BLOB NOT NULL,
    outcome       TEXT NOT NULL,
    kind          TEXT NOT NULL,
    member_id     BLOB,
    applied_at_ms INTEGER NOT NULL,
    PRIMARY KEY (shop_id, op_id)
) WITHOUT ROWID;
CREATE UNIQUE INDEX ops_device_seq ON ops(shop_id, device_id, device_seq);

CREATE TABLE ledger (
    shop_id            BLOB NOT NULL,
    op_id              BLOB NOT NULL,
    kind               TEXT NOT NULL,
    member_id          BLOB NOT NULL,
    points             INTEGER NOT NULL,
    tier_credit        INTEGER NOT NULL,
    day                INTEGER NOT NULL,
    at_ms              INTEGER NOT NULL,
    bill_no            TEXT,
    amount             TEXT,
    rate               TEXT,
    reason             TEXT,
    counts_toward_tier INTEGER NOT NULL DEFAULT 0,
    branch             TEXT NOT NULL,
    device_id          BLOB NOT NULL,
    flagged            INTEGER NOT NULL DEFAULT 0,
    seq                INTEGER NOT NULL,
    PRIMARY KEY (shop_id, op_id, kind)
) WITHOUT ROWID;
CREATE INDEX ledger_member ON ledger(shop_id, member_id, seq);
CREATE UNIQUE INDEX ledger_bill ON ledger(shop_id, bill_no, kind) WHERE bill_no IS NOT NULL;

CREATE TABLE tier_days (
    shop_id   BLOB NOT NULL,
    member_id BLOB NOT NULL,
    day       INTEGER NOT NULL,
    points    INTEGER NOT NULL,
    PRIMARY KEY (shop_id, member_id, day)
) WITHOUT ROWID;

-- The shop's change log: gap-free per shop, in commit order; counters pull it.
CREATE TABLE changes (
    shop_id BLOB NOT NULL,
    seq     INTEGER NOT NULL,
    body    TEXT NOT NULL,
    PRIMARY KEY (shop_id, seq)
) WITHOUT ROWID;

CREATE TABLE reviews (
    shop_id    BLOB NOT NULL,
    review_id  INTEGER NOT NULL,
    kind       TEXT NOT NULL,
    member_id  BLOB,
    op_ids     TEXT NOT NULL,
    message    TEXT NOT NULL,
    at_ms      INTEGER NOT NULL,
    PRIMARY KEY (shop_id, review_id)
) WITHOUT ROWID;
"#];

/// Brings a database to the latest schema; refuses a newer or foreign one.
pub fn migrate(conn: &mut Connection) -> Result<(), String> {
    let app: i64 = conn
        .query_row("PRAGMA application_id", [], |r| r.get(0))
        .map_err(|e| e.to_string())?;
    let version: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .map_err(|e| e.to_string())?;
    if app != 0 && app != APPLICATION_ID {
        return Err("the database is not a Taem server database".into());
    }
    if version > MIGRATIONS.len() as i64 {
        return Err(format!(
            "the database was written by a newer taem-server (schema {version}; this one knows {})",
            MIGRATIONS.len()
        ));
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(version as usize) {
        let tx = conn.transaction().map_err(|e| e.to_string())?;
        tx.execute_batch(sql).map_err(|e| e.to_string())?;
        tx.pragma_update(None, "user_version", i as i64 + 1)
            .map_err(|e| e.to_string())?;
        tx.pragma_update(None, "application_id", APPLICATION_ID)
            .map_err(|e| e.to_string())?;
        tx.commit().map_err(|e| e.to_string())?;
    }
    Ok(())
}
