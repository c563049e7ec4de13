//! Diagnostics for people: `file:line:col - error TS2322: message`, the source line and a caret
//! under the span, then the hint, in the manner of `tsc --pretty false` plus context.

use std::fmt::Write;

use super::{Diagnostic, Severity};

/// Writes `diagnostics` of the script whose text is `source(file)`.
pub fn render<'a>(diagnostics: &[Diagnostic], source: impl Fn(&str) -> Option<&'a str>) -> String {
    let mut out = String::new();
    for d in diagnostics {
        let severity = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Suggestion => "suggestion",
            Severity::Message => "message",
        };
        let mut lines = d.message.lines();
        let first = lines.next().unwrap_or_default();
        if d.file.is_empty() {
            let _ = writeln!(out, "{severity} TS{}: {first}", d.code);
        } else {
            let _ = writeln!(
                out,
                "{}:{}:{} - {severity} TS{}: {first}",
                d.file, d.line, d.column, d.code
            );
        }
        for line in lines {
            let _ = writeln!(out, "  {line}");
        }
        if let Some(text) = source(&d.file).and_then(|s| s.lines().nth(d.line as usize - 1)) {
            let number = d.line.to_string();
            let _ = writeln!(out, "\n  {number} | {}", text.trim_end());
            let start = d.column as usize - 1;
            let end = if d.end_line == d.line {
                (d.end_column as usize - 1).max(start + 1)
            } else {
                utf16_len(text).max(start + 1)
            };
            // Columns count UTF-16 code units; the caret line must too, tabs kept as tabs.
            let mut pad = String::new();
            let mut units = 0;
            for c in text.chars() {
                if units >= start {
                    break;
                }
                pad.push(if c == '\t' { '\t' } else { ' ' });
                units += c.len_utf16();
            }
            let width = text_width(text, start, end);
            let _ = writeln!(
                out,
                "  {} | {pad}{}",
                " ".repeat(number.len()),
                "^".repeat(width.max(1))
            );
        }
        if let Some(hint) = &d.hint {
            let _ = writeln!(out, "  hint: {hint}");
        }
        out.push('\n');
    }
    out
}

fn utf16_len(text: &str) -> usize {
    text.chars().map(char::len_utf16).sum()
}

/// How many characters of `text` lie between the UTF-16 offsets `start` and `end`.
fn text_width(text: &str, start: usize, end: usize) -> usize {
    let mut units = 0;
    let mut width = 0;
    for c in text.chars() {
        if units >= end {
            break;
        }
        if units >= start {
            width += 1;
        }
        units += c.len_utf16();
    }
    width
}
