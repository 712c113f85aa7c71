//! `demo`: a replica holding a generated Thai demo shop.

use std::path::Path;
use std::sync::Arc;

use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};
use taem_core::{Gender, MemberCode, MemberProfile, Money, Phone};
use taem_demo::{DemoConfig, DemoGender, DemoMember};
use taem_replica::{
    BulkBill, BulkMember, REPLICA_FILE_NAME, Replica, ReplicaError, SystemEnvironment,
};

use crate::cli::DemoArgs;
use crate::{emit, render};

const STAGING_DIR: &str = ".taem-demo-staging";

/// Turns a generated member into a loadable one. Codes are derived from the seed and index so
/// the same seed gives the same cards.
pub fn to_bulk(m: DemoMember, seed: u64) -> anyhow::Result<BulkMember> {
    let branches = taem_demo::branches();
    let branch = |i: usize| {
        branches
            .get(i)
            .map_or_else(|| "BKK01".to_string(), |b| b.code.clone())
    };
    let bits =
        (seed ^ m.index.wrapping_mul(0x9E37_79B9_7F4A_7C15)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    Ok(BulkMember {
        phone: Phone::parse(&m.phone)?,
        code: MemberCode::from_bits(bits ^ (bits >> 29)),
        profile: MemberProfile {
            first_name: m.first_name,
            last_name: m.last_name,
            birthday: m.birthday,
            gender: match m.gender {
                DemoGender::Female => Gender::Female,
                DemoGender::Male => Gender::Male,
                DemoGender::Unspecified => Gender::Unspecified,
            },
            email: m.email,
            address: None,
            tags: m.tags,
            marketing_consent: m.marketing_consent,
            pdpa_consent: true,
            note: None,
        },
        branch: branch(m.branch),
        registered_at: m.registered_at,
        bills: m
            .bills
            .into_iter()
            .map(|b| {
                Ok(BulkBill {
                    bill_no: b.bill_no,
                    amount: Money::from_decimal(b.amount)?,
                    at: b.at,
                    branch: branch(b.branch),
                })
            })
            .collect::<anyhow::Result<_>>()?,
    })
}

/// Builds the demo replica in a staging folder and moves it into place only when complete,
/// so an interrupted demo never leaves a half-loaded replica.
pub fn run(dir: &Path, json: bool, args: DemoArgs) -> anyhow::Result<()> {
    let target = dir.join(REPLICA_FILE_NAME);
    if target.exists() {
        return Err(ReplicaError::AlreadyInitialised { path: target }.into());
    }
    let staging = dir.join(STAGING_DIR);
    let _ = std::fs::remove_dir_all(&staging);
    let env = Arc::new(SystemEnvironment);
    let branches = taem_demo::branches();
    let home = branches
        .first()
        .map_or("BKK01".to_string(), |b| b.code.clone());
    let mut replica = Replica::create(&staging, &args.shop, &home, env.clone())?;
    let config = DemoConfig {
        members: args.members,
        seed: args.seed,
        now: taem_replica::Environment::now(env.as_ref()),
        history_days: args.history_days,
        bills_per_member_mean: args.bills_per_member,
    };
    let mut tiers = replica.settings()?.tiers;
    tiers.enabled = true;
    replica.set_tier_settings(tiers)?;

    let bar = ProgressBar::new(args.members);
    bar.set_style(
        ProgressStyle::with_template(
            "{spinner} demo shop {bar:30} {pos}/{len} members, {msg} ({eta} left)",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let seed = args.seed;
    let mut failure = None;
    let members = taem_demo::members(&config).map_while(|m| match to_bulk(m, seed) {
        Ok(b) => Some(b),
        Err(e) => {
            failure = Some(e);
            None
        }
    });
    let done = replica.load_confirmed(members, |p| {
        bar.set_position(p.members);
        bar.set_message(format!("{} bills", p.entries));
    })?;
    bar.finish_and_clear();
    if let Some(e) = failure {
        return Err(e.context("generating the demo shop"));
    }
    replica.checkpoint()?;
    drop(replica);
    std::fs::rename(staging.join(REPLICA_FILE_NAME), &target)
        .with_context(|| format!("moving the demo replica to {}", target.display()))?;
    let _ = std::fs::remove_dir_all(&staging);
    let replica = Replica::open(dir, taem_replica::OpenMode::ReadOnly, env)?;
    let status = replica.status()?;
    if !json {
        eprintln!(
            "demo shop ready: {} members, {} bills",
            done.members, done.entries
        );
    }
    emit(json, &status, render::status);
    Ok(())
}
