//! Language questions for editors: diagnostics of one script, completions, hover, signature
//! help, definitions and symbols.
//!
//! A [`Program`] is what the editor has open: the generated API and the open scripts, each
//! in a stable slot so the checker re-parses only what changed. Positions are 0-based lines
//! and UTF-16 code units, as LSP counts them, but nothing here knows LSP: the `lsp` module
//! translates.

use std::sync::Arc;
use std::time::Duration;

use serde::Deserialize;

use super::question::{Answer, Question};
use super::{CheckError, Checker};

/// The generated API and the open scripts.
#[derive(Debug, Clone)]
pub struct Program {
    /// The generated namespaces, without the prelude.
    pub api: Arc<str>,
    pub scripts: Vec<Source>,
}

impl Program {
    /// Script `target`, which a question is about.
    pub fn script(&self, target: usize) -> Result<&Source, CheckError> {
        self.scripts
            .get(target)
            .ok_or_else(|| CheckError::Failed(format!("no script {target}")))
    }
}

/// One script of a [`Program`].
#[derive(Debug, Clone)]
pub struct Source {
    /// Stable while the script is open (the checker keys its parse by it).
    pub slot: u32,
    /// The name diagnostics report it under.
    pub file: String,
    pub text: Arc<str>,
}

impl Source {
    pub fn new(slot: u32, file: &str, text: Arc<str>) -> Source {
        Source {
            slot,
            file: file.to_string(),
            text,
        }
    }
}

/// A 0-based line and UTF-16 column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
pub struct Position {
    pub line: u32,
    pub character: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
pub struct Range {
    pub start: Position,
    pub end: Position,
}

/// A JSDoc tag (`@param`, `@example`...).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Tag {
    pub name: String,
    #[serde(default)]
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Completions {
    pub items: Vec<Completion>,
    /// More entries exist than were sent.
    pub incomplete: bool,
}

/// One completion entry. `detail`, `documentation` and `tags` come with the entry when the
/// list is short (a namespace's tools, an input's fields), else from [`Checker::details`].
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Completion {
    pub name: String,
    /// TypeScript's kind: `function`, `property`, `var`, `keyword`, `string`, `module`...
    pub kind: String,
    #[serde(default)]
    pub modifiers: Option<String>,
    pub sort: String,
    #[serde(default)]
    pub insert: Option<String>,
    #[serde(default)]
    pub source: Option<String>,
    #[serde(default)]
    pub optional: Option<bool>,
    #[serde(default)]
    pub replace: Option<Range>,
    #[serde(flatten)]
    pub details: Option<Details>,
}

/// What a completion entry is: its signature or type, and its docs.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
pub struct Details {
    pub detail: String,
    #[serde(default)]
    pub documentation: String,
    #[serde(default)]
    pub tags: Vec<Tag>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Hover {
    /// The declaration as TypeScript shows it (`function memory.readGraph(): Promise<...>`).
    pub display: String,
    pub documentation: String,
    pub tags: Vec<Tag>,
    pub range: Range,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct SignatureHelp {
    pub signatures: Vec<SignatureInfo>,
    pub active: u32,
    pub parameter: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct SignatureInfo {
    pub label: String,
    pub documentation: String,
    pub tags: Vec<Tag>,
    pub parameters: Vec<ParameterInfo>,
}

/// A parameter: where it stands in its signature's label (UTF-16 offsets), and its docs.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ParameterInfo {
    pub start: u32,
    pub end: u32,
    pub documentation: String,
}

/// Which file of the program a location is in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Place {
    /// The script with this index in [`Program::scripts`].
    Script(usize),
    /// The generated API ([`Program::api`]).
    Api,
    /// The script environment ([`crate::codegen::PRELUDE`]).
    Prelude,
    /// The lib file ([`super::LIB`], `lib.codemode.d.ts`), see [`lib_text`].
    Lib(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    pub place: Place,
    pub range: Range,
}

/// An outline entry; TypeScript's kinds (`const`, `function`, `class`...).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Symbol {
    pub name: String,
    pub kind: String,
    pub range: Range,
    pub selection: Range,
    pub children: Vec<Symbol>,
}

/// The text of the lib file, for showing a definition in it.
pub fn lib_text(name: &str) -> Option<&'static str> {
    (name == super::LIB.0).then_some(super::LIB.1)
}

impl Checker {
    /// Asks `question` about script `target`; the answer of the kind it asks for.
    async fn answered(
        &self,
        program: &Program,
        target: usize,
        question: Question,
        timeout: Duration,
    ) -> Result<Answer, CheckError> {
        program.script(target)?;
        self.ask(program, target, question, timeout, None)
            .await
            .map(|(answer, _)| answer)
    }

    /// The completions at `at`; with `eager`, a short list (a namespace's tools, an input's
    /// fields) comes with each entry's details, for clients that never resolve an item.
    pub async fn completions(
        &self,
        program: &Program,
        target: usize,
        at: Position,
        eager: bool,
        timeout: Duration,
    ) -> Result<Completions, CheckError> {
        let question = Question::Completions { at, eager };
        match self.answered(program, target, question, timeout).await? {
            Answer::Completions(found) => Ok(found),
            _ => Err(mismatch()),
        }
    }

    /// The details of completion entry `entry` (from `source`, for entries that have one).
    pub async fn details(
        &self,
        program: &Program,
        target: usize,
        at: Position,
        entry: &str,
        source: Option<&str>,
        timeout: Duration,
    ) -> Result<Option<Details>, CheckError> {
        let question = Question::Details {
            at,
            entry: entry.to_string(),
            source: source.map(str::to_string),
        };
        match self.answered(program, target, question, timeout).await? {
            Answer::Details(found) => Ok(found),
            _ => Err(mismatch()),
        }
    }

    pub async fn hover(
        &self,
        program: &Program,
        target: usize,
        at: Position,
        timeout: Duration,
    ) -> Result<Option<Hover>, CheckError> {
        match self
            .answered(program, target, Question::Hover(at), timeout)
            .await?
        {
            Answer::Hover(found) => Ok(found),
            _ => Err(mismatch()),
        }
    }

    pub async fn signature_help(
        &self,
        program: &Program,
        target: usize,
        at: Position,
        timeout: Duration,
    ) -> Result<Option<SignatureHelp>, CheckError> {
        match self
            .answered(program, target, Question::Signature(at), timeout)
            .await?
        {
            Answer::Signature(found) => Ok(found),
            _ => Err(mismatch()),
        }
    }

    pub async fn definition(
        &self,
        program: &Program,
        target: usize,
        at: Position,
        timeout: Duration,
    ) -> Result<Vec<Location>, CheckError> {
        match self
            .answered(program, target, Question::Definition(at), timeout)
            .await?
        {
            Answer::Definition(found) => Ok(found),
            _ => Err(mismatch()),
        }
    }

    pub async fn symbols(
        &self,
        program: &Program,
        target: usize,
        timeout: Duration,
    ) -> Result<Vec<Symbol>, CheckError> {
        match self
            .answered(program, target, Question::Symbols, timeout)
            .await?
        {
            Answer::Symbols(found) => Ok(found),
            _ => Err(mismatch()),
        }
    }
}

/// An engine's answer of another kind than the question asked for.
pub(super) fn mismatch() -> CheckError {
    CheckError::Failed("the engine answered another question".into())
}
