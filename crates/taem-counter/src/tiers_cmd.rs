//! `tiers …` and `rates …`.

use std::path::Path;

use anyhow::Context;
use serde::Serialize;
use taem_core::{
    CalculationPeriod, PointRate, Points, RateMode, SystemRates, Tier, TierIcon, TierSettings,
    parse_thai_date,
};
use taem_replica::{OpenMode, ReevaluationMode, Replica, ShopSettings};

use crate::cli::{RatesCommand, TierArgs, TiersCommand};
use crate::errors::refusal;
use crate::{emit, open, render};

/// How many members one tier holds (`members_per_tier` in `--json`), with named fields a
/// script can read: `{"tier_id":1,"members":810}`.
#[derive(Serialize)]
pub struct TierMembers {
    /// The tier's id.
    pub tier_id: u32,
    /// Members placed in it.
    pub members: i64,
}

fn members_per_tier(replica: &Replica) -> anyhow::Result<Vec<TierMembers>> {
    Ok(replica
        .members_per_tier()?
        .into_iter()
        .map(|(tier_id, members)| TierMembers { tier_id, members })
        .collect())
}

#[derive(Serialize)]
struct TiersShown {
    settings: ShopSettings,
    members_per_tier: Vec<TierMembers>,
}

#[derive(Serialize)]
struct TiersSaved {
    settings: ShopSettings,
    members_per_tier: Vec<TierMembers>,
    reevaluation: taem_replica::ReevaluationReport,
}

/// Saves new tier settings (every member is re-placed) and shows the result.
fn save(replica: &mut Replica, json: bool, tiers: TierSettings) -> anyhow::Result<()> {
    let reevaluation = replica.set_tier_settings(tiers)?;
    let saved = TiersSaved {
        settings: replica.settings()?,
        members_per_tier: members_per_tier(replica)?,
        reevaluation,
    };
    emit(json, &saved, |s| {
        format!(
            "{}\n{}",
            render::tiers(&s.settings, &s.members_per_tier),
            render::reevaluation(&s.reevaluation)
        )
    })?;
    Ok(())
}

fn icon(name: &str) -> anyhow::Result<TierIcon> {
    TierIcon::parse(name).with_context(|| {
        let all: Vec<&str> = TierIcon::ALL.iter().map(|i| i.as_str()).collect();
        format!(
            "`{name}` is not a tier icon: choose one of {}",
            all.join(", ")
        )
    })
}

fn apply(tier: &mut Tier, args: &TierArgs) -> anyhow::Result<()> {
    if let Some(v) = &args.name {
        tier.name = v.clone();
    }
    if let Some(v) = &args.description {
        tier.description = v.clone();
    }
    if let Some(v) = args.start {
        tier.start_points = Points(v);
    }
    if let Some(v) = &args.icon {
        tier.icon = icon(v)?;
    }
    if let Some(v) = &args.rate {
        tier.rate_mode = RateMode::Custom {
            rate: PointRate::parse(v)?,
        };
    }
    if args.based_on_system {
        tier.rate_mode = RateMode::BasedOnSystem;
    }
    Ok(())
}

/// A rate as `rates set` reads it (BAHT:POINTS).
fn rate_arg(rate: PointRate) -> String {
    format!("{}:{}", rate.baht(), rate.points().0)
}

/// `tiers set` saves tiers only (the library saves tiers and rates in separate operations):
/// a file from `tiers show --json` whose rates differ from the shop's is refused rather than
/// half applied, and the message gives the `rates set` command that applies them.
fn refuse_rates_in_file(
    value: &serde_json::Value,
    current: &SystemRates,
    file: &Path,
) -> anyhow::Result<()> {
    let Some(rates) = value.get("settings").and_then(|s| s.get("rates")) else {
        return Ok(());
    };
    let rates: SystemRates = serde_json::from_value(rates.clone()).with_context(|| {
        format!(
            "{}: \"settings.rates\" is not a set of rates (see `taem-counter tiers show --json`)",
            file.display()
        )
    })?;
    let changed: Vec<String> = [
        ("counter", rates.counter, current.counter),
        ("ecommerce", rates.ecommerce, current.ecommerce),
        ("sms", rates.sms, current.sms),
    ]
    .into_iter()
    .filter(|(_, new, now)| new != now)
    .map(|(name, new, _)| format!("--{name} {}", rate_arg(new)))
    .collect();
    if changed.is_empty() {
        return Ok(());
    }
    Err(refusal(
        "rates_in_file",
        format!(
            "{} changes the point rates, which `tiers set` does not save: nothing was changed. \
             Change the rates with `taem-counter rates set {}`, then run `tiers set` again \
             (or put the shop's current rates back in the file)",
            file.display(),
            changed.join(" ")
        ),
    ))
}

/// Runs a `tiers` command.
pub fn run(dir: &Path, json: bool, wait: u64, cmd: TiersCommand) -> anyhow::Result<()> {
    if let TiersCommand::Show = cmd {
        let replica = open(dir, OpenMode::ReadOnly, wait)?;
        let shown = TiersShown {
            settings: replica.settings()?,
            members_per_tier: members_per_tier(&replica)?,
        };
        emit(json, &shown, |s| {
            render::tiers(&s.settings, &s.members_per_tier)
        })?;
        return Ok(());
    }
    let mut replica = open(dir, OpenMode::ReadWrite, wait)?;
    let current = replica.settings()?.tiers;
    let rebuild = |enabled: bool, period: CalculationPeriod, tiers: Vec<Tier>| {
        TierSettings::new(enabled, period, tiers)
    };
    match cmd {
        TiersCommand::Show => unreachable!("handled above"),
        TiersCommand::Set { file } => {
            let text = std::fs::read_to_string(&file)
                .with_context(|| format!("cannot read {}", file.display()))?;
            // Accept either the tier settings alone or the whole `tiers show --json` output.
            let value: serde_json::Value = serde_json::from_str(&text)
                .with_context(|| format!("{} is not valid JSON", file.display()))?;
            refuse_rates_in_file(&value, &replica.settings()?.rates, &file)?;
            let tiers_value = value
                .get("settings")
                .and_then(|s| s.get("tiers"))
                .cloned()
                .unwrap_or(value);
            let tiers: TierSettings = serde_json::from_value(tiers_value).with_context(|| {
                format!(
                    "{} does not hold valid tier settings (see `taem-counter tiers show --json`)",
                    file.display()
                )
            })?;
            save(&mut replica, json, tiers)?;
        }
        TiersCommand::Enable | TiersCommand::Disable => {
            let enabled = matches!(cmd, TiersCommand::Enable);
            let tiers = rebuild(enabled, current.period, current.tiers().to_vec())?;
            save(&mut replica, json, tiers)?;
        }
        TiersCommand::Period { period } => {
            let period = CalculationPeriod::parse(&period).with_context(|| {
                format!("`{period}` is not a calculation period: use registration, 3, 6, 9 or 12")
            })?;
            let tiers = rebuild(current.enabled, period, current.tiers().to_vec())?;
            save(&mut replica, json, tiers)?;
        }
        TiersCommand::Add(args) => {
            let name = args.name.clone().context("a new tier needs --name")?;
            let start = args.start.context("a new tier needs --start (points)")?;
            let mut tier = Tier {
                id: current.next_free_id(),
                name,
                description: String::new(),
                start_points: Points(start),
                icon: TierIcon::Star,
                rate_mode: RateMode::BasedOnSystem,
            };
            apply(&mut tier, &args)?;
            let mut tiers = current.tiers().to_vec();
            tiers.push(tier);
            save(
                &mut replica,
                json,
                rebuild(current.enabled, current.period, tiers)?,
            )?;
        }
        TiersCommand::Edit { id, tier: args } => {
            let mut tiers = current.tiers().to_vec();
            let tier = tiers
                .iter_mut()
                .find(|t| t.id == id)
                .with_context(|| format!("no tier with id {id}: see `taem-counter tiers show`"))?;
            apply(tier, &args)?;
            save(
                &mut replica,
                json,
                rebuild(current.enabled, current.period, tiers)?,
            )?;
        }
        TiersCommand::Remove { id } => {
            let mut tiers = current.tiers().to_vec();
            let before = tiers.len();
            tiers.retain(|t| t.id != id);
            if tiers.len() == before {
                anyhow::bail!("no tier with id {id}: see `taem-counter tiers show`");
            }
            save(
                &mut replica,
                json,
                rebuild(current.enabled, current.period, tiers)?,
            )?;
        }
        TiersCommand::Reevaluate {
            full,
            today,
            preview,
        } => {
            let now = taem_core::time::bangkok_date(replica.environment().now());
            let today = match today {
                Some(t) => parse_thai_date(&t)?,
                None => now,
            };
            if preview {
                let report = replica.preview_tiers(today)?;
                emit(json, &report, render::reevaluation)?;
                return Ok(());
            }
            if today != now {
                // Saved moves for a day to come would stand before their day (and the daily
                // run would take that day as done); for a past day, members would keep the
                // tier they had then until the next daily run moved them back.
                let (code, relation, advice, would) = if today > now {
                    ("date_in_future", "after", "", "would move")
                } else {
                    (
                        "date_in_past",
                        "before",
                        " (leave --today out)",
                        "would have moved",
                    )
                };
                return Err(crate::errors::refusal(
                    code,
                    format!(
                        "--today {} is {relation} today ({}): a re-evaluation saves its moves, so it runs as of today{advice}; to see who {would} on {}, add --preview",
                        taem_core::thai_date::format_be(today),
                        taem_core::thai_date::format_be(now),
                        taem_core::thai_date::format_be(today),
                    ),
                ));
            }
            let mode = if full {
                ReevaluationMode::Full
            } else {
                ReevaluationMode::Incremental
            };
            let report = replica.reevaluate_tiers(mode, today)?;
            emit(json, &report, render::reevaluation)?;
        }
    }
    Ok(())
}

/// Runs a `rates` command.
pub fn rates(dir: &Path, json: bool, wait: u64, cmd: RatesCommand) -> anyhow::Result<()> {
    match cmd {
        RatesCommand::Show => {
            let replica = open(dir, OpenMode::ReadOnly, wait)?;
            let settings = replica.settings()?;
            emit(json, &settings.rates, render::rates)?;
        }
        RatesCommand::Set {
            counter,
            ecommerce,
            sms,
        } => {
            if counter.is_none() && ecommerce.is_none() && sms.is_none() {
                anyhow::bail!(
                    "nothing to change: give --counter, --ecommerce and/or --sms as BAHT:POINTS, e.g. 25:1"
                );
            }
            let mut replica = open(dir, OpenMode::ReadWrite, wait)?;
            let mut rates = replica.settings()?.rates;
            if let Some(v) = counter {
                rates.counter = PointRate::parse(&v)?;
            }
            if let Some(v) = ecommerce {
                rates.ecommerce = PointRate::parse(&v)?;
            }
            if let Some(v) = sms {
                rates.sms = PointRate::parse(&v)?;
            }
            let settings = replica.set_rates(rates)?;
            emit(json, &settings.rates, render::rates)?;
        }
    }
    Ok(())
}
