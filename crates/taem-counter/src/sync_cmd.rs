//! `enrol`, `sync`, `rejections`, `reviews`, `signin`, `settings`: the counter and its server.

use std::io::{IsTerminal, Write};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};
use taem_replica::{OpenMode, Replica, ReplicaError, SystemEnvironment};
use taem_sync::{Progress, SyncClient, SyncReport};

use crate::cli::SettingsCommand;
use crate::output::{self, OutputError};
use crate::{emit, open, render};

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("cannot start the network runtime")
}

/// A progress display on stderr (hidden with --json or when stderr is not a terminal).
struct Bar(Option<ProgressBar>);

impl Bar {
    fn new(json: bool) -> Bar {
        let show = !json && std::io::stderr().is_terminal();
        Bar(show.then(|| {
            let bar = ProgressBar::new_spinner();
            bar.set_style(
                ProgressStyle::with_template("{spinner} {msg} [{elapsed}]")
                    .unwrap_or_else(|_| ProgressStyle::default_spinner()),
            );
            bar.enable_steady_tick(Duration::from_millis(120));
            bar
        }))
    }

    fn show(&self, p: Progress) {
        if let Some(bar) = &self.0 {
            bar.set_message(match p {
                Progress::Bootstrap { members } => format!("downloading members: {members}"),
                Progress::Push { sent, waiting } => {
                    format!("sending operations: {sent} sent, {waiting} waiting")
                }
                Progress::Pull { changes } => format!("fetching changes: {changes}"),
            });
        }
    }
}

impl Drop for Bar {
    fn drop(&mut self) {
        if let Some(bar) = &self.0 {
            bar.finish_and_clear();
        }
    }
}

fn report_text(r: &SyncReport) -> String {
    let mut lines = Vec::new();
    if r.bootstrapped_members > 0 {
        lines.push(format!(
            "downloaded {}",
            crate::render::counted(r.bootstrapped_members as i64, "member", "members")
        ));
    }
    lines.push(format!(
        "sent {}: {} applied, {} already applied, {} flagged for review, {} rejected",
        crate::render::counted(r.pushed as i64, "operation", "operations"),
        r.applied,
        r.already_applied,
        r.flagged,
        r.rejected
    ));
    lines.push(format!(
        "fetched {}",
        crate::render::counted(r.pulled as i64, "change", "changes")
    ));
    if r.rejected > 0 {
        lines.push("see the rejected operations with `taem-counter rejections`".into());
    }
    lines.join("\n")
}

/// `enrol URL CODE`.
pub fn enrol(
    dir: &Path,
    json: bool,
    url: &str,
    code: &str,
    device_name: &str,
) -> anyhow::Result<()> {
    let env = Arc::new(SystemEnvironment);
    let (mut replica, created) =
        match Replica::open_waiting(dir, OpenMode::ReadWrite, env.clone(), 2_000) {
            Ok(replica) => (replica, false),
            Err(ReplicaError::NotInitialised { .. }) => {
                (Replica::create(dir, "(enrolling)", "-", env)?, true)
            }
            Err(e) => return Err(e.into()),
        };
    let enrolled_before = replica.sync_identity()?.is_some();
    let bar = Bar::new(json);
    let result = runtime()?.block_on(taem_sync::enrol(
        &mut replica,
        url,
        code,
        device_name,
        &mut |p| bar.show(p),
    ));
    drop(bar);
    let report = match result {
        Ok(report) => report,
        Err(e) => {
            let enrolled = replica.sync_identity().ok().flatten().is_some();
            if !enrolled || enrolled_before {
                // The server never took this counter: leave no half-made replica that would
                // take sales as a shop of its own.
                drop(replica);
                if created {
                    Replica::remove_files(dir)?;
                }
                return Err(e.into());
            }
            // Enrolled, but the shop's members did not all arrive: `sync` goes on from there.
            return Err(anyhow::Error::from(e).context(
                "enrolled, but the shop's members did not finish downloading: run `taem-counter sync` to go on from where it stopped",
            ));
        }
    };
    let status = replica.status()?;
    emit(
        json,
        &serde_json::json!({"enrolled": status.sync.server_url, "status": status, "report": report}),
        |_| {
            format!(
                "enrolled with {} as a counter of {} (branch {})\n{}\n\n{}",
                status.sync.server_url.clone().unwrap_or_default(),
                status.shop_name,
                status.branch,
                report_text(&report),
                render::status(&status)
            )
        },
    )?;
    Ok(())
}

/// `sync [--watch]`.
pub fn sync(dir: &Path, json: bool, wait: u64, watch: bool, interval: u64) -> anyhow::Result<()> {
    let mut replica = open(dir, OpenMode::ReadWrite, wait)?;
    let runtime = runtime()?;
    if !watch {
        let bar = Bar::new(json);
        let result = runtime.block_on(taem_sync::sync_once(&mut replica, &mut |p| bar.show(p)));
        drop(bar);
        let report = result?;
        emit(json, &report, report_text)?;
        return Ok(());
    }
    let interval = Duration::from_secs(interval.max(1));
    // A failed write (the reader went away, a full disk) stops the watch like Ctrl-C does.
    let output_failed = std::sync::Arc::new(tokio::sync::Notify::new());
    let mut output_error: Option<OutputError> = None;
    let stop = {
        let output_failed = output_failed.clone();
        async move {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                () = output_failed.notified() => {}
            }
        }
    };
    runtime.block_on(taem_sync::watch(
        &mut replica,
        interval,
        stop,
        &mut |result| {
            let written = match result {
                Ok(report) if json => {
                    output::print_line(&serde_json::to_string(report).unwrap_or_default())
                }
                Ok(report) if report.pushed + report.pulled > 0 => {
                    output::print_line(&report_text(report).replace('\n', "; "))
                }
                Ok(_) => Ok(()),
                Err(e) => {
                    let _ = writeln!(std::io::stderr(), "sync: {e}");
                    Ok(())
                }
            };
            if let Err(e) = written
                && output_error.is_none()
            {
                output_error = Some(e);
                output_failed.notify_one();
            }
        },
    ))?;
    match output_error {
        Some(e) => Err(e.into()),
        None => Ok(()),
    }
}

/// `rejections`.
pub fn rejections(dir: &Path, json: bool, wait: u64) -> anyhow::Result<()> {
    let replica = open(dir, OpenMode::ReadOnly, wait)?;
    let items = replica.rejections()?;
    emit(json, &items, |items| {
        if items.is_empty() {
            return "no rejected operations (ไม่มีรายการที่ถูกปฏิเสธ)".into();
        }
        items
            .iter()
            .map(|r| {
                format!(
                    "{}  {}  {}: {}",
                    taem_core::time::format_bangkok_be(r.at),
                    r.kind,
                    r.code,
                    r.message
                )
            })
            .collect::<Vec<_>>()
            .join("\n")
    })?;
    Ok(())
}

/// `reviews`.
pub fn reviews(dir: &Path, json: bool, wait: u64) -> anyhow::Result<()> {
    let replica = open(dir, OpenMode::ReadOnly, wait)?;
    let items = replica.reviews()?;
    emit(json, &items, |items| {
        if items.is_empty() {
            return "nothing to review (ไม่มีรายการให้ตรวจสอบ)".into();
        }
        items
            .iter()
            .map(|r| {
                format!(
                    "#{} {}  {}: {}",
                    r.review_id,
                    taem_core::time::format_bangkok_be(r.at),
                    r.kind,
                    r.message
                )
            })
            .collect::<Vec<_>>()
            .join("\n")
    })?;
    Ok(())
}

/// `signin NAME`.
pub fn signin(
    dir: &Path,
    json: bool,
    wait: u64,
    name: &str,
    pin: Option<String>,
) -> anyhow::Result<()> {
    let pin = match pin {
        Some(pin) => pin,
        None => {
            let mut line = String::new();
            std::io::stdin()
                .read_line(&mut line)
                .context("cannot read the PIN from stdin")?;
            line.trim().to_string()
        }
    };
    if pin.trim().is_empty() {
        // Checked before the replica is opened: an empty line (a stray Enter) is not a
        // guess at the PIN and must not spend one of the staff member's attempts.
        return Err(crate::errors::refusal(
            "empty_pin",
            format!(
                "the PIN for {} is empty: type the PIN (on standard input or with --pin); no attempt was used",
                name.trim()
            ),
        ));
    }
    let mut replica = open(dir, OpenMode::ReadWrite, wait)?;
    let session = replica.sign_in(name, &pin)?;
    emit(json, &session, |s| {
        format!("signed in: {} ({})", s.name, s.role)
    })?;
    Ok(())
}

/// `settings pull|push`.
pub fn settings(dir: &Path, json: bool, wait: u64, cmd: SettingsCommand) -> anyhow::Result<()> {
    let replica = open(dir, OpenMode::ReadOnly, wait)?;
    let client = SyncClient::for_replica(&replica)?;
    let runtime = runtime()?;
    match cmd {
        SettingsCommand::Pull => {
            let state = runtime.block_on(client.settings())?;
            emit(json, &state, |s| {
                format!(
                    "revision {}\n{}",
                    s.revision,
                    serde_json::to_string_pretty(&s.settings).unwrap_or_default()
                )
            })?;
        }
        SettingsCommand::Push { file, staff, pin } => {
            let text = std::fs::read_to_string(&file)
                .with_context(|| format!("cannot read {}", file.display()))?;
            // `settings pull` without --json starts with a line `revision N`: take it as the
            // revision the edit was made on.
            let (pulled_revision, text) = match text.trim_start().split_once('\n') {
                Some((first, rest)) if first.trim().starts_with("revision ") => (
                    first.trim()["revision ".len()..].trim().parse::<u64>().ok(),
                    rest,
                ),
                _ => (None, text.as_str()),
            };
            let value: serde_json::Value = serde_json::from_str(text)
                .with_context(|| format!("{} is not JSON", file.display()))?;
            // Accept the bare document, `settings pull` output, or `settings pull --json`.
            let (settings, base) = match value.get("settings") {
                Some(inner) => (
                    inner.clone(),
                    value.get("revision").and_then(|r| r.as_u64()),
                ),
                None => (value, pulled_revision),
            };
            let base_revision = match base {
                Some(rev) => rev,
                None => runtime.block_on(client.settings())?.revision,
            };
            let state =
                runtime.block_on(client.update_settings(&taem_protocol::SettingsUpdate {
                    staff,
                    pin,
                    base_revision,
                    settings,
                }))?;
            emit(json, &state, |s| {
                format!(
                    "settings saved on the server (revision {}); counters receive them at their next sync",
                    s.revision
                )
            })?;
        }
    }
    Ok(())
}
