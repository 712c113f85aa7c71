//! `taem-server import`: a chain's member list into one of its shops, at a branch. Any number
//! of rows (streamed in batches of `taem_import::BULK_BATCH_ROWS`); `--shop-upload` keeps the
//! shop's rule instead (at most 5,000 rows, all or nothing). Each batch is one transaction that
//! registers its new members as a counter would, with the same changes in the shop's log (see
//! `taem_server::import`), so the counters receive them by sync.

use std::path::Path;

use chrono::{DateTime, Utc};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use taem_import::{ImportOptions, ImportProgress, ImportStage, SHOP_UPLOAD_ROWS_MAX, Table};
use taem_server::error::ServerError;
use taem_server::import::StoreSink;
use taem_server::store::Store;
use uuid::Uuid;

/// What to import.
pub struct ImportArgs<'a> {
    /// The shop.
    pub shop: Uuid,
    /// The registering branch.
    pub branch: &'a str,
    /// The member file.
    pub file: &'a Path,
    /// Where to write the report (every row not imported), if anywhere.
    pub report: Option<&'a Path>,
    /// Check only.
    pub dry_run: bool,
    /// The shop's upload rule (5,000 rows, one batch) instead of a bulk import.
    pub shop_upload: bool,
}

/// Runs the import and prints what happened.
pub fn run(
    store: &dyn Store,
    args: ImportArgs<'_>,
    now: DateTime<Utc>,
    json: bool,
) -> anyhow::Result<()> {
    let bar = ProgressBar::new_spinner();
    bar.set_style(rows_style("{spinner} {msg} {pos} rows {rate}"));
    if json {
        bar.set_draw_target(ProgressDrawTarget::hidden());
    }
    let options = ImportOptions {
        max_rows: args.shop_upload.then_some(SHOP_UPLOAD_ROWS_MAX),
        today: taem_core::time::bangkok_date(now),
        dry_run: args.dry_run,
    };
    let table = Table::from_path(args.file);
    let name = format!(
        "head office import: {}",
        args.file
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    );
    // The branch is checked as the import would (it must be one of the shop's).
    store.check_branch(args.shop, args.branch)?;
    // Created before the import (a bad path refuses it), written as it goes: a re-run of a
    // large import meets a problem on every row, and the report in memory keeps the first.
    let mut log = match args.report {
        Some(report) => Some(
            taem_import::report::create_report_file(report, args.file)
                .map_err(|message| ServerError::BadRequest {
                    code: "bad_report_path",
                    message,
                    hint: None,
                })?
                .log(),
        ),
        None => None,
    };
    let mut sink = StoreSink::new(
        store,
        args.shop,
        args.branch,
        (!args.dry_run).then_some(name),
        now,
    );
    let mut no_log = taem_import::NoLog;
    let report = taem_import::import_logged(
        table,
        options,
        &mut sink,
        &mut |p: ImportProgress| {
            bar.set_message(match p.stage {
                ImportStage::Reading => "checking",
                ImportStage::Writing => "importing",
            });
            bar.set_position(p.done);
        },
        match log.as_mut() {
            Some(log) => log,
            None => &mut no_log,
        },
    );
    bar.finish_and_clear();
    sink.finish()?;
    // The report is put in place first; if that fails, the import is still said as done.
    let report_failed =
        log.and_then(|log| taem_import::report::ReportFile::complete(log, &report).err());
    if json {
        let mut value = serde_json::to_value(&report)?;
        if let serde_json::Value::Object(map) = &mut value {
            map.insert("dry_run".into(), args.dry_run.into());
            if args.dry_run {
                let would = report.rows.saturating_sub(report.bad_rows());
                map.insert("would_import".into(), would.into());
            }
            map.insert("branch".into(), args.branch.trim().to_uppercase().into());
        }
        say(&value.to_string())?;
    }
    if let Some(e) = &report.file_error {
        return Err(ServerError::BadRequest {
            code: e.code,
            message: format!(
                "{}: {}: {}\n  {}",
                args.file.display(),
                taem_import::report::stopped_text(&report),
                e.en,
                e.th
            ),
            hint: None,
        }
        .into());
    }
    let written = args.report.filter(|_| report_failed.is_none());
    if !json {
        say(&taem_import::report::summary_text(
            &report,
            args.file,
            &args.branch.trim().to_uppercase(),
            args.dry_run,
            written,
        ))?;
    }
    if let (Some(e), Some(path)) = (report_failed, args.report) {
        return Err(ServerError::BadRequest {
            code: "report_not_written",
            message: format!(
                "the import is done as summarised above; only the report could not be written to {} ({e}): free some space and run the import again with --report (imported members are skipped)",
                path.display()
            ),
            hint: None,
        }
        .into());
    }
    Ok(())
}

/// What to download.
pub struct DownloadArgs<'a> {
    /// The shop.
    pub shop: Uuid,
    /// `members`, `ledger`, `redemptions` or `tier-changes`.
    pub dataset: &'a str,
    /// The file (.csv or .xlsx).
    pub output: &'a Path,
    /// Only this branch.
    pub branch: Option<String>,
    /// From this Bangkok date (dd/mm/yyyy).
    pub from: Option<&'a str>,
    /// Up to this Bangkok date.
    pub to: Option<&'a str>,
    /// Header language.
    pub lang: &'a str,
    /// Replace the output file if it exists.
    pub force: bool,
}

/// Writes a line to standard output and flushes it; an error instead of `println!`'s panic
/// when the reader has gone (`taem-server balances … | head`) or the disk is full.
pub fn say(text: &str) -> std::io::Result<()> {
    use std::io::Write as _;
    let mut out = std::io::stdout().lock();
    writeln!(out, "{text}")?;
    out.flush()
}

/// Writes a download of one shop from the server's store.
pub fn download(
    store: &taem_server::sqlite::SqliteStore,
    args: DownloadArgs<'_>,
    json: bool,
) -> anyhow::Result<()> {
    if args.output.is_dir() {
        return Err(ServerError::BadRequest {
            code: "bad_download",
            message: format!(
                "{} is a folder: give a file name in it, ending in .csv or .xlsx, e.g. {}",
                args.output.display(),
                args.output.join("members.xlsx").display()
            ),
            hint: None,
        }
        .into());
    }
    // A download never replaces a file unasked: it may be a filled-in member list.
    if !args.force && std::fs::symlink_metadata(args.output).is_ok() {
        return Err(ServerError::BadRequest {
            code: "file_exists",
            message: format!(
                "{} exists already: nothing was written. Choose another file name, or add --force to replace it",
                args.output.display()
            ),
            hint: None,
        }
        .into());
    }
    use taem_server::store::Store as _;
    // An unknown shop is named as such, not as a file that could not be written.
    store.settings(args.shop)?;
    // An unknown branch would download an empty file that looks like "no data": say so.
    if let Some(branch) = args.branch.as_deref() {
        store.check_branch(args.shop, branch)?;
    }
    let plan = taem_import::download::plan(
        args.dataset,
        args.output,
        args.branch,
        args.from,
        args.to,
        args.lang,
    )
    .map_err(|message| ServerError::BadRequest {
        code: "bad_download",
        message,
        hint: None,
    })?;
    let bar = ProgressBar::new_spinner();
    bar.set_style(rows_style("{spinner} {pos} rows {rate}"));
    if json {
        bar.set_draw_target(ProgressDrawTarget::hidden());
    }
    let source = taem_server::export::ShopExport {
        store,
        shop: args.shop,
    };
    let rows = taem_import::download::save(
        &source,
        plan.dataset,
        &plan.filter,
        plan.format,
        plan.lang,
        args.output,
        &mut |n| bar.set_position(n),
    )
    .map_err(|e| {
        let full = matches!(&e, taem_import::export::ExportError::Io(io)
            if io.kind() == std::io::ErrorKind::StorageFull);
        ServerError::BadRequest {
            code: if full { "disk_full" } else { "write_failed" },
            message: format!("writing {}: {e}", args.output.display()),
            hint: full.then(|| "free some space on that disk, or save to another one".to_string()),
        }
    });
    bar.finish_and_clear();
    let rows = rows?;
    let value = serde_json::json!({
        "file": args.output.display().to_string(),
        "dataset": plan.dataset,
        "rows": rows,
    });
    if json {
        say(&value.to_string())?;
    } else {
        say(&format!(
            "wrote {} to {}",
            taem_import::download::rows_text(rows),
            args.output.display()
        ))?;
    }
    Ok(())
}

/// A spinner's style with `{rate}`: rows per second, rounded ("1,234 rows 48213/s").
fn rows_style(template: &str) -> ProgressStyle {
    ProgressStyle::with_template(template)
        .map(|style| {
            style.with_key(
                "rate",
                |state: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
                    let _ = write!(w, "{:.0}/s", state.per_sec());
                },
            )
        })
        .unwrap_or_else(|_| ProgressStyle::default_spinner())
}
