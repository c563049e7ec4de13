//! Variable expansion in configuration values, so secrets stay out of files.
//!
//! Understood: `${env:VAR}` (VS Code), `${VAR}` and `${VAR:-default}` (Claude Code),
//! `${workspaceFolder}` (VS Code), and in Gemini CLI's files `$VAR`. `$$` stands for a
//! literal `$`. VS Code's `${input:ID}` is read from the environment variable named by the
//! id in capitals, else asked (`Expander::ask`: the command line asks on a terminal, with
//! the description the file's `inputs` give it, not echoing a `password` input).

use std::cell::RefCell;
use std::collections::HashMap;
use std::path::PathBuf;

/// A value VS Code's `inputs` say to ask the person for (`promptString`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Prompt {
    pub id: String,
    pub description: Option<String>,
    /// Typed without being shown.
    pub password: bool,
}

/// Asks the person for an input's value; `None` when nobody can be asked (or they gave
/// none).
pub type Ask<'a> = &'a dyn Fn(&Prompt) -> Option<String>;

pub(crate) struct Expander<'a> {
    pub lookup: &'a dyn Fn(&str) -> Option<String>,
    pub workspace: PathBuf,
    /// Every value taken from the environment so far: secrets, for redaction.
    pub taken: RefCell<Vec<String>>,
    /// `$NAME` without braces is a variable too (Gemini CLI's files).
    pub bare: bool,
    /// Who is asked for an `${input:ID}` the environment does not have.
    pub ask: Option<Ask<'a>>,
    /// The file's `inputs`, by id.
    pub prompts: RefCell<HashMap<String, Prompt>>,
}

impl<'a> Expander<'a> {
    pub fn new(lookup: &'a dyn Fn(&str) -> Option<String>, workspace: PathBuf) -> Expander<'a> {
        Expander {
            lookup,
            workspace,
            taken: RefCell::default(),
            bare: false,
            ask: None,
            prompts: RefCell::default(),
        }
    }

    /// The values taken from the environment since the `from`th.
    pub fn taken_since(&self, from: usize) -> Vec<String> {
        self.taken.borrow().get(from..).unwrap_or_default().to_vec()
    }

    /// How many values were taken from the environment so far.
    pub fn taken_count(&self) -> usize {
        self.taken.borrow().len()
    }

    /// The value with every variable replaced, or a message saying which one is missing.
    pub fn expand(&self, value: &str) -> Result<String, String> {
        let mut out = String::with_capacity(value.len());
        let mut rest = value;
        while let Some(at) = rest.find('$') {
            out.push_str(&rest[..at]);
            let after = &rest[at + 1..];
            if let Some(stripped) = after.strip_prefix('$') {
                out.push('$');
                rest = stripped;
                continue;
            }
            let Some(body) = after.strip_prefix('{') else {
                let name_length = after
                    .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                    .unwrap_or(after.len());
                if self.bare && after.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') {
                    out.push_str(&self.variable(&after[..name_length])?);
                    rest = &after[name_length..];
                } else {
                    out.push('$');
                    rest = after;
                }
                continue;
            };
            let Some(end) = body.find('}') else {
                return Err(format!("`${{` without a closing `}}` in {value:?}"));
            };
            out.push_str(&self.variable(&body[..end])?);
            rest = &body[end + 1..];
        }
        out.push_str(rest);
        Ok(out)
    }

    fn variable(&self, spec: &str) -> Result<String, String> {
        if spec == "workspaceFolder" {
            return Ok(self.workspace.display().to_string());
        }
        if let Some(input) = spec.strip_prefix("input:") {
            // VS Code prompts for an input; codemode reads it from the environment, under the
            // input's id in capitals (`github-token` is GITHUB_TOKEN).
            let name: String = input
                .chars()
                .map(|c| {
                    if c.is_ascii_alphanumeric() {
                        c.to_ascii_uppercase()
                    } else {
                        '_'
                    }
                })
                .collect();
            let value = (self.lookup)(&name)
                .filter(|_| !name.is_empty())
                .or_else(|| {
                    let ask = self.ask?;
                    let prompt = self.prompts.borrow().get(input).cloned();
                    ask(&prompt.unwrap_or_else(|| Prompt {
                        id: input.to_string(),
                        ..Prompt::default()
                    }))
                });
            return match value {
                Some(value) => {
                    self.taken.borrow_mut().push(value.clone());
                    Ok(value)
                }
                None => Err(format!(
                    "`${{input:{input}}}` is a value VS Code asks for; codemode reads it from the \
                     environment variable {name}, which is not set{}",
                    if self.ask.is_some() {
                        ", and none was typed"
                    } else {
                        " (run codemode in a terminal to be asked for it)"
                    }
                )),
            };
        }
        let (name, default) = match spec.strip_prefix("env:") {
            Some(name) => (name, None),
            None => match spec.split_once(":-") {
                Some((name, default)) => (name, Some(default)),
                None => (spec, None),
            },
        };
        let valid = !name.is_empty()
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            && !name.starts_with(|c: char| c.is_ascii_digit());
        if !valid {
            return Err(format!(
                "`${{{spec}}}` is not a variable codemode knows; write `${{env:NAME}}`, `${{NAME}}`, \
                 `${{NAME:-default}}` or `${{workspaceFolder}}`"
            ));
        }
        match ((self.lookup)(name), default) {
            (Some(value), _) => {
                self.taken.borrow_mut().push(value.clone());
                Ok(value)
            }
            (None, Some(default)) => Ok(default.to_string()),
            (None, None) => Err(format!("environment variable {name} is not set")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn expand(value: &str) -> Result<String, String> {
        let lookup = |name: &str| (name == "TOKEN").then(|| "s3cret".to_string());
        Expander::new(&lookup, PathBuf::from("/ws")).expand(value)
    }

    #[test]
    fn expands_each_form() {
        assert_eq!(expand("Bearer ${env:TOKEN}").unwrap(), "Bearer s3cret");
        assert_eq!(expand("${TOKEN}/${MISSING:-dflt}").unwrap(), "s3cret/dflt");
        assert_eq!(expand("${workspaceFolder}/data").unwrap(), "/ws/data");
        assert_eq!(expand("cost: $$5 and $x").unwrap(), "cost: $5 and $x");
    }

    #[test]
    fn refuses_what_it_cannot_honour() {
        assert_eq!(
            expand("${env:NOPE}").unwrap_err(),
            "environment variable NOPE is not set"
        );
        assert!(
            expand("${input:key}")
                .unwrap_err()
                .contains("environment variable KEY")
        );
        assert_eq!(expand("${input:token}").unwrap(), "s3cret");
        assert!(expand("${a b}").unwrap_err().contains("not a variable"));
        assert!(expand("${TOKEN").unwrap_err().contains("closing"));
    }
}
