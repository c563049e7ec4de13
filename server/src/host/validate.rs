//! Tool results checked against their tool's `outputSchema` before a script sees them, as
//! the MCP specification asks of clients: the generated API promises the script a value of
//! that type, so a server that breaks its own schema (a number sent as a string) gets a
//! `ToolError` naming the place and what was expected, never a wrongly typed value.
//!
//! Validators (JSON Schema 2020-12 unless the schema says otherwise, `jsonschema`) are
//! compiled on a tool's first call and kept until the server's tool list changes. A schema
//! that cannot be compiled (a remote `$ref`, say) is not enforced; that is logged once.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use serde_json::Value;

use crate::catalog::ToolInfo;

#[derive(Default)]
pub(super) struct Validators {
    /// By tool name; `None`: the tool has no schema, or it could not be compiled.
    compiled: Mutex<HashMap<String, Option<Arc<jsonschema::Validator>>>>,
}

impl Validators {
    /// Forgets every validator (the server's tools changed).
    pub fn clear(&self) {
        self.compiled
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
    }

    /// Whether `value` is what `tool`'s output schema allows; else what is wrong with it.
    pub fn check(&self, server: &str, tool: &ToolInfo, value: &Value) -> Result<(), String> {
        let Some(validator) = self.validator(server, tool) else {
            return Ok(());
        };
        let problems: Vec<String> = validator
            .iter_errors(value)
            .take(3)
            .map(|error| {
                let path = error.instance_path().to_string();
                let at = if path.is_empty() {
                    "/".to_string()
                } else {
                    path
                };
                format!("at {at}: {error}")
            })
            .collect();
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems.join("; "))
        }
    }

    fn validator(&self, server: &str, tool: &ToolInfo) -> Option<Arc<jsonschema::Validator>> {
        if let Some(found) = self
            .compiled
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&tool.name)
        {
            return found.clone();
        }
        let compiled = tool.output_schema.as_ref().and_then(|schema| {
            jsonschema::validator_for(schema)
                .inspect_err(|error| {
                    tracing::warn!(
                        "{server}.{}: its outputSchema cannot be compiled ({error}); its results are not checked",
                        tool.name
                    );
                })
                .ok()
                .map(Arc::new)
        });
        self.compiled
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(tool.name.clone(), compiled.clone());
        compiled
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn tool(name: &str, schema: Value) -> ToolInfo {
        serde_json::from_value(
            json!({"name": name, "inputSchema": {"type": "object"}, "outputSchema": schema}),
        )
        .unwrap()
    }

    #[test]
    fn results_that_break_their_schema_say_where_and_what_was_expected() {
        let validators = Validators::default();
        let counting = tool(
            "count",
            json!({
                "type": "object",
                "properties": {"count": {"type": "number"}, "items": {"type": "array", "items": {"type": "string"}}},
                "required": ["count"]
            }),
        );
        assert_eq!(
            validators.check("s", &counting, &json!({"count": 3, "items": ["a"]})),
            Ok(())
        );
        assert_eq!(
            validators.check("s", &counting, &json!({"count": "3"})),
            Err(r#"at /count: "3" is not of type "number""#.to_string())
        );
        assert_eq!(
            validators.check("s", &counting, &json!({"items": ["a", 2]})),
            Err(
                r#"at /: "count" is a required property; at /items/1: 2 is not of type "string""#
                    .to_string()
            )
        );
        // A tool without a schema, or with one that cannot be compiled, is not checked.
        let untyped: ToolInfo = serde_json::from_value(json!({"name": "x"})).unwrap();
        assert_eq!(validators.check("s", &untyped, &json!("anything")), Ok(()));
        let broken = tool(
            "broken",
            json!({"$ref": "https://example.invalid/schema.json"}),
        );
        assert_eq!(validators.check("s", &broken, &json!(1)), Ok(()));
    }
}
