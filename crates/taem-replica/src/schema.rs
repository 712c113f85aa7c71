//! The replica's schema: forward-only migrations, numbered by `PRAGMA user_version`.
//!
//! Rules (checked by tests): migrations are append-only — a released migration is never
//! edited, a change is a new migration; each runs in its own transaction; a database at any
//! earlier version migrates to the latest with its data intact; a database of a newer version
//! is refused, never touched.

use rusqlite::Connection;

/// `PRAGMA application_id` of Taem replicas ("TAEM" in ASCII), so a foreign SQLite file is
/// recognised and refused rather than migrated.
pub const APPLICATION_ID: i64 = 0x5441_454D;

/// The migrations, in order. Index `i` takes the schema from version `i` to `i + 1`.
pub const MIGRATIONS: &[&str] = &[
    // v1: members, the ledger, the outbox, tier changes, settings.
    r#"
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE settings (
    key           TEXT PRIMARY KEY,
    value         TEXT NOT NULL,
    updated_at_ms INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE members (
    id                INTEGER PRIMARY KEY,
    member_uid        BLOB NOT NULL UNIQUE,
    code              TEXT NOT NULL UNIQUE,
    phone             TEXT NOT NULL UNIQUE,
    first_name        TEXT NOT NULL,
    last_name         TEXT NOT NULL DEFAULT '',
    birthday          TEXT,
    gender            TEXT NOT NULL DEFAULT 'unspecified',
    email             TEXT,
    address           TEXT,
    tags              TEXT NOT NULL DEFAULT '[]',
    marketing_consent INTEGER NOT NULL DEFAULT 0,
    pdpa_consent      INTEGER NOT NULL DEFAULT 0,
    note              TEXT,
    branch            TEXT NOT NULL,
    registered_at_ms  INTEGER NOT NULL,
    updated_at_ms     INTEGER NOT NULL,
    -- What the server confirmed, and what this counter added that the server has not yet
    -- acknowledged. The cashier sees the sum.
    balance_confirmed INTEGER NOT NULL DEFAULT 0,
    balance_pending   INTEGER NOT NULL DEFAULT 0,
    tier_id           INTEGER NOT NULL,
    tier_since_ms     INTEGER NOT NULL,
    phone_last4       TEXT GENERATED ALWAYS AS (substr(phone, -4)) VIRTUAL
);
CREATE INDEX members_phone_last4 ON members(phone_last4);
CREATE INDEX members_first_name ON members(first_name);
CREATE INDEX members_tier ON members(tier_id);

CREATE TABLE ledger (
    id                 INTEGER PRIMARY KEY,
    member_id          INTEGER NOT NULL REFERENCES members(id),
    kind               TEXT NOT NULL,
    points             INTEGER NOT NULL,
    tier_credit        INTEGER NOT NULL,
    day                INTEGER NOT NULL,
    at_ms              INTEGER NOT NULL,
    bill_no            TEXT,
    amount_satang      INTEGER,
    rate               TEXT,
    reason             TEXT,
    counts_toward_tier INTEGER NOT NULL DEFAULT 0,
    branch             TEXT NOT NULL,
    op_id              BLOB NOT NULL,
    confirmed          INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX ledger_member ON ledger(member_id, id);
CREATE UNIQUE INDEX ledger_bill_earned ON ledger(bill_no) WHERE kind = 'earn';
CREATE UNIQUE INDEX ledger_bill_voided ON ledger(bill_no) WHERE kind = 'earn_reversal';

CREATE TABLE outbox (
    device_seq    INTEGER PRIMARY KEY,
    op_id         BLOB NOT NULL UNIQUE,
    kind          TEXT NOT NULL,
    member_id     INTEGER,
    body          TEXT NOT NULL,
    created_at_ms INTEGER NOT NULL
);

CREATE TABLE tier_changes (
    id          INTEGER PRIMARY KEY,
    member_id   INTEGER NOT NULL REFERENCES members(id),
    from_tier   INTEGER,
    to_tier     INTEGER NOT NULL,
    reason      TEXT NOT NULL,
    accumulated INTEGER NOT NULL,
    at_ms       INTEGER NOT NULL
);
CREATE INDEX tier_changes_member ON tier_changes(member_id, id);
"#,
    // v2: name search. Thai has no spaces between words, so word tokenizers fail; trigrams
    // find any 3+ character substring. Contentless: the names live in `members`.
    r#"
CREATE VIRTUAL TABLE member_names USING fts5(
    name, tokenize = 'trigram', content = '', contentless_delete = 1
);
INSERT INTO member_names(rowid, name)
    SELECT id, first_name || ' ' || last_name FROM members;
"#,
    // v3: accumulated points per member and shop-local day, kept current by every ledger
    // write, so a rolling tier window is a small range sum and the daily re-evaluation only
    // visits members whose points aged out.
    r#"
CREATE TABLE tier_points_daily (
    member_id INTEGER NOT NULL,
    day       INTEGER NOT NULL,
    points    INTEGER NOT NULL,
    PRIMARY KEY (member_id, day)
) WITHOUT ROWID;
CREATE INDEX tier_points_daily_day ON tier_points_daily(day, member_id);
INSERT INTO tier_points_daily(member_id, day, points)
    SELECT member_id, day, SUM(tier_credit) FROM ledger
    WHERE tier_credit <> 0 GROUP BY member_id, day;
"#,
    // v4: "a bill earns once, and is voided once" as one plain unique index. The partial
    // indexes of v1 made SQLite re-plan every statement that binds a bill number (it compares
    // the bound value with the index's WHERE), a fifth of an award's CPU.
    r#"
DROP INDEX ledger_bill_earned;
DROP INDEX ledger_bill_voided;
CREATE UNIQUE INDEX ledger_bill ON ledger(bill_no, kind);
"#,
    // v5: sync with the central server. The tier the server confirmed (the shown tier is
    // it, moved up by this counter's pending earnings), operations the server rejected (kept
    // for the cashier and manager), staff for offline sign-in, items for a manager's review,
    // and ledger rows found by operation id when the server confirms them.
    r#"
ALTER TABLE members ADD COLUMN tier_confirmed INTEGER;
ALTER TABLE tier_changes ADD COLUMN confirmed INTEGER NOT NULL DEFAULT 0;
CREATE INDEX ledger_op ON ledger(op_id);
CREATE TABLE rejections (
    op_id      BLOB PRIMARY KEY,
    device_seq INTEGER NOT NULL,
    kind       TEXT NOT NULL,
    member_uid BLOB,
    code       TEXT NOT NULL,
    message    TEXT NOT NULL,
    body       TEXT NOT NULL,
    at_ms      INTEGER NOT NULL
);
CREATE TABLE staff (
    staff_id        BLOB PRIMARY KEY,
    name            TEXT NOT NULL,
    role            TEXT NOT NULL,
    pin_hash        TEXT NOT NULL,
    active          INTEGER NOT NULL,
    failed_attempts INTEGER NOT NULL DEFAULT 0,
    locked_until_ms INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX staff_name ON staff(name);
CREATE TABLE reviews (
    review_id  INTEGER PRIMARY KEY,
    kind       TEXT NOT NULL,
    member_uid BLOB,
    op_ids     TEXT NOT NULL,
    message    TEXT NOT NULL,
    at_ms      INTEGER NOT NULL
);
"#,
    // v6: member codes that live on after a merge (a card printed at the counter whose
    // registration the server folded into another member still finds that member).
    r#"
CREATE TABLE member_code_aliases (
    code      TEXT PRIMARY KEY,
    member_id INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX member_code_aliases_member ON member_code_aliases(member_id);
"#,
    // v7: profile operations (registrations, edits) the server acknowledged, kept a while after
    // their outbox rows go, so that a POS that lost the answer and sends one again is told
    // "already recorded" instead of "phone already registered". Points operations need no
    // copy: their ledger entries carry the operation id.
    r#"
CREATE TABLE acked_ops (
    op_id       BLOB PRIMARY KEY,
    body        TEXT NOT NULL,
    acked_at_ms INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX acked_ops_acked_at ON acked_ops(acked_at_ms);
"#,
    // v8: a sale writes no operation-id index entry (one B-tree fewer in its commit, ≈6 % of
    // an award; docs/benchmarks.md). Entries the server confirmed are found by operation id
    // through a partial index, filled as confirmations arrive (off the sale's path). A pending
    // entry is found through its outbox row, which now names it, and once the server has
    // acknowledged the operation and the outbox row is gone, through `acked_entries` until
    // the confirmation comes back.
    r#"
ALTER TABLE outbox ADD COLUMN ledger_id INTEGER;
UPDATE outbox SET ledger_id = (
    SELECT l.id FROM ledger l WHERE l.op_id = outbox.op_id AND l.confirmed = 0
    ORDER BY l.id LIMIT 1
);
CREATE TABLE acked_entries (
    op_id     BLOB PRIMARY KEY,
    ledger_id INTEGER NOT NULL
) WITHOUT ROWID;
INSERT OR IGNORE INTO acked_entries(op_id, ledger_id)
    SELECT op_id, MIN(id) FROM ledger
    WHERE confirmed = 0 AND op_id NOT IN (SELECT op_id FROM outbox)
    GROUP BY op_id;
DROP INDEX ledger_op;
CREATE INDEX ledger_op_confirmed ON ledger(op_id) WHERE confirmed = 1;
"#,
    // v9: a sale writes no tier day bucket (two B-trees fewer in its commit: the bucket and
    // its day index; docs/benchmarks.md). Its entry is marked `unbucketed`, and a member's
    // accumulated points are their buckets plus their marked entries, found through the
    // ledger's member index above the watermark `tier_buckets_through` (every marked entry
    // lies above it). Folding, off the sale's path, adds the marked entries to the buckets,
    // clears the marks and moves the watermark. Every entry written before v9 is in its bucket.
    r#"
ALTER TABLE ledger ADD COLUMN unbucketed INTEGER NOT NULL DEFAULT 0;
INSERT OR REPLACE INTO meta(key, value)
    SELECT 'tier_buckets_through', COALESCE(MAX(id), 0) FROM ledger;
"#,
    // v10: a points operation's outbox row keeps no JSON copy of the operation: it is rebuilt
    // from the row's ledger entry and the member id it was recorded for (`member_uid`). A
    // row of ≈360 bytes becomes ≈60, so the outbox's pages fill six times slower and a
    // sale's commit writes fewer pages (docs/benchmarks.md). Profile operations, and rows
    // written before v10, keep their body.
    r#"
CREATE TABLE outbox_v10 (
    device_seq    INTEGER PRIMARY KEY,
    op_id         BLOB NOT NULL UNIQUE,
    kind          TEXT NOT NULL,
    member_id     INTEGER,
    body          TEXT,
    created_at_ms INTEGER NOT NULL,
    ledger_id     INTEGER,
    member_uid    BLOB
);
INSERT INTO outbox_v10(device_seq, op_id, kind, member_id, body, created_at_ms, ledger_id)
    SELECT device_seq, op_id, kind, member_id, body, created_at_ms, ledger_id FROM outbox;
DROP TABLE outbox;
ALTER TABLE outbox_v10 RENAME TO outbox;
"#,
];

/// The schema version this program writes.
pub fn latest_version() -> i64 {
    MIGRATIONS.len() as i64
}

/// Applies the migrations up to version `to`, each in its own transaction. The version is
/// re-read inside each write transaction, so two processes opening an old replica at once
/// never apply a migration twice.
pub fn migrate(conn: &mut Connection, to: i64) -> rusqlite::Result<()> {
    loop {
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let version: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        if version >= to {
            return Ok(());
        }
        tx.execute_batch(MIGRATIONS[version as usize])?;
        tx.pragma_update(None, "user_version", version + 1)?;
        tx.pragma_update(None, "application_id", APPLICATION_ID)?;
        tx.commit()?;
    }
}
