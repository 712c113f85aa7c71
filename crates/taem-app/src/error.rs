//! Errors as the window shows them: a stable code to branch on, the form field the message
//! belongs next to, and the message in English and in Thai.

use serde::Serialize;
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

impl From<ReplicaError> for AppError {
    fn from(e: ReplicaError) -> Self {
        if let ReplicaError::NotInitialised { .. } = e {
            return AppError::not_set_up();
        }
        AppError::new(e.code(), e.field(), e.to_string(), e.th())
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
