//! The LSP handlers: each turns a request into a question for the session or the checker
//! and the answer into LSP. A panic in a handler becomes an error response, never the end
//! of the server.

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use futures::FutureExt;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use tower_lsp_server::LanguageServer;
use tower_lsp_server::jsonrpc::{Error, Result};
use tower_lsp_server::ls_types::*;

use super::convert;
use super::run;
use super::session::{ClientCaps, Session};
use super::status;
use crate::check::{CheckError, Checker, Place, Program, lib_text};
use crate::codegen;

pub struct Backend {
    pub session: Arc<Session>,
}

/// Catches a panic in a handler and answers an internal error instead.
async fn guarded<T>(what: &str, work: impl Future<Output = Result<T>>) -> Result<T> {
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
async fn guarded_notification(what: &str, work: impl Future<Output = ()>) {
    if AssertUnwindSafe(work).catch_unwind().await.is_err() {
        tracing::error!("the {what} handler panicked");
    }
}

fn failed(error: impl std::fmt::Display) -> Error {
    Error {
        code: tower_lsp_server::jsonrpc::ErrorCode::InternalError,
        message: error.to_string().into(),
        data: None,
    }
}

/// What a completion item carries for its resolve.
#[derive(Serialize, Deserialize)]
struct ItemData {
    uri: String,
    line: u32,
    character: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    source: Option<String>,
}

/// `codemode/virtualTextDocument` params and answer.
#[derive(Deserialize)]
pub struct VirtualParams {
    pub uri: String,
}

#[derive(Serialize)]
pub struct VirtualText {
    pub text: String,
}

impl Backend {
    /// `codemode/virtualTextDocument`: the text of a `codemode:` document (the generated API,
    /// the prelude, a lib file), read-only.
    pub async fn virtual_text_document(&self, params: VirtualParams) -> Result<VirtualText> {
        guarded("virtualTextDocument", async {
            let name = params
                .uri
                .strip_prefix("codemode:")
                .map(|n| n.trim_start_matches('/'))
                .ok_or_else(|| Error::invalid_params("expected a codemode: URI"))?;
            let text = match name {
                "api.d.ts" => {
                    let workspace = self
                        .session
                        .workspace()
                        .await
                        .ok_or_else(|| failed("the workspace is gone"))?;
                    workspace.api().text.to_string()
                }
                "prelude.d.ts" => codegen::PRELUDE.to_string(),
                other => other
                    .strip_prefix("lib/")
                    .and_then(lib_text)
                    .map(str::to_string)
                    .ok_or_else(|| Error::invalid_params(format!("no document {name}")))?,
            };
            Ok(VirtualText { text })
        })
        .await
    }

    /// `codemode/servers` (no params): every server with its state and tools.
    pub async fn servers(&self) -> Result<Value> {
        guarded("servers", async { Ok(status::servers(&self.session)) }).await
    }

    fn markdown(&self) -> bool {
        self.session.caps().markdown
    }

    /// Asks the checker `question` about `uri`'s script, under the workspace's check timeout,
    /// on a detached task (see `Session::ask`); `None` when `uri` is not an open agent script.
    async fn ask_about<T, F, Fut>(&self, uri: &Uri, question: F) -> Result<Option<T>>
    where
        T: Send + 'static,
        F: FnOnce(Arc<Checker>, Program, usize, Duration) -> Fut,
        Fut: Future<Output = std::result::Result<T, CheckError>> + Send + 'static,
    {
        let Some((program, target, workspace)) = self.session.program(uri).await else {
            return Ok(None);
        };
        let timeout = self.session.check_timeout(&workspace);
        self.session
            .ask(move |checker| question(checker, program, target, timeout))
            .await
            .map(Some)
            .map_err(failed)
    }
}

fn client_caps(params: &InitializeParams) -> ClientCaps {
    let caps = &params.capabilities;
    let text = caps.text_document.as_ref();
    let window = caps.window.as_ref();
    let workspace = caps.workspace.as_ref();
    let option = |name: &str| {
        params
            .initialization_options
            .as_ref()
            .and_then(|o| o.get(name))
            .and_then(Value::as_bool)
            .unwrap_or(false)
    };
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
        virtual_documents: option("virtualDocuments"),
        client_draws_run_results: option("clientDrawsRunResults"),
        status_notifications: option("statusNotifications"),
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

impl LanguageServer for Backend {
    async fn initialize(&self, params: InitializeParams) -> Result<InitializeResult> {
        let caps = client_caps(&params);
        let root = params
            .workspace_folders
            .as_ref()
            .and_then(|folders| folders.first())
            .and_then(|folder| folder.uri.to_file_path())
            .map(|path| path.into_owned());
        #[allow(deprecated)] // `root_uri` is what older clients send.
        let root = root.or_else(|| {
            params
                .root_uri
                .as_ref()
                .and_then(|uri| uri.to_file_path())
                .map(|path| path.into_owned())
        });
        if let Some(root) = root {
            self.session.set_root(root);
        }
        let pull = caps.pull_diagnostics;
        let _ = self.session.caps.set(caps);
        Ok(InitializeResult {
            offset_encoding: None,
            server_info: Some(ServerInfo {
                name: "codemode".into(),
                version: Some(env!("CARGO_PKG_VERSION").into()),
            }),
            capabilities: ServerCapabilities {
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
                    trigger_characters: Some(
                        [".", "\"", "'", "`", "{", ","].map(String::from).to_vec(),
                    ),
                    ..Default::default()
                }),
                hover_provider: Some(HoverProviderCapability::Simple(true)),
                signature_help_provider: Some(SignatureHelpOptions {
                    trigger_characters: Some(vec!["(".into(), ",".into()]),
                    retrigger_characters: Some(vec![",".into()]),
                    work_done_progress_options: Default::default(),
                }),
                definition_provider: Some(OneOf::Left(true)),
                code_action_provider: Some(CodeActionProviderCapability::Options(
                    CodeActionOptions {
                        code_action_kinds: Some(vec![CodeActionKind::QUICKFIX]),
                        resolve_provider: Some(false),
                        work_done_progress_options: Default::default(),
                    },
                )),
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
            },
        })
    }

    async fn initialized(&self, _: InitializedParams) {
        let session = self.session.clone();
        if session.caps().watched_files_registration {
            let watchers = ["**/codemode.json", "**/.mcp.json", "**/.vscode/mcp.json"]
                .into_iter()
                .map(|glob| FileSystemWatcher {
                    glob_pattern: GlobPattern::String(glob.into()),
                    kind: None,
                })
                .collect();
            let registration = Registration {
                id: "codemode-config".into(),
                method: "workspace/didChangeWatchedFiles".into(),
                register_options: serde_json::to_value(DidChangeWatchedFilesRegistrationOptions {
                    watchers,
                })
                .ok(),
            };
            let client = session.client.clone();
            tokio::spawn(async move {
                if let Err(error) = client.register_capability(vec![registration]).await {
                    tracing::warn!("cannot watch the configuration files: {error}");
                }
            });
        }
        // Servers start in the background; requests wait for them. Later reloads asked for
        // by a sign-in come through `reload_requested`.
        tokio::spawn(async move {
            session.load_workspace().await;
            loop {
                session.reload_requested.notified().await;
                session.load_workspace().await;
            }
        });
    }

    async fn shutdown(&self) -> Result<()> {
        self.session.request_shutdown();
        self.session.close().await;
        Ok(())
    }

    // The text itself was applied as the message arrived (`text_sync`); these react to it,
    // and none waits for the workspace.
    async fn did_open(&self, params: DidOpenTextDocumentParams) {
        let uri = params.text_document.uri;
        let script = self.session.documents.get(&uri).is_some_and(|d| d.script);
        // Before the workspace is ready, its arrival re-checks every open script.
        if script && self.session.workspace_now().is_some() {
            self.session.schedule_diagnostics(uri);
        }
    }

    async fn did_change(&self, params: DidChangeTextDocumentParams) {
        let uri = params.text_document.uri;
        let script = self.session.documents.get(&uri).is_some_and(|d| d.script);
        if script && self.session.workspace_now().is_some() {
            self.session.schedule_diagnostics(uri);
        }
    }

    async fn did_save(&self, params: DidSaveTextDocumentParams) {
        let session = self.session.clone();
        guarded_notification("didSave", async move {
            let path = params.text_document.uri.to_file_path();
            if path.is_some_and(|p| session.is_config_file(&p)) {
                session.load_workspace().await;
            }
        })
        .await
    }

    async fn did_close(&self, params: DidCloseTextDocumentParams) {
        let uri = params.text_document.uri;
        self.session.cancel_check(&uri);
        self.session.runs.remove(&uri);
        let was_script = self.session.closed_scripts.remove(&uri).is_some();
        if was_script && !self.session.caps().pull_diagnostics {
            self.session
                .client
                .publish_diagnostics(uri, Vec::new(), None)
                .await;
        }
    }

    async fn did_change_watched_files(&self, params: DidChangeWatchedFilesParams) {
        let session = self.session.clone();
        guarded_notification("didChangeWatchedFiles", async move {
            let config_changed = params.changes.iter().any(|change| {
                change
                    .uri
                    .to_file_path()
                    .is_some_and(|p| session.is_config_file(&p))
            });
            if config_changed {
                tracing::info!("a configuration file changed; reloading");
                session.load_workspace().await;
            }
        })
        .await
    }

    async fn completion(&self, params: CompletionParams) -> Result<Option<CompletionResponse>> {
        guarded("completion", async {
            let uri = params.text_document_position.text_document.uri;
            let at = params.text_document_position.position;
            // Each entry's details in the list, unless the client resolves them.
            let eager = !self.session.caps().resolves_details;
            let asked = self.ask_about(&uri, move |checker, program, target, timeout| async move {
                checker
                    .completions(&program, target, convert::to_check(at), eager, timeout)
                    .await
            });
            let Some(found) = asked.await? else {
                return Ok(None);
            };
            let markdown = self.markdown();
            let items = found
                .items
                .into_iter()
                .map(|entry| {
                    let optional = entry.optional == Some(true);
                    let label = if optional {
                        format!("{}?", entry.name)
                    } else {
                        entry.name.clone()
                    };
                    let insert = entry.insert.clone().unwrap_or_else(|| entry.name.clone());
                    let text_edit = entry.replace.map(|range| {
                        CompletionTextEdit::Edit(TextEdit {
                            range: convert::range(range),
                            new_text: insert.clone(),
                        })
                    });
                    let data = ItemData {
                        uri: uri.as_str().to_string(),
                        line: at.line,
                        character: at.character,
                        source: entry.source.clone(),
                    };
                    let (detail, documentation) = match &entry.details {
                        Some(details) => (
                            Some(details.detail.clone()),
                            convert::documentation(&details.documentation, &details.tags, markdown),
                        ),
                        None => (None, None),
                    };
                    CompletionItem {
                        label,
                        kind: Some(convert::completion_kind(&entry.kind)),
                        detail,
                        documentation,
                        sort_text: Some(entry.sort.clone()),
                        filter_text: Some(entry.name.clone()),
                        insert_text: text_edit.is_none().then_some(insert),
                        text_edit,
                        data: serde_json::to_value(data).ok(),
                        ..Default::default()
                    }
                })
                .collect();
            Ok(Some(CompletionResponse::List(CompletionList {
                is_incomplete: found.incomplete,
                items,
            })))
        })
        .await
    }

    async fn completion_resolve(&self, mut item: CompletionItem) -> Result<CompletionItem> {
        guarded("completionItem/resolve", async {
            if item.documentation.is_some() && item.detail.is_some() {
                return Ok(item);
            }
            let Some(data) = item
                .data
                .clone()
                .and_then(|d| serde_json::from_value::<ItemData>(d).ok())
            else {
                return Ok(item);
            };
            let Ok(uri) = Uri::from_str(&data.uri) else {
                return Ok(item);
            };
            let entry = item
                .filter_text
                .clone()
                .unwrap_or_else(|| item.label.clone());
            let at = convert::to_check(Position::new(data.line, data.character));
            let source = data.source.clone();
            let asked = self.ask_about(&uri, move |checker, program, target, timeout| async move {
                checker
                    .details(&program, target, at, &entry, source.as_deref(), timeout)
                    .await
            });
            if let Some(Some(details)) = asked.await? {
                item.detail = Some(details.detail);
                item.documentation =
                    convert::documentation(&details.documentation, &details.tags, self.markdown());
            }
            Ok(item)
        })
        .await
    }

    async fn hover(&self, params: HoverParams) -> Result<Option<Hover>> {
        guarded("hover", async {
            let uri = params.text_document_position_params.text_document.uri;
            let at = params.text_document_position_params.position;
            let asked = self.ask_about(&uri, move |checker, program, target, timeout| async move {
                checker
                    .hover(&program, target, convert::to_check(at), timeout)
                    .await
            });
            let found = asked.await?.flatten();
            Ok(found.map(|h| convert::hover(&h, self.markdown())))
        })
        .await
    }

    async fn signature_help(&self, params: SignatureHelpParams) -> Result<Option<SignatureHelp>> {
        guarded("signatureHelp", async {
            let uri = params.text_document_position_params.text_document.uri;
            let at = params.text_document_position_params.position;
            let asked = self.ask_about(&uri, move |checker, program, target, timeout| async move {
                checker
                    .signature_help(&program, target, convert::to_check(at), timeout)
                    .await
            });
            let found = asked.await?.flatten();
            Ok(found.map(|h| convert::signature_help(&h, self.markdown())))
        })
        .await
    }

    async fn goto_definition(
        &self,
        params: GotoDefinitionParams,
    ) -> Result<Option<GotoDefinitionResponse>> {
        guarded("definition", async {
            let uri = params.text_document_position_params.text_document.uri;
            let at = params.text_document_position_params.position;
            let Some((program, target, workspace)) = self.session.program(&uri).await else {
                return Ok(None);
            };
            let timeout = self.session.check_timeout(&workspace);
            let scripts = program.clone();
            let found = self
                .session
                .ask(move |checker| async move {
                    checker
                        .definition(&program, target, convert::to_check(at), timeout)
                        .await
                })
                .await
                .map_err(failed)?;
            let api = workspace.api();
            let mut locations = Vec::new();
            for location in found {
                let target_uri = match &location.place {
                    Place::Script(index) => {
                        let slot = scripts.scripts.get(*index).map(|s| s.slot);
                        self.session
                            .documents
                            .iter()
                            .find(|d| Some(d.slot) == slot)
                            .map(|d| d.key().clone())
                    }
                    Place::Api => self.session.generated_uri("api.d.ts", &api.text),
                    Place::Prelude => self.session.generated_uri("prelude.d.ts", codegen::PRELUDE),
                    Place::Lib(name) => lib_text(name)
                        .and_then(|text| self.session.generated_uri(&format!("lib/{name}"), text)),
                };
                if let Some(target_uri) = target_uri {
                    locations.push(Location::new(target_uri, convert::range(location.range)));
                }
            }
            Ok((!locations.is_empty()).then_some(GotoDefinitionResponse::Array(locations)))
        })
        .await
    }

    async fn document_symbol(
        &self,
        params: DocumentSymbolParams,
    ) -> Result<Option<DocumentSymbolResponse>> {
        guarded("documentSymbol", async {
            let uri = params.text_document.uri;
            let asked = self.ask_about(&uri, move |checker, program, target, timeout| async move {
                checker.symbols(&program, target, timeout).await
            });
            let found = asked.await?;
            Ok(found.map(|symbols| DocumentSymbolResponse::Nested(convert::symbols(&symbols))))
        })
        .await
    }

    async fn diagnostic(
        &self,
        params: DocumentDiagnosticParams,
    ) -> Result<DocumentDiagnosticReportResult> {
        guarded("diagnostic", async {
            let items = self
                .session
                .diagnostics(&params.text_document.uri, None)
                .await
                .unwrap_or_default();
            Ok(DocumentDiagnosticReportResult::Report(
                DocumentDiagnosticReport::Full(RelatedFullDocumentDiagnosticReport {
                    related_documents: None,
                    full_document_diagnostic_report: FullDocumentDiagnosticReport {
                        result_id: None,
                        items,
                    },
                }),
            ))
        })
        .await
    }

    async fn code_action(&self, params: CodeActionParams) -> Result<Option<CodeActionResponse>> {
        guarded("codeAction", async {
            let actions = super::code_actions::code_actions(&self.session, params).await;
            Ok(Some(actions))
        })
        .await
    }

    async fn code_lens(&self, params: CodeLensParams) -> Result<Option<Vec<CodeLens>>> {
        guarded("codeLens", async {
            let uri = params.text_document.uri;
            let script = self.session.documents.get(&uri).is_some_and(|d| d.script);
            if !script {
                return Ok(None);
            }
            Ok(Some(run::code_lenses(&self.session, &uri)))
        })
        .await
    }

    async fn inlay_hint(&self, params: InlayHintParams) -> Result<Option<Vec<InlayHint>>> {
        guarded("inlayHint", async {
            if self.session.caps().client_draws_run_results {
                return Ok(Some(Vec::new()));
            }
            Ok(Some(run::inlay_hints(
                &self.session,
                &params.text_document.uri,
                params.range,
            )))
        })
        .await
    }

    async fn execute_command(&self, params: ExecuteCommandParams) -> Result<Option<Value>> {
        guarded("executeCommand", async {
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
                run::RUN => run::run(&self.session, uri)
                    .await
                    .map(Some)
                    .map_err(Error::invalid_params),
                run::SHOW_RUN => Ok(self.session.runs.get(&uri).map(|last| run::answer(&last))),
                other => Err(Error::invalid_params(format!("unknown command {other}"))),
            }
        })
        .await
    }
}
