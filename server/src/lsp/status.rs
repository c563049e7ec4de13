//! What an editor's status bar and servers view show, for clients that ask for it (the VS
//! Code extension): the `codemode/status` notification (sent when the servers start, are
//! ready, change their tools, and while a script is being checked) and the
//! `codemode/servers` request (every server with its state and tools).

use std::sync::atomic::Ordering;

use serde_json::{Value, json};
use tower_lsp_server::ls_types::notification::Notification;

use super::session::Session;
use crate::config::Origin;
use crate::inventory;

/// `codemode/status`, server to client. Params: `{state: "starting" | "ready", config,
/// configPath, servers: {ready, failed}, tools, checking, scriptsBase, scripts, typescript}`,
/// `typescript` the engine that answers (`{kind: "native" | "embedded", version, binary?,
/// note?}`, as `codemode check --json` says it).
pub enum Status {}

impl Notification for Status {
    type Params = Value;
    const METHOD: &'static str = "codemode/status";
}

/// The state of the session now, as `codemode/status` carries it.
pub fn status(session: &Session) -> Value {
    let checking = session.checking();
    let Some(workspace) = session.workspace_now() else {
        return json!({ "state": "starting", "checking": checking, "typescript": session.checker.engine() });
    };
    let (ready, failed) = workspace.host().counts();
    let tools: usize = workspace.api().catalog.iter().map(|s| s.tools.len()).sum();
    json!({
        "state": "ready",
        "config": workspace.config.origin.to_string(),
        "configPath": config_path(&workspace.config.origin),
        "servers": { "ready": ready, "failed": failed },
        "tools": tools,
        "checking": checking,
        "scriptsBase": workspace.base,
        "scripts": workspace.config.settings.scripts,
        "typescript": session.checker.engine(),
    })
}

/// The answer to `codemode/servers`: `{state, config, configPath, servers}`, the servers as
/// `codemode tools --json` lists them (`[]` while they start).
pub fn servers(session: &Session) -> Value {
    let Some(workspace) = session.workspace_now() else {
        return json!({ "state": "starting", "servers": [] });
    };
    json!({
        "state": "ready",
        "config": workspace.config.origin.to_string(),
        "configPath": config_path(&workspace.config.origin),
        "servers": inventory::servers(workspace.host()),
    })
}

/// Sends `codemode/status` if the client asked for it.
pub async fn notify(session: &Session) {
    if session.caps().status_notifications {
        session
            .client
            .send_notification::<Status>(status(session))
            .await;
    }
}

/// A check under way, counted in `codemode/status` until it ends or is dropped (a client
/// that cancels a diagnostics request drops it half-way).
pub struct Checking<'a> {
    session: &'a Session,
    ended: bool,
}

impl<'a> Checking<'a> {
    pub async fn begin(session: &'a Session) -> Checking<'a> {
        session.checking.fetch_add(1, Ordering::Relaxed);
        notify(session).await;
        Checking {
            session,
            ended: false,
        }
    }

    pub async fn end(mut self) {
        self.ended = true;
        self.session.checking.fetch_sub(1, Ordering::Relaxed);
        notify(self.session).await;
    }
}

impl Drop for Checking<'_> {
    fn drop(&mut self) {
        if !self.ended {
            self.session.checking.fetch_sub(1, Ordering::Relaxed);
            if self.session.caps().status_notifications {
                let client = self.session.client.clone();
                let params = status(self.session);
                tokio::spawn(async move { client.send_notification::<Status>(params).await });
            }
        }
    }
}

fn config_path(origin: &Origin) -> Option<String> {
    match origin {
        Origin::File(path) => std::path::absolute(path)
            .ok()
            .map(|p| p.display().to_string()),
        Origin::Client { file, .. } => Some(file.display().to_string()),
        Origin::BuiltinDefault => None,
    }
}
