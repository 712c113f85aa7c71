//! What the replica answers with: plain, serialisable views for the CLI's `--json` and the app.

use chrono::{DateTime, Utc};
use serde::Serialize;
use taem_core::{LedgerKind, MemberProfile, TierChangeReason, TierIcon};
use uuid::Uuid;

/// A tier as shown on a member card.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct TierView {
    /// Tier id.
    pub id: u32,
    /// Tier name.
    pub name: String,
    /// Tier icon.
    pub icon: TierIcon,
}

/// One line of a search result.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct MemberSummary {
    /// Global member id.
    pub member_id: Uuid,
    /// Member code.
    pub code: String,
    /// Mobile number (10 digits).
    pub phone: String,
    /// First and last name.
    pub name: String,
    /// Current tier.
    pub tier: TierView,
    /// Points the cashier can use (confirmed + pending).
    pub balance: i64,
}

/// A member card: everything the counter shows about one member.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct MemberView {
    /// Global member id.
    pub member_id: Uuid,
    /// Member code.
    pub code: String,
    /// Mobile number.
    pub phone: String,
    /// The profile.
    pub profile: MemberProfile,
    /// Registering branch.
    pub branch: String,
    /// Registration time.
    pub registered_at: DateTime<Utc>,
    /// Points the cashier can use: confirmed + pending.
    pub balance: i64,
    /// Points the server has confirmed.
    pub balance_confirmed: i64,
    /// Points from this counter's operations not yet acknowledged by the server.
    pub balance_pending: i64,
    /// Whether the shop's tier system is switched on (tiers are shown only then).
    pub tier_system_enabled: bool,
    /// Current tier.
    pub tier: TierView,
    /// Accumulated points in the calculation period (the tier measure).
    pub accumulated_points: i64,
    /// The next tier up, if any.
    pub next_tier: Option<TierView>,
    /// Points still needed for the next tier.
    pub points_to_next_tier: i64,
    /// The member's latest points entry (their last visit, as a rule), if any: the cashier
    /// sees at a glance when the member last came and what they did.
    pub last_activity: Option<LedgerEntryView>,
}

/// A tier change, as recorded.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct TierChangeView {
    /// Tier before (none for the first placement).
    pub from: Option<TierView>,
    /// Tier after.
    pub to: TierView,
    /// Why.
    pub reason: TierChangeReason,
    /// Accumulated points at the time.
    pub accumulated_points: i64,
    /// When.
    pub at: DateTime<Utc>,
}

/// A ledger entry, as shown in history.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct LedgerEntryView {
    /// Kind.
    pub kind: LedgerKind,
    /// Points (±).
    pub points: i64,
    /// When.
    pub at: DateTime<Utc>,
    /// Bill number, for earnings and voids.
    pub bill_no: Option<String>,
    /// Purchase amount in baht, for earnings.
    pub amount: Option<String>,
    /// Reason or reward.
    pub reason: Option<String>,
    /// For adjustments: counts toward the tier.
    pub counts_toward_tier: bool,
    /// Branch.
    pub branch: String,
    /// The operation that wrote it.
    pub op_id: Uuid,
    /// Whether the server has confirmed it.
    pub confirmed: bool,
}

/// One line of a member's history.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum HistoryItem {
    /// A points entry.
    Points(LedgerEntryView),
    /// A tier change.
    Tier(TierChangeView),
}

impl HistoryItem {
    /// When it happened.
    pub fn at(&self) -> DateTime<Utc> {
        match self {
            HistoryItem::Points(e) => e.at,
            HistoryItem::Tier(t) => t.at,
        }
    }
}

/// The answer to award, void, redeem and adjust.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct AwardReceipt {
    /// The operation id (give it again to retry safely).
    pub op_id: Uuid,
    /// True when this id had already been applied: nothing new was written.
    pub replayed: bool,
    /// What was written: earn, earn_reversal, redeem or adjust.
    pub kind: LedgerKind,
    /// The member after the operation.
    pub member: MemberSummary,
    /// The points moved (±).
    pub points: i64,
    /// Bill number, for earnings and voids.
    pub bill_no: Option<String>,
    /// Amount, for earnings.
    pub amount: Option<String>,
    /// The rate applied, for earnings.
    pub rate: Option<String>,
    /// The reward (redeem) or the reason (void, adjust).
    pub reason: Option<String>,
    /// The tier change it caused, if any.
    pub tier_change: Option<TierChangeView>,
}

/// The answer to register and edit.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct OperationReceipt {
    /// The operation id.
    pub op_id: Uuid,
    /// True when this id had already been applied.
    pub replayed: bool,
    /// The member afterwards.
    pub member: MemberView,
}

/// The replica at a glance.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ReplicaStatus {
    /// The file.
    pub path: String,
    /// Schema version.
    pub schema_version: i64,
    /// Device id.
    pub device_id: Uuid,
    /// Shop.
    pub shop_name: String,
    /// Branch.
    pub branch: String,
    /// Members.
    pub members: i64,
    /// Ledger entries.
    pub ledger_entries: i64,
    /// Operations waiting to be sent to the server.
    pub pending_operations: i64,
    /// Last operation sequence number written.
    pub device_seq: i64,
    /// Sync with the central server.
    pub sync: crate::sync::SyncStatus,
}
