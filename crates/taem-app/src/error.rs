//! Errors as the window shows them: a stable code to branch on, the form field the message
//! belongs next to, and the message in English and in Thai.

use serde::Serialize;
use taem_core::{MemberCodeError, MoneyError, PhoneError, PointsError, ProfileError};
use taem_replica::ReplicaError;
use taem_sync::SyncError;

/// An error the UI shows. Nothing was written when a command answers one.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, thiserror::Error, ts_rs::TS)]
#[error("{en}")]
pub struct AppError {
    /// Stable code (`bad_amount`, `unknown_member`, `offline`, …): branch on this, never on text.
    pub code: String,
    /// The form field the message belongs next to (`amount`, `bill_no`, `phone`, …), if any.
    pub field: Option<String>,
    /// The message in English: what was wrong and how to fix it.
    pub en: String,
    /// The message in Thai.
    pub th: String,
}

impl AppError {
    /// An error with both messages.
    pub fn new(
        code: &str,
        field: Option<&str>,
        en: impl Into<String>,
        th: impl Into<String>,
    ) -> Self {
        AppError {
            code: code.to_string(),
            field: field.map(str::to_string),
            en: en.into(),
            th: th.into(),
        }
    }

    /// The same error, shown next to `field`.
    pub fn at(mut self, field: &str) -> Self {
        self.field = Some(field.to_string());
        self
    }

    /// A command that needs a signed-in staff member of a higher role.
    pub fn not_allowed(what_en: &str, what_th: &str) -> Self {
        AppError::new(
            "not_allowed",
            None,
            format!("{what_en} needs a manager or the owner: ask one to sign in"),
            format!("{what_th} ต้องใช้สิทธิ์ผู้จัดการหรือเจ้าของร้าน: ให้ผู้จัดการเข้าสู่ระบบ"),
        )
    }

    /// No replica yet: the first-run screen.
    pub fn not_set_up() -> Self {
        AppError::new(
            "not_set_up",
            None,
            "this counter is not set up yet: enrol it with the server address and an enrolment code, or start the demo shop",
            "เครื่องนี้ยังไม่ได้ตั้งค่า: ลงทะเบียนกับเซิร์ฟเวอร์ด้วยที่อยู่และรหัสลงทะเบียน หรือเปิดร้านตัวอย่าง",
        )
    }

    /// Nobody signed in.
    pub fn not_signed_in() -> Self {
        AppError::new(
            "not_signed_in",
            None,
            "nobody is signed in: sign in with your name and PIN",
            "ยังไม่ได้เข้าสู่ระบบ: กรอกชื่อและรหัส PIN",
        )
    }
}

fn phone_th(e: &PhoneError) -> String {
    match e {
        PhoneError::Empty => "ยังไม่ได้กรอกเบอร์โทรศัพท์: กรอกเบอร์มือถือของสมาชิก เช่น 081-234-5678".into(),
        PhoneError::InvalidCharacter {
            input, character, ..
        } => format!(
            "เบอร์โทรศัพท์ \"{input}\" มีตัวอักษร \"{character}\" ที่ใช้ในเบอร์โทรไม่ได้: กรอกเฉพาะตัวเลข เช่น 081-234-5678"
        ),
        PhoneError::WrongLength { input, digits } => format!(
            "เบอร์โทรศัพท์ \"{input}\" มี {digits} หลัก แต่เบอร์มือถือไทยมี 10 หลัก เช่น 081-234-5678: ตรวจสอบว่าขาดหรือเกินหลักใด"
        ),
        _ => "เบอร์นี้ไม่ใช่เบอร์มือถือไทย: เบอร์มือถือขึ้นต้นด้วย 06, 08 หรือ 09 เช่น 081-234-5678".into(),
    }
}

fn money_th(e: &MoneyError) -> String {
    match e {
        MoneyError::Empty => "ยังไม่ได้กรอกยอดซื้อ: กรอกจำนวนเงินเป็นบาท เช่น 350 หรือ 1,250.50".into(),
        MoneyError::NotANumber { input } => {
            format!("\"{input}\" ไม่ใช่จำนวนเงิน: กรอกเฉพาะตัวเลขและจุดทศนิยม เช่น 1,250.50")
        }
        MoneyError::TooManyDecimals { input, decimals } => format!(
            "\"{input}\" มีทศนิยม {decimals} ตำแหน่ง: จำนวนเงินบาทมีทศนิยมได้ไม่เกิน 2 ตำแหน่ง (สตางค์) เช่น 99.75"
        ),
        MoneyError::Negative { input } => {
            format!("\"{input}\" ติดลบ: ยอดซื้อต้องไม่ต่ำกว่า 0 หากต้องการคืนแต้มให้ยกเลิกบิล")
        }
        MoneyError::MisplacedComma { input } => format!(
            "\"{input}\" มีจุลภาค (,) ผิดที่: จุลภาคใช้คั่นหลักพันเท่านั้น เช่น 1,250.50 ส่วนสตางค์ใช้จุด เช่น 12.50"
        ),
        _ => "จำนวนเงินมากเกินไป: ตรวจสอบว่าพิมพ์ตัวเลขเกินหรือไม่".into(),
    }
}

fn points_th(e: &PointsError) -> String {
    match e {
        PointsError::Empty => "ยังไม่ได้กรอกจำนวนแต้ม: กรอกจำนวนเต็ม เช่น 100".into(),
        PointsError::NotAWholeNumber { input } => {
            format!("\"{input}\" ไม่ใช่จำนวนแต้มที่ถูกต้อง: แต้มเป็นจำนวนเต็ม ไม่มีทศนิยม เช่น 100")
        }
        PointsError::NotPositive { input } => format!("\"{input}\" ต้องมากกว่า 0 แต้ม"),
        PointsError::Zero => "การปรับ 0 แต้มไม่เปลี่ยนแปลงอะไร: กรอก เช่น +50 หรือ -50".into(),
        PointsError::MisplacedComma { input } => format!(
            "\"{input}\" มีจุลภาค (,) ผิดที่: จุลภาคใช้คั่นหลักพันเท่านั้น กรอกแต้มเป็นจำนวนเต็ม เช่น 1,000 หรือ 10"
        ),
        _ => "จำนวนแต้มมากเกินกว่าที่ทำได้ในครั้งเดียว: ตรวจสอบว่าพิมพ์ตัวเลขเกินหรือไม่".into(),
    }
}

fn code_th(e: &MemberCodeError) -> String {
    match e {
        MemberCodeError::Empty => {
            "ยังไม่ได้กรอกรหัสสมาชิก: กรอก 11 ตัวอักษรบนบัตรสมาชิก เช่น 7K3QD-9XW2S-P หรือสแกนบัตร".into()
        }
        MemberCodeError::InvalidCharacter { input, character } => {
            format!("รหัสสมาชิก \"{input}\" มีตัวอักษร \"{character}\" ที่ไม่มีในบัตรสมาชิก: อ่านรหัสบนบัตรอีกครั้ง")
        }
        MemberCodeError::WrongLength { input, length } => format!(
            "รหัสสมาชิก \"{input}\" มี {length} ตัวอักษร แต่รหัสสมาชิกมี 11 ตัวอักษร เช่น 7K3QD-9XW2S-P"
        ),
        _ => "รหัสสมาชิกไม่ถูกต้อง (ตัวตรวจสอบไม่ตรง): อาจพิมพ์ผิดหนึ่งตัว อ่านรหัสบนบัตรอีกครั้งหรือสแกนบัตร".into(),
    }
}

fn profile(e: &ProfileError) -> (&'static str, String) {
    match e {
        ProfileError::FirstNameMissing => ("first_name", "ต้องกรอกชื่อ: กรอกชื่อจริงของสมาชิก".into()),
        ProfileError::TooLong { field, max } => {
            let field = match *field {
                "first name" => "first_name",
                "last name" => "last_name",
                "address" => "address",
                "note" => "note",
                _ => "email",
            };
            (field, format!("ข้อความยาวเกิน {max} ตัวอักษร"))
        }
        ProfileError::BadEmail { input } => (
            "email",
            format!("\"{input}\" ไม่ใช่อีเมล: อีเมลมีรูปแบบ เช่น name@example.com"),
        ),
        ProfileError::BadBirthday { date } => {
            ("birthday", format!("วันเกิด {date} ไม่สมเหตุสมผล: ต้องไม่เกินวันนี้"))
        }
        _ => ("tags", "แท็กไม่ถูกต้อง: ใช้แท็กสั้น ๆ ไม่เกินจำนวนที่กำหนด".into()),
    }
}

impl From<ReplicaError> for AppError {
    fn from(e: ReplicaError) -> Self {
        use ReplicaError as R;
        let en = e.to_string();
        let code = e.code();
        let (field, th): (Option<&str>, String) = match &e {
            R::NotInitialised { .. } => return AppError::not_set_up(),
            R::Locked { .. } => (
                None,
                "ข้อมูลของเครื่องนี้ถูกโปรแกรมอื่นใช้งานอยู่: ปิดหน้าต่าง Taem หรือ taem-counter อื่นที่ใช้ข้อมูลเดียวกันแล้วลองอีกครั้ง".into(),
            ),
            R::ReadOnly { path } => (
                None,
                format!("เขียนไฟล์ข้อมูล {} ไม่ได้ (อ่านได้อย่างเดียว): ให้สิทธิ์เขียนแก่ผู้ใช้นี้", path.display()),
            ),
            R::NotADatabase { .. } | R::ForeignDatabase { .. } | R::Corrupt { .. } => (
                None,
                "ไฟล์ข้อมูลของเครื่องนี้เสียหายหรือไม่ใช่ไฟล์ของ Taem: ไม่มีการเปลี่ยนแปลงใด ๆ กู้คืนจากสำเนาสำรองหรือลงทะเบียนเครื่องใหม่".into(),
            ),
            R::NewerSchema { .. } => (
                None,
                "ข้อมูลนี้ถูกเขียนโดย Taem รุ่นที่ใหม่กว่า: อัปเดตโปรแกรม Taem".into(),
            ),
            R::Io { path, .. } => (None, format!("ใช้ไฟล์ {} ไม่ได้", path.display())),
            R::UnknownMember { query } => (
                Some("key"),
                format!("ไม่พบสมาชิก {query}: ตรวจสอบเบอร์หรือรหัส หรือค้นหาด้วยชื่อ"),
            ),
            R::NotAMemberReference { input } => (
                Some("key"),
                format!("\"{input}\" ไม่ใช่เบอร์มือถือหรือรหัสสมาชิก: กรอกเบอร์ (เช่น 081-234-5678) หรือรหัสบนบัตร (เช่น 7K3QD-9XW2S-P)"),
            ),
            R::BadBranch { branch } => (
                Some("branch"),
                format!("\"{branch}\" ไม่ใช่รหัสสาขา: ใช้รหัสสาขาของร้าน ตัวอักษรหรือตัวเลข 1–16 ตัว เช่น BKK01"),
            ),
            R::PhoneTaken { phone, code, name } => (
                Some("phone"),
                format!("เบอร์ {phone} เป็นของสมาชิก {code} ({name}) อยู่แล้ว: ค้นหาสมาชิกคนนั้นแทนการสมัครใหม่"),
            ),
            R::BillAlreadyEarned { bill_no, code, points, when } => (
                Some("bill_no"),
                format!("บิล {bill_no} ได้รับ {points} แต้มให้สมาชิก {code} แล้วเมื่อ {when}: หนึ่งบิลได้แต้มครั้งเดียว ตรวจสอบเลขที่บิล"),
            ),
            R::BillEarnedThenVoided { bill_no, code, points, when, voided } => (
                Some("bill_no"),
                format!("บิล {bill_no} ได้รับ {points} แต้มให้สมาชิก {code} เมื่อ {when} และถูกยกเลิกเมื่อ {voided}: เลขที่บิลหนึ่งได้แต้มครั้งเดียวแม้ยกเลิกแล้ว ให้แต้มยอดนี้ด้วยเลขที่บิลใหม่ เช่น {bill_no}-1"),
            ),
            R::BillNotFound { bill_no } => (
                Some("bill_no"),
                format!("ไม่มีแต้มของบิล {bill_no} ให้ยกเลิก: เครื่องนี้ไม่รู้จักการได้แต้มจากบิลนี้ ตรวจสอบเลขที่บิล"),
            ),
            R::BillAlreadyVoided { bill_no, when } => (
                Some("bill_no"),
                format!("บิล {bill_no} ถูกยกเลิกไปแล้วเมื่อ {when}: แต้มถูกหักคืนไปแล้วครั้งหนึ่ง"),
            ),
            R::BadBillNumber { bill_no } => (
                Some("bill_no"),
                format!("เลขที่บิล \"{bill_no}\" ใช้ไม่ได้: กรอกเลขที่ใบเสร็จ (1–64 ตัว: ตัวอักษร ตัวเลข - / _ .)"),
            ),
            R::InsufficientPoints { code, balance, requested } => (
                Some("points"),
                format!("สมาชิก {code} มี {balance} แต้ม แลก {requested} แต้มไม่ได้: เลือกของรางวัลที่ใช้แต้มน้อยกว่า"),
            ),
            R::AdjustBelowZero { code, balance, after, .. } => (
                Some("points"),
                format!("สมาชิก {code} มี {balance} แต้ม การปรับนี้จะเหลือ {after} แต้ม: ยอดแต้มต้องไม่ต่ำกว่า 0"),
            ),
            R::NothingToEarn { amount, rate } => (
                Some("amount"),
                format!("ยอด {amount} บาทไม่ได้แต้มที่อัตรา {rate}: ไม่มีการบันทึก"),
            ),
            R::ReasonRequired { .. } => (
                Some("reason"),
                "ต้องระบุเหตุผล: บอกว่าทำไม เช่น \"ลูกค้าคืนสินค้า\"".into(),
            ),
            R::ReasonTooLong { chars, max, .. } => (
                Some("reason"),
                format!("เหตุผลยาว {chars} ตัวอักษร เก็บได้ไม่เกิน {max} ตัวอักษร: เขียนให้สั้นลง"),
            ),
            R::OperationIdReused { .. } => (
                None,
                "รายการนี้ถูกส่งไปแล้วด้วยข้อมูลอื่น: เริ่มรายการใหม่".into(),
            ),
            R::QueryTooShort { query } => (
                Some("query"),
                format!("\"{query}\" สั้นเกินไปสำหรับการค้นหา: พิมพ์เบอร์เต็ม เลขท้าย 4 หลักขึ้นไป รหัสสมาชิก หรือส่วนหนึ่งของชื่อ"),
            ),
            R::NothingToChange => (None, "ไม่มีอะไรเปลี่ยน: แก้ไขอย่างน้อยหนึ่งช่อง".into()),
            R::Phone(p) => (Some("phone"), phone_th(p)),
            R::MemberCode(c) => (Some("key"), code_th(c)),
            R::Money(m) => (Some("amount"), money_th(m)),
            R::Points(p) => (Some("points"), points_th(p)),
            R::Profile(p) => {
                let (field, th) = profile(p);
                (Some(field), th)
            }
            R::TierSettings(_) => (
                Some("tiers"),
                format!("การตั้งค่าระดับสมาชิกไม่ถูกต้อง: {en}"),
            ),
            R::AlreadyEnrolled { server_url } => (
                None,
                format!("เครื่องนี้ลงทะเบียนกับ {server_url} แล้ว: หนึ่งเครื่องเป็นของร้านเดียว"),
            ),
            R::NotEmptyForEnrolment { members, .. } => (
                None,
                format!("เครื่องนี้มีสมาชิกของร้านในเครื่อง {members} คนแล้ว: ลงทะเบียนในโฟลเดอร์ข้อมูลใหม่ที่ว่าง"),
            ),
            R::SettingsOwnedByServer { .. } => (
                None,
                "การตั้งค่าของร้านเป็นของสำนักงานใหญ่บนเซิร์ฟเวอร์: เจ้าของร้านแก้ไขได้ขณะออนไลน์เท่านั้น".into(),
            ),
            R::UnknownStaff { name } => (
                Some("name"),
                format!("ไม่มีพนักงานชื่อ \"{name}\" ในเครื่องนี้: ตรวจสอบการสะกด หรือซิงค์ข้อมูลเพื่อรับรายชื่อพนักงานจากเซิร์ฟเวอร์"),
            ),
            R::WrongPin { name, attempts_left } => (
                Some("pin"),
                format!("รหัส PIN ของ {name} ไม่ถูกต้อง: เหลืออีก {attempts_left} ครั้งก่อนถูกล็อก"),
            ),
            R::SignInLocked { name, until } => (
                Some("pin"),
                format!("การเข้าสู่ระบบของ {name} ถูกล็อกเพราะกรอก PIN ผิดหลายครั้ง: ลองใหม่หลัง {until} หรือติดต่อผู้จัดการ"),
            ),
            _ => (None, format!("เกิดข้อผิดพลาดในฐานข้อมูลของเครื่อง: {en}")),
        };
        AppError::new(code, field, en, th)
    }
}

/// An enrolment the server refused: the code is wrong, used or expired.
pub(crate) fn enrol_refused(e: SyncError) -> AppError {
    match e {
        SyncError::Refused { status: 401, .. } => {
            let en = e.to_string();
            AppError::new(
                "bad_enrol_code",
                Some("enrol_code"),
                en,
                "รหัสลงทะเบียนใช้ไม่ได้ (ผิด หมดอายุ หรือถูกใช้ไปแล้ว): ตรวจสอบรหัส หรือขอรหัสใหม่จากเจ้าของร้าน",
            )
        }
        SyncError::Offline { .. } | SyncError::EnrolUnreachable { .. } => {
            AppError::from(e).at("server_url")
        }
        other => other.into(),
    }
}

impl From<SyncError> for AppError {
    fn from(e: SyncError) -> Self {
        let en = e.to_string();
        let code = e.code().to_string();
        match e {
            SyncError::Replica(r) => r.into(),
            SyncError::Offline { url, .. } => AppError::new(
                &code,
                None,
                en,
                format!(
                    "ออฟไลน์: ติดต่อเซิร์ฟเวอร์ {url} ไม่ได้ ตรวจสอบเครือข่าย เครื่องยังใช้งานต่อได้ และรายการที่รอจะถูกส่งเมื่อซิงค์ครั้งถัดไป"
                ),
            ),
            SyncError::EnrolUnreachable { url, .. } => AppError::new(
                &code,
                None,
                en,
                format!(
                    "ติดต่อเซิร์ฟเวอร์ {url} เพื่อลงทะเบียนไม่ได้: ตรวจสอบที่อยู่ เครือข่าย และว่าเซิร์ฟเวอร์ Taem ทำงานอยู่ แล้วลงทะเบียนอีกครั้ง (ยังไม่มีการตั้งค่าใดๆ)"
                ),
            ),
            SyncError::BadUrl(url) => AppError::new(
                &code,
                Some("server_url"),
                en,
                format!("\"{url}\" ไม่ใช่ที่อยู่เซิร์ฟเวอร์: กรอกแบบ http://HOST:PORT หรือ https://HOST"),
            ),
            SyncError::Refused { status, error } => {
                let (field, th) = match error.code.as_str() {
                    "forbidden" | "locked" => (
                        Some("pin"),
                        "ชื่อหรือรหัส PIN ของเจ้าของร้านไม่ถูกต้อง หรือถูกล็อกชั่วคราว".to_string(),
                    ),
                    "stale_settings" => (
                        None,
                        "มีผู้อื่นแก้ไขการตั้งค่าไปก่อนแล้ว: โหลดการตั้งค่าล่าสุดแล้วแก้ไขอีกครั้ง".to_string(),
                    ),
                    _ if status == 401 => (
                        None,
                        "เซิร์ฟเวอร์ไม่ยอมรับเครื่องนี้ (ถูกเพิกถอน): ติดต่อสำนักงานใหญ่เพื่อลงทะเบียนใหม่"
                            .to_string(),
                    ),
                    _ => (
                        None,
                        format!("เซิร์ฟเวอร์ปฏิเสธคำขอ ({status}): {}", error.message),
                    ),
                };
                AppError::new(&code, field, en, th)
            }
            SyncError::Protocol(_) => AppError::new(
                &code,
                None,
                en,
                "อ่านคำตอบของเซิร์ฟเวอร์ไม่ได้: ตรวจสอบว่าที่อยู่เป็นเซิร์ฟเวอร์ Taem และรุ่นตรงกัน",
            ),
            SyncError::NotEnrolled => {
                AppError::new(&code, None, en, "เครื่องนี้ยังไม่ได้ลงทะเบียนกับเซิร์ฟเวอร์")
            }
        }
    }
}
