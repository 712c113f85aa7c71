//! Offline sync across real processes: the real `taem-server` on loopback, real counters,
//! a fault-injecting proxy for "the internet is down" and worse.

use std::collections::BTreeMap;

use taem_e2e::proxy::{Fault, FaultPlan, FaultProxy};
use taem_e2e::{Counter, Server};

struct Shop {
    server: Server,
    proxy: FaultProxy,
    shop: String,
    counters: Vec<Counter>,
    _dir: tempfile::TempDir,
}

/// A shop with one counter per branch, all reaching the server through one proxy.
fn shop(branches: &[&str]) -> Shop {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("server"));
    let (shop, first_code) = server.create_shop("ร้านทดสอบ", branches[0]);
    let proxy = FaultProxy::start(server.addr(), FaultPlan::PassAll).unwrap();
    let mut counters = Vec::new();
    for (i, branch) in branches.iter().enumerate() {
        let code = if i == 0 {
            first_code.clone()
        } else {
            server.enrol_code(&shop, branch)
        };
        let counter = Counter::new(&dir.path().join(format!("counter-{branch}")));
        counter.enrol(&proxy.url(), &code, &format!("counter {branch}"));
        counters.push(counter);
    }
    // Each counter learns the branches added after it enrolled (the shop's set-up is done).
    for c in &counters {
        c.sync_until_clean(3).unwrap();
    }
    Shop {
        server,
        proxy,
        shop,
        counters,
        _dir: dir,
    }
}

fn sync_all(shop: &Shop) {
    // Twice: the second round brings every counter the others' operations.
    for _ in 0..2 {
        for c in &shop.counters {
            c.sync_until_clean(5).unwrap();
        }
    }
}

/// The server's review items of one kind.
fn reviews_of(shop: &Shop, kind: &str) -> Vec<serde_json::Value> {
    let reviews = shop.server.admin(&["reviews", "--shop", &shop.shop]);
    reviews
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["kind"] == kind)
        .cloned()
        .collect()
}

/// Every balance equals its ledger on the server, and every counter shows the server's.
fn assert_converged(shop: &Shop) -> BTreeMap<String, i64> {
    let balances = shop.server.balances(&shop.shop);
    let mut by_phone = BTreeMap::new();
    for (phone, balance, ledger_sum) in &balances {
        assert_eq!(
            balance, ledger_sum,
            "server balance of {phone} differs from its ledger"
        );
        by_phone.insert(phone.clone(), *balance);
        for c in &shop.counters {
            let shown = c.run(&["member", "show", phone]);
            assert_eq!(
                shown["balance"].as_i64(),
                Some(*balance),
                "{} shows {phone} with {} points, the server {balance}",
                c.dir.display(),
                shown["balance"]
            );
            assert_eq!(shown["balance_pending"].as_i64(), Some(0));
        }
    }
    by_phone
}

#[test]
fn three_branches_offline_for_a_day_converge_to_the_sum_of_every_operation() {
    let shop = shop(&["BKK01", "BKK02", "CNX01"]);
    let phones = ["0811111111", "0822222222", "0833333333"];
    for (i, phone) in phones.iter().enumerate() {
        shop.counters[0].register(phone, &format!("สมาชิก{i}"));
    }
    sync_all(&shop);

    shop.proxy.set_offline(true);
    let mut expected: BTreeMap<&str, i64> = BTreeMap::new();
    for (b, counter) in shop.counters.iter().enumerate() {
        for (i, phone) in phones.iter().enumerate() {
            for bill in 0..3 {
                let amount = format!("{}", 100 * (b + 1) + 25 * i + bill);
                let points = counter.award(phone, &amount, &format!("B{b}-{i}-{bill}"));
                *expected.entry(phone).or_default() += points;
            }
        }
        let err = counter.sync().unwrap_err();
        assert_eq!(err.code, "offline", "{}", err.message);
        let status = counter.status();
        assert_eq!(status["sync"]["waiting"].as_u64(), Some(9));
        assert_eq!(status["sync"]["online"], false);
    }
    shop.proxy.set_offline(false);
    sync_all(&shop);

    let balances = assert_converged(&shop);
    for phone in phones {
        assert_eq!(balances[phone], expected[phone], "{phone}");
    }
    for c in &shop.counters {
        let status = c.status();
        assert_eq!(status["sync"]["waiting"].as_u64(), Some(0));
        assert_eq!(status["sync"]["online"], true);
    }
}

#[test]
fn the_same_bill_earned_at_two_branches_offline_earns_once_and_the_other_is_rejected() {
    let shop = shop(&["BKK01", "BKK02"]);
    shop.counters[0].register("0811111111", "สมหญิง");
    sync_all(&shop);
    shop.proxy.set_offline(true);
    let first = shop.counters[0].award("0811111111", "500", "BILL-7");
    shop.counters[1].award("0811111111", "500", "BILL-7");
    shop.proxy.set_offline(false);
    sync_all(&shop);
    let balances = assert_converged(&shop);
    assert_eq!(balances["0811111111"], first);
    let rejected = shop.counters[1].run(&["rejections"]);
    assert_eq!(rejected[0]["code"], "bill_already_earned", "{rejected}");
    assert!(rejected[0]["message"].as_str().unwrap().contains("BKK01"));
}

#[test]
fn two_branches_redeeming_the_same_points_offline_are_both_kept_and_one_is_flagged() {
    let shop = shop(&["BKK01", "BKK02"]);
    shop.counters[0].register("0811111111", "สมหญิง");
    let earned = shop.counters[0].award("0811111111", "2500", "B1");
    assert_eq!(earned, 100);
    sync_all(&shop);

    shop.proxy.set_offline(true);
    for c in &shop.counters {
        c.run(&[
            "redeem",
            "0811111111",
            "--points",
            "80",
            "--reward",
            "แก้วน้ำ",
        ]);
    }
    shop.proxy.set_offline(false);
    sync_all(&shop);

    let balances = assert_converged(&shop);
    assert_eq!(
        balances["0811111111"],
        100 - 160,
        "both redemptions are kept"
    );
    let overdrawn = reviews_of(&shop, "overdrawn");
    assert_eq!(overdrawn.len(), 1, "{overdrawn:?}");
    assert_eq!(
        overdrawn[0]["op_ids"].as_array().unwrap().len(),
        2,
        "both operations shown"
    );
    for c in &shop.counters {
        let local = c.run(&["reviews"]);
        assert!(
            local
                .as_array()
                .unwrap()
                .iter()
                .any(|r| r["kind"] == "overdrawn"),
            "{local}"
        );
    }
}

#[test]
fn the_same_phone_registered_at_two_branches_offline_becomes_one_member() {
    let shop = shop(&["BKK01", "BKK02"]);
    shop.proxy.set_offline(true);
    shop.counters[0].register("0899999999", "มานี");
    let a = shop.counters[0].award("0899999999", "250", "A1");
    let second = shop.counters[1].run(&[
        "member",
        "add",
        "--phone",
        "0899999999",
        "--first-name",
        "มานี",
        "--last-name",
        "มีนา",
    ]);
    let second_code = second["member"]["code"].as_str().unwrap().to_string();
    let b = shop.counters[1].award("0899999999", "500", "B1");
    shop.proxy.set_offline(false);
    sync_all(&shop);

    let balances = assert_converged(&shop);
    assert_eq!(balances.len(), 1, "one member: {balances:?}");
    assert_eq!(balances["0899999999"], a + b, "both ledgers joined");
    for c in &shop.counters {
        let found = c.run(&["member", "find", "0899999999"]);
        assert_eq!(found["members"].as_array().unwrap().len(), 1, "{found}");
        let shown = c.run(&["member", "show", "0899999999"]);
        assert_eq!(shown["profile"]["last_name"], "มีนา", "fields merged");
    }
    let reviews = shop.server.admin(&["reviews", "--shop", &shop.shop]);
    assert!(
        reviews
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["kind"] == "merged"),
        "{reviews}"
    );
    // The card printed for the second registration still finds the one member everywhere.
    let survivor = shop.counters[0].run(&["member", "show", "0899999999"])["member_id"].clone();
    for c in &shop.counters {
        let found = c.run(&["member", "find", &second_code]);
        assert_eq!(found["members"][0]["member_id"], survivor, "{found}");
    }
}

#[test]
fn profile_edits_merge_per_field_latest_edit_wins() {
    let shop = shop(&["BKK01", "BKK02"]);
    shop.counters[0].register("0811111111", "สมชาย");
    sync_all(&shop);
    shop.proxy.set_offline(true);
    shop.counters[0].run(&["member", "edit", "0811111111", "--email", "a@example.com"]);
    shop.counters[1].run(&["member", "edit", "0811111111", "--last-name", "ใจดี"]);
    std::thread::sleep(std::time::Duration::from_millis(20));
    shop.counters[0].run(&["member", "edit", "0811111111", "--last-name", "รักดี"]);
    shop.proxy.set_offline(false);
    sync_all(&shop);
    for c in &shop.counters {
        let shown = c.run(&["member", "show", "0811111111"]);
        assert_eq!(shown["profile"]["email"], "a@example.com");
        assert_eq!(shown["profile"]["last_name"], "รักดี", "the later edit wins");
    }
}

#[test]
fn every_operation_is_applied_exactly_once_through_a_faulty_network() {
    let shop = shop(&["BKK01"]);
    let counter = &shop.counters[0];
    counter.register("0811111111", "สมหญิง");
    counter.sync_until_clean(3).unwrap();
    let mut expected = 0;
    for i in 0..40 {
        expected += counter.award("0811111111", &format!("{}", 100 + i), &format!("F{i}"));
    }
    // Each fault kind at least once, in order, then random faults.
    shop.proxy.set_plan(FaultPlan::Script(vec![
        Fault::DropRequest,
        Fault::DropResponse,
        Fault::Duplicate,
        Fault::ResetMidResponse,
        Fault::Answer502,
        Fault::Delay(std::time::Duration::from_millis(300)),
        Fault::DropResponse,
    ]));
    counter.sync_until_clean(20).unwrap();
    shop.proxy.set_plan(FaultPlan::Seeded {
        seed: 7,
        fault_rate: 0.5,
    });
    for i in 40..60 {
        expected += counter.award("0811111111", &format!("{}", 100 + i), &format!("F{i}"));
        if i % 5 == 0 {
            let _ = counter.sync();
        }
    }
    counter.sync_until_clean(40).unwrap();
    shop.proxy.set_plan(FaultPlan::PassAll);
    counter.sync_until_clean(3).unwrap();
    let stats = shop.proxy.stats();
    assert!(
        stats.dropped_responses >= 2 && stats.duplicated >= 1,
        "{stats:?}"
    );
    let balances = assert_converged(&shop);
    assert_eq!(balances["0811111111"], expected);
}

#[test]
fn a_server_killed_during_a_push_loses_nothing_and_doubles_nothing() {
    let mut shop = shop(&["BKK01"]);
    let counter = &shop.counters[0];
    counter.register("0811111111", "สมหญิง");
    counter.sync_until_clean(3).unwrap();
    // Queue many operations offline through the batch interface (one process, fast).
    let mut lines = String::new();
    for i in 0..1_500 {
        lines.push_str(&format!(
            "{{\"op\":\"award\",\"member\":\"0811111111\",\"amount\":\"{}\",\"bill\":\"K{i}\"}}\n",
            25 * (1 + i % 4)
        ));
    }
    let expected: i64 = (0..1_500).map(|i| 1 + i % 4).sum();
    let mut child = counter
        .command(&["batch"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(lines.as_bytes())
        .unwrap();
    assert!(child.wait().unwrap().success());

    for round in 0..3 {
        let mut sync = counter
            .command(&["sync"])
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(150 + 100 * round));
        shop.server.kill();
        let _ = sync.wait();
        shop.server.restart();
    }
    // And a counter killed in the middle of a sync.
    let mut sync = counter.command(&["sync"]).spawn().unwrap();
    std::thread::sleep(std::time::Duration::from_millis(100));
    let _ = sync.kill();
    let _ = sync.wait();
    shop.counters[0].sync_until_clean(10).unwrap();
    let balances = assert_converged(&shop);
    assert_eq!(balances["0811111111"], expected);
}

#[test]
fn tiers_upgrade_at_once_and_the_servers_re_evaluation_moves_members_down_everywhere() {
    let shop = shop(&["BKK01", "BKK02"]);
    let owner = &shop.counters[0];
    let mut settings = owner.run(&["settings", "pull"]);
    settings["settings"]["tiers"]["enabled"] = serde_json::json!(true);
    let file = owner.dir.join("settings.json");
    std::fs::write(&file, settings.to_string()).unwrap();
    owner.run(&[
        "settings",
        "push",
        "--file",
        file.to_str().unwrap(),
        "--staff",
        "owner",
        "--pin",
        "1234",
    ]);
    sync_all(&shop);

    owner.register("0811111111", "สมหญิง");
    owner.award("0811111111", "12500", "T1"); // 500 points: silver (tier 2)
    let tier = |c: &Counter| c.run(&["member", "show", "0811111111"])["tier"]["id"].as_u64();
    assert_eq!(tier(owner), Some(2), "upgraded at once, offline");
    sync_all(&shop);
    for c in &shop.counters {
        assert_eq!(tier(c), Some(2), "the server confirmed the upgrade");
    }

    // As of a month ago the points were not earned yet: a run for that day leaves them out
    // (and one for today puts the member back).
    // (Bangkok's date: the shop's days are Bangkok days, 7 hours ahead of UTC.)
    let day = |days: i64| {
        (chrono::Utc::now() + chrono::Duration::hours(7) + chrono::Duration::days(days))
            .date_naive()
            .to_string()
    };
    let summary = shop
        .server
        .admin(&["reevaluate", "--shop", &shop.shop, "--today", &day(-30)]);
    assert_eq!(summary["moved"], 1, "{summary}");
    // Today as a Thai shop writes it: dd/mm/yyyy in the Buddhist Era.
    let today_be = {
        let d = (chrono::Utc::now() + chrono::Duration::hours(7)).date_naive();
        format!("{}/{}", d.format("%d/%m"), chrono::Datelike::year(&d) + 543)
    };
    let summary = shop
        .server
        .admin(&["reevaluate", "--shop", &shop.shop, "--today", &today_be]);
    assert_eq!(summary["moved"], 1, "{summary}");

    // Thirteen months later the points have left the 12-month window.
    let later = (chrono::Utc::now() + chrono::Duration::days(400))
        .date_naive()
        .to_string();
    let summary = shop
        .server
        .admin(&["reevaluate", "--shop", &shop.shop, "--today", &later]);
    assert_eq!(summary["moved"], 1, "{summary}");
    sync_all(&shop);
    for c in &shop.counters {
        assert_eq!(tier(c), Some(1), "moved down on {}", c.dir.display());
        let history = c.run(&["history", "0811111111"]);
        assert!(history.to_string().contains("reevaluation"), "{history}");
    }
}

#[test]
fn a_profile_edit_the_server_rejects_is_undone_on_the_counter_and_shown() {
    let shop = shop(&["BKK01", "BKK02"]);
    shop.counters[0].register("0811111111", "สมชาย");
    sync_all(&shop);
    shop.proxy.set_offline(true);
    // Counter 2 moves the member to a new phone while counter 1 registers someone with it.
    shop.counters[1].run(&["member", "edit", "0811111111", "--phone", "0833333333"]);
    shop.counters[0].register("0833333333", "สมศรี");
    shop.proxy.set_offline(false);
    shop.counters[0].sync_until_clean(5).unwrap();
    shop.counters[1].sync_until_clean(5).unwrap();
    let rejected = shop.counters[1].run(&["rejections"]);
    assert_eq!(rejected[0]["code"], "phone_taken", "{rejected}");
    shop.counters[1].sync_until_clean(5).unwrap();
    let back = shop.counters[1].run(&["member", "show", "0811111111"]);
    assert_eq!(
        back["profile"]["first_name"], "สมชาย",
        "the old phone finds the member again"
    );
    let other = shop.counters[1].run(&["member", "show", "0833333333"]);
    assert_eq!(other["profile"]["first_name"], "สมศรี");
}

#[test]
fn imported_members_and_their_initial_points_reach_the_server_and_the_other_counters_once() {
    let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/import");
    let shop = shop(&["BKK01", "CNX01"]);
    // The import needs no network: the members wait in the counter's outbox like any other
    // operation until it syncs.
    let report = shop.counters[0].run(&[
        "import",
        fixtures.join("utf8-bom.csv").to_str().unwrap(),
        "--branch",
        "CNX01",
    ]);
    assert_eq!(report["imported"].as_u64(), Some(5), "{report}");
    assert!(
        shop.counters[0].status()["pending_operations"]
            .as_i64()
            .unwrap()
            >= 5
    );
    // The counter knows the shop's branches from its server: a code that is not one of them
    // is refused before anything is read, until the head office adds the branch.
    let file = fixtures.join("utf8-bom.csv");
    let refused = shop.counters[0]
        .try_run(&[
            "import",
            file.to_str().unwrap(),
            "--branch",
            "KKC01",
            "--dry-run",
        ])
        .unwrap_err();
    assert_eq!(refused.code, "unknown_branch", "{}", refused.message);
    assert!(
        refused.message.contains("its branches: BKK01, CNX01"),
        "{}",
        refused.message
    );
    shop.server.admin(&[
        "branch",
        "add",
        "--shop",
        &shop.shop,
        "--code",
        "KKC01",
        "--name",
        "ขอนแก่น",
    ]);
    sync_all(&shop);
    let checked = shop.counters[0].run(&[
        "import",
        file.to_str().unwrap(),
        "--branch",
        "KKC01",
        "--dry-run",
    ]);
    assert_eq!(checked["branch"], "KKC01", "{checked}");
    let balances = assert_converged(&shop);
    assert_eq!(balances.len(), 5, "{balances:?}");
    let total: i64 = balances.values().sum();
    assert!(total > 0, "the initial points arrived: {balances:?}");
    // The same file at the other counter: every row is already a member, nothing is doubled.
    let again = shop.counters[1].run(&["import", fixtures.join("utf8-bom.csv").to_str().unwrap()]);
    assert_eq!(
        (
            again["imported"].as_u64(),
            again["already_members"].as_u64()
        ),
        (Some(0), Some(5))
    );
    sync_all(&shop);
    assert_eq!(assert_converged(&shop), balances);
}

/// A member list keeps its members' codes. When a counter keeps a code the server has already
/// given another member (head office imported an overlapping list the counter had not yet
/// received), the sync goes on: the server's member keeps the code, the counter's member and
/// their points are kept under a new code, and a manager is told to give them a new card.
#[test]
fn a_code_kept_at_a_counter_that_the_server_gave_another_member_never_stops_sync() {
    let shop = shop(&["BKK01"]);
    let dir = shop._dir.path();
    let code = "Q9Q9Q9Q9Q9K";
    let list = |name: &str, phone: &str| {
        let path = dir.join(name);
        std::fs::write(
            &path,
            format!(
                "Phone*,First name*,Initial points,Member code\r\n{phone},คนที่{name},100,{code}\r\n"
            ),
        )
        .unwrap();
        path
    };
    let hq = list("hq.csv", "0855550001");
    let done = shop.server.admin(&[
        "import",
        "--shop",
        &shop.shop,
        "--branch",
        "BKK01",
        hq.to_str().unwrap(),
    ]);
    assert_eq!(done["imported"].as_u64(), Some(1), "{done}");
    // The counter imports its own list before it received head office's member.
    let counter = &shop.counters[0];
    let local = list("shop.csv", "0855550002");
    let report = counter.run(&["import", local.to_str().unwrap()]);
    assert_eq!(report["imported"].as_u64(), Some(1), "{report}");
    assert_eq!(
        report["new_codes"].as_u64(),
        Some(0),
        "the counter had no one with it"
    );

    counter.sync_until_clean(5).unwrap();
    assert!(
        counter.run(&["rejections"]).as_array().unwrap().is_empty(),
        "nothing rejected: {}",
        counter.run(&["rejections"])
    );
    // The code finds head office's member; the counter's member has a code of their own.
    let found = counter.run(&["member", "show", code]);
    assert_eq!(found["phone"], "0855550001", "{found}");
    let ours = counter.run(&["member", "show", "0855550002"]);
    let new_code = ours["code"].as_str().unwrap().replace('-', "");
    assert_ne!(new_code, code, "{ours}");
    assert_eq!(
        ours["balance"].as_i64(),
        Some(100),
        "their points kept: {ours}"
    );
    let mut balances = shop.server.balances(&shop.shop);
    balances.sort();
    assert_eq!(
        balances,
        vec![
            ("0855550001".to_string(), 100, 100),
            ("0855550002".to_string(), 100, 100)
        ]
    );
    let told = reviews_of(&shop, "code_replaced");
    assert_eq!(told.len(), 1, "{told:?}");
    let message = told[0]["message"].as_str().unwrap();
    let grouped = format!(
        "{}-{}-{}",
        &new_code[..5],
        &new_code[5..10],
        &new_code[10..]
    );
    assert!(
        message.contains("Q9Q9Q-9Q9Q9-K") && message.contains(&grouped),
        "{message}"
    );
}

#[test]
fn the_same_members_imported_at_two_counters_offline_are_imported_once_and_reported() {
    let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/import");
    let shop = shop(&["BKK01", "CNX01"]);
    shop.proxy.set_offline(true);
    let first = shop.counters[0].run(&["import", fixtures.join("utf8-bom.csv").to_str().unwrap()]);
    assert_eq!(first["imported"].as_u64(), Some(5), "{first}");
    // Meanwhile the other branch imports an overlapping list: two of the same phones, one
    // with another name and other points.
    let overlap = shop.counters[1].dir.join("overlap.csv");
    std::fs::write(
        &overlap,
        "เบอร์มือถือ*,ชื่อ*,แต้มเริ่มต้น\n0812010001,สมศรีสอง,300\n0892010002,สมชาย,1200\n",
    )
    .unwrap();
    let second = shop.counters[1].run(&["import", overlap.to_str().unwrap()]);
    assert_eq!(
        second["imported"].as_u64(),
        Some(2),
        "offline it cannot know: {second}"
    );
    shop.proxy.set_offline(false);
    sync_all(&shop);

    let balances = assert_converged(&shop);
    assert_eq!(balances.len(), 5, "one member per phone: {balances:?}");
    assert_eq!(
        (balances["0812010001"], balances["0892010002"]),
        (120, 1200),
        "the first import's points, not doubled nor replaced: {balances:?}"
    );
    for c in &shop.counters {
        let shown = c.run(&["member", "show", "0812010001"]);
        assert_eq!(
            shown["profile"]["first_name"],
            "สมศรี",
            "the member's details stay at {}",
            c.dir.display()
        );
        let found = c.run(&["member", "find", "0892010002"]);
        assert_eq!(found["members"].as_array().unwrap().len(), 1, "{found}");
    }
    let already = reviews_of(&shop, "already_member");
    assert_eq!(already.len(), 2, "{already:?}");
    assert!(
        already
            .iter()
            .any(|r| r["message"].as_str().unwrap().contains("081-201-0001")),
        "{already:?}"
    );
    // The second counter is told why its points were not added.
    let rejected = shop.counters[1].run(&["rejections"]).to_string();
    assert!(rejected.contains("already_member"), "{rejected}");
    assert!(rejected.contains("were not added"), "{rejected}");
}

#[test]
fn a_chain_imports_its_members_on_the_server_and_every_counter_receives_them_once() {
    let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/import");
    let file = fixtures.join("windows-874.csv");
    let file = file.to_str().unwrap();
    let shop = shop(&["BKK01", "CNX01"]);
    let s = &shop.server;
    let devices = |s: &Server| s.admin(&["devices", "list", "--shop", &shop.shop]);
    let before = devices(s).as_array().unwrap().len();
    let import = |extra: &[&str]| {
        let mut args = vec!["import", "--shop", &shop.shop, "--branch", "cnx01", file];
        args.extend_from_slice(extra);
        s.admin(&args)
    };

    // A check writes nothing, enrols nothing.
    let check = import(&["--dry-run"]);
    assert_eq!(
        (check["rows"].as_u64(), check["imported"].as_u64()),
        (Some(6), Some(0)),
        "{check}"
    );
    assert_eq!(
        (&check["dry_run"], &check["would_import"], &check["branch"]),
        (
            &serde_json::json!(true),
            &serde_json::json!(6),
            &serde_json::json!("CNX01")
        ),
        "{check}"
    );
    // An enrolment code lives 1 to 720 hours.
    for hours in ["0", "100000"] {
        let e = s.admin_fails(&[
            "enrol-code",
            "--shop",
            &shop.shop,
            "--branch",
            "BKK01",
            "--hours",
            hours,
        ]);
        assert!(e.contains("1..=720"), "{e}");
    }
    // A mistyped --data-dir is said as such, and no empty server is made there.
    let typo = shop._dir.path().join("taem-server-dat");
    let out = std::process::Command::new(taem_e2e::bin_dir().join("taem-server"))
        .arg("--data-dir")
        .arg(&typo)
        .args(["--json", "shops"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let e: serde_json::Value = serde_json::from_slice(&out.stderr).unwrap();
    assert_eq!(e["error"]["code"], "not_found", "{e}");
    assert!(
        e["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("check --data-dir")),
        "{e}"
    );
    assert!(!typo.exists(), "no data directory made");
    assert!(s.balances(&shop.shop).is_empty());
    assert_eq!(devices(s).as_array().unwrap().len(), before);
    // The report cannot go over the member list itself (it would empty it before it is read).
    let copy = shop._dir.path().join("list.csv");
    std::fs::copy(file, &copy).unwrap();
    let copy = copy.to_str().unwrap();
    let e = s.admin_fails(&[
        "import", "--shop", &shop.shop, "--branch", "cnx01", copy, "--report", copy,
    ]);
    assert!(e.contains("is the file being imported"), "{e}");
    assert_eq!(std::fs::read(copy).unwrap(), std::fs::read(file).unwrap());
    // Nor over a file that is not an earlier report (another member list, say).
    let e = s.admin_fails(&[
        "import", "--shop", &shop.shop, "--branch", "cnx01", file, "--report", copy,
    ]);
    assert!(e.contains("is not an import report"), "{e}");
    assert_eq!(std::fs::read(copy).unwrap(), std::fs::read(file).unwrap());
    assert!(s.balances(&shop.shop).is_empty());

    // The import: one import device, revoked when done; every member at CNX01 with their points.
    let done = import(&[]);
    assert_eq!(done["imported"].as_u64(), Some(6), "{done}");
    let after = devices(s);
    let after = after.as_array().unwrap();
    assert_eq!(after.len(), before + 1);
    let device = after
        .iter()
        .find(|d| d["name"].as_str().unwrap().contains("windows-874.csv"))
        .unwrap();
    assert!(device["revoked_at"].is_string(), "{device}");
    assert_eq!(device["branch"].as_str(), Some("CNX01"));
    sync_all(&shop);
    let balances = assert_converged(&shop);
    assert_eq!(balances.len(), 6, "{balances:?}");
    assert_eq!(balances["0842030001"], 80, "the initial points of line 2");
    let shown = shop.counters[0].run(&["member", "show", "0842030001"]);
    assert_eq!(shown["branch"].as_str(), Some("CNX01"), "{shown}");

    // Again: every row is a member already; nothing doubled, no device enrolled. The report
    // file says so for each row.
    let report = shop._dir.path().join("again-report.csv");
    let again = import(&["--report", report.to_str().unwrap()]);
    let written = std::fs::read_to_string(&report).unwrap();
    assert_eq!(
        written.matches(",already_member\r\n").count(),
        6,
        "{written}"
    );
    // A report that cannot be written does not hide that the import ran.
    let e = s.admin_fails(&[
        "import",
        "--shop",
        &shop.shop,
        "--branch",
        "cnx01",
        file,
        "--report",
        "/dev/full",
    ]);
    assert!(
        e.contains("the import is done") && e.contains("only the report could not be written"),
        "{e}"
    );
    assert_eq!(
        (
            again["imported"].as_u64(),
            again["already_members"].as_u64()
        ),
        (Some(0), Some(6))
    );
    assert_eq!(devices(s).as_array().unwrap().len(), before + 1);
    // And a counter importing the same file finds them too.
    let counter = shop.counters[1].run(&["import", file]);
    assert_eq!(counter["already_members"].as_u64(), Some(6), "{counter}");

    // Refused: a branch the shop does not have, a file that is not a table. Nothing changes.
    let e = s.admin_fails(&["import", "--shop", &shop.shop, "--branch", "XX99", file]);
    assert!(
        e.contains("has no branch XX99") && e.contains("branch add"),
        "{e}"
    );
    // With --json the error is JSON too, with a stable code.
    let e = s.admin_fails(&[
        "--json", "import", "--shop", &shop.shop, "--branch", "XX99", file,
    ]);
    let e: serde_json::Value =
        serde_json::from_str(e.trim()).unwrap_or_else(|_| panic!("not JSON: {e}"));
    assert!(
        e["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("has no branch XX99")),
        "{e}"
    );
    assert!(
        e["error"]["code"].as_str().is_some_and(|c| !c.is_empty()),
        "{e}"
    );
    // A command line it cannot read too.
    let e = s.admin_fails(&["--json", "import", "--shop", "not-a-shop-id", file]);
    let e: serde_json::Value =
        serde_json::from_str(e.trim()).unwrap_or_else(|_| panic!("not JSON: {e}"));
    assert_eq!(e["error"]["code"], "usage", "{e}");
    let binary = fixtures.join("binary-renamed.csv");
    let e = s.admin_fails(&[
        "import",
        "--shop",
        &shop.shop,
        "--branch",
        "CNX01",
        binary.to_str().unwrap(),
    ]);
    assert!(
        e.contains("nothing imported") && e.contains("ไม่ใช่รายชื่อสมาชิก"),
        "{e}"
    );
    assert_eq!(devices(s).as_array().unwrap().len(), before + 1);
    sync_all(&shop);
    assert_eq!(assert_converged(&shop), balances);

    // The server's downloads: the whole ledger (the import entries included) and the members,
    // which import again as the same members with the same points into another shop.
    let out = tempfile::tempdir().unwrap();
    let ledger = out.path().join("ledger.xlsx");
    let got = s.admin(&[
        "download",
        "ledger",
        "--shop",
        &shop.shop,
        "-o",
        ledger.to_str().unwrap(),
        "--branch",
        "CNX01",
    ]);
    let with_points = balances.values().filter(|b| **b > 0).count() as u64;
    assert_eq!(got["rows"].as_u64(), Some(with_points), "{got}");
    let members = out.path().join("members.csv");
    let got = s.admin(&[
        "download",
        "members",
        "--shop",
        &shop.shop,
        "-o",
        members.to_str().unwrap(),
        "--lang",
        "en",
    ]);
    assert_eq!(got["rows"].as_u64(), Some(6), "{got}");
    // The same download again does not replace the file unasked; with --force it does.
    let before = std::fs::read(&members).unwrap();
    std::fs::write(&members, "a filled-in list\n").unwrap();
    let e = s.admin_fails(&[
        "download",
        "members",
        "--shop",
        &shop.shop,
        "-o",
        members.to_str().unwrap(),
    ]);
    assert!(e.contains("exists already") && e.contains("--force"), "{e}");
    assert_eq!(std::fs::read(&members).unwrap(), b"a filled-in list\n");
    let got = s.admin(&[
        "download",
        "members",
        "--shop",
        &shop.shop,
        "-o",
        members.to_str().unwrap(),
        "--lang",
        "en",
        "--force",
    ]);
    assert_eq!(got["rows"].as_u64(), Some(6), "{got}");
    assert_eq!(std::fs::read(&members).unwrap(), before);
    // A folder given as the file, and a file in a folder that does not exist, are named as
    // such (with or without --force).
    let e = s.admin_fails(&[
        "download",
        "members",
        "--shop",
        &shop.shop,
        "-o",
        out.path().to_str().unwrap(),
        "--force",
    ]);
    assert!(e.contains("is a folder: give a file name"), "{e}");
    let missing = out.path().join("no-such-folder").join("m.csv");
    let e = s.admin_fails(&[
        "download",
        "members",
        "--shop",
        &shop.shop,
        "-o",
        missing.to_str().unwrap(),
    ]);
    assert!(
        e.contains("does not exist") && !e.contains(".partial"),
        "{e}"
    );
    // A reader that goes away (`taem-server balances … | head`) ends the program quietly.
    let mut child = std::process::Command::new(taem_e2e::bin_dir().join("taem-server"))
        .arg("--data-dir")
        .arg(&s.dir)
        .args(["balances", "--shop", &shop.shop])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let ended = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&ended.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(ended.status.code(), Some(141), "{stderr}");
    let e = s.admin_fails(&[
        "download",
        "ledger",
        "--shop",
        &shop.shop,
        "-o",
        "x.csv",
        "--from",
        "02/11/2569",
        "--to",
        "01/11/2569",
    ]);
    assert!(e.contains("swap them"), "{e}");
    // A branch the shop does not have is named, not answered with an empty file.
    let e = s.admin_fails(&[
        "download",
        "ledger",
        "--shop",
        &shop.shop,
        "-o",
        out.path().join("nope.csv").to_str().unwrap(),
        "--branch",
        "NOPE",
    ]);
    assert!(e.contains("has no branch NOPE"), "{e}");
    assert!(!out.path().join("nope.csv").exists());
    let (other, _) = s.create_shop("ร้านใหม่", "HQ01");
    let again = s.admin(&[
        "import",
        "--shop",
        &other,
        "--branch",
        "HQ01",
        members.to_str().unwrap(),
    ]);
    assert_eq!(again["imported"].as_u64(), Some(6), "{again}");
    let moved: BTreeMap<String, i64> = s
        .balances(&other)
        .into_iter()
        .map(|(phone, balance, _)| (phone, balance))
        .collect();
    assert_eq!(moved, balances, "the same members with the same points");
}
