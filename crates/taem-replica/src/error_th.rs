//! The replica's errors in Thai, for the window, the import report and anything else a
//! Thai-reading cashier or manager sees; and the form field each belongs next to.

use crate::error::ReplicaError;

impl ReplicaError {
    /// The form field the error belongs next to (`amount`, `bill_no`, `phone`, …), if any.
    pub fn field(&self) -> Option<&'static str> {
        use ReplicaError as R;
        Some(match self {
            R::UnknownMember { .. } | R::NotAMemberReference { .. } | R::MemberCode(_) => "key",
            R::BadBranch { .. } => "branch",
            R::PhoneTaken { .. } | R::Phone(_) => "phone",
            R::BillAlreadyEarned { .. }
            | R::BillEarnedThenVoided { .. }
            | R::BillNotFound { .. }
            | R::BillAlreadyVoided { .. }
            | R::BadBillNumber { .. } => "bill_no",
            R::InsufficientPoints { .. } | R::AdjustBelowZero { .. } | R::Points(_) => "points",
            R::NothingToEarn { .. } | R::Money(_) => "amount",
            R::ReasonRequired { .. } | R::ReasonTooLong { .. } => "reason",
            R::QueryTooShort { .. } => "query",
            R::Profile(p) => p.field(),
            R::TierSettings(_) => "tiers",
            R::UnknownStaff { .. } => "name",
            R::WrongPin { .. } | R::SignInLocked { .. } => "pin",
            _ => return None,
        })
    }

    /// The message in Thai: what was wrong and what to do, as the English one says it.
    pub fn th(&self) -> String {
        use ReplicaError as R;
        match self {
            R::NotInitialised { .. } => "เครื่องนี้ยังไม่ได้ตั้งค่า: ลงทะเบียนกับเซิร์ฟเวอร์ด้วยที่อยู่และรหัสลงทะเบียน หรือเปิดร้านตัวอย่าง".into(),
            R::AlreadyInitialised { path } => format!(
                "{} มีข้อมูลร้านของ Taem อยู่แล้ว: ใช้ข้อมูลนั้นต่อ หรือเลือกโฟลเดอร์ข้อมูลอื่น",
                path.display()
            ),
            R::Locked { .. } => "ข้อมูลของเครื่องนี้ถูกโปรแกรมอื่นใช้งานอยู่: ปิดหน้าต่าง Taem หรือ taem-counter อื่นที่ใช้ข้อมูลเดียวกันแล้วลองอีกครั้ง".into(),
            R::ReadOnly { path } => format!(
                "เขียนไฟล์ข้อมูล {} ไม่ได้ (อ่านได้อย่างเดียว): ให้สิทธิ์เขียนแก่ผู้ใช้นี้",
                path.display()
            ),
            R::NotADatabase { .. } | R::ForeignDatabase { .. } | R::Corrupt { .. } => "ไฟล์ข้อมูลของเครื่องนี้เสียหายหรือไม่ใช่ไฟล์ของ Taem: ไม่มีการเปลี่ยนแปลงใด ๆ กู้คืนจากสำเนาสำรองหรือลงทะเบียนเครื่องใหม่".into(),
            R::NewerSchema { .. } => "ข้อมูลนี้ถูกเขียนโดย Taem รุ่นที่ใหม่กว่า: อัปเดตโปรแกรม Taem".into(),
            R::Io { path, .. } => format!("ใช้ไฟล์ {} ไม่ได้", path.display()),
            R::UnknownMember { query } => {
                format!("ไม่พบสมาชิก {query}: ตรวจสอบเบอร์หรือรหัส หรือค้นหาด้วยชื่อ")
            }
            R::NotAMemberReference { input } => format!(
                "\"{input}\" ไม่ใช่เบอร์มือถือหรือรหัสสมาชิก: กรอกเบอร์ (เช่น 081-234-5678) หรือรหัสบนบัตร (เช่น 7K3QD-9XW2S-P)"
            ),
            R::BadBranch { branch } => format!(
                "\"{branch}\" ไม่ใช่รหัสสาขา: ใช้รหัสสาขาของร้าน ตัวอักษรหรือตัวเลข 1–16 ตัว เช่น BKK01"
            ),
            R::PhoneTaken { phone, code, name } => format!(
                "เบอร์ {phone} เป็นของสมาชิก {code} ({name}) อยู่แล้ว: ค้นหาสมาชิกคนนั้นแทนการสมัครใหม่"
            ),
            R::BillAlreadyEarned {
                bill_no,
                code,
                points,
                when,
            } => format!(
                "บิล {bill_no} ได้รับ {points} แต้มให้สมาชิก {code} แล้วเมื่อ {when}: หนึ่งบิลได้แต้มครั้งเดียว ตรวจสอบเลขที่บิล"
            ),
            R::BillEarnedThenVoided {
                bill_no,
                code,
                points,
                when,
                voided,
            } => format!(
                "บิล {bill_no} ได้รับ {points} แต้มให้สมาชิก {code} เมื่อ {when} และถูกยกเลิกเมื่อ {voided}: เลขที่บิลหนึ่งได้แต้มครั้งเดียวแม้ยกเลิกแล้ว ให้แต้มยอดนี้ด้วยเลขที่บิลใหม่ เช่น {bill_no}-1"
            ),
            R::BillNotFound { bill_no } => format!(
                "ไม่มีแต้มของบิล {bill_no} ให้ยกเลิก: เครื่องนี้ไม่รู้จักการได้แต้มจากบิลนี้ ตรวจสอบเลขที่บิล"
            ),
            R::BillAlreadyVoided { bill_no, when } => {
                format!("บิล {bill_no} ถูกยกเลิกไปแล้วเมื่อ {when}: แต้มถูกหักคืนไปแล้วครั้งหนึ่ง")
            }
            R::BadBillNumber { bill_no } => format!(
                "เลขที่บิล \"{bill_no}\" ใช้ไม่ได้: กรอกเลขที่ใบเสร็จ (1–64 ตัว: ตัวอักษร ตัวเลข - / _ .)"
            ),
            R::InsufficientPoints {
                code,
                balance,
                requested,
            } => format!(
                "สมาชิก {code} มี {balance} แต้ม แลก {requested} แต้มไม่ได้: เลือกของรางวัลที่ใช้แต้มน้อยกว่า"
            ),
            R::AdjustBelowZero {
                code,
                balance,
                after,
                ..
            } => format!(
                "สมาชิก {code} มี {balance} แต้ม การปรับนี้จะเหลือ {after} แต้ม: ยอดแต้มต้องไม่ต่ำกว่า 0"
            ),
            R::NothingToEarn { amount, rate } => {
                format!("ยอด {amount} บาทไม่ได้แต้มที่อัตรา {rate}: ไม่มีการบันทึก")
            }
            R::ReasonRequired { .. } => {
                "ต้องระบุเหตุผล: บอกว่าทำไม เช่น \"ลูกค้าคืนสินค้า\"".into()
            }
            R::ReasonTooLong { chars, max, .. } => {
                format!("เหตุผลยาว {chars} ตัวอักษร เก็บได้ไม่เกิน {max} ตัวอักษร: เขียนให้สั้นลง")
            }
            R::OperationIdReused { .. } => {
                "รายการนี้ถูกส่งไปแล้วด้วยข้อมูลอื่น: เริ่มรายการใหม่".into()
            }
            R::QueryTooShort { query } => format!(
                "\"{query}\" สั้นเกินไปสำหรับการค้นหา: พิมพ์เบอร์เต็ม เลขท้าย 4 หลักขึ้นไป รหัสสมาชิก หรือส่วนหนึ่งของชื่อ"
            ),
            R::NothingToChange => "ไม่มีอะไรเปลี่ยน: แก้ไขอย่างน้อยหนึ่งช่อง".into(),
            R::Phone(p) => p.th(),
            R::MemberCode(c) => c.th(),
            R::Money(m) => m.th(),
            R::Points(p) => p.th(),
            R::Profile(p) => p.th(),
            R::TierSettings(t) => format!("การตั้งค่าระดับสมาชิกไม่ถูกต้อง: {}", t.th()),
            R::AlreadyEnrolled { server_url } => {
                format!("เครื่องนี้ลงทะเบียนกับ {server_url} แล้ว: หนึ่งเครื่องเป็นของร้านเดียว")
            }
            R::NotEmptyForEnrolment { members, .. } => format!(
                "เครื่องนี้มีสมาชิกของร้านในเครื่อง {members} คนแล้ว: ลงทะเบียนในโฟลเดอร์ข้อมูลใหม่ที่ว่าง"
            ),
            R::SettingsOwnedByServer { .. } => "การตั้งค่าของร้านเป็นของสำนักงานใหญ่บนเซิร์ฟเวอร์: เจ้าของร้านแก้ไขได้ขณะออนไลน์เท่านั้น".into(),
            R::UnknownStaff { name } => format!(
                "ไม่มีพนักงานชื่อ \"{name}\" ในเครื่องนี้: ตรวจสอบการสะกด หรือซิงค์ข้อมูลเพื่อรับรายชื่อพนักงานจากเซิร์ฟเวอร์"
            ),
            R::WrongPin {
                name,
                attempts_left,
            } => format!(
                "รหัส PIN ของ {name} ไม่ถูกต้อง: เหลืออีก {attempts_left} ครั้งก่อนถูกล็อก"
            ),
            R::SignInLocked { name, until } => format!(
                "การเข้าสู่ระบบของ {name} ถูกล็อกเพราะกรอก PIN ผิดหลายครั้ง: ลองใหม่หลัง {until} หรือติดต่อผู้จัดการ"
            ),
            R::DiskFull { path } => format!(
                "ดิสก์ที่เก็บข้อมูล {} เต็ม: ไม่มีการบันทึกรายการนี้ ลบไฟล์ที่ไม่ใช้ (เช่น ไฟล์ดาวน์โหลดหรือสำเนาสำรองเก่า) ให้มีที่ว่าง แล้วทำอีกครั้ง ข้อมูลที่บันทึกไว้ก่อนหน้านี้ยังอยู่ครบ",
                path.display()
            ),
            R::OrphanWal { file } => format!(
                "{} เป็นไฟล์ที่ค้างจากข้อมูลชุดก่อนซึ่งถูกย้ายไปแล้ว: ย้ายไฟล์นี้ไปไว้กับข้อมูลชุดนั้น (เช่น เปลี่ยนชื่อเป็น {}.old) แล้วสร้างข้อมูลใหม่ ถ้าทิ้งไว้จะทำให้ไฟล์ใหม่เสียหาย",
                file.display(),
                file.display()
            ),
            R::Invariant { .. } => "ข้อมูลในเครื่องมีค่าที่ไม่ถูกต้อง: ไม่มีการเปลี่ยนแปลงใด ๆ ตรวจสอบด้วย taem-counter check แล้วแจ้งผู้ดูแลระบบ".into(),
            R::Sqlite(_) => format!("เกิดข้อผิดพลาดในฐานข้อมูลของเครื่อง: {self}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;

    /// Thai messages keep names, paths and examples as they are, but no English sentence.
    fn has_english_words(text: &str) -> bool {
        [
            "the ", " is ", " was ", "cannot", "replica", "error", "disk",
        ]
        .iter()
        .any(|w| text.contains(w))
    }

    #[test]
    fn file_and_disk_errors_read_in_thai_without_english() {
        let path = PathBuf::from("/srv/taem/r1.sqlite3");
        let errors = [
            ReplicaError::Locked {
                path: path.clone(),
                waited_ms: 5000,
            },
            ReplicaError::ReadOnly { path: path.clone() },
            ReplicaError::DiskFull { path: path.clone() },
            ReplicaError::Corrupt {
                path: path.clone(),
                detail: "database disk image is malformed".into(),
            },
            ReplicaError::OrphanWal {
                file: PathBuf::from("/srv/taem/r1.sqlite3-wal"),
            },
            ReplicaError::Invariant {
                what: "a negative balance".into(),
            },
            ReplicaError::AlreadyInitialised { path: path.clone() },
            ReplicaError::TierSettings(taem_core::TierSettingsError::NoTiers),
            ReplicaError::Money(taem_core::MoneyError::TooLarge {
                input: "99999999".into(),
            }),
            ReplicaError::Phone(taem_core::PhoneError::NotMobile {
                input: "021234567".into(),
            }),
            ReplicaError::MemberCode(taem_core::MemberCodeError::CheckMismatch {
                input: "7K3QD9XW2SQ".into(),
            }),
        ];
        for e in errors {
            let th = e.th();
            assert!(!has_english_words(&th), "{}: {th}", e.code());
            assert!(
                th.chars().any(|c| ('\u{0E00}'..='\u{0E7F}').contains(&c)),
                "{th}"
            );
        }
    }

    #[test]
    fn a_full_disk_names_the_file_and_says_nothing_was_recorded() {
        let th = ReplicaError::DiskFull {
            path: PathBuf::from("/data/r.sqlite3"),
        }
        .th();
        assert!(
            th.contains("/data/r.sqlite3") && th.contains("ไม่มีการบันทึก"),
            "{th}"
        );
    }

    #[test]
    fn form_errors_name_their_field() {
        let e = ReplicaError::Profile(taem_core::ProfileError::BadEmail { input: "x".into() });
        assert_eq!(e.field(), Some("email"));
        let e = ReplicaError::Locked {
            path: PathBuf::new(),
            waited_ms: 1,
        };
        assert_eq!(e.field(), None);
    }
}
