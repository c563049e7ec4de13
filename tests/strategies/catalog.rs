//! Arbitrary tool catalogs for property tests: names that are identifiers, reserved words,
//! punctuation, comment markers or any unicode, and JSON Schema-like values built from the
//! keywords the generator reads, nested. Shared by `server/tests/codegen.rs` (declarations
//! parse) and `tests/e2e/fuzz.rs` (declarations compile under TypeScript 7).

use codemode::catalog::ToolInfo;
use proptest::prelude::*;
use serde_json::{Value, json};

/// Arbitrary names: identifiers, reserved words, punctuation, comment markers, unicode.
pub fn name() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-zA-Z_][a-zA-Z0-9_-]{0,12}",
        Just("delete".to_string()),
        Just("*/".to_string()),
        Just("__proto__".to_string()),
        Just(String::new()),
        "\\PC{0,8}",
    ]
}

/// Arbitrary JSON Schema-like values: the keywords the generator reads, nested.
pub fn schema() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(json!(true)),
        Just(json!(false)),
        Just(json!({"type": "string"})),
        Just(json!({"type": "integer", "minimum": 0})),
        Just(json!({"type": ["string", "null"]})),
        Just(json!({"$ref": "#"})),
        Just(json!({"$ref": "#/$defs/a"})),
        Just(json!({"$ref": "#/$defs/missing"})),
        Just(json!({"$ref": "http://x/y"})),
        Just(json!(17)),
        name().prop_map(|n| json!({"const": n})),
        prop::collection::vec(name(), 0..4).prop_map(|v| json!({"enum": v})),
        name().prop_map(|d| json!({"type": "boolean", "description": d})),
    ];
    leaf.prop_recursive(5, 48, 6, |inner| {
        prop_oneof![
            (prop::collection::vec((name(), inner.clone()), 0..5), prop::collection::vec(name(), 0..3))
                .prop_map(|(props, required)| {
                    let properties: serde_json::Map<String, Value> = props.into_iter().collect();
                    json!({"type": "object", "properties": properties, "required": required})
                }),
            inner.clone().prop_map(|s| json!({"type": "array", "items": s})),
            prop::collection::vec(inner.clone(), 0..3).prop_map(|v| json!({"anyOf": v})),
            prop::collection::vec(inner.clone(), 0..3).prop_map(|v| json!({"allOf": v})),
            prop::collection::vec(inner.clone(), 0..3).prop_map(|v| json!({"prefixItems": v})),
            inner.clone().prop_map(|s| json!({"type": "object", "additionalProperties": s})),
            (inner.clone(), inner.clone())
                .prop_map(|(a, b)| json!({"$defs": {"a": a}, "anyOf": [b, {"$ref": "#/$defs/a"}]})),
            (inner.clone(), inner).prop_map(|(a, b)| json!({"type": "object", "properties": {"x": b}, "$defs": {"a": {"anyOf": [a, {"$ref": "#/$defs/a"}]}}})),
        ]
    })
}

pub fn tool() -> impl Strategy<Value = ToolInfo> {
    (
        name(),
        schema(),
        prop::option::of(schema()),
        prop::option::of(name()),
    )
        .prop_map(
            |(name, input_schema, output_schema, description)| ToolInfo {
                name,
                title: None,
                description,
                input_schema,
                output_schema,
                annotations: Default::default(),
            },
        )
}
