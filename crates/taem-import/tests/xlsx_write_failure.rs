//! An XLSX download that cannot be written (a full disk) says so through its error and prints
//! nothing: a command's `--json` output promises stderr holds one JSON object, and the ZIP
//! writer inside the workbook would print its own line there when it is dropped unfinished.
//!
//! What reaches stderr is only seen from outside the process, so the test runs itself again
//! as a child (told by an environment variable) that does the failing write.

use std::io::Write;
use std::process::Command;

use taem_import::Lang;
use taem_import::export::{Cell, ExportError, TableWriter};

/// Set in the child that writes to the full disk.
const CHILD: &str = "TAEM_IMPORT_XLSX_WRITE_FAILURE_CHILD";

/// A destination that takes `room` bytes, then is full.
struct FullDisk {
    room: usize,
}

impl Write for FullDisk {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.room == 0 {
            return Err(std::io::Error::new(
                std::io::ErrorKind::StorageFull,
                "No space left on device (os error 28)",
            ));
        }
        let n = buf.len().min(self.room);
        self.room -= n;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn write_to_a_full_disk(room: usize) -> ExportError {
    let mut out = FullDisk { room };
    let mut w = TableWriter::xlsx(&mut out, "points-ledger", &["เวลา", "แต้ม"], Lang::Th).unwrap();
    for i in 0..5_000 {
        w.row(&[Cell::Text(format!("แถว {i}")), Cell::Int(i)])
            .unwrap();
    }
    w.finish().unwrap_err()
}

#[test]
fn a_full_disk_under_an_xlsx_download_prints_nothing() {
    const ROOMS: [usize; 3] = [0, 1_000, 20_000];
    if std::env::var_os(CHILD).is_some() {
        for room in ROOMS {
            let e = write_to_a_full_disk(room);
            println!("{room}: {e}");
        }
        return;
    }
    let child = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "a_full_disk_under_an_xlsx_download_prints_nothing",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD, "1")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&child.stdout);
    let stderr = String::from_utf8_lossy(&child.stderr);
    assert!(child.status.success(), "{stdout}\n{stderr}");
    for room in ROOMS {
        assert!(
            stdout.contains(&format!(
                "{room}: the download could not be written: No space left on device (os error 28)\n"
            )),
            "{stdout}"
        );
    }
    assert_eq!(stderr, "", "nothing on stderr");
}
