//! The supervisor of one `execute`: approval per call (see [`crate::approval`]) asked of the
//! person behind the MCP client as a form elicitation (see `person.rs`), and each finished
//! tool call reported as an MCP progress notification when the client asked for progress.

use futures::future::BoxFuture;
use rmcp::model::{ElicitationSchema, ProgressNotificationParam, ProgressToken};
use rmcp::service::{Peer, RoleServer};
use std::collections::BTreeMap;
use tokio::sync::mpsc;

use super::person::{Form, Person, Reply};
use crate::approval::{self, Ask, Decision, Request};
use crate::runtime::{Supervisor, ToolCallRecord};
use crate::workspace::Workspace;

pub struct Approvals {
    approvals: approval::Approvals<PersonAsk>,
    /// Progress messages, sent in order by one task, when the client asked for progress.
    progress: Option<mpsc::UnboundedSender<String>>,
}

/// The person behind the MCP client, asked with a yes/no form.
struct PersonAsk(Person);

impl Ask for PersonAsk {
    fn cannot_ask(&self) -> Option<String> {
        (!self.0.can_ask())
            .then(|| "this MCP client cannot ask (it does not support elicitation)".into())
    }

    fn ask<'a>(&'a self, request: &'a Request) -> BoxFuture<'a, Decision> {
        Box::pin(async move {
            let form = Form {
                message: request.message(),
                schema: ElicitationSchema::new(BTreeMap::new()),
            };
            match self.0.ask(form).await {
                Ok(Reply::Accept(_)) => Decision::Allow,
                Ok(Reply::Decline) => Decision::Decline,
                Ok(Reply::Cancel) => Decision::Dismiss,
                Err(error) => Decision::Failed(error),
            }
        })
    }
}

impl Approvals {
    pub fn new(
        peer: Peer<RoleServer>,
        person: Person,
        workspace: &Workspace,
        progress: Option<ProgressToken>,
    ) -> Approvals {
        let progress = progress.map(|token| {
            let (sender, mut messages) = mpsc::unbounded_channel::<String>();
            tokio::spawn(async move {
                let mut step = 0u32;
                while let Some(message) = messages.recv().await {
                    step += 1;
                    let mut param = ProgressNotificationParam::new(token.clone(), f64::from(step));
                    param.message = Some(message);
                    if let Err(error) = peer.notify_progress(param).await {
                        tracing::debug!("cannot send progress: {error}");
                        return;
                    }
                }
            });
            sender
        });
        Approvals {
            approvals: approval::Approvals::new(PersonAsk(person), workspace),
            progress,
        }
    }

    /// Reports progress, when the client asked for it.
    pub fn progress(&self, message: String) {
        if let Some(progress) = &self.progress {
            let _ = progress.send(message);
        }
    }
}

impl Supervisor for Approvals {
    fn approve<'a>(&'a self, server: &'a str, tool: &'a str) -> BoxFuture<'a, Result<(), String>> {
        Box::pin(self.approvals.approve(server, tool))
    }

    fn called(&self, record: &ToolCallRecord) {
        self.progress(format!(
            "{}.{} {} {} ms",
            record.server,
            record.tool,
            if record.ok { "✓" } else { "✗" },
            record.ms
        ));
    }
}
