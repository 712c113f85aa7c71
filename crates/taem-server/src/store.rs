//! Storage behind a trait (as atuin does), so a PostgreSQL backend can sit beside the
//! embedded SQLite one. Calls are synchronous; the HTTP layer runs them on blocking threads.

use chrono::{DateTime, NaiveDate, Utc};
use taem_core::Operation;
use taem_protocol::{
    BootstrapPage, EnrolRequest, EnrolResponse, PullResponse, PushResponse, ReviewState, Role,
    SettingsState, SettingsUpdate,
};
use uuid::Uuid;

use crate::error::Result;

/// A device that presented a valid token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeviceAuth {
    /// Its shop.
    pub shop_id: Uuid,
    /// The device.
    pub device_id: Uuid,
    /// Its branch.
    pub branch: String,
}

/// A new shop.
#[derive(Clone, Debug)]
pub struct ShopCreated {
    /// Id.
    pub shop_id: Uuid,
    /// The first counter's enrolment code.
    pub enrol_code: String,
    /// When the code expires.
    pub expires_at: DateTime<Utc>,
}

/// A device in the list.
#[derive(Clone, Debug, serde::Serialize)]
pub struct DeviceInfo {
    /// Id.
    pub device_id: Uuid,
    /// Name.
    pub name: String,
    /// Branch.
    pub branch: String,
    /// Highest device sequence applied.
    pub acked_seq: u64,
    /// Enrolled.
    pub enrolled_at: DateTime<Utc>,
    /// Last request.
    pub last_seen: Option<DateTime<Utc>>,
    /// Revoked.
    pub revoked_at: Option<DateTime<Utc>>,
}

/// A shop in the list.
#[derive(Clone, Debug, serde::Serialize)]
pub struct ShopInfo {
    /// Id.
    pub shop_id: Uuid,
    /// Name.
    pub name: String,
    /// Members.
    pub members: u64,
    /// Devices (not revoked).
    pub devices: u64,
}

/// What a re-evaluation did.
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct ReevaluationSummary {
    /// Shops evaluated.
    pub shops: u64,
    /// Members checked.
    pub members_checked: u64,
    /// Members who moved.
    pub moved: u64,
}

/// A member's balance and tier on the server (for tests and the admin CLI).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct MemberBalance {
    /// Member.
    pub member_id: Uuid,
    /// Phone.
    pub phone: String,
    /// Name.
    pub name: String,
    /// Balance.
    pub balance: i64,
    /// Sum of the ledger (must equal the balance).
    pub ledger_sum: i64,
    /// Tier.
    pub tier_id: u32,
}

/// The server's storage.
pub trait Store: Send + Sync + 'static {
    /// Creates a shop with its first branch and owner; returns the owner's first enrolment code.
    fn create_shop(
        &self,
        name: &str,
        branch: (&str, &str),
        owner: (&str, &str),
        now: DateTime<Utc>,
    ) -> Result<ShopCreated>;
    /// Lists shops.
    fn list_shops(&self) -> Result<Vec<ShopInfo>>;
    /// Adds a branch.
    fn add_branch(&self, shop: Uuid, code: &str, name: &str) -> Result<()>;
    /// A one-time enrolment code for a counter of `branch`, valid for `valid_hours`.
    fn create_enrol_code(
        &self,
        shop: Uuid,
        branch: &str,
        valid_hours: u32,
        now: DateTime<Utc>,
    ) -> Result<(String, DateTime<Utc>)>;
    /// Lists a shop's devices.
    fn list_devices(&self, shop: Uuid) -> Result<Vec<DeviceInfo>>;
    /// Revokes a device: its token stops working at once.
    fn revoke_device(&self, shop: Uuid, device: Uuid, now: DateTime<Utc>) -> Result<()>;
    /// Adds a staff member with a PIN.
    fn add_staff(&self, shop: Uuid, name: &str, role: Role, pin: &str) -> Result<Uuid>;
    /// Turns an enrolment code into a device.
    fn enrol(&self, request: &EnrolRequest, now: DateTime<Utc>) -> Result<EnrolResponse>;
    /// The device a token belongs to.
    fn authenticate(&self, token: &str, now: DateTime<Utc>) -> Result<DeviceAuth>;
    /// Applies a batch of a device's operations, exactly once each.
    fn push(
        &self,
        auth: &DeviceAuth,
        ops: &[Operation],
        now: DateTime<Utc>,
    ) -> Result<PushResponse>;
    /// Registers checked rows of a member list at the import device's branch, in ONE
    /// transaction (see [`crate::apply::ShopTx::import_members`]); `codes(taken)` draws new
    /// member codes.
    fn import_members(
        &self,
        auth: &DeviceAuth,
        rows: &[taem_import::ValidRow],
        now: DateTime<Utc>,
        codes: &mut dyn FnMut(bool) -> taem_core::MemberCode,
    ) -> Result<crate::apply::ImportedMembers>;
    /// The shop's changes after `cursor`.
    fn pull(&self, auth: &DeviceAuth, cursor: u64, limit: u32) -> Result<PullResponse>;
    /// One page of the bootstrap snapshot.
    fn bootstrap(
        &self,
        auth: &DeviceAuth,
        after: Option<Uuid>,
        limit: u32,
        today: NaiveDate,
    ) -> Result<BootstrapPage>;
    /// The shop's settings.
    fn settings(&self, shop: Uuid) -> Result<SettingsState>;
    /// Replaces the settings (owner only).
    fn update_settings(
        &self,
        auth: &DeviceAuth,
        update: &SettingsUpdate,
        now: DateTime<Utc>,
    ) -> Result<SettingsState>;
    /// Re-evaluates tiers of shops not yet evaluated `today` (or `shop` only, always).
    fn reevaluate(
        &self,
        shop: Option<Uuid>,
        today: NaiveDate,
        now: DateTime<Utc>,
    ) -> Result<ReevaluationSummary>;
    /// Items for review.
    fn reviews(&self, shop: Uuid) -> Result<Vec<ReviewState>>;
    /// Fails with a clear message unless `branch` is one of the shop's branches.
    fn check_branch(&self, shop: Uuid, branch: &str) -> Result<()>;
    /// The member code of each phone (10 digits) that is a member of `shop` (`None`: not a
    /// member), in the order given.
    fn member_codes_by_phone(&self, shop: Uuid, phones: &[String]) -> Result<Vec<Option<String>>>;
    /// The phone of the member of `shop` each code (11 characters) belongs to (`None`: no
    /// member has it), in the order given.
    fn member_phones_by_code(&self, shop: Uuid, codes: &[String]) -> Result<Vec<Option<String>>>;
    /// Every member's balance with its ledger sum.
    fn balances(&self, shop: Uuid) -> Result<Vec<MemberBalance>>;
}
