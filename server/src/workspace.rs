//! The workspace every front door uses (`cli`, `lsp` and `serve` alike): the configuration,
//! the MCP host started from it (with its policy and audit log), the generated API kept in
//! step with the host's tools, and the checker. Started once per configuration, with one
//! "ready" signal ([`Shared`]) and one "tools changed" signal ([`ApiChanges`]), and one way
//! to run a script ([`Workspace::run`]): type-check it against the API, then run it.
//!
//! Plain data, MCP and runs: nothing here knows LSP, the MCP server facade or a terminal.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Weak};
use std::time::Instant;

use globset::GlobSet;
use tokio::sync::watch;

pub use crate::api::Api;
use crate::api::LiveApi;
use crate::check::{CheckError, Checker, Diagnostic, Script, Severity};
use crate::config::{self, Config, Origin, ServerConfig};
use crate::host::{Down, Host, ServerState, StartEvent};
use crate::limits::Limits;
use crate::runtime::{self, FailureKind, RunError, RunReport, Supervisor};

/// Files that are agent scripts wherever they are.
pub const SCRIPT_GLOB: &str = "**/*.mcp.ts";

pub struct Workspace {
    pub config: Config,
    /// Where the `scripts` folders are relative to: the configuration file's folder, else
    /// the folder the workspace was started for.
    pub base: PathBuf,
    host: Arc<Host>,
    api: LiveApi,
    /// `None` when scripts run unchecked (`codemode run --no-check`).
    checker: Option<Arc<Checker>>,
    scripts: GlobSet,
}

impl Workspace {
    /// Starts the servers of `config`, telling `progress` as each starts. `checker` (which
    /// may still be loading TypeScript meanwhile) checks every script before it runs;
    /// without one, scripts run unchecked.
    pub async fn start(
        config: Config,
        root: &Path,
        checker: Option<Arc<Checker>>,
        progress: &(dyn Fn(StartEvent) + Sync),
    ) -> Workspace {
        Workspace::start_with(config, root, checker, progress, &Default::default()).await
    }

    /// [`Workspace::start`], but the servers in `known` are not started: their tools are
    /// as kept in the catalog cache (or unknown), and each starts on its first call (`run`
    /// starts only the servers a script names, `check` only those without a kept list).
    pub async fn start_with(
        config: Config,
        root: &Path,
        checker: Option<Arc<Checker>>,
        progress: &(dyn Fn(StartEvent) + Sync),
        known: &std::collections::HashMap<String, Option<crate::user::CachedListing>>,
    ) -> Workspace {
        let host = Arc::new(Host::start_with(&config, known, progress).await);
        let base = match &config.origin {
            Origin::File(path) => config::workspace_folder(path),
            // A client's user-level file says nothing about folders: scripts are the root's.
            Origin::Client { .. } | Origin::BuiltinDefault => root.to_path_buf(),
        };
        let scripts = script_globs(&config.settings.scripts);
        Workspace {
            base,
            api: LiveApi::new(host.clone()),
            host,
            checker,
            scripts,
            config,
        }
    }

    /// A workspace with no servers, for when the configuration cannot be read: the editor
    /// still checks scripts, against an empty API.
    pub async fn empty(root: &Path, checker: Option<Arc<Checker>>) -> Workspace {
        Workspace::start(Config::empty(), root, checker, &|_| {}).await
    }

    pub fn host(&self) -> &Arc<Host> {
        &self.host
    }

    /// The configured servers that are waiting for the person to sign in.
    pub fn waiting_for_sign_in(&self) -> Vec<ServerConfig> {
        self.host
            .status()
            .into_iter()
            .filter(|status| {
                matches!(
                    status.state,
                    ServerState::Failed {
                        why: Down::NeedsSignIn,
                        ..
                    }
                )
            })
            .filter_map(|status| {
                self.config
                    .servers
                    .iter()
                    .find(|s| s.name == status.server)
                    .cloned()
            })
            .collect()
    }

    /// The generated API as of now (regenerated first if a server's tools changed).
    pub fn api(&self) -> Api {
        self.api.get()
    }

    pub fn checker(&self) -> Option<&Arc<Checker>> {
        self.checker.as_ref()
    }

    /// The limits of a run, as configured.
    pub fn limits(&self) -> &Limits {
        &self.config.settings.limits
    }

    /// Resolves each time a server's tools change the generated API.
    pub fn changes(self: &Arc<Self>) -> ApiChanges {
        ApiChanges {
            revision: self.host.revision(),
            seen: self.api().text,
            workspace: Arc::downgrade(self),
        }
    }

    /// Type-checks `text` (the script `file`) against the API and runs it when TypeScript
    /// finds no errors, under the configured limits, telling `supervisor` of each tool call.
    /// A script with type errors fails with kind `type` and its diagnostics; no tool is
    /// called.
    pub async fn run(&self, file: &str, text: String, supervisor: &dyn Supervisor) -> RunReport {
        self.run_with(file, text, self.limits(), supervisor).await
    }

    /// [`Workspace::run`] under other limits (the command line's `--timeout`).
    pub async fn run_with(
        &self,
        file: &str,
        text: String,
        limits: &Limits,
        supervisor: &dyn Supervisor,
    ) -> RunReport {
        // A tool list past its `ttlMs` is read again first: a script is never checked
        // against tools the server may no longer have.
        self.host.refresh_stale().await;
        let api = self.api();
        let index = &api.generated.index;
        let Some(checker) = &self.checker else {
            return runtime::run_supervised(&self.host, index, file, text, limits, supervisor)
                .await;
        };
        let started = Instant::now();
        let scripts = [Script {
            file: file.to_string(),
            text,
        }];
        let checked = checker
            .check(&api.text, &scripts, limits.check_timeout)
            .await;
        let [Script { text, .. }] = scripts;
        let check_ms = started.elapsed().as_millis() as u64;
        let diagnostics = match refusal(checked) {
            Ok(diagnostics) => diagnostics,
            Err((error, diagnostics)) => {
                let mut report = RunReport::failed(check_ms, error);
                report.diagnostics = diagnostics;
                report.check_ms = check_ms;
                return report;
            }
        };
        let mut report =
            runtime::run_supervised(&self.host, index, file, text, limits, supervisor).await;
        report.diagnostics = diagnostics;
        report.check_ms = check_ms;
        report.duration_ms += check_ms;
        report
    }

    /// Whether the file at `path` is an agent script: `*.mcp.ts` anywhere, or a `.ts` file
    /// under one of the configured `scripts` folders.
    pub fn is_script(&self, path: &Path) -> bool {
        if is_named_script(path) {
            return true;
        }
        match path.strip_prefix(&self.base) {
            Ok(relative) => self.scripts.is_match(relative),
            Err(_) => false,
        }
    }

    /// Shuts the servers down (see [`Host::close`]).
    pub async fn close(&self) {
        self.host.close().await;
    }
}

/// Whether the file at `path` is an agent script by its name alone (`*.mcp.ts`), which needs
/// no configuration.
pub fn is_named_script(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|name| name.ends_with(".mcp.ts"))
}

/// What a check allows: the diagnostics of a script that may run, or why it may not.
fn refusal(
    checked: Result<Vec<Diagnostic>, CheckError>,
) -> Result<Vec<Diagnostic>, (RunError, Vec<Diagnostic>)> {
    let diagnostics = match checked {
        Ok(diagnostics) => diagnostics,
        Err(CheckError::Limit {
            line,
            column,
            message,
            ..
        }) => {
            let error = RunError::new(FailureKind::Limit, message).at(line, column);
            return Err((error, Vec::new()));
        }
        Err(error) => {
            let error = RunError::new(
                FailureKind::Type,
                format!("{error}; the script was not run"),
            );
            return Err((error, Vec::new()));
        }
    };
    let errors: Vec<&Diagnostic> = diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .collect();
    let Some(first) = errors.first() else {
        return Ok(diagnostics);
    };
    let error = RunError::new(
        FailureKind::Type,
        format!(
            "{} type error{}, so the script was not run; the first: TS{} {}",
            errors.len(),
            if errors.len() == 1 { "" } else { "s" },
            first.code,
            first.message.lines().next().unwrap_or_default()
        ),
    )
    .at(first.line, first.column);
    Err((error, diagnostics))
}

/// The "tools changed" signal of a workspace: each [`ApiChanges::next`] waits until a
/// server's tool list changes the generated API and answers the new API; `None` once the
/// workspace is gone.
pub struct ApiChanges {
    revision: watch::Receiver<u64>,
    seen: Arc<str>,
    workspace: Weak<Workspace>,
}

impl ApiChanges {
    pub async fn next(&mut self) -> Option<Api> {
        loop {
            self.revision.changed().await.ok()?;
            let workspace = self.workspace.upgrade()?;
            let api = workspace.api();
            if api.text != self.seen {
                self.seen = api.text.clone();
                return Some(api);
            }
        }
    }
}

/// The workspace of a long-running front door (`lsp`, `serve`): empty while its servers
/// start, replaced when the configuration is reloaded. Whoever needs it waits on
/// [`Ready::get`]; dropping the `Shared` tells every waiter it is shutting down.
pub struct Shared {
    current: watch::Sender<Option<Arc<Workspace>>>,
}

impl Default for Shared {
    fn default() -> Self {
        Shared {
            current: watch::Sender::new(None),
        }
    }
}

impl Shared {
    /// Makes `workspace` the current one and answers the one it replaced.
    pub fn set(&self, workspace: Arc<Workspace>) -> Option<Arc<Workspace>> {
        self.current.send_replace(Some(workspace))
    }

    /// Empties the slot (shutting down) and answers what it held.
    pub fn take(&self) -> Option<Arc<Workspace>> {
        self.current.send_replace(None)
    }

    /// The workspace if it is ready now.
    pub fn now(&self) -> Option<Arc<Workspace>> {
        self.current.borrow().clone()
    }

    /// A handle that waits for the workspace.
    pub fn ready(&self) -> Ready {
        Ready(self.current.subscribe())
    }
}

/// Waits for a [`Shared`] workspace (cheap to clone).
#[derive(Clone)]
pub struct Ready(watch::Receiver<Option<Arc<Workspace>>>);

impl Ready {
    /// The workspace, once its servers have started; `None` when it is shutting down.
    pub async fn get(&self) -> Option<Arc<Workspace>> {
        let mut receiver = self.0.clone();
        let found = receiver.wait_for(Option::is_some).await.ok()?;
        found.clone()
    }

    /// The workspace if it is ready now.
    pub fn now(&self) -> Option<Arc<Workspace>> {
        self.0.borrow().clone()
    }
}

/// `folder/**/*.ts` for each `scripts` folder. Folders are literal paths, so glob
/// metacharacters in them are escaped.
fn script_globs(folders: &[String]) -> GlobSet {
    let globs = folders.iter().map(|folder| {
        let folder = folder
            .trim_end_matches(['/', '\\'])
            .trim_start_matches("./");
        format!("{}/**/*.ts", globset::escape(folder))
    });
    config::glob_set(globs, "scripts folder")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_are_mcp_ts_files_and_ts_files_under_the_folders() {
        let globs = script_globs(&["agents/".into(), "./tools [x]".into()]);
        assert!(globs.is_match("agents/a.ts"));
        assert!(globs.is_match("agents/deep/b.ts"));
        assert!(globs.is_match("tools [x]/c.ts"));
        assert!(!globs.is_match("agents/a.js"));
        assert!(!globs.is_match("src/agents/a.ts"));
        assert!(!globs.is_match("tools x/c.ts"));
    }
}
