//! Trusting the project's configuration from the editor: when the configuration found is a
//! project file the person has not trusted, the editor asks once per file and content
//! (`window/showMessageRequest`, naming each server and what it runs); "Trust" keeps the
//! answer per user and reloads the workspace, which then starts the servers. A client that
//! cannot ask shows the command that trusts the file instead. Until then the workspace has
//! none of the file's servers and nothing in it was expanded.

use std::sync::Arc;

use tower_lsp_server::ls_types::MessageType;

use super::session::Session;
use crate::config::Untrusted;
use crate::user::UserState;

const TRUST: &str = "Trust and start";

/// Asks about `untrusted` (once per file and content in a session).
pub async fn offer(session: &Arc<Session>, untrusted: &Untrusted) {
    let key = format!("{}#{}", untrusted.file.display(), untrusted.sha256);
    if !session.offered_trust.insert(key) {
        return;
    }
    if !session.caps().show_message_request {
        session
            .client
            .show_message(
                MessageType::WARNING,
                format!("codemode: {}", untrusted.refusal()),
            )
            .await;
        return;
    }
    let question = format!(
        "codemode: {} is a project configuration you have not trusted. Trusting it starts:\n{}",
        untrusted.file.display(),
        untrusted.describe()
    );
    let session = session.clone();
    let untrusted = untrusted.clone();
    tokio::spawn(async move {
        if !session.confirm(question, TRUST).await {
            return;
        }
        let names = untrusted.servers.iter().map(|s| s.name.clone()).collect();
        match UserState::current().trust(&untrusted.file, &untrusted.sha256, names) {
            Ok(()) => session.reload_requested.notify_one(),
            Err(error) => {
                session
                    .client
                    .show_message(
                        MessageType::ERROR,
                        format!("codemode: cannot keep the answer: {error}"),
                    )
                    .await
            }
        }
    });
}
