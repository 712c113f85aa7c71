//! Member look-up as a cashier types: phones in any form, last digits, codes, Thai and Latin
//! name substrings.

mod common;

use common::*;
use taem_core::MemberCode;
use taem_replica::{ReplicaError, SearchKind};

fn shop(dir: &std::path::Path) -> taem_replica::Replica {
    let (mut r, _) = replica(dir);
    add(&mut r, "081-234-5678", "สมชาย", "ใจดี");
    add(&mut r, "089-876-5678", "สมหญิง", "รักชาติ");
    add(&mut r, "062-222-3333", "John", "Smith");
    add(&mut r, "091-111-2222", "ณัฐวุฒิ", "สมชายกุล");
    add(&mut r, "095-555-0000", "สม", "ศรี");
    r
}

#[test]
fn a_phone_in_any_written_form_finds_the_member() {
    let dir = tempfile::tempdir().unwrap();
    let r = shop(dir.path());
    for form in [
        "0812345678",
        "081-234-5678",
        "+66 81 234 5678",
        "66812345678",
        "๐๘๑-๒๓๔-๕๖๗๘",
        // Excel and some POS keep a phone as a number, without its leading 0.
        "812345678",
    ] {
        let found = r.find(form, 20).unwrap();
        assert_eq!(found.kind, SearchKind::Phone, "{form}");
        assert_eq!(found.members.len(), 1, "{form}");
        assert_eq!(found.members[0].name, "สมชาย ใจดี");
    }
    assert!(r.find("0800000000", 20).unwrap().members.is_empty());
    for form in ["812345678", "๘๑๒๓๔๕๖๗๘"] {
        let key = taem_replica::MemberKey::parse(form).unwrap();
        assert_eq!(r.member(&key).unwrap().phone, "0812345678", "{form}");
    }
    // Nine digits starting with 0 are a number with a digit missing, and say so.
    assert!(matches!(
        r.find("081234567", 20),
        Err(ReplicaError::Phone(_))
    ));
}

#[test]
fn last_four_or_more_digits_find_every_match() {
    let dir = tempfile::tempdir().unwrap();
    let r = shop(dir.path());
    let four = r.find("5678", 20).unwrap();
    assert_eq!(four.kind, SearchKind::PhoneSuffix);
    assert_eq!(four.members.len(), 2);
    let six = r.find("345678", 20).unwrap();
    assert_eq!(six.members.len(), 1);
    assert_eq!(six.members[0].phone, "0812345678");
    assert!(matches!(
        r.find("567", 20),
        Err(ReplicaError::QueryTooShort { .. })
    ));
    assert!(matches!(
        r.find("  ", 20),
        Err(ReplicaError::QueryTooShort { .. })
    ));
}

#[test]
fn a_scanned_or_typed_member_code_finds_the_member_and_typos_are_flagged() {
    let dir = tempfile::tempdir().unwrap();
    let r = shop(dir.path());
    let code = r.find("0812345678", 1).unwrap().members[0].code.clone();
    let grouped = MemberCode::parse(&code).unwrap().display_grouped();
    for form in [code.clone(), grouped.clone(), grouped.to_lowercase()] {
        let found = r.find(&form, 20).unwrap();
        assert_eq!(found.kind, SearchKind::MemberCode, "{form}");
        assert_eq!(found.members[0].phone, "0812345678");
    }
    // One mistyped character: the check character catches it.
    let mut typo: Vec<char> = code.chars().collect();
    typo[3] = if typo[3] == 'A' { 'B' } else { 'A' };
    let typo: String = typo.into_iter().collect();
    let found = r.find(&typo, 20).unwrap();
    assert!(found.members.is_empty());
    assert!(found.hint.unwrap().contains("mistyped"));
}

#[test]
fn thai_name_substrings_match_anywhere_ranked_by_how_well() {
    let dir = tempfile::tempdir().unwrap();
    let r = shop(dir.path());
    let found = r.find("สมชาย", 20).unwrap();
    assert_eq!(found.kind, SearchKind::Name);
    let names: Vec<&str> = found.members.iter().map(|m| m.name.as_str()).collect();
    assert_eq!(
        names,
        vec!["สมชาย ใจดี", "ณัฐวุฒิ สมชายกุล"],
        "prefix match first"
    );
    // A substring inside a word (Thai has no spaces between words).
    assert_eq!(r.find("ชาติ", 20).unwrap().members[0].name, "สมหญิง รักชาติ");
    assert_eq!(r.find("รักชา", 20).unwrap().members.len(), 1);
    // First and last name together, in either order.
    assert_eq!(r.find("ใจดี สมชาย", 20).unwrap().members.len(), 1);
    // And typed as one word, as Thai is written.
    let together = r.find("สมชายใจดี", 20).unwrap();
    assert_eq!(
        together
            .members
            .iter()
            .map(|m| m.name.as_str())
            .collect::<Vec<_>>(),
        vec!["สมชาย ใจดี"]
    );
    assert_eq!(
        r.find("หญิงรักชา", 20).unwrap().members[0].name,
        "สมหญิง รักชาติ"
    );
    assert_eq!(
        r.find("johnsmith", 20).unwrap().members[0].name,
        "John Smith"
    );
    assert!(r.find("สมชายรักชาติ", 20).unwrap().members.is_empty());
}

#[test]
fn latin_names_match_without_regard_to_case_and_short_names_by_prefix() {
    let dir = tempfile::tempdir().unwrap();
    let r = shop(dir.path());
    assert_eq!(r.find("smi", 20).unwrap().members[0].name, "John Smith");
    assert_eq!(r.find("JOHN", 20).unwrap().members.len(), 1);
    let short = r.find("สม", 20).unwrap();
    assert_eq!(short.kind, SearchKind::NamePrefix);
    assert_eq!(short.members.len(), 3, "first names starting with สม");
    // One or two Latin letters find the name however they are typed.
    for typed in ["Jo", "jo", "JO", "jO", "j", "J"] {
        let found = r.find(typed, 20).unwrap();
        assert_eq!(found.kind, SearchKind::NamePrefix, "{typed}");
        assert_eq!(
            found
                .members
                .iter()
                .map(|m| m.name.as_str())
                .collect::<Vec<_>>(),
            vec!["John Smith"],
            "{typed}"
        );
    }
}

#[test]
fn results_are_limited() {
    let dir = tempfile::tempdir().unwrap();
    let (mut r, _) = replica(dir.path());
    for i in 0..30 {
        add(
            &mut r,
            &format!("081{i:03}9999"),
            "สมศักดิ์",
            &format!("ทดสอบ{i}"),
        );
    }
    assert_eq!(r.find("สมศักดิ์", 20).unwrap().members.len(), 20);
    assert_eq!(r.find("สมศักดิ์", 5).unwrap().members.len(), 5);
    assert_eq!(r.find("9999", 7).unwrap().members.len(), 7);
}

#[test]
fn a_bad_phone_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let r = shop(dir.path());
    let err = r.find("021234567", 20).unwrap_err();
    assert!(matches!(err, ReplicaError::Phone(_)), "{err}");
    let err = r.find("08123456789", 20).unwrap_err();
    assert!(err.to_string().contains("10 digits"), "{err}");
}
