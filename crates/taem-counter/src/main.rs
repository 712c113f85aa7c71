//! `taem-counter`: the headless Taem counter.
//!
//! The same library the desktop app uses, for scripts, POS integrations and tests. Every
//! command has `--json` output (one JSON document on stdout) and exits non-zero on error with
//! a message that says what was wrong and how to fix it (`{"error":{"code","message"}}` on
//! stderr with `--json`).

mod batch;
mod cli;
mod demo;
mod import_cmd;
mod render;
mod sync_cmd;
mod tiers_cmd;

use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use clap::Parser;
use serde::Serialize;
use taem_core::{Gender, MemberProfile, Money, Phone, Points, ProfileChange, parse_thai_date};
use taem_replica::{
    AdjustRequest, AwardRequest, MemberKey, NewMember, OpenMode, RedeemRequest, Replica,
    ReplicaError, SystemEnvironment, VoidRequest,
};

use crate::cli::{Cli, Command, MemberCommand, ProfileArgs};

/// Exit code for a refused operation (bad input, unknown member, locked file…).
const EXIT_REFUSED: u8 = 1;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let json = cli.json;
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            let (code, message) = (error_code(&err), format!("{err:#}"));
            if json {
                let body = serde_json::json!({"error": {"code": code, "message": message}});
                eprintln!("{body}");
            } else {
                eprintln!("error: {message}");
            }
            ExitCode::from(EXIT_REFUSED)
        }
    }
}

/// The stable code of an error, for scripts to branch on (never on the message text).
fn error_code(err: &anyhow::Error) -> &'static str {
    if let Some(e) = err.downcast_ref::<ReplicaError>() {
        return e.code();
    }
    if let Some(e) = err.downcast_ref::<taem_sync::SyncError>() {
        return match e {
            taem_sync::SyncError::Replica(r) => r.code(),
            taem_sync::SyncError::Offline { .. } => "offline",
            taem_sync::SyncError::NotEnrolled => "not_enrolled",
            taem_sync::SyncError::Protocol(_) => "protocol",
            taem_sync::SyncError::Refused { .. } => "refused_by_server",
            taem_sync::SyncError::BadUrl(_) => "bad_url",
        };
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

/// Where replicas live when `--data-dir` and `TAEM_DATA_DIR` are not given.
fn default_data_dir() -> PathBuf {
    std::env::var_os("HOME")
        .map(|home| PathBuf::from(home).join(".local/share/taem"))
        .unwrap_or_else(|| PathBuf::from("taem-data"))
}

fn open(dir: &Path, mode: OpenMode, wait_ms: u64) -> Result<Replica, ReplicaError> {
    if let Some((from, to)) = Replica::upgrade_due(dir) {
        eprintln!(
            "upgrading this counter's data from schema v{from} to v{to} (once; a large replica \
             takes a while) …"
        );
    }
    Replica::open_waiting(dir, mode, Arc::new(SystemEnvironment), wait_ms)
}

/// Prints a value as JSON or as text.
pub(crate) fn emit<T: Serialize>(json: bool, value: &T, text: impl FnOnce(&T) -> String) {
    if json {
        println!(
            "{}",
            serde_json::to_string(value).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"))
        );
    } else {
        println!("{}", text(value));
    }
}

fn run(cli: Cli) -> anyhow::Result<()> {
    let dir = cli.data_dir.clone().unwrap_or_else(default_data_dir);
    let json = cli.json;
    let wait = cli.wait_ms;
    match cli.command {
        Command::Init { shop, branch } => {
            let replica = Replica::create(&dir, &shop, &branch, Arc::new(SystemEnvironment))?;
            let status = replica.status()?;
            emit(json, &status, render::status);
        }
        Command::Demo(args) => demo::run(&dir, json, args)?,
        Command::Export {
            dataset,
            output,
            branch,
            from,
            to,
            lang,
        } => {
            let replica = open(&dir, OpenMode::ReadOnly, wait)?;
            import_cmd::export(&replica, &dataset, &output, branch, from, to, &lang, json)?
        }
        Command::MemberTemplate { output, lang } => import_cmd::template(&output, &lang, json)?,
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
            emit(json, &replica.status()?, render::status);
        }
        Command::Check => {
            let replica = open(&dir, OpenMode::ReadOnly, wait)?;
            let problems = replica.integrity_check()?;
            let ok = problems.is_empty();
            emit(
                json,
                &serde_json::json!({"ok": ok, "problems": problems}),
                |_| {
                    if ok {
                        format!("{}: healthy", replica.path().display())
                    } else {
                        format!(
                            "{}: DAMAGED\n{}",
                            replica.path().display(),
                            problems.join("\n")
                        )
                    }
                },
            );
            if !ok {
                anyhow::bail!("the replica failed its integrity check: restore it from a backup");
            }
        }
        Command::Member(cmd) => member(&dir, json, wait, cmd)?,
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
                let (points, rate) = replica.preview_award(&key, amount)?;
                let rate = rate.to_string();
                let value = serde_json::json!({"points": points.0, "rate": rate, "amount": amount.to_string()});
                emit(json, &value, |_| {
                    format!(
                        "{} THB earns {} points (rate {rate}); preview only, nothing recorded",
                        amount.display_thb(),
                        points.display_grouped()
                    )
                });
                return Ok(());
            }
            let mut replica = open(&dir, OpenMode::ReadWrite, wait)?;
            let receipt = replica.award(AwardRequest {
                member: key,
                bill_no: bill,
                amount,
                op_id,
            })?;
            emit(json, &receipt, render::receipt);
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
            emit(json, &receipt, render::receipt);
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
            emit(json, &receipt, render::receipt);
        }
        Command::Adjust {
            member,
            points,
            reason,
            counts_toward_tier,
            op_id,
        } => {
            let key = MemberKey::parse(&member)?;
            let points = Points::parse_adjustment(&points)?;
            let mut replica = open(&dir, OpenMode::ReadWrite, wait)?;
            let receipt = replica.adjust(AdjustRequest {
                member: key,
                points,
                reason,
                counts_toward_tier,
                op_id,
            })?;
            emit(json, &receipt, render::receipt);
        }
        Command::History { member, limit } => {
            let key = MemberKey::parse(&member)?;
            let replica = open(&dir, OpenMode::ReadOnly, wait)?;
            let items = replica.history(&key, limit)?;
            emit(json, &items, |items| render::history(items));
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
            emit(json, &ops, |ops| render::outbox(ops));
        }
        Command::Enrol {
            url,
            code,
            device_name,
        } => sync_cmd::enrol(&dir, json, &url, &code, &device_name)?,
        Command::Sync { watch, interval } => sync_cmd::sync(&dir, json, wait, watch, interval)?,
        Command::Rejections => sync_cmd::rejections(&dir, json, wait)?,
        Command::Reviews => sync_cmd::reviews(&dir, json, wait)?,
        Command::Signin { name, pin } => sync_cmd::signin(&dir, json, wait, &name, pin)?,
        Command::Settings(cmd) => sync_cmd::settings(&dir, json, wait, cmd)?,
    }
    Ok(())
}

fn profile_changes(args: &ProfileArgs) -> anyhow::Result<Vec<ProfileChange>> {
    let mut changes = Vec::new();
    if let Some(v) = &args.first_name {
        changes.push(ProfileChange::FirstName(v.clone()));
    }
    if let Some(v) = &args.last_name {
        changes.push(ProfileChange::LastName(v.clone()));
    }
    if let Some(v) = &args.birthday {
        let date = if v.trim().is_empty() {
            None
        } else {
            Some(parse_thai_date(v)?)
        };
        changes.push(ProfileChange::Birthday(date));
    }
    if let Some(v) = &args.gender {
        let gender = Gender::parse(v).with_context(|| {
            format!("`{v}` is not a gender: use female/หญิง, male/ชาย, other/อื่น or unspecified")
        })?;
        changes.push(ProfileChange::Gender(gender));
    }
    let optional = |v: &String| Some(v.trim().to_string()).filter(|v| !v.is_empty());
    if let Some(v) = &args.email {
        changes.push(ProfileChange::Email(optional(v)));
    }
    if let Some(v) = &args.address {
        changes.push(ProfileChange::Address(optional(v)));
    }
    if !args.tag.is_empty() {
        changes.push(ProfileChange::Tags(args.tag.clone()));
    }
    if let Some(v) = args.marketing_consent {
        changes.push(ProfileChange::MarketingConsent(v));
    }
    if let Some(v) = args.pdpa_consent {
        changes.push(ProfileChange::PdpaConsent(v));
    }
    if let Some(v) = &args.note {
        changes.push(ProfileChange::Note(optional(v)));
    }
    Ok(changes)
}

fn member(dir: &Path, json: bool, wait: u64, cmd: MemberCommand) -> anyhow::Result<()> {
    match cmd {
        MemberCommand::Add {
            phone,
            profile,
            op_id,
        } => {
            let phone = Phone::parse(&phone)?;
            if profile
                .first_name
                .as_deref()
                .is_none_or(|f| f.trim().is_empty())
            {
                return Err(taem_core::ProfileError::FirstNameMissing.into());
            }
            let draft = MemberProfile::default().with_changes(&profile_changes(&profile)?);
            let mut replica = open(dir, OpenMode::ReadWrite, wait)?;
            let receipt = replica.register_member(NewMember {
                phone,
                profile: draft,
                op_id,
            })?;
            emit(json, &receipt, render::member_receipt);
        }
        MemberCommand::Edit {
            member,
            phone,
            profile,
            op_id,
        } => {
            let key = MemberKey::parse(&member)?;
            let mut changes = profile_changes(&profile)?;
            if let Some(p) = phone {
                changes.push(ProfileChange::Phone(Phone::parse(&p)?));
            }
            let mut replica = open(dir, OpenMode::ReadWrite, wait)?;
            let receipt = replica.edit_member(&key, changes, op_id)?;
            emit(json, &receipt, render::member_receipt);
        }
        MemberCommand::Find {
            query,
            limit,
            stdin,
        } => {
            let replica = open(dir, OpenMode::ReadOnly, wait)?;
            if stdin {
                return find_loop(&replica, json, limit);
            }
            let query =
                query.context("give a search (phone, last 4 digits, code or name), or --stdin")?;
            let result = replica.find(&query, limit)?;
            emit(json, &result, render::search);
        }
        MemberCommand::Show { member } => {
            let key = MemberKey::parse(&member)?;
            let replica = open(dir, OpenMode::ReadOnly, wait)?;
            emit(json, &replica.member(&key)?, render::member);
        }
    }
    Ok(())
}

/// Answers one search per input line until end of input: for POS integrations that keep one
/// process open. A bad query answers with an error line and the loop goes on.
fn find_loop(replica: &Replica, json: bool, limit: usize) -> anyhow::Result<()> {
    let stdin = std::io::stdin();
    let mut out = std::io::stdout().lock();
    for line in stdin.lock().lines() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        let answer = match replica.find(&line, limit) {
            Ok(result) if json => serde_json::to_string(&result)?,
            Ok(result) => render::search(&result),
            Err(e) if json => {
                serde_json::json!({"error": {"code": e.code(), "message": e.to_string()}})
                    .to_string()
            }
            Err(e) => format!("error: {e}"),
        };
        writeln!(out, "{answer}")?;
        out.flush()?;
    }
    Ok(())
}
