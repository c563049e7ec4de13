//! `codemode serve`: Code Mode for any agent, as an MCP server. The agent sees three tools
//! (`search_tools`, `get_types`, `execute`) instead of every upstream tool, writes one
//! script, and reads back only what the script prints.
//!
//! Over stdio (the default) or streamable HTTP. HTTP binds where it is told; the caller
//! refuses a non-loopback address without a token, and with a token every request must
//! carry `Authorization: Bearer TOKEN`. The `Host` header is checked against the bound
//! address (DNS-rebinding protection) by rmcp. Under stdio, stdout is the protocol.

mod approval;
mod facade;
mod reply;
mod search;

use std::future::{Future, IntoFuture};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use rmcp::ServiceExt;
use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;
use rmcp::transport::streamable_http_server::{StreamableHttpServerConfig, StreamableHttpService};
use subtle::ConstantTimeEq;
use tokio_util::sync::CancellationToken;

pub use facade::Facade;

use crate::config::Secret;

/// Serves `facade` on stdin/stdout until the client closes stdin or `stop` resolves.
pub async fn stdio(facade: Facade, stop: impl Future<Output = ()>) -> Result<(), String> {
    let service = facade
        .serve(rmcp::transport::stdio())
        .await
        .map_err(|error| format!("the MCP session did not start: {error}"))?;
    let cancel = service.cancellation_token();
    tokio::select! {
        quit = service.waiting() => {
            tracing::info!("the client closed the session: {quit:?}");
        }
        () = stop => cancel.cancel(),
    }
    Ok(())
}

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
    let service = StreamableHttpService::new(
        move || Ok(facade.clone()),
        Arc::new(LocalSessionManager::default()),
        config,
    );
    let origins = Arc::new(allowed_hosts(address));
    let router = axum::Router::new()
        .nest_service("/mcp", service)
        .layer(middleware::from_fn_with_state(
            Arc::new(token),
            require_token,
        ))
        .layer(middleware::from_fn(check_json))
        .layer(middleware::from_fn_with_state(origins, check_origin));
    let cancel = shutdown.clone();
    let stopped = Arc::new(tokio::sync::Notify::new());
    let stopping = stopped.clone();
    let server = axum::serve(listener, router).with_graceful_shutdown(async move {
        stop.await;
        cancel.cancel();
        stopping.notify_one();
    });
    // A client that keeps a stream open must not hold the process forever.
    tokio::select! {
        served = server.into_future() => {
            served.map_err(|error| format!("the HTTP server failed: {error}"))
        }
        () = async {
            stopped.notified().await;
            tokio::time::sleep(Duration::from_secs(5)).await;
        } => {
            tracing::warn!("connections were still open 5 s after the stop; closing them");
            Ok(())
        }
    }
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

/// Answers a POST whose body is not JSON with 400 and a JSON-RPC parse error (`-32700`), as
/// the transport specifies, before the MCP layer sees it.
async fn check_json(request: Request, next: Next) -> Response {
    if request.method() != axum::http::Method::POST {
        return next.run(request).await;
    }
    let (parts, body) = request.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, MAX_BODY).await else {
        return (
            StatusCode::PAYLOAD_TOO_LARGE,
            format!(
                "codemode: a request body may be at most {} MiB",
                MAX_BODY / (1024 * 1024)
            ),
        )
            .into_response();
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
