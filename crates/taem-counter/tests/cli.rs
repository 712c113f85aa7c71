//! The real `taem-counter` binary as a script or a cashier uses it: outputs, exit codes,
//! errors that say what to do, and refusals that change nothing.

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

fn counter(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_taem-counter"))
        .arg("--data-dir")
        .arg(dir)
        .args(args)
        .output()
        .expect("taem-counter runs")
}

fn ok_json(dir: &Path, args: &[&str]) -> Value {
    let mut all = vec!["--json"];
    all.extend_from_slice(args);
    let out = counter(dir, &all);
    assert!(
        out.status.success(),
        "{args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("one JSON document on stdout")
}

/// Runs a command expected to be refused; returns the error's code and message.
fn refused(dir: &Path, args: &[&str]) -> (String, String) {
    let mut all = vec!["--json"];
    all.extend_from_slice(args);
    let out = counter(dir, &all);
    assert_eq!(out.status.code(), Some(1), "{args:?} should be refused");
    assert!(out.stdout.is_empty(), "nothing on stdout when refused");
    let err: Value = serde_json::from_slice(&out.stderr).expect("JSON error on stderr");
    (
        err["error"]["code"].as_str().unwrap().to_string(),
        err["error"]["message"].as_str().unwrap().to_string(),
    )
}

fn shop() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    ok_json(
        dir.path(),
        &["init", "--shop", "ร้านทดสอบ", "--branch", "BKK01"],
    );
    ok_json(
        dir.path(),
        &[
            "member",
            "add",
            "--phone",
            "081-234-5678",
            "--first-name",
            "สมชาย",
            "--last-name",
            "ใจดี",
            "--birthday",
            "15/08/2530",
            "--gender",
            "ชาย",
        ],
    );
    dir
}

fn status(dir: &Path) -> Value {
    ok_json(dir, &["status"])
}

#[test]
fn a_cashier_registers_finds_awards_redeems_and_voids() {
    let dir = shop();
    let d = dir.path();
    let found = ok_json(d, &["member", "find", "ใจดี"]);
    assert_eq!(found["kind"], "name");
    assert_eq!(found["members"][0]["phone"], "0812345678");
    let card = ok_json(d, &["member", "show", "+66 81 234 5678"]);
    assert_eq!(
        card["profile"]["birthday"], "1987-08-15",
        "B.E. 2530 is 1987"
    );
    let preview = ok_json(
        d,
        &["award", "0812345678", "--amount", "1250.50", "--preview"],
    );
    assert_eq!(preview["points"], 50);
    assert_eq!(
        status(d)["pending_operations"],
        1,
        "a preview records nothing"
    );
    let award = ok_json(
        d,
        &[
            "award",
            "0812345678",
            "--amount",
            "1,250.50",
            "--bill",
            "R-1",
        ],
    );
    assert_eq!(award["points"], 50);
    assert_eq!(award["member"]["balance"], 50);
    let redeem = ok_json(
        d,
        &[
            "redeem",
            "0812345678",
            "--points",
            "20",
            "--reward",
            "กาแฟฟรี",
        ],
    );
    assert_eq!(redeem["member"]["balance"], 30);
    let void = ok_json(d, &["void", "R-1", "--reason", "ลูกค้าคืนสินค้า"]);
    assert_eq!(void["points"], -50);
    let history = ok_json(d, &["history", "0812345678"]);
    let kinds: Vec<&str> = history
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|h| h["kind"].as_str())
        .collect();
    assert_eq!(kinds, vec!["earn_reversal", "redeem", "earn"]);
    assert_eq!(status(d)["pending_operations"], 4);
    let text = counter(d, &["member", "show", "0812345678"]);
    let text = String::from_utf8(text.stdout).unwrap();
    assert!(
        text.contains("สมชาย ใจดี") && text.contains("081-234-5678"),
        "{text}"
    );
    // The card ends with the member's last activity: the void just made.
    let last = text.lines().find(|l| l.starts_with("last ")).unwrap_or("");
    assert!(last.contains("bill R-1") && last.contains("-50"), "{text}");
    let card = ok_json(d, &["member", "show", "0812345678"]);
    assert_eq!(card["last_activity"]["kind"], "earn_reversal");
}

#[test]
fn bad_input_is_refused_with_a_clear_message_and_changes_nothing() {
    let dir = shop();
    let d = dir.path();
    ok_json(
        d,
        &["award", "0812345678", "--amount", "100", "--bill", "R-1"],
    );
    let before = status(d);
    let card_before = ok_json(d, &["member", "show", "0812345678"]);
    let cases: &[(&[&str], &str, &str)] = &[
        (
            &["member", "add", "--phone", "12345", "--first-name", "x"],
            "bad_phone",
            "10 digits",
        ),
        (
            &[
                "member",
                "add",
                "--phone",
                "02-123-4567",
                "--first-name",
                "x",
            ],
            "bad_phone",
            "mobile",
        ),
        (
            &["member", "add", "--phone", "0899999999"],
            "bad_profile",
            "first name",
        ),
        (
            &[
                "member",
                "add",
                "--phone",
                "0812345678",
                "--first-name",
                "ซ้ำ",
            ],
            "phone_taken",
            "สมชาย",
        ),
        (
            &["award", "0812345678", "--amount", "-5", "--bill", "R-2"],
            "bad_amount",
            "negative",
        ),
        (
            &["award", "0812345678", "--amount", "10.005", "--bill", "R-2"],
            "bad_amount",
            "at most 2",
        ),
        (
            &["award", "0812345678", "--amount", "12abc", "--bill", "R-2"],
            "bad_amount",
            "not an amount",
        ),
        (
            &["award", "0899999999", "--amount", "100", "--bill", "R-2"],
            "unknown_member",
            "089-999-9999",
        ),
        (
            &["award", "0812345678", "--amount", "100", "--bill", "R-1"],
            "bill_already_earned",
            "R-1",
        ),
        (
            &["redeem", "0812345678", "--points", "5", "--reward", "x"],
            "insufficient_points",
            "has 4 points",
        ),
        (
            &["redeem", "0812345678", "--points", "1.5", "--reward", "x"],
            "bad_points",
            "whole number",
        ),
        (
            &["void", "R-404", "--reason", "x"],
            "bill_not_found",
            "R-404",
        ),
        (
            &["adjust", "0812345678", "--points", "+5", "--reason", " "],
            "reason_required",
            "reason",
        ),
        (
            &["member", "show", "hello"],
            "not_a_member_reference",
            "neither",
        ),
        (&["member", "find", "12"], "query_too_short", "too short"),
    ];
    for (args, code, needle) in cases {
        let (got, message) = refused(d, args);
        assert_eq!(&got, code, "{args:?}: {message}");
        assert!(
            message.contains(needle),
            "{args:?}: `{message}` lacks `{needle}`"
        );
    }
    assert_eq!(status(d), before, "nothing written by refused commands");
    assert_eq!(ok_json(d, &["member", "show", "0812345678"]), card_before);
}

#[test]
fn errors_without_json_are_one_readable_line_on_stderr() {
    let dir = shop();
    let out = counter(
        dir.path(),
        &["award", "0812345678", "--amount", "abc", "--bill", "X"],
    );
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.starts_with("error: `abc` is not an amount of baht"),
        "{stderr}"
    );
    let usage = counter(dir.path(), &["award"]);
    assert_eq!(usage.status.code(), Some(2), "usage errors exit 2 (clap)");
}

#[test]
fn a_missing_replica_says_how_to_create_one() {
    let dir = tempfile::tempdir().unwrap();
    let (code, message) = refused(dir.path(), &["status"]);
    assert_eq!(code, "not_initialised");
    assert!(message.contains("init --shop"), "{message}");
}

#[test]
fn a_read_only_replica_still_answers_look_ups() {
    let dir = shop();
    let d = dir.path();
    let file = d.join(taem_replica::REPLICA_FILE_NAME);
    let mut perms = std::fs::metadata(&file).unwrap().permissions();
    perms.set_readonly(true);
    std::fs::set_permissions(&file, perms).unwrap();
    assert_eq!(
        ok_json(d, &["member", "find", "5678"])["members"][0]["phone"],
        "0812345678"
    );
    let (code, message) = refused(
        d,
        &["award", "0812345678", "--amount", "100", "--bill", "R-9"],
    );
    assert_eq!(code, "read_only");
    assert!(message.contains("chmod"), "{message}");
}

#[test]
fn a_replica_from_a_newer_version_is_refused() {
    let dir = shop();
    let file = dir.path().join(taem_replica::REPLICA_FILE_NAME);
    let conn = rusqlite::Connection::open(&file).unwrap();
    conn.pragma_update(None, "user_version", 99).unwrap();
    drop(conn);
    let (code, message) = refused(dir.path(), &["member", "find", "0812345678"]);
    assert_eq!(code, "newer_schema");
    assert!(message.contains("schema version 99"), "{message}");
}

/// Turns a replica back into what the previous version (schema v7) wrote.
fn back_to_schema_v7(file: &Path) {
    let conn = rusqlite::Connection::open(file).unwrap();
    // Back to what v7 wrote: every entry in its tier day bucket (v9), the ledger's full op-id
    // index, no entry ids in the outbox (v8).
    conn.execute_batch(
        "INSERT INTO tier_points_daily(member_id, day, points)
             SELECT member_id, day, SUM(tier_credit) FROM ledger WHERE unbucketed = 1
             GROUP BY member_id, day
         ON CONFLICT(member_id, day) DO UPDATE SET points = points + excluded.points;
         ALTER TABLE ledger DROP COLUMN unbucketed;
         DELETE FROM meta WHERE key = 'tier_buckets_through';
         DROP INDEX ledger_op_confirmed; DROP TABLE acked_entries;
         ALTER TABLE outbox DROP COLUMN ledger_id; CREATE INDEX ledger_op ON ledger(op_id);
         PRAGMA user_version = 7;",
    )
    .unwrap();
}

/// With `--json`, stderr holds only an `{"error":…}` object: the upgrade note, for a person at
/// a terminal, is left out.
#[test]
fn with_json_an_upgrade_prints_no_note_on_stderr() {
    let dir = shop();
    ok_json(
        dir.path(),
        &["award", "0812345678", "--amount", "500", "--bill", "B-1"],
    );
    back_to_schema_v7(&dir.path().join(taem_replica::REPLICA_FILE_NAME));
    let out = counter(dir.path(), &["--json", "member", "find", "0812345678"]);
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "",
        "nothing on stderr"
    );
    let found: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(found["members"][0]["phone"], "0812345678");
    assert_eq!(
        status(dir.path())["schema_version"],
        taem_replica::schema::latest_version(),
        "upgraded all the same"
    );
}

/// A replica written by the previous version (schema v7) is upgraded when first opened, and the
/// user is told before it starts (at a million members it takes tens of seconds).
#[test]
fn an_older_replica_is_upgraded_and_the_user_is_told() {
    let dir = shop();
    ok_json(
        dir.path(),
        &["award", "0812345678", "--amount", "500", "--bill", "B-1"],
    );
    let file = dir.path().join(taem_replica::REPLICA_FILE_NAME);
    back_to_schema_v7(&file);
    let out = counter(dir.path(), &["member", "find", "0812345678"]);
    assert!(out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("upgrading this counter's data from schema v7 to v"),
        "{stderr}"
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("สมชาย"));
    let again = counter(dir.path(), &["status"]);
    assert!(
        !String::from_utf8_lossy(&again.stderr).contains("upgrading"),
        "upgraded once"
    );
    assert_eq!(
        status(dir.path())["schema_version"],
        taem_replica::schema::latest_version()
    );
    // The sale made before the upgrade waits to be sent, and names its ledger entry.
    let conn = rusqlite::Connection::open(&file).unwrap();
    let named: i64 = conn
        .query_row(
            "SELECT COUNT(*) FROM outbox WHERE kind = 'earn' AND ledger_id IS NOT NULL",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(named, 1);
}

#[test]
fn retrying_with_the_same_operation_id_is_safe() {
    let dir = shop();
    let d = dir.path();
    let op = "0190f3c2-1111-7000-8000-000000000001";
    let args = [
        "award",
        "0812345678",
        "--amount",
        "500",
        "--bill",
        "R-5",
        "--op-id",
        op,
    ];
    let first = ok_json(d, &args);
    let again = ok_json(d, &args);
    assert_eq!(first["replayed"], false);
    assert_eq!(again["replayed"], true);
    assert_eq!(again["member"]["balance"], 20);
    assert_eq!(status(d)["pending_operations"], 2);
}

#[test]
fn a_repeated_registration_says_it_was_already_recorded() {
    let dir = shop();
    let d = dir.path();
    let args = [
        "member",
        "add",
        "--phone",
        "089-111-2222",
        "--first-name",
        "มานี",
        "--op-id",
        "0190f3c2-2222-7000-8000-000000000002",
    ];
    let run = || {
        let out = counter(d, &args);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    let first = run();
    let again = run();
    assert!(!first.contains("already recorded"), "{first}");
    assert!(again.starts_with("already recorded"), "{again}");
    assert!(again.contains("มานี"), "{again}");
    assert_eq!(status(d)["members"], 2);
}

#[test]
fn tiers_can_be_configured_from_the_command_line() {
    let dir = shop();
    let d = dir.path();
    ok_json(d, &["tiers", "enable"]);
    ok_json(d, &["tiers", "period", "6"]);
    ok_json(
        d,
        &[
            "tiers",
            "add",
            "--name",
            "แพลทินัม",
            "--start",
            "5000",
            "--icon",
            "platinum",
            "--rate",
            "20:1",
        ],
    );
    let shown = ok_json(d, &["tiers", "show"]);
    let tiers = &shown["settings"]["tiers"];
    assert_eq!(tiers["enabled"], true);
    assert_eq!(tiers["period"], "last_6_months");
    assert_eq!(tiers["tiers"].as_array().unwrap().len(), 4);
    let before = ok_json(d, &["tiers", "show"]);
    let (code, message) = refused(d, &["tiers", "add", "--name", "ซ้ำ", "--start", "5000"]);
    assert_eq!(code, "bad_tier_settings");
    assert!(message.contains("5000"), "{message}");
    let (_, message) = refused(
        d,
        &[
            "tiers", "add", "--name", "x", "--start", "9", "--icon", "unicorn",
        ],
    );
    assert!(message.contains("crown"), "lists the icons: {message}");
    let (_, message) = refused(d, &["tiers", "period", "5"]);
    assert!(message.contains("3, 6, 9 or 12"), "{message}");
    assert_eq!(ok_json(d, &["tiers", "show"]), before);
    ok_json(
        d,
        &["award", "0812345678", "--amount", "125000", "--bill", "BIG"],
    );
    let card = ok_json(d, &["member", "show", "0812345678"]);
    assert_eq!(card["tier"]["name"], "แพลทินัม");
    // Six months on, the points have aged out: a preview says so and moves nobody; a real
    // run for a day to come is refused (its moves would stand before their day).
    let before = ok_json(d, &["member", "show", "0812345678"]);
    let report = ok_json(
        d,
        &["tiers", "reevaluate", "--today", "01/06/2570", "--preview"],
    );
    assert_eq!(
        (&report["downgraded"], &report["saved"]),
        (&serde_json::json!(1), &serde_json::json!(false)),
        "six months later the points aged out: {report}"
    );
    assert_eq!(ok_json(d, &["member", "show", "0812345678"]), before);
    let (code, message) = refused(d, &["tiers", "reevaluate", "--today", "01/06/2570"]);
    assert_eq!(code, "date_in_future", "{message}");
    assert!(message.contains("add --preview"), "{message}");
    assert_eq!(ok_json(d, &["member", "show", "0812345678"]), before);
    // A past day too: members would be placed as they stood then, and kept so until the
    // next daily run. Its preview leaves out what was earned after it.
    let (code, message) = refused(d, &["tiers", "reevaluate", "--today", "01/01/2569"]);
    assert_eq!(code, "date_in_past", "{message}");
    assert!(message.contains("add --preview"), "{message}");
    assert_eq!(ok_json(d, &["member", "show", "0812345678"]), before);
    let past = ok_json(
        d,
        &["tiers", "reevaluate", "--today", "01/01/2569", "--preview"],
    );
    assert_eq!(
        (&past["downgraded"], &past["saved"]),
        (&serde_json::json!(1), &serde_json::json!(false)),
        "on 1 Jan 2569 the points were not earned yet: {past}"
    );
    let today = ok_json(d, &["tiers", "reevaluate"]);
    assert_eq!(
        (&today["downgraded"], &today["saved"]),
        (&serde_json::json!(0), &serde_json::json!(true))
    );
}

#[test]
fn the_demo_shop_is_deterministic_and_searchable() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    let sa = ok_json(a.path(), &["demo", "--members", "300", "--seed", "9"]);
    let sb = ok_json(b.path(), &["demo", "--members", "300", "--seed", "9"]);
    assert_eq!(sa["members"], 300);
    assert_eq!(sa["ledger_entries"], sb["ledger_entries"]);
    let fa = ok_json(a.path(), &["member", "find", "สม", "--limit", "5"]);
    let fb = ok_json(b.path(), &["member", "find", "สม", "--limit", "5"]);
    let codes = |v: &Value| -> Vec<String> {
        v["members"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["code"].to_string())
            .collect()
    };
    assert_eq!(codes(&fa), codes(&fb));
    // The loaded history went in with its tier buckets: the fold's watermark is past it.
    let conn = rusqlite::Connection::open(a.path().join(taem_replica::REPLICA_FILE_NAME)).unwrap();
    let (through, last): (String, i64) = conn
        .query_row(
            "SELECT (SELECT value FROM meta WHERE key = 'tier_buckets_through'),
                    (SELECT MAX(id) FROM ledger)",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(through, last.to_string());
    let (code, _) = refused(a.path(), &["demo", "--members", "10"]);
    assert_eq!(code, "already_initialised");
}

/// `tiers show` with `edit` applied to each tier, saved by `tiers set --file`: the answer and
/// its re-evaluation's moves (up, down, across).
fn set_tiers_edited(
    d: &std::path::Path,
    edit: impl Fn(&mut Value),
) -> (Value, (Value, Value, Value)) {
    let mut shown = ok_json(d, &["tiers", "show"]);
    for tier in shown["settings"]["tiers"]["tiers"].as_array_mut().unwrap() {
        edit(tier);
    }
    let file = d.join("tiers.json");
    std::fs::write(&file, shown.to_string()).unwrap();
    let saved = ok_json(d, &["tiers", "set", "--file", file.to_str().unwrap()]);
    let moved = &saved["reevaluation"];
    let moves = (
        moved["upgraded"].clone(),
        moved["downgraded"].clone(),
        moved["moved_across"].clone(),
    );
    (saved, moves)
}

#[test]
fn a_tier_given_a_new_id_at_the_same_level_moves_its_members_across_not_down() {
    let dir = shop();
    let d = dir.path();
    let across_only = (
        serde_json::json!(0),
        serde_json::json!(0),
        serde_json::json!(1),
    );
    ok_json(d, &["tiers", "enable"]);
    ok_json(
        d,
        &["award", "0812345678", "--amount", "25000", "--bill", "BIG"],
    );
    let silver = ok_json(d, &["member", "show", "0812345678"])["tier"]["id"].clone();
    let (saved, moves) = set_tiers_edited(d, |tier| {
        if tier["id"] == silver {
            tier["id"] = serde_json::json!(9);
            tier["name"] = serde_json::json!("ซิลเวอร์ใหม่");
        }
    });
    assert_eq!(moves, across_only, "{saved}");
    let member = ok_json(d, &["member", "show", "0812345678"]);
    assert_eq!(member["tier"]["name"], "ซิลเวอร์ใหม่", "{member}");

    // Two tiers swapping ids would rename every past move into or out of them: refused.
    let mut swapped = ok_json(d, &["tiers", "show"]);
    let tiers = swapped["settings"]["tiers"]["tiers"]
        .as_array_mut()
        .unwrap();
    let (a, b) = (tiers[1]["id"].clone(), tiers[2]["id"].clone());
    tiers[1]["id"] = b;
    tiers[2]["id"] = a;
    let file = d.join("swapped.json");
    std::fs::write(&file, swapped.to_string()).unwrap();
    let (_, message) = refused(d, &["tiers", "set", "--file", file.to_str().unwrap()]);
    assert!(
        message.contains("would rename past tier changes"),
        "{message}"
    );
    let history = ok_json(d, &["history", "0812345678"]).to_string();
    assert!(history.contains("ซิลเวอร์"), "{history}");
    assert!(!history.contains("โกลด์"), "history unchanged: {history}");

    // The top tier replaced by a new top tier that starts lower: its members stay at the top
    // level, neither up nor down.
    ok_json(
        d,
        &["award", "0812345678", "--amount", "25000", "--bill", "BIG2"],
    );
    assert_eq!(
        ok_json(d, &["member", "show", "0812345678"])["tier"]["name"],
        "โกลด์"
    );
    let (saved, moves) = set_tiers_edited(d, |tier| {
        if tier["name"] == "โกลด์" {
            tier["id"] = serde_json::json!(12);
            tier["name"] = serde_json::json!("โกลด์พลัส");
            tier["start_points"] = serde_json::json!(1500);
        }
    });
    assert_eq!(moves, across_only, "{saved}");
}

#[test]
fn tier_settings_round_trip_through_a_json_file_and_removal_replaces_members() {
    let dir = shop();
    let d = dir.path();
    ok_json(d, &["tiers", "enable"]);
    ok_json(
        d,
        &["award", "0812345678", "--amount", "25000", "--bill", "BIG"],
    );
    assert_eq!(
        ok_json(d, &["member", "show", "0812345678"])["tier"]["name"],
        "ซิลเวอร์"
    );
    let shown = ok_json(d, &["tiers", "show"]);
    // Members per tier with named fields, not [id, count] pairs.
    let silver = ok_json(d, &["member", "show", "0812345678"])["tier"]["id"].clone();
    let counts = shown["members_per_tier"].as_array().unwrap();
    assert!(
        counts.contains(&serde_json::json!({"tier_id": silver, "members": 1})),
        "{counts:?}"
    );
    let file = d.join("tiers.json");
    std::fs::write(&file, shown.to_string()).unwrap();
    let saved = ok_json(d, &["tiers", "set", "--file", file.to_str().unwrap()]);
    assert_eq!(
        saved["settings"], shown["settings"],
        "the same settings come back"
    );
    std::fs::write(
        &file,
        r#"{"enabled":true,"period":"last_3_months","tiers":[]}"#,
    )
    .unwrap();
    let (code, message) = refused(d, &["tiers", "set", "--file", file.to_str().unwrap()]);
    assert_eq!(code, "refused");
    assert!(message.contains("valid tier settings"), "{message}");
    let removed = ok_json(d, &["tiers", "remove", "2"]);
    assert_eq!(removed["reevaluation"]["downgraded"], 1);
    assert_eq!(
        ok_json(d, &["member", "show", "0812345678"])["tier"]["name"],
        "สมาชิก"
    );
    let (_, message) = refused(d, &["tiers", "remove", "42"]);
    assert!(message.contains("no tier with id 42"), "{message}");
}

#[test]
fn find_from_stdin_answers_one_json_line_per_query() {
    use std::io::Write;
    let dir = shop();
    let mut child = Command::new(env!("CARGO_BIN_EXE_taem-counter"))
        .arg("--data-dir")
        .arg(dir.path())
        .args(["--json", "member", "find", "--stdin"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all("5678\nใจดี\n12\n0812345678\n".as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(3),
        "the too-short query was refused"
    );
    let lines: Vec<Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 4);
    assert_eq!(lines[0]["kind"], "phone_suffix");
    assert_eq!(lines[1]["kind"], "name");
    assert_eq!(lines[2]["error"]["code"], "query_too_short");
    assert_eq!(lines[2]["line"], 3);
    assert_eq!(lines[3]["members"][0]["name"], "สมชาย ใจดี");
}
