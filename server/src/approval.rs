//! Approval per call, the same in every command: a run asks before a script calls a tool
//! the configuration's policy says needs a person's approval (see [`crate::policy`]), when
//! the call is made — not by reading the script beforehand, so a tool named at run time
//! (`(memory as any)[name]`) is asked about too. Each tool is asked about once per run, one
//! question at a time, so a fan-out of fifty deletions is one question.
//!
//! Who is asked depends on the command ([`Ask`]): the person behind an MCP client (`serve`),
//! the editor (`lsp`), the terminal (`run`). One that cannot ask refuses the call with the
//! message naming the setting that would allow it.

use std::collections::HashMap;
use std::sync::Arc;

use futures::future::BoxFuture;
use tokio::sync::Mutex;

use crate::catalog::{ServerTools, ToolInfo};
use crate::config::Origin;
use crate::host::Host;
use crate::workspace::Workspace;

/// A question about one tool call.
pub struct Request {
    /// `server.tool`.
    pub name: String,
    /// Why it needs approval, in words ("is marked destructive by its server").
    pub why: &'static str,
    /// The first line of the tool's description.
    pub summary: Option<String>,
}

impl Request {
    /// The question as one paragraph, for those who show text.
    pub fn message(&self) -> String {
        format!(
            "A codemode script wants to call {}, which {}.{}\n\nAllow it for this run?",
            self.name,
            self.why,
            self.summary
                .as_deref()
                .map(|d| format!("\n\n{}: {d}", self.name))
                .unwrap_or_default()
        )
    }
}

/// What the person said.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    Allow,
    Decline,
    /// Dismissed without choosing.
    Dismiss,
    /// Asking failed (the client went away, answered an error).
    Failed(String),
}

/// Whoever a command asks.
pub trait Ask: Send + Sync {
    /// Why nobody can be asked (completing "… but {this}, so the call was refused"), or
    /// `None` when someone can.
    fn cannot_ask(&self) -> Option<String>;

    fn ask<'a>(&'a self, request: &'a Request) -> BoxFuture<'a, Decision>;

    /// What else allows such calls, beside the configuration (`--yes` for `run`).
    fn other_way(&self) -> Option<&'static str> {
        None
    }
}

/// The approvals of one run.
pub struct Approvals<A> {
    asker: A,
    host: Arc<Host>,
    /// The tools the run's API was generated from.
    catalog: Arc<Vec<ServerTools>>,
    /// Where the configuration is, for the refusal's advice.
    origin: Origin,
    decided: Mutex<HashMap<(String, String), Result<(), String>>>,
}

impl<A: Ask> Approvals<A> {
    /// The approvals of a run in `workspace` (its host, the tools its API was generated
    /// from, where its configuration is), asked of `asker`.
    pub fn new(asker: A, workspace: &Workspace) -> Approvals<A> {
        Approvals {
            asker,
            host: workspace.host().clone(),
            catalog: workspace.api().catalog.clone(),
            origin: workspace.config.origin.clone(),
            decided: Mutex::new(HashMap::new()),
        }
    }

    /// Whether the script may call `server`'s `tool` now; an `Err` says why not, for the
    /// script's rejected promise.
    pub async fn approve(&self, server: &str, tool: &str) -> Result<(), String> {
        let Some(info) = self.tool_info(server, tool) else {
            // Unknown to the host as well: it refuses the call with its own message.
            return Ok(());
        };
        if !self.host.policy().needs_approval(server, &info) {
            return Ok(());
        }
        let key = (server.to_string(), tool.to_string());
        // Held while asking: one question at a time, each tool once.
        let mut decided = self.decided.lock().await;
        if let Some(decision) = decided.get(&key) {
            return decision.clone();
        }
        let decision = self.decide(server, &info).await;
        decided.insert(key, decision.clone());
        decision
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
        let why = describe_hints(tool, self.host.policy().trusts(server));
        if let Some(cannot) = self.asker.cannot_ask() {
            let other = self
                .asker
                .other_way()
                .map(|way| format!(", or {way}"))
                .unwrap_or_default();
            return Err(format!(
                "{name} {why} and needs a person's approval, but {cannot}, so the call was \
                 refused. To allow it, add \"{name}\" to \"autoApprove\" (or set \
                 \"allowDestructive\": true) in the \"codemode\" section of {}{other}.",
                self.config_file()
            ));
        }
        let request = Request {
            name: name.clone(),
            why,
            summary: tool
                .description
                .as_deref()
                .and_then(|d| d.lines().find(|l| !l.trim().is_empty()))
                .map(|d| d.trim().to_string()),
        };
        match self.asker.ask(&request).await {
            Decision::Allow => Ok(()),
            Decision::Decline => Err(format!(
                "{name} was not approved (the person declined); the call was refused. Do not \
                 retry it unless they ask you to."
            )),
            Decision::Dismiss => Err(format!(
                "{name} was not approved (the person dismissed the question); the call was \
                 refused. Do not retry it unless they ask you to."
            )),
            Decision::Failed(error) => Err(format!(
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

impl<A: Ask> crate::runtime::Supervisor for Approvals<A> {
    fn approve<'a>(&'a self, server: &'a str, tool: &'a str) -> BoxFuture<'a, Result<(), String>> {
        Box::pin(Approvals::approve(self, server, tool))
    }

    fn called(&self, _: &crate::runtime::ToolCallRecord) {}
}
