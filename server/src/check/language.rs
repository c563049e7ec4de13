//! Language questions for editors: diagnostics of one script, completions, hover, signature
//! help, definitions, symbols, and which API functions a script names.
//!
//! A [`Program`] is what the editor has open: the generated API and the open scripts, each
//! in a stable slot so the checker re-parses only what changed. Positions are 0-based lines
//! and UTF-16 code units, as LSP counts them, but nothing here knows LSP: the `lsp` module
//! translates.

use std::sync::Arc;
use std::time::Duration;

use serde::Deserialize;
use serde_json::{Value, json};

use super::{Answer, CheckError, Checker, Diagnostic, Job, diagnostics};

/// The generated API and the open scripts.
#[derive(Debug, Clone)]
pub struct Program {
    /// The generated namespaces, without the prelude.
    pub api: Arc<str>,
    pub scripts: Vec<Source>,
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
    /// A TypeScript lib file (`lib.es5.d.ts`), see [`lib_text`].
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

/// A function of the generated API a script names.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ApiFunction {
    pub namespace: String,
    pub function: String,
}

/// The text of a vendored lib file, for showing a definition in it.
pub fn lib_text(name: &str) -> Option<&'static str> {
    super::LIBS
        .iter()
        .find(|(lib, _)| *lib == name)
        .map(|(_, text)| *text)
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

impl Checker {
    /// TypeScript's diagnostics of script `target` of `program`.
    pub async fn diagnostics(
        &self,
        program: &Program,
        target: usize,
        timeout: Duration,
    ) -> Result<Vec<Diagnostic>, CheckError> {
        let script = program
            .scripts
            .get(target)
            .ok_or_else(|| CheckError::Failed(format!("no script {target}")))?;
        if let Err(error) = crate::transpile::within_limits(&script.text) {
            return Err(CheckError::Limit {
                file: script.file.clone(),
                line: error.line.unwrap_or(1),
                column: error.column.unwrap_or(1),
                message: error.message,
            });
        }
        let text = self
            .ask(job(program, "check", target, json!({})), timeout)
            .await?;
        let answer: Answer = parse(&text)?;
        Ok(diagnostics(answer, |i| {
            program.scripts.get(i).map(|s| s.file.clone())
        }))
    }

    pub async fn completions(
        &self,
        program: &Program,
        target: usize,
        at: Position,
        timeout: Duration,
    ) -> Result<Completions, CheckError> {
        let text = self
            .ask(job(program, "completions", target, position(at)), timeout)
            .await?;
        parse(&text)
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
        let mut fields = position(at);
        fields["entry"] = json!(entry);
        fields["source"] = json!(source);
        let text = self
            .ask(job(program, "details", target, fields), timeout)
            .await?;
        parse(&text)
    }

    pub async fn hover(
        &self,
        program: &Program,
        target: usize,
        at: Position,
        timeout: Duration,
    ) -> Result<Option<Hover>, CheckError> {
        let text = self
            .ask(job(program, "hover", target, position(at)), timeout)
            .await?;
        parse(&text)
    }

    pub async fn signature_help(
        &self,
        program: &Program,
        target: usize,
        at: Position,
        timeout: Duration,
    ) -> Result<Option<SignatureHelp>, CheckError> {
        let text = self
            .ask(job(program, "signature", target, position(at)), timeout)
            .await?;
        parse(&text)
    }

    pub async fn definition(
        &self,
        program: &Program,
        target: usize,
        at: Position,
        timeout: Duration,
    ) -> Result<Vec<Location>, CheckError> {
        #[derive(Deserialize)]
        struct Found {
            locations: Vec<RawLocation>,
        }
        let text = self
            .ask(job(program, "definition", target, position(at)), timeout)
            .await?;
        let found: Found = parse(&text)?;
        Ok(found
            .locations
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
            .collect())
    }

    pub async fn symbols(
        &self,
        program: &Program,
        target: usize,
        timeout: Duration,
    ) -> Result<Vec<Symbol>, CheckError> {
        #[derive(Deserialize)]
        struct Found {
            symbols: Vec<Symbol>,
        }
        let text = self
            .ask(job(program, "symbols", target, json!({})), timeout)
            .await?;
        parse::<Found>(&text).map(|f| f.symbols)
    }

    /// The API functions script `target` names, resolved by the type checker.
    pub async fn tools_used(
        &self,
        program: &Program,
        target: usize,
        timeout: Duration,
    ) -> Result<Vec<ApiFunction>, CheckError> {
        #[derive(Deserialize)]
        struct Found {
            tools: Vec<ApiFunction>,
        }
        let text = self
            .ask(job(program, "toolsUsed", target, json!({})), timeout)
            .await?;
        parse::<Found>(&text).map(|f| f.tools)
    }
}

fn job(program: &Program, op: &'static str, target: usize, fields: Value) -> Job {
    let mut fields = match fields {
        Value::Object(map) => map,
        _ => Default::default(),
    };
    fields.insert("target".into(), json!(target));
    Job {
        op,
        api: program.api.clone(),
        scripts: program.scripts.clone(),
        fields,
    }
}

fn position(at: Position) -> Value {
    json!({ "line": at.line, "character": at.character })
}

fn parse<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, CheckError> {
    serde_json::from_str(text).map_err(|e| CheckError::Failed(format!("unreadable answer: {e}")))
}
