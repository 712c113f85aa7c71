//! The values the window receives and sends that are the app's own (the rest are
//! `taem-replica`'s views). Their TypeScript twins are generated into `ui/src/lib/bindings.ts`.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use taem_core::thai_date::parse_thai_date;
use taem_core::{Gender, MemberProfile, Operation, OperationKind, Phone, ProfileChange};
use taem_replica::{MemberSummary, ReplicaError, SearchKind, ShopSettings, StaffSession};
use ts_rs::TS;
use uuid::Uuid;

use crate::error::AppError;

/// Which screen the window starts on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// No replica yet: enrol, or start the demo shop.
    FirstRun,
    /// A replica, nobody signed in.
    SignIn,
    /// Someone is signed in.
    Ready,
    /// This counter's data is being upgraded to a newer schema (once, after an update of the
    /// app; tens of seconds on a large replica), or the upgrade failed: see `upgrade`.
    Upgrading,
}

/// A schema upgrade of this counter's data (phase `upgrading`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
pub struct UpgradeView {
    /// The schema version the data folder holds.
    pub from: i64,
    /// The version this app uses.
    pub to: i64,
    /// Why the upgrade failed (nothing was changed: the old data is intact); `None` while it
    /// runs.
    pub error: Option<crate::AppError>,
}

/// The language of the window.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Language {
    /// ไทย (the default).
    #[default]
    Th,
    /// English.
    En,
}

/// The app at a glance: what to show.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
pub struct AppState {
    /// Which screen.
    pub phase: Phase,
    /// Window language.
    pub language: Language,
    /// The shop.
    pub shop_name: Option<String>,
    /// This counter's branch.
    pub branch: Option<String>,
    /// Enrolled with a server.
    pub enrolled: bool,
    /// The server.
    pub server_url: Option<String>,
    /// Who is signed in.
    pub session: Option<StaffSession>,
    /// Who can sign in here.
    pub staff_names: Vec<String>,
    /// Members on this counter.
    pub members: i64,
    /// The app's version.
    pub version: String,
    /// The schema upgrade running or failed (phase `upgrading`).
    pub upgrade: Option<UpgradeView>,
}

/// The status bar.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
pub struct StatusBar {
    /// Enrolled with a server (a local shop has no sync).
    pub enrolled: bool,
    /// The last sync attempt reached the server.
    pub online: bool,
    /// A sync is running now.
    pub syncing: bool,
    /// Operations waiting to reach the server.
    pub waiting: u64,
    /// Operations the server refused (kept for a manager).
    pub rejected: u64,
    /// Items for a manager to review.
    pub reviews: u64,
    /// Last successful sync.
    pub last_sync_ok: Option<DateTime<Utc>>,
    /// The last attempt's error, when it failed.
    pub last_error: Option<String>,
}

/// Which long work a [`Progress`] is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ProgressStage {
    /// Receiving the shop's members from the server.
    Bootstrap,
    /// Generating the demo shop.
    Demo,
    /// Sending waiting operations.
    Push,
    /// Receiving changes.
    Pull,
    /// Checking a member file before importing it.
    ImportCheck,
    /// Reading a member file to import it.
    ImportRead,
    /// Writing the imported members.
    ImportWrite,
    /// Writing a download.
    Download,
    /// The upgrade of this counter's data ended (well or not): the app state should be read
    /// again.
    Upgrade,
    /// A sync attempt ended (well or not): the status bar should be read again. `done` counts
    /// the attempts since the app started.
    Synced,
}

/// Progress of long work (event `taem://progress`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
pub struct Progress {
    /// What.
    pub stage: ProgressStage,
    /// Done so far.
    pub done: u64,
    /// Out of (when known).
    pub total: Option<u64>,
}

/// What an award would earn, before the cashier confirms.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
pub struct AwardPreview {
    /// Points.
    pub points: i64,
    /// The rate applied: every `rate_baht` baht (a decimal, e.g. `25.00`) ...
    pub rate_baht: String,
    /// ... earns `rate_points` points.
    pub rate_points: i64,
}

/// A search answer: how the query was read, the members found, and a hint in both languages
/// (e.g. the query looked like a member code but did not check out, so names were searched).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
pub struct SearchAnswer {
    /// How the query was read.
    pub kind: SearchKind,
    /// The members found, best first.
    pub members: Vec<MemberSummary>,
    /// Why a code-like query was searched as a name instead.
    pub hint: Option<AppError>,
}

/// The register / edit form, as typed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct MemberForm {
    /// Mobile number in any common form.
    pub phone: String,
    /// First name (required).
    pub first_name: String,
    /// Last name.
    pub last_name: String,
    /// `dd/mm/yyyy` in B.E. or C.E. (empty: none).
    pub birthday: String,
    /// `female`, `male`, `other` or empty.
    pub gender: String,
    /// Email (empty: none).
    pub email: String,
    /// Address (empty: none).
    pub address: String,
    /// Tags, comma-separated.
    pub tags: String,
    /// Note (empty: none).
    pub note: String,
    /// Agrees to marketing messages.
    pub marketing_consent: bool,
    /// Agrees to the PDPA notice.
    pub pdpa_consent: bool,
}

fn optional(text: &str) -> Option<String> {
    let t = text.trim();
    (!t.is_empty()).then(|| t.to_string())
}

impl MemberForm {
    /// The phone, parsed.
    pub fn phone(&self) -> Result<Phone, AppError> {
        Phone::parse(&self.phone).map_err(|e| AppError::from(ReplicaError::from(e)).at("phone"))
    }

    /// The profile, parsed (validated by the replica when written).
    pub fn profile(&self) -> Result<MemberProfile, AppError> {
        let birthday = match optional(&self.birthday) {
            None => None,
            Some(text) => Some(parse_thai_date(&text).map_err(|e| {
                AppError::new(
                    "bad_birthday",
                    Some("birthday"),
                    e.to_string(),
                    format!(
                        "\"{text}\" ไม่ใช่วันที่ที่อ่านได้: เขียนเป็น วัน/เดือน/ปี เช่น 15/08/2530 (พ.ศ.) หรือ 15/08/1987 (ค.ศ.)"
                    ),
                )
            })?),
        };
        let gender = Gender::parse(&self.gender).ok_or_else(|| {
            AppError::new(
                "bad_gender",
                Some("gender"),
                format!(
                    "`{}` is not a gender: choose female, male, other or leave it empty",
                    self.gender
                ),
                format!(
                    "\"{}\" ไม่ใช่เพศที่เลือกได้: เลือก หญิง ชาย อื่น ๆ หรือเว้นว่าง",
                    self.gender
                ),
            )
        })?;
        Ok(MemberProfile {
            first_name: self.first_name.trim().to_string(),
            last_name: self.last_name.trim().to_string(),
            birthday,
            gender,
            email: optional(&self.email),
            address: optional(&self.address),
            tags: self.tags.split(',').filter_map(optional).collect(),
            marketing_consent: self.marketing_consent,
            pdpa_consent: self.pdpa_consent,
            note: optional(&self.note),
        })
    }

    /// The changes from `current` this form makes (the phone included when it differs).
    pub fn changes_from(
        &self,
        current_phone: &str,
        current: &MemberProfile,
    ) -> Result<Vec<ProfileChange>, AppError> {
        let wanted = self.profile()?;
        let mut changes: Vec<ProfileChange> = wanted
            .as_changes()
            .into_iter()
            .filter(|c| current.with_changes(std::slice::from_ref(c)) != *current)
            .collect();
        let phone = self.phone()?;
        if phone.as_str() != current_phone {
            changes.push(ProfileChange::Phone(phone));
        }
        Ok(changes)
    }

    /// A form filled with a member's current values (for the edit screen).
    pub fn of(phone: &str, p: &MemberProfile) -> MemberForm {
        MemberForm {
            phone: phone.to_string(),
            first_name: p.first_name.clone(),
            last_name: p.last_name.clone(),
            birthday: p
                .birthday
                .map(taem_core::thai_date::format_be)
                .unwrap_or_default(),
            gender: if p.gender.is_unspecified() {
                String::new()
            } else {
                p.gender.as_str().to_string()
            },
            email: p.email.clone().unwrap_or_default(),
            address: p.address.clone().unwrap_or_default(),
            tags: p.tags.join(", "),
            note: p.note.clone().unwrap_or_default(),
            marketing_consent: p.marketing_consent,
            pdpa_consent: p.pdpa_consent,
        }
    }
}

/// An operation waiting to reach the server.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
pub struct PendingOperation {
    /// The operation id.
    pub op_id: Uuid,
    /// This counter's sequence number.
    pub seq: u64,
    /// `register_member`, `edit_member`, `earn`, `void_bill`, `redeem`, `adjust`.
    pub kind: String,
    /// The member.
    pub member_id: Option<Uuid>,
    /// Points moved, for points operations.
    pub points: Option<i64>,
    /// Bill, reward or reason.
    pub detail: Option<String>,
    /// When it was recorded.
    pub at: DateTime<Utc>,
}

impl From<&Operation> for PendingOperation {
    fn from(op: &Operation) -> Self {
        let (kind, member_id, points, detail) = match &op.kind {
            OperationKind::RegisterMember {
                member_id, phone, ..
            } => (
                "register_member",
                Some(*member_id),
                None,
                Some(phone.to_string()),
            ),
            OperationKind::EditMember { member_id, .. } => {
                ("edit_member", Some(*member_id), None, None)
            }
            OperationKind::Earn {
                member_id,
                bill_no,
                points,
                ..
            } => (
                "earn",
                Some(*member_id),
                Some(points.0),
                Some(bill_no.clone()),
            ),
            OperationKind::VoidBill {
                member_id,
                bill_no,
                points,
                ..
            } => (
                "void_bill",
                Some(*member_id),
                Some(points.0),
                Some(bill_no.clone()),
            ),
            OperationKind::Redeem {
                member_id,
                points,
                reward,
            } => (
                "redeem",
                Some(*member_id),
                Some(points.0),
                Some(reward.clone()),
            ),
            OperationKind::Adjust {
                member_id,
                points,
                reason,
                ..
            } => (
                "adjust",
                Some(*member_id),
                Some(points.0),
                Some(reason.clone()),
            ),
            OperationKind::ImportPoints { member_id, points } => {
                ("import_points", Some(*member_id), Some(points.0), None)
            }
        };
        PendingOperation {
            op_id: op.op_id,
            seq: op.device_seq,
            kind: kind.to_string(),
            member_id,
            points,
            detail,
            at: op.at,
        }
    }
}

/// A message in both languages.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
pub struct Message {
    /// English.
    pub en: String,
    /// Thai.
    pub th: String,
}

/// The settings screen.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
pub struct SettingsView {
    /// The settings this counter applies.
    pub settings: ShopSettings,
    /// Whether the signed-in staff member may change them now.
    pub editable: bool,
    /// Why not, when not.
    pub read_only_reason: Option<Message>,
}
