//! One member from `(config, index)`: who they are, when they registered, how they shop.
//!
//! Every member draws from its own ChaCha8 stream seeded from `(seed, index)`, so members are
//! independent: the iterator and random access produce the same member, and a million members
//! need no more memory than one. The draw order below is part of the output's identity:
//! changing it changes every generated shop.

use chrono::{DateTime, Datelike, Months, NaiveDate, Utc};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::bills::{self, Basket, BillRequest};
use crate::names;
use crate::traffic::{self, BANGKOK_OFFSET_SECS, DAY_SECS};
use crate::{DemoConfig, DemoGender, DemoMember, HISTORY_DAYS_MAX, phone};

/// A branch as stored in the generator's table.
pub(crate) struct BranchSpec {
    pub code: &'static str,
    pub name_th: &'static str,
    pub name_en: &'static str,
}

/// The shop's branches; their order is the `branch` index of members and bills.
pub(crate) const BRANCHES: [BranchSpec; 3] = [
    BranchSpec {
        code: "BKK01",
        name_th: "สาขาสยามสแควร์",
        name_en: "Siam Square",
    },
    BranchSpec {
        code: "BKK02",
        name_th: "สาขาอารีย์",
        name_en: "Ari",
    },
    BranchSpec {
        code: "CNX01",
        name_th: "สาขานิมมานเหมินท์",
        name_en: "Nimmanhaemin, Chiang Mai",
    },
];

/// Share of members registered at each branch (flagship first).
const BRANCH_WEIGHTS: [u32; 3] = [45, 30, 25];

/// Loyalty members are more often women.
const FEMALE_SHARE: f64 = 0.55;
/// Members who did not state a gender.
const GENDER_UNSPECIFIED_SHARE: f64 = 0.08;
/// Members who gave a birthday.
const BIRTHDAY_SHARE: f64 = 0.80;
/// Members who gave an email.
const EMAIL_SHARE: f64 = 0.30;
/// Members who accepted marketing messages.
const MARKETING_CONSENT_SHARE: f64 = 0.65;
/// Members who buy wholesale (bigger baskets, tagged `ขายส่ง`).
const WHOLESALE_SHARE: f64 = 0.02;
/// Heavy shoppers the shop marked as VIP.
const VIP_SHARE_OF_HEAVY: f64 = 0.35;
/// Heavy and regular shoppers the staff tagged as regulars (`ลูกค้าประจำ`).
const REGULAR_TAG_SHARE_OF_HEAVY: f64 = 0.9;
/// See [`REGULAR_TAG_SHARE_OF_HEAVY`].
const REGULAR_TAG_SHARE_OF_REGULAR: f64 = 0.25;
/// Young members who showed a student card (`นักศึกษา`).
const STUDENT_SHARE_OF_YOUNG: f64 = 0.5;
/// Members who are shop staff.
const STAFF_SHARE: f64 = 0.005;
/// Members who follow the shop's LINE official account.
const LINE_SHARE: f64 = 0.10;
/// Members registered before the history window (their exposure is the whole window).
const REGISTERED_BEFORE_HISTORY_SHARE: f64 = 0.20;
/// How far before the history window the oldest members registered.
const PRE_HISTORY_DAYS: i64 = 3 * 365;
/// Members registered this recently are tagged `ลูกค้าใหม่`.
const NEW_MEMBER_DAYS: i64 = 30;
/// Members at most this old may be tagged `นักศึกษา`.
const STUDENT_AGE_MAX_YEARS: u32 = 22;

/// Age bands (inclusive, years at `now`) and their share of members with a birthday.
const AGE_BANDS: [(u32, u32, u32); 6] = [
    (16, 24, 18),
    (25, 34, 27),
    (35, 44, 23),
    (45, 54, 16),
    (55, 64, 10),
    (65, 80, 6),
];

/// Shopping segments: share of members and bill rate relative to the shop mean. The shares
/// times the rates sum to 1, so the overall mean stays `bills_per_member_mean`.
const SEGMENTS: [(Segment, u32, f64); 3] = [
    (Segment::Occasional, 60, 0.3),
    (Segment::Regular, 30, 1.5),
    (Segment::Heavy, 10, 3.7),
];

#[derive(Clone, Copy, PartialEq, Eq)]
enum Segment {
    Occasional,
    Regular,
    Heavy,
}

/// Everything derived from a config once, shared by all its members.
pub(crate) struct Plan {
    seed: u64,
    now_secs: i64,
    /// First second of the history window.
    window_start_secs: i64,
    /// Traffic range of `[window_start, now]`; `None` if the shop is never open in it.
    recent_traffic: Option<(i64, i64)>,
    pre_history_start_secs: i64,
    /// Bills expected from a member with full exposure and an average segment.
    bills_per_full_exposure: f64,
    phone_offset: u64,
    /// Inclusive `num_days_from_ce` range of birthdays for each age band.
    birthday_days: [(i32, i32); AGE_BANDS.len()],
    /// Birthdays on or after this day belong to members young enough to be students.
    student_born_since_days: i32,
}

impl Plan {
    pub(crate) fn new(config: &DemoConfig) -> Self {
        let now_secs = config.now.timestamp();
        let history_days = i64::from(config.history_days.min(HISTORY_DAYS_MAX));
        // The window is `(now - history_days, now]`, so a zero-day history holds no bills.
        let window_start_secs = now_secs - history_days * DAY_SECS + 1;
        let recent_traffic = traffic::traffic_range(window_start_secs, now_secs + 1);

        // A member who registered d% into the window is exposed to (100 - d)% of it; the
        // average exposure divides the shop mean so the realised mean matches the config.
        let mean_exposure = match recent_traffic {
            Some(_) => {
                REGISTERED_BEFORE_HISTORY_SHARE + (1.0 - REGISTERED_BEFORE_HISTORY_SHARE) / 2.0
            }
            None => 1.0,
        };
        let mean = config.bills_per_member_mean;
        let mean = if mean.is_finite() && mean > 0.0 {
            mean
        } else {
            0.0
        };

        let today = bangkok_date(now_secs);
        let birthday_days = AGE_BANDS.map(|(youngest, oldest, _)| {
            let latest = years_before(today, youngest);
            let earliest = years_before(today, oldest + 1).succ_opt().unwrap_or(latest);
            (earliest.num_days_from_ce(), latest.num_days_from_ce())
        });
        let student_born_since_days =
            years_before(today, STUDENT_AGE_MAX_YEARS + 1).num_days_from_ce() + 1;

        Self {
            seed: config.seed,
            now_secs,
            window_start_secs,
            recent_traffic,
            pre_history_start_secs: window_start_secs - PRE_HISTORY_DAYS * DAY_SECS,
            bills_per_full_exposure: mean / mean_exposure,
            phone_offset: splitmix64(config.seed ^ 0x7068_6f6e_6521),
            birthday_days,
            student_born_since_days,
        }
    }

    /// Member `index`; `index` is below `MEMBERS_MAX` (the public entry points assert it).
    pub(crate) fn member(&self, index: u64) -> DemoMember {
        // splitmix64 is a bijection, so within a seed every member gets a distinct stream.
        let mut rng = ChaCha8Rng::seed_from_u64(splitmix64(splitmix64(self.seed) ^ index));

        let female = rng.random_bool(FEMALE_SHARE);
        let (first, last) = names::draw_name(&mut rng, female);
        let gender = if rng.random_bool(GENDER_UNSPECIFIED_SHARE) {
            DemoGender::Unspecified
        } else if female {
            DemoGender::Female
        } else {
            DemoGender::Male
        };

        let birthday = rng
            .random_bool(BIRTHDAY_SHARE)
            .then(|| self.draw_birthday(&mut rng));
        let branch = pick_weighted(&mut rng, &BRANCH_WEIGHTS, |w| *w);
        let (registered_secs, exposure) = self.draw_registration(&mut rng);
        let (segment, _, rate) = SEGMENTS[pick_weighted(&mut rng, &SEGMENTS, |s| s.1)];
        let wholesale = rng.random_bool(WHOLESALE_SHARE);
        let marketing_consent = rng.random_bool(MARKETING_CONSENT_SHARE);
        let email = rng
            .random_bool(EMAIL_SHARE)
            .then(|| names::draw_email(&mut rng, first.1, last.1, birthday));

        let tags = self.draw_tags(&mut rng, segment, wholesale, registered_secs, birthday);

        let bills = bills::draw_bills(
            &mut rng,
            &BillRequest {
                index,
                home_branch: branch,
                registered_secs,
                window_start_secs: self.window_start_secs,
                now_secs: self.now_secs,
                mean: self.bills_per_full_exposure * rate * exposure,
                basket: if wholesale {
                    Basket::Wholesale
                } else {
                    Basket::Retail
                },
            },
        );

        DemoMember {
            index,
            first_name: first.0.to_owned(),
            last_name: last.0.to_owned(),
            phone: phone::phone_of(index, self.phone_offset),
            birthday,
            gender,
            email,
            branch,
            registered_at: utc(registered_secs),
            marketing_consent,
            tags,
            bills,
        }
    }

    fn draw_tags(
        &self,
        rng: &mut ChaCha8Rng,
        segment: Segment,
        wholesale: bool,
        registered_secs: i64,
        birthday: Option<NaiveDate>,
    ) -> Vec<String> {
        let mut tags = Vec::new();
        let mut tag = |yes: bool, name: &str| {
            if yes {
                tags.push(name.to_owned());
            }
        };
        // `&&` short-circuits, so members outside a group draw nothing for its tag.
        tag(
            segment == Segment::Heavy && rng.random_bool(VIP_SHARE_OF_HEAVY),
            "VIP",
        );
        let regular_share = match segment {
            Segment::Heavy => REGULAR_TAG_SHARE_OF_HEAVY,
            Segment::Regular => REGULAR_TAG_SHARE_OF_REGULAR,
            Segment::Occasional => 0.0,
        };
        tag(rng.random_bool(regular_share), "ลูกค้าประจำ");
        tag(wholesale, "ขายส่ง");
        tag(
            registered_secs > self.now_secs - NEW_MEMBER_DAYS * DAY_SECS,
            "ลูกค้าใหม่",
        );
        tag(rng.random_bool(STAFF_SHARE), "พนักงาน");
        let young = birthday.is_some_and(|b| b.num_days_from_ce() >= self.student_born_since_days);
        tag(young && rng.random_bool(STUDENT_SHARE_OF_YOUNG), "นักศึกษา");
        tag(rng.random_bool(LINE_SHARE), "LINE");
        tags
    }

    fn draw_birthday(&self, rng: &mut ChaCha8Rng) -> NaiveDate {
        let band = pick_weighted(rng, &AGE_BANDS, |b| b.2);
        let (earliest, latest) = self.birthday_days[band];
        let day = rng.random_range(earliest..=latest);
        // Between two valid dates, so always a valid date.
        NaiveDate::from_num_days_from_ce_opt(day).expect("invariant: day lies between two dates")
    }

    /// Registration second and the member's exposure: the share of the history window's
    /// traffic after registration (1 for members who registered before the window).
    fn draw_registration(&self, rng: &mut ChaCha8Rng) -> (i64, f64) {
        let before_window = rng.random_bool(REGISTERED_BEFORE_HISTORY_SHARE);
        match self.recent_traffic {
            Some((start, end)) if !before_window => {
                let u = rng.random_range(start..end);
                (
                    traffic::second_at_traffic(u),
                    (end - u) as f64 / (end - start) as f64,
                )
            }
            _ => {
                let (start, end) =
                    traffic::traffic_range(self.pre_history_start_secs, self.window_start_secs)
                        .expect("invariant: three years before the window contain opening hours");
                (
                    traffic::second_at_traffic(rng.random_range(start..end)),
                    1.0,
                )
            }
        }
    }
}

/// The index of an item chosen with probability proportional to its weight.
pub(crate) fn pick_weighted<T>(
    rng: &mut impl Rng,
    items: &[T],
    weight: impl Fn(&T) -> u32,
) -> usize {
    let total: u32 = items.iter().map(&weight).sum();
    let mut ticket = rng.random_range(0..total);
    for (i, item) in items.iter().enumerate() {
        let w = weight(item);
        if ticket < w {
            return i;
        }
        ticket -= w;
    }
    // Unreachable: the tickets are fewer than the total weight.
    items.len() - 1
}

/// The UTC time of a generated second.
pub(crate) fn utc(secs: i64) -> DateTime<Utc> {
    // Generated seconds lie between `now` and HISTORY_DAYS_MAX + 3 years before it.
    DateTime::from_timestamp(secs, 0)
        .expect("invariant: generated times stay within chrono's range")
}

/// The Bangkok calendar date of a second.
pub(crate) fn bangkok_date(secs: i64) -> NaiveDate {
    let days = (secs + BANGKOK_OFFSET_SECS).div_euclid(DAY_SECS);
    // 719_163 = days from 0001-01-01 to 1970-01-01. Out of range only within hours of
    // chrono's limits, where the nearest representable day is as good as any.
    i32::try_from(days + 719_163)
        .ok()
        .and_then(NaiveDate::from_num_days_from_ce_opt)
        .unwrap_or(if days < 0 {
            NaiveDate::MIN
        } else {
            NaiveDate::MAX
        })
}

/// The date `years` before `date` (Feb 29 falls back to Feb 28).
fn years_before(date: NaiveDate, years: u32) -> NaiveDate {
    date.checked_sub_months(Months::new(12 * years))
        .unwrap_or(NaiveDate::MIN)
}

/// SplitMix64's finaliser: a bijective, well-mixing map of u64.
fn splitmix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::names::Name;

    fn written_in(tables: &[&[Name]], name: &str) -> bool {
        tables
            .iter()
            .any(|t| t.iter().any(|n| n.0 == name || n.1 == name))
    }

    #[test]
    fn a_stated_gender_matches_the_first_name() {
        let plan = Plan::new(&DemoConfig::default());
        let female = [names::THAI_FEMALE, names::FOREIGN_FEMALE];
        let male = [names::THAI_MALE, names::FOREIGN_MALE];
        for index in 0..3_000 {
            let m = plan.member(index);
            match m.gender {
                DemoGender::Female => assert!(written_in(&female, &m.first_name), "{m:?}"),
                DemoGender::Male => assert!(written_in(&male, &m.first_name), "{m:?}"),
                DemoGender::Unspecified => {}
            }
        }
    }

    #[test]
    fn romanised_thai_names_appear_among_latin_names() {
        let plan = Plan::new(&DemoConfig::default());
        let romanised = (0..3_000)
            .map(|i| plan.member(i))
            .filter(|m| written_in(&[names::THAI_SURNAMES], &m.last_name) && m.last_name.is_ascii())
            .count();
        assert!(romanised > 20, "{romanised}");
    }
}
