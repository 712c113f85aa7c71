//! A property test over random schedules: counters go offline and online, the network drops,
//! duplicates and cuts requests, operations happen at every counter — and at the end the
//! server and every replica agree with a simple model: each member's balance is the sum of
//! every operation made, each counted once. Real processes, real HTTP, real SQLite files.
//! proptest prints the failing schedule (and shrinks it) when a run breaks the model.

use std::collections::BTreeMap;

use proptest::prelude::*;
use taem_e2e::proxy::{FaultPlan, FaultProxy};
use taem_e2e::{Counter, Server};

const PHONES: [&str; 3] = ["0811111111", "0822222222", "0833333333"];
const COUNTERS: usize = 3;

#[derive(Clone, Debug)]
enum Step {
    Award {
        counter: usize,
        member: usize,
        baht: u32,
    },
    Redeem {
        counter: usize,
        member: usize,
        points: u32,
    },
    VoidLastBill {
        counter: usize,
    },
    Sync {
        counter: usize,
    },
    Network {
        offline: bool,
        fault_rate: u8,
    },
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        6 => (0..COUNTERS, 0..PHONES.len(), 25u32..2_000).prop_map(|(counter, member, baht)| Step::Award { counter, member, baht }),
        2 => (0..COUNTERS, 0..PHONES.len(), 1u32..40).prop_map(|(counter, member, points)| Step::Redeem { counter, member, points }),
        1 => (0..COUNTERS).prop_map(|counter| Step::VoidLastBill { counter }),
        3 => (0..COUNTERS).prop_map(|counter| Step::Sync { counter }),
        2 => (any::<bool>(), 0u8..60).prop_map(|(offline, fault_rate)| Step::Network { offline, fault_rate }),
    ]
}

fn run(steps: &[Step], seed: u64) -> Result<(), TestCaseError> {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("server"));
    let (shop, first) = server.create_shop("ร้านจำลอง", "B0");
    let proxy = FaultProxy::start(server.addr(), FaultPlan::PassAll).unwrap();
    let counters: Vec<Counter> = (0..COUNTERS)
        .map(|i| {
            let code = if i == 0 {
                first.clone()
            } else {
                server.enrol_code(&shop, &format!("B{i}"))
            };
            let c = Counter::new(&dir.path().join(format!("c{i}")));
            c.enrol(&proxy.url(), &code, &format!("counter {i}"));
            c
        })
        .collect();
    for (i, phone) in PHONES.iter().enumerate() {
        counters[0].register(phone, &format!("สมาชิก{i}"));
    }
    for c in &counters {
        c.sync_until_clean(5)
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
    }

    let mut model: BTreeMap<&str, i64> = BTreeMap::new();
    // Bills each counter earned and has not voided: (bill, phone, points).
    let mut bills: Vec<Vec<(String, &str, i64)>> = vec![Vec::new(); COUNTERS];
    for (n, step) in steps.iter().enumerate() {
        match step {
            Step::Award {
                counter,
                member,
                baht,
            } => {
                let bill = format!("S{n}");
                let points = counters[*counter].award(PHONES[*member], &baht.to_string(), &bill);
                *model.entry(PHONES[*member]).or_default() += points;
                bills[*counter].push((bill, PHONES[*member], points));
            }
            Step::Redeem {
                counter,
                member,
                points,
            } => {
                // The counter refuses what it can see is not there; an accepted redemption
                // is a fact the server must keep, even if it overdraws.
                let ok = counters[*counter]
                    .try_run(&[
                        "redeem",
                        PHONES[*member],
                        "--points",
                        &points.to_string(),
                        "--reward",
                        "ของรางวัล",
                    ])
                    .is_ok();
                if ok {
                    *model.entry(PHONES[*member]).or_default() -= i64::from(*points);
                }
            }
            Step::VoidLastBill { counter } => {
                if let Some((bill, phone, points)) = bills[*counter].pop() {
                    counters[*counter].run(&["void", &bill, "--reason", "ยกเลิกบิล"]);
                    *model.entry(phone).or_default() -= points;
                }
            }
            Step::Sync { counter } => {
                let _ = counters[*counter].sync();
            }
            Step::Network {
                offline,
                fault_rate,
            } => {
                proxy.set_offline(*offline);
                proxy.set_plan(FaultPlan::Seeded {
                    seed: seed.wrapping_add(n as u64),
                    fault_rate: f64::from(*fault_rate) / 100.0,
                });
            }
        }
    }
    proxy.set_offline(false);
    proxy.set_plan(FaultPlan::PassAll);
    for _ in 0..2 {
        for c in &counters {
            c.sync_until_clean(5)
                .map_err(|e| TestCaseError::fail(e.to_string()))?;
        }
    }
    let balances = server.balances(&shop);
    for (phone, balance, ledger_sum) in balances {
        let expected = model.get(phone.as_str()).copied().unwrap_or(0);
        prop_assert_eq!(balance, ledger_sum, "server balance vs ledger of {}", phone);
        prop_assert_eq!(
            balance,
            expected,
            "server balance of {} vs the model",
            phone
        );
        for c in &counters {
            let shown = c.run(&["member", "show", &phone]);
            prop_assert_eq!(
                shown["balance"].as_i64(),
                Some(expected),
                "{} at {}",
                phone,
                c.dir.display()
            );
        }
    }
    for c in &counters {
        prop_assert!(
            c.run(&["rejections"]).as_array().unwrap().is_empty(),
            "nothing rejected"
        );
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 6, max_shrink_iters: 20, ..ProptestConfig::default() })]

    #[test]
    fn random_schedules_of_offline_work_and_faults_converge_to_the_model(
        steps in prop::collection::vec(step(), 5..30),
        seed in any::<u64>(),
    ) {
        run(&steps, seed)?;
    }
}
