//! A deterministic generator of a realistic Thai demo shop: branches, members and their bills.
//!
//! It owns the demo data used by benchmarks, screenshots, load tests and manual testing of the
//! counter app: Thai (and some Latin) names, unique Thai mobile numbers, birthdays, emails,
//! tags and a year of bills per member, spread over shop hours in Bangkok time.
//!
//! What it must not do:
//! * **No IO and no clock reads.** The reference time is [`DemoConfig::now`]; the output depends
//!   only on the [`DemoConfig`], so the same config gives byte-identical members on every run.
//! * **No dependency on `taem-core`.** Output is plain data (`String`, `chrono` times,
//!   [`rust_decimal::Decimal`]); callers convert it into domain types (and so validate it).
//! * **No holding the shop in memory.** [`members`] streams one member at a time, and
//!   [`member`] rebuilds any single member in O(its bills), because every member draws from its
//!   own random stream seeded from `(seed, index)`.
//!
//! Invariants that hold by construction (and are checked by the tests):
//! * phones are unique across all members of a config (see the `phone` module),
//! * bill numbers are unique across the whole shop (they embed the member index),
//! * every bill lies in shop hours (10:00–21:00 Asia/Bangkok), after the member registered and
//!   no later than `now`, with a positive amount of at most 2 decimals.
//!
//! The generator uses no transcendental floating point (no `ln`/`exp`), only table lookups,
//! integer arithmetic and Bernoulli draws, so the output does not depend on the platform's libm.

mod bills;
#[cfg(feature = "core")]
pub mod convert;
mod generate;
#[cfg(feature = "replica")]
pub mod load;
mod names;
mod phone;
mod traffic;

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use rust_decimal::Decimal;

pub use phone::MEMBERS_MAX;

/// Most bills one member can have; the bill number reserves three digits for the member's
/// bill ordinal (see [`DemoBill::bill_no`]), so this keeps bill numbers unique.
pub const BILLS_PER_MEMBER_MAX: u32 = 999;

/// Longest history a config can ask for (about a century); longer values are clamped so every
/// generated time stays inside `chrono`'s range.
pub const HISTORY_DAYS_MAX: u32 = 36_525;

/// What to generate: how many members, from which seed, and the shop's reference time.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoConfig {
    /// Number of members `members()` yields (indices `0..members`); at most [`MEMBERS_MAX`].
    pub members: u64,
    /// Seed of every random choice; a different seed gives a different shop.
    pub seed: u64,
    /// The reference time ("now"): no member registers and no bill happens after it. Any real
    /// date works; only the first ~100 years of `chrono`'s range (year −262,000) are refused.
    pub now: DateTime<Utc>,
    /// Days of bill history: bills fall in `(now - history_days, now]` (clamped to
    /// [`HISTORY_DAYS_MAX`]). Some members registered before this window; their older bills
    /// are not generated.
    pub history_days: u32,
    /// Mean number of bills per member over the whole shop (non-finite or negative means 0).
    pub bills_per_member_mean: f64,
}

impl Default for DemoConfig {
    /// 10,000 members, seed 2026, a year of history, 10 bills per member on average, and
    /// `now` = 2026-11-23 12:00 in Bangkok (05:00 UTC), a Monday noon during shop hours.
    fn default() -> Self {
        Self {
            members: 10_000,
            seed: 2026,
            now: Utc
                .with_ymd_and_hms(2026, 11, 23, 5, 0, 0)
                .single()
                .expect("invariant: 2026-11-23 05:00 UTC exists and is unambiguous"),
            history_days: 365,
            bills_per_member_mean: 10.0,
        }
    }
}

/// A branch of the demo shop.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DemoBranch {
    /// Short code printed on bills, e.g. `"BKK01"`.
    pub code: String,
    /// Thai name, e.g. `"สาขาสยามสแควร์"`.
    pub name_th: String,
    /// English name, e.g. `"Siam Square"`.
    pub name_en: String,
}

/// The branches of the demo shop: two in Bangkok and one in Chiang Mai, always in this order
/// ([`DemoMember::branch`] and [`DemoBill::branch`] index into it).
pub fn branches() -> Vec<DemoBranch> {
    generate::BRANCHES
        .iter()
        .map(|b| DemoBranch {
            code: b.code.to_owned(),
            name_th: b.name_th.to_owned(),
            name_en: b.name_en.to_owned(),
        })
        .collect()
}

/// A member's gender as recorded on registration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DemoGender {
    /// Female.
    Female,
    /// Male.
    Male,
    /// The member chose not to say.
    Unspecified,
}

/// One generated member with their bills.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoMember {
    /// Position of the member in the shop, `0..config.members`.
    pub index: u64,
    /// First name: Thai for most members, Latin for about 5%.
    pub first_name: String,
    /// Last name, in the same script as the first name.
    pub last_name: String,
    /// Normalised Thai mobile number, 10 digits starting `06`, `08` or `09`; unique per config.
    pub phone: String,
    /// Birthday, for about 80% of members (aged 16–80 at `now`).
    pub birthday: Option<NaiveDate>,
    /// Gender; consistent with the first name unless `Unspecified`.
    pub gender: DemoGender,
    /// Email for about 30% of members, always on a reserved `example.*` domain so demo data can
    /// never reach a real inbox.
    pub email: Option<String>,
    /// Registering (home) branch, an index into [`branches()`].
    pub branch: usize,
    /// When the member registered, during shop hours; some before the history window.
    pub registered_at: DateTime<Utc>,
    /// Whether the member accepted marketing messages.
    pub marketing_consent: bool,
    /// Tags such as `"VIP"`, `"ลูกค้าประจำ"`, `"ขายส่ง"`; most members have none.
    pub tags: Vec<String>,
    /// The member's bills, sorted by time.
    pub bills: Vec<DemoBill>,
}

/// One purchase (bill) by a member at a branch counter.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DemoBill {
    /// Bill number, unique across the shop: `{branch code}-{Bangkok date}-{member index}{3-digit
    /// bill ordinal}`, the last part zero-padded to at least 6 digits, e.g.
    /// `"BKK01-20260312-123004"` is member 123's fifth bill.
    pub bill_no: String,
    /// Amount in THB with 2 decimals, > 0: mostly 50–2,000 baht, up to 20,000.
    pub amount: Decimal,
    /// Time of the bill: in shop hours (10:00–21:00 Bangkok), after `registered_at`, <= `now`.
    pub at: DateTime<Utc>,
    /// Branch where the bill was rung up, an index into [`branches()`]; usually the home branch.
    pub branch: usize,
}

/// Streams the members `0..config.members` in order, one at a time (constant memory, so it
/// suits a million members and more). `nth`/`skip` jump without generating skipped members.
///
/// # Panics
/// If `config.members` exceeds [`MEMBERS_MAX`] (phones could no longer be unique), or, while
/// iterating, if `config.now` lies within [`HISTORY_DAYS_MAX`] + 3 years of `chrono`'s
/// earliest time.
pub fn members(config: &DemoConfig) -> impl Iterator<Item = DemoMember> + use<> {
    assert!(
        config.members <= MEMBERS_MAX,
        "a demo shop has at most {MEMBERS_MAX} members (unique phones), asked for {}",
        config.members
    );
    MemberStream {
        plan: generate::Plan::new(config),
        next: 0,
        end: config.members,
    }
}

/// The member at `index`, identical to the `index`-th item of [`members`] for the same config.
///
/// # Panics
/// If `index >= MEMBERS_MAX`, or if `config.now` lies within [`HISTORY_DAYS_MAX`] + 3 years of
/// `chrono`'s earliest time.
pub fn member(config: &DemoConfig, index: u64) -> DemoMember {
    assert!(
        index < MEMBERS_MAX,
        "member index {index} is beyond the {MEMBERS_MAX} unique phones"
    );
    generate::Plan::new(config).member(index)
}

/// The iterator behind [`members`].
struct MemberStream {
    plan: generate::Plan,
    next: u64,
    end: u64,
}

impl Iterator for MemberStream {
    type Item = DemoMember;

    fn next(&mut self) -> Option<DemoMember> {
        if self.next >= self.end {
            return None;
        }
        let member = self.plan.member(self.next);
        self.next += 1;
        Some(member)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let left = self.end - self.next;
        match usize::try_from(left) {
            Ok(n) => (n, Some(n)),
            Err(_) => (usize::MAX, None),
        }
    }

    // Members are independent, so skipping is free; without this `skip(n)` would build n.
    fn nth(&mut self, n: usize) -> Option<DemoMember> {
        let n = u64::try_from(n).unwrap_or(u64::MAX);
        self.next = self.next.saturating_add(n).min(self.end);
        self.next()
    }
}

impl std::iter::FusedIterator for MemberStream {}
