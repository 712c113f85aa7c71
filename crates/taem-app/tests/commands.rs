//! Every command of the desktop app over a real replica file — a local demo shop, and a counter
//! enrolled with a real `taem-server` (in-process, over real HTTP on loopback).

use std::net::SocketAddr;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::Utc;
use taem_app::{App, AppError, Language, MemberForm, Phase, Progress, ProgressStage};
use taem_replica::SystemEnvironment;
use taem_server::sqlite::SqliteStore;
use taem_server::store::Store;

fn progress_log() -> (Arc<Mutex<Vec<Progress>>>, taem_app::ProgressSink) {
    let log = Arc::new(Mutex::new(Vec::new()));
    let sink = {
        let log = log.clone();
        Arc::new(move |p: Progress| log.lock().unwrap().push(p))
    };
    (log, sink)
}

fn open(dir: &Path) -> App {
    App::open(dir, Arc::new(SystemEnvironment), Arc::new(|_| {})).expect("open the app")
}

fn demo_app(dir: &Path) -> App {
    let (log, sink) = progress_log();
    let app = App::open(dir, Arc::new(SystemEnvironment), sink).unwrap();
    assert_eq!(app.app_state().unwrap().phase, Phase::FirstRun);
    let state = app.start_demo_with(300).unwrap();
    assert_eq!(state.phase, Phase::SignIn);
    assert_eq!(state.members, 300);
    let log = log.lock().unwrap();
    assert!(
        log.iter()
            .any(|p| p.stage == ProgressStage::Demo && p.done == 300 && p.total == Some(300)),
        "the demo reports its progress up to the last member: {log:?}"
    );
    app
}

fn block<T>(f: impl std::future::Future<Output = T>) -> T {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(f)
}

fn json(settings: &taem_replica::ShopSettings) -> serde_json::Value {
    serde_json::to_value(settings).unwrap()
}

fn field(e: &AppError) -> &str {
    e.field.as_deref().unwrap_or("")
}

fn thai(text: &str) -> bool {
    text.chars().any(|c| ('\u{0E00}'..='\u{0E7F}').contains(&c))
}

/// A name that finds members: the first 3 letters of the first member's surname.
fn some_name(app: &App) -> (String, String) {
    for probe in ["สม", "ศรี", "สุ", "ก"] {
        if let Some(m) = app
            .find(probe, 1)
            .ok()
            .and_then(|found| found.members.into_iter().next())
        {
            let surname = m.name.split(' ').next_back().unwrap().to_string();
            let query: String = surname.chars().take(3).collect();
            return (query, m.code);
        }
    }
    panic!("the demo shop has no members to find");
}

#[test]
fn a_cashier_works_a_local_demo_shop_and_bad_input_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let app = demo_app(dir.path());
    let state = app.app_state().unwrap();
    assert_eq!(state.staff_names.len(), 3);
    assert!(!state.enrolled);

    // Nobody signed in: the counter refuses.
    assert_eq!(app.find("0812345678", 5).unwrap_err().code, "not_signed_in");
    // A wrong PIN: said next to the PIN field, in both languages.
    let wrong = app.sign_in("มานี", "9999").unwrap_err();
    assert_eq!((wrong.code.as_str(), field(&wrong)), ("wrong_pin", "pin"));
    assert!(thai(&wrong.th) && wrong.en.contains("attempts left"));
    let unknown = app.sign_in("nobody", "1111").unwrap_err();
    assert_eq!(field(&unknown), "name");
    let state = app.sign_in("มานี", "1111").unwrap();
    assert_eq!(state.phase, Phase::Ready);
    assert_eq!(state.session.unwrap().role, "cashier");

    // Find by part of a Thai name, open the card.
    let (query, _) = some_name(&app);
    let found = app.find(&query, 20).unwrap();
    assert!(!found.members.is_empty(), "{query} finds members");
    let code = found.members[0].code.clone();
    let card = app.member(&code).unwrap();
    // A mistyped card code: no member, and the hint says why in both languages.
    let mut typo: Vec<char> = code.chars().collect();
    typo[3] = if typo[3] == 'A' { 'B' } else { 'A' };
    let typo: String = typo.into_iter().collect();
    let mistyped = app.find(&typo, 20).unwrap();
    assert!(mistyped.members.is_empty());
    let hint = mistyped
        .hint
        .expect("a hint for a code that does not check out");
    assert_eq!(
        (hint.code.as_str(), hint.field.as_deref()),
        ("bad_member_code", Some("query"))
    );
    assert!(thai(&hint.th) && hint.en.contains("mistyped"), "{hint:?}");
    assert!(app.find(&code, 20).unwrap().hint.is_none());
    let before = card.balance;

    // Award: preview, then the award itself.
    let preview = app.preview_award(&code, "1,250.50").unwrap();
    assert!(preview.points > 0);
    // The rate travels as numbers, so the window words it in its own language.
    let baht: rust_decimal::Decimal = preview.rate_baht.parse().unwrap();
    assert!(
        baht > rust_decimal::Decimal::ZERO && preview.rate_points > 0,
        "{preview:?}"
    );
    let expected = (rust_decimal::Decimal::new(125050, 2)
        * rust_decimal::Decimal::from(preview.rate_points)
        / baht)
        .floor();
    assert_eq!(rust_decimal::Decimal::from(preview.points), expected);
    let op = app.new_op_id();
    let receipt = app.award(&code, "1,250.50", "APP-0001", &op).unwrap();
    assert_eq!(receipt.points, preview.points);
    assert_eq!(receipt.member.balance, before + preview.points);
    // The same operation id again (a retry): applied once.
    let again = app.award(&code, "1,250.50", "APP-0001", &op).unwrap();
    assert!(again.replayed);
    assert_eq!(app.member(&code).unwrap().balance, before + preview.points);

    // Bad input: a clear message next to the field, nothing written.
    let pending = app.app_state().unwrap();
    let balance = app.member(&code).unwrap().balance;
    for (amount, bill, wanted_field) in [
        ("12a", "APP-0002", "amount"),
        ("1.999", "APP-0002", "amount"),
        ("-5", "APP-0002", "amount"),
        ("100", "APP-0001", "bill_no"),
        ("100", "", "bill_no"),
    ] {
        let e = app
            .award(&code, amount, bill, &app.new_op_id())
            .unwrap_err();
        assert_eq!(field(&e), wanted_field, "{amount} / {bill}: {e:?}");
        assert!(thai(&e.th), "{e:?}");
    }
    let unknown = app
        .award("7K3QD-9XW2S-P", "100", "APP-0003", "")
        .unwrap_err();
    assert_eq!(field(&unknown), "key");
    let too_much = app
        .redeem(&code, &(balance + 1).to_string(), "ของรางวัล", "")
        .unwrap_err();
    assert_eq!(
        (too_much.code.as_str(), field(&too_much)),
        ("insufficient_points", "points")
    );
    let letters = app.redeem(&code, "ten", "ของรางวัล", "").unwrap_err();
    assert_eq!(field(&letters), "points");
    let no_reward = app.redeem(&code, "1", " ", "").unwrap_err();
    assert_eq!(field(&no_reward), "reward");
    assert_eq!(
        app.member(&code).unwrap().balance,
        balance,
        "nothing was written"
    );
    assert_eq!(app.app_state().unwrap().members, pending.members);

    // Redeem, void, history.
    let redeemed = app.redeem(&code, "1", "กาแฟเย็น", "").unwrap();
    assert_eq!(redeemed.points, -1);
    let voided = app.void_bill("APP-0001", "ลูกค้าคืนสินค้า", "").unwrap();
    assert_eq!(voided.points, -preview.points);
    let history = app.history(&code, 10).unwrap();
    assert!(history.len() >= 3);

    // Register (bad phone first: nothing written), then edit.
    let mut form = MemberForm {
        phone: "081-234-567".into(),
        first_name: "มานี".into(),
        last_name: "มีแต้ม".into(),
        birthday: "15/08/2535".into(),
        ..MemberForm::default()
    };
    let members = app.app_state().unwrap().members;
    let bad = app.register_member(&form, "").unwrap_err();
    assert_eq!((bad.code.as_str(), field(&bad)), ("bad_phone", "phone"));
    form.birthday = "31/02/2535".into();
    form.phone = "0999999999".into();
    assert_eq!(
        field(&app.register_member(&form, "").unwrap_err()),
        "birthday"
    );
    form.first_name = " ".into();
    form.birthday = "15/08/2535".into();
    assert_eq!(
        field(&app.register_member(&form, "").unwrap_err()),
        "first_name"
    );
    assert_eq!(
        app.app_state().unwrap().members,
        members,
        "nothing was written"
    );
    form.first_name = "มานี".into();
    let registered = app.register_member(&form, "").unwrap();
    assert_eq!(
        registered.member.profile.birthday.unwrap().to_string(),
        "1992-08-15"
    );
    let new_code = registered.member.code.clone();
    let mut edit = app.member_form(&new_code).unwrap();
    assert_eq!(edit.birthday, "15/08/2535");
    edit.last_name = "ใจดี".into();
    let edited = app.edit_member(&new_code, &edit, "").unwrap();
    assert_eq!(edited.member.profile.last_name, "ใจดี");
    assert_eq!(
        app.edit_member(&new_code, &edit, "").unwrap_err().code,
        "nothing_to_change"
    );

    // A cashier does not see the manager views or change settings.
    assert_eq!(app.tier_overview().unwrap_err().code, "not_allowed");
    assert_eq!(
        app.adjust(&code, "5", "goodwill", false, "")
            .unwrap_err()
            .code,
        "not_allowed"
    );
    assert!(!app.settings().unwrap().editable);
}

/// Ledger entries in the replica's main database file alone, ignoring its WAL: what a
/// checkpoint has copied there.
fn entries_in_main_file(dir: &Path) -> i64 {
    let uri = format!(
        "file:{}?immutable=1",
        dir.join(taem_replica::REPLICA_FILE_NAME).display()
    );
    let flags = rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_URI;
    rusqlite::Connection::open_with_flags(uri, flags)
        .unwrap()
        .query_row("SELECT COUNT(*) FROM ledger", [], |r| r.get(0))
        .unwrap()
}

#[test]
fn the_open_app_checkpoints_its_sales_once_the_counter_is_quiet() {
    let dir = tempfile::tempdir().unwrap();
    let app = demo_app(dir.path());
    app.sign_in("มานี", "1111").unwrap();
    let (_, code) = some_name(&app);
    let before = entries_in_main_file(dir.path());
    for bill in ["CP-1", "CP-2", "CP-3"] {
        app.award(&code, "100", bill, &app.new_op_id()).unwrap();
    }
    // Automatic checkpoints are off (none may land on a sale): the app's own background
    // checkpointer copies the sales into the database file once the counter is quiet, while
    // the app stays open.
    let mut waited = Duration::ZERO;
    while entries_in_main_file(dir.path()) < before + 3 && waited < Duration::from_secs(10) {
        std::thread::sleep(Duration::from_millis(50));
        waited += Duration::from_millis(50);
    }
    assert_eq!(
        entries_in_main_file(dir.path()),
        before + 3,
        "the three sales reach the database file while the app is open"
    );
    drop(app);
}

#[test]
fn a_manager_sees_tiers_and_an_owner_changes_local_settings() {
    let dir = tempfile::tempdir().unwrap();
    let app = demo_app(dir.path());
    app.sign_in("สมศรี", "2345").unwrap();
    let overview = app.tier_overview().unwrap();
    assert!(overview.enabled);
    assert_eq!(overview.total, 300);
    assert_eq!(overview.tiers.iter().map(|t| t.members).sum::<i64>(), 300);
    for tier in &overview.tiers {
        assert_eq!(tier.per_branch.iter().sum::<i64>(), tier.members);
        assert_eq!(tier.per_branch.len(), overview.branches.len());
    }
    let close = app.close_to_next_tier(10).unwrap();
    assert!(!close.is_empty());
    assert!(
        close
            .windows(2)
            .all(|w| w[0].points_to_next <= w[1].points_to_next)
    );
    for c in &close {
        assert!(c.points_to_next > 0);
        assert_ne!(c.member.tier.id, c.next_tier.id);
    }
    let drops = app.due_to_drop(50).unwrap();
    for d in &drops {
        assert!(d.points_to_keep > 0, "{d:?}");
    }
    assert!(app.reviews().unwrap().is_empty());
    assert!(app.rejections().unwrap().is_empty());
    // A manager adjusts; the operation waits in the outbox of this local shop.
    let code = close[0].member.code.clone();
    let adjusted = app.adjust(&code, "-1", "แก้ไขยอด", false, "").unwrap();
    assert_eq!(adjusted.points, -1);
    let pending = app.pending_operations(10).unwrap();
    assert_eq!(pending.last().unwrap().kind, "adjust");
    // Settings: a manager reads them; the owner edits a local shop's settings.
    let view = app.settings().unwrap();
    assert!(!view.editable && view.read_only_reason.is_some());
    app.sign_in("สมชาย", "1234").unwrap();
    let mut settings = app.settings().unwrap();
    assert!(settings.editable);
    settings.settings.tiers.enabled = false;
    let wrong = block(app.save_settings("สมชาย", "0000", json(&settings.settings))).unwrap_err();
    assert_eq!(field(&wrong), "pin");
    assert!(
        app.settings().unwrap().settings.tiers.enabled,
        "nothing changed"
    );
    let mut unordered = json(&settings.settings);
    unordered["tiers"]["tiers"][1]["start_points"] = serde_json::json!(-5);
    let bad = block(app.save_settings("สมชาย", "1234", unordered)).unwrap_err();
    assert_eq!(
        (bad.code.as_str(), field(&bad)),
        ("bad_tier_settings", "tiers")
    );
    assert!(thai(&bad.th));
    // The rule it breaks, said in Thai: no English sentence inside.
    assert!(bad.th.contains("ติดลบไม่ได้"), "{}", bad.th);
    assert!(!bad.th.contains("points"), "{}", bad.th);
    let saved = block(app.save_settings("สมชาย", "1234", json(&settings.settings))).unwrap();
    assert!(!saved.settings.tiers.enabled);
    assert!(app.due_to_drop(10).unwrap().is_empty());

    // The language is remembered in the data folder.
    app.set_language(Language::En).unwrap();
    drop(app);
    let reopened = open(dir.path());
    let state = reopened.app_state().unwrap();
    assert_eq!(state.language, Language::En);
    assert_eq!(
        state.phase,
        Phase::SignIn,
        "a restarted app asks for the PIN again"
    );
}

struct Server {
    addr: SocketAddr,
    store: Arc<SqliteStore>,
    runtime: Option<tokio::runtime::Runtime>,
}

impl Server {
    fn start(dir: &Path, addr: Option<SocketAddr>) -> Server {
        let store = Arc::new(SqliteStore::open(dir).unwrap());
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind(
                addr.unwrap_or_else(|| "127.0.0.1:0".parse().unwrap()),
            ))
            .unwrap();
        let addr = listener.local_addr().unwrap();
        let router = taem_server::http::router(taem_server::http::AppState {
            store: store.clone(),
        });
        runtime.spawn(async move {
            let _ = axum::serve(listener, router).await;
        });
        Server {
            addr,
            store,
            runtime: Some(runtime),
        }
    }

    fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    fn stop(mut self) -> SocketAddr {
        if let Some(rt) = self.runtime.take() {
            rt.shutdown_timeout(Duration::from_secs(5));
        }
        self.addr
    }
}

#[test]
fn an_enrolled_counter_awards_offline_and_syncs_when_the_server_is_back() {
    let server_dir = tempfile::tempdir().unwrap();
    let counter_dir = tempfile::tempdir().unwrap();
    let server = Server::start(server_dir.path(), None);
    let shop = server
        .store
        .create_shop("ร้านทดสอบ", ("BKK01", "สยาม"), ("สมชาย", "1234"), Utc::now())
        .unwrap();
    server
        .store
        .add_staff(shop.shop_id, "มานี", taem_protocol::Role::Cashier, "1111")
        .unwrap();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let app = open(counter_dir.path());

    // A wrong code: said next to the code field; no half-made counter is left.
    let wrong = runtime
        .block_on(app.enrol(&server.url(), "WRONG-CODE", "Counter 1"))
        .unwrap_err();
    assert_eq!(
        (wrong.code.as_str(), field(&wrong)),
        ("bad_enrol_code", "enrol_code")
    );
    assert!(thai(&wrong.th));
    assert_eq!(app.app_state().unwrap().phase, Phase::FirstRun);
    let nowhere = runtime
        .block_on(app.enrol("http://127.0.0.1:9", &shop.enrol_code, "Counter 1"))
        .unwrap_err();
    assert_eq!(field(&nowhere), "server_url");
    assert_eq!(app.app_state().unwrap().phase, Phase::FirstRun);

    let state = runtime
        .block_on(app.enrol(&server.url(), &shop.enrol_code, "Counter 1"))
        .unwrap();
    assert_eq!(state.phase, Phase::SignIn);
    assert!(state.enrolled);
    assert_eq!(state.shop_name.as_deref(), Some("ร้านทดสอบ"));
    assert!(state.staff_names.contains(&"มานี".to_string()));
    app.sign_in("มานี", "1111").unwrap();

    let form = MemberForm {
        phone: "0812345678".into(),
        first_name: "สมหญิง".into(),
        last_name: "ใจดี".into(),
        ..MemberForm::default()
    };
    let member = app.register_member(&form, "").unwrap().member;
    app.award(&member.code, "500", "B-1", "").unwrap();
    let status = app.sync_now().unwrap();
    assert!(status.online, "{status:?}");
    assert_eq!(status.waiting, 0);
    assert!(status.last_sync_ok.is_some());

    // The server goes away: the counter keeps awarding; the status shows what waits.
    let addr = server.stop();
    app.award(&member.code, "250", "B-2", "").unwrap();
    let status = app.sync_now().unwrap();
    assert!(!status.online);
    assert_eq!(status.waiting, 1);
    assert!(status.last_error.is_some());
    assert_eq!(app.member(&member.code).unwrap().balance, 30);

    // Back: the waiting operation reaches the server and the status clears.
    let server = Server::start(server_dir.path(), Some(addr));
    let status = app.sync_now().unwrap();
    assert!(status.online, "{status:?}");
    assert_eq!(status.waiting, 0);
    assert_eq!(status.last_error, None);
    let balances = server.store.balances(shop.shop_id).unwrap();
    assert_eq!(balances.len(), 1);
    assert_eq!(balances[0].balance, 30);

    // The owner changes the shop's rate through the server, online.
    app.sign_in("สมชาย", "1234").unwrap();
    let mut view = app.settings().unwrap();
    assert!(view.editable, "{view:?}");
    view.settings.rates.counter =
        taem_core::PointRate::new(taem_core::Money::parse("10").unwrap(), taem_core::Points(1))
            .unwrap();
    let wrong = runtime
        .block_on(app.save_settings("สมชาย", "0000", json(&view.settings)))
        .unwrap_err();
    assert_eq!(field(&wrong), "pin");
    let saved = runtime
        .block_on(app.save_settings("สมชาย", "1234", json(&view.settings)))
        .unwrap();
    assert_eq!(saved.settings.rates.counter, view.settings.rates.counter);
    assert_eq!(app.preview_award(&member.code, "100").unwrap().points, 10);
    server.stop();
}

fn fixture(name: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures/import")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn a_manager_imports_a_thai_excel_file_and_downloads_the_shop() {
    let dir = tempfile::tempdir().unwrap();
    let downloads = tempfile::tempdir().unwrap();
    let (log, sink) = progress_log();
    let app = App::open(dir.path(), Arc::new(SystemEnvironment), sink).unwrap();
    app.start_demo_with(300).unwrap();
    app.set_download_dir(downloads.path().to_path_buf());

    // A cashier may not import or download.
    app.sign_in("มานี", "1111").unwrap();
    for e in [
        app.import_choices().unwrap_err(),
        app.check_import(fixture("windows-874.csv"), "BKK01")
            .unwrap_err(),
        app.download("members", "csv", "", "", "").unwrap_err(),
        app.save_member_template("xlsx").unwrap_err(),
    ] {
        assert_eq!(e.code, "not_allowed", "{e:?}");
    }

    app.sign_in("สมศรี", "2345").unwrap();
    let choices = app.import_choices().unwrap();
    assert_eq!(choices.max_rows, 5_000);
    assert_eq!(
        choices.branches[0],
        app.app_state().unwrap().branch.unwrap()
    );
    assert!(choices.branches.len() > 1, "{choices:?}");

    // The template, in the window's language.
    let template = app.save_member_template("xlsx").unwrap();
    assert!(template.name.ends_with(".xlsx"), "{template:?}");
    assert!(std::fs::metadata(&template.path).unwrap().len() > 1_000);
    app.set_language(Language::En).unwrap();
    let csv = app.save_member_template("csv").unwrap();
    let text = std::fs::read_to_string(&csv.path).unwrap();
    assert!(text.contains("Phone*"), "{text}");
    app.set_language(Language::Th).unwrap();

    // Checking writes nothing and says what an import would do.
    let members = app.app_state().unwrap().members;
    let waiting = app.status().unwrap().waiting;
    let check = app.check_import(fixture("bad-rows.csv"), "cnx01").unwrap();
    assert!(check.checked_only);
    assert_eq!(check.branch, "CNX01");
    assert_eq!((check.imported, check.importable), (0, 3));
    assert!(check.bad_rows > 0 && check.problems_total >= check.bad_rows);
    assert!(check.problems.iter().all(|p| p.line > 1 && thai(&p.th)));
    assert_eq!(app.app_state().unwrap().members, members);
    assert_eq!(app.status().unwrap().waiting, waiting);

    // Importing: the valid rows, at the chosen branch, through the outbox.
    let done = app
        .import_members(fixture("bad-rows.csv"), "CNX01")
        .unwrap();
    assert!(!done.checked_only);
    assert_eq!((done.imported, done.importable), (3, 3));
    assert_eq!(done.problems_total, check.problems_total);
    assert_eq!(app.app_state().unwrap().members, members + 3);
    assert!(app.status().unwrap().waiting >= waiting + 3);
    {
        let log = log.lock().unwrap();
        for stage in [ProgressStage::ImportCheck, ProgressStage::ImportWrite] {
            assert!(log.iter().any(|p| p.stage == stage), "{stage:?}: {log:?}");
        }
    }
    let report = app.save_import_report().unwrap();
    assert!(report.name.starts_with("import-report-") && report.name.ends_with(".csv"));
    let report_text = std::fs::read_to_string(&report.path).unwrap();
    assert!(
        report_text.starts_with('\u{feff}'),
        "Excel reads Thai from a BOM"
    );
    assert_eq!(
        report_text.lines().count() as u64,
        1 + done.problems_total,
        "{report_text}"
    );

    // The same file again imports nothing twice.
    let again = app
        .import_members(fixture("bad-rows.csv"), "CNX01")
        .unwrap();
    assert_eq!((again.imported, again.already_members), (0, 3));
    assert_eq!(app.app_state().unwrap().members, members + 3);

    // A refused file says why in both languages and writes nothing.
    for (file, words) in [("rows-5001.csv", "5,001"), ("binary-renamed.csv", "")] {
        let refused = app.import_members(fixture(file), "BKK01").unwrap();
        let e = refused.file_error.expect("refused");
        assert!(e.en.contains(words) && thai(&e.th), "{file}: {e:?}");
        assert_eq!(refused.imported, 0);
    }
    assert_eq!(app.app_state().unwrap().members, members + 3);
    let e = app
        .check_import(fixture("utf8-bom.csv"), "NOPE9")
        .unwrap_err();
    assert_eq!((e.code.as_str(), field(&e)), ("bad_branch", "branch"));

    // Downloads: every dataset, both formats, filtered; bad filters are refused.
    let all = app.download("members", "csv", "", "", "").unwrap();
    assert_eq!(all.rows, Some(members as u64 + 3));
    let text = std::fs::read_to_string(&all.path).unwrap();
    assert!(
        text.starts_with('\u{feff}') && text.contains("เบอร์มือถือ"),
        "Thai headers, BOM"
    );
    let cnx = app.download("members", "xlsx", "CNX01", "", "").unwrap();
    assert!(cnx.rows.unwrap() >= 3 && cnx.rows.unwrap() < all.rows.unwrap());
    assert_ne!(
        all.path,
        app.download("members", "csv", "", "", "").unwrap().path,
        "never overwrites"
    );
    for dataset in ["ledger", "redemptions", "tier-changes"] {
        let saved = app
            .download(dataset, "xlsx", "", "01/01/2500", "31/12/2600")
            .unwrap();
        assert!(Path::new(&saved.path).exists(), "{saved:?}");
    }
    for (args, code, at) in [
        (["parcels", "csv", "", "", ""], "bad_dataset", "dataset"),
        (["members", "pdf", "", "", ""], "bad_format", "format"),
        (["ledger", "csv", "", "32/13/2569", ""], "bad_date", "from"),
        (
            ["ledger", "csv", "", "02/11/2569", "01/11/2569"],
            "bad_date_range",
            "to",
        ),
    ] {
        let e = app
            .download(args[0], args[1], args[2], args[3], args[4])
            .unwrap_err();
        assert_eq!((e.code.as_str(), field(&e)), (code, at), "{args:?}");
    }
    let leftovers: Vec<_> = std::fs::read_dir(downloads.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.path().extension().is_some_and(|x| x == "partial"))
        .collect();
    assert!(leftovers.is_empty(), "no half-written files");
}

/// Waits for the `n`th `ProgressStage::Upgrade` event (the upgrade thread's end).
fn wait_for_upgrade_end(log: &Mutex<Vec<Progress>>, n: usize) {
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    loop {
        let ended = log
            .lock()
            .unwrap()
            .iter()
            .filter(|p| p.stage == ProgressStage::Upgrade)
            .count();
        if ended >= n {
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the upgrade did not end"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn user_version(path: &Path) -> i64 {
    rusqlite::Connection::open(path)
        .unwrap()
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap()
}

/// After an update of the app, an older replica is upgraded on a background thread: the window
/// opens at once and says so; if another program holds the file the upgrade fails with a clear
/// message, changes nothing, and can be tried again.
#[test]
fn an_older_replica_is_upgraded_behind_a_waiting_screen_and_a_failed_upgrade_can_be_retried() {
    use taem_replica::schema::{latest_version, migrate};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(taem_replica::REPLICA_FILE_NAME);
    let older = latest_version() - 1;
    {
        let mut conn = rusqlite::Connection::open(&path).unwrap();
        migrate(&mut conn, older).unwrap();
        conn.execute_batch(
            "INSERT INTO meta VALUES ('device_id', '0190f3c2-0000-7000-8000-000000000001'),
               ('shop_name', 'ร้านเก่า'), ('branch', 'BKK01'),
               ('created_at', '2026-01-01T00:00:00+00:00'), ('device_seq', '1');",
        )
        .unwrap();
    }
    // Another program holds the file's write lock: the upgrade has to wait, and fails.
    let holder = rusqlite::Connection::open(&path).unwrap();
    holder.execute_batch("BEGIN IMMEDIATE").unwrap();

    let (log, sink) = progress_log();
    // Opening the app does not wait for the upgrade (it would wait for the lock, then fail).
    let app = App::open(dir.path(), Arc::new(SystemEnvironment), sink).expect("the app opens");
    let state = app.app_state().unwrap();
    assert_eq!(state.phase, Phase::Upgrading);
    let upgrade = state.upgrade.expect("the upgrade is described");
    assert_eq!((upgrade.from, upgrade.to), (older, latest_version()));
    assert_eq!(upgrade.error, None, "still running");
    let refused = app.start_demo_with(10).unwrap_err();
    assert_eq!(refused.code, "already_set_up");

    wait_for_upgrade_end(&log, 1);
    let state = app.app_state().unwrap();
    assert_eq!(state.phase, Phase::Upgrading);
    let error = state.upgrade.unwrap().error.expect("the failure is shown");
    assert!(
        error.en.contains("another program"),
        "says what holds it: {}",
        error.en
    );
    assert!(thai(&error.th), "{}", error.th);
    assert_eq!(
        user_version(&path),
        older,
        "a failed upgrade changes nothing"
    );

    // The other program closes; the user presses "try again".
    holder.execute_batch("ROLLBACK").unwrap();
    drop(holder);
    let state = app.retry_upgrade().unwrap();
    assert!(matches!(state.phase, Phase::Upgrading | Phase::SignIn));
    wait_for_upgrade_end(&log, 2);
    let state = app.app_state().unwrap();
    assert_eq!(state.phase, Phase::SignIn);
    assert_eq!(state.upgrade, None);
    assert_eq!(state.shop_name.as_deref(), Some("ร้านเก่า"));
    assert_eq!(user_version(&path), latest_version());
    // Retrying when nothing failed does nothing.
    assert_eq!(app.retry_upgrade().unwrap().phase, Phase::SignIn);
}
