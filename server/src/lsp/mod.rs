//! `codemode lsp`: the language server for agent scripts, over stdio.
//!
//! Agent scripts are `*.mcp.ts` files anywhere and `.ts` files under the configuration's
//! `codemode.scripts` folders; other documents are left alone. The configuration is found
//! from the workspace root as the command line finds it, and reloaded when it changes; the
//! MCP servers it names start in the background (with progress in the client) and their
//! `tools/list_changed` regenerates the API and re-checks open scripts.
//!
//! This module is the only part of codemode that knows LSP: the checker answers language
//! questions in its own terms (`check::language`), runs go through `runtime`, and here they
//! become LSP. Only protocol goes to stdout; logs go to stderr.

mod convert;
mod documents;
mod run;
mod server;
mod session;
mod status;

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tower_lsp_server::{LspService, Server};

use server::Backend;
use session::Session;

pub use crate::workspace::SCRIPT_GLOB;

/// How the server is started.
#[derive(Debug, Clone)]
pub struct Options {
    /// A configuration file to use instead of discovering one from the workspace root.
    pub config: Option<PathBuf>,
    /// How long after an edit diagnostics wait for the next one before checking.
    pub debounce: Duration,
}

/// Serves LSP on stdin/stdout until the client says `exit` or closes the stream, then
/// closes the MCP servers.
pub async fn serve(options: Options) {
    let sessions: Arc<Mutex<Option<Arc<Session>>>> = Arc::default();
    let keep = sessions.clone();
    let (service, socket) = LspService::build(move |client| {
        let session = Arc::new(Session::new(client, options));
        *keep.lock().unwrap_or_else(|e| e.into_inner()) = Some(session.clone());
        Backend { session }
    })
    .custom_method(
        "codemode/virtualTextDocument",
        Backend::virtual_text_document,
    )
    .custom_method("codemode/servers", Backend::servers)
    .finish();
    Server::new(tokio::io::stdin(), tokio::io::stdout(), socket)
        .serve(service)
        .await;
    let session = sessions.lock().unwrap_or_else(|e| e.into_inner()).take();
    if let Some(session) = session {
        session.close().await;
    }
}
