//! The `--data-dir` folder: which one, and whether it can hold a replica at all, checked
//! before a replica there is opened or created. Opening only sees "no replica file" or an OS
//! error; here the cause is named (a file given as the folder, a folder in place of the
//! replica file, a folder this user may not read) with the path to act on.

use std::io::ErrorKind;
use std::path::{Path, PathBuf};

use taem_replica::{REPLICA_FILE_NAME, ReplicaError};

use crate::errors::refusal;

/// The environment variable naming the data folder when `--data-dir` is not given.
pub const DATA_DIR_ENV: &str = "TAEM_DATA_DIR";

/// The data folder: `--data-dir`, else `TAEM_DATA_DIR` (empty counts as unset, as a shell
/// treats an empty variable), else `~/.local/share/taem`. clap refuses an empty
/// `--data-dir`.
pub fn resolve(option: Option<PathBuf>) -> PathBuf {
    option
        .or_else(|| {
            std::env::var_os(DATA_DIR_ENV)
                .filter(|d| !d.is_empty())
                .map(PathBuf::from)
        })
        .unwrap_or_else(default_data_dir)
}

/// Where replicas live when neither `--data-dir` nor `TAEM_DATA_DIR` is given.
fn default_data_dir() -> PathBuf {
    std::env::var_os("HOME")
        .map(|home| PathBuf::from(home).join(".local/share/taem"))
        .unwrap_or_else(|| PathBuf::from("taem-data"))
}

/// The refusal of a path this user may not read or enter.
fn permission_denied(message: String) -> anyhow::Error {
    refusal("permission_denied", message)
}

/// Refuses a data folder that cannot hold a readable replica, before anything opens or
/// creates one there. A folder that does not exist yet passes: `init` creates it, and every
/// other command says there is no replica and how to create one.
pub fn check(dir: &Path) -> anyhow::Result<()> {
    let shown = dir.display();
    match std::fs::metadata(dir) {
        Ok(meta) if !meta.is_dir() => {
            return Err(refusal(
                "not_a_folder",
                format!(
                    "--data-dir {shown} is a file, not a folder: give the folder that holds this \
                     counter's {REPLICA_FILE_NAME} (for init or demo, a new or empty folder)"
                ),
            ));
        }
        Ok(_) => {}
        Err(e) if e.kind() == ErrorKind::NotFound => return Ok(()),
        Err(e) if e.kind() == ErrorKind::PermissionDenied => {
            return Err(permission_denied(format!(
                "cannot reach --data-dir {shown}: a folder on its path does not let this user \
                 in (permission denied): give this user access to every folder of the path \
                 (e.g. `chmod u+x` on it, as its owner), or run taem-counter as that owner"
            )));
        }
        Err(e) => {
            return Err(refusal(
                "io",
                format!("cannot use --data-dir {shown} ({e}): check the path"),
            ));
        }
    }
    let file = dir.join(REPLICA_FILE_NAME);
    let file_shown = file.display();
    match std::fs::metadata(&file) {
        Ok(meta) if meta.is_dir() => Err(refusal(
            "not_a_replica",
            format!(
                "{file_shown} is a folder, not a replica file: move it away (`mv {file_shown} \
                 {file_shown}.old`) or choose another --data-dir"
            ),
        )),
        Ok(_) => match std::fs::File::open(&file) {
            Err(e) if e.kind() == ErrorKind::PermissionDenied => Err(permission_denied(format!(
                "cannot read the replica {file_shown} (permission denied): give this user read \
                 and write permission on it (e.g. `chmod u+rw {file_shown}`, as its owner), or \
                 run taem-counter as its owner"
            ))),
            // Anything else is for opening to tell (it knows damaged and foreign files).
            _ => Ok(()),
        },
        Err(e) if e.kind() == ErrorKind::NotFound => Ok(()),
        Err(e) if e.kind() == ErrorKind::PermissionDenied => Err(permission_denied(format!(
            "cannot read the folder {shown} (permission denied), so its replica cannot be found: \
             give this user access to it (e.g. `chmod u+rwx {shown}`, as its owner), or run \
             taem-counter as its owner"
        ))),
        Err(_) => Ok(()),
    }
}

/// The folder whose write permission decides whether a replica can be created in `dir`:
/// `dir` itself when it exists, else the nearest folder above it that exists (where `dir`
/// would be created).
fn folder_to_write(dir: &Path) -> PathBuf {
    dir.ancestors()
        .find(|a| a.as_os_str().is_empty() || a.exists())
        .map(|a| {
            if a.as_os_str().is_empty() {
                PathBuf::from(".")
            } else {
                a.to_path_buf()
            }
        })
        .unwrap_or_else(|| PathBuf::from("."))
}

/// Explains a failure to create a replica in `dir` (`init`, `demo`, `enrol` into a new
/// folder). The replica library reports a folder it may not write in as a read-only
/// *replica* named after `dir`, which may not even exist; the folder to fix is named here.
pub fn creation_failed(dir: &Path, err: anyhow::Error) -> anyhow::Error {
    let read_only = err
        .chain()
        .filter_map(|e| e.downcast_ref::<ReplicaError>())
        .any(|e| matches!(e, ReplicaError::ReadOnly { .. }));
    if !read_only || dir.join(REPLICA_FILE_NAME).exists() {
        return err;
    }
    let folder = folder_to_write(dir);
    let folder = folder.display();
    refusal(
        "read_only",
        format!(
            "cannot create a replica in {}: this user cannot write in {folder}: give write \
             permission on {folder} (e.g. `chmod u+w {folder}`, as its owner), or choose a \
             --data-dir this user can write in; nothing was created",
            dir.display()
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_folder_to_write_is_the_nearest_one_that_exists() {
        let tmp = tempfile::tempdir().unwrap();
        let base = tmp.path();
        assert_eq!(folder_to_write(base), base);
        assert_eq!(folder_to_write(&base.join("new/deeper")), base);
        assert_eq!(
            folder_to_write(Path::new("no-such-folder-here/new")),
            Path::new(".")
        );
    }
}
