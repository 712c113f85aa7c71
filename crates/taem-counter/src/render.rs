//! Text output for people at a terminal (the `--json` output is the serialised value).

use std::fmt::Write;

use taem_core::time::format_bangkok_be;
use taem_core::{Gender, LedgerKind, MemberCode, Operation, Points, RateMode, SystemRates};
use taem_replica::{
    AwardReceipt, HistoryItem, LedgerEntryView, MemberSummary, MemberView, OperationReceipt,
    ReevaluationReport, ReplicaStatus, SearchResult, ShopSettings, TierChangeView,
};
use unicode_width::UnicodeWidthStr;

use crate::tiers_cmd::TierMembers;

fn grouped_phone(phone: &str) -> String {
    taem_core::Phone::parse(phone).map_or_else(|_| phone.to_string(), |p| p.display_grouped())
}

/// A count with its noun agreeing: "1 member", "12,000 members".
pub fn counted(n: i64, one: &str, many: &str) -> String {
    format!("{} {}", pts(n), if n == 1 { one } else { many })
}

fn pts(n: i64) -> String {
    Points(n).display_grouped()
}

/// A change of points with its sign and thousands separators: `+2,000`, `-50`.
fn signed_pts(n: i64) -> String {
    if n > 0 {
        format!("+{}", pts(n))
    } else {
        pts(n)
    }
}

/// `text` padded with spaces to `width` terminal columns. Thai vowel and tone marks take no
/// column of their own (กันตพงศ์ is 8 characters but 6 columns), so padding by characters
/// (`{:<w}`) would push the next column left.
fn pad(text: &str, width: usize) -> String {
    let fill = width.saturating_sub(text.width());
    format!("{text}{}", " ".repeat(fill))
}

/// `status`.
pub fn status(s: &ReplicaStatus) -> String {
    format!(
        "shop      {}\nbranch    {}\ndevice    {}\nreplica   {} (schema v{})\nmembers   {}\nentries   {}\nwaiting   {} operations to sync (last seq {})",
        s.shop_name,
        s.branch,
        s.device_id,
        s.path,
        s.schema_version,
        pts(s.members),
        pts(s.ledger_entries),
        s.pending_operations,
        s.device_seq
    ) + &sync_status(&s.sync)
}

fn sync_status(s: &taem_replica::SyncStatus) -> String {
    let Some(url) = &s.server_url else {
        return "\nserver    not enrolled (a local shop; `taem-counter enrol URL CODE` on a new --data-dir joins a server)".into();
    };
    let when = |t: Option<chrono::DateTime<chrono::Utc>>| {
        t.map_or("never".to_string(), taem_core::time::format_bangkok_be)
    };
    let mut out = format!(
        "\nserver    {url}\nsync      {} · last successful sync {}",
        if s.online {
            "online (ออนไลน์)"
        } else {
            "offline (ออฟไลน์)"
        },
        when(s.last_sync_ok)
    );
    if let Some(e) = &s.last_error {
        out.push_str(&format!("\nlast error {e}"));
    }
    if s.rejected > 0 || s.reviews > 0 {
        out.push_str(&format!(
            "\nreview    {} rejected operations, {} items for a manager",
            s.rejected, s.reviews
        ));
    }
    out
}

fn summary_line(m: &MemberSummary) -> String {
    format!(
        "{:<15} {:<13} {} {:>10} pt  {}",
        MemberCode::shown(&m.code),
        grouped_phone(&m.phone),
        pad(&m.name, 32),
        pts(m.balance),
        m.tier.name
    )
}

/// `member find`.
pub fn search(r: &SearchResult) -> String {
    let mut out = String::new();
    if let Some(hint) = &r.hint {
        let _ = writeln!(out, "note: {hint}");
    }
    if r.members.is_empty() {
        out.push_str("no member found (ไม่พบสมาชิก)");
        return out;
    }
    for m in &r.members {
        let _ = writeln!(out, "{}", summary_line(m));
    }
    out.truncate(out.trim_end().len());
    out
}

/// What of a member's balance waits to be sent: the points, or — when what waits nets to
/// 0 (an award of 40,000 and a redemption of 40,000) — the entries, which still wait.
fn waiting_note(balance_pending: i64, entries_waiting: usize) -> String {
    match (balance_pending, entries_waiting) {
        (0, 0) => String::new(),
        (0, 1) => "  (1 entry waiting to sync)".into(),
        (0, n) => format!(
            "  ({} entries waiting to sync, together 0 pt)",
            pts(n as i64)
        ),
        (points, _) => format!("  ({} pt waiting to sync)", pts(points)),
    }
}

/// A member card (after an edit or a registration).
pub fn member(m: &MemberView) -> String {
    member_card(m, 0)
}

/// A member card, with how many of the member's points entries wait to be sent.
pub fn member_card(m: &MemberView, entries_waiting: usize) -> String {
    let mut out = String::new();
    let p = &m.profile;
    let _ = writeln!(out, "{}  ({})", p.full_name(), MemberCode::shown(&m.code));
    let _ = writeln!(out, "phone     {}", grouped_phone(&m.phone));
    let _ = writeln!(
        out,
        "balance   {} pt{}",
        pts(m.balance),
        waiting_note(m.balance_pending, entries_waiting)
    );
    let tier_note = if m.tier_system_enabled {
        ""
    } else {
        "  [tier system off]"
    };
    let _ = writeln!(
        out,
        "tier      {} {}{tier_note}  ({} pt accumulated)",
        m.tier.icon.glyph(),
        m.tier.name,
        pts(m.accumulated_points)
    );
    if let Some(next) = m.next_tier.as_ref().filter(|_| m.tier_system_enabled) {
        let _ = writeln!(
            out,
            "next      {} in {} pt",
            next.name,
            pts(m.points_to_next_tier)
        );
    }
    if let Some(b) = p.birthday {
        let _ = writeln!(
            out,
            "birthday  {}",
            taem_core::thai_date::format_thai_short(b)
        );
    }
    if let Some(g) = gender(p.gender) {
        let _ = writeln!(out, "gender    {g}");
    }
    if let Some(e) = &p.email {
        let _ = writeln!(out, "email     {e}");
    }
    if let Some(a) = &p.address {
        let _ = writeln!(out, "address   {a}");
    }
    if !p.tags.is_empty() {
        let _ = writeln!(out, "tags      {}", p.tags.join(", "));
    }
    if let Some(n) = &p.note {
        let _ = writeln!(out, "note      {n}");
    }
    let yes_no = |b: bool| if b { "yes" } else { "no" };
    let _ = writeln!(
        out,
        "consent   PDPA {} · marketing {}",
        yes_no(p.pdpa_consent),
        yes_no(p.marketing_consent)
    );
    if let Some(e) = &m.last_activity {
        let _ = writeln!(out, "last      {} at {}", entry_line(e), e.branch);
    }
    let _ = write!(
        out,
        "member since {} at {}",
        format_bangkok_be(m.registered_at),
        m.branch
    );
    out
}

fn gender(g: Gender) -> Option<&'static str> {
    match g {
        Gender::Unspecified => None,
        Gender::Female => Some("female (หญิง)"),
        Gender::Male => Some("male (ชาย)"),
        Gender::Other => Some("other (อื่น ๆ)"),
    }
}

fn tier_change(c: &TierChangeView) -> String {
    match &c.from {
        None => format!("tier {} ({})", c.to.name, c.reason.label()),
        Some(from) => format!(
            "tier {} → {} ({}, {} pt accumulated)",
            from.name,
            c.to.name,
            c.reason.label(),
            pts(c.accumulated_points)
        ),
    }
}

fn baht(amount: &str) -> String {
    taem_core::Money::parse(amount).map_or_else(|_| amount.to_string(), |m| m.display_thb())
}

/// Why a balance is below 0 after an operation, in the words of that operation. A void takes
/// back what the bill earned even when the member has since redeemed it; nothing else takes
/// a balance below 0 at this counter (a redemption or an adjustment that would is refused),
/// so after any other operation the member owed the points before it.
fn below_zero_note(kind: LedgerKind, balance: i64) -> String {
    const OWED_BEFORE: &str = "a voided bill whose points were already used, or redemptions \
                               at two counters while offline";
    let balance = pts(balance);
    match kind {
        LedgerKind::EarnReversal => format!(
            "note: the balance is below 0 ({balance} pt): the member had already used the points this bill earned; their next earnings make it up, or a manager may adjust"
        ),
        LedgerKind::Adjust => format!(
            "note: the balance is still below 0 ({balance} pt) after this adjustment: the member owed points from before ({OWED_BEFORE}); their next earnings make it up"
        ),
        _ => format!(
            "note: the balance is still below 0 ({balance} pt): the member owed points from before ({OWED_BEFORE}); their next earnings make it up, or a manager may adjust"
        ),
    }
}

/// The line a retried operation starts with.
const REPLAYED: &str = "already recorded (same operation id): nothing new written\n";

/// Member add and edit: the card, after a note when the operation was a retry.
pub fn member_receipt(r: &OperationReceipt) -> String {
    let card = member(&r.member);
    if r.replayed {
        format!("{REPLAYED}{card}")
    } else {
        card
    }
}

/// Award, redeem, void, adjust.
pub fn receipt(r: &AwardReceipt) -> String {
    let mut out = String::new();
    if r.replayed {
        out.push_str(REPLAYED);
    }
    let what = match (&r.bill_no, &r.amount) {
        (Some(bill), Some(amount)) => format!(
            "bill {bill}, {} THB at {}",
            baht(amount),
            r.rate.as_deref().unwrap_or("")
        ),
        (Some(bill), None) => format!("bill {bill} voided"),
        _ => r.kind.label_th().to_string(),
    };
    let reason = r
        .reason
        .as_deref()
        .map(|x| format!(": {x}"))
        .unwrap_or_default();
    let line = format!("{} pt  {what}{reason}", signed_pts(r.points));
    let _ = writeln!(out, "{}", line.trim_end());
    let _ = writeln!(out, "{}", summary_line(&r.member));
    if r.member.balance < 0 {
        let _ = writeln!(out, "{}", below_zero_note(r.kind, r.member.balance));
    }
    if let Some(c) = &r.tier_change {
        let _ = writeln!(out, "{}", tier_change(c));
    }
    let _ = write!(out, "operation {}", r.op_id);
    out
}

/// One points entry on a line: when, what, points, bill, amount, reason.
fn entry_line(e: &LedgerEntryView) -> String {
    let mut parts = Vec::new();
    if let Some(b) = &e.bill_no {
        parts.push(format!("bill {b}"));
    }
    if let Some(a) = &e.amount {
        parts.push(format!("{} THB", baht(a)));
    }
    if let Some(r) = &e.reason {
        parts.push(r.clone());
    }
    if e.kind == LedgerKind::Adjust {
        parts.push(if e.counts_toward_tier {
            "(counts toward tier)".into()
        } else {
            "(not toward tier)".into()
        });
    }
    if !e.confirmed {
        parts.push("(waiting to sync)".into());
    }
    let line = format!(
        "{}  {} {:>8}  {}",
        format_bangkok_be(e.at),
        pad(e.kind.label_th(), 12),
        signed_pts(e.points),
        parts.join("  ")
    );
    line.trim_end().to_string()
}

/// `history`.
pub fn history(items: &[HistoryItem]) -> String {
    if items.is_empty() {
        return "no history yet".into();
    }
    items
        .iter()
        .map(|item| match item {
            HistoryItem::Points(e) => entry_line(e),
            HistoryItem::Tier(c) => format!("{}  {}", format_bangkok_be(c.at), tier_change(c)),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// `rates show`.
pub fn rates(r: &SystemRates) -> String {
    format!(
        "counter    {}\ne-commerce {}\nsms        {}",
        r.counter, r.ecommerce, r.sms
    )
}

/// `tiers show`.
pub fn tiers(s: &ShopSettings, counts: &[TierMembers]) -> String {
    let t = &s.tiers;
    let mut out = format!(
        "tier system {}   period: {}\n",
        if t.enabled { "ON" } else { "OFF" },
        t.period.label()
    );
    for tier in t.tiers() {
        let members = counts
            .iter()
            .find(|c| c.tier_id == tier.id)
            .map_or(0, |c| c.members);
        let rate = match tier.rate_mode {
            RateMode::Custom { rate } => format!("custom {rate}"),
            RateMode::BasedOnSystem => "based on the system".into(),
        };
        let _ = writeln!(
            out,
            "#{:<2} {} {} from {:>8} pt  {} {:>18}",
            tier.id,
            tier.icon.glyph(),
            pad(&tier.name, 16),
            pts(tier.start_points.0),
            pad(&rate, 28),
            counted(members, "member", "members")
        );
    }
    out.push_str(&rates(&s.rates));
    out
}

/// Re-evaluation report.
pub fn reevaluation(r: &ReevaluationReport) -> String {
    let scope = match r.mode {
        taem_replica::ReevaluationMode::Full => "every member",
        taem_replica::ReevaluationMode::Incremental => "members whose window moved",
    };
    let checked = if r.members_checked == 1 {
        "1 member".to_string()
    } else {
        format!("{} members", pts(r.members_checked as i64))
    };
    // Members of a replaced tier moved to its successor at the same level.
    let across = |verb: &str| match r.moved_across {
        0 => String::new(),
        n => format!(
            ", {} {verb} to a tier at the same level",
            counted(n as i64, "member", "members")
        ),
    };
    if !r.saved {
        return format!(
            "tier preview as of {}: {checked} checked, {} would move up, {} would move down{}; preview only, nobody moved",
            taem_core::thai_date::format_be(r.as_of),
            r.upgraded,
            r.downgraded,
            across("would move"),
        );
    }
    format!(
        "tier re-evaluation ({scope}) as of {}: {checked} checked, {} up, {} down{}, {} ms",
        taem_core::thai_date::format_be(r.as_of),
        r.upgraded,
        r.downgraded,
        across("moved"),
        r.elapsed_ms
    )
}

/// `outbox`.
pub fn outbox(ops: &[Operation]) -> String {
    if ops.is_empty() {
        return "nothing waiting to sync".into();
    }
    ops.iter()
        .map(|op| {
            format!(
                "#{:<6} {}  {:<16} {}",
                op.device_seq,
                format_bangkok_be(op.at),
                op.kind.name(),
                op.op_id
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_count_and_its_noun_agree() {
        assert_eq!(counted(1, "member", "members"), "1 member");
        assert_eq!(counted(0, "member", "members"), "0 members");
        assert_eq!(
            counted(12_000, "operation", "operations"),
            "12,000 operations"
        );
    }

    #[test]
    fn thai_text_is_padded_by_columns_not_characters() {
        // กันตพงศ์: 8 characters, 2 of them marks that sit on the letter before.
        assert_eq!(pad("กันตพงศ์", 10).width(), 10);
        assert_eq!(pad("สมชาย", 10).width(), 10);
        assert_eq!(pad("ยกเลิกบิล", 12).width(), 12);
        assert_eq!(pad("longer than the width", 4), "longer than the width");
    }

    #[test]
    fn a_balance_below_zero_is_explained_in_the_words_of_the_operation() {
        let void = below_zero_note(LedgerKind::EarnReversal, -20);
        assert!(void.contains("this bill earned"), "{void}");
        for kind in [LedgerKind::Adjust, LedgerKind::Earn] {
            let note = below_zero_note(kind, -20);
            assert!(!note.contains("bill earned"), "{kind:?}: {note}");
            assert!(note.contains("owed points from before"), "{note}");
        }
        assert!(below_zero_note(LedgerKind::Adjust, -20).contains("after this adjustment"));
    }

    #[test]
    fn waiting_entries_are_told_even_when_their_points_net_to_zero() {
        assert_eq!(waiting_note(0, 0), "");
        assert_eq!(waiting_note(120, 3), "  (120 pt waiting to sync)");
        assert_eq!(
            waiting_note(0, 2),
            "  (2 entries waiting to sync, together 0 pt)"
        );
    }

    #[test]
    fn point_changes_carry_a_sign_and_thousands_separators() {
        assert_eq!(signed_pts(2000), "+2,000");
        assert_eq!(signed_pts(-1250), "-1,250");
        assert_eq!(signed_pts(0), "0");
    }
}
