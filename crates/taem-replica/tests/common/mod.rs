//! Shared helpers for the replica's integration tests: real SQLite files in temp folders.
#![allow(dead_code, missing_docs)]

use std::path::Path;
use std::sync::Arc;

use chrono::{DateTime, TimeZone, Utc};
use rusqlite::Connection;
use taem_core::{MemberProfile, Money, Phone};
use taem_replica::{
    AwardReceipt, AwardRequest, FixedEnvironment, MemberKey, MemberView, NewMember, Replica,
};

pub fn at(y: i32, m: u32, d: u32, h: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, h, 0, 0).unwrap()
}

/// A new replica at 2026-11-23 10:00 Bangkok (03:00 UTC) with a settable clock.
pub fn replica(dir: &Path) -> (Replica, Arc<FixedEnvironment>) {
    let env = Arc::new(FixedEnvironment::new(at(2026, 11, 23, 3), 7));
    let replica = Replica::create(dir, "ร้านทดสอบ", "BKK01", env.clone()).unwrap();
    (replica, env)
}

pub fn phone(p: &str) -> Phone {
    Phone::parse(p).unwrap()
}

pub fn key(p: &str) -> MemberKey {
    MemberKey::Phone(phone(p))
}

pub fn add(r: &mut Replica, p: &str, first: &str, last: &str) -> MemberView {
    r.register_member(NewMember {
        phone: phone(p),
        profile: MemberProfile {
            first_name: first.into(),
            last_name: last.into(),
            ..Default::default()
        },
        op_id: None,
    })
    .unwrap()
    .member
}

pub fn award(r: &mut Replica, p: &str, bill: &str, amount: &str) -> AwardReceipt {
    r.award(AwardRequest {
        member: key(p),
        bill_no: bill.into(),
        amount: Money::parse(amount).unwrap(),
        op_id: None,
    })
    .unwrap()
}

/// Every row of every table, as text: two equal fingerprints mean nothing changed.
pub fn fingerprint(path: &Path) -> String {
    let conn = Connection::open(path).unwrap();
    let mut out = String::new();
    for table in [
        "meta",
        "settings",
        "members",
        "ledger",
        "outbox",
        "tier_changes",
        "tier_points_daily",
    ] {
        let mut stmt = conn
            .prepare(&format!("SELECT * FROM {table} ORDER BY 1, 2"))
            .unwrap();
        let columns = stmt.column_count();
        let mut rows = stmt.query([]).unwrap();
        out.push_str(table);
        out.push('\n');
        while let Some(row) = rows.next().unwrap() {
            for i in 0..columns {
                let v: rusqlite::types::Value = row.get(i).unwrap();
                out.push_str(&format!("{v:?}|"));
            }
            out.push('\n');
        }
    }
    out
}

/// The ledger invariant: every member's balance equals the sum of their entries, and the
/// pending part equals the sum of their unconfirmed entries.
pub fn assert_balances_match_ledger(path: &Path) {
    let conn = Connection::open(path).unwrap();
    let bad: i64 = conn
        .query_row(
            "SELECT COUNT(*) FROM members m WHERE
               m.balance_confirmed + m.balance_pending <>
                 (SELECT COALESCE(SUM(points), 0) FROM ledger l WHERE l.member_id = m.id)
               OR m.balance_pending <>
                 (SELECT COALESCE(SUM(points), 0) FROM ledger l WHERE l.member_id = m.id AND NOT l.confirmed)",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(bad, 0, "members whose balance differs from their ledger");
    assert_buckets_match_ledger(&conn);
}

/// The tier invariant: the day buckets hold the tier credit of every entry not marked
/// `unbucketed`, and every marked entry lies above the fold's watermark (so that a member's
/// accumulated points, buckets plus marked entries above it, count each entry once).
pub fn assert_buckets_match_ledger(conn: &Connection) {
    let buckets_off: i64 = conn
        .query_row(
            "SELECT COUNT(*) FROM (
               SELECT member_id, day, SUM(tier_credit) s FROM ledger WHERE unbucketed = 0
               GROUP BY member_id, day
             ) l LEFT JOIN tier_points_daily b USING (member_id, day)
             WHERE COALESCE(b.points, 0) <> l.s",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(buckets_off, 0, "tier day buckets differ from the ledger");
    let below: i64 = conn
        .query_row(
            "SELECT COUNT(*) FROM ledger WHERE unbucketed = 1 AND id <= COALESCE(
               (SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'tier_buckets_through'), 0)",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(
        below, 0,
        "entries marked for the fold at or below its watermark"
    );
}
