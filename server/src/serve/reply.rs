//! What `serve`'s tools answer, as text written for a model: a run's output and summary,
//! type errors with their hints, and the cap on an answer's size with a marker saying how
//! much was cut and what to do about it.

use std::collections::BTreeMap;
use std::fmt::Write;

use crate::check::{self, Severity};
use crate::engine::Level;
use crate::runtime::RunReport;

/// The text of a finished run: console output, result, and a one-line summary; whether it
/// is an error (the script failed or did not run).
pub fn run_report(report: &RunReport, file: &str, source: &str) -> (String, bool) {
    let mut out = String::new();
    if let Some(error) = &report.error
        && error.kind == "type"
        && !report.diagnostics.is_empty()
    {
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

    for line in &report.logs {
        let prefix = match line.level {
            Level::Log | Level::Info => "",
            Level::Warn => "warning: ",
            Level::Error => "error: ",
        };
        let _ = writeln!(out, "{prefix}{}", line.text);
    }
    if report.dropped_output_bytes > 0 {
        let _ = writeln!(
            out,
            "… [{} more bytes of console output were dropped at the output limit]",
            report.dropped_output_bytes
        );
    }
    if !report.result.is_null() {
        let result = serde_json::to_string_pretty(&report.result).unwrap_or_default();
        let _ = writeln!(out, "result: {result}");
    }
    if let Some(error) = &report.error {
        let at = match (error.line, error.column) {
            (Some(line), Some(column)) => format!(" at {file}:{line}:{column}"),
            _ => String::new(),
        };
        let _ = writeln!(out, "error[{}]{at}: {}", error.kind, error.message);
        if let Some(stack) = &error.stack {
            let _ = writeln!(out, "{stack}");
        }
    }
    if out.is_empty() {
        out.push_str(
            "(the script printed nothing and has no result: log with console.log or `export default` a value)\n",
        );
    }
    let _ = write!(out, "— {}", summary(report));
    (out, report.error.is_some())
}

/// `3 tool calls (memory.search_nodes ×2, memory.open_nodes) · 120 ms · 14.2 kB of tool
/// results kept out of this answer`.
pub fn summary(report: &RunReport) -> String {
    let calls = report.tool_calls.len();
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for call in &report.tool_calls {
        *counts
            .entry(format!("{}.{}", call.server, call.tool))
            .or_default() += 1;
    }
    let failed = report.tool_calls.iter().filter(|c| !c.ok).count();
    let mut text = format!("{calls} tool call{}", plural(calls));
    if !counts.is_empty() {
        let each: Vec<String> = counts
            .iter()
            .map(|(name, n)| {
                if *n == 1 {
                    name.clone()
                } else {
                    format!("{name} ×{n}")
                }
            })
            .collect();
        let _ = write!(text, " ({})", each.join(", "));
    }
    if failed > 0 {
        let _ = write!(text, ", {failed} failed");
    }
    let _ = write!(
        text,
        " · {} ms · {} of tool results kept out of this answer",
        report.duration_ms,
        bytes(report.tool_result_bytes())
    );
    text
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
        bytes(cut),
        bytes(text.len())
    )
}

pub fn bytes(n: usize) -> String {
    match n {
        n if n < 1024 => format!("{n} B"),
        n if n < 1024 * 1024 => format!("{:.1} kB", n as f64 / 1024.0),
        n => format!("{:.1} MB", n as f64 / (1024.0 * 1024.0)),
    }
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
