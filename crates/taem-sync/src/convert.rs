//! Wire types → the replica's types.

use taem_core::ShopSettings;
use taem_protocol::{
    BootstrapPage, Change, ChangeBody, EntryState, MemberState, SettingsState, StaffState,
};
use taem_replica::sync::{
    BootstrapMember, ReviewItem, ServerChange, ServerEntry, ServerMember, ServerStaff,
};

use crate::{Result, SyncError};

fn member(m: &MemberState) -> ServerMember {
    ServerMember {
        member_id: m.member_id,
        code: m.code.as_str().to_string(),
        phone: m.phone.as_str().to_string(),
        profile: m.profile.clone(),
        branch: m.branch.clone(),
        registered_at: m.registered_at,
        balance: m.balance,
        tier_id: m.tier_id,
        tier_since: m.tier_since,
        hlc: m.hlc,
    }
}

fn entry(e: &EntryState) -> ServerEntry {
    ServerEntry {
        op_id: e.op_id,
        member_id: e.member_id,
        kind: e.kind,
        points: e.points,
        tier_credit: e.tier_credit,
        day: e.day,
        at: e.at,
        bill_no: e.bill_no.clone(),
        amount: e.amount.clone(),
        rate: e.rate.clone(),
        reason: e.reason.clone(),
        counts_toward_tier: e.counts_toward_tier,
        branch: e.branch.clone(),
    }
}

fn staff(s: &StaffState) -> ServerStaff {
    ServerStaff {
        staff_id: s.staff_id,
        name: s.name.clone(),
        role: s.role.as_str().to_string(),
        pin_hash: s.pin_hash.clone(),
        active: s.active,
    }
}

fn settings(s: &SettingsState) -> Result<ShopSettings> {
    serde_json::from_value(s.settings.clone())
        .map_err(|e| SyncError::Protocol(format!("the server's settings: {e}")))
}

/// A page of changes.
pub fn changes(changes: &[Change]) -> Result<Vec<(u64, ServerChange)>> {
    changes
        .iter()
        .map(|c| {
            Ok((
                c.seq,
                match &c.body {
                    ChangeBody::Member(m) => ServerChange::Member(member(m)),
                    ChangeBody::Entry(e) => ServerChange::Entry {
                        entry: entry(e),
                        balance_after: e.balance_after,
                        tier_after: e.tier_after,
                    },
                    ChangeBody::TierChange(t) => ServerChange::TierChange {
                        member_id: t.member_id,
                        from: t.from_tier,
                        to: t.to_tier,
                        reason: t.reason,
                        accumulated: t.accumulated,
                        at: t.at,
                    },
                    ChangeBody::Merge(m) => ServerChange::Merge {
                        from: m.from,
                        into: m.into,
                        from_code: m.from_code.as_ref().map(|c| c.as_str().to_string()),
                    },
                    ChangeBody::Settings(s) => {
                        ServerChange::Settings(settings(s)?, s.branches.clone())
                    }
                    ChangeBody::Staff(s) => ServerChange::Staff(staff(s)),
                    ChangeBody::Review(r) => ServerChange::Review(ReviewItem {
                        review_id: r.review_id as i64,
                        kind: r.kind.clone(),
                        member_id: r.member_id,
                        op_ids: r.op_ids.clone(),
                        message: r.message.clone(),
                        at: r.at,
                    }),
                },
            ))
        })
        .collect()
}

/// A bootstrap page, converted.
pub struct Page {
    /// Settings (first page).
    pub settings: Option<ShopSettings>,
    /// The shop's branch codes (first page; empty from an older server).
    pub branches: Vec<String>,
    /// Staff.
    pub staff: Vec<ServerStaff>,
    /// Members.
    pub members: Vec<BootstrapMember>,
}

/// Converts a bootstrap page.
pub fn bootstrap_page(page: &BootstrapPage) -> Result<Page> {
    Ok(Page {
        settings: page.settings.as_ref().map(settings).transpose()?,
        branches: page
            .settings
            .as_ref()
            .map(|s| s.branches.clone())
            .unwrap_or_default(),
        staff: page.staff.iter().map(staff).collect(),
        members: page
            .members
            .iter()
            .map(|m| BootstrapMember {
                member: member(&m.member),
                recent: m.recent.iter().map(entry).collect(),
                tier_days: m.tier_days.clone(),
            })
            .collect(),
    })
}
