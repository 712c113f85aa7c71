//! Properties of generated shops that callers rely on: determinism, uniqueness, bill timing,
//! amounts and realistic proportions.

use std::collections::HashSet;
use std::hash::{DefaultHasher, Hash, Hasher};

use chrono::{Datelike, FixedOffset, TimeDelta, Timelike};
use proptest::prelude::*;
use rust_decimal::Decimal;
use taem_demo::{DemoConfig, DemoGender, DemoMember, branches, member, members};

fn config(members: u64) -> DemoConfig {
    DemoConfig {
        members,
        ..DemoConfig::default()
    }
}

fn debug_hash(config: &DemoConfig, count: usize) -> u64 {
    let mut hasher = DefaultHasher::new();
    for m in members(config).take(count) {
        format!("{m:?}").hash(&mut hasher);
    }
    hasher.finish()
}

fn is_thai(text: &str) -> bool {
    text.chars().any(|c| ('\u{0E00}'..='\u{0E7F}').contains(&c))
}

/// Checks every promise about one member's bills; returns a description of the first broken.
fn bill_violation(config: &DemoConfig, m: &DemoMember) -> Option<String> {
    let bangkok = FixedOffset::east_opt(7 * 3600).expect("valid offset");
    let branch_count = branches().len();
    for (i, bill) in m.bills.iter().enumerate() {
        let local = bill.at.with_timezone(&bangkok);
        let problem = if !(10..21).contains(&local.hour()) {
            "outside shop hours"
        } else if bill.at <= m.registered_at {
            "not after registration"
        } else if bill.at > config.now {
            "after now"
        } else if bill.at < config.now - TimeDelta::days(i64::from(config.history_days)) {
            "before the history window"
        } else if bill.amount <= Decimal::ZERO || bill.amount.scale() > 2 {
            "amount not positive with at most 2 decimals"
        } else if bill.branch >= branch_count {
            "unknown branch"
        } else if !bill.bill_no.contains(&local.format("-%Y%m%d-").to_string()) {
            "bill number without the Bangkok date"
        } else if i > 0 && m.bills[i - 1].at > bill.at {
            "bills not sorted by time"
        } else {
            continue;
        };
        return Some(format!(
            "member {} bill {bill:?}: {problem} (at {local})",
            m.index
        ));
    }
    None
}

#[test]
fn same_config_generates_byte_identical_members() {
    let config = config(1_000);
    assert_eq!(debug_hash(&config, 1_000), debug_hash(&config, 1_000));
    let other_seed = DemoConfig {
        seed: config.seed + 1,
        ..config.clone()
    };
    assert_ne!(debug_hash(&config, 1_000), debug_hash(&other_seed, 1_000));
}

#[test]
fn random_access_matches_the_stream() {
    let config = config(5_000);
    let streamed: Vec<DemoMember> = members(&config).collect();
    assert_eq!(streamed.len(), 5_000);
    for index in [0, 1, 2, 17, 999, 2_500, 4_321, 4_999] {
        assert_eq!(member(&config, index), streamed[index as usize]);
        assert_eq!(streamed[index as usize].index, index);
    }
    // `nth` jumps straight to the member without generating the ones before it.
    assert_eq!(members(&config).nth(4_321), Some(streamed[4_321].clone()));
    assert_eq!(members(&config).skip(4_998).count(), 2);
}

#[test]
fn phones_are_unique_normalised_mobiles_across_200_000_members() {
    let config = DemoConfig {
        members: 200_000,
        bills_per_member_mean: 0.0,
        ..DemoConfig::default()
    };
    let mut phones = HashSet::with_capacity(200_000);
    for m in members(&config) {
        assert!(
            m.phone.len() == 10 && m.phone.bytes().all(|b| b.is_ascii_digit()),
            "{}",
            m.phone
        );
        assert!(["06", "08", "09"].contains(&&m.phone[..2]), "{}", m.phone);
        assert!(
            phones.insert(m.phone),
            "duplicate phone at member {}",
            m.index
        );
    }
}

#[test]
fn bill_numbers_are_unique_across_the_first_20_000_members() {
    let mut numbers = HashSet::new();
    let mut bills = 0;
    for m in members(&config(20_000)) {
        for bill in m.bills {
            bills += 1;
            assert!(
                numbers.insert(bill.bill_no.clone()),
                "duplicate {}",
                bill.bill_no
            );
        }
    }
    assert!(bills > 150_000, "{bills}");
}

#[test]
fn bills_are_in_shop_hours_after_registration_and_never_after_now() {
    let config = config(10_000);
    for m in members(&config) {
        assert_eq!(bill_violation(&config, &m), None);
    }
}

#[test]
fn mean_bills_per_member_matches_the_config_within_ten_percent() {
    for (mean, history_days) in [(10.0, 365), (3.0, 365), (25.0, 90)] {
        let config = DemoConfig {
            bills_per_member_mean: mean,
            history_days,
            ..config(10_000)
        };
        let bills: usize = members(&config).map(|m| m.bills.len()).sum();
        let got = bills as f64 / 10_000.0;
        assert!(
            (got - mean).abs() <= mean * 0.10,
            "asked {mean} over {history_days} days, got {got}"
        );
    }
}

#[test]
fn bill_counts_are_skewed_like_real_customers() {
    let all: Vec<usize> = members(&config(10_000)).map(|m| m.bills.len()).collect();
    let share = |f: &dyn Fn(usize) -> bool| all.iter().filter(|&&n| f(n)).count() as f64 / 10_000.0;
    assert!(share(&|n| (1..=5).contains(&n)) > 0.35, "few-bill members");
    assert!(share(&|n| n >= 30) > 0.03, "regulars with 30+ bills");
}

#[test]
fn members_look_like_a_thai_shop() {
    let config = config(10_000);
    let all: Vec<DemoMember> = members(&config).collect();
    let share =
        |f: &dyn Fn(&DemoMember) -> bool| all.iter().filter(|m| f(m)).count() as f64 / 10_000.0;
    let between =
        |x: f64, lo: f64, hi: f64| assert!((lo..=hi).contains(&x), "{x} not in {lo}..={hi}");

    between(share(&|m| !is_thai(&m.first_name)), 0.03, 0.07);
    assert!(
        all.iter()
            .all(|m| is_thai(&m.first_name) == is_thai(&m.last_name))
    );
    between(share(&|m| m.birthday.is_some()), 0.77, 0.83);
    between(share(&|m| m.email.is_some()), 0.27, 0.33);
    between(share(&|m| m.gender == DemoGender::Female), 0.45, 0.55);
    between(share(&|m| !m.tags.is_empty()), 0.10, 0.60);
    let window_start = config.now - TimeDelta::days(365);
    between(share(&|m| m.registered_at < window_start), 0.15, 0.25);
    assert!(all.iter().all(|m| m.registered_at <= config.now));

    let today = config.now.date_naive();
    for m in &all {
        if let Some(birthday) = m.birthday {
            let age = today.years_since(birthday).expect("born before today");
            assert!((16..=80).contains(&age), "member {} aged {age}", m.index);
        }
        if let Some(email) = &m.email {
            let (local, domain) = email.split_once('@').expect("an email has an @");
            assert!(
                !local.is_empty() && local.is_ascii() && domain.starts_with("example."),
                "{email}"
            );
        }
        let registered = m
            .registered_at
            .with_timezone(&FixedOffset::east_opt(7 * 3600).expect("offset"));
        assert!(
            (10..21).contains(&registered.hour()),
            "registered at {registered}"
        );
    }
    let used_branches: HashSet<usize> = all.iter().map(|m| m.branch).collect();
    assert_eq!(used_branches.len(), branches().len());
    let tags: HashSet<&str> = all
        .iter()
        .flat_map(|m| m.tags.iter().map(String::as_str))
        .collect();
    for tag in ["VIP", "ลูกค้าประจำ", "ขายส่ง", "ลูกค้าใหม่"]
    {
        assert!(tags.contains(tag), "no member tagged {tag}");
    }
    let born_in = |m: &DemoMember| m.birthday.map(|b| b.year());
    assert!(all.iter().filter_map(born_in).collect::<HashSet<_>>().len() > 50);
}

#[test]
fn branches_include_bangkok_and_chiang_mai() {
    let all = branches();
    assert!((2..=4).contains(&all.len()));
    assert!(all.iter().any(|b| b.code.starts_with("BKK")));
    assert!(all.iter().any(|b| b.code.starts_with("CNX")));
    let codes: HashSet<&str> = all.iter().map(|b| b.code.as_str()).collect();
    assert_eq!(codes.len(), all.len());
}

#[test]
fn degenerate_configs_generate_members_without_bills() {
    for config in [
        DemoConfig {
            history_days: 0,
            ..config(200)
        },
        DemoConfig {
            bills_per_member_mean: f64::NAN,
            ..config(200)
        },
        DemoConfig {
            bills_per_member_mean: -3.0,
            ..config(200)
        },
    ] {
        assert!(members(&config).all(|m| m.bills.is_empty()), "{config:?}");
    }
    assert_eq!(members(&config(0)).count(), 0);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn any_config_keeps_the_bill_promises(
        seed in any::<u64>(),
        index in 0..taem_demo::MEMBERS_MAX,
        history_days in 0_u32..2_000,
        mean in 0.0_f64..40.0,
        now_secs in 0_i64..4_000_000_000,
    ) {
        let config = DemoConfig {
            members: index + 1,
            seed,
            now: chrono::DateTime::from_timestamp(now_secs, 0).expect("in range"),
            history_days,
            bills_per_member_mean: mean,
        };
        let m = member(&config, index);
        prop_assert_eq!(m.index, index);
        prop_assert!(m.registered_at <= config.now);
        prop_assert_eq!(bill_violation(&config, &m), None);
    }
}
