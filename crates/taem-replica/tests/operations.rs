//! Counter operations on a real replica file: effects, exactly-once, and refusals that
//! change nothing.

mod common;

use common::*;
use taem_core::{Money, Points};
use taem_replica::{
    AdjustRequest, AwardRequest, MemberKey, NewMember, RedeemRequest, ReplicaError, VoidRequest,
};
use uuid::Uuid;

#[test]
fn awarding_writes_entry_balance_and_one_outbox_row() {
    let dir = tempfile::tempdir().unwrap();
    let (mut r, _) = replica(dir.path());
    add(&mut r, "081-234-5678", "สมชาย", "ใจดี");
    let receipt = award(&mut r, "0812345678", "B-001", "1,250.50");
    assert_eq!(receipt.points, 50, "1,250.50 THB at 25→1 earns 50");
    assert_eq!(receipt.member.balance, 50);
    let card = r.member(&key("0812345678")).unwrap();
    assert_eq!(card.balance_pending, 50);
    assert_eq!(card.balance_confirmed, 0);
    let ops = r.pending_operations(10).unwrap();
    assert_eq!(ops.len(), 2, "register + earn");
    assert_eq!(
        ops.iter().map(|o| o.device_seq).collect::<Vec<_>>(),
        vec![1, 2]
    );
    assert_eq!(ops[1].op_id, receipt.op_id);
    assert_eq!(
        ops[1].op_id.get_version_num(),
        7,
        "operation ids are UUIDv7"
    );
    assert_balances_match_ledger(r.path());
}

#[test]
fn an_award_receipt_shows_the_member_as_a_search_then_finds_them() {
    let dir = tempfile::tempdir().unwrap();
    let (mut r, _) = replica(dir.path());
    add(&mut r, "081-234-5678", "สมชาย", "ใจดี");
    add(&mut r, "089-876-5432", "มะลิ", "");
    for (phone, bill) in [
        ("0812345678", "B-1"),
        ("0898765432", "B-2"),
        ("0812345678", "B-3"),
    ] {
        let receipt = award(&mut r, phone, bill, "500");
        let found = r.find(phone, 5).unwrap().members;
        assert_eq!(found.len(), 1);
        assert_eq!(receipt.member, found[0], "receipt of {bill}");
        assert_eq!(receipt.rate.as_deref(), Some("25.00 THB = 1 pt"));
    }
    let receipt = award(&mut r, "0812345678", "B-4", "50");
    assert_eq!(receipt.member.name, "สมชาย ใจดี");
    assert_eq!(receipt.member.balance, 42, "20 + 20 + 2");
}

#[test]
fn the_member_card_shows_the_latest_points_entry() {
    let dir = tempfile::tempdir().unwrap();
    let (mut r, _) = replica(dir.path());
    let card = add(&mut r, "0812345678", "สมชาย", "ใจดี");
    assert_eq!(card.last_activity, None, "a new member has no activity yet");
    award(&mut r, "0812345678", "B-001", "100");
    let second = award(&mut r, "0812345678", "B-002", "250");
    let last = r
        .member(&key("0812345678"))
        .unwrap()
        .last_activity
        .expect("the card shows the last visit");
    assert_eq!(last.op_id, second.op_id, "the newest entry, not the first");
    assert_eq!(last.bill_no.as_deref(), Some("B-002"));
    assert_eq!((last.points, last.amount.as_deref()), (10, Some("250.00")));
    assert!(!last.confirmed);
    r.redeem(RedeemRequest {
        member: key("0812345678"),
        points: Points(5),
        reward: "กาแฟ".into(),
        op_id: None,
    })
    .unwrap();
    let last = r.member(&key("0812345678")).unwrap().last_activity.unwrap();
    assert_eq!(
        (last.kind, last.points),
        (taem_core::LedgerKind::Redeem, -5)
    );
}

#[test]
fn a_bill_earns_once_and_the_refusal_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (mut r, _) = replica(dir.path());
    add(&mut r, "0812345678", "สมชาย", "ใจดี");
    add(&mut r, "0898765432", "สมหญิง", "รักดี");
    award(&mut r, "0812345678", "B-001", "100");
    let before = fingerprint(r.path());
    let err = r
        .award(AwardRequest {
            member: key("0898765432"),
            bill_no: "B-001".into(),
            amount: Money::parse("500").unwrap(),
            op_id: None,
        })
        .unwrap_err();
    assert!(
        matches!(err, ReplicaError::BillAlreadyEarned { .. }),
        "{err}"
    );
    assert!(err.to_string().contains("B-001"));
    assert_eq!(fingerprint(r.path()), before);
}

#[test]
fn retrying_an_award_with_the_same_operation_id_applies_it_once() {
    let dir = tempfile::tempdir().unwrap();
    let (mut r, _) = replica(dir.path());
    add(&mut r, "0812345678", "สมชาย", "ใจดี");
    let op_id = Uuid::now_v7();
    let req = AwardRequest {
        member: key("0812345678"),
        bill_no: "B-7".into(),
        amount: Money::parse("250").unwrap(),
        op_id: Some(op_id),
    };
    let first = r.award(req.clone()).unwrap();
    let before = fingerprint(r.path());
    let again = r.award(req.clone()).unwrap();
    assert!(!first.replayed);
    assert!(again.replayed);
    assert_eq!(again.points, first.points);
    assert_eq!(again.member.balance, 10);
    assert_eq!(fingerprint(r.path()), before, "a replay writes nothing");
    // The same id with another payload is refused, not silently accepted.
    let other = AwardRequest {
        amount: Money::parse("999").unwrap(),
        ..req
    };
    assert!(matches!(
        r.award(other),
        Err(ReplicaError::OperationIdReused { .. })
    ));
    assert_eq!(fingerprint(r.path()), before);
}

#[test]
fn voiding_takes_points_back_exactly_once() {
    let dir = tempfile::tempdir().unwrap();
    let (mut r, _) = replica(dir.path());
    add(&mut r, "0812345678", "สมชาย", "ใจดี");
    award(&mut r, "0812345678", "B-1", "1000");
    let void = |r: &mut taem_replica::Replica| {
        r.void_bill(VoidRequest {
            bill_no: "B-1".into(),
            reason: "สินค้าคืน".into(),
            op_id: None,
        })
    };
    let receipt = void(&mut r).unwrap();
    assert_eq!(receipt.points, -40);
    assert_eq!(receipt.member.balance, 0);
    let before = fingerprint(r.path());
    assert!(matches!(
        void(&mut r),
        Err(ReplicaError::BillAlreadyVoided { .. })
    ));
    assert_eq!(fingerprint(r.path()), before);
    // The bill again, say for the member it should have gone to: the number stays spent,
    // and the refusal says it was voided and what to do instead.
    add(&mut r, "0898765432", "สมหญิง", "รักดี");
    let again = r
        .award(AwardRequest {
            member: key("0898765432"),
            bill_no: "B-1".into(),
            amount: Money::parse("1000").unwrap(),
            op_id: None,
        })
        .unwrap_err();
    let text = again.to_string();
    assert!(
        matches!(again, ReplicaError::BillEarnedThenVoided { points: 40, .. }),
        "{text}"
    );
    assert!(text.contains("and was voided on"), "{text}");
    assert!(
        text.contains("under a new bill number, e.g. B-1-1"),
        "{text}"
    );
    assert_eq!(again.code(), "bill_already_earned");
    // The preview asks the same before the cashier confirms.
    assert_eq!(
        r.check_bill_for_award(" B-1 ").unwrap_err().to_string(),
        text
    );
    r.check_bill_for_award("B-2").unwrap();
    assert!(matches!(
        r.check_bill_for_award("  "),
        Err(ReplicaError::BadBillNumber { .. })
    ));
    // A Thai receipt number, vowel and tone marks included; typed with Thai digits, or a
    // Latin one in lower case, it is the same bill.
    assert_eq!(award(&mut r, "0898765432", "ใบเสร็จ-001", "100").points, 4);
    for (again, earned) in [("ใบเสร็จ-๐๐๑", "ใบเสร็จ-001"), (" b-1 ", "B-1")]
    {
        let refused = r
            .award(AwardRequest {
                member: key("0898765432"),
                bill_no: again.into(),
                amount: Money::parse("100").unwrap(),
                op_id: None,
            })
            .unwrap_err();
        assert_eq!(refused.code(), "bill_already_earned", "{again}: {refused}");
        assert!(refused.to_string().contains(earned), "{refused}");
    }
    let before = fingerprint(r.path());
    assert!(matches!(
        r.void_bill(VoidRequest {
            bill_no: "NOPE".into(),
            reason: "x".into(),
            op_id: None
        }),
        Err(ReplicaError::BillNotFound { .. })
    ));
    assert!(matches!(
        r.void_bill(VoidRequest {
            bill_no: "B-1".into(),
            reason: "  ".into(),
            op_id: None
        }),
        Err(ReplicaError::ReasonRequired { .. })
    ));
    let long = "ก".repeat(201);
    let too_long = r
        .void_bill(VoidRequest {
            bill_no: "B-1".into(),
            reason: long,
            op_id: None,
        })
        .unwrap_err();
    assert_eq!(
        too_long.to_string(),
        "the reason for voiding a bill has 201 characters; at most 200 are kept: shorten it"
    );
    assert_eq!(fingerprint(r.path()), before);
    assert_balances_match_ledger(r.path());
}

#[test]
fn redeeming_never_goes_below_the_visible_balance() {
    let dir = tempfile::tempdir().unwrap();
    let (mut r, _) = replica(dir.path());
    let member = add(&mut r, "0812345678", "สมชาย", "ใจดี");
    award(&mut r, "0812345678", "B-1", "2500");
    let redeem = |r: &mut taem_replica::Replica, points: i64| {
        r.redeem(RedeemRequest {
            member: key("0812345678"),
            points: Points(points),
            reward: "กาแฟฟรี 1 แก้ว".into(),
            op_id: None,
        })
    };
    let before = fingerprint(r.path());
    let err = redeem(&mut r, 101).unwrap_err();
    assert!(
        matches!(
            err,
            ReplicaError::InsufficientPoints {
                balance: 100,
                requested: 101,
                ..
            }
        ),
        "{err}"
    );
    assert_eq!(
        err.to_string(),
        format!(
            "member {} has 100 points; 101 cannot be redeemed: choose a smaller reward",
            grouped(&member.code)
        ),
        "the code as printed on the card"
    );
    assert_eq!(fingerprint(r.path()), before);
    let ok = redeem(&mut r, 100).unwrap();
    assert_eq!(ok.member.balance, 0);
    assert!(redeem(&mut r, 1).is_err());
    assert!(redeem(&mut r, 0).is_err(), "zero points is refused");
}

#[test]
fn adjustments_need_a_reason_and_may_count_toward_the_tier() {
    let dir = tempfile::tempdir().unwrap();
    let (mut r, _) = replica(dir.path());
    let member = add(&mut r, "0812345678", "สมชาย", "ใจดี");
    let adjust = |r: &mut taem_replica::Replica, points: i64, reason: &str, counts: bool| {
        r.adjust(AdjustRequest {
            member: key("0812345678"),
            points: Points(points),
            reason: reason.into(),
            counts_toward_tier: counts,
            op_id: None,
        })
    };
    let before = fingerprint(r.path());
    assert!(matches!(
        adjust(&mut r, 50, "", false),
        Err(ReplicaError::ReasonRequired { .. })
    ));
    assert!(adjust(&mut r, 0, "x", false).is_err());
    let below = adjust(&mut r, -1, "oops", false).unwrap_err();
    assert!(
        matches!(below, ReplicaError::AdjustBelowZero { after: -1, .. }),
        "{below}"
    );
    assert!(
        below
            .to_string()
            .starts_with(&format!("member {} has 0 points", grouped(&member.code))),
        "{below}"
    );
    assert_eq!(fingerprint(r.path()), before);
    adjust(&mut r, 600, "ชดเชยสินค้าล่าช้า", false).unwrap();
    let card = r.member(&key("0812345678")).unwrap();
    assert_eq!(card.balance, 600);
    assert_eq!(card.accumulated_points, 0, "not counting toward the tier");
    adjust(&mut r, 600, "โปรโมชันพิเศษ", true).unwrap();
    let card = r.member(&key("0812345678")).unwrap();
    assert_eq!(card.accumulated_points, 600);
    assert_eq!(
        card.tier.name, "ซิลเวอร์",
        "600 counting points reach Silver (500)"
    );
    assert_balances_match_ledger(r.path());
}

#[test]
fn unknown_members_and_bad_bill_numbers_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (mut r, _) = replica(dir.path());
    add(&mut r, "0812345678", "สมชาย", "ใจดี");
    let before = fingerprint(r.path());
    let unknown = r
        .award(AwardRequest {
            member: key("0899999999"),
            bill_no: "B-1".into(),
            amount: Money::parse("100").unwrap(),
            op_id: None,
        })
        .unwrap_err();
    assert!(matches!(unknown, ReplicaError::UnknownMember { .. }));
    assert!(unknown.to_string().contains("089-999-9999"), "{unknown}");
    for bill in ["", "   ", "bill with spaces", &"x".repeat(65)] {
        let err = r
            .award(AwardRequest {
                member: key("0812345678"),
                bill_no: bill.into(),
                amount: Money::parse("100").unwrap(),
                op_id: None,
            })
            .unwrap_err();
        assert!(
            matches!(err, ReplicaError::BadBillNumber { .. }),
            "{bill}: {err}"
        );
    }
    let tiny = r
        .award(AwardRequest {
            member: key("0812345678"),
            bill_no: "B-2".into(),
            amount: Money::parse("24.99").unwrap(),
            op_id: None,
        })
        .unwrap_err();
    assert!(matches!(tiny, ReplicaError::NothingToEarn { .. }), "{tiny}");
    assert_eq!(fingerprint(r.path()), before);
}

#[test]
fn registering_a_taken_phone_in_another_form_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (mut r, _) = replica(dir.path());
    let first = add(&mut r, "081-234-5678", "สมชาย", "ใจดี");
    let before = fingerprint(r.path());
    let err = r
        .register_member(NewMember {
            phone: phone("+66 81 234 5678"),
            profile: taem_core::MemberProfile {
                first_name: "ซ้ำ".into(),
                ..Default::default()
            },
            op_id: None,
        })
        .unwrap_err();
    assert!(matches!(err, ReplicaError::PhoneTaken { .. }));
    assert!(err.to_string().contains("สมชาย ใจดี"), "{err}");
    assert_eq!(fingerprint(r.path()), before);
    assert_eq!(
        first.tier.name, "สมาชิก",
        "new members start in the lowest tier"
    );
    assert!(
        taem_core::MemberCode::parse(&first.code).is_ok(),
        "codes check out"
    );
}

/// Random bits from a script first, then from a fixed sequence: lets a test make a
/// registration draw a member code that is already taken.
struct ScriptedRandom {
    script: std::sync::Mutex<std::collections::VecDeque<u64>>,
    rest: taem_replica::FixedEnvironment,
}

impl taem_replica::Environment for ScriptedRandom {
    fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.rest.now()
    }
    fn random_u64(&self) -> u64 {
        let next = self.script.lock().unwrap().pop_front();
        next.unwrap_or_else(|| self.rest.random_u64())
    }
}

#[test]
fn a_member_code_already_taken_is_drawn_again_and_eight_misses_change_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let env = std::sync::Arc::new(ScriptedRandom {
        script: Default::default(),
        rest: taem_replica::FixedEnvironment::new(at(2026, 11, 23, 3), 7),
    });
    let mut r =
        taem_replica::Replica::create(dir.path(), "ร้านทดสอบ", "BKK01", env.clone()).unwrap();
    let register = |r: &mut taem_replica::Replica, p: &str, script: &[u64]| {
        // The registration's draws: two for the member's global id (from the phone, so each
        // member's differs), then one per code.
        let id_bits = p
            .parse::<u64>()
            .unwrap()
            .wrapping_mul(0x9E37_79B9_7F4A_7C15);
        env.script
            .lock()
            .unwrap()
            .extend([id_bits, id_bits].iter().chain(script));
        r.register_member(NewMember {
            phone: phone(p),
            profile: taem_core::MemberProfile {
                first_name: "สมชาย".into(),
                ..Default::default()
            },
            op_id: Some(Uuid::now_v7()),
        })
    };
    let taken = taem_core::MemberCode::from_bits(0xA11CE);
    let first = register(&mut r, "0812345678", &[0xA11CE]).unwrap().member;
    assert_eq!(first.code, taken.as_str());

    // The first draw is the first member's code: the second one is kept.
    let second = register(&mut r, "0812345679", &[0xA11CE, 0xB0B])
        .unwrap()
        .member;
    assert_eq!(
        second.code,
        taem_core::MemberCode::from_bits(0xB0B).as_str()
    );
    assert_eq!(r.member(&key("0812345678")).unwrap().code, taken.as_str());

    // Eight taken draws in a row: refused, nothing written.
    let before = fingerprint(r.path());
    let err = register(&mut r, "0812345670", &[0xA11CE; 8]).unwrap_err();
    assert!(err.to_string().contains("member code"), "{err}");
    assert_eq!(fingerprint(r.path()), before);
    assert_eq!(
        r.pending_operations(100).unwrap().len(),
        2,
        "two registrations waiting"
    );
}

#[test]
fn editing_changes_fields_and_keeps_phones_unique() {
    let dir = tempfile::tempdir().unwrap();
    let (mut r, _) = replica(dir.path());
    let m = add(&mut r, "0812345678", "สมชาย", "ใจดี");
    add(&mut r, "0898765432", "สมหญิง", "รักดี");
    use taem_core::ProfileChange::*;
    let id = MemberKey::Id(m.member_id);
    let edited = r
        .edit_member(
            &id,
            vec![
                LastName("ใจงาม".into()),
                Email(Some("Somchai@Example.com".into())),
            ],
            None,
        )
        .unwrap();
    assert_eq!(edited.member.profile.full_name(), "สมชาย ใจงาม");
    assert_eq!(
        edited.member.profile.email.as_deref(),
        Some("somchai@example.com")
    );
    assert_eq!(
        r.find("ใจงาม", 5).unwrap().members.len(),
        1,
        "name index follows edits"
    );
    assert!(r.find("ใจดี", 5).unwrap().members.is_empty());
    let before = fingerprint(r.path());
    let taken = r.edit_member(&id, vec![Phone(phone("0898765432"))], None);
    assert!(matches!(taken, Err(ReplicaError::PhoneTaken { .. })));
    let bad_email = r.edit_member(&id, vec![Email(Some("nope".into()))], None);
    assert!(matches!(bad_email, Err(ReplicaError::Profile(_))));
    assert!(matches!(
        r.edit_member(&id, vec![], None),
        Err(ReplicaError::NothingToChange)
    ));
    assert_eq!(fingerprint(r.path()), before);
    r.edit_member(&id, vec![Phone(phone("0611111111"))], None)
        .unwrap();
    assert!(r.member(&key("0611111111")).is_ok());
    assert_eq!(r.pending_operations(100).unwrap().len(), 4);
}

#[test]
fn every_operation_kind_leaves_the_ledger_consistent() {
    let dir = tempfile::tempdir().unwrap();
    let (mut r, _) = replica(dir.path());
    add(&mut r, "0812345678", "A", "");
    for i in 0..30 {
        award(
            &mut r,
            "0812345678",
            &format!("B{i}"),
            &format!("{}", 100 + i * 37),
        );
    }
    for i in (0..30).step_by(3) {
        r.void_bill(VoidRequest {
            bill_no: format!("B{i}"),
            reason: "return".into(),
            op_id: None,
        })
        .unwrap();
    }
    r.redeem(RedeemRequest {
        member: key("0812345678"),
        points: Points(20),
        reward: "mug".into(),
        op_id: None,
    })
    .unwrap();
    assert_balances_match_ledger(r.path());
    let seqs: Vec<u64> = r
        .pending_operations(1000)
        .unwrap()
        .iter()
        .map(|o| o.device_seq)
        .collect();
    assert_eq!(seqs, (1..=seqs.len() as u64).collect::<Vec<_>>(), "gapless");
}

#[test]
fn a_balance_left_negative_by_a_void_can_be_adjusted_back_up() {
    let dir = tempfile::tempdir().unwrap();
    let (mut r, _) = replica(dir.path());
    add(&mut r, "0812345678", "สมชาย", "ใจดี");
    award(&mut r, "0812345678", "B1", "1250");
    r.redeem(RedeemRequest {
        member: key("0812345678"),
        points: Points(40),
        reward: "แก้วน้ำ".into(),
        op_id: None,
    })
    .unwrap();
    // The goods came back after the points were spent: the void still takes them back.
    let void = r
        .void_bill(VoidRequest {
            bill_no: "B1".into(),
            reason: "คืนสินค้า".into(),
            op_id: None,
        })
        .unwrap();
    assert_eq!(void.member.balance, -40);
    assert_eq!(void.reason.as_deref(), Some("คืนสินค้า"));
    let up = r
        .adjust(AdjustRequest {
            member: key("0812345678"),
            points: Points(30),
            reason: "ชดเชย".into(),
            counts_toward_tier: false,
            op_id: None,
        })
        .unwrap();
    assert_eq!(up.member.balance, -10);
    assert_balances_match_ledger(r.path());
}

/// A member code as printed on the card.
fn grouped(code: &str) -> String {
    taem_core::MemberCode::parse(code)
        .unwrap()
        .display_grouped()
}

#[test]
fn a_voided_bill_nets_to_zero_in_the_ledger_download() {
    let dir = tempfile::tempdir().unwrap();
    let (mut r, _) = replica(dir.path());
    add(&mut r, "0812345678", "สมชาย", "ใจดี");
    award(&mut r, "0812345678", "B1", "1000");
    r.void_bill(VoidRequest {
        bill_no: "B1".into(),
        reason: "คืนสินค้า".into(),
        op_id: None,
    })
    .unwrap();
    let mut amounts = Vec::new();
    r.export_ledger::<taem_replica::ReplicaError>(
        &taem_core::export::ExportFilter::default(),
        &[],
        |row| {
            amounts.push((row.kind.as_str().to_string(), row.amount_satang));
            Ok(())
        },
    )
    .unwrap();
    assert_eq!(
        amounts,
        vec![
            ("earn".to_string(), Some(100_000)),
            ("earn_reversal".to_string(), Some(-100_000))
        ]
    );
}
