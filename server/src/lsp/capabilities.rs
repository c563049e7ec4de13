//! What each side can do: the client's capabilities and `initializationOptions` as read at
//! `initialize` ([`ClientCaps`]), and the server's, announced in its answer.

use serde_json::json;
use tower_lsp_server::ls_types::*;

use super::protocol::InitializationOptions;
use super::run;

/// What the client said it can do.
#[derive(Debug, Clone, Default)]
pub struct ClientCaps {
    pub work_done_progress: bool,
    pub pull_diagnostics: bool,
    pub show_message_request: bool,
    /// `window/showDocument` (to open a sign-in page in the browser).
    pub show_document: bool,
    pub watched_files_registration: bool,
    pub inlay_hint_refresh: bool,
    pub code_lens_refresh: bool,
    pub diagnostic_refresh: bool,
    /// The client asks for `codemode:` documents with `codemode/virtualTextDocument`
    /// (`initializationOptions.virtualDocuments`); else definitions go to files.
    pub virtual_documents: bool,
    /// The client draws run results itself from `codemode/runResult`
    /// (`initializationOptions.clientDrawsRunResults`); no inlay hints for runs then.
    pub client_draws_run_results: bool,
    /// The client wants `codemode/status` (`initializationOptions.statusNotifications`).
    pub status_notifications: bool,
    pub markdown: bool,
    /// The client resolves a completion item's `detail` and `documentation`
    /// (`completionItem.resolveSupport`), so lists may come without them.
    pub resolves_details: bool,
}

/// What the client said it can do, from its `initialize`.
pub fn of_client(params: &InitializeParams) -> ClientCaps {
    let caps = &params.capabilities;
    let text = caps.text_document.as_ref();
    let window = caps.window.as_ref();
    let workspace = caps.workspace.as_ref();
    let options: InitializationOptions = params
        .initialization_options
        .clone()
        .filter(|o| !o.is_null())
        .and_then(|o| {
            serde_json::from_value(o)
                .inspect_err(|e| tracing::warn!("initializationOptions not understood: {e}"))
                .ok()
        })
        .unwrap_or_default();
    ClientCaps {
        work_done_progress: window.and_then(|w| w.work_done_progress).unwrap_or(false),
        pull_diagnostics: text.is_some_and(|t| t.diagnostic.is_some()),
        show_message_request: window.is_some_and(|w| w.show_message.is_some()),
        show_document: window
            .and_then(|w| w.show_document.as_ref())
            .is_some_and(|d| d.support),
        watched_files_registration: workspace
            .and_then(|w| w.did_change_watched_files.as_ref())
            .and_then(|w| w.dynamic_registration)
            .unwrap_or(false),
        inlay_hint_refresh: workspace
            .and_then(|w| w.inlay_hint.as_ref())
            .and_then(|i| i.refresh_support)
            .unwrap_or(false),
        code_lens_refresh: workspace
            .and_then(|w| w.code_lens.as_ref())
            .and_then(|c| c.refresh_support)
            .unwrap_or(false),
        diagnostic_refresh: workspace
            .and_then(|w| w.diagnostics.as_ref())
            .and_then(|d| d.refresh_support)
            .unwrap_or(false),
        virtual_documents: options.virtual_documents,
        client_draws_run_results: options.client_draws_run_results,
        status_notifications: options.status_notifications,
        markdown: text
            .and_then(|t| t.hover.as_ref())
            .and_then(|h| h.content_format.as_ref())
            .is_none_or(|formats| formats.contains(&MarkupKind::Markdown)),
        resolves_details: text
            .and_then(|t| t.completion.as_ref())
            .and_then(|c| c.completion_item.as_ref())
            .and_then(|i| i.resolve_support.as_ref())
            .is_some_and(|r| {
                ["detail", "documentation"]
                    .iter()
                    .all(|p| r.properties.iter().any(|q| q == p))
            }),
    }
}

/// The server's capabilities; diagnostics are pulled when the client pulls them.
pub fn of_server(pull: bool) -> ServerCapabilities {
    ServerCapabilities {
        position_encoding: Some(PositionEncodingKind::UTF16),
        text_document_sync: Some(TextDocumentSyncCapability::Options(
            TextDocumentSyncOptions {
                open_close: Some(true),
                change: Some(TextDocumentSyncKind::INCREMENTAL),
                save: Some(TextDocumentSyncSaveOptions::Supported(true)),
                ..Default::default()
            },
        )),
        completion_provider: Some(CompletionOptions {
            resolve_provider: Some(true),
            trigger_characters: Some([".", "\"", "'", "`", "{", ","].map(String::from).to_vec()),
            ..Default::default()
        }),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        signature_help_provider: Some(SignatureHelpOptions {
            trigger_characters: Some(vec!["(".into(), ",".into()]),
            retrigger_characters: Some(vec![",".into()]),
            work_done_progress_options: Default::default(),
        }),
        definition_provider: Some(OneOf::Left(true)),
        code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
            code_action_kinds: Some(vec![CodeActionKind::QUICKFIX]),
            resolve_provider: Some(false),
            work_done_progress_options: Default::default(),
        })),
        document_symbol_provider: Some(OneOf::Left(true)),
        code_lens_provider: Some(CodeLensOptions {
            resolve_provider: Some(false),
        }),
        execute_command_provider: Some(ExecuteCommandOptions {
            commands: vec![run::RUN.into(), run::SHOW_RUN.into()],
            work_done_progress_options: Default::default(),
        }),
        inlay_hint_provider: Some(OneOf::Left(true)),
        diagnostic_provider: pull.then(|| {
            DiagnosticServerCapabilities::Options(DiagnosticOptions {
                identifier: Some("codemode".into()),
                inter_file_dependencies: false,
                workspace_diagnostics: false,
                work_done_progress_options: Default::default(),
            })
        }),
        experimental: Some(json!({ "virtualTextDocument": true, "runResult": true })),
        ..Default::default()
    }
}
