//! The member template's columns: their Thai and English headers, which are required, and how a
//! header in a shop's file is matched to one (either language, any case, with or without the
//! `*`, spaces or a note in parentheses).

use serde::Serialize;

/// One column of the member template.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Column {
    /// Mobile number (required).
    Phone,
    /// First name (required).
    FirstName,
    /// Last name.
    LastName,
    /// Birthday, dd/mm/yyyy in B.E. or C.E.
    Birthday,
    /// Gender.
    Gender,
    /// Email.
    Email,
    /// Postal address.
    Address,
    /// Tags, separated by commas (or semicolons, bars, one per line).
    Tags,
    /// Points brought from the previous system.
    InitialPoints,
    /// Consent to marketing messages.
    MarketingConsent,
    /// Consent to keeping personal data (PDPA).
    PdpaConsent,
    /// A free note.
    Note,
    /// The member's code, as a members download writes it: not a template column (the
    /// template is for new members, whose codes Taem draws), but a member list that comes
    /// back from a download keeps its members' codes, so their cards still scan.
    MemberCode,
}

/// A language for headers and messages.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Lang {
    /// ไทย.
    #[default]
    Th,
    /// English.
    En,
}

impl Lang {
    /// Parses `th` (ไทย) or `en` (English), as a command line gives it.
    pub fn parse(text: &str) -> Option<Lang> {
        match text.trim().to_lowercase().as_str() {
            "th" | "ไทย" | "thai" => Some(Lang::Th),
            "en" | "english" => Some(Lang::En),
            _ => None,
        }
    }
}

impl Column {
    /// Every column, in the template's order.
    pub const ALL: [Column; 12] = [
        Column::Phone,
        Column::FirstName,
        Column::LastName,
        Column::Birthday,
        Column::Gender,
        Column::Email,
        Column::Address,
        Column::Tags,
        Column::InitialPoints,
        Column::MarketingConsent,
        Column::PdpaConsent,
        Column::Note,
    ];

    /// Every column an import reads: the template's, then the member code a download adds.
    pub const READ: [Column; 13] = {
        let mut read = [Column::MemberCode; 13];
        let mut i = 0;
        while i < Column::ALL.len() {
            read[i] = Column::ALL[i];
            i += 1;
        }
        read
    };

    /// Stable key (used in reports and JSON).
    pub fn key(self) -> &'static str {
        match self {
            Column::Phone => "phone",
            Column::FirstName => "first_name",
            Column::LastName => "last_name",
            Column::Birthday => "birthday",
            Column::Gender => "gender",
            Column::Email => "email",
            Column::Address => "address",
            Column::Tags => "tags",
            Column::InitialPoints => "initial_points",
            Column::MarketingConsent => "marketing_consent",
            Column::PdpaConsent => "pdpa_consent",
            Column::Note => "note",
            Column::MemberCode => "member_code",
        }
    }

    /// A row must have it.
    pub fn required(self) -> bool {
        matches!(self, Column::Phone | Column::FirstName)
    }

    /// The header the template writes (required ones end in `*`).
    pub fn header(self, lang: Lang) -> String {
        let name = self.name(lang);
        if self.required() {
            format!("{name}*")
        } else {
            name.to_string()
        }
    }

    /// The column's name in a language (no `*`).
    pub fn name(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (Column::Phone, Lang::Th) => "เบอร์มือถือ",
            (Column::Phone, Lang::En) => "Phone",
            (Column::FirstName, Lang::Th) => "ชื่อ",
            (Column::FirstName, Lang::En) => "First name",
            (Column::LastName, Lang::Th) => "นามสกุล",
            (Column::LastName, Lang::En) => "Last name",
            (Column::Birthday, Lang::Th) => "วันเกิด",
            (Column::Birthday, Lang::En) => "Birthday",
            (Column::Gender, Lang::Th) => "เพศ",
            (Column::Gender, Lang::En) => "Gender",
            (Column::Email, Lang::Th) => "อีเมล",
            (Column::Email, Lang::En) => "Email",
            (Column::Address, Lang::Th) => "ที่อยู่",
            (Column::Address, Lang::En) => "Address",
            (Column::Tags, Lang::Th) => "แท็ก",
            (Column::Tags, Lang::En) => "Tags",
            (Column::InitialPoints, Lang::Th) => "แต้มเริ่มต้น",
            (Column::InitialPoints, Lang::En) => "Initial points",
            (Column::MarketingConsent, Lang::Th) => "ยินยอมรับข่าวสาร",
            (Column::MarketingConsent, Lang::En) => "Marketing consent",
            (Column::PdpaConsent, Lang::Th) => "ยินยอมเก็บข้อมูล (PDPA)",
            (Column::PdpaConsent, Lang::En) => "PDPA consent",
            (Column::Note, Lang::Th) => "หมายเหตุ",
            (Column::Note, Lang::En) => "Note",
            (Column::MemberCode, Lang::Th) => "รหัสสมาชิก",
            (Column::MemberCode, Lang::En) => "Member code",
        }
    }

    /// What the template's example row shows in the column.
    pub fn example(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (Column::Phone, _) => "081-234-5678",
            (Column::FirstName, Lang::Th) => "สมศรี",
            (Column::FirstName, Lang::En) => "Somsri",
            (Column::LastName, Lang::Th) => "ใจดี",
            (Column::LastName, Lang::En) => "Jaidee",
            (Column::Birthday, Lang::Th) => "15/08/2535",
            (Column::Birthday, Lang::En) => "15/08/1992",
            (Column::Gender, Lang::Th) => "หญิง",
            (Column::Gender, Lang::En) => "female",
            (Column::Email, _) => "somsri@example.com",
            (Column::Address, Lang::Th) => "99/1 ถ.สุขุมวิท กรุงเทพฯ 10110",
            (Column::Address, Lang::En) => "99/1 Sukhumvit Rd, Bangkok 10110",
            (Column::Tags, _) => "vip, coffee",
            (Column::InitialPoints, _) => "120",
            (Column::MarketingConsent, Lang::Th) => "ใช่",
            (Column::MarketingConsent, Lang::En) => "yes",
            (Column::PdpaConsent, Lang::Th) => "ใช่",
            (Column::PdpaConsent, Lang::En) => "yes",
            (Column::Note, Lang::Th) => "ลูกค้าประจำสาขาสยาม",
            (Column::Note, Lang::En) => "regular at the Siam branch",
            (Column::MemberCode, _) => "7K3QD-9XW2S-P",
        }
    }

    /// Other names a shop's file may use for the column (already normalised).
    fn aliases(self) -> &'static [&'static str] {
        match self {
            Column::Phone => &[
                "เบอร์โทร",
                "เบอร์โทรศัพท์",
                "โทรศัพท์",
                "มือถือ",
                "เบอร์",
                "mobile",
                "mobilephone",
                "phonenumber",
                "tel",
                "telephone",
            ],
            Column::FirstName => &["ชื่อจริง", "firstname", "name", "givenname"],
            Column::LastName => &["สกุล", "lastname", "surname", "familyname"],
            Column::Birthday => &["วันเดือนปีเกิด", "dateofbirth", "birthdate", "dob"],
            Column::Gender => &["sex"],
            Column::Email => &["e-mail", "อีเมล์", "emailaddress"],
            Column::Address => &["ที่อยู่จัดส่ง"],
            Column::Tags => &["tag", "แท็ค", "แทก"],
            // A members download writes the balance (แต้มคงเหลือ, Points balance): it imports
            // again as the members' initial points.
            Column::InitialPoints => &[
                "แต้ม",
                "แต้มสะสม",
                "points",
                "point",
                "แต้มยกมา",
                "แต้มคงเหลือ",
                "pointsbalance",
                "pointbalance",
            ],
            Column::MarketingConsent => &["ยินยอมรับข่าวสารการตลาด", "marketing"],
            Column::PdpaConsent => &["ยินยอมเก็บข้อมูล", "pdpa", "ยินยอมpdpa"],
            Column::Note => &["note", "notes", "remark", "remarks", "หมายเหตุเพิ่มเติม"],
            Column::MemberCode => &["membercode"],
        }
    }

    /// The column a header names, if any.
    pub fn from_header(header: &str) -> Option<Column> {
        let wanted = normalise(header);
        if wanted.is_empty() {
            return None;
        }
        Column::READ.into_iter().find(|c| {
            normalise(c.name(Lang::Th)) == wanted
                || normalise(c.name(Lang::En)) == wanted
                || c.aliases().contains(&wanted.as_str())
        })
    }
}

/// Edits a header may be away from a template column's name and still be taken for a typo of
/// it: none for names of 3 characters or fewer (`tel`, `dob`, `เพศ` are too short to tell a
/// typo from another word), one up to 9 characters, two from 10.
fn typo_edits_max(name_chars: usize) -> usize {
    match name_chars {
        0..=3 => 0,
        4..=9 => 1,
        _ => 2,
    }
}

impl Column {
    /// The template column `header` is a near miss of (a typo: a few characters off its name
    /// or an alias, after normalising), among the columns `absent` allows; with the header
    /// the template writes for it, in the language the header is written in.
    pub(crate) fn near_miss(
        header: &str,
        absent: impl Fn(Column) -> bool,
    ) -> Option<(Column, String)> {
        let wanted: Vec<char> = normalise(header).chars().collect();
        if wanted.is_empty() {
            return None;
        }
        let lang = if header.chars().any(is_thai) {
            Lang::Th
        } else {
            Lang::En
        };
        // The member code too: a typo of its header would give every member a new code.
        Column::READ
            .into_iter()
            .filter(|c| absent(*c))
            .filter_map(|c| {
                let names = [normalise(c.name(Lang::Th)), normalise(c.name(Lang::En))];
                let aliases = c.aliases().iter().map(|a| a.to_string());
                names
                    .into_iter()
                    .chain(aliases)
                    .filter_map(|name| {
                        let name: Vec<char> = name.chars().collect();
                        let edits = edit_distance(&wanted, &name);
                        (edits > 0 && edits <= typo_edits_max(name.len())).then_some(edits)
                    })
                    .min()
                    .map(|edits| (edits, c))
            })
            .min()
            .map(|(_, c)| (c, c.header(lang)))
    }
}

fn is_thai(c: char) -> bool {
    ('\u{0E00}'..='\u{0E7F}').contains(&c)
}

/// Edit distance with swaps (optimal string alignment): the fewest characters inserted,
/// deleted, replaced or swapped with their neighbour to turn `a` into `b`.
fn edit_distance(a: &[char], b: &[char]) -> usize {
    let width = b.len() + 1;
    let mut d = vec![0usize; (a.len() + 1) * width];
    for i in 0..=a.len() {
        for j in 0..=b.len() {
            d[i * width + j] = if i == 0 || j == 0 {
                i + j
            } else {
                let replace = d[(i - 1) * width + j - 1] + usize::from(a[i - 1] != b[j - 1]);
                let mut best = replace
                    .min(d[(i - 1) * width + j] + 1)
                    .min(d[i * width + j - 1] + 1);
                if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                    best = best.min(d[(i - 2) * width + j - 2] + 1);
                }
                best
            };
        }
    }
    d[a.len() * width + b.len()]
}

/// A header reduced to what identifies it: no BOM, `*`, spaces, underscores or text in
/// parentheses; lower case.
fn normalise(header: &str) -> String {
    let mut out = String::new();
    let mut depth = 0usize;
    for c in header.chars() {
        match c {
            '(' | '[' => depth += 1,
            ')' | ']' => depth = depth.saturating_sub(1),
            _ if depth > 0 => {}
            '*' | '\u{feff}' | '_' | '.' | ':' => {}
            c if c.is_whitespace() => {}
            c => out.extend(c.to_lowercase()),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_match_in_either_language_with_or_without_the_star() {
        for c in Column::ALL {
            for lang in [Lang::Th, Lang::En] {
                assert_eq!(
                    Column::from_header(&c.header(lang)),
                    Some(c),
                    "{c:?} {lang:?}"
                );
                assert_eq!(Column::from_header(c.name(lang)), Some(c));
            }
        }
        assert_eq!(Column::from_header(" PHONE * "), Some(Column::Phone));
        assert_eq!(
            Column::from_header("เบอร์มือถือ* (ต้องกรอก)"),
            Some(Column::Phone)
        );
        assert_eq!(Column::from_header("first_name"), Some(Column::FirstName));
        assert_eq!(Column::from_header("LINE ID"), None);
        assert_eq!(Column::from_header(""), None);
    }

    #[test]
    fn a_header_a_character_off_a_template_column_is_a_near_miss() {
        let any = |_: Column| true;
        assert_eq!(
            Column::near_miss("แต้มเริ่มตัน", any),
            Some((Column::InitialPoints, "แต้มเริ่มต้น".to_string()))
        );
        assert_eq!(
            Column::near_miss("นามสกุ", any),
            Some((Column::LastName, "นามสกุล".to_string()))
        );
        assert_eq!(
            Column::near_miss("Emial", any),
            Some((Column::Email, "Email".to_string()))
        );
        assert_eq!(
            Column::near_miss("Membr code", any),
            Some((Column::MemberCode, "Member code".to_string()))
        );
        // Not when the column is there already, and never for other words.
        assert_eq!(Column::near_miss("นามสกุ", |c| c != Column::LastName), None);
        for other in [
            "LINE ID",
            "สาขาเดิม",
            "Member code",
            "Tier",
            "Code",
            "ระดับ",
            "วันที่สมัคร",
            "Registered",
        ] {
            assert_eq!(Column::near_miss(other, any), None, "{other}");
        }
    }

    #[test]
    fn exactly_phone_and_first_name_are_required() {
        let required: Vec<Column> = Column::ALL.into_iter().filter(|c| c.required()).collect();
        assert_eq!(required, [Column::Phone, Column::FirstName]);
    }
}
