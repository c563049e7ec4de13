//! Names in the generated API: how server keys, tool names and schema titles become
//! TypeScript identifiers.
//!
//! Rules (documented in `docs/generated-api.md`):
//! - a server's namespace is its config key in camelCase (`my-server` → `myServer`);
//! - a tool's function is its name in camelCase over non-alphanumerics (`create_entities` →
//!   `createEntities`, `get-sum` → `getSum`, `GET_USER` → `getUser`);
//! - a word that is reserved in JavaScript or TypeScript, or a global of the script
//!   environment, gets a trailing `_` (`delete` → `delete_`, `console` → `console_`);
//! - a name that starts with a digit gets a leading `_` (`2fa` → `_2fa`), an empty one
//!   becomes `tool` (or `server`);
//! - when two names meet, they are sorted by their original text and the later ones get
//!   `_2`, `_3`, … in that order, so the result never depends on the order a server lists them.

use std::collections::{BTreeMap, HashSet};

/// Words that cannot name a function or namespace: ECMAScript reserved words, strict-mode
/// reserved words, and TypeScript's own keywords that are unsafe as declaration names.
const RESERVED_WORDS: &[&str] = &[
    "abstract",
    "any",
    "arguments",
    "as",
    "asserts",
    "async",
    "await",
    "bigint",
    "boolean",
    "break",
    "case",
    "catch",
    "class",
    "const",
    "continue",
    "debugger",
    "declare",
    "default",
    "delete",
    "do",
    "else",
    "enum",
    "eval",
    "export",
    "extends",
    "false",
    "finally",
    "for",
    "from",
    "function",
    "global",
    "if",
    "implements",
    "import",
    "in",
    "infer",
    "instanceof",
    "interface",
    "is",
    "keyof",
    "let",
    "module",
    "namespace",
    "never",
    "new",
    "null",
    "number",
    "object",
    "of",
    "package",
    "private",
    "protected",
    "public",
    "readonly",
    "require",
    "return",
    "satisfies",
    "static",
    "string",
    "super",
    "switch",
    "symbol",
    "this",
    "throw",
    "true",
    "try",
    "type",
    "typeof",
    "undefined",
    "unique",
    "unknown",
    "var",
    "void",
    "while",
    "with",
    "yield",
];

/// Globals a script sees (ECMAScript's and codemode's own): a namespace of that name would
/// collide with them.
const SCRIPT_GLOBALS: &[&str] = &[
    "AggregateError",
    "Array",
    "ArrayBuffer",
    "Atomics",
    "BigInt",
    "BigInt64Array",
    "BigUint64Array",
    "Boolean",
    "ContentBlock",
    "DataView",
    "Date",
    "Error",
    "EvalError",
    "FinalizationRegistry",
    "Float32Array",
    "Float64Array",
    "Function",
    "Infinity",
    "Int16Array",
    "Int32Array",
    "Int8Array",
    "Intl",
    "JSON",
    "Map",
    "Math",
    "NaN",
    "Number",
    "Object",
    "Promise",
    "Proxy",
    "RangeError",
    "ReferenceError",
    "Reflect",
    "RegExp",
    "Set",
    "SharedArrayBuffer",
    "String",
    "Symbol",
    "SyntaxError",
    "ToolError",
    "ToolResult",
    "TypeError",
    "URIError",
    "Uint16Array",
    "Uint32Array",
    "Uint8Array",
    "Uint8ClampedArray",
    "WeakMap",
    "WeakRef",
    "WeakSet",
    "console",
    "decodeURI",
    "decodeURIComponent",
    "encodeURI",
    "encodeURIComponent",
    "globalThis",
    "isFinite",
    "isNaN",
    "parseFloat",
    "parseInt",
];

/// Type names the generated declarations themselves refer to, or that would confuse a
/// reader if a schema redefined them inside a namespace.
const RESERVED_TYPES: &[&str] = &[
    "Array",
    "Boolean",
    "ContentBlock",
    "McpPrompts",
    "McpResources",
    "Date",
    "Error",
    "Function",
    "Map",
    "Number",
    "Object",
    "Partial",
    "Promise",
    "Readonly",
    "Record",
    "Set",
    "String",
    "Symbol",
    "ToolError",
    "ToolResult",
];

/// `create_entities` → `createEntities`; the rules are in this module's doc.
pub fn camel_case(name: &str) -> String {
    let mut out = String::new();
    for (index, word) in words(name).into_iter().enumerate() {
        let word = if word.chars().count() > 1 && word.chars().all(|c| !c.is_lowercase()) {
            word.to_lowercase()
        } else {
            word
        };
        let mut chars = word.chars();
        let Some(first) = chars.next() else { continue };
        if index == 0 {
            out.extend(first.to_lowercase());
        } else {
            out.extend(first.to_uppercase());
        }
        out.push_str(chars.as_str());
    }
    out
}

/// `time_result` → `TimeResult`; always a valid identifier that starts with a capital
/// when the script has capitals (`2nd` → `T2nd`).
pub fn pascal_case(name: &str) -> String {
    let camel = camel_case(name);
    let mut chars = camel.chars();
    let mut out: String = match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => return "Type".to_string(),
    };
    if !out.starts_with(unicode_ident::is_xid_start) {
        out.insert(0, 'T');
    }
    if RESERVED_TYPES.contains(&out.as_str()) {
        out.push('_');
    }
    out
}

/// A value identifier (function or namespace) from `name`, never empty, never reserved.
fn value_identifier(name: &str, fallback: &str) -> String {
    let mut id = camel_case(name);
    if id.is_empty() {
        id = fallback.to_string();
    }
    if !id.starts_with(unicode_ident::is_xid_start) && !id.starts_with('_') {
        id.insert(0, '_');
    }
    if RESERVED_WORDS.contains(&id.as_str()) || SCRIPT_GLOBALS.contains(&id.as_str()) {
        id.push('_');
    }
    id
}

/// Identifiers for a list of names (tool names of one server, or server keys), in the
/// input order, with collisions resolved as this module's doc says.
pub fn assign(names: &[&str], fallback: &str) -> Vec<String> {
    let mut by_candidate: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (index, name) in names.iter().enumerate() {
        by_candidate
            .entry(value_identifier(name, fallback))
            .or_default()
            .push(index);
    }
    let mut taken: HashSet<String> = by_candidate.keys().cloned().collect();
    let mut out = vec![String::new(); names.len()];
    for (candidate, mut indexes) in by_candidate {
        indexes.sort_by(|&a, &b| names[a].cmp(names[b]).then(a.cmp(&b)));
        let mut suffix = 2;
        for (rank, index) in indexes.into_iter().enumerate() {
            if rank == 0 {
                out[index] = candidate.clone();
                continue;
            }
            let name = loop {
                let attempt = format!("{candidate}_{suffix}");
                suffix += 1;
                if taken.insert(attempt.clone()) {
                    break attempt;
                }
            };
            out[index] = name;
        }
    }
    out
}

/// A property key as TypeScript must write it: bare when it is an identifier, quoted otherwise.
pub fn property_key(key: &str) -> String {
    if is_identifier(key) {
        key.to_string()
    } else {
        string_literal(key)
    }
}

/// A string as a TypeScript string literal (JSON's escaping is valid TypeScript), with
/// DEL, C1 and bidirectional controls (which JSON leaves raw) escaped too, so none reaches a
/// declaration file or a hover as it is.
pub fn string_literal(text: &str) -> String {
    let json = serde_json::to_string(text).unwrap_or_else(|_| "\"\"".to_string());
    if !json.chars().any(crate::printable::is_unsafe) {
        return json;
    }
    let mut out = String::with_capacity(json.len() + 12);
    for c in json.chars() {
        if crate::printable::is_unsafe(c) {
            out.push_str(&format!("\\u{:04X}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

/// Whether `text` is an identifier as TypeScript reads one (letters, `_`, `$`).
pub fn is_identifier(text: &str) -> bool {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) if unicode_ident::is_xid_start(first) || first == '_' || first == '$' => {
            chars.all(|c| unicode_ident::is_xid_continue(c) || c == '$')
        }
        _ => false,
    }
}

fn words(name: &str) -> Vec<String> {
    name.split(|c: char| !unicode_ident::is_xid_continue(c) || c == '_')
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn camel_cases_tool_names() {
        for (name, expected) in [
            ("create_entities", "createEntities"),
            ("get-sum", "getSum"),
            ("getTinyImage", "getTinyImage"),
            ("GET_USER", "getUser"),
            ("list URLs v2", "listURLsV2"),
            ("git.status", "gitStatus"),
            ("__init__", "init"),
            ("données_météo", "donnéesMétéo"),
        ] {
            assert_eq!(camel_case(name), expected, "{name}");
        }
    }

    #[test]
    fn identifiers_are_never_reserved_or_invalid() {
        let names = ["delete", "2fa", "???", "", "console", "type", "constructor"];
        assert_eq!(
            assign(&names, "tool"),
            [
                "delete_",
                "_2fa",
                // "" sorts before "???", so it keeps the plain name.
                "tool_2",
                "tool",
                "console_",
                "type_",
                "constructor"
            ]
        );
    }

    #[test]
    fn collisions_resolve_by_original_name_not_list_order() {
        assert_eq!(
            assign(&["get-sum", "get_sum"], "tool"),
            ["getSum", "getSum_2"]
        );
        assert_eq!(
            assign(&["get_sum", "get-sum"], "tool"),
            ["getSum_2", "getSum"]
        );
        assert_eq!(
            assign(&["a_b", "a-b", "aB_2"], "tool"),
            ["aB_2", "aB", "aB2"]
        );
        assert_eq!(assign(&["x", "x_", "x_2"], "tool"), ["x", "x_2", "x2"]);
    }

    #[test]
    fn type_names() {
        assert_eq!(pascal_case("time_result"), "TimeResult");
        assert_eq!(pascal_case("2nd"), "T2nd");
        assert_eq!(pascal_case("promise"), "Promise_");
        assert_eq!(pascal_case(""), "Type");
    }

    #[test]
    fn property_keys_are_quoted_when_needed() {
        assert_eq!(property_key("name"), "name");
        assert_eq!(property_key("$ref"), "$ref");
        assert_eq!(property_key("content-type"), "\"content-type\"");
        assert_eq!(property_key("a\"b*/"), "\"a\\\"b*/\"");
        assert_eq!(property_key("1x"), "\"1x\"");
    }
}
