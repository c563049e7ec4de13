//! Quick fixes as code actions (`textDocument/codeAction`, kind `quickfix`): the checker's
//! fixes (`check::fixes`), carried in each diagnostic's `data` so an action needs no new
//! check; for a client that does not send `data` back, the document is checked again.

use serde_json::Value;
use tower_lsp_server::ls_types::{
    self as lsp, CodeAction, CodeActionKind, CodeActionOrCommand, CodeActionParams, TextEdit, Uri,
    WorkspaceEdit,
};

use super::convert::one_based;
use super::protocol::DiagnosticData;
use super::session::Session;
use crate::check::fixes::{Edit, Fix};

/// What a diagnostic carries in `data` for its code actions.
pub fn data(fixes: &[Fix]) -> Option<Value> {
    if fixes.is_empty() {
        return None;
    }
    serde_json::to_value(DiagnosticData {
        fixes: fixes.to_vec(),
    })
    .ok()
}

fn fixes_of(diagnostic: &lsp::Diagnostic) -> Option<Vec<Fix>> {
    let data: DiagnosticData = serde_json::from_value(diagnostic.data.clone()?).ok()?;
    Some(data.fixes)
}

/// The quick fixes for the diagnostics in `params`' range.
pub async fn code_actions(session: &Session, params: CodeActionParams) -> Vec<CodeActionOrCommand> {
    let wanted = params
        .context
        .only
        .as_ref()
        .is_none_or(|kinds| kinds.iter().any(|k| k.as_str().starts_with("quickfix")));
    if !wanted {
        return Vec::new();
    }
    let uri = params.text_document.uri;
    let sent = params.context.diagnostics;
    let ours = |d: &lsp::Diagnostic| d.source.as_deref() == Some("codemode");
    let carried = sent.iter().filter(|d| ours(d)).all(|d| d.data.is_some());
    let diagnostics = if !sent.is_empty() && carried {
        sent.into_iter().filter(ours).collect()
    } else if session.workspace_now().is_none() {
        Vec::new()
    } else {
        // Nothing sent, or sent without `data`: the diagnostics of the text now.
        let fresh = session.diagnostics(&uri, None).await.unwrap_or_default();
        fresh
            .into_iter()
            .filter(|d| overlaps(&d.range, &params.range))
            .collect::<Vec<_>>()
    };
    let mut actions = Vec::new();
    for diagnostic in diagnostics {
        let Some(fixes) = fixes_of(&diagnostic) else {
            continue;
        };
        let only = fixes.len() == 1;
        for fix in fixes {
            actions.push(CodeActionOrCommand::CodeAction(action(
                &uri,
                &diagnostic,
                fix,
                only,
            )));
        }
    }
    actions
}

fn action(uri: &Uri, diagnostic: &lsp::Diagnostic, fix: Fix, only: bool) -> CodeAction {
    let edits = fix.edits.iter().map(text_edit).collect();
    CodeAction {
        title: fix.title,
        kind: Some(CodeActionKind::QUICKFIX),
        diagnostics: Some(vec![diagnostic.clone()]),
        edit: Some(WorkspaceEdit {
            changes: Some([(uri.clone(), edits)].into_iter().collect()),
            ..Default::default()
        }),
        is_preferred: (fix.preferred && only).then_some(true),
        ..Default::default()
    }
}

fn text_edit(edit: &Edit) -> TextEdit {
    TextEdit {
        range: lsp::Range::new(
            one_based(edit.line, edit.column),
            one_based(edit.end_line, edit.end_column),
        ),
        new_text: edit.new_text.clone(),
    }
}

fn overlaps(a: &lsp::Range, b: &lsp::Range) -> bool {
    let before =
        |x: &lsp::Position, y: &lsp::Position| (x.line, x.character) < (y.line, y.character);
    !before(&a.end, &b.start) && !before(&b.end, &a.start)
}
