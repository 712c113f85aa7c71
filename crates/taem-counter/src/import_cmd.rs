//! `member-template` and `import`: a shop's member list into this counter's replica, each
//! member through the outbox like one registered at the counter.

use std::io::Write;
use std::path::Path;

use anyhow::{Context, bail};
use indicatif::{ProgressBar, ProgressStyle};
use taem_import::{
    ImportOptions, ImportProgress, ImportStage, Lang, ReplicaSink, SHOP_UPLOAD_ROWS_MAX, Table,
};
use taem_replica::Replica;

use crate::emit;

fn lang(text: &str) -> anyhow::Result<Lang> {
    Lang::parse(text)
        .with_context(|| format!("`{text}` is not a language: use th (ไทย) or en (English)"))
}

/// Writes the template; the extension picks CSV or XLSX.
pub fn template(output: &Path, lang_text: &str, json: bool) -> anyhow::Result<()> {
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
    std::fs::write(output, &bytes).with_context(|| format!("writing {}", output.display()))?;
    let value = serde_json::json!({"template": output.display().to_string(), "bytes": bytes.len()});
    emit(json, &value, |_| {
        format!(
            "wrote {}: fill one member per row (columns with * are required; at most {} rows per file), then `taem-counter import {}`",
            output.display(),
            SHOP_UPLOAD_ROWS_MAX,
            output.display()
        )
    });
    Ok(())
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
    let branch = match branch {
        Some(b) => b,
        None => replica.status()?.branch,
    };
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
    let report = taem_import::import(
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
    );
    bar.finish_and_clear();
    if let Some(path) = report_path {
        let mut out =
            std::fs::File::create(path).with_context(|| format!("creating {}", path.display()))?;
        taem_import::report::write_csv(&report, &mut out)?;
        out.flush()?;
    }
    if let Some(e) = &report.file_error {
        if json {
            emit(json, &report, |_| String::new());
        }
        bail!("{}: nothing imported: {}\n  {}", file.display(), e.en, e.th);
    }
    emit(json, &report, |r| {
        taem_import::report::summary_text(r, file, &branch, dry_run, report_path)
    });
    Ok(())
}

/// Writes a download; the output's extension picks CSV or XLSX.
#[allow(clippy::too_many_arguments)]
pub fn export(
    replica: &Replica,
    dataset: &str,
    output: &Path,
    branch: Option<String>,
    from: Option<String>,
    to: Option<String>,
    lang_text: &str,
    json: bool,
) -> anyhow::Result<()> {
    let plan = taem_import::download::plan(
        dataset,
        output,
        branch,
        from.as_deref(),
        to.as_deref(),
        lang_text,
    )
    .map_err(anyhow::Error::msg)?;
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
        replica,
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
    let value = serde_json::json!({"file": output.display().to_string(), "dataset": plan.dataset, "rows": rows});
    emit(json, &value, |_| {
        format!("wrote {rows} rows to {}", output.display())
    });
    Ok(())
}
