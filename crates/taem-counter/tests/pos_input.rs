//! A POS feeding lines to `batch` and `member find --stdin`: every answer names its line,
//! blank lines and a byte order mark are skipped, refused lines make the exit code say so.

mod common;

use serde_json::Value;

use common::{counter_with_input, ok_json, shop, stderr, stdout};

fn answers(out: &std::process::Output) -> Vec<Value> {
    stdout(out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn every_batch_answer_carries_its_line_and_a_refused_line_makes_the_exit_code_3() {
    let dir = shop();
    let input = "\u{feff}{\"op\":\"award\",\"member\":\"0812345678\",\"amount\":250,\"bill\":\"B-1\"}\n\
                 \n\
                 {\"op\":\"award\",\"member\":\"0812345678\",\"amount\":true,\"bill\":\"B-2\"}\n\
                 {\"op\":\"redeem\",\"member\":\"0812345678\",\"points\":5,\"reward\":\"x\"}\n\
                 {\"op\":\"adjust\",\"member\":\"0812345678\",\"points\":\"-1\",\"reason\":\"x\"}\n";
    let out = counter_with_input(dir.path(), &["batch"], input.as_bytes());
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let answers = answers(&out);
    let lines: Vec<i64> = answers
        .iter()
        .map(|a| a["line"].as_i64().unwrap())
        .collect();
    assert_eq!(
        lines,
        vec![1, 3, 4, 5],
        "the blank line 2 is skipped, not renumbered"
    );
    assert_eq!(
        answers[0]["points"], 10,
        "the BOM did not spoil line 1; 250 as a number"
    );
    assert_eq!(answers[1]["error"]["code"], "bad_amount");
    assert_eq!(
        answers[1]["error"]["message"],
        r#"line 3: "amount" must be a number of baht like 250 or "250.50""#
    );
    assert_eq!(answers[2]["member"]["balance"], 5);
    assert_eq!(answers[3]["member"]["balance"], 4);
    assert!(stderr(&out).contains("line 3"), "{}", stderr(&out));
}

#[test]
fn a_batch_without_refusals_exits_0() {
    let dir = shop();
    let input = r#"{"op":"award","member":"0812345678","amount":"1,250.50","bill":"B-1"}
{"op":"show","member":"0812345678"}
"#;
    let out = counter_with_input(dir.path(), &["batch"], input.as_bytes());
    assert!(out.status.success(), "{}", stderr(&out));
    let answers = answers(&out);
    assert_eq!(answers[1]["line"], 2);
    assert_eq!(answers[1]["balance"], 50);
}

#[test]
fn find_from_stdin_numbers_its_answers_like_batch() {
    let dir = shop();
    let out = counter_with_input(
        dir.path(),
        &["--json", "member", "find", "--stdin"],
        "\u{feff}5678\n\n12\nใจดี\n".as_bytes(),
    );
    assert_eq!(out.status.code(), Some(3));
    let answers = answers(&out);
    assert_eq!(answers.len(), 3);
    assert_eq!(answers[0]["line"], 1);
    assert_eq!(
        answers[0]["kind"], "phone_suffix",
        "the BOM is not part of the query"
    );
    assert_eq!(answers[1]["line"], 3);
    assert_eq!(answers[1]["error"]["code"], "query_too_short");
    assert_eq!(answers[2]["line"], 4);
    let err: Value = serde_json::from_slice(&out.stderr).unwrap();
    assert_eq!(err["error"]["code"], "lines_failed");
    assert_eq!(ok_json(dir.path(), &["status"])["members"], 1);
}
