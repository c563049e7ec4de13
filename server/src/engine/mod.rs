//! The embedded engine: QuickJS-ng through rquickjs. The one module that knows it.
//!
//! [`run`] takes JavaScript (already transpiled), the API index and limits, and runs it in a
//! fresh runtime and context that are dropped afterwards: nothing is shared between runs. The
//! script's only way out is `hostCall`, which sends a [`CallRequest`] over a channel and gets a
//! [`CallReply`] back; this module never sees the MCP host. Wall time and tight loops are
//! stopped by the interrupt handler, memory (array buffers included) by QuickJS's allocator
//! limit. Blocking: call it on a thread of its own.

mod convert;
mod deadline;
mod heap;
pub mod service;
pub mod snapshot;

pub use deadline::{Deadline, Pause};

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use rquickjs::function::Opt;
use rquickjs::promise::PromiseState;
use rquickjs::{Context, Ctx, Exception, Function, Module, Promise, Runtime, Value};
use serde::{Deserialize, Serialize};

use crate::catalog::ServerRequest;
use crate::codegen::ApiIndex;
use crate::content::{self, ContentBlock};
use crate::limits::Limits;
use convert::{Intrinsics, NotJson};

/// `bootstrap.js` as a module (`export default (function bootstrap …)`), compiled to this
/// QuickJS's bytecode by `build.rs`: a fresh sandbox loads it rather than parsing it.
const BOOTSTRAP: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/bootstrap.qbc"));
/// The largest tool input sent: what one line of MCP over stdio may carry (rmcp's limit).
const MAX_ARGUMENTS: usize = 16 * 1024 * 1024;
/// How long a script waiting on a tool yields before it sleeps (see `Run::next_reply`).
const REPLY_SPIN: Duration = Duration::from_micros(1000);
/// How many promise jobs run between two reads of the clock and the cancel flag.
const JOBS_BETWEEN_CHECKS: u32 = 256;

/// A call the script made to a server; `server` indexes into the [`ApiIndex`].
#[derive(Debug, Clone)]
pub struct CallRequest {
    pub id: u64,
    pub server: usize,
    pub ask: Ask,
    /// Where in the transpiled script the call was made.
    pub at: Option<(u32, u32)>,
}

/// What a script asked of a server.
#[derive(Debug, Clone, PartialEq)]
pub enum Ask {
    /// A tool (`tool` indexes into the server's tools in the [`ApiIndex`]).
    Tool {
        tool: usize,
        arguments: serde_json::Value,
    },
    /// A resource or prompt request (`everything.resources.read(uri)`); answered with MCP's
    /// JSON of it.
    Server(ServerRequest),
}

/// The answer to a [`CallRequest`]: the tool's output as JSON
/// (`{"content": [...], "structured": ..., "isError": bool}`), or why there is none.
#[derive(Debug, Clone)]
pub struct CallReply {
    pub id: u64,
    pub outcome: Result<String, String>,
}

/// A script to run.
pub struct Job {
    pub file: String,
    pub code: String,
    pub api: ApiIndex,
    /// What the run may use, as configured.
    pub limits: Limits,
    /// When the run must end; the starter may push it back.
    pub deadline: Deadline,
    /// Set when whoever waits for the run gives up: the script is interrupted at once.
    pub cancelled: Arc<AtomicBool>,
    pub requests: tokio::sync::mpsc::UnboundedSender<CallRequest>,
    pub replies: Receiver<CallReply>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Log,
    Info,
    Warn,
    Error,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LogLine {
    pub level: Level,
    pub text: String,
    /// The script line that logged it (in the TypeScript the user wrote, once the runtime
    /// has mapped it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    /// Where in the transpiled script it was logged, for the runtime to map.
    #[serde(skip)]
    pub at: Option<(u32, u32)>,
}

/// Why a run failed: the one closed list every layer uses, serialised (lowercase) as
/// `codemode run --json` reports it. The engine gives all but `Type`, which is the checker's
/// (the script was not run).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FailureKind {
    /// A type or syntax error: the script was not run.
    Type,
    /// An uncaught exception.
    Runtime,
    /// An uncaught `ToolError`.
    Tool,
    /// The wall-clock limit.
    Timeout,
    /// The memory limit.
    Memory,
    /// Another limit: tool calls, result size, source size.
    Limit,
    /// Whoever started the run gave up on it, or a person declined it.
    Cancelled,
}

impl FailureKind {
    /// The word `--json` and every front door use.
    pub fn as_str(self) -> &'static str {
        match self {
            FailureKind::Type => "type",
            FailureKind::Runtime => "runtime",
            FailureKind::Tool => "tool",
            FailureKind::Timeout => "timeout",
            FailureKind::Memory => "memory",
            FailureKind::Limit => "limit",
            FailureKind::Cancelled => "cancelled",
        }
    }
}

impl std::fmt::Display for FailureKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Failure {
    pub kind: FailureKind,
    pub message: String,
    pub stack: Option<String>,
    /// 1-based position in the JavaScript the engine ran.
    pub position: Option<(u32, u32)>,
}

/// What a run did.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// The value of `export default` as JSON (`None` when there is none), or the failure.
    pub result: Result<Option<serde_json::Value>, Failure>,
    pub logs: Vec<LogLine>,
    /// Bytes of console output dropped over the limit.
    pub dropped_output: usize,
    /// Content blocks the script logged, passed on (each log line names its own).
    pub content: Vec<ContentBlock>,
}

/// Resolves and loads no module: a script has nothing to import (no files, no network), and
/// modules already loaded (the bootstrap) must not be reachable by name.
struct NoModules;

const NO_MODULES: &str =
    "codemode scripts cannot import modules: the tools are globals (one namespace per server)";

impl rquickjs::loader::Resolver for NoModules {
    fn resolve<'js>(
        &mut self,
        _: &Ctx<'js>,
        base: &str,
        name: &str,
        _: Option<rquickjs::loader::ImportAttributes<'js>>,
    ) -> rquickjs::Result<String> {
        Err(rquickjs::Error::new_resolving_message(
            base, name, NO_MODULES,
        ))
    }
}

impl rquickjs::loader::Loader for NoModules {
    fn load<'js>(
        &mut self,
        _: &Ctx<'js>,
        name: &str,
        _: Option<rquickjs::loader::ImportAttributes<'js>>,
    ) -> rquickjs::Result<Module<'js, rquickjs::module::Declared>> {
        Err(rquickjs::Error::new_loading_message(name, NO_MODULES))
    }
}

/// What the script's host functions share with the event loop.
#[derive(Default)]
struct State {
    logs: Vec<LogLine>,
    log_bytes: usize,
    dropped: usize,
    next_id: u64,
    outstanding: usize,
    calls: usize,
    /// The message of the last limit that refused something (tool calls, a native walk,
    /// an input): an uncaught error with that message ends the run as kind `limit`.
    limit: Option<String>,
    /// Rejections no handler took, reported with the run's output unless they are its failure.
    unhandled: Vec<String>,
    /// Content blocks logged, passed on.
    content: Vec<ContentBlock>,
}

/// Refuses a call past the run's limit of `max_calls` (before its input is converted).
fn within_call_limit(ctx: &Ctx<'_>, state: &mut State, max_calls: usize) -> rquickjs::Result<()> {
    if state.calls < max_calls {
        return Ok(());
    }
    let message =
        format!("the script made more than {max_calls} tool calls, the limit for one run");
    state.limit = Some(message.clone());
    Err(Exception::throw_range(ctx, &message))
}

/// Hands a call of the script (within the limit, see [`within_call_limit`]) to the host:
/// counted, given an id (what the script's promise waits on), sent.
fn enqueue(
    ctx: &Ctx<'_>,
    state: &mut State,
    requests: &tokio::sync::mpsc::UnboundedSender<CallRequest>,
    server: usize,
    ask: Ask,
    at: Option<(u32, u32)>,
) -> rquickjs::Result<f64> {
    state.calls += 1;
    state.next_id += 1;
    let id = state.next_id;
    let request = CallRequest {
        id,
        server,
        ask,
        at,
    };
    if requests.send(request).is_err() {
        return Err(Exception::throw_internal(
            ctx,
            "the host stopped taking tool calls",
        ));
    }
    state.outstanding += 1;
    Ok(id as f64)
}

/// Runs `job` to completion on the current thread.
pub fn run(job: Job) -> Outcome {
    let state = Rc::new(RefCell::new(State::default()));
    let result = run_in_fresh_runtime(&job, &state);
    let mut state = state.take();
    for reason in std::mem::take(&mut state.unhandled) {
        // The run's own failure (and the engine's interrupt or out-of-memory error behind a
        // timeout or memory failure) surfaces as the error, not again as a log line.
        let is_the_failure = match &result {
            Err(f) if matches!(f.kind, FailureKind::Timeout | FailureKind::Memory) => {
                ["interrupted", "out of memory", "string too long"]
                    .iter()
                    .any(|m| reason.contains(m))
            }
            Err(f) => reason.ends_with(&f.message) || f.message.ends_with(&reason),
            Ok(_) => false,
        };
        if !is_the_failure {
            state.logs.push(LogLine {
                level: Level::Error,
                text: format!("unhandled promise rejection: {reason}"),
                line: None,
                at: None,
            });
        }
    }
    Outcome {
        result,
        logs: state.logs,
        dropped_output: state.dropped,
        content: state.content,
    }
}

fn run_in_fresh_runtime(
    job: &Job,
    state: &Rc<RefCell<State>>,
) -> Result<Option<serde_json::Value>, Failure> {
    let setup = |e: rquickjs::Error| {
        failure(
            FailureKind::Runtime,
            format!("cannot start the engine: {e}"),
        )
    };
    // The heap enforces the memory limit (QuickJS's own limit is left unset): see heap.rs.
    let (heap, refusals) = heap::Heap::new(job.limits.memory_bytes());
    let runtime = Runtime::new_with_alloc(heap).map_err(setup)?;
    runtime.set_loader(NoModules, NoModules);
    runtime.set_max_stack_size(2 * 1024 * 1024);
    let interrupted = Arc::new(AtomicBool::new(false));
    let flag = interrupted.clone();
    let deadline = job.deadline.clone();
    let cancelled = job.cancelled.clone();
    runtime.set_interrupt_handler(Some(Box::new(move || {
        let stop = deadline.passed() || cancelled.load(Ordering::Relaxed);
        if stop {
            flag.store(true, Ordering::Relaxed);
        }
        stop
    })));
    let unhandled = state.clone();
    runtime.set_host_promise_rejection_tracker(Some(Box::new(
        move |_ctx, _promise, reason, is_handled| {
            let reason = describe(&reason);
            let mut state = unhandled.borrow_mut();
            if !is_handled {
                state.unhandled.push(reason);
            } else if let Some(at) = state.unhandled.iter().rposition(|r| *r == reason) {
                // A handler came later (the rejection was caught after all).
                state.unhandled.remove(at);
            }
        },
    )));
    let context = Context::full(&runtime).map_err(setup)?;
    context.with(|ctx| {
        let run = Run {
            ctx: ctx.clone(),
            job,
            state,
            interrupted: &interrupted,
            refusals: &refusals,
        };
        run.execute()
    })
}

struct Run<'a, 'js> {
    ctx: Ctx<'js>,
    job: &'a Job,
    state: &'a Rc<RefCell<State>>,
    interrupted: &'a AtomicBool,
    /// Whether the heap refused an allocation (the run reached its memory limit).
    refusals: &'a heap::Refusals,
}

impl<'js> Run<'_, 'js> {
    fn execute(&self) -> Result<Option<serde_json::Value>, Failure> {
        let ctx = &self.ctx;
        let intrinsics = Intrinsics::capture(ctx).map_err(|e| self.error(e))?;
        let settle = self.bootstrap().map_err(|e| self.error(e))?;
        let module = Module::declare(ctx.clone(), self.job.file.as_str(), self.job.code.as_str())
            .map_err(|e| self.error(e))?;
        let (module, evaluated) = module.eval().map_err(|e| self.error(e))?;
        self.drive(&evaluated, &settle)?;
        let namespace = module.namespace().map_err(|e| self.error(e))?;
        let mut value: Value = namespace.get("default").map_err(|e| self.error(e))?;
        if let Some(promise) = value.as_promise().cloned() {
            value = self.drive(&promise, &settle)?;
        }
        // A default export that is not data (`export default () => 1`) says so rather than
        // end the run with no result and no word.
        let not_data = match value.type_of() {
            rquickjs::Type::Function | rquickjs::Type::Constructor => Some("a function"),
            rquickjs::Type::Symbol => Some("a symbol"),
            _ => None,
        };
        if let Some(what) = not_data {
            log(
                self.state,
                Level::Warn,
                format!(
                    "the default export is {what}, which is not data, so the run has no result: export a value (`export default await f()` calls a function and exports what it returns)"
                ),
                None,
                usize::MAX,
            );
        }
        // Reading the result can run the script's getters, which the clock may interrupt.
        let limit = self.job.limits.max_result_bytes;
        let converted = convert::to_json_noting(&intrinsics, &value, "the result", limit).map_err(
            |problem| match problem {
                _ if self.interrupted.load(Ordering::Relaxed) => self.timed_out(),
                NotJson::TooLarge => failure(
                    FailureKind::Limit,
                    format!(
                        "the result is more than {limit} bytes of JSON, the limit (return less, or summarise in the script)"
                    ),
                ),
                NotJson::Invalid(message) => failure(FailureKind::Runtime, message),
            },
        )?;
        let (json, dropped) = converted;
        if !dropped.is_empty() {
            log(
                self.state,
                Level::Warn,
                format!("not in the result: {}", dropped.join("; ")),
                None,
                usize::MAX,
            );
        }
        // The budget stopped the walk early; the exact size decides.
        if let Some(json) = &json {
            let size = json.to_string().len();
            if size > limit {
                return Err(failure(
                    FailureKind::Limit,
                    format!(
                        "the result is {size} bytes of JSON; the limit is {limit} (return less, or summarise in the script)"
                    ),
                ));
            }
        }
        Ok(json)
    }

    /// Runs the bootstrap: host functions in, `settle` out. The host functions hold no script
    /// values (a JS value kept by a Rust closure is a cycle the engine's GC cannot see).
    fn bootstrap(&self) -> rquickjs::Result<Function<'js>> {
        let ctx = &self.ctx;
        let state = self.state.clone();
        let requests = self.job.requests.clone();
        let api = self.job.api.clone();
        let max_calls = self.job.limits.max_tool_calls;
        let file_of_call = self.job.file.clone();
        let host_call = Function::new(
            ctx.clone(),
            move |ctx: Ctx<'js>,
                  server: usize,
                  tool: usize,
                  input: Opt<Value<'js>>,
                  intrinsics: rquickjs::Object<'js>,
                  site: Opt<Value<'js>>|
                  -> rquickjs::Result<f64> {
                let intrinsics = Intrinsics::from_array(&intrinsics)?;
                let Some(entry) = api
                    .servers
                    .get(server)
                    .and_then(|s| s.tools.get(tool).map(|t| (s, t)))
                else {
                    return Err(Exception::throw_type(&ctx, "no such tool"));
                };
                let name = format!("{}.{}", entry.0.namespace, entry.1.function);
                let mut st = state.borrow_mut();
                within_call_limit(&ctx, &mut st, max_calls)?;
                let arguments = match input.0 {
                    None => serde_json::Value::Object(Default::default()),
                    Some(value) => {
                        match convert::to_json(&intrinsics, &value, "input", MAX_ARGUMENTS) {
                            Ok(Some(json @ serde_json::Value::Object(_))) => json,
                            Ok(None) => serde_json::Value::Object(Default::default()),
                            Ok(Some(_)) => {
                                return Err(Exception::throw_type(
                                    &ctx,
                                    &format!("{name}: the input must be an object"),
                                ));
                            }
                            Err(NotJson::Invalid(message)) => {
                                drop(ctx.catch());
                                return Err(Exception::throw_type(
                                    &ctx,
                                    &format!("{name}: {message}"),
                                ));
                            }
                            Err(NotJson::TooLarge) => {
                                let message = format!(
                                    "{name}: its input is more than {} MiB as JSON, what a message to an MCP server may carry",
                                    MAX_ARGUMENTS / (1024 * 1024)
                                );
                                st.limit = Some(message.clone());
                                return Err(Exception::throw_range(&ctx, &message));
                            }
                        }
                    }
                };
                let ask = Ask::Tool { tool, arguments };
                let at = site_of(site.0, &file_of_call);
                enqueue(&ctx, &mut st, &requests, server, ask, at)
            },
        )?;
        // `server.resources.read(uri)` and the like: `kind` is the request, `text` its URI or
        // prompt name, `input` a prompt's arguments.
        let state = self.state.clone();
        let requests = self.job.requests.clone();
        let api = self.job.api.clone();
        let file_of_call = self.job.file.clone();
        let host_ask = Function::new(
            ctx.clone(),
            move |ctx: Ctx<'js>,
                  server: usize,
                  kind: String,
                  text: String,
                  input: Opt<Value<'js>>,
                  intrinsics: rquickjs::Object<'js>,
                  site: Opt<Value<'js>>|
                  -> rquickjs::Result<f64> {
                let intrinsics = Intrinsics::from_array(&intrinsics)?;
                let Some(entry) = api.servers.get(server) else {
                    return Err(Exception::throw_type(&ctx, "no such server"));
                };
                within_call_limit(&ctx, &mut state.borrow_mut(), max_calls)?;
                let request = match kind.as_str() {
                    "list" => ServerRequest::ListResources,
                    "read" => ServerRequest::ReadResource { uri: text },
                    "templates" => ServerRequest::ListTemplates,
                    "prompts" => ServerRequest::ListPrompts,
                    "prompt" => {
                        let arguments = match input.0 {
                            None => serde_json::Map::new(),
                            Some(value) => {
                                match convert::to_json(&intrinsics, &value, "args", MAX_ARGUMENTS) {
                                    Ok(Some(serde_json::Value::Object(map))) => map,
                                    Ok(None) => serde_json::Map::new(),
                                    Ok(Some(_)) | Err(_) => {
                                        drop(ctx.catch());
                                        return Err(Exception::throw_type(
                                            &ctx,
                                            &format!(
                                                "{}.prompts.get: the arguments must be an object of strings",
                                                entry.namespace
                                            ),
                                        ));
                                    }
                                }
                            }
                        };
                        ServerRequest::GetPrompt {
                            name: text,
                            arguments,
                        }
                    }
                    _ => return Err(Exception::throw_type(&ctx, "no such request")),
                };
                let mut st = state.borrow_mut();
                let at = site_of(site.0, &file_of_call);
                enqueue(&ctx, &mut st, &requests, server, Ask::Server(request), at)
            },
        )?;
        let state = self.state.clone();
        let output = self.job.limits.max_output_bytes;
        let file = self.job.file.clone();
        let host_log = Function::new(
            ctx.clone(),
            move |level: u32, text: String, site: Opt<Value<'js>>| {
                let level = match level {
                    1 => Level::Info,
                    2 => Level::Warn,
                    3 => Level::Error,
                    _ => Level::Log,
                };
                log(&state, level, text, site_of(site.0, &file), output);
            },
        )?;
        let state = self.state.clone();
        let host_limit = Function::new(ctx.clone(), move |message: String| {
            state.borrow_mut().limit = Some(message);
        })?;
        // A content block logged (`console.log(image)`) is passed on; the line shows its
        // placeholder. Anything else that only looks like one is logged as JSON.
        let state = self.state.clone();
        let max_content = self.job.limits.max_result_bytes;
        let host_content = Function::new(ctx.clone(), move |json: String| -> Option<String> {
            let value: serde_json::Value = serde_json::from_str(&json).ok()?;
            let block = content::as_block(&value)?;
            let mut state = state.borrow_mut();
            let blocks = &mut state.content;
            let held: usize = blocks.iter().map(ContentBlock::bytes).sum();
            if held + block.bytes() > max_content {
                return None;
            }
            Some(content::pass_on(block, blocks))
        })?;
        let api = serde_json::json!(
            self.job
                .api
                .servers
                .iter()
                .map(|s| serde_json::json!({
                    "server": s.server,
                    "namespace": s.namespace,
                    "resources": s.resources,
                    "prompts": s.prompts,
                    "tools": s.tools.iter().map(|t| serde_json::json!({
                        "tool": t.tool, "function": t.function, "typed": t.typed_output
                    })).collect::<Vec<_>>(),
                }))
                .collect::<Vec<_>>()
        );
        let api = ctx.json_parse(api.to_string())?;
        // Safety: the bytecode was written by this build's own rquickjs from our own source
        // (build.rs), so it is the format and version this QuickJS reads.
        #[allow(unsafe_code)]
        let module = unsafe { Module::load(ctx.clone(), BOOTSTRAP) }?;
        let (module, evaluated) = module.eval()?;
        evaluated.finish::<()>()?;
        let bootstrap: Function = module.get("default")?;
        // A dense array costs at least 16 bytes an element: no walk needs to be longer than
        // the memory limit's worth of one.
        let max_walk = (self.job.limits.memory_bytes() / 16).max(1 << 16) as f64;
        bootstrap.call((
            host_call,
            host_ask,
            host_log,
            host_limit,
            host_content,
            api,
            max_walk,
        ))
    }

    /// Runs jobs and delivers tool replies until `promise` settles.
    fn drive(&self, promise: &Promise<'js>, settle: &Function<'js>) -> Result<Value<'js>, Failure> {
        loop {
            // Between jobs as well as inside them: a script whose every job queues more
            // (`function f() { Promise.resolve().then(f); Promise.resolve().then(f) }`)
            // would otherwise keep this loop, and the thread, busy past its answer. QuickJS
            // asks the interrupt handler only every few thousand instructions, so the clock
            // and the cancel flag are read here once every [`JOBS_BETWEEN_CHECKS`] jobs.
            let mut jobs = 0u32;
            while self.ctx.execute_pending_job() {
                jobs = jobs.wrapping_add(1);
                if jobs.is_multiple_of(JOBS_BETWEEN_CHECKS) && self.must_stop() {
                    self.interrupted.store(true, Ordering::Relaxed);
                    break;
                }
            }
            if self.interrupted.load(Ordering::Relaxed) || self.must_stop() {
                return Err(self.timed_out());
            }
            match promise.state() {
                PromiseState::Resolved => {
                    return promise
                        .result::<Value>()
                        .unwrap_or(Ok(Value::new_undefined(self.ctx.clone())))
                        .map_err(|e| self.error(e));
                }
                PromiseState::Rejected => {
                    let reason = match promise.result::<Value>() {
                        Some(Err(rquickjs::Error::Exception)) | None => self.ctx.catch(),
                        Some(Ok(value)) => value,
                        Some(Err(other)) => return Err(self.error(other)),
                    };
                    return Err(self.exception(reason));
                }
                PromiseState::Pending => {}
            }
            if self.state.borrow().outstanding == 0 {
                return Err(failure(
                    FailureKind::Timeout,
                    "the script is waiting for a promise that nothing will ever settle (no tool call is pending)"
                        .to_string(),
                ));
            }
            match self.next_reply() {
                Ok(reply) => {
                    self.state.borrow_mut().outstanding -= 1;
                    let (ok, payload) = match reply.outcome {
                        Ok(json) => (true, json),
                        Err(message) => (false, message),
                    };
                    if let Err(error) = settle.call::<_, ()>((reply.id as f64, ok, payload)) {
                        return Err(self.error(error));
                    }
                }
                // The deadline may have moved while we waited.
                Err(RecvTimeoutError::Timeout) if !self.job.deadline.passed() => {}
                Err(RecvTimeoutError::Timeout) => return Err(self.timed_out()),
                Err(RecvTimeoutError::Disconnected) => {
                    return Err(failure(
                        FailureKind::Runtime,
                        "the host stopped answering tool calls".to_string(),
                    ));
                }
            }
        }
    }

    /// Whether the run is past its deadline or was cancelled.
    fn must_stop(&self) -> bool {
        self.job.deadline.passed() || self.job.cancelled.load(Ordering::Relaxed)
    }

    /// The next tool reply, or why none came before the deadline. A local server usually
    /// answers within a millisecond, and a thread woken from a sleep loses up to a few tenths
    /// of one more (measured on a 2-core virtual machine), so the thread first yields for up
    /// to [`REPLY_SPIN`], then sleeps.
    fn next_reply(&self) -> Result<CallReply, RecvTimeoutError> {
        let waiting = Instant::now();
        while waiting.elapsed() < REPLY_SPIN {
            match self.job.replies.try_recv() {
                Ok(reply) => return Ok(reply),
                Err(std::sync::mpsc::TryRecvError::Empty) => std::thread::yield_now(),
                Err(std::sync::mpsc::TryRecvError::Disconnected) => {
                    return Err(RecvTimeoutError::Disconnected);
                }
            }
        }
        let left = self
            .job
            .deadline
            .at()
            .saturating_duration_since(Instant::now());
        self.job.replies.recv_timeout(left)
    }

    fn timed_out(&self) -> Failure {
        if self.job.cancelled.load(Ordering::Relaxed) {
            return failure(
                FailureKind::Cancelled,
                "the run was cancelled by whoever started it".to_string(),
            );
        }
        let pending = self.state.borrow().outstanding;
        let mut message = "the script ran out of time (wall-clock limit)".to_string();
        if pending > 0 {
            message.push_str(&format!("; {pending} pending tool call(s) were cancelled"));
        }
        failure(FailureKind::Timeout, message)
    }

    /// A failure from an rquickjs error, taking the pending exception when there is one.
    fn error(&self, error: rquickjs::Error) -> Failure {
        match error {
            rquickjs::Error::Exception => self.exception(self.ctx.catch()),
            other => failure(FailureKind::Runtime, other.to_string()),
        }
    }

    /// Classifies a thrown value.
    fn exception(&self, value: Value<'js>) -> Failure {
        let (name, message, stack) = match value.as_object() {
            Some(object) => (
                object.get::<_, Option<String>>("name").ok().flatten(),
                object.get::<_, Option<String>>("message").ok().flatten(),
                object.get::<_, Option<String>>("stack").ok().flatten(),
            ),
            None => (None, None, None),
        };
        // QuickJS throws `null` when it cannot even allocate its out-of-memory error.
        let out_of_memory = value.is_null() && self.refusals.any();
        let message = match message {
            Some(message) => message,
            None if out_of_memory => "out of memory".to_string(),
            None => describe(&value),
        };
        let kind = if self.interrupted.load(Ordering::Relaxed) {
            return self.timed_out();
        } else if out_of_memory
            || message.contains("out of memory")
            || message.contains("string too long")
        {
            FailureKind::Memory
        } else if self.state.borrow().limit.as_deref() == Some(message.as_str()) {
            FailureKind::Limit
        } else if name.as_deref() == Some("ToolError") {
            FailureKind::Tool
        } else {
            FailureKind::Runtime
        };
        let message = match (&name, kind) {
            (Some(name), FailureKind::Runtime) if !name.is_empty() => format!("{name}: {message}"),
            _ => message,
        };
        let message = if kind == FailureKind::Memory {
            format!(
                "the script used more than its memory limit of {} MB ({message})",
                self.job.limits.memory_limit_mb
            )
        } else {
            message
        };
        let position = stack
            .as_deref()
            .and_then(|s| first_position(s, &self.job.file));
        Failure {
            kind,
            message,
            stack: stack.filter(|s| !s.trim().is_empty()),
            position,
        }
    }
}

fn failure(kind: FailureKind, message: String) -> Failure {
    Failure {
        kind,
        message,
        stack: None,
        position: None,
    }
}

fn log(
    state: &Rc<RefCell<State>>,
    level: Level,
    text: String,
    at: Option<(u32, u32)>,
    limit: usize,
) {
    let mut state = state.borrow_mut();
    let size = text.len() + 1;
    if state.log_bytes.saturating_add(size) > limit {
        state.dropped += size;
        return;
    }
    state.log_bytes += size;
    state.logs.push(LogLine {
        level,
        text,
        line: None,
        at,
    });
}

/// A thrown value as text, without running script code.
fn describe(value: &Value<'_>) -> String {
    if let Some(object) = value.as_object() {
        let name = object.get::<_, Option<String>>("name").ok().flatten();
        let message = object.get::<_, Option<String>>("message").ok().flatten();
        if let Some(message) = message {
            return match name {
                Some(name) => format!("{name}: {message}"),
                None => message,
            };
        }
    }
    if let Some(text) = value.as_string().and_then(|s| s.to_string().ok()) {
        return text;
    }
    match value.type_name() {
        "undefined" | "null" => value.type_name().to_string(),
        _ => value
            .as_number()
            .map(|n| n.to_string())
            .or_else(|| value.as_bool().map(|b| b.to_string()))
            .unwrap_or_else(|| format!("a thrown {}", value.type_name())),
    }
}

/// Where a call site (a stack trace the bootstrap captured) stands in `file`.
fn site_of(site: Option<Value<'_>>, file: &str) -> Option<(u32, u32)> {
    let stack = site?.as_string()?.to_string().ok()?;
    first_position(&stack, file)
}

/// The first `file:line:column` of `file` in a stack trace.
fn first_position(stack: &str, file: &str) -> Option<(u32, u32)> {
    stack
        .lines()
        .find_map(|line| frame_position(line, file))
        .map(|(_, line, column)| (line, column))
}

/// In one line of a QuickJS stack trace, where `file`'s `line:column` stands (its byte range
/// in `frame`) and what it says.
pub fn frame_position(frame: &str, file: &str) -> Option<(std::ops::Range<usize>, u32, u32)> {
    let start = frame.find(&format!("{file}:"))? + file.len() + 1;
    let rest = &frame[start..];
    let line_len = rest
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(rest.len());
    let line = rest[..line_len].parse().ok()?;
    let after = rest[line_len..].strip_prefix(':')?;
    let column_len = after
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(after.len());
    let column = after[..column_len].parse().ok()?;
    Some((start..start + line_len + 1 + column_len, line, column))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stack_frames_give_their_positions() {
        let frame = "    at inner (task.ts:12:5)";
        let (range, line, column) = frame_position(frame, "task.ts").unwrap();
        assert_eq!((&frame[range], line, column), ("12:5", 12, 5));
        assert_eq!(
            frame_position("    at bootstrap (eval_script:108:26)", "task.ts"),
            None
        );
        let stack =
            "    at f (eval_script:1:2)\n    at <anonymous> (task.ts:3:9)\n    at g (task.ts:7:1)";
        assert_eq!(first_position(stack, "task.ts"), Some((3, 9)));
    }
}
