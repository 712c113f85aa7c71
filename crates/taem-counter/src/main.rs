//! `taem-counter`: the headless Taem counter.
//!
//! The same library the desktop app uses, for scripts, POS integrations and tests. Every
//! command has `--json` output (one JSON document on stdout) and exits non-zero on error with
//! a message that says what was wrong and how to fix it (`{"error":{"code","message"}}` on
//! stderr with `--json`).
//!
//! Exit codes: 0 done; 1 refused (see the message); 2 a command line that cannot be read;
//! 3 `batch` / `member find --stdin` answered every line but refused some; 141 standard
//! output was closed by its reader (`… | head -1`), as for a Unix tool ended by SIGPIPE.

mod batch;
mod cli;
mod data_dir;
mod demo;
mod errors;
mod import_cmd;
mod input;
mod lines;
mod member_cmd;
mod output;
mod render;
mod setup_cmd;
mod sync_cmd;
mod tiers_cmd;

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

use clap::Parser;
use serde::Serialize;
use taem_core::{Money, Points};
use taem_replica::{
    AdjustRequest, AwardRequest, MemberKey, OpenMode, RedeemRequest, Replica, ReplicaError,
    SystemEnvironment, VoidRequest,
};

use crate::cli::{Cli, Command};

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => return errors::usage(err),
    };
    let json = cli.json;
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => errors::report(&err, json),
    }
}

fn open(dir: &Path, mode: OpenMode, wait_ms: u64) -> Result<Replica, ReplicaError> {
    Replica::open_waiting(dir, mode, Arc::new(SystemEnvironment), wait_ms)
}

/// Tells the person at the terminal before a long schema upgrade starts (tens of seconds at a
/// million members). Not with `--json`: there stderr holds only the `{"error":…}` object a
/// script reads, and a script has nobody to show a progress note to.
fn note_upgrade(dir: &Path, json: bool) {
    if json {
        return;
    }
    if let Some((from, to)) = Replica::upgrade_due(dir) {
        // A note only: a closed stderr must not stop the upgrade.
        let _ = writeln!(
            std::io::stderr(),
            "upgrading this counter's data from schema v{from} to v{to} (once; a large replica \
             takes a while) …"
        );
    }
}

/// Prints a value as JSON or as text.
pub(crate) fn emit<T: Serialize>(
    json: bool,
    value: &T,
    text: impl FnOnce(&T) -> String,
) -> Result<(), output::OutputError> {
    if json {
        output::print_line(
            &serde_json::to_string(value).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}")),
        )
    } else {
        output::print_line(&text(value))
    }
}

fn run(cli: Cli) -> anyhow::Result<()> {
    let dir = data_dir::resolve(cli.data_dir.clone());
    let json = cli.json;
    let wait = cli.wait_ms;
    if !matches!(cli.command, Command::MemberTemplate { .. }) {
        data_dir::check(&dir)?;
        note_upgrade(&dir, json);
    }
    match cli.command {
        Command::Init { shop, branch } => setup_cmd::init(&dir, json, &shop, &branch)
            .map_err(|e| data_dir::creation_failed(&dir, e))?,
        Command::Demo(args) => {
            demo::run(&dir, json, args).map_err(|e| data_dir::creation_failed(&dir, e))?
        }
        Command::Export {
            dataset,
            output,
            branch,
            from,
            to,
            lang,
            force,
        } => {
            let output = import_cmd::ExportOutput {
                path: &output,
                force,
            };
            import_cmd::export(&dir, wait, &dataset, output, branch, from, to, &lang, json)?
        }
        Command::MemberTemplate {
            output,
            lang,
            force,
        } => import_cmd::template(&output, &lang, force, json)?,
        Command::Import {
            file,
            branch,
            report,
            dry_run,
            bulk,
        } => {
            let mut replica = open(&dir, OpenMode::ReadWrite, wait)?;
            import_cmd::import(
                &mut replica,
                &file,
                branch,
                report.as_deref(),
                dry_run,
                bulk,
                json,
            )?
        }
        Command::Status => {
            let replica = open(&dir, OpenMode::ReadOnly, wait)?;
            emit(json, &replica.status()?, render::status)?;
        }
        Command::Check => setup_cmd::check(&dir, json, wait)?,
        Command::Member(cmd) => member_cmd::run(&dir, json, wait, cmd)?,
        Command::Award {
            member,
            amount,
            bill,
            op_id,
            preview,
        } => {
            let key = MemberKey::parse(&member)?;
            let amount = Money::parse(&amount)?;
            if preview {
                let replica = open(&dir, OpenMode::ReadOnly, wait)?;
                // A bill that would be refused is said now, before the cashier confirms.
                if let Some(bill) = &bill {
                    replica.check_bill_for_award(bill)?;
                }
                let (points, rate) = replica.preview_award(&key, amount)?;
                let rate = rate.to_string();
                let value = serde_json::json!({"points": points.0, "rate": rate, "amount": amount.to_string()});
                emit(json, &value, |_| {
                    format!(
                        "{} THB earns {} points (rate {rate}); preview only, nothing recorded",
                        amount.display_thb(),
                        points.display_grouped()
                    )
                })?;
                return Ok(());
            }
            // clap requires --bill unless --preview.
            let bill = bill.unwrap_or_default();
            let mut replica = open(&dir, OpenMode::ReadWrite, wait)?;
            let receipt = replica.award(AwardRequest {
                member: key,
                bill_no: bill,
                amount,
                op_id,
            })?;
            emit(json, &receipt, render::receipt)?;
        }
        Command::Redeem {
            member,
            points,
            reward,
            op_id,
        } => {
            let key = MemberKey::parse(&member)?;
            let points = Points::parse_positive(&points)?;
            let mut replica = open(&dir, OpenMode::ReadWrite, wait)?;
            let receipt = replica.redeem(RedeemRequest {
                member: key,
                points,
                reward,
                op_id,
            })?;
            emit(json, &receipt, render::receipt)?;
        }
        Command::Void {
            bill,
            reason,
            op_id,
        } => {
            let mut replica = open(&dir, OpenMode::ReadWrite, wait)?;
            let receipt = replica.void_bill(VoidRequest {
                bill_no: bill,
                reason,
                op_id,
            })?;
            emit(json, &receipt, render::receipt)?;
        }
        Command::Adjust {
            member,
            points,
            reason,
            counts_toward_tier,
            op_id,
        } => {
            let key = MemberKey::parse(&member)?;
            let points = Points::parse_adjustment(&input::ascii_minus(&points))?;
            let mut replica = open(&dir, OpenMode::ReadWrite, wait)?;
            let receipt = replica.adjust(AdjustRequest {
                member: key,
                points,
                reason,
                counts_toward_tier,
                op_id,
            })?;
            emit(json, &receipt, render::receipt)?;
        }
        Command::History { member, limit } => {
            let key = MemberKey::parse(&member)?;
            let replica = open(&dir, OpenMode::ReadOnly, wait)?;
            let items = replica.history(&key, limit)?;
            emit(json, &items, |items| render::history(items))?;
        }
        Command::Tiers(cmd) => tiers_cmd::run(&dir, json, wait, cmd)?,
        Command::Rates(cmd) => tiers_cmd::rates(&dir, json, wait, cmd)?,
        Command::Batch => {
            let mut replica = open(&dir, OpenMode::ReadWrite, wait)?;
            batch::run(&mut replica)?;
        }
        Command::Outbox { limit } => {
            let replica = open(&dir, OpenMode::ReadOnly, wait)?;
            let ops = replica.pending_operations(limit)?;
            emit(json, &ops, |ops| render::outbox(ops))?;
        }
        Command::Enrol {
            url,
            code,
            device_name,
        } => sync_cmd::enrol(&dir, json, &url, &code, &device_name)
            .map_err(|e| data_dir::creation_failed(&dir, e))?,
        Command::Sync { watch, interval } => sync_cmd::sync(&dir, json, wait, watch, interval)?,
        Command::Rejections => sync_cmd::rejections(&dir, json, wait)?,
        Command::Reviews => sync_cmd::reviews(&dir, json, wait)?,
        Command::Signin { name, pin } => sync_cmd::signin(&dir, json, wait, &name, pin)?,
        Command::Settings(cmd) => sync_cmd::settings(&dir, json, wait, cmd)?,
    }
    Ok(())
}
