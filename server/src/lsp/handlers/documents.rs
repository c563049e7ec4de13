//! Documents: opened, changed, saved, closed; configuration files watched. The text itself
//! is applied as each message arrives (`text_sync`); these react to it, and none waits for
//! the workspace.

use std::sync::Arc;

use tower_lsp_server::ls_types::*;

use crate::lsp::session::Session;

pub async fn did_open(session: &Arc<Session>, params: DidOpenTextDocumentParams) {
    recheck(session, params.text_document.uri);
}

pub async fn did_change(session: &Arc<Session>, params: DidChangeTextDocumentParams) {
    recheck(session, params.text_document.uri);
}

/// Schedules a check of `uri` when it is an agent script. Before the workspace is ready
/// nothing: its arrival re-checks every open script.
fn recheck(session: &Arc<Session>, uri: Uri) {
    let script = session.documents.get(&uri).is_some_and(|d| d.script);
    if script && session.workspace_now().is_some() {
        session.schedule_diagnostics(uri);
    }
}

pub async fn did_save(session: &Arc<Session>, params: DidSaveTextDocumentParams) {
    let path = params.text_document.uri.to_file_path();
    if path.is_some_and(|p| session.is_config_file(&p)) {
        let session = session.clone();
        tokio::spawn(async move { session.load_workspace().await });
    }
}

pub async fn did_close(session: &Arc<Session>, params: DidCloseTextDocumentParams) {
    let uri = params.text_document.uri;
    session.cancel_check(&uri);
    session.runs.remove(&uri);
    let was_script = session.closed_scripts.remove(&uri).is_some();
    if was_script && !session.caps().pull_diagnostics {
        session
            .client
            .publish_diagnostics(uri, Vec::new(), None)
            .await;
    }
}

pub async fn did_change_watched_files(session: &Arc<Session>, params: DidChangeWatchedFilesParams) {
    let config_changed = params.changes.iter().any(|change| {
        change
            .uri
            .to_file_path()
            .is_some_and(|p| session.is_config_file(&p))
    });
    if config_changed {
        tracing::info!("a configuration file changed; reloading");
        let session = session.clone();
        tokio::spawn(async move { session.load_workspace().await });
    }
}
