//! A member's bills: how many, when, where, for how much, and their numbers.

use chrono::Datelike;
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use rust_decimal::Decimal;

use crate::generate::{BRANCHES, bangkok_date, pick_weighted, utc};
use crate::traffic;
use crate::{BILLS_PER_MEMBER_MAX, DemoBill};

/// Share of bills rung up at the member's home branch; the rest at another branch.
const HOME_BRANCH_SHARE: f64 = 0.85;
/// Where a member shops away from home (row: home branch): mostly the other branch in the same
/// city, rarely in the other city.
const AWAY_BRANCH_WEIGHTS: [[u32; BRANCHES.len()]; BRANCHES.len()] =
    [[0, 9, 1], [9, 0, 1], [1, 1, 0]];
/// Members who registered inside the window usually did so while paying their first bill.
const FIRST_BILL_AT_REGISTRATION_SHARE: f64 = 0.7;
/// That first bill comes this many seconds after the registration.
const FIRST_BILL_DELAY_SECS: std::ops::RangeInclusive<i64> = 60..=900;

/// Amount bands in whole baht `[from, to)` and their weights, for everyday shoppers: most bills
/// are 50–2,000 baht with a thin tail up to 20,000.
const RETAIL_BANDS_BAHT: [(i64, i64, u32); 8] = [
    (20, 100, 14),
    (100, 200, 20),
    (200, 500, 30),
    (500, 1_000, 18),
    (1_000, 2_000, 10),
    (2_000, 5_000, 5),
    (5_000, 10_000, 2),
    (10_000, 20_000, 1),
];

/// Amount bands for wholesale buyers (restaurants, resellers): bigger baskets.
const WHOLESALE_BANDS_BAHT: [(i64, i64, u32); 5] = [
    (300, 1_000, 10),
    (1_000, 2_000, 25),
    (2_000, 5_000, 35),
    (5_000, 10_000, 20),
    (10_000, 20_000, 10),
];

/// How a member's basket is usually sized.
#[derive(Clone, Copy)]
pub(crate) enum Basket {
    /// Everyday shopping.
    Retail,
    /// Buying for resale or a restaurant.
    Wholesale,
}

/// What the bills of one member depend on.
pub(crate) struct BillRequest {
    pub index: u64,
    pub home_branch: usize,
    pub registered_secs: i64,
    pub window_start_secs: i64,
    pub now_secs: i64,
    /// Expected number of bills (before the cap and before running out of opening hours).
    pub mean: f64,
    pub basket: Basket,
}

/// The member's bills, sorted by time, numbered in that order.
pub(crate) fn draw_bills(rng: &mut ChaCha8Rng, request: &BillRequest) -> Vec<DemoBill> {
    let count = draw_count(rng, request.mean);
    // Strictly after registration, inside the window, at the latest `now`.
    let lo = (request.registered_secs + 1).max(request.window_start_secs);
    let hi = request.now_secs + 1;
    let Some((traffic_lo, traffic_hi)) = traffic::traffic_range(lo, hi) else {
        return Vec::new();
    };

    let mut bills = Vec::with_capacity(count as usize);
    for ordinal in 0..count {
        let mut at = None;
        if ordinal == 0 && request.registered_secs >= request.window_start_secs {
            let paying = rng.random_bool(FIRST_BILL_AT_REGISTRATION_SHARE);
            let t = request.registered_secs + rng.random_range(FIRST_BILL_DELAY_SECS);
            if paying && traffic::is_open(t) && t <= request.now_secs {
                at = Some(t);
            }
        }
        let at = at.unwrap_or_else(|| {
            traffic::second_at_traffic(rng.random_range(traffic_lo..traffic_hi))
        });
        let branch = if rng.random_bool(HOME_BRANCH_SHARE) {
            request.home_branch
        } else {
            let row = &AWAY_BRANCH_WEIGHTS[request.home_branch];
            pick_weighted(rng, row, |w| *w)
        };
        bills.push(DemoBill {
            bill_no: String::new(), // numbered below, once the order is known
            amount: draw_amount(rng, request.basket),
            at: utc(at),
            branch,
        });
    }

    bills.sort_by_key(|bill| bill.at);
    for (ordinal, bill) in bills.iter_mut().enumerate() {
        bill.bill_no = bill_no(bill, request.index, ordinal as u64);
    }
    bills
}

/// A bill count with the given mean: at least one bill for anyone expected to buy once or
/// more, then a geometric tail, so most members have a few bills and some have dozens.
fn draw_count(rng: &mut ChaCha8Rng, mean: f64) -> u32 {
    let mean = mean.clamp(0.0, f64::from(BILLS_PER_MEMBER_MAX));
    if mean < 1.0 {
        return u32::from(rng.random_bool(mean));
    }
    // 1 + Geometric with continue-probability q has mean 1 + q / (1 - q) = mean. Bernoulli
    // trials instead of an inverse-CDF `ln` keep the output independent of the platform's libm.
    let q = (mean - 1.0) / mean;
    let mut count = 1;
    while count < BILLS_PER_MEMBER_MAX && rng.random_bool(q) {
        count += 1;
    }
    count
}

/// A bill amount: a band by weight, a whole-baht price in it, and satang for some bills
/// (cash totals are mostly whole baht; card and discounted totals are not).
fn draw_amount(rng: &mut ChaCha8Rng, basket: Basket) -> Decimal {
    let bands: &[(i64, i64, u32)] = match basket {
        Basket::Retail => &RETAIL_BANDS_BAHT,
        Basket::Wholesale => &WHOLESALE_BANDS_BAHT,
    };
    let (from, to, _) = bands[pick_weighted(rng, bands, |band| band.2)];
    let baht = rng.random_range(from..to);
    let satang = match rng.random_range(0..20_u32) {
        0..13 => 0,
        13..17 => 25 * rng.random_range(0..4),
        _ => rng.random_range(0..100),
    };
    Decimal::new(baht * 100 + satang, 2)
}

/// `{branch}-{yyyymmdd}-{index × 1000 + ordinal}` with the last part at least 6 digits. The
/// ordinal is below 1000 (`BILLS_PER_MEMBER_MAX`), so distinct `(index, ordinal)` pairs give
/// distinct numbers whatever the branch and date.
fn bill_no(bill: &DemoBill, index: u64, ordinal: u64) -> String {
    let date = bangkok_date(bill.at.timestamp());
    let mut no = String::with_capacity(24);
    no.push_str(BRANCHES[bill.branch].code);
    no.push('-');
    push_padded(&mut no, u64::try_from(date.year()).unwrap_or(0), 4);
    push_padded(&mut no, u64::from(date.month()), 2);
    push_padded(&mut no, u64::from(date.day()), 2);
    no.push('-');
    push_padded(&mut no, index * 1000 + ordinal, 6);
    no
}

/// Appends `value` in decimal, zero-padded to at least `width` digits (without the cost of
/// `format!`, which matters at ten million bills).
pub(crate) fn push_padded(out: &mut String, mut value: u64, width: usize) {
    let mut digits = [b'0'; 20];
    let mut len = 0;
    while value > 0 || len < width.max(1) {
        digits[len] = b'0' + (value % 10) as u8;
        value /= 10;
        len += 1;
    }
    out.extend(digits[..len].iter().rev().map(|&d| char::from(d)));
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn push_padded_pads_and_never_truncates() {
        let mut s = String::new();
        push_padded(&mut s, 7, 3);
        s.push(' ');
        push_padded(&mut s, 123_456_789, 6);
        s.push(' ');
        push_padded(&mut s, 0, 0);
        assert_eq!(s, "007 123456789 0");
    }

    #[test]
    fn bill_counts_have_the_requested_mean() {
        let mut rng = ChaCha8Rng::seed_from_u64(5);
        for mean in [0.4, 1.0, 3.0, 12.5, 40.0] {
            let n = 20_000;
            let total: u64 = (0..n).map(|_| u64::from(draw_count(&mut rng, mean))).sum();
            let got = total as f64 / f64::from(n);
            assert!((got - mean).abs() < mean * 0.05, "mean {mean}: got {got}");
        }
    }

    #[test]
    fn retail_amounts_are_mostly_between_50_and_2000_baht() {
        let mut rng = ChaCha8Rng::seed_from_u64(9);
        let amounts: Vec<Decimal> = (0..10_000)
            .map(|_| draw_amount(&mut rng, Basket::Retail))
            .collect();
        let typical = amounts
            .iter()
            .filter(|a| (Decimal::from(50)..=Decimal::from(2_000)).contains(*a))
            .count();
        assert!(typical > 8_000, "{typical}");
        assert!(
            amounts
                .iter()
                .all(|a| *a > Decimal::ZERO && *a <= Decimal::from(20_000))
        );
    }
}
