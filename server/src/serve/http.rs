//! `codemode serve --http`: the facade over streamable HTTP at `/mcp`. It binds where it is
//! told; the caller refuses a non-loopback address without a token, and with a token every
//! request must carry `Authorization: Bearer TOKEN` (the scheme in any case). Checked before
//! the MCP layer sees a request: `Host` (by rmcp) and `Origin` against the bound address (DNS
//! rebinding), the token (on the headers alone, before any body is read), a body that is
//! JSON (else 400 with `-32700`; at most 16 MiB, counted as it arrives, within 30 s), and the
//! number of sessions. Connections are bounded in number, and a client must send its request headers
//! within a few seconds (a slow socket is closed, not kept).

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto::Builder;
use hyper_util::service::TowerToHyperService;
use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;
use rmcp::transport::streamable_http_server::{StreamableHttpServerConfig, StreamableHttpService};
use subtle::ConstantTimeEq;
use tokio_util::sync::CancellationToken;

use super::Facade;
use crate::config::Secret;

/// How long a client may take to send a request's headers.
const HEADER_TIMEOUT: Duration = Duration::from_secs(10);
/// Connections open at once; more wait in the listen queue.
const MAX_CONNECTIONS: usize = 256;
/// MCP sessions at once (each idles out after rmcp's keep-alive, 5 minutes).
const MAX_SESSIONS: usize = 128;

/// Serves `facade` over streamable HTTP at `/mcp` on `listener` until `stop` resolves.
pub async fn http(
    facade: Facade,
    listener: tokio::net::TcpListener,
    token: Option<Secret>,
    stop: impl Future<Output = ()> + Send + 'static,
) -> Result<(), String> {
    let address = listener
        .local_addr()
        .map_err(|error| format!("cannot read the bound address: {error}"))?;
    let shutdown = CancellationToken::new();
    let config = StreamableHttpServerConfig::default()
        .with_allowed_hosts(allowed_hosts(address))
        .with_cancellation_token(shutdown.child_token());
    let sessions = Arc::new(LocalSessionManager::default());
    let service = StreamableHttpService::new(move || Ok(facade.clone()), sessions.clone(), config);
    let origins = Arc::new(allowed_hosts(address));
    // The last layer added runs first: the origin and the token are checked on the headers
    // alone, so a request without the token costs no more than its headers; only then is a
    // body read (bounded in size and time) and checked to be JSON.
    let router = axum::Router::new()
        .nest_service("/mcp", service)
        .layer(middleware::from_fn_with_state(sessions, cap_sessions))
        .layer(middleware::from_fn(check_json))
        .layer(middleware::from_fn_with_state(
            Arc::new(token),
            require_token,
        ))
        .layer(middleware::from_fn_with_state(origins, check_origin));
    let connections = Arc::new(tokio::sync::Semaphore::new(MAX_CONNECTIONS));
    let mut open = tokio::task::JoinSet::new();
    let mut stop = std::pin::pin!(stop);
    loop {
        let permit = tokio::select! {
            permit = connections.clone().acquire_owned() => match permit {
                Ok(permit) => permit,
                Err(_) => break,
            },
            () = &mut stop => break,
        };
        let (stream, _) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    // Out of file descriptors and the like: wait a little, keep serving.
                    tracing::warn!("accepting a connection failed: {error}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut stop => break,
        };
        let service = TowerToHyperService::new(router.clone());
        let closing = shutdown.clone();
        open.spawn(async move {
            let _permit = permit;
            let mut builder = Builder::new(TokioExecutor::new());
            builder
                .http1()
                .timer(TokioTimer::new())
                .header_read_timeout(HEADER_TIMEOUT);
            let connection = builder.serve_connection_with_upgrades(TokioIo::new(stream), service);
            let mut connection = std::pin::pin!(connection);
            tokio::select! {
                _ = connection.as_mut() => {}
                () = closing.cancelled() => {
                    connection.as_mut().graceful_shutdown();
                    let _ = connection.await;
                }
            }
        });
        // Finished connections are reaped as we go.
        while open.try_join_next().is_some() {}
    }
    shutdown.cancel();
    // A client that keeps a stream open must not hold the process forever.
    if tokio::time::timeout(Duration::from_secs(5), async {
        while open.join_next().await.is_some() {}
    })
    .await
    .is_err()
    {
        tracing::warn!("connections were still open 5 s after the stop; closing them");
        open.abort_all();
    }
    Ok(())
}

/// The `Host` header values a request to `address` may carry.
fn allowed_hosts(address: SocketAddr) -> Vec<String> {
    let port = address.port();
    let mut hosts = vec![
        format!("localhost:{port}"),
        "localhost".to_string(),
        format!("127.0.0.1:{port}"),
        "127.0.0.1".to_string(),
        format!("[::1]:{port}"),
        "::1".to_string(),
    ];
    if !address.ip().is_loopback() && !address.ip().is_unspecified() {
        hosts.push(address.to_string());
        hosts.push(address.ip().to_string());
    }
    if address.ip().is_unspecified() {
        // Bound to every interface (with a token): the token is the protection.
        hosts.clear();
    }
    hosts
}

/// Refuses requests from a web page of another origin (the MCP specification asks servers
/// to validate `Origin`, against DNS rebinding): an `Origin` header, when sent, must name a
/// host the server answers to. Clients that are not browsers send none.
async fn check_origin(
    State(hosts): State<Arc<Vec<String>>>,
    request: Request,
    next: Next,
) -> Response {
    let Some(origin) = request.headers().get(header::ORIGIN) else {
        return next.run(request).await;
    };
    // Bound to every interface (with a token): any host, so any origin.
    if hosts.is_empty() {
        return next.run(request).await;
    }
    let host = origin
        .to_str()
        .ok()
        .and_then(|origin| origin.split_once("://"))
        .map(|(_, host)| host.trim_end_matches('/'));
    match host {
        Some(host) if hosts.iter().any(|allowed| allowed.eq_ignore_ascii_case(host)) => {
            next.run(request).await
        }
        _ => (
            StatusCode::FORBIDDEN,
            "codemode: requests from this origin are refused (Origin must be the server's own host)",
        )
            .into_response(),
    }
}

/// The largest request body taken.
const MAX_BODY: usize = 16 * 1024 * 1024;
/// How long a client may take to send a request's body.
const BODY_TIMEOUT: Duration = Duration::from_secs(30);

/// Answers a POST whose body is not JSON with 400 and a JSON-RPC parse error (`-32700`), as
/// the transport specifies, before the MCP layer sees it.
async fn check_json(request: Request, next: Next) -> Response {
    if request.method() != axum::http::Method::POST {
        return next.run(request).await;
    }
    let too_large = || {
        (
            StatusCode::PAYLOAD_TOO_LARGE,
            format!(
                "codemode: a request body may be at most {} MiB",
                MAX_BODY / (1024 * 1024)
            ),
        )
            .into_response()
    };
    // A declared length over the cap is refused before a byte of the body is read.
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<u64>().ok());
    if declared.is_some_and(|length| length > MAX_BODY as u64) {
        return too_large();
    }
    let (parts, body) = request.into_parts();
    // The cap applies as the body is read, and the whole body must come within the limit.
    let bytes = match tokio::time::timeout(BODY_TIMEOUT, axum::body::to_bytes(body, MAX_BODY)).await
    {
        Ok(Ok(bytes)) => bytes,
        Ok(Err(_)) => return too_large(),
        Err(_) => {
            return (
                StatusCode::REQUEST_TIMEOUT,
                format!(
                    "codemode: the request body did not arrive within {} s",
                    BODY_TIMEOUT.as_secs()
                ),
            )
                .into_response();
        }
    };
    if serde_json::from_slice::<serde::de::IgnoredAny>(&bytes).is_err() {
        let error = serde_json::json!({
            "jsonrpc": "2.0",
            "id": null,
            "error": {"code": -32700, "message": "Parse error: the request body is not JSON"},
        });
        return (
            StatusCode::BAD_REQUEST,
            [(header::CONTENT_TYPE, "application/json")],
            error.to_string(),
        )
            .into_response();
    }
    next.run(Request::from_parts(parts, axum::body::Body::from(bytes)))
        .await
}

/// Refuses a new session (a POST without `Mcp-Session-Id`) when `MAX_SESSIONS` are open.
async fn cap_sessions(
    State(sessions): State<Arc<LocalSessionManager>>,
    request: Request,
    next: Next,
) -> Response {
    let new = request.method() == axum::http::Method::POST
        && !request.headers().contains_key("mcp-session-id");
    if new && sessions.sessions.read().await.len() >= MAX_SESSIONS {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            [(header::RETRY_AFTER, "30")],
            format!("codemode: {MAX_SESSIONS} MCP sessions are open, the most this server keeps; try again later"),
        )
            .into_response();
    }
    next.run(request).await
}

/// Refuses requests without the configured bearer token.
async fn require_token(
    State(token): State<Arc<Option<Secret>>>,
    request: Request,
    next: Next,
) -> Response {
    let Some(Secret(expected)) = token.as_ref() else {
        return next.run(request).await;
    };
    // The scheme is case-insensitive (RFC 7235): `bearer TOKEN` is the same.
    let given = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token.trim());
    match given {
        Some(given) if bool::from(given.as_bytes().ct_eq(expected.as_bytes())) => {
            next.run(request).await
        }
        _ => (
            StatusCode::UNAUTHORIZED,
            [(header::WWW_AUTHENTICATE, "Bearer")],
            "codemode: this server needs `Authorization: Bearer TOKEN` (the configuration's \"httpToken\")",
        )
            .into_response(),
    }
}
