//! # taem-replica — the counter's local store
//!
//! Owns the SQLite file a counter works from with or without the network: members, the
//! append-only points ledger, tier placements and their history, the shop settings the counter
//! applies, and the outbox of operations waiting for the server.
//!
//! Architecture invariants:
//! - Every operation is ONE `BEGIN IMMEDIATE` transaction that writes its effect, the new
//!   balance/tier and its outbox row (with a globally unique UUIDv7 operation id). A crash
//!   leaves either all of it or none of it.
//! - Confirmed state (from the server) and pending state (this counter's operations the server
//!   has not acknowledged) are kept apart: `balance_confirmed` / `balance_pending`, ledger rows
//!   flagged `confirmed`. What the cashier sees is their sum, so the sync client can rebase.
//! - Rules live in `taem-core`; this crate stores and queries, it does not decide.
//! - The replica never reads the clock or draws random numbers itself: an [`Environment`] does.

mod bulk;
mod checkpoint;
mod env;
mod error;
mod error_th;
mod export;
mod history;
mod import;
mod manager;
mod members;
mod open;
mod outbox;
mod points;
pub mod schema;
mod search;
mod settings;
mod staff;
pub mod sync;
mod tiers;
mod views;

pub use bulk::{BulkBill, BulkMember, BulkProgress};
pub use checkpoint::{CHECKPOINT_IDLE_MS, CHECKPOINT_POLL_MS, Checkpointer, WAL_BYTES_MAX};
pub use env::{Environment, FixedEnvironment, SystemEnvironment};
pub use error::ReplicaError;
pub use export::{ExportFilter, LedgerExportRow, MemberExportRow, TierChangeExportRow};
pub use history::HISTORY_ITEMS_MAX;
pub use import::{ImportBatch, ImportMember, branch_code};
pub use manager::{DropCandidate, MANAGER_LIST_MAX, TierCandidate, TierCount, TierOverview};
pub use members::{MemberKey, NewMember};
pub use open::{
    Device, MMAP_BYTES, OpenMode, PAGE_SIZE_BYTES, REPLICA_FILE_NAME, Replica,
    WAIT_FOR_LOCK_MS_DEFAULT,
};
pub use outbox::ACKED_OPS_KEEP_DAYS;
pub use points::{AdjustRequest, AwardRequest, RedeemRequest, VoidRequest};
pub use search::{SEARCH_RESULTS_MAX, SearchKind, SearchResult};
pub use settings::ShopSettings;
pub use staff::{PIN_ATTEMPTS_MAX, SIGN_IN_LOCK_MINUTES, StaffSession};
pub use sync::{SyncIdentity, SyncStatus};
pub use tiers::{FOLD_AT_OPEN, FOLD_BATCH, ReevaluationMode, ReevaluationReport};
pub use views::{
    AwardReceipt, HistoryItem, LedgerEntryView, MemberSummary, MemberView, OperationReceipt,
    ReplicaStatus, TierChangeView, TierView,
};

/// Results of replica calls.
pub type Result<T, E = ReplicaError> = std::result::Result<T, E>;
