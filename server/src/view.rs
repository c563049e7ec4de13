//! How a run report reads, written once for every front door: the console output, the
//! summary line (tool calls by tool, time, bytes of tool results kept out), the error line,
//! the one-line headline editors show in lenses and notifications, and the per-line notes
//! editors draw after each line that logged, called a tool or failed.
//!
//! `cli` prints these, `serve` answers with them, `lsp` sends them (`codemode/runResult`
//! carries an [`EditorView`]), and the editor plugins only draw what they are sent. Plain
//! text from a [`RunReport`]: nothing here knows a terminal, LSP or MCP. What scripts and
//! servers wrote is shown with its control characters escaped (`printable`); the report's
//! JSON (`--json`) stays exact.

use std::collections::BTreeMap;
use std::fmt::Write;

use serde::Serialize;

use crate::printable;
use crate::runtime::{FailureKind, Level, RunReport};

/// Where the output the summary talks about goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    /// A terminal or an editor's output (`… kept out of this output`).
    Output,
    /// An agent's tool result (`… kept out of this answer`).
    Answer,
}

/// Longest per-line note an editor shows after a line.
const NOTE_CHARS: usize = 120;
/// Distinct entries a note names before `… N more`.
const NOTE_ENTRIES: usize = 4;

/// The script's console output, one line per log (warnings and errors marked), and a
/// marker when output was dropped at the limit. Empty when it printed nothing.
pub fn console(report: &RunReport) -> String {
    let mut out = String::new();
    for line in &report.logs {
        let _ = writeln!(out, "{}{}", level_prefix(line.level), line.text);
    }
    if report.dropped_output_bytes > 0 {
        let _ = writeln!(
            out,
            "… [{} more bytes of output were dropped at the output limit]",
            report.dropped_output_bytes
        );
    }
    printable::escape(&out)
}

/// `7 tool calls (demo.get_forecast ×6, demo.list_cities), 1 failed · 17 ms · 6.6 kB of
/// tool results kept out of this output`.
pub fn summary(report: &RunReport, place: Place) -> String {
    let mut text = calls(report);
    let by_tool = by_tool(report);
    if !by_tool.is_empty() {
        let _ = write!(text, " ({by_tool})");
    }
    let failed = report.tool_calls.iter().filter(|c| !c.ok).count();
    if failed > 0 {
        let _ = write!(text, ", {failed} failed");
    }
    let _ = write!(
        text,
        " · {} ms · {} of tool results kept out of this {}",
        report.duration_ms,
        bytes(report.tool_result_bytes()),
        match place {
            Place::Output => "output",
            Place::Answer => "answer",
        }
    );
    if !report.content.is_empty() {
        let _ = write!(text, " · {}", passed_on(report, place));
    }
    printable::escape(&text)
}

/// `1 image (5.3 kB) passed on as a content block`, `2 images and 1 resource link (…)
/// passed on as content blocks`; on a terminal, where they are (`--json`).
fn passed_on(report: &RunReport, place: Place) -> String {
    let mut kinds: Vec<(&str, usize)> = Vec::new();
    for block in &report.content {
        match kinds.iter_mut().find(|(kind, _)| *kind == block.kind()) {
            Some((_, count)) => *count += 1,
            None => kinds.push((block.kind(), 1)),
        }
    }
    let words: Vec<String> = kinds
        .iter()
        .map(|(kind, count)| match (*kind, *count) {
            (kind, 1) => format!("1 {kind}"),
            ("audio", n) => format!("{n} audio clips"),
            (kind, n) => format!("{n} {kind}s"),
        })
        .collect();
    let blocks = if report.content.len() == 1 {
        "as a content block"
    } else {
        "as content blocks"
    };
    let (verb, whereabouts) = match place {
        Place::Answer => ("passed on ", ""),
        Place::Output => ("", " (in `--json`)"),
    };
    format!(
        "{} ({}) {verb}{blocks}{whereabouts}",
        words.join(" and "),
        bytes(report.content_bytes())
    )
}

/// `✓ 3 tool calls · 120 ms`, or `✗ runtime: the message` (one line, cut): for lenses,
/// progress reports and notifications.
pub fn headline(report: &RunReport) -> String {
    let line = match &report.error {
        None => format!("✓ {} · {} ms", calls(report), report.duration_ms),
        Some(error) => format!(
            "✗ {}: {}",
            error.kind,
            shorten(&one_line(&error.message), NOTE_CHARS)
        ),
    };
    printable::escape(&line)
}

/// `error[runtime] script.ts:3:7: the message`, when the run failed.
pub fn error_line(report: &RunReport, file: &str) -> Option<String> {
    let error = report.error.as_ref()?;
    let at = match (error.line, error.column) {
        (Some(line), Some(column)) => format!(" {file}:{line}:{column}:"),
        _ => String::new(),
    };
    Some(printable::escape(&format!(
        "error[{}]{at} {}",
        error.kind, error.message
    )))
}

/// What an editor draws after one line of the script that ran.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LineNote {
    /// 0-based line.
    pub line: u32,
    /// The short text after the line: its entries, repeats collapsed (`a ×3 · b`), cut.
    pub text: String,
    /// Everything the line did, one entry per log, call or failure.
    pub details: Vec<String>,
    /// The run failed on this line.
    pub error: bool,
}

/// One note per line that logged, called a tool or failed at run time, in line order. A
/// type error is left to the diagnostics.
pub fn line_notes(report: &RunReport) -> Vec<LineNote> {
    let mut by_line: BTreeMap<u32, (Vec<String>, bool)> = BTreeMap::new();
    for log in &report.logs {
        if let Some(line) = log.line {
            let entry = format!("{}{}", note_prefix(log.level), one_line(&log.text));
            by_line.entry(line).or_default().0.push(entry);
        }
    }
    for call in &report.tool_calls {
        if let Some(line) = call.line {
            let mark = if call.ok { "" } else { " ✗" };
            let entry = format!("{}.{} {} ms{mark}", call.server, call.tool, call.ms);
            by_line.entry(line).or_default().0.push(entry);
        }
    }
    if let Some(error) = &report.error
        && error.kind != FailureKind::Type
        && let Some(line) = error.line
    {
        let note = by_line.entry(line).or_default();
        note.0
            .push(format!("✗ {}: {}", error.kind, one_line(&error.message)));
        note.1 = true;
    }
    by_line
        .into_iter()
        .filter_map(|(line, (details, error))| {
            Some(LineNote {
                line: line.checked_sub(1)?,
                text: printable::escape(&shorten(&collapse(&details), NOTE_CHARS)),
                details: details.iter().map(|d| printable::escape(d)).collect(),
                error,
            })
        })
        .collect()
}

/// The whole run as an editor's output shows it: each log with its line, the diagnostics
/// with their hints, the error (with its stack) or the result, and the headline with the
/// calls by tool and the bytes kept out.
pub fn editor_lines(report: &RunReport, file: &str) -> Vec<String> {
    let mut lines = Vec::new();
    for log in &report.logs {
        let level = match log.level {
            Level::Log => "log",
            Level::Info => "info",
            Level::Warn => "warn",
            Level::Error => "error",
        };
        let at = match log.line {
            Some(line) => format!("{file}:{line}"),
            None => file.to_string(),
        };
        for text in log.text.split('\n') {
            lines.push(format!("[{level}] {at}  {text}"));
        }
    }
    if report.dropped_output_bytes > 0 {
        lines.push(format!(
            "… {} bytes of output dropped (over maxOutputBytes)",
            report.dropped_output_bytes
        ));
    }
    for diagnostic in &report.diagnostics {
        lines.push(format!(
            "{}:{}:{} TS{}: {}",
            diagnostic.file,
            diagnostic.line,
            diagnostic.column,
            diagnostic.code,
            one_line(&diagnostic.message)
        ));
        if let Some(hint) = &diagnostic.hint {
            lines.push(format!("  hint: {}", one_line(hint)));
        }
    }
    match &report.error {
        Some(error) => {
            let at = match error.line {
                Some(line) => format!("{file}:{line}:{}", error.column.unwrap_or(1)),
                None => file.to_string(),
            };
            lines.push(format!("✗ {} at {at}: {}", error.kind, error.message));
            if let Some(stack) = &error.stack {
                lines.extend(stack.lines().map(|l| format!("  {l}")));
            }
        }
        None if !report.result.is_null() => {
            let result = serde_json::to_string(&report.result).unwrap_or_default();
            lines.push(format!("result: {}", shorten(&result, 2000)));
        }
        None => {}
    }
    let mut last = headline(report);
    let by_tool = by_tool(report);
    if !by_tool.is_empty() {
        let _ = write!(last, " · {by_tool}");
    }
    let kept = report.tool_result_bytes();
    if kept > 0 {
        let _ = write!(
            last,
            " · {} of tool results kept out of the output",
            bytes(kept)
        );
    }
    lines.push(last);
    lines.iter().map(|line| printable::escape(line)).collect()
}

/// A run as an editor is sent it beside the report: everything it draws, already written.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EditorView {
    /// [`headline`].
    pub headline: String,
    /// [`line_notes`].
    pub notes: Vec<LineNote>,
    /// [`editor_lines`].
    pub lines: Vec<String>,
}

impl EditorView {
    pub fn of(report: &RunReport, file: &str) -> EditorView {
        EditorView {
            headline: headline(report),
            notes: line_notes(report),
            lines: editor_lines(report, file),
        }
    }
}

/// `1 tool call`, `3 tool calls`.
fn calls(report: &RunReport) -> String {
    let calls = report.tool_calls.len();
    format!("{calls} tool call{}", if calls == 1 { "" } else { "s" })
}

/// `memory.read_graph ×2, memory.open_nodes`, in name order; empty with no calls.
fn by_tool(report: &RunReport) -> String {
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for call in &report.tool_calls {
        *counts
            .entry(format!("{}.{}", call.server, call.tool))
            .or_default() += 1;
    }
    counts
        .iter()
        .map(|(name, n)| {
            if *n == 1 {
                name.clone()
            } else {
                format!("{name} ×{n}")
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// `a · a · b` as `a ×2 · b`, at most a few distinct entries.
fn collapse(entries: &[String]) -> String {
    let mut counted: Vec<(&str, usize)> = Vec::new();
    for entry in entries {
        match counted.iter_mut().find(|(e, _)| *e == entry.as_str()) {
            Some((_, count)) => *count += 1,
            None => counted.push((entry, 1)),
        }
    }
    let mut out = counted
        .iter()
        .take(NOTE_ENTRIES)
        .map(|(e, c)| {
            if *c > 1 {
                format!("{e} ×{c}")
            } else {
                e.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join(" · ");
    if counted.len() > NOTE_ENTRIES {
        let _ = write!(out, " · … {} more", counted.len() - NOTE_ENTRIES);
    }
    out
}

fn level_prefix(level: Level) -> &'static str {
    match level {
        Level::Log | Level::Info => "",
        Level::Warn => "warning: ",
        Level::Error => "error: ",
    }
}

fn note_prefix(level: Level) -> &'static str {
    match level {
        Level::Log | Level::Info => "",
        Level::Warn => "warn: ",
        Level::Error => "error: ",
    }
}

/// Line breaks (and the space around them) as ` ⏎ `.
fn one_line(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for (i, part) in text.split('\n').enumerate() {
        if i > 0 {
            out.truncate(out.trim_end().len());
            out.push_str(" ⏎ ");
            out.push_str(part.trim_start());
        } else {
            out.push_str(part);
        }
    }
    out.trim().to_string()
}

/// At most `max` characters, the last an ellipsis when cut.
fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut out: String = text.chars().take(max - 1).collect();
    out.push('…');
    out
}

/// `812 B`, `6.6 kB`, `1.2 MB`.
pub fn bytes(n: usize) -> String {
    match n {
        n if n < 1024 => format!("{n} B"),
        n if n < 1024 * 1024 => format!("{:.1} kB", n as f64 / 1024.0),
        n => format!("{:.1} MB", n as f64 / (1024.0 * 1024.0)),
    }
}

#[cfg(test)]
mod tests;
