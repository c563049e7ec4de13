//! The LSP handlers, one module per area: each a function of the session and the request's
//! params that turns the request into a question for the session or the checker, and the
//! answer into LSP. `server.rs` is the table that routes each method here, under
//! [`guarded`]: a panic in a handler becomes an error response, never the end of the server.

pub mod custom;
pub mod diagnostics;
pub mod documents;
pub mod language;
pub mod lifecycle;
pub mod run;

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::time::Duration;

use futures::FutureExt;
use tower_lsp_server::jsonrpc::{Error, Result};
use tower_lsp_server::ls_types::Uri;

use super::session::Session;
use crate::check::{CheckError, Checker, Program};

/// Catches a panic in a handler and answers an internal error instead.
pub async fn guarded<T>(what: &str, work: impl Future<Output = Result<T>>) -> Result<T> {
    match AssertUnwindSafe(work).catch_unwind().await {
        Ok(answer) => answer,
        Err(panic) => {
            let message = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".into());
            tracing::error!("the {what} handler panicked: {message}");
            Err(Error {
                code: tower_lsp_server::jsonrpc::ErrorCode::InternalError,
                message: format!("codemode: the {what} handler failed: {message}").into(),
                data: None,
            })
        }
    }
}

/// For notifications: a panic is logged and forgotten.
pub async fn guarded_notification(what: &str, work: impl Future<Output = ()>) {
    if AssertUnwindSafe(work).catch_unwind().await.is_err() {
        tracing::error!("the {what} handler panicked");
    }
}

pub fn failed(error: impl std::fmt::Display) -> Error {
    Error {
        code: tower_lsp_server::jsonrpc::ErrorCode::InternalError,
        message: error.to_string().into(),
        data: None,
    }
}

/// Asks the checker `question` about `uri`'s script, under the workspace's check timeout,
/// on a detached task (see `Session::ask`); `None` when `uri` is not an open agent script.
pub async fn ask_about<T, F, Fut>(session: &Session, uri: &Uri, question: F) -> Result<Option<T>>
where
    T: Send + 'static,
    F: FnOnce(Arc<Checker>, Program, usize, Duration) -> Fut,
    Fut: Future<Output = std::result::Result<T, CheckError>> + Send + 'static,
{
    let Some((program, target, workspace)) = session.program_waiting(uri).await else {
        return Ok(None);
    };
    let timeout = session.check_timeout(&workspace);
    session
        .ask(move |checker| question(checker, program, target, timeout))
        .await
        .map(Some)
        .map_err(failed)
}
