//! The checker's answers in LSP's terms: positions (both 0-based UTF-16 already), kinds,
//! markdown for docs.

use tower_lsp_server::ls_types::{
    self as lsp, CompletionItemKind, Documentation, MarkupContent, MarkupKind, NumberOrString,
    SymbolKind,
};

use crate::check::{self, CheckError, Severity, Tag};

pub fn position(at: check::Position) -> lsp::Position {
    lsp::Position::new(at.line, at.character)
}

pub fn range(range: check::Range) -> lsp::Range {
    lsp::Range::new(position(range.start), position(range.end))
}

pub fn to_check(at: lsp::Position) -> check::Position {
    check::Position {
        line: at.line,
        character: at.character,
    }
}

/// A TypeScript diagnostic; the hint for models goes after the message.
/// The LSP position of a checker's 1-based line and UTF-16 column (diagnostics, fixes).
pub fn one_based(line: u32, column: u32) -> lsp::Position {
    lsp::Position::new(line.saturating_sub(1), column.saturating_sub(1))
}

pub fn diagnostic(d: &check::Diagnostic) -> lsp::Diagnostic {
    let start = one_based(d.line, d.column);
    let end = one_based(d.end_line, d.end_column);
    let mut message = d.message.clone();
    if let Some(hint) = &d.hint {
        message.push_str("\nhint: ");
        message.push_str(hint);
    }
    lsp::Diagnostic {
        range: lsp::Range::new(start, end),
        severity: Some(match d.severity {
            Severity::Error => lsp::DiagnosticSeverity::ERROR,
            Severity::Warning => lsp::DiagnosticSeverity::WARNING,
            Severity::Suggestion => lsp::DiagnosticSeverity::HINT,
            Severity::Message => lsp::DiagnosticSeverity::INFORMATION,
        }),
        code: Some(NumberOrString::Number(d.code as i32)),
        source: Some("codemode".into()),
        message,
        data: super::code_actions::data(&d.fixes),
        ..Default::default()
    }
}

/// Why a script has no diagnostics, as one diagnostic where the problem is (or at the top).
pub fn check_failure(error: &CheckError) -> lsp::Diagnostic {
    let at = match error {
        CheckError::Limit { line, column, .. } => one_based(*line, *column),
        _ => lsp::Position::new(0, 0),
    };
    let message = match error {
        CheckError::Limit { message, .. } => message.clone(),
        other => other.to_string(),
    };
    lsp::Diagnostic {
        range: lsp::Range::new(at, at),
        severity: Some(lsp::DiagnosticSeverity::ERROR),
        source: Some("codemode".into()),
        message,
        ..Default::default()
    }
}

pub fn completion_kind(kind: &str) -> CompletionItemKind {
    match kind {
        "function" | "local function" => CompletionItemKind::FUNCTION,
        "method" | "construct" | "call" => CompletionItemKind::METHOD,
        "property" | "getter" | "setter" | "accessor" => CompletionItemKind::FIELD,
        "var" | "let" | "local var" | "parameter" => CompletionItemKind::VARIABLE,
        "const" => CompletionItemKind::CONSTANT,
        "module" | "external module name" => CompletionItemKind::MODULE,
        "class" | "local class" => CompletionItemKind::CLASS,
        "interface" => CompletionItemKind::INTERFACE,
        "type" | "primitive type" => CompletionItemKind::STRUCT,
        "type parameter" => CompletionItemKind::TYPE_PARAMETER,
        "enum" => CompletionItemKind::ENUM,
        "enum member" => CompletionItemKind::ENUM_MEMBER,
        "keyword" => CompletionItemKind::KEYWORD,
        "string" => CompletionItemKind::VALUE,
        "alias" => CompletionItemKind::REFERENCE,
        _ => CompletionItemKind::TEXT,
    }
}

pub fn symbol_kind(kind: &str) -> SymbolKind {
    match kind {
        "function" | "local function" => SymbolKind::FUNCTION,
        "method" => SymbolKind::METHOD,
        "property" | "getter" | "setter" => SymbolKind::PROPERTY,
        "const" => SymbolKind::CONSTANT,
        "class" | "local class" => SymbolKind::CLASS,
        "interface" => SymbolKind::INTERFACE,
        "type" => SymbolKind::TYPE_PARAMETER,
        "enum" => SymbolKind::ENUM,
        "enum member" => SymbolKind::ENUM_MEMBER,
        "module" => SymbolKind::MODULE,
        _ => SymbolKind::VARIABLE,
    }
}

/// Docs and tags as markdown (or plain text for clients without markdown).
pub fn documentation(text: &str, tags: &[Tag], markdown: bool) -> Option<Documentation> {
    let body = docs(text, tags);
    if body.is_empty() {
        return None;
    }
    Some(Documentation::MarkupContent(MarkupContent {
        kind: if markdown {
            MarkupKind::Markdown
        } else {
            MarkupKind::PlainText
        },
        value: body,
    }))
}

pub fn docs(text: &str, tags: &[Tag]) -> String {
    let mut body = text.to_string();
    for tag in tags {
        if !body.is_empty() {
            body.push_str("\n\n");
        }
        body.push_str(&format!("*@{}*", tag.name));
        if !tag.text.is_empty() {
            body.push_str(" — ");
            body.push_str(&tag.text);
        }
    }
    body
}

/// A hover: the declaration in a code block, then the docs.
pub fn hover(found: &check::Hover, markdown: bool) -> lsp::Hover {
    let docs = docs(&found.documentation, &found.tags);
    let value = if markdown {
        let mut value = format!("```typescript\n{}\n```", found.display);
        if !docs.is_empty() {
            value.push_str("\n\n");
            value.push_str(&docs);
        }
        value
    } else if docs.is_empty() {
        found.display.clone()
    } else {
        format!("{}\n\n{}", found.display, docs)
    };
    lsp::Hover {
        contents: lsp::HoverContents::Markup(MarkupContent {
            kind: if markdown {
                MarkupKind::Markdown
            } else {
                MarkupKind::PlainText
            },
            value,
        }),
        range: Some(range(found.range)),
    }
}

pub fn signature_help(help: &check::SignatureHelp, markdown: bool) -> lsp::SignatureHelp {
    lsp::SignatureHelp {
        signatures: help
            .signatures
            .iter()
            .map(|s| lsp::SignatureInformation {
                label: s.label.clone(),
                documentation: documentation(&s.documentation, &s.tags, markdown),
                parameters: Some(
                    s.parameters
                        .iter()
                        .map(|p| lsp::ParameterInformation {
                            label: lsp::ParameterLabel::LabelOffsets([p.start, p.end]),
                            documentation: documentation(&p.documentation, &[], markdown),
                        })
                        .collect(),
                ),
                active_parameter: None,
            })
            .collect(),
        active_signature: Some(help.active),
        active_parameter: Some(help.parameter),
    }
}

#[allow(deprecated)] // `DocumentSymbol::deprecated` must be written out.
pub fn symbols(found: &[check::Symbol]) -> Vec<lsp::DocumentSymbol> {
    found
        .iter()
        .map(|s| lsp::DocumentSymbol {
            name: if s.name.is_empty() {
                "<anonymous>".into()
            } else {
                s.name.clone()
            },
            detail: None,
            kind: symbol_kind(&s.kind),
            tags: None,
            deprecated: None,
            range: range(s.range),
            selection_range: range(s.selection),
            children: (!s.children.is_empty()).then(|| symbols(&s.children)),
        })
        .collect()
}
