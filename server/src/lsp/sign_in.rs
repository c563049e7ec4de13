//! Signing in from the editor: when a server of the workspace wants a sign-in, the editor
//! asks "Sign in?" (`window/showMessageRequest`); on yes, the browser opens at the
//! authorization URL (`window/showDocument`, external, or the URL in a message when the
//! client cannot open one), `host::auth` waits for the browser to come back, and the
//! workspace reloads with the new sign-in. Each server is offered once per session.

use std::sync::Arc;

use tower_lsp_server::ls_types::{MessageType, ShowDocumentParams};

use super::session::Session;
use crate::config::{ServerConfig, Transport};
use crate::host::auth::{self, Step, TokenStore};
use crate::workspace::Workspace;

const SIGN_IN: &str = "Sign in";

/// The servers of `workspace` that want a sign-in and were not offered one yet.
fn waiting(session: &Session, workspace: &Workspace) -> Vec<ServerConfig> {
    workspace
        .waiting_for_sign_in()
        .into_iter()
        .filter(|server| session.offered_sign_in.insert(server.name.clone()))
        .collect()
}

/// Offers a sign-in for each server of `workspace` that wants one.
pub async fn offer(session: &Arc<Session>, workspace: &Workspace) {
    for server in waiting(session, workspace) {
        let question = format!(
            "codemode: the MCP server `{}` needs you to sign in.",
            server.name
        );
        if !session.caps().show_message_request {
            session
                .client
                .show_message(
                    MessageType::WARNING,
                    format!(
                        "{question} Run `codemode login {}` in a terminal.",
                        server.name
                    ),
                )
                .await;
            continue;
        }
        let session = session.clone();
        tokio::spawn(async move {
            if session.confirm(question, SIGN_IN).await {
                sign_in(session, server).await;
            }
        });
    }
}

async fn sign_in(session: Arc<Session>, server: ServerConfig) {
    let Transport::Http { url, .. } = &server.transport else {
        return;
    };
    let Some(store) = TokenStore::for_url(url) else {
        session
            .client
            .show_message(
                MessageType::ERROR,
                "codemode: no home folder, so nowhere to keep a sign-in".to_string(),
            )
            .await;
        return;
    };
    let client = session.client.clone();
    let open_documents = session.caps().show_document;
    let report = move |step: Step<'_>| {
        let Step::Open(url) = step;
        let url = url.to_string();
        let client = client.clone();
        tokio::spawn(async move {
            let opened = match url.parse() {
                Ok(uri) if open_documents => client
                    .show_document(ShowDocumentParams {
                        uri,
                        external: Some(true),
                        take_focus: Some(true),
                        selection: None,
                    })
                    .await
                    .unwrap_or(false),
                _ => false,
            };
            if !opened {
                client
                    .show_message(
                        MessageType::INFO,
                        format!(
                            "codemode: open this URL in a browser to sign in: {}",
                            crate::printable::escape(&url)
                        ),
                    )
                    .await;
            }
        });
    };
    match auth::login(&server, store, &report).await {
        Ok(()) => {
            session
                .client
                .show_message(
                    MessageType::INFO,
                    format!("codemode: signed in to `{}`", server.name),
                )
                .await;
            // Start again with the sign-in (through the session's reload loop: loading is
            // what offered this sign-in).
            session.reload_requested.notify_one();
        }
        Err(error) => {
            session
                .client
                .show_message(
                    MessageType::ERROR,
                    format!(
                        "codemode: cannot sign in to `{}`: {}",
                        server.name,
                        server.redact(&error)
                    ),
                )
                .await;
        }
    }
}
