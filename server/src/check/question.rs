//! What the checker is asked, and what an engine answers: the one seam both engines
//! ([`super::embedded`], [`super::native`]) stand behind.

use super::language::{Completions, Details, Hover, Location, Position, SignatureHelp, Symbol};
use super::{Diagnostic, Reporting};

/// A question about one script of a program.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Question {
    /// Its diagnostics, syntax and type errors reported as [`Reporting`] says.
    Check(Reporting),
    /// With `eager`, a short list comes with each entry's details (an engine may send them
    /// anyway when they cost nothing).
    Completions {
        at: Position,
        eager: bool,
    },
    /// The details of a completion entry the last [`Question::Completions`] offered.
    Details {
        at: Position,
        entry: String,
        source: Option<String>,
    },
    Hover(Position),
    Signature(Position),
    Definition(Position),
    Symbols,
}

impl Question {
    /// The question's name, for logs.
    pub fn name(&self) -> &'static str {
        match self {
            Question::Check(_) => "check",
            Question::Completions { .. } => "completions",
            Question::Details { .. } => "details",
            Question::Hover(_) => "hover",
            Question::Signature(_) => "signature",
            Question::Definition(_) => "definition",
            Question::Symbols => "symbols",
        }
    }
}

/// An engine's answer, of the kind the question asked for. Diagnostics come without their
/// file name and without hints: the checker adds both, the same for every engine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    Diagnostics(Vec<Diagnostic>),
    Completions(Completions),
    Details(Option<Details>),
    Hover(Option<Hover>),
    Signature(Option<SignatureHelp>),
    Definition(Vec<Location>),
    Symbols(Vec<Symbol>),
}
