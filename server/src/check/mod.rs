//! Pre-flight type checking with the embedded TypeScript compiler (the vendored
//! `typescript@6.0.3`, compiled to engine bytecode by `build.rs`).
//!
//! A [`Checker`] owns one long-lived checker engine on a thread of its own (never a script's
//! engine): it loads the compiler and parses the lib files as soon as it starts, then takes
//! requests over a channel. Each check runs under a deadline and can be cancelled (dropping
//! the future cancels it). After a fault (time, memory, stack) the engine is dropped and the
//! next check loads a fresh one, so one pathological script cannot spoil the next.
//!
//! A program is the script environment ([`codegen::PRELUDE`]), the generated API and the
//! scripts, each script a module with top-level await, under ES2023 with no DOM and no Node,
//! `strict` on. What TypeScript says comes back as [`Diagnostic`]s with a hint for models
//! where one helps (see `service.js`); [`render`] writes them for people.

mod language;
mod render;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use crate::codegen;
use crate::engine::service::{Fault, Parts, Service};
use crate::transpile;

pub use language::{
    ApiFunction, Completion, Completions, Details, Hover, Location, Place, Position, Program,
    Range, SignatureHelp, SignatureInfo, Source, Symbol, Tag, lib_text,
};
pub use render::render;

/// The `tsc` flags that check a program as the checker does (`options` in `service.js`):
/// strict, ES2023 lib only, no DOM or Node types, every file a module. The benchmark and
/// the tests' oracles run `tsc` with these.
pub const TSC_FLAGS: &[&str] = &[
    "--strict",
    "--target",
    "es2022",
    "--lib",
    "es2023",
    "--moduleDetection",
    "force",
    "--module",
    "esnext",
];

/// The vendored compiler's version.
pub const TYPESCRIPT_VERSION: &str = "6.0.3";

static TYPESCRIPT: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/typescript.qbc"));
static LIBS: &[(&str, &str)] = include!(concat!(env!("OUT_DIR"), "/typescript_libs.rs"));
const GLUE: &str = include_str!("service.js");

/// Heap of the checker engine. TypeScript with the ES2023 libs and a large API needs a few
/// hundred MB in QuickJS; past this, a check fails as out of memory.
const MEMORY: usize = 1024 * 1024 * 1024;
/// Stack of the checker engine; its thread gets more.
const STACK: usize = 200 * 1024 * 1024;
const THREAD_STACK: usize = 256 * 1024 * 1024;
/// How long the checker waits for the next question before collecting garbage.
const IDLE_BEFORE_GC: Duration = Duration::from_millis(IDLE_BEFORE_GC_MS);
const IDLE_BEFORE_GC_MS: u64 = 120;

/// A script to check: the name diagnostics report it under, and its text.
#[derive(Debug, Clone)]
pub struct Script {
    pub file: String,
    pub text: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    Suggestion,
    Message,
}

/// One thing TypeScript said about a script. Lines and columns are 1-based; columns count
/// UTF-16 code units, as `tsc` does.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Diagnostic {
    pub file: String,
    pub line: u32,
    pub column: u32,
    pub end_line: u32,
    pub end_column: u32,
    /// The TypeScript error code (2322 for TS2322).
    pub code: u32,
    pub severity: Severity,
    pub message: String,
    /// What would be valid here, for a model to fix the error in one go: the names a misspelt
    /// tool or field could be, the shape a tool's input takes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
}

/// Why a check gave no diagnostics.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CheckError {
    #[error("type checking took longer than {} s and was stopped", .0.as_secs_f64())]
    Timeout(Duration),
    #[error("type checking ran out of memory (over {} MB)", MEMORY / (1024 * 1024))]
    OutOfMemory,
    #[error("type checking recursed too deeply (a type or expression nested too deep)")]
    StackOverflow,
    #[error("type checking was cancelled")]
    Cancelled,
    /// The script is over a size or nesting limit; not given to the checker.
    #[error("{file}:{line}:{column}: {message}")]
    Limit {
        file: String,
        line: u32,
        column: u32,
        message: String,
    },
    #[error("the TypeScript checker failed: {0}")]
    Failed(String),
}

/// The answer of the checker engine.
#[derive(Deserialize)]
struct Answer {
    diagnostics: Vec<RawDiagnostic>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawDiagnostic {
    script: i64,
    code: u32,
    severity: Severity,
    message: String,
    #[serde(default)]
    line: u32,
    #[serde(default)]
    column: u32,
    #[serde(default)]
    end_line: u32,
    #[serde(default)]
    end_column: u32,
    hint: Option<String>,
}

/// One question for the checker thread: an operation of `service.js` over a program.
struct Job {
    op: &'static str,
    api: Arc<str>,
    scripts: Vec<Source>,
    /// The operation's own fields (`target`, `line`, `character`, ...).
    fields: serde_json::Map<String, serde_json::Value>,
}

struct Request {
    job: Job,
    deadline: Instant,
    cancel: Arc<AtomicBool>,
    reply: tokio::sync::oneshot::Sender<Result<String, Fault>>,
}

/// The handle of the checker thread. Cheap to share by reference; dropping it ends the thread.
pub struct Checker {
    requests: std::sync::mpsc::Sender<Request>,
}

impl Checker {
    /// Starts the checker thread, which loads TypeScript and parses the libs right away, so
    /// the first check finds them warm (start it early, e.g. while MCP servers start).
    pub fn start() -> Checker {
        let (requests, incoming) = std::sync::mpsc::channel::<Request>();
        let spawned = std::thread::Builder::new()
            .name("codemode-checker".into())
            .stack_size(THREAD_STACK)
            .spawn(move || serve(incoming));
        if let Err(error) = spawned {
            tracing::error!("cannot start the checker thread: {error}");
        }
        Checker { requests }
    }

    /// Type-checks `scripts` against `api` (the generated namespaces, without the prelude,
    /// which the checker adds).
    pub async fn check(
        &self,
        api: &str,
        scripts: &[Script],
        timeout: Duration,
    ) -> Result<Vec<Diagnostic>, CheckError> {
        for script in scripts {
            if let Err(error) = transpile::within_limits(&script.text) {
                return Err(CheckError::Limit {
                    file: script.file.clone(),
                    line: error.line.unwrap_or(1),
                    column: error.column.unwrap_or(1),
                    message: error.message,
                });
            }
        }
        let job = Job {
            op: "check",
            api: Arc::from(api),
            scripts: scripts
                .iter()
                .enumerate()
                .map(|(slot, s)| Source::new(slot as u32, &s.file, Arc::from(s.text.as_str())))
                .collect(),
            fields: Default::default(),
        };
        let text = self.ask(job, timeout).await?;
        let answer: Answer = serde_json::from_str(&text)
            .map_err(|e| CheckError::Failed(format!("unreadable answer: {e}")))?;
        Ok(diagnostics(answer, |i| {
            scripts.get(i).map(|s| s.file.clone())
        }))
    }

    /// Sends `job` to the checker thread and waits for its answer (JSON), at most `timeout`.
    async fn ask(&self, job: Job, timeout: Duration) -> Result<String, CheckError> {
        let cancel = Arc::new(AtomicBool::new(false));
        let (reply, answer) = tokio::sync::oneshot::channel();
        let request = Request {
            job,
            deadline: Instant::now() + timeout,
            cancel: cancel.clone(),
            reply,
        };
        if self.requests.send(request).is_err() {
            return Err(CheckError::Failed("the checker thread is gone".into()));
        }
        // Dropping this future (the caller gave up) stops the check.
        let _cancel_on_drop = CancelOnDrop(cancel);
        let answer = match answer.await {
            Ok(answer) => answer,
            Err(_) => return Err(CheckError::Failed("the checker thread stopped".into())),
        };
        answer.map_err(|fault| match fault {
            Fault::Cancelled => CheckError::Cancelled,
            Fault::Timeout => CheckError::Timeout(timeout),
            Fault::OutOfMemory => CheckError::OutOfMemory,
            Fault::StackOverflow => CheckError::StackOverflow,
            Fault::Failed(message) => CheckError::Failed(message),
        })
    }
}

/// The diagnostics of an answer, each named by `file_of` its script's index.
fn diagnostics(answer: Answer, file_of: impl Fn(usize) -> Option<String>) -> Vec<Diagnostic> {
    answer
        .diagnostics
        .into_iter()
        .map(|d| Diagnostic {
            file: usize::try_from(d.script)
                .ok()
                .and_then(&file_of)
                .unwrap_or_default(),
            line: d.line.max(1),
            column: d.column.max(1),
            end_line: d.end_line.max(1),
            end_column: d.end_column.max(1),
            code: d.code,
            severity: d.severity,
            message: d.message,
            hint: d.hint,
        })
        .collect()
}

struct CancelOnDrop(Arc<AtomicBool>);

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Relaxed);
    }
}

/// What the engine already holds, so a request need not send the API again.
#[derive(Default)]
struct Loaded {
    prelude: bool,
    api: Option<Arc<str>>,
}

/// What `codemodeAsk` in `service.js` takes: the job, with the prelude and the API only when
/// the engine does not hold them already (`null` keeps them).
fn engine_input(job: &Job, loaded: &mut Loaded) -> String {
    let prelude = (!loaded.prelude).then_some(codegen::PRELUDE);
    let same_api = loaded
        .api
        .as_ref()
        .is_some_and(|held| Arc::ptr_eq(held, &job.api) || **held == *job.api);
    let api = (!same_api).then(|| &*job.api);
    let mut input = serde_json::json!({
        "op": job.op,
        "prelude": prelude,
        "api": api,
        "scripts": job.scripts.iter().map(|s| serde_json::json!({
            "slot": s.slot,
            "name": virtual_name(&s.file),
            "text": &*s.text,
        })).collect::<Vec<_>>(),
    });
    if let Some(object) = input.as_object_mut() {
        object.extend(job.fields.clone());
    }
    loaded.prelude = true;
    loaded.api = Some(job.api.clone());
    input.to_string()
}

/// The name a script has inside the checker: its file name, made a `.ts` file.
fn virtual_name(file: &str) -> String {
    let base = file.rsplit(['/', '\\']).next().unwrap_or(file);
    let base: String = base
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || "._-".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    let stem = base
        .strip_suffix(".ts")
        .or_else(|| base.strip_suffix(".js"))
        .or_else(|| base.strip_suffix(".mts"))
        .unwrap_or(&base);
    format!("{}.ts", if stem.is_empty() { "script" } else { stem })
}

/// The checker thread: one engine, loaded at start and again after a fault.
fn serve(incoming: std::sync::mpsc::Receiver<Request>) {
    use std::sync::mpsc::RecvTimeoutError;
    let mut service = load_warm();
    let mut loaded = Loaded::default();
    let mut pending = None;
    loop {
        let request = match pending.take() {
            Some(request) => request,
            None => match incoming.recv() {
                Ok(request) => request,
                Err(_) => return,
            },
        };
        if request.cancel.load(Ordering::Relaxed) {
            continue;
        }
        let engine = match service.take() {
            Some(engine) => Ok(engine),
            None => {
                loaded = Loaded::default();
                load()
            }
        };
        let answer = engine.and_then(|engine| {
            let input = engine_input(&request.job, &mut loaded);
            let answer = engine.call(
                "codemodeAsk",
                &input,
                request.deadline,
                request.cancel.clone(),
            );
            if answer.is_ok() {
                service = Some(engine);
            } else {
                tracing::debug!("dropping the checker engine after a fault");
            }
            answer
        });
        let _ = request.reply.send(answer);
        // Collect what the work left once the checker has been idle a moment: a collection
        // takes tens of milliseconds, which a burst of questions (an edit, its completion,
        // its diagnostics) should not wait for.
        match incoming.recv_timeout(IDLE_BEFORE_GC) {
            Ok(next) => pending = Some(next),
            Err(RecvTimeoutError::Timeout) => {
                if let Some(service) = &service {
                    let started = Instant::now();
                    service.collect();
                    tracing::debug!("collected the checker's garbage in {:?}", started.elapsed());
                }
            }
            Err(RecvTimeoutError::Disconnected) => return,
        }
    }
}

fn load() -> Result<Service, Fault> {
    let started = Instant::now();
    let service = Service::load(&Parts {
        name: "typescript.js",
        bytecode: TYPESCRIPT,
        files: LIBS,
        files_global: "codemodeLibs",
        glue: GLUE,
        memory: MEMORY,
        stack: STACK,
    });
    tracing::debug!("loaded TypeScript in {:?}", started.elapsed());
    service
}

/// Loads the engine and checks an empty script, which parses and binds the libs.
fn load_warm() -> Option<Service> {
    let service = match load() {
        Ok(service) => service,
        Err(fault) => {
            tracing::warn!("cannot load the TypeScript checker: {fault}");
            return None;
        }
    };
    let started = Instant::now();
    let job = Job {
        op: "check",
        api: Arc::from(""),
        scripts: vec![Source::new(0, "warm.ts", Arc::from("export {};"))],
        fields: Default::default(),
    };
    let input = engine_input(&job, &mut Loaded::default());
    let warmed = service.call(
        "codemodeAsk",
        &input,
        Instant::now() + Duration::from_secs(120),
        Arc::new(AtomicBool::new(false)),
    );
    tracing::debug!(
        "warmed the checker in {:?} ({} MB of heap)",
        started.elapsed(),
        service.memory_used() / (1024 * 1024)
    );
    match warmed {
        Ok(_) => Some(service),
        Err(fault) => {
            tracing::warn!("the TypeScript checker failed to warm up: {fault}");
            None
        }
    }
}

#[cfg(test)]
mod tests;
