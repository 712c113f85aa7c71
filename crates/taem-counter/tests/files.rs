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
fn a_report_replaces_an_earlier_report_but_never_another_file() {
    let dir = shop();
    let d = dir.path();
    let file = members_csv(d);
    let elsewhere = d.join("elsewhere");
    std::fs::create_dir_all(&elsewhere).unwrap();
    let other = members_csv(&elsewhere);
    let kept = std::fs::read(&other).unwrap();
    let (code, message) = refused(
        d,
        &[
            "import",
            file.to_str().unwrap(),
            "--report",
            other.to_str().unwrap(),
        ],
    );
    assert_eq!(code, "bad_report_path");
    assert!(
        message.contains("is not an import report") && message.contains("nothing was imported"),
        "{message}"
    );
    assert_eq!(
        std::fs::read(&other).unwrap(),
        kept,
        "the other list is kept"
    );
    assert_eq!(ok_json(d, &["status"])["members"], 1, "nothing imported");

    // The same command twice: the second report replaces the first.
    let report = d.join("report.csv");
    let args = [
        "import",
        file.to_str().unwrap(),
        "--report",
        report.to_str().unwrap(),
    ];
    assert_eq!(ok_json(d, &args)["imported"], 2);
    let first = std::fs::read_to_string(&report).unwrap();
    assert_eq!(
        first.lines().count(),
        1,
        "no problem: the header alone\n{first}"
    );
    assert_eq!(ok_json(d, &args)["already_members"], 2);
    let second = std::fs::read_to_string(&report).unwrap();
    assert_eq!(second.matches(",already_member\r\n").count(), 2, "{second}");
    // Written beside it and renamed when complete: nothing else is left in the folder.
    let left: Vec<String> = std::fs::read_dir(d)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("report"))
        .collect();
    assert_eq!(left, ["report.csv"]);
    // An Excel name for a CSV report is refused before anything is imported.
    let xlsx = d.join("report.xlsx");
    let (code, message) = refused(
        d,
        &[
            "import",
            file.to_str().unwrap(),
            "--report",
            xlsx.to_str().unwrap(),
        ],
    );
    assert_eq!(code, "bad_report_path");
    assert!(message.contains("name it .csv"), "{message}");
    assert!(!xlsx.exists());
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

#[test]
fn an_export_never_overwrites_a_file_without_force() {
    let dir = shop();
    let d = dir.path();
    let file = d.join("members.csv");
    std::fs::write(&file, "a filled-in template").unwrap();
    let (code, message) = refused(d, &["export", "members", "-o", file.to_str().unwrap()]);
    assert_eq!(code, "file_exists");
    assert!(
        message.contains("already exists") && message.contains("--force"),
        "{message}"
    );
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        "a filled-in template",
        "the file is kept"
    );
    assert!(!d.join("members.partial").exists(), "nothing was written");
    let done = ok_json(
        d,
        &["export", "members", "-o", file.to_str().unwrap(), "--force"],
    );
    assert_eq!(done["rows"], 1);
    assert!(std::fs::read_to_string(&file).unwrap().contains("สมชาย"));
    // A folder named like the file is named as a folder, with or without --force.
    let folder = d.join("adir.csv");
    std::fs::create_dir(&folder).unwrap();
    for extra in [None, Some("--force")] {
        let mut args = vec!["export", "members", "-o", folder.to_str().unwrap()];
        args.extend(extra);
        let (code, message) = refused(d, &args);
        assert_eq!(code, "is_a_folder", "{message}");
        assert_eq!(std::fs::read_dir(&folder).unwrap().count(), 0);
    }
}

/// Makes the shop's replica look enrolled with a server (what `enrol` stores), without one.
fn mark_enrolled(dir: &Path, shop_id: &str) {
    let conn = rusqlite::Connection::open(dir.join(taem_replica::REPLICA_FILE_NAME)).unwrap();
    for (key, value) in [
        ("server_url", "http://192.0.2.1:8700"),
        ("shop_id", shop_id),
        ("device_token", "token"),
    ] {
        conn.execute(
            "INSERT OR REPLACE INTO meta(key, value) VALUES (?1, ?2)",
            [key, value],
        )
        .unwrap();
    }
}

#[test]
fn an_enrolled_counters_ledger_export_says_it_is_not_the_whole_history() {
    let dir = shop();
    let d = dir.path();
    ok_json(
        d,
        &["award", "0812345678", "--amount", "100", "--bill", "B-1"],
    );
    let ledger = |name: &str| d.join(name).to_str().unwrap().to_string();
    // A local shop's replica holds its whole history: no note.
    let local = ok_json(d, &["export", "ledger", "-o", &ledger("local.csv")]);
    assert_eq!(local["whole_history"], true);
    assert!(local["note"].is_null());
    let shop_id = "0190f3c2-2222-7000-8000-000000000001";
    mark_enrolled(d, shop_id);
    let enrolled = ok_json(d, &["export", "ledger", "-o", &ledger("enrolled.csv")]);
    assert_eq!(enrolled["rows"], 1);
    assert_eq!(enrolled["whole_history"], false);
    let note = enrolled["note"].as_str().unwrap();
    assert!(
        note.contains("not the whole history")
            && note.contains(&format!("taem-server download ledger --shop {shop_id}")),
        "{note}"
    );
    let text = counter(d, &["export", "ledger", "-o", &ledger("text.csv")]);
    assert!(text.status.success(), "{}", stderr(&text));
    assert!(
        stdout(&text).contains("\nnote: this counter is enrolled"),
        "{}",
        stdout(&text)
    );
    // Every counter holds all the members.
    let members = ok_json(d, &["export", "members", "-o", &ledger("members.csv")]);
    assert_eq!(members["whole_history"], true);
    let help = stdout(&counter(d, &["export", "--help"]));
    assert!(
        help.contains("keeps only part of the shop's history")
            && help.contains("taem-server download ledger"),
        "{help}"
    );
}
