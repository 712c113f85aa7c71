//! Creating and checking a replica, tier and profile edits, and the text a cashier reads.

mod common;

use unicode_width::UnicodeWidthStr;

use common::{counter, ok_json, refused, shop, stderr, stdout};

#[test]
fn init_refuses_an_empty_shop_name_and_codes_that_are_not_branch_codes() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (code, _) = refused(d, &["init", "--shop", "  ", "--branch", "BKK01"]);
    assert_eq!(code, "bad_shop_name");
    for branch in ["bkk 01", "สาขา1", ""] {
        let (code, message) = refused(d, &["init", "--shop", "ร้าน", "--branch", branch]);
        assert_eq!(code, "bad_branch", "{branch:?}");
        assert!(message.contains("is not a branch code"), "{message}");
    }
    let made = ok_json(d, &["init", "--shop", " ร้าน ", "--branch", "cnx01"]);
    assert_eq!(made["branch"], "CNX01");
    assert_eq!(made["shop_name"], "ร้าน");
}

#[test]
fn init_over_a_file_that_is_not_a_replica_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join(taem_replica::REPLICA_FILE_NAME), "not sqlite").unwrap();
    let (code, message) = refused(d, &["init", "--shop", "ร้าน", "--branch", "BKK01"]);
    assert_eq!(code, "not_a_replica");
    assert!(
        message.contains("is not a Taem replica") && message.contains("mv "),
        "{message}"
    );
    let out = counter(d, &["check"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out).contains("not an SQLite database"),
        "{}",
        stdout(&out)
    );
    assert!(
        stdout(&out).contains("to recover: restore"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn check_on_a_damaged_replica_prints_what_it_found_and_how_to_recover() {
    let dir = shop();
    let d = dir.path();
    for i in 0..200 {
        ok_json(
            d,
            &[
                "member",
                "add",
                "--phone",
                &format!("08{:08}", 10_000_000 + i),
                "--first-name",
                &format!("สมาชิก{i}"),
            ],
        );
    }
    let file = d.join(taem_replica::REPLICA_FILE_NAME);
    let mut bytes = std::fs::read(&file).unwrap();
    let page = 4096;
    for b in &mut bytes[2 * page..4 * page] {
        *b = 0xde;
    }
    std::fs::write(&file, bytes).unwrap();
    let out = counter(d, &["--json", "check"]);
    assert_eq!(out.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["ok"], false);
    assert!(
        !report["problems"].as_array().unwrap().is_empty(),
        "{report}"
    );
    assert!(
        report["recovery"].as_str().unwrap().contains("backup"),
        "{report}"
    );
    // A WAL left beside a restored backup would be applied to it: the advice says so.
    assert!(
        report["recovery"].as_str().unwrap().contains("-wal"),
        "{report}"
    );
    let err = stderr(&out);
    assert!(
        !err.contains("run `taem-counter check`"),
        "no circle: {err}"
    );
}

#[test]
fn tiers_set_refuses_a_file_whose_rates_it_would_not_save() {
    let dir = shop();
    let d = dir.path();
    let mut shown = ok_json(d, &["tiers", "show"]);
    shown["settings"]["rates"]["counter"] = serde_json::json!({"baht": "20.00", "points": 1});
    shown["settings"]["tiers"]["enabled"] = serde_json::json!(true);
    let file = d.join("tiers.json");
    std::fs::write(&file, shown.to_string()).unwrap();
    let (code, message) = refused(d, &["tiers", "set", "--file", file.to_str().unwrap()]);
    assert_eq!(code, "rates_in_file");
    assert!(message.contains("rates set --counter 20.00:1"), "{message}");
    let now = ok_json(d, &["tiers", "show"]);
    assert_eq!(
        now["settings"]["tiers"]["enabled"], false,
        "nothing changed"
    );
}

#[test]
fn an_empty_tag_clears_the_tags() {
    let dir = shop();
    let d = dir.path();
    let tagged = ok_json(d, &["member", "edit", "0812345678", "--tag", "vip"]);
    assert_eq!(tagged["member"]["profile"]["tags"][0], "vip");
    let cleared = ok_json(d, &["member", "edit", "0812345678", "--tag", ""]);
    assert!(
        cleared["member"]["profile"].get("tags").is_none(),
        "{cleared}"
    );
}

#[test]
fn the_card_and_history_show_every_field_with_grouped_points() {
    let dir = shop();
    let d = dir.path();
    ok_json(
        d,
        &[
            "member",
            "edit",
            "0812345678",
            "--gender",
            "ชาย",
            "--address",
            "1 ถนนสุขุมวิท",
            "--note",
            "แพ้นม",
            "--pdpa-consent",
            "true",
        ],
    );
    let award = counter(
        d,
        &["award", "0812345678", "--amount", "50000", "--bill", "B-1"],
    );
    assert!(
        stdout(&award).starts_with("+2,000 pt"),
        "{}",
        stdout(&award)
    );
    ok_json(
        d,
        &[
            "adjust",
            "0812345678",
            "--points",
            "+5",
            "--reason",
            "goodwill",
            "--counts-toward-tier",
        ],
    );
    let card = stdout(&counter(d, &["member", "show", "0812345678"]));
    for needle in [
        "gender    male (ชาย)",
        "address   1 ถนนสุขุมวิท",
        "note      แพ้นม",
        "consent   PDPA yes · marketing no",
    ] {
        assert!(card.contains(needle), "`{needle}` in {card}");
    }
    let history = stdout(&counter(d, &["history", "0812345678"]));
    assert!(history.contains("(counts toward tier)"), "{history}");
    assert!(history.contains("+2,000"), "{history}");
}

#[test]
fn columns_line_up_by_display_width_with_thai_marks() {
    let dir = shop();
    let d = dir.path();
    ok_json(
        d,
        &[
            "member",
            "add",
            "--phone",
            "081-999-5678",
            "--first-name",
            "กันตพงศ์",
            "--last-name",
            "ใจดี",
        ],
    );
    let found = stdout(&counter(d, &["member", "find", "5678"]));
    let columns: Vec<usize> = found
        .lines()
        .map(|l| l[..l.find(" pt").unwrap()].width())
        .collect();
    assert_eq!(columns.len(), 2, "{found}");
    assert_eq!(columns[0], columns[1], "the pt column lines up:\n{found}");
    ok_json(
        d,
        &["award", "0812345678", "--amount", "100", "--bill", "B-1"],
    );
    ok_json(d, &["void", "B-1", "--reason", "คืนสินค้า"]);
    let history = stdout(&counter(d, &["history", "0812345678"]));
    let points: Vec<usize> = history
        .lines()
        .filter(|l| l.contains("bill B-1"))
        .map(|l| l[..l.find("  bill").unwrap()].width())
        .collect();
    assert_eq!(points.len(), 2, "{history}");
    assert_eq!(
        points[0], points[1],
        "ยกเลิกบิล and สะสมแต้ม line up:\n{history}"
    );
}

#[test]
fn a_void_that_takes_a_balance_below_zero_says_why() {
    let dir = shop();
    let d = dir.path();
    ok_json(
        d,
        &["award", "0812345678", "--amount", "1000", "--bill", "B-1"],
    );
    ok_json(
        d,
        &["redeem", "0812345678", "--points", "30", "--reward", "กาแฟ"],
    );
    let out = counter(d, &["void", "B-1", "--reason", "คืนสินค้า"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains("note: the balance is below 0 (-30 pt)"),
        "{text}"
    );
}

#[test]
fn an_adjustment_on_a_balance_below_zero_speaks_of_the_adjustment_not_a_bill() {
    let dir = shop();
    let d = dir.path();
    ok_json(
        d,
        &["award", "0812345678", "--amount", "1000", "--bill", "B-1"],
    );
    ok_json(
        d,
        &["redeem", "0812345678", "--points", "30", "--reward", "กาแฟ"],
    );
    ok_json(d, &["void", "B-1", "--reason", "คืนสินค้า"]);
    let out = counter(
        d,
        &[
            "adjust",
            "0812345678",
            "--points",
            "+10",
            "--reason",
            "goodwill",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains("note: the balance is still below 0 (-20 pt) after this adjustment"),
        "{text}"
    );
    assert!(
        !text.contains("this bill earned"),
        "no bill in an adjustment: {text}"
    );
}

#[test]
fn a_member_card_says_entries_wait_even_when_their_points_net_to_zero() {
    let dir = shop();
    let d = dir.path();
    let earned = ok_json(
        d,
        &[
            "award",
            "0812345678",
            "--amount",
            "1000000",
            "--bill",
            "B-1",
        ],
    )["points"]
        .as_i64()
        .unwrap();
    ok_json(
        d,
        &[
            "redeem",
            "0812345678",
            "--points",
            &earned.to_string(),
            "--reward",
            "ทองคำ",
        ],
    );
    let card = ok_json(d, &["member", "show", "0812345678"]);
    assert_eq!(card["balance_pending"], 0);
    assert_eq!(card["entries_waiting_to_sync"], 2);
    let text = stdout(&counter(d, &["member", "show", "0812345678"]));
    assert!(
        text.contains("balance   0 pt  (2 entries waiting to sync, together 0 pt)"),
        "{text}"
    );
}

#[test]
fn an_empty_pin_is_refused_without_spending_an_attempt() {
    let dir = shop();
    let d = dir.path();
    let file = d.join(taem_replica::REPLICA_FILE_NAME);
    let conn = rusqlite::Connection::open(&file).unwrap();
    conn.execute(
        "INSERT INTO staff(staff_id, name, role, pin_hash, active) VALUES (x'01', 'นิด', 'cashier', 'not-a-hash', 1)",
        [],
    )
    .unwrap();
    let attempts = || -> i64 {
        conn.query_row("SELECT failed_attempts FROM staff", [], |r| r.get(0))
            .unwrap()
    };
    let out = common::counter_with_input(d, &["--json", "signin", "นิด"], b"\n");
    assert_eq!(out.status.code(), Some(1));
    let err: serde_json::Value = serde_json::from_slice(&out.stderr).unwrap();
    assert_eq!(err["error"]["code"], "empty_pin", "{err}");
    assert!(
        err["error"]["message"]
            .as_str()
            .unwrap()
            .contains("no attempt was used"),
        "{err}"
    );
    let (code, _) = refused(d, &["signin", "นิด", "--pin", " "]);
    assert_eq!(code, "empty_pin");
    assert_eq!(attempts(), 0, "no attempt spent");
    // A PIN that was typed is checked, and a wrong one counts.
    let (code, _) = refused(d, &["signin", "นิด", "--pin", "1234"]);
    assert_eq!(code, "wrong_pin");
    assert_eq!(attempts(), 1);
}
