//! The desktop app in its real window (under Xvfb), with a real `taem-server` process:
//! enrol → sign in → find a member by Thai name → award → the server stops → award offline
//! (the status shows the waiting operation) → the server is back → it syncs and the status
//! clears; bad input gets a message next to its field and writes nothing; register a member;
//! a manager opens the tier views. Screenshots of the main screens go to docs/screenshots/.

use std::time::{Duration, Instant};

use taem_app_e2e::{Key, Window, screenshots_dir};
use taem_e2e::Server;

const MEMBERS: &str = "400";

/// Three letters of a demo member's surname, with the member's name.
fn thai_query(server: &Server, shop: &str) -> (String, String) {
    let balances = server.admin(&["balances", "--shop", shop]);
    let name = balances
        .as_array()
        .and_then(|rows| {
            rows.iter().filter_map(|r| r["name"].as_str()).find(|n| {
                n.split(' ')
                    .next_back()
                    .is_some_and(|s| s.chars().count() >= 4)
            })
        })
        .expect("a demo member with a surname")
        .to_string();
    let surname = name.split(' ').next_back().unwrap();
    (surname.chars().take(3).collect(), name)
}

fn key(k: Key) -> String {
    char::from(k).to_string()
}

fn digits(text: &str) -> i64 {
    text.chars()
        .filter(char::is_ascii_digit)
        .collect::<String>()
        .parse()
        .unwrap_or(-1)
}

/// Types an amount into the award panel and answers the points it previews (the field is
/// emptied first, so an earlier preview is never read as this one's).
async fn previewed(w: &Window, amount: &str) -> anyhow::Result<i64> {
    w.fill("award-amount", "").await?;
    w.wait_attr("award-preview", "data-points", "", Duration::from_secs(10))
        .await?;
    w.el("award-amount").await?.send_keys(amount).await?;
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let points = w.el("award-preview").await?.attr("data-points").await?;
        if let Some(p) = points.and_then(|p| p.parse::<i64>().ok()) {
            return Ok(p);
        }
        anyhow::ensure!(Instant::now() < deadline, "no points preview within 10 s");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn balance(w: &Window) -> anyhow::Result<i64> {
    Ok(digits(&w.text("member-balance").await?))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cashier_and_manager_work_the_window_online_and_offline() -> anyhow::Result<()> {
    tokio::time::timeout(Duration::from_secs(600), scenario())
        .await
        .map_err(|_| anyhow::anyhow!("the window scenario did not finish in 10 minutes"))?
}

async fn scenario() -> anyhow::Result<()> {
    let server_dir = tempfile::tempdir()?;
    let counter_dir = tempfile::tempdir()?;
    let mut server = Server::start(server_dir.path());
    let demo = server.admin(&["demo", "--members", MEMBERS]);
    let shop = demo["shop_id"].as_str().expect("shop id").to_string();
    let code = demo["enrol_codes"][0][1]
        .as_str()
        .expect("enrol code")
        .to_string();
    let shots = screenshots_dir();

    let downloads = tempfile::tempdir()?;
    let download_dir = downloads.path().display().to_string();
    let w = Window::open(counter_dir.path(), &[("TAEM_DOWNLOAD_DIR", &download_dir)]).await?;
    let first_screen = w.wait("enrol-url", Duration::from_secs(30)).await?;
    eprintln!(
        "window: first-run screen interactive {} ms after the session was requested",
        w.started.elapsed().as_millis()
    );

    // Enrol: a wrong code first — said next to the code field, nothing set up.
    first_screen.send_keys(&server.url()).await?;
    w.fill("enrol-code", "WRONG-CODE-1").await?;
    w.click("enrol-submit").await?;
    w.wait("error-enrol_code", Duration::from_secs(20)).await?;
    assert!(w.shown("enrol-url").await, "still on the first-run screen");
    w.fill("enrol-code", &code).await?;
    w.fill("enrol-device", "Siam counter 1").await?;
    w.screenshot(&shots.join("01-enrol.png")).await?;
    w.click("enrol-submit").await?;

    // Sign in as the cashier (checked on the counter, offline-capable).
    w.wait("signin-name", Duration::from_secs(60)).await?;
    w.fill("signin-name", "มานี").await?;
    w.fill("signin-pin", "0000").await?;
    w.click("signin-submit").await?;
    w.wait("error-pin", Duration::from_secs(10)).await?;
    w.screenshot(&shots.join("02-sign-in.png")).await?;
    w.fill("signin-pin", "1111").await?;
    w.click("signin-submit").await?;
    let search = w.wait("search", Duration::from_secs(20)).await?;
    w.wait_attr(
        "current-user",
        "data-role",
        "cashier",
        Duration::from_secs(5),
    )
    .await?;

    // The search box has the focus: typing goes straight into it.
    let (query, name) = thai_query(&server, &shop);
    let typed = Instant::now();
    w.client.active_element().await?.send_keys(&query).await?;
    w.wait_text("results", Duration::from_secs(10), |t| t.contains(&name))
        .await?;
    eprintln!(
        "window: typed {query:?} → results shown within {} ms (WebDriver round trips included)",
        typed.elapsed().as_millis()
    );
    drop(search);
    w.screenshot(&shots.join("03-search.png")).await?;
    let rows = w
        .client
        .find_all(fantoccini::Locator::Css("[data-testid=\"result\"]"))
        .await?;
    let mut opened = false;
    for row in rows {
        if row
            .prop("textContent")
            .await?
            .unwrap_or_default()
            .contains(&name)
        {
            row.click().await?;
            opened = true;
            break;
        }
    }
    assert!(opened, "a result row names {name}");
    w.wait_text("member-name", Duration::from_secs(10), |t| {
        t.contains(&name)
    })
    .await?;
    let before = balance(&w).await?;

    // Bad input next to its field, nothing written: letters in the amount.
    w.fill("award-amount", "12abc").await?;
    w.fill("award-bill", "WIN-0001").await?;
    w.click("award-submit").await?;
    w.wait("error-amount", Duration::from_secs(10)).await?;
    assert_eq!(balance(&w).await?, before, "nothing was written");

    // Award online: preview, then Enter.
    let first = previewed(&w, "1250.50").await?;
    assert!(first > 0, "1,250.50 baht earns points");
    w.screenshot(&shots.join("04-award-preview.png")).await?;
    w.el("award-bill")
        .await?
        .send_keys(&key(Key::Enter))
        .await?;
    w.wait("op-result", Duration::from_secs(10)).await?;
    w.wait_text("member-balance", Duration::from_secs(10), |t| {
        digits(t) == before + first
    })
    .await?;
    w.wait_attr("status-waiting", "data-count", "0", Duration::from_secs(30))
        .await?;
    w.wait_attr(
        "status-online",
        "data-online",
        "true",
        Duration::from_secs(30),
    )
    .await?;
    w.screenshot(&shots.join("05-member-card.png")).await?;

    // The same bill again: refused next to the bill field.
    w.click("tab-award").await?;
    w.fill("award-amount", "100").await?;
    w.fill("award-bill", "WIN-0001").await?;
    w.click("award-submit").await?;
    w.wait("error-bill_no", Duration::from_secs(10)).await?;
    assert_eq!(balance(&w).await?, before + first);

    // The server goes away: the counter keeps working; the status shows what waits.
    server.kill();
    let second = previewed(&w, "500").await?;
    w.fill("award-bill", "WIN-0002").await?;
    w.click("award-submit").await?;
    w.wait_text("member-balance", Duration::from_secs(10), |t| {
        digits(t) == before + first + second
    })
    .await?;
    w.wait_attr(
        "status-online",
        "data-online",
        "false",
        Duration::from_secs(30),
    )
    .await?;
    w.wait_attr("status-waiting", "data-count", "1", Duration::from_secs(10))
        .await?;
    w.screenshot(&shots.join("06-offline-waiting.png")).await?;

    // Back: the waiting award reaches the server and the status clears.
    server.restart();
    w.wait_attr("status-waiting", "data-count", "0", Duration::from_secs(60))
        .await?;
    w.wait_attr(
        "status-online",
        "data-online",
        "true",
        Duration::from_secs(30),
    )
    .await?;
    let on_server = server.admin(&["balances", "--shop", &shop]);
    let synced = on_server
        .as_array()
        .and_then(|rows| {
            rows.iter()
                .find(|r| r["name"].as_str() == Some(name.as_str()))
        })
        .and_then(|r| r["balance"].as_i64());
    assert_eq!(
        synced,
        Some(before + first + second),
        "the server has both awards"
    );

    // An unknown member code: said next to the search box.
    let search = w.el("search").await?;
    search.send_keys(&key(Key::Escape)).await?;
    w.fill("search", "7K3QD-9XW2S-P").await?;
    w.el("search").await?.send_keys(&key(Key::Enter)).await?;
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if w.shown("error-key").await || w.shown("error-query").await {
            break;
        }
        if Instant::now() > deadline {
            w.screenshot(&std::env::temp_dir().join("taem-e2e-failure.png"))
                .await?;
            anyhow::bail!("an unknown member code gets a message next to the search box");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    w.screenshot(&shots.join("07-unknown-code.png")).await?;

    // Register a member: a wrong phone first (message next to it, nothing written).
    w.click("register-open").await?;
    w.fill("reg-phone", "081-234-567").await?;
    w.fill("reg-first-name", "มานะ").await?;
    w.fill("reg-last-name", "ทดสอบ").await?;
    w.click("reg-submit").await?;
    w.wait("error-phone", Duration::from_secs(10)).await?;
    w.screenshot(&shots.join("08-register-bad-phone.png"))
        .await?;
    w.fill("reg-phone", "0898765432").await?;
    w.click("reg-submit").await?;
    w.wait_text("member-name", Duration::from_secs(10), |t| {
        t.contains("มานะ")
    })
    .await?;
    w.mark("registered");
    w.wait_attr("status-waiting", "data-count", "0", Duration::from_secs(60))
        .await?;
    w.mark("the registration is synced");

    // A manager opens the tier views.
    w.click("signout").await?;
    w.fill("signin-name", "สมศรี").await?;
    w.fill("signin-pin", "2345").await?;
    w.click("signin-submit").await?;
    w.wait_attr(
        "current-user",
        "data-role",
        "manager",
        Duration::from_secs(10),
    )
    .await?;
    w.mark("signed in as a manager");
    w.click("nav-manager").await?;
    w.wait("tier-overview", Duration::from_secs(20)).await?;
    w.mark("tier overview shown");
    let rows = w
        .client
        .find_all(fantoccini::Locator::Css("[data-testid=\"tier-row\"]"))
        .await?;
    let mut members = 0;
    for row in &rows {
        members += row
            .attr("data-members")
            .await?
            .and_then(|m| m.parse::<i64>().ok())
            .unwrap_or(0);
    }
    assert_eq!(
        members,
        MEMBERS.parse::<i64>()? + 1,
        "every member is in a tier row"
    );
    w.mark("tier rows counted");
    w.screenshot(&shots.join("09-manager-tiers.png")).await?;
    w.click("mgr-tab-close").await?;
    w.wait("close-to-next", Duration::from_secs(20)).await?;
    w.screenshot(&shots.join("10-manager-close-to-next.png"))
        .await?;
    w.click("mgr-tab-drop").await?;
    w.wait("due-to-drop", Duration::from_secs(20)).await?;
    w.click("mgr-tab-pending").await?;
    w.wait("pending-ops", Duration::from_secs(20)).await?;

    // Import a Thai Excel member list (Windows-874 CSV): checked first, then imported.
    w.click("mgr-tab-import").await?;
    // The native file input is see-through under the screen's own button: wait for the
    // screen, then give the input the file as a user's file chooser would.
    w.wait("import-file-name", Duration::from_secs(20)).await?;
    let input = w
        .client
        .find(fantoccini::Locator::Css("[data-testid=\"import-file\"]"))
        .await?;
    let fixture = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../fixtures/import/bad-rows.csv")
        .canonicalize()?;
    input.send_keys(&fixture.display().to_string()).await?;
    w.wait_attr(
        "import-result",
        "data-checked",
        "true",
        Duration::from_secs(20),
    )
    .await?;
    let problems = w
        .client
        .find_all(fantoccini::Locator::Css("[data-testid=\"import-problem\"]"))
        .await?;
    assert!(!problems.is_empty(), "the bad rows are listed");
    w.mark("import checked");
    w.screenshot(&shots.join("13-import-checked.png")).await?;
    w.click("import-submit").await?;
    w.wait_attr(
        "import-result",
        "data-imported",
        "3",
        Duration::from_secs(20),
    )
    .await?;
    w.click("import-report").await?;
    w.wait("saved-file", Duration::from_secs(20)).await?;
    w.screenshot(&shots.join("14-import-done.png")).await?;
    w.mark("imported");

    // Download the members as Excel.
    w.click("mgr-tab-download").await?;
    w.wait("download-screen", Duration::from_secs(20)).await?;
    w.click("download-submit").await?;
    let saved = w.wait("saved-file", Duration::from_secs(60)).await?;
    let path = saved.attr("data-path").await?.unwrap_or_default();
    assert!(
        path.starts_with(&download_dir) && path.ends_with(".xlsx"),
        "{path}"
    );
    assert!(std::fs::metadata(&path)?.len() > 1_000, "{path}");
    w.screenshot(&shots.join("15-download.png")).await?;
    w.mark("downloaded");

    // Settings are read-only for a manager.
    w.click("nav-settings").await?;
    w.wait("settings-readonly", Duration::from_secs(20)).await?;
    w.screenshot(&shots.join("11-settings.png")).await?;

    // English too.
    w.click("lang-toggle").await?;
    w.click("nav-counter").await?;
    w.wait("search", Duration::from_secs(10)).await?;
    w.screenshot(&shots.join("12-counter-english.png")).await?;
    w.close().await?;
    Ok(())
}
