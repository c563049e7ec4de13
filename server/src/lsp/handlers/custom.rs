//! codemode's own requests (see `docs/lsp-extensions.md`): `codemode/virtualTextDocument`
//! (the text of a `codemode:` document) and `codemode/servers`.

use std::sync::Arc;

use tower_lsp_server::jsonrpc::{Error, Result};

use super::failed;
use crate::check::lib_text;
use crate::codegen;
use crate::lsp::protocol::{ServersResult, VirtualTextDocumentParams, VirtualTextDocumentResult};
use crate::lsp::session::Session;
use crate::lsp::status;

/// `codemode/virtualTextDocument`: the text of a `codemode:` document (the generated API,
/// the prelude, a lib file), read-only.
pub async fn virtual_text_document(
    session: &Arc<Session>,
    params: VirtualTextDocumentParams,
) -> Result<VirtualTextDocumentResult> {
    let name = params
        .uri
        .strip_prefix("codemode:")
        .map(|n| n.trim_start_matches('/'))
        .ok_or_else(|| Error::invalid_params("expected a codemode: URI"))?;
    let text = match name {
        "api.d.ts" => {
            let workspace = session
                .workspace()
                .await
                .ok_or_else(|| failed("the workspace is gone"))?;
            workspace.api().text.to_string()
        }
        "prelude.d.ts" => codegen::PRELUDE.to_string(),
        other => other
            .strip_prefix("lib/")
            .and_then(lib_text)
            .map(str::to_string)
            .ok_or_else(|| Error::invalid_params(format!("no document {name}")))?,
    };
    Ok(VirtualTextDocumentResult { text })
}

/// `codemode/servers` (no params): every server with its state and tools.
pub async fn servers(session: &Arc<Session>) -> Result<ServersResult> {
    Ok(status::servers(session.workspace_now().as_deref()))
}
