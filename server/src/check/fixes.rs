//! Quick fixes: the edits that make a diagnostic go away where the answer is clear, computed
//! from the same data the hints use (the generated API, the script's syntax, the diagnostic
//! itself), so every engine gives the same fixes. Editors offer them as code actions; models
//! read them first in the diagnostic's hint (`codemode check --json`, `serve`).
//!
//! - a misspelt tool or field → the name that exists (TypeScript's "Did you mean", or the API
//!   name written another way: `read_graph` → `readGraph`);
//! - a tool's result used without `await` → the `await`;
//! - a property read on an untyped `ToolResult` → `.json()` or `.text`;
//! - `JSON.parse(result)` of a tool's result → `result.json()`;
//! - top-level `return x` or `module.exports = x` → `export default x`;
//! - `import`/`require` of a Node module → the server namespace that does its job, if any.

use serde::{Deserialize, Serialize};

use super::Diagnostic;
use super::api_model::{ApiModel, Shape};
use super::hints;
use super::syntax;

/// One way to fix a diagnostic: edits of the script, in the diagnostic's coordinates.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Fix {
    /// What it does, as a model or a menu reads it ("Change `readGrahp` to `readGraph`").
    pub title: String,
    /// Whether it is the one answer (an editor may apply it without asking).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub preferred: bool,
    pub edits: Vec<Edit>,
}

/// Replaces the text between two 1-based positions (columns in UTF-16 code units).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Edit {
    pub line: u32,
    pub column: u32,
    pub end_line: u32,
    pub end_column: u32,
    pub new_text: String,
}

/// Names closer than this (Jaro-Winkler) to a misspelling are offered for it.
const CLOSE: f64 = 0.88;

/// Adds the fixes of each diagnostic of `script`, and puts their titles first in its hint.
pub fn add(diagnostics: &mut [Diagnostic], model: &ApiModel, script: &str) {
    for diagnostic in diagnostics.iter_mut() {
        let fixes = fixes(diagnostic, model, script);
        if fixes.is_empty() {
            continue;
        }
        let titles: Vec<&str> = fixes.iter().map(|f| f.title.as_str()).collect();
        let lead = format!("fix: {}", titles.join(", or "));
        diagnostic.hint = Some(match diagnostic.hint.take() {
            Some(hint) => format!("{lead}; {hint}"),
            None => lead,
        });
        diagnostic.fixes = fixes;
    }
}

fn fixes(diagnostic: &Diagnostic, model: &ApiModel, script: &str) -> Vec<Fix> {
    let Some(span) = Span::of(diagnostic, script) else {
        return Vec::new();
    };
    let message = diagnostic.message.lines().next().unwrap_or_default();
    match diagnostic.code {
        // Did you mean 'x'? (a property, a name, an object literal's key)
        2551 | 2552 | 2561 => quoted_after(message, "Did you mean ")
            .or_else(|| quoted_after(message, "Did you mean to write "))
            .map(|name| vec![rename(script, span, &name)])
            .unwrap_or_default(),
        2339 => property_fixes(message, model, script, span),
        // Argument of type 'ToolResult' is not assignable to parameter of type 'string'
        // (`JSON.parse(result)`).
        2345 if message.starts_with("Argument of type 'ToolResult'") => {
            json_parse(script, span).into_iter().collect()
        }
        // Object literal may only specify known properties, and 'x' does not exist in type 'T'.
        2353 => {
            let Some(named) = quoted_after(message, "does not exist in type ") else {
                return Vec::new();
            };
            let wrong = span.text(script);
            closest(wrong, &type_members(model, &named))
                .map(|name| vec![rename(script, span, &name)])
                .unwrap_or_default()
        }
        // A 'return' statement can only be used within a function body.
        1108 => export_default(script, span).into_iter().collect(),
        // Cannot find module 'm' (or name 'node:fs', as TypeScript says of Node's own); cannot
        // find name 'require'.
        2307 | 2792 | 2304 | 2580 | 2591 => {
            let fix = if span.text(script) == "module" {
                module_exports(script, span)
            } else if span.text(script) == "require" {
                syntax::require_at(script, span.start)
                    .and_then(|required| replace_require(script, &required, model))
            } else {
                syntax::import_at(script, span.start)
                    .and_then(|import| replace_import(script, &import, model))
            };
            fix.into_iter().collect()
        }
        _ => Vec::new(),
    }
}

/// Property 'x' does not exist on type 'T': a tool or field that exists, the missing
/// `await`, or a read of an untyped result.
fn property_fixes(message: &str, model: &ApiModel, script: &str, span: Span) -> Vec<Fix> {
    let Some(named) = hints::type_named(message) else {
        return Vec::new();
    };
    let wrong = span.text(script);
    if named.starts_with("Promise<") {
        return missing_await(script, span).into_iter().collect();
    }
    if named == "ToolResult" {
        return untyped_result(script, span);
    }
    let names = match named.strip_prefix("typeof ") {
        Some(namespace) => model
            .namespace(namespace)
            .map(|n| n.functions.iter().map(|(f, _)| f.clone()).collect())
            .unwrap_or_default(),
        None => type_members(model, named),
    };
    closest(wrong, &names)
        .map(|name| vec![rename(script, span, &name)])
        .unwrap_or_default()
}

/// The fields of a named API type (through aliases).
fn type_members(model: &ApiModel, named: &str) -> Vec<String> {
    let Some((namespace, shape)) = model.named(named) else {
        return Vec::new();
    };
    match hints::resolve(shape, namespace, 8) {
        Some(Shape::Object { members, .. }) => members.iter().map(|m| m.key.clone()).collect(),
        _ => Vec::new(),
    }
}

/// The one name among `names` that `wrong` means: the same name written another way
/// (`read_graph`, `ReadGraph` for `readGraph`), else the single closest by spelling.
fn closest(wrong: &str, names: &[String]) -> Option<String> {
    let plain = |name: &str| {
        name.chars()
            .filter(|c| *c != '_' && *c != '-')
            .flat_map(char::to_lowercase)
            .collect::<String>()
    };
    let same: Vec<&String> = names.iter().filter(|n| plain(n) == plain(wrong)).collect();
    if let [one] = same.as_slice() {
        return Some((*one).clone());
    }
    let mut scored: Vec<(f64, &String)> = names
        .iter()
        .map(|n| (strsim::jaro_winkler(&plain(n), &plain(wrong)), n))
        .filter(|(score, _)| *score >= CLOSE)
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0));
    match scored.as_slice() {
        [(best, name), rest @ ..] if rest.first().is_none_or(|(next, _)| next < best) => {
            Some((*name).clone())
        }
        _ => None,
    }
}

fn rename(script: &str, span: Span, name: &str) -> Fix {
    Fix {
        title: format!("Change `{}` to `{name}`", span.text(script)),
        preferred: true,
        edits: vec![span.replace(script, name)],
    }
}

/// `x.prop` where `x` is a tool's promise: `(await call).prop`, or `await` where `x` was
/// declared from the call.
fn missing_await(script: &str, span: Span) -> Option<Fix> {
    let member = syntax::member_at(script, span.start)?;
    let (at, text) = match member.object {
        syntax::Object::Call => {
            let object = Span {
                start: member.object_start,
                end: member.object_end,
            };
            let call = object.text(script);
            return Some(Fix {
                title: format!("Add `await`: `(await {call})`"),
                preferred: true,
                edits: vec![object.replace(script, &format!("(await {call})"))],
            });
        }
        syntax::Object::Name(name) => {
            let start = syntax::unawaited_initializer(script, &name)?;
            (start, format!("Add `await` where `{name}` is declared"))
        }
        syntax::Object::Other => return None,
    };
    Some(Fix {
        title: text,
        preferred: true,
        edits: vec![Span { start: at, end: at }.replace(script, "await ")],
    })
}

/// `result.prop` on a tool result without an output schema: its JSON, or its text.
fn untyped_result(script: &str, span: Span) -> Vec<Fix> {
    let Some(member) = syntax::member_at(script, span.start) else {
        return Vec::new();
    };
    let object = Span {
        start: member.object_start,
        end: member.object_end,
    };
    let object_text = object.text(script);
    let property = span.text(script);
    let whole = Span {
        start: member.object_start,
        end: span.end,
    };
    vec![
        Fix {
            title: format!("Read the result as JSON: `({object_text}.json() as any).{property}`"),
            preferred: false,
            edits: vec![
                whole.replace(script, &format!("({object_text}.json() as any).{property}")),
            ],
        },
        Fix {
            title: format!("Use the result's text: `{object_text}.text`"),
            preferred: false,
            edits: vec![span.replace(script, "text")],
        },
    ]
}

/// `return x` at the top level → `export default x` (a script's result).
fn export_default(script: &str, span: Span) -> Option<Fix> {
    let rest = script.get(span.start as usize..)?;
    let after = rest.strip_prefix("return")?;
    let value = after.trim_start_matches([' ', '\t']);
    if value.is_empty() || value.starts_with([';', '\n', '\r', '}']) {
        return None;
    }
    let keyword = Span {
        start: span.start,
        end: span.start + "return".len() as u32,
    };
    Some(Fix {
        title:
            "Write `export default` instead of `return`: a script's result is its default export"
                .into(),
        preferred: true,
        edits: vec![keyword.replace(script, "export default")],
    })
}

/// `JSON.parse(result)` of a tool's result → `result.json()`.
fn json_parse(script: &str, span: Span) -> Option<Fix> {
    let call = syntax::json_parse_at(script, span.start)?;
    let argument = span.text(script);
    let whole = Span {
        start: call.0,
        end: call.1,
    };
    Some(Fix {
        title: format!(
            "Use `{argument}.json()`: a tool's result is a ToolResult, and `.json()` parses its text"
        ),
        preferred: true,
        edits: vec![whole.replace(script, &format!("{argument}.json()"))],
    })
}

/// `module.exports = x` → `export default x`.
fn module_exports(script: &str, span: Span) -> Option<Fix> {
    let rest = script.get(span.start as usize..)?;
    let after = rest.strip_prefix("module")?.trim_start();
    let after = after.strip_prefix('.')?.trim_start();
    let after = after.strip_prefix("exports")?.trim_start();
    let value = after.strip_prefix('=')?;
    if value.starts_with('=') {
        return None;
    }
    let end = span.start + (rest.len() - value.len()) as u32;
    let statement = Span {
        start: span.start,
        end,
    };
    Some(Fix {
        title: "Write `export default` instead of `module.exports =`".into(),
        preferred: true,
        edits: vec![statement.replace(script, "export default")],
    })
}

/// The namespace that does what Node module `module` does, when the API has exactly one.
fn namespace_for(module: &str, model: &ApiModel) -> Option<String> {
    let module = module.strip_prefix("node:").unwrap_or(module);
    let module = module.split('/').next().unwrap_or(module);
    let names: &[&str] = match module {
        "fs" | "fs-extra" | "graceful-fs" => &["filesystem", "fs", "files", "file"],
        "child_process" | "execa" | "shelljs" => &["shell", "terminal", "exec", "commands"],
        "http" | "https" | "node-fetch" | "axios" | "undici" | "got" => {
            &["fetch", "http", "web", "browser"]
        }
        "sqlite3" | "better-sqlite3" | "pg" | "mysql" | "mysql2" => {
            &["sqlite", "postgres", "mysql", "database", "db"]
        }
        "simple-git" | "isomorphic-git" => &["git", "github"],
        other => return model.namespace(other).map(|n| n.name.clone()),
    };
    let found: Vec<&str> = model
        .namespaces
        .iter()
        .map(|n| n.name.as_str())
        .filter(|n| names.contains(n))
        .collect();
    match found.as_slice() {
        [one] => Some(one.to_string()),
        _ => None,
    }
}

fn replace_import(script: &str, import: &syntax::Import, model: &ApiModel) -> Option<Fix> {
    let namespace = namespace_for(&import.module, model)?;
    let binding = match &import.binding {
        syntax::Binding::Name(name) => name.clone(),
        syntax::Binding::Names(names) => format!("{{ {} }}", names.join(", ")),
        syntax::Binding::Nothing => return None,
    };
    let statement = Span {
        start: import.start,
        end: import.end,
    };
    Some(Fix {
        title: format!(
            "Use the `{namespace}` namespace: `const {binding} = {namespace};` (scripts import nothing; MCP tools are globals)"
        ),
        preferred: true,
        edits: vec![statement.replace(script, &format!("const {binding} = {namespace};"))],
    })
}

fn replace_require(script: &str, required: &syntax::Require, model: &ApiModel) -> Option<Fix> {
    let namespace = namespace_for(&required.module, model)?;
    let call = Span {
        start: required.start,
        end: required.end,
    };
    Some(Fix {
        title: format!(
            "Use the `{namespace}` namespace instead of `{}` (MCP tools are globals)",
            call.text(script)
        ),
        preferred: true,
        edits: vec![call.replace(script, &namespace)],
    })
}

/// The text after `lead` in single quotes: `'x'` in "Did you mean 'x'?".
fn quoted_after(message: &str, lead: &str) -> Option<String> {
    let (_, rest) = message.split_once(lead)?;
    let rest = rest.strip_prefix('\'')?;
    // Up to the last quote before the end of the sentence (a type may hold quotes).
    let end = rest
        .rfind("'?")
        .or_else(|| rest.rfind("'."))
        .or_else(|| rest.rfind('\''))?;
    Some(rest[..end].to_string())
}

/// A diagnostic's place in the script as byte offsets.
#[derive(Debug, Clone, Copy)]
struct Span {
    start: u32,
    end: u32,
}

impl Span {
    fn of(diagnostic: &Diagnostic, script: &str) -> Option<Span> {
        let start = syntax::offset_of(script, diagnostic.line, diagnostic.column)?;
        let end = syntax::offset_of(script, diagnostic.end_line, diagnostic.end_column)?;
        (start <= end).then_some(Span { start, end })
    }

    fn text(self, script: &str) -> &str {
        script
            .get(self.start as usize..self.end as usize)
            .unwrap_or_default()
    }

    fn replace(self, script: &str, new_text: &str) -> Edit {
        let (line, column) = syntax::position_of(script, self.start);
        let (end_line, end_column) = syntax::position_of(script, self.end);
        Edit {
            line,
            column,
            end_line,
            end_column,
            new_text: new_text.to_string(),
        }
    }
}

/// `text` with `edits` applied (they do not overlap).
pub fn apply(text: &str, edits: &[Edit]) -> Option<String> {
    let mut spans: Vec<(u32, u32, &str)> = edits
        .iter()
        .map(|e| {
            Some((
                syntax::offset_of(text, e.line, e.column)?,
                syntax::offset_of(text, e.end_line, e.end_column)?,
                e.new_text.as_str(),
            ))
        })
        .collect::<Option<_>>()?;
    spans.sort_by_key(|s| std::cmp::Reverse(s.0));
    let mut out = text.to_string();
    for (start, end, new_text) in spans {
        out.replace_range(start as usize..end as usize, new_text);
    }
    Some(out)
}

#[cfg(test)]
mod tests;
