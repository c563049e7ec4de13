//! Signing in from `serve`: when a configured server wants a sign-in and the agent's client
//! can send its person to a page (URL-mode elicitation), `execute` does so before it runs
//! the script: the authorization page of the OAuth flow (`host::auth`), whose callback
//! listens on 127.0.0.1 meanwhile. Once the person is back, the server is connected again
//! and the script runs against its tools. Each server is offered once per process; a
//! client that cannot open pages gets the `codemode login` advice in the server summary.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::oneshot;

use super::person::{Person, Reply};
use crate::config::{ServerConfig, Transport};
use crate::host::auth::{self, Step, TokenStore};
use crate::workspace::Workspace;

/// How long a sign-in waits for the person to finish in the browser, once they agreed.
const WAIT: Duration = Duration::from_secs(300);
/// How long the authorization page's URL may take to be ready (metadata discovery).
const PREPARE: Duration = Duration::from_secs(30);

/// The servers offered a sign-in in this process.
#[derive(Clone, Default)]
pub struct Offered(Arc<Mutex<HashSet<String>>>);

impl Offered {
    fn first_time(&self, server: &str) -> bool {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(server.to_string())
    }
}

/// Sends `person` to sign in to each server of `workspace` that wants it and was not
/// offered yet; each one signed in is connected again.
pub async fn offer(workspace: &Workspace, person: &Person, offered: &Offered) {
    if !person.can_open_urls() {
        return;
    }
    for server in waiting(workspace) {
        if !offered.first_time(&server.name) {
            continue;
        }
        let name = server.name.clone();
        match sign_in(server, person).await {
            Ok(()) => {
                tracing::info!("signed in to {name}; connecting again");
                workspace.host().reconnect(&name).await;
            }
            Err(why) => tracing::info!("no sign-in to {name}: {why}"),
        }
    }
}

/// The configured HTTP servers that want a sign-in.
fn waiting(workspace: &Workspace) -> Vec<ServerConfig> {
    workspace
        .waiting_for_sign_in()
        .into_iter()
        .filter(|server| matches!(server.transport, Transport::Http { .. }))
        .collect()
}

async fn sign_in(server: ServerConfig, person: &Person) -> Result<(), String> {
    let Transport::Http { url, .. } = &server.transport else {
        return Err("not an HTTP server".into());
    };
    let store = TokenStore::for_url(url).ok_or("no home folder to keep a sign-in in")?;
    let name = server.name.clone();
    let (page, page_ready) = oneshot::channel::<String>();
    let page = Mutex::new(Some(page));
    // The flow runs on its own: its callback must be listening while the person is away.
    let mut flow = tokio_util::task::AbortOnDropHandle::new(tokio::spawn(async move {
        let report = |step: Step<'_>| {
            let Step::Open(url) = step;
            if let Some(page) = page.lock().unwrap_or_else(|e| e.into_inner()).take() {
                let _ = page.send(url.to_string());
            }
        };
        auth::login(&server, store, &report)
            .await
            .map_err(|error| server.redact(&error))
    }));
    let url = tokio::select! {
        url = page_ready => url.map_err(|_| "the sign-in ended before it had a page".to_string())?,
        ended = &mut flow => return ended.map_err(|e| e.to_string())?,
        () = tokio::time::sleep(PREPARE) => return Err("the sign-in page was not ready in time".into()),
    };
    let message = format!(
        "Sign in to the MCP server `{name}` so codemode scripts can use its tools. The page \
         comes back to codemode on this computer when you are done."
    );
    match person
        .send_to(message, &url, format!("codemode-sign-in-{name}"))
        .await?
    {
        Reply::Accept(_) => {}
        Reply::Decline | Reply::Cancel => return Err("the person did not want to".into()),
    }
    match tokio::time::timeout(WAIT, flow).await {
        Ok(ended) => ended.map_err(|e| e.to_string())?,
        Err(_) => Err(format!("not finished within {} s", WAIT.as_secs())),
    }
}
