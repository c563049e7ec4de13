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

mod report;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use futures::StreamExt;
use futures::future::BoxFuture;
use futures::stream::FuturesUnordered;
use serde_json::{Value, json};
use tokio::sync::Semaphore;

pub use crate::content::{ContentBlock, EmbeddedResource};
pub use report::{FailureKind, Level, LogLine, RunError, RunReport, ToolCallRecord};

use crate::codegen::ApiIndex;
use crate::engine::{self, CallReply, CallRequest};
use crate::host::Host;
use crate::limits::Limits;
use crate::transpile::{self, PositionMap};

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

/// How long past its deadline a run may take before it is answered without its script:
/// the interrupt handler stops a script within milliseconds, except inside a single native
/// call, whose walks the bootstrap bounds.
pub const OVERSHOOT: Duration = Duration::from_secs(1);

/// Why a run ended without the engine thread's answer.
enum Abandoned {
    /// The thread ended without answering (it panicked).
    Vanished,
    /// The deadline and the overshoot passed first.
    Overran,
}

/// What the engine thread hands back.
enum Finished {
    Refused(transpile::SyntaxError, FailureKind),
    Ran(engine::Outcome, PositionMap),
}

/// Runs `source` (the script at `file`) against `host`, whose API `index` names.
pub async fn run(
    host: &Host,
    index: &ApiIndex,
    file: &str,
    source: String,
    limits: &Limits,
) -> RunReport {
    run_supervised(host, index, file, source, limits, &Unsupervised).await
}

/// [`run`], telling `supervisor` of each tool call and letting it refuse them.
pub async fn run_supervised(
    host: &Host,
    index: &ApiIndex,
    file: &str,
    source: String,
    limits: &Limits,
    supervisor: &dyn Supervisor,
) -> RunReport {
    let started = Instant::now();
    let cancelled = Arc::new(AtomicBool::new(false));
    let _cancel_on_drop = CancelOnDrop(cancelled.clone());
    // Time spent waiting for a person to approve a call does not count against the run.
    let deadline = engine::Deadline::new(started + limits.run_timeout);
    let (request_tx, mut requests) = tokio::sync::mpsc::unbounded_channel::<CallRequest>();
    let (reply_tx, replies) = std::sync::mpsc::channel::<CallReply>();
    let (done_tx, mut done) = tokio::sync::oneshot::channel::<Finished>();
    let job_limits = limits.clone();
    let job_deadline = deadline.clone();
    let job_index = index.clone();
    let job_file = file.to_string();
    let spawned = std::thread::Builder::new()
        .name("codemode-script".into())
        .stack_size(64 * 1024 * 1024)
        .spawn(move || {
            let finished = match transpile::transpile(&job_file, &source) {
                Err(error) => {
                    let kind = if error.over_limit {
                        FailureKind::Limit
                    } else {
                        FailureKind::Type
                    };
                    Finished::Refused(error, kind)
                }
                Ok(transpiled) => {
                    let job = engine::Job {
                        file: job_file,
                        code: transpiled.code,
                        api: job_index,
                        limits: job_limits,
                        deadline: job_deadline,
                        cancelled,
                        requests: request_tx,
                        replies,
                    };
                    Finished::Ran(engine::run(job), transpiled.map)
                }
            };
            let _ = done_tx.send(finished);
        });
    if let Err(error) = spawned {
        return RunReport::failed(
            started.elapsed().as_millis() as u64,
            RunError::new(
                FailureKind::Runtime,
                format!("cannot start the script thread: {error}"),
            ),
        );
    }

    let semaphore = Arc::new(Semaphore::new(limits.max_concurrent_calls.max(1)));
    type Answered = (u64, Result<String, String>, Option<ToolCallRecord>);
    let mut in_flight: FuturesUnordered<BoxFuture<'_, Answered>> = FuturesUnordered::new();
    let mut records = Vec::new();
    // One timer for the whole run, moved only when a pause moved the deadline.
    let watchdog = tokio::time::sleep_until((deadline.at() + OVERSHOOT).into());
    tokio::pin!(watchdog);
    let finished = loop {
        tokio::select! {
            Some(request) = requests.recv() => {
                let semaphore = semaphore.clone();
                let deadline = deadline.clone();
                let at = request.at;
                let (tool, arguments) = match request.ask {
                    engine::Ask::Tool { tool, arguments } => (tool, arguments),
                    // Resources and prompts: read-only, so no approval; the policy and the
                    // audit log see them in the host.
                    engine::Ask::Server(asked) => {
                        let server = index.servers.get(request.server).map(|s| s.server.clone());
                        in_flight.push(Box::pin(async move {
                            let Some(server) = server else {
                                return (request.id, Err("no such server".to_string()), None);
                            };
                            let method = asked.method().to_string();
                            let _permit = semaphore.acquire_owned().await;
                            let started = Instant::now();
                            let answer = host.request(&server, asked).await;
                            let ms = started.elapsed().as_millis() as u64;
                            let (outcome, ok, bytes) = match answer {
                                Ok(value) => {
                                    let payload = value.to_string();
                                    let bytes = payload.len();
                                    (Ok(payload), true, bytes)
                                }
                                Err(error) => (Err(error.to_string()), false, 0),
                            };
                            let record = ToolCallRecord { server, tool: method, ok, ms, bytes, line: None, at };
                            (request.id, outcome, Some(record))
                        }));
                        continue;
                    }
                };
                let entry = index.tool_at(request.server, tool).map(|(s, t)| (s.server.clone(), t.tool.clone()));
                in_flight.push(Box::pin(async move {
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
                    let arguments = match arguments {
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
                }));
            }
            Some((id, outcome, record)) = in_flight.next(), if !in_flight.is_empty() => {
                if let Some(record) = record {
                    supervisor.called(&record);
                    records.push(record);
                }
                let _ = reply_tx.send(CallReply { id, outcome });
            }
            finished = &mut done => break finished.map_err(|_| Abandoned::Vanished),
            // A script stuck in one long native call does not reach the interrupt handler;
            // the run is answered anyway, and the thread, told to stop, is left behind.
            () = &mut watchdog => {
                let due = deadline.at() + OVERSHOOT;
                if Instant::now() >= due {
                    break Err(Abandoned::Overran);
                }
                watchdog.as_mut().reset(due.into());
            }
        }
    };
    // Calls still in flight are cancelled upstream as they are dropped.
    drop(in_flight);

    let duration_ms = started.elapsed().as_millis() as u64;
    match finished {
        Err(Abandoned::Vanished) => RunReport::failed(
            duration_ms,
            RunError::new(
                FailureKind::Runtime,
                "the script thread stopped unexpectedly",
            ),
        ),
        Err(Abandoned::Overran) => RunReport::failed(
            duration_ms,
            RunError::new(
                FailureKind::Timeout,
                "the script ran out of time (wall-clock limit) inside one long built-in call; it was abandoned",
            ),
        ),
        Ok(Finished::Refused(error, kind)) => RunReport::failed(
            duration_ms,
            RunError {
                kind,
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
            let (ok, mut result, error) = match outcome.result {
                Ok(value) => (true, value.unwrap_or(Value::Null), None),
                Err(failure) => {
                    let position = failure.position.and_then(|(l, c)| map.to_source(l, c));
                    let stack = failure.stack.map(|stack| map_stack(&stack, file, &map));
                    let error = RunError {
                        kind: failure.kind,
                        message: failure.message,
                        line: position.map(|p| p.0),
                        column: position.map(|p| p.1),
                        stack,
                    };
                    (false, Value::Null, Some(error))
                }
            };
            // Blocks logged come first, numbered as they were logged; the result's follow.
            let mut content = outcome.content;
            crate::content::extract(&mut result, &mut content);
            RunReport {
                ok,
                result,
                content,
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

/// The stack with every `file:line:column` of the script moved to its TypeScript position.
fn map_stack(stack: &str, file: &str, map: &PositionMap) -> String {
    stack
        .lines()
        // The bootstrap's own frames say nothing about the script.
        .filter(|frame| !frame.contains("codemode:bootstrap"))
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
