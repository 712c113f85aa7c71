//! # taem-protocol — what counters and the server say to each other
//!
//! JSON over HTTP. Every request carries the protocol version in the
//! [`VERSION_HEADER`] header; the server answers a version it cannot read with
//! `426 Upgrade Required` and an [`ApiError`] that says which versions it reads. A device
//! authenticates with `Authorization: Bearer <token>` (the token it got at enrolment).
//!
//! The model (see `docs/architecture.md`, "Sync"): a counter **pushes facts** (the
//! [`taem_core::Operation`]s of its outbox, in device-sequence order) and **pulls the server's
//! authoritative state** as a gap-free, per-shop change log ([`Change`]). A new counter first
//! pages through a [`BootstrapPage`] snapshot, then pulls from the snapshot's cursor.
//!
//! Compatibility rules: within one protocol version fields are only added, as optional
//! (`#[serde(default)]`); a removed or re-typed field is a new version.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use taem_core::{Hlc, LedgerKind, MemberCode, MemberProfile, Operation, Phone, TierChangeReason};
use uuid::Uuid;

/// The protocol version this build speaks.
pub const PROTOCOL_VERSION: u32 = 1;
/// The oldest protocol version this build's server still reads.
pub const PROTOCOL_VERSION_MIN: u32 = 1;
/// The request header that carries the protocol version.
pub const VERSION_HEADER: &str = "taem-protocol";
/// Most operations in one push.
pub const PUSH_BATCH_MAX: usize = 1_000;
/// Largest request body the server reads, in bytes.
pub const BODY_BYTES_MAX: usize = 8 * 1024 * 1024;
/// Most changes in one pull page.
pub const PULL_LIMIT_MAX: u32 = 5_000;
/// Most members in one bootstrap page.
pub const BOOTSTRAP_LIMIT_MAX: u32 = 20_000;

/// Every error answer: a stable code, what was wrong, and how to fix it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiError {
    /// Stable machine-readable code (`bad_request`, `unauthorized`, `unsupported_version`, …).
    pub code: String,
    /// What was wrong, in English.
    pub message: String,
    /// How to fix it, when there is something to do.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
}

/// `GET /v1/health`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Health {
    /// Always `"ok"` when the server answers.
    pub status: String,
    /// The server's build version.
    pub server_version: String,
    /// The protocol versions it reads.
    pub protocol_min: u32,
    /// The newest protocol version it speaks.
    pub protocol_max: u32,
    /// The server's clock, so a counter can show a skew warning.
    pub now: DateTime<Utc>,
}

/// `POST /v1/enrol`: a one-time code from the shop's owner becomes a device identity.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnrolRequest {
    /// The enrolment code as printed (`ABCD-EFGH-JKMN`; case and dashes are ignored).
    pub code: String,
    /// A name for the device, shown in the device list (`counter 1, Siam branch`).
    pub device_name: String,
}

/// The answer to an enrolment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnrolResponse {
    /// The shop.
    pub shop_id: Uuid,
    /// The shop's name.
    pub shop_name: String,
    /// The branch the code was made for.
    pub branch: String,
    /// The new device's id.
    pub device_id: Uuid,
    /// The device's secret bearer token (the server keeps only a hash; shown once).
    pub token: String,
}

/// `POST /v1/push`: the next operations of the device's outbox, in device-sequence order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PushRequest {
    /// Operations with consecutive `device_seq`, starting at or below the server's
    /// `acked_through + 1` (already-acknowledged ones are answered again, unchanged).
    pub ops: Vec<Operation>,
}

/// The answer to a push: one outcome per operation, in order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PushResponse {
    /// Per-operation outcomes.
    pub outcomes: Vec<OpOutcome>,
    /// The highest device sequence number the server has a final answer for: the device may
    /// drop every outbox row up to it.
    pub acked_through: u64,
}

/// What became of one pushed operation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpOutcome {
    /// The operation.
    pub op_id: Uuid,
    /// Its device sequence number.
    pub device_seq: u64,
    /// True when the server had already applied it (a retry): `status` is the first answer.
    pub already_applied: bool,
    /// The answer.
    #[serde(flatten)]
    pub status: OpStatus,
}

/// The server's answer to one operation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum OpStatus {
    /// Applied.
    Applied,
    /// Applied, and raised for a manager's review (an offline redemption that overdrew the
    /// balance, a member registered twice offline and merged, a counter clock far ahead).
    Flagged {
        /// Stable flag code (`overdrawn`, `merged`, `already_member`, `clock_ahead`).
        flag: String,
        /// What happened, in English.
        message: String,
    },
    /// Not applied; the operation has no effect anywhere. Kept on the counter for the
    /// cashier and manager to see.
    Rejected {
        /// Stable reason code (`bill_already_earned`, `unknown_bill`, `unknown_member`, …).
        code: String,
        /// What was wrong, in English.
        message: String,
    },
}

/// `GET /v1/pull?cursor=N&limit=M`: the shop's changes after `cursor`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PullResponse {
    /// The changes, in order.
    pub changes: Vec<Change>,
    /// Where the next pull starts (the last change's sequence, or the request's cursor).
    pub cursor: u64,
    /// True when more changes are waiting.
    pub more: bool,
    /// The device's acknowledged sequence on the server (for resuming a push).
    pub acked_through: u64,
}

/// One entry of the shop's change log.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    /// Gap-free per-shop sequence, in commit order.
    pub seq: u64,
    /// What changed.
    #[serde(flatten)]
    pub body: ChangeBody,
}

/// What a change carries: always the whole new state of the thing, so applying a change
/// twice is harmless.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ChangeBody {
    /// A member's current state (registration, profile edit, tier move).
    Member(MemberState),
    /// A ledger entry the server applied, with the member's balance and tier after it.
    Entry(EntryState),
    /// A member's tier moved.
    TierChange(TierChangeState),
    /// A member registered twice offline (same phone) became one: `from` now lives in `into`.
    Merge(MergeState),
    /// The shop's settings (rates, tiers, switch), owned by the head office.
    Settings(SettingsState),
    /// A staff member's sign-in record.
    Staff(StaffState),
    /// Something for a manager to review.
    Review(ReviewState),
}

/// A member as the server holds it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberState {
    /// Global member id.
    pub member_id: Uuid,
    /// Printed member code.
    pub code: MemberCode,
    /// Mobile number.
    pub phone: Phone,
    /// Profile (merged per field).
    pub profile: MemberProfile,
    /// Registering branch.
    pub branch: String,
    /// Registration time.
    pub registered_at: DateTime<Utc>,
    /// Authoritative balance.
    pub balance: i64,
    /// Current tier.
    pub tier_id: u32,
    /// Since when.
    pub tier_since: DateTime<Utc>,
    /// The newest stamp of any of the member's fields (counters fold it into their clock).
    pub hlc: Hlc,
}

/// A ledger entry as the server applied it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntryState {
    /// The operation that made it.
    pub op_id: Uuid,
    /// The member.
    pub member_id: Uuid,
    /// What kind of entry.
    pub kind: LedgerKind,
    /// Points (±).
    pub points: i64,
    /// What it adds to the member's tier accumulation.
    pub tier_credit: i64,
    /// The shop-local day its tier credit belongs to.
    pub day: i64,
    /// When it happened at the counter.
    pub at: DateTime<Utc>,
    /// Bill number (earn / reversal).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bill_no: Option<String>,
    /// Purchase amount, THB (earn).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount: Option<String>,
    /// The rate applied, as shown (earn).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate: Option<String>,
    /// Reason or reward.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Whether an adjustment counts toward the tier.
    pub counts_toward_tier: bool,
    /// The branch where it happened.
    pub branch: String,
    /// The device that recorded it.
    pub device_id: Uuid,
    /// The member's authoritative balance after it.
    pub balance_after: i64,
    /// The member's tier after it.
    pub tier_after: u32,
    /// Raised for review (an overdraw).
    pub flagged: bool,
}

/// A tier move.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TierChangeState {
    /// The member.
    pub member_id: Uuid,
    /// From (absent at registration).
    pub from_tier: Option<u32>,
    /// To.
    pub to_tier: u32,
    /// Why.
    pub reason: TierChangeReason,
    /// Accumulated points in the window at the time.
    pub accumulated: i64,
    /// When.
    pub at: DateTime<Utc>,
}

/// Two members became one.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MergeState {
    /// The member that no longer exists on its own.
    pub from: Uuid,
    /// The member that holds both ledgers now.
    pub into: Uuid,
    /// The phone they shared.
    pub phone: Phone,
    /// The member code of `from` (cards printed with it still find the member).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from_code: Option<MemberCode>,
}

/// The shop's settings: the same JSON document the replica stores.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SettingsState {
    /// Revision, +1 on every change.
    pub revision: u64,
    /// The settings document (`{"rates": …, "tiers": …}`).
    pub settings: serde_json::Value,
    /// The shop's branch codes, sorted (the head office adds branches; a counter checks an
    /// import's or a download's branch against them). Empty from a server that predates it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub branches: Vec<String>,
}

impl Eq for SettingsState {}

/// A staff member's sign-in record (the PIN only as an argon2 hash).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffState {
    /// Staff id.
    pub staff_id: Uuid,
    /// Display name (what they type or pick at sign-in).
    pub name: String,
    /// Role.
    pub role: Role,
    /// Argon2id hash of the PIN (PHC string).
    pub pin_hash: String,
    /// False once removed.
    pub active: bool,
}

/// Staff roles.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// A cashier: look-up, award, redeem, register.
    Cashier,
    /// A branch manager: also adjust, void, review.
    Manager,
    /// The shop owner (head office): also settings, staff, devices.
    Owner,
}

impl Role {
    /// Stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Cashier => "cashier",
            Role::Manager => "manager",
            Role::Owner => "owner",
        }
    }

    /// Parses a stable name.
    pub fn parse(name: &str) -> Option<Role> {
        match name.trim().to_ascii_lowercase().as_str() {
            "cashier" => Some(Role::Cashier),
            "manager" => Some(Role::Manager),
            "owner" => Some(Role::Owner),
            _ => None,
        }
    }
}

/// Something for a manager to look at.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewState {
    /// Review item id (per shop).
    pub review_id: u64,
    /// `overdrawn`, `merged`, `already_member`, `clock_ahead`.
    pub kind: String,
    /// The member concerned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub member_id: Option<Uuid>,
    /// The operations involved (for an overdraw: the redemption and the ones before it).
    pub op_ids: Vec<Uuid>,
    /// What happened, in English.
    pub message: String,
    /// When it was raised.
    pub at: DateTime<Utc>,
}

/// `GET /v1/bootstrap?after=<member id>&limit=N`: one page of the shop's members, with what
/// a counter needs to serve them offline.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BootstrapPage {
    /// The change-log position the snapshot starts from: after the last page, pull from
    /// here. Taken at the first page; later pages repeat the client's value.
    pub cursor: u64,
    /// The shop's settings (first page only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub settings: Option<SettingsState>,
    /// Staff (first page only).
    #[serde(default)]
    pub staff: Vec<StaffState>,
    /// Members, ordered by id.
    pub members: Vec<BootstrapMember>,
    /// The last member id of this page: the next page starts after it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_after: Option<Uuid>,
    /// True when this is the last page.
    pub done: bool,
}

/// One member in a bootstrap page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BootstrapMember {
    /// The member.
    pub member: MemberState,
    /// Their most recent ledger entries (newest last), for the counter's history view.
    pub recent: Vec<EntryState>,
    /// Tier credit per shop-local day inside the calculation window (day, points), so the
    /// counter can place the member offline.
    pub tier_days: Vec<(i64, i64)>,
}

/// Bootstrap: how many recent ledger entries per member a new counter receives.
pub const BOOTSTRAP_RECENT_ENTRIES: u32 = 50;

/// `PUT /v1/settings` (owner only): new settings, with the owner's credentials.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SettingsUpdate {
    /// The owner's staff name.
    pub staff: String,
    /// The owner's PIN.
    pub pin: String,
    /// The revision the edit was made on; a stale one is refused (someone else changed them).
    pub base_revision: u64,
    /// The new settings document.
    pub settings: serde_json::Value,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outcomes_are_flat_json() {
        let outcome = OpOutcome {
            op_id: Uuid::nil(),
            device_seq: 7,
            already_applied: false,
            status: OpStatus::Rejected {
                code: "bill_already_earned".into(),
                message: "bill B1 already earned at BKK01".into(),
            },
        };
        let json = serde_json::to_value(&outcome).unwrap();
        assert_eq!(json["status"], "rejected");
        assert_eq!(json["code"], "bill_already_earned");
        let back: OpOutcome = serde_json::from_value(json).unwrap();
        assert_eq!(back, outcome);
    }

    #[test]
    fn an_unknown_change_type_is_an_error_not_a_silent_skip() {
        let err = serde_json::from_str::<Change>(r#"{"seq":1,"type":"teleport"}"#).unwrap_err();
        assert!(err.to_string().contains("teleport"), "{err}");
    }

    #[test]
    fn roles_parse() {
        for role in [Role::Cashier, Role::Manager, Role::Owner] {
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
        assert_eq!(Role::parse("boss"), None);
    }
}
