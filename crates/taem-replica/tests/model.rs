//! A model-based property test: random runs of counter operations — with retries of earlier
//! operation ids, refusals and voids — against a plain in-memory model of what the ledger
//! rules say. The replica must agree with the model on every balance and every refusal.

mod common;

use std::collections::{HashMap, HashSet};

use common::*;
use proptest::prelude::*;
use taem_core::{Money, Points};
use taem_replica::{AdjustRequest, AwardRequest, RedeemRequest, ReplicaError, VoidRequest};
use uuid::Uuid;

const PHONES: [&str; 3] = ["0810000001", "0810000002", "0810000003"];

#[derive(Clone, Debug)]
enum Step {
    Award {
        who: usize,
        bill: u8,
        baht: u32,
    },
    Void {
        bill: u8,
    },
    Redeem {
        who: usize,
        points: i64,
    },
    Adjust {
        who: usize,
        points: i64,
    },
    /// Send step number `n` (modulo the steps so far) again with its original id.
    Retry {
        n: usize,
    },
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        4 => (0usize..3, 0u8..12, 1u32..3000).prop_map(|(who, bill, baht)| Step::Award { who, bill, baht }),
        1 => (0u8..12).prop_map(|bill| Step::Void { bill }),
        2 => (0usize..3, 1i64..150).prop_map(|(who, points)| Step::Redeem { who, points }),
        1 => (0usize..3, -60i64..60).prop_map(|(who, points)| Step::Adjust { who, points }),
        2 => (0usize..1000).prop_map(|n| Step::Retry { n }),
    ]
}

/// What the rules say, with no SQL.
#[derive(Default)]
struct Model {
    balance: [i64; 3],
    earned: HashMap<u8, (usize, i64)>,
    voided: HashSet<u8>,
}

fn run(r: &mut taem_replica::Replica, step: &Step, op_id: Uuid) -> Result<i64, ReplicaError> {
    let receipt = match step {
        Step::Award { who, bill, baht } => r.award(AwardRequest {
            member: key(PHONES[*who]),
            bill_no: format!("B{bill}"),
            amount: Money::from_satang(i64::from(*baht) * 100).unwrap(),
            op_id: Some(op_id),
        }),
        Step::Void { bill } => r.void_bill(VoidRequest {
            bill_no: format!("B{bill}"),
            reason: "คืนสินค้า".into(),
            op_id: Some(op_id),
        }),
        Step::Redeem { who, points } => r.redeem(RedeemRequest {
            member: key(PHONES[*who]),
            points: Points(*points),
            reward: "ของรางวัล".into(),
            op_id: Some(op_id),
        }),
        Step::Adjust { who, points } => r.adjust(AdjustRequest {
            member: key(PHONES[*who]),
            points: Points(*points),
            reason: "ปรับ".into(),
            counts_toward_tier: true,
            op_id: Some(op_id),
        }),
        Step::Retry { .. } => unreachable!("retries are resolved to their step"),
    }?;
    Ok(receipt.points)
}

/// Applies a step to the model: `Some(points)` when the rules accept it, `None` when refused.
fn expect(m: &mut Model, step: &Step) -> Option<i64> {
    match step {
        Step::Award { who, bill, baht } => {
            let points = i64::from(*baht) / 25;
            if m.earned.contains_key(bill) || points == 0 {
                return None;
            }
            m.earned.insert(*bill, (*who, points));
            m.balance[*who] += points;
            Some(points)
        }
        Step::Void { bill } => {
            let (who, points) = *m.earned.get(bill)?;
            if !m.voided.insert(*bill) {
                return None;
            }
            m.balance[who] -= points;
            Some(-points)
        }
        Step::Redeem { who, points } => {
            if m.balance[*who] < *points {
                return None;
            }
            m.balance[*who] -= points;
            Some(-points)
        }
        Step::Adjust { who, points } => {
            if *points == 0 || (*points < 0 && m.balance[*who] + points < 0) {
                return None;
            }
            m.balance[*who] += points;
            Some(*points)
        }
        Step::Retry { .. } => unreachable!(),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn the_replica_agrees_with_the_ledger_rules_under_retries(steps in proptest::collection::vec(step(), 1..60)) {
        let dir = tempfile::tempdir().unwrap();
        let (mut r, _) = replica(dir.path());
        for p in PHONES {
            add(&mut r, p, "ทดสอบ", "");
        }
        let mut model = Model::default();
        // (step, its op id, whether it was applied) for every step sent so far.
        let mut sent: Vec<(Step, Uuid, Option<i64>)> = Vec::new();
        for (i, step) in steps.iter().enumerate() {
            match step {
                Step::Retry { n } if !sent.is_empty() => {
                    let (original, op_id, outcome) = sent[n % sent.len()].clone();
                    let again = run(&mut r, &original, op_id);
                    match outcome {
                        // An applied operation answers again with the same points, writing nothing.
                        Some(points) => prop_assert_eq!(again.ok(), Some(points)),
                        // A refused one is judged again on today's state: the model decides.
                        None => {
                            let now = expect(&mut model, &original);
                            prop_assert_eq!(again.as_ref().ok().copied(), now, "{:?}", again);
                            if now.is_some() {
                                let slot = sent.iter_mut().find(|s| s.1 == op_id).unwrap();
                                slot.2 = now;
                            }
                        }
                    }
                }
                Step::Retry { .. } => {}
                _ => {
                    let op_id = Uuid::from_u128(0x0190_0000_0000_7000_8000_0000_0000_0000 + i as u128);
                    let want = expect(&mut model, step);
                    let got = run(&mut r, step, op_id);
                    prop_assert_eq!(got.as_ref().ok().copied(), want, "{:?}: {:?}", step, got);
                    sent.push((step.clone(), op_id, want));
                }
            }
            for (who, p) in PHONES.iter().enumerate() {
                prop_assert_eq!(r.member(&key(p)).unwrap().balance, model.balance[who]);
            }
        }
        assert_balances_match_ledger(r.path());
        let applied = sent.iter().filter(|s| s.2.is_some()).count();
        let outbox = r.pending_operations(10_000).unwrap().len();
        prop_assert_eq!(outbox, applied + PHONES.len(), "one outbox row per applied operation");
    }
}
