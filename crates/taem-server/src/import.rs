//! The server's store as the destination of a member import (`taem-server import`, a chain
//! migrating its members): the rows, read and checked by `taem-import`, enter through the same
//! exactly-once push path as every counter's operations, from an import device enrolled for the
//! run at the chosen branch and revoked at its end. Each member is a registration plus, when it
//! brings points, an `import_points` operation (an `import` ledger entry, not counting toward a
//! tier). A phone the shop already has is answered as such and never written again.

use chrono::{DateTime, Utc};
use rand::RngCore;
use taem_core::{MemberCode, Operation, OperationKind};
use taem_import::{MemberSink, SinkOutcome, ValidRow};
use taem_protocol::{EnrolRequest, OpStatus};
use uuid::Uuid;

use crate::error::Result;
use crate::store::{DeviceAuth, Store};

/// Attempts for a row whose freshly drawn member code another member already has.
const CODE_ATTEMPTS: usize = 4;

/// Imports into one shop of a store.
pub struct StoreSink<'a> {
    store: &'a dyn Store,
    shop: Uuid,
    branch: String,
    /// The import device's name (none for a check, which writes nothing).
    device_name: Option<String>,
    /// The import device, once enrolled.
    auth: Option<DeviceAuth>,
    seq: u64,
    now: DateTime<Utc>,
    /// Where new member codes come from: random bits, or a test's own sequence.
    codes: Box<dyn FnMut() -> MemberCode + 'a>,
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
            seq: 0,
            now,
            codes: Box::new(new_code),
        }
    }

    /// Draws member codes from `codes` instead of random bits, so a test can hand out a code
    /// another member already has and see the row drawn again.
    pub fn with_codes(mut self, codes: impl FnMut() -> MemberCode + 'a) -> Self {
        self.codes = Box::new(codes);
        self
    }

    fn device(&mut self) -> std::result::Result<DeviceAuth, String> {
        if let Some(auth) = &self.auth {
            return Ok(auth.clone());
        }
        let name = self
            .device_name
            .clone()
            .ok_or("this import only checks the file: nothing can be written through it")?;
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
        .map_err(|e| e.to_string())?;
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

    fn op(&mut self, auth: &DeviceAuth, kind: OperationKind) -> Operation {
        self.seq += 1;
        Operation {
            op_id: Uuid::now_v7(),
            device_seq: self.seq,
            device_id: auth.device_id,
            branch: self.branch.clone(),
            at: self.now,
            hlc: None,
            kind,
        }
    }

    fn existing_codes(
        &self,
        rows: &[&ValidRow],
    ) -> std::result::Result<Vec<Option<String>>, String> {
        let phones: Vec<String> = rows.iter().map(|r| r.phone.as_str().to_string()).collect();
        self.store
            .member_codes_by_phone(self.shop, &phones)
            .map_err(|e| e.to_string())
    }
}

fn new_code() -> MemberCode {
    MemberCode::from_bits(rand::rng().next_u64())
}

impl MemberSink for StoreSink<'_> {
    fn write(
        &mut self,
        rows: &[ValidRow],
        progress: &mut dyn FnMut(u64),
    ) -> std::result::Result<SinkOutcome, String> {
        let mut outcome = SinkOutcome::default();
        let all: Vec<&ValidRow> = rows.iter().collect();
        let mut todo: Vec<&ValidRow> = Vec::with_capacity(rows.len());
        for (row, code) in all.iter().zip(self.existing_codes(&all)?) {
            match code {
                Some(code) => outcome.already_members.push((row.line, code)),
                None => todo.push(row),
            }
        }
        if todo.is_empty() {
            return Ok(outcome);
        }
        let auth = self.device()?;
        for _ in 0..CODE_ATTEMPTS {
            if todo.is_empty() {
                break;
            }
            let mut ops = Vec::with_capacity(todo.len() * 2);
            // Registration op id → (row, code).
            let mut registered = std::collections::HashMap::with_capacity(todo.len());
            // Points op id → its registration's op id.
            let mut points_of = std::collections::HashMap::new();
            for row in &todo {
                let member_id = Uuid::now_v7();
                let code = (self.codes)();
                let register = self.op(
                    &auth,
                    OperationKind::RegisterMember {
                        member_id,
                        code: code.clone(),
                        phone: row.phone.clone(),
                        profile: row.profile.clone(),
                    },
                );
                registered.insert(register.op_id, (*row, code));
                ops.push(register);
                if row.initial_points.0 > 0 {
                    let points = self.op(
                        &auth,
                        OperationKind::ImportPoints {
                            member_id,
                            points: row.initial_points,
                        },
                    );
                    points_of.insert(points.op_id, ops.last().map(|r: &Operation| r.op_id));
                    ops.push(points);
                }
            }
            let answer = self
                .store
                .push(&auth, &ops, self.now)
                .map_err(|e| e.to_string())?;
            let mut retry = Vec::new();
            let mut rejected_points = Vec::new();
            for o in &answer.outcomes {
                let Some((row, code)) = registered.get(&o.op_id) else {
                    if let OpStatus::Rejected { code, message } = &o.status {
                        rejected_points.push((o.op_id, code.clone(), message.clone()));
                    }
                    continue;
                };
                match &o.status {
                    OpStatus::Applied | OpStatus::Flagged { .. } => {
                        outcome.imported.push((row.line, code.as_str().to_string()));
                    }
                    OpStatus::Rejected { code, .. } if code == "code_taken" => retry.push(*row),
                    OpStatus::Rejected { code, message } => {
                        return Err(format!(
                            "the server refused the member on line {}: {code}: {message}",
                            row.line
                        ));
                    }
                }
            }
            // Points refused because their registration was (a code to draw again) go with
            // the retry; points refused for a member that was registered are an error.
            for (op_id, code, message) in rejected_points {
                let register = points_of.get(&op_id).copied().flatten();
                let retried = register
                    .and_then(|r| registered.get(&r))
                    .is_some_and(|(row, _)| retry.iter().any(|x: &&ValidRow| x.line == row.line));
                if !retried {
                    return Err(format!(
                        "the server refused imported points: {code}: {message}"
                    ));
                }
            }
            progress(outcome.imported.len() as u64 + outcome.already_members.len() as u64);
            todo = retry;
        }
        if !todo.is_empty() {
            return Err(format!(
                "{} members could not get a free member code; run the import again",
                todo.len()
            ));
        }
        outcome.imported.sort_unstable();
        Ok(outcome)
    }

    fn existing(&mut self, rows: &[ValidRow]) -> std::result::Result<Vec<(u64, String)>, String> {
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
    use crate::sqlite::SqliteStore;

    fn row(line: u64, phone: &str, name: &str, points: i64) -> ValidRow {
        ValidRow {
            line,
            phone: Phone::parse(phone).unwrap(),
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
    fn a_member_whose_drawn_code_is_taken_gets_a_new_one_with_its_points() {
        let (_dir, store, shop) = shop_with_member_coded(1);

        // The second file's first row draws code 1 again (taken), then 2; the other row
        // draws 3. Both are imported once, the first with its initial points.
        let mut second = sink(&store, shop, &[1, 3, 2]);
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
    }

    #[test]
    fn rows_that_never_get_a_free_code_are_an_error_saying_to_run_again() {
        let (_dir, store, shop) = shop_with_member_coded(7);
        let mut stuck = sink(&store, shop, &[7; CODE_ATTEMPTS]);
        let err = stuck
            .write(&[row(2, "0899999999", "มานี", 10)], &mut |_| {})
            .unwrap_err();
        stuck.finish().unwrap();
        assert!(err.contains("could not get a free member code"), "{err}");
        assert!(err.contains("run the import again"), "{err}");
        let codes = store
            .member_codes_by_phone(shop, &["0899999999".to_string()])
            .unwrap();
        assert_eq!(codes, vec![None], "nothing of the refused row was written");
        let balances = store.balances(shop).unwrap();
        assert_eq!(balances.len(), 1);
        assert_eq!(balances[0].balance, 0);
    }
}
