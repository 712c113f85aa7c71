//! Files in and out: the member template, imports (branch, report, dry run) and exports.

mod common;

use std::path::{Path, PathBuf};

use common::{counter, ok_json, refused, shop, stderr, stdout};

/// A filled English template with two new members.
fn members_csv(dir: &Path) -> PathBuf {
    let file = dir.join("members.csv");
    ok_json(
        dir,
        &[
            "member-template",
            "-o",
            file.to_str().unwrap(),
            "--lang",
            "en",
        ],
    );
    let mut text = std::fs::read_to_string(&file).unwrap();
    text.push_str("0891112222,มานี,มีนา\n0891113333,ชูใจ,\n");
    std::fs::write(&file, text).unwrap();
    file
}

#[test]
fn the_template_never_overwrites_a_file_without_force() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let file = members_csv(d);
    let filled = std::fs::read(&file).unwrap();
    let (code, message) = refused(d, &["member-template", "-o", file.to_str().unwrap()]);
    assert_eq!(code, "file_exists");
    assert!(message.contains("--force"), "{message}");
    assert_eq!(
        std::fs::read(&file).unwrap(),
        filled,
        "the filled file is kept"
    );
    ok_json(
        d,
        &["member-template", "-o", file.to_str().unwrap(), "--force"],
    );
    assert_ne!(std::fs::read(&file).unwrap(), filled);
}

#[test]
fn an_unwritable_report_refuses_the_import_before_anything_is_imported() {
    let dir = shop();
    let d = dir.path();
    let file = members_csv(d);
    let missing = d.join("no-such-folder").join("report.csv");
    for report in [missing.as_path(), d] {
        let (code, message) = refused(
            d,
            &[
                "import",
                file.to_str().unwrap(),
                "--report",
                report.to_str().unwrap(),
            ],
        );
        assert_eq!(code, "bad_report_path");
        assert!(message.contains("nothing was imported"), "{message}");
    }
    // The member list itself, however it is named: the report would empty it before it is
    // read. The list is left as it was.
    let list = std::fs::read(&file).unwrap();
    let same = d.join(".").join(file.file_name().unwrap());
    for report in [file.as_path(), same.as_path()] {
        for dry in [false, true] {
            let mut args = vec![
                "import",
                file.to_str().unwrap(),
                "--report",
                report.to_str().unwrap(),
            ];
            if dry {
                args.push("--dry-run");
            }
            let (code, message) = refused(d, &args);
            assert_eq!(code, "bad_report_path");
            assert!(message.contains("is the file being imported"), "{message}");
        }
    }
    assert_eq!(
        std::fs::read(&file).unwrap(),
        list,
        "the member list is untouched"
    );
    assert_eq!(ok_json(d, &["status"])["members"], 1, "nothing imported");
}

#[test]
fn a_report_that_fails_late_still_shows_the_import_summary() {
    let dir = shop();
    let d = dir.path();
    let file = members_csv(d);
    let out = counter(
        d,
        &["import", file.to_str().unwrap(), "--report", "/dev/full"],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out).contains("imported 2 at branch BKK01"),
        "{}",
        stdout(&out)
    );
    assert!(
        stderr(&out).contains("only the report could not be written"),
        "{}",
        stderr(&out)
    );
    assert_eq!(ok_json(d, &["status"])["members"], 3);
}

#[test]
fn a_dry_run_says_so_and_how_many_it_would_import() {
    let dir = shop();
    let d = dir.path();
    let file = members_csv(d);
    let dry = ok_json(d, &["import", file.to_str().unwrap(), "--dry-run"]);
    assert_eq!(dry["dry_run"], true);
    assert_eq!(dry["would_import"], 2);
    assert_eq!(dry["imported"], 0);
    let real = ok_json(d, &["import", file.to_str().unwrap()]);
    assert_eq!(real["dry_run"], false);
    assert_eq!(real["imported"], 2);
}

#[test]
fn an_import_branch_is_checked_up_front_and_shown_as_stored() {
    let dir = shop();
    let d = dir.path();
    let file = members_csv(d);
    for dry in [true, false] {
        let mut args = vec!["import", file.to_str().unwrap(), "--branch", "BKK 01"];
        if dry {
            args.push("--dry-run");
        }
        let (code, message) = refused(d, &args);
        assert_eq!(code, "bad_branch");
        assert!(
            message.contains("`BKK 01` is not a branch code"),
            "{message}"
        );
    }
    let out = counter(d, &["import", file.to_str().unwrap(), "--branch", "cnx01"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("at branch CNX01"), "{}", stdout(&out));
    assert!(
        stderr(&out).contains("no member of this replica registered at branch CNX01"),
        "a new branch gets a note: {}",
        stderr(&out)
    );
}

#[test]
fn an_export_for_a_branch_the_replica_never_saw_is_refused() {
    let dir = shop();
    let d = dir.path();
    let output = d.join("members.csv");
    let (code, message) = refused(
        d,
        &[
            "export",
            "members",
            "-o",
            output.to_str().unwrap(),
            "--branch",
            "NOPE",
        ],
    );
    assert_eq!(code, "unknown_branch");
    assert!(message.contains("known branches: BKK01"), "{message}");
    assert!(!output.exists());
    let done = ok_json(
        d,
        &[
            "export",
            "members",
            "-o",
            output.to_str().unwrap(),
            "--branch",
            "bkk01",
        ],
    );
    assert_eq!(done["rows"], 1);
}
