//! `batch`: one process, many operations — one JSON object per input line, one JSON answer per
//! output line, flushed after each commit. For POS integrations that keep the counter open and
//! for tests that need a process in the middle of a run of awards.
//!
//! Input lines look like
//! `{"op":"award","member":"081-234-5678","amount":"1250.50","bill":"B-1","op_id":"…"}`;
//! `op` is one of `award`, `redeem`, `void`, `adjust`, `find`, `show`. Every line is applied
//! on its own: a refused line answers `{"error":{"code","message"},"line":N}` and the run goes on.

use std::io::{BufRead, Write};

use serde::Deserialize;
use taem_core::{Money, Points};
use taem_replica::{
    AdjustRequest, AwardRequest, MemberKey, RedeemRequest, Replica, ReplicaError, VoidRequest,
};
use uuid::Uuid;

/// The longest input line accepted (a line is one small JSON object).
const LINE_BYTES_MAX: usize = 64 * 1024;

#[derive(Debug, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case", deny_unknown_fields)]
enum Line {
    Award {
        member: String,
        amount: String,
        bill: String,
        op_id: Option<Uuid>,
    },
    Redeem {
        member: String,
        points: i64,
        reward: String,
        op_id: Option<Uuid>,
    },
    Void {
        bill: String,
        reason: String,
        op_id: Option<Uuid>,
    },
    Adjust {
        member: String,
        points: i64,
        reason: String,
        #[serde(default)]
        counts_toward_tier: bool,
        op_id: Option<Uuid>,
    },
    Find {
        query: String,
        #[serde(default = "default_limit")]
        limit: usize,
    },
    Show {
        member: String,
    },
}

fn default_limit() -> usize {
    20
}

fn apply(replica: &mut Replica, line: Line) -> Result<serde_json::Value, ReplicaError> {
    Ok(match line {
        Line::Award {
            member,
            amount,
            bill,
            op_id,
        } => to_json(replica.award(AwardRequest {
            member: MemberKey::parse(&member)?,
            bill_no: bill,
            amount: Money::parse(&amount)?,
            op_id,
        })?),
        Line::Redeem {
            member,
            points,
            reward,
            op_id,
        } => to_json(replica.redeem(RedeemRequest {
            member: MemberKey::parse(&member)?,
            points: Points(points),
            reward,
            op_id,
        })?),
        Line::Void {
            bill,
            reason,
            op_id,
        } => to_json(replica.void_bill(VoidRequest {
            bill_no: bill,
            reason,
            op_id,
        })?),
        Line::Adjust {
            member,
            points,
            reason,
            counts_toward_tier,
            op_id,
        } => to_json(replica.adjust(AdjustRequest {
            member: MemberKey::parse(&member)?,
            points: Points(points),
            reason,
            counts_toward_tier,
            op_id,
        })?),
        Line::Find { query, limit } => to_json(replica.find(&query, limit)?),
        Line::Show { member } => to_json(replica.member(&MemberKey::parse(&member)?)?),
    })
}

fn to_json(value: impl serde::Serialize) -> serde_json::Value {
    serde_json::to_value(value).unwrap_or(serde_json::Value::Null)
}

fn error_line(line_no: usize, code: &str, message: String) -> serde_json::Value {
    serde_json::json!({"line": line_no, "error": {"code": code, "message": message}})
}

/// Reads operations from standard input until it ends.
pub fn run(replica: &mut Replica) -> anyhow::Result<()> {
    // A long-running writer: checkpoint the WAL in quiet moments, never inside an award.
    replica.checkpoint_in_background()?;
    let stdin = std::io::stdin();
    let mut out = std::io::stdout().lock();
    for (i, line) in stdin.lock().lines().enumerate() {
        let line_no = i + 1;
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        let answer = if line.len() > LINE_BYTES_MAX {
            error_line(
                line_no,
                "line_too_long",
                format!(
                    "line {line_no} is longer than {LINE_BYTES_MAX} bytes: one operation per line"
                ),
            )
        } else {
            match serde_json::from_str::<Line>(&line) {
                Err(e) => error_line(
                    line_no,
                    "bad_line",
                    format!(
                        "line {line_no} is not a valid operation ({e}): see `taem-counter batch --help`"
                    ),
                ),
                Ok(op) => match apply(replica, op) {
                    Ok(value) => value,
                    Err(e) => error_line(line_no, e.code(), e.to_string()),
                },
            }
        };
        writeln!(out, "{answer}")?;
        out.flush()?;
    }
    Ok(())
}
