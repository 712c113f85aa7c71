//! Downloads: members (in the template's columns, so a download imports again as it is, plus
//! code, branch, registration and tier), the points ledger, redemptions and tier changes; CSV or
//! XLSX; streamed row by row from an [`ExportSource`]: a counter's replica (feature `replica`)
//! or the server's store.
//!
//! The members' points are their balance today, under a header that says so
//! ([`BALANCE_HEADER_TH`], [`BALANCE_HEADER_EN`]); the import reads that column as the initial
//! points, so the members come back with their balances. Times are Bangkok's (Asia/Bangkok),
//! and the headers say so.

use std::io::Write;

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde::Serialize;
pub use taem_core::export::{ExportFilter, LedgerExportRow, MemberExportRow, TierChangeExportRow};
use taem_core::time::bangkok;
use taem_core::{Gender, LedgerKind};

use crate::columns::{Column, Lang};
use crate::export::{Cell, ExportError, ExportFormat, TableWriter};

mod plan;
pub use plan::{Plan, plan};

/// What to download.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Dataset {
    /// Members.
    Members,
    /// Every points ledger entry.
    Ledger,
    /// Redemptions (and their refunds).
    Redemptions,
    /// Tier changes.
    TierChanges,
}

impl Dataset {
    /// Parses `members`, `ledger`, `redemptions`, `tier-changes`.
    pub fn parse(text: &str) -> Option<Dataset> {
        match text.trim().to_lowercase().replace('_', "-").as_str() {
            "members" | "member" => Some(Dataset::Members),
            "ledger" | "points" => Some(Dataset::Ledger),
            "redemptions" | "redeem" => Some(Dataset::Redemptions),
            "tier-changes" | "tiers" => Some(Dataset::TierChanges),
            _ => None,
        }
    }

    /// The sheet an XLSX download puts its rows in, in the download's language.
    pub fn sheet_name(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (Dataset::Members, Lang::Th) => "สมาชิก",
            (Dataset::Ledger, Lang::Th) => "รายการแต้ม",
            (Dataset::Redemptions, Lang::Th) => "การแลกแต้ม",
            (Dataset::TierChanges, Lang::Th) => "การเปลี่ยนระดับ",
            (Dataset::Members, Lang::En) => "Members",
            (Dataset::Ledger, Lang::En) => "Points ledger",
            (Dataset::Redemptions, Lang::En) => "Redemptions",
            (Dataset::TierChanges, Lang::En) => "Tier changes",
        }
    }

    /// The file name a download suggests (without extension).
    pub fn file_stem(self) -> &'static str {
        match self {
            Dataset::Members => "members",
            Dataset::Ledger => "points-ledger",
            Dataset::Redemptions => "redemptions",
            Dataset::TierChanges => "tier-changes",
        }
    }
}

/// Where a download's rows come from. Each method calls `f` once per row the filter takes,
/// oldest first, stops at the first error, and answers the rows it gave.
pub trait ExportSource {
    /// Members (filter: registration date and branch).
    fn members(
        &self,
        filter: &ExportFilter,
        f: &mut dyn FnMut(MemberExportRow) -> Result<(), ExportError>,
    ) -> Result<u64, ExportError>;
    /// Ledger entries of `kinds` (all when empty); filter: entry date and branch.
    fn ledger(
        &self,
        filter: &ExportFilter,
        kinds: &[LedgerKind],
        f: &mut dyn FnMut(LedgerExportRow) -> Result<(), ExportError>,
    ) -> Result<u64, ExportError>;
    /// Tier changes (filter: change date; branch: the member's registering branch).
    fn tier_changes(
        &self,
        filter: &ExportFilter,
        f: &mut dyn FnMut(TierChangeExportRow) -> Result<(), ExportError>,
    ) -> Result<u64, ExportError>;
}

#[cfg(feature = "replica")]
mod replica_source {
    use taem_replica::{Replica, ReplicaError};

    use super::*;

    impl From<ReplicaError> for ExportError {
        fn from(e: ReplicaError) -> Self {
            ExportError::Source(e.to_string())
        }
    }

    impl ExportSource for Replica {
        fn members(
            &self,
            filter: &ExportFilter,
            f: &mut dyn FnMut(MemberExportRow) -> Result<(), ExportError>,
        ) -> Result<u64, ExportError> {
            self.export_members(filter, f)
        }

        fn ledger(
            &self,
            filter: &ExportFilter,
            kinds: &[LedgerKind],
            f: &mut dyn FnMut(LedgerExportRow) -> Result<(), ExportError>,
        ) -> Result<u64, ExportError> {
            self.export_ledger(filter, kinds, f)
        }

        fn tier_changes(
            &self,
            filter: &ExportFilter,
            f: &mut dyn FnMut(TierChangeExportRow) -> Result<(), ExportError>,
        ) -> Result<u64, ExportError> {
            self.export_tier_changes(filter, f)
        }
    }
}

/// A moment at Bangkok's clock: a date-time cell in XLSX; in CSV dd/mm/yyyy hh:mm in B.E.
/// (Thai) or yyyy-mm-dd hh:mm (English).
fn when(at: DateTime<Utc>, lang: Lang) -> Cell {
    let local = at.with_timezone(&bangkok());
    let text = match lang {
        Lang::Th => format!(
            "{} {}",
            date(local.date_naive(), lang),
            local.format("%H:%M")
        ),
        Lang::En => local.format("%Y-%m-%d %H:%M").to_string(),
    };
    Cell::Time {
        local: local.naive_local(),
        text,
    }
}

fn date(d: NaiveDate, lang: Lang) -> String {
    match lang {
        Lang::Th => format!("{:02}/{:02}/{}", d.day(), d.month(), d.year() + 543),
        Lang::En => format!("{:02}/{:02}/{}", d.day(), d.month(), d.year()),
    }
}

fn yes_no(v: bool, lang: Lang) -> &'static str {
    match (v, lang) {
        (true, Lang::Th) => "ใช่",
        (false, Lang::Th) => "ไม่",
        (true, Lang::En) => "yes",
        (false, Lang::En) => "no",
    }
}

fn gender(g: Gender, lang: Lang) -> &'static str {
    match (g, lang) {
        (Gender::Female, Lang::Th) => "หญิง",
        (Gender::Male, Lang::Th) => "ชาย",
        (Gender::Other, Lang::Th) => "อื่นๆ",
        (Gender::Female, Lang::En) => "female",
        (Gender::Male, Lang::En) => "male",
        (Gender::Other, Lang::En) => "other",
        (Gender::Unspecified, _) => "",
    }
}

fn text(s: impl Into<String>) -> Cell {
    let s = s.into();
    if s.is_empty() {
        Cell::Empty
    } else {
        Cell::Text(s)
    }
}

fn opt(s: &Option<String>) -> Cell {
    s.as_deref().map_or(Cell::Empty, text)
}

fn baht(satang: Option<i64>) -> Cell {
    satang.map_or(Cell::Empty, |s| {
        Cell::Decimal(format!(
            "{}{}.{:02}",
            if s < 0 { "-" } else { "" },
            s.abs() / 100,
            s.abs() % 100
        ))
    })
}

/// A count of rows as a message writes it: `1 row`, `12,000 rows`.
pub fn rows_text(rows: u64) -> String {
    format!(
        "{} {}",
        crate::error::grouped(rows),
        if rows == 1 { "row" } else { "rows" }
    )
}

/// Writes a download of `dataset` from `source`; answers the rows written. `progress` is
/// called every 1,000 rows.
pub fn download(
    source: &dyn ExportSource,
    dataset: Dataset,
    filter: &ExportFilter,
    format: ExportFormat,
    lang: Lang,
    out: &mut (dyn Write + Send),
    progress: &mut dyn FnMut(u64),
) -> Result<u64, ExportError> {
    let header = headers(dataset, lang);
    let header: Vec<&str> = header.iter().map(String::as_str).collect();
    let mut w = match format {
        ExportFormat::Csv => TableWriter::csv(out, &header)?,
        ExportFormat::Xlsx => TableWriter::xlsx(out, dataset.sheet_name(lang), &header, lang)?,
    };
    let mut tick = |w: &TableWriter<'_>| {
        if w.rows().is_multiple_of(1000) {
            progress(u64::from(w.rows()));
        }
    };
    match dataset {
        Dataset::Members => {
            source.members(filter, &mut |m| {
                let p = &m.profile;
                w.row(&[
                    Cell::Text(m.phone.clone()),
                    text(p.first_name.clone()),
                    text(p.last_name.clone()),
                    p.birthday
                        .map_or(Cell::Empty, |b| Cell::Text(date(b, lang))),
                    text(gender(p.gender, lang)),
                    opt(&p.email),
                    opt(&p.address),
                    text(p.tags.join(", ")),
                    Cell::Int(m.balance),
                    text(yes_no(p.marketing_consent, lang)),
                    text(yes_no(p.pdpa_consent, lang)),
                    opt(&p.note),
                    Cell::Text(m.code.clone()),
                    Cell::Text(m.branch.clone()),
                    when(m.registered_at, lang),
                    text(m.tier.clone()),
                ])?;
                tick(&w);
                Ok(())
            })?;
        }
        Dataset::Ledger | Dataset::Redemptions => {
            let kinds: &[LedgerKind] = if dataset == Dataset::Redemptions {
                &[LedgerKind::Redeem, LedgerKind::RedeemRefund]
            } else {
                &[]
            };
            source.ledger(filter, kinds, &mut |e| {
                w.row(&[
                    when(e.at, lang),
                    Cell::Text(e.member_code.clone()),
                    Cell::Text(e.member_phone.clone()),
                    text(e.member_name.clone()),
                    text(match lang {
                        Lang::Th => e.kind.label_th(),
                        Lang::En => e.kind.as_str(),
                    }),
                    Cell::Int(e.points),
                    opt(&e.bill_no),
                    baht(e.amount_satang),
                    opt(&e.reason),
                    Cell::Text(e.branch.clone()),
                    text(yes_no(e.confirmed, lang)),
                ])?;
                tick(&w);
                Ok(())
            })?;
        }
        Dataset::TierChanges => {
            source.tier_changes(filter, &mut |t| {
                w.row(&[
                    when(t.at, lang),
                    Cell::Text(t.member_code.clone()),
                    text(t.member_name.clone()),
                    opt(&t.from),
                    text(t.to.clone()),
                    text(match lang {
                        Lang::Th => t.reason.label_th(),
                        Lang::En => t.reason.label(),
                    }),
                    Cell::Int(t.accumulated),
                ])?;
                tick(&w);
                Ok(())
            })?;
        }
    }
    let rows = w.finish()?;
    progress(u64::from(rows));
    Ok(u64::from(rows))
}

/// The members download's header for their points: their balance today (the import reads it as
/// the initial points).
pub const BALANCE_HEADER_TH: &str = "แต้มคงเหลือ";
/// [`BALANCE_HEADER_TH`] in English.
pub const BALANCE_HEADER_EN: &str = "Points balance";

/// The header row of a download.
pub fn headers(dataset: Dataset, lang: Lang) -> Vec<String> {
    let th = lang == Lang::Th;
    let pick = |t: &str, e: &str| if th { t.to_string() } else { e.to_string() };
    match dataset {
        Dataset::Members => {
            let mut h: Vec<String> = Column::ALL
                .iter()
                .map(|c| match c {
                    Column::InitialPoints => pick(BALANCE_HEADER_TH, BALANCE_HEADER_EN),
                    c => c.header(lang),
                })
                .collect();
            h.extend([
                pick("รหัสสมาชิก", "Member code"),
                pick("สาขาที่สมัคร", "Registered at branch"),
                pick("วันที่สมัคร (เวลาไทย)", "Registered (Bangkok time)"),
                pick("ระดับ", "Tier"),
            ]);
            h
        }
        Dataset::Ledger | Dataset::Redemptions => vec![
            pick("เวลา (เวลาไทย)", "Time (Bangkok)"),
            pick("รหัสสมาชิก", "Member code"),
            pick("เบอร์มือถือ", "Phone"),
            pick("ชื่อ", "Name"),
            pick("รายการ", "Kind"),
            pick("แต้ม", "Points"),
            pick("เลขที่บิล", "Bill"),
            pick("ยอดซื้อ (บาท)", "Amount (THB)"),
            pick("ของรางวัล/เหตุผล", "Reward / reason"),
            pick("สาขา", "Branch"),
            pick("ยืนยันจากเซิร์ฟเวอร์แล้ว", "Confirmed by the server"),
        ],
        Dataset::TierChanges => vec![
            pick("เวลา (เวลาไทย)", "Time (Bangkok)"),
            pick("รหัสสมาชิก", "Member code"),
            pick("ชื่อ", "Name"),
            pick("จากระดับ", "From tier"),
            pick("เป็นระดับ", "To tier"),
            pick("เหตุผล", "Reason"),
            pick("แต้มสะสม", "Accumulated points"),
        ],
    }
}

/// The format a file name asks for: `.csv` or `.xlsx`.
pub fn format_for(path: &std::path::Path) -> Option<ExportFormat> {
    match path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_lowercase)
        .as_deref()
    {
        Some("csv") => Some(ExportFormat::Csv),
        Some("xlsx") => Some(ExportFormat::Xlsx),
        _ => None,
    }
}

/// Writes a download to `path`: beside it first (a temporary file of its own, created
/// exclusively, so two downloads at once, or a file of the user's, are never written over),
/// renamed when complete, so a failed download leaves no half-written file behind. Answers
/// the rows written.
pub fn save(
    source: &dyn ExportSource,
    dataset: Dataset,
    filter: &ExportFilter,
    format: ExportFormat,
    lang: Lang,
    path: &std::path::Path,
    progress: &mut dyn FnMut(u64),
) -> Result<u64, ExportError> {
    if path.is_dir() {
        return Err(ExportError::Io(std::io::Error::other(format!(
            "{} is a folder: give a file name in it, ending in .csv or .xlsx",
            path.display()
        ))));
    }
    let folder = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => std::path::Path::new("."),
    };
    if !folder.is_dir() {
        return Err(ExportError::Io(std::io::Error::new(
            std::io::ErrorKind::NotFound,
            format!(
                "the folder {} does not exist: create it, or choose a file in a folder that does",
                folder.display()
            ),
        )));
    }
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    // Removed when dropped: a failed download leaves nothing behind.
    let partial = tempfile::Builder::new()
        .prefix(&format!(".{name}."))
        .suffix(".partial")
        .tempfile_in(folder)?;
    let mut out = std::io::BufWriter::new(partial);
    let rows = download(source, dataset, filter, format, lang, &mut out, progress)?;
    out.flush()?;
    let partial = out
        .into_inner()
        .map_err(|e| ExportError::Io(e.into_error()))?;
    partial.as_file().sync_all()?;
    partial
        .persist(path)
        .map_err(|e| ExportError::Io(e.error))?;
    Ok(rows)
}

#[cfg(test)]
mod tests;
