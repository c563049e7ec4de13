//! What an editor's status bar and servers view show (the VS Code extension): the params of
//! `codemode/status` and the answer of `codemode/servers` (see `protocol`), from the
//! workspace as it is now. Plain functions of the state; the session sends them.

use super::protocol::{ServerCounts, ServersResult, State, StatusParams};
use crate::check::EngineReport;
use crate::config::Origin;
use crate::inventory;
use crate::workspace::Workspace;

/// `codemode/status`: the servers (while `workspace` is `None`, starting), the checks under
/// way and the TypeScript that answers.
pub fn status(
    workspace: Option<&Workspace>,
    checking: usize,
    typescript: EngineReport,
) -> StatusParams {
    let Some(workspace) = workspace else {
        return StatusParams {
            state: State::Starting,
            config: None,
            config_path: None,
            servers: None,
            tools: None,
            checking,
            scripts_base: None,
            scripts: None,
            typescript,
        };
    };
    let (ready, failed) = workspace.host().counts();
    let tools: usize = workspace.api().catalog.iter().map(|s| s.tools.len()).sum();
    StatusParams {
        state: State::Ready,
        config: Some(workspace.config.origin.to_string()),
        config_path: config_path(&workspace.config.origin),
        servers: Some(ServerCounts { ready, failed }),
        tools: Some(tools),
        checking,
        scripts_base: Some(workspace.base.clone()),
        scripts: Some(workspace.config.settings.scripts.clone()),
        typescript,
    }
}

/// `codemode/servers`: every server with its state and tools, as `codemode tools --json`
/// lists them (none while starting).
pub fn servers(workspace: Option<&Workspace>) -> ServersResult {
    let Some(workspace) = workspace else {
        return ServersResult {
            state: State::Starting,
            config: None,
            config_path: None,
            servers: Vec::new(),
        };
    };
    ServersResult {
        state: State::Ready,
        config: Some(workspace.config.origin.to_string()),
        config_path: config_path(&workspace.config.origin),
        servers: inventory::servers(workspace.host())
            .into_iter()
            .chain(inventory::untrusted(&workspace.config))
            .collect(),
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
