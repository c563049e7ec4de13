//! The native engine: TypeScript 7 (`tsc --lsp --stdio` from `typescript@7`) answering the
//! checker's questions over LSP.
//!
//! One child per codemode process, started at the first question, its environment cleared
//! but for `GOMAXPROCS` and `GOMEMLIMIT`, killed when the engine is dropped (and ending by
//! itself when codemode's end of its stdin closes). It runs in a directory of its own that
//! holds only a `tsconfig.json` (the checker's options, `include` everything) and the lib file
//! both engines use (`lib/lib.codemode.d.ts`, [`super::LIB`]; TypeScript 7's own libs are
//! not loaded): the script environment, the generated API and the scripts are open
//! documents, never files, named `codemode/prelude.d.ts`, `codemode/api.d.ts` and
//! `scripts/<slot>/<name>.ts` there.
//!
//! Any fault (the child cannot start, exits, answers malformed or with an error) is an
//! [`NativeFault`]; the [`super::Checker`] answers from the embedded engine then.

mod convert;
mod rpc;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};

use serde_json::{Value, json};

use super::language::{Program, Source};
use super::question::{Answer, Question};
use crate::codegen;
use rpc::{Rpc, RpcError};

/// Heap the child may use before its collector works hard (Go's soft limit).
const MEMORY_LIMIT: &str = "1GiB";
/// Completion lists this short come with every entry's details.
const EAGER_DETAILS: usize = 60;
/// Threads the child may run Go code on at once.
const MAX_THREADS: usize = 4;

/// What went wrong with TypeScript 7; the question is answered by the embedded engine.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NativeFault {
    #[error("cannot start {binary}: {reason}")]
    Spawn { binary: String, reason: String },
    #[error(transparent)]
    Rpc(#[from] RpcError),
    #[error("TypeScript 7 gave an answer codemode cannot read: {0}")]
    Malformed(String),
    #[error("TypeScript 7 did not answer in time")]
    Deadline,
}

impl NativeFault {
    /// Whether the child is past using: all but an error answer to one question, after
    /// which it goes on answering the others.
    pub fn ends_session(&self) -> bool {
        !matches!(self, NativeFault::Rpc(RpcError::Answered(_)))
    }
}

/// The engine: a binary, and its child once started.
pub struct Native {
    binary: PathBuf,
    version: String,
    session: Mutex<Option<Arc<Session>>>,
}

impl Native {
    pub fn new(binary: PathBuf, version: String) -> Native {
        Native {
            binary,
            version,
            session: Mutex::new(None),
        }
    }

    pub fn binary(&self) -> &Path {
        &self.binary
    }

    pub fn version(&self) -> &str {
        &self.version
    }

    /// Answers `question` about script `target` of `program` (every script for
    /// [`Question::Check`] without a target).
    pub async fn answer(
        &self,
        program: &Program,
        target: usize,
        question: &Question,
    ) -> Result<Answer, NativeFault> {
        let session = self.session().await?;
        let answered = session.answer(program, target, question).await;
        if let Err(fault) = &answered
            && fault.ends_session()
        {
            self.forget(&session);
        }
        answered
    }

    /// Ends the child after a fault (the next question starts a fresh one).
    pub fn forget_session(&self) {
        if let Ok(mut held) = self.session.lock() {
            *held = None;
        }
    }

    fn forget(&self, session: &Arc<Session>) {
        if let Ok(mut held) = self.session.lock()
            && held.as_ref().is_some_and(|s| Arc::ptr_eq(s, session))
        {
            *held = None;
        }
    }

    async fn session(&self) -> Result<Arc<Session>, NativeFault> {
        if let Some(session) = self.session.lock().ok().and_then(|s| s.clone())
            && session.rpc.alive()
        {
            return Ok(session);
        }
        let session = Arc::new(Session::start(&self.binary).await?);
        if let Ok(mut held) = self.session.lock() {
            *held = Some(session.clone());
        }
        Ok(session)
    }
}

/// A running child and the documents it holds open.
struct Session {
    rpc: Rpc,
    dir: Workdir,
    /// uri → (version, text) of each open document.
    open: Mutex<HashMap<String, (i32, Arc<str>)>>,
    /// The last completion list's raw items, by label, for resolving one.
    completions: Mutex<HashMap<String, Value>>,
    /// Serialises document updates with the request that follows them.
    order: tokio::sync::Mutex<()>,
}

impl Session {
    async fn start(binary: &Path) -> Result<Session, NativeFault> {
        let spawn_fault = |reason: String| NativeFault::Spawn {
            binary: binary.display().to_string(),
            reason,
        };
        let dir = Workdir::create().map_err(|e| spawn_fault(e.to_string()))?;
        let threads = std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .min(MAX_THREADS);
        let child = Command::new(binary)
            .args(["--lsp", "--stdio"])
            .current_dir(&dir.path)
            .env_clear()
            .env("GOMAXPROCS", threads.to_string())
            .env("GOMEMLIMIT", MEMORY_LIMIT)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| spawn_fault(e.to_string()))?;
        let rpc = Rpc::new(child).map_err(|e| spawn_fault(e.to_string()))?;
        let root = dir.uri("");
        let capabilities = json!({
            "general": { "positionEncodings": ["utf-16"] },
            "textDocument": {
                "diagnostic": {},
                "completion": { "completionItem": { "snippetSupport": false, "labelDetailsSupport": true } },
                "hover": { "contentFormat": ["markdown"] },
                "signatureHelp": { "signatureInformation": { "parameterInformation": { "labelOffsetSupport": true } } },
                "documentSymbol": { "hierarchicalDocumentSymbolSupport": true },
            },
        });
        let initialize = json!({
            "processId": std::process::id(),
            "rootUri": root,
            "capabilities": capabilities,
            "workspaceFolders": [{ "uri": root, "name": "codemode" }],
        });
        rpc.request("initialize", initialize).await?;
        rpc.notify("initialized", json!({}))?;
        Ok(Session {
            rpc,
            dir,
            open: Mutex::default(),
            completions: Mutex::default(),
            order: tokio::sync::Mutex::new(()),
        })
    }

    async fn answer(
        &self,
        program: &Program,
        target: usize,
        question: &Question,
    ) -> Result<Answer, NativeFault> {
        let names = self.names(program);
        let uri = names
            .get(target)
            .cloned()
            .ok_or_else(|| NativeFault::Malformed(format!("no script {target}")))?;
        let document = json!({ "uri": uri });
        let at = |position: &super::Position| json!({ "textDocument": document, "position": { "line": position.line, "character": position.character } });
        let (method, params) = match question {
            Question::Check(_) => (
                "textDocument/diagnostic",
                json!({ "textDocument": document }),
            ),
            Question::Completions { at: position, .. } => ("textDocument/completion", at(position)),
            Question::Details { entry, .. } => {
                let item = self
                    .completions
                    .lock()
                    .ok()
                    .and_then(|items| items.get(entry).cloned());
                let Some(item) = item else {
                    return Ok(Answer::Details(None));
                };
                ("completionItem/resolve", item)
            }
            Question::Hover(position) => ("textDocument/hover", at(position)),
            Question::Signature(position) => ("textDocument/signatureHelp", at(position)),
            Question::Definition(position) => ("textDocument/definition", at(position)),
            Question::Symbols => (
                "textDocument/documentSymbol",
                json!({ "textDocument": document }),
            ),
        };
        let asked = {
            let _in_order = self.order.lock().await;
            self.sync(program, &names)?;
            self.rpc.request(method, params)
        };
        let result = asked.await?;
        let places = convert::Places {
            api: self.dir.uri("codemode/api.d.ts"),
            prelude: self.dir.uri("codemode/prelude.d.ts"),
            scripts: &names,
        };
        let answer = match question {
            Question::Check(_) => Answer::Diagnostics(convert::diagnostics(&result)?),
            Question::Completions { eager, .. } => {
                let (mut completions, raw) = convert::completions(&result)?;
                // A short list (a namespace's tools, an input's fields) comes with each
                // entry's details when asked, for clients that never resolve an item.
                if *eager && completions.items.len() <= EAGER_DETAILS {
                    let resolving = completions.items.iter().map(|item| {
                        let raw = raw.get(&item.name).cloned().unwrap_or(Value::Null);
                        self.rpc.request("completionItem/resolve", raw)
                    });
                    let resolved = futures::future::join_all(resolving).await;
                    for (item, details) in completions.items.iter_mut().zip(resolved) {
                        item.details = convert::details(&details?);
                    }
                }
                if let Ok(mut held) = self.completions.lock() {
                    *held = raw;
                }
                Answer::Completions(completions)
            }
            Question::Details { .. } => Answer::Details(convert::details(&result)),
            Question::Hover(_) => Answer::Hover(convert::hover(&result)?),
            Question::Signature(_) => Answer::Signature(convert::signature_help(&result)?),
            Question::Definition(_) => Answer::Definition(convert::locations(&result, &places)),
            Question::Symbols => Answer::Symbols(convert::symbols(&result)?),
        };
        Ok(answer)
    }

    /// The uri of each script of `program`.
    fn names(&self, program: &Program) -> Vec<String> {
        program
            .scripts
            .iter()
            .map(|s| self.dir.uri(&script_path(s)))
            .collect()
    }

    /// Opens, changes and closes documents until the child holds exactly `program`.
    fn sync(&self, program: &Program, names: &[String]) -> Result<(), NativeFault> {
        let mut open = self
            .open
            .lock()
            .map_err(|_| NativeFault::Malformed("the document table's lock is poisoned".into()))?;
        let mut wanted: Vec<(String, Arc<str>)> = vec![
            (
                self.dir.uri("codemode/prelude.d.ts"),
                Arc::from(codegen::PRELUDE),
            ),
            (self.dir.uri("codemode/api.d.ts"), program.api.clone()),
        ];
        wanted.extend(
            names
                .iter()
                .cloned()
                .zip(program.scripts.iter().map(|s| s.text.clone())),
        );
        for (uri, text) in &wanted {
            match open.get_mut(uri) {
                Some((_, held)) if Arc::ptr_eq(held, text) || **held == **text => {}
                Some((version, held)) => {
                    *version += 1;
                    *held = text.clone();
                    self.rpc.notify(
                        "textDocument/didChange",
                        json!({
                            "textDocument": { "uri": uri, "version": version },
                            "contentChanges": [{ "text": &**text }],
                        }),
                    )?;
                }
                None => {
                    self.rpc.notify(
                        "textDocument/didOpen",
                        json!({ "textDocument": {
                            "uri": uri, "languageId": "typescript", "version": 1, "text": &**text,
                        } }),
                    )?;
                    open.insert(uri.clone(), (1, text.clone()));
                }
            }
        }
        let gone: Vec<String> = open
            .keys()
            .filter(|uri| !wanted.iter().any(|(w, _)| w == *uri))
            .cloned()
            .collect();
        for uri in gone {
            open.remove(&uri);
            self.rpc.notify(
                "textDocument/didClose",
                json!({ "textDocument": { "uri": uri } }),
            )?;
        }
        Ok(())
    }
}

/// Where a script stands in the child's directory: `scripts/<slot>/<name>.ts`.
fn script_path(source: &Source) -> String {
    format!(
        "scripts/{}/{}",
        source.slot,
        super::virtual_name(&source.file)
    )
}

/// The child's directory, removed when the session ends.
struct Workdir {
    path: PathBuf,
    base: url::Url,
}

impl Workdir {
    fn create() -> std::io::Result<Workdir> {
        let mut random = [0u8; 8];
        getrandom::fill(&mut random).map_err(|e| std::io::Error::other(e.to_string()))?;
        let tag: String = random.iter().map(|b| format!("{b:02x}")).collect();
        let path =
            std::env::temp_dir().join(format!("codemode-typescript-{}-{tag}", std::process::id()));
        std::fs::create_dir_all(&path)?;
        let path = path.canonicalize()?;
        std::fs::write(path.join("tsconfig.json"), tsconfig())?;
        std::fs::create_dir(path.join("lib"))?;
        std::fs::write(path.join("lib").join(super::LIB.0), super::LIB.1)?;
        let base = url::Url::from_directory_path(&path)
            .map_err(|()| std::io::Error::other("the directory has no file URL"))?;
        Ok(Workdir { path, base })
    }

    fn uri(&self, relative: &str) -> String {
        self.base
            .join(relative)
            .map(String::from)
            .unwrap_or_else(|_| format!("{}{relative}", self.base))
    }
}

impl Drop for Workdir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

/// The checker's options (the embedded engine's, `service.js`), as a `tsconfig.json`.
fn tsconfig() -> String {
    json!({
        "compilerOptions": {
            "strict": true,
            "target": "es2022",
            "module": "esnext",
            "moduleResolution": "bundler",
            "moduleDetection": "force",
            "noLib": true,
            "types": [],
            "noEmit": true,
            "skipLibCheck": true,
            "allowJs": false,
        },
        "include": ["**/*"],
    })
    .to_string()
}
