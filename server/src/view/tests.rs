//! The renderer over report fixtures: each `check` renders a report (given as the JSON
//! `codemode run --json` prints, defaults filled in) every way `view` can, against a
//! snapshot (`UPDATE_EXPECT=1 cargo test -p codemode --lib view` refreshes them).

use expect_test::{Expect, expect};
use serde_json::{Value, json};

use super::*;

fn report(fields: Value) -> RunReport {
    let mut value = json!({
        "ok": true, "result": null, "logs": [], "toolCalls": [], "error": null,
        "diagnostics": [], "checkMs": 5, "durationMs": 42, "droppedOutputBytes": 0,
    });
    for (key, field) in fields.as_object().unwrap() {
        value[key] = field.clone();
    }
    serde_json::from_value(value).unwrap()
}

fn check(fields: Value, expect: Expect) {
    let report = report(fields);
    let mut out = String::new();
    let console = console(&report);
    if !console.is_empty() {
        out.push_str(&format!("console:\n{console}"));
    }
    out.push_str(&format!("summary: {}\n", summary(&report, Place::Output)));
    out.push_str(&format!("answer: {}\n", summary(&report, Place::Answer)));
    out.push_str(&format!("headline: {}\n", headline(&report)));
    if let Some(error) = error_line(&report, "x.mcp.ts") {
        out.push_str(&format!("error: {error}\n"));
    }
    for note in line_notes(&report) {
        out.push_str(&format!(
            "note {}{}: {}\n",
            note.line,
            if note.error { " (error)" } else { "" },
            note.text
        ));
        if note.details.len() > 1 {
            for detail in &note.details {
                out.push_str(&format!("  - {detail}\n"));
            }
        }
    }
    out.push_str("lines:\n");
    for line in editor_lines(&report, "x.mcp.ts") {
        out.push_str(&format!("  {line}\n"));
    }
    expect.assert_eq(&out);
}

#[test]
fn each_line_gets_its_logs_and_tool_calls_in_line_order() {
    check(
        json!({
            "logs": [
                {"level": "log", "text": "found 3", "line": 4},
                {"level": "warn", "text": "slow", "line": 2},
                {"level": "log", "text": "no line"},
            ],
            "toolCalls": [
                {"server": "memory", "tool": "read_graph", "ok": true, "ms": 12, "bytes": 100, "line": 2},
                {"server": "memory", "tool": "read_graph", "ok": false, "ms": 3, "bytes": 0, "line": 2},
            ],
        }),
        expect![[r#"
            console:
            found 3
            warning: slow
            no line
            summary: 2 tool calls (memory.read_graph ×2), 1 failed · 42 ms · 100 B of tool results kept out of this output
            answer: 2 tool calls (memory.read_graph ×2), 1 failed · 42 ms · 100 B of tool results kept out of this answer
            headline: ✓ 2 tool calls · 42 ms
            note 1: warn: slow · memory.read_graph 12 ms · memory.read_graph 3 ms ✗
              - warn: slow
              - memory.read_graph 12 ms
              - memory.read_graph 3 ms ✗
            note 3: found 3
            lines:
              [log] x.mcp.ts:4  found 3
              [warn] x.mcp.ts:2  slow
              [log] x.mcp.ts  no line
              ✓ 2 tool calls · 42 ms · memory.read_graph ×2 · 100 B of tool results kept out of the output
        "#]],
    );
}

#[test]
fn repeated_entries_collapse_with_a_count_and_many_are_counted() {
    check(
        json!({
            "logs": [
                {"level": "log", "text": "a", "line": 1}, {"level": "log", "text": "a", "line": 1},
                {"level": "log", "text": "b", "line": 1}, {"level": "log", "text": "a", "line": 1},
                {"level": "log", "text": "1", "line": 2}, {"level": "log", "text": "2", "line": 2},
                {"level": "log", "text": "3", "line": 2}, {"level": "log", "text": "4", "line": 2},
                {"level": "log", "text": "5", "line": 2}, {"level": "log", "text": "6", "line": 2},
            ],
        }),
        expect![[r#"
            console:
            a
            a
            b
            a
            1
            2
            3
            4
            5
            6
            summary: 0 tool calls · 42 ms · 0 B of tool results kept out of this output
            answer: 0 tool calls · 42 ms · 0 B of tool results kept out of this answer
            headline: ✓ 0 tool calls · 42 ms
            note 0: a ×3 · b
              - a
              - a
              - b
              - a
            note 1: 1 · 2 · 3 · 4 · … 2 more
              - 1
              - 2
              - 3
              - 4
              - 5
              - 6
            lines:
              [log] x.mcp.ts:1  a
              [log] x.mcp.ts:1  a
              [log] x.mcp.ts:1  b
              [log] x.mcp.ts:1  a
              [log] x.mcp.ts:2  1
              [log] x.mcp.ts:2  2
              [log] x.mcp.ts:2  3
              [log] x.mcp.ts:2  4
              [log] x.mcp.ts:2  5
              [log] x.mcp.ts:2  6
              ✓ 0 tool calls · 42 ms
        "#]],
    );
}

#[test]
fn a_runtime_error_marks_its_line_with_its_stack() {
    check(
        json!({
            "ok": false,
            "error": {"kind": "runtime", "message": "boom\nat x", "line": 3, "column": 7, "stack": "at <main> (x.mcp.ts:3:7)"},
        }),
        expect![[r#"
            summary: 0 tool calls · 42 ms · 0 B of tool results kept out of this output
            answer: 0 tool calls · 42 ms · 0 B of tool results kept out of this answer
            headline: ✗ runtime: boom ⏎ at x
            error: error[runtime] x.mcp.ts:3:7: boom
            at x
            note 2 (error): ✗ runtime: boom ⏎ at x
            lines:
              ✗ runtime at x.mcp.ts:3:7: boom
            at x
                at <main> (x.mcp.ts:3:7)
              ✗ runtime: boom ⏎ at x
        "#]],
    );
}

#[test]
fn a_type_error_is_left_to_the_diagnostics() {
    check(
        json!({
            "ok": false,
            "error": {"kind": "type", "message": "1 type error, so the script was not run", "line": 1, "column": 3},
            "diagnostics": [{"file": "x.mcp.ts", "line": 2, "column": 3, "endLine": 2, "endColumn": 5, "code": 2551, "severity": "error", "message": "no", "hint": "try y"}],
        }),
        expect![[r#"
            summary: 0 tool calls · 42 ms · 0 B of tool results kept out of this output
            answer: 0 tool calls · 42 ms · 0 B of tool results kept out of this answer
            headline: ✗ type: 1 type error, so the script was not run
            error: error[type] x.mcp.ts:1:3: 1 type error, so the script was not run
            lines:
              x.mcp.ts:2:3 TS2551: no
                hint: try y
              ✗ type at x.mcp.ts:1:3: 1 type error, so the script was not run
              ✗ type: 1 type error, so the script was not run
        "#]],
    );
}

#[test]
fn long_notes_are_cut_and_the_result_and_dropped_output_shown() {
    let long = "x".repeat(500);
    check(
        json!({
            "logs": [{"level": "error", "text": long, "line": 1}],
            "result": {"n": 1},
            "droppedOutputBytes": 2048,
            "toolCalls": [{"server": "s", "tool": "t", "ok": true, "ms": 1, "bytes": 2000000, "line": 1}],
        }),
        expect![[r#"
            console:
            error: xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx
            … [2048 more bytes of output were dropped at the output limit]
            summary: 1 tool call (s.t) · 42 ms · 1.9 MB of tool results kept out of this output
            answer: 1 tool call (s.t) · 42 ms · 1.9 MB of tool results kept out of this answer
            headline: ✓ 1 tool call · 42 ms
            note 0: error: xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx…
              - error: xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx
              - s.t 1 ms
            lines:
              [error] x.mcp.ts:1  xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx
              … 2048 bytes of output dropped (over maxOutputBytes)
              result: {"n":1}
              ✓ 1 tool call · 42 ms · s.t · 1.9 MB of tool results kept out of the output
        "#]],
    );
}

mod fuzz {
    //! Any report renders every way without a panic, and nothing a script or server wrote
    //! reaches the rendered text with its control characters raw.

    use proptest::prelude::*;

    use super::*;

    fn text() -> impl Strategy<Value = String> {
        prop_oneof![
            "\\PC{0,40}",
            "[\\x00-\\x1f\\x7f\\u{80}-\\u{9f}\\u{202a}-\\u{202e} a\n]{0,20}"
        ]
    }

    fn raw_controls(text: &str) -> bool {
        text.chars().any(crate::printable::is_unsafe)
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

        #[test]
        fn any_report_renders(
            logs in prop::collection::vec((0u8..4, text(), prop::option::of(0u32..50)), 0..6),
            calls in prop::collection::vec((text(), text(), any::<bool>(), prop::option::of(0u32..50)), 0..6),
            error in prop::option::of((0u8..7, text(), prop::option::of(0u32..50))),
            dropped in 0usize..5000,
        ) {
            let levels = ["log", "info", "warn", "error"];
            let kinds = ["type", "runtime", "tool", "timeout", "memory", "limit", "cancelled"];
            let report = report(json!({
                "ok": error.is_none(),
                "logs": logs.iter().map(|(level, text, line)| json!({"level": levels[*level as usize], "text": text, "line": line})).collect::<Vec<_>>(),
                "toolCalls": calls.iter().map(|(server, tool, ok, line)| json!({"server": server, "tool": tool, "ok": ok, "ms": 1, "bytes": 10, "line": line})).collect::<Vec<_>>(),
                "error": error.as_ref().map(|(kind, message, line)| json!({"kind": kinds[*kind as usize], "message": message, "line": line, "column": line})),
                "droppedOutputBytes": dropped,
            }));
            let mut all = vec![
                console(&report),
                summary(&report, Place::Output),
                summary(&report, Place::Answer),
                headline(&report),
                error_line(&report, "x.ts").unwrap_or_default(),
            ];
            all.extend(editor_lines(&report, "x.ts"));
            for note in line_notes(&report) {
                prop_assert!(note.text.chars().count() <= NOTE_CHARS * 12, "{}", note.text);
                all.push(note.text);
                all.extend(note.details);
            }
            for text in all {
                prop_assert!(!raw_controls(&text), "{text:?}");
            }
        }
    }
}

/// Blocks passed on are counted apart from what was kept out: the tool's answer was an
/// image, which left as a block.
#[test]
fn content_blocks_passed_on_are_counted_apart() {
    check(
        json!({
            "result": {"logo": "[image/png image, 8 B: content block 2]"},
            "logs": [{"level": "log", "text": "chart: [image/png image, 8 B: content block 1]", "line": 2}],
            "toolCalls": [{"server": "everything", "tool": "get-tiny-image", "ok": true, "ms": 3, "bytes": 120, "line": 1}],
            "content": [
                {"type": "image", "data": "iVBORw0K", "mimeType": "image/png"},
                {"type": "image", "data": "iVBORw0K", "mimeType": "image/png"},
                {"type": "resource_link", "uri": "test://static/resource/1", "name": "Resource 1"}
            ],
        }),
        expect![[r#"
            console:
            chart: [image/png image, 8 B: content block 1]
            summary: 1 tool call (everything.get-tiny-image) · 42 ms · 104 B of tool results kept out of this output · 2 images and 1 resource link (16 B) as content blocks (in `--json`)
            answer: 1 tool call (everything.get-tiny-image) · 42 ms · 104 B of tool results kept out of this answer · 2 images and 1 resource link (16 B) passed on as content blocks
            headline: ✓ 1 tool call · 42 ms
            note 0: everything.get-tiny-image 3 ms
            note 1: chart: [image/png image, 8 B: content block 1]
            lines:
              [log] x.mcp.ts:2  chart: [image/png image, 8 B: content block 1]
              result: {"logo":"[image/png image, 8 B: content block 2]"}
              ✓ 1 tool call · 42 ms · everything.get-tiny-image · 104 B of tool results kept out of the output
        "#]],
    );
}
