//! A member's profile and the rules for its fields.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::phone::Phone;

/// Longest name part, in characters.
pub const NAME_CHARS_MAX: usize = 100;
/// Longest address or note, in characters.
pub const TEXT_CHARS_MAX: usize = 1_000;
/// Most tags on one member.
pub const TAGS_MAX: usize = 20;
/// Longest tag, in characters.
pub const TAG_CHARS_MAX: usize = 40;
/// What separates tags in one cell of a member list, and so never appears inside a tag.
pub const TAG_SEPARATORS: [char; 5] = [',', ';', '|', '\n', '\r'];
/// Earliest plausible birthday year (C.E.).
pub const BIRTH_YEAR_MIN: i32 = 1900;

/// Gender, as the member chose to tell it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum Gender {
    /// Not given.
    #[default]
    Unspecified,
    /// Female (หญิง).
    Female,
    /// Male (ชาย).
    Male,
    /// Other (อื่น ๆ).
    Other,
}

impl Gender {
    /// Whether no gender was given (not serialised then: the default).
    pub fn is_unspecified(&self) -> bool {
        *self == Gender::Unspecified
    }

    /// Stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            Gender::Unspecified => "unspecified",
            Gender::Female => "female",
            Gender::Male => "male",
            Gender::Other => "other",
        }
    }

    /// Parses English or Thai forms: `f`, `female`, `หญิง`, `m`, `ชาย`, `other`, `อื่น`.
    pub fn parse(input: &str) -> Option<Gender> {
        match input.trim().to_lowercase().as_str() {
            "" | "unspecified" | "-" | "ไม่ระบุ" => Some(Gender::Unspecified),
            "f" | "female" | "หญิง" | "ญ" => Some(Gender::Female),
            "m" | "male" | "ชาย" | "ช" => Some(Gender::Male),
            "o" | "other" | "อื่น" | "อื่นๆ" | "อื่น ๆ" => {
                Some(Gender::Other)
            }
            _ => None,
        }
    }
}

/// Why a profile is not acceptable. Nothing is saved when any check fails.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProfileError {
    /// The required first name is missing.
    #[error("the first name is required: type the member's first name (ชื่อ)")]
    FirstNameMissing,
    /// A text field is too long.
    #[error("the {field} is longer than {max} characters")]
    TooLong {
        /// Which field.
        field: &'static str,
        /// Its limit.
        max: usize,
    },
    /// An email without the shape name@domain.tld.
    #[error("`{input}` is not an email address: it should look like name@example.com")]
    BadEmail {
        /// What was typed.
        input: String,
    },
    /// A birthday in the future or implausibly old.
    #[error("birthday {date} is not plausible: it must be between {BIRTH_YEAR_MIN} and today")]
    BadBirthday {
        /// The date given.
        date: NaiveDate,
    },
    /// Too many tags, or a tag too long / empty.
    #[error("tags: at most {TAGS_MAX} tags of 1 to {TAG_CHARS_MAX} characters each")]
    BadTags,
}

impl ProfileError {
    /// The form field the error belongs next to (`first_name`, `email`, …).
    pub fn field(&self) -> &'static str {
        match self {
            ProfileError::FirstNameMissing => "first_name",
            ProfileError::TooLong { field, .. } => match *field {
                "first name" => "first_name",
                "last name" => "last_name",
                "address" => "address",
                "note" => "note",
                _ => "email",
            },
            ProfileError::BadEmail { .. } => "email",
            ProfileError::BadBirthday { .. } => "birthday",
            ProfileError::BadTags => "tags",
        }
    }

    /// The message in Thai, for the window.
    pub fn th(&self) -> String {
        match self {
            ProfileError::FirstNameMissing => "ต้องกรอกชื่อ: กรอกชื่อจริงของสมาชิก".into(),
            ProfileError::TooLong { max, .. } => format!("ข้อความยาวเกิน {max} ตัวอักษร"),
            ProfileError::BadEmail { input } => {
                format!("\"{input}\" ไม่ใช่อีเมล: อีเมลมีรูปแบบ เช่น name@example.com")
            }
            ProfileError::BadBirthday { date } => {
                format!("วันเกิด {date} ไม่สมเหตุสมผล: ต้องไม่เกินวันนี้")
            }
            ProfileError::BadTags => {
                format!("แท็กไม่ถูกต้อง: ใส่ได้ไม่เกิน {TAGS_MAX} แท็ก แท็กละ 1 ถึง {TAG_CHARS_MAX} ตัวอักษร")
            }
        }
    }
}

/// A member's editable profile (the phone and member code are identity, kept apart).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct MemberProfile {
    /// First name (required).
    pub first_name: String,
    /// Last name.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub last_name: String,
    /// Birthday.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub birthday: Option<NaiveDate>,
    /// Gender.
    #[serde(default, skip_serializing_if = "Gender::is_unspecified")]
    pub gender: Gender,
    /// Email address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Postal address, for shipped rewards.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    /// Tags.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// Marketing consent: opt-in, never pre-ticked.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub marketing_consent: bool,
    /// Consent to keep personal data under the PDPA.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub pdpa_consent: bool,
    /// A free note.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// A one-line text as kept: whitespace (tabs and line breaks too) collapsed to single
/// spaces, and control characters that are not whitespace dropped: a terminal escape or a
/// bell pasted from another program is never part of a name or a reason, and would change
/// the colours of a terminal that shows it.
pub fn clean_text(text: &str) -> String {
    let visible: String = text.chars().filter(|c| kept(*c)).collect();
    visible.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Whether a character of a typed text is kept: anything but a control character that is
/// not whitespace.
fn kept(c: char) -> bool {
    !c.is_control() || c.is_whitespace()
}

/// A multi-line text (address, note) as kept: trimmed, line breaks and tabs kept, other
/// control characters dropped.
fn clean_optional(text: Option<String>) -> Option<String> {
    text.map(|t| {
        t.chars()
            .filter(|c| kept(*c))
            .collect::<String>()
            .trim()
            .to_string()
    })
    .filter(|t| !t.is_empty())
}

fn check_len(field: &'static str, text: &str, max: usize) -> Result<(), ProfileError> {
    // Counted as people count characters: a Thai vowel or tone mark shares its letter's place.
    if crate::tier::visible_len(text) > max {
        return Err(ProfileError::TooLong { field, max });
    }
    Ok(())
}

impl MemberProfile {
    /// Normalises (trims, collapses spaces, lowercases email) and checks every field.
    /// `today` is the shop-local date, for the birthday check.
    pub fn validated(self, today: NaiveDate) -> Result<MemberProfile, ProfileError> {
        let first_name = clean_text(&self.first_name);
        if first_name.is_empty() {
            return Err(ProfileError::FirstNameMissing);
        }
        check_len("first name", &first_name, NAME_CHARS_MAX)?;
        let last_name = clean_text(&self.last_name);
        check_len("last name", &last_name, NAME_CHARS_MAX)?;
        let email = clean_optional(self.email).map(|e| e.to_lowercase());
        if let Some(email) = &email {
            let valid = email.split_once('@').is_some_and(|(local, domain)| {
                !local.is_empty()
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
                    && !email.contains(char::is_whitespace)
                    && !domain.contains('@')
            });
            if !valid {
                return Err(ProfileError::BadEmail {
                    input: email.clone(),
                });
            }
            check_len("email", email, 254)?;
        }
        let earliest = NaiveDate::from_ymd_opt(BIRTH_YEAR_MIN, 1, 1).unwrap_or(NaiveDate::MIN);
        if let Some(date) = self.birthday
            && (date > today || date < earliest)
        {
            return Err(ProfileError::BadBirthday { date });
        }
        let address = clean_optional(self.address);
        if let Some(a) = &address {
            check_len("address", a, TEXT_CHARS_MAX)?;
        }
        let note = clean_optional(self.note);
        if let Some(n) = &note {
            check_len("note", n, TEXT_CHARS_MAX)?;
        }
        // A tag never holds a separator a member list uses between tags (a download joins
        // them with ", " and the import splits there): `a,b` is two tags, as it would be
        // after a round trip through a file.
        let mut tags: Vec<String> = Vec::new();
        for typed in &self.tags {
            let parts: Vec<String> = typed
                .split(TAG_SEPARATORS)
                .map(clean_text)
                .filter(|t| !t.is_empty())
                .collect();
            if parts.is_empty() {
                tags.push(String::new()); // an empty tag: refused below
            }
            for part in parts {
                if !tags.contains(&part) {
                    tags.push(part);
                }
            }
        }
        if tags.len() > TAGS_MAX
            || tags
                .iter()
                .any(|t| t.is_empty() || t.chars().count() > TAG_CHARS_MAX)
        {
            return Err(ProfileError::BadTags);
        }
        Ok(MemberProfile {
            first_name,
            last_name,
            birthday: self.birthday,
            gender: self.gender,
            email,
            address,
            tags,
            marketing_consent: self.marketing_consent,
            pdpa_consent: self.pdpa_consent,
            note,
        })
    }

    /// First and last name, as displayed and as indexed for search.
    pub fn full_name(&self) -> String {
        full_name(self.first_name.clone(), &self.last_name)
    }

    /// Applies field changes, returning the new profile (not yet validated).
    pub fn with_changes(&self, changes: &[ProfileChange]) -> MemberProfile {
        self.with_changes_inner(changes)
    }

    /// Every field of the profile as a change (for a registration's per-field stamps).
    pub fn as_changes(&self) -> Vec<ProfileChange> {
        vec![
            ProfileChange::FirstName(self.first_name.clone()),
            ProfileChange::LastName(self.last_name.clone()),
            ProfileChange::Birthday(self.birthday),
            ProfileChange::Gender(self.gender),
            ProfileChange::Email(self.email.clone()),
            ProfileChange::Address(self.address.clone()),
            ProfileChange::Tags(self.tags.clone()),
            ProfileChange::MarketingConsent(self.marketing_consent),
            ProfileChange::PdpaConsent(self.pdpa_consent),
            ProfileChange::Note(self.note.clone()),
        ]
    }

    fn with_changes_inner(&self, changes: &[ProfileChange]) -> MemberProfile {
        let mut p = self.clone();
        for change in changes {
            match change {
                ProfileChange::FirstName(v) => p.first_name = v.clone(),
                ProfileChange::LastName(v) => p.last_name = v.clone(),
                ProfileChange::Birthday(v) => p.birthday = *v,
                ProfileChange::Gender(v) => p.gender = *v,
                ProfileChange::Email(v) => p.email = v.clone(),
                ProfileChange::Address(v) => p.address = v.clone(),
                ProfileChange::Tags(v) => p.tags = v.clone(),
                ProfileChange::MarketingConsent(v) => p.marketing_consent = *v,
                ProfileChange::PdpaConsent(v) => p.pdpa_consent = *v,
                ProfileChange::Note(v) => p.note = v.clone(),
                ProfileChange::Phone(_) => {}
            }
        }
        p
    }
}

impl ProfileChange {
    /// The field's stable name (the key of its clock stamp on the server).
    pub fn field(&self) -> &'static str {
        match self {
            ProfileChange::FirstName(_) => "first_name",
            ProfileChange::LastName(_) => "last_name",
            ProfileChange::Birthday(_) => "birthday",
            ProfileChange::Gender(_) => "gender",
            ProfileChange::Email(_) => "email",
            ProfileChange::Address(_) => "address",
            ProfileChange::Tags(_) => "tags",
            ProfileChange::MarketingConsent(_) => "marketing_consent",
            ProfileChange::PdpaConsent(_) => "pdpa_consent",
            ProfileChange::Note(_) => "note",
            ProfileChange::Phone(_) => "phone",
        }
    }

    /// Whether the change carries a value (an empty optional field does not, so a second
    /// registration of the same person does not blank what the first one filled in).
    pub fn has_value(&self) -> bool {
        match self {
            ProfileChange::LastName(v) => !v.is_empty(),
            ProfileChange::Birthday(v) => v.is_some(),
            ProfileChange::Gender(g) => *g != Gender::Unspecified,
            ProfileChange::Email(v) | ProfileChange::Address(v) | ProfileChange::Note(v) => {
                v.is_some()
            }
            ProfileChange::Tags(v) => !v.is_empty(),
            _ => true,
        }
    }
}

/// One edited field. Edits travel field by field so the server can merge concurrent edits
/// per field (latest edit wins by hybrid logical clock).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "field", content = "value", rename_all = "snake_case")]
pub enum ProfileChange {
    /// New first name.
    FirstName(String),
    /// New last name.
    LastName(String),
    /// New or cleared birthday.
    Birthday(Option<NaiveDate>),
    /// New gender.
    Gender(Gender),
    /// New or cleared email.
    Email(Option<String>),
    /// New or cleared address.
    Address(Option<String>),
    /// New tag list.
    Tags(Vec<String>),
    /// Marketing consent given or withdrawn.
    MarketingConsent(bool),
    /// PDPA consent given or withdrawn.
    PdpaConsent(bool),
    /// New or cleared note.
    Note(Option<String>),
    /// New mobile number (must stay unique in the shop).
    Phone(Phone),
}

/// A member's name as shown: the first name, then the last name after a space if there is
/// one.
pub fn full_name(first_name: String, last_name: &str) -> String {
    let mut name = first_name;
    if !last_name.is_empty() {
        name.push(' ');
        name.push_str(last_name);
    }
    name
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
    }

    #[test]
    fn names_are_trimmed_and_first_name_required() {
        let p = MemberProfile {
            first_name: "  สมชาย  ".into(),
            last_name: " ใจ  ดี ".into(),
            ..Default::default()
        };
        let v = p.validated(today()).unwrap();
        assert_eq!(v.full_name(), "สมชาย ใจ ดี");
        let empty = MemberProfile::default().validated(today());
        assert_eq!(empty, Err(ProfileError::FirstNameMissing));
    }

    #[test]
    fn a_thai_name_is_measured_as_people_count_its_letters() {
        // 100 letters, each with a vowel and a tone mark: 300 code points.
        let name = "กี่".repeat(100);
        let p = MemberProfile {
            first_name: name.clone(),
            ..Default::default()
        };
        assert!(p.validated(today()).is_ok());
        let p = MemberProfile {
            first_name: format!("{name}ก"),
            ..Default::default()
        };
        assert!(matches!(
            p.validated(today()),
            Err(ProfileError::TooLong {
                field: "first name",
                ..
            })
        ));
    }

    #[test]
    fn a_tag_never_holds_a_separator_of_a_member_list() {
        let p = MemberProfile {
            first_name: "สมชาย".into(),
            tags: vec!["vip,coffee".into(), "tea; vip".into(), "ลูกค้า|ประจำ".into()],
            ..Default::default()
        };
        let v = p.validated(today()).unwrap();
        assert_eq!(v.tags, vec!["vip", "coffee", "tea", "ลูกค้า", "ประจำ"]);
        // An empty tag is still a mistake, and so is one of separators only.
        for bad in ["", " , "] {
            let p = MemberProfile {
                first_name: "สมชาย".into(),
                tags: vec![bad.into()],
                ..Default::default()
            };
            assert_eq!(p.validated(today()), Err(ProfileError::BadTags), "{bad:?}");
        }
    }

    #[test]
    fn control_characters_never_reach_a_name_or_a_note() {
        let p = MemberProfile {
            first_name: "Tab\tName\u{1b}[31mRED\u{7}".into(),
            note: Some("แพ้นม\n\u{1b}[0mไม่หวาน".into()),
            ..Default::default()
        };
        let v = p.validated(today()).unwrap();
        assert_eq!(v.first_name, "Tab Name[31mRED");
        assert_eq!(
            v.note.as_deref(),
            Some("แพ้นม\n[0mไม่หวาน"),
            "line breaks stay"
        );
        assert_eq!(clean_text(" a\u{0}b \r\n c "), "ab c");
    }

    #[test]
    fn bad_email_and_future_birthday_are_refused() {
        let base = MemberProfile {
            first_name: "A".into(),
            ..Default::default()
        };
        let bad = MemberProfile {
            email: Some("not-an-email".into()),
            ..base.clone()
        };
        assert!(matches!(
            bad.validated(today()),
            Err(ProfileError::BadEmail { .. })
        ));
        let future = MemberProfile {
            birthday: NaiveDate::from_ymd_opt(2030, 1, 1),
            ..base.clone()
        };
        assert!(matches!(
            future.validated(today()),
            Err(ProfileError::BadBirthday { .. })
        ));
        let ok = MemberProfile {
            email: Some(" Somchai@Example.CO.TH ".into()),
            ..base
        };
        assert_eq!(
            ok.validated(today()).unwrap().email.as_deref(),
            Some("somchai@example.co.th")
        );
    }

    #[test]
    fn gender_parses_thai_and_english() {
        assert_eq!(Gender::parse("หญิง"), Some(Gender::Female));
        assert_eq!(Gender::parse("M"), Some(Gender::Male));
        assert_eq!(Gender::parse("x"), None);
    }
}
