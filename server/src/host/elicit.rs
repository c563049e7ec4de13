//! Questions a server asks the person while one of its tools runs (MCP elicitation, form
//! mode). The configuration decides whether they reach anyone (`codemode.elicitation`:
//! `"decline"`, the default, or `"ask"`); the front end in use installs the [`Asker`] that
//! puts them to the person — a terminal for `run`, the agent's client for `serve`. Without
//! one, the answer is "decline". An accepted form gets the schema's defaults for the fields
//! the person left out, as the specification says (SEP-1034).

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, RwLock};

use serde_json::{Map, Value};

/// What a server asks.
#[derive(Debug, Clone)]
pub struct Question {
    pub server: String,
    pub message: String,
    /// The requested schema: an object of primitive properties.
    pub schema: Value,
}

/// What the person answered.
#[derive(Debug, Clone, PartialEq)]
pub enum Answer {
    Accept(Map<String, Value>),
    Decline,
    Cancel,
}

/// Whoever puts questions to the person.
pub trait Asker: Send + Sync + 'static {
    fn ask(&self, question: Question) -> Pin<Box<dyn Future<Output = Answer> + Send>>;
}

/// The asker in use, installed by the front end after the host starts.
#[derive(Clone, Default)]
pub struct Askers(Arc<RwLock<Option<Arc<dyn Asker>>>>);

impl Askers {
    pub fn set(&self, asker: Arc<dyn Asker>) {
        *self.0.write().unwrap_or_else(|e| e.into_inner()) = Some(asker);
    }

    /// Puts `question` to the person, or declines when nobody is there to ask.
    pub async fn ask(&self, question: Question) -> Answer {
        let asker = self.0.read().unwrap_or_else(|e| e.into_inner()).clone();
        match asker {
            Some(asker) => match asker.ask(question.clone()).await {
                Answer::Accept(content) => Answer::Accept(with_defaults(&question.schema, content)),
                other => other,
            },
            None => Answer::Decline,
        }
    }
}

/// `content` with each property of `schema` that it lacks and that has a `default`.
pub fn with_defaults(schema: &Value, mut content: Map<String, Value>) -> Map<String, Value> {
    if let Some(properties) = schema.get("properties").and_then(Value::as_object) {
        for (name, property) in properties {
            if let Some(default) = property.get("default")
                && !content.contains_key(name)
            {
                content.insert(name.clone(), default.clone());
            }
        }
    }
    content
}

#[cfg(test)]
mod tests {
    use expect_test::{Expect, expect};
    use serde_json::json;

    use super::with_defaults;

    fn check(schema: serde_json::Value, content: serde_json::Value, expect: Expect) {
        let content = content.as_object().cloned().unwrap();
        let filled = with_defaults(&schema, content);
        expect.assert_eq(&serde_json::Value::Object(filled).to_string());
    }

    #[test]
    fn defaults_fill_only_what_the_person_left_out() {
        let schema = json!({"type": "object", "properties": {
            "seats": {"type": "integer", "default": 2},
            "window": {"type": "boolean", "default": true},
            "name": {"type": "string"},
            "tone": {"type": "string", "enum": ["calm", "loud"], "default": "calm"}
        }});
        check(
            schema.clone(),
            json!({}),
            expect![[r#"{"seats":2,"window":true,"tone":"calm"}"#]],
        );
        check(
            schema.clone(),
            json!({"seats": 5, "window": false, "name": "Ada"}),
            expect![[r#"{"seats":5,"window":false,"name":"Ada","tone":"calm"}"#]],
        );
        check(
            json!({"type": "object"}),
            json!({"x": 1}),
            expect![[r#"{"x":1}"#]],
        );
    }
}
