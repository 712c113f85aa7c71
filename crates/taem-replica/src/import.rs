//! Members brought in by an import (a shop's spreadsheet, read and validated by `taem-import`):
//! each registered at the chosen branch like a member signed up at the counter, with their
//! initial points as an `import` ledger entry, every one through the outbox.

use taem_core::{CodeRun, LedgerKind, MemberCode, MemberProfile, OperationKind, Phone, Points};

use crate::Result;
use crate::error::ReplicaError;
use crate::members::{MemberKey, find_row, insert_new_member};
use crate::open::Replica;
use crate::outbox::{NewEntry, SqlResult};
use rusqlite::OptionalExtension;

/// The longest branch code an import accepts (the server's limit).
const BRANCH_CHARS_MAX: usize = 16;

/// A branch code as the replica stores it (trimmed, upper case), or why it cannot be one:
/// 1 to 16 ASCII letters, digits, `-` or `_` (`cnx01` is `CNX01`; `BKK 01` and `สาขา1` are
/// refused).
pub fn branch_code(text: &str) -> Result<String> {
    let branch = text.trim().to_uppercase();
    let valid = !branch.is_empty()
        && branch.chars().count() <= BRANCH_CHARS_MAX
        && branch
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if valid {
        Ok(branch)
    } else {
        Err(ReplicaError::BadBranch { branch })
    }
}
/// The page cache of an import batch, in KiB (64 MB).
const IMPORT_CACHE_KIB: i64 = 64 * 1024;

/// One member of an import, validated by the caller.
#[derive(Clone, Debug)]
pub struct ImportMember {
    /// Where the row came from (its line in the file), for the report.
    pub line: u64,
    /// Mobile number.
    pub phone: Phone,
    /// Profile.
    pub profile: MemberProfile,
    /// Points brought from the previous system (0: none).
    pub initial_points: Points,
    /// The member code to keep (a members download's), when no other member has it; `None`:
    /// a new one is drawn.
    pub code: Option<MemberCode>,
}

/// What an import batch did, row by row.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ImportBatch {
    /// Registered now: (line, member code).
    pub imported: Vec<(u64, MemberCode)>,
    /// Not written, the phone being a member already: (line, that member's code). A second
    /// upload of the same file lands here for every row, so it imports nothing twice.
    pub already_members: Vec<(u64, String)>,
    /// Registered with a new code, the code the row gave being another member's: lines.
    pub codes_taken: Vec<u64>,
}

impl Replica {
    /// The member code of each phone that is already a member (`None`: not a member), in the
    /// order given; reads only (an import's check before anything is written).
    pub fn existing_members(&self, phones: &[Phone]) -> Result<Vec<Option<String>>> {
        phones
            .iter()
            .map(|phone| {
                find_row(&self.conn, &MemberKey::Phone(phone.clone()))
                    .map(|row| row.map(|r| r.code))
                    .map_err(|e| self.fail(e))
            })
            .collect()
    }

    /// For each (code, phone), whether another member (not the phone's) has the code: an
    /// import's check, reading only.
    pub fn codes_taken(&self, wanted: &[(MemberCode, Phone)]) -> Result<Vec<bool>> {
        let mut owner = self
            .conn
            .prepare_cached("SELECT phone FROM members WHERE code = ?1")
            .map_err(|e| self.fail(e))?;
        wanted
            .iter()
            .map(|(code, phone)| {
                let found: Option<String> = owner
                    .query_row([code.as_str()], |r| r.get(0))
                    .optional()
                    .map_err(|e| self.fail(e))?;
                Ok(found.is_some_and(|p| p != phone.as_str()))
            })
            .collect()
    }

    /// Registers the members of one import batch at `branch` in ONE transaction: all of them
    /// are written, each as its own operations in the outbox (registration, then the initial
    /// points when there are some), or none is. Members whose phone the shop already has are
    /// not written and are answered as such. `progress` is called with the rows done.
    pub fn import_members(
        &mut self,
        branch: &str,
        members: &[ImportMember],
        progress: impl FnMut(u64),
    ) -> Result<ImportBatch> {
        let branch = branch_code(branch)?;
        let env = self.env.clone();
        // An import writes members at random places of five indexes (code, phone, last four
        // digits, name, name trigrams): with SQLite's default 2 MB page cache a large batch
        // spills and re-reads pages for every row. The cache grows for the batch only.
        let cache_before: i64 = self
            .conn
            .query_row("PRAGMA cache_size", [], |r| r.get(0))
            .map_err(|e| self.fail(e))?;
        self.conn
            .pragma_update(None, "cache_size", -IMPORT_CACHE_KIB)
            .map_err(|e| self.fail(e))?;
        let outcome = self.import_batch(&branch, members, env, progress);
        self.conn
            .pragma_update(None, "cache_size", cache_before)
            .map_err(|e| self.fail(e))?;
        outcome
    }

    fn import_batch(
        &mut self,
        branch: &str,
        members: &[ImportMember],
        env: std::sync::Arc<dyn crate::Environment>,
        mut progress: impl FnMut(u64),
    ) -> Result<ImportBatch> {
        self.write(|ctx| {
            // The chosen branch is where these members registered (and what their operations
            // say), whatever branch this counter belongs to.
            ctx.device.branch = branch.to_string();
            let mut batch = ImportBatch::default();
            // Codes in runs (see `CodeRun`): the batch's codes land on a few pages of the
            // code index instead of one page each.
            let mut run = CodeRun::new();
            let mut codes = |taken: bool| {
                if taken {
                    run.taken();
                }
                run.next_code(|| env.random_u64())
            };
            for (i, m) in members.iter().enumerate() {
                if let Some(existing) =
                    find_row(&ctx.tx, &MemberKey::Phone(m.phone.clone())).sql(ctx)?
                {
                    batch.already_members.push((m.line, existing.code));
                    continue;
                }
                let profile = m.profile.clone().validated(ctx.today)?;
                // The row's own code first; if another member has it, drawn ones (the run is
                // not told: its own draw was not the one taken).
                let mut given = m.code.clone();
                let mut given_taken = false;
                let mut row_codes = |taken: bool| match given.take() {
                    Some(code) => code,
                    None if m.code.is_some() && !given_taken => {
                        given_taken = true;
                        codes(false)
                    }
                    None => codes(taken),
                };
                let (local_id, member_id, code) =
                    insert_new_member(ctx, env.as_ref(), &mut row_codes, &m.phone, &profile)?;
                if given_taken {
                    batch.codes_taken.push(m.line);
                }
                ctx.record(
                    env.new_op_id(),
                    local_id,
                    None,
                    OperationKind::RegisterMember {
                        member_id,
                        code: code.clone(),
                        phone: m.phone.clone(),
                        profile,
                        imported: true,
                    },
                )?;
                if m.initial_points.0 < 0 {
                    return Err(taem_core::PointsError::NotPositive {
                        input: m.initial_points.0.to_string(),
                    }
                    .into());
                }
                if m.initial_points.0 > 0 {
                    let op_id = env.new_op_id();
                    let entry_id = ctx.insert_entry(&NewEntry {
                        member_id: local_id,
                        kind: LedgerKind::Import,
                        points: m.initial_points,
                        counts_toward_tier: false,
                        tier_day: ctx.today_day(),
                        bill_no: None,
                        amount_satang: None,
                        rate: None,
                        reason: None,
                        op_id,
                    })?;
                    ctx.record(
                        op_id,
                        local_id,
                        Some(entry_id),
                        OperationKind::ImportPoints {
                            member_id,
                            points: m.initial_points,
                        },
                    )?;
                }
                batch.imported.push((m.line, code));
                if (i + 1) % 250 == 0 {
                    progress((i + 1) as u64);
                }
            }
            progress(members.len() as u64);
            Ok(batch)
        })
    }
}
