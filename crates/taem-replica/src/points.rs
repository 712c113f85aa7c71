//! Points operations at the counter: award (earn), void a bill, redeem, adjust.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension};
use taem_core::time::format_bangkok_be;
use taem_core::{Channel, LedgerKind, Money, OperationKind, PointRate, Points, TierChangeReason};
use uuid::Uuid;

use crate::Result;
use crate::error::ReplicaError;
use crate::members::{MemberKey, MemberRow, SaleRead, row_by_local_id};
use crate::open::Replica;
use crate::outbox::{Ctx, NewEntry, SqlResult};
use crate::views::AwardReceipt;
use crate::views::MemberSummary;

/// Longest bill number accepted.
pub const BILL_NO_CHARS_MAX: usize = 64;
/// Longest reason / reward text.
pub const REASON_CHARS_MAX: usize = 200;

/// Award points for a purchase.
#[derive(Clone, Debug)]
pub struct AwardRequest {
    /// Who.
    pub member: MemberKey,
    /// The bill (receipt) number: earns once per shop.
    pub bill_no: String,
    /// The purchase amount.
    pub amount: Money,
    /// Operation id for a safe retry; minted when absent.
    pub op_id: Option<Uuid>,
}

/// Void a bill: take back the points it earned.
#[derive(Clone, Debug)]
pub struct VoidRequest {
    /// The bill.
    pub bill_no: String,
    /// Why (required).
    pub reason: String,
    /// Operation id for a safe retry.
    pub op_id: Option<Uuid>,
}

/// Redeem points for a reward.
#[derive(Clone, Debug)]
pub struct RedeemRequest {
    /// Who.
    pub member: MemberKey,
    /// Points to spend (> 0).
    pub points: Points,
    /// What was given (required).
    pub reward: String,
    /// Operation id for a safe retry.
    pub op_id: Option<Uuid>,
}

/// A manager's manual adjustment.
#[derive(Clone, Debug)]
pub struct AdjustRequest {
    /// Who.
    pub member: MemberKey,
    /// The change (≠ 0).
    pub points: Points,
    /// Why (required).
    pub reason: String,
    /// Whether it counts toward the member's tier.
    pub counts_toward_tier: bool,
    /// Operation id for a safe retry.
    pub op_id: Option<Uuid>,
}

/// Thai vowel and tone marks written above or below a letter (`ใบเสร็จ`): part of a Thai
/// word, though not letters themselves.
fn is_thai_mark(c: char) -> bool {
    matches!(c, '\u{0E31}' | '\u{0E34}'..='\u{0E3A}' | '\u{0E47}'..='\u{0E4E}')
}

/// A bill number as kept: trimmed, Thai digits as ASCII digits and Latin letters in upper
/// case, so that `b-1` and `B-1`, or `ใบเสร็จ๐๐๒` and `ใบเสร็จ002`, are one bill (a bill
/// earns once however the cashier types its number).
fn clean_bill_no(bill_no: &str) -> Result<String> {
    let cleaned: String = bill_no
        .trim()
        .chars()
        .map(|c| taem_core::digits::to_ascii_digit(c).to_ascii_uppercase())
        .collect();
    let ok = !cleaned.is_empty()
        && cleaned.chars().count() <= BILL_NO_CHARS_MAX
        && cleaned.chars().all(|c| {
            c.is_alphanumeric() || is_thai_mark(c) || matches!(c, '-' | '/' | '_' | '.' | '#')
        });
    if ok {
        Ok(cleaned)
    } else {
        Err(ReplicaError::BadBillNumber {
            bill_no: bill_no.to_string(),
        })
    }
}

/// A reason as kept: spaces collapsed, control characters (a terminal escape, a bell pasted
/// from another program) dropped.
fn clean_reason(text: &str, what: &'static str, example: &'static str) -> Result<String> {
    let cleaned = taem_core::clean_text(text);
    if cleaned.is_empty() {
        return Err(ReplicaError::ReasonRequired { what, example });
    }
    let chars = cleaned.chars().count();
    if chars > REASON_CHARS_MAX {
        return Err(ReplicaError::ReasonTooLong {
            what,
            chars,
            max: REASON_CHARS_MAX,
        });
    }
    Ok(cleaned)
}

fn reused(op_id: Uuid, kind: &OperationKind) -> ReplicaError {
    ReplicaError::OperationIdReused {
        op_id,
        kind: kind.name().into(),
    }
}

struct Done {
    kind: LedgerKind,
    member_id: i64,
    points: Points,
    replayed: bool,
    bill_no: Option<String>,
    amount: Option<Money>,
    rate: Option<String>,
    reason: Option<String>,
    tier_change: Option<crate::views::TierChangeView>,
    /// The member afterwards, when the operation already knows it (saves a read).
    after: Option<MemberSummary>,
}

/// The member as the operation left them: `summary` (the member as read at its start), moved
/// by `points`.
fn summary_after(
    mut summary: MemberSummary,
    points: Points,
    tier_change: &Option<crate::views::TierChangeView>,
) -> MemberSummary {
    summary.balance += points.0;
    if let Some(change) = tier_change {
        summary.tier = change.to.clone();
    }
    summary
}

/// A rate as a receipt shows it and as the ledger stores it (JSON). Both are functions of the
/// rate alone, so each thread keeps the few it has made: formatting them anew was ≈1.3 % of a
/// sale (docs/benchmarks.md).
fn rate_texts(rate: PointRate) -> (String, Option<String>) {
    /// Distinct rates kept; a shop has a handful (one per tier and channel at most).
    const KEPT: usize = 16;
    type Texts = Vec<(PointRate, String, Option<String>)>;
    thread_local! {
        static MADE: std::cell::RefCell<Texts> = const { std::cell::RefCell::new(Vec::new()) };
    }
    MADE.with_borrow_mut(|made| {
        if let Some((_, text, json)) = made.iter().find(|(r, ..)| *r == rate) {
            return (text.clone(), json.clone());
        }
        let (text, json) = (rate.to_string(), serde_json::to_string(&rate).ok());
        if made.len() == KEPT {
            made.clear();
        }
        made.push((rate, text.clone(), json.clone()));
        (text, json)
    })
}

impl Done {
    fn replay(kind: LedgerKind, member_id: i64, points: Points) -> Done {
        Done {
            kind,
            member_id,
            points,
            replayed: true,
            bill_no: None,
            amount: None,
            rate: None,
            reason: None,
            tier_change: None,
            after: None,
        }
    }
}

impl Replica {
    /// Runs a points operation in one transaction and builds its receipt from inside it (a
    /// second read transaction after the commit cost a sale ≈10 % more).
    fn write_points(
        &mut self,
        op_id: Uuid,
        f: impl FnOnce(&mut Ctx<'_>) -> Result<Done>,
    ) -> Result<AwardReceipt> {
        self.write(|ctx| {
            let done = f(ctx)?;
            let member = match done.after {
                Some(member) => member,
                None => row_by_local_id(&ctx.tx, done.member_id)
                    .sql(ctx)?
                    .summary(&ctx.settings),
            };
            Ok(AwardReceipt {
                op_id,
                replayed: done.replayed,
                kind: done.kind,
                member,
                points: done.points.0,
                bill_no: done.bill_no,
                amount: done.amount.map(|a| a.to_string()),
                rate: done.rate,
                reason: done.reason,
                tier_change: done.tier_change,
            })
        })
    }

    /// Points a purchase would earn for this member now, without recording anything (the
    /// counter's preview before the cashier confirms).
    pub fn preview_award(&self, member: &MemberKey, amount: Money) -> Result<(Points, PointRate)> {
        let settings = self.shared_settings()?;
        let row = self.member_row(member)?;
        let rate = settings
            .tiers
            .rate_for(&settings.rates, Channel::Counter, Some(row.tier_id));
        Ok((rate.points_for(amount), rate))
    }

    /// Refuses a bill number the award would refuse for itself: one that is not a usable
    /// number, or that already earned (voided or not). For the counter's preview, so that the
    /// cashier learns it before confirming, not after.
    pub fn check_bill_for_award(&self, bill_no: &str) -> Result<()> {
        let bill_no = clean_bill_no(bill_no)?;
        match bill_already_earned(&self.conn, &bill_no).map_err(|e| self.fail(e))? {
            Some(refusal) => Err(refusal),
            None => Ok(()),
        }
    }

    pub(crate) fn member_row(&self, key: &MemberKey) -> Result<MemberRow> {
        crate::members::find_row(&self.conn, key)
            .map_err(|e| self.fail(e))?
            .ok_or_else(|| ReplicaError::UnknownMember {
                query: key.describe(),
            })
    }

    /// Awards points for a bill: ledger entry, balance, tier upgrade and outbox row in one
    /// transaction. A bill number earns once; retrying with the same `op_id` is safe.
    pub fn award(&mut self, req: AwardRequest) -> Result<AwardReceipt> {
        let bill_no = clean_bill_no(&req.bill_no)?;
        let caller_id = req.op_id.is_some();
        let op_id = req.op_id.unwrap_or_else(|| self.env.new_op_id());
        self.write_points(op_id, |ctx| {
            // The member, the operation id's probe and the accumulated points in one read.
            let SaleRead {
                row,
                op_id_used,
                accumulated,
            } = ctx.member_for_sale(
                &req.member,
                caller_id.then_some(op_id),
                ctx.tier_window_start(),
            )?;
            let previous = if op_id_used {
                ctx.previous_used(op_id)?
            } else {
                None
            };
            if let Some(prev) = previous {
                return match prev {
                    OperationKind::Earn {
                        member_id,
                        bill_no: b,
                        amount,
                        points,
                        rate,
                    } if member_id == row.summary.member_id
                        && b == bill_no
                        && amount == req.amount =>
                    {
                        Ok(Done {
                            bill_no: Some(b),
                            amount: Some(amount),
                            rate: Some(rate.to_string()),
                            ..Done::replay(LedgerKind::Earn, row.id, points)
                        })
                    }
                    other => Err(reused(op_id, &other)),
                };
            }
            let rate = ctx.settings.tiers.rate_for(
                &ctx.settings.rates,
                Channel::Counter,
                Some(row.tier_id),
            );
            let points = rate.points_for(req.amount);
            if points == Points::ZERO {
                return Err(ReplicaError::NothingToEarn {
                    amount: req.amount.display_thb(),
                    rate: rate.to_string(),
                });
            }
            let (rate_text, rate_json) = rate_texts(rate);
            // The bill index refuses a second earning of the bill; the earlier one is read
            // only then, for the cashier's message (a look-up before every insert cost a sale
            // one more statement).
            let entry_id = ctx
                .insert_entry(&NewEntry {
                    member_id: row.id,
                    kind: LedgerKind::Earn,
                    points,
                    counts_toward_tier: false,
                    tier_day: ctx.today_day(),
                    bill_no: Some(&bill_no),
                    amount_satang: Some(req.amount.satang()),
                    rate: rate_json,
                    reason: None,
                    op_id,
                })
                .or_else(|e| {
                    if e.is_unique_violation() {
                        Err(bill_already_earned(&ctx.tx, &bill_no)
                            .sql(ctx)?
                            .unwrap_or(e))
                    } else {
                        Err(e)
                    }
                })?;
            // The entry's credit is today's, inside any tier window.
            let credit = taem_core::tier_credit(LedgerKind::Earn, points, false);
            let tier_change = ctx.replace_tier_at(
                row.id,
                row.tier_id,
                TierChangeReason::Earned,
                accumulated + credit,
            )?;
            ctx.record(
                op_id,
                row.id,
                Some(entry_id),
                OperationKind::Earn {
                    member_id: row.summary.member_id,
                    bill_no: bill_no.clone(),
                    amount: req.amount,
                    rate,
                    points,
                },
            )?;
            Ok(Done {
                kind: LedgerKind::Earn,
                member_id: row.id,
                points,
                replayed: false,
                bill_no: Some(bill_no.clone()),
                amount: Some(req.amount),
                rate: Some(rate_text),
                reason: None,
                after: Some(summary_after(row.summary, points, &tier_change)),
                tier_change,
            })
        })
    }

    /// Voids a bill: an earn-reversal entry takes its points back, exactly once.
    pub fn void_bill(&mut self, req: VoidRequest) -> Result<AwardReceipt> {
        let bill_no = clean_bill_no(&req.bill_no)?;
        let reason = clean_reason(
            &req.reason,
            "voiding a bill",
            "the customer returned the goods",
        )?;
        let caller_id = req.op_id.is_some();
        let op_id = req.op_id.unwrap_or_else(|| self.env.new_op_id());
        self.write_points(op_id, |ctx| {
            if let Some(prev) = ctx.previous_if(caller_id, op_id)? {
                return match prev {
                    OperationKind::VoidBill {
                        bill_no: b,
                        points,
                        reason,
                        ..
                    } if b == bill_no => {
                        let member_id = earned_bill(&ctx.tx, &bill_no)
                            .sql(ctx)?
                            .map(|e| e.member_id)
                            .ok_or_else(|| ReplicaError::BillNotFound {
                                bill_no: bill_no.clone(),
                            })?;
                        Ok(Done {
                            bill_no: Some(b),
                            reason: Some(reason),
                            ..Done::replay(LedgerKind::EarnReversal, member_id, points)
                        })
                    }
                    other => Err(reused(op_id, &other)),
                };
            }
            let earned = earned_bill(&ctx.tx, &bill_no).sql(ctx)?.ok_or_else(|| {
                ReplicaError::BillNotFound {
                    bill_no: bill_no.clone(),
                }
            })?;
            if let Some(at_ms) = voided_at(&ctx.tx, &bill_no).sql(ctx)? {
                return Err(ReplicaError::BillAlreadyVoided {
                    bill_no,
                    when: when(at_ms),
                });
            }
            let row = row_by_local_id(&ctx.tx, earned.member_id).sql(ctx)?;
            let points = -earned.points;
            let entry_id = ctx.insert_entry(&NewEntry {
                member_id: row.id,
                kind: LedgerKind::EarnReversal,
                points,
                counts_toward_tier: false,
                // The reversal cancels the bill's credit on the bill's own day, so the
                // rolling window ages both out together.
                tier_day: earned.day,
                bill_no: Some(&bill_no),
                amount_satang: earned.amount_satang,
                rate: None,
                reason: Some(&reason),
                op_id,
            })?;
            let tier_change =
                ctx.replace_tier(row.id, row.tier_id, TierChangeReason::BillVoided)?;
            ctx.record(
                op_id,
                row.id,
                Some(entry_id),
                OperationKind::VoidBill {
                    member_id: row.uid,
                    bill_no: bill_no.clone(),
                    points,
                    reason: reason.clone(),
                },
            )?;
            Ok(Done {
                kind: LedgerKind::EarnReversal,
                member_id: row.id,
                points,
                replayed: false,
                bill_no: Some(bill_no.clone()),
                amount: None,
                rate: None,
                reason: Some(reason.clone()),
                after: Some(summary_after(
                    row.summary(&ctx.settings),
                    points,
                    &tier_change,
                )),
                tier_change,
            })
        })
    }

    /// Redeems points; never below the balance this counter can see.
    pub fn redeem(&mut self, req: RedeemRequest) -> Result<AwardReceipt> {
        if req.points.0 <= 0 {
            return Err(taem_core::PointsError::NotPositive {
                input: req.points.to_string(),
            }
            .into());
        }
        let reward = clean_reason(
            &req.reward,
            "a redemption (what reward was given)",
            "free iced latte",
        )?;
        let caller_id = req.op_id.is_some();
        let op_id = req.op_id.unwrap_or_else(|| self.env.new_op_id());
        self.write_points(op_id, |ctx| {
            let row = ctx.member(&req.member)?;
            if let Some(prev) = ctx.previous_if(caller_id, op_id)? {
                return match prev {
                    OperationKind::Redeem {
                        member_id,
                        points,
                        reward,
                    } if member_id == row.uid && points == -req.points => Ok(Done {
                        reason: Some(reward),
                        ..Done::replay(LedgerKind::Redeem, row.id, points)
                    }),
                    other => Err(reused(op_id, &other)),
                };
            }
            if row.balance() < req.points.0 {
                return Err(ReplicaError::InsufficientPoints {
                    code: taem_core::MemberCode::shown(&row.code),
                    balance: row.balance(),
                    requested: req.points.0,
                });
            }
            let points = -req.points;
            let entry_id = ctx.insert_entry(&NewEntry {
                member_id: row.id,
                kind: LedgerKind::Redeem,
                points,
                counts_toward_tier: false,
                tier_day: ctx.today_day(),
                bill_no: None,
                amount_satang: None,
                rate: None,
                reason: Some(&reward),
                op_id,
            })?;
            ctx.record(
                op_id,
                row.id,
                Some(entry_id),
                OperationKind::Redeem {
                    member_id: row.uid,
                    points,
                    reward: reward.clone(),
                },
            )?;
            Ok(Done {
                replayed: false,
                reason: Some(reward.clone()),
                after: Some(summary_after(row.summary(&ctx.settings), points, &None)),
                ..Done::replay(LedgerKind::Redeem, row.id, points)
            })
        })
    }

    /// A manager's adjustment (±) with a reason; optionally counting toward the tier.
    pub fn adjust(&mut self, req: AdjustRequest) -> Result<AwardReceipt> {
        if req.points == Points::ZERO {
            return Err(taem_core::PointsError::Zero.into());
        }
        let reason = clean_reason(&req.reason, "an adjustment", "goodwill for a late delivery")?;
        let caller_id = req.op_id.is_some();
        let op_id = req.op_id.unwrap_or_else(|| self.env.new_op_id());
        self.write_points(op_id, |ctx| {
            let row = ctx.member(&req.member)?;
            if let Some(prev) = ctx.previous_if(caller_id, op_id)? {
                return match prev {
                    OperationKind::Adjust {
                        member_id,
                        points,
                        reason,
                        ..
                    } if member_id == row.uid && points == req.points => Ok(Done {
                        reason: Some(reason),
                        ..Done::replay(LedgerKind::Adjust, row.id, points)
                    }),
                    other => Err(reused(op_id, &other)),
                };
            }
            // A deduction may not take the balance below zero; an addition is always fine,
            // even to a balance a voided bill left negative.
            let after = row.balance() + req.points.0;
            if req.points.0 < 0 && after < 0 {
                return Err(ReplicaError::AdjustBelowZero {
                    code: taem_core::MemberCode::shown(&row.code),
                    balance: row.balance(),
                    points: req.points.0,
                    after,
                });
            }
            let entry_id = ctx.insert_entry(&NewEntry {
                member_id: row.id,
                kind: LedgerKind::Adjust,
                points: req.points,
                counts_toward_tier: req.counts_toward_tier,
                tier_day: ctx.today_day(),
                bill_no: None,
                amount_satang: None,
                rate: None,
                reason: Some(&reason),
                op_id,
            })?;
            let tier_change = if req.counts_toward_tier {
                ctx.replace_tier(row.id, row.tier_id, TierChangeReason::Adjusted)?
            } else {
                None
            };
            ctx.record(
                op_id,
                row.id,
                Some(entry_id),
                OperationKind::Adjust {
                    member_id: row.uid,
                    points: req.points,
                    reason: reason.clone(),
                    counts_toward_tier: req.counts_toward_tier,
                },
            )?;
            Ok(Done {
                after: Some(summary_after(
                    row.summary(&ctx.settings),
                    req.points,
                    &tier_change,
                )),
                tier_change,
                replayed: false,
                reason: Some(reason.clone()),
                ..Done::replay(LedgerKind::Adjust, row.id, req.points)
            })
        })
    }
}

struct EarnedBill {
    member_id: i64,
    points: Points,
    at_ms: i64,
    day: i64,
    amount_satang: Option<i64>,
}

fn earned_bill(conn: &Connection, bill_no: &str) -> rusqlite::Result<Option<EarnedBill>> {
    conn.prepare_cached(
        "SELECT member_id, points, day, amount_satang, at_ms FROM ledger
         WHERE bill_no = ?1 AND kind = 'earn'",
    )?
    .query_row([bill_no], |r| {
        Ok(EarnedBill {
            member_id: r.get(0)?,
            points: Points(r.get(1)?),
            day: r.get(2)?,
            amount_satang: r.get(3)?,
            at_ms: r.get(4)?,
        })
    })
    .optional()
}

/// The error for a bill that already earned (`None` if it did not). The earlier entry is read
/// from one table through one index: joining `members` here made SQLite re-plan the statement
/// on every new bill number (its bindings became part of the plan).
fn bill_already_earned(conn: &Connection, bill_no: &str) -> rusqlite::Result<Option<ReplicaError>> {
    let Some(earlier) = earned_bill(conn, bill_no)? else {
        return Ok(None);
    };
    let row = row_by_local_id(conn, earlier.member_id)?;
    let code = taem_core::MemberCode::shown(&row.code);
    if let Some(voided_at) = voided_at(conn, bill_no)? {
        return Ok(Some(ReplicaError::BillEarnedThenVoided {
            bill_no: bill_no.to_string(),
            code,
            points: earlier.points.0,
            when: when(earlier.at_ms),
            voided: when(voided_at),
        }));
    }
    Ok(Some(ReplicaError::BillAlreadyEarned {
        bill_no: bill_no.to_string(),
        code,
        points: earlier.points.0,
        when: when(earlier.at_ms),
    }))
}

/// When the bill's points were taken back, if they were.
fn voided_at(conn: &Connection, bill_no: &str) -> rusqlite::Result<Option<i64>> {
    conn.query_row(
        "SELECT at_ms FROM ledger WHERE bill_no = ?1 AND kind = 'earn_reversal'",
        [bill_no],
        |r| r.get(0),
    )
    .optional()
}

fn when(at_ms: i64) -> String {
    DateTime::<Utc>::from_timestamp_millis(at_ms)
        .map(format_bangkok_be)
        .unwrap_or_else(|| at_ms.to_string())
}

#[cfg(test)]
mod tests {
    use taem_core::{Money, PointRate, Points};

    use super::rate_texts;

    #[test]
    fn a_rate_kept_for_the_thread_reads_as_one_made_anew() {
        // More rates than are kept: each made, then read back kept; the memory is full
        // and starts again twice.
        for baht in 1..=40 {
            let rate = PointRate::new(Money::from_satang(baht * 100).unwrap(), Points(1)).unwrap();
            for time in ["made", "kept"] {
                assert_eq!(
                    rate_texts(rate),
                    (rate.to_string(), serde_json::to_string(&rate).ok()),
                    "{baht} baht, {time}"
                );
            }
        }
    }
}
