//! The table of LSP methods: each routed to its handler in `handlers/`, under `guarded` (a
//! panic becomes an error response; in a notification, a log line). Nothing else here.

use std::sync::Arc;

use serde_json::Value;
use tower_lsp_server::LanguageServer;
use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::*;

use super::handlers::{
    custom, diagnostics, documents, guarded, guarded_notification, language, lifecycle, run,
};
use super::protocol::{ServersResult, VirtualTextDocumentParams, VirtualTextDocumentResult};
use super::session::Session;

pub struct Backend {
    pub session: Arc<Session>,
}

impl Backend {
    /// `codemode/virtualTextDocument`.
    pub async fn virtual_text_document(
        &self,
        params: VirtualTextDocumentParams,
    ) -> Result<VirtualTextDocumentResult> {
        let work = custom::virtual_text_document(&self.session, params);
        guarded("virtualTextDocument", work).await
    }

    /// `codemode/servers`.
    pub async fn servers(&self) -> Result<ServersResult> {
        guarded("servers", custom::servers(&self.session)).await
    }
}

impl LanguageServer for Backend {
    async fn initialize(&self, params: InitializeParams) -> Result<InitializeResult> {
        guarded("initialize", lifecycle::initialize(&self.session, params)).await
    }

    async fn initialized(&self, params: InitializedParams) {
        let work = lifecycle::initialized(&self.session, params);
        guarded_notification("initialized", work).await
    }

    async fn shutdown(&self) -> Result<()> {
        guarded("shutdown", lifecycle::shutdown(&self.session)).await
    }

    async fn did_open(&self, params: DidOpenTextDocumentParams) {
        guarded_notification("didOpen", documents::did_open(&self.session, params)).await
    }

    async fn did_change(&self, params: DidChangeTextDocumentParams) {
        guarded_notification("didChange", documents::did_change(&self.session, params)).await
    }

    async fn did_save(&self, params: DidSaveTextDocumentParams) {
        guarded_notification("didSave", documents::did_save(&self.session, params)).await
    }

    async fn did_close(&self, params: DidCloseTextDocumentParams) {
        guarded_notification("didClose", documents::did_close(&self.session, params)).await
    }

    async fn did_change_watched_files(&self, params: DidChangeWatchedFilesParams) {
        let work = documents::did_change_watched_files(&self.session, params);
        guarded_notification("didChangeWatchedFiles", work).await
    }

    async fn completion(&self, params: CompletionParams) -> Result<Option<CompletionResponse>> {
        guarded("completion", language::completion(&self.session, params)).await
    }

    async fn completion_resolve(&self, item: CompletionItem) -> Result<CompletionItem> {
        let work = language::completion_resolve(&self.session, item);
        guarded("completionItem/resolve", work).await
    }

    async fn hover(&self, params: HoverParams) -> Result<Option<Hover>> {
        guarded("hover", language::hover(&self.session, params)).await
    }

    async fn signature_help(&self, params: SignatureHelpParams) -> Result<Option<SignatureHelp>> {
        guarded(
            "signatureHelp",
            language::signature_help(&self.session, params),
        )
        .await
    }

    async fn goto_definition(
        &self,
        params: GotoDefinitionParams,
    ) -> Result<Option<GotoDefinitionResponse>> {
        guarded(
            "definition",
            language::goto_definition(&self.session, params),
        )
        .await
    }

    async fn document_symbol(
        &self,
        params: DocumentSymbolParams,
    ) -> Result<Option<DocumentSymbolResponse>> {
        guarded(
            "documentSymbol",
            language::document_symbol(&self.session, params),
        )
        .await
    }

    async fn diagnostic(
        &self,
        params: DocumentDiagnosticParams,
    ) -> Result<DocumentDiagnosticReportResult> {
        guarded("diagnostic", diagnostics::diagnostic(&self.session, params)).await
    }

    async fn code_action(&self, params: CodeActionParams) -> Result<Option<CodeActionResponse>> {
        guarded(
            "codeAction",
            diagnostics::code_action(&self.session, params),
        )
        .await
    }

    async fn code_lens(&self, params: CodeLensParams) -> Result<Option<Vec<CodeLens>>> {
        guarded("codeLens", run::code_lens(&self.session, params)).await
    }

    async fn inlay_hint(&self, params: InlayHintParams) -> Result<Option<Vec<InlayHint>>> {
        guarded("inlayHint", run::inlay_hint(&self.session, params)).await
    }

    async fn execute_command(&self, params: ExecuteCommandParams) -> Result<Option<Value>> {
        guarded(
            "executeCommand",
            run::execute_command(&self.session, params),
        )
        .await
    }
}
