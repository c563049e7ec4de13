//! The embedded engine: the vendored `typescript@6.0.3`, compiled to engine bytecode by
//! `build.rs`, in a long-lived QuickJS engine on a thread of its own (never a script's
//! engine). It loads the compiler and parses the lib files as soon as it starts, then takes
//! questions over a channel. Each runs under a deadline and can be cancelled (dropping the
//! future, or a stop token, cancels it): TypeScript stops at its next safe point, or after a
//! short grace wherever it is. A question stopped half-way (cancelled or out of time) costs
//! the language service, which is made anew; after any other fault (memory, stack) the
//! engine is dropped and the next question loads a fresh one, so one pathological script
//! cannot spoil the next.
//!
//! `service.js` holds the TypeScript language service and answers each [`Question`] as JSON.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;

use super::language::{Location, Place, Program, Range, Source, Symbol};
use super::question::{Answer, Question};
use super::{CheckError, Diagnostic, LIB, Severity, virtual_name};
use crate::codegen;
use crate::engine::service::{Fault, Parts, Service, Snapshot};

static TYPESCRIPT: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/typescript.qbc"));
/// The lib files parsed and bound by `service.js` at build time (`build.rs`), in QuickJS's
/// object format: an engine reads them instead of parsing them.
static LIB_SNAPSHOT: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/libs.snapshot"));
const GLUE: &str = include_str!("service.js");

/// Heap of the checker engine. TypeScript with the ES2023 libs and a large API needs a few
/// hundred MB in QuickJS; past this, a check fails as out of memory.
pub const MEMORY: usize = 1024 * 1024 * 1024;
/// Stack of the checker engine; its thread gets more.
const STACK: usize = 200 * 1024 * 1024;
const THREAD_STACK: usize = 256 * 1024 * 1024;
/// How long the checker waits for the next question before collecting garbage.
const IDLE_BEFORE_GC: Duration = Duration::from_millis(120);

/// One question for the checker thread: an operation of `service.js` over a program.
struct Job {
    op: &'static str,
    api: Arc<str>,
    scripts: Vec<Source>,
    /// The operation's own fields (`target`, `line`, `character`, ...).
    fields: serde_json::Map<String, Value>,
}

struct Request {
    job: Job,
    /// How long the answer may take once the thread takes the question up: time spent
    /// waiting behind other questions (an editor that opened thousands of scripts) does not
    /// count against it.
    timeout: Duration,
    cancel: Arc<AtomicBool>,
    reply: tokio::sync::oneshot::Sender<Result<String, Fault>>,
}

/// The handle of the checker thread; dropping it ends the thread.
pub struct Embedded {
    requests: std::sync::mpsc::Sender<Request>,
    /// Whether the API and scripts are parsed with their JSDoc (see [`super::Purpose`]).
    docs: bool,
    /// How many times the thread has loaded TypeScript (once, and again after each fault).
    #[cfg_attr(not(test), expect(dead_code, reason = "read by tests"))]
    loads: Arc<std::sync::atomic::AtomicU32>,
}

impl Embedded {
    /// Starts the thread, which loads TypeScript and parses the libs right away.
    pub fn start(purpose: super::Purpose) -> Embedded {
        let (requests, incoming) = std::sync::mpsc::channel::<Request>();
        let loads = Arc::new(std::sync::atomic::AtomicU32::new(0));
        let counted = loads.clone();
        let spawned = std::thread::Builder::new()
            .name("codemode-checker".into())
            .stack_size(THREAD_STACK)
            .spawn(move || serve(incoming, &counted));
        if let Err(error) = spawned {
            tracing::error!("cannot start the checker thread: {error}");
        }
        Embedded {
            requests,
            docs: purpose == super::Purpose::Editing,
            loads,
        }
    }

    /// How many times TypeScript was loaded: once, and again after each fault.
    #[cfg(test)]
    pub fn loads(&self) -> u32 {
        self.loads.load(Ordering::Relaxed)
    }

    /// Answers `question` about script `target` of `program`, within `timeout`.
    pub async fn answer(
        &self,
        program: &Program,
        target: usize,
        question: &Question,
        timeout: Duration,
        stop: Option<&CancellationToken>,
    ) -> Result<Answer, CheckError> {
        let at = |p: &super::Position| json!({ "line": p.line, "character": p.character });
        let (op, fields) = match question {
            Question::Check(reporting) => (
                "check",
                json!({ "together": *reporting == super::Reporting::Together }),
            ),
            Question::Completions { at: p, .. } => ("completions", at(p)),
            Question::Details {
                at: p,
                entry,
                source,
            } => {
                let mut fields = at(p);
                fields["entry"] = json!(entry);
                fields["source"] = json!(source);
                ("details", fields)
            }
            Question::Hover(p) => ("hover", at(p)),
            Question::Signature(p) => ("signature", at(p)),
            Question::Definition(p) => ("definition", at(p)),
            Question::Symbols => ("symbols", json!({})),
        };
        let mut fields = match fields {
            Value::Object(map) => map,
            _ => Default::default(),
        };
        fields.insert("target".into(), json!(target));
        fields.insert("docs".into(), json!(self.docs));
        let job = Job {
            op,
            api: program.api.clone(),
            scripts: program.scripts.clone(),
            fields,
        };
        let text = self.ask(job, timeout, stop).await?;
        Ok(match question {
            Question::Check(_) => Answer::Diagnostics(parse::<Found>(&text)?.diagnostics()),
            Question::Completions { .. } => Answer::Completions(parse(&text)?),
            Question::Details { .. } => Answer::Details(parse(&text)?),
            Question::Hover(_) => Answer::Hover(parse(&text)?),
            Question::Signature(_) => Answer::Signature(parse(&text)?),
            Question::Definition(_) => Answer::Definition(parse::<Locations>(&text)?.places()),
            Question::Symbols => Answer::Symbols(parse::<Symbols>(&text)?.symbols),
        })
    }

    /// Sends `job` to the checker thread and waits for its answer (JSON), at most `timeout`.
    /// When `stop` is cancelled the job is too, and the answer awaited: the thread skips a
    /// job it has not begun, and stops one it has at TypeScript's next safe point.
    async fn ask(
        &self,
        job: Job,
        timeout: Duration,
        stop: Option<&CancellationToken>,
    ) -> Result<String, CheckError> {
        let cancel = Arc::new(AtomicBool::new(false));
        let (reply, answer) = tokio::sync::oneshot::channel();
        let request = Request {
            job,
            timeout,
            cancel: cancel.clone(),
            reply,
        };
        if self.requests.send(request).is_err() {
            return Err(CheckError::Failed("the checker thread is gone".into()));
        }
        // Dropping this future (the caller gave up) stops the check.
        let _cancel_on_drop = CancelOnDrop(cancel.clone());
        let mut answer = answer;
        let answer = match stop {
            Some(stop) => tokio::select! {
                answered = &mut answer => answered,
                () = stop.cancelled() => {
                    cancel.store(true, Ordering::Relaxed);
                    answer.await
                }
            },
            None => answer.await,
        };
        let answer = match answer {
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

fn parse<T: DeserializeOwned>(text: &str) -> Result<T, CheckError> {
    serde_json::from_str(text).map_err(|e| CheckError::Failed(format!("unreadable answer: {e}")))
}

/// `check`'s answer.
#[derive(Deserialize)]
struct Found {
    diagnostics: Vec<RawDiagnostic>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawDiagnostic {
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
}

impl Found {
    fn diagnostics(self) -> Vec<Diagnostic> {
        self.diagnostics
            .into_iter()
            .map(|d| Diagnostic {
                file: String::new(),
                line: d.line.max(1),
                column: d.column.max(1),
                end_line: d.end_line.max(1),
                end_column: d.end_column.max(1),
                code: d.code,
                severity: d.severity,
                message: d.message,
                hint: None,
                fixes: Vec::new(),
            })
            .collect()
    }
}

#[derive(Deserialize)]
struct Locations {
    locations: Vec<RawLocation>,
}

#[derive(Deserialize)]
struct RawLocation {
    file: String,
    #[serde(default)]
    script: Option<usize>,
    #[serde(default)]
    lib: Option<String>,
    range: Range,
}

impl Locations {
    fn places(self) -> Vec<Location> {
        self.locations
            .into_iter()
            .filter_map(|raw| {
                let place = match raw.file.as_str() {
                    "api" => Place::Api,
                    "prelude" => Place::Prelude,
                    "lib" => Place::Lib(raw.lib?),
                    "script" => Place::Script(raw.script?),
                    _ => return None,
                };
                Some(Location {
                    place,
                    range: raw.range,
                })
            })
            .collect()
    }
}

#[derive(Deserialize)]
struct Symbols {
    symbols: Vec<Symbol>,
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

/// The checker thread: one engine, loaded at start and again after a fault.
fn serve(incoming: std::sync::mpsc::Receiver<Request>, loads: &std::sync::atomic::AtomicU32) {
    use std::sync::mpsc::RecvTimeoutError;
    let load = || {
        loads.fetch_add(1, Ordering::Relaxed);
        load()
    };
    // The compiler loads first; then, when a question is already waiting (a one-shot
    // `codemode check`), it is the first program, and no warm-up program is built and
    // thrown away; else the libs are parsed and bound now, while nothing waits.
    let mut service = match load() {
        Ok(service) => Some(service),
        Err(fault) => {
            tracing::warn!("cannot load the TypeScript checker: {fault}");
            None
        }
    };
    let mut waiting: std::collections::VecDeque<Request> =
        incoming.try_recv().ok().into_iter().collect();
    if waiting.is_empty() {
        service = service.and_then(warm);
    }
    let mut loaded = Loaded::default();
    loop {
        waiting.extend(incoming.try_iter());
        let request = match next_up(&mut waiting) {
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
                Instant::now() + request.timeout,
                request.cancel.clone(),
            );
            // A check cancelled at one of TypeScript's safe points leaves the engine whole
            // (TypeScript drops its type checker then, and builds one on the next question);
            // one stopped half-way (cancelled past the grace, or out of time) costs the
            // language service, not the engine: the compiler and the lib files stay.
            let clean_stop = matches!(answer, Err(Fault::Cancelled)) && engine.sound();
            let stopped = matches!(answer, Err(Fault::Cancelled | Fault::Timeout));
            if answer.is_ok() || clean_stop {
                service = Some(engine);
            } else if stopped && reset(&engine) {
                loaded = Loaded::default();
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
        if !waiting.is_empty() {
            continue;
        }
        match incoming.recv_timeout(IDLE_BEFORE_GC) {
            Ok(next) => waiting.push_back(next),
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

/// The question to answer next: the first someone waits on (completion, hover, ...) before
/// diagnostics, which are checked in the background and may be many (an editor that opened
/// thousands of scripts); otherwise in the order asked.
fn next_up(waiting: &mut std::collections::VecDeque<Request>) -> Option<Request> {
    let at = waiting
        .iter()
        .position(|request| request.job.op != "check")
        .unwrap_or(0);
    waiting.remove(at)
}

fn load() -> Result<Service, Fault> {
    let started = Instant::now();
    let service = Service::load(&Parts {
        name: "typescript.js",
        bytecode: TYPESCRIPT,
        files: &[LIB],
        files_global: "codemodeLibs",
        glue: GLUE,
        snapshot: Some(Snapshot {
            bytes: LIB_SNAPSHOT,
            function: "codemodeUseLibSnapshot",
        }),
        memory: MEMORY,
        stack: STACK,
    });
    tracing::debug!("loaded TypeScript in {:?}", started.elapsed());
    service
}

/// A new language service in `engine` after a question was stopped half-way (see
/// `codemodeReset` in `service.js`); whether it took.
fn reset(engine: &Service) -> bool {
    let started = Instant::now();
    let reset = engine.call(
        "codemodeReset",
        "",
        Instant::now() + Duration::from_secs(10),
        Arc::new(AtomicBool::new(false)),
    );
    tracing::debug!(
        "reset the checker's language service in {:?}",
        started.elapsed()
    );
    reset.is_ok()
}

/// Checks an empty script, which parses and binds the libs.
fn warm(service: Service) -> Option<Service> {
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
mod tests {
    use super::*;

    /// The lib files the engine reads from the build's snapshot are what parsing and binding
    /// them now gives: the same nodes, symbols, tables and sharing, with their classes back.
    #[test]
    fn the_lib_snapshot_is_a_fresh_parse_and_bind() {
        let service = load().expect("the checker loads");
        let differences = service
            .call(
                "codemodeCompareLibSnapshot",
                "20",
                Instant::now() + Duration::from_secs(120),
                Arc::new(AtomicBool::new(false)),
            )
            .expect("the comparison runs");
        let differences: Vec<String> = serde_json::from_str(&differences).unwrap();
        assert!(differences.is_empty(), "{differences:#?}");
    }
}
