//! Questions upstream servers ask while a script's tool call runs (MCP elicitation), passed
//! on to the agent's client as form elicitations when it can answer them, else declined.
//! `execute` installs one for the client whose script is running.

use std::future::Future;
use std::pin::Pin;

use rmcp::model::{ElicitRequestParams, ElicitationAction, ElicitationSchema};
use rmcp::service::{Peer, RoleServer};

use crate::host::elicit::{Answer, Asker, Question};

pub struct ClientAsker {
    pub peer: Peer<RoleServer>,
}

impl Asker for ClientAsker {
    fn ask(&self, question: Question) -> Pin<Box<dyn Future<Output = Answer> + Send>> {
        let peer = self.peer.clone();
        Box::pin(async move {
            let can_answer = peer
                .peer_info()
                .and_then(|info| info.capabilities.elicitation.clone())
                .is_some_and(|e| e.form.is_some() || e.url.is_none());
            let Ok(schema) = serde_json::from_value::<ElicitationSchema>(question.schema) else {
                return Answer::Decline;
            };
            if !can_answer {
                return Answer::Decline;
            }
            let params = ElicitRequestParams::FormElicitationParams {
                meta: None,
                message: format!(
                    "The MCP server `{}` asks, while a codemode script runs: {}",
                    question.server, question.message
                ),
                requested_schema: schema,
            };
            match peer.create_elicitation(params).await {
                Ok(answer) => match answer.action {
                    ElicitationAction::Accept => Answer::Accept(
                        answer
                            .content
                            .and_then(|c| c.as_object().cloned())
                            .unwrap_or_default(),
                    ),
                    ElicitationAction::Decline => Answer::Decline,
                    _ => Answer::Cancel,
                },
                Err(error) => {
                    tracing::warn!("passing a server's question on failed: {error}");
                    Answer::Decline
                }
            }
        })
    }
}
