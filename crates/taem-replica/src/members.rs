//! Members: register, edit, look up by phone / code / id, and the member card.

use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::types::{ToSqlOutput, ValueRef};
use rusqlite::{Connection, OptionalExtension, Row, params};
use taem_core::digits::digits_only;
use taem_core::member_code::looks_like_member_code;
use taem_core::{
    Gender, MemberCode, MemberProfile, OperationKind, Phone, Points, ProfileChange,
    TierChangeReason,
};
use uuid::Uuid;

use crate::Result;
use crate::env::Environment;
use crate::error::ReplicaError;
use crate::open::Replica;
use crate::outbox::{Ctx, SqlResult, tier_view};
use crate::settings::ShopSettings;
use crate::views::{MemberSummary, MemberView, OperationReceipt};

/// Attempts at drawing a member code that is not yet taken (50 random bits: a clash is
/// already a one-in-billions event at 10k members).
const MEMBER_CODE_DRAWS_MAX: usize = 8;

/// How a cashier points at one member.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MemberKey {
    /// By mobile number.
    Phone(Phone),
    /// By member code / scanned card.
    Code(MemberCode),
    /// By global member id.
    Id(Uuid),
}

/// A mobile number stored as a number by Excel or a POS has lost its leading 0
/// (`812345678`): nine digits starting as a mobile does (6, 8, 9) can only be that number.
/// (Nine digits starting with 0 stay a mistyped number, and are refused as such.)
pub(crate) fn without_leading_zero(digits: &str) -> Option<Phone> {
    let mobile_start = digits.starts_with(['6', '8', '9']);
    if digits.len() == 9 && mobile_start {
        Phone::parse(&format!("0{digits}")).ok()
    } else {
        None
    }
}

impl MemberKey {
    /// Reads a phone (any written form), a member code or a member id.
    pub fn parse(input: &str) -> Result<MemberKey> {
        let input = input.trim();
        let digits = digits_only(input);
        if let Some(phone) = digits.as_deref().and_then(without_leading_zero) {
            return Ok(MemberKey::Phone(phone));
        }
        let phone_like = input.starts_with('+') || digits.is_some_and(|d| d.len() >= 9);
        if phone_like {
            return Ok(MemberKey::Phone(Phone::parse(input)?));
        }
        if let Ok(id) = Uuid::parse_str(input) {
            return Ok(MemberKey::Id(id));
        }
        if looks_like_member_code(input) {
            return Ok(MemberKey::Code(MemberCode::parse(input)?));
        }
        if let Ok(phone) = Phone::parse(input) {
            return Ok(MemberKey::Phone(phone));
        }
        Err(ReplicaError::NotAMemberReference {
            input: input.to_string(),
        })
    }

    pub(crate) fn describe(&self) -> String {
        match self {
            MemberKey::Phone(p) => format!("phone {}", p.display_grouped()),
            MemberKey::Code(c) => format!("member code {}", c.display_grouped()),
            MemberKey::Id(id) => format!("member id {id}"),
        }
    }
}

/// A member to register.
#[derive(Clone, Debug)]
pub struct NewMember {
    /// Mobile number (unique in the shop).
    pub phone: Phone,
    /// Profile (validated on registration).
    pub profile: MemberProfile,
    /// Operation id for a safe retry; minted when absent.
    pub op_id: Option<Uuid>,
}

/// A member row as stored.
#[derive(Clone, Debug)]
pub(crate) struct MemberRow {
    pub id: i64,
    pub uid: Uuid,
    pub code: String,
    pub phone: String,
    pub profile: MemberProfile,
    pub branch: String,
    pub registered_at_ms: i64,
    pub balance_confirmed: i64,
    pub balance_pending: i64,
    pub tier_id: u32,
}

impl MemberRow {
    pub fn balance(&self) -> i64 {
        self.balance_confirmed + self.balance_pending
    }

    pub fn summary(&self, settings: &ShopSettings) -> MemberSummary {
        MemberSummary {
            member_id: self.uid,
            code: self.code.clone(),
            phone: self.phone.clone(),
            name: self.profile.full_name(),
            tier: tier_view(settings, self.tier_id),
            balance: self.balance(),
        }
    }
}

/// The member columns every member query reads, in `member_from_row` order.
macro_rules! member_columns {
    () => {
        "id, member_uid, code, phone, first_name, last_name, birthday, gender, email, address, \
         tags, marketing_consent, pdpa_consent, note, branch, registered_at_ms, \
         balance_confirmed, balance_pending, tier_id"
    };
}
pub(crate) use member_columns;

pub(crate) fn member_from_row(r: &Row<'_>) -> rusqlite::Result<MemberRow> {
    let uid: Vec<u8> = r.get(1)?;
    let birthday: Option<String> = r.get(6)?;
    let gender: String = r.get(7)?;
    let tags: String = r.get(10)?;
    Ok(MemberRow {
        id: r.get(0)?,
        uid: Uuid::from_slice(&uid).unwrap_or_default(),
        code: r.get(2)?,
        phone: r.get(3)?,
        profile: MemberProfile {
            first_name: r.get(4)?,
            last_name: r.get(5)?,
            birthday: birthday.and_then(|b| NaiveDate::parse_from_str(&b, "%Y-%m-%d").ok()),
            gender: Gender::parse(&gender).unwrap_or_default(),
            email: r.get(8)?,
            address: r.get(9)?,
            tags: serde_json::from_str(&tags).unwrap_or_default(),
            marketing_consent: r.get(11)?,
            pdpa_consent: r.get(12)?,
            note: r.get(13)?,
        },
        branch: r.get(14)?,
        registered_at_ms: r.get(15)?,
        balance_confirmed: r.get(16)?,
        balance_pending: r.get(17)?,
        tier_id: r.get(18)?,
    })
}

pub(crate) fn find_row(conn: &Connection, key: &MemberKey) -> rusqlite::Result<Option<MemberRow>> {
    // Static SQL: the statement cache is keyed by the text, and a look-up at the counter
    // should not build a string to find its prepared statement.
    match key {
        MemberKey::Phone(p) => conn
            .prepare_cached(concat!(
                "SELECT ",
                member_columns!(),
                " FROM members WHERE phone = ?1"
            ))?
            .query_row([p.as_str()], member_from_row),
        MemberKey::Code(c) => {
            let found = conn
                .prepare_cached(concat!(
                    "SELECT ",
                    member_columns!(),
                    " FROM members WHERE code = ?1"
                ))?
                .query_row([c.as_str()], member_from_row)
                .optional()?;
            if found.is_some() {
                return Ok(found);
            }
            // A card of a registration merged into another member.
            conn.prepare_cached(concat!(
                "SELECT ",
                member_columns!(),
                " FROM members WHERE id = (SELECT member_id FROM member_code_aliases WHERE code = ?1)"
            ))?
            .query_row([c.as_str()], member_from_row)
        }
        MemberKey::Id(id) => conn
            .prepare_cached(concat!(
                "SELECT ",
                member_columns!(),
                " FROM members WHERE member_uid = ?1"
            ))?
            .query_row([id.as_bytes().as_slice()], member_from_row),
    }
    .optional()
}

pub(crate) fn row_by_local_id(conn: &Connection, id: i64) -> rusqlite::Result<MemberRow> {
    conn.prepare_cached(concat!(
        "SELECT ",
        member_columns!(),
        " FROM members WHERE id = ?1"
    ))?
    .query_row([id], member_from_row)
}

/// The member columns a sale reads, in [`SaleMember`] order: what its rules and its receipt
/// need, not the profile (decoding a member's whole row, its tags' JSON and birthday, was
/// ≈1 % of a sale; docs/benchmarks.md).
macro_rules! sale_member_columns {
    () => {
        "id, member_uid, code, phone, first_name, last_name, balance_confirmed, \
         balance_pending, tier_id"
    };
}

/// The member a sale is for: the part of [`MemberRow`] a sale uses.
pub(crate) struct SaleMember {
    pub id: i64,
    pub tier_id: u32,
    /// The member as the receipt shows them, before the sale.
    pub summary: MemberSummary,
}

impl SaleMember {
    fn from_row(r: &Row<'_>, settings: &ShopSettings) -> rusqlite::Result<SaleMember> {
        let uid: &[u8] = r.get_ref(1)?.as_blob()?;
        let first_name: String = r.get(4)?;
        let last_name: &str = r.get_ref(5)?.as_str()?;
        let tier_id = r.get(8)?;
        Ok(SaleMember {
            id: r.get(0)?,
            tier_id,
            summary: MemberSummary {
                // As `member_from_row` reads it.
                member_id: Uuid::from_slice(uid).unwrap_or_default(),
                code: r.get(2)?,
                phone: r.get(3)?,
                name: taem_core::full_name(first_name, last_name),
                tier: tier_view(settings, tier_id),
                balance: r.get::<_, i64>(6)? + r.get::<_, i64>(7)?,
            },
        })
    }
}

/// What a sale reads before it writes: the member, whether the form's operation id was used
/// before, and the member's accumulated points before the sale.
pub(crate) struct SaleRead {
    /// The member.
    pub row: SaleMember,
    /// Whether the operation id probed was found (see [`Ctx::previous_used`]).
    pub op_id_used: bool,
    /// Accumulated points in the tier window, before this sale.
    pub accumulated: Points,
}

/// [`SaleRead`]'s statement for the member `$where` finds (`?1`): operation id `?2` (NULL:
/// not probed) and tier window from day `?3`.
macro_rules! sale_read_sql {
    ($where:literal) => {
        concat!(
            "SELECT ",
            sale_member_columns!(),
            ", CASE WHEN ?2 IS NULL THEN 0 ELSE ",
            crate::outbox::op_id_used_sql!("?2"),
            " END, ",
            crate::tiers::accumulated_sql!("members.id", "?3"),
            " FROM members WHERE ",
            $where
        )
    };
}

/// [`SaleRead`] by phone, by member code and by member id (`?1`).
pub(crate) const SALE_READ_SQL: [&str; 3] = [
    sale_read_sql!("phone = ?1"),
    sale_read_sql!("code = ?1"),
    sale_read_sql!("member_uid = ?1"),
];

impl Ctx<'_> {
    /// Reads the member, probes the operation id `probe` and sums the member's accumulated
    /// points from `start`, in one statement: a sale's three reads (docs/benchmarks.md,
    /// statements per sale).
    pub fn member_for_sale(
        &self,
        key: &MemberKey,
        probe: Option<Uuid>,
        start: Option<NaiveDate>,
    ) -> Result<SaleRead> {
        let probe_bytes = probe.as_ref().map(|id| id.as_bytes().as_slice());
        let start_day = crate::tiers::start_day(start);
        let read = |r: &Row<'_>| {
            Ok(SaleRead {
                row: SaleMember::from_row(r, &self.settings)?,
                op_id_used: r.get(9)?,
                accumulated: Points(r.get(10)?),
            })
        };
        let (sql, key_value) = match key {
            MemberKey::Phone(p) => (SALE_READ_SQL[0], ValueRef::Text(p.as_str().as_bytes())),
            MemberKey::Code(c) => (SALE_READ_SQL[1], ValueRef::Text(c.as_str().as_bytes())),
            MemberKey::Id(id) => (SALE_READ_SQL[2], ValueRef::Blob(id.as_bytes().as_slice())),
        };
        let key_value = ToSqlOutput::Borrowed(key_value);
        let found = self
            .tx
            .prepare_cached(sql)
            .and_then(|mut s| s.query_row(params![key_value, probe_bytes, start_day], read))
            .optional()
            .sql(self)?;
        if let Some(found) = found {
            return Ok(found);
        }
        // Not found directly: a merged registration's card (an alias), or an unknown member.
        let row = self.member(key)?;
        Ok(SaleRead {
            op_id_used: match probe {
                Some(op_id) => self.op_id_used(op_id)?,
                None => false,
            },
            accumulated: crate::tiers::accumulated(&self.tx, row.id, start).sql(self)?,
            row: SaleMember {
                id: row.id,
                tier_id: row.tier_id,
                summary: row.summary(&self.settings),
            },
        })
    }

    pub fn member(&self, key: &MemberKey) -> Result<MemberRow> {
        find_row(&self.tx, key)
            .sql(self)?
            .ok_or_else(|| ReplicaError::UnknownMember {
                query: key.describe(),
            })
    }

    pub(crate) fn ensure_phone_free(&self, phone: &Phone, except: Option<i64>) -> Result<()> {
        if let Some(other) = find_row(&self.tx, &MemberKey::Phone(phone.clone())).sql(self)?
            && Some(other.id) != except
        {
            return Err(ReplicaError::PhoneTaken {
                phone: phone.display_grouped(),
                code: MemberCode::shown(&other.code),
                name: other.profile.full_name(),
            });
        }
        Ok(())
    }

    fn index_name(&self, id: i64, profile: &MemberProfile, replace: bool) -> Result<()> {
        if replace {
            self.tx
                .prepare_cached("DELETE FROM member_names WHERE rowid = ?1")
                .and_then(|mut statement| statement.execute([id]))
                .sql(self)?;
        }
        // Cached: compiling an FTS5 insert is as costly as running it (a bulk import spent
        // 6 % of its time preparing this statement again for every member).
        self.tx
            .prepare_cached("INSERT INTO member_names(rowid, name) VALUES (?1, ?2)")
            .and_then(|mut statement| statement.execute(params![id, profile.full_name()]))
            .sql(self)?;
        Ok(())
    }
}

pub(crate) fn profile_columns(p: &MemberProfile) -> (Option<String>, String) {
    (
        p.birthday.map(|b| b.format("%Y-%m-%d").to_string()),
        serde_json::to_string(&p.tags).unwrap_or_else(|_| "[]".into()),
    )
}

/// Writes a new member row (a fresh id and a free member code), its name index entry and its
/// first tier record, in the caller's transaction. The caller checked the phone is free and
/// validated the profile, and records the operation. `codes(taken)` draws member codes
/// (`taken`: the last one drawn was another member's). Answers (local id, global id, code).
pub(crate) fn insert_new_member(
    ctx: &Ctx<'_>,
    env: &dyn Environment,
    codes: &mut dyn FnMut(bool) -> MemberCode,
    phone: &Phone,
    profile: &MemberProfile,
) -> Result<(i64, Uuid, MemberCode)> {
    let uid = env.new_op_id();
    let lowest = ctx.settings.tiers.lowest().id;
    let (birthday, tags) = profile_columns(profile);
    let now_ms = ctx.now.timestamp_millis();
    // A drawn code that is taken writes nothing (the code's unique index answers as it
    // inserts: no look-up first) and the next draw is tried.
    let mut code = None;
    for draw in 0..MEMBER_CODE_DRAWS_MAX {
        let candidate = codes(draw > 0);
        let written = ctx
            .tx
            .prepare_cached(
                "INSERT INTO members(member_uid, code, phone, first_name, last_name, birthday,
                     gender, email, address, tags, marketing_consent, pdpa_consent, note,
                     branch, registered_at_ms, updated_at_ms, tier_id, tier_since_ms)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?15, ?16, ?15)
                 ON CONFLICT(code) DO NOTHING",
            )
            .and_then(|mut s| {
                s.execute(params![
                    uid.as_bytes().as_slice(),
                    candidate.as_str(),
                    phone.as_str(),
                    profile.first_name,
                    profile.last_name,
                    birthday,
                    profile.gender.as_str(),
                    profile.email,
                    profile.address,
                    tags,
                    profile.marketing_consent,
                    profile.pdpa_consent,
                    profile.note,
                    ctx.device.branch,
                    now_ms,
                    lowest,
                ])
            })
            .sql(ctx)?;
        if written == 1 {
            code = Some(candidate);
            break;
        }
    }
    let code = code.ok_or_else(|| ReplicaError::Invariant {
        what: "could not draw a free member code".into(),
    })?;
    let local_id = ctx.tx.last_insert_rowid();
    ctx.index_name(local_id, profile, false)?;
    // The row is written in the lowest tier already: only the record of it is left.
    ctx.insert_tier_change(
        local_id,
        None,
        lowest,
        TierChangeReason::Registered,
        Points::ZERO,
    )?;
    Ok((local_id, uid, code))
}

impl Replica {
    /// Registers a new member at this counter's branch, placed in the lowest tier.
    pub fn register_member(&mut self, new: NewMember) -> Result<OperationReceipt> {
        let env = self.env.clone();
        let op_id = new.op_id.unwrap_or_else(|| env.new_op_id());
        let member_id = self.write(|ctx| {
            if let Some(prev) = ctx.previous(op_id)? {
                return match prev {
                    OperationKind::RegisterMember {
                        member_id, phone, ..
                    } if phone == new.phone => Ok((member_id, true)),
                    other => Err(ReplicaError::OperationIdReused {
                        op_id,
                        kind: other.name().into(),
                    }),
                };
            }
            let profile = new.profile.clone().validated(ctx.today)?;
            ctx.ensure_phone_free(&new.phone, None)?;
            let mut random_codes = |_| MemberCode::from_bits(env.random_u64());
            let (local_id, uid, code) =
                insert_new_member(ctx, env.as_ref(), &mut random_codes, &new.phone, &profile)?;
            ctx.record(
                op_id,
                local_id,
                None,
                OperationKind::RegisterMember {
                    member_id: uid,
                    code,
                    phone: new.phone.clone(),
                    profile,
                    imported: false,
                },
            )?;
            Ok((uid, false))
        })?;
        let (uid, replayed) = member_id;
        Ok(OperationReceipt {
            op_id,
            replayed,
            member: self.member(&MemberKey::Id(uid))?,
        })
    }

    /// Edits profile fields (and possibly the phone) of a member.
    pub fn edit_member(
        &mut self,
        key: &MemberKey,
        changes: Vec<ProfileChange>,
        op_id: Option<Uuid>,
    ) -> Result<OperationReceipt> {
        if changes.is_empty() {
            return Err(ReplicaError::NothingToChange);
        }
        let op_id = op_id.unwrap_or_else(|| self.env.new_op_id());
        let (uid, replayed) = self.write(|ctx| {
            let row = ctx.member(key)?;
            if let Some(prev) = ctx.previous(op_id)? {
                return match prev {
                    OperationKind::EditMember {
                        member_id,
                        changes: done,
                    } if member_id == row.uid && done == changes => Ok((member_id, true)),
                    other => Err(ReplicaError::OperationIdReused {
                        op_id,
                        kind: other.name().into(),
                    }),
                };
            }
            let profile = row.profile.with_changes(&changes).validated(ctx.today)?;
            let new_phone = changes.iter().rev().find_map(|c| match c {
                ProfileChange::Phone(p) => Some(p.clone()),
                _ => None,
            });
            if let Some(phone) = &new_phone {
                ctx.ensure_phone_free(phone, Some(row.id))?;
            }
            let (birthday, tags) = profile_columns(&profile);
            ctx.tx
                .execute(
                    "UPDATE members SET first_name = ?2, last_name = ?3, birthday = ?4, gender = ?5,
                         email = ?6, address = ?7, tags = ?8, marketing_consent = ?9,
                         pdpa_consent = ?10, note = ?11, phone = COALESCE(?12, phone),
                         updated_at_ms = ?13
                     WHERE id = ?1",
                    params![
                        row.id,
                        profile.first_name,
                        profile.last_name,
                        birthday,
                        profile.gender.as_str(),
                        profile.email,
                        profile.address,
                        tags,
                        profile.marketing_consent,
                        profile.pdpa_consent,
                        profile.note,
                        new_phone.as_ref().map(|p| p.as_str().to_string()),
                        ctx.now.timestamp_millis(),
                    ],
                )
                .sql(ctx)?;
            if profile.full_name() != row.profile.full_name() {
                ctx.index_name(row.id, &profile, true)?;
            }
            ctx.record(
                op_id,
                row.id,
                None,
                OperationKind::EditMember {
                    member_id: row.uid,
                    changes,
                },
            )?;
            Ok((row.uid, false))
        })?;
        Ok(OperationReceipt {
            op_id,
            replayed,
            member: self.member(&MemberKey::Id(uid))?,
        })
    }

    /// The member card: profile, balance, tier and progress to the next tier.
    pub fn member(&self, key: &MemberKey) -> Result<MemberView> {
        let row = find_row(&self.conn, key)
            .map_err(|e| self.fail(e))?
            .ok_or_else(|| ReplicaError::UnknownMember {
                query: key.describe(),
            })?;
        self.member_view(row)
    }

    pub(crate) fn member_view(&self, row: MemberRow) -> Result<MemberView> {
        let settings = self.shared_settings()?;
        let today = taem_core::time::bangkok_date(self.env.now());
        let start = settings.tiers.period.window_start(today);
        let accumulated =
            crate::tiers::accumulated(&self.conn, row.id, start).map_err(|e| self.fail(e))?;
        let current = settings
            .tiers
            .tier(row.tier_id)
            .map(|t| t.start_points)
            .unwrap_or_default();
        // The next tier above the member's *current* tier (a member kept in a higher tier by
        // "upgrades only on earning" is not told to reach a tier they already hold).
        let next = settings.tiers.tiers().iter().find(|t| {
            t.start_points > current.max(settings.tiers.placement(accumulated).start_points)
        });
        let last_activity = self.ledger_entries(row.id, 1)?.pop();
        Ok(MemberView {
            last_activity,
            member_id: row.uid,
            code: row.code.clone(),
            phone: row.phone.clone(),
            balance: row.balance(),
            balance_confirmed: row.balance_confirmed,
            balance_pending: row.balance_pending,
            tier_system_enabled: settings.tiers.enabled,
            tier: tier_view(&settings, row.tier_id),
            accumulated_points: accumulated.0,
            next_tier: next.map(|t| tier_view(&settings, t.id)),
            points_to_next_tier: next.map_or(0, |t| (t.start_points - accumulated).0.max(0)),
            branch: row.branch,
            registered_at: DateTime::<Utc>::from_timestamp_millis(row.registered_at_ms)
                .unwrap_or_default(),
            profile: row.profile,
        })
    }
}
