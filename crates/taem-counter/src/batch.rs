//! `batch`: one process, many operations — one JSON object per input line, one JSON answer per
//! output line, flushed after each commit. For POS integrations that keep the counter open and
//! for tests that need a process in the middle of a run of awards.
//!
//! Input lines look like
//! `{"op":"award","member":"081-234-5678","amount":1250.50,"bill":"B-1","op_id":"…"}`;
//! `op` is one of `award`, `redeem`, `void`, `adjust`, `find`, `show`. `amount` and `points`
//! are JSON numbers or numeric strings (`250`, `"1,250.50"`, `"+50"`). Every line is applied on
//! its own and every answer carries the number of the line it answers (`"line": N`): a refused
//! line answers `{"line":N,"error":{"code","message"}}` and the run goes on. Blank lines, a
//! byte order mark and the exit code are as [`crate::lines`] describes.

use serde_json::{Map, Value};
use taem_core::{Money, Points};
use taem_replica::{
    AdjustRequest, AwardRequest, MemberKey, RedeemRequest, Replica, ReplicaError, VoidRequest,
};
use uuid::Uuid;

use crate::input;
use crate::lines::{self, Line};
use crate::output::write_line;

/// How many members a `find` line answers with when it gives no `limit`.
const FIND_LIMIT_DEFAULT: usize = 20;

/// The operations a line can ask for, and the fields each takes.
const OPS: &str = "award, redeem, void, adjust, find or show";

/// An example line, for messages.
const EXAMPLE: &str = r#"{"op":"award","member":"0812345678","amount":250,"bill":"B-1"}"#;

/// A line's operation, read and checked.
enum Op {
    Award(AwardRequest),
    Redeem(RedeemRequest),
    Void(VoidRequest),
    Adjust(AdjustRequest),
    Find { query: String, limit: usize },
    Show(MemberKey),
}

/// Why a line was refused; the message starts with the line number.
struct Refused {
    code: &'static str,
    message: String,
}

/// The fields of one line's JSON object, taken one by one so that what is left over is
/// unknown.
struct Fields {
    number: usize,
    op: &'static str,
    map: Map<String, Value>,
}

impl Fields {
    fn refuse(&self, code: &'static str, what: impl std::fmt::Display) -> Refused {
        Refused {
            code,
            message: format!("line {}: {what}", self.number),
        }
    }

    fn take(&mut self, name: &str) -> Option<Value> {
        self.map.remove(name).filter(|v| !v.is_null())
    }

    /// A text field; a number is taken as its digits (a bill number sent as a number).
    fn text(&mut self, name: &str, example: &str) -> Result<String, Refused> {
        match self.take(name) {
            Some(Value::String(s)) => Ok(s),
            Some(Value::Number(n)) => Ok(n.to_string()),
            Some(_) => Err(self.refuse(
                "bad_line",
                format!("\"{name}\" must be text, e.g. {example}"),
            )),
            None => Err(self.refuse(
                "bad_line",
                format!("{} needs \"{name}\", e.g. {example}", self.op),
            )),
        }
    }

    fn member(&mut self) -> Result<MemberKey, Refused> {
        let text = self.text("member", "\"081-234-5678\" or a member code")?;
        MemberKey::parse(&text).map_err(|e| self.refuse(e.code(), e))
    }

    /// A number field given as a JSON number or a string, as text for the core's parsers. A
    /// whole number written as a float (`10.0`, what Python's `json.dumps` writes for a float)
    /// is that whole number.
    fn number_text(&mut self, name: &str) -> Option<Result<String, ()>> {
        self.take(name).map(|v| match v {
            Value::String(s) => Ok(s),
            Value::Number(n) => Ok(match n.as_f64() {
                Some(f) if n.is_f64() && f.fract() == 0.0 && f.abs() < 1e15 => {
                    format!("{}", f as i64)
                }
                _ => n.to_string(),
            }),
            _ => Err(()),
        })
    }

    fn amount(&mut self) -> Result<Money, Refused> {
        let wrong = "\"amount\" must be a number of baht like 250 or \"250.50\"";
        match self.number_text("amount") {
            Some(Ok(text)) => Money::parse(&text)
                .map_err(|e| self.refuse("bad_amount", format!("\"amount\": {e}"))),
            Some(Err(())) => Err(self.refuse("bad_amount", wrong)),
            None => Err(self.refuse(
                "bad_amount",
                format!(
                    "{} needs \"amount\": a number of baht like 250 or \"250.50\"",
                    self.op
                ),
            )),
        }
    }

    /// Points to redeem (positive) or an adjustment (signed, not zero).
    fn points(&mut self, adjustment: bool) -> Result<Points, Refused> {
        let wrong = if adjustment {
            "\"points\" must be a whole number of points like 50, -20 or \"+50\""
        } else {
            "\"points\" must be a whole number of points like 50 or \"50\""
        };
        match self.number_text("points") {
            Some(Ok(text)) => {
                let text = input::ascii_minus(&text);
                let parsed = if adjustment {
                    Points::parse_adjustment(&text)
                } else {
                    Points::parse_positive(&text)
                };
                parsed.map_err(|e| self.refuse("bad_points", format!("\"points\": {e}")))
            }
            Some(Err(())) => Err(self.refuse("bad_points", wrong)),
            None => Err(self.refuse(
                "bad_points",
                format!(
                    "{} needs \"points\": a whole number of points like 50",
                    self.op
                ),
            )),
        }
    }

    fn op_id(&mut self) -> Result<Option<Uuid>, Refused> {
        let wrong = "\"op_id\" must be an operation id (a UUID like \"0190f3c2-1111-7000-8000-000000000001\")";
        match self.take("op_id") {
            None => Ok(None),
            Some(Value::String(s)) => s
                .parse()
                .map(Some)
                .map_err(|_| self.refuse("bad_line", wrong)),
            Some(_) => Err(self.refuse("bad_line", wrong)),
        }
    }

    fn flag(&mut self, name: &str) -> Result<bool, Refused> {
        match self.take(name) {
            None => Ok(false),
            Some(Value::Bool(b)) => Ok(b),
            Some(_) => Err(self.refuse("bad_line", format!("\"{name}\" must be true or false"))),
        }
    }

    fn limit(&mut self) -> Result<usize, Refused> {
        match self.number_text("limit") {
            None => Ok(FIND_LIMIT_DEFAULT),
            Some(Ok(text)) => input::search_limit(&text)
                .map_err(|e| self.refuse("bad_line", format!("\"limit\": {e}"))),
            Some(Err(())) => {
                Err(self.refuse("bad_line", "\"limit\" must be a whole number, 1 to 100"))
            }
        }
    }

    /// Refuses fields the operation does not take (a misspelt `"amout"` must not be ignored).
    fn done(self, takes: &str) -> Result<(), Refused> {
        match self.map.keys().next() {
            None => Ok(()),
            Some(name) => Err(self.refuse(
                "bad_line",
                format!("{} does not take \"{name}\": it takes {takes}", self.op),
            )),
        }
    }
}

/// Reads one line into an operation.
fn parse(number: usize, text: &str) -> Result<Op, Refused> {
    let value: Value = serde_json::from_str(text).map_err(|e| Refused {
        code: "bad_line",
        message: format!(
            "line {number} is not valid JSON (at character {}): one operation per line, e.g. {EXAMPLE}",
            e.column()
        ),
    })?;
    let Value::Object(mut map) = value else {
        return Err(Refused {
            code: "bad_line",
            message: format!(
                "line {number} is not a JSON object: one operation per line, e.g. {EXAMPLE}"
            ),
        });
    };
    let op = match map.remove("op") {
        Some(Value::String(op)) => op,
        Some(other) => {
            return Err(Refused {
                code: "bad_line",
                message: format!("line {number}: \"op\": {other} is not an operation: use {OPS}"),
            });
        }
        None => {
            return Err(Refused {
                code: "bad_line",
                message: format!(
                    "line {number}: \"op\" is missing: say what to do with \"op\": {OPS}"
                ),
            });
        }
    };
    let op: &'static str = match op.as_str() {
        "award" => "award",
        "redeem" => "redeem",
        "void" => "void",
        "adjust" => "adjust",
        "find" => "find",
        "show" => "show",
        _ => {
            return Err(Refused {
                code: "bad_line",
                message: format!("line {number}: \"op\": \"{op}\" is not an operation: use {OPS}"),
            });
        }
    };
    let mut f = Fields { number, op, map };
    Ok(match op {
        "award" => {
            let request = AwardRequest {
                member: f.member()?,
                amount: f.amount()?,
                bill_no: f.text("bill", "\"B-1\"")?,
                op_id: f.op_id()?,
            };
            f.done("member, amount, bill, op_id")?;
            Op::Award(request)
        }
        "redeem" => {
            let request = RedeemRequest {
                member: f.member()?,
                points: f.points(false)?,
                reward: f.text("reward", "\"free coffee\"")?,
                op_id: f.op_id()?,
            };
            f.done("member, points, reward, op_id")?;
            Op::Redeem(request)
        }
        "void" => {
            let request = VoidRequest {
                bill_no: f.text("bill", "\"B-1\"")?,
                reason: f.text("reason", "\"customer returned the goods\"")?,
                op_id: f.op_id()?,
            };
            f.done("bill, reason, op_id")?;
            Op::Void(request)
        }
        "adjust" => {
            let request = AdjustRequest {
                member: f.member()?,
                points: f.points(true)?,
                reason: f.text("reason", "\"goodwill\"")?,
                counts_toward_tier: f.flag("counts_toward_tier")?,
                op_id: f.op_id()?,
            };
            f.done("member, points, reason, counts_toward_tier, op_id")?;
            Op::Adjust(request)
        }
        "find" => {
            let query = f.text("query", "\"5678\" or a name")?;
            let limit = f.limit()?;
            f.done("query, limit")?;
            Op::Find { query, limit }
        }
        _ => {
            let member = f.member()?;
            f.done("member")?;
            Op::Show(member)
        }
    })
}

fn apply(replica: &mut Replica, op: Op) -> Result<Value, ReplicaError> {
    Ok(match op {
        Op::Award(request) => to_json(replica.award(request)?),
        Op::Redeem(request) => to_json(replica.redeem(request)?),
        Op::Void(request) => to_json(replica.void_bill(request)?),
        Op::Adjust(request) => to_json(replica.adjust(request)?),
        Op::Find { query, limit } => to_json(replica.find(&query, limit)?),
        Op::Show(member) => to_json(replica.member(&member)?),
    })
}

fn to_json(value: impl serde::Serialize) -> Value {
    serde_json::to_value(value).unwrap_or(Value::Null)
}

/// Answers one input line.
fn answer(replica: &mut Replica, number: usize, line: Line<'_>) -> Result<Value, Refused> {
    let text = match line {
        Line::Text(text) => text,
        other => {
            let (code, message) = other
                .unreadable(number)
                .unwrap_or(("bad_line", format!("line {number} cannot be read")));
            return Err(Refused { code, message });
        }
    };
    let op = parse(number, text)?;
    apply(replica, op).map_err(|e| Refused {
        code: e.code(),
        message: format!("line {number}: {e}"),
    })
}

/// Reads operations from standard input until it ends; refused lines make the run end with
/// [`crate::errors::EXIT_LINES_FAILED`].
pub fn run(replica: &mut Replica) -> anyhow::Result<()> {
    // A long-running writer: checkpoint the WAL in quiet moments, never inside an award.
    replica.checkpoint_in_background()?;
    let mut out = std::io::stdout().lock();
    let mut failed = Vec::new();
    lines::read_lines(std::io::stdin().lock(), |number, line| {
        let value = match answer(replica, number, line) {
            Ok(value) => lines::numbered(value, number),
            Err(refused) => {
                failed.push(number);
                lines::error_answer(number, refused.code, &refused.message)
            }
        };
        Ok(write_line(&mut out, &value.to_string())?)
    })?;
    lines::finish(&failed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(text: &str) -> (&'static str, String) {
        match parse(3, text) {
            Ok(_) => panic!("{text} was accepted"),
            Err(r) => (r.code, r.message),
        }
    }

    #[test]
    fn amounts_and_points_may_be_numbers_or_strings() {
        for line in [
            r#"{"op":"award","member":"0812345678","amount":250,"bill":"B-1"}"#,
            r#"{"op":"award","member":"0812345678","amount":"250.50","bill":"B-1"}"#,
            r#"{"op":"redeem","member":"0812345678","points":20,"reward":"x"}"#,
            r#"{"op":"redeem","member":"0812345678","points":"20","reward":"x"}"#,
            r#"{"op":"adjust","member":"0812345678","points":"−5","reason":"x"}"#,
            r#"{"op":"adjust","member":"0812345678","points":-5,"reason":"x"}"#,
            r#"{"op":"redeem","member":"0812345678","points":10.0,"reward":"x"}"#,
        ] {
            assert!(parse(1, line).is_ok(), "{line}");
        }
    }

    #[test]
    fn messages_name_the_line_and_the_field_in_plain_words() {
        let (code, message) =
            refused(r#"{"op":"award","member":"0812345678","amount":true,"bill":"B"}"#);
        assert_eq!(code, "bad_amount");
        assert_eq!(
            message,
            r#"line 3: "amount" must be a number of baht like 250 or "250.50""#
        );
        let (_, message) = refused(r#"{"op":"award","member":"0812345678","amout":1,"bill":"B"}"#);
        assert!(message.contains("award needs \"amount\""), "{message}");
        let (_, message) =
            refused(r#"{"op":"award","member":"0812345678","amount":null,"bill":"B"}"#);
        assert_eq!(
            message,
            r#"line 3: award needs "amount": a number of baht like 250 or "250.50""#
        );
        let (_, message) =
            refused(r#"{"op":"redeem","member":"0812345678","points":10.5,"reward":"x"}"#);
        assert!(message.contains("not a whole number"), "{message}");
        let (_, message) =
            refused(r#"{"op":"award","member":"0812345678","amount":1,"bill":"B","x":1}"#);
        assert!(message.contains("does not take \"x\""), "{message}");
        let (_, message) = refused(r#"{"op":"sell"}"#);
        assert!(message.contains("use award, redeem"), "{message}");
        let (_, message) = refused("{nope");
        assert!(message.starts_with("line 3 is not valid JSON"), "{message}");
        assert!(!message.contains("expected"), "no serde wording: {message}");
        let (code, _) =
            refused(r#"{"op":"redeem","member":"0812345678","points":-2,"reward":"x"}"#);
        assert_eq!(code, "bad_points");
        let (_, message) = refused(r#"{"op":"find","query":"5678","limit":0}"#);
        assert!(message.contains("0 is not a limit"), "{message}");
        // The replica answers at most 100: a larger limit is refused, not quietly cut.
        let (_, message) = refused(r#"{"op":"find","query":"5678","limit":1000}"#);
        assert!(message.contains("give 1 to 100"), "{message}");
    }
}
