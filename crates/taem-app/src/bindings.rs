//! The TypeScript declarations of every type the window sends or receives, generated from the
//! Rust types (ts-rs) into `ui/src/lib/bindings.ts`. A test fails when that file is stale;
//! `TAEM_BLESS=1 cargo test -p taem-app bindings` rewrites it.

use ts_rs::{Config, TS};

/// Where the generated file lives, relative to the workspace root.
pub const BINDINGS_PATH: &str = "ui/src/lib/bindings.ts";

macro_rules! declarations {
    ($cfg:expr; $($ty:ty),+ $(,)?) => {
        vec![$(<$ty as TS>::decl($cfg)),+]
    };
}

/// The whole generated file.
pub fn typescript() -> String {
    // 64-bit integers travel as JSON numbers (serde_json writes them so); points and counts
    // stay far below 2^53.
    let cfg = Config::new().with_large_int("number");
    let decls = declarations![&cfg;
        crate::AppError, crate::AppState, crate::Phase, crate::UpgradeView, crate::Language,
        crate::StatusBar,
        crate::Progress, crate::ProgressStage, crate::AwardPreview, crate::MemberForm,
        crate::PendingOperation, crate::Message, crate::SettingsView, crate::SearchAnswer,
        crate::ImportChoices, crate::ImportProblem, crate::ImportView, crate::SavedFile,
        taem_replica::StaffSession, taem_replica::SearchKind,
        taem_replica::MemberSummary, taem_replica::MemberView, taem_replica::TierView,
        taem_replica::HistoryItem, taem_replica::LedgerEntryView, taem_replica::TierChangeView,
        taem_replica::AwardReceipt, taem_replica::OperationReceipt,
        taem_replica::TierOverview, taem_replica::TierCount, taem_replica::TierCandidate,
        taem_replica::DropCandidate, taem_replica::sync::ReviewItem, taem_replica::sync::Rejection,
        taem_replica::ShopSettings, taem_core::SystemRates, taem_core::PointRate,
        taem_core::TierSettings, taem_core::Tier, taem_core::RetiredTier, taem_core::RateMode,
        taem_core::CalculationPeriod, taem_core::TierIcon, taem_core::TierChangeReason,
        taem_core::LedgerKind, taem_core::MemberProfile, taem_core::Gender, taem_core::Money,
        taem_core::Points,
    ];
    let mut out = String::from(
        "// Generated from the Rust types by `taem-app` (ts-rs). Do not edit by hand:\n\
         // regenerate with `TAEM_BLESS=1 cargo test -p taem-app bindings`.\n",
    );
    for decl in decls {
        out.push('\n');
        out.push_str("export ");
        out.push_str(decl.trim());
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;

    #[test]
    fn bindings_file_is_current() {
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../..")
            .join(BINDINGS_PATH);
        let wanted = typescript();
        if std::env::var("TAEM_BLESS").is_ok_and(|v| v == "1") {
            std::fs::write(&path, &wanted).expect("write the bindings");
            return;
        }
        let found = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            found == wanted,
            "{} is stale: the Rust types changed. Regenerate it with \
             `TAEM_BLESS=1 cargo test -p taem-app bindings` and commit it.",
            path.display()
        );
    }

    #[test]
    fn no_bigint_reaches_the_window() {
        // serde_json sends numbers, never BigInt: a `bigint` here would be a lie.
        assert!(!typescript().contains("bigint"));
    }
}
