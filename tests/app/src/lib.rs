//! Drives the real desktop app window: the built `taem-desktop` binary, started by
//! `tauri-driver` (→ WebKitWebDriver) under Xvfb, over WebDriver (fantoccini).
//!
//! Needs a display at least 1280×720 (run under `xvfb-run -s "-screen 0 1280x800x24"`),
//! ImageMagick's `import` (screenshots), `tauri-driver` on the PATH and `WebKitWebDriver`
//! (Debian's webkit2gtk-driver); `scripts/test` installs them. Missing pieces fail the test with
//! what to install: nothing here skips.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;

pub use fantoccini::key::Key;

/// The built app binary (`target/debug/taem-desktop`).
pub fn app_binary() -> PathBuf {
    let path = taem_e2e::bin_dir().join("taem-desktop");
    assert!(
        path.exists(),
        "{} is not built: build the UI (cd ui && npm ci && npm run build) and then \
         `cargo build -p taem-desktop --features custom-protocol` (scripts/test does both)",
        path.display()
    );
    path
}

fn port_open(port: u16) -> bool {
    std::net::TcpStream::connect(("127.0.0.1", port)).is_ok()
}

/// One app window, started with its own data folder.
pub struct Window {
    /// The WebDriver session.
    pub client: Client,
    driver: Child,
    /// When the session was requested (the app starts then).
    pub started: Instant,
}

impl Window {
    /// Starts `taem-desktop` with `TAEM_DATA_DIR=data_dir` (and `env`) through tauri-driver.
    pub async fn open(data_dir: &Path, env: &[(&str, &str)]) -> anyhow::Result<Window> {
        Self::open_app(&app_binary(), data_dir, env).await
    }

    /// Starts the `app` binary (e.g. a release build) like [`Window::open`].
    pub async fn open_app(
        app: &Path,
        data_dir: &Path,
        env: &[(&str, &str)],
    ) -> anyhow::Result<Window> {
        let port = taem_e2e::free_port();
        let mut native = taem_e2e::free_port();
        while native == port {
            native = taem_e2e::free_port();
        }
        let mut command = Command::new("tauri-driver");
        command
            .args([
                "--port",
                &port.to_string(),
                "--native-port",
                &native.to_string(),
            ])
            .env("TAEM_DATA_DIR", data_dir)
            .stdout(Stdio::null())
            .stderr(Stdio::inherit());
        for (k, v) in env {
            command.env(k, v);
        }
        let driver = command.spawn().context(
            "cannot start tauri-driver: install it with `cargo install tauri-driver@2.1.0 --locked` \
             (and Debian's webkit2gtk-driver); scripts/test does",
        )?;
        let mut window_driver = DriverGuard(Some(driver));
        // tauri-driver listens at once and starts WebKitWebDriver on the native port; a session
        // asked for before that one listens fails ("webdriver server did not respond"), which
        // happened on a cold start. Both must listen.
        let deadline = Instant::now() + Duration::from_secs(20);
        while !(port_open(port) && port_open(native)) {
            if Instant::now() > deadline {
                bail!(
                    "tauri-driver (port {port}) and WebKitWebDriver (port {native}) did not both \
                     listen within 20 s"
                );
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let mut caps = serde_json::Map::new();
        caps.insert("browserName".into(), json!("wry"));
        caps.insert(
            "tauri:options".into(),
            json!({ "application": app.to_string_lossy() }),
        );
        let started = Instant::now();
        let client = tokio::time::timeout(
            Duration::from_secs(60),
            ClientBuilder::rustls()?
                .capabilities(caps)
                .connect(&format!("http://127.0.0.1:{port}")),
        )
        .await
        .context("the app window did not open within 60 s")??;
        Ok(Window {
            client,
            driver: window_driver.0.take().expect("driver"),
            started,
        })
    }

    /// The process id of tauri-driver (the app runs below it: tauri-driver → WebKitWebDriver →
    /// the app → WebKit's own processes).
    pub fn driver_pid(&self) -> u32 {
        self.driver.id()
    }

    fn css(testid: &str) -> String {
        format!("[data-testid=\"{testid}\"]")
    }

    /// Waits up to `timeout` for the element with `data-testid` to be displayed.
    pub async fn wait(
        &self,
        testid: &str,
        timeout: Duration,
    ) -> anyhow::Result<fantoccini::elements::Element> {
        let css = Self::css(testid);
        let deadline = Instant::now() + timeout;
        loop {
            if let Ok(found) = self.client.find(Locator::Css(&css)).await
                && found.is_displayed().await.unwrap_or(false)
            {
                return Ok(found);
            }
            if Instant::now() > deadline {
                let shot = self.failure_shot().await;
                bail!("[data-testid={testid}] was not shown within {timeout:?} (window: {shot})");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// The element, shown within 10 s.
    pub async fn el(&self, testid: &str) -> anyhow::Result<fantoccini::elements::Element> {
        self.wait(testid, Duration::from_secs(10)).await
    }

    /// Whether an element with `data-testid` is displayed now.
    pub async fn shown(&self, testid: &str) -> bool {
        match self.client.find(Locator::Css(&Self::css(testid))).await {
            Ok(e) => e.is_displayed().await.unwrap_or(false),
            Err(_) => false,
        }
    }

    /// Clears a field and types `text` into it.
    pub async fn fill(&self, testid: &str, text: &str) -> anyhow::Result<()> {
        let field = self.el(testid).await?;
        // Select all and delete by keystrokes, so the page sees an input event (WebDriver's
        // "clear" changes the value without one, and the UI would keep the old value).
        let keys: String = [Key::Control, Key::Null, Key::Backspace]
            .into_iter()
            .map(char::from)
            .collect();
        let (control, rest) = keys.split_at(keys.chars().next().map_or(0, char::len_utf8));
        field.send_keys(&format!("{control}a{rest}")).await?;
        if !text.is_empty() {
            field.send_keys(text).await?;
        }
        Ok(())
    }

    /// Clicks an element.
    pub async fn click(&self, testid: &str) -> anyhow::Result<()> {
        self.el(testid).await?.click().await?;
        Ok(())
    }

    /// The text content of an element (WebKitWebDriver's "visible text" drops Thai letters, so
    /// this reads the DOM's `textContent`).
    pub async fn text(&self, testid: &str) -> anyhow::Result<String> {
        Ok(self
            .el(testid)
            .await?
            .prop("textContent")
            .await?
            .unwrap_or_default())
    }

    /// Waits until the text content of `testid` satisfies `ok`; answers that text.
    pub async fn wait_text(
        &self,
        testid: &str,
        timeout: Duration,
        ok: impl Fn(&str) -> bool,
    ) -> anyhow::Result<String> {
        let deadline = Instant::now() + timeout;
        let mut last = String::new();
        loop {
            if let Ok(e) = self.client.find(Locator::Css(&Self::css(testid))).await {
                last = e
                    .prop("textContent")
                    .await
                    .ok()
                    .flatten()
                    .unwrap_or_default();
                if ok(&last) {
                    return Ok(last);
                }
            }
            if Instant::now() > deadline {
                let shot = self.failure_shot().await;
                bail!(
                    "[data-testid={testid}] text stayed {last:?} for {timeout:?} (window: {shot})"
                );
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Waits until attribute `attr` of `testid` equals `value`.
    pub async fn wait_attr(
        &self,
        testid: &str,
        attr: &str,
        value: &str,
        timeout: Duration,
    ) -> anyhow::Result<()> {
        let deadline = Instant::now() + timeout;
        let mut last = None;
        loop {
            if let Ok(e) = self.client.find(Locator::Css(&Self::css(testid))).await {
                last = e.attr(attr).await.unwrap_or_default();
                if last.as_deref() == Some(value) {
                    return Ok(());
                }
            }
            if Instant::now() > deadline {
                let shot = self.failure_shot().await;
                bail!(
                    "[data-testid={testid}] {attr} stayed {last:?}, not {value:?}, for {timeout:?} (window: {shot})"
                );
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// A screenshot of the window when a wait fails, for the error message.
    async fn failure_shot(&self) -> String {
        let path = std::env::temp_dir().join("taem-e2e-failure.png");
        match self.screenshot(&path).await {
            Ok(()) => path.display().to_string(),
            Err(e) => format!("no screenshot: {e}"),
        }
    }

    /// Prints how far into the session a step is (the log shows where the time goes).
    pub fn mark(&self, step: &str) {
        eprintln!(
            "window: {:>6.1} s  {step}",
            self.started.elapsed().as_secs_f64()
        );
    }

    /// Saves a screenshot of the window as PNG, taken from the X display (ImageMagick's
    /// `import`, cropped to the window) rather than with WebDriver's screenshot: in the app's
    /// non-composited mode WebKit's snapshot stalls the page for ≈50 s under Xvfb, and what a
    /// cashier sees is what the display shows anyway.
    pub async fn screenshot(&self, path: &Path) -> anyhow::Result<()> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let (x, y, width, height) = self.client.get_window_rect().await?;
        let out = Command::new("import")
            .args([
                "-window",
                "root",
                "-crop",
                &format!("{width}x{height}+{x}+{y}"),
                "+repage",
            ])
            .arg(path)
            .output()
            .context("cannot run ImageMagick's `import` for a screenshot: install imagemagick (scripts/test does)")?;
        if !out.status.success() {
            bail!(
                "import could not take a screenshot: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        self.mark(&path.file_name().unwrap_or_default().to_string_lossy());
        Ok(())
    }

    /// Ends the session and stops tauri-driver with SIGTERM (never SIGKILL: it stops its
    /// WebKitWebDriver child only then).
    pub async fn close(mut self) -> anyhow::Result<()> {
        let _ = tokio::time::timeout(Duration::from_secs(10), self.client.clone().close()).await;
        terminate(&mut self.driver);
        Ok(())
    }
}

fn terminate(child: &mut Child) {
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        if let Ok(Some(_)) = child.try_wait() {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    let _ = child.wait();
}

struct DriverGuard(Option<Child>);

impl Drop for DriverGuard {
    fn drop(&mut self) {
        if let Some(mut child) = self.0.take() {
            terminate(&mut child);
        }
    }
}

impl Drop for Window {
    fn drop(&mut self) {
        if let Ok(None) = self.driver.try_wait() {
            terminate(&mut self.driver);
        }
    }
}

/// The folder screenshots go to: `docs/screenshots` of the repository.
pub fn screenshots_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/screenshots")
}
