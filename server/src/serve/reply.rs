//! What `serve`'s tools answer, as text written for a model: a run's output and summary,
//! type errors with their hints, and the cap on an answer's size with a marker saying how
//! much was cut and what to do about it.

use std::fmt::Write;

use crate::check::{self, Severity};
use crate::runtime::{FailureKind, RunReport};
use crate::view;

/// The text of a finished run: console output, result, and a one-line summary, at most
/// `max` bytes; whether it is an error (the script failed or did not run). Past `max` the
/// console output is cut first (with a marker saying so and `advice`): the result, the error
/// and the summary matter most, and are cut only when they alone are too long.
pub fn run_report(
    report: &RunReport,
    file: &str,
    source: &str,
    max: usize,
    advice: &str,
) -> (String, bool) {
    let mut out = String::new();
    if report.failure() == Some(FailureKind::Type) && !report.diagnostics.is_empty() {
        let errors = report
            .diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .count();
        let _ = writeln!(
            out,
            "The script was not run: TypeScript found {errors} error{} (no tool was called). Fix {} and call execute again.\n",
            plural(errors),
            if errors == 1 { "it" } else { "them" },
        );
        out.push_str(&check::render(&report.diagnostics, |_| Some(source)));
        return (cap(out.trim_end().to_string(), max, advice), true);
    }

    let console = view::console(report);
    let mut rest = String::new();
    if !report.result.is_null() {
        let result = serde_json::to_string_pretty(&report.result).unwrap_or_default();
        let _ = writeln!(rest, "result: {result}");
    }
    if let Some(error) = view::error_line(report, file) {
        let _ = writeln!(rest, "{error}");
        if let Some(stack) = report.error.as_ref().and_then(|e| e.stack.as_ref()) {
            let _ = writeln!(rest, "{stack}");
        }
    }
    if console.is_empty() && rest.is_empty() {
        rest.push_str(
            "(the script printed nothing and has no result: log with console.log or `export default` a value)\n",
        );
    }
    let summary = format!("— {}", view::summary(report, view::Place::Answer));
    let whole = console.len() + rest.len() + summary.len();
    let out = if whole <= max {
        format!("{console}{rest}{summary}")
    } else {
        // The console output gives way first; the result and error only when they alone
        // leave no room, and the summary never.
        let room = max.saturating_sub(summary.len());
        let rest = if rest.len() + MARKER_ROOM + advice.len() <= room {
            rest
        } else {
            format!("{}\n", cap(rest, room / 2, advice))
        };
        let console = cap(console, room.saturating_sub(rest.len()), advice);
        let console = if console.is_empty() || console.ends_with('\n') {
            console
        } else {
            format!("{console}\n")
        };
        format!("{console}{rest}{summary}")
    };
    (out, report.error.is_some())
}

/// The content blocks a run passed on, as MCP content (the wire shapes are the same).
pub fn blocks(report: &RunReport) -> Vec<rmcp::model::ContentBlock> {
    report
        .content
        .iter()
        .filter_map(|block| serde_json::to_value(block).ok())
        .filter_map(|value| serde_json::from_value(value).ok())
        .collect()
}

/// Room the marker of a cut takes, beside its advice.
const MARKER_ROOM: usize = 200;

/// `text` cut to at most `max` bytes (at a character boundary), ending with a marker that
/// says how much was cut.
pub fn cap(text: String, max: usize, advice: &str) -> String {
    if text.len() <= max {
        return text;
    }
    if max <= MARKER_ROOM + advice.len() {
        // No room for any of it: the marker alone says what was cut.
        return format!(
            "… [truncated: {} not shown; {advice}]",
            view::bytes(text.len())
        );
    }
    let marker_room = MARKER_ROOM + advice.len();
    let mut keep = max.saturating_sub(marker_room);
    while !text.is_char_boundary(keep) {
        keep -= 1;
    }
    let cut = text.len() - keep;
    format!(
        "{}\n… [truncated: {} of {} not shown; {advice}]",
        &text[..keep],
        view::bytes(cut),
        view::bytes(text.len())
    )
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_answers_are_cut_at_a_character_boundary_with_a_marker() {
        let short = "é".repeat(10);
        assert_eq!(cap(short.clone(), 1000, "print less"), short);
        let long = "é".repeat(2000);
        let capped = cap(long, 1000, "print less");
        assert!(capped.len() <= 1000, "{}", capped.len());
        assert!(capped.contains("… [truncated: "), "{capped}");
        assert!(capped.ends_with("print less]"), "{capped}");
        assert!(capped.contains("of 3.9 kB not shown"), "{capped}");
    }

    fn report_with(logs: usize, result: serde_json::Value) -> RunReport {
        let mut report =
            RunReport::failed(0, crate::runtime::RunError::new(FailureKind::Runtime, "x"));
        report.ok = true;
        report.error = None;
        report.result = result;
        report.logs = (0..logs)
            .map(|n| crate::runtime::LogLine {
                level: crate::runtime::Level::Log,
                text: format!("line {n} of the flood"),
                line: Some(1),
                at: None,
            })
            .collect();
        report
    }

    /// A flood of logs past the cap gives way; the result and the summary stay whole.
    #[test]
    fn a_flood_of_logs_is_cut_before_the_result_and_the_summary() {
        let report = report_with(5000, serde_json::json!({"total": 42}));
        let (text, is_error) = run_report(&report, "script.ts", "", 4000, "print less");
        assert!(!is_error);
        assert!(text.len() <= 4000, "{}", text.len());
        assert!(text.starts_with("line 0 of the flood"), "{text}");
        assert!(text.contains("… [truncated: "), "{text}");
        assert!(text.contains("result: {\n  \"total\": 42\n}"), "{text}");
        assert!(text.contains("\n— "), "the summary: {text}");
        // A result too large for the answer is cut too, and the summary still ends it.
        let huge = serde_json::json!("x".repeat(10_000));
        let (text, _) = run_report(&report_with(10, huge), "script.ts", "", 4000, "print less");
        assert!(text.len() <= 4200, "{}", text.len());
        assert!(text.contains("result: \"xxx"), "{text}");
        assert!(text.contains("\n— "), "the summary: {text}");
    }
}
