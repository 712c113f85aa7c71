//! Counter operations: the facts a counter records and later pushes to the server.
//!
//! Every operation carries a globally unique id minted on the counter (UUIDv7, time-ordered)
//! and stored in the same transaction as its effect, before it is ever sent, so the server can
//! apply it exactly once however often it arrives.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::hlc::Hlc;
use crate::member::{MemberProfile, ProfileChange};
use crate::member_code::MemberCode;
use crate::money::Money;
use crate::phone::Phone;
use crate::points::Points;
use crate::rate::PointRate;

/// One operation as recorded in the outbox.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Operation {
    /// Globally unique id (UUIDv7), minted on the counter.
    pub op_id: Uuid,
    /// Gapless per-device sequence number (1, 2, 3, …).
    pub device_seq: u64,
    /// The device that recorded it.
    pub device_id: Uuid,
    /// The branch the device belongs to.
    pub branch: String,
    /// When it happened (the counter's clock, UTC).
    pub at: DateTime<Utc>,
    /// The device's hybrid logical clock when it happened: orders profile edits across
    /// counters whose clocks disagree. Absent in operations recorded before version 0.2.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hlc: Option<Hlc>,
    /// What happened.
    #[serde(flatten)]
    pub kind: OperationKind,
}

/// What an operation did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum OperationKind {
    /// A new member registered at the counter.
    RegisterMember {
        /// The member's global id.
        member_id: Uuid,
        /// The printed member code.
        code: MemberCode,
        /// The mobile number.
        phone: Phone,
        /// The profile.
        profile: MemberProfile,
        /// Registered by a member import (a row of the shop's file), not by a cashier. A
        /// phone the server already knows is then "already a member", as it is at a counter:
        /// the file's details and initial points are not applied to that member (two
        /// counters importing the same file offline must not double anyone's points).
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        imported: bool,
    },
    /// Profile fields edited.
    EditMember {
        /// The member.
        member_id: Uuid,
        /// The changed fields.
        changes: Vec<ProfileChange>,
    },
    /// Points earned for a bill.
    Earn {
        /// The member.
        member_id: Uuid,
        /// The bill (receipt) number; earns once per shop.
        bill_no: String,
        /// The purchase amount.
        amount: Money,
        /// The rate applied.
        rate: PointRate,
        /// The points earned.
        points: Points,
    },
    /// A bill voided: its earned points taken back.
    VoidBill {
        /// The member.
        member_id: Uuid,
        /// The bill voided.
        bill_no: String,
        /// The points taken back (negative).
        points: Points,
        /// Why.
        reason: String,
    },
    /// Points redeemed for a reward.
    Redeem {
        /// The member.
        member_id: Uuid,
        /// Points spent (negative).
        points: Points,
        /// What was given.
        reward: String,
    },
    /// A manager's manual adjustment.
    Adjust {
        /// The member.
        member_id: Uuid,
        /// The change (±).
        points: Points,
        /// Why (required).
        reason: String,
        /// Whether it counts toward the member's tier.
        counts_toward_tier: bool,
    },
    /// The points a member brought from the shop's previous system, by a member import. They
    /// add to the balance and never count toward a tier (they were not earned in the period).
    ImportPoints {
        /// The member (registered by the same import).
        member_id: Uuid,
        /// The points (> 0).
        points: Points,
    },
}

impl OperationKind {
    /// Stable name of the kind, for storage and display.
    pub fn name(&self) -> &'static str {
        match self {
            OperationKind::RegisterMember { .. } => "register_member",
            OperationKind::EditMember { .. } => "edit_member",
            OperationKind::Earn { .. } => "earn",
            OperationKind::VoidBill { .. } => "void_bill",
            OperationKind::Redeem { .. } => "redeem",
            OperationKind::Adjust { .. } => "adjust",
            OperationKind::ImportPoints { .. } => "import_points",
        }
    }

    /// The member the operation concerns.
    pub fn member_id(&self) -> Uuid {
        match self {
            OperationKind::RegisterMember { member_id, .. }
            | OperationKind::EditMember { member_id, .. }
            | OperationKind::Earn { member_id, .. }
            | OperationKind::VoidBill { member_id, .. }
            | OperationKind::Redeem { member_id, .. }
            | OperationKind::Adjust { member_id, .. }
            | OperationKind::ImportPoints { member_id, .. } => *member_id,
        }
    }
}
