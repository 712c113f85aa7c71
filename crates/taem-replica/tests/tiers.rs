//! Tier placement, upgrades on earning, rolling re-evaluation (full and incremental) and
//! settings changes, on a real replica file.

mod common;

use chrono::NaiveDate;
use common::*;
use proptest::prelude::*;
use taem_core::{CalculationPeriod, Points, TierChangeReason, TierSettings};
use taem_replica::{HistoryItem, RedeemRequest, ReevaluationMode, Replica, VoidRequest};

fn enable(r: &mut Replica, period: CalculationPeriod) {
    let current = r.settings().unwrap().tiers;
    let tiers = TierSettings::new(true, period, current.tiers().to_vec()).unwrap();
    r.set_tier_settings(tiers).unwrap();
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

#[test]
fn earning_upgrades_at_once_and_records_why() {
    let dir = tempfile::tempdir().unwrap();
    let (mut r, _) = replica(dir.path());
    enable(&mut r, CalculationPeriod::Last3Months);
    add(&mut r, "0812345678", "สมชาย", "ใจดี");
    let receipt = award(&mut r, "0812345678", "B1", "12500"); // 500 pt → Silver
    let change = receipt.tier_change.expect("an upgrade");
    assert_eq!(change.to.name, "ซิลเวอร์");
    assert_eq!(change.from.unwrap().name, "สมาชิก");
    assert_eq!(change.reason, TierChangeReason::Earned);
    let card = r.member(&key("0812345678")).unwrap();
    assert_eq!(card.next_tier.unwrap().name, "โกลด์");
    assert_eq!(card.points_to_next_tier, 1500);
    let history = r.history(&key("0812345678"), 50).unwrap();
    let tier_lines = history
        .iter()
        .filter(|h| matches!(h, HistoryItem::Tier(_)))
        .count();
    assert_eq!(tier_lines, 2, "registration placement and the upgrade");
}

#[test]
fn redeeming_never_lowers_a_tier() {
    let dir = tempfile::tempdir().unwrap();
    let (mut r, _) = replica(dir.path());
    enable(&mut r, CalculationPeriod::Last12Months);
    add(&mut r, "0812345678", "สมชาย", "ใจดี");
    award(&mut r, "0812345678", "B1", "12500");
    r.redeem(RedeemRequest {
        member: key("0812345678"),
        points: Points(500),
        reward: "voucher".into(),
        op_id: None,
    })
    .unwrap();
    let card = r.member(&key("0812345678")).unwrap();
    assert_eq!(card.balance, 0);
    assert_eq!(card.accumulated_points, 500);
    assert_eq!(card.tier.name, "ซิลเวอร์");
    let report = r
        .reevaluate_tiers(ReevaluationMode::Full, date(2026, 11, 30))
        .unwrap();
    assert_eq!(report.downgraded, 0);
}

#[test]
fn voiding_the_bill_that_upgraded_moves_the_member_back() {
    let dir = tempfile::tempdir().unwrap();
    let (mut r, _) = replica(dir.path());
    enable(&mut r, CalculationPeriod::Last12Months);
    add(&mut r, "0812345678", "สมชาย", "ใจดี");
    award(&mut r, "0812345678", "B1", "12500");
    let receipt = r
        .void_bill(VoidRequest {
            bill_no: "B1".into(),
            reason: "คืนสินค้า".into(),
            op_id: None,
        })
        .unwrap();
    let change = receipt.tier_change.expect("a downgrade");
    assert_eq!(change.to.name, "สมาชิก");
    assert_eq!(change.reason, TierChangeReason::BillVoided);
}

#[test]
fn rolling_window_moves_members_down_when_points_age_out() {
    let dir = tempfile::tempdir().unwrap();
    let (mut r, env) = replica(dir.path());
    enable(&mut r, CalculationPeriod::Last3Months);
    add(&mut r, "0812345678", "สมชาย", "ใจดี");
    add(&mut r, "0898765432", "สมหญิง", "รักดี");
    award(&mut r, "0812345678", "B1", "12500"); // 23 Nov: 500 pt, Silver
    env.set_now(at(2027, 1, 10, 3));
    award(&mut r, "0898765432", "B2", "12500"); // 10 Jan: Silver
    // Establish the window as of 1 Feb 2027: both still inside.
    let first = r
        .reevaluate_tiers(ReevaluationMode::Incremental, date(2027, 2, 1))
        .unwrap();
    assert_eq!(
        first.mode,
        ReevaluationMode::Incremental,
        "switching tiers on evaluated every member, so the daily run is incremental"
    );
    assert_eq!(first.downgraded, 0);
    // A preview for 23 Feb counts the move and makes none, and the daily run still finds it.
    let before = fingerprint(r.path());
    let preview = r.preview_tiers(date(2027, 2, 23)).unwrap();
    assert_eq!(
        (preview.upgraded, preview.downgraded, preview.saved),
        (0, 1, false)
    );
    assert_eq!(r.member(&key("0812345678")).unwrap().tier.name, "ซิลเวอร์");
    assert_eq!(fingerprint(r.path()), before, "a preview writes nothing");
    // 23 Feb: the window starts 24 Nov, so 23 Nov's points aged out.
    let daily = r
        .reevaluate_tiers(ReevaluationMode::Incremental, date(2027, 2, 23))
        .unwrap();
    assert_eq!(daily.mode, ReevaluationMode::Incremental);
    assert_eq!(
        daily.members_checked, 1,
        "only the member whose points aged out"
    );
    assert_eq!(daily.downgraded, 1);
    assert_eq!(r.member(&key("0812345678")).unwrap().tier.name, "สมาชิก");
    assert_eq!(r.member(&key("0898765432")).unwrap().tier.name, "ซิลเวอร์");
    // The next day nothing moves; a full run agrees.
    let next = r
        .reevaluate_tiers(ReevaluationMode::Incremental, date(2027, 2, 24))
        .unwrap();
    assert_eq!(next.members_checked, 0);
    let full = r
        .reevaluate_tiers(ReevaluationMode::Full, date(2027, 2, 24))
        .unwrap();
    assert_eq!((full.upgraded, full.downgraded), (0, 0));
    let history = r.history(&key("0812345678"), 10).unwrap();
    assert!(history.iter().any(|h| matches!(h,
        HistoryItem::Tier(c) if c.reason == TierChangeReason::Reevaluation)));
}

/// (entries marked for the fold, day buckets, the buckets' total)
fn fold_state(r: &Replica) -> (i64, i64, i64) {
    let conn = rusqlite::Connection::open(r.path()).unwrap();
    conn.query_row(
        "SELECT (SELECT COUNT(*) FROM ledger WHERE unbucketed = 1),
                (SELECT COUNT(*) FROM tier_points_daily),
                (SELECT COALESCE(SUM(points), 0) FROM tier_points_daily)",
        [],
        |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
    )
    .unwrap()
}

#[test]
fn a_sale_leaves_its_tier_credit_for_the_fold_and_still_counts_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let (mut r, _) = replica(dir.path());
    enable(&mut r, CalculationPeriod::Last3Months);
    add(&mut r, "0812345678", "สมชาย", "ใจดี");
    let receipt = award(&mut r, "0812345678", "B1", "12500"); // 500 pt → Silver
    assert!(receipt.tier_change.is_some(), "upgraded at once");
    assert_eq!(fold_state(&r), (1, 0, 0), "the sale wrote no day bucket");
    award(&mut r, "0812345678", "B2", "2500"); // 100 pt
    assert_eq!(
        r.member(&key("0812345678")).unwrap().accumulated_points,
        600
    );
    assert_eq!(r.tier_credit_backlog().unwrap(), 2);
    // A fold of one entry, then of the rest.
    assert_eq!(r.fold_tier_credit(1).unwrap(), 1);
    assert_eq!(fold_state(&r), (1, 1, 500));
    assert_eq!(
        r.member(&key("0812345678")).unwrap().accumulated_points,
        600
    );
    assert_eq!(r.fold_tier_credit(u64::MAX).unwrap(), 1);
    assert_eq!(fold_state(&r), (0, 1, 600), "one bucket for the day");
    assert_eq!(r.tier_credit_backlog().unwrap(), 0);
    assert_eq!(r.fold_tier_credit(u64::MAX).unwrap(), 0, "nothing left");
    // Buckets and a new entry together: 1,500 more reach Gold (2,000).
    let receipt = award(&mut r, "0812345678", "B3", "37500");
    assert_eq!(receipt.tier_change.unwrap().to.name, "โกลด์");
    let card = r.member(&key("0812345678")).unwrap();
    assert_eq!(card.accumulated_points, 2100);
    // A void takes credit back whether its bill's credit was folded or not.
    r.void_bill(VoidRequest {
        bill_no: "B1".into(),
        reason: "คืนสินค้า".into(),
        op_id: None,
    })
    .unwrap();
    assert_eq!(
        r.member(&key("0812345678")).unwrap().accumulated_points,
        1600
    );
    assert_balances_match_ledger(r.path());
}

#[test]
fn opening_a_replica_with_a_long_backlog_folds_it() {
    let dir = tempfile::tempdir().unwrap();
    let (mut r, env) = replica(dir.path());
    enable(&mut r, CalculationPeriod::Last12Months);
    add(&mut r, "0812345678", "สมชาย", "ใจดี");
    award(&mut r, "0812345678", "B1", "12500"); // 500 pt
    drop(r);
    // Ten thousand more entries the way sales leave them (1 tier point each, not folded).
    let conn =
        rusqlite::Connection::open(dir.path().join(taem_replica::REPLICA_FILE_NAME)).unwrap();
    conn.execute_batch(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10000)
         INSERT INTO ledger(member_id, kind, points, tier_credit, day, at_ms, branch, op_id,
                            counts_toward_tier, unbucketed)
         SELECT l.member_id, 'adjust', 0, 1, l.day, l.at_ms, l.branch, randomblob(16), 1, 1
         FROM n, (SELECT * FROM ledger LIMIT 1) l",
    )
    .unwrap();
    drop(conn);
    let reader = Replica::open(dir.path(), taem_replica::OpenMode::ReadOnly, env.clone()).unwrap();
    assert_eq!(
        reader.tier_credit_backlog().unwrap(),
        10_001,
        "a reader folds nothing"
    );
    assert_eq!(
        reader
            .member(&key("0812345678"))
            .unwrap()
            .accumulated_points,
        10_500
    );
    drop(reader);
    let r = Replica::open(dir.path(), taem_replica::OpenMode::ReadWrite, env).unwrap();
    assert_eq!(r.tier_credit_backlog().unwrap(), 0);
    assert_eq!(fold_state(&r), (0, 1, 10_500));
    assert_eq!(
        r.member(&key("0812345678")).unwrap().accumulated_points,
        10_500
    );
    assert_balances_match_ledger(r.path());
}

#[test]
fn changing_the_tiers_replaces_every_member() {
    let dir = tempfile::tempdir().unwrap();
    let (mut r, _) = replica(dir.path());
    enable(&mut r, CalculationPeriod::SinceRegistration);
    add(&mut r, "0812345678", "สมชาย", "ใจดี");
    award(&mut r, "0812345678", "B1", "5000"); // 200 pt
    let mut tiers = r.settings().unwrap().tiers.tiers().to_vec();
    tiers[1].start_points = Points(150); // Silver now from 150
    let settings = TierSettings::new(true, CalculationPeriod::SinceRegistration, tiers).unwrap();
    let report = r.set_tier_settings(settings).unwrap();
    assert_eq!(report.upgraded, 1);
    let history = r.history(&key("0812345678"), 10).unwrap();
    assert!(history.iter().any(|h| matches!(h,
        HistoryItem::Tier(c) if c.reason == TierChangeReason::SettingsChanged)));
}

#[test]
fn custom_tier_rates_apply_at_the_counter_only_when_the_system_is_on() {
    let dir = tempfile::tempdir().unwrap();
    let (mut r, _) = replica(dir.path());
    add(&mut r, "0812345678", "สมชาย", "ใจดี");
    let mut tiers = r.settings().unwrap().tiers.tiers().to_vec();
    tiers[0].rate_mode = taem_core::RateMode::Custom {
        rate: taem_core::PointRate::parse("10:1").unwrap(),
    };
    let off = TierSettings::new(false, CalculationPeriod::Last12Months, tiers.clone()).unwrap();
    r.set_tier_settings(off).unwrap();
    assert_eq!(
        award(&mut r, "0812345678", "B1", "100").points,
        4,
        "main rate 25→1"
    );
    let on = TierSettings::new(true, CalculationPeriod::Last12Months, tiers).unwrap();
    r.set_tier_settings(on).unwrap();
    assert_eq!(
        award(&mut r, "0812345678", "B2", "100").points,
        10,
        "custom 10→1"
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    /// However sales, voids and folds interleave, a member's accumulated points are the tier
    /// credit of their entries inside the window, each counted once.
    #[test]
    fn accumulated_points_count_each_entry_once_whenever_the_fold_runs(
        steps in proptest::collection::vec((0usize..3, 0u32..150, 1u32..400, 0u64..4), 1..25),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let (mut r, env) = replica(dir.path());
        let start = at(2026, 1, 1, 3);
        env.set_now(start);
        enable(&mut r, CalculationPeriod::Last3Months);
        let phones = ["0810000001", "0810000002", "0810000003"];
        for p in phones {
            add(&mut r, p, "ทดสอบ", "");
        }
        let mut sorted = steps.clone();
        sorted.sort_by_key(|s| s.1);
        let conn = rusqlite::Connection::open(r.path()).unwrap();
        for (i, (who, day, hundreds, fold)) in sorted.iter().enumerate() {
            let now = start + chrono::Duration::days(i64::from(*day));
            env.set_now(now);
            award(&mut r, phones[*who], &format!("B{i}"), &format!("{}", hundreds * 25));
            if hundreds % 3 == 0 {
                r.void_bill(VoidRequest {
                    bill_no: format!("B{i}"),
                    reason: "คืนสินค้า".into(),
                    op_id: None,
                })
                .unwrap();
            }
            match fold {
                0 => {}
                3 => {
                    r.fold_tier_credit(u64::MAX).unwrap();
                }
                n => {
                    r.fold_tier_credit(*n).unwrap();
                }
            }
            let today = taem_core::time::bangkok_date(now);
            let first = CalculationPeriod::Last3Months
                .window_start(today)
                .map(taem_core::time::day_number)
                .unwrap();
            for p in phones {
                let expected: i64 = conn
                    .query_row(
                        "SELECT COALESCE(SUM(tier_credit), 0) FROM ledger
                         WHERE member_id = (SELECT id FROM members WHERE phone = ?1)
                           AND day >= ?2",
                        rusqlite::params![p, first],
                        |row| row.get(0),
                    )
                    .unwrap();
                prop_assert_eq!(r.member(&key(p)).unwrap().accumulated_points, expected);
            }
        }
        common::assert_buckets_match_ledger(&conn);
    }

    /// Whatever the history, a daily incremental run ends where a full run would.
    #[test]
    fn incremental_reevaluation_agrees_with_full(
        bills in proptest::collection::vec((0usize..4, 0u32..200, 1u32..400), 1..30),
        days_later in 1u32..200,
    ) {
        let dir = tempfile::tempdir().unwrap();
        let (mut r, env) = replica(dir.path());
        let start = at(2026, 1, 1, 3);
        env.set_now(start);
        enable(&mut r, CalculationPeriod::Last3Months);
        let phones = ["0810000001", "0810000002", "0810000003", "0810000004"];
        for p in phones {
            add(&mut r, p, "ทดสอบ", "");
        }
        let mut sorted = bills.clone();
        sorted.sort_by_key(|b| b.1);
        for (i, (who, day, hundreds)) in sorted.iter().enumerate() {
            env.set_now(start + chrono::Duration::days(i64::from(*day)));
            award(&mut r, phones[*who], &format!("B{i}"), &format!("{}", hundreds * 25));
        }
        let last = start + chrono::Duration::days(200);
        let d0 = taem_core::time::bangkok_date(last);
        r.reevaluate_tiers(ReevaluationMode::Incremental, d0).unwrap();
        let d1 = d0 + chrono::Duration::days(i64::from(days_later));
        r.reevaluate_tiers(ReevaluationMode::Incremental, d1).unwrap();
        let full = r.reevaluate_tiers(ReevaluationMode::Full, d1).unwrap();
        prop_assert_eq!((full.upgraded, full.downgraded), (0, 0));
        assert_balances_match_ledger(r.path());
    }
}

#[test]
fn a_preview_as_of_an_earlier_day_leaves_out_what_was_earned_after_it() {
    let dir = tempfile::tempdir().unwrap();
    let (mut r, env) = replica(dir.path());
    enable(&mut r, CalculationPeriod::Last3Months);
    add(&mut r, "0812345678", "สมชาย", "ใจดี");
    add(&mut r, "0898765432", "สมหญิง", "รักดี");
    award(&mut r, "0812345678", "B1", "12500"); // 23 Nov 2026: 500 pt, Silver
    env.set_now(at(2027, 1, 10, 3));
    award(&mut r, "0898765432", "B2", "12500"); // 10 Jan 2027: Silver
    // As of 1 Dec 2026 the second member had earned nothing yet: Silver was not theirs.
    for _ in 0..2 {
        let preview = r.preview_tiers(date(2026, 12, 1)).unwrap();
        assert_eq!((preview.upgraded, preview.downgraded), (0, 1));
        // Once the entries are folded into the day buckets, the same.
        r.fold_tier_credit(u64::MAX).unwrap();
    }
    // As of today (10 Jan) both keep Silver.
    let today = r.preview_tiers(date(2027, 1, 10)).unwrap();
    assert_eq!((today.upgraded, today.downgraded), (0, 0));
}

#[test]
fn a_removed_tier_keeps_its_name_in_history_and_its_id_is_never_given_again() {
    let dir = tempfile::tempdir().unwrap();
    let (mut r, _) = replica(dir.path());
    enable(&mut r, CalculationPeriod::Last12Months);
    add(&mut r, "0812345678", "สมชาย", "ใจดี");
    award(&mut r, "0812345678", "B1", "12500"); // 500 pt: สมาชิก → ซิลเวอร์ (id 2)
    // The shop removes ซิลเวอร์ and โกลด์ (ids 2 and 3); the member goes back to สมาชิก.
    let current = r.settings().unwrap().tiers;
    let lowest = current.tiers()[0].clone();
    let only_lowest = TierSettings::new(true, current.period, vec![lowest.clone()]).unwrap();
    r.set_tier_settings(only_lowest).unwrap();
    let after_removal = r.settings().unwrap().tiers;
    assert_eq!(
        after_removal
            .retired()
            .iter()
            .map(|t| t.id)
            .collect::<Vec<_>>(),
        vec![2, 3]
    );
    // A new tier gets an id no tier ever had.
    let diamond_id = after_removal.next_free_id();
    assert_eq!(diamond_id, 4);
    let mut diamond = lowest.clone();
    diamond.id = diamond_id;
    diamond.name = "ไดมอนด์".into();
    diamond.start_points = Points(3000);
    let with_diamond =
        TierSettings::new(true, current.period, vec![lowest.clone(), diamond.clone()]).unwrap();
    r.set_tier_settings(with_diamond).unwrap();
    // Every recorded change still names the tiers it was between.
    let names: Vec<(Option<String>, String)> = r
        .history(&key("0812345678"), 50)
        .unwrap()
        .into_iter()
        .filter_map(|h| match h {
            HistoryItem::Tier(c) => Some((c.from.map(|f| f.name), c.to.name)),
            _ => None,
        })
        .collect();
    assert!(
        names.contains(&(Some("สมาชิก".into()), "ซิลเวอร์".into())),
        "{names:?}"
    );
    assert!(
        names.contains(&(Some("ซิลเวอร์".into()), "สมาชิก".into())),
        "{names:?}"
    );
    assert!(
        !names.iter().any(|(f, t)| t.starts_with('#')
            || f.as_deref()
                .is_some_and(|f| f.starts_with('#') || f == "ไดมอนด์")),
        "{names:?}"
    );
    // A tier given a removed tier's id is refused, and nothing changes.
    let mut reused = diamond;
    reused.id = 2;
    let refused = TierSettings::new(true, current.period, vec![lowest, reused]).unwrap();
    let err = r.set_tier_settings(refused).unwrap_err().to_string();
    assert!(err.contains("removed tier `ซิลเวอร์`"), "{err}");
    assert_eq!(r.settings().unwrap().tiers.tiers().len(), 2);
}

#[test]
fn members_not_yet_replaced_after_a_tier_change_are_replaced_when_the_replica_opens() {
    let dir = tempfile::tempdir().unwrap();
    let (mut r, env) = replica(dir.path());
    enable(&mut r, CalculationPeriod::Last12Months);
    add(&mut r, "0812345678", "สมชาย", "ใจดี");
    award(&mut r, "0812345678", "B1", "12500"); // 500 pt: ซิลเวอร์
    assert_eq!(r.member(&key("0812345678")).unwrap().tier.name, "ซิลเวอร์");
    let path = r.path().to_path_buf();
    drop(r);
    // What a program killed during `tiers period` leaves: the new settings (here: Silver
    // from 5,000 points) saved, the member still in the tier of the old ones.
    {
        let mut r =
            Replica::open(dir.path(), taem_replica::OpenMode::ReadWrite, env.clone()).unwrap();
        let current = r.settings().unwrap().tiers;
        let mut tiers = current.tiers().to_vec();
        tiers[1].start_points = Points(5_000);
        tiers[2].start_points = Points(9_000);
        r.set_tier_settings(TierSettings::new(true, current.period, tiers).unwrap())
            .unwrap();
    }
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute_batch(
        "UPDATE members SET tier_id = 2;
         INSERT OR REPLACE INTO meta(key, value) VALUES ('tier_replacement_due', '1');",
    )
    .unwrap();
    drop(conn);
    let mut r = Replica::open(dir.path(), taem_replica::OpenMode::ReadWrite, env).unwrap();
    assert_eq!(r.member(&key("0812345678")).unwrap().tier.name, "สมาชิก");
    // Done once: the next opening has nothing to do.
    let report = r
        .reevaluate_tiers(ReevaluationMode::Full, date(2026, 11, 23))
        .unwrap();
    assert_eq!((report.upgraded, report.downgraded), (0, 0));
}
