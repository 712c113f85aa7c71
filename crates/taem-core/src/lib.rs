//! # taem-core — the domain of Taem
//!
//! Owns the rules every other crate obeys: what a valid Thai mobile number, amount of baht,
//! member code or date is; how many points a purchase earns; how accumulated points place a
//! member in a tier; what a counter operation is.
//!
//! Architecture invariant: this crate is **pure**. It does no IO, reads no clock, draws no
//! random numbers and knows nothing of SQLite or async. Time, randomness and stored state are
//! parameters. That keeps every rule testable with property tests and identical on the
//! counter and on the server.

pub mod digits;
pub mod export;
pub mod hlc;
pub mod ledger;
pub mod member;
pub mod member_code;
pub mod money;
pub mod operation;
pub mod phone;
pub mod points;
pub mod rate;
pub mod settings;
pub mod signin;
pub mod thai_date;
pub mod tier;
pub mod time;

pub use hlc::{FieldStamp, Hlc};
pub use ledger::{LedgerKind, tier_credit};
pub use member::{Gender, MemberProfile, ProfileChange, ProfileError, clean_text, full_name};
pub use member_code::{CodeRun, MemberCode, MemberCodeError};
pub use money::{Money, MoneyError};
pub use operation::{Operation, OperationKind};
pub use phone::{Phone, PhoneError};
pub use points::{Points, PointsError};
pub use rate::{Channel, PointRate, RateError, SystemRates};
pub use settings::ShopSettings;
pub use thai_date::{ThaiDateError, parse_thai_date};
pub use tier::{
    CalculationPeriod, RateMode, RetiredTier, Tier, TierChangeReason, TierIcon, TierSettings,
    TierSettingsDraft, TierSettingsError,
};
