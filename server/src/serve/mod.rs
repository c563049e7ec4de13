//! `codemode serve`: Code Mode for any agent, as an MCP server. The agent sees three tools
//! (`search_tools`, `get_types`, `execute`) instead of every upstream tool, writes one
//! script, and reads back only what the script prints.
//!
//! Over stdio (the default) or streamable HTTP (`http.rs`). Under stdio, stdout is the
//! protocol.

mod approval;
mod facade;
mod http;
mod person;
mod questions;
mod reply;
mod rounds;
mod search;
mod sign_in;

use std::future::Future;

use rmcp::ServiceExt;

pub use facade::Facade;
pub use http::http;

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
