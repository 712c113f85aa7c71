//! `member-template` and `import`: a shop's member list into this counter's replica, each
//! member through the outbox like one registered at the counter.

use std::io::Write;
use std::path::Path;

use anyhow::{Context, bail};
use indicatif::{ProgressBar, ProgressStyle};
use taem_import::download::Dataset;
use taem_import::{
    ImportOptions, ImportProgress, ImportStage, Lang, ReplicaSink, SHOP_UPLOAD_ROWS_MAX, Table,
};
use taem_replica::{ExportFilter, Replica, ReplicaError};

use crate::errors::refusal;
use crate::{emit, input};

fn lang(text: &str) -> anyhow::Result<Lang> {
    Lang::parse(text)
        .with_context(|| format!("`{text}` is not a language: use th (ไทย) or en (English)"))
}

/// The refusal of an output file that exists, when `--force` was not given: a template
/// someone spent an afternoon filling in, or an earlier download, is not replaced unasked.
fn file_exists(output: &Path, after: &str) -> anyhow::Error {
    if output.is_dir() {
        return refusal(
            "is_a_folder",
            format!(
                "{} is a folder: give a file name in it, ending in .csv or .xlsx",
                output.display()
            ),
        );
    }
    refusal(
        "file_exists",
        format!(
            "{} already exists (it may be a filled-in template): choose another --output, or add --force to overwrite it{after}",
            output.display()
        ),
    )
}

/// Writes the template; the extension picks CSV or XLSX. An existing file is kept unless
/// `force`: it may be a template someone spent an afternoon filling in.
pub fn template(output: &Path, lang_text: &str, force: bool, json: bool) -> anyhow::Result<()> {
    let lang = lang(lang_text)?;
    let ext = output
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_lowercase)
        .unwrap_or_default();
    let bytes = match ext.as_str() {
        "csv" => {
            let mut out = Vec::new();
            taem_import::template::write_csv(&mut out, lang)?;
            out
        }
        "xlsx" => taem_import::template::xlsx(lang).context("writing the XLSX template")?,
        _ => bail!(
            "{} must end in .csv or .xlsx: that picks the template's format, e.g. member-template.xlsx",
            output.display()
        ),
    };
    let exists = || file_exists(output, "");
    if output.exists() && !force {
        return Err(exists());
    }
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .create_new(!force)
        .truncate(true)
        .open(output)
        .map_err(|e| {
            if e.kind() == std::io::ErrorKind::AlreadyExists {
                exists()
            } else {
                anyhow::Error::new(e).context(format!("writing {}", output.display()))
            }
        })?;
    file.write_all(&bytes)
        .and_then(|()| file.flush())
        .with_context(|| format!("writing {}", output.display()))?;
    let value = serde_json::json!({"template": output.display().to_string(), "bytes": bytes.len()});
    emit(json, &value, |_| {
        format!(
            "wrote {}: fill one member per row (columns with * are required; at most {} rows per file), then `taem-counter import {}`",
            output.display(),
            SHOP_UPLOAD_ROWS_MAX,
            output.display()
        )
    })?;
    Ok(())
}

/// Opens the report file before anything is imported, so a report that cannot be written
/// refuses the import while nothing has changed.
fn create_report(path: &Path, file: &Path) -> anyhow::Result<taem_import::report::ReportFile> {
    taem_import::report::create_report_file(path, file)
        .map_err(|problem| refusal("bad_report_path", problem))
}

/// The import's branch as stored, after a note when no member registered there yet (a typo
/// of a real code would scatter members over a branch that does not exist). The replica does
/// not hold the shop's list of branches, so a new code is allowed.
fn import_branch(
    replica: &Replica,
    branch: Option<String>,
    warnings: &mut Vec<String>,
) -> anyhow::Result<String> {
    let own = replica.status()?.branch;
    let Some(branch) = branch else {
        return Ok(own);
    };
    let branch = input::branch_code(&branch)?;
    if replica.knows_branch(&branch)? {
        return Ok(branch);
    }
    // An enrolled counter knows the shop's branches from its server: a code that is not one
    // of them is a typo, or a branch the head office has not added yet. A local shop's
    // replica only knows where its members registered, so a new code is allowed.
    let shop = replica.shop_branches()?;
    if !shop.is_empty() {
        return Err(unknown_shop_branch(&branch, &shop));
    }
    warnings.push(format!(
        "no member of this replica registered at branch {branch} yet (known: {}): check that it is the shop's code for that branch",
        replica.known_branches()?.join(", ")
    ));
    Ok(branch)
}

/// Imports a file into the replica.
pub fn import(
    replica: &mut Replica,
    file: &Path,
    branch: Option<String>,
    report_path: Option<&Path>,
    dry_run: bool,
    bulk: bool,
    json: bool,
) -> anyhow::Result<()> {
    let mut warnings = Vec::new();
    let branch = import_branch(replica, branch, &mut warnings)?;
    let report_file = report_path
        .map(|path| create_report(path, file))
        .transpose()?;
    if !json {
        for w in &warnings {
            // A note beside the answer: a closed stderr must not stop the import.
            let _ = writeln!(std::io::stderr(), "note: {w}");
        }
    }
    let today = taem_core::time::bangkok_date(chrono::Utc::now());
    let options = ImportOptions {
        max_rows: (!bulk).then_some(SHOP_UPLOAD_ROWS_MAX),
        today,
        dry_run,
    };
    let bar = ProgressBar::new_spinner();
    bar.set_style(
        ProgressStyle::with_template("{spinner} {msg} {bar:30} {pos}/{len}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    if json {
        bar.set_draw_target(indicatif::ProgressDrawTarget::hidden());
    }
    // A long writer: keep the WAL short (a page read searches the WAL's whole index first,
    // so an import that let it grow slowed down as it went).
    replica.checkpoint_in_background()?;
    let mut sink = ReplicaSink {
        replica,
        branch: branch.clone(),
    };
    // Every problem goes to the report file as it is found: a re-run of a large import meets
    // a problem on every row, and the report in memory keeps only the first ones.
    let mut log = report_file.map(taem_import::report::ReportFile::log);
    let mut no_log = taem_import::NoLog;
    let report = taem_import::import_logged(
        Table::from_path(file),
        options,
        &mut sink,
        &mut |p: ImportProgress| {
            bar.set_message(match p.stage {
                ImportStage::Reading => "checking rows",
                ImportStage::Writing => "importing members",
            });
            if let Some(total) = p.total {
                bar.set_length(total);
            }
            bar.set_position(p.done);
        },
        match log.as_mut() {
            Some(log) => log,
            None => &mut no_log,
        },
    );
    bar.finish_and_clear();
    let report_failed =
        log.and_then(|log| taem_import::report::ReportFile::complete(log, &report).err());
    if let Some(e) = &report.file_error {
        if json {
            emit(json, &report, |_| String::new())?;
        }
        bail!(
            "{}: {}: {}\n  {}",
            file.display(),
            taem_import::report::stopped_text(&report),
            e.en,
            e.th
        );
    }
    let mut value = serde_json::to_value(&report)?;
    if let serde_json::Value::Object(map) = &mut value {
        map.insert("dry_run".into(), dry_run.into());
        if dry_run {
            map.insert("would_import".into(), would_import(&report).into());
        }
        map.insert("branch".into(), branch.clone().into());
        map.insert("warnings".into(), warnings.into());
    }
    let written = report_path.filter(|_| report_failed.is_none());
    emit(json, &value, |_| {
        taem_import::report::summary_text(&report, file, &branch, dry_run, written)
    })?;
    if let (Some(e), Some(path)) = (report_failed, report_path) {
        return Err(refusal(
            "report_not_written",
            format!(
                "the import is done as summarised above; only the report could not be written to {} ({e}): free some space and run the import again with --report (imported members are skipped)",
                path.display()
            ),
        ));
    }
    Ok(())
}

/// Rows a dry run found importable (what a real run would import, the same count the text
/// summary shows).
fn would_import(report: &taem_import::ImportReport) -> u64 {
    report.rows.saturating_sub(report.bad_rows())
}

/// Found a row: stops a scan early.
enum Probe {
    Found,
    Failed(ReplicaError),
}

impl From<ReplicaError> for Probe {
    fn from(e: ReplicaError) -> Self {
        Probe::Failed(e)
    }
}

/// Refuses an export for a branch this replica has never seen: a typo would otherwise write
/// an empty file and look like a branch without activity.
/// The refusal of a branch code the shop's server does not know.
fn unknown_shop_branch(branch: &str, shop: &[String]) -> anyhow::Error {
    refusal(
        "unknown_branch",
        format!(
            "the shop has no branch {branch} (its branches: {}): check the code, or have the head office add the branch (`taem-server branch add`) and sync",
            shop.join(", ")
        ),
    )
}

fn check_export_branch(replica: &Replica, branch: &str) -> anyhow::Result<()> {
    if replica.knows_branch(branch)? || replica.branch_in_use(branch)? {
        return Ok(());
    }
    // Entries can be made at a branch where nobody registered (a member shopping elsewhere).
    let filter = ExportFilter {
        branch: Some(branch.to_string()),
        from: None,
        to: None,
    };
    match replica.export_ledger(&filter, &[], |_| Err(Probe::Found)) {
        Err(Probe::Found) => return Ok(()),
        Err(Probe::Failed(e)) => return Err(e.into()),
        Ok(_) => {}
    }
    Err(refusal(
        "unknown_branch",
        format!(
            "this replica has no member or points entry at branch {branch}: check the code; known branches: {}",
            replica.known_branches()?.join(", ")
        ),
    ))
}

/// Where a download goes.
pub struct ExportOutput<'a> {
    /// The file; its extension picks CSV or XLSX.
    pub path: &'a Path,
    /// Replace the file when it exists.
    pub force: bool,
}

/// What an enrolled counter's download leaves out, and where the whole history is: `None`
/// for a local shop (its replica holds everything) and for members (every counter holds
/// them all).
fn partial_history_note(replica: &Replica, dataset: Dataset) -> anyhow::Result<Option<String>> {
    // The names `taem-server download` takes.
    let what = match dataset {
        Dataset::Members => return Ok(None),
        Dataset::Ledger => "ledger",
        Dataset::Redemptions => "redemptions",
        Dataset::TierChanges => "tier-changes",
    };
    let Some(server) = replica.sync_identity()? else {
        return Ok(None);
    };
    Ok(Some(format!(
        "this counter is enrolled with {url} and keeps only part of the shop's history (each \
         member's latest {recent} points entries from when it enrolled, what it received \
         since, and its own operations), so this {what} is not the whole history and a \
         member's ledger sum need not equal their balance; for the whole history run on the \
         server: taem-server download {what} --shop {shop} -o {what}.xlsx",
        url = server.server_url,
        recent = taem_protocol::BOOTSTRAP_RECENT_ENTRIES,
        shop = server.shop_id,
    )))
}

/// Writes a download; the output's extension picks CSV or XLSX.
#[allow(clippy::too_many_arguments)]
pub fn export(
    dir: &Path,
    wait_ms: u64,
    dataset: &str,
    output: ExportOutput<'_>,
    branch: Option<String>,
    from: Option<String>,
    to: Option<String>,
    lang_text: &str,
    json: bool,
) -> anyhow::Result<()> {
    let ExportOutput {
        path: output,
        force,
    } = output;
    let branch = branch.map(|b| input::branch_code(&b)).transpose()?;
    let plan = taem_import::download::plan(
        dataset,
        output,
        branch.clone(),
        from.as_deref(),
        to.as_deref(),
        lang_text,
    )
    .map_err(anyhow::Error::msg)?;
    // Before anything is read or written; a folder is refused with or without --force.
    if output.is_dir() || (!force && std::fs::symlink_metadata(output).is_ok()) {
        return Err(file_exists(output, "; nothing was written"));
    }
    let replica = crate::open(dir, taem_replica::OpenMode::ReadOnly, wait_ms)?;
    if let Some(b) = &branch {
        check_export_branch(&replica, b)?;
    }
    let partial = partial_history_note(&replica, plan.dataset)?;
    let bar = ProgressBar::new_spinner();
    bar.set_style(
        ProgressStyle::with_template("{spinner} {pos} rows")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    if json {
        bar.set_draw_target(indicatif::ProgressDrawTarget::hidden());
    }
    // Written beside the output and renamed when complete: a failed download leaves no
    // half-written file behind.
    let rows = taem_import::download::save(
        &replica,
        plan.dataset,
        &plan.filter,
        plan.format,
        plan.lang,
        output,
        &mut |n| bar.set_position(n),
    )
    .with_context(|| format!("writing {}", output.display()));
    bar.finish_and_clear();
    let rows = rows?;
    let value = serde_json::json!({
        "file": output.display().to_string(),
        "dataset": plan.dataset,
        "rows": rows,
        "whole_history": partial.is_none(),
        "note": partial,
    });
    emit(json, &value, |_| {
        let wrote = format!(
            "wrote {} to {}",
            taem_import::download::rows_text(rows),
            output.display()
        );
        match &partial {
            Some(note) => format!("{wrote}\nnote: {note}"),
            None => wrote,
        }
    })?;
    Ok(())
}
