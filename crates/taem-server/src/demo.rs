//! `taem-server demo`: a demo shop on the server, as a migrating shop would arrive — two
//! branches, an owner, a manager and a cashier, and generated Thai members with a year of bills.
//! The members and bills enter through the same exactly-once push path as every counter's
//! operations (from a "head office import" device), so the server's rules apply to them.

use chrono::{DateTime, Utc};
use serde::Serialize;
use taem_core::{Operation, OperationKind, Points, ShopSettings};
use taem_protocol::{EnrolRequest, Role, SettingsUpdate};
use taem_server::store::{DeviceAuth, Store};
use uuid::Uuid;

/// The demo shop's name.
pub const SHOP_NAME: &str = "ร้านกาแฟแต้มดี";
/// The demo shop's branches (code, name).
pub const BRANCHES: [(&str, &str); 2] = [("BKK01", "สยาม"), ("CNX01", "เชียงใหม่")];
/// The demo staff (name, role, PIN).
pub const STAFF: [(&str, Role, &str); 3] = [
    ("สมชาย", Role::Owner, "1234"),
    ("สมศรี", Role::Manager, "2345"),
    ("มานี", Role::Cashier, "1111"),
];
const BATCH: usize = 1_000;

/// What the demo made.
#[derive(Debug, Serialize)]
pub struct DemoShop {
    /// The shop.
    pub shop_id: Uuid,
    /// One enrolment code per branch (valid 24 hours), for the counters to enrol with.
    pub enrol_codes: Vec<(String, String)>,
    /// Members loaded.
    pub members: u64,
    /// Bills loaded.
    pub bills: u64,
    /// Who can sign in (name, role, PIN).
    pub staff: Vec<(String, String, String)>,
}

/// Creates the demo shop with `members` generated members (seed `seed`, history up to `now`).
pub fn create(
    store: &dyn Store,
    members: u64,
    seed: u64,
    now: DateTime<Utc>,
    mut progress: impl FnMut(u64),
) -> anyhow::Result<DemoShop> {
    let (owner, _, owner_pin) = STAFF[0];
    let created = store.create_shop(SHOP_NAME, BRANCHES[0], (owner, owner_pin), now)?;
    let shop = created.shop_id;
    for (code, name) in &BRANCHES[1..] {
        store.add_branch(shop, code, name)?;
    }
    for (name, role, pin) in &STAFF[1..] {
        store.add_staff(shop, name, *role, pin)?;
    }
    // The import device: enrolled like a counter, so every operation is applied exactly once.
    let loader = store.enrol(
        &EnrolRequest {
            code: created.enrol_code,
            device_name: "head office import (demo)".into(),
        },
        now,
    )?;
    let auth = DeviceAuth {
        shop_id: loader.shop_id,
        device_id: loader.device_id,
        branch: loader.branch,
    };
    // Tiers switched on, so the demo shows them.
    let mut settings = ShopSettings::default_for_new_shop();
    settings.tiers.enabled = true;
    let current = store.settings(shop)?;
    store.update_settings(
        &auth,
        &SettingsUpdate {
            staff: owner.into(),
            pin: owner_pin.into(),
            base_revision: current.revision,
            settings: serde_json::to_value(&settings)?,
        },
        now,
    )?;
    let rate = settings.rates.counter;
    let config = taem_demo::DemoConfig {
        members,
        seed,
        now,
        ..taem_demo::DemoConfig::default()
    };
    let mut seq = 0u64;
    let mut ops = Vec::with_capacity(BATCH + 1_000);
    let mut op = |at: DateTime<Utc>, branch: &str, kind: OperationKind| {
        seq += 1;
        Operation {
            op_id: Uuid::now_v7(),
            device_seq: seq,
            device_id: auth.device_id,
            branch: branch.to_string(),
            at,
            hlc: None,
            kind,
        }
    };
    let (mut loaded, mut bills) = (0u64, 0u64);
    for member in taem_demo::members(&config) {
        let parts = taem_demo::convert::to_parts(member, seed).map_err(anyhow::Error::msg)?;
        let member_id = Uuid::now_v7();
        ops.push(op(
            parts.registered_at,
            &parts.branch,
            OperationKind::RegisterMember {
                member_id,
                code: parts.code,
                phone: parts.phone,
                profile: parts.profile,
                imported: false,
            },
        ));
        for bill in parts.bills {
            let points = rate.points_for(bill.amount);
            if points <= Points::ZERO {
                continue;
            }
            bills += 1;
            ops.push(op(
                bill.at,
                &bill.branch,
                OperationKind::Earn {
                    member_id,
                    bill_no: bill.bill_no,
                    amount: bill.amount,
                    rate,
                    points,
                },
            ));
        }
        loaded += 1;
        if ops.len() >= BATCH {
            push(store, &auth, &mut ops, now)?;
            progress(loaded);
        }
    }
    push(store, &auth, &mut ops, now)?;
    progress(loaded);
    // Place everyone by the year of bills they just received.
    store.reevaluate(Some(shop), taem_core::time::bangkok_date(now), now)?;
    let mut enrol_codes = Vec::new();
    for (code, _) in BRANCHES {
        enrol_codes.push((
            code.to_string(),
            store.create_enrol_code(shop, code, 24, now)?.0,
        ));
    }
    Ok(DemoShop {
        shop_id: shop,
        enrol_codes,
        members: loaded,
        bills,
        staff: STAFF
            .iter()
            .map(|(n, r, p)| (n.to_string(), r.as_str().to_string(), p.to_string()))
            .collect(),
    })
}

fn push(
    store: &dyn Store,
    auth: &DeviceAuth,
    ops: &mut Vec<Operation>,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    if ops.is_empty() {
        return Ok(());
    }
    let answer = store.push(auth, ops, now)?;
    if let Some(refused) = answer
        .outcomes
        .iter()
        .find(|o| matches!(o.status, taem_protocol::OpStatus::Rejected { .. }))
    {
        anyhow::bail!("the demo shop's import was refused: {:?}", refused.status);
    }
    ops.clear();
    Ok(())
}
