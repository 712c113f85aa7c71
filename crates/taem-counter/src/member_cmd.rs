//! `member add|edit|find|show`.

use std::path::Path;

use anyhow::Context;
use serde::Serialize;
use taem_core::{Gender, MemberProfile, Phone, ProfileChange, parse_thai_date};
use taem_replica::{HistoryItem, MemberKey, MemberView, NewMember, OpenMode, Replica};

use crate::cli::{MemberCommand, ProfileArgs};
use crate::lines::{self, Line};
use crate::output::write_line;
use crate::{emit, input, open, render};

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
        // `--tag ""` clears the tags, like an empty value clears the other optional fields.
        let tags: Vec<String> = args
            .tag
            .iter()
            .filter(|t| !t.trim().is_empty())
            .cloned()
            .collect();
        changes.push(ProfileChange::Tags(tags));
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

/// `member show`: the card, and how many of the member's points entries wait to be sent.
#[derive(Serialize)]
struct MemberCard {
    #[serde(flatten)]
    member: MemberView,
    /// Points entries not yet confirmed by the server (at most
    /// [`input::HISTORY_LIMIT_MAX`] are counted). The pending points alone do not tell:
    /// +40,000 and -40,000 waiting net to 0.
    entries_waiting_to_sync: usize,
}

/// The member's points entries the server has not confirmed, from their newest history
/// lines. (The replica gives no per-member count of waiting operations; a counter's own
/// entries are its newest, so the newest lines hold them.)
fn entries_waiting(replica: &Replica, key: &MemberKey) -> anyhow::Result<usize> {
    Ok(replica
        .history(key, input::HISTORY_LIMIT_MAX)?
        .iter()
        .filter(|item| matches!(item, HistoryItem::Points(e) if !e.confirmed))
        .count())
}

/// Runs a `member` command.
pub fn run(dir: &Path, json: bool, wait: u64, cmd: MemberCommand) -> anyhow::Result<()> {
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
            emit(json, &receipt, render::member_receipt)?;
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
            emit(json, &receipt, render::member_receipt)?;
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
            emit(json, &result, render::search)?;
        }
        MemberCommand::Show { member } => {
            let key = MemberKey::parse(&member)?;
            let replica = open(dir, OpenMode::ReadOnly, wait)?;
            let card = MemberCard {
                entries_waiting_to_sync: entries_waiting(&replica, &key)?,
                member: replica.member(&key)?,
            };
            emit(json, &card, |c| {
                render::member_card(&c.member, c.entries_waiting_to_sync)
            })?;
        }
    }
    Ok(())
}

/// Answers one search per input line until end of input: for POS integrations that keep one
/// process open. Lines are read as [`lines`] describes: a refused line answers with its error
/// (and its line number) and the loop goes on.
fn find_loop(replica: &Replica, json: bool, limit: usize) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    let mut failed = Vec::new();
    lines::read_lines(std::io::stdin().lock(), |number, line| {
        let refused = match line {
            Line::Text(query) => match replica.find(query, limit) {
                Ok(result) if json => {
                    let value = lines::numbered(serde_json::to_value(&result)?, number);
                    return Ok(write_line(&mut out, &value.to_string())?);
                }
                Ok(result) => return Ok(write_line(&mut out, &render::search(&result))?),
                Err(e) => (e.code(), format!("line {number}: {e}")),
            },
            other => other
                .unreadable(number)
                .unwrap_or(("bad_line", format!("line {number} cannot be read"))),
        };
        failed.push(number);
        let (code, message) = refused;
        let answer = if json {
            lines::error_answer(number, code, &message).to_string()
        } else {
            format!("error: {message}")
        };
        Ok(write_line(&mut out, &answer)?)
    })?;
    lines::finish(&failed)
}
