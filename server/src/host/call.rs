//! `tools/call`: one call to one server, its timeout, and what came back as plain data.
//!
//! A call is never retried (tools need not be idempotent). A server whose connection closes
//! during a call is marked failed, with its stderr tail, for every later caller.

use std::fmt;
use std::time::Duration;

use rmcp::model::CallToolRequestParams;
use rmcp::service::ServiceError;
use serde_json::{Map, Value};

use super::connect::seconds;
use super::{Server, State};

/// What a tool answered.
#[derive(Debug, Clone, PartialEq)]
pub struct ToolOutput {
    /// The content blocks, as the server sent them (`{"type": "text", "text": ...}`, ...).
    pub content: Vec<Value>,
    /// `structuredContent`, when sent.
    pub structured: Option<Value>,
    /// The tool said the call failed (`isError`).
    pub is_error: bool,
}

impl ToolOutput {
    /// The text blocks joined with newlines.
    pub fn text(&self) -> String {
        self.content
            .iter()
            .filter(|block| block.get("type").and_then(Value::as_str) == Some("text"))
            .filter_map(|block| block.get("text").and_then(Value::as_str))
            .collect::<Vec<_>>()
            .join("\n")
    }
}

/// Why a call produced no answer.
#[derive(Debug, Clone, PartialEq)]
pub enum CallError {
    UnknownServer {
        server: String,
    },
    UnknownTool {
        server: String,
        tool: String,
        available: Vec<String>,
    },
    /// The server is not running (it failed to start, or exited).
    Unavailable {
        server: String,
        error: String,
        stderr: Vec<String>,
    },
    Timeout {
        server: String,
        tool: String,
        after: Duration,
    },
    /// The server answered with a JSON-RPC error, or broke the protocol.
    Protocol {
        server: String,
        tool: String,
        message: String,
    },
    /// The server refused the call for want of a sign-in, or of more scope.
    SignIn {
        server: String,
        tool: String,
        what: String,
    },
    /// The answer was larger than the limit for one message, so it was not read.
    TooLarge {
        server: String,
        tool: String,
    },
    /// A server started by a script's first call to it no longer has the tools the script
    /// was checked against.
    ToolsChanged {
        server: String,
    },
    /// The answer is JSON a JSON reader refuses (too deep, a number too large).
    Unreadable {
        server: String,
        tool: String,
        why: String,
    },
    /// The answer breaks the tool's own `outputSchema`.
    InvalidResult {
        server: String,
        tool: String,
        problem: String,
    },
    /// The configuration's `allowTools` / `denyTools` do not permit the tool.
    Denied {
        server: String,
        tool: String,
    },
    /// An audit log is configured but cannot be written, so no call is made.
    Audit {
        message: String,
    },
}

impl CallError {
    /// Whether the caller waited too long (as opposed to the call failing).
    pub fn is_timeout(&self) -> bool {
        matches!(self, CallError::Timeout { .. })
    }
}

impl fmt::Display for CallError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CallError::UnknownServer { server } => {
                write!(f, "no server named {server:?} is configured")
            }
            CallError::UnknownTool {
                server,
                tool,
                available,
            } => {
                write!(f, "server {server:?} has no tool {tool:?}")?;
                if !available.is_empty() {
                    write!(f, "; its tools: {}", available.join(", "))?;
                }
                Ok(())
            }
            CallError::Unavailable {
                server,
                error,
                stderr,
            } => {
                write!(f, "server {server:?} is not available: {error}")?;
                if !stderr.is_empty() {
                    write!(f, "\nlast lines of its stderr:\n  {}", stderr.join("\n  "))?;
                }
                Ok(())
            }
            CallError::Timeout {
                server,
                tool,
                after,
            } => write!(
                f,
                "{server}.{tool} did not answer within {} and was cancelled",
                seconds(*after)
            ),
            CallError::Protocol {
                server,
                tool,
                message,
            } => {
                write!(f, "{server}.{tool} failed: {message}")
            }
            CallError::SignIn { server, tool, what } => write!(f, "{server}.{tool}: {what}"),
            CallError::TooLarge { server, tool } => write!(
                f,
                "{server}.{tool} answered with more than {} MiB, the limit for one message; the answer was not read (ask for less: a page, a filter, a smaller range)",
                super::oversize::MAX_MESSAGE / (1024 * 1024)
            ),
            CallError::ToolsChanged { server } => write!(
                f,
                "the tools of {server} changed since the script was checked (the checked list was kept from an earlier run); the call was not sent: run the script again to check it against the new list"
            ),
            CallError::Unreadable { server, tool, why } => write!(
                f,
                "{server}.{tool} answered with JSON that cannot be read: {why}; the answer was not read"
            ),
            CallError::Denied { server, tool } => write!(
                f,
                "{server}.{tool} is not permitted by the configuration's \"allowTools\" / \"denyTools\""
            ),
            CallError::InvalidResult {
                server,
                tool,
                problem,
            } => write!(
                f,
                "{server}.{tool} answered with a result that does not match its outputSchema ({problem}); the result was not passed on"
            ),
            CallError::Audit { message } => {
                write!(
                    f,
                    "{message}; no tool is called while the audit log cannot be written"
                )
            }
        }
    }
}

impl std::error::Error for CallError {}

pub(super) async fn call(
    server: &Server,
    tool: &str,
    arguments: Option<Map<String, Value>>,
) -> Result<ToolOutput, CallError> {
    let name = &server.config.name;
    let state = server
        .state
        .read()
        .unwrap_or_else(|e| e.into_inner())
        .clone();
    let (peer, stderr, (tools, at)) = match state {
        State::Ready {
            peer,
            tools,
            stderr,
            ..
        } => {
            let Some(at) = tools.iter().position(|t| t.name == tool) else {
                return Err(CallError::UnknownTool {
                    server: name.clone(),
                    tool: tool.to_string(),
                    available: tools.iter().map(|t| t.name.clone()).collect(),
                });
            };
            (peer, stderr, (tools, at))
        }
        State::Failed { error, stderr, .. } => {
            return Err(CallError::Unavailable {
                server: name.clone(),
                error,
                stderr,
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

    let mut params = CallToolRequestParams::new(tool.to_string());
    if let Some(arguments) = arguments {
        params = params.with_arguments(arguments);
    }
    let timeout = server.config.tool_timeout;
    // Dropping the call future (on timeout, or when our caller gives up) makes rmcp send
    // `notifications/cancelled` for the request.
    // Through the connection when it is still there (it answers `InputRequiredResult`
    // rounds with the handler), else the peer alone.
    let client = server.client.lock().await.clone();
    let call = async {
        match &client {
            Some(client) => client.call_tool(params).await,
            None => peer.call_tool(params).await,
        }
    };
    let answer = tokio::time::timeout(timeout, call).await;
    let result = match answer {
        Err(_) => {
            return Err(CallError::Timeout {
                server: name.clone(),
                tool: tool.to_string(),
                after: timeout,
            });
        }
        Ok(Err(ServiceError::TransportClosed)) => {
            let stderr = super::redact_all(&server.config, super::stderr_of(&stderr).await);
            let error = "its connection closed (the server exited or crashed)".to_string();
            *server.state.write().unwrap_or_else(|e| e.into_inner()) = State::Failed {
                error: error.clone(),
                stderr: stderr.clone(),
                why: super::Down::Failed,
            };
            return Err(CallError::Unavailable {
                server: name.clone(),
                error,
                stderr,
            });
        }
        Ok(Err(error)) if super::failure::needs_sign_in(&error).is_some() => {
            let needs =
                super::failure::needs_sign_in(&error).unwrap_or(super::failure::Failure::SignIn);
            return Err(CallError::SignIn {
                server: name.clone(),
                tool: tool.to_string(),
                what: super::failure::sign_in_words(&needs, &server.config),
            });
        }
        // MCP's "missing required client capability": the tool wants to ask the person
        // something, which the configuration does not let servers do.
        Ok(Err(ServiceError::McpError(error)))
            if error.code.0 == -32021 && error.message.contains("elicitation") =>
        {
            return Err(CallError::Protocol {
                server: name.clone(),
                tool: tool.to_string(),
                message: format!(
                    "{} (the tool asks the person questions while it runs; \"elicitation\": \"ask\" in the configuration's \"codemode\" section lets it)",
                    server.config.redact(&error.message)
                ),
            });
        }
        Ok(Err(ServiceError::McpError(ref error)))
            if let Some(why) = super::oversize::unreadable_reason(error) =>
        {
            return Err(CallError::Unreadable {
                server: name.clone(),
                tool: tool.to_string(),
                why: why.to_string(),
            });
        }
        Ok(Err(ServiceError::McpError(error))) if super::oversize::is_too_large(&error) => {
            return Err(CallError::TooLarge {
                server: name.clone(),
                tool: tool.to_string(),
            });
        }
        Ok(Err(error)) => {
            return Err(CallError::Protocol {
                server: name.clone(),
                tool: tool.to_string(),
                message: server.config.redact(&error.to_string()),
            });
        }
        Ok(Ok(result)) => result,
    };
    let value = serde_json::to_value(&result).map_err(|e| CallError::Protocol {
        server: name.clone(),
        tool: tool.to_string(),
        message: e.to_string(),
    })?;
    let output = ToolOutput {
        content: match value.get("content") {
            Some(Value::Array(blocks)) => blocks.clone(),
            _ => Vec::new(),
        },
        structured: value.get("structuredContent").cloned(),
        is_error: value.get("isError") == Some(&Value::Bool(true)),
    };
    let info = &tools[at];
    if info.output_schema.is_some() && !output.is_error {
        // What the script will receive as the typed result: `structuredContent`, or (from
        // servers older than it) the text as JSON.
        let typed = output.structured.clone().or_else(|| {
            let text: Vec<&str> = output
                .content
                .iter()
                .filter(|b| b.get("type").and_then(Value::as_str) == Some("text"))
                .filter_map(|b| b.get("text").and_then(Value::as_str))
                .collect();
            serde_json::from_str(&text.join("\n")).ok()
        });
        if let Some(typed) = typed
            && let Err(problem) = server.validators.check(name, info, &typed)
        {
            return Err(CallError::InvalidResult {
                server: name.clone(),
                tool: tool.to_string(),
                problem,
            });
        }
    }
    Ok(output)
}
