//! Tiers (ระดับของลูกค้า): placement by accumulated points, the rate each tier earns at,
//! the calculation period and the rules for moving members up and down.
//!
//! Follows the seed `tier-system.th.txt`: a shop has at least one tier (three by default),
//! each with a name, description, start point, icon and a conversion-rate mode; a switch turns
//! the whole system on or off; accumulated points are counted over a calculation period.

use std::collections::HashSet;

use chrono::{Days, Months, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::points::Points;
use crate::rate::{Channel, PointRate, SystemRates};

/// The most tiers a shop may define (the seed's screens show a handful; ten is generous).
pub const TIERS_MAX: usize = 10;
/// Longest tier name, in characters.
pub const TIER_NAME_CHARS_MAX: usize = 50;
/// Longest tier description, in characters.
pub const TIER_DESCRIPTION_CHARS_MAX: usize = 300;
/// The highest start point a tier may have (a hundred million points).
pub const TIER_START_MAX: i64 = 100_000_000;

/// A tier's stable identifier within a shop; names can be edited, ids never change.
pub type TierId = u32;

/// The built-in icon set a shop picks tier icons from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum TierIcon {
    /// A seedling: a new member.
    Seedling,
    /// A leaf.
    Leaf,
    /// A heart.
    Heart,
    /// A star.
    Star,
    /// A silver medal.
    Silver,
    /// A gold medal.
    Gold,
    /// Platinum.
    Platinum,
    /// A diamond.
    Diamond,
    /// A gem.
    Gem,
    /// A crown.
    Crown,
    /// A trophy.
    Trophy,
}

impl TierIcon {
    /// Every icon, in the order a picker shows them.
    pub const ALL: [TierIcon; 11] = [
        TierIcon::Seedling,
        TierIcon::Leaf,
        TierIcon::Heart,
        TierIcon::Star,
        TierIcon::Silver,
        TierIcon::Gold,
        TierIcon::Platinum,
        TierIcon::Diamond,
        TierIcon::Gem,
        TierIcon::Crown,
        TierIcon::Trophy,
    ];

    /// The icon's stable name, as stored and as typed on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            TierIcon::Seedling => "seedling",
            TierIcon::Leaf => "leaf",
            TierIcon::Heart => "heart",
            TierIcon::Star => "star",
            TierIcon::Silver => "silver",
            TierIcon::Gold => "gold",
            TierIcon::Platinum => "platinum",
            TierIcon::Diamond => "diamond",
            TierIcon::Gem => "gem",
            TierIcon::Crown => "crown",
            TierIcon::Trophy => "trophy",
        }
    }

    /// Looks an icon up by its stable name.
    pub fn parse(name: &str) -> Option<TierIcon> {
        TierIcon::ALL
            .into_iter()
            .find(|icon| icon.as_str() == name.trim().to_ascii_lowercase())
    }

    /// A glyph for text output (terminal, logs).
    pub fn glyph(self) -> &'static str {
        match self {
            TierIcon::Seedling => "🌱",
            TierIcon::Leaf => "🍃",
            TierIcon::Heart => "❤",
            TierIcon::Star => "⭐",
            TierIcon::Silver => "🥈",
            TierIcon::Gold => "🥇",
            TierIcon::Platinum => "💠",
            TierIcon::Diamond => "💎",
            TierIcon::Gem => "🔷",
            TierIcon::Crown => "👑",
            TierIcon::Trophy => "🏆",
        }
    }
}

/// How a tier converts spending into points.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "mode", rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum RateMode {
    /// The tier's own rate, for counter earning and for e-commerce orders of members.
    Custom {
        /// The tier's rate.
        rate: PointRate,
    },
    /// The shop's main rates: counter → main rate, e-commerce → e-commerce rate, SMS → SMS rate.
    BasedOnSystem,
}

/// One tier of the shop.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Tier {
    /// Stable id.
    pub id: TierId,
    /// Name shown to cashiers and members.
    pub name: String,
    /// Description shown to members.
    #[serde(default)]
    pub description: String,
    /// Accumulated points at which the tier begins; the lowest tier starts at 0.
    pub start_points: Points,
    /// Icon from the built-in set.
    pub icon: TierIcon,
    /// Conversion-rate mode.
    pub rate_mode: RateMode,
}

/// How many characters a text shows: Thai vowel and tone marks written above or below a
/// letter (and other combining marks) share its place, so `กี่` counts as one, as people count.
pub fn visible_len(text: &str) -> usize {
    text.chars()
        .filter(|c| {
            !matches!(*c as u32,
                0x0E31 | 0x0E34..=0x0E3A | 0x0E47..=0x0E4E | 0x0300..=0x036F)
        })
        .count()
}

/// The start of a long name, for a message that must not repeat a thousand characters.
fn shortened(name: &str) -> String {
    const SHOWN: usize = 30;
    if name.chars().count() <= SHOWN {
        name.to_string()
    } else {
        format!("{}…", name.chars().take(SHOWN).collect::<String>())
    }
}

/// A tier the shop removed: its id is never given to another tier, and its name still labels
/// the tier changes recorded while it existed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct RetiredTier {
    /// The id it had.
    pub id: TierId,
    /// Its last name.
    pub name: String,
    /// Its last icon.
    pub icon: TierIcon,
}

/// The period over which accumulated points are counted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum CalculationPeriod {
    /// Everything since the member registered; nothing ever ages out.
    SinceRegistration,
    /// The last 3 months up to today (rolling).
    #[serde(rename = "last_3_months")]
    Last3Months,
    /// The last 6 months.
    #[serde(rename = "last_6_months")]
    Last6Months,
    /// The last 9 months.
    #[serde(rename = "last_9_months")]
    Last9Months,
    /// The last 12 months.
    #[serde(rename = "last_12_months")]
    Last12Months,
}

impl CalculationPeriod {
    /// Months in a rolling window; `None` when counting since registration.
    pub fn months(self) -> Option<u32> {
        match self {
            CalculationPeriod::SinceRegistration => None,
            CalculationPeriod::Last3Months => Some(3),
            CalculationPeriod::Last6Months => Some(6),
            CalculationPeriod::Last9Months => Some(9),
            CalculationPeriod::Last12Months => Some(12),
        }
    }

    /// How people read it.
    pub fn label(self) -> &'static str {
        match self {
            CalculationPeriod::SinceRegistration => "since registration (ตั้งแต่วันสมัคร)",
            CalculationPeriod::Last3Months => "last 3 months (ย้อนหลัง 3 เดือน)",
            CalculationPeriod::Last6Months => "last 6 months (ย้อนหลัง 6 เดือน)",
            CalculationPeriod::Last9Months => "last 9 months (ย้อนหลัง 9 เดือน)",
            CalculationPeriod::Last12Months => "last 12 months (ย้อนหลัง 12 เดือน)",
        }
    }

    /// Parses `registration`, `3`, `6`, `9`, `12` (or `12m`, `last-12-months`).
    pub fn parse(input: &str) -> Option<CalculationPeriod> {
        let s = input.trim().to_ascii_lowercase();
        let digits: String = s.chars().filter(char::is_ascii_digit).collect();
        if s.contains("regist") || s == "since" || s == "all" {
            return Some(CalculationPeriod::SinceRegistration);
        }
        match digits.as_str() {
            "3" => Some(CalculationPeriod::Last3Months),
            "6" => Some(CalculationPeriod::Last6Months),
            "9" => Some(CalculationPeriod::Last9Months),
            "12" => Some(CalculationPeriod::Last12Months),
            _ => None,
        }
    }

    /// The first day (inclusive, shop-local date) whose points still count on `today`, or
    /// `None` when every point since registration counts.
    ///
    /// A rolling window of N months covers the days after `today − N months`, so a point
    /// earned on 23 August counts through 22 November in a 3-month window: exactly N months.
    pub fn window_start(self, today: NaiveDate) -> Option<NaiveDate> {
        let months = self.months()?;
        let boundary = today
            .checked_sub_months(Months::new(months))
            .unwrap_or(NaiveDate::MIN);
        Some(boundary.checked_add_days(Days::new(1)).unwrap_or(boundary))
    }
}

/// Why a member's tier changed; recorded with every change.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum TierChangeReason {
    /// First placement when the member registered.
    Registered,
    /// Points earned took the member up (upgrades happen at once).
    Earned,
    /// A voided bill took earned points back.
    BillVoided,
    /// A manager's adjustment that counts toward the tier.
    Adjusted,
    /// The rolling re-evaluation: old points aged out of the window.
    Reevaluation,
    /// The shop changed the tiers or the calculation period.
    SettingsChanged,
    /// Initial points brought in by an import.
    Imported,
}

impl TierChangeReason {
    /// Stable name for storage.
    pub fn as_str(self) -> &'static str {
        match self {
            TierChangeReason::Registered => "registered",
            TierChangeReason::Earned => "earned",
            TierChangeReason::BillVoided => "bill_voided",
            TierChangeReason::Adjusted => "adjusted",
            TierChangeReason::Reevaluation => "reevaluation",
            TierChangeReason::SettingsChanged => "settings_changed",
            TierChangeReason::Imported => "imported",
        }
    }

    /// Reads a stored name back.
    pub fn parse(name: &str) -> Option<TierChangeReason> {
        [
            TierChangeReason::Registered,
            TierChangeReason::Earned,
            TierChangeReason::BillVoided,
            TierChangeReason::Adjusted,
            TierChangeReason::Reevaluation,
            TierChangeReason::SettingsChanged,
            TierChangeReason::Imported,
        ]
        .into_iter()
        .find(|r| r.as_str() == name)
    }

    /// How people read it.
    pub fn label(self) -> &'static str {
        match self {
            TierChangeReason::Registered => "registered",
            TierChangeReason::Earned => "earned points",
            TierChangeReason::BillVoided => "bill voided",
            TierChangeReason::Adjusted => "adjustment",
            TierChangeReason::Reevaluation => "re-evaluation",
            TierChangeReason::SettingsChanged => "tier settings changed",
            TierChangeReason::Imported => "import",
        }
    }

    /// How people read it in Thai (the window's `tier_reason.*` texts say the same).
    pub fn label_th(self) -> &'static str {
        match self {
            TierChangeReason::Registered => "สมัครสมาชิก",
            TierChangeReason::Earned => "ได้แต้มสะสม",
            TierChangeReason::BillVoided => "ยกเลิกบิล",
            TierChangeReason::Adjusted => "ปรับแต้ม",
            TierChangeReason::Reevaluation => "ประเมินระดับใหม่",
            TierChangeReason::SettingsChanged => "เปลี่ยนการตั้งค่าระดับ",
            TierChangeReason::Imported => "นำเข้าข้อมูล",
        }
    }

    /// Whether this reason may move a member down. Earning only ever moves a member up; the
    /// others re-place the member wherever the accumulated points now fall.
    pub fn may_downgrade(self) -> bool {
        !matches!(self, TierChangeReason::Earned)
    }
}

/// Why a tier configuration is not acceptable. Nothing is saved when any check fails.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TierSettingsError {
    /// No tier at all.
    #[error("a shop needs at least one tier; add one that starts at 0 points")]
    NoTiers,
    /// Too many tiers.
    #[error("{count} tiers is more than the {max} allowed; remove some", max = TIERS_MAX)]
    TooMany {
        /// How many were given.
        count: usize,
    },
    /// The lowest tier starts above zero, so new members would have no tier.
    #[error(
        "the lowest tier `{name}` starts at {start} points; the lowest tier must start at 0 so every member has a tier"
    )]
    LowestNotAtZero {
        /// Its name.
        name: String,
        /// Its start point.
        start: i64,
    },
    /// A negative start point.
    #[error("tier `{name}` starts at {start} points; start points cannot be negative")]
    NegativeStart {
        /// Its name.
        name: String,
        /// Its start point.
        start: i64,
    },
    /// Two tiers start at the same number of points.
    #[error(
        "tiers `{first}` and `{second}` both start at {start} points; give each tier its own start point"
    )]
    SameStart {
        /// One tier.
        first: String,
        /// The other.
        second: String,
        /// The shared start point.
        start: i64,
    },
    /// A tier without a name.
    #[error("tier number {position} has no name; type a name such as ซิลเวอร์ or Silver")]
    EmptyName {
        /// 1-based position in the list given.
        position: usize,
    },
    /// A name that is too long.
    #[error("tier name `{name}` is longer than {max} characters", max = TIER_NAME_CHARS_MAX)]
    NameTooLong {
        /// The name.
        name: String,
    },
    /// A description that is too long.
    #[error("the description of tier `{name}` is longer than {max} characters", max = TIER_DESCRIPTION_CHARS_MAX)]
    DescriptionTooLong {
        /// The tier.
        name: String,
    },
    /// Two tiers with the same name.
    #[error("two tiers are named `{name}`; tier names must differ")]
    DuplicateName {
        /// The name.
        name: String,
    },
    /// Two tiers with the same id.
    #[error("two tiers have id {id}; ids must be unique")]
    DuplicateId {
        /// The id.
        id: TierId,
    },
    /// A start point no member could reach.
    #[error(
        "tier `{name}` starts at {start} points, more than the {max} a tier may start at; type the points a member must collect",
        max = TIER_START_MAX
    )]
    StartTooHigh {
        /// Its name.
        name: String,
        /// Its start point.
        start: i64,
    },
    /// Tier ids start at 1.
    #[error(
        "tier `{name}` has id 0; tier ids start at 1: give `{name}` an id no other tier has, e.g. {free}"
    )]
    ZeroId {
        /// Its name.
        name: String,
        /// An id no tier has.
        free: TierId,
    },
    /// A tier given the id of a tier the shop removed, whose name labels earlier tier changes.
    #[error(
        "tier `{name}` has id {id}, the id of the removed tier `{removed}`: members' tier history still names it; give `{name}` an id no tier had, e.g. {free}"
    )]
    IdOfRemovedTier {
        /// The new tier's name.
        name: String,
        /// The id.
        id: TierId,
        /// The removed tier's name.
        removed: String,
        /// An id that is free.
        free: TierId,
    },
    /// A tier moved to another tier's id while that id stays in use (two tiers swapping ids):
    /// every recorded move into or out of either would then name the other.
    #[error(
        "tier `{name}` has id {old_id}, and id {old_id} would now be `{other}`: a tier's id is how members' tier history names it, so moving `{name}` to id {new_id} would rename past tier changes; keep `{name}` at id {old_id} and `{other}` at its own id (to change a tier's name or start points, edit it under its id)"
    )]
    IdTakenFromAnotherTier {
        /// The tier that moved.
        name: String,
        /// Its id before.
        old_id: TierId,
        /// The id it was given.
        new_id: TierId,
        /// The tier now at its old id.
        other: String,
    },
}

impl TierSettingsError {
    /// The message in Thai, for the window.
    pub fn th(&self) -> String {
        use TierSettingsError as E;
        match self {
            E::NoTiers => "ร้านต้องมีระดับสมาชิกอย่างน้อยหนึ่งระดับ: เพิ่มระดับที่เริ่มที่ 0 แต้ม".into(),
            E::TooMany { count } => {
                format!("ระดับสมาชิก {count} ระดับ เกินกว่าที่ตั้งได้ ({TIERS_MAX} ระดับ): ลบบางระดับออก")
            }
            E::LowestNotAtZero { name, start } => format!(
                "ระดับต่ำสุด \"{name}\" เริ่มที่ {start} แต้ม: ระดับต่ำสุดต้องเริ่มที่ 0 แต้ม สมาชิกทุกคนจึงจะมีระดับ"
            ),
            E::NegativeStart { name, start } => {
                format!("ระดับ \"{name}\" เริ่มที่ {start} แต้ม: แต้มเริ่มต้นของระดับติดลบไม่ได้")
            }
            E::SameStart {
                first,
                second,
                start,
            } => format!(
                "ระดับ \"{first}\" และ \"{second}\" เริ่มที่ {start} แต้มเท่ากัน: ให้แต่ละระดับเริ่มที่แต้มไม่ซ้ำกัน"
            ),
            E::EmptyName { position } => {
                format!("ระดับที่ {position} ไม่มีชื่อ: ตั้งชื่อ เช่น ซิลเวอร์ หรือ Silver")
            }
            E::NameTooLong { name } => {
                format!("ชื่อระดับ \"{name}\" ยาวเกิน {TIER_NAME_CHARS_MAX} ตัวอักษร: ตั้งชื่อให้สั้นลง")
            }
            E::DescriptionTooLong { name } => format!(
                "คำอธิบายของระดับ \"{name}\" ยาวเกิน {TIER_DESCRIPTION_CHARS_MAX} ตัวอักษร: เขียนให้สั้นลง"
            ),
            E::DuplicateName { name } => {
                format!("มีสองระดับชื่อ \"{name}\": ชื่อระดับต้องไม่ซ้ำกัน")
            }
            E::DuplicateId { id } => {
                format!("มีสองระดับใช้รหัส {id}: รหัสระดับต้องไม่ซ้ำกัน")
            }
            E::StartTooHigh { name, start } => format!(
                "ระดับ \"{name}\" เริ่มที่ {start} แต้ม เกิน {TIER_START_MAX} แต้มที่ตั้งได้: กรอกแต้มที่สมาชิกต้องสะสม"
            ),
            E::ZeroId { name, free } => format!(
                "ระดับ \"{name}\" มีรหัส 0 แต่รหัสระดับเริ่มที่ 1: ให้ \"{name}\" ใช้รหัสที่ยังว่าง เช่น {free}"
            ),
            E::IdOfRemovedTier {
                name,
                id,
                removed,
                free,
            } => format!(
                "ระดับ \"{name}\" ใช้รหัส {id} ซึ่งเป็นรหัสของระดับ \"{removed}\" ที่ลบไปแล้ว ประวัติระดับของสมาชิกยังอ้างถึงระดับนั้น: ให้ \"{name}\" ใช้รหัสที่ไม่เคยใช้ เช่น {free}"
            ),
            E::IdTakenFromAnotherTier {
                name,
                old_id,
                new_id,
                other,
            } => format!(
                "ระดับ \"{name}\" ใช้รหัส {old_id} และรหัส {old_id} จะกลายเป็นของ \"{other}\": รหัสระดับคือสิ่งที่ประวัติระดับของสมาชิกใช้อ้างถึง การย้าย \"{name}\" ไปรหัส {new_id} จะเปลี่ยนชื่อในประวัติย้อนหลัง ให้ \"{name}\" คงรหัส {old_id} และ \"{other}\" คงรหัสของตนเอง (แก้ชื่อหรือแต้มเริ่มต้นได้ที่รหัสเดิม)"
            ),
        }
    }
}

/// The shop's whole tier configuration: the switch, the period and the tiers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "TierSettingsDraft")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct TierSettings {
    /// The switch: when off, members have no visible tier and the main rates apply.
    pub enabled: bool,
    /// How accumulated points are counted.
    pub period: CalculationPeriod,
    /// Ascending by start point; validated.
    tiers: Vec<Tier>,
    /// Tiers the shop removed, by id: their ids stay taken and their names label the tier
    /// changes made while they existed. Left out of the JSON when there are none, so that
    /// settings stored before tiers could be retired read and write back the same.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    retired: Vec<RetiredTier>,
}

/// Tier settings as sent (by a settings screen, in a settings document), not yet checked: a
/// caller that wants the rule a draft breaks as a [`TierSettingsError`] (to say it in Thai)
/// reads this and calls [`TierSettingsDraft::validated`]; reading [`TierSettings`] directly
/// does the same and folds the error into the reader's.
#[derive(Clone, Debug, Deserialize)]
pub struct TierSettingsDraft {
    enabled: bool,
    period: CalculationPeriod,
    tiers: Vec<Tier>,
    #[serde(default)]
    retired: Vec<RetiredTier>,
}

impl TierSettingsDraft {
    /// The settings, checked and ordered, or the first rule they break.
    pub fn validated(self) -> Result<TierSettings, TierSettingsError> {
        TierSettings::new(self.enabled, self.period, self.tiers)?.with_retired(self.retired)
    }
}

impl TryFrom<TierSettingsDraft> for TierSettings {
    type Error = TierSettingsError;
    fn try_from(draft: TierSettingsDraft) -> Result<Self, Self::Error> {
        draft.validated()
    }
}

/// How far a member is from the next tier.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TierProgress {
    /// The tier the member's points place them in.
    pub current: TierId,
    /// The next tier up, if any.
    pub next: Option<TierId>,
    /// Points still needed to reach the next tier (0 when at the top).
    pub points_to_next: Points,
}

impl TierSettings {
    /// Validates and orders a configuration.
    pub fn new(
        enabled: bool,
        period: CalculationPeriod,
        mut tiers: Vec<Tier>,
    ) -> Result<TierSettings, TierSettingsError> {
        if tiers.is_empty() {
            return Err(TierSettingsError::NoTiers);
        }
        if tiers.len() > TIERS_MAX {
            return Err(TierSettingsError::TooMany { count: tiers.len() });
        }
        let mut names = HashSet::new();
        let mut ids = HashSet::new();
        for (i, tier) in tiers.iter_mut().enumerate() {
            // Control characters (a terminal escape, a NUL) never reach a name that cashiers'
            // screens and receipts show.
            tier.name = crate::member::clean_text(&tier.name);
            tier.description = crate::member::clean_text(&tier.description);
            if tier.name.is_empty() {
                return Err(TierSettingsError::EmptyName { position: i + 1 });
            }
            if visible_len(&tier.name) > TIER_NAME_CHARS_MAX {
                return Err(TierSettingsError::NameTooLong {
                    name: shortened(&tier.name),
                });
            }
            if visible_len(&tier.description) > TIER_DESCRIPTION_CHARS_MAX {
                return Err(TierSettingsError::DescriptionTooLong {
                    name: tier.name.clone(),
                });
            }
            if tier.id == 0 {
                return Err(TierSettingsError::ZeroId {
                    name: tier.name.clone(),
                    free: tiers.iter().map(|t| t.id).max().unwrap_or(0) + 1,
                });
            }
            if tier.start_points.0 > TIER_START_MAX {
                return Err(TierSettingsError::StartTooHigh {
                    name: tier.name.clone(),
                    start: tier.start_points.0,
                });
            }
            if tier.start_points.0 < 0 {
                return Err(TierSettingsError::NegativeStart {
                    name: tier.name.clone(),
                    start: tier.start_points.0,
                });
            }
            if !names.insert(tier.name.to_lowercase()) {
                return Err(TierSettingsError::DuplicateName {
                    name: tier.name.clone(),
                });
            }
            if !ids.insert(tier.id) {
                return Err(TierSettingsError::DuplicateId { id: tier.id });
            }
        }
        tiers.sort_by_key(|t| t.start_points);
        for pair in tiers.windows(2) {
            if pair[0].start_points == pair[1].start_points {
                return Err(TierSettingsError::SameStart {
                    first: pair[0].name.clone(),
                    second: pair[1].name.clone(),
                    start: pair[0].start_points.0,
                });
            }
        }
        if tiers[0].start_points != Points::ZERO {
            return Err(TierSettingsError::LowestNotAtZero {
                name: tiers[0].name.clone(),
                start: tiers[0].start_points.0,
            });
        }
        Ok(TierSettings {
            enabled,
            period,
            tiers,
            retired: Vec::new(),
        })
    }

    /// These settings with `retired` added to the removed tiers they know; refused when a
    /// tier uses a removed tier's id.
    pub fn with_retired(
        mut self,
        retired: impl IntoIterator<Item = RetiredTier>,
    ) -> Result<TierSettings, TierSettingsError> {
        for r in retired {
            if self.retired.iter().any(|known| known.id == r.id) {
                continue;
            }
            self.retired.push(r);
        }
        self.retired.sort_by_key(|r| r.id);
        if let Some((tier, removed)) = self.tiers.iter().find_map(|t| {
            self.retired
                .iter()
                .find(|r| r.id == t.id)
                .map(|r| (t.clone(), r.name.clone()))
        }) {
            return Err(TierSettingsError::IdOfRemovedTier {
                name: tier.name,
                id: tier.id,
                removed,
                free: self.next_free_id(),
            });
        }
        Ok(self)
    }

    /// These settings replacing `previous`: the tiers `previous` had that these do not are
    /// retired, with those `previous` had retired already, so that no id is given twice and
    /// every recorded tier change keeps a name. A tier that takes a removed tier's id is
    /// refused.
    pub fn replacing(mut self, previous: &TierSettings) -> Result<TierSettings, TierSettingsError> {
        // A tier keeps its id while that id is in use: a move to another id is allowed only
        // when the old id goes (the tier is then replaced, its old id retired).
        for tier in &self.tiers {
            let moved = previous
                .tiers
                .iter()
                .find(|old| old.name == tier.name && old.id != tier.id);
            if let Some(old) = moved
                && let Some(other) = self.tier(old.id)
            {
                return Err(TierSettingsError::IdTakenFromAnotherTier {
                    name: tier.name.clone(),
                    old_id: old.id,
                    new_id: tier.id,
                    other: other.name.clone(),
                });
            }
        }
        // The removed tiers are history: they come from what the shop had, never from the
        // new settings (a file that renames one would rename past tier changes).
        self.retired.clear();
        let gone: Vec<RetiredTier> = previous
            .retired
            .iter()
            .cloned()
            .chain(
                previous
                    .tiers
                    .iter()
                    .filter(|old| self.tier(old.id).is_none())
                    .map(|old| RetiredTier {
                        id: old.id,
                        name: old.name.clone(),
                        icon: old.icon,
                    }),
            )
            .collect();
        self.with_retired(gone)
    }

    /// The tiers the shop removed, by id.
    pub fn retired(&self) -> &[RetiredTier] {
        &self.retired
    }

    /// The name and icon of a tier by id: a current tier, or one the shop removed.
    pub fn label(&self, id: TierId) -> Option<(&str, TierIcon)> {
        self.tier(id)
            .map(|t| (t.name.as_str(), t.icon))
            .or_else(|| {
                self.retired
                    .iter()
                    .find(|r| r.id == id)
                    .map(|r| (r.name.as_str(), r.icon))
            })
    }

    /// The three tiers a new shop starts with, switched off (the seed: finish the settings
    /// before switching the tier system on).
    pub fn default_for_new_shop() -> TierSettings {
        let tier = |id, name: &str, description: &str, start, icon| Tier {
            id,
            name: name.to_string(),
            description: description.to_string(),
            start_points: Points(start),
            icon,
            rate_mode: RateMode::BasedOnSystem,
        };
        TierSettings {
            enabled: false,
            period: CalculationPeriod::Last12Months,
            tiers: vec![
                tier(1, "สมาชิก", "สมาชิกทั่วไป", 0, TierIcon::Seedling),
                tier(
                    2,
                    "ซิลเวอร์",
                    "สะสมครบ 500 แต้มใน 12 เดือน",
                    500,
                    TierIcon::Silver,
                ),
                tier(
                    3,
                    "โกลด์",
                    "สะสมครบ 2,000 แต้มใน 12 เดือน",
                    2_000,
                    TierIcon::Gold,
                ),
            ],
            retired: Vec::new(),
        }
    }

    /// The tiers, lowest first.
    pub fn tiers(&self) -> &[Tier] {
        &self.tiers
    }

    /// A tier by id.
    pub fn tier(&self, id: TierId) -> Option<&Tier> {
        self.tiers.iter().find(|t| t.id == id)
    }

    /// A tier's level: how many tiers start below it (0 for the lowest).
    pub fn level(&self, id: TierId) -> Option<usize> {
        let tier = self.tier(id)?;
        Some(
            self.tiers
                .iter()
                .filter(|t| t.start_points < tier.start_points)
                .count(),
        )
    }

    /// The lowest tier (starts at 0 points).
    pub fn lowest(&self) -> &Tier {
        // Invariant: `new` refuses an empty list.
        &self.tiers[0]
    }

    /// An id not used by any tier, for a new tier.
    pub fn next_free_id(&self) -> TierId {
        self.tiers
            .iter()
            .map(|t| t.id)
            .chain(self.retired.iter().map(|r| r.id))
            .max()
            .unwrap_or(0)
            + 1
    }

    fn position(&self, id: TierId) -> Option<usize> {
        self.tiers.iter().position(|t| t.id == id)
    }

    /// The tier that `accumulated` points place a member in: the highest tier whose start
    /// point is reached. Negative totals (more reversals than earnings) place in the lowest.
    pub fn placement(&self, accumulated: Points) -> &Tier {
        self.tiers
            .iter()
            .rev()
            .find(|t| t.start_points <= accumulated)
            .unwrap_or_else(|| self.lowest())
    }

    /// The tier change, if any, for a member now in `current` with `accumulated` points,
    /// for a change caused by `reason`. Earning only moves members up; every other reason
    /// re-places them. A member whose tier no longer exists is always re-placed.
    pub fn change_for(
        &self,
        current: Option<TierId>,
        accumulated: Points,
        reason: TierChangeReason,
    ) -> Option<TierId> {
        let target = self.placement(accumulated);
        let Some(current_pos) = current.and_then(|id| self.position(id)) else {
            return Some(target.id);
        };
        let target_pos = self.position(target.id).unwrap_or(0);
        let moves = if reason.may_downgrade() {
            target_pos != current_pos
        } else {
            target_pos > current_pos
        };
        moves.then_some(target.id)
    }

    /// Progress from the tier the points place the member in to the next one.
    pub fn progress(&self, accumulated: Points) -> TierProgress {
        let current = self.placement(accumulated);
        let next = self.tiers.iter().find(|t| t.start_points > accumulated);
        TierProgress {
            current: current.id,
            next: next.map(|t| t.id),
            points_to_next: next.map_or(Points::ZERO, |t| t.start_points - accumulated),
        }
    }

    /// The rate a purchase earns at. `member_tier` is `None` for a buyer who is not a member.
    ///
    /// Tier system off, or not a member → the system rate of the channel. On, and the tier's
    /// mode is Custom → the tier's rate on every channel. On and Based on the system → the
    /// system rate of the channel.
    pub fn rate_for(
        &self,
        rates: &SystemRates,
        channel: Channel,
        member_tier: Option<TierId>,
    ) -> PointRate {
        let system = rates.for_channel(channel);
        if !self.enabled {
            return system;
        }
        match member_tier
            .and_then(|id| self.tier(id))
            .map(|t| t.rate_mode)
        {
            Some(RateMode::Custom { rate }) => rate,
            Some(RateMode::BasedOnSystem) | None => system,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::Money;
    use proptest::prelude::*;

    fn tier(id: TierId, name: &str, start: i64) -> Tier {
        Tier {
            id,
            name: name.into(),
            description: String::new(),
            start_points: Points(start),
            icon: TierIcon::Star,
            rate_mode: RateMode::BasedOnSystem,
        }
    }

    fn three() -> TierSettings {
        TierSettings::new(
            true,
            CalculationPeriod::Last3Months,
            vec![
                tier(3, "Gold", 2000),
                tier(1, "Member", 0),
                tier(2, "Silver", 500),
            ],
        )
        .unwrap()
    }

    #[test]
    fn tier_names_lose_control_characters_and_count_thai_marks_with_their_letter() {
        let s = TierSettings::new(
            true,
            CalculationPeriod::Last3Months,
            vec![tier(1, "Go\u{1b}[31mld\u{0}\tX", 0)],
        )
        .unwrap();
        assert_eq!(s.tiers()[0].name, "Go[31mld X");
        // 20 Thai letters with their marks: 60 code points, 20 characters as people count.
        let thai = "กี่".repeat(20);
        assert_eq!(visible_len(&thai), 20);
        assert!(
            TierSettings::new(
                true,
                CalculationPeriod::Last3Months,
                vec![tier(1, &thai, 0)]
            )
            .is_ok()
        );
        let long = "ก".repeat(1000);
        let err = TierSettings::new(
            true,
            CalculationPeriod::Last3Months,
            vec![tier(1, &long, 0)],
        )
        .unwrap_err()
        .to_string();
        assert!(err.len() < 200, "{err}");
    }

    #[test]
    fn a_tier_id_0_and_an_unreachable_start_are_refused() {
        let err = TierSettings::new(true, CalculationPeriod::Last3Months, vec![tier(0, "M", 0)])
            .unwrap_err();
        assert!(
            matches!(err, TierSettingsError::ZeroId { free: 1, .. }),
            "{err}"
        );
        assert!(err.to_string().contains("e.g. 1"), "{err}");
        let err = TierSettings::new(
            true,
            CalculationPeriod::Last3Months,
            vec![tier(1, "M", 0), tier(2, "G", i64::MAX)],
        )
        .unwrap_err();
        assert!(
            matches!(err, TierSettingsError::StartTooHigh { .. }),
            "{err}"
        );
        assert!(
            TierSettings::new(
                true,
                CalculationPeriod::Last3Months,
                vec![tier(1, "M", 0), tier(2, "G", TIER_START_MAX)],
            )
            .is_ok()
        );
    }

    #[test]
    fn removed_tiers_keep_their_ids_and_names() {
        let s = three();
        let fewer = TierSettings::new(true, s.period, vec![tier(1, "Member", 0)])
            .unwrap()
            .replacing(&s)
            .unwrap();
        assert_eq!(fewer.label(2), Some(("Silver", TierIcon::Star)));
        assert_eq!(fewer.label(3), Some(("Gold", TierIcon::Star)));
        assert_eq!(fewer.next_free_id(), 4);
        // Carried through a later change, and through JSON (counters get them from the server).
        let later = TierSettings::new(
            true,
            s.period,
            vec![tier(1, "Member", 0), tier(4, "Diamond", 900)],
        )
        .unwrap()
        .replacing(&fewer)
        .unwrap();
        let json = serde_json::to_string(&later).unwrap();
        let back: TierSettings = serde_json::from_str(&json).unwrap();
        assert_eq!(back, later);
        assert_eq!(back.label(2), Some(("Silver", TierIcon::Star)));
        // Settings written before retired tiers existed still read.
        let mut value = serde_json::to_value(three()).unwrap();
        value.as_object_mut().unwrap().remove("retired");
        let old: TierSettings = serde_json::from_value(value).unwrap();
        assert!(old.retired().is_empty());
        // The names of removed tiers are history: new settings cannot rename them.
        let renamed = {
            let mut value = serde_json::to_value(&fewer).unwrap();
            value["retired"][0]["name"] = serde_json::json!("Renamed");
            serde_json::from_value::<TierSettings>(value).unwrap()
        };
        let kept = renamed.replacing(&fewer).unwrap();
        assert_eq!(kept.label(2), Some(("Silver", TierIcon::Star)));
        // A new tier on a removed tier's id is refused.
        let err = TierSettings::new(
            true,
            s.period,
            vec![tier(1, "Member", 0), tier(2, "Platinum", 900)],
        )
        .unwrap()
        .replacing(&fewer)
        .unwrap_err();
        assert!(
            matches!(err, TierSettingsError::IdOfRemovedTier { id: 2, .. }),
            "{err}"
        );
    }

    #[test]
    fn placement_picks_the_highest_reached_tier() {
        let s = three();
        assert_eq!(s.placement(Points(0)).name, "Member");
        assert_eq!(s.placement(Points(499)).name, "Member");
        assert_eq!(s.placement(Points(500)).name, "Silver");
        assert_eq!(s.placement(Points(1_000_000)).name, "Gold");
        assert_eq!(s.placement(Points(-20)).name, "Member");
    }

    #[test]
    fn two_tiers_swapping_ids_are_refused_and_a_tier_moving_to_a_fresh_id_is_not() {
        let previous = TierSettings::default_for_new_shop();
        let mut swapped = previous.clone();
        let (a, b) = (swapped.tiers[1].id, swapped.tiers[2].id);
        swapped.tiers[1].id = b;
        swapped.tiers[2].id = a;
        let err = swapped.replacing(&previous).unwrap_err();
        assert!(
            matches!(err, TierSettingsError::IdTakenFromAnotherTier { old_id, new_id, .. } if old_id == a && new_id == b),
            "{err}"
        );
        assert!(
            err.to_string().contains("would rename past tier changes"),
            "{err}"
        );
        // The same tier under a fresh id, its old id gone: a replacement, allowed.
        let mut moved = previous.clone();
        let fresh = moved.next_free_id();
        moved.tiers[1].id = fresh;
        let replaced = moved.replacing(&previous).unwrap();
        assert!(replaced.retired().iter().any(|r| r.id == a));
    }

    #[test]
    fn earning_never_downgrades_but_reevaluation_does() {
        let s = three();
        assert_eq!(
            s.change_for(Some(3), Points(10), TierChangeReason::Earned),
            None
        );
        assert_eq!(
            s.change_for(Some(1), Points(600), TierChangeReason::Earned),
            Some(2)
        );
        assert_eq!(
            s.change_for(Some(3), Points(10), TierChangeReason::Reevaluation),
            Some(1)
        );
        assert_eq!(
            s.change_for(Some(2), Points(700), TierChangeReason::Reevaluation),
            None
        );
        assert_eq!(
            s.change_for(None, Points(0), TierChangeReason::Registered),
            Some(1)
        );
        assert_eq!(
            s.change_for(Some(99), Points(0), TierChangeReason::Earned),
            Some(1)
        );
    }

    #[test]
    fn invalid_configurations_are_refused() {
        let p = CalculationPeriod::SinceRegistration;
        assert_eq!(
            TierSettings::new(true, p, vec![]),
            Err(TierSettingsError::NoTiers)
        );
        assert!(matches!(
            TierSettings::new(true, p, vec![tier(1, "A", 10)]),
            Err(TierSettingsError::LowestNotAtZero { .. })
        ));
        assert!(matches!(
            TierSettings::new(true, p, vec![tier(1, "A", 0), tier(2, "B", 0)]),
            Err(TierSettingsError::SameStart { .. })
        ));
        assert!(matches!(
            TierSettings::new(true, p, vec![tier(1, "A", 0), tier(2, " a ", 5)]),
            Err(TierSettingsError::DuplicateName { .. })
        ));
        assert!(matches!(
            TierSettings::new(true, p, vec![tier(1, "A", 0), tier(1, "B", 5)]),
            Err(TierSettingsError::DuplicateId { .. })
        ));
        assert!(matches!(
            TierSettings::new(true, p, vec![tier(1, "  ", 0)]),
            Err(TierSettingsError::EmptyName { position: 1 })
        ));
        assert!(matches!(
            TierSettings::new(true, p, vec![tier(1, "A", 0), tier(2, "B", -5)]),
            Err(TierSettingsError::NegativeStart { .. })
        ));
    }

    #[test]
    fn deserialising_validates() {
        let json = r#"{"enabled":true,"period":"last_6_months","tiers":[{"id":1,"name":"A","start_points":5,"icon":"star","rate_mode":{"mode":"based_on_system"}}]}"#;
        assert!(serde_json::from_str::<TierSettings>(json).is_err());
        let ok = json.replace("\"start_points\":5", "\"start_points\":0");
        assert!(serde_json::from_str::<TierSettings>(&ok).is_ok());
    }

    #[test]
    fn rate_depends_on_switch_mode_and_membership() {
        let rates = SystemRates {
            counter: PointRate::parse("25:1").unwrap(),
            ecommerce: PointRate::parse("50:1").unwrap(),
            sms: PointRate::parse("100:1").unwrap(),
        };
        let gold_rate = PointRate::parse("10:1").unwrap();
        let mut tiers = vec![tier(1, "Member", 0), tier(2, "Gold", 100)];
        tiers[1].rate_mode = RateMode::Custom { rate: gold_rate };
        let mut s = TierSettings::new(true, CalculationPeriod::Last12Months, tiers).unwrap();
        let amount = Money::parse("100").unwrap();
        // Custom tier: its own rate everywhere.
        assert_eq!(s.rate_for(&rates, Channel::Counter, Some(2)), gold_rate);
        assert_eq!(
            s.rate_for(&rates, Channel::EcommerceAuto, Some(2)),
            gold_rate
        );
        // Based on the system: the channel's system rate.
        assert_eq!(s.rate_for(&rates, Channel::Counter, Some(1)), rates.counter);
        assert_eq!(
            s.rate_for(&rates, Channel::EcommerceAuto, Some(1)),
            rates.ecommerce
        );
        assert_eq!(
            s.rate_for(&rates, Channel::EcommerceSms, Some(1)),
            rates.sms
        );
        // Not a member: the system rate.
        assert_eq!(
            s.rate_for(&rates, Channel::EcommerceAuto, None),
            rates.ecommerce
        );
        // Switch off: main rates even for a Custom tier.
        s.enabled = false;
        assert_eq!(s.rate_for(&rates, Channel::Counter, Some(2)), rates.counter);
        assert_eq!(rates.counter.points_for(amount), Points(4));
    }

    #[test]
    fn rolling_window_covers_exactly_n_months() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
        assert_eq!(
            CalculationPeriod::Last3Months.window_start(today),
            NaiveDate::from_ymd_opt(2026, 8, 24)
        );
        assert_eq!(
            CalculationPeriod::Last12Months.window_start(today),
            NaiveDate::from_ymd_opt(2025, 11, 24)
        );
        assert_eq!(
            CalculationPeriod::SinceRegistration.window_start(today),
            None
        );
        // Month ends clamp: 31 May − 3 months = 28 Feb (non-leap), window starts 1 March.
        let may31 = NaiveDate::from_ymd_opt(2026, 5, 31).unwrap();
        assert_eq!(
            CalculationPeriod::Last3Months.window_start(may31),
            NaiveDate::from_ymd_opt(2026, 3, 1)
        );
    }

    #[test]
    fn period_parses_cli_forms() {
        assert_eq!(
            CalculationPeriod::parse("6"),
            Some(CalculationPeriod::Last6Months)
        );
        assert_eq!(
            CalculationPeriod::parse("registration"),
            Some(CalculationPeriod::SinceRegistration)
        );
        assert_eq!(CalculationPeriod::parse("5"), None);
    }

    fn arb_settings() -> impl Strategy<Value = TierSettings> {
        proptest::collection::btree_set(1i64..100_000, 0..6).prop_map(|starts| {
            let mut tiers = vec![tier(1, "t0", 0)];
            for (i, s) in starts.into_iter().enumerate() {
                tiers.push(tier(i as u32 + 2, &format!("t{}", i + 1), s));
            }
            TierSettings::new(true, CalculationPeriod::Last12Months, tiers).unwrap()
        })
    }

    proptest! {
        #[test]
        fn placement_is_the_highest_tier_reached(s in arb_settings(), pts in -1000i64..200_000) {
            let placed = s.placement(Points(pts));
            prop_assert!(placed.start_points <= Points(pts.max(0)));
            let above = s.tiers().iter().filter(|t| t.start_points > placed.start_points);
            for t in above {
                prop_assert!(t.start_points > Points(pts));
            }
        }

        #[test]
        fn placement_is_monotonic(s in arb_settings(), a in 0i64..200_000, b in 0i64..200_000) {
            let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
            prop_assert!(s.placement(Points(lo)).start_points <= s.placement(Points(hi)).start_points);
        }

        #[test]
        fn earning_only_moves_up_and_lands_where_placement_says(s in arb_settings(), cur in 0usize..7, pts in 0i64..200_000) {
            let current = s.tiers()[cur % s.tiers().len()].clone();
            match s.change_for(Some(current.id), Points(pts), TierChangeReason::Earned) {
                Some(to) => {
                    let to = s.tier(to).unwrap();
                    prop_assert!(to.start_points > current.start_points);
                    prop_assert_eq!(to, s.placement(Points(pts)));
                }
                None => prop_assert!(s.placement(Points(pts)).start_points <= current.start_points),
            }
            // Re-evaluation always ends where placement says.
            let after = s
                .change_for(Some(current.id), Points(pts), TierChangeReason::Reevaluation)
                .unwrap_or(current.id);
            prop_assert_eq!(after, s.placement(Points(pts)).id);
        }

        #[test]
        fn progress_points_reach_exactly_the_next_tier(s in arb_settings(), pts in 0i64..200_000) {
            let p = s.progress(Points(pts));
            if let Some(next) = p.next {
                let reached = Points(pts) + p.points_to_next;
                prop_assert_eq!(s.placement(reached).id, next);
                prop_assert_eq!(s.placement(reached - Points(1)).id, p.current);
            } else {
                prop_assert_eq!(p.points_to_next, Points::ZERO);
            }
        }
    }
}
