//! Wrong-PIN limits: the same rule at the counter (offline staff sign-in) and on the server
//! (an owner's PIN for settings changes).

/// Wrong PINs in a row before sign-in locks.
pub const PIN_ATTEMPTS_MAX: u32 = 5;
/// How long a locked sign-in stays locked.
pub const SIGN_IN_LOCK_MINUTES: i64 = 5;

/// What a wrong PIN leads to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WrongPin {
    /// Another try is allowed.
    TryAgain {
        /// Wrong PINs in a row so far.
        failed_attempts: u32,
        /// Tries left before the lock.
        attempts_left: u32,
    },
    /// Locked until this time (ms since the Unix epoch); the count starts again after it.
    Locked {
        /// When it unlocks.
        until_ms: i64,
    },
}

impl WrongPin {
    /// The state to store: (wrong PINs in a row, locked until ms or 0).
    pub fn stored(self) -> (u32, i64) {
        match self {
            WrongPin::TryAgain {
                failed_attempts, ..
            } => (failed_attempts, 0),
            WrongPin::Locked { until_ms } => (0, until_ms),
        }
    }
}

/// The outcome of a wrong PIN after `failed_before` wrong ones in a row, at `now_ms`.
pub fn after_wrong_pin(failed_before: u32, now_ms: i64) -> WrongPin {
    let failed_attempts = failed_before.saturating_add(1);
    if failed_attempts >= PIN_ATTEMPTS_MAX {
        WrongPin::Locked {
            until_ms: now_ms + SIGN_IN_LOCK_MINUTES * 60_000,
        }
    } else {
        WrongPin::TryAgain {
            failed_attempts,
            attempts_left: PIN_ATTEMPTS_MAX - failed_attempts,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fifth_wrong_pin_locks_for_five_minutes() {
        let mut failed = 0;
        for left in (1..PIN_ATTEMPTS_MAX).rev() {
            match after_wrong_pin(failed, 0) {
                WrongPin::TryAgain {
                    failed_attempts,
                    attempts_left,
                } => {
                    assert_eq!(attempts_left, left);
                    failed = failed_attempts;
                }
                locked => panic!("locked too early: {locked:?}"),
            }
        }
        let locked = after_wrong_pin(failed, 1_000);
        assert_eq!(locked, WrongPin::Locked { until_ms: 301_000 });
        assert_eq!(locked.stored(), (0, 301_000));
    }
}
