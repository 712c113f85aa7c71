//! `demo`: a replica holding a generated Thai demo shop.

use std::path::Path;
use std::sync::Arc;

use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};
use taem_demo::DemoConfig;
use taem_replica::{REPLICA_FILE_NAME, Replica, ReplicaError, SystemEnvironment};

use crate::cli::DemoArgs;
use crate::{emit, render};

const STAGING_DIR: &str = ".taem-demo-staging";

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
    let done = taem_demo::load::load_demo_shop(&mut replica, &config, |p| {
        bar.set_position(p.members);
        bar.set_message(format!("{} bills", p.entries));
    });
    bar.finish_and_clear();
    let done = done.context("generating the demo shop")?;
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
