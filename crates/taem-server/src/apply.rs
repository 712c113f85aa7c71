//! Applying counter operations on the server: the authoritative balances and tiers.
//!
//! Rules (domain §9, sync notes):
//! - An operation is applied exactly once per shop: its id and first answer are stored in
//!   the same transaction as its effect; a retry gets that answer back; the same id with a
//!   different payload is refused.
//! - A device's operations are applied in its sequence order, without gaps.
//! - A bill earns once per shop across all branches; a second earn is rejected.
//! - An offline redemption is a fact: it is applied even below zero, and flagged.
//! - Profile fields merge per field by hybrid logical clock (latest wins, device id breaks
//!   ties); the same phone registered twice offline becomes one member.
//! - Every effect appends whole new states to the shop's change log.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use rusqlite::{Connection, OptionalExtension, params};
use sha2::{Digest, Sha256};
use taem_core::time::{bangkok_date, day_number};
use taem_core::{
    FieldStamp, Hlc, LedgerKind, MemberCode, MemberProfile, Operation, OperationKind, Points,
    ProfileChange, ShopSettings, TierChangeReason, tier_credit,
};
use taem_import::ValidRow;
use taem_protocol::{
    BootstrapMember, ChangeBody, EntryState, MemberState, MergeState, OpOutcome, OpStatus,
    PushResponse, ReviewState, Role, SettingsState, StaffState, TierChangeState,
};
use uuid::Uuid;

use crate::error::{Result, ServerError};
use crate::sqlite::{ms, staff_row, uuid};
use crate::store::DeviceAuth;

/// A counter clock more than this far ahead of the server's is clamped and flagged.
pub const CLOCK_AHEAD_MAX: Duration = Duration::minutes(5);

/// One shop inside one write transaction.
pub struct ShopTx<'a> {
    tx: &'a Connection,
    shop: Uuid,
    now: DateTime<Utc>,
    settings: ShopSettings,
    settings_rev: u64,
    today: NaiveDate,
}

struct MemberRow {
    member_id: Uuid,
    code: String,
    phone: String,
    profile: MemberProfile,
    stamps: Stamps,
    hlc: Hlc,
    branch: String,
    registered_at_ms: i64,
    balance: i64,
    tier_id: u32,
    tier_since_ms: i64,
}

/// The clock stamp of each profile field: the registration's for every field, and the edits'
/// for fields edited since (stored compactly: most members are never edited).
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
struct Stamps {
    base: FieldStamp,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    fields: BTreeMap<String, FieldStamp>,
}

impl Stamps {
    fn get(&self, field: &str) -> FieldStamp {
        self.fields.get(field).copied().unwrap_or(self.base)
    }

    fn set(&mut self, field: &str, stamp: FieldStamp) {
        self.fields.insert(field.to_string(), stamp);
    }
}

fn rejected(code: &str, message: impl Into<String>) -> OpStatus {
    OpStatus::Rejected {
        code: code.into(),
        message: message.into(),
    }
}

fn json<T: serde::Serialize>(value: &T) -> Result<String> {
    serde_json::to_string(value).map_err(|e| ServerError::Invariant(e.to_string()))
}

fn parse<T: serde::de::DeserializeOwned>(text: &str, what: &str) -> Result<T> {
    serde_json::from_str(text).map_err(|e| ServerError::Invariant(format!("{what}: {e}")))
}

const MEMBER_COLUMNS: &str = "member_id, code, phone, profile, stamps, hlc, branch, \
     registered_at_ms, balance, tier_id, tier_since_ms";

fn member_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<(Vec<u8>, [String; 6], [i64; 4])> {
    Ok((
        r.get(0)?,
        [
            r.get(1)?,
            r.get(2)?,
            r.get(3)?,
            r.get(4)?,
            r.get(5)?,
            r.get(6)?,
        ],
        [r.get(7)?, r.get(8)?, r.get(9)?, r.get(10)?],
    ))
}

fn member_row(raw: (Vec<u8>, [String; 6], [i64; 4])) -> Result<MemberRow> {
    let (id, [code, phone, profile, stamps, hlc, branch], [registered, balance, tier, since]) = raw;
    Ok(MemberRow {
        member_id: uuid(id)?,
        code,
        phone,
        profile: parse(&profile, "profile")?,
        stamps: parse(&stamps, "stamps")?,
        hlc: parse(&hlc, "hlc")?,
        branch,
        registered_at_ms: registered,
        balance,
        tier_id: tier as u32,
        tier_since_ms: since,
    })
}

fn member_state(m: &MemberRow) -> Result<MemberState> {
    Ok(MemberState {
        member_id: m.member_id,
        code: taem_core::MemberCode::parse(&m.code)
            .map_err(|e| ServerError::Invariant(format!("code {}: {e}", m.code)))?,
        phone: taem_core::Phone::parse(&m.phone)
            .map_err(|e| ServerError::Invariant(format!("phone {}: {e}", m.phone)))?,
        profile: m.profile.clone(),
        branch: m.branch.clone(),
        registered_at: ms(m.registered_at_ms),
        balance: m.balance,
        tier_id: m.tier_id,
        tier_since: ms(m.tier_since_ms),
        hlc: m.hlc,
    })
}

/// The change that records a new member's first tier (a registration's, and an import's).
fn first_tier(member_id: Uuid, lowest: u32, at: DateTime<Utc>) -> ChangeBody {
    ChangeBody::TierChange(TierChangeState {
        member_id,
        from_tier: None,
        to_tier: lowest,
        reason: TierChangeReason::Registered,
        accumulated: 0,
        at,
    })
}

/// An entry to write.
struct NewEntry<'o> {
    op: &'o Operation,
    kind: LedgerKind,
    points: i64,
    counts_toward_tier: bool,
    day: i64,
    at: DateTime<Utc>,
    bill_no: Option<String>,
    amount: Option<String>,
    rate: Option<String>,
    reason: Option<String>,
    flagged: bool,
    tier_reason: TierChangeReason,
}

impl<'a> ShopTx<'a> {
    /// Loads the shop's settings inside the transaction.
    pub fn new(tx: &'a Connection, shop: Uuid, now: DateTime<Utc>) -> Result<ShopTx<'a>> {
        let row: Option<(String, i64)> = tx
            .prepare_cached("SELECT settings, settings_rev FROM shops WHERE shop_id = ?1")?
            .query_row([shop.as_bytes().as_slice()], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        let Some((settings, rev)) = row else {
            return Err(ServerError::NotFound(format!(
                "no shop {shop} on this server"
            )));
        };
        Ok(ShopTx {
            tx,
            shop,
            now,
            settings: parse(&settings, "settings")?,
            settings_rev: rev as u64,
            today: bangkok_date(now),
        })
    }

    fn sid(&self) -> &[u8] {
        self.shop.as_bytes().as_slice()
    }

    /// Appends a change to the shop's log; returns its sequence.
    fn emit(&mut self, body: &ChangeBody) -> Result<i64> {
        let seq: i64 = self
            .tx
            .prepare_cached(
                "UPDATE shops SET change_seq = change_seq + 1 WHERE shop_id = ?1 RETURNING change_seq",
            )?
            .query_row([self.sid()], |r| r.get(0))?;
        self.tx
            .prepare_cached("INSERT INTO changes(shop_id, seq, body) VALUES (?1, ?2, ?3)")?
            .execute(params![self.sid(), seq, json(body)?])?;
        Ok(seq)
    }

    /// Emits the current settings.
    pub fn emit_settings(&mut self) -> Result<()> {
        let body = ChangeBody::Settings(self.settings_state()?);
        self.emit(&body).map(drop)
    }

    /// The settings as counters receive them, with the shop's branches.
    fn settings_state(&self) -> Result<SettingsState> {
        Ok(SettingsState {
            revision: self.settings_rev,
            settings: serde_json::to_value(&self.settings)
                .map_err(|e| ServerError::Invariant(e.to_string()))?,
            branches: shop_branches(self.tx, self.shop)?,
        })
    }

    /// Adds a staff member and emits their record.
    pub fn insert_staff(&mut self, name: &str, role: Role, pin_hash: &str) -> Result<Uuid> {
        let staff_id = Uuid::now_v7();
        self.tx.execute(
            "INSERT INTO staff(shop_id, staff_id, name, role, pin_hash) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![self.sid(), staff_id.as_bytes().as_slice(), name, role.as_str(), pin_hash],
        )?;
        self.emit(&ChangeBody::Staff(StaffState {
            staff_id,
            name: name.into(),
            role,
            pin_hash: pin_hash.into(),
            active: true,
        }))?;
        Ok(staff_id)
    }

    /// Checks a staff member's PIN, counting wrong attempts (committed either way: the
    /// outer result is the store's, the inner one the check's).
    pub fn check_pin(&mut self, name: &str, pin: &str) -> Result<Result<StaffState>> {
        let row: Option<(Vec<u8>, String, String, String, bool, u32, i64)> = self
            .tx
            .query_row(
                "SELECT staff_id, name, role, pin_hash, active, failed_attempts, locked_until_ms
                 FROM staff WHERE shop_id = ?1 AND name = ?2 COLLATE NOCASE",
                params![self.sid(), name.trim()],
                |r| {
                    Ok((
                        r.get(0)?,
                        r.get(1)?,
                        r.get(2)?,
                        r.get(3)?,
                        r.get(4)?,
                        r.get(5)?,
                        r.get(6)?,
                    ))
                },
            )
            .optional()?;
        let Some((id, name, role, hash, active, failed, locked_until)) = row else {
            return Ok(Err(ServerError::Forbidden(format!(
                "no staff member named \"{}\" in this shop",
                name.trim()
            ))));
        };
        let now_ms = self.now.timestamp_millis();
        if !active {
            return Ok(Err(ServerError::Forbidden(format!(
                "{name} is no longer active"
            ))));
        }
        if locked_until > now_ms {
            return Ok(Err(ServerError::Locked(format!(
                "too many wrong PINs for {name}: try again after {}",
                taem_core::time::format_bangkok_be(ms(locked_until))
            ))));
        }
        if crate::secrets::verify_pin(pin, &hash) {
            self.tx.execute(
                "UPDATE staff SET failed_attempts = 0 WHERE shop_id = ?1 AND staff_id = ?2",
                params![self.sid(), id],
            )?;
            return Ok(staff_row(id, name, role, hash, active));
        }
        let outcome = taem_core::signin::after_wrong_pin(failed, now_ms);
        let (failed_attempts, locked_until) = outcome.stored();
        self.tx.execute(
            "UPDATE staff SET failed_attempts = ?3, locked_until_ms = ?4 WHERE shop_id = ?1 AND staff_id = ?2",
            params![self.sid(), id, failed_attempts, locked_until],
        )?;
        let left = match outcome {
            taem_core::signin::WrongPin::TryAgain { attempts_left, .. } => attempts_left,
            taem_core::signin::WrongPin::Locked { .. } => 0,
        };
        Ok(Err(ServerError::Forbidden(format!(
            "wrong PIN for {name} ({left} attempts left)"
        ))))
    }

    /// Replaces the settings (the caller checked the owner), re-places every member.
    pub fn replace_settings(
        &mut self,
        settings: &ShopSettings,
        base_revision: u64,
    ) -> Result<SettingsState> {
        if base_revision != self.settings_rev {
            return Err(ServerError::Conflict {
                code: "stale_settings",
                message: format!(
                    "the settings changed since you read them (revision {} now, yours {base_revision})",
                    self.settings_rev
                ),
                hint: Some("read the settings again, re-apply your edit and send it".into()),
            });
        }
        // Removed tiers keep their ids and names, for the tier changes recorded under them.
        let tiers = settings
            .tiers
            .clone()
            .replacing(&self.settings.tiers)
            .map_err(|e| {
                ServerError::bad(
                    "bad_settings",
                    format!("the settings are not valid: {e}"),
                    "give a new tier an id no tier of the shop ever had",
                )
            })?;
        let settings = &ShopSettings {
            rates: settings.rates,
            tiers,
        };
        self.settings = settings.clone();
        self.settings_rev += 1;
        self.tx.execute(
            "UPDATE shops SET settings = ?2, settings_rev = ?3 WHERE shop_id = ?1",
            params![self.sid(), json(settings)?, self.settings_rev as i64],
        )?;
        self.emit_settings()?;
        self.reevaluate(self.today, TierChangeReason::SettingsChanged)?;
        self.settings_state()
    }

    fn window_start_day(&self, today: NaiveDate) -> i64 {
        self.settings
            .tiers
            .period
            .window_start(today)
            .map_or(i64::MIN, day_number)
    }

    /// Re-places every member of the shop for `today`; returns (checked, moved).
    pub fn reevaluate(&mut self, today: NaiveDate, reason: TierChangeReason) -> Result<(u64, u64)> {
        let start = self.window_start_day(today);
        let rows: Vec<(Vec<u8>, u32, i64)> = {
            let mut s = self.tx.prepare(
                "SELECT m.member_id, m.tier_id,
                     (SELECT COALESCE(SUM(points), 0) FROM tier_days t
                      WHERE t.shop_id = m.shop_id AND t.member_id = m.member_id
                        AND t.day >= ?2 AND t.day <= ?3)
                 FROM members m WHERE m.shop_id = ?1",
            )?;
            // As of `today`: points dated after it do not count (a run for an earlier day).
            s.query_map(params![self.sid(), start, day_number(today)], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })?
            .collect::<rusqlite::Result<_>>()?
        };
        let checked = rows.len() as u64;
        let mut moved = 0;
        for (id, current, accumulated) in rows {
            if let Some(to) =
                self.settings
                    .tiers
                    .change_for(Some(current), Points(accumulated), reason)
            {
                let mut member = self.member(uuid(id)?)?.ok_or_else(|| {
                    ServerError::Invariant("member vanished during re-evaluation".into())
                })?;
                self.move_tier(&mut member, to, reason, accumulated)?;
                let state = member_state(&member)?;
                self.emit(&ChangeBody::Member(state))?;
                moved += 1;
            }
        }
        Ok((checked, moved))
    }

    fn member(&self, id: Uuid) -> Result<Option<MemberRow>> {
        let raw = self
            .tx
            .prepare_cached(&format!(
                "SELECT {MEMBER_COLUMNS} FROM members WHERE shop_id = ?1 AND member_id = ?2"
            ))?
            .query_row(
                params![self.sid(), id.as_bytes().as_slice()],
                member_from_row,
            )
            .optional()?;
        raw.map(member_row).transpose()
    }

    /// The member an id names, following merges.
    fn resolve(&self, id: Uuid) -> Result<Option<MemberRow>> {
        let alias: Option<Vec<u8>> = self
            .tx
            .prepare_cached(
                "SELECT member_id FROM member_aliases WHERE shop_id = ?1 AND alias_id = ?2",
            )?
            .query_row(params![self.sid(), id.as_bytes().as_slice()], |r| r.get(0))
            .optional()?;
        match alias {
            Some(real) => self.member(uuid(real)?),
            None => self.member(id),
        }
    }

    fn save_member(&self, m: &MemberRow) -> Result<()> {
        self.tx
            .prepare_cached(
                "UPDATE members SET code = ?3, phone = ?4, profile = ?5, stamps = ?6, hlc = ?7,
                     balance = ?8, tier_id = ?9, tier_since_ms = ?10
                 WHERE shop_id = ?1 AND member_id = ?2",
            )?
            .execute(params![
                self.sid(),
                m.member_id.as_bytes().as_slice(),
                m.code,
                m.phone,
                json(&m.profile)?,
                json(&m.stamps)?,
                json(&m.hlc)?,
                m.balance,
                m.tier_id,
                m.tier_since_ms
            ])?;
        Ok(())
    }

    fn move_tier(
        &mut self,
        m: &mut MemberRow,
        to: u32,
        reason: TierChangeReason,
        accumulated: i64,
    ) -> Result<()> {
        let from = m.tier_id;
        m.tier_id = to;
        m.tier_since_ms = self.now.timestamp_millis();
        self.save_member(m)?;
        self.emit_tier_change(m.member_id, from, to, reason, accumulated)
    }

    fn accumulated(&self, member: Uuid) -> Result<i64> {
        let start = self.window_start_day(self.today);
        Ok(self
            .tx
            .prepare_cached(
                "SELECT COALESCE(SUM(points), 0) FROM tier_days
                 WHERE shop_id = ?1 AND member_id = ?2 AND day >= ?3",
            )?
            .query_row(
                params![self.sid(), member.as_bytes().as_slice(), start],
                |r| r.get(0),
            )?)
    }

    fn raise_review(
        &mut self,
        kind: &str,
        member: Option<Uuid>,
        op_ids: Vec<Uuid>,
        message: String,
    ) -> Result<()> {
        let id: i64 = self
            .tx
            .prepare_cached(
                "UPDATE shops SET review_seq = review_seq + 1 WHERE shop_id = ?1 RETURNING review_seq",
            )?
            .query_row([self.sid()], |r| r.get(0))?;
        self.tx.execute(
            "INSERT INTO reviews(shop_id, review_id, kind, member_id, op_ids, message, at_ms)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                self.sid(),
                id,
                kind,
                member.map(|m| m.as_bytes().to_vec()),
                json(&op_ids)?,
                message,
                self.now.timestamp_millis()
            ],
        )?;
        self.emit(&ChangeBody::Review(ReviewState {
            review_id: id as u64,
            kind: kind.into(),
            member_id: member,
            op_ids,
            message,
            at: self.now,
        }))?;
        Ok(())
    }

    /// Writes a ledger entry, moves the balance and tier, emits the entry.
    fn add_entry(&mut self, m: &mut MemberRow, e: NewEntry<'_>) -> Result<()> {
        let credit = tier_credit(e.kind, Points(e.points), e.counts_toward_tier).0;
        let seq: i64 = self.tx.query_row(
            "SELECT change_seq + 1 FROM shops WHERE shop_id = ?1",
            [self.sid()],
            |r| r.get(0),
        )?;
        self.tx
            .prepare_cached(
                "INSERT INTO ledger(shop_id, op_id, kind, member_id, points, tier_credit, day, at_ms,
                     bill_no, amount, rate, reason, counts_toward_tier, branch, device_id, flagged, seq)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)",
            )?
            .execute(params![
                self.sid(),
                e.op.op_id.as_bytes().as_slice(),
                e.kind.as_str(),
                m.member_id.as_bytes().as_slice(),
                e.points,
                credit,
                e.day,
                e.at.timestamp_millis(),
                e.bill_no,
                e.amount,
                e.rate,
                e.reason,
                e.counts_toward_tier,
                e.op.branch,
                e.op.device_id.as_bytes().as_slice(),
                e.flagged,
                seq
            ])?;
        if credit != 0 {
            self.tx
                .prepare_cached(
                    "INSERT INTO tier_days(shop_id, member_id, day, points) VALUES (?1, ?2, ?3, ?4)
                     ON CONFLICT(shop_id, member_id, day) DO UPDATE SET points = points + excluded.points",
                )?
                .execute(params![self.sid(), m.member_id.as_bytes().as_slice(), e.day, credit])?;
        }
        m.balance += e.points;
        let mut moved = None;
        if credit != 0 || e.tier_reason == TierChangeReason::BillVoided {
            let accumulated = self.accumulated(m.member_id)?;
            if let Some(to) =
                self.settings
                    .tiers
                    .change_for(Some(m.tier_id), Points(accumulated), e.tier_reason)
            {
                moved = Some((m.tier_id, to, accumulated));
                m.tier_id = to;
                m.tier_since_ms = self.now.timestamp_millis();
            }
        }
        self.save_member(m)?;
        self.emit(&ChangeBody::Entry(EntryState {
            op_id: e.op.op_id,
            member_id: m.member_id,
            kind: e.kind,
            points: e.points,
            tier_credit: credit,
            day: e.day,
            at: e.at,
            bill_no: e.bill_no,
            amount: e.amount,
            rate: e.rate,
            reason: e.reason,
            counts_toward_tier: e.counts_toward_tier,
            branch: e.op.branch.clone(),
            device_id: e.op.device_id,
            balance_after: m.balance,
            tier_after: m.tier_id,
            flagged: e.flagged,
        }))?;
        if let Some((from, to, accumulated)) = moved {
            self.emit_tier_change(m.member_id, from, to, e.tier_reason, accumulated)?;
        }
        Ok(())
    }

    fn emit_tier_change(
        &mut self,
        member_id: Uuid,
        from: u32,
        to: u32,
        reason: TierChangeReason,
        accumulated: i64,
    ) -> Result<()> {
        self.emit(&ChangeBody::TierChange(TierChangeState {
            member_id,
            from_tier: Some(from),
            to_tier: to,
            reason,
            accumulated,
            at: self.now,
        }))
        .map(drop)
    }

    fn apply(&mut self, op: &Operation) -> Result<OpStatus> {
        let at = op.at.min(self.now + CLOCK_AHEAD_MAX);
        let clock_ahead = op.at > self.now + CLOCK_AHEAD_MAX;
        let day = day_number(bangkok_date(at));
        let mut status = match &op.kind {
            OperationKind::RegisterMember {
                member_id,
                code,
                phone,
                profile,
                imported,
            } => self.register(op, *member_id, code, phone, profile, *imported, at)?,
            OperationKind::EditMember { member_id, changes } => {
                self.edit(op, *member_id, changes, at)?
            }
            OperationKind::Earn {
                member_id,
                bill_no,
                amount,
                rate,
                points,
            } => {
                let Some(mut m) = self.resolve(*member_id)? else {
                    return Ok(rejected(
                        "unknown_member",
                        format!("no member {member_id} in this shop"),
                    ));
                };
                if rate.points_for(*amount) != *points || points.0 <= 0 {
                    return Ok(rejected(
                        "points_mismatch",
                        format!(
                            "{} THB at {rate} earns {}, not {}",
                            amount,
                            rate.points_for(*amount).0,
                            points.0
                        ),
                    ));
                }
                let earned: Option<(String, i64)> = self
                    .tx
                    .prepare_cached(
                        "SELECT branch, at_ms FROM ledger WHERE shop_id = ?1 AND bill_no = ?2 AND kind = 'earn'",
                    )?
                    .query_row(params![self.sid(), bill_no], |r| Ok((r.get(0)?, r.get(1)?)))
                    .optional()?;
                if let Some((branch, at_ms)) = earned {
                    return Ok(rejected(
                        "bill_already_earned",
                        format!(
                            "bill {bill_no} already earned points at branch {branch} on {}; a bill earns once per shop",
                            taem_core::time::format_bangkok_be(ms(at_ms))
                        ),
                    ));
                }
                self.add_entry(
                    &mut m,
                    NewEntry {
                        op,
                        kind: LedgerKind::Earn,
                        points: points.0,
                        counts_toward_tier: false,
                        day,
                        at,
                        bill_no: Some(bill_no.clone()),
                        amount: Some(amount.to_string()),
                        rate: Some(rate.to_string()),
                        reason: None,
                        flagged: false,
                        tier_reason: TierChangeReason::Earned,
                    },
                )?;
                OpStatus::Applied
            }
            OperationKind::VoidBill {
                bill_no, reason, ..
            } => {
                let earned: Option<(Vec<u8>, i64, i64)> = self
                    .tx
                    .prepare_cached(
                        "SELECT member_id, points, day FROM ledger
                         WHERE shop_id = ?1 AND bill_no = ?2 AND kind = 'earn'",
                    )?
                    .query_row(params![self.sid(), bill_no], |r| {
                        Ok((r.get(0)?, r.get(1)?, r.get(2)?))
                    })
                    .optional()?;
                let Some((member, points, earn_day)) = earned else {
                    return Ok(rejected(
                        "unknown_bill",
                        format!(
                            "bill {bill_no} never earned points in this shop (or its earn was rejected)"
                        ),
                    ));
                };
                let voided: bool = self.tx.query_row(
                    "SELECT EXISTS(SELECT 1 FROM ledger WHERE shop_id = ?1 AND bill_no = ?2 AND kind = 'earn_reversal')",
                    params![self.sid(), bill_no],
                    |r| r.get(0),
                )?;
                if voided {
                    return Ok(rejected(
                        "bill_already_voided",
                        format!("bill {bill_no} was already voided"),
                    ));
                }
                let Some(mut m) = self.resolve(uuid(member)?)? else {
                    return Err(ServerError::Invariant(format!(
                        "bill {bill_no} of an unknown member"
                    )));
                };
                self.add_entry(
                    &mut m,
                    NewEntry {
                        op,
                        kind: LedgerKind::EarnReversal,
                        points: -points,
                        counts_toward_tier: false,
                        day: earn_day,
                        at,
                        bill_no: Some(bill_no.clone()),
                        amount: None,
                        rate: None,
                        reason: Some(reason.clone()),
                        flagged: false,
                        tier_reason: TierChangeReason::BillVoided,
                    },
                )?;
                OpStatus::Applied
            }
            OperationKind::Redeem {
                member_id,
                points,
                reward,
            } => {
                let Some(mut m) = self.resolve(*member_id)? else {
                    return Ok(rejected(
                        "unknown_member",
                        format!("no member {member_id} in this shop"),
                    ));
                };
                let spent = -points.0.abs();
                if spent == 0 {
                    return Ok(rejected(
                        "bad_points",
                        "a redemption spends at least 1 point",
                    ));
                }
                let overdrawn = m.balance + spent < 0;
                let before = m.balance;
                self.add_entry(
                    &mut m,
                    NewEntry {
                        op,
                        kind: LedgerKind::Redeem,
                        points: spent,
                        counts_toward_tier: false,
                        day,
                        at,
                        bill_no: None,
                        amount: None,
                        rate: None,
                        reason: Some(reward.clone()),
                        flagged: overdrawn,
                        tier_reason: TierChangeReason::Earned,
                    },
                )?;
                if overdrawn {
                    let others: Vec<Uuid> = {
                        let mut s = self.tx.prepare(
                            "SELECT op_id FROM ledger WHERE shop_id = ?1 AND member_id = ?2
                                 AND kind = 'redeem' AND op_id <> ?3 ORDER BY seq DESC LIMIT 3",
                        )?;
                        let ids = s
                            .query_map(
                                params![
                                    self.sid(),
                                    m.member_id.as_bytes().as_slice(),
                                    op.op_id.as_bytes().as_slice()
                                ],
                                |r| r.get::<_, Vec<u8>>(0),
                            )?
                            .collect::<rusqlite::Result<Vec<_>>>()?;
                        ids.into_iter().map(uuid).collect::<Result<_>>()?
                    };
                    let mut op_ids = vec![op.op_id];
                    op_ids.extend(others);
                    let message = format!(
                        "{} redeemed {} points for \"{reward}\" at {} while the balance was {before}: the balance is now {}. Redemptions made offline at two counters overlapped; review and adjust if needed.",
                        m.profile.full_name(),
                        -spent,
                        op.branch,
                        m.balance
                    );
                    self.raise_review("overdrawn", Some(m.member_id), op_ids, message.clone())?;
                    OpStatus::Flagged {
                        flag: "overdrawn".into(),
                        message,
                    }
                } else {
                    OpStatus::Applied
                }
            }
            OperationKind::Adjust {
                member_id,
                points,
                reason,
                counts_toward_tier,
            } => {
                let Some(mut m) = self.resolve(*member_id)? else {
                    return Ok(rejected(
                        "unknown_member",
                        format!("no member {member_id} in this shop"),
                    ));
                };
                if points.0 == 0 {
                    return Ok(rejected(
                        "bad_points",
                        "an adjustment changes at least 1 point",
                    ));
                }
                self.add_entry(
                    &mut m,
                    NewEntry {
                        op,
                        kind: LedgerKind::Adjust,
                        points: points.0,
                        counts_toward_tier: *counts_toward_tier,
                        day,
                        at,
                        bill_no: None,
                        amount: None,
                        rate: None,
                        reason: Some(reason.clone()),
                        flagged: false,
                        tier_reason: TierChangeReason::Adjusted,
                    },
                )?;
                OpStatus::Applied
            }
            OperationKind::ImportPoints { member_id, points } => {
                let Some(mut m) = self.resolve(*member_id)? else {
                    return Ok(rejected(
                        "unknown_member",
                        format!("no member {member_id} in this shop"),
                    ));
                };
                if m.member_id != *member_id {
                    // The import's registration found the phone already a member (or was
                    // merged into one): the file's points are not that member's to add.
                    return Ok(rejected(
                        "already_member",
                        format!(
                            "{} ({}) was already a member when this import reached the server: its {} initial points were not added (nothing is doubled); adjust the member by hand if the file was right",
                            m.profile.full_name(),
                            taem_core::Phone::parse(&m.phone)
                                .map(|p| p.display_grouped())
                                .unwrap_or_else(|_| m.phone.clone()),
                            points.display_grouped(),
                        ),
                    ));
                }
                if points.0 <= 0 {
                    return Ok(rejected(
                        "bad_points",
                        "imported initial points are more than 0",
                    ));
                }
                self.add_entry(
                    &mut m,
                    NewEntry {
                        op,
                        kind: LedgerKind::Import,
                        points: points.0,
                        counts_toward_tier: false,
                        day,
                        at,
                        bill_no: None,
                        amount: None,
                        rate: None,
                        reason: None,
                        flagged: false,
                        tier_reason: TierChangeReason::Adjusted,
                    },
                )?;
                OpStatus::Applied
            }
        };
        if clock_ahead {
            let message = format!(
                "the clock of device {} ({}) was {} minutes ahead of the server's; the operation was dated at the server's time",
                op.device_id,
                op.branch,
                (op.at - self.now).num_minutes()
            );
            self.raise_review(
                "clock_ahead",
                Some(op.kind.member_id()),
                vec![op.op_id],
                message.clone(),
            )?;
            if status == OpStatus::Applied {
                status = OpStatus::Flagged {
                    flag: "clock_ahead".into(),
                    message,
                };
            }
        }
        Ok(status)
    }

    fn stamp(&self, op: &Operation, at: DateTime<Utc>) -> FieldStamp {
        let hlc = op.hlc.unwrap_or(Hlc {
            wall_ms: at.timestamp_millis(),
            logical: 0,
        });
        let limit = (self.now + CLOCK_AHEAD_MAX).timestamp_millis();
        FieldStamp {
            hlc: if hlc.wall_ms > limit {
                Hlc {
                    wall_ms: self.now.timestamp_millis(),
                    logical: hlc.logical,
                }
            } else {
                hlc
            },
            device_id: op.device_id,
        }
    }

    /// Applies `op` with a flag of `kind`: a review item about `member` tells managers.
    fn flagged(
        &mut self,
        kind: &str,
        member: Uuid,
        op: &Operation,
        message: String,
    ) -> Result<OpStatus> {
        self.raise_review(kind, Some(member), vec![op.op_id], message.clone())?;
        Ok(OpStatus::Flagged {
            flag: kind.into(),
            message,
        })
    }

    #[allow(clippy::too_many_arguments)]
    fn register(
        &mut self,
        op: &Operation,
        member_id: Uuid,
        code: &taem_core::MemberCode,
        phone: &taem_core::Phone,
        profile: &MemberProfile,
        imported: bool,
        at: DateTime<Utc>,
    ) -> Result<OpStatus> {
        if self.resolve(member_id)?.is_some() {
            return Ok(OpStatus::Applied);
        }
        let profile = match profile.clone().validated(self.today) {
            Ok(p) => p,
            Err(e) => return Ok(rejected("invalid_profile", e.to_string())),
        };
        let stamp = self.stamp(op, at);
        let same_phone: Option<Vec<u8>> = self
            .tx
            .prepare_cached("SELECT member_id FROM members WHERE shop_id = ?1 AND phone = ?2")?
            .query_row(params![self.sid(), phone.as_str()], |r| r.get(0))
            .optional()?;
        if let Some(existing) = same_phone {
            // The same person registered at two counters while offline: one member.
            let mut m = self
                .member(uuid(existing)?)?
                .ok_or_else(|| ServerError::Invariant("member by phone vanished".into()))?;
            if imported {
                return self.already_member(op, member_id, code, phone, &m);
            }
            for change in profile.as_changes() {
                let newer = stamp > m.stamps.get(change.field());
                if change.has_value() && newer {
                    m.profile = m.profile.with_changes(std::slice::from_ref(&change));
                    m.stamps.set(change.field(), stamp);
                }
            }
            m.hlc = m.hlc.max(stamp.hlc);
            self.save_member(&m)?;
            self.fold_into(member_id, code, phone, &m)?;
            let message = format!(
                "{} ({}) was registered again at branch {} while offline (member code {}); the two registrations are now one member with member code {}, and both ledgers are joined",
                m.profile.full_name(),
                phone.display_grouped(),
                op.branch,
                code.display_grouped(),
                m.code
            );
            return self.flagged("merged", m.member_id, op, message);
        }
        // A code another member has (a member list's code kept at a counter that had not yet
        // received that member, or two random draws meeting): the registration keeps its
        // member and points under a free code the server draws, and a manager is told, since
        // a card printed with the old code now finds the other member.
        let taken = |tx: &Connection, code: &str| -> Result<bool> {
            Ok(tx.query_row(
                "SELECT EXISTS(SELECT 1 FROM members WHERE shop_id = ?1 AND code = ?2)",
                params![self.sid(), code],
                |r| r.get(0),
            )?)
        };
        let mut replaced = None;
        let mut code = code.clone();
        if taken(self.tx, code.as_str())? {
            let mut drawn = None;
            for _ in 0..CODE_ATTEMPTS {
                let candidate =
                    taem_core::MemberCode::from_bits(rand::RngCore::next_u64(&mut rand::rng()));
                if !taken(self.tx, candidate.as_str())? {
                    drawn = Some(candidate);
                    break;
                }
            }
            let Some(drawn) = drawn else {
                return Ok(rejected(
                    "code_taken",
                    format!(
                        "member code {} is already another member's and no free code could be drawn; register the member again",
                        code.display_grouped()
                    ),
                ));
            };
            replaced = Some(std::mem::replace(&mut code, drawn));
        }
        let code = &code;
        let stamps = Stamps {
            base: stamp,
            fields: BTreeMap::new(),
        };
        let lowest = self.settings.tiers.lowest().id;
        let m = MemberRow {
            member_id,
            code: code.as_str().into(),
            phone: phone.as_str().into(),
            profile,
            stamps,
            hlc: stamp.hlc,
            branch: op.branch.clone(),
            registered_at_ms: at.timestamp_millis(),
            balance: 0,
            tier_id: lowest,
            tier_since_ms: at.timestamp_millis(),
        };
        self.tx.execute(
            &format!("INSERT INTO members(shop_id, {MEMBER_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)"),
            params![
                self.sid(),
                m.member_id.as_bytes().as_slice(),
                m.code,
                m.phone,
                json(&m.profile)?,
                json(&m.stamps)?,
                json(&m.hlc)?,
                m.branch,
                m.registered_at_ms,
                m.balance,
                m.tier_id,
                m.tier_since_ms
            ],
        )?;
        self.emit(&ChangeBody::Member(member_state(&m)?))?;
        self.emit(&first_tier(member_id, lowest, at))?;
        if let Some(old) = replaced {
            let message = format!(
                "{} ({}) was registered at branch {} with member code {}, which another member already has; they were given the new code {}: give them a card with it (a card printed with {} finds the other member)",
                m.profile.full_name(),
                phone.display_grouped(),
                op.branch,
                old.display_grouped(),
                code.display_grouped(),
                old.display_grouped()
            );
            return self.flagged("code_replaced", member_id, op, message);
        }
        Ok(OpStatus::Applied)
    }

    /// Makes `member_id` (a second registration of `m`'s phone) an alias of `m`: operations
    /// on either id land on `m`, and a `merge` change folds each counter's copy into it.
    fn fold_into(
        &mut self,
        member_id: Uuid,
        code: &taem_core::MemberCode,
        phone: &taem_core::Phone,
        m: &MemberRow,
    ) -> Result<()> {
        self.tx.execute(
            "INSERT OR IGNORE INTO member_aliases(shop_id, alias_id, member_id) VALUES (?1, ?2, ?3)",
            params![self.sid(), member_id.as_bytes().as_slice(), m.member_id.as_bytes().as_slice()],
        )?;
        self.emit(&ChangeBody::Merge(MergeState {
            from: member_id,
            into: m.member_id,
            phone: phone.clone(),
            from_code: Some(code.clone()),
        }))?;
        self.emit(&ChangeBody::Member(member_state(m)?))?;
        Ok(())
    }

    /// A member import's row whose phone the shop already has (another counter imported the
    /// same file, or an overlapping one, while this one was offline; or the person registered
    /// meanwhile): "already a member", as a counter's own import says. The file's details
    /// are not applied and its initial points will be refused (see `ImportPoints`); the
    /// import's member id becomes an alias, so the importing counter folds its copy into
    /// the member, and a manager is told.
    fn already_member(
        &mut self,
        op: &Operation,
        member_id: Uuid,
        code: &taem_core::MemberCode,
        phone: &taem_core::Phone,
        m: &MemberRow,
    ) -> Result<OpStatus> {
        self.fold_into(member_id, code, phone, m)?;
        let message = format!(
            "{} ({}) in a member import at branch {} was already a member (member code {}): the file's details and initial points were not applied; adjust the member by hand if the file was right",
            m.profile.full_name(),
            phone.display_grouped(),
            op.branch,
            taem_core::MemberCode::shown(&m.code),
        );
        self.raise_review(
            "already_member",
            Some(m.member_id),
            vec![op.op_id],
            message.clone(),
        )?;
        Ok(OpStatus::Flagged {
            flag: "already_member".into(),
            message,
        })
    }

    fn edit(
        &mut self,
        op: &Operation,
        member_id: Uuid,
        changes: &[ProfileChange],
        at: DateTime<Utc>,
    ) -> Result<OpStatus> {
        let Some(mut m) = self.resolve(member_id)? else {
            return Ok(rejected(
                "unknown_member",
                format!("no member {member_id} in this shop"),
            ));
        };
        let before = member_state(&m)?;
        let status = self.edit_member(op, &mut m, changes, at)?;
        if matches!(status, OpStatus::Rejected { .. }) {
            // The edit counts nowhere; send the member as the server holds it, so the
            // counter that made the edit shows the real profile again.
            self.emit(&ChangeBody::Member(before))?;
        }
        Ok(status)
    }

    fn edit_member(
        &mut self,
        op: &Operation,
        m: &mut MemberRow,
        changes: &[ProfileChange],
        at: DateTime<Utc>,
    ) -> Result<OpStatus> {
        let stamp = self.stamp(op, at);
        let mut profile = m.profile.clone();
        let mut phone = m.phone.clone();
        let mut applied = false;
        for change in changes {
            if stamp <= m.stamps.get(change.field()) {
                continue;
            }
            applied = true;
            m.stamps.set(change.field(), stamp);
            match change {
                ProfileChange::Phone(p) => {
                    let taken: bool = self.tx.query_row(
                        "SELECT EXISTS(SELECT 1 FROM members WHERE shop_id = ?1 AND phone = ?2 AND member_id <> ?3)",
                        params![self.sid(), p.as_str(), m.member_id.as_bytes().as_slice()],
                        |r| r.get(0),
                    )?;
                    if taken {
                        return Ok(rejected(
                            "phone_taken",
                            format!("{} is already another member's phone", p.display_grouped()),
                        ));
                    }
                    phone = p.as_str().into();
                }
                other => profile = profile.with_changes(std::slice::from_ref(other)),
            }
        }
        if !applied {
            return Ok(OpStatus::Applied); // every field was edited later elsewhere
        }
        m.profile = match profile.validated(self.today) {
            Ok(p) => p,
            Err(e) => return Ok(rejected("invalid_profile", e.to_string())),
        };
        m.phone = phone;
        m.hlc = m.hlc.max(stamp.hlc);
        self.save_member(m)?;
        self.emit(&ChangeBody::Member(member_state(m)?))?;
        Ok(OpStatus::Applied)
    }
}

/// Attempts for an imported row whose freshly drawn member code another member already has.
pub const CODE_ATTEMPTS: usize = 4;

/// What a bulk import did with one batch of rows.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ImportedMembers {
    /// Registered: (line, new member code).
    pub imported: Vec<(u64, String)>,
    /// Not written, the phone being a member already: (line, that member's code).
    pub already_members: Vec<(u64, String)>,
    /// Registered with a new code, the code the row gave being another member's: lines.
    pub codes_taken: Vec<u64>,
}

impl ShopTx<'_> {
    /// Registers checked rows of a member list at the import device's branch (a chain moving
    /// its members to Taem at head office): each becomes what a counter's registration makes,
    /// with the same changes in the shop's log in the same order (the member, its first tier;
    /// then, for initial points, an `import` ledger entry that does not count toward a tier),
    /// but written directly, without a pushed operation per row. A row whose phone is a member
    /// already is not written and is answered with that member's code, so a file imported
    /// again imports nothing twice. `codes(taken)` draws a member code (`taken`: the last one
    /// drawn was another member's); a row draws up to [`CODE_ATTEMPTS`] times, then the whole
    /// batch is refused (the caller's transaction writes none of it).
    pub fn import_members(
        &mut self,
        auth: &DeviceAuth,
        rows: &[ValidRow],
        codes: &mut dyn FnMut(bool) -> MemberCode,
    ) -> Result<ImportedMembers> {
        let sid = self.shop.as_bytes().as_slice();
        let at = self.now;
        let at_ms = at.timestamp_millis();
        let day = day_number(self.today);
        let lowest = self.settings.tiers.lowest().id;
        let stamp = FieldStamp {
            hlc: Hlc {
                wall_ms: at_ms,
                logical: 0,
            },
            device_id: auth.device_id,
        };
        // The same for every row: serialised once.
        let stamps = json(&Stamps {
            base: stamp,
            fields: BTreeMap::new(),
        })?;
        let hlc = json(&stamp.hlc)?;
        let branch = auth.branch.as_str();
        let device = auth.device_id.as_bytes().as_slice();
        let mut seq: i64 = self
            .tx
            .prepare_cached("SELECT change_seq FROM shops WHERE shop_id = ?1")?
            .query_row([sid], |r| r.get(0))?;
        let mut insert_member = self.tx.prepare_cached(&format!(
            "INSERT INTO members(shop_id, {MEMBER_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)
             ON CONFLICT DO NOTHING"
        ))?;
        let mut code_of_phone = self
            .tx
            .prepare_cached("SELECT code FROM members WHERE shop_id = ?1 AND phone = ?2")?;
        let mut insert_change = self
            .tx
            .prepare_cached("INSERT INTO changes(shop_id, seq, body) VALUES (?1, ?2, ?3)")?;
        let mut insert_entry = self.tx.prepare_cached(
            "INSERT INTO ledger(shop_id, op_id, kind, member_id, points, tier_credit, day, at_ms,
                 branch, device_id, seq)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        )?;
        let mut done = ImportedMembers::default();
        'rows: for row in rows {
            let member_id = Uuid::now_v7();
            let id = member_id.as_bytes().as_slice();
            let profile = json(&row.profile)?;
            let points = row.initial_points.0.max(0);
            let mut code = None;
            // The row's own code first (a members download's); if another member has it,
            // drawn ones (the draws are not told: their own was not the one taken).
            let mut given = row.code.clone();
            let mut given_taken = false;
            for attempt in 0..CODE_ATTEMPTS {
                let drawn = match given.take() {
                    Some(own) => own,
                    None if row.code.is_some() && !given_taken => {
                        given_taken = true;
                        codes(false)
                    }
                    None => codes(attempt > 0),
                };
                let written = insert_member.execute(params![
                    sid,
                    id,
                    drawn.as_str(),
                    row.phone.as_str(),
                    profile,
                    stamps,
                    hlc,
                    branch,
                    at_ms,
                    points,
                    lowest,
                    at_ms
                ])?;
                if written == 1 {
                    code = Some(drawn);
                    break;
                }
                let member: Option<String> = code_of_phone
                    .query_row(params![sid, row.phone.as_str()], |r| r.get(0))
                    .optional()?;
                if let Some(member) = member {
                    done.already_members.push((row.line, member));
                    continue 'rows;
                }
                // Not the phone: the drawn code is another member's. Draw again.
            }
            let Some(code) = code else {
                return Err(ServerError::Conflict {
                    code: "code_taken",
                    message: format!(
                        "the member on line {} could not get a free member code: the {CODE_ATTEMPTS} it drew are other members'",
                        row.line
                    ),
                    hint: Some("run the import again: nothing of this batch was written".into()),
                });
            };
            if given_taken {
                done.codes_taken.push(row.line);
            }
            let member = ChangeBody::Member(MemberState {
                member_id,
                code: code.clone(),
                phone: row.phone.clone(),
                profile: row.profile.clone(),
                branch: branch.to_string(),
                registered_at: at,
                balance: 0,
                tier_id: lowest,
                tier_since: at,
                hlc: stamp.hlc,
            });
            for body in [member, first_tier(member_id, lowest, at)] {
                seq += 1;
                insert_change.execute(params![sid, seq, json(&body)?])?;
            }
            if points > 0 {
                let op_id = Uuid::now_v7();
                let credit = tier_credit(LedgerKind::Import, Points(points), false).0;
                seq += 1;
                insert_entry.execute(params![
                    sid,
                    op_id.as_bytes().as_slice(),
                    LedgerKind::Import.as_str(),
                    id,
                    points,
                    credit,
                    day,
                    at_ms,
                    branch,
                    device,
                    seq
                ])?;
                let entry = ChangeBody::Entry(EntryState {
                    op_id,
                    member_id,
                    kind: LedgerKind::Import,
                    points,
                    tier_credit: credit,
                    day,
                    at,
                    bill_no: None,
                    amount: None,
                    rate: None,
                    reason: None,
                    counts_toward_tier: false,
                    branch: branch.to_string(),
                    device_id: auth.device_id,
                    balance_after: points,
                    tier_after: lowest,
                    flagged: false,
                });
                insert_change.execute(params![sid, seq, json(&entry)?])?;
            }
            done.imported.push((row.line, code.as_str().to_string()));
        }
        self.tx
            .prepare_cached("UPDATE shops SET change_seq = ?2 WHERE shop_id = ?1")?
            .execute(params![sid, seq])?;
        Ok(done)
    }
}

/// Applies a device's batch: exactly once per operation, in sequence order.
pub fn push(shop: &mut ShopTx<'_>, auth: &DeviceAuth, ops: &[Operation]) -> Result<PushResponse> {
    let device = auth.device_id.as_bytes().as_slice();
    let mut acked: i64 = shop
        .tx
        .prepare_cached("SELECT acked_seq FROM devices WHERE shop_id = ?1 AND device_id = ?2")?
        .query_row(params![shop.sid(), device], |r| r.get(0))?;
    let mut outcomes = Vec::with_capacity(ops.len());
    for op in ops {
        if op.device_id != auth.device_id {
            return Err(ServerError::bad(
                "wrong_device",
                format!(
                    "operation {} was recorded by device {}, but this request is from device {}",
                    op.op_id, op.device_id, auth.device_id
                ),
                "a counter pushes only its own outbox",
            ));
        }
        let body = json(op)?;
        let body_hash = Sha256::digest(body.as_bytes()).to_vec();
        let previous: Option<(Vec<u8>, String)> = shop
            .tx
            .prepare_cached("SELECT body_hash, outcome FROM ops WHERE shop_id = ?1 AND op_id = ?2")?
            .query_row(params![shop.sid(), op.op_id.as_bytes().as_slice()], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .optional()?;
        if let Some((hash, outcome)) = previous {
            let status = if hash == body_hash {
                parse::<OpStatus>(&outcome, "outcome")?
            } else {
                rejected(
                    "op_id_reused",
                    format!(
                        "operation id {} was already used for a different operation; nothing was applied",
                        op.op_id
                    ),
                )
            };
            outcomes.push(OpOutcome {
                op_id: op.op_id,
                device_seq: op.device_seq,
                already_applied: hash == body_hash,
                status,
            });
            continue;
        }
        let seq = op.device_seq as i64;
        if seq <= acked {
            return Err(ServerError::Conflict {
                code: "sequence_reused",
                message: format!(
                    "device sequence {seq} was already used by another operation (the server has this device's operations through {acked})"
                ),
                hint: Some("this counter's replica was restored from an old backup or copied: enrol it again as a new counter".into()),
            });
        }
        if seq != acked + 1 {
            return Err(ServerError::Conflict {
                code: "sequence_gap",
                message: format!("expected device sequence {}, got {seq}", acked + 1),
                hint: Some(format!("push from sequence {} on", acked + 1)),
            });
        }
        let status = shop.apply(op)?;
        shop.tx
            .prepare_cached(
                "INSERT INTO ops(shop_id, op_id, device_id, device_seq, body_hash, outcome, kind,
                     member_id, applied_at_ms)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            )?
            .execute(params![
                shop.sid(),
                op.op_id.as_bytes().as_slice(),
                device,
                seq,
                body_hash,
                json(&status)?,
                op.kind.name(),
                op.kind.member_id().as_bytes().as_slice(),
                shop.now.timestamp_millis()
            ])?;
        acked = seq;
        outcomes.push(OpOutcome {
            op_id: op.op_id,
            device_seq: op.device_seq,
            already_applied: false,
            status,
        });
    }
    shop.tx
        .prepare_cached(
            "UPDATE devices SET acked_seq = ?3, last_seen_ms = ?4 WHERE shop_id = ?1 AND device_id = ?2",
        )?
        .execute(params![shop.sid(), device, acked, shop.now.timestamp_millis()])?;
    Ok(PushResponse {
        outcomes,
        acked_through: acked as u64,
    })
}

fn entry_state(
    r: &rusqlite::Row<'_>,
    member_id: Uuid,
    balance: i64,
    tier: u32,
) -> rusqlite::Result<Option<EntryState>> {
    let op: Vec<u8> = r.get(0)?;
    let kind: String = r.get(1)?;
    let device: Vec<u8> = r.get(13)?;
    let (Ok(op_id), Some(kind), Ok(device_id)) = (
        Uuid::from_slice(&op),
        LedgerKind::parse(&kind),
        Uuid::from_slice(&device),
    ) else {
        return Ok(None);
    };
    Ok(Some(EntryState {
        op_id,
        member_id,
        kind,
        points: r.get(2)?,
        tier_credit: r.get(3)?,
        day: r.get(4)?,
        at: ms(r.get(5)?),
        bill_no: r.get(6)?,
        amount: r.get(7)?,
        rate: r.get(8)?,
        reason: r.get(9)?,
        counts_toward_tier: r.get(10)?,
        branch: r.get(11)?,
        flagged: r.get(12)?,
        device_id,
        balance_after: balance,
        tier_after: tier,
    }))
}

/// Members after `after` (by id), with their recent entries and in-window tier days.
pub fn bootstrap_members(
    conn: &Connection,
    shop: Uuid,
    after: Option<Uuid>,
    limit: u32,
    start_day: i64,
) -> Result<Vec<BootstrapMember>> {
    let sid = shop.as_bytes().as_slice();
    let after_bytes = after.map_or_else(Vec::new, |a| a.as_bytes().to_vec());
    let raws = {
        let mut s = conn.prepare_cached(&format!(
            "SELECT {MEMBER_COLUMNS} FROM members WHERE shop_id = ?1 AND member_id > ?2
             ORDER BY member_id LIMIT ?3"
        ))?;
        s.query_map(params![sid, after_bytes, limit], member_from_row)?
            .collect::<rusqlite::Result<Vec<_>>>()?
    };
    let mut recent_q = conn.prepare_cached(
        "SELECT op_id, kind, points, tier_credit, day, at_ms, bill_no, amount, rate, reason,
             counts_toward_tier, branch, flagged, device_id
         FROM ledger WHERE shop_id = ?1 AND member_id = ?2 ORDER BY seq DESC LIMIT ?3",
    )?;
    let mut days_q = conn.prepare_cached(
        "SELECT day, points FROM tier_days WHERE shop_id = ?1 AND member_id = ?2 AND day >= ?3",
    )?;
    let mut out = Vec::with_capacity(raws.len());
    for raw in raws {
        let m = member_row(raw)?;
        let mid = m.member_id.as_bytes().as_slice();
        let mut recent = recent_q
            .query_map(
                params![sid, mid, taem_protocol::BOOTSTRAP_RECENT_ENTRIES],
                |r| entry_state(r, m.member_id, m.balance, m.tier_id),
            )?
            .filter_map(|e| e.transpose())
            .collect::<rusqlite::Result<Vec<_>>>()?;
        recent.reverse();
        let tier_days = days_q
            .query_map(params![sid, mid, start_day], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        out.push(BootstrapMember {
            member: member_state(&m)?,
            recent,
            tier_days,
        });
    }
    Ok(out)
}

/// The shop's branch codes, sorted.
pub fn shop_branches(conn: &Connection, shop: Uuid) -> Result<Vec<String>> {
    let mut statement =
        conn.prepare_cached("SELECT code FROM branches WHERE shop_id = ?1 ORDER BY code")?;
    let codes = statement
        .query_map([shop.as_bytes().as_slice()], |r| r.get(0))?
        .collect::<rusqlite::Result<Vec<String>>>()?;
    Ok(codes)
}

/// The shop's staff records.
pub fn staff_states(conn: &Connection, shop: Uuid) -> Result<Vec<StaffState>> {
    let mut s = conn.prepare(
        "SELECT staff_id, name, role, pin_hash, active FROM staff WHERE shop_id = ?1 ORDER BY name",
    )?;
    let rows = s
        .query_map([shop.as_bytes().as_slice()], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
        })?
        .collect::<rusqlite::Result<Vec<(Vec<u8>, String, String, String, bool)>>>()?;
    rows.into_iter()
        .map(|(id, name, role, hash, active)| staff_row(id, name, role, hash, active))
        .collect()
}

/// The shop's review items.
pub fn review_states(conn: &Connection, shop: Uuid) -> Result<Vec<ReviewState>> {
    let mut s = conn.prepare(
        "SELECT review_id, kind, member_id, op_ids, message, at_ms FROM reviews
         WHERE shop_id = ?1 ORDER BY review_id",
    )?;
    let rows = s
        .query_map([shop.as_bytes().as_slice()], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, Option<Vec<u8>>>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, i64>(5)?,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    rows.into_iter()
        .map(|(id, kind, member, op_ids, message, at)| {
            Ok(ReviewState {
                review_id: id as u64,
                kind,
                member_id: member.map(uuid).transpose()?,
                op_ids: parse(&op_ids, "op ids")?,
                message,
                at: ms(at),
            })
        })
        .collect()
}
