//! The oversize guard: what the reader on the other side sees for a given stream, and the
//! top-level id scan against serde_json's reading of the same message.

use expect_test::{Expect, expect};
use proptest::prelude::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::{Guarded, TopLevel};

/// Writes `pieces` (in that many writes) through a guard with a cap of `cap` bytes and shows
/// what comes out, line by line.
fn check(cap: usize, pieces: &[&str], expect: Expect) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let out = runtime.block_on(async {
        let (mut writer, reader) = tokio::io::duplex(7);
        let pieces: Vec<String> = pieces.iter().map(|p| p.to_string()).collect();
        let feed = tokio::spawn(async move {
            for piece in pieces {
                writer.write_all(piece.as_bytes()).await.unwrap();
            }
        });
        let mut guarded = Guarded::new(reader, cap, "test");
        let mut out = String::new();
        guarded.read_to_string(&mut out).await.unwrap();
        feed.await.unwrap();
        out
    });
    expect.assert_eq(&out);
}

#[test]
fn lines_within_the_cap_pass_untouched() {
    check(
        20,
        &[
            "{\"id\":1,\"result\":{}}\n",
            "{\"a\":\n",
            "\n",
            "12345678901234567890\n",
        ],
        expect![[r#"
            {"id":1,"result":{}}
            {"a":

            12345678901234567890
        "#]],
    );
}

#[test]
fn an_oversized_answer_becomes_an_error_for_its_id_wherever_the_id_is() {
    check(
        16,
        &[
            "{\"result\":{\"text\":\"0123456789abcdef\\\"}\"},\"jsonrpc\":\"2.0\",\"id\": 7 }\n",
            "{\"id\":\"a\\\"b\",\"result\":[1,2,3,4,5,6,7,8,9]}\n",
            "{\"id\":2}\n",
        ],
        expect![[r#"
            {"result":{"text
            {"jsonrpc":"2.0","id":7,"error":{"code":-32099,"message":"codemode: the answer was larger than the limit for one message"}}
            {"id":"a\"b","re
            {"jsonrpc":"2.0","id":"a\"b","error":{"code":-32099,"message":"codemode: the answer was larger than the limit for one message"}}
            {"id":2}
        "#]],
    );
}

#[test]
fn an_oversized_request_or_notification_is_only_dropped() {
    check(
        16,
        &[
            "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"sampling/createMessage\",\"params\":{}}\n",
            "{\"method\":\"notifications/message\",\"params\":{\"data\":\"xxxxxxxxxxxx\"}}\n",
            "{\"nested\":{\"id\":4},\"result\":\"xxxxxxxxxxxx\"}\n",
            "{\"id\":{\"not\":\"an id\"},\"result\":\"xxxxxxxxxxxx\"}\n",
            "ok\n",
        ],
        expect![[r#"
            {"jsonrpc":"2.0"
            {"method":"notif
            {"nested":{"id":
            {"id":{"not":"an
            ok
        "#]],
    );
}

#[test]
fn an_unfinished_oversized_line_at_the_end_produces_nothing_more() {
    check(
        8,
        &["{\"id\":1,\"result\":", "\"xxxxxxxxxxxxxxxx"],
        expect![[r#"
            {"id":1,
        "#]],
    );
}

fn message() -> impl Strategy<Value = (serde_json::Value, String)> {
    let id = prop_oneof![
        any::<i64>().prop_map(serde_json::Value::from),
        "[a-z\"\\\\{}\\[\\],: \u{e9}]{0,12}".prop_map(serde_json::Value::from),
    ];
    let filler = prop::collection::vec(
        prop_oneof![
            "[a-z\"\\\\{}\\[\\],: ]{0,20}".prop_map(serde_json::Value::from),
            any::<f64>().prop_map(serde_json::Value::from),
            Just(serde_json::json!({"id": 99, "method": "x", "list": [1, {"id": "inner"}]})),
        ],
        0..6,
    );
    (id, filler, 0usize..3).prop_map(|(id, filler, at)| {
        let mut fields: Vec<(String, serde_json::Value)> = filler
            .into_iter()
            .enumerate()
            .map(|(i, v)| (format!("k{i}"), v))
            .collect();
        fields.insert(at.min(fields.len()), ("id".to_string(), id.clone()));
        fields.push(("jsonrpc".to_string(), "2.0".into()));
        let text =
            serde_json::to_string_pretty(&serde_json::Value::Object(fields.into_iter().collect()))
                .unwrap();
        (id, text)
    })
}

proptest! {
    /// Whatever the key order, spacing, nesting and escapes, and however the text is split,
    /// the scan finds the id serde_json finds.
    #[test]
    fn the_scan_finds_the_id_serde_json_finds((id, text) in message(), split in 0usize..64) {
        let mut scan = TopLevel::default();
        let bytes = text.as_bytes();
        let split = split.min(bytes.len());
        scan.feed(&bytes[..split]);
        scan.feed(&bytes[split..]);
        prop_assert_eq!(scan.answered(), Some(id));
    }
}

/// A `tools/call` answer whose structured content is `value`.
fn answer(value: &str) -> String {
    format!(
        "{{\"jsonrpc\":\"2.0\",\"id\":7,\"result\":{{\"content\":[],\"structuredContent\":{{\"v\":{value}}}}}}}"
    )
}

#[test]
fn what_the_scan_calls_unreadable_is_what_rmcp_cannot_read() {
    let nested = |n: usize| answer(&format!("{}1{}", "[".repeat(n), "]".repeat(n)));
    let mut texts: Vec<String> = (110..140).map(nested).collect();
    for number in [
        "1",
        "-0",
        "0.5",
        "1e308",
        "1.7e308",
        "1e309",
        "-1e309",
        "1e400",
        "1E+400",
        "0.001e310",
        "0.001e300",
        "1e-400",
        "123e-5",
        "0",
        "0e999999999",
        "10000000000000000000000000000",
    ] {
        texts.push(answer(number));
    }
    texts.push(answer(&format!("1{}", "0".repeat(400))));
    texts.push(answer(&format!("0.{}1", "0".repeat(400))));
    texts.push(answer("[true, false, null, \"1e999\"]"));
    for text in texts {
        let mut scan = TopLevel::default();
        scan.feed(text.as_bytes());
        let read = serde_json::from_str::<rmcp::model::ServerJsonRpcMessage>(&text).is_ok();
        assert_eq!(
            scan.unreadable().is_none(),
            read,
            "{}: scan says {:?}",
            text.chars().take(120).collect::<String>(),
            scan.unreadable()
        );
        assert_eq!(scan.answered(), Some(serde_json::json!(7)));
    }
}

#[test]
fn an_unreadable_answer_is_followed_by_an_error_for_its_call() {
    let deep = format!(
        "{{\"jsonrpc\":\"2.0\",\"id\":3,\"result\":{}{}}}\n",
        "[".repeat(200),
        "]".repeat(200)
    );
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let out = runtime.block_on(async {
        let mut guarded = Guarded::new(deep.as_bytes(), 1 << 20, "test");
        let mut out = String::new();
        guarded.read_to_string(&mut out).await.unwrap();
        out
    });
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(
        lines[0],
        deep.trim_end(),
        "the line itself passes untouched"
    );
    let error: serde_json::Value = serde_json::from_str(lines[1]).unwrap();
    assert_eq!(error["id"], 3);
    assert_eq!(
        error["error"]["message"],
        "codemode: the answer cannot be read: it nests more than 127 levels deep, more than a JSON reader takes"
    );
}
