//! Diagnostics pulled by the client (`textDocument/diagnostic`; pushed ones come from the
//! session), and their quick fixes (`textDocument/codeAction`).

use std::sync::Arc;

use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::*;

use crate::lsp::session::Session;

pub async fn diagnostic(
    session: &Arc<Session>,
    params: DocumentDiagnosticParams,
) -> Result<DocumentDiagnosticReportResult> {
    // While the servers start: nothing yet, and a refresh request when they are up.
    let items = match session.workspace_now() {
        Some(_) => session
            .diagnostics(&params.text_document.uri, None)
            .await
            .unwrap_or_default(),
        None => Vec::new(),
    };
    Ok(DocumentDiagnosticReportResult::Report(
        DocumentDiagnosticReport::Full(RelatedFullDocumentDiagnosticReport {
            related_documents: None,
            full_document_diagnostic_report: FullDocumentDiagnosticReport {
                result_id: None,
                items,
            },
        }),
    ))
}

pub async fn code_action(
    session: &Arc<Session>,
    params: CodeActionParams,
) -> Result<Option<CodeActionResponse>> {
    let actions = crate::lsp::code_actions::code_actions(session, params).await;
    Ok(Some(actions))
}
