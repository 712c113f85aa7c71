//! A download as a command line asks for it (`taem-counter export`, `taem-server download`):
//! the arguments checked, with errors that say what was wrong and how to fix it.

use chrono::{Datelike, NaiveDate};
use taem_core::ThaiDateError;
use taem_core::export::ExportFilter;

use super::{Dataset, format_for};
use crate::columns::Lang;
use crate::export::ExportFormat;

/// A download as a command line asks for it, checked.
#[derive(Clone, Debug)]
pub struct Plan {
    /// What.
    pub dataset: Dataset,
    /// CSV or XLSX (from the output's extension).
    pub format: ExportFormat,
    /// Which rows.
    pub filter: ExportFilter,
    /// Header language.
    pub lang: Lang,
}

/// Checks a command line's download arguments (`--from`/`--to` as dd/mm/yyyy in Buddhist Era
/// or C.E.); the error says what was wrong and how to fix it.
pub fn plan(
    dataset: &str,
    output: &std::path::Path,
    branch: Option<String>,
    from: Option<&str>,
    to: Option<&str>,
    lang: &str,
) -> Result<Plan, String> {
    let dataset_value = Dataset::parse(dataset).ok_or_else(|| {
        format!("`{dataset}` is not something to download: use members, ledger, redemptions or tier-changes")
    })?;
    let format = format_for(output).ok_or_else(|| {
        format!(
            "{} must end in .csv or .xlsx: that picks the download's format, e.g. members.xlsx",
            output.display()
        )
    })?;
    let lang = Lang::parse(lang)
        .ok_or_else(|| format!("`{lang}` is not a language: use th (ไทย) or en (English)"))?;
    let date = |text: Option<&str>, which: &str| {
        text.map(|t| taem_core::parse_thai_date(t).map_err(|e| date_problem(which, t, &e)))
            .transpose()
    };
    let filter = ExportFilter {
        branch,
        from: date(from, "from")?,
        to: date(to, "to")?,
    };
    if let (Some(f), Some(t)) = (filter.from, filter.to)
        && f > t
    {
        return Err(format!(
            "--from {} is after --to {}: swap them",
            taem_core::thai_date::format_be(f),
            taem_core::thai_date::format_be(t)
        ));
    }
    Ok(Plan {
        dataset: dataset_value,
        format,
        filter,
        lang,
    })
}

/// What is wrong with a `--from`/`--to` date, for the command line.
fn date_problem(which: &str, text: &str, e: &ThaiDateError) -> String {
    let text = text.trim();
    match e {
        ThaiDateError::NoSuchDate { .. } => match missing_day(text) {
            Some(why) => format!("--{which} {text}: that date does not exist ({why})"),
            None => {
                format!("--{which} {text}: that date does not exist: check the day and the month")
            }
        },
        ThaiDateError::Empty | ThaiDateError::Unrecognised { .. } => {
            format!("--{which} {text}: use dd/mm/yyyy, e.g. 01/11/2569 or 01/11/2026")
        }
        // A two-digit year or a year out of range: the date rule's own words.
        other => format!("--{which} {other}"),
    }
}

/// Why day/month/year (or year-month-day) written in digits is no date: `February 2569 has
/// 28 days`, `there is no month 13`. `None` when the text is in another form.
fn missing_day(text: &str) -> Option<String> {
    let ascii = taem_core::digits::to_ascii_digits(text);
    let parts: Vec<u32> = ascii
        .split(['/', '-', '.'])
        .map(|p| p.trim().parse().ok())
        .collect::<Option<_>>()?;
    let [a, b, c] = parts.as_slice() else {
        return None;
    };
    let (day, month, year) = if *a >= 1000 {
        (*c, *b, *a)
    } else {
        (*a, *b, *c)
    };
    const MONTHS: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    if !(1..=12).contains(&month) {
        return Some(format!("there is no month {month}"));
    }
    if day == 0 {
        return Some("there is no day 0".into());
    }
    // The year as written, B.E. or C.E. (see `taem_core::thai_date`).
    let written = i32::try_from(year).ok()?;
    let year_ce = if written >= taem_core::thai_date::BE_YEAR_MIN {
        written - taem_core::thai_date::BE_OFFSET_YEARS
    } else {
        written
    };
    let first = NaiveDate::from_ymd_opt(year_ce, month, 1)?;
    let next = if month == 12 {
        NaiveDate::from_ymd_opt(year_ce + 1, 1, 1)?
    } else {
        NaiveDate::from_ymd_opt(year_ce, month + 1, 1)?
    };
    let days = next.signed_duration_since(first).num_days();
    if i64::from(day) <= days {
        return None;
    }
    Some(format!(
        "{} {written} has {days} days",
        MONTHS[first.month0() as usize]
    ))
}
