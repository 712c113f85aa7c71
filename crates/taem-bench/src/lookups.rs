//! Benches 1–4: phone look-up, last-4-digit look-up, member history, Thai name search. Each
//! query is timed on the replica and on a raw prepared statement, interleaved (alternating
//! which side goes first) so both run with the same warm cache.

use std::hint::black_box;
use std::time::{Duration, Instant};

use anyhow::Context;
use rusqlite::{Connection, OptionalExtension};
use taem_core::Phone;
use taem_replica::{MemberKey, Replica};

use crate::Sizes;
use crate::figures::{Figure, Goal, Latencies, micros};
use crate::raw::{SUMMARY_COLUMNS, summary_row};
use crate::workload::{self, Member};

/// The page a cashier sees.
const PAGE: usize = 20;
/// History lines the member screen shows.
const HISTORY_LINES: usize = 50;

const LOOKUP_GOAL: Goal = Goal::below_and_ratio(1000.0, 2.0);
const SUFFIX_GOAL: Goal = Goal::below(1000.0);
const HISTORY_GOAL: Goal = Goal::below(1000.0);
const NAME_GOAL: Goal = Goal::below_and_ratio(5000.0, 1.5);

/// Times of both sides of one bench.
struct Pair {
    ours: Latencies,
    raw: Latencies,
}

fn time(f: impl FnOnce() -> anyhow::Result<()>) -> anyhow::Result<Duration> {
    let started = Instant::now();
    f()?;
    Ok(started.elapsed())
}

/// Runs the first `warmup` queries untimed on both sides, then times the rest, alternating
/// which side goes first so neither always finds the pages the other just read.
fn interleaved<Q>(
    queries: &[Q],
    warmup: usize,
    mut ours: impl FnMut(&Q) -> anyhow::Result<()>,
    mut raw: impl FnMut(&Q) -> anyhow::Result<()>,
) -> anyhow::Result<Pair> {
    let timed = queries.len().saturating_sub(warmup);
    let (mut a, mut b) = (Vec::with_capacity(timed), Vec::with_capacity(timed));
    for (i, q) in queries.iter().enumerate() {
        let (t_ours, t_raw) = if i % 2 == 0 {
            let t = time(|| ours(q))?;
            (t, time(|| raw(q))?)
        } else {
            let t = time(|| raw(q))?;
            (time(|| ours(q))?, t)
        };
        if i >= warmup {
            a.push(t_ours);
            b.push(t_raw);
        }
    }
    Ok(Pair {
        ours: Latencies::new(a),
        raw: Latencies::new(b),
    })
}

fn figures(name: &str, pair: &Pair, baseline: &str, goal: Goal) -> [Figure; 2] {
    let p50 = Figure::new(
        &format!("{name}_p50"),
        micros(pair.ours.quantile(0.5)),
        "µs",
        baseline,
        micros(pair.raw.quantile(0.5)),
        Goal::default(),
    );
    let p99 = Figure::new(
        &format!("{name}_p99"),
        micros(pair.ours.quantile(0.99)),
        "µs",
        baseline,
        micros(pair.raw.quantile(0.99)),
        goal,
    );
    [p50, p99]
}

/// Runs the four look-up benches.
pub fn run(
    replica: &Replica,
    raw: &Connection,
    pool: &[Member],
    sizes: &Sizes,
    seed: u64,
) -> anyhow::Result<Vec<Figure>> {
    let n = sizes.lookups_warmup + sizes.lookups;
    let mut out = Vec::new();
    out.extend(phone(replica, raw, pool, n, sizes.lookups_warmup, seed)?);
    out.extend(suffix(replica, raw, pool, n, sizes.lookups_warmup, seed)?);
    out.extend(history(replica, raw, pool, n, sizes.lookups_warmup, seed)?);
    out.extend(names(replica, raw, pool, n, sizes.lookups_warmup, seed)?);
    Ok(out)
}

fn phone(
    replica: &Replica,
    raw: &Connection,
    pool: &[Member],
    n: usize,
    warmup: usize,
    seed: u64,
) -> anyhow::Result<[Figure; 2]> {
    eprintln!("bench: phone look-up ({n} queries)");
    let mut rng = workload::rng(seed, "phone");
    let queries: Vec<(String, String)> = (0..n)
        .map(|_| {
            let m = workload::pick(pool, &mut rng);
            (workload::typed_phone(&m.phone, &mut rng), m.phone.clone())
        })
        .collect();
    let sql = format!("SELECT {SUMMARY_COLUMNS} FROM members WHERE phone = ?1");
    let pair = interleaved(
        &queries,
        warmup,
        |(typed, stored)| {
            let found = replica
                .find(typed, PAGE)
                .with_context(|| format!("find {typed}"))?;
            anyhow::ensure!(
                found.members.len() == 1 && &found.members[0].phone == stored,
                "find {typed} answered {:?}",
                found.members
            );
            black_box(found);
            Ok(())
        },
        |(_, stored)| {
            let row = raw
                .prepare_cached(&sql)?
                .query_row([stored], summary_row)
                .optional()?;
            anyhow::ensure!(row.is_some(), "raw look-up of {stored} found nothing");
            black_box(row);
            Ok(())
        },
    )?;
    Ok(figures(
        "phone_lookup",
        &pair,
        "raw SELECT by phone (unique index), prepared, normalised phone given",
        LOOKUP_GOAL,
    ))
}

fn suffix(
    replica: &Replica,
    raw: &Connection,
    pool: &[Member],
    n: usize,
    warmup: usize,
    seed: u64,
) -> anyhow::Result<[Figure; 2]> {
    eprintln!("bench: last-4-digit look-up ({n} queries)");
    let mut rng = workload::rng(seed, "last4");
    let queries: Vec<String> = (0..n)
        .map(|_| workload::last4(&workload::pick(pool, &mut rng).phone))
        .collect();
    let sql = format!("SELECT {SUMMARY_COLUMNS} FROM members WHERE phone_last4 = ?1 LIMIT ?2");
    let pair = interleaved(
        &queries,
        warmup,
        |q| {
            let found = replica.find(q, PAGE).with_context(|| format!("find {q}"))?;
            anyhow::ensure!(!found.members.is_empty(), "find {q} found nobody");
            black_box(found);
            Ok(())
        },
        |q| {
            let rows = raw
                .prepare_cached(&sql)?
                .query_map(rusqlite::params![q, PAGE as i64], summary_row)?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            anyhow::ensure!(!rows.is_empty(), "raw last-4 {q} found nobody");
            black_box(rows);
            Ok(())
        },
    )?;
    Ok(figures(
        "last4_lookup",
        &pair,
        "raw SELECT … WHERE phone_last4 = ? LIMIT 20 (indexed generated column)",
        SUFFIX_GOAL,
    ))
}

fn history(
    replica: &Replica,
    raw: &Connection,
    pool: &[Member],
    n: usize,
    warmup: usize,
    seed: u64,
) -> anyhow::Result<[Figure; 2]> {
    eprintln!("bench: member history, last {HISTORY_LINES} ({n} queries)");
    let mut rng = workload::rng(seed, "history");
    let queries: Vec<(MemberKey, i64)> = (0..n)
        .map(|_| {
            let m = workload::pick(pool, &mut rng);
            Ok((MemberKey::Phone(Phone::parse(&m.phone)?), m.id))
        })
        .collect::<anyhow::Result<_>>()?;
    let sql = "SELECT kind, points, at_ms, bill_no, amount_satang, reason, counts_toward_tier,
                      branch, op_id, confirmed
               FROM ledger WHERE member_id = ?1 ORDER BY id DESC LIMIT ?2";
    type Line = (
        String,
        i64,
        i64,
        Option<String>,
        Option<i64>,
        Option<String>,
        bool,
        String,
        Vec<u8>,
        bool,
    );
    let pair = interleaved(
        &queries,
        warmup,
        |(key, _)| {
            let items = replica
                .history(key, HISTORY_LINES)
                .with_context(|| format!("history of {key:?}"))?;
            // Every member has at least the tier change of their registration.
            anyhow::ensure!(!items.is_empty(), "history of {key:?} is empty");
            black_box(items);
            Ok(())
        },
        |(_, id)| {
            let lines = raw
                .prepare_cached(sql)?
                .query_map(rusqlite::params![id, HISTORY_LINES as i64], |r| {
                    Ok::<Line, _>((
                        r.get(0)?,
                        r.get(1)?,
                        r.get(2)?,
                        r.get(3)?,
                        r.get(4)?,
                        r.get(5)?,
                        r.get(6)?,
                        r.get(7)?,
                        r.get(8)?,
                        r.get(9)?,
                    ))
                })?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            black_box(lines);
            Ok(())
        },
    )?;
    Ok(figures(
        "history_50",
        &pair,
        "raw SELECT … FROM ledger WHERE member_id = ? ORDER BY id DESC LIMIT 50, member id given",
        HISTORY_GOAL,
    ))
}

fn names(
    replica: &Replica,
    raw: &Connection,
    pool: &[Member],
    n: usize,
    warmup: usize,
    seed: u64,
) -> anyhow::Result<[Figure; 2]> {
    eprintln!("bench: name search, 3–5 character fragments ({n} queries)");
    let mut rng = workload::rng(seed, "names");
    let mut queries = Vec::with_capacity(n);
    while queries.len() < n {
        queries.extend(workload::name_fragment(
            workload::pick(pool, &mut rng),
            &mut rng,
        ));
    }
    // The bare minimum for a first page of names: the index's first 20 hits, joined to the
    // member rows for the line the cashier sees. CROSS JOIN keeps the index as the outer loop.
    let sql = format!(
        "SELECT {} FROM member_names CROSS JOIN members m ON m.id = member_names.rowid
         WHERE member_names MATCH ?1 LIMIT ?2",
        SUMMARY_COLUMNS
            .split(", ")
            .map(|c| format!("m.{c}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let pair = interleaved(
        &queries,
        warmup,
        |q: &String| {
            let found = replica.find(q, PAGE).with_context(|| format!("find {q}"))?;
            anyhow::ensure!(!found.members.is_empty(), "find {q} found nobody");
            black_box(found);
            Ok(())
        },
        |q: &String| {
            let phrase = format!("\"{}\"", q.replace('"', "\"\""));
            let rows = raw
                .prepare_cached(&sql)?
                .query_map(rusqlite::params![phrase, PAGE as i64], summary_row)?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            anyhow::ensure!(!rows.is_empty(), "raw name search {q} found nobody");
            black_box(rows);
            Ok(())
        },
    )?;
    Ok(figures(
        "name_search",
        &pair,
        "raw FTS5 trigram MATCH '\"fragment\"' LIMIT 20 joined to members",
        NAME_GOAL,
    ))
}
