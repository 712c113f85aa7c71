//! `init` and `check`: creating a replica, and telling whether the one there is sound.

use std::path::Path;
use std::sync::Arc;

use taem_replica::{OpenMode, REPLICA_FILE_NAME, Replica, ReplicaError, SystemEnvironment};

use crate::errors::refusal;
use crate::{emit, input, open, render};

/// `init --shop NAME --branch CODE`.
pub fn init(dir: &Path, json: bool, shop: &str, branch: &str) -> anyhow::Result<()> {
    let shop = shop.trim();
    if shop.is_empty() {
        return Err(refusal(
            "bad_shop_name",
            "the shop name is empty: give the name customers know, e.g. --shop \"ร้านกาแฟแต้มดี\"",
        ));
    }
    let branch = input::branch_code(branch)?;
    let path = dir.join(REPLICA_FILE_NAME);
    if path.exists() {
        // `create` only sees that a file is there; say what it is, so `init` and `status`
        // agree about a file that is not a replica.
        match Replica::open(dir, OpenMode::ReadOnly, Arc::new(SystemEnvironment)) {
            Err(ReplicaError::NotADatabase { .. } | ReplicaError::ForeignDatabase { .. }) => {
                return Err(refusal(
                    "not_a_replica",
                    format!(
                        "{} is there but is not a Taem replica: move it away (e.g. `mv {0} {0}.old`) \
                         or choose another --data-dir, then run init again",
                        path.display()
                    ),
                ));
            }
            Err(ReplicaError::Corrupt { detail, .. }) => {
                return Err(refusal(
                    "corrupt",
                    format!(
                        "{} holds a damaged Taem replica ({detail}): see `taem-counter check`; \
                         restore it from a backup, or move it away before creating a new one",
                        path.display()
                    ),
                ));
            }
            _ => {}
        }
    }
    let replica = Replica::create(dir, shop, &branch, Arc::new(SystemEnvironment))?;
    let status = replica.status()?;
    emit(json, &status, render::status)?;
    Ok(())
}

/// What to do with a replica that cannot be trusted.
fn recovery(dir: &Path, path: &Path) -> String {
    format!(
        "restore {file} from a backup into {dir}, after deleting {file}-wal and {file}-shm \
         there (`rm -f {path}-wal {path}-shm`: left beside the restored file, they would be \
         applied to it and damage it again); or move it away with them (`mv {path} {path}.damaged`, \
         and the same for {path}-wal and {path}-shm when they are there) \
         and, for a counter enrolled with a server, enrol again with a new code \
         (`taem-counter --data-dir {dir} enrol URL CODE`: the shop's members come back, \
         operations not yet sent are lost), or for a local shop create a new replica with `init`",
        file = REPLICA_FILE_NAME,
        dir = dir.display(),
        path = path.display()
    )
}

/// What `check` says about a file that cannot be opened as a replica (problems, what it is,
/// whether it opened); other errors (a lock, a missing replica) pass through.
fn unopenable(e: ReplicaError) -> Result<(Vec<String>, &'static str, bool), ReplicaError> {
    Ok(match e {
        ReplicaError::Corrupt { detail, .. } => (
            vec![detail],
            "damaged: it cannot even be opened as a replica",
            false,
        ),
        ReplicaError::NotADatabase { .. } => (
            vec!["the file does not start like an SQLite database".into()],
            "not a Taem replica: not an SQLite database (another kind of file, or damaged at its start)",
            false,
        ),
        ReplicaError::ForeignDatabase { .. } => (
            vec!["the SQLite database is not marked as a Taem replica".into()],
            "not a Taem replica: an SQLite database of another program",
            false,
        ),
        other => return Err(other),
    })
}

/// `check`: SQLite's integrity check, or — when the file cannot be read as a replica at all —
/// what the file is and how to recover.
pub fn check(dir: &Path, json: bool, wait_ms: u64) -> anyhow::Result<()> {
    let path = dir.join(REPLICA_FILE_NAME);
    let checked = match open(dir, OpenMode::ReadOnly, wait_ms) {
        Ok(replica) => match replica.integrity_check() {
            Ok(problems) => Ok(problems),
            // SQLite gives up on some damage instead of listing it: the file opened, but its
            // check could not finish.
            Err(ReplicaError::Corrupt { detail, .. }) => Err((
                vec![detail],
                "damaged: SQLite's integrity check stopped at damage it cannot read past",
                true,
            )),
            Err(e) => return Err(e.into()),
        },
        Err(e) => Err(unopenable(e)?),
    };
    let (problems, what, opened) = match checked {
        Ok(problems) if problems.is_empty() => {
            let value = serde_json::json!({"ok": true, "opened": true, "problems": problems});
            emit(json, &value, |_| format!("{}: healthy", path.display()))?;
            return Ok(());
        }
        Ok(problems) => (
            problems,
            "damaged: SQLite's integrity check found problems",
            true,
        ),
        Err(found) => found,
    };
    let how = recovery(dir, &path);
    let value = serde_json::json!({
        "ok": false, "opened": opened, "problems": problems, "recovery": how,
    });
    emit(json, &value, |_| {
        format!(
            "{}: {what}\n{}\nto recover: {how}",
            path.display(),
            problems
                .iter()
                .map(|p| format!("  {p}"))
                .collect::<Vec<_>>()
                .join("\n")
        )
    })?;
    Err(refusal(
        "damaged",
        format!(
            "{} is {what}: restore it from a backup or re-create it (the recovery is printed above)",
            path.display()
        ),
    ))
}
