//! Names and emails: tables of Thai first names by gender and Thai surnames, each with a
//! common romanisation (used for Latin-script members and email addresses), names of foreign
//! residents, and how a member's name and email are drawn from them.
//!
//! Each entry is `(as written, ASCII spelling)`. For Thai names the ASCII spelling is the usual
//! romanisation ("Somchai Jaidee"); for foreign names it folds accents ("Müller" → "Muller").
//! Names of well-known public figures are left out on purpose.

use chrono::{Datelike, NaiveDate};
use rand::Rng;
use rand_chacha::ChaCha8Rng;

use crate::bills::push_padded;

/// A name as written and its ASCII spelling.
pub(crate) type Name = (&'static str, &'static str);

/// Thai women's first names.
#[rustfmt::skip]
pub(crate) const THAI_FEMALE: &[Name] = &[
    ("สมหญิง", "Somying"), ("กนกวรรณ", "Kanokwan"), ("พิมพ์ชนก", "Pimchanok"), ("สุภาพร", "Supaporn"),
    ("วันเพ็ญ", "Wanphen"), ("ศิริพร", "Siriporn"), ("นภัสสร", "Napatsorn"), ("ปิยะนุช", "Piyanuch"),
    ("รัตนา", "Rattana"), ("อรทัย", "Orathai"), ("จันทร์เพ็ญ", "Chanphen"), ("กาญจนา", "Kanchana"),
    ("ธิดารัตน์", "Thidarat"), ("ณัฐธิดา", "Natthida"), ("ชลธิชา", "Chonthicha"), ("ปวีณา", "Paweena"),
    ("สุนิสา", "Sunisa"), ("วรรณา", "Wanna"), ("มาลี", "Malee"), ("อัญชลี", "Anchalee"),
    ("พรทิพย์", "Pornthip"), ("นิตยา", "Nittaya"), ("เบญจวรรณ", "Benjawan"), ("ศศิธร", "Sasithorn"),
    ("กมลชนก", "Kamonchanok"), ("ภัทรา", "Phattra"), ("ปราณี", "Pranee"), ("ดวงใจ", "Duangjai"),
    ("สุดารัตน์", "Sudarat"), ("อรุณี", "Arunee"), ("จิราพร", "Jiraporn"), ("วิไลวรรณ", "Wilaiwan"),
    ("ลัดดา", "Ladda"), ("บุษบา", "Busaba"), ("ประภาพร", "Praphaporn"), ("นันทนา", "Nanthana"),
    ("สายสุนีย์", "Saisunee"), ("ขวัญใจ", "Khwanjai"), ("พัชรินทร์", "Patcharin"), ("รุ่งนภา", "Rungnapa"),
    ("ศุภลักษณ์", "Suphalak"), ("ธัญญารัตน์", "Thanyarat"), ("อาภรณ์", "Aporn"), ("กัลยา", "Kanlaya"),
    ("จุฑามาศ", "Juthamas"), ("ณัฐณิชา", "Natnicha"), ("ปภาวดี", "Paphawadee"), ("ภาวินี", "Phawinee"),
    ("มณีรัตน์", "Maneerat"), ("ยุพิน", "Yupin"), ("วรรณภา", "Wannapa"), ("สิริกร", "Sirikorn"),
    ("อมรรัตน์", "Amornrat"), ("เกศินี", "Kesinee"), ("ชนิดา", "Chanida"), ("ทิพวรรณ", "Thippawan"),
    ("นงลักษณ์", "Nongluck"), ("ปิยธิดา", "Piyathida"), ("พรรณี", "Phannee"), ("ละอองดาว", "La-ongdao"),
    ("วิภาวรรณ", "Wipawan"), ("ศิรินทิพย์", "Sirinthip"), ("สุพัตรา", "Supattra"), ("อนงค์", "Anong"),
    ("อุไรวรรณ", "Uraiwan"), ("เพ็ญศรี", "Phensri"), ("ธนพร", "Thanaporn"), ("ชุติมา", "Chutima"),
    ("ปาริชาติ", "Parichat"), ("พิชญา", "Phitchaya"), ("กชกร", "Kotchakorn"), ("ณิชาภัทร", "Nichapat"),
    ("ธันยพร", "Thanyaporn"), ("ภัทรวดี", "Phatthrawadee"), ("อริสา", "Arisa"), ("เขมิกา", "Khemika"),
    ("ปุณยาพร", "Punyaporn"), ("ไพลิน", "Pailin"), ("รินรดา", "Rinrada"), ("สุจิตรา", "Sujitra"),
    ("แพรวา", "Praewa"), ("น้ำฝน", "Namfon"), ("ดารุณี", "Darunee"), ("ลลิตา", "Lalita"),
    ("วราภรณ์", "Waraporn"), ("ศิริวรรณ", "Siriwan"), ("สุมาลี", "Sumalee"), ("อารีรัตน์", "Areerat"),
];

/// Thai men's first names.
#[rustfmt::skip]
pub(crate) const THAI_MALE: &[Name] = &[
    ("สมชาย", "Somchai"), ("ปิยะพงษ์", "Piyapong"), ("ณัฐวุฒิ", "Nattawut"), ("สมศักดิ์", "Somsak"),
    ("ประเสริฐ", "Prasert"), ("วิชัย", "Wichai"), ("สุรชัย", "Surachai"), ("ธนากร", "Thanakorn"),
    ("กิตติพงษ์", "Kittipong"), ("อนุชา", "Anucha"), ("ชัยวัฒน์", "Chaiwat"), ("ธีรพงษ์", "Theerapong"),
    ("พงศกร", "Pongsakorn"), ("วีระพงษ์", "Weerapong"), ("ศุภชัย", "Supachai"), ("อภิชาติ", "Apichat"),
    ("เอกชัย", "Ekkachai"), ("ณรงค์", "Narong"), ("บุญมี", "Boonmee"), ("มานพ", "Manop"),
    ("วรวุฒิ", "Worawut"), ("สุทธิพงษ์", "Sutthipong"), ("จักรพันธ์", "Jakkaphan"), ("ชาญวิทย์", "Chanwit"),
    ("ทรงศักดิ์", "Songsak"), ("ธนพล", "Thanapon"), ("นพดล", "Noppadon"), ("ปรีชา", "Preecha"),
    ("พิทักษ์", "Pitak"), ("ภานุวัฒน์", "Panuwat"), ("ยุทธนา", "Yuttana"), ("รัฐพล", "Rattaphon"),
    ("วิทยา", "Witthaya"), ("ศักดิ์ชัย", "Sakchai"), ("สมบัติ", "Sombat"), ("สุริยา", "Suriya"),
    ("อดิศร", "Adisorn"), ("อำนาจ", "Amnat"), ("เกรียงไกร", "Kriangkrai"), ("คมสัน", "Komsan"),
    ("จิรายุ", "Jirayu"), ("ชยพล", "Chayaphon"), ("ณัฐพล", "Nattaphon"), ("ดนัย", "Danai"),
    ("ทวีศักดิ์", "Thaweesak"), ("ธวัชชัย", "Thawatchai"), ("นที", "Natee"), ("บุญชัย", "Boonchai"),
    ("ปกรณ์", "Pakorn"), ("พีรพล", "Peerapol"), ("ภูมิพัฒน์", "Phumipat"), ("เมธี", "Methee"),
    ("รณชัย", "Ronnachai"), ("วสันต์", "Wasan"), ("ศรายุทธ", "Sarayut"), ("สราวุธ", "Sarawut"),
    ("สุวิทย์", "Suwit"), ("อนันต์", "Anan"), ("อิทธิพล", "Itthipon"), ("เอกพล", "Ekkapon"),
    ("กฤษดา", "Kritsada"), ("กิตติศักดิ์", "Kittisak"), ("ชนาธิป", "Chanathip"), ("ณัฐกิตติ์", "Nattakit"),
    ("ธนวัฒน์", "Thanawat"), ("ธีรวัฒน์", "Theerawat"), ("นครินทร์", "Nakarin"), ("ปฏิภาณ", "Patiphan"),
    ("พงษ์ศักดิ์", "Pongsak"), ("ภาคภูมิ", "Pakpoom"), ("วุฒิชัย", "Wuttichai"), ("ศิวกร", "Siwakorn"),
    ("สิทธิชัย", "Sitthichai"), ("อรรถพล", "Attapon"), ("ชัยณรงค์", "Chainarong"), ("ไพโรจน์", "Pairoj"),
    ("ธนกฤต", "Thanakrit"), ("ปัณณวิชญ์", "Pannawit"), ("ภูริ", "Phuri"), ("วีรยุทธ", "Weerayut"),
    ("สมพงษ์", "Sompong"), ("เฉลิมชัย", "Chalermchai"), ("สุเมธ", "Sumet"), ("ธนภัทร", "Thanaphat"),
    ("กันตพงศ์", "Kantapong"),
];

/// Thai surnames (including Thai-Chinese "แซ่" clan names).
#[rustfmt::skip]
pub(crate) const THAI_SURNAMES: &[Name] = &[
    ("ใจดี", "Jaidee"), ("ศรีสุข", "Srisuk"), ("วงศ์สวัสดิ์", "Wongsawat"), ("ทองคำ", "Thongkham"),
    ("แสงอรุณ", "Saengarun"), ("สุขสวัสดิ์", "Suksawat"), ("รัตนพันธ์", "Rattanaphan"), ("บุญมา", "Boonma"),
    ("แก้วมณี", "Kaewmanee"), ("ศรีวงศ์", "Sriwong"), ("จันทร์แก้ว", "Chankaew"), ("พรหมมา", "Promma"),
    ("สมบูรณ์", "Somboon"), ("ชัยมงคล", "Chaimongkol"), ("ทองดี", "Thongdee"), ("มั่นคง", "Mankhong"),
    ("ประเสริฐศรี", "Prasertsri"), ("วัฒนากุล", "Wattanakul"), ("สุวรรณรัตน์", "Suwannarat"), ("เจริญสุข", "Charoensuk"),
    ("ศักดิ์สิทธิ์", "Saksit"), ("อินทร์แก้ว", "Inkaew"), ("นาคสวัสดิ์", "Naksawat"), ("บุญประเสริฐ", "Boonprasert"),
    ("พงษ์พานิช", "Pongpanich"), ("กิตติวงศ์", "Kittiwong"), ("ศรีประเสริฐ", "Sriprasert"), ("ทองมา", "Thongma"),
    ("แก้วประเสริฐ", "Kaewprasert"), ("สายทอง", "Saithong"), ("จันทร์หอม", "Chanhom"), ("มีสุข", "Meesuk"),
    ("ปัญญาดี", "Panyadee"), ("สุขเจริญ", "Sukcharoen"), ("รุ่งเรือง", "Rungruang"), ("เพชรรัตน์", "Petcharat"),
    ("ศรีทอง", "Srithong"), ("วงศ์ไทย", "Wongthai"), ("บุญเรือง", "Boonruang"), ("คำแก้ว", "Khamkaew"),
    ("ทรัพย์มาก", "Sapmak"), ("อ่อนศรี", "Onsri"), ("ดวงดี", "Duangdee"), ("จิตดี", "Jitdee"),
    ("ศรีสวัสดิ์", "Srisawat"), ("นิลสุวรรณ", "Ninsuwan"), ("แสงทอง", "Saengthong"), ("สุขประเสริฐ", "Sukprasert"),
    ("เกษมสุข", "Kasemsuk"), ("พึ่งทอง", "Phuengthong"), ("ธนาคุณ", "Thanakhun"), ("อุดมสุข", "Udomsuk"),
    ("รักไทย", "Rakthai"), ("ยิ้มแย้ม", "Yimyaem"), ("สีดา", "Seeda"), ("หอมจันทร์", "Homchan"),
    ("ชื่นชม", "Chuenchom"), ("ศรีเมือง", "Srimuang"), ("ปานทอง", "Panthong"), ("มณีวงศ์", "Maneewong"),
    ("เรืองศรี", "Ruangsri"), ("พูลสวัสดิ์", "Poonsawat"), ("วิเศษสุข", "Wisetsuk"), ("บุญญาศิริ", "Boonyasiri"),
    ("ชาญชัย", "Chanchai"), ("กาญจนวงศ์", "Kanchanawong"), ("ตั้งใจ", "Tangjai"), ("นาคทอง", "Nakthong"),
    ("ทองสุข", "Thongsuk"), ("จันทร์ดี", "Chandee"), ("เลิศวิไล", "Lertwilai"), ("อัครวงศ์", "Akkarawong"),
    ("สิทธิโชค", "Sitthichok"), ("ศรีบุญเรือง", "Sriboonruang"), ("ประทุมทอง", "Prathumthong"), ("เทพสุวรรณ", "Thepsuwan"),
    ("วงศ์ทอง", "Wongthong"), ("คงสุข", "Khongsuk"), ("มหาวงศ์", "Mahawong"), ("สุวรรณชาติ", "Suwannachat"),
    ("อินทรประเสริฐ", "Intaraprasert"), ("ศิริวัฒน์", "Siriwat"), ("เจริญผล", "Charoenphon"), ("แสงจันทร์", "Saengchan"),
    ("บัวทอง", "Buathong"), ("ทองประเสริฐ", "Thongprasert"), ("สมบัติทอง", "Sombatthong"), ("พานิชกุล", "Panichkul"),
    ("เตชะวงศ์", "Techawong"), ("ลิ้มเจริญ", "Limcharoen"), ("ตันติวงศ์", "Tantiwong"), ("แซ่ตั้ง", "Sae-tang"),
    ("แซ่ลิ้ม", "Sae-lim"), ("แซ่อึ้ง", "Sae-ung"), ("แซ่เฮ้ง", "Sae-heng"), ("โชติกุล", "Chotikul"),
    ("ศรีสมบูรณ์", "Srisomboon"), ("เพ็ชรสุวรรณ", "Petsuwan"), ("วรรณศิลป์", "Wannasin"), ("ปิ่นทอง", "Pinthong"),
    ("จำปาทอง", "Champathong"), ("ดอกไม้", "Dokmai"), ("บุญสม", "Boonsom"), ("มานะกิจ", "Manakit"),
    ("ทองใบ", "Thongbai"), ("นามวงศ์", "Namwong"), ("สายบุญ", "Saiboon"), ("อุ่นใจ", "Unjai"),
    ("รัตนวงศ์", "Rattanawong"), ("วิริยะกุล", "Wiriyakul"), ("ขันทอง", "Khanthong"), ("ศรีนวล", "Srinuan"),
    ("สุขใจ", "Sukjai"), ("กล้าหาญ", "Klahan"), ("พรหมวงศ์", "Promwong"), ("แก้วใส", "Kaewsai"),
    ("เหลืองอ่อน", "Lueang-on"), ("ชูศรี", "Chusri"), ("ทิพย์มณี", "Thipmanee"), ("มงคลชัย", "Mongkolchai"),
    ("สว่างวงศ์", "Sawangwong"), ("ประจำเมือง", "Prachammuang"), ("บุญยืน", "Boonyuen"), ("ชัยประเสริฐ", "Chaiprasert"),
    ("อินทรสุวรรณ", "Intarasuwan"), ("พิทักษ์ไทย", "Phitakthai"), ("ภูมิใจ", "Phumjai"), ("รุ่งโรจน์", "Rungroj"),
    ("วัฒนชัย", "Wattanachai"), ("สมานมิตร", "Samanmit"), ("ศรีอ่อน", "Sri-on"), ("หาญกล้า", "Hanklah"),
    ("ทองเจริญ", "Thongcharoen"), ("นวลจันทร์", "Nuanchan"), ("ประสงค์สุข", "Prasongsuk"), ("มีชัย", "Meechai"),
    ("คำภา", "Khampha"), ("สุริยวงศ์", "Suriyawong"), ("อ่ำสุข", "Amsuk"), ("เพชรสุข", "Phetsuk"),
    ("บุญทวี", "Boonthawee"), ("แสนดี", "Saendee"), ("วงศ์ประเสริฐ", "Wongprasert"), ("เกิดผล", "Koetphon"),
    ("ผาสุข", "Phasuk"), ("จินดาวงศ์", "Jindawong"), ("ธรรมรักษ์", "Thammarak"), ("ไชยสิทธิ์", "Chaiyasit"),
    ("ศรีสง่า", "Srisanga"), ("พลอยงาม", "Ploy-ngam"), ("ลือชา", "Luecha"), ("กองทอง", "Kongthong"),
    ("ศิริมงคล", "Sirimongkol"), ("ทองอินทร์", "Thong-in"), ("สมศรี", "Somsri"), ("เย็นใจ", "Yenjai"),
    ("อยู่สุข", "Yoosuk"), ("พุ่มพวง", "Pumpuang"), ("เรืองชัย", "Ruangchai"),
];

/// First names of foreign women living in Thailand.
#[rustfmt::skip]
pub(crate) const FOREIGN_FEMALE: &[Name] = &[
    ("Emma", "Emma"), ("Sophie", "Sophie"), ("Anna", "Anna"), ("Laura", "Laura"), ("Olivia", "Olivia"),
    ("Mia", "Mia"), ("Chloé", "Chloe"), ("Hannah", "Hannah"), ("Yuki", "Yuki"), ("Mei", "Mei"),
    ("Sarah", "Sarah"), ("Julia", "Julia"), ("Lucía", "Lucia"), ("Ingrid", "Ingrid"), ("Claire", "Claire"),
];

/// First names of foreign men living in Thailand.
#[rustfmt::skip]
pub(crate) const FOREIGN_MALE: &[Name] = &[
    ("John", "John"), ("James", "James"), ("Michael", "Michael"), ("David", "David"), ("Thomas", "Thomas"),
    ("Lukas", "Lukas"), ("Pierre", "Pierre"), ("Daniel", "Daniel"), ("Hiroshi", "Hiroshi"), ("Kenji", "Kenji"),
    ("Wei", "Wei"), ("Marco", "Marco"), ("Oliver", "Oliver"), ("Jan", "Jan"), ("Erik", "Erik"),
];

/// Surnames of foreigners living in Thailand.
#[rustfmt::skip]
pub(crate) const FOREIGN_SURNAMES: &[Name] = &[
    ("Smith", "Smith"), ("Müller", "Muller"), ("Johnson", "Johnson"), ("Brown", "Brown"),
    ("Williams", "Williams"), ("Wilson", "Wilson"), ("Schmidt", "Schmidt"), ("Schneider", "Schneider"),
    ("Dubois", "Dubois"), ("Martin", "Martin"), ("Rossi", "Rossi"), ("García", "Garcia"),
    ("Jensen", "Jensen"), ("Andersson", "Andersson"), ("Tanaka", "Tanaka"), ("Suzuki", "Suzuki"),
    ("Kim", "Kim"), ("Lee", "Lee"), ("Chen", "Chen"), ("Nguyen", "Nguyen"),
    ("O'Brien", "OBrien"), ("van den Berg", "vandenBerg"), ("Novák", "Novak"), ("Kowalski", "Kowalski"),
    ("Fischer", "Fischer"), ("Taylor", "Taylor"), ("Lefèvre", "Lefevre"), ("Bianchi", "Bianchi"),
    ("Hansen", "Hansen"), ("Larsen", "Larsen"),
];

/// Members with a foreign (Latin-script) name.
const FOREIGN_NAME_SHARE: f64 = 0.03;
/// Thai members whose name was typed in Latin script ("Somchai Jaidee").
const ROMANISED_NAME_SHARE: f64 = 0.02;
/// Domains reserved for examples (RFC 2606), so demo emails never reach a real person.
const EMAIL_DOMAINS: [&str; 3] = ["example.com", "example.net", "example.org"];

/// The member's first and last name as `(as shown, ASCII spelling)`; the gender decides the
/// first name.
pub(crate) fn draw_name(rng: &mut ChaCha8Rng, female: bool) -> (Name, Name) {
    let script = rng.random_range(0.0..1.0);
    if script < FOREIGN_NAME_SHARE {
        let firsts = if female { FOREIGN_FEMALE } else { FOREIGN_MALE };
        return (pick(rng, firsts), pick(rng, FOREIGN_SURNAMES));
    }
    let firsts = if female { THAI_FEMALE } else { THAI_MALE };
    let (first, last) = (pick(rng, firsts), pick(rng, THAI_SURNAMES));
    if script < FOREIGN_NAME_SHARE + ROMANISED_NAME_SHARE {
        // Typed in Latin script at the counter, so the romanisation is what is shown.
        ((first.1, first.1), (last.1, last.1))
    } else {
        (first, last)
    }
}

/// An email built from the ASCII spelling of the name, like people really pick them.
pub(crate) fn draw_email(
    rng: &mut ChaCha8Rng,
    first: &str,
    last: &str,
    birthday: Option<NaiveDate>,
) -> String {
    let first: String = first
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect();
    let last: String = last
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect();
    let mut local = first;
    match rng.random_range(0..4_u32) {
        0 => {
            local.push('.');
            local.push_str(&last);
        }
        1 => {
            let year = birthday.map_or_else(
                || rng.random_range(0..100),
                |b| b.year().rem_euclid(100) as u64,
            );
            push_padded(&mut local, year, 2);
        }
        2 => {
            local.push('_');
            local.push_str(last.get(..1).unwrap_or_default());
            push_padded(&mut local, rng.random_range(0..1000), 3);
        }
        _ => {
            local.push_str(&last);
            push_padded(&mut local, rng.random_range(0..100), 2);
        }
    }
    local.push('@');
    local.push_str(EMAIL_DOMAINS[rng.random_range(0..EMAIL_DOMAINS.len() as u32) as usize]);
    local
}

/// A uniformly chosen name.
fn pick(rng: &mut ChaCha8Rng, table: &'static [Name]) -> Name {
    // `u32` rather than `usize` ranges keep the draw identical on 32- and 64-bit targets.
    table[rng.random_range(0..table.len() as u32) as usize]
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    fn assert_clean(table: &[Name]) {
        let written: HashSet<&str> = table.iter().map(|n| n.0).collect();
        assert_eq!(written.len(), table.len(), "duplicate names");
        for (name, ascii) in table {
            assert!(!name.is_empty() && name.trim() == *name, "{name:?}");
            assert!(
                !ascii.is_empty() && ascii.bytes().all(|b| b.is_ascii_alphabetic() || b == b'-'),
                "{name}: {ascii:?} must be plain ASCII letters for emails"
            );
        }
    }

    #[test]
    fn name_tables_are_large_enough_and_clean() {
        assert!(THAI_FEMALE.len() + THAI_MALE.len() >= 150);
        assert!(THAI_SURNAMES.len() >= 150);
        for table in [THAI_FEMALE, THAI_MALE, THAI_SURNAMES] {
            assert_clean(table);
            assert!(
                table
                    .iter()
                    .all(|n| n.0.chars().all(|c| ('\u{0E00}'..='\u{0E7F}').contains(&c)))
            );
        }
        for table in [FOREIGN_FEMALE, FOREIGN_MALE, FOREIGN_SURNAMES] {
            assert_clean(table);
        }
    }

    #[test]
    fn no_first_name_is_both_female_and_male() {
        let female: HashSet<&str> = THAI_FEMALE.iter().map(|n| n.0).collect();
        assert!(THAI_MALE.iter().all(|n| !female.contains(n.0)));
    }
}
