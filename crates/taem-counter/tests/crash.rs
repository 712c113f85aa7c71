//! Kill -9 of a real `taem-counter` process in the middle of a run of awards: after reopening,
//! every committed operation is there exactly once with its outbox row, nothing is
//! half-applied, and re-sending everything applies each operation exactly once.

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use rusqlite::Connection;
use serde_json::Value;
use uuid::Uuid;

const MEMBERS: usize = 12;
const AWARDS: usize = 1_500;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_taem-counter"))
}

fn phone(i: usize) -> String {
    format!("08199{:05}", i)
}

fn award_lines() -> Vec<(Uuid, String)> {
    (0..AWARDS)
        .map(|i| {
            // Deterministic v7-shaped ids: the timestamp part orders them like real ones.
            let id = uuid::Builder::from_unix_timestamp_millis(
                1_790_000_000_000 + i as u64,
                &[i as u8, (i >> 8) as u8, 7, 7, 7, 7, 7, 7, 7, 7],
            )
            .into_uuid();
            let line = serde_json::json!({
                "op": "award",
                "member": phone(i % MEMBERS),
                "amount": format!("{}.{:02}", 100 + i, i % 100),
                "bill": format!("K-{i}"),
                "op_id": id,
            });
            (id, line.to_string())
        })
        .collect()
}

/// Feeds `lines` to a batch process; kills it with SIGKILL after `kill_after` answers (or lets
/// it finish when `None`). Returns the op ids the process acknowledged.
fn run_batch(dir: &Path, lines: &[(Uuid, String)], kill_after: Option<usize>) -> Vec<Uuid> {
    let mut child = bin()
        .arg("--data-dir")
        .arg(dir)
        .arg("batch")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let input: Vec<String> = lines.iter().map(|(_, l)| l.clone()).collect();
    let writer = std::thread::spawn(move || {
        for line in input {
            if writeln!(stdin, "{line}").is_err() {
                return; // the process was killed
            }
        }
    });
    let mut acked = Vec::new();
    let reader = BufReader::new(child.stdout.take().unwrap());
    for line in reader.lines() {
        let Ok(line) = line else { break };
        let answer: Value = serde_json::from_str(&line).unwrap();
        assert!(
            answer.get("error").is_none(),
            "unexpected refusal: {answer}"
        );
        acked.push(answer["op_id"].as_str().unwrap().parse().unwrap());
        if Some(acked.len()) == kill_after {
            child.kill().unwrap(); // SIGKILL: no destructor, no checkpoint, no flush
            break;
        }
    }
    child.wait().unwrap();
    let _ = writer.join();
    acked
}

fn count(conn: &Connection, sql: &str) -> i64 {
    conn.query_row(sql, [], |r| r.get(0)).unwrap()
}

/// The replica's invariants, checked with plain SQL on the file.
fn assert_consistent(dir: &Path) -> Connection {
    let conn = Connection::open(dir.join(taem_replica::REPLICA_FILE_NAME)).unwrap();
    assert_eq!(
        conn.query_row("PRAGMA integrity_check", [], |r| r.get::<_, String>(0))
            .unwrap(),
        "ok"
    );
    // Every earning has exactly one outbox row with the same operation id, and back.
    assert_eq!(
        count(
            &conn,
            "SELECT COUNT(*) FROM ledger l LEFT JOIN outbox o USING (op_id) WHERE l.kind = 'earn' AND o.op_id IS NULL"
        ),
        0,
        "ledger entries without their outbox row"
    );
    assert_eq!(
        count(
            &conn,
            "SELECT COUNT(*) FROM outbox o LEFT JOIN ledger l USING (op_id) WHERE o.kind = 'earn' AND l.op_id IS NULL"
        ),
        0,
        "outbox rows without their ledger entry"
    );
    assert_eq!(
        count(&conn, "SELECT COUNT(*) - COUNT(DISTINCT op_id) FROM ledger"),
        0,
        "an operation applied twice"
    );
    // Balances and tier buckets equal the ledger: nothing half-applied.
    assert_eq!(
        count(
            &conn,
            "SELECT COUNT(*) FROM members m WHERE m.balance_pending <> (SELECT COALESCE(SUM(points), 0) FROM ledger l WHERE l.member_id = m.id)"
        ),
        0,
        "balances differ from the ledger"
    );
    assert_eq!(
        count(
            &conn,
            "SELECT COUNT(*) FROM (SELECT member_id, day, SUM(tier_credit) s FROM ledger WHERE unbucketed = 0 GROUP BY 1, 2) l LEFT JOIN tier_points_daily b USING (member_id, day) WHERE COALESCE(b.points, 0) <> l.s"
        ),
        0,
        "tier buckets differ from the ledger"
    );
    // Entries whose credit waits for the fold lie above its watermark (so they are counted).
    assert_eq!(
        count(
            &conn,
            "SELECT COUNT(*) FROM ledger WHERE unbucketed = 1 AND id <= (SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'tier_buckets_through')"
        ),
        0,
        "entries marked for the fold below its watermark"
    );
    // The device sequence is gapless.
    assert_eq!(
        count(&conn, "SELECT MAX(device_seq) - COUNT(*) FROM outbox"),
        0,
        "gap in the device sequence"
    );
    conn
}

fn has_op(conn: &Connection, id: &Uuid) -> (i64, i64) {
    let q = |table: &str| -> i64 {
        conn.query_row(
            &format!("SELECT COUNT(*) FROM {table} WHERE op_id = ?1"),
            [id.as_bytes().as_slice()],
            |r| r.get(0),
        )
        .unwrap()
    };
    (q("ledger"), q("outbox"))
}

#[test]
fn kill_9_during_awards_loses_nothing_committed_and_doubles_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let init = bin()
        .args(["--data-dir"])
        .arg(d)
        .args(["init", "--shop", "ร้านทดสอบ", "--branch", "BKK01"])
        .output()
        .unwrap();
    assert!(init.status.success());
    for i in 0..MEMBERS {
        let out = bin()
            .arg("--data-dir")
            .arg(d)
            .args([
                "member",
                "add",
                "--phone",
                &phone(i),
                "--first-name",
                &format!("สมาชิก{i}"),
            ])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let lines = award_lines();
    let mut acked_total = Vec::new();
    // Three crashes at different points, each run re-sending everything from the start, as
    // a POS integration that does not know what the dead process committed would.
    for kill_after in [137, 401, 777] {
        let acked = run_batch(d, &lines, Some(kill_after));
        assert_eq!(acked.len(), kill_after);
        std::thread::sleep(Duration::from_millis(50));
        let conn = assert_consistent(d);
        for id in &acked {
            assert_eq!(
                has_op(&conn, id),
                (1, 1),
                "acknowledged op {id} not there exactly once"
            );
        }
        acked_total.extend(acked);
    }
    // Finally re-send everything to a process that runs to the end.
    let acked = run_batch(d, &lines, None);
    assert_eq!(acked.len(), AWARDS);
    let conn = assert_consistent(d);
    assert_eq!(
        count(&conn, "SELECT COUNT(*) FROM ledger WHERE kind = 'earn'"),
        AWARDS as i64
    );
    assert_eq!(
        count(&conn, "SELECT COUNT(*) FROM outbox WHERE kind = 'earn'"),
        AWARDS as i64
    );
    for (id, _) in &lines {
        assert_eq!(has_op(&conn, id), (1, 1), "op {id}");
    }
    let expected_points: i64 = (0..AWARDS)
        .map(|i| ((100 + i) * 100 + i % 100) as i64 / 2500)
        .sum();
    assert_eq!(
        count(&conn, "SELECT SUM(points) FROM ledger"),
        expected_points
    );
}
