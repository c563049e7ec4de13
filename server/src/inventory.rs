//! The servers of a host and their tools as one JSON document, for programs:
//! `codemode tools --json` prints it and the language server answers `codemode/servers`
//! with it (the VS Code extension's MCP servers view).

use serde_json::{Value, json};

use crate::codegen;
use crate::host::{Down, Host, ServerState};

/// Every server in configuration order: `name`, `namespace` (when it has tools in the API),
/// `transport`, `status` (`ready` or `failed`), and either `tools` (each as the catalog has
/// it, plus its `function` name in the API and whether the policy `permitted` it) or
/// `error` and the last lines of its `stderr`.
pub fn servers(host: &Host) -> Vec<Value> {
    let index = codegen::index(&host.catalog());
    host.status()
        .iter()
        .map(|server| match &server.state {
            ServerState::Ready { tools } => {
                let entry = index.server(&server.server);
                let tools: Vec<Value> = tools
                    .iter()
                    .map(|tool| {
                        let mut value = serde_json::to_value(tool).unwrap_or(Value::Null);
                        if let Some(object) = value.as_object_mut() {
                            let function = entry
                                .and_then(|e| e.tool(&tool.name))
                                .map(|t| t.function.clone());
                            if let Some(function) = function {
                                object.insert("function".into(), Value::String(function));
                            }
                            object.insert(
                                "permitted".into(),
                                Value::Bool(host.policy().permits(&server.server, &tool.name)),
                            );
                        }
                        value
                    })
                    .collect();
                json!({
                    "name": server.server,
                    "namespace": entry.map(|e| e.namespace.clone()),
                    "transport": server.transport,
                    "status": "ready",
                    "tools": tools,
                })
            }
            ServerState::Failed { error, stderr, why } => json!({
                "name": server.server,
                "transport": server.transport,
                "status": match why {
                    Down::Failed => "failed",
                    Down::NeedsSignIn => "needs-sign-in",
                },
                "error": error,
                "stderr": stderr,
            }),
        })
        .collect()
}

/// The servers of a project file the person has not trusted, as the configuration names
/// them (nothing of it was started or expanded), with the command that trusts it.
pub fn untrusted(config: &crate::config::Config) -> Vec<Value> {
    let Some(untrusted) = &config.untrusted else {
        return Vec::new();
    };
    untrusted
        .servers
        .iter()
        .map(|server| {
            json!({
                "name": server.name,
                "transport": server.shown,
                "status": "not-trusted",
                "trust": untrusted.command(),
            })
        })
        .collect()
}
