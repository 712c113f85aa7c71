//! The server's API against bad and hostile requests, over real HTTP: shops are isolated,
//! revoked devices refused, malformed requests get a clear 4xx and change nothing.

use serde_json::Value;
use taem_e2e::{Counter, Server, raw_http};

struct Enrolled {
    counter: Counter,
    token: String,
}

fn token_of(counter: &Counter) -> String {
    let db = rusqlite::Connection::open(counter.dir.join("replica.taem.sqlite3")).unwrap();
    db.query_row(
        "SELECT value FROM meta WHERE key = 'device_token'",
        [],
        |r| r.get(0),
    )
    .unwrap()
}

fn enrol(server: &Server, dir: &std::path::Path, code: &str) -> Enrolled {
    let counter = Counter::new(dir);
    counter.enrol(&server.url(), code, "counter");
    let token = token_of(&counter);
    Enrolled { counter, token }
}

fn get(server: &Server, path: &str, token: &str) -> (u16, Value) {
    let (status, body) = raw_http(
        server.addr(),
        "GET",
        path,
        &[
            ("taem-protocol", "1"),
            ("Authorization", &format!("Bearer {token}")),
        ],
        b"",
    )
    .unwrap();
    (
        status,
        serde_json::from_str(&body).unwrap_or(Value::String(body)),
    )
}

fn push_raw(server: &Server, token: &str, version: &str, body: &[u8]) -> (u16, Value) {
    let (status, body) = raw_http(
        server.addr(),
        "POST",
        "/v1/push",
        &[
            ("taem-protocol", version),
            ("Authorization", &format!("Bearer {token}")),
            ("Content-Type", "application/json"),
        ],
        body,
    )
    .unwrap();
    (
        status,
        serde_json::from_str(&body).unwrap_or(Value::String(body)),
    )
}

#[test]
fn a_device_of_one_shop_gets_nothing_of_another_on_any_endpoint() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("server"));
    let (shop_a, code_a) = server.create_shop("ร้าน A", "A01");
    let (_shop_b, code_b) = server.create_shop("ร้าน B", "B01");
    let a = enrol(&server, &dir.path().join("a"), &code_a);
    let b = enrol(&server, &dir.path().join("b"), &code_b);
    b.counter.register("0822222222", "บีบี");
    b.counter.award("0822222222", "1000", "SAME-BILL");
    b.counter.sync_until_clean(3).unwrap();

    // Shop A's device: shop B's member, bill and staff are nowhere in its answers.
    let (status, pull) = get(&server, "/v1/pull?cursor=0&limit=5000", &a.token);
    assert_eq!(status, 200);
    let (status, boot) = get(&server, "/v1/bootstrap", &a.token);
    assert_eq!(status, 200);
    let (status, reviews) = get(&server, "/v1/reviews", &a.token);
    assert_eq!(status, 200);
    let (status, settings) = get(&server, "/v1/settings", &a.token);
    assert_eq!(status, 200);
    for (what, answer) in [
        ("pull", &pull),
        ("bootstrap", &boot),
        ("reviews", &reviews),
        ("settings", &settings),
    ] {
        let text = answer.to_string();
        assert!(
            !text.contains("0822222222"),
            "{what} leaks shop B's member: {text}"
        );
        assert!(!text.contains("บีบี"), "{what} leaks shop B's member");
        assert!(!text.contains("SAME-BILL"), "{what} leaks shop B's bill");
    }
    // The same bill number is free in shop A: bills are unique per shop only.
    a.counter.register("0811111111", "เอเอ");
    a.counter.award("0811111111", "1000", "SAME-BILL");
    a.counter.sync_until_clean(3).unwrap();
    assert!(
        a.counter
            .run(&["rejections"])
            .as_array()
            .unwrap()
            .is_empty()
    );
    assert_eq!(server.balances(&shop_a).len(), 1);

    // A token of shop A cannot touch shop B by naming its ids either: ids come from the token.
    let (status, _) = get(&server, "/v1/pull?cursor=0&shop=anything", &a.token);
    assert_eq!(status, 200);
}

#[test]
fn a_revoked_device_is_refused_everywhere_and_unknown_tokens_too() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("server"));
    let (shop, code) = server.create_shop("ร้าน", "A01");
    let a = enrol(&server, &dir.path().join("a"), &code);
    let devices = server.admin(&["devices", "list", "--shop", &shop]);
    let device = devices[0]["device_id"].as_str().unwrap().to_string();
    server.admin(&["devices", "revoke", "--shop", &shop, "--device", &device]);
    for path in ["/v1/pull", "/v1/bootstrap", "/v1/settings", "/v1/reviews"] {
        let (status, body) = get(&server, path, &a.token);
        assert_eq!(status, 401, "{path}: {body}");
        assert!(
            body["message"].as_str().unwrap().contains("revoked"),
            "{body}"
        );
    }
    let (status, _) = push_raw(&server, &a.token, "1", br#"{"ops":[]}"#);
    assert_eq!(status, 401);
    let (status, body) = get(&server, "/v1/pull", "not-a-token");
    assert_eq!(status, 401, "{body}");
    let err = a.counter.sync().unwrap_err();
    assert_eq!(err.code, "refused_by_server");
    assert!(err.message.contains("revoked"), "{}", err.message);
}

#[test]
fn enrolment_codes_work_once_and_wrong_ones_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("server"));
    let (_shop, code) = server.create_shop("ร้าน", "A01");
    Counter::new(&dir.path().join("a")).enrol(&server.url(), &code, "one");
    let again = Counter::new(&dir.path().join("b"))
        .try_run(&["enrol", &server.url(), &code])
        .unwrap_err();
    assert!(again.message.contains("already used"), "{}", again.message);
    let wrong = Counter::new(&dir.path().join("c"))
        .try_run(&["enrol", &server.url(), "AAAA-BBBB-CCCC"])
        .unwrap_err();
    assert!(wrong.message.contains("not valid"), "{}", wrong.message);
    // Typed in lower case with spaces: the same code.
    let (_shop2, code2) = server.create_shop("ร้าน 2", "B01");
    let typed = code2.to_lowercase().replace('-', " ");
    Counter::new(&dir.path().join("d")).enrol(&server.url(), &typed, "typed");
    // An enrolled counter cannot be enrolled again, and a local shop cannot be enrolled.
    let local = Counter::new(&dir.path().join("local"));
    local.run(&["init", "--shop", "ร้านเดิม", "--branch", "X01"]);
    local.register("0811111111", "เดิม");
    let code3 = server.enrol_code(&_shop2, "B01");
    let refused = local
        .try_run(&["enrol", &server.url(), &code3])
        .unwrap_err();
    assert_eq!(
        refused.code, "not_empty_for_enrolment",
        "{}",
        refused.message
    );
    // An enrolled counter is told just that (and its replica stays as it was).
    let enrolled = Counter::new(&dir.path().join("a"))
        .try_run(&["enrol", &server.url(), &code3])
        .unwrap_err();
    assert!(
        enrolled.message.contains("already enrolled")
            && !enrolled.message.contains("did not finish"),
        "{}",
        enrolled.message
    );
    // Refused before the server was asked: the code is not spent.
    Counter::new(&dir.path().join("e")).enrol(&server.url(), &code3, "after the refusal");
    // A server that cannot be reached: nothing is set up, and the message says so.
    let nowhere = format!("http://127.0.0.1:{}", taem_e2e::free_port());
    let unreachable = Counter::new(&dir.path().join("f"))
        .try_run(&["enrol", &nowhere, "AAAA-BBBB-CCCC"])
        .unwrap_err();
    assert_eq!(unreachable.code, "offline", "{}", unreachable.message);
    assert!(
        unreachable.message.contains("nothing was set up"),
        "{}",
        unreachable.message
    );
    let left: Vec<_> = std::fs::read_dir(dir.path().join("f"))
        .map(|d| d.flatten().map(|e| e.file_name()).collect())
        .unwrap_or_default();
    assert!(
        left.is_empty(),
        "a failed enrolment leaves no replica: {left:?}"
    );
}

#[test]
fn bad_requests_get_a_clear_4xx_and_change_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("server"));
    let (_shop, code) = server.create_shop("ร้าน", "A01");
    let a = enrol(&server, &dir.path().join("a"), &code);
    a.counter.register("0811111111", "สมหญิง");
    a.counter.sync_until_clean(3).unwrap();
    let (_, before) = get(&server, "/v1/pull?cursor=0&limit=5000", &a.token);

    let (status, body) = push_raw(&server, &a.token, "1", b"{not json");
    assert_eq!(
        (status, body["code"].as_str()),
        (400, Some("bad_json")),
        "{body}"
    );

    let (status, body) = push_raw(&server, &a.token, "99", br#"{"ops":[]}"#);
    assert_eq!(status, 426, "{body}");
    assert_eq!(body["code"], "unsupported_version");
    assert!(body["message"].as_str().unwrap().contains("99"), "{body}");

    let (status, body) = raw_http(server.addr(), "GET", "/v1/pull", &[], b"").unwrap();
    assert_eq!(status, 400, "{body}");
    assert!(body.contains("taem-protocol"), "{body}");

    let op = |kind: &str| {
        format!(
            r#"{{"op_id":"01900000-0000-7000-8000-000000000001","device_seq":2,"device_id":"00000000-0000-0000-0000-000000000000","branch":"A01","at":"2026-11-24T00:00:00Z","kind":"{kind}","member_id":"00000000-0000-0000-0000-000000000000"}}"#
        )
    };
    let (status, body) = push_raw(
        &server,
        &a.token,
        "1",
        format!(r#"{{"ops":[{}]}}"#, op("teleport")).as_bytes(),
    );
    assert_eq!(status, 400, "{body}");
    assert!(
        body["message"].as_str().unwrap().contains("teleport"),
        "{body}"
    );

    let many = vec![op("teleport"); 1_001].join(",");
    let (status, body) = push_raw(
        &server,
        &a.token,
        "1",
        format!(r#"{{"ops":[{many}]}}"#).as_bytes(),
    );
    assert_eq!(status, 400, "{body}");

    let huge = vec![b' '; 9 * 1024 * 1024];
    let (status, body) = push_raw(&server, &a.token, "1", &huge);
    assert!(status == 400 || status == 413, "{status} {body}");

    let (status, body) = get(&server, "/v1/pull?cursor=minus-one", &a.token);
    assert_eq!(
        (status, body["code"].as_str()),
        (400, Some("bad_query")),
        "{body}"
    );

    let (status, body) = get(&server, "/v1/teleport", &a.token);
    assert_eq!(status, 404, "{body}");

    let (_, after) = get(&server, "/v1/pull?cursor=0&limit=5000", &a.token);
    assert_eq!(before, after, "a refused request changed the server");
}

#[test]
fn settings_belong_to_the_owner_on_the_server_and_reach_every_counter() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("server"));
    let (shop, code) = server.create_shop("ร้าน", "A01");
    server.admin(&[
        "staff",
        "add",
        "--shop",
        &shop,
        "--name",
        "นิด",
        "--role",
        "cashier",
        "--pin",
        "5555",
    ]);
    let a = enrol(&server, &dir.path().join("a"), &code);
    a.counter.sync_until_clean(3).unwrap();

    // Counters cannot change settings locally.
    let refused = a
        .counter
        .try_run(&["rates", "set", "--counter", "10:1"])
        .unwrap_err();
    assert_eq!(
        refused.code, "settings_owned_by_server",
        "{}",
        refused.message
    );

    let current = a.counter.run(&["settings", "pull"]);
    let mut edited = current.clone();
    edited["settings"]["rates"]["counter"] = serde_json::json!({"baht": "10", "points": 1});
    let file = dir.path().join("settings.json");
    std::fs::write(&file, edited.to_string()).unwrap();
    let file = file.to_str().unwrap();

    let cashier = a.counter.try_run(&[
        "settings",
        "push",
        "--file",
        file,
        "--staff",
        "นิด",
        "--pin",
        "5555",
    ]);
    assert!(cashier.unwrap_err().message.contains("only the shop owner"));
    let wrong = a.counter.try_run(&[
        "settings", "push", "--file", file, "--staff", "owner", "--pin", "0000",
    ]);
    assert!(wrong.unwrap_err().message.contains("wrong PIN"));
    a.counter.run(&[
        "settings", "push", "--file", file, "--staff", "owner", "--pin", "1234",
    ]);

    // What `settings pull` prints without --json (a `revision N` line, then the document)
    // goes back as it is.
    let text = std::process::Command::new(taem_e2e::bin_dir().join("taem-counter"))
        .arg("--data-dir")
        .arg(&a.counter.dir)
        .args(["settings", "pull"])
        .output()
        .unwrap();
    assert!(text.status.success());
    let pulled = String::from_utf8(text.stdout).unwrap();
    assert!(pulled.starts_with("revision "), "{pulled}");
    let text_file = dir.path().join("settings.txt");
    std::fs::write(&text_file, &pulled).unwrap();
    let pushed = a.counter.run(&[
        "settings",
        "push",
        "--file",
        text_file.to_str().unwrap(),
        "--staff",
        "owner",
        "--pin",
        "1234",
    ]);
    assert_eq!(
        pushed["settings"]["rates"]["counter"]["baht"], "10.00",
        "{pushed}"
    );

    a.counter.sync_until_clean(3).unwrap();
    a.counter.register("0811111111", "สมหญิง");
    assert_eq!(
        a.counter.award("0811111111", "100", "S1"),
        10,
        "the new rate reached the counter"
    );

    // Staff sign in offline with the synced PIN hash; attempts are limited.
    assert_eq!(
        a.counter.run(&["signin", "นิด", "--pin", "5555"])["role"],
        "cashier"
    );
    for _ in 0..4 {
        assert_eq!(
            a.counter
                .try_run(&["signin", "นิด", "--pin", "1111"])
                .unwrap_err()
                .code,
            "wrong_pin"
        );
    }
    assert_eq!(
        a.counter
            .try_run(&["signin", "นิด", "--pin", "1111"])
            .unwrap_err()
            .code,
        "sign_in_locked"
    );
    assert_eq!(
        a.counter
            .try_run(&["signin", "นิด", "--pin", "5555"])
            .unwrap_err()
            .code,
        "sign_in_locked"
    );
}
