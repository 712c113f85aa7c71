//! The server's store as the destination of a member import (`taem-server import`, a chain
//! migrating its members): the rows, read and checked by `taem-import`, are registered batch by
//! batch, one transaction each, by [`Store::import_members`], on behalf of an import device
//! enrolled for the run at the chosen branch (it stamps the members and their `import` ledger
//! entries, so each shows where it came from) and revoked at its end. Each member is what a
//! counter's registration makes, with the same changes in the shop's log, so every counter
//! receives it by sync. A phone the shop already has is answered as such and never written
//! again.

use chrono::{DateTime, Utc};
use rand::RngCore;
use taem_core::{CodeRun, MemberCode};
use taem_import::{MemberSink, SinkError, SinkOutcome, ValidRow};
use taem_protocol::EnrolRequest;
use uuid::Uuid;

use crate::error::{Result, ServerError};
use crate::store::{DeviceAuth, Store};

/// Imports into one shop of a store.
pub struct StoreSink<'a> {
    store: &'a dyn Store,
    shop: Uuid,
    branch: String,
    /// The import device's name (none for a check, which writes nothing).
    device_name: Option<String>,
    /// The import device, once enrolled.
    auth: Option<DeviceAuth>,
    now: DateTime<Utc>,
    /// Where new member codes come from (the argument: the last one was taken): runs from
    /// random starts, or a test's own sequence.
    codes: Box<dyn FnMut(bool) -> MemberCode + 'a>,
}

impl<'a> StoreSink<'a> {
    /// A sink into `shop` at `branch` (the caller checked it is one of the shop's). With a
    /// device `name` it writes, enrolling an import device of that name at its first write (a
    /// file refused before anything is written leaves no device behind); without, it only
    /// checks (`existing`) and `write` refuses.
    pub fn new(
        store: &'a dyn Store,
        shop: Uuid,
        branch: &str,
        name: Option<String>,
        now: DateTime<Utc>,
    ) -> Self {
        StoreSink {
            store,
            shop,
            branch: branch.trim().to_uppercase(),
            device_name: name,
            auth: None,
            now,
            codes: Box::new(code_runs()),
        }
    }

    /// Draws member codes from `codes` instead of random bits, so a test can hand out a code
    /// another member already has and see the row drawn again.
    pub fn with_codes(mut self, mut codes: impl FnMut() -> MemberCode + 'a) -> Self {
        self.codes = Box::new(move |_| codes());
        self
    }

    fn device(&mut self) -> std::result::Result<DeviceAuth, SinkError> {
        if let Some(auth) = &self.auth {
            return Ok(auth.clone());
        }
        let name = self.device_name.clone().ok_or_else(|| SinkError {
            code: "check_only",
            en: "this import only checks the file: nothing can be written through it".into(),
            th: "การนำเข้านี้ตรวจไฟล์อย่างเดียว: ไม่บันทึกสมาชิก".into(),
        })?;
        let enrolled = (|| -> Result<_> {
            let (code, _) = self
                .store
                .create_enrol_code(self.shop, &self.branch, 1, self.now)?;
            self.store.enrol(
                &EnrolRequest {
                    code,
                    device_name: name,
                },
                self.now,
            )
        })()
        .map_err(|e| sink_error(&e))?;
        let auth = DeviceAuth {
            shop_id: enrolled.shop_id,
            device_id: enrolled.device_id,
            branch: enrolled.branch,
        };
        self.auth = Some(auth.clone());
        Ok(auth)
    }

    /// Revokes the import device (its token stops working): call when the run is over.
    pub fn finish(self) -> Result<()> {
        if let Some(auth) = &self.auth {
            self.store
                .revoke_device(self.shop, auth.device_id, self.now)?;
        }
        Ok(())
    }

    fn existing_codes(
        &self,
        rows: &[&ValidRow],
    ) -> std::result::Result<Vec<Option<String>>, SinkError> {
        let phones: Vec<String> = rows.iter().map(|r| r.phone.as_str().to_string()).collect();
        self.store
            .member_codes_by_phone(self.shop, &phones)
            .map_err(|e| sink_error(&e))
    }
}

/// The store's error with its code, its hint and a Thai message (the server's own messages
/// are English; the Thai one says what happened and keeps the English detail only where there
/// is no Thai for it).
fn sink_error(e: &ServerError) -> SinkError {
    let api = e.api();
    let en = match &api.hint {
        Some(hint) => format!("{}: {hint}", api.message),
        None => api.message.clone(),
    };
    let th = match e.code() {
        "disk_full" => "ดิสก์ของเซิร์ฟเวอร์เต็ม: ชุดที่กำลังบันทึกไม่ถูกบันทึก ลบไฟล์ที่ไม่ใช้ให้มีที่ว่าง แล้วนำเข้าไฟล์เดิมอีกครั้ง (สมาชิกที่นำเข้าแล้วจะถูกข้าม)".to_string(),
        "code_taken" => "สุ่มรหัสสมาชิกที่ว่างไม่ได้: ชุดที่กำลังบันทึกไม่ถูกบันทึก นำเข้าไฟล์เดิมอีกครั้ง (สมาชิกที่นำเข้าแล้วจะถูกข้าม)".to_string(),
        _ => format!("ฐานข้อมูลของเซิร์ฟเวอร์ไม่รับการบันทึก: {en}"),
    };
    SinkError {
        code: e.code(),
        en,
        th,
    }
}

/// Codes in runs from random starts ([`CodeRun`]): a large import writes them into the code
/// index a few pages at a time.
fn code_runs() -> impl FnMut(bool) -> MemberCode {
    let mut run = CodeRun::new();
    move |taken| {
        if taken {
            run.taken();
        }
        run.next_code(|| rand::rng().next_u64())
    }
}

impl MemberSink for StoreSink<'_> {
    fn write(
        &mut self,
        rows: &[ValidRow],
        progress: &mut dyn FnMut(u64),
    ) -> std::result::Result<SinkOutcome, SinkError> {
        if rows.is_empty() {
            return Ok(SinkOutcome::default());
        }
        if self.auth.is_none() {
            // No device yet: a file whose rows are all members already (imported again)
            // enrols none.
            let found = self.existing(rows)?;
            if found.len() == rows.len() {
                progress(found.len() as u64);
                return Ok(SinkOutcome {
                    imported: Vec::new(),
                    already_members: found,
                    codes_taken: Vec::new(),
                });
            }
        }
        let auth = self.device()?;
        let done = self
            .store
            .import_members(&auth, rows, self.now, &mut self.codes)
            .map_err(|e| sink_error(&e))?;
        progress((done.imported.len() + done.already_members.len()) as u64);
        Ok(SinkOutcome {
            imported: done.imported,
            already_members: done.already_members,
            codes_taken: done.codes_taken,
        })
    }

    fn taken_codes(&mut self, rows: &[ValidRow]) -> std::result::Result<Vec<u64>, SinkError> {
        let (lines, codes): (Vec<u64>, Vec<String>) = rows
            .iter()
            .filter_map(|r| Some((r.line, r.code.as_ref()?.as_str().to_string())))
            .unzip();
        let owners = self
            .store
            .member_phones_by_code(self.shop, &codes)
            .map_err(|e| sink_error(&e))?;
        let phones: std::collections::HashMap<u64, &str> =
            rows.iter().map(|r| (r.line, r.phone.as_str())).collect();
        Ok(lines
            .into_iter()
            .zip(owners)
            .filter_map(|(line, owner)| {
                let other = owner.is_some_and(|p| phones.get(&line) != Some(&p.as_str()));
                other.then_some(line)
            })
            .collect())
    }

    fn existing(
        &mut self,
        rows: &[ValidRow],
    ) -> std::result::Result<Vec<(u64, String)>, SinkError> {
        let all: Vec<&ValidRow> = rows.iter().collect();
        Ok(all
            .iter()
            .zip(self.existing_codes(&all)?)
            .filter_map(|(r, code)| code.map(|c| (r.line, c)))
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use std::collections::VecDeque;

    use taem_core::{MemberProfile, Phone, Points};

    use super::*;
    use crate::apply::CODE_ATTEMPTS;
    use crate::sqlite::SqliteStore;

    fn row(line: u64, phone: &str, name: &str, points: i64) -> ValidRow {
        ValidRow {
            line,
            phone: Phone::parse(phone).unwrap(),
            phone_cell: phone.to_string(),
            code: None,
            code_cell: String::new(),
            code_not_kept: None,
            profile: MemberProfile {
                first_name: name.into(),
                ..MemberProfile::default()
            },
            initial_points: Points(points),
        }
    }

    fn code(bits: u64) -> MemberCode {
        MemberCode::from_bits(bits)
    }

    /// A sink whose codes come from `codes`, in order.
    fn sink<'a>(store: &'a SqliteStore, shop: Uuid, codes: &[u64]) -> StoreSink<'a> {
        let mut queue: VecDeque<u64> = codes.iter().copied().collect();
        StoreSink::new(store, shop, "BKK01", Some("import".into()), Utc::now())
            .with_codes(move || code(queue.pop_front().expect("the test ran out of codes")))
    }

    /// A shop on a fresh store whose one member (0812345678) has the code drawn from `bits`.
    fn shop_with_member_coded(bits: u64) -> (tempfile::TempDir, SqliteStore, Uuid) {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(dir.path()).unwrap();
        let shop = store
            .create_shop(
                "ร้านทดสอบ",
                ("BKK01", "สาขาหนึ่ง"),
                ("เจ้าของ", "1234"),
                Utc::now(),
            )
            .unwrap()
            .shop_id;
        let mut first = sink(&store, shop, &[bits]);
        let done = first
            .write(&[row(2, "0812345678", "สมชาย", 0)], &mut |_| {})
            .unwrap();
        assert_eq!(done.imported, vec![(2, code(bits).as_str().to_string())]);
        first.finish().unwrap();
        (dir, store, shop)
    }

    #[test]
    fn a_row_keeps_its_own_code_unless_another_member_has_it() {
        let (_dir, store, shop) = shop_with_member_coded(1);
        let with_code = |line, phone, bits| ValidRow {
            code: Some(code(bits)),
            ..row(line, phone, "มานะ", 0)
        };
        // Line 2 brings code 5 (free): kept. Line 3 brings code 1, the first member's: a
        // drawn one (9), and the line is answered as such.
        let rows = [with_code(2, "0899999999", 5), with_code(3, "0811111111", 1)];
        let mut check = sink(&store, shop, &[]);
        assert_eq!(check.taken_codes(&rows).unwrap(), vec![3]);
        check.finish().unwrap();
        let mut import = sink(&store, shop, &[9]);
        let done = import.write(&rows, &mut |_| {}).unwrap();
        import.finish().unwrap();
        let mut imported = done.imported.clone();
        imported.sort();
        assert_eq!(
            imported,
            vec![
                (2, code(5).as_str().to_string()),
                (3, code(9).as_str().to_string())
            ]
        );
        assert_eq!(done.codes_taken, vec![3]);
        // A member's own code is not "another member's".
        let mut again = sink(&store, shop, &[]);
        assert!(again.taken_codes(&rows[..1]).unwrap().is_empty());
        again.finish().unwrap();
    }

    #[test]
    fn a_member_whose_drawn_code_is_taken_gets_a_new_one_with_its_points() {
        let (_dir, store, shop) = shop_with_member_coded(1);

        // The second file's first row draws code 1 again (taken), then 2; the other row
        // draws 3. Both are imported once, the first with its initial points.
        let mut second = sink(&store, shop, &[1, 2, 3]);
        let rows = [
            row(2, "0899999999", "มานี", 150),
            row(3, "0811111111", "ปิติ", 0),
        ];
        let done = second.write(&rows, &mut |_| {}).unwrap();
        second.finish().unwrap();
        let mut imported = done.imported.clone();
        imported.sort();
        assert_eq!(
            imported,
            vec![
                (2, code(2).as_str().to_string()),
                (3, code(3).as_str().to_string())
            ]
        );
        let phones = [
            "0812345678".to_string(),
            "0899999999".into(),
            "0811111111".into(),
        ];
        let codes = store.member_codes_by_phone(shop, &phones).unwrap();
        assert_eq!(
            codes,
            vec![
                Some(code(1).as_str().to_string()),
                Some(code(2).as_str().to_string()),
                Some(code(3).as_str().to_string())
            ]
        );
        let balances = store.balances(shop).unwrap();
        assert_eq!(balances.len(), 3, "no member doubled: {balances:?}");
        let points: i64 = balances.iter().map(|b| b.balance).sum();
        assert_eq!(
            points, 150,
            "the retried member's points landed once: {balances:?}"
        );
        assert!(
            balances.iter().all(|b| b.balance == b.ledger_sum),
            "{balances:?}"
        );
        // The shop's log: gap-free, and for each new member what a counter's registration
        // gives (the member, its first tier), then its imported points.
        let conn = rusqlite::Connection::open(store.path()).unwrap();
        let last: i64 = conn
            .query_row("SELECT change_seq FROM shops", [], |r| r.get(0))
            .unwrap();
        let log: Vec<(i64, String)> = conn
            .prepare("SELECT seq, json_extract(body, '$.type') FROM changes ORDER BY seq")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        assert_eq!(
            log.iter().map(|(seq, _)| *seq).collect::<Vec<_>>(),
            (1..=last).collect::<Vec<_>>()
        );
        let kinds: Vec<&str> = log.iter().map(|(_, kind)| kind.as_str()).collect();
        assert_eq!(
            kinds[kinds.len() - 5..],
            ["member", "tier_change", "entry", "member", "tier_change"]
        );
    }

    #[test]
    fn a_full_server_disk_is_said_so_with_its_code_in_both_languages() {
        let full = ServerError::Database(rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_FULL),
            Some("database or disk is full".into()),
        ));
        assert_eq!(full.api().code, "disk_full");
        let err = sink_error(&full);
        assert_eq!(err.code, "disk_full");
        assert!(err.en.contains("free some space"), "{err:?}");
        assert!(err.th.starts_with("ดิสก์ของเซิร์ฟเวอร์เต็ม"), "{err:?}");
        assert!(!err.th.contains("disk"), "no English in the Thai: {err:?}");
    }

    #[test]
    fn rows_that_never_get_a_free_code_are_an_error_saying_to_run_again() {
        let (_dir, store, shop) = shop_with_member_coded(7);
        let log = || -> (i64, i64) {
            rusqlite::Connection::open(store.path())
                .unwrap()
                .query_row(
                    "SELECT (SELECT COUNT(*) FROM changes), (SELECT change_seq FROM shops)",
                    [],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .unwrap()
        };
        let before = log();
        let mut stuck = sink(&store, shop, &[7; CODE_ATTEMPTS]);
        let err = stuck
            .write(&[row(2, "0899999999", "มานี", 10)], &mut |_| {})
            .unwrap_err();
        stuck.finish().unwrap();
        assert_eq!(err.code, "code_taken", "{err:?}");
        assert!(
            err.en.contains("could not get a free member code"),
            "{err:?}"
        );
        assert!(err.en.contains("run the import again"), "{err:?}");
        assert!(err.th.contains("นำเข้าไฟล์เดิมอีกครั้ง"), "{err:?}");
        let codes = store
            .member_codes_by_phone(shop, &["0899999999".to_string()])
            .unwrap();
        assert_eq!(codes, vec![None], "nothing of the refused row was written");
        let balances = store.balances(shop).unwrap();
        assert_eq!(balances.len(), 1);
        assert_eq!(balances[0].balance, 0);
        assert_eq!(log(), before, "the shop's change log did not move");
    }
}
