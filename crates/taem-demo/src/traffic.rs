//! The shop's clock: when the counters are open and how busy each open second is.
//!
//! Every second `s` (Unix time, UTC) has a weight: 0 when the shop is closed, otherwise
//! `weekday weight × hour weight` (lunch and evening peaks, busy weekends). `traffic_before(t)`
//! is the sum of weights of all seconds before `t`, a non-decreasing step function, and
//! `second_at_traffic(u)` is its inverse: the open second `s` with
//! `traffic_before(s) <= u < traffic_before(s + 1)`.
//!
//! Drawing `u` uniformly in `[traffic_before(lo), traffic_before(hi))` and mapping it back
//! therefore yields an open second in `[lo, hi)`, distributed like real shop traffic, in O(1)
//! and without rejection loops. Thailand has no daylight saving time, so Bangkok is always UTC+7.

/// Asia/Bangkok's fixed offset from UTC.
pub(crate) const BANGKOK_OFFSET_SECS: i64 = 7 * HOUR_SECS;
/// Seconds in a day.
pub(crate) const DAY_SECS: i64 = 86_400;
/// Seconds in an hour.
const HOUR_SECS: i64 = 3_600;
/// The shop opens at 10:00 Bangkok time.
const OPEN_HOUR: i64 = 10;
/// Relative traffic of each opening hour, 10:00–10:59 up to 20:00–20:59; the shop closes 21:00.
const HOUR_WEIGHTS: [i64; 11] = [3, 5, 8, 6, 4, 4, 5, 7, 9, 8, 5];
/// Relative traffic of each weekday, Sunday first: weekends and Friday evenings are busier.
const WEEKDAY_WEIGHTS: [i64; 7] = [13, 8, 8, 9, 9, 11, 14];
/// Weekday of day 0 (1970-01-01, a Thursday), with Sunday = 0.
const EPOCH_WEEKDAY: usize = 4;

/// Traffic of one day whose weekday weight is 1.
const DAY_TRAFFIC_UNIT: i64 = HOUR_SECS * sum(&HOUR_WEIGHTS);

/// Weekday weight of each day of a week that starts on a Thursday like day 0.
const WEEK_DAY_WEIGHTS: [i64; 7] = week_day_weights();

/// Traffic of the days of a Thursday-based week before each day (index 7: the whole week).
const WEEK_PREFIX: [i64; 8] = week_prefix();

/// Traffic of a whole week.
const WEEK_TRAFFIC: i64 = WEEK_PREFIX[7];

const fn sum(values: &[i64]) -> i64 {
    let mut total = 0;
    let mut i = 0;
    while i < values.len() {
        total += values[i];
        i += 1;
    }
    total
}

const fn week_day_weights() -> [i64; 7] {
    let mut weights = [0; 7];
    let mut r = 0;
    while r < 7 {
        weights[r] = WEEKDAY_WEIGHTS[(r + EPOCH_WEEKDAY) % 7];
        r += 1;
    }
    weights
}

const fn week_prefix() -> [i64; 8] {
    let mut prefix = [0; 8];
    let mut r = 0;
    while r < 7 {
        prefix[r + 1] = prefix[r] + WEEK_DAY_WEIGHTS[r] * DAY_TRAFFIC_UNIT;
        r += 1;
    }
    prefix
}

/// Whether the shop is open at second `t` (10:00:00 ≤ Bangkok time < 21:00:00).
pub(crate) fn is_open(t: i64) -> bool {
    let second_of_day = (t + BANGKOK_OFFSET_SECS).rem_euclid(DAY_SECS);
    let open = OPEN_HOUR * HOUR_SECS;
    (open..open + HOUR_WEIGHTS.len() as i64 * HOUR_SECS).contains(&second_of_day)
}

/// Sum of the weights of all seconds before `t` (relative to Bangkok day 0; may be negative).
pub(crate) fn traffic_before(t: i64) -> i64 {
    let local = t + BANGKOK_OFFSET_SECS;
    let day = local.div_euclid(DAY_SECS);
    let second_of_day = local.rem_euclid(DAY_SECS);
    let week = day.div_euclid(7);
    let r = day.rem_euclid(7) as usize;

    let mut within_day = 0;
    let mut hour_start = OPEN_HOUR * HOUR_SECS;
    for weight in HOUR_WEIGHTS {
        within_day += weight * (second_of_day - hour_start).clamp(0, HOUR_SECS);
        hour_start += HOUR_SECS;
    }
    week * WEEK_TRAFFIC + WEEK_PREFIX[r] + WEEK_DAY_WEIGHTS[r] * within_day
}

/// The open second `s` with `traffic_before(s) <= u < traffic_before(s + 1)`.
pub(crate) fn second_at_traffic(u: i64) -> i64 {
    let week = u.div_euclid(WEEK_TRAFFIC);
    let mut rest = u.rem_euclid(WEEK_TRAFFIC);
    // The last r whose prefix is <= rest; WEEK_PREFIX[0] = 0 so one always matches.
    let r = (0..7).rev().find(|&r| WEEK_PREFIX[r] <= rest).unwrap_or(0);
    rest -= WEEK_PREFIX[r];

    // Every second of this day weighs WEEK_DAY_WEIGHTS[r] × an hour weight; dividing out the
    // day weight leaves the position in hour-weighted seconds.
    let mut in_hours = rest / WEEK_DAY_WEIGHTS[r];
    let mut second_of_day = OPEN_HOUR * HOUR_SECS;
    for weight in HOUR_WEIGHTS {
        let span = weight * HOUR_SECS;
        if in_hours < span {
            second_of_day += in_hours / weight;
            break;
        }
        in_hours -= span;
        second_of_day += HOUR_SECS;
    }
    (week * 7 + r as i64) * DAY_SECS + second_of_day - BANGKOK_OFFSET_SECS
}

/// The traffic range `[traffic_before(lo), traffic_before(hi))` of the seconds in `[lo, hi)`,
/// or `None` if the shop is never open in them. Drawing `u` uniformly from it and taking
/// [`second_at_traffic`] gives an open second in `[lo, hi)` weighted by shop traffic.
pub(crate) fn traffic_range(lo: i64, hi: i64) -> Option<(i64, i64)> {
    let (a, b) = (traffic_before(lo), traffic_before(hi));
    (a < b).then_some((a, b))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    /// Unix time of 2026-11-23 00:00 in Bangkok (a Monday).
    const MONDAY_MIDNIGHT_BKK: i64 = 1_795_392_000 - BANGKOK_OFFSET_SECS;

    #[test]
    fn shop_is_open_from_ten_to_nine_bangkok_time() {
        let at = |h: i64, m: i64| MONDAY_MIDNIGHT_BKK + h * HOUR_SECS + m * 60;
        assert!(!is_open(at(9, 59)));
        assert!(is_open(at(10, 0)));
        assert!(is_open(at(20, 59)));
        assert!(!is_open(at(21, 0)));
    }

    #[test]
    fn closed_hours_carry_no_traffic() {
        let evening = MONDAY_MIDNIGHT_BKK + 21 * HOUR_SECS;
        let next_morning = MONDAY_MIDNIGHT_BKK + DAY_SECS + 10 * HOUR_SECS;
        assert_eq!(traffic_before(evening), traffic_before(next_morning));
        assert!(traffic_before(evening) > traffic_before(evening - 1));
    }

    #[test]
    fn saturday_is_busier_than_monday() {
        let day_traffic = |start: i64| traffic_before(start + DAY_SECS) - traffic_before(start);
        let saturday = MONDAY_MIDNIGHT_BKK + 5 * DAY_SECS;
        assert!(day_traffic(saturday) > day_traffic(MONDAY_MIDNIGHT_BKK));
    }

    #[test]
    fn a_range_without_opening_hours_has_no_traffic() {
        let night = MONDAY_MIDNIGHT_BKK + 22 * HOUR_SECS;
        assert_eq!(traffic_range(night, night + 3 * HOUR_SECS), None);
    }

    proptest! {
        #[test]
        fn second_at_traffic_inverts_traffic_before(u in -10_i64.pow(14)..10_i64.pow(14)) {
            let s = second_at_traffic(u);
            prop_assert!(is_open(s));
            prop_assert!(traffic_before(s) <= u && u < traffic_before(s + 1));
        }

        #[test]
        fn open_seconds_map_back_to_themselves(t in -10_i64.pow(10)..10_i64.pow(10)) {
            prop_assume!(is_open(t));
            prop_assert_eq!(second_at_traffic(traffic_before(t)), t);
        }

        #[test]
        fn drawn_seconds_are_open_and_in_range(
            lo in 1_700_000_000_i64..1_800_000_000, len in 0_i64..200_000, seed in any::<u64>()
        ) {
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            if let Some((a, b)) = traffic_range(lo, lo + len) {
                let s = second_at_traffic(rng.random_range(a..b));
                prop_assert!(is_open(s) && lo <= s && s < lo + len);
            }
        }
    }
}
