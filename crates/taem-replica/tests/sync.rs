//! The replica's side of sync, without a server: the server's answers and changes applied
//! to a real replica file, each rule checked on its own.

mod common;

use chrono::Utc;
use common::{add, award, key, replica};
use taem_core::{Hlc, LedgerKind, MemberProfile};
use taem_replica::sync::{
    BootstrapMember, Enrolment, PushAnswer, ServerChange, ServerEntry, ServerMember,
};
use taem_replica::{Replica, ReplicaError};
use uuid::Uuid;

fn enrolled(dir: &std::path::Path) -> Replica {
    enrolled_with_clock(dir).0
}

/// An enrolled replica and the clock it reads.
fn enrolled_with_clock(
    dir: &std::path::Path,
) -> (Replica, std::sync::Arc<taem_replica::FixedEnvironment>) {
    let (mut r, env) = replica(dir);
    r.enrol(Enrolment {
        server_url: "http://127.0.0.1:9".into(),
        shop_id: Uuid::now_v7(),
        shop_name: "ร้าน".into(),
        branch: "BKK01".into(),
        device_id: Uuid::now_v7(),
        token: "t".into(),
    })
    .unwrap();
    (r, env)
}

fn server_member(id: Uuid, phone: &str, balance: i64) -> ServerMember {
    ServerMember {
        member_id: id,
        code: taem_core::MemberCode::from_bits(id.as_u128() as u64 & ((1 << 50) - 1))
            .as_str()
            .into(),
        phone: phone.into(),
        profile: MemberProfile {
            first_name: "สมหญิง".into(),
            ..MemberProfile::default()
        },
        branch: "BKK02".into(),
        registered_at: Utc::now(),
        balance,
        tier_id: 1,
        tier_since: Utc::now(),
        hlc: Hlc::default(),
    }
}

fn entry(op: Uuid, member: Uuid, points: i64, bill: &str) -> ServerEntry {
    ServerEntry {
        op_id: op,
        member_id: member,
        kind: LedgerKind::Earn,
        points,
        tier_credit: points,
        day: 20_000,
        at: Utc::now(),
        bill_no: Some(bill.into()),
        amount: Some("100.00".into()),
        rate: None,
        reason: None,
        counts_toward_tier: false,
        branch: "BKK02".into(),
    }
}

#[test]
fn only_an_empty_replica_can_be_enrolled_and_then_settings_belong_to_the_server() {
    let dir = tempfile::tempdir().unwrap();
    let (mut local, _) = replica(dir.path());
    add(&mut local, "0811111111", "เดิม", "");
    let err = local
        .enrol(Enrolment {
            server_url: "http://x".into(),
            shop_id: Uuid::now_v7(),
            shop_name: "x".into(),
            branch: "X".into(),
            device_id: Uuid::now_v7(),
            token: "t".into(),
        })
        .unwrap_err();
    assert!(
        matches!(err, ReplicaError::NotEmptyForEnrolment { .. }),
        "{err}"
    );

    let dir = tempfile::tempdir().unwrap();
    let mut r = enrolled(dir.path());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let file = dir.path().join(taem_replica::REPLICA_FILE_NAME);
        let mode = std::fs::metadata(file).unwrap().permissions().mode();
        assert_eq!(
            mode & 0o077,
            0,
            "the device token is readable by others: {mode:o}"
        );
    }
    let err = r.set_rates(taem_core::SystemRates::default()).unwrap_err();
    assert!(
        matches!(err, ReplicaError::SettingsOwnedByServer { .. }),
        "{err}"
    );
    assert_eq!(
        r.status().unwrap().device_id,
        r.sync_identity().unwrap().unwrap().device_id
    );
}

#[test]
fn a_bootstrap_page_applied_twice_counts_once() {
    let dir = tempfile::tempdir().unwrap();
    let mut r = enrolled(dir.path());
    let id = Uuid::now_v7();
    let page = vec![BootstrapMember {
        member: server_member(id, "0822222222", 40),
        recent: vec![entry(Uuid::now_v7(), id, 40, "B1")],
        tier_days: vec![(20_000, 40)],
    }];
    for _ in 0..2 {
        r.apply_bootstrap_page(7, None, &[], &page, Some(id), false)
            .unwrap();
    }
    r.apply_bootstrap_page(7, None, &[], &[], None, true)
        .unwrap();
    let m = r.member(&key("0822222222")).unwrap();
    assert_eq!((m.balance, m.balance_pending), (40, 0));
    assert_eq!(r.status().unwrap().ledger_entries, 1);
    assert_eq!(r.pull_cursor().unwrap(), 7);
    assert_eq!(r.bootstrap_position().unwrap(), None, "complete");
    assert_eq!(
        r.tier_credit_backlog().unwrap(),
        0,
        "the server's entries came with their buckets: nothing for a fold to go through"
    );
}

#[test]
fn an_own_operation_moves_from_pending_to_confirmed_without_changing_the_balance() {
    // The sale's tier credit waits for a fold: confirmed before it or after.
    for fold_first in [false, true] {
        own_operation_confirmed(fold_first);
    }
}

fn own_operation_confirmed(fold_first: bool) {
    let dir = tempfile::tempdir().unwrap();
    let mut r = enrolled(dir.path());
    add(&mut r, "0811111111", "สมชาย", "");
    let receipt = award(&mut r, "0811111111", "B1", "1000");
    if fold_first {
        assert_eq!(r.fold_tier_credit(u64::MAX).unwrap(), 1, "the sale's entry");
    }
    let member = r.member(&key("0811111111")).unwrap();
    assert_eq!((member.balance_confirmed, member.balance_pending), (0, 40));
    let ops = r.outbox_batch(10).unwrap();
    r.apply_push(
        &ops.iter()
            .map(|o| PushAnswer {
                op_id: o.op_id,
                rejected: None,
            })
            .collect::<Vec<_>>(),
        ops.len() as u64,
    )
    .unwrap();
    assert_eq!(
        r.sync_status().unwrap().waiting,
        0,
        "acknowledged rows leave the outbox"
    );
    let mut sm = server_member(member.member_id, "0811111111", 0);
    sm.code = member.code.clone();
    r.apply_changes(
        &[
            (2, ServerChange::Member(sm)),
            (
                3,
                ServerChange::Entry {
                    entry: entry(receipt.op_id, member.member_id, 40, "B1"),
                    balance_after: 40,
                    tier_after: 1,
                },
            ),
        ],
        3,
    )
    .unwrap();
    // The same page applied again by a second sync of this replica changes nothing, and an
    // older entry's balance never overwrites a newer one.
    r.apply_changes(
        &[(
            3,
            ServerChange::Entry {
                entry: entry(receipt.op_id, member.member_id, 40, "B1"),
                balance_after: 7,
                tier_after: 1,
            },
        )],
        3,
    )
    .unwrap();
    let after = r.member(&key("0811111111")).unwrap();
    assert_eq!((after.balance_confirmed, after.balance_pending), (40, 0));
    assert_eq!(
        r.tier_credit_backlog().unwrap(),
        0,
        "applying changes folds"
    );
    // The server's figures replaced the sale's, in the buckets or in the entry waiting for
    // the fold: its day (20,000: 4 Oct 2024) lies outside the 12-month window.
    assert_eq!(after.accumulated_points, 0);
    common::assert_balances_match_ledger(r.path());
    r.fold_tier_credit(u64::MAX).unwrap();
    let buckets: Vec<(i64, i64)> = rusqlite::Connection::open(r.path())
        .unwrap()
        .prepare("SELECT day, points FROM tier_points_daily WHERE points <> 0")
        .unwrap()
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    assert_eq!(buckets, vec![(20_000, 40)]);
    assert_eq!(
        r.status().unwrap().ledger_entries,
        1,
        "no second row for the same operation"
    );
    // The next sale continues the device sequence after the acknowledged ones.
    award(&mut r, "0811111111", "B2", "100");
    assert_eq!(
        r.outbox_batch(10).unwrap()[0].device_seq,
        ops.len() as u64 + 1
    );
}

#[test]
fn a_rejected_operation_leaves_the_pending_state_and_is_kept_for_review() {
    // The sale's tier credit waits for a fold: rejected before it or after.
    for fold_first in [false, true] {
        own_operation_rejected(fold_first);
    }
}

fn own_operation_rejected(fold_first: bool) {
    let dir = tempfile::tempdir().unwrap();
    let mut r = enrolled(dir.path());
    add(&mut r, "0811111111", "สมชาย", "");
    award(&mut r, "0811111111", "B1", "1000");
    if fold_first {
        r.fold_tier_credit(u64::MAX).unwrap();
    }
    let ops = r.outbox_batch(10).unwrap();
    let earn = ops.last().unwrap().op_id;
    r.apply_push(
        &[PushAnswer {
            op_id: earn,
            rejected: Some((
                "bill_already_earned".into(),
                "bill B1 earned at BKK02".into(),
            )),
        }],
        ops.len() as u64,
    )
    .unwrap();
    let m = r.member(&key("0811111111")).unwrap();
    assert_eq!(
        (m.balance, m.balance_pending),
        (0, 0),
        "the rejected points are taken back"
    );
    let rejections = r.rejections().unwrap();
    assert_eq!(rejections.len(), 1);
    assert_eq!(rejections[0].code, "bill_already_earned");
    assert_eq!(
        (rejections[0].kind.as_str(), rejections[0].member_id),
        ("earn", Some(m.member_id))
    );
    // Kept as it was pushed: the outbox row had no copy of it (schema v10), so it was rebuilt
    // from its ledger entry before that entry was taken back.
    let body: String = rusqlite::Connection::open(r.path())
        .unwrap()
        .query_row("SELECT body FROM rejections", [], |row| row.get(0))
        .unwrap();
    assert_eq!(
        serde_json::from_str::<taem_core::Operation>(&body).unwrap(),
        *ops.last().unwrap()
    );
    assert_eq!(r.sync_status().unwrap().rejected, 1);
    assert_eq!(m.accumulated_points, 0, "nor do they count toward a tier");
    // The bill is free again on this counter (the server's copy of it arrives by pull).
    common::assert_balances_match_ledger(&dir.path().join(taem_replica::REPLICA_FILE_NAME));
    // The next sale takes the deleted entry's row id: it counts all the same (the fold's
    // watermark went down with the deletion).
    award(&mut r, "0811111111", "B2", "250");
    let m = r.member(&key("0811111111")).unwrap();
    assert_eq!((m.balance, m.accumulated_points), (10, 10));
    common::assert_balances_match_ledger(r.path());
}

#[test]
fn a_member_registered_here_offline_folds_into_the_servers_member_with_the_same_phone() {
    let dir = tempfile::tempdir().unwrap();
    let mut r = enrolled(dir.path());
    add(&mut r, "0899999999", "มานี", "");
    award(&mut r, "0899999999", "L1", "500");
    let local = r.member(&key("0899999999")).unwrap();
    let other = Uuid::now_v7();
    r.apply_changes(
        &[
            (
                8,
                ServerChange::Member(server_member(other, "0899999999", 100)),
            ),
            (
                9,
                ServerChange::Merge {
                    from: local.member_id,
                    into: other,
                    from_code: Some(local.code.clone()),
                },
            ),
        ],
        9,
    )
    .unwrap();
    let found = r.find("0899999999", 10).unwrap();
    assert_eq!(found.members.len(), 1, "one member");
    let m = r.member(&key("0899999999")).unwrap();
    assert_eq!(m.member_id, other);
    assert_eq!(
        (m.balance_confirmed, m.balance_pending),
        (100, 20),
        "the local ledger moved along"
    );
    assert!(!r.history(&key("0899999999"), 50).unwrap().is_empty());
    // The card printed with the folded registration's code still finds the member.
    let by_card = r.find(&local.code, 10).unwrap();
    assert_eq!(by_card.members.len(), 1);
    assert_eq!(by_card.members[0].member_id, other);
}

fn reopen(dir: &std::path::Path) -> Replica {
    Replica::open(
        dir,
        taem_replica::OpenMode::ReadWrite,
        std::sync::Arc::new(taem_replica::SystemEnvironment),
    )
    .unwrap()
}

fn schema_of(path: &std::path::Path) -> Vec<(String, String, Option<String>)> {
    let conn = rusqlite::Connection::open(path).unwrap();
    let mut s = conn
        .prepare("SELECT type, name, sql FROM sqlite_master ORDER BY type, name")
        .unwrap();
    s.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

#[test]
fn bootstrap_bulk_mode_leaves_the_schema_as_migrations_make_it() {
    let dir = tempfile::tempdir().unwrap();
    let fresh = tempfile::tempdir().unwrap();
    let expected = {
        drop(enrolled(fresh.path()));
        schema_of(&fresh.path().join(taem_replica::REPLICA_FILE_NAME))
    };
    let mut r = enrolled(dir.path());
    let ids: Vec<Uuid> = (0..3).map(|_| Uuid::now_v7()).collect();
    let page = |i: usize| BootstrapMember {
        member: {
            let mut m = server_member(ids[i], &format!("08{i}1234567"), 10);
            m.profile.last_name = format!("นามสกุล{i}");
            m
        },
        recent: vec![],
        tier_days: vec![],
    };
    // Interrupted after the first page: the counter is reopened, then the snapshot completes.
    r.apply_bootstrap_page(5, None, &[], &[page(0), page(1)], Some(ids[1]), false)
        .unwrap();
    drop(r);
    let mut r = reopen(dir.path());
    assert_eq!(r.bootstrap_position().unwrap(), Some(Some(ids[1])));
    r.apply_bootstrap_page(5, None, &[], &[page(2)], None, true)
        .unwrap();
    assert_eq!(r.bootstrap_position().unwrap(), None);
    drop(r);
    assert_eq!(
        schema_of(&dir.path().join(taem_replica::REPLICA_FILE_NAME)),
        expected,
        "the bulk load left the schema different from a migrated replica's"
    );
    let r = reopen(dir.path());
    for (i, id) in ids.iter().enumerate() {
        let by_name = r.find(&format!("นามสกุล{i}"), 10).unwrap();
        assert_eq!(by_name.members.len(), 1, "name index rebuilt: {i}");
        assert_eq!(by_name.members[0].member_id, *id);
    }
    let by_last4 = r.find("4567", 10).unwrap();
    assert_eq!(by_last4.members.len(), 3);
}

/// Acknowledges everything in the outbox, as a push the server accepted whole.
fn ack_all(r: &mut Replica) {
    let ops = r.outbox_batch(1_000).unwrap();
    let answers: Vec<PushAnswer> = ops
        .iter()
        .map(|o| PushAnswer {
            op_id: o.op_id,
            rejected: None,
        })
        .collect();
    r.apply_push(&answers, ops.last().map_or(0, |o| o.device_seq))
        .unwrap();
    assert_eq!(r.sync_status().unwrap().waiting, 0);
}

#[test]
fn a_registration_or_edit_retried_after_the_server_acknowledged_it_is_recognised() {
    use taem_core::{Phone, ProfileChange};
    use taem_replica::NewMember;
    let dir = tempfile::tempdir().unwrap();
    let (mut r, env) = enrolled_with_clock(dir.path());
    let (register, edit) = (Uuid::now_v7(), Uuid::now_v7());
    let new_member = || NewMember {
        phone: Phone::parse("0822222222").unwrap(),
        profile: MemberProfile {
            first_name: "มานี".into(),
            ..MemberProfile::default()
        },
        op_id: Some(register),
    };
    let changes = vec![ProfileChange::LastName("ใจดี".into())];
    let first = r.register_member(new_member()).unwrap();
    r.edit_member(&key("0822222222"), changes.clone(), Some(edit))
        .unwrap();
    // The counter syncs and the outbox lets both go; the POS never saw the answers.
    ack_all(&mut r);
    let again = r.register_member(new_member()).unwrap();
    assert!(again.replayed, "registered twice");
    assert_eq!(again.member.member_id, first.member.member_id);
    let edited = r
        .edit_member(&key("0822222222"), changes.clone(), Some(edit))
        .unwrap();
    assert!(edited.replayed, "edited twice");
    assert_eq!(r.sync_status().unwrap().waiting, 0, "nothing new to send");
    assert_eq!(r.status().unwrap().members, 1);
    // The same id for something else is still refused.
    let err = r
        .edit_member(&key("0822222222"), changes.clone(), Some(register))
        .unwrap_err();
    assert!(
        matches!(err, ReplicaError::OperationIdReused { .. }),
        "{err}"
    );
    // Kept 30 days: a month later the copy is gone (pruned at the next acknowledgement), and
    // a late retry is refused as a taken phone, still never a second member.
    const { assert!(taem_replica::ACKED_OPS_KEEP_DAYS < 40) };
    env.set_now(common::at(2027, 1, 2, 3)); // 40 days after the registration
    add(&mut r, "0833333333", "ปิติ", "");
    ack_all(&mut r);
    let late = r.register_member(new_member()).unwrap_err();
    assert!(matches!(late, ReplicaError::PhoneTaken { .. }), "{late}");
    assert_eq!(r.status().unwrap().members, 2);
}

#[test]
fn a_retry_after_the_server_acknowledged_the_operation_is_still_applied_once() {
    use taem_replica::{AdjustRequest, AwardRequest, RedeemRequest, VoidRequest};
    let dir = tempfile::tempdir().unwrap();
    let mut r = enrolled(dir.path());
    add(&mut r, "0811111111", "สมชาย", "");
    let (earn, redeem, adjust, void) = (
        Uuid::now_v7(),
        Uuid::now_v7(),
        Uuid::now_v7(),
        Uuid::now_v7(),
    );
    let award_req = || AwardRequest {
        member: key("0811111111"),
        bill_no: "B1".into(),
        amount: taem_core::Money::parse("1000").unwrap(),
        op_id: Some(earn),
    };
    let redeem_req = || RedeemRequest {
        member: key("0811111111"),
        points: taem_core::Points(15),
        reward: "กาแฟ".into(),
        op_id: Some(redeem),
    };
    let adjust_req = || AdjustRequest {
        member: key("0811111111"),
        points: taem_core::Points(5),
        reason: "ชดเชย".into(),
        counts_toward_tier: false,
        op_id: Some(adjust),
    };
    let first = [
        r.award(award_req()).unwrap(),
        r.redeem(redeem_req()).unwrap(),
        r.adjust(adjust_req()).unwrap(),
    ];
    let balance = r.member(&key("0811111111")).unwrap().balance;
    assert_eq!(balance, 40 - 15 + 5);
    // The counter syncs; the outbox rows are gone. The POS, which never saw the answers
    // (its connection dropped), sends the same operations again.
    ack_all(&mut r);
    let again = [
        r.award(award_req()).unwrap(),
        r.redeem(redeem_req()).unwrap(),
        r.adjust(adjust_req()).unwrap(),
    ];
    for (a, b) in first.iter().zip(&again) {
        assert!(b.replayed, "{:?} applied twice", b.kind);
        assert_eq!((a.op_id, a.points), (b.op_id, b.points));
    }
    let void_req = || VoidRequest {
        bill_no: "B1".into(),
        reason: "ลูกค้าคืนของ".into(),
        op_id: Some(void),
    };
    r.void_bill(void_req()).unwrap();
    ack_all(&mut r);
    assert!(r.void_bill(void_req()).unwrap().replayed);
    let m = r.member(&key("0811111111")).unwrap();
    assert_eq!(m.balance, 40 - 15 + 5 - 40, "each operation counted once");
    assert_eq!(r.status().unwrap().ledger_entries, 4);
    assert_eq!(r.sync_status().unwrap().waiting, 0, "nothing new to send");
    // The same id for a different operation is still refused, after the sync as before it.
    let err = r
        .redeem(RedeemRequest {
            op_id: Some(earn),
            ..redeem_req()
        })
        .unwrap_err();
    assert!(
        matches!(err, ReplicaError::OperationIdReused { .. }),
        "{err}"
    );
    common::assert_balances_match_ledger(&dir.path().join(taem_replica::REPLICA_FILE_NAME));
}

/// A sale leaves no operation-id index entry behind (v8): its pending entry is found through
/// its outbox row, then through `acked_entries`, then, once confirmed, by operation id. At
/// each stage a confirmation counts once and a retry is recognised.
#[test]
fn a_sale_is_found_by_its_operation_id_before_and_after_acknowledgement_and_confirmation() {
    use taem_replica::AwardRequest;
    let dir = tempfile::tempdir().unwrap();
    let mut r = enrolled(dir.path());
    add(&mut r, "0811111111", "สมชาย", "");
    let member = r.member(&key("0811111111")).unwrap();
    let (acked_first, answer_lost) = (Uuid::now_v7(), Uuid::now_v7());
    let sale = |op_id, bill: &str| AwardRequest {
        member: key("0811111111"),
        bill_no: bill.into(),
        amount: taem_core::Money::parse("1000").unwrap(),
        op_id: Some(op_id),
    };
    let confirm = |r: &mut Replica, seq: u64, op_id, bill: &str, balance_after| {
        r.apply_changes(
            &[(
                seq,
                ServerChange::Entry {
                    entry: entry(op_id, member.member_id, 40, bill),
                    balance_after,
                    tier_after: 1,
                },
            )],
            seq,
        )
        .unwrap();
    };
    let mut sm = server_member(member.member_id, "0811111111", 0);
    sm.code = member.code.clone();
    r.apply_changes(&[(1, ServerChange::Member(sm))], 1)
        .unwrap();

    // 1. Sold, acknowledged (the outbox row goes), retried, then confirmed.
    r.award(sale(acked_first, "B1")).unwrap();
    ack_all(&mut r);
    assert!(r.award(sale(acked_first, "B1")).unwrap().replayed);
    confirm(&mut r, 2, acked_first, "B1", 40);
    let m = r.member(&key("0811111111")).unwrap();
    assert_eq!((m.balance_confirmed, m.balance_pending), (40, 0));
    assert!(r.award(sale(acked_first, "B1")).unwrap().replayed);
    // The same confirmation again, under a later change number: nothing more.
    confirm(&mut r, 3, acked_first, "B1", 40);
    assert_eq!(r.status().unwrap().ledger_entries, 1);

    // 2. Sold, the server applied it but its answer was lost: the confirmation arrives while
    // the outbox row is still here; the acknowledgement comes at the next sync.
    r.award(sale(answer_lost, "B2")).unwrap();
    confirm(&mut r, 4, answer_lost, "B2", 80);
    let m = r.member(&key("0811111111")).unwrap();
    assert_eq!((m.balance_confirmed, m.balance_pending), (80, 0));
    assert!(r.award(sale(answer_lost, "B2")).unwrap().replayed);
    ack_all(&mut r);
    assert!(r.award(sale(answer_lost, "B2")).unwrap().replayed);
    let err = r.award(sale(answer_lost, "B3")).unwrap_err();
    assert!(
        matches!(err, ReplicaError::OperationIdReused { .. }),
        "{err}"
    );
    assert_eq!(r.status().unwrap().ledger_entries, 2);
    assert_eq!(r.member(&key("0811111111")).unwrap().balance, 80);
    assert_eq!(r.sync_status().unwrap().waiting, 0);
    let conn =
        rusqlite::Connection::open(dir.path().join(taem_replica::REPLICA_FILE_NAME)).unwrap();
    let left: i64 = conn
        .query_row("SELECT COUNT(*) FROM acked_entries", [], |r| r.get(0))
        .unwrap();
    assert_eq!(left, 0, "confirmed entries leave acked_entries");
    common::assert_balances_match_ledger(&dir.path().join(taem_replica::REPLICA_FILE_NAME));
}
