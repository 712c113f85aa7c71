//! Reading a process's memory figures from `/proc/<pid>/status` (Linux).

use anyhow::Context;

/// The process's peak resident set (`VmHWM`), in KiB.
pub fn high_water_kb(pid: u32) -> anyhow::Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))
        .with_context(|| format!("reading /proc/{pid}/status"))?;
    status_kb(&status, "VmHWM:").context("no VmHWM line in /proc/<pid>/status")
}

/// A `kB` line of a `/proc/<pid>/status` text (`key` with its colon, e.g. `VmRSS:`).
pub fn status_kb(status: &str, key: &str) -> Option<u64> {
    status
        .lines()
        .find_map(|l| l.strip_prefix(key))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|kb| kb.parse().ok())
}

/// What the calling thread has read from storage so far: major page faults (a page of a
/// memory-mapped file that was not in memory) and bytes read from the disk (not from the page
/// cache). `None` where `/proc/thread-self` is not available.
pub fn thread_disk_reads() -> Option<DiskReads> {
    let io = std::fs::read_to_string("/proc/thread-self/io").ok()?;
    let stat = std::fs::read_to_string("/proc/thread-self/stat").ok()?;
    Some(DiskReads {
        major_faults: stat_major_faults(&stat)?,
        read_bytes: io_field(&io, "read_bytes:")?,
    })
}

/// How long the calling thread has run on a CPU so far (the first field of
/// `/proc/thread-self/schedstat`, in nanoseconds): the difference to wall time is waiting
/// (for the disk, mostly). `None` where the kernel does not keep schedstats.
pub fn thread_cpu_ns() -> Option<u64> {
    let schedstat = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    schedstat.split_whitespace().next()?.parse().ok()
}

/// Reads from storage, counted by [`thread_disk_reads`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DiskReads {
    /// Pages of memory-mapped files that had to be read in.
    pub major_faults: u64,
    /// Bytes the thread's reads fetched from storage.
    pub read_bytes: u64,
}

impl DiskReads {
    /// What was read between `earlier` and `self`.
    pub fn since(self, earlier: DiskReads) -> DiskReads {
        DiskReads {
            major_faults: self.major_faults.saturating_sub(earlier.major_faults),
            read_bytes: self.read_bytes.saturating_sub(earlier.read_bytes),
        }
    }

    /// Whether anything came from the disk.
    pub fn any(self) -> bool {
        self.major_faults > 0 || self.read_bytes > 0
    }
}

/// The `majflt` field of a `/proc/.../stat` line (the 12th; the command name in parentheses
/// may itself hold spaces, so fields are counted after its closing parenthesis).
fn stat_major_faults(stat: &str) -> Option<u64> {
    let after_name = &stat[stat.rfind(')')? + 1..];
    // After the name: state (field 3) … majflt (field 12) is the 10th.
    after_name.split_whitespace().nth(9)?.parse().ok()
}

/// A `key: value` line of `/proc/.../io`.
fn io_field(io: &str, key: &str) -> Option<u64> {
    io.lines()
        .find_map(|l| l.strip_prefix(key))
        .and_then(|rest| rest.trim().parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_lines_are_read_in_kib() {
        let status =
            "Name:\ttaem-counter\nVmPeak:\t  20000 kB\nVmHWM:\t   12345 kB\nVmRSS:\t 1 kB\n";
        assert_eq!(status_kb(status, "VmHWM:"), Some(12345));
        assert_eq!(status_kb(status, "VmRSS:"), Some(1));
        assert_eq!(status_kb("Name: x\n", "VmHWM:"), None);
    }

    #[test]
    fn major_faults_are_the_twelfth_stat_field_even_with_spaces_in_the_name() {
        let stat = "4242 (taem bench) S 1 4242 4242 0 -1 4194304 311 0 7 0 1 2 0 0 20 0";
        assert_eq!(stat_major_faults(stat), Some(7));
        assert_eq!(stat_major_faults("garbage"), None);
        let io = "rchar: 6976\nread_bytes: 4096\nwrite_bytes: 0\n";
        assert_eq!(io_field(io, "read_bytes:"), Some(4096));
        assert_eq!(io_field(io, "nothing:"), None);
    }

    #[test]
    fn this_thread_reads_and_cpu_time_are_counted_where_the_kernel_keeps_them() {
        // Both files depend on kernel options (task I/O accounting, schedstats); the bench
        // then reports zeros, and this test checks only what the kernel provides.
        if let Some(before) = thread_disk_reads() {
            let after = thread_disk_reads().expect("read a moment ago");
            assert!(after.major_faults >= before.major_faults);
            assert!(after.read_bytes >= before.read_bytes);
            assert_eq!(after.since(after), DiskReads::default());
            assert!(!DiskReads::default().any());
        }
        if let Some(cpu) = thread_cpu_ns() {
            let spin = std::time::Instant::now();
            while spin.elapsed() < std::time::Duration::from_millis(20) {}
            assert!(thread_cpu_ns().expect("read a moment ago") >= cpu + 10_000_000);
        }
    }
}
