//! Pre-flight type checking: TypeScript's diagnostics of a script against the generated
//! API, and the language questions an editor asks (see [`language`]).
//!
//! A [`Checker`] stands in front of one of two engines that answer the same typed
//! [`question::Question`]s: [`native`], TypeScript 7 (`tsc --lsp --stdio`) in a child
//! process, when one is found ([`choose`]); else [`embedded`], the vendored TypeScript 6.0.3
//! in a QuickJS engine of its own. Any fault of the native engine (it cannot start, exits,
//! hangs past half the deadline, answers something unreadable or with an error) is answered
//! by the embedded engine within the same deadline; after [`MAX_NATIVE_FAULTS`] that end its
//! child (all but an error answer) the checker stays on the embedded engine.
//!
//! What does not depend on the engine is done here, once: scripts over a size or nesting
//! limit and triple-slash directives are refused before any engine sees them ([`syntax`]),
//! TypeScript 7's syntax and type errors are split as TypeScript 6 does (a file's type
//! errors only once it parses), and hints for models ([`hints`]) are computed from the
//! generated API and the script's syntax. A program is the script environment ([`crate::codegen::PRELUDE`]), the
//! generated API and the scripts, each script a module with top-level await, under ES2023
//! with no DOM and no Node, `strict` on; [`render`] writes diagnostics for people.

mod api_model;
pub mod choose;
mod embedded;
pub mod fixes;
mod hints;
mod language;
mod native;
mod question;
mod render;
mod syntax;

use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use tokio_util::sync::CancellationToken;

use crate::transpile;
use api_model::ApiModel;
use choose::Choice;
use embedded::Embedded;
use native::{Native, NativeFault};
use question::{Answer, Question};

pub use language::{
    Completion, Completions, Details, Hover, Location, ParameterInfo, Place, Position, Program,
    Range, SignatureHelp, SignatureInfo, Source, Symbol, Tag, lib_text,
};
pub use render::render;
pub use syntax::referenced_names;

/// The `tsc` flags that check a program as the checker does (`options` in `service.js`, the
/// native engine's `tsconfig.json`): strict, no lib but [`LIB`] (which a `tsc` run must be
/// given as a file), no DOM or Node types, every file a module. The benchmark and the tests'
/// oracles run `tsc` with these.
pub const TSC_FLAGS: &[&str] = &[
    "--strict",
    "--target",
    "es2022",
    "--noLib",
    "--skipDefaultLibCheck",
    "--moduleDetection",
    "force",
    "--module",
    "esnext",
];

/// The one lib file both engines check against, by name and text: TypeScript's ES2023 lib
/// files as one file, without what the sandbox lacks (`eval`, and `Intl`'s values, which
/// QuickJS-ng does not have), written at build time by `codemodeMakeLib` in `service.js`;
/// `tests/scripts/globals.golden` is what it must match.
pub const LIB: (&str, &str) = (
    "lib.codemode.d.ts",
    include_str!(concat!(env!("OUT_DIR"), "/lib.codemode.d.ts")),
);

/// How many tools (functions of its namespaces) a generated API declares.
pub fn tools_declared(api: &str) -> usize {
    ApiModel::parse(api)
        .namespaces
        .iter()
        .map(|namespace| namespace.functions.len())
        .sum()
}

/// The vendored compiler's version.
pub const TYPESCRIPT_VERSION: &str = "6.0.3";

/// Native faults after which a checker answers from the embedded engine only.
pub const MAX_NATIVE_FAULTS: u32 = 2;

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
    /// Edits that fix it, where the answer is clear (see [`fixes`]); their titles lead the
    /// hint.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fixes: Vec<fixes::Fix>,
}

/// How a script's syntax and type errors are reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reporting {
    /// As `tsc` does (and `codemode check`, `run`, `serve`): a file's type errors only once it
    /// parses.
    ParseFirst,
    /// As tsserver does for editors: both at once, so a half-typed line elsewhere does not
    /// hide a type error.
    Together,
}

/// Why a check gave no diagnostics.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CheckError {
    #[error("type checking took longer than {} s and was stopped", .0.as_secs_f64())]
    Timeout(Duration),
    #[error("type checking ran out of memory (over {} MB)", embedded::MEMORY / (1024 * 1024))]
    OutOfMemory,
    #[error("type checking recursed too deeply (a type or expression nested too deep)")]
    StackOverflow,
    #[error("type checking was cancelled")]
    Cancelled,
    /// The script is over a size or nesting limit, or holds a triple-slash directive; not
    /// given to the checker.
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

/// Which engine answers, as `codemode check`, `--json` and the LSP's status say it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EngineReport {
    /// `native` or `embedded`.
    pub kind: EngineKind,
    /// The TypeScript version.
    pub version: String,
    /// The native binary, when native.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub binary: Option<String>,
    /// Why a TypeScript 7 that was asked for, found or used is not answering.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EngineKind {
    Native,
    Embedded,
}

impl std::fmt::Display for EngineReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.kind {
            EngineKind::Native => write!(f, "TypeScript {} (native)", self.version),
            EngineKind::Embedded => write!(f, "TypeScript {} (embedded)", self.version),
        }
    }
}

/// What a checker is asked, which decides what it parses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// Every question: diagnostics and the language features (hover, completion, signature
    /// help show JSDoc), as in the language server.
    Editing,
    /// Diagnostics only (`codemode check`, `run`, `serve`): the embedded engine parses the API
    /// and scripts without their JSDoc.
    Checking,
}

/// The checker: one engine, chosen at start, and the embedded one behind it.
pub struct Checker {
    purpose: Purpose,
    native: Option<Native>,
    embedded: OnceLock<Embedded>,
    faults: AtomicU32,
    /// Whether the last question was answered by the embedded engine after a native fault.
    fell_back: AtomicBool,
    /// Why the choice fell on the embedded engine, or the last native fault.
    note: Mutex<Option<String>>,
    /// The parsed API of the last question, reused while the API is the same.
    model: Mutex<Option<(Arc<str>, Arc<ApiModel>)>>,
}

impl Checker {
    /// A checker on the engine [`choose::choose`] picks from the environment
    /// (`CODEMODE_TYPESCRIPT`, a bundled or installed TypeScript 7, else embedded).
    /// `project` is the folder of a project the person trusted, whose `node_modules` may
    /// hold TypeScript 7; no other folder's is ever run.
    pub fn start(project: Option<&Path>) -> Checker {
        Checker::with_choice(choose::choose(&choose::Inputs::from_env(project)))
    }

    /// The same, for diagnostics only ([`Purpose::Checking`]).
    pub fn start_checking(project: Option<&Path>) -> Checker {
        Checker::for_purpose(
            choose::choose(&choose::Inputs::from_env(project)),
            Purpose::Checking,
        )
    }

    /// A checker on the embedded engine only.
    pub fn embedded() -> Checker {
        Checker::with_choice(Choice::Embedded { note: None })
    }

    pub fn with_choice(choice: Choice) -> Checker {
        Checker::for_purpose(choice, Purpose::Editing)
    }

    /// A checker on the engine `choice` names, for `purpose`.
    pub fn for_purpose(choice: Choice, purpose: Purpose) -> Checker {
        let (native, note) = match choice {
            Choice::Native {
                binary,
                version,
                origin,
            } => {
                tracing::info!(
                    "checking with TypeScript {version} (native, {}, from {origin})",
                    binary.display()
                );
                (Some(Native::new(binary, version)), None)
            }
            Choice::Embedded { note } => {
                if let Some(note) = &note {
                    tracing::warn!(
                        "{note}; checking with the embedded TypeScript {TYPESCRIPT_VERSION}"
                    );
                }
                (None, note)
            }
        };
        let checker = Checker {
            purpose,
            native,
            embedded: OnceLock::new(),
            faults: AtomicU32::new(0),
            fell_back: AtomicBool::new(false),
            note: Mutex::new(note),
            model: Mutex::new(None),
        };
        // The embedded engine loads TypeScript as soon as it starts, so the first check finds
        // it warm; behind a native engine it starts only when needed.
        if checker.native.is_none() {
            checker.engine_embedded();
        }
        checker
    }

    /// Which engine answered the last question (the engine in use before any).
    pub fn engine(&self) -> EngineReport {
        let note = self.note.lock().ok().and_then(|n| n.clone());
        let native = self
            .native_in_use()
            .filter(|_| !self.fell_back.load(Ordering::Relaxed));
        match native {
            Some(native) => EngineReport {
                kind: EngineKind::Native,
                version: native.version().to_string(),
                binary: Some(native.binary().display().to_string()),
                note,
            },
            None => EngineReport {
                kind: EngineKind::Embedded,
                version: TYPESCRIPT_VERSION.to_string(),
                binary: None,
                note,
            },
        }
    }

    fn native_in_use(&self) -> Option<&Native> {
        self.native
            .as_ref()
            .filter(|_| self.faults.load(Ordering::Relaxed) < MAX_NATIVE_FAULTS)
    }

    fn engine_embedded(&self) -> &Embedded {
        self.embedded.get_or_init(|| Embedded::start(self.purpose))
    }

    fn model(&self, api: &Arc<str>) -> Arc<ApiModel> {
        if let Ok(held) = self.model.lock()
            && let Some((text, model)) = &*held
            && (Arc::ptr_eq(text, api) || **text == **api)
        {
            return model.clone();
        }
        let model = Arc::new(ApiModel::parse(api));
        if let Ok(mut held) = self.model.lock() {
            *held = Some((api.clone(), model.clone()));
        }
        model
    }

    /// Type-checks `scripts` against `api` (the generated namespaces, without the prelude,
    /// which the checker adds).
    pub async fn check(
        &self,
        api: &str,
        scripts: &[Script],
        timeout: Duration,
    ) -> Result<Vec<Diagnostic>, CheckError> {
        let program = Program {
            api: Arc::from(api),
            scripts: scripts
                .iter()
                .enumerate()
                .map(|(slot, s)| Source::new(slot as u32, &s.file, Arc::from(s.text.as_str())))
                .collect(),
        };
        let deadline = Instant::now() + timeout;
        let mut found = Vec::new();
        for target in 0..program.scripts.len() {
            let left = deadline.saturating_duration_since(Instant::now());
            let answered = self
                .diagnostics(&program, target, Reporting::ParseFirst, left, None)
                .await;
            found.extend(answered.map_err(|error| within(error, timeout))?);
        }
        Ok(found)
    }

    /// TypeScript's diagnostics of script `target` of `program`, with hints. When `stop` is
    /// cancelled (a newer edit came), the check stops at TypeScript's next safe point and the
    /// answer is [`CheckError::Cancelled`]; it returns only once the engine has let go of it.
    pub async fn diagnostics(
        &self,
        program: &Program,
        target: usize,
        reporting: Reporting,
        timeout: Duration,
        stop: Option<&CancellationToken>,
    ) -> Result<Vec<Diagnostic>, CheckError> {
        let script = program.script(target)?;
        refuse(script)?;
        let question = Question::Check(reporting);
        let (answer, native) = self.ask(program, target, question, timeout, stop).await?;
        let Answer::Diagnostics(mut found) = answer else {
            return Err(language::mismatch());
        };
        if native && reporting == Reporting::ParseFirst {
            found = syntax_first(found, &script.text);
        }
        for diagnostic in &mut found {
            diagnostic.file = script.file.clone();
        }
        let model = self.model(&program.api);
        hints::add(&mut found, &model, &script.text);
        for diagnostic in &mut found {
            drop_setup_advice(diagnostic);
        }
        fixes::add(&mut found, &model, &script.text);
        Ok(found)
    }

    /// Asks the engine in use; the embedded engine answers when the native one faults.
    /// Says whether the native engine answered.
    async fn ask(
        &self,
        program: &Program,
        target: usize,
        question: Question,
        timeout: Duration,
        stop: Option<&CancellationToken>,
    ) -> Result<(Answer, bool), CheckError> {
        let started = Instant::now();
        if let Some(native) = self.native_in_use() {
            let budget = timeout / 2;
            let asked = tokio::time::timeout(budget, native.answer(program, target, &question));
            let answered = match stop {
                // Dropping the question sends TypeScript 7 `$/cancelRequest`.
                Some(stop) => tokio::select! {
                    answered = asked => answered,
                    () = stop.cancelled() => return Err(CheckError::Cancelled),
                },
                None => asked.await,
            };
            let fault = match answered {
                Ok(Ok(answer)) => {
                    self.fell_back.store(false, Ordering::Relaxed);
                    return Ok((answer, true));
                }
                Ok(Err(fault)) => fault,
                Err(_) => {
                    native.forget_session();
                    NativeFault::Deadline
                }
            };
            // An error answer to one question is answered for, not held against the engine.
            let counted = u32::from(fault.ends_session());
            let faults = self.faults.fetch_add(counted, Ordering::Relaxed) + counted;
            let stays = if faults >= MAX_NATIVE_FAULTS {
                "; the embedded TypeScript answers from now on"
            } else {
                ""
            };
            tracing::warn!(
                "TypeScript 7 failed to answer {} ({fault}); the embedded TypeScript {TYPESCRIPT_VERSION} answers{stays}",
                question.name()
            );
            if let Ok(mut note) = self.note.lock() {
                *note = Some(format!("TypeScript {} failed: {fault}", native.version()));
            }
            self.fell_back.store(true, Ordering::Relaxed);
        }
        let left = timeout.saturating_sub(started.elapsed());
        let answer = self
            .engine_embedded()
            .answer(program, target, &question, left, stop)
            .await
            .map_err(|error| within(error, timeout))?;
        Ok((answer, false))
    }
}

/// A time-out says the whole time the check had, not what was left of it for the last part.
fn within(error: CheckError, timeout: Duration) -> CheckError {
    match error {
        CheckError::Timeout(_) => CheckError::Timeout(timeout),
        other => other,
    }
}

/// What no engine is given: a script over a size or nesting limit, or with a triple-slash
/// directive.
fn refuse(script: &Source) -> Result<(), CheckError> {
    if let Err(error) = transpile::within_limits(&script.text) {
        return Err(CheckError::Limit {
            file: script.file.clone(),
            line: error.line.unwrap_or(1),
            column: error.column.unwrap_or(1),
            message: error.message,
        });
    }
    if let Some((line, column, message)) = syntax::directive(&script.text) {
        return Err(CheckError::Limit {
            file: script.file.clone(),
            line,
            column,
            message,
        });
    }
    Ok(())
}

/// TypeScript's advice to install type definitions or change the `lib` option ("Do you need
/// to install type definitions for node? Try `npm i --save-dev @types/node`…") contradicts
/// the sandbox, which has neither; where a hint says what a script can use instead, the
/// advice goes.
fn drop_setup_advice(diagnostic: &mut Diagnostic) {
    const SETUP: &[u32] = &[2580, 2581, 2582, 2583, 2584, 2591, 2592, 2593];
    if diagnostic.hint.is_none() || !SETUP.contains(&diagnostic.code) {
        return;
    }
    if let Some(at) = diagnostic.message.find(" Do you need to ") {
        diagnostic.message.truncate(at);
    }
}

/// TypeScript 7 answers a file's syntax and type errors together; TypeScript 6 (and `tsc`)
/// say only the syntax errors of a file that does not parse. The same here: when the script
/// does not parse, only the parser's errors (TS1xxx) are kept.
fn syntax_first(found: Vec<Diagnostic>, text: &str) -> Vec<Diagnostic> {
    let parser_error = |d: &Diagnostic| (1000..2000).contains(&d.code);
    if !found.iter().any(parser_error) || syntax::parses(text) {
        return found;
    }
    found.into_iter().filter(parser_error).collect()
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

#[cfg(test)]
mod features;
#[cfg(test)]
mod testing;
#[cfg(test)]
mod tests;
