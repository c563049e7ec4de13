//! Questions upstream servers ask while a script's tool call runs (MCP elicitation), passed
//! on to the person behind the agent's client as forms when it can show them, else declined.
//! `execute` installs one for the client whose script is running.

use std::future::Future;
use std::pin::Pin;

use rmcp::model::ElicitationSchema;

use super::person::{Form, Person, Reply};
use crate::host::elicit::{Answer, Asker, Question};

pub struct ClientAsker {
    pub person: Person,
}

impl Asker for ClientAsker {
    fn ask(&self, question: Question) -> Pin<Box<dyn Future<Output = Answer> + Send>> {
        let person = self.person.clone();
        Box::pin(async move {
            let Ok(schema) = serde_json::from_value::<ElicitationSchema>(question.schema) else {
                return Answer::Decline;
            };
            if !person.can_ask() {
                return Answer::Decline;
            }
            let form = Form {
                message: format!(
                    "The MCP server `{}` asks, while a codemode script runs: {}",
                    question.server, question.message
                ),
                schema,
            };
            match person.ask(form).await {
                Ok(Reply::Accept(content)) => Answer::Accept(content),
                Ok(Reply::Decline) => Answer::Decline,
                Ok(Reply::Cancel) => Answer::Cancel,
                Err(error) => {
                    tracing::warn!("passing a server's question on failed: {error}");
                    Answer::Decline
                }
            }
        })
    }
}
