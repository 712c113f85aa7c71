//! # taem-tidy — the codebase checks itself
//!
//! Conventions that can be checked are checked here, under plain `cargo test`, not by
//! reviewers (after rust-analyzer's `xtask/src/tidy.rs`). Each failure names the rule it
//! breaks and where the rule is written down.
//!
//! This crate has no code of its own; it only holds tests.

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, BTreeSet};
    use std::fs;
    use std::path::{Path, PathBuf};

    fn root() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
    }

    fn crates() -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(root().join("crates"))
            .unwrap()
            .filter_map(|e| e.ok())
            .filter(|e| e.path().join("Cargo.toml").exists())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    /// The Taem crates a crate's Cargo.toml depends on (normal dependencies only).
    fn taem_dependencies(krate: &str) -> BTreeSet<String> {
        let manifest =
            fs::read_to_string(root().join("crates").join(krate).join("Cargo.toml")).unwrap();
        let mut section = String::new();
        let mut deps = BTreeSet::new();
        for line in manifest.lines() {
            let line = line.trim();
            if line.starts_with('[') {
                section = line.to_string();
                continue;
            }
            if section == "[dependencies]" && line.starts_with("taem-") {
                let name = line.split(['.', ' ', '=']).next().unwrap_or_default();
                deps.insert(name.to_string());
            }
        }
        deps
    }

    /// The allowed directions, from docs/architecture.md's `deps` block.
    fn documented_dependencies() -> BTreeMap<String, BTreeSet<String>> {
        let doc = fs::read_to_string(root().join("docs/architecture.md"))
            .expect("docs/architecture.md exists");
        let block = doc
            .split("<!-- deps:begin -->")
            .nth(1)
            .and_then(|rest| rest.split("<!-- deps:end -->").next())
            .expect("docs/architecture.md has a <!-- deps:begin --> … <!-- deps:end --> block");
        block
            .lines()
            .filter_map(|line| line.split_once(':'))
            .map(|(name, deps)| {
                (
                    name.trim().to_string(),
                    deps.split_whitespace().map(str::to_string).collect(),
                )
            })
            .collect()
    }

    fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in fs::read_dir(dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                rust_files(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }

    #[test]
    fn every_crate_is_in_the_architecture_doc_with_its_true_dependencies() {
        let documented = documented_dependencies();
        for krate in crates() {
            let allowed = documented.get(&krate).unwrap_or_else(|| {
                panic!("crate {krate} is missing from docs/architecture.md's deps block: describe it there (conventions.md: every crate in docs/architecture.md)")
            });
            let actual = taem_dependencies(&krate);
            assert_eq!(
                &actual, allowed,
                "{krate} depends on {actual:?} but docs/architecture.md allows {allowed:?}: fix the dependency or update the doc (conventions.md: dependencies point one way)"
            );
        }
    }

    #[test]
    fn taem_core_stays_pure() {
        let manifest = fs::read_to_string(root().join("crates/taem-core/Cargo.toml")).unwrap();
        for io_crate in [
            "rusqlite",
            "tokio",
            "reqwest",
            "axum",
            "rand",
            "tauri",
            "sqlx",
            "chrono-tz",
        ] {
            assert!(
                !manifest
                    .lines()
                    .any(|l| l.trim_start().starts_with(io_crate)),
                "taem-core must not depend on {io_crate} (architecture invariant: core does no IO, reads no clock, draws no randomness)"
            );
        }
        let mut files = Vec::new();
        rust_files(&root().join("crates/taem-core/src"), &mut files);
        for file in files {
            let text = fs::read_to_string(&file).unwrap();
            for banned in [
                "std::fs",
                "std::net",
                "Utc::now",
                "SystemTime::now",
                "Instant::now",
                "Local::now",
                "now_v7",
                "new_v4",
            ] {
                assert!(
                    !text.contains(banned),
                    "{} uses {banned}: taem-core is pure — time and randomness are parameters (docs/architecture.md)",
                    file.display()
                );
            }
        }
    }

    #[test]
    fn no_ignored_or_should_panic_tests_and_no_stubs() {
        let mut files = Vec::new();
        rust_files(&root().join("crates"), &mut files);
        let this = Path::new(file!()).file_name().unwrap().to_owned();
        for file in files {
            if file.file_name() == Some(this.as_os_str()) {
                continue;
            }
            let text = fs::read_to_string(&file).unwrap();
            for banned in ["#[ignore", "#[should_panic", "todo!(", "unimplemented!("] {
                assert!(
                    !text.contains(banned),
                    "{} contains {banned}: no ignored tests, no should_panic (assert on the error instead), no stubs (conventions.md)",
                    file.display()
                );
            }
        }
    }

    #[test]
    fn every_library_crate_has_a_crate_doc() {
        for krate in crates() {
            let lib = root().join("crates").join(&krate).join("src/lib.rs");
            let main = root().join("crates").join(&krate).join("src/main.rs");
            let entry = if lib.exists() { lib } else { main };
            let text = fs::read_to_string(&entry).unwrap();
            assert!(
                text.trim_start().starts_with("//!"),
                "{} has no crate-level doc: say what the crate owns and what it must not do (conventions.md)",
                entry.display()
            );
        }
    }
}
