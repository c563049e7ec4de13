//! ▶ Run: its code lens, the last run as inlay hints, and the commands (`codemode.run`,
//! `codemode.showLastRun`); the work is in `lsp::run`.

use std::str::FromStr;
use std::sync::Arc;

use serde_json::Value;
use tower_lsp_server::jsonrpc::{Error, Result};
use tower_lsp_server::ls_types::*;

use crate::lsp::run;
use crate::lsp::session::Session;

pub async fn code_lens(
    session: &Arc<Session>,
    params: CodeLensParams,
) -> Result<Option<Vec<CodeLens>>> {
    let uri = params.text_document.uri;
    let script = session.documents.get(&uri).is_some_and(|d| d.script);
    if !script {
        return Ok(None);
    }
    Ok(Some(run::code_lenses(session, &uri)))
}

pub async fn inlay_hint(
    session: &Arc<Session>,
    params: InlayHintParams,
) -> Result<Option<Vec<InlayHint>>> {
    if session.caps().client_draws_run_results {
        return Ok(Some(Vec::new()));
    }
    Ok(Some(run::inlay_hints(
        session,
        &params.text_document.uri,
        params.range,
    )))
}

pub async fn execute_command(
    session: &Arc<Session>,
    params: ExecuteCommandParams,
) -> Result<Option<Value>> {
    let uri = params
        .arguments
        .first()
        .and_then(|argument| match argument {
            Value::String(uri) => Some(uri.clone()),
            Value::Object(object) => object.get("uri")?.as_str().map(str::to_string),
            _ => None,
        })
        .and_then(|uri| Uri::from_str(&uri).ok())
        .ok_or_else(|| {
            Error::invalid_params(format!("{} takes the script's URI", params.command))
        })?;
    match params.command.as_str() {
        run::RUN => run::run(session, uri)
            .await
            .map(Some)
            .map_err(Error::invalid_params),
        run::SHOW_RUN => Ok(session.runs.get(&uri).map(|last| run::answer(&last))),
        other => Err(Error::invalid_params(format!("unknown command {other}"))),
    }
}
