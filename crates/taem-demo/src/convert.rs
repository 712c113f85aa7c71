//! Generated members as Taem's domain types (feature `core`): the one conversion the replica's
//! bulk loader and the server's demo shop share. Parsing the phone and amounts validates the
//! generator's output.

use chrono::{DateTime, Utc};
use taem_core::{Gender, MemberCode, MemberProfile, Money, Phone};

use crate::{DemoGender, DemoMember};

/// A generated member as domain values.
#[derive(Clone, Debug)]
pub struct DemoParts {
    /// Mobile number.
    pub phone: Phone,
    /// Card code, derived from `(seed, index)`: the same seed prints the same cards.
    pub code: MemberCode,
    /// Profile.
    pub profile: MemberProfile,
    /// Registering branch code.
    pub branch: String,
    /// Registration time.
    pub registered_at: DateTime<Utc>,
    /// Bills, oldest first.
    pub bills: Vec<DemoBillParts>,
}

/// A generated bill as domain values.
#[derive(Clone, Debug)]
pub struct DemoBillParts {
    /// Bill number (unique in the shop).
    pub bill_no: String,
    /// Amount.
    pub amount: Money,
    /// When.
    pub at: DateTime<Utc>,
    /// Branch code.
    pub branch: String,
}

/// Converts a generated member; an error names a generator bug.
pub fn to_parts(m: DemoMember, seed: u64) -> Result<DemoParts, String> {
    let branches = crate::branches();
    let branch = |i: usize| {
        branches
            .get(i)
            .map_or_else(|| "BKK01".to_string(), |b| b.code.clone())
    };
    let bits =
        (seed ^ m.index.wrapping_mul(0x9E37_79B9_7F4A_7C15)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    Ok(DemoParts {
        phone: Phone::parse(&m.phone).map_err(|e| format!("demo phone: {e}"))?,
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
                Ok(DemoBillParts {
                    bill_no: b.bill_no,
                    amount: Money::from_decimal(b.amount)
                        .map_err(|e| format!("demo amount: {e}"))?,
                    at: b.at,
                    branch: branch(b.branch),
                })
            })
            .collect::<Result<_, String>>()?,
    })
}
