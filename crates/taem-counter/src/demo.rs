//! `demo`: a replica holding a generated Thai demo shop.

use std::io::Write;
use std::path::Path;
use std::sync::Arc;

use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};
use taem_demo::DemoConfig;
use taem_replica::{Replica, SystemEnvironment};

use crate::cli::DemoArgs;
use crate::{emit, render};

/// Builds the demo replica in a staging folder and moves it into place only when complete,
/// so an interrupted demo never leaves a half-loaded replica.
pub fn run(dir: &Path, json: bool, args: DemoArgs) -> anyhow::Result<()> {
    let env = Arc::new(SystemEnvironment);
    let config = DemoConfig {
        members: args.members,
        seed: args.seed,
        now: taem_replica::Environment::now(env.as_ref()),
        history_days: args.history_days,
        bills_per_member_mean: args.bills_per_member,
    };
    let bar = ProgressBar::new(args.members);
    bar.set_style(
        ProgressStyle::with_template(
            "{spinner} demo shop {bar:30} {pos}/{len} members, {msg} ({eta} left)",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let done = taem_demo::load::create_demo_replica(dir, &args.shop, &config, env.clone(), |p| {
        bar.set_position(p.members);
        bar.set_message(format!("{} bills", p.entries));
    });
    bar.finish_and_clear();
    let done = done.context("generating the demo shop")?;
    let replica = Replica::open(dir, taem_replica::OpenMode::ReadOnly, env)?;
    let status = replica.status()?;
    if !json {
        // A note beside the answer: a closed stderr must not fail the finished demo.
        let _ = writeln!(
            std::io::stderr(),
            "demo shop ready: {} members, {} bills",
            done.members,
            done.entries
        );
    }
    emit(json, &status, render::status)?;
    Ok(())
}
