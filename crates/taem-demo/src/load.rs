//! Generated members as the replica bulk-loads them (feature `replica`): the one conversion
//! `taem-counter demo` and the benchmarks share.

use taem_core::{Gender, MemberCode, MemberProfile, Money, Phone};
use taem_replica::{BulkBill, BulkMember, BulkProgress, Replica, ReplicaError};

use crate::{DemoConfig, DemoGender, DemoMember};

/// Generates the shop of `config` and bulk-loads it into `replica` as confirmed history,
/// reporting progress after each batch. Stops at the first member that does not convert.
pub fn load_demo_shop(
    replica: &mut Replica,
    config: &DemoConfig,
    progress: impl FnMut(BulkProgress),
) -> Result<BulkProgress, ReplicaError> {
    let mut failure = None;
    let members = crate::members(config).map_while(|m| match to_bulk(m, config.seed) {
        Ok(member) => Some(member),
        Err(e) => {
            failure = Some(e);
            None
        }
    });
    let done = replica.load_confirmed(members, progress)?;
    match failure {
        Some(e) => Err(e),
        None => Ok(done),
    }
}

/// Turns a generated member into a loadable one; parsing the phone and amounts validates the
/// generator's output. Member codes are derived from `(seed, index)`, so the same seed prints
/// the same cards.
pub fn to_bulk(m: DemoMember, seed: u64) -> Result<BulkMember, ReplicaError> {
    let branches = crate::branches();
    let branch = |i: usize| {
        branches
            .get(i)
            .map_or_else(|| "BKK01".to_string(), |b| b.code.clone())
    };
    let bits =
        (seed ^ m.index.wrapping_mul(0x9E37_79B9_7F4A_7C15)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    Ok(BulkMember {
        phone: Phone::parse(&m.phone)?,
        code: MemberCode::from_bits(bits ^ (bits >> 29)),
        profile: MemberProfile {
            first_name: m.first_name,
            last_name: m.last_name,
            birthday: m.birthday,
            gender: match m.gender {
                DemoGender::Female => Gender::Female,
                DemoGender::Male => Gender::Male,
                DemoGender::Unspecified => Gender::Unspecified,
            },
            email: m.email,
            address: None,
            tags: m.tags,
            marketing_consent: m.marketing_consent,
            pdpa_consent: true,
            note: None,
        },
        branch: branch(m.branch),
        registered_at: m.registered_at,
        bills: m
            .bills
            .into_iter()
            .map(|b| {
                Ok(BulkBill {
                    bill_no: b.bill_no,
                    amount: Money::from_decimal(b.amount)?,
                    at: b.at,
                    branch: branch(b.branch),
                })
            })
            .collect::<Result<_, ReplicaError>>()?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{DemoConfig, member};

    #[test]
    fn generated_members_convert_and_codes_follow_the_seed() {
        let config = DemoConfig::default();
        for i in 0..200 {
            let a = to_bulk(member(&config, i), 1).unwrap();
            let b = to_bulk(member(&config, i), 1).unwrap();
            assert_eq!(a.code, b.code);
            assert_eq!(a.bills.len(), member(&config, i).bills.len());
        }
        let other_seed = to_bulk(member(&config, 0), 2).unwrap();
        assert_ne!(
            other_seed.code,
            to_bulk(member(&config, 0), 1).unwrap().code
        );
    }
}
