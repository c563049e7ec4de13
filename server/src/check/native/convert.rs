//! TypeScript 7's LSP answers, read into the checker's own types (the same the embedded
//! engine answers with). Kinds come back as TypeScript's kind names, which is what the
//! embedded engine reports and what the `lsp` module maps to LSP's kinds.

use std::collections::HashMap;

use serde_json::Value;

use super::NativeFault;
use crate::check::language::{
    Completion, Completions, Details, Hover, Location, ParameterInfo, Place, Position, Range,
    SignatureHelp, SignatureInfo, Symbol,
};
use crate::check::{Diagnostic, Severity};

/// The uris of the program's files, to name where a definition is.
pub struct Places<'a> {
    pub api: String,
    pub prelude: String,
    pub scripts: &'a [String],
}

fn malformed(what: &str) -> NativeFault {
    NativeFault::Malformed(what.to_string())
}

fn position(value: &Value) -> Option<Position> {
    Some(Position {
        line: u32::try_from(value.get("line")?.as_u64()?).ok()?,
        character: u32::try_from(value.get("character")?.as_u64()?).ok()?,
    })
}

fn range(value: &Value) -> Option<Range> {
    Some(Range {
        start: position(value.get("start")?)?,
        end: position(value.get("end")?)?,
    })
}

/// Text of a `string | MarkupContent | MarkedString` value.
fn text(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        Value::Object(object) => object
            .get("value")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string(),
        _ => String::new(),
    }
}

/// Errors and warnings; TypeScript 7's suggestions (unused names...) are not the checker's.
pub fn diagnostics(result: &Value) -> Result<Vec<Diagnostic>, NativeFault> {
    let items = result
        .get("items")
        .and_then(Value::as_array)
        .ok_or_else(|| malformed("a diagnostic report without items"))?;
    let mut found = Vec::new();
    for item in items {
        let severity = match item.get("severity").and_then(Value::as_u64) {
            Some(1) | None => Severity::Error,
            Some(2) => Severity::Warning,
            Some(_) => continue,
        };
        let range = item
            .get("range")
            .and_then(range)
            .ok_or_else(|| malformed("a diagnostic without a range"))?;
        let code = match item.get("code") {
            Some(Value::Number(n)) => n.as_u64().and_then(|n| u32::try_from(n).ok()),
            Some(Value::String(s)) => s.trim_start_matches("TS").parse().ok(),
            _ => None,
        }
        .ok_or_else(|| malformed("a diagnostic without a code"))?;
        found.push(Diagnostic {
            file: String::new(),
            line: range.start.line + 1,
            column: range.start.character + 1,
            end_line: range.end.line + 1,
            end_column: range.end.character + 1,
            code,
            severity,
            message: item
                .get("message")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string(),
            hint: None,
            fixes: Vec::new(),
        });
    }
    Ok(found)
}

/// TypeScript's kind name of an LSP completion kind.
fn completion_kind(kind: u64) -> &'static str {
    match kind {
        2 => "method",
        3 => "function",
        4 => "construct",
        5 | 10 => "property",
        6 => "var",
        7 => "class",
        8 => "interface",
        9 => "module",
        12 => "string",
        13 => "enum",
        14 => "keyword",
        18 => "alias",
        20 => "enum member",
        21 => "const",
        22 => "type",
        25 => "type parameter",
        _ => "text",
    }
}

/// The list, and each raw item by name (resolving one sends it back as it came).
pub fn completions(result: &Value) -> Result<(Completions, HashMap<String, Value>), NativeFault> {
    let (items, incomplete) = match result {
        Value::Null => {
            return Ok((
                Completions {
                    items: Vec::new(),
                    incomplete: false,
                },
                HashMap::new(),
            ));
        }
        Value::Array(items) => (items, false),
        Value::Object(list) => (
            list.get("items")
                .and_then(Value::as_array)
                .ok_or_else(|| malformed("a completion list without items"))?,
            list.get("isIncomplete")
                .and_then(Value::as_bool)
                .unwrap_or(false),
        ),
        _ => return Err(malformed("a completion answer of an unknown shape")),
    };
    let mut raw = HashMap::new();
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        let Some(label) = item.get("label").and_then(Value::as_str) else {
            continue;
        };
        let (name, optional) = match label.strip_suffix('?') {
            Some(name) => (name.to_string(), Some(true)),
            None => (label.to_string(), None),
        };
        let edit = item.get("textEdit");
        let insert = item
            .get("insertText")
            .and_then(Value::as_str)
            .or_else(|| edit.and_then(|e| e.get("newText")).and_then(Value::as_str))
            .map(str::to_string);
        let replace =
            edit.and_then(|e| e.get("range").or_else(|| e.get("replace")).and_then(range));
        out.push(Completion {
            name: name.clone(),
            kind: completion_kind(item.get("kind").and_then(Value::as_u64).unwrap_or(1))
                .to_string(),
            modifiers: None,
            sort: item
                .get("sortText")
                .and_then(Value::as_str)
                .unwrap_or(label)
                .to_string(),
            insert,
            source: None,
            optional,
            replace,
            details: None,
        });
        raw.insert(name, item.clone());
    }
    Ok((
        Completions {
            items: out,
            incomplete,
        },
        raw,
    ))
}

pub fn details(result: &Value) -> Option<Details> {
    let detail = result.get("detail").and_then(Value::as_str)?.to_string();
    Some(Details {
        detail,
        documentation: result.get("documentation").map(text).unwrap_or_default(),
        tags: Vec::new(),
    })
}

/// A hover's markdown: its first code block is the declaration, the rest its docs.
pub fn hover(result: &Value) -> Result<Option<Hover>, NativeFault> {
    if result.is_null() {
        return Ok(None);
    }
    let contents = match result.get("contents") {
        Some(Value::Array(parts)) => parts.iter().map(text).collect::<Vec<_>>().join("\n\n"),
        Some(other) => text(other),
        None => return Err(malformed("a hover without contents")),
    };
    let (display, documentation) = split_code_block(&contents);
    Ok(Some(Hover {
        display,
        documentation,
        tags: Vec::new(),
        range: result.get("range").and_then(range).unwrap_or_default(),
    }))
}

fn split_code_block(markdown: &str) -> (String, String) {
    let trimmed = markdown.trim_start();
    if let Some(rest) = trimmed.strip_prefix("```") {
        let body = rest.split_once('\n').map_or("", |(_, body)| body);
        if let Some((code, after)) = body.split_once("\n```") {
            return (code.to_string(), after.trim().to_string());
        }
    }
    match trimmed.split_once("\n\n") {
        Some((display, docs)) => (display.to_string(), docs.trim().to_string()),
        None => (trimmed.to_string(), String::new()),
    }
}

pub fn signature_help(result: &Value) -> Result<Option<SignatureHelp>, NativeFault> {
    if result.is_null() {
        return Ok(None);
    }
    let signatures = result
        .get("signatures")
        .and_then(Value::as_array)
        .ok_or_else(|| malformed("signature help without signatures"))?;
    let signatures = signatures
        .iter()
        .map(|s| {
            let label = s
                .get("label")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string();
            let utf16: Vec<u16> = label.encode_utf16().collect();
            let mut from = 0;
            let parameters = s
                .get("parameters")
                .and_then(Value::as_array)
                .map(|ps| {
                    ps.iter()
                        .map(|p| {
                            let (start, end) = match p.get("label") {
                                Some(Value::Array(offsets)) => (
                                    offsets.first().and_then(Value::as_u64).unwrap_or(0) as u32,
                                    offsets.get(1).and_then(Value::as_u64).unwrap_or(0) as u32,
                                ),
                                Some(Value::String(part)) => {
                                    let needle: Vec<u16> = part.encode_utf16().collect();
                                    let at = utf16[from.min(utf16.len())..]
                                        .windows(needle.len().max(1))
                                        .position(|w| w == needle.as_slice())
                                        .map_or(0, |i| i + from);
                                    from = at + needle.len();
                                    (at as u32, from as u32)
                                }
                                _ => (0, 0),
                            };
                            ParameterInfo {
                                start,
                                end,
                                documentation: p.get("documentation").map(text).unwrap_or_default(),
                            }
                        })
                        .collect()
                })
                .unwrap_or_default();
            SignatureInfo {
                label,
                documentation: s.get("documentation").map(text).unwrap_or_default(),
                tags: Vec::new(),
                parameters,
            }
        })
        .collect();
    let index = |key: &str| {
        result
            .get(key)
            .and_then(Value::as_u64)
            .and_then(|n| u32::try_from(n).ok())
            .unwrap_or(0)
    };
    Ok(Some(SignatureHelp {
        signatures,
        active: index("activeSignature"),
        parameter: index("activeParameter"),
    }))
}

/// Locations in the program's files; a lib file is named by its file name.
pub fn locations(result: &Value, places: &Places) -> Vec<Location> {
    let list = match result {
        Value::Array(list) => list.clone(),
        Value::Object(_) => vec![result.clone()],
        _ => Vec::new(),
    };
    list.iter()
        .filter_map(|l| {
            let uri = l.get("uri").or_else(|| l.get("targetUri"))?.as_str()?;
            let range = range(l.get("range").or_else(|| l.get("targetSelectionRange"))?)?;
            let place = if uri == places.api {
                Place::Api
            } else if uri == places.prelude {
                Place::Prelude
            } else if let Some(index) = places.scripts.iter().position(|s| s == uri) {
                Place::Script(index)
            } else {
                let name = uri.rsplit('/').next()?;
                if !(name.starts_with("lib.") && name.ends_with(".d.ts")) {
                    return None;
                }
                Place::Lib(name.to_string())
            };
            Some(Location { place, range })
        })
        .collect()
}

/// TypeScript's kind name of an LSP symbol kind.
fn symbol_kind(kind: u64) -> &'static str {
    match kind {
        2..=4 => "module",
        5 => "class",
        6 | 9 => "method",
        7 | 8 => "property",
        10 => "enum",
        11 => "interface",
        12 => "function",
        14 => "const",
        22 => "enum member",
        26 => "type",
        _ => "var",
    }
}

pub fn symbols(result: &Value) -> Result<Vec<Symbol>, NativeFault> {
    fn one(value: &Value) -> Option<Symbol> {
        let range = range(value.get("range")?)?;
        Some(Symbol {
            name: value.get("name")?.as_str()?.to_string(),
            kind: symbol_kind(value.get("kind")?.as_u64()?).to_string(),
            range,
            selection: value
                .get("selectionRange")
                .and_then(super::convert::range)
                .unwrap_or(range),
            children: value
                .get("children")
                .and_then(Value::as_array)
                .map(|c| c.iter().filter_map(one).collect())
                .unwrap_or_default(),
        })
    }
    // By name at every level, as TypeScript's navigation tree (the embedded engine's) is.
    fn sorted(mut symbols: Vec<Symbol>) -> Vec<Symbol> {
        symbols.sort_by(|a, b| a.name.cmp(&b.name));
        for symbol in &mut symbols {
            symbol.children = sorted(std::mem::take(&mut symbol.children));
        }
        symbols
    }
    match result {
        Value::Null => Ok(Vec::new()),
        Value::Array(list) => Ok(sorted(list.iter().filter_map(one).collect())),
        _ => Err(malformed("document symbols of an unknown shape")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hover_splits_into_its_declaration_and_its_docs() {
        let (display, docs) = split_code_block(
            "```typescript\nfunction memory.readGraph(): Promise<X>\n```\nReads the graph.\n",
        );
        assert_eq!(display, "function memory.readGraph(): Promise<X>");
        assert_eq!(docs, "Reads the graph.");
        assert_eq!(
            split_code_block("namespace memory"),
            ("namespace memory".into(), String::new())
        );
    }

    #[test]
    fn suggestions_are_dropped_and_positions_become_one_based() {
        let report = serde_json::json!({ "kind": "full", "items": [
            { "range": { "start": { "line": 0, "character": 6 }, "end": { "line": 0, "character": 7 } },
              "severity": 1, "code": 2322, "message": "Type 'string' is not assignable to type 'number'." },
            { "range": { "start": { "line": 0, "character": 6 }, "end": { "line": 0, "character": 7 } },
              "severity": 4, "code": 6133, "message": "'s' is declared but its value is never read." },
        ]});
        let found = diagnostics(&report).unwrap();
        assert_eq!(found.len(), 1);
        assert_eq!(
            (
                found[0].line,
                found[0].column,
                found[0].end_column,
                found[0].code
            ),
            (1, 7, 8, 2322)
        );
        assert!(diagnostics(&serde_json::json!({ "kind": "full" })).is_err());
    }
}
