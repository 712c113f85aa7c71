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
}
