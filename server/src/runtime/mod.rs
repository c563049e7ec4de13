//! Running one script: type-check it ([`check_then_run`]; a script with type errors is not
//! run), transpile it, run it in a fresh engine on a thread of its own, carry its tool calls
//! to the MCP host (concurrently, up to a limit), and report what happened as plain data
//! ([`RunReport`], the JSON of `codemode run --json`).
//!
//! When the script ends, fails or runs out of time, the tool calls still in flight are
//! dropped, which makes the host send `notifications/cancelled` upstream. Dropping the run
//! itself does the same and interrupts the script.
//!
//! A [`Supervisor`] hears of each tool call and may refuse it (approval of destructive tools
//! is asked this way, by whoever started the run).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use futures::StreamExt;
use futures::future::BoxFuture;
use futures::stream::FuturesUnordered;
use serde::Serialize;
use serde_json::{Value, json};
use tokio::sync::Semaphore;

use crate::check::{CheckError, Checker, Diagnostic, Script, Severity};
use crate::codegen::{ApiIndex, Generated};
use crate::config::Settings;
use crate::engine::{self, CallReply, CallRequest, FailureKind, Limits, LogLine};
use crate::host::Host;
use crate::transpile::{self, PositionMap};

/// The limits of a run, from the configuration's `codemode` section and the command line.
#[derive(Debug, Clone, PartialEq)]
pub struct RunOptions {
    pub timeout: Duration,
    pub memory_bytes: usize,
    pub output_bytes: usize,
    pub result_bytes: usize,
    pub max_tool_calls: usize,
    pub concurrency: usize,
    pub check_timeout: Duration,
}

impl RunOptions {
    pub fn from_settings(settings: &Settings) -> RunOptions {
        RunOptions {
            timeout: settings.run_timeout,
            memory_bytes: settings.memory_limit_mb * 1024 * 1024,
            output_bytes: settings.max_output_bytes,
            result_bytes: settings.max_result_bytes,
            max_tool_calls: settings.max_tool_calls,
            concurrency: settings.max_concurrent_calls,
            check_timeout: settings.check_timeout,
        }
    }
}

/// One tool call of a run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ToolCallRecord {
    pub server: String,
    pub tool: String,
    pub ok: bool,
    pub ms: u64,
    /// Bytes of the tool's answer, which stayed out of the run's output.
    pub bytes: usize,
    /// The script line that made the call.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    /// Where in the transpiled script, until mapped.
    #[serde(skip)]
    at: Option<(u32, u32)>,
}

/// Why a run failed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunError {
    /// `type`, `runtime`, `tool`, `timeout`, `memory` or `limit`.
    pub kind: String,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stack: Option<String>,
}

/// What a run did: the document `codemode run --json` prints.
#[derive(Debug, Clone, PartialEq, Serialize)]
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
}

impl RunReport {
    /// Bytes of tool answers the script consumed without them reaching the output.
    pub fn tool_result_bytes(&self) -> usize {
        self.tool_calls.iter().map(|c| c.bytes).sum()
    }
}

/// What the starter of a run hears of and decides about its tool calls.
pub trait Supervisor: Send + Sync {
    /// Whether the script may call `server`'s `tool` now. An `Err` refuses the call: the
    /// script's promise rejects with that message and nothing is sent upstream.
    fn approve<'a>(&'a self, server: &'a str, tool: &'a str) -> BoxFuture<'a, Result<(), String>>;

    /// A call ended (answered, failed or refused).
    fn called(&self, record: &ToolCallRecord);
}

/// Approves every call and listens to none: for runs whose starter decided beforehand.
pub struct Unsupervised;

impl Supervisor for Unsupervised {
    fn approve<'a>(&'a self, _: &'a str, _: &'a str) -> BoxFuture<'a, Result<(), String>> {
        Box::pin(async { Ok(()) })
    }

    fn called(&self, _: &ToolCallRecord) {}
}

/// Sets its flag when dropped: the engine's interrupt handler stops the script.
struct CancelOnDrop(Arc<AtomicBool>);

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Relaxed);
    }
}

/// What the engine thread hands back.
enum Finished {
    Refused(transpile::SyntaxError, &'static str),
    Ran(engine::Outcome, PositionMap),
}

/// Runs `source` (the script at `file`) against `host`, whose API `index` names.
pub async fn run(
    host: &Host,
    index: &ApiIndex,
    file: &str,
    source: String,
    options: &RunOptions,
) -> RunReport {
    run_supervised(host, index, file, source, options, &Unsupervised).await
}

/// [`run`], telling `supervisor` of each tool call and letting it refuse them.
pub async fn run_supervised(
    host: &Host,
    index: &ApiIndex,
    file: &str,
    source: String,
    options: &RunOptions,
    supervisor: &dyn Supervisor,
) -> RunReport {
    let started = Instant::now();
    let cancelled = Arc::new(AtomicBool::new(false));
    let _cancel_on_drop = CancelOnDrop(cancelled.clone());
    // Time spent waiting for a person to approve a call does not count against the run.
    let deadline = engine::Deadline::new(started + options.timeout);
    let (request_tx, mut requests) = tokio::sync::mpsc::unbounded_channel::<CallRequest>();
    let (reply_tx, replies) = std::sync::mpsc::channel::<CallReply>();
    let (done_tx, mut done) = tokio::sync::oneshot::channel::<Finished>();
    let limits = Limits {
        deadline: deadline.clone(),
        memory: options.memory_bytes,
        output: options.output_bytes,
        tool_calls: options.max_tool_calls,
        result: options.result_bytes,
        cancelled,
    };
    let job_index = index.clone();
    let job_file = file.to_string();
    let spawned = std::thread::Builder::new()
        .name("codemode-script".into())
        .stack_size(64 * 1024 * 1024)
        .spawn(move || {
            let finished = match transpile::transpile(&job_file, &source) {
                Err(error) => {
                    let kind = if error.over_limit { "limit" } else { "type" };
                    Finished::Refused(error, kind)
                }
                Ok(transpiled) => {
                    let job = engine::Job {
                        file: job_file,
                        code: transpiled.code,
                        api: job_index,
                        limits,
                        requests: request_tx,
                        replies,
                    };
                    Finished::Ran(engine::run(job), transpiled.map)
                }
            };
            let _ = done_tx.send(finished);
        });
    if let Err(error) = spawned {
        return failed_report(
            started.elapsed().as_millis() as u64,
            runtime_error(format!("cannot start the script thread: {error}")),
        );
    }

    let semaphore = Arc::new(Semaphore::new(options.concurrency.max(1)));
    let mut in_flight = FuturesUnordered::new();
    let mut records = Vec::new();
    let finished = loop {
        tokio::select! {
            Some(request) = requests.recv() => {
                let semaphore = semaphore.clone();
                let deadline = deadline.clone();
                let entry = index.servers.get(request.server).and_then(|s| Some((s.server.clone(), s.tools.get(request.tool)?.tool.clone())));
                let at = request.at;
                in_flight.push(async move {
                    let Some((server, tool)) = entry else {
                        return (request.id, Err("no such tool".to_string()), None);
                    };
                    let pause = deadline.pause();
                    let approved = supervisor.approve(&server, &tool).await;
                    drop(pause);
                    if let Err(refusal) = approved {
                        let record = ToolCallRecord { server, tool, ok: false, ms: 0, bytes: 0, line: None, at };
                        return (request.id, Err(refusal), Some(record));
                    }
                    let _permit = semaphore.acquire_owned().await;
                    let call_started = Instant::now();
                    let arguments = match request.arguments {
                        Value::Object(map) => Some(map),
                        _ => None,
                    };
                    let answer = host.call_tool(&server, &tool, arguments).await;
                    let ms = call_started.elapsed().as_millis() as u64;
                    match answer {
                        Ok(output) => {
                            let payload = json!({
                                "content": output.content,
                                "structured": output.structured,
                                "isError": output.is_error,
                            })
                            .to_string();
                            let record = ToolCallRecord { server, tool, ok: !output.is_error, ms, bytes: payload.len(), line: None, at };
                            (request.id, Ok(payload), Some(record))
                        }
                        Err(error) => {
                            let record = ToolCallRecord { server, tool, ok: false, ms, bytes: 0, line: None, at };
                            (request.id, Err(error.to_string()), Some(record))
                        }
                    }
                });
            }
            Some((id, outcome, record)) = in_flight.next(), if !in_flight.is_empty() => {
                if let Some(record) = record {
                    supervisor.called(&record);
                    records.push(record);
                }
                let _ = reply_tx.send(CallReply { id, outcome });
            }
            finished = &mut done => break finished,
        }
    };
    // Calls still in flight are cancelled upstream as they are dropped.
    drop(in_flight);

    let duration_ms = started.elapsed().as_millis() as u64;
    match finished {
        Err(_) => failed_report(
            duration_ms,
            runtime_error("the script thread stopped unexpectedly".to_string()),
        ),
        Ok(Finished::Refused(error, kind)) => failed_report(
            duration_ms,
            RunError {
                kind: kind.to_string(),
                message: error.message,
                line: error.line,
                column: error.column,
                stack: None,
            },
        ),
        Ok(Finished::Ran(mut outcome, map)) => {
            let line_of =
                |at: Option<(u32, u32)>| at.and_then(|(l, c)| map.to_source(l, c)).map(|p| p.0);
            for log in &mut outcome.logs {
                log.line = line_of(log.at);
            }
            for record in &mut records {
                record.line = line_of(record.at);
            }
            let (ok, result, error) = match outcome.result {
                Ok(value) => (true, value.unwrap_or(Value::Null), None),
                Err(failure) => {
                    let position = failure.position.and_then(|(l, c)| map.to_source(l, c));
                    let kind = match failure.kind {
                        FailureKind::Runtime => "runtime",
                        FailureKind::Tool => "tool",
                        FailureKind::Timeout => "timeout",
                        FailureKind::Memory => "memory",
                        FailureKind::Limit => "limit",
                    };
                    let stack = failure.stack.map(|stack| map_stack(&stack, file, &map));
                    let error = RunError {
                        kind: kind.to_string(),
                        message: failure.message,
                        line: position.map(|p| p.0),
                        column: position.map(|p| p.1),
                        stack,
                    };
                    (false, Value::Null, Some(error))
                }
            };
            RunReport {
                ok,
                result,
                logs: outcome.logs,
                tool_calls: records,
                error,
                diagnostics: Vec::new(),
                check_ms: 0,
                duration_ms,
                dropped_output_bytes: outcome.dropped_output,
            }
        }
    }
}

/// Type-checks `source` against `generated` with `checker` (when there is one) and runs it
/// only when TypeScript finds no errors; a script with type errors fails with kind `type`
/// and its diagnostics, and no tool is called.
pub async fn check_then_run(
    host: &Host,
    generated: &Generated,
    checker: Option<&Checker>,
    file: &str,
    source: String,
    options: &RunOptions,
    supervisor: &dyn Supervisor,
) -> RunReport {
    let Some(checker) = checker else {
        return run_supervised(host, &generated.index, file, source, options, supervisor).await;
    };
    let started = Instant::now();
    let scripts = [Script {
        file: file.to_string(),
        text: source,
    }];
    let checked = checker
        .check(&generated.api, &scripts, options.check_timeout)
        .await;
    let [Script { text: source, .. }] = scripts;
    let check_ms = started.elapsed().as_millis() as u64;
    let refuse = |error: RunError, diagnostics: Vec<Diagnostic>| {
        let mut report = failed_report(check_ms, error);
        report.diagnostics = diagnostics;
        report.check_ms = check_ms;
        report
    };
    let diagnostics = match checked {
        Ok(diagnostics) => diagnostics,
        Err(CheckError::Limit {
            line,
            column,
            message,
            ..
        }) => {
            let error = RunError {
                kind: "limit".into(),
                message,
                line: Some(line),
                column: Some(column),
                stack: None,
            };
            return refuse(error, Vec::new());
        }
        Err(error) => {
            let error = RunError {
                kind: "type".into(),
                message: format!("{error}; the script was not run"),
                line: None,
                column: None,
                stack: None,
            };
            return refuse(error, Vec::new());
        }
    };
    let errors: Vec<&Diagnostic> = diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .collect();
    if let Some(first) = errors.first() {
        let error = RunError {
            kind: "type".into(),
            message: format!(
                "{} type error{}, so the script was not run; the first: TS{} {}",
                errors.len(),
                if errors.len() == 1 { "" } else { "s" },
                first.code,
                first.message.lines().next().unwrap_or_default()
            ),
            line: Some(first.line),
            column: Some(first.column),
            stack: None,
        };
        return refuse(error, diagnostics);
    }
    let mut report =
        run_supervised(host, &generated.index, file, source, options, supervisor).await;
    report.diagnostics = diagnostics;
    report.check_ms = check_ms;
    report.duration_ms += check_ms;
    report
}

/// A report of a run that failed before or outside the script.
fn failed_report(duration_ms: u64, error: RunError) -> RunReport {
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
    }
}

fn runtime_error(message: String) -> RunError {
    RunError {
        kind: "runtime".to_string(),
        message,
        line: None,
        column: None,
        stack: None,
    }
}

/// The stack with every `file:line:column` of the script moved to its TypeScript position.
fn map_stack(stack: &str, file: &str, map: &PositionMap) -> String {
    stack
        .lines()
        .map(|frame| {
            let Some((range, line, column)) = engine::frame_position(frame, file) else {
                return frame.to_string();
            };
            match map.to_source(line, column) {
                Some((line, column)) => {
                    format!(
                        "{}{line}:{column}{}",
                        &frame[..range.start],
                        &frame[range.end..]
                    )
                }
                None => frame.to_string(),
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}
