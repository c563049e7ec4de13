//! Text synchronisation, applied to the open documents as the client's messages arrive, in
//! their order, before tower-lsp-server dispatches them: it runs up to four handlers at once
//! and in no set order, so a request sent right after a `didChange` could otherwise be
//! answered against the text before it. The `didOpen`/`didChange`/`didClose` handlers then
//! only react (classify, re-check, clear).

use serde::Deserialize;
use tower_lsp_server::ls_types::{
    DidChangeTextDocumentParams, DidCloseTextDocumentParams, DidOpenTextDocumentParams,
};

use super::documents::Document;
use super::session::Session;

#[derive(Deserialize)]
struct Notification {
    method: String,
    #[serde(default)]
    params: serde_json::Value,
}

/// Applies `body` to the documents when it is a text synchronisation notification; anything
/// else (or a malformed one, which the handler then refuses) is left alone.
pub fn apply(session: &Session, body: &[u8]) {
    let Ok(message) = serde_json::from_slice::<Notification>(body) else {
        return;
    };
    match message.method.as_str() {
        "textDocument/didOpen" => {
            if let Ok(params) = serde_json::from_value::<DidOpenTextDocumentParams>(message.params)
            {
                let document = params.text_document;
                let path = document.uri.to_file_path().map(|p| p.into_owned());
                let mut opened =
                    Document::new(document.text, document.version, session.next_slot(), path);
                opened.script = session.is_script_now(opened.path.as_deref());
                session.documents.insert(document.uri, opened);
            }
        }
        "textDocument/didChange" => {
            if let Ok(params) =
                serde_json::from_value::<DidChangeTextDocumentParams>(message.params)
                && let Some(mut document) = session.documents.get_mut(&params.text_document.uri)
            {
                document.apply(params.content_changes, params.text_document.version);
            }
        }
        "textDocument/didClose" => {
            if let Ok(params) = serde_json::from_value::<DidCloseTextDocumentParams>(message.params)
            {
                let uri = params.text_document.uri;
                if let Some((_, document)) = session.documents.remove(&uri)
                    && document.script
                {
                    session.closed_scripts.insert(uri);
                }
            }
        }
        _ => {}
    }
}
