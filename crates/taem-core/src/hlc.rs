//! Hybrid logical clocks: the order of profile edits made on counters whose wall clocks
//! disagree.
//!
//! A stamp is the wall time in milliseconds plus a logical counter. A device stamps each edit
//! with [`Hlc::tick`] and folds in every stamp it receives with [`Hlc::observe`], so an edit
//! made after seeing another always orders after it, even when the device's clock is behind.
//! Ties between devices are broken by the device id ([`FieldStamp`]). Pure: the caller reads
//! the clock.

use std::cmp::Ordering;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// One hybrid-logical-clock stamp.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
pub struct Hlc {
    /// Wall-clock part, milliseconds since the Unix epoch (UTC).
    pub wall_ms: i64,
    /// Logical part: orders stamps with the same wall time.
    pub logical: u32,
}

impl Hlc {
    /// The stamp for a new local event after `last`, with the wall clock at `now_ms`.
    pub fn tick(last: Hlc, now_ms: i64) -> Hlc {
        if now_ms > last.wall_ms {
            Hlc {
                wall_ms: now_ms,
                logical: 0,
            }
        } else {
            Hlc {
                wall_ms: last.wall_ms,
                logical: last.logical.saturating_add(1),
            }
        }
    }

    /// The clock after receiving `remote`: never behind either side.
    pub fn observe(last: Hlc, remote: Hlc, now_ms: i64) -> Hlc {
        let wall_ms = last.wall_ms.max(remote.wall_ms).max(now_ms);
        let logical = match (wall_ms == last.wall_ms, wall_ms == remote.wall_ms) {
            (true, true) => last.logical.max(remote.logical).saturating_add(1),
            (true, false) => last.logical.saturating_add(1),
            (false, true) => remote.logical.saturating_add(1),
            (false, false) => 0,
        };
        Hlc { wall_ms, logical }
    }
}

impl std::fmt::Display for Hlc {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}", self.wall_ms, self.logical)
    }
}

/// The stamp of one profile field's last edit: the clock, then the device as tie-break.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct FieldStamp {
    /// When (hybrid logical clock).
    pub hlc: Hlc,
    /// Which device made the edit.
    pub device_id: Uuid,
}

impl PartialOrd for FieldStamp {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for FieldStamp {
    fn cmp(&self, other: &Self) -> Ordering {
        self.hlc
            .cmp(&other.hlc)
            .then_with(|| self.device_id.cmp(&other.device_id))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn hlc() -> impl Strategy<Value = Hlc> {
        (0i64..1_000, 0u32..5).prop_map(|(wall_ms, logical)| Hlc { wall_ms, logical })
    }

    #[test]
    fn a_slow_clock_still_moves_forward() {
        let last = Hlc {
            wall_ms: 1_000,
            logical: 3,
        };
        assert_eq!(
            Hlc::tick(last, 500),
            Hlc {
                wall_ms: 1_000,
                logical: 4
            }
        );
        assert_eq!(
            Hlc::tick(last, 2_000),
            Hlc {
                wall_ms: 2_000,
                logical: 0
            }
        );
    }

    proptest! {
        #[test]
        fn tick_is_after_last(last in hlc(), now in 0i64..1_000) {
            prop_assert!(Hlc::tick(last, now) > last);
        }

        #[test]
        fn observe_is_after_both(last in hlc(), remote in hlc(), now in 0i64..1_000) {
            let next = Hlc::observe(last, remote, now);
            prop_assert!(next > last);
            prop_assert!(next > remote);
            prop_assert!(next.wall_ms >= now);
        }

        #[test]
        fn stamps_order_totally(a in hlc(), b in hlc()) {
            let (da, db) = (Uuid::from_u128(1), Uuid::from_u128(2));
            let sa = FieldStamp { hlc: a, device_id: da };
            let sb = FieldStamp { hlc: b, device_id: db };
            prop_assert_ne!(sa.cmp(&sb), Ordering::Equal);
            prop_assert_eq!(sa.cmp(&sb), sb.cmp(&sa).reverse());
        }
    }
}
