//! Generated members as the replica bulk-loads them (feature `replica`): the one conversion
//! `taem-counter demo` and the benchmarks share.

use std::path::Path;
use std::sync::Arc;

use taem_replica::{
    BulkBill, BulkMember, BulkProgress, Environment, OpenMode, REPLICA_FILE_NAME, Replica,
    ReplicaError,
};

use crate::{DemoConfig, DemoMember};

/// Generates the shop of `config` and bulk-loads it into `replica` as confirmed history,
/// reporting progress after each batch. Stops at the first member that does not convert.
pub fn load_demo_shop(
    replica: &mut Replica,
    config: &DemoConfig,
    progress: impl FnMut(BulkProgress),
) -> Result<BulkProgress, ReplicaError> {
    let mut failure = None;
    let members = crate::members(config).map_while(|m| match to_bulk(m, config.seed) {
        Ok(member) => Some(member),
        Err(e) => {
            failure = Some(e);
            None
        }
    });
    // Keep the WAL short while loading (a page read searches the frames not yet copied into
    // the file, so a load that let the WAL grow slowed down as it went).
    replica.checkpoint_in_background()?;
    let done = replica.load_confirmed(members, progress)?;
    match failure {
        Some(e) => Err(e),
        None => Ok(done),
    }
}

/// The staff of a demo shop (name, role, PIN): sign in as any of them.
pub const DEMO_STAFF: [(&str, &str, &str); 3] = [
    ("สมชาย", "owner", "1234"),
    ("สมศรี", "manager", "2345"),
    ("มานี", "cashier", "1111"),
];

/// The folder, inside the data folder, where a demo replica is built before it moves into place.
pub const STAGING_DIR: &str = ".taem-demo-staging";

/// Creates a demo replica in `dir`: the shop of `config` with its tier system switched on and
/// the [`DEMO_STAFF`]. It is built in a staging folder and moved into place only when complete,
/// so an interrupted demo never leaves a half-loaded replica. Fails if `dir` holds a replica.
pub fn create_demo_replica(
    dir: &Path,
    shop_name: &str,
    config: &DemoConfig,
    env: Arc<dyn Environment>,
    progress: impl FnMut(BulkProgress),
) -> Result<BulkProgress, ReplicaError> {
    let target = dir.join(REPLICA_FILE_NAME);
    if target.exists() {
        return Err(ReplicaError::AlreadyInitialised { path: target });
    }
    let staging = dir.join(STAGING_DIR);
    let _ = std::fs::remove_dir_all(&staging);
    let home = crate::branches()
        .first()
        .map_or("BKK01".to_string(), |b| b.code.clone());
    let mut replica = Replica::create(&staging, shop_name, &home, env.clone())?;
    let mut tiers = replica.settings()?.tiers;
    tiers.enabled = true;
    replica.set_tier_settings(tiers)?;
    for (name, role, pin) in DEMO_STAFF {
        replica.add_local_staff(name, role, pin)?;
    }
    let done = load_demo_shop(&mut replica, config, progress)?;
    replica.checkpoint()?;
    drop(replica);
    std::fs::rename(staging.join(REPLICA_FILE_NAME), &target).map_err(|source| {
        ReplicaError::Io {
            path: target.clone(),
            source,
        }
    })?;
    let _ = std::fs::remove_dir_all(&staging);
    // Opening once checks the moved file.
    Replica::open(dir, OpenMode::ReadOnly, env)?;
    Ok(done)
}

/// Turns a generated member into a loadable one (see [`crate::convert::to_parts`]).
pub fn to_bulk(m: DemoMember, seed: u64) -> Result<BulkMember, ReplicaError> {
    let parts =
        crate::convert::to_parts(m, seed).map_err(|what| ReplicaError::Invariant { what })?;
    Ok(BulkMember {
        phone: parts.phone,
        code: parts.code,
        profile: parts.profile,
        branch: parts.branch,
        registered_at: parts.registered_at,
        bills: parts
            .bills
            .into_iter()
            .map(|b| BulkBill {
                bill_no: b.bill_no,
                amount: b.amount,
                at: b.at,
                branch: b.branch,
            })
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{DemoConfig, member};

    #[test]
    fn generated_members_convert_and_codes_follow_the_seed() {
        let config = DemoConfig::default();
        for i in 0..200 {
            let a = to_bulk(member(&config, i), 1).unwrap();
            let b = to_bulk(member(&config, i), 1).unwrap();
            assert_eq!(a.code, b.code);
            assert_eq!(a.bills.len(), member(&config, i).bills.len());
        }
        let other_seed = to_bulk(member(&config, 0), 2).unwrap();
        assert_ne!(
            other_seed.code,
            to_bulk(member(&config, 0), 1).unwrap().code
        );
    }
}
