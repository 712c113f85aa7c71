//! What the integration tests share: running the real binary on a replica of their own.

#![allow(dead_code)] // each test file uses its own share of these

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use serde_json::Value;

/// The binary, with `--data-dir dir`.
pub fn bin(dir: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_taem-counter"));
    command.arg("--data-dir").arg(dir);
    command
}

/// Runs `args` on `dir`.
pub fn counter(dir: &Path, args: &[&str]) -> Output {
    bin(dir).args(args).output().expect("taem-counter runs")
}

/// Runs `args` with `input` on standard input.
pub fn counter_with_input(dir: &Path, args: &[&str], input: &[u8]) -> Output {
    let mut child = bin(dir)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("taem-counter runs");
    child.stdin.take().unwrap().write_all(input).unwrap();
    child.wait_with_output().unwrap()
}

/// Runs `--json args`, expecting success; the JSON document on stdout.
pub fn ok_json(dir: &Path, args: &[&str]) -> Value {
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

/// Runs `--json args`, expecting exit code `exit`; the error's code and message from stderr.
pub fn failed_json(dir: &Path, args: &[&str], exit: i32) -> (String, String) {
    let mut all = vec!["--json"];
    all.extend_from_slice(args);
    let out = counter(dir, &all);
    assert_eq!(
        out.status.code(),
        Some(exit),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let err: Value = serde_json::from_slice(&out.stderr).expect("JSON error on stderr");
    (
        err["error"]["code"].as_str().unwrap().to_string(),
        err["error"]["message"].as_str().unwrap().to_string(),
    )
}

/// Runs `--json args`, expecting a refusal (exit 1, nothing on stdout).
pub fn refused(dir: &Path, args: &[&str]) -> (String, String) {
    failed_json(dir, args, 1)
}

/// Standard output as text.
pub fn stdout(out: &Output) -> String {
    String::from_utf8(out.stdout.clone()).unwrap()
}

/// Standard error as text.
pub fn stderr(out: &Output) -> String {
    String::from_utf8(out.stderr.clone()).unwrap()
}

/// A new shop at branch BKK01 with member สมชาย ใจดี, 081-234-5678.
pub fn shop() -> tempfile::TempDir {
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
        ],
    );
    dir
}
