//! The supervisor of one `execute`: asks the person behind the MCP client (a form
//! elicitation, see `person.rs`) before the script calls a tool that may be destructive, or refuses it with
//! the configuration change that would allow it; and reports each finished tool call as an
//! MCP progress notification when the client asked for progress.
//!
//! Each tool is asked about once per run, one question at a time, so a fan-out of fifty
//! deletions is one question.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use futures::future::BoxFuture;
use rmcp::model::{ElicitationSchema, ProgressNotificationParam, ProgressToken};
use rmcp::service::{Peer, RoleServer};
use tokio::sync::{Mutex, mpsc};

use super::person::{Form, Person, Reply};
use crate::catalog::{ServerTools, ToolInfo};
use crate::config::Origin;
use crate::host::Host;
use crate::runtime::{Supervisor, ToolCallRecord};

pub struct Approvals {
    person: Person,
    host: Arc<Host>,
    /// The tools the run's API was generated from.
    catalog: Arc<Vec<ServerTools>>,
    /// Where the configuration is, for the refusal's advice.
    origin: Origin,
    decided: Mutex<HashMap<(String, String), Result<(), String>>>,
    /// Progress messages, sent in order by one task, when the client asked for progress.
    progress: Option<mpsc::UnboundedSender<String>>,
}

impl Approvals {
    pub fn new(
        peer: Peer<RoleServer>,
        person: Person,
        host: Arc<Host>,
        catalog: Arc<Vec<ServerTools>>,
        origin: Origin,
        progress: Option<ProgressToken>,
    ) -> Approvals {
        let progress = progress.map(|token| {
            let (sender, mut messages) = mpsc::unbounded_channel::<String>();
            let peer = peer.clone();
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
            person,
            host,
            catalog,
            origin,
            decided: Mutex::new(HashMap::new()),
            progress,
        }
    }

    /// Reports progress, when the client asked for it.
    pub fn progress(&self, message: String) {
        if let Some(progress) = &self.progress {
            let _ = progress.send(message);
        }
    }

    /// The tool as the run's API has it, else as the host has it now (a server that came
    /// up or changed its tools during the run): a tool is never unknown to approval while
    /// the host would call it.
    fn tool_info(&self, server: &str, tool: &str) -> Option<ToolInfo> {
        crate::catalog::find_tool(&self.catalog, server, tool)
            .cloned()
            .or_else(|| crate::catalog::find_tool(&self.host.catalog(), server, tool).cloned())
    }

    async fn decide(&self, server: &str, tool: &ToolInfo) -> Result<(), String> {
        let name = format!("{server}.{}", tool.name);
        let hints = describe_hints(tool, self.host.policy().trusts(server));
        if !self.person.can_ask() {
            return Err(format!(
                "{name} {hints} and needs a person's approval, but this MCP client cannot ask \
                 (it does not support elicitation), so the call was refused. To allow it, add \
                 \"{name}\" to \"autoApprove\" (or set \"allowDestructive\": true) in the \
                 \"codemode\" section of {}.",
                self.config_file()
            ));
        }
        let message = format!(
            "A codemode script wants to call {name}, which {hints}.{}\n\nAllow it for this run?",
            tool.description
                .as_deref()
                .and_then(|d| d.lines().find(|l| !l.trim().is_empty()))
                .map(|d| format!("\n\n{name}: {}", d.trim()))
                .unwrap_or_default()
        );
        let form = Form {
            message,
            schema: ElicitationSchema::new(BTreeMap::new()),
        };
        match self.person.ask(form).await {
            Ok(Reply::Accept(_)) => Ok(()),
            Ok(reply) => Err(format!(
                "{name} was not approved (the person {}); the call was refused. Do not \
                 retry it unless they ask you to.",
                match reply {
                    Reply::Cancel => "dismissed the question",
                    _ => "declined",
                }
            )),
            Err(error) => Err(format!(
                "{name} needs approval and asking for it failed ({error}); the call was refused"
            )),
        }
    }

    fn config_file(&self) -> String {
        match &self.origin {
            Origin::File(path) => path.display().to_string(),
            // The `codemode` section cannot go in another client's file.
            Origin::Client { .. } | Origin::BuiltinDefault => {
                "a codemode.json configuration file".to_string()
            }
        }
    }
}

/// Why a tool needs approval, in words.
fn describe_hints(tool: &ToolInfo, trusted: bool) -> &'static str {
    match (
        tool.annotations.read_only_hint,
        tool.annotations.destructive_hint,
    ) {
        (_, Some(true)) => "is marked destructive by its server",
        (Some(true), _) | (_, Some(false)) if !trusted => {
            "says it is safe, but its server is not trusted to say so (\"trusted\": true on \
             the server's entry believes it), so it may be destructive"
        }
        (None, None) => "does not say whether it changes anything (so it may be destructive)",
        _ => {
            "may change or delete things (its server does not mark it read-only or non-destructive)"
        }
    }
}

impl Supervisor for Approvals {
    fn approve<'a>(&'a self, server: &'a str, tool: &'a str) -> BoxFuture<'a, Result<(), String>> {
        Box::pin(async move {
            let Some(info) = self.tool_info(server, tool) else {
                // Unknown to the host as well: it refuses the call with its own message.
                return Ok(());
            };
            if !self.host.policy().needs_approval(server, &info) {
                return Ok(());
            }
            let key = (server.to_string(), tool.to_string());
            let mut decided = self.decided.lock().await;
            if let Some(decision) = decided.get(&key) {
                return decision.clone();
            }
            let decision = self.decide(server, &info).await;
            decided.insert(key, decision.clone());
            decision
        })
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
