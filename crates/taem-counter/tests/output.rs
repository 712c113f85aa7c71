//! Where the answers go: a closed pipe, a full disk, command lines clap cannot read (with
//! `--json`), and the help a cashier reads.

mod common;

use std::process::Stdio;

use common::{bin, counter, failed_json, ok_json, shop, stderr};

#[test]
fn a_reader_that_went_away_ends_the_program_quietly() {
    let dir = shop();
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader); // `… | true`: nobody reads the answer
    let out = bin(dir.path())
        .args(["member", "show", "0812345678"])
        .stdout(writer)
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(141), "like a SIGPIPE'd Unix tool");
    assert_eq!(stderr(&out), "", "no panic, no message");
}

#[test]
fn a_full_disk_is_a_one_line_error_not_a_panic() {
    let dir = shop();
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap();
    let out = bin(dir.path())
        .arg("status")
        .stdout(full)
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = stderr(&out);
    assert_eq!(text.lines().count(), 1, "{text}");
    assert!(
        text.starts_with("error: cannot write the output") && text.contains("No space left"),
        "{text}"
    );
}

#[test]
fn with_json_a_bad_command_line_is_a_json_usage_error_exiting_2() {
    let dir = shop();
    let d = dir.path();
    let (code, message) = failed_json(d, &["award", "0812345678", "--bill", "x"], 2);
    assert_eq!(code, "usage");
    assert!(message.contains("--amount"), "{message}");
    let (code, message) = failed_json(
        d,
        &[
            "award",
            "0812345678",
            "--amount",
            "5",
            "--bill",
            "x",
            "--op-id",
            "zz",
        ],
        2,
    );
    assert_eq!(code, "usage");
    assert!(message.contains("--op-id"), "{message}");
    // Without --json clap's own text stays, and --help is still help.
    let plain = counter(d, &["award", "0812345678", "--bill", "x"]);
    assert_eq!(plain.status.code(), Some(2));
    assert!(stderr(&plain).starts_with("error:"), "{}", stderr(&plain));
    let help = counter(d, &["--json", "award", "--help"]);
    assert_eq!(help.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&help.stdout).contains("Usage:"));
}

#[test]
fn a_limit_of_zero_is_refused() {
    let dir = shop();
    for args in [
        &["history", "0812345678", "--limit", "0"][..],
        &["member", "find", "5678", "--limit", "0"],
        &["outbox", "--limit", "0"],
    ] {
        let (code, message) = failed_json(dir.path(), args, 2);
        assert_eq!(code, "usage");
        assert!(message.contains("0 is not a limit"), "{args:?}: {message}");
    }
    let found = ok_json(dir.path(), &["member", "find", "5678", "--limit", "1"]);
    assert_eq!(found["members"].as_array().unwrap().len(), 1);
}

#[test]
fn help_shows_required_bills_readable_defaults_and_examples() {
    let dir = tempfile::tempdir().unwrap();
    let help = |args: &[&str]| String::from_utf8(counter(dir.path(), args).stdout).unwrap();
    let award = help(&["award", "--help"]);
    assert!(!award.contains("[default: \"\"]"), "{award}");
    assert!(
        award.contains("--bill <BILL> <MEMBER>"),
        "in the usage: {award}"
    );
    assert!(award.contains("except with --preview"), "{award}");
    let demo = help(&["demo", "--help"]);
    assert!(demo.contains("ร้านกาแฟแต้มดี (Taem Demo Coffee)"), "{demo}");
    assert!(!demo.contains("\\u{"), "{demo}");
    for command in [
        &["award"][..],
        &["redeem"],
        &["void"],
        &["adjust"],
        &["member", "add"],
        &["member", "find"],
        &["import"],
        &["export"],
    ] {
        let mut args = command.to_vec();
        args.push("--help");
        let text = help(&args);
        assert!(
            text.contains("\nExample"),
            "{command:?} has an example: {text}"
        );
    }
    assert!(!help(&["adjust", "--help"]).contains("(+ or −)"));
}

#[test]
fn an_adjustment_accepts_a_typographic_minus() {
    let dir = shop();
    let d = dir.path();
    ok_json(
        d,
        &["award", "0812345678", "--amount", "1000", "--bill", "B-1"],
    );
    let adjusted = ok_json(
        d,
        &["adjust", "0812345678", "--points=−5", "--reason", "typo"],
    );
    assert_eq!(adjusted["points"], -5);
}

#[test]
fn a_lock_wait_beyond_the_maximum_is_a_usage_error_not_a_panic() {
    let dir = shop();
    let d = dir.path();
    for args in [
        &["--wait-ms", "2147483648", "status"][..],
        &[
            "--wait-ms",
            "3000000000",
            "award",
            "0812345678",
            "--amount",
            "1",
            "--bill",
            "W1",
        ],
        &["--wait-ms", "600001", "status"],
    ] {
        let (code, message) = failed_json(d, args, 2);
        assert_eq!(code, "usage", "{args:?}");
        assert!(message.contains("at most 600000 ms"), "{message}");
    }
    let plain = counter(d, &["--wait-ms", "2147483648", "status"]);
    assert_eq!(plain.status.code(), Some(2));
    assert!(!stderr(&plain).contains("panicked"), "{}", stderr(&plain));
    ok_json(d, &["--wait-ms", "600000", "status"]);
    let help = String::from_utf8(counter(d, &["--help"]).stdout).unwrap();
    assert!(help.contains("at most 600000 (10 minutes)"), "{help}");
}

#[test]
fn a_limit_above_what_the_replica_answers_is_refused_and_the_help_says_it() {
    let dir = shop();
    let d = dir.path();
    for (args, max) in [
        (
            &["member", "find", "5678", "--limit", "1000"][..],
            "1 to 100",
        ),
        (&["member", "find", "--stdin", "--limit", "101"], "1 to 100"),
        (&["history", "0812345678", "--limit", "1001"], "1 to 1000"),
    ] {
        let (code, message) = failed_json(d, args, 2);
        assert_eq!(code, "usage");
        assert!(message.contains(&format!("give {max}")), "{message}");
    }
    ok_json(d, &["member", "find", "5678", "--limit", "100"]);
    ok_json(d, &["history", "0812345678", "--limit", "1000"]);
    let help = |args: &[&str]| String::from_utf8(counter(d, args).stdout).unwrap();
    assert!(help(&["member", "find", "--help"]).contains("Most results: 1 to 100"));
    assert!(help(&["history", "--help"]).contains("1 to 1000"));
}

#[test]
fn with_json_the_version_is_a_json_object() {
    let dir = tempfile::tempdir().unwrap();
    for args in [&["--json", "--version"][..], &["--version", "--json"]] {
        let out = counter(dir.path(), args);
        assert_eq!(out.status.code(), Some(0));
        let version: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
        assert_eq!(version["name"], "taem-counter");
        assert_eq!(version["version"], env!("CARGO_PKG_VERSION"));
    }
    let plain = counter(dir.path(), &["--version"]);
    assert_eq!(
        String::from_utf8(plain.stdout).unwrap().trim(),
        format!("taem-counter {}", env!("CARGO_PKG_VERSION"))
    );
}
