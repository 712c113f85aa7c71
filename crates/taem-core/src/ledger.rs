//! The points ledger: every change of points is an immutable entry of one of these kinds.

use serde::{Deserialize, Serialize};

use crate::points::Points;

/// The kind of a ledger entry. The balance is the sum of all entries; nothing edits a past one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum LedgerKind {
    /// Points earned by a purchase (a bill).
    Earn,
    /// A voided bill or returned order takes its points back.
    EarnReversal,
    /// Points spent on a reward.
    Redeem,
    /// A cancelled redemption gives the points back.
    RedeemRefund,
    /// A manager's manual change, with a reason.
    Adjust,
    /// Points that expired.
    Expire,
    /// Initial points brought in by a member import.
    Import,
}

impl LedgerKind {
    /// Every kind.
    pub const ALL: [LedgerKind; 7] = [
        LedgerKind::Earn,
        LedgerKind::EarnReversal,
        LedgerKind::Redeem,
        LedgerKind::RedeemRefund,
        LedgerKind::Adjust,
        LedgerKind::Expire,
        LedgerKind::Import,
    ];

    /// Stable name for storage and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            LedgerKind::Earn => "earn",
            LedgerKind::EarnReversal => "earn_reversal",
            LedgerKind::Redeem => "redeem",
            LedgerKind::RedeemRefund => "redeem_refund",
            LedgerKind::Adjust => "adjust",
            LedgerKind::Expire => "expire",
            LedgerKind::Import => "import",
        }
    }

    /// Reads a stored name back.
    pub fn parse(name: &str) -> Option<LedgerKind> {
        LedgerKind::ALL.into_iter().find(|k| k.as_str() == name)
    }

    /// Thai label for people.
    pub fn label_th(self) -> &'static str {
        match self {
            LedgerKind::Earn => "สะสมแต้ม",
            LedgerKind::EarnReversal => "ยกเลิกบิล",
            LedgerKind::Redeem => "แลกแต้ม",
            LedgerKind::RedeemRefund => "คืนแต้มที่แลก",
            LedgerKind::Adjust => "ปรับแต้ม",
            LedgerKind::Expire => "แต้มหมดอายุ",
            LedgerKind::Import => "นำเข้าแต้ม",
        }
    }
}

/// How much an entry adds to the member's *accumulated* points (the tier measure).
///
/// Accumulated = earned − earn-reversals + adjustments marked as counting (and imported
/// initial points marked as counting). Redeeming, refunds of redemptions and expiry never
/// touch it: spending points must not cost a member their tier.
pub fn tier_credit(kind: LedgerKind, points: Points, counts_toward_tier: bool) -> Points {
    match kind {
        LedgerKind::Earn | LedgerKind::EarnReversal => points,
        LedgerKind::Adjust | LedgerKind::Import if counts_toward_tier => points,
        LedgerKind::Adjust
        | LedgerKind::Import
        | LedgerKind::Redeem
        | LedgerKind::RedeemRefund
        | LedgerKind::Expire => Points::ZERO,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redeeming_never_lowers_accumulated_points() {
        assert_eq!(
            tier_credit(LedgerKind::Redeem, Points(-500), true),
            Points::ZERO
        );
        assert_eq!(
            tier_credit(LedgerKind::Expire, Points(-5), true),
            Points::ZERO
        );
    }

    #[test]
    fn reversals_and_counting_adjustments_do() {
        assert_eq!(tier_credit(LedgerKind::Earn, Points(40), false), Points(40));
        assert_eq!(
            tier_credit(LedgerKind::EarnReversal, Points(-40), false),
            Points(-40)
        );
        assert_eq!(
            tier_credit(LedgerKind::Adjust, Points(-10), true),
            Points(-10)
        );
        assert_eq!(
            tier_credit(LedgerKind::Adjust, Points(-10), false),
            Points::ZERO
        );
    }

    #[test]
    fn names_round_trip() {
        for k in LedgerKind::ALL {
            assert_eq!(LedgerKind::parse(k.as_str()), Some(k));
        }
    }
}
