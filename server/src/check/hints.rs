//! Hints for models: what would be valid where TypeScript found an error (the tools of a
//! namespace, the fields of an API type, the shape a tool's input takes, what a script can
//! use at all). Computed here, from the generated API, the script's syntax and the
//! diagnostic itself, so every engine gives the same hints.

use super::Diagnostic;
use super::api_model::{ApiModel, Member, Namespace, Shape};
use super::syntax;

/// Names listed at most in a hint.
const MAX_NAMES: usize = 60;
/// A shape longer than this is written less deep.
const MAX_SHAPE: usize = 900;
/// Codes of "this value does not fit that type".
const ASSIGNABILITY: &[u32] = &[2322, 2345, 2739, 2740, 2741, 2559, 2769, 2820, 2353, 2561];

/// What a result without an output schema is, and how to read it.
const UNTYPED_RESULT: &str = "this tool declares no output schema, so its result is a ToolResult: `.text` (its text blocks, joined), `.json()` (that text parsed as JSON), `.content` (every block), `.structured` (structured content, if sent)";

/// Why `Intl` is not a value (`LIB` declares its option types only), and what to use.
const NO_INTL: &str = "the sandbox has no Intl (QuickJS-ng lacks it): format numbers and dates with toFixed, toISOString, padStart and the like";

/// Adds a hint to each diagnostic of `script` that one helps.
pub fn add(diagnostics: &mut [Diagnostic], model: &ApiModel, script: &str) {
    // The API calls around the values that do not fit, the script parsed once for all.
    let misfits: Vec<Option<u32>> = diagnostics
        .iter()
        .map(|d| {
            ASSIGNABILITY
                .contains(&d.code)
                .then(|| syntax::offset_of(script, d.line, d.column))
                .flatten()
        })
        .collect();
    let offsets: Vec<u32> = misfits.iter().flatten().copied().collect();
    let mut calls = syntax::calls_at(script, &offsets).into_iter();
    for (diagnostic, misfit) in diagnostics.iter_mut().zip(misfits) {
        let call = misfit.and_then(|_| calls.next().flatten());
        diagnostic.hint = hint(diagnostic, model, script, call.as_ref());
    }
}

/// The hint for `diagnostic`; `call` is the API call around it, for a value that does not
/// fit.
fn hint(
    diagnostic: &Diagnostic,
    model: &ApiModel,
    script: &str,
    call: Option<&syntax::ApiCall>,
) -> Option<String> {
    match diagnostic.code {
        // Property 'x' does not exist on type 'T'. (Did you mean 'y'?)
        2339 | 2551 if type_named(&diagnostic.message) == Some("ToolResult") => {
            Some(UNTYPED_RESULT.into())
        }
        2339 | 2551 => members(&diagnostic.message, model),
        2345 if diagnostic.message.starts_with("Argument of type 'ToolResult'") => {
            Some(UNTYPED_RESULT.into())
        }
        // Cannot find name 'module' (`module.exports = x`).
        2580 | 2591 | 2304 if diagnostic.message.starts_with("Cannot find name 'module'") => {
            Some(
                "there is no `module` in the sandbox: a script's result is its default export (`export default value`)"
                    .into(),
            )
        }
        // Cannot find name 'x' (Did you mean...? Do you need to install type definitions...?)
        2304 | 2552 | 2580 | 2591 | 2584 | 2583 => {
            let start = syntax::offset_of(script, diagnostic.line, diagnostic.column)?;
            let end = syntax::offset_of(script, diagnostic.end_line, diagnostic.end_column)?;
            let name = script.get(start as usize..end as usize)?;
            // `import … from "fs"`: TypeScript names the module, quotes and all.
            if name.starts_with(['"', '\'']) {
                return Some(format!(
                    "scripts cannot import anything: {}",
                    namespaces_sentence(model)
                ));
            }
            crate::codegen::is_identifier(name).then(|| {
                format!(
                    "scripts run in a sandbox with ECMAScript 2023 and no DOM or Node.js APIs (no fetch, require, process, setTimeout); {}",
                    namespaces_sentence(model)
                )
            })
        }
        // Cannot use namespace 'Intl' as a value: the lib keeps Intl's option types only.
        2708 if diagnostic.message.contains("'Intl'") => Some(NO_INTL.into()),
        // Cannot find module 'x'.
        2307 | 2792 => Some(format!(
            "scripts cannot import anything: {}",
            namespaces_sentence(model)
        )),
        code if ASSIGNABILITY.contains(&code) => {
            let call = call?;
            let callee = &call.callee;
            let namespace = model.namespace(&call.namespace)?;
            let (_, input) = namespace
                .functions
                .iter()
                .find(|(f, _)| *f == call.function)?;
            Some(match input {
                None => format!("{callee} takes no input"),
                Some(shape) => format!("{callee} takes {}", write_shape(shape, namespace)),
            })
        }
        _ => None,
    }
}

/// The type a "does not exist on type 'T'" message names.
pub(super) fn type_named(message: &str) -> Option<&str> {
    let first = message.lines().next()?;
    let (_, rest) = first.split_once(" on type '")?;
    let end = rest.rfind("'.").or_else(|| rest.rfind('\''))?;
    Some(&rest[..end])
}

/// The names a property access could have used: a namespace's tools, an API type's fields.
/// The script's own and the lib's types get none (TypeScript's "Did you mean" is enough).
fn members(message: &str, model: &ApiModel) -> Option<String> {
    let named = type_named(message)?;
    if let Some(namespace) = named
        .strip_prefix("typeof ")
        .and_then(|n| model.namespace(n))
    {
        if namespace.functions.is_empty() {
            return None;
        }
        let names: Vec<String> = namespace.functions.iter().map(|(f, _)| f.clone()).collect();
        return Some(format!(
            "{} has these tools: {}",
            namespace.name,
            list(&names, ", ")
        ));
    }
    let (namespace, shape) = model.named(named)?;
    let Shape::Object { members, index } = resolve(shape, namespace, 8)? else {
        return None;
    };
    let shown = fields(members, index.as_deref(), namespace, 1);
    (!shown.is_empty()).then(|| format!("{named} has: {}", list(&shown, "; ")))
}

fn namespaces_sentence(model: &ApiModel) -> String {
    if model.namespaces.is_empty() {
        return "the configured MCP servers have no tools".into();
    }
    let names: Vec<String> = model.namespaces.iter().map(|n| n.name.clone()).collect();
    format!(
        "MCP tools are the only way out, through the global namespaces {}, plus console and ToolError",
        list(&names, ", ")
    )
}

fn list(names: &[String], separator: &str) -> String {
    if names.len() <= MAX_NAMES {
        return names.join(separator);
    }
    format!(
        "{}{separator}… ({} more)",
        names[..MAX_NAMES].join(separator),
        names.len() - MAX_NAMES
    )
}

/// A named API type's definition, through aliases (at most `hops` of them).
pub(super) fn resolve<'m>(
    shape: &'m Shape,
    namespace: &'m Namespace,
    hops: usize,
) -> Option<&'m Shape> {
    match shape {
        Shape::Named(name) if hops > 0 => resolve(namespace.types.get(name)?, namespace, hops - 1),
        Shape::Named(_) => None,
        other => Some(other),
    }
}

/// A type written out structurally, up to four levels of object types deep, shallower when
/// that is too long, for a model to copy from.
fn write_shape(shape: &Shape, namespace: &Namespace) -> String {
    let mut depth = 4;
    loop {
        let text = write(shape, namespace, depth, false);
        if text.len() <= MAX_SHAPE || depth == 0 {
            return text;
        }
        depth -= 1;
    }
}

/// `shape` with object types spelt out `depth` levels deep; an optional property's type
/// leaves out the `undefined` its `?` already says.
fn write(shape: &Shape, namespace: &Namespace, depth: usize, optional: bool) -> String {
    match shape {
        Shape::Union(members) => members
            .iter()
            .filter(|m| !(optional && **m == Shape::Undefined))
            .map(|m| write(m, namespace, depth, false))
            .collect::<Vec<_>>()
            .join(" | "),
        _ if depth == 0 => flat(shape),
        Shape::Named(name) => match namespace.types.get(name) {
            Some(definition) if !matches!(definition, Shape::Named(_)) => {
                write(definition, namespace, depth, optional)
            }
            _ => name.clone(),
        },
        Shape::Array(element) => {
            let element = write(element, namespace, depth, false);
            if element
                .chars()
                .all(|c| c.is_alphanumeric() || c == '_' || c == '.')
            {
                format!("{element}[]")
            } else {
                format!("Array<{element}>")
            }
        }
        Shape::Object { members, index } => {
            let parts = fields(members, index.as_deref(), namespace, depth - 1);
            if parts.is_empty() {
                "{}".into()
            } else {
                format!("{{ {} }}", parts.join("; "))
            }
        }
        Shape::Text(_) | Shape::Undefined => flat(shape),
    }
}

/// An object type's properties (`key?: type`) and index signature, their types written
/// `depth` levels deep.
fn fields(
    members: &[Member],
    index: Option<&Shape>,
    namespace: &Namespace,
    depth: usize,
) -> Vec<String> {
    let mut parts: Vec<String> = members
        .iter()
        .map(|m| {
            let mark = if m.optional { "?" } else { "" };
            format!(
                "{}{mark}: {}",
                m.key,
                write(&m.shape, namespace, depth, m.optional)
            )
        })
        .collect();
    if let Some(index) = index {
        parts.push(format!(
            "[key: string]: {}",
            write(index, namespace, depth, false)
        ));
    }
    parts
}

/// `shape` as a type name would be written: named types by name.
fn flat(shape: &Shape) -> String {
    match shape {
        Shape::Text(text) => text.clone(),
        Shape::Undefined => "undefined".into(),
        Shape::Named(name) => name.clone(),
        Shape::Array(element) => match **element {
            Shape::Union(_) => format!("({})[]", flat(element)),
            _ => format!("{}[]", flat(element)),
        },
        Shape::Union(members) => members.iter().map(flat).collect::<Vec<_>>().join(" | "),
        Shape::Object { members, index } => {
            let mut parts: Vec<String> = members
                .iter()
                .map(|m| {
                    format!(
                        "{}{}: {}",
                        m.key,
                        if m.optional { "?" } else { "" },
                        flat(&m.shape)
                    )
                })
                .collect();
            if let Some(index) = index {
                parts.push(format!("[key: string]: {}", flat(index)));
            }
            if parts.is_empty() {
                "{}".into()
            } else {
                format!("{{ {}; }}", parts.join("; "))
            }
        }
    }
}
