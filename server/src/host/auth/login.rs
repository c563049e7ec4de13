//! Signing in to one server: the OAuth 2.1 authorization-code flow with PKCE, as the MCP
//! authorization specification describes it, run by rmcp's authorization manager —
//! protected-resource and authorization-server discovery from the server's 401 challenge
//! (with the well-known fallbacks), client registration (a client ID metadata document or
//! dynamic registration), scopes from the challenge or `scopes_supported`, the `resource`
//! parameter. This file adds what a command-line client needs around it: a one-shot callback
//! listener on 127.0.0.1, the URL for the person to open, and a bounded wait.

use std::time::Duration;

use axum::extract::{RawQuery, State};
use axum::response::Html;
use rmcp::transport::auth::{
    AuthError, AuthorizationManager, AuthorizationRequest, AuthorizationSession,
};
use tokio::sync::{mpsc, oneshot};

use super::store::TokenStore;
use crate::config::{ServerConfig, Transport};

/// How long the person has to finish signing in.
const WAIT: Duration = Duration::from_secs(300);

/// One request to the callback: its query, and where to say how the sign-in ended.
type Callback = (String, oneshot::Sender<Result<(), String>>);

/// What a sign-in reports as it goes.
pub enum Step<'a> {
    /// Open this URL in a browser to sign in.
    Open(&'a str),
}

/// Runs the browser flow for `server` and stores its tokens in `store`.
pub async fn login(
    server: &ServerConfig,
    store: TokenStore,
    report: &(dyn Fn(Step<'_>) + Sync),
) -> Result<(), String> {
    let Transport::Http { url, headers } = &server.transport else {
        return Err(format!(
            "{} is not reached over HTTP; only HTTP servers sign in",
            server.name
        ));
    };
    // The challenge to an unauthenticated `initialize`; a server that lets `initialize` by
    // (and asks later) is found through its metadata alone.
    let challenge = challenge(url, headers).await?;
    let wanted = store.wanted_scopes();
    let mut manager = AuthorizationManager::new(url.as_str())
        .await
        .map_err(|e| words(&e))?;
    manager.set_credential_store(store.clone());
    let resolution = manager
        .resolve_metadata_from_challenge(challenge.as_deref())
        .await
        .map_err(|e| match e {
            AuthError::NoAuthorizationSupport if challenge.is_none() => format!(
                "{} answered without asking for sign-in, and publishes no OAuth metadata",
                server.name
            ),
            other => words(&other),
        })?;
    manager.set_metadata(resolution.metadata);

    let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0))
        .await
        .map_err(|e| format!("cannot listen on 127.0.0.1 for the sign-in callback: {e}"))?;
    let port = listener.local_addr().map_err(|e| e.to_string())?.port();
    let redirect = format!("http://127.0.0.1:{port}/callback");
    let mut request = AuthorizationRequest::new(redirect.clone()).with_client_name("codemode");
    if let Some(challenge) = challenge {
        request = request.with_challenge(challenge);
    }
    let oauth = &server.oauth;
    if let Some(id) = &oauth.client_id {
        request = request.with_preregistered_client(id.clone());
    }
    if let Some(secret) = &oauth.client_secret {
        request = request.with_client_secret(secret.0.clone());
    }
    if let Some(url) = &oauth.metadata_url {
        request = request.with_client_metadata_url(url.clone());
    }
    // Scopes: the entry's, else those the server asked for since (a step-up), else the
    // ones the challenge or the server's metadata name.
    if !oauth.scopes.is_empty() {
        request = request.with_scopes(oauth.scopes.iter().cloned());
    } else if !wanted.is_empty() {
        request = request.with_scopes(wanted.iter().cloned());
    }
    let session = AuthorizationSession::new(manager, request)
        .await
        .map_err(|(_, e)| words(&e))?;

    let (calls, mut callbacks) = mpsc::channel::<Callback>(4);
    let app = axum::Router::new()
        .route("/callback", axum::routing::get(callback))
        .with_state(calls);
    let (stop, stopped) = oneshot::channel::<()>();
    let listening = tokio::spawn(async move {
        let _ = axum::serve(listener, app)
            .with_graceful_shutdown(async {
                let _ = stopped.await;
            })
            .await;
    });
    let address = session.get_authorization_url();
    if let Err(refused) = openable(address) {
        let _ = stop.send(());
        let _ = listening.await;
        return Err(refused);
    }
    let expected_state = query_value(address, "state");
    report(Step::Open(address));

    let outcome = tokio::time::timeout(WAIT, async {
        loop {
            let Some((query, reply)) = callbacks.recv().await else {
                return Err("the sign-in callback stopped".to_string());
            };
            let answer = |key: &str| {
                url::form_urlencoded::parse(query.as_bytes())
                    .find(|(k, _)| k == key)
                    .map(|(_, v)| v.into_owned())
            };
            // Only the authorization server's answer to this sign-in ends it: a request
            // with another state (a forged or stale link) is answered and ignored.
            if expected_state.is_none() || answer("state") != expected_state {
                let _ = reply.send(Err(
                    "this link does not belong to the sign-in under way; it was ignored"
                        .to_string(),
                ));
                continue;
            }
            // The code is a secret until exchanged: no log line (rmcp's included) shows it.
            if let Some(code) = answer("code") {
                crate::redact::register([code]);
            }
            let result = session
                .handle_callback_url(&format!("{redirect}?{query}"))
                .await
                .map(|_| ())
                .map_err(|e| words(&e));
            let done = result.clone();
            let _ = reply.send(result);
            // A stray request (a reload of an old page) does not end the wait; a real
            // answer from the authorization server does, whatever it says.
            if done.is_ok() || answer("code").is_some() || answer("error").is_some() {
                return done;
            }
        }
    })
    .await
    .unwrap_or_else(|_| {
        Err(format!(
            "no sign-in within {} minutes; run the command again",
            WAIT.as_secs() / 60
        ))
    });
    let _ = stop.send(());
    let _ = listening.await;
    if outcome.is_ok() {
        store.clear_wanted_scopes()?;
    }
    outcome
}

/// Whether a sign-in page may be opened at `address`: `https:`, or `http:` on this machine.
/// Anything else an authorization server names (`file:`, `javascript:`, an editor's own
/// scheme) would have the browser, the editor or the agent's client do something other than
/// show a page.
pub fn openable(address: &str) -> Result<(), String> {
    let refused = |what: String| {
        Err(format!(
            "the authorization server's sign-in address is {what}, not an https: page (or \
             http: on this machine); it was not opened"
        ))
    };
    let Ok(parsed) = url::Url::parse(address) else {
        return refused("not a URL".to_string());
    };
    let loopback = match parsed.host() {
        Some(url::Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    };
    match parsed.scheme() {
        "https" if parsed.host().is_some() => Ok(()),
        "http" if loopback => Ok(()),
        "http" => refused("plain http: to another machine".to_string()),
        scheme => refused(format!(
            "a {}: address",
            crate::printable::escape(&scheme.chars().take(32).collect::<String>())
        )),
    }
}

/// The value of `key` in `address`'s query.
fn query_value(address: &str, key: &str) -> Option<String> {
    url::Url::parse(address)
        .ok()?
        .query_pairs()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.into_owned())
}

/// The callback page: hands the query to the flow and shows how it ended.
async fn callback(
    State(calls): State<mpsc::Sender<Callback>>,
    RawQuery(query): RawQuery,
) -> Html<String> {
    let query = query.unwrap_or_default();
    let (reply, outcome) = oneshot::channel();
    if calls.send((query, reply)).await.is_err() {
        return Html(page("This sign-in is over; run the command again."));
    }
    match outcome.await {
        Ok(Ok(())) => Html(page("Signed in. You can close this tab.")),
        Ok(Err(error)) => Html(page(&format!("Sign-in failed: {}", html_escape(&error)))),
        Err(_) => Html(page("This sign-in is over; run the command again.")),
    }
}

fn page(text: &str) -> String {
    format!(
        "<!doctype html><meta charset=utf-8><title>codemode</title><p style=\"font: 16px sans-serif\">{text}</p>"
    )
}

fn html_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// The server's `WWW-Authenticate` challenge to an unauthenticated `initialize`, or `None`
/// when it answered without one.
async fn challenge(
    url: &str,
    headers: &indexmap::IndexMap<String, String>,
) -> Result<Option<String>, String> {
    let mut request = reqwest::Client::new()
        .post(url)
        .header("content-type", "application/json")
        .header("accept", "application/json, text/event-stream")
        .body(
            r#"{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"codemode","version":"0"}}}"#,
        );
    for (name, value) in headers {
        request = request.header(name.as_str(), value.as_str());
    }
    let response = request
        .send()
        .await
        .map_err(|e| format!("cannot reach the server to sign in: {e}"))?;
    if response.status() != reqwest::StatusCode::UNAUTHORIZED {
        return Ok(None);
    }
    Ok(Some(
        response
            .headers()
            .get("www-authenticate")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("Bearer")
            .to_string(),
    ))
}

/// An rmcp authorization error in words.
pub fn words(error: &AuthError) -> String {
    match error {
        AuthError::AuthorizationRequired => "the server needs sign-in".to_string(),
        AuthError::NoAuthorizationSupport => {
            "the server asks for sign-in but publishes no OAuth metadata codemode can use"
                .to_string()
        }
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::openable;

    #[test]
    fn only_pages_are_opened() {
        for (address, opened) in [
            ("https://auth.example.com/authorize?x=1", true),
            ("http://127.0.0.1:9000/authorize", true),
            ("http://localhost:9000/authorize", true),
            ("http://[::1]:9000/authorize", true),
            ("http://auth.example.com/authorize", false),
            ("file:///etc/passwd", false),
            ("vscode://codemode/evil", false),
            ("javascript:alert(1)", false),
            ("data:text/html,<script>", false),
            ("not a url", false),
        ] {
            assert_eq!(openable(address).is_ok(), opened, "{address}");
        }
    }
}
