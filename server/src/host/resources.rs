//! Resources and prompts for scripts: `resources/list`, `resources/read`,
//! `resources/templates/list`, `prompts/list` and `prompts/get` on one server, with its tool
//! timeout, under the policy (each named like a tool: `server.resources/read`) and in the
//! audit log like a tool call. The answers are MCP's own JSON (lists whole, every page read).

use rmcp::model::{GetPromptRequestParams, ReadResourceRequestParams};
use rmcp::service::ServiceError;
use serde_json::{Map, Value};

use super::call::CallError;
use super::{Host, State};

pub use crate::catalog::ServerRequest as Request;
pub use crate::catalog::{GET_PROMPT, READ};

/// What the audit log hashes as a request's arguments.
fn arguments(request: &Request) -> Option<Map<String, Value>> {
    match request {
        Request::ReadResource { uri } => Some(Map::from_iter([(
            "uri".to_string(),
            Value::from(uri.as_str()),
        )])),
        Request::GetPrompt { name, arguments } => Some(Map::from_iter([
            ("name".to_string(), Value::from(name.as_str())),
            ("arguments".to_string(), Value::Object(arguments.clone())),
        ])),
        _ => None,
    }
}

impl Host {
    /// Asks `server` for `request`; its answer as MCP writes it (`contents` of a read, the
    /// list of a list, `{description, messages}` of a prompt).
    pub async fn request(&self, server: &str, request: Request) -> Result<Value, CallError> {
        let method = request.method();
        let Some(entry) = self.servers.iter().find(|s| s.config.name == server) else {
            return Err(CallError::UnknownServer {
                server: server.to_string(),
            });
        };
        let audit = self.audit_begin(server, method, arguments(&request).as_ref())?;
        let answer = if self.policy.permits(server, method) {
            match self.ensure_started(entry).await {
                Ok(()) => ask(entry, &request).await,
                Err(error) => Err(error),
            }
        } else {
            Err(CallError::Denied {
                server: server.to_string(),
                tool: method.to_string(),
            })
        };
        super::audit_finish(audit, answer.as_ref().map(|_| false));
        answer
    }
}

async fn ask(server: &super::Server, request: &Request) -> Result<Value, CallError> {
    let name = &server.config.name;
    let method = request.method();
    let peer = match &*server.state.read().unwrap_or_else(|e| e.into_inner()) {
        State::Ready { peer, .. } => peer.clone(),
        State::Failed { error, stderr, .. } => {
            return Err(CallError::Unavailable {
                server: name.clone(),
                error: error.clone(),
                stderr: stderr.clone(),
            });
        }
        State::Known { .. } => {
            return Err(CallError::Unavailable {
                server: name.clone(),
                error: "it was not started".to_string(),
                stderr: Vec::new(),
            });
        }
    };
    let offered = peer
        .peer_info()
        .map(|info| match request {
            Request::ListPrompts | Request::GetPrompt { .. } => info.capabilities.prompts.is_some(),
            _ => info.capabilities.resources.is_some(),
        })
        .unwrap_or(false);
    if !offered {
        return Err(CallError::Protocol {
            server: name.clone(),
            tool: method.to_string(),
            message: format!(
                "the server offers no {}",
                if method.starts_with("prompts") {
                    "prompts"
                } else {
                    "resources"
                }
            ),
        });
    }
    let asked = async {
        let json = |value: Result<Value, serde_json::Error>| {
            value.map_err(|e| {
                ServiceError::McpError(rmcp::ErrorData::internal_error(e.to_string(), None))
            })
        };
        match request {
            Request::ListResources => json(serde_json::to_value(peer.list_all_resources().await?)),
            Request::ReadResource { uri } => {
                let read = peer
                    .read_resource(ReadResourceRequestParams::new(uri.clone()))
                    .await?;
                json(serde_json::to_value(read.contents))
            }
            Request::ListTemplates => json(serde_json::to_value(
                peer.list_all_resource_templates().await?,
            )),
            Request::ListPrompts => json(serde_json::to_value(peer.list_all_prompts().await?)),
            Request::GetPrompt { name, arguments } => {
                let mut params = GetPromptRequestParams::new(name.clone());
                params.arguments = Some(arguments.clone());
                json(serde_json::to_value(peer.get_prompt(params).await?))
            }
        }
    };
    let timeout = server.config.tool_timeout;
    match tokio::time::timeout(timeout, asked).await {
        Err(_) => Err(CallError::Timeout {
            server: name.clone(),
            tool: method.to_string(),
            after: timeout,
        }),
        Ok(Err(error)) => Err(CallError::Protocol {
            server: name.clone(),
            tool: method.to_string(),
            message: server.config.redact(&error.to_string()),
        }),
        Ok(Ok(value)) => Ok(value),
    }
}
