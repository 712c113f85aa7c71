//! # taem-e2e — end-to-end tests across processes
//!
//! Support for the tests in `tests/tests/`: start the real `taem-server` on a loopback port,
//! real `taem-counter` replicas in their own data directories, and a fault-injecting proxy
//! between them. Nothing here is a mock: every call is a process and real HTTP.

pub mod proxy;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use serde_json::Value;

/// The folder holding the workspace's built binaries (`target/debug`), found from the test
/// executable's own path (`target/debug/deps/…`).
pub fn bin_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("test executable path");
    let deps = exe.parent().expect("deps folder");
    deps.parent().expect("target profile folder").to_path_buf()
}

fn binary(name: &str) -> PathBuf {
    let path = bin_dir().join(name);
    assert!(
        path.exists(),
        "{} is not built: run `cargo build --workspace` (scripts/test does) before the e2e tests",
        path.display()
    );
    path
}

/// A free loopback port (bound then released; the caller binds it right after).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// A running `taem-server serve`.
pub struct Server {
    /// The data directory.
    pub dir: PathBuf,
    /// The port it listens on (kept across restarts).
    pub port: u16,
    child: Option<Child>,
}

impl Server {
    /// Starts a server on a free port with its data in `dir`.
    pub fn start(dir: &Path) -> Server {
        let mut server = Server {
            dir: dir.to_path_buf(),
            port: free_port(),
            child: None,
        };
        server.restart();
        server
    }

    /// Starts (again) on the same port and data directory.
    pub fn restart(&mut self) {
        self.kill();
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let mut child = Command::new(binary("taem-server"))
                .arg("--data-dir")
                .arg(&self.dir)
                .args(["serve", "--listen", &format!("127.0.0.1:{}", self.port)])
                .stdout(Stdio::piped())
                .stderr(Stdio::null())
                .spawn()
                .expect("spawn taem-server");
            let mut line = String::new();
            let stdout = child.stdout.take().expect("stdout");
            let _ = BufReader::new(stdout).read_line(&mut line);
            if line.contains("listening on") {
                self.child = Some(child);
                return;
            }
            // The port may still be held by the killed process for a moment.
            let _ = child.kill();
            let _ = child.wait();
            assert!(
                Instant::now() < deadline,
                "taem-server did not start: {line}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Kills the server with SIGKILL (no clean shutdown) and waits for it.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// The server's address.
    pub fn addr(&self) -> SocketAddr {
        SocketAddr::from(([127, 0, 0, 1], self.port))
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr())
    }

    /// Runs an admin subcommand with `--json` against the same data directory.
    pub fn admin(&self, args: &[&str]) -> Value {
        let out = Command::new(binary("taem-server"))
            .arg("--data-dir")
            .arg(&self.dir)
            .arg("--json")
            .args(args)
            .output()
            .expect("run taem-server");
        assert!(
            out.status.success(),
            "taem-server {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).expect("admin JSON")
    }

    /// Runs an admin subcommand that must fail; returns its error output.
    pub fn admin_fails(&self, args: &[&str]) -> String {
        let out = Command::new(binary("taem-server"))
            .arg("--data-dir")
            .arg(&self.dir)
            .args(args)
            .output()
            .expect("run taem-server");
        assert!(
            !out.status.success(),
            "taem-server {args:?} should have failed: {}",
            String::from_utf8_lossy(&out.stdout)
        );
        String::from_utf8_lossy(&out.stderr).into_owned()
    }

    /// Creates a shop; returns (shop id, first enrolment code).
    pub fn create_shop(&self, name: &str, branch: &str) -> (String, String) {
        let v = self.admin(&[
            "shop",
            "create",
            "--name",
            name,
            "--branch-code",
            branch,
            "--branch-name",
            branch,
            "--owner",
            "owner",
            "--owner-pin",
            "1234",
        ]);
        (
            v["shop_id"].as_str().unwrap().to_string(),
            v["enrol_code"].as_str().unwrap().to_string(),
        )
    }

    /// A new enrolment code for a branch (added when missing).
    pub fn enrol_code(&self, shop: &str, branch: &str) -> String {
        let _ = Command::new(binary("taem-server"))
            .arg("--data-dir")
            .arg(&self.dir)
            .args([
                "branch", "add", "--shop", shop, "--code", branch, "--name", branch,
            ])
            .output();
        self.admin(&["enrol-code", "--shop", shop, "--branch", branch])["enrol_code"]
            .as_str()
            .unwrap()
            .to_string()
    }

    /// Every member's balance on the server: phone → (balance, ledger sum).
    pub fn balances(&self, shop: &str) -> Vec<(String, i64, i64)> {
        self.admin(&["balances", "--shop", shop])
            .as_array()
            .unwrap()
            .iter()
            .map(|b| {
                (
                    b["phone"].as_str().unwrap().to_string(),
                    b["balance"].as_i64().unwrap(),
                    b["ledger_sum"].as_i64().unwrap(),
                )
            })
            .collect()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}

/// A counter: a data directory driven through the real `taem-counter` binary.
pub struct Counter {
    /// Its data directory.
    pub dir: PathBuf,
}

/// A failed counter command: the stable error code and the message.
#[derive(Debug)]
pub struct CounterError {
    /// `error.code` of the JSON error.
    pub code: String,
    /// `error.message`.
    pub message: String,
}

impl Counter {
    /// A counter in `dir` (not created yet).
    pub fn new(dir: &Path) -> Counter {
        Counter {
            dir: dir.to_path_buf(),
        }
    }

    /// The command, ready to run with `args`.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(binary("taem-counter"));
        command
            .arg("--data-dir")
            .arg(&self.dir)
            .arg("--json")
            .args(args);
        command
    }

    /// Runs a command; its JSON output or its JSON error.
    pub fn try_run(&self, args: &[&str]) -> Result<Value, CounterError> {
        let out = self.command(args).output().expect("run taem-counter");
        if out.status.success() {
            return Ok(serde_json::from_slice(&out.stdout).unwrap_or(Value::Null));
        }
        let err: Value = serde_json::from_slice(&out.stderr).unwrap_or_else(|_| {
            serde_json::json!({"error": {"code": "unparsed", "message": String::from_utf8_lossy(&out.stderr)}})
        });
        Err(CounterError {
            code: err["error"]["code"].as_str().unwrap_or("").to_string(),
            message: err["error"]["message"].as_str().unwrap_or("").to_string(),
        })
    }

    /// Runs a command that must succeed.
    pub fn run(&self, args: &[&str]) -> Value {
        self.try_run(args)
            .unwrap_or_else(|e| panic!("taem-counter {args:?} failed: {} {}", e.code, e.message))
    }

    /// Enrols with `url` using `code`.
    pub fn enrol(&self, url: &str, code: &str, name: &str) -> Value {
        self.run(&["enrol", url, code, "--device-name", name])
    }

    /// Registers a member; returns the phone.
    pub fn register(&self, phone: &str, first_name: &str) -> Value {
        self.run(&[
            "member",
            "add",
            "--phone",
            phone,
            "--first-name",
            first_name,
        ])
    }

    /// Awards; returns the points.
    pub fn award(&self, phone: &str, amount: &str, bill: &str) -> i64 {
        self.run(&["award", phone, "--amount", amount, "--bill", bill])["points"]
            .as_i64()
            .unwrap()
    }

    /// The member's balance as the counter shows it.
    pub fn balance(&self, phone: &str) -> i64 {
        self.run(&["member", "show", phone])["balance"]
            .as_i64()
            .unwrap()
    }

    /// `status`.
    pub fn status(&self) -> Value {
        self.run(&["status"])
    }

    /// Syncs once; `Err` when the server could not be reached.
    pub fn sync(&self) -> Result<Value, CounterError> {
        self.try_run(&["sync"])
    }

    /// Syncs until nothing waits and a sync succeeds (at most `attempts` tries).
    pub fn sync_until_clean(&self, attempts: usize) -> anyhow::Result<()> {
        let mut last = None;
        for _ in 0..attempts {
            match self.sync() {
                Ok(_) if self.status()["sync"]["waiting"].as_u64() == Some(0) => return Ok(()),
                Ok(_) => {}
                Err(e) => last = Some(format!("{}: {}", e.code, e.message)),
            }
        }
        bail!("{} did not sync clean: {last:?}", self.dir.display())
    }
}

/// A raw HTTP/1.1 exchange (for malformed requests a client library would not send):
/// returns (status, body).
pub fn raw_http(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> anyhow::Result<(u16, String)> {
    let mut stream = TcpStream::connect(addr).context("connect")?;
    stream.set_read_timeout(Some(Duration::from_secs(30)))?;
    let mut head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes())?;
    // A server may answer (413) before reading a huge body: ignore a broken pipe.
    let _ = stream.write_all(body);
    let mut response = Vec::new();
    let _ = stream.read_to_end(&mut response);
    let text = String::from_utf8_lossy(&response).to_string();
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .context("no status line")?;
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    Ok((status, body))
}
