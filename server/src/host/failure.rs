//! Why a streamable HTTP server could not be reached, in one line of words with what to do:
//! the transport error rmcp hands back (wrapped in its own types, the cause often only in
//! the source chain) read down to what happened — nothing listening, a name that does not
//! resolve, TLS, sign-in, a path that is not an MCP endpoint, a web page.

use std::error::Error;

use rmcp::service::{ClientInitializeError, ServiceError};
use rmcp::transport::streamable_http_client::StreamableHttpError;

/// A failed start in rmcp's words, the fallback's when discovery and `initialize` both
/// failed (the one that says what is wrong).
pub fn initialize_words(error: &ClientInitializeError) -> String {
    match error {
        ClientInitializeError::LegacyFallbackFailed { fallback, .. } => initialize_words(fallback),
        other => other.to_string(),
    }
}

/// What went wrong reaching `url` (the caller prefixes the server and its URL as shown).
pub fn http_failure(error: &ClientInitializeError, url: &str) -> Failure {
    // `server/discover` failed, then `initialize`: the latter says what is wrong.
    if let ClientInitializeError::LegacyFallbackFailed { fallback, .. } = error {
        return http_failure(fallback, url);
    }
    let ClientInitializeError::TransportError { error, .. } = error else {
        return Failure::Other(error.to_string());
    };
    let Some(error) = error
        .error
        .downcast_ref::<StreamableHttpError<reqwest::Error>>()
    else {
        return Failure::Other(error.error.to_string());
    };
    let host = url::Url::parse(url)
        .ok()
        .and_then(|u| {
            let host = u.host_str()?.to_string();
            Some(match u.port_or_known_default() {
                Some(port) => format!("{host}:{port}"),
                None => host,
            })
        })
        .unwrap_or_else(|| url.to_string());
    match error {
        StreamableHttpError::Client(error) => client_failure(error, &host),
        StreamableHttpError::AuthRequired(_) => Failure::SignIn,
        StreamableHttpError::InsufficientScope(scope) => {
            Failure::MoreScope(scope.required_scope.clone())
        }
        StreamableHttpError::HttpStatus(status) => status_failure(status.status),
        StreamableHttpError::UnexpectedServerResponse(message) => {
            // "HTTP 404 Not Found: <body>".
            let status = message
                .strip_prefix("HTTP ")
                .and_then(|rest| rest.split([' ', ':']).next())
                .and_then(|code| code.parse::<u16>().ok());
            match status {
                Some(status) => status_failure(status),
                None => Failure::Other(format!("unexpected answer: {message}")),
            }
        }
        StreamableHttpError::UnexpectedContentType(content_type) => Failure::Other(format!(
            "the server answered with {}, not JSON or an event stream: the URL is probably a \
             web page, not an MCP endpoint (check the path)",
            content_type
                .as_deref()
                .map_or("no content type".to_string(), |ct| format!("`{ct}`"))
        )),
        other => Failure::Other(other.to_string()),
    }
}

/// What went wrong, for the caller to word with the server's name.
#[derive(Debug, PartialEq, Eq)]
pub enum Failure {
    /// HTTP 401 with a challenge: the server wants an OAuth sign-in.
    SignIn,
    /// HTTP 403 `insufficient_scope`: the sign-in must be done again for these scopes.
    MoreScope(Option<String>),
    Other(String),
}

/// A request after the start (`tools/list`, `tools/call`) that the server refused for want
/// of a sign-in or of scope; `None` for every other failure.
pub fn needs_sign_in(error: &ServiceError) -> Option<Failure> {
    let ServiceError::TransportSend(error) = error else {
        return None;
    };
    match error
        .error
        .downcast_ref::<StreamableHttpError<reqwest::Error>>()?
    {
        StreamableHttpError::AuthRequired(_) => Some(Failure::SignIn),
        StreamableHttpError::InsufficientScope(scope) => {
            Some(Failure::MoreScope(scope.required_scope.clone()))
        }
        _ => None,
    }
}

fn status_failure(status: u16) -> Failure {
    Failure::Other(match status {
        401 => "the server refused the request (HTTP 401 without a sign-in challenge): check \
                the token in the entry's \"headers\""
            .to_string(),
        403 => "the server refused access (HTTP 403): check the token or headers in the \
                server's entry"
            .to_string(),
        404 => "nothing at this URL (HTTP 404): check the path (MCP endpoints usually end in \
                /mcp)"
            .to_string(),
        405 | 501 => format!(
            "the URL does not take MCP requests (HTTP {status}): it is not a streamable HTTP \
             endpoint; check the path (legacy SSE servers are not supported)"
        ),
        429 => "the server is rate limiting (HTTP 429): try again later".to_string(),
        500..=599 => format!("the server failed (HTTP {status}): try again later"),
        _ => format!("the server answered HTTP {status}"),
    })
}

fn client_failure(error: &reqwest::Error, host: &str) -> Failure {
    let mut causes = Vec::new();
    let mut refused = false;
    let mut source: Option<&(dyn Error + 'static)> = error.source();
    while let Some(cause) = source {
        if let Some(io) = cause.downcast_ref::<std::io::Error>()
            && io.kind() == std::io::ErrorKind::ConnectionRefused
        {
            refused = true;
        }
        causes.push(cause.to_string());
        source = cause.source();
    }
    let all = causes.join(": ").to_lowercase();
    let last = causes.last().cloned().unwrap_or_else(|| error.to_string());
    Failure::Other(if refused {
        format!("connection refused: nothing is listening at {host} (is the server running?)")
    } else if all.contains("dns error") || all.contains("failed to lookup address") {
        let name = host.rsplit_once(':').map_or(host, |(name, _)| name);
        format!("cannot resolve the host name {name} (check the URL, and the network)")
    } else if error.is_timeout() || all.contains("timed out") {
        format!("{host} did not answer in time (check the URL, and the network)")
    } else if all.contains("certificate")
        || all.contains("tls")
        || all.contains("handshake")
        || all.contains("corrupt message")
    {
        format!(
            "the TLS connection to {host} failed ({last}): check the URL's scheme (https or \
             http) and the server's certificate"
        )
    } else {
        format!("cannot reach {host}: {last}")
    })
}

/// "needs sign-in: run `codemode login NAME`" (and the scope it wants, remembered for that
/// sign-in).
pub fn sign_in_words(failure: &Failure, server: &crate::config::ServerConfig) -> String {
    match failure {
        Failure::MoreScope(scope) => {
            if let (Some(scope), crate::config::Transport::Http { url, .. }) =
                (scope, &server.transport)
                && let Some(store) = super::auth::TokenStore::for_url(url)
            {
                store.want_scopes(scope);
            }
            format!(
                "needs sign-in again for more access (scope {}): run `codemode login {}`",
                scope.as_deref().unwrap_or("the server names"),
                server.name
            )
        }
        _ => format!("needs sign-in: run `codemode login {}`", server.name),
    }
}
