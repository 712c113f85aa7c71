//! Figures: what a bench measured, its same-run baseline and its goal; percentiles; the
//! table and the JSON lines.

use std::io::Write;
use std::time::Duration;

use serde::Serialize;

/// What a figure should reach. A figure with no bound has no goal (shown as "-").
#[derive(Clone, Copy, Debug, Default)]
pub struct Goal {
    /// The figure must stay strictly below this, in the figure's unit.
    pub below: Option<f64>,
    /// The figure must stay at or under this multiple of its baseline.
    pub ratio_at_most: Option<f64>,
}

impl Goal {
    /// A goal on the value only.
    pub const fn below(value: f64) -> Goal {
        Goal {
            below: Some(value),
            ratio_at_most: None,
        }
    }

    /// A goal on the value and on the ratio to the baseline.
    pub const fn below_and_ratio(value: f64, ratio: f64) -> Goal {
        Goal {
            below: Some(value),
            ratio_at_most: Some(ratio),
        }
    }

    /// A goal on the ratio only.
    pub const fn ratio(ratio: f64) -> Goal {
        Goal {
            below: None,
            ratio_at_most: Some(ratio),
        }
    }

    /// `None` when there is nothing to meet.
    fn met(&self, figure: &Figure) -> Option<bool> {
        if self.below.is_none() && self.ratio_at_most.is_none() {
            return None;
        }
        let value_ok = self.below.is_none_or(|b| figure.value < b);
        let ratio_ok = self.ratio_at_most.is_none_or(|r| figure.ratio <= r);
        Some(value_ok && ratio_ok)
    }

    fn describe(&self, unit: &str) -> String {
        let mut parts = Vec::new();
        if let Some(b) = self.below {
            parts.push(format!("< {b} {unit}"));
        }
        if let Some(r) = self.ratio_at_most {
            parts.push(format!("≤ {r}×"));
        }
        if parts.is_empty() {
            "-".into()
        } else {
            parts.join(", ")
        }
    }
}

/// One measured figure. Serialises to exactly
/// `{"bench","value","unit","baseline","baseline_value","ratio"}`.
#[derive(Clone, Debug, Serialize)]
pub struct Figure {
    /// Stable name, e.g. `phone_lookup_p99`.
    pub bench: String,
    /// What Taem's code measured.
    pub value: f64,
    /// Unit of `value` and `baseline_value`.
    pub unit: &'static str,
    /// What the baseline did (raw rusqlite on the same file).
    pub baseline: String,
    /// What the baseline measured.
    pub baseline_value: f64,
    /// `value / baseline_value`.
    pub ratio: f64,
    /// Shown in the table only.
    #[serde(skip)]
    pub goal: Goal,
}

impl Figure {
    /// A figure; the ratio is computed here (NaN, shown as null, when the baseline is 0).
    pub fn new(
        bench: &str,
        value: f64,
        unit: &'static str,
        baseline: &str,
        baseline_value: f64,
        goal: Goal,
    ) -> Figure {
        let ratio = if baseline_value > 0.0 {
            round3(value / baseline_value)
        } else {
            f64::NAN
        };
        Figure {
            bench: bench.to_string(),
            value: round3(value),
            unit,
            baseline: baseline.to_string(),
            baseline_value: round3(baseline_value),
            ratio,
            goal,
        }
    }
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

/// Latency samples, sorted, for nearest-rank percentiles.
#[derive(Clone, Debug)]
pub struct Latencies(Vec<Duration>);

impl Latencies {
    /// Sorts the samples.
    pub fn new(mut samples: Vec<Duration>) -> Latencies {
        samples.sort_unstable();
        Latencies(samples)
    }

    /// The nearest-rank `q` quantile (`q` in 0..=1): the smallest sample with at least
    /// `q × n` samples at or below it. Zero when there are no samples.
    pub fn quantile(&self, q: f64) -> Duration {
        let n = self.0.len();
        if n == 0 {
            return Duration::ZERO;
        }
        let rank = (q * n as f64).ceil() as usize;
        self.0[rank.clamp(1, n) - 1]
    }
}

/// Microseconds as a float.
pub fn micros(d: Duration) -> f64 {
    d.as_secs_f64() * 1e6
}

/// Milliseconds as a float.
pub fn millis(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// Prints the figures: JSON lines on stdout and the table on stderr with `json`, else the
/// table on stdout.
pub fn print(figures: &[Figure], json: bool) -> anyhow::Result<()> {
    let table = table(figures);
    if json {
        let mut out = std::io::stdout().lock();
        for f in figures {
            writeln!(out, "{}", serde_json::to_string(f)?)?;
        }
        eprint!("{table}");
    } else {
        print!("{table}");
    }
    Ok(())
}

fn table(figures: &[Figure]) -> String {
    let header = [
        "bench",
        "value",
        "unit",
        "goal",
        "baseline",
        "ratio",
        "status",
        "baseline is",
    ];
    let rows: Vec<[String; 8]> = figures
        .iter()
        .map(|f| {
            let status = match f.goal.met(f) {
                Some(true) => "ok",
                Some(false) => "MISSED",
                None => "-",
            };
            [
                f.bench.clone(),
                format!("{:.3}", f.value),
                f.unit.to_string(),
                f.goal.describe(f.unit),
                format!("{:.3}", f.baseline_value),
                if f.ratio.is_nan() {
                    "-".into()
                } else {
                    format!("{:.2}×", f.ratio)
                },
                status.to_string(),
                f.baseline.clone(),
            ]
        })
        .collect();
    let mut widths = header.map(|h| h.chars().count());
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: &[String]| {
        let mut s = String::new();
        for (i, (cell, w)) in cells.iter().zip(widths).enumerate() {
            let pad = w.saturating_sub(cell.chars().count());
            let numeric = matches!(i, 1 | 4 | 5);
            if numeric {
                s.push_str(&" ".repeat(pad));
                s.push_str(cell);
            } else {
                s.push_str(cell);
                if i + 1 < cells.len() {
                    s.push_str(&" ".repeat(pad));
                }
            }
            if i + 1 < cells.len() {
                s.push_str("  ");
            }
        }
        s.push('\n');
        s
    };
    let mut out = line(&header.map(String::from));
    for row in &rows {
        out.push_str(&line(row));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_percentiles_index_the_sorted_samples() {
        let samples = (1..=1000).rev().map(Duration::from_micros).collect();
        let l = Latencies::new(samples);
        assert_eq!(l.quantile(0.5), Duration::from_micros(500));
        assert_eq!(l.quantile(0.99), Duration::from_micros(990));
        assert_eq!(l.quantile(0.999), Duration::from_micros(999));
        assert_eq!(l.quantile(1.0), Duration::from_micros(1000));
        assert_eq!(l.quantile(0.0), Duration::from_micros(1));
    }

    #[test]
    fn a_figure_serialises_to_the_six_documented_keys() {
        let f = Figure::new("x", 3.0, "µs", "raw", 2.0, Goal::ratio(2.0));
        let json: serde_json::Value = serde_json::to_value(&f).unwrap();
        let mut keys: Vec<&str> = json
            .as_object()
            .unwrap()
            .keys()
            .map(|k| k.as_str())
            .collect();
        keys.sort_unstable();
        assert_eq!(
            keys,
            [
                "baseline",
                "baseline_value",
                "bench",
                "ratio",
                "unit",
                "value"
            ]
        );
        assert_eq!(json["ratio"], 1.5);
    }

    #[test]
    fn a_goal_is_missed_when_either_bound_is_broken() {
        let slow = Figure::new(
            "x",
            1500.0,
            "µs",
            "raw",
            500.0,
            Goal::below_and_ratio(1000.0, 2.0),
        );
        assert_eq!(slow.goal.met(&slow), Some(false));
        let fine = Figure::new(
            "x",
            900.0,
            "µs",
            "raw",
            500.0,
            Goal::below_and_ratio(1000.0, 2.0),
        );
        assert_eq!(fine.goal.met(&fine), Some(true));
    }
}
