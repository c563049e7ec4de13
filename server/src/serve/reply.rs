//! What `serve`'s tools answer, as text written for a model: a run's output and summary,
//! type errors with their hints, and the cap on an answer's size with a marker saying how
//! much was cut and what to do about it.

use std::fmt::Write;

use crate::check::{self, Severity};
use crate::runtime::{FailureKind, RunReport};
use crate::view;

/// The text of a finished run: console output, result, and a one-line summary; whether it
/// is an error (the script failed or did not run).
pub fn run_report(report: &RunReport, file: &str, source: &str) -> (String, bool) {
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
        return (out.trim_end().to_string(), true);
    }

    out.push_str(&view::console(report));
    if !report.result.is_null() {
        let result = serde_json::to_string_pretty(&report.result).unwrap_or_default();
        let _ = writeln!(out, "result: {result}");
    }
    if let Some(error) = view::error_line(report, file) {
        let _ = writeln!(out, "{error}");
        if let Some(stack) = report.error.as_ref().and_then(|e| e.stack.as_ref()) {
            let _ = writeln!(out, "{stack}");
        }
    }
    if out.is_empty() {
        out.push_str(
            "(the script printed nothing and has no result: log with console.log or `export default` a value)\n",
        );
    }
    let _ = write!(out, "— {}", view::summary(report, view::Place::Answer));
    (out, report.error.is_some())
}

/// `text` cut to at most `max` bytes (at a character boundary), ending with a marker that
/// says how much was cut.
pub fn cap(text: String, max: usize, advice: &str) -> String {
    if text.len() <= max {
        return text;
    }
    let marker_room = 200 + advice.len();
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
}
