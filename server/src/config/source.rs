//! A configuration file as text: parsed as JSON with comments (JSONC, as VS Code writes
//! `mcp.json`), or as TOML (Codex), into a `serde_json::Value`, keeping where each value stands so later checks
//! can name the line and column of the field they reject.
//!
//! This module knows nothing about what the fields mean; see `raw.rs` and `mod.rs`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use jsonc_parser::ast;
use serde_json::{Map, Number, Value};

use super::ConfigError;

/// A parsed configuration file: its value and the byte range of every value in it,
/// keyed by JSON pointer (`/mcpServers/memory/env/TOKEN`).
pub(crate) struct Source {
    pub path: PathBuf,
    pub text: String,
    pub value: Value,
    spans: HashMap<String, (usize, usize)>,
    /// Where each object member's key starts, by the member's pointer.
    keys: HashMap<String, usize>,
}

impl Source {
    pub fn parse(path: &Path, text: String) -> Result<Source, ConfigError> {
        let options = jsonc_parser::ParseOptions {
            allow_comments: true,
            allow_trailing_commas: true,
            allow_loose_object_property_names: false,
            allow_missing_commas: false,
            allow_single_quoted_strings: false,
            allow_hexadecimal_numbers: false,
            allow_unary_plus_numbers: false,
            ..Default::default()
        };
        let parsed =
            jsonc_parser::parse_to_ast(&text, &Default::default(), &options).map_err(|error| {
                let (line, column) = line_column(&text, error.range().start);
                ConfigError::at(path, line, column, "", error.kind().to_string())
            })?;
        let Some(root) = parsed.value else {
            return Err(ConfigError::at(
                path,
                1,
                1,
                "",
                "the file is empty".to_string(),
            ));
        };
        let mut spans = Spans::default();
        let value = convert(&root, String::new(), &mut spans, path, &text)?;
        Ok(Source {
            path: path.to_path_buf(),
            text,
            value,
            spans: spans.values,
            keys: spans.keys,
        })
    }

    /// Parses TOML (Codex's `config.toml`) into the same shape: tables are objects, keys
    /// and values keep where they stand.
    pub fn parse_toml(path: &Path, text: String) -> Result<Source, ConfigError> {
        let document = toml_edit::Document::parse(text.as_str()).map_err(|error| {
            let (line, column) = line_column(&text, error.span().map_or(0, |s| s.start));
            ConfigError::at(path, line, column, "", error.message().trim().to_string())
        })?;
        let mut spans = Spans::default();
        let value = toml_table(document.as_table(), String::new(), &mut spans);
        Ok(Source {
            path: path.to_path_buf(),
            text,
            value,
            spans: spans.values,
            keys: spans.keys,
        })
    }

    /// An error about the member at `pointer` itself (an unknown field), placed at its key.
    pub fn error_at_key(&self, pointer: &str, message: impl Into<String>) -> ConfigError {
        match self.keys.get(pointer) {
            Some(&offset) => {
                let (line, column) = line_column(&self.text, offset);
                ConfigError::at(&self.path, line, column, &dotted(pointer), message.into())
            }
            None => self.error_at(pointer, message),
        }
    }

    /// An error about the value at `pointer`, placed at that value's line and column
    /// (or at the nearest enclosing value that exists).
    pub fn error_at(&self, pointer: &str, message: impl Into<String>) -> ConfigError {
        let mut probe = pointer.to_string();
        let offset = loop {
            if let Some(&(start, _)) = self.spans.get(&probe) {
                break start;
            }
            match probe.rfind('/') {
                Some(cut) => probe.truncate(cut),
                None => break 0,
            }
        };
        let (line, column) = line_column(&self.text, offset);
        ConfigError::at(&self.path, line, column, &dotted(pointer), message.into())
    }
}

/// Where values and keys stand, by pointer, as a file is read.
#[derive(Default)]
struct Spans {
    values: HashMap<String, (usize, usize)>,
    keys: HashMap<String, usize>,
}

/// Escapes one key for use in a JSON pointer (RFC 6901).
pub(crate) fn pointer_segment(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

/// `/mcpServers/memory/args/0` → `mcpServers.memory.args[0]`, the way people read a field.
fn dotted(pointer: &str) -> String {
    let mut out = String::new();
    for segment in pointer.split('/').skip(1) {
        let segment = segment.replace("~1", "/").replace("~0", "~");
        if !segment.is_empty() && segment.bytes().all(|b| b.is_ascii_digit()) {
            out.push_str(&format!("[{segment}]"));
        } else {
            if !out.is_empty() {
                out.push('.');
            }
            out.push_str(&segment);
        }
    }
    out
}

fn convert(
    node: &ast::Value<'_>,
    pointer: String,
    spans: &mut Spans,
    path: &Path,
    text: &str,
) -> Result<Value, ConfigError> {
    let range = node_range(node);
    spans
        .values
        .insert(pointer.clone(), (range.start, range.end));
    Ok(match node {
        ast::Value::StringLit(s) => Value::String(s.value.to_string()),
        ast::Value::BooleanLit(b) => Value::Bool(b.value),
        ast::Value::NullKeyword(_) => Value::Null,
        ast::Value::NumberLit(n) => {
            let number = n
                .value
                .parse::<i64>()
                .ok()
                .map(Number::from)
                .or_else(|| n.value.parse::<f64>().ok().and_then(Number::from_f64));
            match number {
                Some(number) => Value::Number(number),
                None => {
                    let (line, column) = line_column(text, range.start);
                    return Err(ConfigError::at(
                        path,
                        line,
                        column,
                        &dotted(&pointer),
                        format!("`{}` is not a number JSON can hold", n.value),
                    ));
                }
            }
        }
        ast::Value::Array(array) => {
            let mut items = Vec::with_capacity(array.elements.len());
            for (index, element) in array.elements.iter().enumerate() {
                items.push(convert(
                    element,
                    format!("{pointer}/{index}"),
                    spans,
                    path,
                    text,
                )?);
            }
            Value::Array(items)
        }
        ast::Value::Object(object) => {
            let mut map = Map::new();
            for property in &object.properties {
                let key = property.name.as_str().to_string();
                let child = format!("{pointer}/{}", pointer_segment(&key));
                spans.keys.insert(child.clone(), property.range.start);
                let value = convert(&property.value, child, spans, path, text)?;
                map.insert(key, value);
            }
            Value::Object(map)
        }
    })
}

fn toml_table(table: &toml_edit::Table, pointer: String, spans: &mut Spans) -> Value {
    if let Some(span) = table.span() {
        spans.values.insert(pointer.clone(), (span.start, span.end));
    }
    let mut map = Map::new();
    for (key, item) in table.iter() {
        let child = format!("{pointer}/{}", pointer_segment(key));
        if let Some(span) = table.key(key).and_then(toml_edit::Key::span) {
            spans.keys.insert(child.clone(), span.start);
        }
        let value = match item {
            toml_edit::Item::None => continue,
            toml_edit::Item::Value(value) => toml_value(value, child, spans),
            toml_edit::Item::Table(table) => toml_table(table, child, spans),
            toml_edit::Item::ArrayOfTables(tables) => Value::Array(
                tables
                    .iter()
                    .enumerate()
                    .map(|(i, t)| toml_table(t, format!("{child}/{i}"), spans))
                    .collect(),
            ),
        };
        map.insert(key.to_string(), value);
    }
    Value::Object(map)
}

fn toml_value(value: &toml_edit::Value, pointer: String, spans: &mut Spans) -> Value {
    if let Some(span) = value.span() {
        spans.values.insert(pointer.clone(), (span.start, span.end));
    }
    match value {
        toml_edit::Value::String(s) => Value::String(s.value().clone()),
        toml_edit::Value::Integer(n) => Value::from(*n.value()),
        toml_edit::Value::Float(n) => {
            Number::from_f64(*n.value()).map_or(Value::Null, Value::Number)
        }
        toml_edit::Value::Boolean(b) => Value::Bool(*b.value()),
        toml_edit::Value::Datetime(d) => Value::String(d.value().to_string()),
        toml_edit::Value::Array(items) => Value::Array(
            items
                .iter()
                .enumerate()
                .map(|(i, v)| toml_value(v, format!("{pointer}/{i}"), spans))
                .collect(),
        ),
        toml_edit::Value::InlineTable(table) => {
            let mut map = Map::new();
            for (key, v) in table.iter() {
                let child = format!("{pointer}/{}", pointer_segment(key));
                if let Some(span) = table.key(key).and_then(toml_edit::Key::span) {
                    spans.keys.insert(child.clone(), span.start);
                }
                map.insert(key.to_string(), toml_value(v, child, spans));
            }
            Value::Object(map)
        }
    }
}

fn node_range(node: &ast::Value<'_>) -> jsonc_parser::common::Range {
    match node {
        ast::Value::StringLit(v) => v.range,
        ast::Value::NumberLit(v) => v.range,
        ast::Value::BooleanLit(v) => v.range,
        ast::Value::Object(v) => v.range,
        ast::Value::Array(v) => v.range,
        ast::Value::NullKeyword(v) => v.range,
    }
}

/// 1-based line and column (in characters) of a byte offset.
fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..text.floor_char_boundary(offset)];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_point_at_the_value() {
        let text =
            "{\n  // servers\n  \"mcpServers\": {\n    \"a/b\": {\"command\": \"x\",},\n  },\n}\n";
        let source = Source::parse(Path::new("c.json"), text.to_string()).unwrap();
        let error = source.error_at("/mcpServers/a~1b/command", "bad");
        assert_eq!((error.line, error.column), (4, 24));
        assert_eq!(error.field, "mcpServers.a/b.command");
        // A pointer that does not exist falls back to its nearest parent.
        let error = source.error_at("/mcpServers/a~1b/args/0", "missing");
        assert_eq!((error.line, error.column), (4, 12));
        assert_eq!(error.field, "mcpServers.a/b.args[0]");
    }

    #[test]
    fn syntax_errors_name_line_and_column() {
        let error = Source::parse(Path::new("c.json"), "{\n  \"a\": [1 2]\n}".to_string())
            .err()
            .unwrap();
        assert_eq!(error.line, 2);
        assert!(error.to_string().starts_with("c.json:2:"), "{error}");
        let error = Source::parse(Path::new("c.json"), "  ".to_string())
            .err()
            .unwrap();
        assert!(error.to_string().contains("empty"), "{error}");
    }
}
