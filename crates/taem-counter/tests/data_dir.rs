//! The `--data-dir` folder: an empty option, a file given as the folder, a folder in place of
//! the replica, folders and files this user may not read or write. Each is named with the
//! path to fix, before anything opens or creates a replica.

mod common;

use std::process::Command;

use common::{counter, ok_json, refused, shop, stderr};
use taem_replica::REPLICA_FILE_NAME;

#[test]
fn an_empty_data_dir_option_is_a_usage_error_and_touches_no_replica() {
    let home = tempfile::tempdir().unwrap();
    let run = |args: &[&str], env_dir: Option<&str>| {
        let mut command = Command::new(env!("CARGO_BIN_EXE_taem-counter"));
        command.env("HOME", home.path()).env_remove("TAEM_DATA_DIR");
        if let Some(v) = env_dir {
            command.env("TAEM_DATA_DIR", v);
        }
        command.args(args).output().unwrap()
    };
    let default_replica = home
        .path()
        .join(".local/share/taem")
        .join(REPLICA_FILE_NAME);
    let out = run(
        &[
            "--json",
            "--data-dir",
            "",
            "init",
            "--shop",
            "S",
            "--branch",
            "B1",
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err: serde_json::Value = serde_json::from_slice(&out.stderr).unwrap();
    assert_eq!(err["error"]["code"], "usage");
    let message = err["error"]["message"].as_str().unwrap();
    assert!(message.contains("--data-dir is empty"), "{message}");
    assert!(!default_replica.exists(), "the default replica is not made");
    // An empty TAEM_DATA_DIR is unset, as in a shell: the default folder is used.
    let out = run(&["init", "--shop", "S", "--branch", "B1"], Some(""));
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(default_replica.exists());
}

#[test]
fn a_file_given_as_the_data_dir_is_named_as_a_file_not_a_missing_replica() {
    let base = tempfile::tempdir().unwrap();
    let file = base.path().join("afile");
    std::fs::write(&file, "").unwrap();
    for args in [
        &["status"][..],
        &["init", "--shop", "S", "--branch", "B1"],
        &["demo", "--members", "5"],
    ] {
        let (code, message) = refused(&file, args);
        assert_eq!(code, "not_a_folder", "{args:?}");
        assert!(message.contains("is a file, not a folder"), "{message}");
        assert!(!message.contains("os error"), "{message}");
    }
    assert_eq!(std::fs::read(&file).unwrap(), b"", "the file is untouched");
}

#[test]
fn a_folder_in_place_of_the_replica_file_is_named_as_such() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let inner = d.join(REPLICA_FILE_NAME);
    std::fs::create_dir(&inner).unwrap();
    for args in [&["status"][..], &["init", "--shop", "S", "--branch", "B1"]] {
        let (code, message) = refused(d, args);
        assert_eq!(code, "not_a_replica", "{args:?}");
        assert!(
            message.contains("is a folder, not a replica file") && message.contains("mv "),
            "{message}"
        );
        assert!(!message.contains("already holds"), "{message}");
    }
}

#[test]
fn an_os_error_is_said_once() {
    let dir = shop();
    let d = dir.path();
    let target = d.join("no-such-folder").join("members.csv");
    let (_, message) = refused(d, &["export", "members", "-o", target.to_str().unwrap()]);
    // Named once, as the folder that is missing (not the download's temporary file).
    assert_eq!(message.matches("does not exist").count(), 1, "{message}");
    assert!(
        message.contains("no-such-folder does not exist"),
        "{message}"
    );
    assert!(!message.contains(".partial"), "{message}");
}

#[test]
fn the_data_dir_checks_leave_a_missing_folder_to_init() {
    let base = tempfile::tempdir().unwrap();
    let d = base.path().join("new").join("shop");
    let (code, _) = refused(&d, &["status"]);
    assert_eq!(code, "not_initialised");
    ok_json(&d, &["init", "--shop", "S", "--branch", "B1"]);
    assert!(counter(&d, &["status"]).status.success());
}

/// Folders and files this user may not read or write (Unix permissions).
#[cfg(unix)]
mod permissions {
    use std::os::unix::fs::PermissionsExt;
    use std::path::Path;
    use std::process::{Command, Output};

    use super::common::{ok_json, stderr};
    use taem_replica::REPLICA_FILE_NAME;

    fn chmod(path: &Path, mode: u32) {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
    }

    /// Whether this process reads files whatever their permissions say (root): then the
    /// permission cases run the binary as `nobody`.
    fn reads_anything(dir: &Path) -> bool {
        let probe = dir.join("permission-probe");
        std::fs::write(&probe, "x").unwrap();
        chmod(&probe, 0o000);
        let read = std::fs::File::open(&probe).is_ok();
        std::fs::remove_file(&probe).unwrap();
        read
    }

    /// Runs `--json args` on `data_dir` as a user bound by file permissions: this user, or
    /// `nobody` (through setpriv) when the tests run as root. `None` when that cannot be done
    /// (root without setpriv): the case is then not checked here.
    fn as_permission_bound_user(base: &Path, data_dir: &Path, args: &[&str]) -> Option<Output> {
        let binary = env!("CARGO_BIN_EXE_taem-counter");
        let mut command = if reads_anything(base) {
            let mut c = Command::new("setpriv");
            c.args(["--reuid=65534", "--regid=65534", "--clear-groups", binary]);
            c
        } else {
            Command::new(binary)
        };
        command.current_dir(base).arg("--json").arg("--data-dir");
        command.arg(data_dir).args(args);
        match command.output() {
            Ok(out) => Some(out),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                eprintln!("setpriv is missing: permission cases not checked as root");
                None
            }
            Err(e) => panic!("{e}"),
        }
    }

    /// A folder others may enter, for the cases run as `nobody`.
    fn open_base() -> tempfile::TempDir {
        let base = tempfile::tempdir().unwrap();
        chmod(base.path(), 0o755);
        base
    }

    /// The JSON error of a refused run: its code and message.
    fn json_error(out: &Output) -> (String, String) {
        assert_eq!(out.status.code(), Some(1), "{}", stderr(out));
        let err: serde_json::Value = serde_json::from_slice(&out.stderr).expect("JSON error");
        (
            err["error"]["code"].as_str().unwrap().to_string(),
            err["error"]["message"].as_str().unwrap().to_string(),
        )
    }

    #[test]
    fn a_data_dir_this_user_cannot_read_is_not_taken_for_a_missing_replica() {
        let base = open_base();
        let d = base.path().join("shop");
        ok_json(&d, &["init", "--shop", "S", "--branch", "B1"]);
        chmod(&d, 0o000);
        let out = as_permission_bound_user(base.path(), Path::new("shop"), &["status"]);
        chmod(&d, 0o755);
        let Some(out) = out else { return };
        let (code, message) = json_error(&out);
        assert_eq!(code, "permission_denied");
        assert!(
            message.contains("cannot read the folder shop") && message.contains("chmod u+rwx shop"),
            "{message}"
        );
        assert!(
            !message.contains("init"),
            "not a missing replica: {message}"
        );
    }

    #[test]
    fn a_replica_file_this_user_cannot_read_asks_for_read_permission() {
        let base = open_base();
        let d = base.path().join("shop");
        ok_json(&d, &["init", "--shop", "S", "--branch", "B1"]);
        let file = d.join(REPLICA_FILE_NAME);
        chmod(&file, 0o000);
        let out = as_permission_bound_user(base.path(), Path::new("shop"), &["status"]);
        chmod(&file, 0o644);
        let Some(out) = out else { return };
        let (code, message) = json_error(&out);
        assert_eq!(code, "permission_denied");
        assert!(
            message.contains("cannot read the replica") && message.contains("chmod u+rw"),
            "{message}"
        );
    }

    #[test]
    fn init_under_a_folder_this_user_cannot_write_names_that_folder() {
        let base = open_base();
        let parent = base.path().join("rop");
        std::fs::create_dir(&parent).unwrap();
        chmod(&parent, 0o555);
        let Some(out) = as_permission_bound_user(
            base.path(),
            Path::new("rop/new"),
            &["init", "--shop", "S", "--branch", "B1"],
        ) else {
            return;
        };
        let (code, message) = json_error(&out);
        assert_eq!(code, "read_only");
        assert!(
            message.contains("cannot write in rop:") && message.contains("chmod u+w rop`"),
            "{message}"
        );
        assert!(!message.contains("rop/new is read-only"), "{message}");
        assert!(!parent.join("new").exists());
    }
}
