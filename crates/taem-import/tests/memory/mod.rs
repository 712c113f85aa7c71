//! The process's peak memory, for the tests that bound it (each alone in its test binary: a
//! test running beside it would raise the process's peak).

/// A line of `/proc/self/status`, in kB.
pub fn status_kb(key: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix(key))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or_else(|| panic!("{key} in /proc/self/status"))
}

/// Starts counting the peak memory from now, where the kernel allows it (else the peak keeps
/// what came before, and a bound on its growth only gets easier to meet); answers the peak so
/// far in kB.
pub fn reset_peak_kb() -> u64 {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
    status_kb("VmHWM:")
}

/// How much the peak memory grew since [`reset_peak_kb`] answered `before_kb`.
pub fn peak_growth_kb(before_kb: u64) -> u64 {
    status_kb("VmHWM:").saturating_sub(before_kb)
}
