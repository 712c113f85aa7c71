//! Member import and data download: the shop's data in and out, safely.
//!
//! - [`template`]: the `member-template` (CSV, XLSX) in Thai or English.
//! - [`Table`]: a shop's file read as rows, whatever it is (UTF-8 or Windows-874 CSV, XLSX).
//! - [`import`]: every row checked ([`validate`]), the good ones written through a
//!   [`MemberSink`] (the counter's replica with the `replica` feature, or the server's store),
//!   and an [`ImportReport`] that explains every row not imported ([`report::write_csv`]).
//! - [`export`]: members, points ledger, redemptions and tier changes as CSV or XLSX, streamed,
//!   with CSV cells that a spreadsheet would run as formulas neutralised, and XLSX cells typed
//!   (text as text, times as Bangkok date-times, baht with 2 decimals).
//!
//! What it must not do: half-load a file (a shop upload is one batch), import a member twice
//! (a phone already in the shop is reported, never merged or doubled), or trust a cell.

mod clean;
mod columns;
pub mod download;
mod engine;
mod error;
pub mod export;
mod header;
mod read;
pub mod report;
#[cfg(feature = "replica")]
mod sink;
mod sniff;
pub mod template;
mod validate;
mod workbook;

pub use columns::{Column, Lang};
pub use engine::{
    BULK_BATCH_ROWS, FileErrorView, ImportOptions, ImportProgress, ImportReport, ImportStage,
    MemberSink, NoLog, PROBLEMS_KEPT_MAX, ProblemLog, SHOP_UPLOAD_ROWS_MAX, SinkOutcome, import,
    import_logged,
};
pub use error::{FileError, SinkError};
pub use header::Header;
pub use read::{CellFlaw, FileKind, RawRow, Table};
#[cfg(feature = "replica")]
pub use sink::ReplicaSink;
pub use validate::{CodeNotKept, CodeNotKeptWhy, RowProblem, ValidRow, validate};
