//! The language server's state: the client, the open documents, the checker and the
//! workspace (configuration, MCP host, generated API). Handlers in `server.rs` ask it
//! questions; it keeps diagnostics fresh as documents, configuration and tools change.

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use dashmap::DashMap;
use tokio_util::sync::CancellationToken;
use tower_lsp_server::Client;
use tower_lsp_server::ls_types::{
    self as lsp, MessageType, NumberOrString, ProgressToken, Uri, WorkDoneProgressCreateParams,
};

use super::Options;
use super::capabilities::ClientCaps;
use super::convert;
use super::documents::Document;
use super::protocol;
use super::status;
use crate::check::{CheckError, Checker, Program, Reporting, Source};
use crate::config::{Config, DISCOVERED_FILES};
use crate::host::StartEvent;
use crate::runtime::RunReport;
use crate::view::EditorView;
use crate::workspace::{Shared, Workspace};

/// The last run of a document, for inlay hints and code lens titles.
pub struct LastRun {
    pub version: i32,
    pub report: RunReport,
    pub view: EditorView,
}

pub struct Session {
    pub client: Client,
    pub checker: Arc<Checker>,
    pub documents: DashMap<Uri, Document>,
    pub runs: DashMap<Uri, LastRun>,
    pub caps: OnceLock<ClientCaps>,
    pub options: Options,
    root: OnceLock<PathBuf>,
    /// Empty while the servers start (requests wait for it).
    workspace: Shared,
    /// Serialises configuration reloads.
    reloading: tokio::sync::Mutex<()>,
    next_slot: AtomicU32,
    next_token: AtomicU32,
    /// Checks under way, for `codemode/status`.
    checking: AtomicUsize,
    /// Where definitions in generated files go for clients without virtual documents.
    pub files: Mutex<super::generated::Generated>,
    /// The client sent `shutdown` (so `exit` is a clean one).
    shutdown: AtomicBool,
    /// Servers a sign-in was offered for (once per session).
    pub(super) offered_sign_in: dashmap::DashSet<String>,
    /// Untrusted project files (path and content) the person was asked about.
    pub(super) offered_trust: dashmap::DashSet<String>,
    /// Asks for the workspace to be loaded again (after a sign-in).
    pub(super) reload_requested: tokio::sync::Notify,
    /// The scheduled or running diagnostics check of each document, to cancel when a newer
    /// one is scheduled.
    pending_checks: DashMap<Uri, (u64, CancellationToken)>,
    next_check: std::sync::atomic::AtomicU64,
    /// Each document's checks take turns (see `schedule_diagnostics`).
    check_turns: DashMap<Uri, Arc<tokio::sync::Mutex<()>>>,
    /// Scripts closed whose diagnostics the `didClose` handler is yet to clear.
    pub(super) closed_scripts: dashmap::DashSet<Uri>,
    /// The scripts questions were last about, newest first ([`PROGRAM_SCRIPTS`] at most).
    recent: Mutex<std::collections::VecDeque<Uri>>,
}

/// How many scripts a checker program holds at most: the one asked about and those asked
/// about just before it.
const PROGRAM_SCRIPTS: usize = 8;

impl Session {
    pub fn new(client: Client, options: Options) -> Session {
        Session {
            client,
            checker: Arc::new(Checker::start(None)),
            documents: DashMap::new(),
            runs: DashMap::new(),
            caps: OnceLock::new(),
            options,
            root: OnceLock::new(),
            workspace: Shared::default(),
            reloading: tokio::sync::Mutex::new(()),
            next_slot: AtomicU32::new(0),
            next_token: AtomicU32::new(0),
            checking: AtomicUsize::new(0),
            files: Mutex::default(),
            shutdown: AtomicBool::new(false),
            offered_sign_in: Default::default(),
            offered_trust: Default::default(),
            reload_requested: Default::default(),
            pending_checks: DashMap::new(),
            next_check: Default::default(),
            check_turns: DashMap::new(),
            closed_scripts: Default::default(),
            recent: Default::default(),
        }
    }

    pub fn request_shutdown(&self) {
        self.shutdown.store(true, Ordering::Relaxed);
    }

    /// Whether the client asked for `shutdown` before leaving.
    pub fn shutdown_requested(&self) -> bool {
        self.shutdown.load(Ordering::Relaxed)
    }

    pub fn caps(&self) -> ClientCaps {
        self.caps.get().cloned().unwrap_or_default()
    }

    pub fn set_root(&self, root: PathBuf) {
        let _ = self.root.set(root);
    }

    pub fn root(&self) -> PathBuf {
        self.root
            .get()
            .cloned()
            .or_else(|| std::env::current_dir().ok())
            .unwrap_or_default()
    }

    pub fn next_slot(&self) -> u32 {
        self.next_slot.fetch_add(1, Ordering::Relaxed)
    }

    /// How many checks are under way.
    pub fn checking(&self) -> usize {
        self.checking.load(Ordering::Relaxed)
    }

    /// `codemode/status` now.
    pub fn status(&self) -> protocol::StatusParams {
        status::status(
            self.workspace_now().as_deref(),
            self.checking(),
            self.checker.engine(),
        )
    }

    /// Asks the person `question` with the buttons `yes` and "Not now"
    /// (`window/showMessageRequest`); whether they chose `yes`.
    pub async fn confirm(&self, question: String, yes: &str) -> bool {
        let button = |title: &str| tower_lsp_server::ls_types::MessageActionItem {
            title: title.to_string(),
            properties: Default::default(),
        };
        let answer = self
            .client
            .show_message_request(
                MessageType::WARNING,
                question,
                Some(vec![button(yes), button("Not now")]),
            )
            .await;
        matches!(answer, Ok(Some(item)) if item.title == yes)
    }

    /// Sends `codemode/status` if the client asked for it.
    pub async fn notify_status(&self) {
        if self.caps().status_notifications {
            self.client
                .send_notification::<protocol::Status>(self.status())
                .await;
        }
    }

    /// The workspace, once its servers have started.
    pub async fn workspace(&self) -> Option<Arc<Workspace>> {
        self.workspace.ready().get().await
    }

    /// The workspace if it is ready now.
    pub fn workspace_now(&self) -> Option<Arc<Workspace>> {
        self.workspace.now()
    }

    /// Loads the configuration and starts its servers (with progress in the client), then
    /// replaces the workspace and closes the old one's servers. A configuration that cannot
    /// be read is shown as an error; the old workspace stays, or an empty one if none.
    pub async fn load_workspace(self: &Arc<Self>) {
        let _one_at_a_time = self.reloading.lock().await;
        let root = self.root();
        let resolved = {
            let env = |name: &str| std::env::var(name).ok();
            Config::resolve(&crate::config::Search {
                explicit: self.options.config.as_deref(),
                from: self.options.from,
                start: &root,
                home: if self.options.user_configs {
                    crate::config::Home::current()
                } else {
                    None
                },
                lookup: &env,
                // Stdin is the protocol: nobody to ask on it.
                ask: None,
                trusted: &crate::user::trusted,
            })
        };
        let config = match resolved {
            Ok(config) => {
                for refused in &config.refused {
                    let message = format!(
                        "codemode: {} is not used: {}",
                        refused.file.display(),
                        refused.reason
                    );
                    tracing::warn!("{message}");
                    self.client
                        .show_message(MessageType::WARNING, message)
                        .await;
                }
                if let Some(untrusted) = &config.untrusted {
                    tracing::warn!("{}", untrusted.refusal());
                    super::trust::offer(self, untrusted).await;
                }
                Some(config)
            }
            Err(error) => {
                let message = format!("codemode: cannot use the configuration: {error}");
                tracing::error!("{message}");
                self.client.show_message(MessageType::ERROR, message).await;
                None
            }
        };
        let fresh = match config {
            Some(config) => {
                self.notify_status().await;
                let progress = self.progress("codemode: starting MCP servers").await;
                let (events, mut incoming) = tokio::sync::mpsc::unbounded_channel();
                let checker = Some(self.checker.clone());
                // With every server's tools kept from the last time, the workspace is ready at
                // once from them (completion, hover and diagnostics answer before any server
                // is up), and the servers start in the background.
                let kept = crate::host::cached::lists(&config);
                let known: std::collections::HashMap<_, _> = if kept.complete(&config) {
                    kept.lists.into_iter().map(|(k, v)| (k, Some(v))).collect()
                } else {
                    Default::default()
                };
                let start = async move {
                    Workspace::start_with(
                        config,
                        &root,
                        checker,
                        &move |event| {
                            let _ = events.send(event);
                        },
                        &known,
                    )
                    .await
                };
                let follow = async {
                    let mut seen = Vec::new();
                    while let Some(event) = incoming.recv().await {
                        if let Some(progress) = &progress {
                            progress.report(&describe_event(&event)).await;
                        }
                        seen.push(event);
                    }
                    seen
                };
                let (workspace, events) = tokio::join!(start, follow);
                self.report_start(&events, &workspace).await;
                if let Some(progress) = progress {
                    progress.finish(&start_summary(&workspace)).await;
                }
                workspace
            }
            None if self.workspace_now().is_some() => return,
            None => Workspace::empty(&root, Some(self.checker.clone())).await,
        };
        let fresh = Arc::new(fresh);
        // Servers' questions (when the configuration lets them through) go to the editor.
        fresh
            .host()
            .set_asker(Arc::new(super::questions::EditorAsker {
                client: self.client.clone(),
                can_ask: self.caps().show_message_request,
            }));
        tracing::info!(
            "workspace ready: configuration {}, {} scripts folder(s)",
            fresh.config.origin,
            fresh.config.settings.scripts.len()
        );
        let old = self.workspace.set(fresh.clone());
        self.watch_tools(&fresh);
        // Servers known from the cache start now, in the background; a live list that differs
        // moves the tools revision, and `watch_tools` checks the open scripts again.
        let starting = fresh.clone();
        tokio::spawn(async move { starting.host().start_known().await });
        self.classify_documents(&fresh);
        self.notify_status().await;
        self.refresh_all().await;
        if let Some(old) = old {
            old.close().await;
        }
    }

    /// Tells the user about servers that failed to start, naming them and why.
    async fn report_start(self: &Arc<Self>, events: &[StartEvent], workspace: &Workspace) {
        let signing_in: Vec<String> = workspace
            .host()
            .status()
            .into_iter()
            .filter(|s| {
                matches!(
                    s.state,
                    crate::host::ServerState::Failed {
                        why: crate::host::Down::NeedsSignIn,
                        ..
                    }
                )
            })
            .map(|s| s.server)
            .collect();
        // A server that wants a sign-in is offered one instead of a warning.
        super::sign_in::offer(self, workspace).await;
        for event in events {
            if let StartEvent::Failed { server, error } = event
                && !signing_in.contains(server)
            {
                let message = format!("codemode: MCP server `{server}` failed to start: {error}");
                tracing::warn!("{message}");
                self.client
                    .show_message(MessageType::WARNING, message)
                    .await;
            }
        }
    }

    /// On every change of a server's tools: regenerate the API and re-check open scripts.
    fn watch_tools(self: &Arc<Self>, workspace: &Arc<Workspace>) {
        let mut changes = workspace.changes();
        let session = Arc::downgrade(self);
        let workspace = Arc::downgrade(workspace);
        tokio::spawn(async move {
            while changes.next().await.is_some() {
                let (Some(session), Some(workspace)) = (session.upgrade(), workspace.upgrade())
                else {
                    return;
                };
                if session
                    .workspace_now()
                    .is_none_or(|current| !Arc::ptr_eq(&current, &workspace))
                {
                    return;
                }
                tracing::info!("a server's tools changed; regenerated the API");
                session.notify_status().await;
                session.refresh_all().await;
            }
        });
    }

    /// Marks which open documents are agent scripts under `workspace`'s globs.
    fn classify_documents(&self, workspace: &Workspace) {
        for mut entry in self.documents.iter_mut() {
            let script = entry
                .path
                .as_deref()
                .is_some_and(|p| workspace.is_script(p));
            if entry.script && !script {
                let uri = entry.key().clone();
                let client = self.client.clone();
                tokio::spawn(
                    async move { client.publish_diagnostics(uri, Vec::new(), None).await },
                );
            }
            entry.script = script;
        }
    }

    /// Whether the file at `path` is an agent script as far as is known now: by the
    /// workspace's globs once it is ready, by its name (`*.mcp.ts`) before (the workspace
    /// classifies every open document again when it is ready).
    pub fn is_script_now(&self, path: Option<&Path>) -> bool {
        let Some(path) = path else { return false };
        match self.workspace_now() {
            Some(workspace) => workspace.is_script(path),
            None => crate::workspace::is_named_script(path),
        }
    }

    /// Whether a saved or changed file is one the configuration comes from.
    pub fn is_config_file(&self, path: &Path) -> bool {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        DISCOVERED_FILES.iter().any(|candidate| {
            let candidate_name = candidate.rsplit('/').next().unwrap_or(candidate);
            name == candidate_name
                && (!candidate.contains('/')
                    || path
                        .parent()
                        .and_then(|p| p.file_name())
                        .is_some_and(|p| p == ".vscode"))
        }) || self.options.config.as_deref().is_some_and(|c| {
            std::path::absolute(c).ok().as_deref() == std::path::absolute(path).ok().as_deref()
        })
    }

    /// The program the checker sees (the API and every open script) and the index of `uri`
    /// in it, once the servers have started; `None` when `uri` is not an open agent script.
    pub async fn program(&self, uri: &Uri) -> Option<(Program, usize, Arc<Workspace>)> {
        let workspace = self.workspace().await?;
        self.program_in(uri, workspace)
    }

    /// [`Session::program`] without waiting: `None` while the servers start too (a language
    /// request then answers nothing rather than hold one of the server's handler slots).
    pub fn program_now(&self, uri: &Uri) -> Option<(Program, usize, Arc<Workspace>)> {
        self.program_in(uri, self.workspace_now()?)
    }

    /// The program a question about `uri` is asked in: the API and that script, with the few
    /// scripts asked about last (so moving between them keeps the checker's work on each),
    /// never every open document — scripts import nothing from each other, and a program of
    /// thousands would cost each question a pass over them all.
    /// [`Session::program`], waiting for the workspace at most as long as a server may take
    /// to start: at once when its tools are kept from the last time, else once the servers
    /// answered, rather than answer nothing meanwhile.
    pub async fn program_waiting(&self, uri: &Uri) -> Option<(Program, usize, Arc<Workspace>)> {
        if let Some(found) = self.program_now(uri) {
            return Some(found);
        }
        let workspace =
            tokio::time::timeout(crate::config::DEFAULT_STARTUP_TIMEOUT, self.workspace())
                .await
                .ok()??;
        self.program_in(uri, workspace)
    }

    fn program_in(
        &self,
        uri: &Uri,
        workspace: Arc<Workspace>,
    ) -> Option<(Program, usize, Arc<Workspace>)> {
        let api = workspace.api();
        let recent: Vec<Uri> = {
            let mut recent = self.recent.lock().unwrap_or_else(|e| e.into_inner());
            recent.retain(|u| u != uri);
            recent.push_front(uri.clone());
            recent.truncate(PROGRAM_SCRIPTS);
            recent.iter().cloned().collect()
        };
        let mut scripts: Vec<(Uri, Source)> = recent
            .iter()
            .filter_map(|u| self.documents.get(u))
            .filter(|d| d.script)
            .map(|d| {
                let file = d
                    .path
                    .as_ref()
                    .and_then(|p| p.file_name())
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_else(|| "script.ts".into());
                (d.key().clone(), Source::new(d.slot, &file, d.text()))
            })
            .collect();
        scripts.sort_by_key(|(_, s)| s.slot);
        let target = scripts.iter().position(|(u, _)| u == uri)?;
        let program = Program {
            api: api.text,
            scripts: scripts.into_iter().map(|(_, s)| s).collect(),
        };
        Some((program, target, workspace))
    }

    /// Runs a checker question on its own task, so a request the client cancels does not
    /// interrupt the checker half-way (which would cost it a reload).
    pub async fn ask<T, F, Fut>(&self, question: F) -> Result<T, CheckError>
    where
        T: Send + 'static,
        F: FnOnce(Arc<Checker>) -> Fut,
        Fut: Future<Output = Result<T, CheckError>> + Send + 'static,
    {
        let asked = tokio::spawn(question(self.checker.clone()));
        asked
            .await
            .map_err(|e| CheckError::Failed(format!("the checker task failed: {e}")))?
    }

    pub fn check_timeout(&self, workspace: &Workspace) -> Duration {
        workspace.limits().check_timeout
    }

    /// Re-checks `uri` after the debounce and pushes its diagnostics (clients that pull get
    /// a refresh request instead). A newer schedule of the same document cancels this one:
    /// before its check begins, or during it (TypeScript stops at its next safe point). A
    /// document's checks take turns, so while an outdated one stops the next waits rather
    /// than queueing behind it in the checker: at most one check of a document, and so of an
    /// outdated text, runs at a time.
    pub fn schedule_diagnostics(self: &Arc<Self>, uri: Uri) {
        if self.caps().pull_diagnostics {
            return;
        }
        let Some(edits) = self.documents.get(&uri).map(|d| d.edits) else {
            return;
        };
        let stop = CancellationToken::new();
        let id = self.next_check.fetch_add(1, Ordering::Relaxed);
        if let Some((_, superseded)) = self.pending_checks.insert(uri.clone(), (id, stop.clone())) {
            superseded.cancel();
        }
        let turns = self.check_turns.entry(uri.clone()).or_default().clone();
        let session = self.clone();
        tokio::spawn(async move {
            tokio::select! {
                () = tokio::time::sleep(session.options.debounce) => {}
                () = stop.cancelled() => return,
            }
            let _turn = tokio::select! {
                turn = turns.lock() => turn,
                () = stop.cancelled() => return,
            };
            let diagnostics = session.diagnostics(&uri, Some(&stop)).await;
            session
                .pending_checks
                .remove_if(&uri, |_, (pending, _)| *pending == id);
            let Some(diagnostics) = diagnostics else {
                return;
            };
            if stop.is_cancelled() {
                return;
            }
            let current = session.documents.get(&uri).map(|d| (d.edits, d.version));
            if let Some((now, version)) = current
                && now == edits
            {
                session
                    .client
                    .publish_diagnostics(uri, diagnostics, Some(version))
                    .await;
            }
        });
    }

    /// Stops the pending check of `uri`, if any (it was closed).
    pub fn cancel_check(&self, uri: &Uri) {
        if let Some((_, (_, pending))) = self.pending_checks.remove(uri) {
            pending.cancel();
        }
        self.check_turns.remove(uri);
    }

    /// The diagnostics of `uri` now in LSP terms, syntax and type errors together as
    /// tsserver gives them; `None` when it is not an agent script, or when `stop` was
    /// cancelled before the check ended.
    pub async fn diagnostics(
        &self,
        uri: &Uri,
        stop: Option<&CancellationToken>,
    ) -> Option<Vec<lsp::Diagnostic>> {
        let (program, target, workspace) = self.program(uri).await?;
        let version = self.documents.get(uri).map(|d| d.version);
        let timeout = self.check_timeout(&workspace);
        let checking = Checking::begin(self).await;
        let started = std::time::Instant::now();
        let checked = self
            .checker
            .diagnostics(&program, target, Reporting::Together, timeout, stop)
            .await;
        checking.end().await;
        let took = started.elapsed().as_millis();
        let uri = uri.as_str();
        Some(match checked {
            Ok(found) => {
                tracing::debug!(
                    "checked {uri} version {version:?} in {took} ms: {} diagnostics",
                    found.len()
                );
                found.iter().map(convert::diagnostic).collect()
            }
            Err(CheckError::Cancelled) => {
                tracing::debug!(
                    "stopped checking {uri} version {version:?} after {took} ms: superseded"
                );
                return None;
            }
            Err(error) => vec![convert::check_failure(&error)],
        })
    }

    /// Re-checks every open script (the API or the configuration changed).
    pub async fn refresh_all(self: &Arc<Self>) {
        let caps = self.caps();
        if caps.pull_diagnostics {
            if caps.diagnostic_refresh {
                let _ = self.client.workspace_diagnostic_refresh().await;
            }
        } else {
            let open: Vec<Uri> = self
                .documents
                .iter()
                .filter(|d| d.script)
                .map(|d| d.key().clone())
                .collect();
            for uri in open {
                self.schedule_diagnostics(uri);
            }
        }
        if caps.code_lens_refresh {
            let _ = self.client.code_lens_refresh().await;
        }
        if caps.inlay_hint_refresh {
            let _ = self.client.inlay_hint_refresh().await;
        }
    }

    /// Begins a progress report in the client, if it takes them.
    pub async fn progress(&self, title: &str) -> Option<Progress> {
        if !self.caps().work_done_progress {
            return None;
        }
        let n = self.next_token.fetch_add(1, Ordering::Relaxed);
        let token = NumberOrString::String(format!("codemode/{n}"));
        let created = self
            .client
            .send_request::<lsp::request::WorkDoneProgressCreate>(WorkDoneProgressCreateParams {
                token: token.clone(),
            })
            .await;
        if created.is_err() {
            return None;
        }
        let ongoing = self
            .client
            .progress(token as ProgressToken, title.to_string())
            .begin()
            .await;
        Some(Progress(ongoing))
    }

    /// The URI a generated file (`api.d.ts`, `prelude.d.ts`, `lib/...`) is shown under: a
    /// `codemode:` URI for clients that read virtual documents, else a read-only file
    /// written for the purpose.
    pub fn generated_uri(&self, name: &str, text: &str) -> Option<Uri> {
        if self.caps().virtual_documents {
            return Uri::from_str(&format!("codemode:/{name}")).ok();
        }
        let path = self.write_generated(name, text)?;
        Uri::from_file_path(path)
    }

    fn write_generated(&self, name: &str, text: &str) -> Option<PathBuf> {
        let mut generated = self.files.lock().unwrap_or_else(|e| e.into_inner());
        match generated.write(name, text) {
            Ok(path) => Some(path),
            Err(error) => {
                tracing::warn!("cannot write the generated file {name}: {error}");
                None
            }
        }
    }

    /// Closes the servers and removes the generated files.
    pub async fn close(&self) {
        if let Some(workspace) = self.workspace.take() {
            workspace.close().await;
        }
        self.files
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove();
    }
}

fn describe_event(event: &StartEvent) -> String {
    match event {
        StartEvent::Starting { server, transport } => format!("{server}: starting ({transport})"),
        StartEvent::Ready {
            server,
            tools,
            elapsed,
        } => format!("{server}: {tools} tools ({} ms)", elapsed.as_millis()),
        StartEvent::Failed { server, error } => format!("{server}: failed: {error}"),
    }
}

/// One line about a started workspace, for the end of its progress report.
fn start_summary(workspace: &Workspace) -> String {
    let status = workspace.host().status();
    let failed = workspace.host().failed();
    let ready = status.len() - failed.len();
    let tools: usize = workspace
        .host()
        .catalog()
        .iter()
        .map(|s| s.tools.len())
        .sum();
    if failed.is_empty() {
        format!("{ready} server(s) ready, {tools} tools")
    } else {
        format!(
            "{ready} server(s) ready, {tools} tools; failed: {}",
            failed.join(", ")
        )
    }
}

/// A progress report in the client; ends when finished.
pub struct Progress(
    tower_lsp_server::OngoingProgress<
        tower_lsp_server::Unbounded,
        tower_lsp_server::NotCancellable,
    >,
);

impl Progress {
    pub async fn report(&self, message: &str) {
        self.0.report(message.to_string()).await;
    }

    pub async fn finish(self, message: &str) {
        self.0.finish_with_message(message.to_string()).await;
    }
}

/// A check under way, counted in `codemode/status` until it ends or is dropped (a client
/// that cancels a diagnostics request drops it half-way).
struct Checking<'a> {
    session: &'a Session,
    ended: bool,
}

impl<'a> Checking<'a> {
    async fn begin(session: &'a Session) -> Checking<'a> {
        session.checking.fetch_add(1, Ordering::Relaxed);
        session.notify_status().await;
        Checking {
            session,
            ended: false,
        }
    }

    async fn end(mut self) {
        self.ended = true;
        self.session.checking.fetch_sub(1, Ordering::Relaxed);
        self.session.notify_status().await;
    }
}

impl Drop for Checking<'_> {
    fn drop(&mut self) {
        if !self.ended {
            self.session.checking.fetch_sub(1, Ordering::Relaxed);
            if self.session.caps().status_notifications {
                let client = self.session.client.clone();
                let params = self.session.status();
                tokio::spawn(
                    async move { client.send_notification::<protocol::Status>(params).await },
                );
            }
        }
    }
}
