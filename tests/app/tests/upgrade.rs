//! The desktop app in its real window (under Xvfb) after an update of Taem: this counter's
//! data is at an older schema. The window opens at once on the upgrade screen; while another
//! program holds the data file the upgrade fails with the reason shown and the data untouched;
//! once it is free, "try again" upgrades it and the sign-in screen follows.

use std::path::Path;
use std::time::Duration;

use taem_app_e2e::{Window, screenshots_dir};
use taem_replica::REPLICA_FILE_NAME;
use taem_replica::schema::{latest_version, migrate};

fn user_version(path: &Path) -> anyhow::Result<i64> {
    Ok(rusqlite::Connection::open(path)?.query_row("PRAGMA user_version", [], |r| r.get(0))?)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_older_replica_is_upgraded_behind_its_own_screen_and_a_failure_is_retried()
-> anyhow::Result<()> {
    tokio::time::timeout(Duration::from_secs(300), scenario())
        .await
        .map_err(|_| anyhow::anyhow!("the upgrade scenario did not finish in 5 minutes"))?
}

async fn scenario() -> anyhow::Result<()> {
    let counter_dir = tempfile::tempdir()?;
    let path = counter_dir.path().join(REPLICA_FILE_NAME);
    let older = latest_version() - 1;
    {
        let mut conn = rusqlite::Connection::open(&path)?;
        migrate(&mut conn, older)?;
        conn.execute_batch(
            "INSERT INTO meta VALUES ('device_id', '0190f3c2-0000-7000-8000-000000000001'),
               ('shop_name', 'ร้านกาแฟแต้มดี'), ('branch', 'สาขาสยาม'),
               ('created_at', '2026-01-01T00:00:00+00:00'), ('device_seq', '1');",
        )?;
    }
    // Another program (a backup tool, a second copy of Taem) holds the file's write lock.
    let holder = rusqlite::Connection::open(&path)?;
    holder.execute_batch("BEGIN IMMEDIATE")?;

    let w = Window::open(counter_dir.path(), &[]).await?;
    w.wait("upgrading", Duration::from_secs(30)).await?;
    let error = w.wait("upgrade-error", Duration::from_secs(60)).await?;
    let shown = error.text().await?;
    assert!(
        shown.contains("ปรับปรุงข้อมูลไม่สำเร็จ"),
        "the failure is said in Thai: {shown}"
    );
    assert!(
        w.text("upgrading")
            .await?
            .contains(&format!("{older} → {}", latest_version())),
        "the screen names the versions"
    );
    assert!(
        !w.shown("status-online").await,
        "the status bar does not claim the counter is offline while its data is upgraded"
    );
    w.screenshot(&screenshots_dir().join("16-upgrade-failed.png"))
        .await?;
    assert_eq!(
        user_version(&path)?,
        older,
        "a failed upgrade changes nothing"
    );

    // The other program lets go; the cashier presses "try again".
    holder.execute_batch("ROLLBACK")?;
    drop(holder);
    w.click("upgrade-retry").await?;
    w.wait("signin-name", Duration::from_secs(60)).await?;
    assert!(!w.shown("upgrading").await, "the upgrade screen is gone");
    assert!(w.shown("status-online").await, "the status bar is back");
    assert_eq!(user_version(&path)?, latest_version());
    w.close().await?;
    Ok(())
}
