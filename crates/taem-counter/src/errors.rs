//! How a failure leaves the program: the stable code scripts branch on, the message, the
//! exit code, and the `{"error":{"code","message"}}` form on stderr with `--json`.

use std::io::Write;
use std::process::ExitCode;

use clap::error::ErrorKind;
use taem_replica::ReplicaError;

use crate::output::{EXIT_BROKEN_PIPE, OutputError};

/// Exit code for a refused operation (bad input, unknown member, locked file…).
pub const EXIT_REFUSED: u8 = 1;
/// Exit code for a command line clap cannot read (a missing or malformed option).
pub const EXIT_USAGE: u8 = 2;
/// Exit code of `batch` and `member find --stdin` when the input ended and one or more of
/// its lines were refused (each answered with its error on the way).
pub const EXIT_LINES_FAILED: u8 = 3;

/// A refusal decided by this program (not by a library), with its stable code.
#[derive(Debug)]
pub struct Refusal {
    /// Stable code for scripts.
    pub code: &'static str,
    /// What was wrong and how to fix it.
    pub message: String,
    /// The exit code.
    pub exit: u8,
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Refusal {}

/// A refusal with its code, exiting [`EXIT_REFUSED`].
pub fn refusal(code: &'static str, message: impl Into<String>) -> anyhow::Error {
    Refusal {
        code,
        message: message.into(),
        exit: EXIT_REFUSED,
    }
    .into()
}

/// The stable code of an error, for scripts to branch on (never on the message text).
pub fn error_code(err: &anyhow::Error) -> &'static str {
    if let Some(r) = err.downcast_ref::<Refusal>() {
        return r.code;
    }
    if err.downcast_ref::<OutputError>().is_some() {
        return "output";
    }
    if let Some(e) = err.downcast_ref::<ReplicaError>() {
        return e.code();
    }
    if let Some(e) = err.downcast_ref::<taem_sync::SyncError>() {
        return match e {
            taem_sync::SyncError::Replica(r) => r.code(),
            taem_sync::SyncError::Offline { .. }
            | taem_sync::SyncError::EnrolUnreachable { .. } => "offline",
            taem_sync::SyncError::NotEnrolled => "not_enrolled",
            taem_sync::SyncError::Protocol(_) => "protocol",
            taem_sync::SyncError::Refused { .. } => "refused_by_server",
            taem_sync::SyncError::BadUrl(_) => "bad_url",
        };
    }
    // A download that filled the disk: the same code as a replica write that did.
    let disk_full = |e: &std::io::Error| e.kind() == std::io::ErrorKind::StorageFull;
    if err.chain().any(|c| {
        c.downcast_ref::<std::io::Error>().is_some_and(disk_full)
            || matches!(c.downcast_ref::<taem_import::export::ExportError>(),
                Some(taem_import::export::ExportError::Io(e)) if disk_full(e))
    }) {
        return "disk_full";
    }
    let codes: [(bool, &str); 8] = [
        (err.is::<taem_core::PhoneError>(), "bad_phone"),
        (err.is::<taem_core::MoneyError>(), "bad_amount"),
        (err.is::<taem_core::PointsError>(), "bad_points"),
        (err.is::<taem_core::ProfileError>(), "bad_profile"),
        (err.is::<taem_core::MemberCodeError>(), "bad_member_code"),
        (err.is::<taem_core::ThaiDateError>(), "bad_date"),
        (err.is::<taem_core::RateError>(), "bad_rate"),
        (
            err.is::<taem_core::TierSettingsError>(),
            "bad_tier_settings",
        ),
    ];
    codes
        .into_iter()
        .find_map(|(matches, code)| matches.then_some(code))
        .unwrap_or("refused")
}

/// Prints an error the way the command line asked for (JSON or text) on stderr and gives the
/// exit code. A closed standard output ends quietly: its reader is gone and wants nothing more.
pub fn report(err: &anyhow::Error, json: bool) -> ExitCode {
    if err
        .chain()
        .filter_map(|e| e.downcast_ref::<OutputError>())
        .any(OutputError::is_broken_pipe)
    {
        return ExitCode::from(EXIT_BROKEN_PIPE);
    }
    let exit = err
        .downcast_ref::<Refusal>()
        .map_or(EXIT_REFUSED, |r| r.exit);
    print_error(error_code(err), &message(err), json);
    ExitCode::from(exit)
}

/// The error and its causes on one line, outermost first, as `{:#}` joins them, but without a
/// cause whose text the line already holds: some library errors print their cause in their
/// own message and also give it as their source, and "File exists (os error 17): File exists
/// (os error 17)" reads like a fault of its own.
fn message(err: &anyhow::Error) -> String {
    let mut line = String::new();
    for cause in err.chain() {
        let text = cause.to_string();
        if text.is_empty() || line.contains(&text) {
            continue;
        }
        if !line.is_empty() {
            line.push_str(": ");
        }
        line.push_str(&text);
    }
    line
}

fn print_error(code: &str, message: &str, json: bool) {
    // Nothing more can be said when stderr itself cannot be written: the exit code remains.
    let mut stderr = std::io::stderr().lock();
    if json {
        let body = serde_json::json!({"error": {"code": code, "message": message}});
        let _ = writeln!(stderr, "{body}");
    } else {
        let _ = writeln!(stderr, "error: {message}");
    }
}

/// Whether `--json` is on the command line (before a `--` that ends the options), for errors
/// found before clap could read it.
fn json_requested() -> bool {
    std::env::args_os()
        .skip(1)
        .take_while(|a| a != "--")
        .any(|a| a == "--json")
}

/// `--version` with `--json`: `{"name","version"}` on stdout, like every other answer.
fn print_version() -> ExitCode {
    let body = serde_json::json!({
        "name": env!("CARGO_PKG_NAME"),
        "version": env!("CARGO_PKG_VERSION"),
    });
    match crate::output::print_line(&body.to_string()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.is_broken_pipe() => ExitCode::from(EXIT_BROKEN_PIPE),
        Err(e) => {
            print_error("output", &e.to_string(), true);
            ExitCode::from(EXIT_REFUSED)
        }
    }
}

/// A command line clap could not read. `--help` prints as clap prints it, and so does
/// `--version` without `--json` (with it, the version is a JSON object on stdout); with
/// `--json` every other problem is the JSON error object (code `usage`) on stderr, exit 2.
pub fn usage(err: clap::Error) -> ExitCode {
    match err.kind() {
        ErrorKind::DisplayVersion if json_requested() => return print_version(),
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => err.exit(),
        _ if !json_requested() => err.exit(),
        ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            print_error(
                "usage",
                "a command is missing: add --help to the same command line to see the commands",
                true,
            );
        }
        _ => {
            let text = err.render().to_string();
            let text = text.strip_prefix("error: ").unwrap_or(&text);
            let (problem, usage) = text.split_once("\nUsage:").unwrap_or((text, ""));
            let words = |part: &str, glue: &str| {
                part.lines()
                    .map(str::trim)
                    .filter(|l| !l.is_empty() && !l.starts_with("For more information"))
                    .collect::<Vec<_>>()
                    .join(glue)
            };
            let mut message = words(problem, " ");
            let usage = words(usage, " or ");
            if !usage.is_empty() {
                message.push_str(&format!(" (usage: {usage})"));
            }
            message.push_str("; see --help");
            print_error("usage", &message, true);
        }
    }
    ExitCode::from(EXIT_USAGE)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_download_that_fills_the_disk_says_disk_full() {
        let full = std::io::Error::from(std::io::ErrorKind::StorageFull);
        let err = anyhow::Error::new(taem_import::export::ExportError::Io(full))
            .context("writing members.xlsx");
        assert_eq!(error_code(&err), "disk_full");
        let other = std::io::Error::from(std::io::ErrorKind::NotFound);
        let err = anyhow::Error::new(taem_import::export::ExportError::Io(other));
        assert_eq!(error_code(&err), "refused");
    }
}
