//! The replica's errors: one variant per thing a cashier, manager or script can act on.

use std::path::PathBuf;

use taem_core::{
    MemberCodeError, MoneyError, PhoneError, PointsError, ProfileError, TierSettingsError,
};
use uuid::Uuid;

/// A number of points as people read it: `12,500`.
fn grouped(points: i64) -> String {
    taem_core::Points(points).display_grouped()
}

/// Everything that can go wrong in the replica. Every operation that fails changes nothing.
#[derive(Debug, thiserror::Error)]
pub enum ReplicaError {
    /// No replica was created in the data directory yet.
    #[error(
        "no Taem replica in {dir}: create one with `taem-counter --data-dir {dir} init --shop \"SHOP NAME\" --branch CODE` (or `taem-counter --data-dir {dir} demo` for a demo shop)"
    )]
    NotInitialised {
        /// The data directory.
        dir: PathBuf,
    },
    /// `init` on a directory that already holds a replica.
    #[error("{path} already holds a Taem replica; use it as it is, or choose another --data-dir")]
    AlreadyInitialised {
        /// The replica file.
        path: PathBuf,
    },
    /// Another program holds the write lock for longer than we wait.
    #[error(
        "the replica {path} is locked by another program (waited {waited_ms} ms): close the other taem-counter or Taem window using it and try again"
    )]
    Locked {
        /// The replica file.
        path: PathBuf,
        /// How long we waited.
        waited_ms: u64,
    },
    /// The file or its directory cannot be written.
    #[error(
        "the replica {path} is read-only: give this user write permission on it, on its -wal and -shm files when they are there, and on its folder (e.g. `chmod u+w {path} {path}-wal {path}-shm`), or use a writable --data-dir (on a read-only disk or backup: copy the replica with its -wal and -shm files to a writable folder and use that)"
    )]
    ReadOnly {
        /// The replica file.
        path: PathBuf,
    },
    /// Not an SQLite database at all.
    #[error(
        "{path} is not a Taem replica (not an SQLite database, or damaged beyond reading): restore it from a backup (delete its -wal and -shm files first: left beside a restored file they are applied to it and damage it) or move it away and create a new replica"
    )]
    NotADatabase {
        /// The file.
        path: PathBuf,
    },
    /// An SQLite database that is not Taem's.
    #[error(
        "{path} is an SQLite database of another program, not a Taem replica: choose another --data-dir"
    )]
    ForeignDatabase {
        /// The file.
        path: PathBuf,
    },
    /// Damaged pages inside the database.
    #[error(
        "the replica {path} is damaged ({detail}): nothing was changed; run `taem-counter check`, then restore from a backup (delete the replica's -wal and -shm files first: left beside a restored file they are applied to it and damage it) or re-create the replica"
    )]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// SQLite's description.
        detail: String,
    },
    /// Written by a newer Taem.
    #[error(
        "the replica {path} was written by a newer Taem (schema version {found}; this program knows up to {supported}): update taem-counter / the Taem app"
    )]
    NewerSchema {
        /// The file.
        path: PathBuf,
        /// The file's schema version.
        found: i64,
        /// The newest this program knows.
        supported: i64,
    },
    /// File-system trouble.
    #[error("cannot use {path}: {source}")]
    Io {
        /// The path.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// No member matches.
    #[error(
        "no member with {query}: check the number or code, or search by name with `taem-counter member find`"
    )]
    UnknownMember {
        /// What was looked up.
        query: String,
    },
    /// What was typed is neither a phone nor a member code.
    #[error(
        "`{input}` is neither a Thai mobile number nor a member code: give the member's phone (e.g. 081-234-5678) or card code (e.g. 7K3QD-9XW2S-P)"
    )]
    NotAMemberReference {
        /// What was typed.
        input: String,
    },
    /// A branch code that cannot be one.
    #[error(
        "`{branch}` is not a branch code: use the shop's code for the branch, 1 to 16 letters, digits, - or _, e.g. BKK01"
    )]
    BadBranch {
        /// What was given (trimmed, upper case).
        branch: String,
    },
    /// The phone belongs to another member.
    #[error(
        "phone {phone} already belongs to member {code} ({name}): look that member up instead of registering again"
    )]
    PhoneTaken {
        /// The phone.
        phone: String,
        /// The existing member's code.
        code: String,
        /// The existing member's name.
        name: String,
    },
    /// A bill number that already earned points.
    #[error(
        "bill {bill_no} already earned {} points for member {code} on {when}: a bill earns once; check the bill number",
        grouped(*.points)
    )]
    BillAlreadyEarned {
        /// The bill.
        bill_no: String,
        /// Who it earned for.
        code: String,
        /// Points it earned.
        points: i64,
        /// When (Bangkok time).
        when: String,
    },
    /// A bill number that earned, was voided, and is given again (to award the purchase to
    /// another member, say). The number stays spent: the server and every counter know that
    /// bill as earned once and voided once.
    #[error(
        "bill {bill_no} earned {} points for member {code} on {when} and was voided on {voided}: a bill number earns once, even after a void; award this purchase under a new bill number, e.g. {bill_no}-1",
        grouped(*.points)
    )]
    BillEarnedThenVoided {
        /// The bill.
        bill_no: String,
        /// Who it earned for.
        code: String,
        /// Points it earned.
        points: i64,
        /// When it earned (Bangkok time).
        when: String,
        /// When it was voided (Bangkok time).
        voided: String,
    },
    /// Voiding a bill that never earned here.
    #[error(
        "bill {bill_no} has no points to void: no earning with that bill number is known to this counter; check the number"
    )]
    BillNotFound {
        /// The bill.
        bill_no: String,
    },
    /// Voiding twice.
    #[error("bill {bill_no} was already voided on {when}: its points were taken back once")]
    BillAlreadyVoided {
        /// The bill.
        bill_no: String,
        /// When (Bangkok time).
        when: String,
    },
    /// An empty or too long bill number.
    #[error(
        "bill number `{bill_no}` is not usable: type the receipt number (1 to 64 Thai or Latin letters, digits, - / _ . #)"
    )]
    BadBillNumber {
        /// What was typed.
        bill_no: String,
    },
    /// Redeeming more than the member has.
    #[error(
        "member {code} has {} points; {} cannot be redeemed: choose a smaller reward",
        grouped(*.balance),
        grouped(*.requested)
    )]
    InsufficientPoints {
        /// The member.
        code: String,
        /// Balance the counter sees.
        balance: i64,
        /// What was asked for.
        requested: i64,
    },
    /// An adjustment that would take the balance below zero.
    #[error(
        "member {code} has {} points; adjusting by {} would leave {}: an adjustment cannot take a balance below 0",
        grouped(*.balance),
        grouped(*.points),
        grouped(*.after)
    )]
    AdjustBelowZero {
        /// The member.
        code: String,
        /// Balance now.
        balance: i64,
        /// The adjustment.
        points: i64,
        /// The balance it would leave.
        after: i64,
    },
    /// The purchase is too small to earn anything.
    #[error("{amount} baht earns no points at {rate}: nothing recorded")]
    NothingToEarn {
        /// The amount.
        amount: String,
        /// The rate.
        rate: String,
    },
    /// A required reason is missing.
    #[error("a reason is required for {what}: say why, e.g. \"{example}\"")]
    ReasonRequired {
        /// The action.
        what: &'static str,
        /// A reason of the kind wanted.
        example: &'static str,
    },
    /// A reason longer than the receipt and the history can show.
    #[error("the reason for {what} has {chars} characters; at most {max} are kept: shorten it")]
    ReasonTooLong {
        /// The action.
        what: &'static str,
        /// How long it was.
        chars: usize,
        /// The limit.
        max: usize,
    },
    /// An operation id seen before with different content.
    #[error(
        "operation id {op_id} was already used for a different {kind}: every operation needs its own id; retry with the original request or a new id"
    )]
    OperationIdReused {
        /// The id.
        op_id: Uuid,
        /// The kind it was used for.
        kind: String,
    },
    /// A search too short to answer usefully.
    #[error(
        "`{query}` is too short to search: type a full phone number, its last 4 or more digits, a member code, or part of a name"
    )]
    QueryTooShort {
        /// What was typed.
        query: String,
    },
    /// The edit changes nothing.
    #[error("nothing to change: give at least one field to edit")]
    NothingToChange,
    /// Bad phone.
    #[error(transparent)]
    Phone(#[from] PhoneError),
    /// Bad member code.
    #[error(transparent)]
    MemberCode(#[from] MemberCodeError),
    /// Bad amount.
    #[error(transparent)]
    Money(#[from] MoneyError),
    /// Bad points.
    #[error(transparent)]
    Points(#[from] PointsError),
    /// Bad profile.
    #[error(transparent)]
    Profile(#[from] ProfileError),
    /// Bad tier settings.
    #[error(transparent)]
    TierSettings(#[from] TierSettingsError),
    /// Enrolling a replica that is already a counter of a server.
    #[error(
        "this replica is already enrolled with {server_url}: a counter belongs to one shop; use another --data-dir to enrol a new counter"
    )]
    AlreadyEnrolled {
        /// The server it is enrolled with.
        server_url: String,
    },
    /// Enrolling a replica that already holds a local shop.
    #[error(
        "{path} already holds {members} members of a local shop; a counter's data comes from the server, so enrol into a new, empty --data-dir"
    )]
    NotEmptyForEnrolment {
        /// The replica file.
        path: PathBuf,
        /// Members it holds.
        members: u64,
    },
    /// Settings changed on an enrolled counter.
    #[error(
        "the shop's settings are owned by the head office on the server {server_url}: an owner changes them there (`taem-counter settings push` with the owner's PIN, while online)"
    )]
    SettingsOwnedByServer {
        /// The server.
        server_url: String,
    },
    /// No staff member of that name on this counter.
    #[error(
        "no staff member named \"{name}\" on this counter: check the spelling, or sync once so staff added on the server reach it"
    )]
    UnknownStaff {
        /// The name typed.
        name: String,
    },
    /// A wrong PIN.
    #[error("wrong PIN for {name}: {attempts_left} attempts left before sign-in is locked")]
    WrongPin {
        /// The staff member.
        name: String,
        /// Tries left.
        attempts_left: u32,
    },
    /// Too many wrong PINs.
    #[error(
        "sign-in for {name} is locked after too many wrong PINs; try again after {until} (Bangkok time) or ask a manager"
    )]
    SignInLocked {
        /// The staff member.
        name: String,
        /// When it unlocks, shown in Bangkok time.
        until: String,
    },
    /// A stored value that should be valid is not: a bug or tampering.
    #[error("the replica holds an invalid value ({what}); run `taem-counter check`")]
    Invariant {
        /// What was wrong.
        what: String,
    },
    /// A `-wal` or `-shm` file left without its replica (the replica was moved away).
    #[error(
        "{file} is left from a replica that is no longer beside it: move it away with that replica (e.g. `mv {file} {file}.old`), then create the new replica; left there, it would be applied to the new file and damage it"
    )]
    OrphanWal {
        /// The file.
        file: PathBuf,
    },
    /// The disk (or the file system's quota) is full: the operation was not recorded.
    #[error(
        "the disk holding the replica {path} is full: nothing was recorded. Free some space on that disk (e.g. delete old downloads or backups), then do it again; everything recorded before is safe"
    )]
    DiskFull {
        /// The replica file.
        path: PathBuf,
    },
    /// Any other SQLite failure.
    #[error("database error: {0}")]
    Sqlite(rusqlite::Error),
}

impl ReplicaError {
    /// A stable code for scripts and the UI to branch on (never branch on message text).
    pub fn code(&self) -> &'static str {
        match self {
            ReplicaError::NotInitialised { .. } => "not_initialised",
            ReplicaError::AlreadyInitialised { .. } => "already_initialised",
            ReplicaError::Locked { .. } => "locked",
            ReplicaError::ReadOnly { .. } => "read_only",
            ReplicaError::NotADatabase { .. } => "not_a_database",
            ReplicaError::ForeignDatabase { .. } => "foreign_database",
            ReplicaError::Corrupt { .. } => "corrupt",
            ReplicaError::NewerSchema { .. } => "newer_schema",
            ReplicaError::Io { .. } => "io",
            ReplicaError::UnknownMember { .. } => "unknown_member",
            ReplicaError::NotAMemberReference { .. } => "not_a_member_reference",
            ReplicaError::PhoneTaken { .. } => "phone_taken",
            ReplicaError::BillAlreadyEarned { .. } | ReplicaError::BillEarnedThenVoided { .. } => {
                "bill_already_earned"
            }
            ReplicaError::BillNotFound { .. } => "bill_not_found",
            ReplicaError::BillAlreadyVoided { .. } => "bill_already_voided",
            ReplicaError::BadBillNumber { .. } => "bad_bill_number",
            ReplicaError::InsufficientPoints { .. } => "insufficient_points",
            ReplicaError::AdjustBelowZero { .. } => "adjust_below_zero",
            ReplicaError::NothingToEarn { .. } => "nothing_to_earn",
            ReplicaError::ReasonRequired { .. } => "reason_required",
            ReplicaError::ReasonTooLong { .. } => "reason_too_long",
            ReplicaError::OperationIdReused { .. } => "operation_id_reused",
            ReplicaError::QueryTooShort { .. } => "query_too_short",
            ReplicaError::NothingToChange => "nothing_to_change",
            ReplicaError::Phone(_) => "bad_phone",
            ReplicaError::MemberCode(_) => "bad_member_code",
            ReplicaError::BadBranch { .. } => "bad_branch",
            ReplicaError::Money(_) => "bad_amount",
            ReplicaError::Points(_) => "bad_points",
            ReplicaError::Profile(_) => "bad_profile",
            ReplicaError::TierSettings(_) => "bad_tier_settings",
            ReplicaError::Invariant { .. } => "invariant",
            ReplicaError::AlreadyEnrolled { .. } => "already_enrolled",
            ReplicaError::NotEmptyForEnrolment { .. } => "not_empty_for_enrolment",
            ReplicaError::SettingsOwnedByServer { .. } => "settings_owned_by_server",
            ReplicaError::UnknownStaff { .. } => "unknown_staff",
            ReplicaError::WrongPin { .. } => "wrong_pin",
            ReplicaError::SignInLocked { .. } => "sign_in_locked",
            ReplicaError::DiskFull { .. } => "disk_full",
            ReplicaError::OrphanWal { .. } => "orphan_wal",
            ReplicaError::Sqlite(_) => "database",
        }
    }
}

/// Turns an SQLite error into the replica error a person can act on.
impl ReplicaError {
    /// Whether SQLite refused a write for a duplicate key of a unique index (the failed
    /// statement changed nothing).
    pub(crate) fn is_unique_violation(&self) -> bool {
        matches!(self, ReplicaError::Sqlite(rusqlite::Error::SqliteFailure(f, _))
            if f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE)
    }
}

pub(crate) fn classify(
    err: rusqlite::Error,
    path: &std::path::Path,
    waited_ms: u64,
) -> ReplicaError {
    use rusqlite::ffi::ErrorCode;
    let path = path.to_path_buf();
    match err.sqlite_error_code() {
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => {
            ReplicaError::Locked { path, waited_ms }
        }
        Some(ErrorCode::ReadOnly | ErrorCode::CannotOpen) => ReplicaError::ReadOnly { path },
        Some(ErrorCode::NotADatabase) => ReplicaError::NotADatabase { path },
        Some(ErrorCode::DiskFull) => ReplicaError::DiskFull { path },
        Some(ErrorCode::DatabaseCorrupt) => ReplicaError::Corrupt {
            path,
            detail: err.to_string(),
        },
        _ => ReplicaError::Sqlite(err),
    }
}

#[cfg(test)]
mod classify_tests {
    use super::*;

    #[test]
    fn a_full_disk_is_named_with_its_own_code_and_what_to_do() {
        let full = rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_FULL),
            Some("database or disk is full".into()),
        );
        let e = classify(full, std::path::Path::new("/d/replica.taem.sqlite3"), 0);
        assert_eq!(e.code(), "disk_full");
        let message = e.to_string();
        assert!(
            message.contains("/d/replica.taem.sqlite3") && message.contains("Free some space"),
            "{message}"
        );
    }
}
