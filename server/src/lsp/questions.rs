//! Questions upstream servers ask while a script's tool call runs (MCP elicitation, with
//! `"elicitation": "ask"`), put to the person in the editor with `window/showMessageRequest`:
//! its buttons can answer a form with no fields (Accept / Decline), one yes/no or one-of-a-
//! list field (a button per choice), or a form whose every field has a default ("Accept
//! defaults"). A form that needs typed text cannot be answered with buttons: it is declined
//! with a message saying to run the script from a terminal (`codemode run`), which asks.

use std::future::Future;
use std::pin::Pin;

use serde_json::{Map, Value};
use tower_lsp_server::Client;
use tower_lsp_server::ls_types::{MessageActionItem, MessageType};

use crate::host::elicit::{Answer, Asker, Question};

const ACCEPT: &str = "Accept";
const DEFAULTS: &str = "Accept defaults";
const DECLINE: &str = "Decline";

pub struct EditorAsker {
    pub client: Client,
    /// The client shows message requests.
    pub can_ask: bool,
}

/// How a form maps onto buttons: the titles, and the content each one answers.
#[derive(Debug, PartialEq)]
enum Buttons {
    /// Each title, and the fields it accepts with.
    Choices(Vec<(String, Map<String, Value>)>),
    /// Typed text is needed.
    Unanswerable,
}

/// The buttons that answer `schema` (an object of primitive properties).
fn buttons(schema: &Value) -> Buttons {
    let properties = schema["properties"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    let required: Vec<&str> = schema["required"]
        .as_array()
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    if properties.is_empty() {
        return Buttons::Choices(vec![(ACCEPT.to_string(), Map::new())]);
    }
    if properties.len() == 1 {
        let (name, property) = properties.iter().next().expect("one property");
        let choices: Vec<Value> = match (property["type"].as_str(), property["enum"].as_array()) {
            (_, Some(values)) => values.clone(),
            (Some("boolean"), None) => vec![Value::Bool(true), Value::Bool(false)],
            _ => Vec::new(),
        };
        if !choices.is_empty() {
            return Buttons::Choices(
                choices
                    .into_iter()
                    .map(|choice| {
                        let title = match &choice {
                            Value::Bool(true) => "Yes".to_string(),
                            Value::Bool(false) => "No".to_string(),
                            Value::String(text) => text.clone(),
                            other => other.to_string(),
                        };
                        (title, Map::from_iter([(name.clone(), choice)]))
                    })
                    .collect(),
            );
        }
    }
    // Defaults are filled in by the host for the fields left out.
    let answerable = properties.iter().all(|(name, property)| {
        property.get("default").is_some() || !required.contains(&name.as_str())
    });
    if answerable {
        return Buttons::Choices(vec![(DEFAULTS.to_string(), Map::new())]);
    }
    Buttons::Unanswerable
}

impl Asker for EditorAsker {
    fn ask(&self, question: Question) -> Pin<Box<dyn Future<Output = Answer> + Send>> {
        let client = self.client.clone();
        let can_ask = self.can_ask;
        Box::pin(async move {
            let asked = format!(
                "codemode: the MCP server `{}` asks: {}",
                crate::printable::escape(&question.server),
                crate::printable::escape(&question.message)
            );
            let why = match buttons(&question.schema) {
                Buttons::Choices(_) if !can_ask => "this editor cannot show questions",
                Buttons::Choices(choices) => return put(&client, asked, choices).await,
                Buttons::Unanswerable => {
                    "the answer needs typing, which the editor cannot offer here"
                }
            };
            client
                .show_message(
                    MessageType::WARNING,
                    format!(
                        "{asked} — declined: {why}. Run the script in a terminal \
                         (`codemode run FILE`) to answer it."
                    ),
                )
                .await;
            Answer::Decline
        })
    }
}

/// Asks `asked` with a button per choice, and Decline.
async fn put(client: &Client, asked: String, choices: Vec<(String, Map<String, Value>)>) -> Answer {
    let mut actions: Vec<MessageActionItem> = choices
        .iter()
        .map(|(title, _)| MessageActionItem {
            title: title.clone(),
            properties: Default::default(),
        })
        .collect();
    actions.push(MessageActionItem {
        title: DECLINE.to_string(),
        properties: Default::default(),
    });
    match client
        .show_message_request(MessageType::INFO, asked, Some(actions))
        .await
    {
        Ok(Some(item)) if item.title == DECLINE => Answer::Decline,
        Ok(Some(item)) => choices
            .into_iter()
            .find(|(title, _)| *title == item.title)
            .map_or(Answer::Cancel, |(_, content)| Answer::Accept(content)),
        Ok(None) => Answer::Cancel,
        Err(error) => {
            tracing::warn!("asking the editor failed: {error}");
            Answer::Decline
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn check(schema: Value, expect: &[(&str, Value)]) {
        let got = match buttons(&schema) {
            Buttons::Choices(choices) => choices
                .into_iter()
                .map(|(title, content)| (title, Value::Object(content)))
                .collect::<Vec<_>>(),
            Buttons::Unanswerable => Vec::new(),
        };
        let expect: Vec<(String, Value)> = expect
            .iter()
            .map(|(title, content)| (title.to_string(), content.clone()))
            .collect();
        assert_eq!(got, expect, "{schema}");
    }

    #[test]
    fn forms_become_buttons_where_buttons_can_answer() {
        check(
            json!({"type": "object", "properties": {}}),
            &[("Accept", json!({}))],
        );
        check(
            json!({"type": "object", "properties": {"size": {"type": "string", "enum": ["S", "L"]}}}),
            &[("S", json!({"size": "S"})), ("L", json!({"size": "L"}))],
        );
        check(
            json!({"type": "object", "properties": {"ok": {"type": "boolean"}}}),
            &[("Yes", json!({"ok": true})), ("No", json!({"ok": false}))],
        );
        check(
            json!({"type": "object", "required": ["n", "who"], "properties": {
                "n": {"type": "integer", "default": 2},
                "who": {"type": "string", "default": "me"},
                "note": {"type": "string"}
            }}),
            &[("Accept defaults", json!({}))],
        );
        // Typed text needed: nothing a button can say.
        check(
            json!({"type": "object", "required": ["name"], "properties": {"name": {"type": "string"}}}),
            &[],
        );
    }
}
