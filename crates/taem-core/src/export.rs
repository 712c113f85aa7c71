//! What a download takes (a branch, a range of shop-local dates) and the rows it writes:
//! members, ledger entries and tier changes, whatever store they come from (a counter's
//! replica or the server). Plain data; the stores read them, `taem-import` writes them.

use chrono::{DateTime, NaiveDate, Utc};

use crate::time::bangkok;
use crate::{LedgerKind, MemberProfile, TierChangeReason};

/// Which rows an export takes.
#[derive(Clone, Debug, Default)]
pub struct ExportFilter {
    /// Only this branch (members: where they registered; entries: where they were made).
    pub branch: Option<String>,
    /// From this shop-local date on.
    pub from: Option<NaiveDate>,
    /// Up to and including this shop-local date.
    pub to: Option<NaiveDate>,
}

impl ExportFilter {
    /// The filter's time range in UTC milliseconds, `[from, to)` (open ends: `i64::MIN`,
    /// `i64::MAX`).
    pub fn range_ms(&self) -> (i64, i64) {
        let start = |d: NaiveDate| {
            d.and_hms_opt(0, 0, 0)
                .and_then(|t| t.and_local_timezone(bangkok()).single())
                .map_or(i64::MIN, |t| t.with_timezone(&Utc).timestamp_millis())
        };
        (
            self.from.map_or(i64::MIN, start),
            self.to.and_then(|d| d.succ_opt()).map_or(i64::MAX, start),
        )
    }

    /// The branch, cleaned (upper case), if one is chosen.
    pub fn branch(&self) -> Option<String> {
        self.branch
            .as_deref()
            .map(|b| b.trim().to_uppercase())
            .filter(|b| !b.is_empty())
    }
}

/// A member as exported.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MemberExportRow {
    /// Member code.
    pub code: String,
    /// Mobile number (10 digits).
    pub phone: String,
    /// Profile.
    pub profile: MemberProfile,
    /// Registering branch.
    pub branch: String,
    /// Registration time.
    pub registered_at: DateTime<Utc>,
    /// Balance (confirmed + pending).
    pub balance: i64,
    /// Current tier's name.
    pub tier: String,
}

/// A ledger entry as exported.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LedgerExportRow {
    /// When.
    pub at: DateTime<Utc>,
    /// The member's code.
    pub member_code: String,
    /// The member's phone.
    pub member_phone: String,
    /// The member's name.
    pub member_name: String,
    /// What kind of entry.
    pub kind: LedgerKind,
    /// Points (±).
    pub points: i64,
    /// Bill number (earnings, voids).
    pub bill_no: Option<String>,
    /// Amount in satang (earnings).
    pub amount_satang: Option<i64>,
    /// Reward or reason.
    pub reason: Option<String>,
    /// Where.
    pub branch: String,
    /// The server has confirmed it (false: waiting to sync).
    pub confirmed: bool,
}

/// A tier change as exported.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TierChangeExportRow {
    /// When.
    pub at: DateTime<Utc>,
    /// The member's code.
    pub member_code: String,
    /// The member's name.
    pub member_name: String,
    /// From (none at registration).
    pub from: Option<String>,
    /// To.
    pub to: String,
    /// Why.
    pub reason: TierChangeReason,
    /// Accumulated points at the change.
    pub accumulated: i64,
}

/// The purchase amount a ledger row of `kind` shows: a bill's reversal shows the bill's
/// amount as negative, so that the amount column adds up to the sales that stand (a voided
/// sale nets to zero).
pub fn reversal_signed(kind: &str, amount_satang: Option<i64>) -> Option<i64> {
    if kind == LedgerKind::EarnReversal.as_str() {
        amount_satang.map(|a| -a.abs())
    } else {
        amount_satang
    }
}

#[cfg(test)]
mod reversal_tests {
    use super::*;

    #[test]
    fn a_reversal_shows_the_bill_amount_negative_and_others_as_they_are() {
        assert_eq!(
            reversal_signed("earn_reversal", Some(100_000)),
            Some(-100_000)
        );
        assert_eq!(
            reversal_signed("earn_reversal", Some(-100_000)),
            Some(-100_000)
        );
        assert_eq!(reversal_signed("earn", Some(100_000)), Some(100_000));
        assert_eq!(reversal_signed("earn_reversal", None), None);
    }
}
