//! Shop time: stored in UTC, shown and bucketed in Asia/Bangkok.
//!
//! Thailand has used UTC+7 without daylight saving since 1920, so a fixed offset is exact for
//! every date a loyalty system meets; it keeps this pure crate free of a time-zone database.

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};

const BANGKOK_OFFSET_SECONDS: i32 = 7 * 3600;

/// The Asia/Bangkok offset (UTC+7).
pub fn bangkok() -> FixedOffset {
    FixedOffset::east_opt(BANGKOK_OFFSET_SECONDS)
        .expect("invariant: +7 hours is a valid UTC offset")
}

/// The shop-local (Bangkok) calendar date of an instant.
pub fn bangkok_date(at: DateTime<Utc>) -> NaiveDate {
    at.with_timezone(&bangkok()).date_naive()
}

/// Days since 1970-01-01 of a date: the compact form the replica stores day buckets in.
pub fn day_number(date: NaiveDate) -> i64 {
    (date - NaiveDate::default()).num_days()
}

/// The date of a day number.
pub fn date_of_day_number(day: i64) -> NaiveDate {
    NaiveDate::default() + chrono::Duration::days(day)
}

/// `23/11/2569 14:05` — Bangkok time, Buddhist Era year, as Thai staff read it.
pub fn format_bangkok_be(at: DateTime<Utc>) -> String {
    let local = at.with_timezone(&bangkok());
    format!(
        "{} {}",
        crate::thai_date::format_be(local.date_naive()),
        local.format("%H:%M")
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn late_evening_utc_is_the_next_day_in_bangkok() {
        let at = Utc.with_ymd_and_hms(2026, 11, 22, 18, 30, 0).unwrap();
        assert_eq!(
            bangkok_date(at),
            NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
        );
        assert_eq!(format_bangkok_be(at), "23/11/2569 01:30");
    }

    #[test]
    fn day_numbers_round_trip() {
        let d = NaiveDate::from_ymd_opt(2026, 2, 28).unwrap();
        assert_eq!(date_of_day_number(day_number(d)), d);
    }
}
