//! What a run did, as plain data: the document `codemode run --json` prints, the LSP sends
//! and `serve` renders. Front doors read these types from here (`runtime`), never from the
//! engine.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::check::Diagnostic;
use crate::content::ContentBlock;
pub use crate::engine::{FailureKind, Level, LogLine};

/// One tool call of a run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ToolCallRecord {
    pub server: String,
    pub tool: String,
    pub ok: bool,
    pub ms: u64,
    /// Bytes of the tool's answer, which stayed out of the run's output.
    pub bytes: usize,
    /// The script line that made the call.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    /// Where in the transpiled script, until mapped.
    #[serde(skip)]
    pub(super) at: Option<(u32, u32)>,
}

/// Why a run failed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunError {
    pub kind: FailureKind,
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub column: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stack: Option<String>,
}

impl RunError {
    /// A failure with no position in the script.
    pub fn new(kind: FailureKind, message: impl Into<String>) -> RunError {
        RunError {
            kind,
            message: message.into(),
            line: None,
            column: None,
            stack: None,
        }
    }

    /// The same failure at a 1-based line and column of the script.
    pub fn at(mut self, line: u32, column: u32) -> RunError {
        self.line = Some(line);
        self.column = Some(column);
        self
    }
}

/// What a run did: the document `codemode run --json` prints.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RunReport {
    pub ok: bool,
    pub result: Value,
    pub logs: Vec<LogLine>,
    pub tool_calls: Vec<ToolCallRecord>,
    pub error: Option<RunError>,
    /// What the type check found (errors mean the script was not run).
    pub diagnostics: Vec<Diagnostic>,
    /// Of `durationMs`, the time the type check took (0 when it was skipped).
    pub check_ms: u64,
    pub duration_ms: u64,
    /// Console output dropped over the output limit.
    pub dropped_output_bytes: usize,
    /// The content blocks taken out of `result` (images, audio, resources, links), passed on
    /// as blocks; the result names each by a placeholder.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub content: Vec<ContentBlock>,
}

impl RunReport {
    /// A report of a run that failed before or outside the script.
    pub fn failed(duration_ms: u64, error: RunError) -> RunReport {
        RunReport {
            ok: false,
            result: Value::Null,
            logs: Vec::new(),
            tool_calls: Vec::new(),
            error: Some(error),
            diagnostics: Vec::new(),
            check_ms: 0,
            duration_ms,
            dropped_output_bytes: 0,
            content: Vec::new(),
        }
    }

    /// Bytes of tool answers the script consumed without them reaching the output: all
    /// the answers' bytes but those passed on as content blocks.
    pub fn tool_result_bytes(&self) -> usize {
        let answered: usize = self.tool_calls.iter().map(|c| c.bytes).sum();
        answered.saturating_sub(self.content_bytes())
    }

    /// Bytes of the content blocks passed on.
    pub fn content_bytes(&self) -> usize {
        self.content.iter().map(ContentBlock::bytes).sum()
    }

    /// The kind of failure, if the run failed.
    pub fn failure(&self) -> Option<FailureKind> {
        self.error.as_ref().map(|e| e.kind)
    }
}
