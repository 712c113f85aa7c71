//! The shop's settings document: point rates and the tier configuration. Owned by the head
//! office on the server; every counter applies the copy it last received.

use serde::{Deserialize, Serialize};

use crate::rate::SystemRates;
use crate::tier::TierSettings;

/// Rates and tiers together.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ShopSettings {
    /// The main, e-commerce and SMS rates.
    pub rates: SystemRates,
    /// The tier system.
    pub tiers: TierSettings,
}

impl ShopSettings {
    /// What a new shop starts with: 25 THB → 1 point, three tiers, switched off.
    pub fn default_for_new_shop() -> ShopSettings {
        ShopSettings {
            rates: SystemRates::default(),
            tiers: TierSettings::default_for_new_shop(),
        }
    }
}
