//! The MCP server an agent talks to: three tools in place of every upstream tool.
//!
//! - `search_tools`: ranked search over the upstream tools, answering each hit's one-line
//!   description and signature (progressive disclosure: the model loads only what it needs,
//!   and the answer says how to get the full declarations);
//! - `get_types`: the declarations of named servers or tools, or an overview of everything;
//! - `execute`: type-check a script, then run it in the sandbox; only its console output,
//!   result and a summary come back.
//!
//! Every failure a model can cause is a tool result with `isError` and a message saying what
//! to do; protocol errors are kept for what is not a model's doing. Upstream tool changes are
//! passed on as `notifications/tools/list_changed` (the server summary in the descriptions
//! changes with them).

use std::sync::Arc;
use std::time::Duration;

use rmcp::ServerHandler;
use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, ContentBlock, ErrorData,
    Implementation, ListToolsResult, PaginatedRequestParams, ServerCapabilities, ServerConfig,
};
use rmcp::service::{NotificationContext, RequestContext, RoleServer};
use serde::Deserialize;
use serde_json::{Value, json};

use super::approval::Approvals;
use super::person::Person;
use super::questions::ClientAsker;
use super::rounds::{Rounds, Run};
use super::{reply, search, sign_in};
use crate::codegen::{self, PRELUDE};
use crate::host::{Down, ServerState};
use crate::workspace::{Api, Ready, Workspace};

pub const SEARCH: &str = "search_tools";
pub const TYPES: &str = "get_types";
pub const EXECUTE: &str = "execute";

/// At most one `notifications/tools/list_changed` per this window, however often upstream
/// tools change.
const LIST_CHANGED_WINDOW: Duration = Duration::from_millis(100);

/// The name scripts are reported under.
const SCRIPT_FILE: &str = "script.ts";

/// One MCP session's handler (cheap to clone: HTTP makes one per session).
#[derive(Clone)]
pub struct Facade {
    workspace: Ready,
    /// Runs waiting for a 2026-07-28 client to come back with the person's reply.
    rounds: Rounds,
    /// The servers whose sign-in was offered to a person.
    offered: sign_in::Offered,
}

impl Facade {
    /// A facade that answers once `workspace` is ready (its servers started); until then
    /// requests wait (initialize does not).
    pub fn new(workspace: Ready) -> Facade {
        Facade {
            workspace,
            rounds: Rounds::default(),
            offered: Default::default(),
        }
    }

    async fn workspace(&self) -> Result<Arc<Workspace>, ErrorData> {
        self.workspace
            .get()
            .await
            .ok_or_else(|| ErrorData::internal_error("codemode is shutting down", None))
    }
}

impl ServerHandler for Facade {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(
            ServerCapabilities::builder()
                .enable_tools()
                .enable_tool_list_changed()
                .build(),
        )
        .with_server_info(
            Implementation::new("codemode", env!("CARGO_PKG_VERSION")).with_title("codemode"),
        )
        .with_instructions(
            "Code Mode: the tools of the configured MCP servers as a typed TypeScript API. \
             Find tools with search_tools (or list them with get_types), then write ONE script \
             for execute that calls them, loops, filters and aggregates; only what the script \
             prints or `export default`s comes back to you.",
        )
    }

    async fn list_tools(
        &self,
        _: Option<PaginatedRequestParams>,
        _: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        let workspace = self.workspace().await?;
        let tools = tool_list(&workspace);
        serde_json::from_value(tools).map_err(|e| ErrorData::internal_error(e.to_string(), None))
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        let workspace = self.workspace().await?;
        let arguments = Value::Object(request.arguments.clone().unwrap_or_default());
        let result = match request.name.as_ref() {
            SEARCH => search_tools(&workspace, arguments),
            TYPES => get_types(&workspace, arguments),
            EXECUTE => return Ok(self.execute(workspace, request, context).await),
            other => {
                return Err(ErrorData::invalid_params(
                    format!(
                        "no tool named {other:?}; the tools are {SEARCH}, {TYPES} and {EXECUTE}"
                    ),
                    None,
                ));
            }
        };
        Ok(result.into())
    }

    async fn on_initialized(&self, context: NotificationContext<RoleServer>) {
        let facade = self.clone();
        tokio::spawn(async move {
            let Ok(workspace) = facade.workspace().await else {
                return;
            };
            let mut changes = workspace.changes();
            // The watcher holds no workspace: the process's shutdown is not held up by it.
            drop(workspace);
            let peer = context.peer;
            loop {
                tokio::select! {
                    changed = changes.next() => if changed.is_none() { return },
                    // A closed session's watcher ends within a minute.
                    _ = tokio::time::sleep(Duration::from_secs(60)) => {
                        if peer.is_transport_closed() { return }
                        continue;
                    }
                }
                // A storm of upstream changes is one notification per window.
                tokio::time::sleep(LIST_CHANGED_WINDOW).await;
                if peer.notify_tool_list_changed().await.is_err() {
                    return;
                }
            }
        });
    }
}

/// The three tools, described for models, with the servers they reach.
fn tool_list(workspace: &Workspace) -> Value {
    let servers = server_summary(workspace);
    json!({ "tools": [
        {
            "name": SEARCH,
            "title": "Search MCP tools",
            "description": format!(
                "Find tools of the connected MCP servers by what they do: each hit's function \
                 name, one-line description and signature, best match first (`{TYPES}` gives \
                 their input and result types in full). Use it before `{EXECUTE}` to learn \
                 exact names; it tolerates typos and accepts a tool's name. Servers: \
                 {servers}.\n\n\
                 Example: {{\"query\": \"create entities in the knowledge graph\"}}"
            ),
            "inputSchema": {
                "type": "object",
                "properties": {
                    "query": {
                        "type": "string",
                        "description": "Words describing what you want to do, or a tool's name (`memory.searchNodes`, `search_nodes`)."
                    },
                    "limit": {
                        "type": "integer", "minimum": 1, "maximum": 50,
                        "description": "At most this many tools (default 8)."
                    }
                },
                "required": ["query"]
            },
            "annotations": { "readOnlyHint": true, "openWorldHint": false }
        },
        {
            "name": TYPES,
            "title": "Get TypeScript declarations",
            "description": format!(
                "Get the TypeScript declarations scripts are written against. With no arguments: \
                 every server's namespace with its function names, and the script environment \
                 (console, ToolResult, ToolError). With `servers`: those namespaces in full. With \
                 `tools`: just those functions and their types (`{SEARCH}` finds tools by what \
                 they do, in short). Servers: {servers}.\n\n\
                 Example: {{\"tools\": [\"memory.searchNodes\", \"memory.openNodes\"]}}"
            ),
            "inputSchema": {
                "type": "object",
                "properties": {
                    "servers": {
                        "type": "array", "items": { "type": "string" },
                        "description": "Server names or namespaces, e.g. [\"memory\"]."
                    },
                    "tools": {
                        "type": "array", "items": { "type": "string" },
                        "description": "Tools as `namespace.function` (or the MCP name, `server.tool_name`)."
                    }
                }
            },
            "annotations": { "readOnlyHint": true, "openWorldHint": false }
        },
        {
            "name": EXECUTE,
            "title": "Run a TypeScript script against the MCP tools",
            "description": format!(
                "Run a TypeScript script that calls the MCP tools, in a sandbox with no network, \
                 files or environment (the tools are its only way out). Each server is a global \
                 namespace and each tool an async function taking one object: \
                 `await memory.searchNodes({{ query: \"x\" }})`. Call many tools, in parallel \
                 with Promise.all, loop, filter and aggregate in the script: only what it prints \
                 with console.log and the value it `export default`s come back, so return just \
                 what you need. The script is type-checked first; type errors come back with \
                 line, column, TS code and a hint, and nothing runs. A tool that fails throws a \
                 ToolError. Tools that may change or delete things need the user's approval. \
                 Servers: {servers}.\n\n\
                 Example:\n\
                 const {{ entities }} = await memory.searchNodes({{ query: \"Berlin\" }});\n\
                 const opened = await Promise.all(entities.map(e => memory.openNodes({{ names: [e.name] }})));\n\
                 console.log(`${{entities.length}} found`);\n\
                 export default opened.map(o => o.entities[0]?.observations.length);"
            ),
            "inputSchema": {
                "type": "object",
                "properties": {
                    "code": {
                        "type": "string",
                        "description": "The script: TypeScript with top-level await."
                    }
                },
                "required": ["code"]
            },
            "annotations": { "readOnlyHint": false, "openWorldHint": true }
        }
    ]})
}

/// `memory (9 tools), time (2 tools); unavailable: git (failed to start; the user can see
/// why with `codemode tools`)`. A server's error is not passed on: it may quote its command
/// line or URL, which are the user's, not the agent's.
fn server_summary(workspace: &Workspace) -> String {
    let api = workspace.api();
    let mut ready_servers = Vec::new();
    let mut failed = Vec::new();
    let mut sign_in = Vec::new();
    for status in workspace.host().status() {
        match status.state {
            ServerState::Ready { .. } => {
                let entry = api.generated.index.server(&status.server);
                let count = entry.map_or(0, |e| e.tools.len());
                let namespace = entry.map_or(status.server.clone(), |e| e.namespace.clone());
                ready_servers.push(format!(
                    "{namespace} ({count} tool{})",
                    if count == 1 { "" } else { "s" }
                ));
            }
            ServerState::Failed {
                why: Down::NeedsSignIn,
                ..
            } => sign_in.push(status.server),
            ServerState::Failed { .. } => failed.push(status.server),
        }
    }
    let mut text = if ready_servers.is_empty() {
        "none".to_string()
    } else {
        ready_servers.join(", ")
    };
    if !failed.is_empty() {
        text.push_str(&format!(
            "; unavailable: {} (not running; the user can see why with `codemode tools`)",
            failed.join(", ")
        ));
    }
    if !sign_in.is_empty() {
        let commands: Vec<String> = sign_in
            .iter()
            .map(|name| format!("`codemode login {name}`"))
            .collect();
        text.push_str(&format!(
            "; waiting for the user to sign in: {} (ask the user to run {})",
            sign_in.join(", "),
            commands.join(", ")
        ));
    }
    if let Some(untrusted) = &workspace.config.untrusted {
        let names: Vec<&str> = untrusted.servers.iter().map(|s| s.name.as_str()).collect();
        text.push_str(&format!(
            "; not started: {} (the user has not trusted the project's configuration; ask \
             them to run `{}` in a terminal, then restart codemode)",
            names.join(", "),
            untrusted.command()
        ));
    }
    text
}

#[derive(Deserialize)]
struct SearchArgs {
    query: Option<String>,
    limit: Option<usize>,
}

fn search_tools(workspace: &Workspace, arguments: Value) -> CallToolResult {
    let args: SearchArgs = match parse(SEARCH, arguments, r#"{"query": string, "limit"?: number}"#)
    {
        Ok(args) => args,
        Err(message) => return tool_error(message),
    };
    let Some(query) = args.query.filter(|q| !q.trim().is_empty()) else {
        return tool_error(format!(
            "{SEARCH} needs a `query`: words describing what you want to do, e.g. {{\"query\": \"read a file\"}}"
        ));
    };
    let limit = args.limit.unwrap_or(8).clamp(1, 50);
    let api = workspace.api();
    let hits = search::search(&api.generated.index, &api.catalog, &query, limit);
    if hits.is_empty() {
        return text_result(
            format!(
                "No tool matches {query:?}. Servers: {}. Try other words, or {TYPES} with no arguments to list every function.",
                server_summary(workspace)
            ),
            false,
        );
    }
    // Signatures and one-line descriptions; the full declarations are one `get_types` away.
    let mut text = String::new();
    let mut names = Vec::new();
    for hit in &hits {
        text.push_str(&tool_line(&api, hit.server, hit.tool));
        text.push('\n');
        if let Some(signature) = api.generated.signature(hit.server, hit.tool) {
            text.push_str(&format!("  {signature}\n"));
        }
        let entry = &api.generated.index.servers[hit.server];
        names.push(format!(
            "\"{}.{}\"",
            entry.namespace, entry.tools[hit.tool].function
        ));
    }
    text.push_str(&format!(
        "\nTheir input and result types with full docs: {TYPES} {{\"tools\": [{}]}}",
        names.join(", ")
    ));
    text_result(cap(workspace, text), false)
}

/// `memory.searchNodes — Search for nodes in the knowledge graph [read-only]`.
fn tool_line(api: &Api, server: usize, tool: usize) -> String {
    let entry = &api.generated.index.servers[server];
    let info = &api.catalog[server].tools[tool];
    let summary = info
        .description
        .as_deref()
        .and_then(|d| d.lines().find(|l| !l.trim().is_empty()))
        .map(|d| format!(" — {}", d.trim()))
        .unwrap_or_default();
    let hints = codegen::hints(&info.annotations);
    let hints = if hints.is_empty() {
        String::new()
    } else {
        format!(" [{}]", hints.join(", "))
    };
    format!(
        "{}.{}{summary}{hints}",
        entry.namespace, entry.tools[tool].function
    )
}

#[derive(Deserialize)]
struct TypesArgs {
    #[serde(default)]
    servers: Vec<String>,
    #[serde(default)]
    tools: Vec<String>,
}

fn get_types(workspace: &Workspace, arguments: Value) -> CallToolResult {
    let args: TypesArgs = match parse(
        TYPES,
        arguments,
        r#"{"servers"?: string[], "tools"?: string[]}"#,
    ) {
        Ok(args) => args,
        Err(message) => return tool_error(message),
    };
    let api = workspace.api();
    let index = &api.generated.index;
    if args.servers.is_empty() && args.tools.is_empty() {
        let mut text = String::from("Every server's namespace and functions:\n");
        for entry in &index.servers {
            let functions: Vec<&str> = entry.tools.iter().map(|t| t.function.as_str()).collect();
            let members: Vec<&str> = [
                (entry.resources, "resources (list, read, templates)"),
                (entry.prompts, "prompts (list, get)"),
            ]
            .into_iter()
            .filter_map(|(offered, member)| offered.then_some(member))
            .collect();
            let members = if members.is_empty() {
                String::new()
            } else {
                format!("; also {}", members.join(", "))
            };
            text.push_str(&format!(
                "- {} (server `{}`, {} tools): {}{members}\n",
                entry.namespace,
                entry.server,
                functions.len(),
                functions.join(", ")
            ));
        }
        text.push_str(&format!(
            "\nThe script environment:\n```ts\n{PRELUDE}```\nAsk for `tools` or `servers` to see their declarations."
        ));
        return text_result(cap(workspace, text), false);
    }
    let mut chosen = Vec::new();
    let mut unknown = Vec::new();
    for name in &args.servers {
        match index
            .servers
            .iter()
            .position(|s| s.server == *name || s.namespace == *name)
        {
            Some(s) => chosen.extend((0..index.servers[s].tools.len()).map(|t| (s, t))),
            None => unknown.push(format!("server {name:?}")),
        }
    }
    for name in &args.tools {
        match find_tool(&api, name) {
            Some(found) => chosen.push(found),
            None => {
                let near = search::search(index, &api.catalog, name, 3);
                let near: Vec<String> = near
                    .iter()
                    .map(|h| {
                        format!(
                            "{}.{}",
                            index.servers[h.server].namespace,
                            index.servers[h.server].tools[h.tool].function
                        )
                    })
                    .collect();
                unknown.push(if near.is_empty() {
                    format!("tool {name:?}")
                } else {
                    format!("tool {name:?} (did you mean {}?)", near.join(", "))
                });
            }
        }
    }
    if !unknown.is_empty() {
        let servers: Vec<&str> = index.servers.iter().map(|s| s.namespace.as_str()).collect();
        return tool_error(format!(
            "No {}. The servers are: {}. Use {SEARCH} to find tools by what they do.",
            unknown.join(", no "),
            if servers.is_empty() {
                "none".to_string()
            } else {
                servers.join(", ")
            }
        ));
    }
    text_result(
        cap(
            workspace,
            format!(
                "```ts\n{}```\nOther tools, by what they do: {SEARCH} {{\"query\": \"…\"}}; every namespace: {TYPES} with no arguments.",
                api.generated.excerpt(&chosen)
            ),
        ),
        false,
    )
}

/// A tool by `namespace.function`, `server.tool`, or a bare name that only one server has.
fn find_tool(api: &Api, name: &str) -> Option<(usize, usize)> {
    let index = &api.generated.index;
    let mut bare = Vec::new();
    for (s, entry) in index.servers.iter().enumerate() {
        for (t, tool) in entry.tools.iter().enumerate() {
            if name == format!("{}.{}", entry.namespace, tool.function)
                || name == format!("{}.{}", entry.server, tool.tool)
            {
                return Some((s, t));
            }
            if name == tool.function || name == tool.tool {
                bare.push((s, t));
            }
        }
    }
    match bare.as_slice() {
        [one] => Some(*one),
        _ => None,
    }
}

#[derive(Deserialize)]
struct ExecuteArgs {
    code: Option<String>,
}

impl Facade {
    /// Type-checks and runs a script (after a sign-in a server wants, see `sign_in.rs`); a
    /// question for the person on the way (an approval, an
    /// upstream server's) goes to the client as a request, or for a 2026-07-28 client as
    /// this call's `InputRequiredResult` (`rounds.rs`), answered by the call that resumes it.
    async fn execute(
        &self,
        workspace: Arc<Workspace>,
        request: CallToolRequestParams,
        context: RequestContext<RoleServer>,
    ) -> CallToolResponse {
        if let Some(handle) = request.request_state.as_deref() {
            return self
                .rounds
                .resume(handle, request.input_responses, context.ct.clone())
                .await;
        }
        let arguments = Value::Object(request.arguments.unwrap_or_default());
        let args: ExecuteArgs = match parse(EXECUTE, arguments, r#"{"code": string}"#) {
            Ok(args) => args,
            Err(message) => return tool_error(message).into(),
        };
        let Some(code) = args.code.filter(|c| !c.trim().is_empty()) else {
            return tool_error(format!(
                "{EXECUTE} needs `code`: a TypeScript script, e.g. {{\"code\": \"console.log(await memory.readGraph())\"}}"
            ))
            .into();
        };
        let (questions, asked) = tokio::sync::mpsc::unbounded_channel();
        let person = Person::of(&context, questions);
        // Servers' questions during this run go to this client's person.
        workspace.host().set_asker(Arc::new(ClientAsker {
            person: person.clone(),
        }));
        let offered = self.offered.clone();
        let peer = context.peer.clone();
        let progress = context.meta.get_progress_token();
        let task = tokio::spawn(async move {
            // A server that wants a sign-in first, when the person can be sent to its page;
            // the run's API and approvals are taken after it, with that server's tools.
            sign_in::offer(&workspace, &person, &offered).await;
            let approvals = Approvals::new(peer, person, &workspace, progress);
            approvals.progress("type-checking the script".into());
            let report = workspace.run(SCRIPT_FILE, code.clone(), &approvals).await;
            let (text, is_error) = reply::run_report(
                &report,
                SCRIPT_FILE,
                &code,
                workspace.config.settings.max_response_bytes,
                PRINT_LESS,
            );
            // The images, audio and resources the script returned follow the text as blocks.
            let mut content = vec![ContentBlock::text(text)];
            content.extend(reply::blocks(&report));
            if is_error {
                CallToolResult::error(content)
            } else {
                CallToolResult::success(content)
            }
        });
        // A client's `notifications/cancelled` drops the run: the script is interrupted and
        // its tool calls in flight are cancelled upstream.
        self.rounds
            .drive(Run::new(task, asked), context.ct.clone())
            .await
    }
}

/// A tool's arguments as `T`, or the message saying what `expected` looks like.
fn parse<T: serde::de::DeserializeOwned>(
    tool: &str,
    arguments: Value,
    expected: &str,
) -> Result<T, String> {
    serde_json::from_value(arguments)
        .map_err(|error| format!("{tool}: {error}; expected {expected}"))
}

/// What a cut answer advises.
const PRINT_LESS: &str = "print less: aggregate in the script and log only what you need (the limit is \"maxResponseBytes\" in the configuration)";

fn cap(workspace: &Workspace, text: String) -> String {
    reply::cap(
        text,
        workspace.config.settings.max_response_bytes,
        PRINT_LESS,
    )
}

fn text_result(text: String, is_error: bool) -> CallToolResult {
    let content = vec![ContentBlock::text(text)];
    if is_error {
        CallToolResult::error(content)
    } else {
        CallToolResult::success(content)
    }
}

fn tool_error(message: String) -> CallToolResult {
    text_result(message, true)
}
