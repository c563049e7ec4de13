//! Questions servers ask during `codemode run` (MCP elicitation, with `"elicitation": "ask"`),
//! put to the person on the terminal: the server's message, then one prompt per field with
//! its default in brackets (Enter takes it). `n` at the first prompt declines, `c` cancels.
//! Without a terminal on stdin, the question is declined and a note says so. Questions are
//! asked one at a time.
//!
//! Also the values of VS Code's `${input:ID}` that the environment lacks ([`Inputs`]).

use std::future::Future;
use std::io::{BufRead, IsTerminal, Write};
use std::pin::Pin;
use std::sync::Mutex;

use futures::future::BoxFuture;

use serde_json::{Map, Value};

use crate::approval;
use crate::host::elicit::{Answer, Asker, Question};
use crate::printable::escape;

/// The values typed for VS Code inputs, each asked once.
#[derive(Default)]
pub struct Inputs(std::cell::RefCell<std::collections::HashMap<String, Option<String>>>);

impl Inputs {
    /// Asks for `prompt`'s value on the terminal (unseen for a password); an empty answer
    /// gives none.
    pub fn ask(&self, input: &crate::config::Prompt) -> Option<String> {
        if let Some(known) = self.0.borrow().get(&input.id) {
            return known.clone();
        }
        let label = format!(
            "{} (${{input:{}}}): ",
            escape(
                input
                    .description
                    .as_deref()
                    .unwrap_or("a value for the configuration")
            ),
            escape(&input.id)
        );
        let typed = if input.password {
            rpassword::prompt_password(label).ok()
        } else {
            prompt(&mut std::io::stdin().lock(), &label)
        }
        .map(|line| line.trim_end_matches(['\r', '\n']).to_string())
        .filter(|line| !line.is_empty());
        self.0.borrow_mut().insert(input.id.clone(), typed.clone());
        typed
    }
}

/// One question on the terminal at a time, whoever asks.
static TURN: Mutex<()> = Mutex::new(());

#[derive(Default)]
pub struct TerminalAsker;

impl Asker for TerminalAsker {
    fn ask(&self, question: Question) -> Pin<Box<dyn Future<Output = Answer> + Send>> {
        Box::pin(async move {
            tokio::task::spawn_blocking(move || {
                let _turn = TURN.lock().unwrap_or_else(|e| e.into_inner());
                ask(&question)
            })
            .await
            .unwrap_or(Answer::Decline)
        })
    }
}

/// Approval of a tool call (see [`crate::approval`]) asked on the terminal: `y` allows it.
/// Without a terminal on stdin nobody can be asked, and the call is refused.
pub struct TerminalApproval;

impl approval::Ask for TerminalApproval {
    fn cannot_ask(&self) -> Option<String> {
        (!std::io::stdin().is_terminal())
            .then(|| "there is no terminal to ask on (standard input is not a terminal)".into())
    }

    fn other_way(&self) -> Option<&'static str> {
        Some("pass --yes to `codemode run`")
    }

    fn ask<'a>(&'a self, request: &'a approval::Request) -> BoxFuture<'a, approval::Decision> {
        let message = escape(&request.message());
        Box::pin(async move {
            tokio::task::spawn_blocking(move || {
                let _turn = TURN.lock().unwrap_or_else(|e| e.into_inner());
                eprintln!("{message}");
                match prompt(&mut std::io::stdin().lock(), "allow? [y/N] ").as_deref() {
                    Some("y" | "yes") => approval::Decision::Allow,
                    Some(_) => approval::Decision::Decline,
                    None => approval::Decision::Dismiss,
                }
            })
            .await
            .unwrap_or_else(|e| approval::Decision::Failed(e.to_string()))
        })
    }
}

fn ask(question: &Question) -> Answer {
    let server = escape(&question.server);
    if !std::io::stdin().is_terminal() {
        eprintln!(
            "note: {server} asked \"{}\"; declined (no terminal to ask on)",
            escape(&question.message)
        );
        return Answer::Decline;
    }
    let mut input = std::io::stdin().lock();
    eprintln!("{server} asks: {}", escape(&question.message));
    match prompt(&mut input, "answer? [Y/n/c(ancel)] ").as_deref() {
        Some("n" | "no") => return Answer::Decline,
        Some("c" | "cancel") | None => return Answer::Cancel,
        _ => {}
    }
    let required: Vec<&str> = question.schema["required"]
        .as_array()
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let mut content = Map::new();
    let properties = question.schema["properties"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    for (name, property) in &properties {
        loop {
            let mut label = format!("  {}", escape(name));
            if let Some(about) = property["description"]
                .as_str()
                .or(property["title"].as_str())
            {
                label.push_str(&format!(" ({})", escape(about)));
            }
            if let Some(choices) = property["enum"].as_array() {
                let choices: Vec<String> = choices.iter().map(|c| c.to_string()).collect();
                label.push_str(&format!(" {{{}}}", choices.join(", ")));
            }
            if let Some(default) = property.get("default") {
                label.push_str(&format!(" [{default}]"));
            }
            label.push_str(": ");
            let Some(line) = prompt(&mut input, &label) else {
                return Answer::Cancel;
            };
            if line.is_empty() {
                // The default is filled in for the server (host::elicit); an optional
                // field without one is left out.
                if property.get("default").is_some() || !required.contains(&name.as_str()) {
                    break;
                }
                eprintln!("    {name} is required");
                continue;
            }
            match value_of(property, &line) {
                Ok(value) => {
                    content.insert(name.clone(), value);
                    break;
                }
                Err(expected) => eprintln!("    expected {expected}"),
            }
        }
    }
    Answer::Accept(content)
}

/// One line from the person, trimmed; `None` at the end of input.
fn prompt(input: &mut impl BufRead, label: &str) -> Option<String> {
    eprint!("{label}");
    let _ = std::io::stderr().flush();
    let mut line = String::new();
    match input.read_line(&mut line) {
        Ok(0) | Err(_) => None,
        Ok(_) => Some(line.trim().to_string()),
    }
}

/// `text` as the property's type.
fn value_of(property: &Value, text: &str) -> Result<Value, String> {
    if let Some(choices) = property["enum"].as_array() {
        return choices
            .iter()
            .find(|c| {
                c.as_str() == Some(text)
                    || serde_json::from_str::<Value>(text).ok().as_ref() == Some(*c)
            })
            .cloned()
            .ok_or_else(|| "one of the choices".to_string());
    }
    match property["type"].as_str() {
        Some("integer") => text
            .parse::<i64>()
            .map(Value::from)
            .map_err(|_| "a whole number".to_string()),
        Some("number") => text
            .parse::<f64>()
            .ok()
            .and_then(serde_json::Number::from_f64)
            .map(Value::Number)
            .ok_or_else(|| "a number".to_string()),
        Some("boolean") => match text {
            "y" | "yes" | "true" => Ok(Value::Bool(true)),
            "n" | "no" | "false" => Ok(Value::Bool(false)),
            _ => Err("y or n".to_string()),
        },
        _ => Ok(Value::String(text.to_string())),
    }
}
