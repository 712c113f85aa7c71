//! A replica on a disk nobody can write (a backup on a read-only USB stick or disc): look-ups
//! and downloads read it; writes are refused; a `-wal` beside it that holds changes is not
//! ignored but refused, with what to do.
//!
//! The disk is real: as root, a tmpfs mounted read-only; as another user, a folder without
//! write permission (where SQLite cannot create the `-shm` file either).

#![cfg(target_os = "linux")]

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use common::*;
use taem_replica::{FixedEnvironment, OpenMode, REPLICA_FILE_NAME, Replica, ReplicaError};

fn env() -> Arc<FixedEnvironment> {
    Arc::new(FixedEnvironment::new(at(2026, 11, 23, 3), 1))
}

fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .unwrap()
        .lines()
        .find_map(|l| l.strip_prefix("Uid:"))
        .and_then(|ids| ids.split_whitespace().next().map(|uid| uid == "0"))
        .unwrap_or(false)
}

/// A folder that cannot be written, holding `files` (name, bytes); made writable again (or
/// unmounted) when dropped.
struct ReadOnlyDisk {
    dir: PathBuf,
    mounted: bool,
}

impl ReadOnlyDisk {
    fn with(dir: PathBuf, files: &[(&str, Vec<u8>)]) -> ReadOnlyDisk {
        std::fs::create_dir_all(&dir).unwrap();
        let root = is_root();
        if root {
            let mounted = Command::new("mount")
                .args(["-t", "tmpfs", "-o", "size=16m", "tmpfs"])
                .arg(&dir)
                .status()
                .is_ok_and(|s| s.success());
            assert!(
                mounted,
                "as root this test mounts a tmpfs at {} (it needs the mount command and the right to mount)",
                dir.display()
            );
        }
        for (name, bytes) in files {
            std::fs::write(dir.join(name), bytes).unwrap();
        }
        if root {
            let remounted = Command::new("mount")
                .args(["-o", "remount,ro"])
                .arg(&dir)
                .status()
                .unwrap();
            assert!(
                remounted.success(),
                "remounting {} read-only",
                dir.display()
            );
        } else {
            let mut perms = std::fs::metadata(&dir).unwrap().permissions();
            perms.set_readonly(true);
            std::fs::set_permissions(&dir, perms).unwrap();
        }
        assert!(
            std::fs::write(dir.join("probe"), b"x").is_err(),
            "{} is still writable",
            dir.display()
        );
        ReadOnlyDisk { dir, mounted: root }
    }
}

impl Drop for ReadOnlyDisk {
    fn drop(&mut self) {
        if self.mounted {
            let _ = Command::new("umount").arg(&self.dir).status();
        } else if let Ok(meta) = std::fs::metadata(&self.dir) {
            let mut perms = meta.permissions();
            #[allow(clippy::permissions_set_readonly_false)]
            perms.set_readonly(false);
            let _ = std::fs::set_permissions(&self.dir, perms);
        }
    }
}

/// A closed replica with two members, its file's bytes.
fn replica_bytes(dir: &Path) -> Vec<u8> {
    let (mut r, _) = replica(dir);
    add(&mut r, "0812345678", "สมชาย", "ใจดี");
    add(&mut r, "0898765432", "สมหญิง", "รักดี");
    award(&mut r, "0812345678", "B-1", "250");
    let path = r.path().to_path_buf();
    drop(r);
    std::fs::read(path).unwrap()
}

#[test]
fn a_replica_on_a_read_only_disk_is_read_and_writes_are_refused() {
    let work = tempfile::tempdir().unwrap();
    let bytes = replica_bytes(&work.path().join("made"));
    let disk = ReadOnlyDisk::with(
        work.path().join("disk"),
        &[(REPLICA_FILE_NAME, bytes.clone())],
    );

    let ro = Replica::open(&disk.dir, OpenMode::ReadOnly, env()).unwrap();
    assert_eq!(ro.status().unwrap().members, 2);
    let found = ro.find("0812345678", 1).unwrap();
    assert_eq!(found.members.len(), 1);
    assert_eq!(found.members[0].balance, 10, "250 baht at 25 baht a point");
    assert!(ro.integrity_check().unwrap().is_empty());
    drop(ro);

    let err = Replica::open(&disk.dir, OpenMode::ReadWrite, env()).unwrap_err();
    assert!(matches!(err, ReplicaError::ReadOnly { .. }), "{err}");
    assert!(err.to_string().contains("writable folder"), "{err}");
    assert_eq!(
        std::fs::read(disk.dir.join(REPLICA_FILE_NAME)).unwrap(),
        bytes
    );
}

#[test]
fn a_read_only_disk_with_changes_waiting_in_the_wal_is_refused_not_read_without_them() {
    let work = tempfile::tempdir().unwrap();
    let bytes = replica_bytes(&work.path().join("made"));
    let disk = ReadOnlyDisk::with(
        work.path().join("disk"),
        &[
            (REPLICA_FILE_NAME, bytes),
            (&format!("{REPLICA_FILE_NAME}-wal"), vec![0x37; 4096]),
        ],
    );
    let err = Replica::open(&disk.dir, OpenMode::ReadOnly, env()).unwrap_err();
    assert!(matches!(err, ReplicaError::ReadOnly { .. }), "{err}");
    assert!(err.to_string().contains("-wal"), "{err}");
}
