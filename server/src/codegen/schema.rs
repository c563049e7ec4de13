//! JSON Schema (draft-07 and 2020-12, as MCP servers send it) to [`Ty`].
//!
//! Total: every input gives a type. What TypeScript cannot say, or this translator does not
//! understand, becomes `unknown` with a warning. `$ref`s to places inside the document become
//! named types in the server's namespace, which is also how recursive schemas stay finite.
//! See `docs/generated-api.md` for the mapping.

use std::collections::{HashMap, HashSet};

use serde_json::{Map, Value};

use super::names::{pascal_case, string_literal};
use super::ts::{ObjectTy, Property, Ty};

/// Deeper nesting than this is typed `unknown` (real schemas stay far below it).
const MAX_DEPTH: usize = 40;

/// A named type to declare in a namespace.
#[derive(Debug, Clone)]
pub struct Decl {
    pub name: String,
    pub doc: Vec<String>,
    pub ty: Ty,
}

/// The named types of one namespace, in the order they were first needed.
#[derive(Default)]
pub struct Registry {
    pub decls: Vec<Decl>,
    by_identity: HashMap<String, String>,
    used: HashSet<String>,
}

impl Registry {
    /// A name not yet used in this namespace, based on `wanted`.
    pub fn fresh(&mut self, wanted: &str) -> String {
        let mut name = wanted.to_string();
        let mut suffix = 2;
        while !self.used.insert(name.clone()) {
            name = format!("{wanted}{suffix}");
            suffix += 1;
        }
        name
    }
}

/// Translates the schemas of one tool (input or output) against one root document.
pub struct Translator<'a> {
    registry: &'a mut Registry,
    warnings: &'a mut Vec<String>,
    root: &'a Value,
    root_name: &'a str,
    context: String,
    queue: Vec<(String, String)>,
}

impl<'a> Translator<'a> {
    pub fn new(
        registry: &'a mut Registry,
        warnings: &'a mut Vec<String>,
        root: &'a Value,
        root_name: &'a str,
        context: String,
    ) -> Self {
        Translator {
            registry,
            warnings,
            root,
            root_name,
            context,
            queue: Vec::new(),
        }
    }

    /// Declares the root schema as `root_name`, then every type it refers to.
    pub fn declare_root(mut self, doc: Vec<String>) -> Ty {
        let ty = self.ty(self.root, 0);
        self.registry.decls.push(Decl {
            name: self.root_name.to_string(),
            doc,
            ty: ty.clone(),
        });
        while !self.queue.is_empty() {
            let (name, pointer) = self.queue.remove(0);
            let target = self.root.pointer(&pointer).unwrap_or(&Value::Bool(true));
            let ty = self.ty(target, 0);
            let doc = type_doc(target, &name);
            self.registry.decls.push(Decl { name, doc, ty });
        }
        ty
    }

    fn warn(&mut self, message: impl std::fmt::Display) {
        self.warnings.push(format!("{}: {message}", self.context));
    }

    pub fn ty(&mut self, schema: &Value, depth: usize) -> Ty {
        if depth > MAX_DEPTH {
            self.warn(format!(
                "schema nested deeper than {MAX_DEPTH} levels; typed as unknown"
            ));
            return Ty::Unknown;
        }
        let map = match schema {
            Value::Bool(true) => return Ty::Unknown,
            Value::Bool(false) => return Ty::Never,
            Value::Object(map) => map,
            other => {
                self.warn(format!(
                    "{} is not a schema; typed as unknown",
                    kind_of(other)
                ));
                return Ty::Unknown;
            }
        };
        let mut ty = match map.get("$ref") {
            Some(reference) => {
                let named = self.reference(reference);
                if has_structure(map) {
                    let rest = self.structural(map, depth);
                    Ty::intersection(vec![named, rest])
                } else {
                    named
                }
            }
            None => self.structural(map, depth),
        };
        if map.get("nullable") == Some(&Value::Bool(true)) {
            ty = Ty::union(vec![ty, Ty::Keyword("null")]);
        }
        ty
    }

    fn structural(&mut self, map: &Map<String, Value>, depth: usize) -> Ty {
        if let Some(value) = map.get("const") {
            return self.literal(value);
        }
        if let Some(values) = map.get("enum") {
            let Value::Array(values) = values else {
                self.warn("`enum` is not an array; typed as unknown");
                return Ty::Unknown;
            };
            let members = values.iter().map(|v| self.literal(v)).collect();
            return Ty::union(members);
        }
        let mut parts = Vec::new();
        match map.get("type") {
            Some(Value::String(name)) => parts.push(self.of_type(name, map, depth)),
            Some(Value::Array(names)) => {
                let mut members = Vec::new();
                for name in names {
                    match name.as_str() {
                        Some(name) => members.push(self.of_type(name, map, depth)),
                        None => self.warn("a `type` entry is not a string; ignored"),
                    }
                }
                parts.push(Ty::union(members));
            }
            Some(other) => {
                self.warn(format!("`type` is {}; ignored", kind_of(other)));
            }
            None => {
                if [
                    "properties",
                    "additionalProperties",
                    "patternProperties",
                    "required",
                ]
                .iter()
                .any(|k| map.contains_key(*k))
                {
                    parts.push(self.object(map, depth));
                } else if map.contains_key("items") || map.contains_key("prefixItems") {
                    parts.push(self.array(map, depth));
                }
            }
        }
        for key in ["anyOf", "oneOf"] {
            if let Some(list) = self.schema_list(map, key) {
                let members = list.iter().map(|s| self.ty(s, depth + 1)).collect();
                parts.push(Ty::union(members));
            }
        }
        if let Some(list) = self.schema_list(map, "allOf") {
            let members = list.iter().map(|s| self.ty(s, depth + 1)).collect();
            parts.push(Ty::intersection(members));
        }
        Ty::intersection(parts)
    }

    fn schema_list<'s>(
        &mut self,
        map: &'s Map<String, Value>,
        key: &str,
    ) -> Option<&'s Vec<Value>> {
        match map.get(key) {
            None => None,
            Some(Value::Array(list)) if !list.is_empty() => Some(list),
            Some(_) => {
                self.warn(format!("`{key}` is not a non-empty array; ignored"));
                None
            }
        }
    }

    fn of_type(&mut self, name: &str, map: &Map<String, Value>, depth: usize) -> Ty {
        match name {
            "string" => Ty::Keyword("string"),
            "number" | "integer" => Ty::Keyword("number"),
            "boolean" => Ty::Keyword("boolean"),
            "null" => Ty::Keyword("null"),
            "object" => self.object(map, depth),
            "array" => self.array(map, depth),
            "any" => Ty::Unknown,
            other => {
                self.warn(format!("unknown type {other:?}; typed as unknown"));
                Ty::Unknown
            }
        }
    }

    fn object(&mut self, map: &Map<String, Value>, depth: usize) -> Ty {
        let required: Vec<&str> = match map.get("required") {
            Some(Value::Array(list)) => list.iter().filter_map(Value::as_str).collect(),
            _ => Vec::new(),
        };
        let mut object = ObjectTy::default();
        let declared = match map.get("properties") {
            Some(Value::Object(properties)) => Some(properties),
            Some(other) => {
                self.warn(format!("`properties` is {}; ignored", kind_of(other)));
                None
            }
            None => None,
        };
        for (key, schema) in declared.into_iter().flatten() {
            object.properties.push(Property {
                key: key.clone(),
                optional: !required.contains(&key.as_str()),
                ty: self.ty(schema, depth + 1),
                doc: property_doc(key, schema),
            });
        }
        for key in &required {
            if !object.properties.iter().any(|p| p.key == *key) {
                object.properties.push(Property {
                    key: key.to_string(),
                    optional: false,
                    ty: Ty::Unknown,
                    doc: Vec::new(),
                });
            }
        }

        let mut index = Vec::new();
        match map.get("additionalProperties") {
            Some(Value::Bool(false)) => {}
            Some(schema @ (Value::Bool(true) | Value::Object(_))) => {
                index.push(self.ty(schema, depth + 1));
            }
            Some(other) => self.warn(format!(
                "`additionalProperties` is {}; ignored",
                kind_of(other)
            )),
            // No `properties` and no word on other keys: an object of unspecified shape.
            // With `properties`, unlisted keys are refused, so that a misspelt field is an error.
            None if declared.is_none() && !map.contains_key("patternProperties") => {
                index.push(Ty::Unknown);
            }
            None => {}
        }
        if let Some(Value::Object(patterns)) = map.get("patternProperties") {
            for schema in patterns.values() {
                index.push(self.ty(schema, depth + 1));
            }
        }
        if index.is_empty() && object.properties.is_empty() {
            // `{}` in TypeScript accepts any value; an object that takes no keys is this.
            index.push(Ty::Never);
        }
        if !index.is_empty() {
            // Declared properties must fit the index signature; `unknown` always does.
            let ty = if object.properties.is_empty() {
                Ty::union(index)
            } else {
                Ty::Unknown
            };
            object.index = Some(Box::new(ty));
        }
        Ty::Object(object)
    }

    fn array(&mut self, map: &Map<String, Value>, depth: usize) -> Ty {
        let (prefix, rest) = match (map.get("prefixItems"), map.get("items")) {
            (Some(Value::Array(prefix)), items) => (Some(prefix), items),
            (_, Some(Value::Array(prefix))) => (Some(prefix), map.get("additionalItems")),
            _ => (None, None),
        };
        let Some(prefix) = prefix else {
            let element = match map.get("items") {
                Some(schema) => self.ty(schema, depth + 1),
                None => Ty::Unknown,
            };
            return Ty::Array(Box::new(element));
        };
        let min = map.get("minItems").and_then(Value::as_u64).unwrap_or(0) as usize;
        let elements = prefix
            .iter()
            .enumerate()
            .map(|(index, schema)| (self.ty(schema, depth + 1), index >= min))
            .collect();
        let rest = match rest {
            Some(Value::Bool(false)) => None,
            Some(schema) => Some(Box::new(self.ty(schema, depth + 1))),
            None => Some(Box::new(Ty::Unknown)),
        };
        Ty::Tuple { elements, rest }
    }

    fn literal(&mut self, value: &Value) -> Ty {
        match value {
            Value::String(text) => Ty::Literal(string_literal(text)),
            Value::Number(number) => Ty::Literal(number.to_string()),
            Value::Bool(b) => Ty::Literal(b.to_string()),
            Value::Null => Ty::Keyword("null"),
            other => {
                self.warn(format!(
                    "{} as a literal type; typed as unknown",
                    kind_of(other)
                ));
                Ty::Unknown
            }
        }
    }

    /// A `$ref` as a named type, queued for declaration when first seen.
    fn reference(&mut self, reference: &Value) -> Ty {
        let Some(reference) = reference.as_str() else {
            self.warn("`$ref` is not a string; typed as unknown");
            return Ty::Unknown;
        };
        let Some(mut pointer) = reference.strip_prefix('#').map(str::to_string) else {
            self.warn(format!(
                "$ref {reference:?} points outside this schema; typed as unknown"
            ));
            return Ty::Unknown;
        };
        // A ref to a ref is the same type: follow aliases so no named type is a bare alias.
        let mut seen = HashSet::new();
        loop {
            if pointer.is_empty() {
                return Ty::Named(self.root_name.to_string());
            }
            if !seen.insert(pointer.clone()) {
                self.warn(format!(
                    "$ref {reference:?} only refers to itself; typed as unknown"
                ));
                return Ty::Unknown;
            }
            let Some(target) = self.root.pointer(&pointer) else {
                self.warn(format!(
                    "$ref {reference:?} points at nothing; typed as unknown"
                ));
                return Ty::Unknown;
            };
            match target.as_object() {
                Some(map) if !has_structure(map) && map.contains_key("$ref") => {
                    match map
                        .get("$ref")
                        .and_then(Value::as_str)
                        .and_then(|r| r.strip_prefix('#'))
                    {
                        Some(next) => pointer = next.to_string(),
                        None => return self.reference(&map["$ref"]),
                    }
                }
                _ => break,
            }
        }
        let target = self.root.pointer(&pointer).unwrap_or(&Value::Null);
        let identity = self.identity(&pointer, target);
        if let Some(name) = self.registry.by_identity.get(&identity) {
            return Ty::Named(name.clone());
        }
        let last = pointer.rsplit('/').next().unwrap_or_default();
        let last = last.replace("~1", "/").replace("~0", "~");
        let wanted = match target.get("title").and_then(Value::as_str) {
            Some(title) if last.chars().all(|c| c.is_ascii_digit()) => pascal_case(title),
            _ => pascal_case(&last),
        };
        let name = self.registry.fresh(&wanted);
        self.registry.by_identity.insert(identity, name.clone());
        self.queue.push((name.clone(), pointer));
        Ty::Named(name)
    }

    /// Two references name the same type when they lead to the same schema in documents
    /// whose definitions are the same (so their own references agree too).
    fn identity(&self, pointer: &str, target: &Value) -> String {
        let text = target.to_string();
        let scope = if text.contains("\"#\"") {
            self.root.to_string()
        } else {
            let defs = self
                .root
                .get("$defs")
                .map(Value::to_string)
                .unwrap_or_default();
            let definitions = self
                .root
                .get("definitions")
                .map(Value::to_string)
                .unwrap_or_default();
            format!("{defs}\u{0}{definitions}")
        };
        let name = pointer.rsplit('/').next().unwrap_or_default();
        format!("{name}\u{0}{text}\u{0}{scope}")
    }
}

/// Whether a schema says anything about the shape of values besides a `$ref`.
fn has_structure(map: &Map<String, Value>) -> bool {
    [
        "type",
        "properties",
        "additionalProperties",
        "patternProperties",
        "required",
        "items",
        "prefixItems",
        "anyOf",
        "oneOf",
        "allOf",
        "enum",
        "const",
    ]
    .iter()
    .any(|k| map.contains_key(*k))
}

fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// The documentation of a named type: its title and description.
fn type_doc(schema: &Value, name: &str) -> Vec<String> {
    let mut doc = Vec::new();
    if let Some(description) = schema.get("description").and_then(Value::as_str) {
        doc.push(description.to_string());
    } else if let Some(title) = schema.get("title").and_then(Value::as_str)
        && pascal_case(title) != name
    {
        doc.push(title.to_string());
    }
    doc
}

/// The documentation of a property: its description, a title that says more than the
/// key, and the schema's default, format, bounds and examples as tags.
fn property_doc(key: &str, schema: &Value) -> Vec<String> {
    let mut doc = Vec::new();
    let normalize = |s: &str| -> String {
        s.chars()
            .filter(|c| c.is_alphanumeric())
            .flat_map(char::to_lowercase)
            .collect()
    };
    if let Some(title) = schema.get("title").and_then(Value::as_str)
        && normalize(title) != normalize(key)
    {
        doc.push(title.to_string());
    }
    if let Some(description) = schema.get("description").and_then(Value::as_str) {
        match doc.first_mut() {
            // Title and description read as one sentence: `Title: description`.
            Some(title) if !description.contains(['\n', '\r']) => {
                title.push_str(": ");
                title.push_str(description);
            }
            Some(_) => {
                doc.push(String::new());
                doc.push(description.to_string());
            }
            None => doc.push(description.to_string()),
        }
    }
    let tags = [
        ("default", "@default"),
        ("format", "@format"),
        ("minimum", "@minimum"),
        ("maximum", "@maximum"),
        ("exclusiveMinimum", "@exclusiveMinimum"),
        ("exclusiveMaximum", "@exclusiveMaximum"),
        ("minLength", "@minLength"),
        ("maxLength", "@maxLength"),
        ("pattern", "@pattern"),
        ("minItems", "@minItems"),
        ("maxItems", "@maxItems"),
    ];
    for (keyword, tag) in tags {
        if let Some(value) = schema.get(keyword) {
            let text = match value {
                Value::String(s) if keyword == "format" || keyword == "pattern" => s.clone(),
                other => other.to_string(),
            };
            doc.push(format!("{tag} {text}"));
        }
    }
    if let Some(Value::Array(examples)) = schema.get("examples") {
        for example in examples.iter().take(3) {
            doc.push(format!("@example {example}"));
        }
    }
    if schema.get("deprecated") == Some(&Value::Bool(true)) {
        doc.push("@deprecated".to_string());
    }
    doc
}
