//! codemode's own LSP protocol, beside the standard one: every custom request, notification,
//! command and initialization option as a serde type, in one place. `docs/lsp-extensions.md`
//! documents each, and the VS Code extension's `src/protocol.ts` mirrors them; both carry this
//! file's fingerprint, and a test fails when this file changes without them.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use tower_lsp_server::ls_types::notification::Notification;

use crate::check::EngineReport;
use crate::check::fixes::Fix;

/// `initializationOptions` the server reads (all optional, `false` by default).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct InitializationOptions {
    /// The client opens `codemode:` documents with `codemode/virtualTextDocument`; else
    /// definitions in generated files go to read-only files on disk.
    pub virtual_documents: bool,
    /// The client draws run results itself from `codemode/runResult`; no inlay hints for
    /// runs then.
    pub client_draws_run_results: bool,
    /// The client wants `codemode/status`.
    pub status_notifications: bool,
}

/// Whether the workspace's servers have started.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum State {
    Starting,
    Ready,
}

/// `codemode/status`, server → client, when the client asked for it: sent when the servers
/// start, are ready, change their tools, and as checks begin and end.
pub enum Status {}

impl Notification for Status {
    type Params = StatusParams;
    const METHOD: &'static str = "codemode/status";
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StatusParams {
    pub state: State,
    /// Where the configuration came from, in words (absent while starting).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config: Option<String>,
    /// The configuration file, when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config_path: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub servers: Option<ServerCounts>,
    /// Tools across the servers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tools: Option<usize>,
    /// Checks under way.
    pub checking: usize,
    /// The folder the `scripts` globs are relative to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scripts_base: Option<PathBuf>,
    /// The configuration's `codemode.scripts` globs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scripts: Option<Vec<String>>,
    /// The TypeScript that answers, as `codemode check --json` says it.
    pub typescript: EngineReport,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub struct ServerCounts {
    pub ready: usize,
    pub failed: usize,
}

/// `codemode/servers`, client → server, no params: every server with its state and tools.
pub const SERVERS: &str = "codemode/servers";

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ServersResult {
    pub state: State,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config_path: Option<String>,
    /// As `codemode tools --json` lists them (`[]` while starting).
    pub servers: Vec<Value>,
}

/// `codemode/virtualTextDocument`, client → server: the text of a `codemode:` document (the
/// generated API `codemode:/api.d.ts`, `codemode:/prelude.d.ts`, `codemode:/lib/<file>`).
pub const VIRTUAL_TEXT_DOCUMENT: &str = "codemode/virtualTextDocument";

#[derive(Debug, Clone, Deserialize)]
pub struct VirtualTextDocumentParams {
    pub uri: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct VirtualTextDocumentResult {
    pub text: String,
}

/// `codemode/runResult`, server → client: a run finished.
pub enum RunResult {}

impl Notification for RunResult {
    type Params = RunResultParams;
    const METHOD: &'static str = "codemode/runResult";
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RunResultParams {
    pub uri: String,
    /// The document version that ran.
    pub version: i32,
    /// The `codemode.run` answer: the report as `codemode run --json` prints it, with `view`.
    pub report: Value,
}

/// The command that checks and runs a script's current text (argument: its URI, or
/// `{uri}`); answers the report with `view`, as `codemode/runResult` carries it.
pub const RUN_COMMAND: &str = "codemode.run";
/// The command that answers the last run's report (argument: the URI).
pub const SHOW_LAST_RUN_COMMAND: &str = "codemode.showLastRun";

/// What a diagnostic with quick fixes carries in `data`, for `textDocument/codeAction`: each
/// fix a title, `preferred`, and edits in 1-based lines and UTF-16 columns (as `codemode check
/// --json` gives them).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DiagnosticData {
    pub fixes: Vec<Fix>,
}

#[cfg(test)]
mod tests {
    /// A fingerprint of this file: FNV-1a over its bytes, without line-ending differences.
    fn fingerprint(text: &str) -> String {
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        for byte in text.replace("\r\n", "\n").bytes() {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
        format!("{hash:016x}")
    }

    /// The protocol, its document and the extension's mirror change together: each names
    /// the fingerprint of this file it was written against.
    #[test]
    fn the_document_and_the_extension_follow_the_protocol() {
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
        let source = std::fs::read_to_string(format!("{root}/server/src/lsp/protocol.rs")).unwrap();
        // The fingerprint covers the types, not this test.
        let types = source.split("#[cfg(test)]").next().unwrap();
        let expected = format!("protocol.rs fingerprint: {}", fingerprint(types));
        for other in ["docs/lsp-extensions.md", "vscode-extension/src/protocol.ts"] {
            let text = std::fs::read_to_string(format!("{root}/{other}")).unwrap_or_default();
            assert!(
                text.contains(&expected),
                "server/src/lsp/protocol.rs changed: bring {other} in line with it, then write \
                 `{expected}` in it"
            );
        }
    }
}
