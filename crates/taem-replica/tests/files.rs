//! The replica file under faults: locked, read-only, not a database, damaged, foreign, written
//! by a newer version, and migrations from every earlier version.

mod common;

use std::sync::Arc;

use common::*;
use rusqlite::Connection;
use taem_replica::schema::{APPLICATION_ID, MIGRATIONS, latest_version};
use taem_replica::{
    AwardRequest, FixedEnvironment, OpenMode, REPLICA_FILE_NAME, Replica, ReplicaError,
};

fn env() -> Arc<FixedEnvironment> {
    Arc::new(FixedEnvironment::new(at(2026, 11, 23, 3), 1))
}

#[test]
fn opening_an_empty_folder_says_how_to_create_a_replica() {
    let dir = tempfile::tempdir().unwrap();
    let err = Replica::open(dir.path(), OpenMode::ReadWrite, env()).unwrap_err();
    assert!(matches!(err, ReplicaError::NotInitialised { .. }));
    assert!(err.to_string().contains("init --shop"), "{err}");
    let (_r, _) = replica(dir.path());
    let again = Replica::create(dir.path(), "x", "y", env()).unwrap_err();
    assert!(matches!(again, ReplicaError::AlreadyInitialised { .. }));
}

#[test]
fn a_new_replica_has_small_pages_and_one_with_4_kib_pages_keeps_working() {
    let dir = tempfile::tempdir().unwrap();
    let (mut r, _) = replica(dir.path());
    add(&mut r, "0812345678", "สมชาย", "ใจดี");
    let page_size = |path: &std::path::Path| -> i64 {
        Connection::open(path)
            .unwrap()
            .query_row("PRAGMA page_size", [], |row| row.get(0))
            .unwrap()
    };
    assert_eq!(page_size(r.path()), taem_replica::PAGE_SIZE_BYTES);
    // A replica made before the change (4 KiB pages) is opened and written as it is.
    let path = r.path().to_path_buf();
    drop(r);
    {
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch("PRAGMA journal_mode = DELETE; PRAGMA page_size = 4096; VACUUM;")
            .unwrap();
    }
    assert_eq!(page_size(&path), 4096);
    let mut r = Replica::open(dir.path(), OpenMode::ReadWrite, env()).unwrap();
    award(&mut r, "0812345678", "B1", "100");
    assert_eq!(r.member(&key("0812345678")).unwrap().balance, 4);
    assert_eq!(page_size(&path), 4096);
    assert_balances_match_ledger(&path);
}

#[test]
fn a_replica_locked_by_another_program_is_refused_and_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let (mut r, _) = replica(dir.path());
    add(&mut r, "0812345678", "สมชาย", "ใจดี");
    let path = r.path().to_path_buf();
    drop(r);
    let before = fingerprint(&path);
    let other = Connection::open(&path).unwrap();
    other.execute_batch("BEGIN EXCLUSIVE").unwrap();
    let mut r = Replica::open_waiting(dir.path(), OpenMode::ReadWrite, env(), 200).unwrap();
    let err = r
        .award(AwardRequest {
            member: key("0812345678"),
            bill_no: "B1".into(),
            amount: taem_core::Money::parse("100").unwrap(),
            op_id: None,
        })
        .unwrap_err();
    assert!(
        matches!(err, ReplicaError::Locked { waited_ms: 200, .. }),
        "{err}"
    );
    assert!(err.to_string().contains("locked by another program"));
    // Look-ups still work while another program writes (WAL).
    assert_eq!(r.find("สมชาย", 5).unwrap().members.len(), 1);
    other.execute_batch("ROLLBACK").unwrap();
    drop(other);
    drop(r);
    assert_eq!(fingerprint(&path), before);
}

#[test]
fn a_read_only_replica_answers_look_ups_and_refuses_writes() {
    let dir = tempfile::tempdir().unwrap();
    let (mut r, _) = replica(dir.path());
    add(&mut r, "0812345678", "สมชาย", "ใจดี");
    let path = r.path().to_path_buf();
    drop(r);
    let before = fingerprint(&path);
    let mut perms = std::fs::metadata(&path).unwrap().permissions();
    perms.set_readonly(true);
    std::fs::set_permissions(&path, perms.clone()).unwrap();
    let err = Replica::open(dir.path(), OpenMode::ReadWrite, env()).unwrap_err();
    assert!(matches!(err, ReplicaError::ReadOnly { .. }), "{err}");
    assert!(err.to_string().contains("chmod u+w"), "{err}");
    let ro = Replica::open(dir.path(), OpenMode::ReadOnly, env()).unwrap();
    assert_eq!(ro.find("0812345678", 1).unwrap().members.len(), 1);
    drop(ro);
    #[allow(clippy::permissions_set_readonly_false)]
    perms.set_readonly(false);
    std::fs::set_permissions(&path, perms).unwrap();
    assert_eq!(fingerprint(&path), before);
}

#[test]
fn files_that_are_not_replicas_are_refused_untouched() {
    let cases: [(&str, &[u8]); 3] = [
        ("empty", b""),
        ("text", b"phone,first_name\n0812345678,Somchai\n"),
        (
            "binary",
            &[
                0x89, b'P', b'N', b'G', 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12,
            ],
        ),
    ];
    for (name, bytes) in cases {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(REPLICA_FILE_NAME);
        std::fs::write(&path, bytes).unwrap();
        let err = Replica::open(dir.path(), OpenMode::ReadWrite, env()).unwrap_err();
        assert!(
            matches!(err, ReplicaError::NotADatabase { .. }),
            "{name}: {err}"
        );
        assert_eq!(std::fs::read(&path).unwrap(), bytes, "{name} untouched");
    }
}

#[test]
fn another_programs_sqlite_database_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(REPLICA_FILE_NAME);
    let conn = Connection::open(&path).unwrap();
    conn.execute_batch(
        "CREATE TABLE orders(id INTEGER PRIMARY KEY); INSERT INTO orders VALUES (1);",
    )
    .unwrap();
    drop(conn);
    let err = Replica::open(dir.path(), OpenMode::ReadWrite, env()).unwrap_err();
    assert!(matches!(err, ReplicaError::ForeignDatabase { .. }), "{err}");
    let conn = Connection::open(&path).unwrap();
    let n: i64 = conn
        .query_row("SELECT COUNT(*) FROM orders", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 1);
}

#[test]
fn a_replica_written_by_a_newer_version_is_refused_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let (r, _) = replica(dir.path());
    let path = r.path().to_path_buf();
    drop(r);
    let conn = Connection::open(&path).unwrap();
    conn.pragma_update(None, "user_version", latest_version() + 1)
        .unwrap();
    drop(conn);
    let before = fingerprint(&path);
    for mode in [OpenMode::ReadWrite, OpenMode::ReadOnly] {
        let err = Replica::open(dir.path(), mode, env()).unwrap_err();
        assert!(
            matches!(err, ReplicaError::NewerSchema { found, .. } if found == latest_version() + 1),
            "{err}"
        );
        assert!(err.to_string().contains("update taem-counter"));
    }
    assert_eq!(fingerprint(&path), before);
}

#[test]
fn a_replica_whose_header_says_version_0_or_below_is_damaged_not_migrated() {
    for version in [0_i64, -1, i64::from(i32::MIN)] {
        let dir = tempfile::tempdir().unwrap();
        let (r, _) = replica(dir.path());
        let path = r.path().to_path_buf();
        drop(r);
        let conn = Connection::open(&path).unwrap();
        conn.pragma_update(None, "user_version", version).unwrap();
        drop(conn);
        let before = fingerprint(&path);
        assert_eq!(Replica::upgrade_due(dir.path()), None, "version {version}");
        for mode in [OpenMode::ReadWrite, OpenMode::ReadOnly] {
            let err = Replica::open(dir.path(), mode, env()).unwrap_err();
            assert!(
                matches!(&err, ReplicaError::Corrupt { detail, .. } if detail.contains(&format!("version {version}"))),
                "version {version}: {err}"
            );
        }
        assert_eq!(fingerprint(&path), before, "version {version}");
    }
}

#[test]
fn a_damaged_replica_is_reported_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let (mut r, _) = replica(dir.path());
    for i in 0..400 {
        add(
            &mut r,
            &format!("0812{i:06}"),
            "สมชาย",
            &format!("ทดสอบ{i}"),
        );
    }
    r.checkpoint().unwrap();
    let path = r.path().to_path_buf();
    drop(r);
    // Overwrite the middle of the file (member pages) with garbage, keeping the header.
    let mut bytes = std::fs::read(&path).unwrap();
    let len = bytes.len();
    for b in &mut bytes[len / 3..len * 2 / 3] {
        *b = 0xA5;
    }
    std::fs::write(&path, &bytes).unwrap();
    let outcome = Replica::open(dir.path(), OpenMode::ReadWrite, env()).and_then(|mut r| {
        let problems = r.integrity_check()?;
        assert!(!problems.is_empty(), "integrity check sees the damage");
        for i in 0..400 {
            r.find(&format!("0812{i:06}"), 1)?;
            r.find(&format!("ทดสอบ{i}"), 1)?;
        }
        r.award(AwardRequest {
            member: key("0812000399"),
            bill_no: "B1".into(),
            amount: taem_core::Money::parse("100").unwrap(),
            op_id: None,
        })
        .map(|_| ())
    });
    let err = outcome.unwrap_err();
    assert!(
        matches!(
            err,
            ReplicaError::Corrupt { .. } | ReplicaError::NotADatabase { .. }
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("backup"), "{err}");
}

/// An empty replica file at schema `version`, made by that version's migrations.
fn file_at_version(path: &std::path::Path, version: i64) -> Connection {
    let conn = Connection::open(path).unwrap();
    for m in &MIGRATIONS[..version as usize] {
        conn.execute_batch(m).unwrap();
    }
    conn.pragma_update(None, "user_version", version).unwrap();
    conn.pragma_update(None, "application_id", APPLICATION_ID)
        .unwrap();
    conn
}

/// Builds a replica file at schema `version` the way that version wrote it, with a member and
/// an earning, then opens it with this version.
#[test]
fn replicas_of_every_earlier_version_migrate_with_their_data() {
    for version in 1..latest_version() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(REPLICA_FILE_NAME);
        let conn = file_at_version(&path, version);
        let today = taem_core::time::day_number(taem_core::time::bangkok_date(at(2026, 11, 23, 3)));
        conn.execute_batch(&format!(
            "INSERT INTO meta VALUES ('device_id', '0190f3c2-0000-7000-8000-000000000001'),
               ('shop_name', 'old'), ('branch', 'BKK01'),
               ('created_at', '2026-01-01T00:00:00+00:00'), ('device_seq', '1');
             INSERT INTO members(id, member_uid, code, phone, first_name, last_name, branch,
               registered_at_ms, updated_at_ms, balance_confirmed, tier_id, tier_since_ms)
             VALUES (1, x'0190f3c2000070008000000000000002', 'ABCDEFGHJK0', '0812345678',
               'สมชาย', 'ใจดี', 'BKK01', 0, 0, 40, 1, 0);
             INSERT INTO ledger(member_id, kind, points, tier_credit, day, at_ms, bill_no,
               branch, op_id, confirmed)
             VALUES (1, 'earn', 40, 40, {today}, 0, 'OLD-1', 'BKK01', x'01', 1);"
        ))
        .unwrap();
        if version >= 2 {
            // v2 wrote the name index alongside each member.
            conn.execute_batch("INSERT INTO member_names(rowid, name) VALUES (1, 'สมชาย ใจดี')")
                .unwrap();
        }
        if version >= 3 {
            // v3 kept the day bucket alongside each ledger entry.
            conn.execute_batch(&format!(
                "INSERT INTO tier_points_daily(member_id, day, points) VALUES (1, {today}, 40)"
            ))
            .unwrap();
        }
        drop(conn);
        // Half the versions are first opened for a look-up only: that migrates too.
        let mode = if version % 2 == 0 {
            OpenMode::ReadOnly
        } else {
            OpenMode::ReadWrite
        };
        let r = Replica::open(dir.path(), mode, env())
            .unwrap_or_else(|e| panic!("from v{version}: {e}"));
        assert_eq!(r.status().unwrap().schema_version, latest_version());
        let found = r.find("ใจดี", 5).unwrap();
        assert_eq!(found.members.len(), 1, "from v{version}: names indexed");
        let card = r.member(&key("0812345678")).unwrap();
        assert_eq!(card.balance, 40, "from v{version}");
        assert_eq!(
            card.accumulated_points, 40,
            "from v{version}: day buckets rebuilt"
        );
        assert_balances_match_ledger(&path);
    }
}

/// Migrations are append-only: a released migration is never edited. If this fails, put the
/// change in a new migration instead (see schema.rs).
#[test]
fn released_migrations_are_never_edited() {
    fn fnv1a(text: &str) -> u64 {
        text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        })
    }
    let released: [u64; 7] = RELEASED_MIGRATION_HASHES;
    for (i, expected) in released.iter().enumerate() {
        assert_eq!(
            fnv1a(MIGRATIONS[i]),
            *expected,
            "migration {} was edited after release; add a new migration instead",
            i + 1
        );
    }
    assert!(MIGRATIONS.len() >= released.len());
}

const RELEASED_MIGRATION_HASHES: [u64; 7] = [
    12546764253511555371,
    7226691002469298704,
    1032459994334500693,
    10929863271516934346,
    10447452943059010897,
    17418600469985852540,
    8643516903016939441,
];

/// The device that recorded the rows [`seed_old_member`] writes.
const OLD_DEVICE_ID: &str = "0190f3c2-0000-7000-8000-000000000001";
/// The member [`seed_old_member`] writes.
const OLD_MEMBER_UID: &str = "0190f3c2-0000-7000-8000-000000000002";

/// Writes, into a file at an old schema version, this counter's identity and one member
/// (0812345678) holding `points` pending points, all earned today: what the tests of an
/// upgrade add their ledger and outbox rows to.
fn seed_old_member(conn: &Connection, points: i64) {
    let today = taem_core::time::day_number(taem_core::time::bangkok_date(at(2026, 11, 23, 3)));
    let uid: uuid::Uuid = OLD_MEMBER_UID.parse().unwrap();
    conn.execute_batch(&format!(
        "INSERT INTO meta VALUES ('device_id', '{OLD_DEVICE_ID}'),
           ('shop_name', 'old'), ('branch', 'BKK01'),
           ('created_at', '2026-01-01T00:00:00+00:00');
         INSERT INTO members(id, member_uid, code, phone, first_name, last_name, branch,
           registered_at_ms, updated_at_ms, balance_pending, tier_id, tier_since_ms)
         VALUES (1, x'{uid}', 'ABCDEFGHJK0', '0812345678',
           'สมชาย', 'ใจดี', 'BKK01', 0, 0, {points}, 1, 0);
         INSERT INTO member_names(rowid, name) VALUES (1, 'สมชาย ใจดี');
         INSERT INTO tier_points_daily(member_id, day, points) VALUES (1, {today}, {points});",
        uid = uid.simple(),
    ))
    .unwrap();
}

/// v7 → v8: pending entries written before the upgrade stay findable by operation id, whether
/// their operation still waits in the outbox or the server already acknowledged it.
#[test]
fn pending_entries_of_a_v7_replica_stay_findable_after_the_upgrade() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(REPLICA_FILE_NAME);
    let conn = file_at_version(&path, 7);
    let today = taem_core::time::day_number(taem_core::time::bangkok_date(at(2026, 11, 23, 3)));
    let (acked, waiting) = (uuid::Uuid::now_v7(), uuid::Uuid::now_v7());
    seed_old_member(&conn, 80);
    conn.execute_batch(&format!(
        "INSERT INTO meta VALUES ('device_seq', '1');
         INSERT INTO ledger(id, member_id, kind, points, tier_credit, day, at_ms, bill_no,
           amount_satang, rate, branch, op_id, confirmed)
         VALUES (1, 1, 'earn', 40, 40, {today}, 0, 'OLD-1', 100000,
                 '{{\"baht\":\"25.00\",\"points\":1}}', 'BKK01', x'{acked}', 0),
                (2, 1, 'earn', 40, 40, {today}, 0, 'OLD-2', 100000,
                 '{{\"baht\":\"25.00\",\"points\":1}}', 'BKK01', x'{waiting}', 0);
         INSERT INTO outbox(device_seq, op_id, kind, member_id, body, created_at_ms)
         VALUES (2, x'{waiting}', 'earn', 1, '{{}}', 0);",
        acked = acked.simple(),
        waiting = waiting.simple(),
    ))
    .unwrap();
    drop(conn);
    let mut r = Replica::open(dir.path(), OpenMode::ReadWrite, env()).unwrap();
    assert_eq!(r.status().unwrap().schema_version, latest_version());
    // The acknowledged sale, sent again by its POS, is recognised from its ledger entry.
    let again = r
        .award(AwardRequest {
            member: key("0812345678"),
            bill_no: "OLD-1".into(),
            amount: taem_core::Money::parse("1000").unwrap(),
            op_id: Some(acked),
        })
        .unwrap();
    assert!(again.replayed, "applied twice after the upgrade");
    assert_eq!(again.member.balance, 80);
    let conn = Connection::open(&path).unwrap();
    let named: Option<i64> = conn
        .query_row(
            "SELECT ledger_id FROM outbox WHERE device_seq = 2",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(
        named,
        Some(2),
        "the waiting operation's outbox row names its entry"
    );
    let indexes: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'ledger'")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert!(
        indexes.contains(&"ledger_op_confirmed".to_string()),
        "{indexes:?}"
    );
    assert!(!indexes.contains(&"ledger_op".to_string()), "{indexes:?}");
    assert_balances_match_ledger(&path);
}

/// v9 → v10: an operation waiting in the outbox with its JSON body is pushed as it was
/// recorded, and a sale recorded after the upgrade (no body, rebuilt from its ledger entry)
/// follows it in sequence.
#[test]
fn operations_waiting_in_a_v9_outbox_are_pushed_unchanged_after_the_upgrade() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(REPLICA_FILE_NAME);
    let conn = file_at_version(&path, 9);
    let today = taem_core::time::day_number(taem_core::time::bangkok_date(at(2026, 11, 23, 3)));
    let device_id: uuid::Uuid = OLD_DEVICE_ID.parse().unwrap();
    let member_uid: uuid::Uuid = OLD_MEMBER_UID.parse().unwrap();
    let waiting = taem_core::Operation {
        op_id: uuid::Uuid::now_v7(),
        device_seq: 1,
        device_id,
        branch: "BKK01".into(),
        // Nanoseconds, as v9 recorded them: a v9 row's body is pushed as it is.
        at: at(2026, 11, 23, 2) + chrono::TimeDelta::nanoseconds(123_456_789),
        hlc: None,
        kind: taem_core::OperationKind::Earn {
            member_id: member_uid,
            bill_no: "OLD-1".into(),
            amount: taem_core::Money::parse("1000").unwrap(),
            rate: taem_core::PointRate::default_counter(),
            points: taem_core::Points(40),
        },
    };
    seed_old_member(&conn, 40);
    conn.execute_batch(&format!(
        "INSERT INTO ledger(id, member_id, kind, points, tier_credit, day, at_ms, bill_no,
           amount_satang, rate, branch, op_id, confirmed)
         VALUES (1, 1, 'earn', 40, 40, {today}, 0, 'OLD-1', 100000,
                 '{{\"baht\":\"25.00\",\"points\":1}}', 'BKK01', x'{op}', 0);
         UPDATE meta SET value = '1' WHERE key = 'tier_buckets_through';",
        op = waiting.op_id.simple(),
    ))
    .unwrap();
    conn.execute(
        "INSERT INTO outbox(device_seq, op_id, kind, member_id, body, created_at_ms, ledger_id)
         VALUES (1, ?1, 'earn', 1, ?2, 0, 1)",
        rusqlite::params![
            waiting.op_id.as_bytes().as_slice(),
            serde_json::to_string(&waiting).unwrap()
        ],
    )
    .unwrap();
    drop(conn);
    let mut r = Replica::open(dir.path(), OpenMode::ReadWrite, env()).unwrap();
    assert_eq!(r.status().unwrap().schema_version, latest_version());
    let sale = r
        .award(AwardRequest {
            member: key("0812345678"),
            bill_no: "NEW-1".into(),
            amount: taem_core::Money::parse("250").unwrap(),
            op_id: None,
        })
        .unwrap();
    let pending = r.pending_operations(10).unwrap();
    assert_eq!(pending.len(), 2);
    assert_eq!(
        pending[0], waiting,
        "the v9 operation is pushed as it was recorded"
    );
    assert_eq!(
        (pending[1].op_id, pending[1].device_seq),
        (sale.op_id, 2),
        "the new sale follows it"
    );
    assert!(matches!(
        &pending[1].kind,
        taem_core::OperationKind::Earn { member_id, bill_no, points, .. }
            if *member_id == member_uid && bill_no == "NEW-1" && points.0 == 10
    ));
    let bodies: Vec<Option<String>> = Connection::open(&path)
        .unwrap()
        .prepare("SELECT body FROM outbox ORDER BY device_seq")
        .unwrap()
        .query_map([], |row| row.get(0))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    assert!(bodies[0].is_some() && bodies[1].is_none(), "{bodies:?}");
}

#[test]
fn writes_without_a_quiet_moment_keep_the_wal_under_its_cap() {
    let dir = tempfile::tempdir().unwrap();
    let (mut r, _) = replica(dir.path());
    add(&mut r, "0812345678", "สมชาย", "ใจดี");
    const CAP: u64 = 512 * 1024;
    r.checkpoint_in_background_capped(CAP).unwrap();
    let wal = dir.path().join(format!("{REPLICA_FILE_NAME}-wal"));
    let mut largest = 0;
    // Sales back to back, never 250 ms apart: only the cap can bring a checkpoint. Each
    // writes ≈14 KiB of WAL, so 1,500 of them would leave ≈20 MiB without it.
    for i in 0..1_500 {
        award(&mut r, "0812345678", &format!("B{i}"), "100");
        largest = largest.max(std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0));
    }
    assert!(
        largest < 8 * CAP,
        "the WAL grew to {largest} bytes against a cap of {CAP}"
    );
    assert_eq!(r.member(&key("0812345678")).unwrap().balance, 1_500 * 4);
}

#[test]
fn a_wait_for_the_lock_longer_than_sqlite_takes_opens_the_replica() {
    let dir = tempfile::tempdir().unwrap();
    drop(replica(dir.path()));
    // SQLite takes the wait as a C int of milliseconds; a caller may ask for more.
    let r = Replica::open_waiting(dir.path(), OpenMode::ReadWrite, env(), u64::MAX).unwrap();
    assert!(r.status().is_ok());
}

#[test]
fn a_new_replica_is_not_made_beside_the_wal_of_one_moved_away() {
    for suffix in ["-wal", "-shm"] {
        let dir = tempfile::tempdir().unwrap();
        let orphan = dir.path().join(format!("{REPLICA_FILE_NAME}{suffix}"));
        std::fs::write(&orphan, b"frames of the replica moved away").unwrap();
        let err = Replica::create(dir.path(), "ร้านใหม่", "BKK01", env()).unwrap_err();
        assert!(matches!(err, ReplicaError::OrphanWal { .. }), "{err}");
        assert_eq!(err.code(), "orphan_wal");
        assert!(err.to_string().contains("mv "), "{err}");
        assert!(!dir.path().join(REPLICA_FILE_NAME).exists());
        assert_eq!(
            std::fs::read(&orphan).unwrap(),
            b"frames of the replica moved away",
            "kept: it may hold the last operations"
        );
    }
}
