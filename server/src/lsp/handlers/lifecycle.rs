//! The session's life: `initialize` (client capabilities, the root, the server's
//! capabilities), `initialized` (watch the configuration, start the servers), `shutdown`.

use std::sync::Arc;

use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::*;

use crate::lsp::capabilities;
use crate::lsp::session::Session;

pub async fn initialize(
    session: &Arc<Session>,
    params: InitializeParams,
) -> Result<InitializeResult> {
    let caps = capabilities::of_client(&params);
    let root = params
        .workspace_folders
        .as_ref()
        .and_then(|folders| folders.first())
        .and_then(|folder| folder.uri.to_file_path())
        .map(|path| path.into_owned());
    #[allow(deprecated)] // `root_uri` is what older clients send.
    let root = root.or_else(|| {
        params
            .root_uri
            .as_ref()
            .and_then(|uri| uri.to_file_path())
            .map(|path| path.into_owned())
    });
    if let Some(root) = root {
        session.set_root(root);
    }
    let pull = caps.pull_diagnostics;
    let _ = session.caps.set(caps);
    Ok(InitializeResult {
        offset_encoding: None,
        server_info: Some(ServerInfo {
            name: "codemode".into(),
            version: Some(env!("CARGO_PKG_VERSION").into()),
        }),
        capabilities: capabilities::of_server(pull),
    })
}

pub async fn initialized(session: &Arc<Session>, _: InitializedParams) {
    let session = session.clone();
    if session.caps().watched_files_registration {
        let watchers = ["**/codemode.json", "**/.mcp.json", "**/.vscode/mcp.json"]
            .into_iter()
            .map(|glob| FileSystemWatcher {
                glob_pattern: GlobPattern::String(glob.into()),
                kind: None,
            })
            .collect();
        let registration = Registration {
            id: "codemode-config".into(),
            method: "workspace/didChangeWatchedFiles".into(),
            register_options: serde_json::to_value(DidChangeWatchedFilesRegistrationOptions {
                watchers,
            })
            .ok(),
        };
        let client = session.client.clone();
        tokio::spawn(async move {
            if let Err(error) = client.register_capability(vec![registration]).await {
                tracing::warn!("cannot watch the configuration files: {error}");
            }
        });
    }
    // Servers start in the background; requests wait for them. Later reloads asked for
    // by a sign-in come through `reload_requested`.
    tokio::spawn(async move {
        session.load_workspace().await;
        loop {
            session.reload_requested.notified().await;
            session.load_workspace().await;
        }
    });
}

pub async fn shutdown(session: &Arc<Session>) -> Result<()> {
    session.request_shutdown();
    session.close().await;
    Ok(())
}
