//! Language features: completion (and its resolve), hover, signature help, definition,
//! document symbols — questions for the checker about the script at a position.

use std::str::FromStr;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::*;

use super::{ask_about, failed};
use crate::check::{Place, lib_text};
use crate::codegen;
use crate::lsp::convert;
use crate::lsp::session::Session;

/// What a completion item carries for its resolve.
#[derive(Serialize, Deserialize)]
struct ItemData {
    uri: String,
    line: u32,
    character: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    source: Option<String>,
}

pub async fn completion(
    session: &Arc<Session>,
    params: CompletionParams,
) -> Result<Option<CompletionResponse>> {
    let uri = params.text_document_position.text_document.uri;
    let at = params.text_document_position.position;
    // Each entry's details in the list, unless the client resolves them.
    let eager = !session.caps().resolves_details;
    let asked = ask_about(
        session,
        &uri,
        move |checker, program, target, timeout| async move {
            checker
                .completions(&program, target, convert::to_check(at), eager, timeout)
                .await
        },
    );
    let Some(found) = asked.await? else {
        return Ok(None);
    };
    let markdown = session.caps().markdown;
    let items = found
        .items
        .into_iter()
        .map(|entry| {
            let optional = entry.optional == Some(true);
            let label = if optional {
                format!("{}?", entry.name)
            } else {
                entry.name.clone()
            };
            let insert = entry.insert.clone().unwrap_or_else(|| entry.name.clone());
            let text_edit = entry.replace.map(|range| {
                CompletionTextEdit::Edit(TextEdit {
                    range: convert::range(range),
                    new_text: insert.clone(),
                })
            });
            let data = ItemData {
                uri: uri.as_str().to_string(),
                line: at.line,
                character: at.character,
                source: entry.source.clone(),
            };
            let (detail, documentation) = match &entry.details {
                Some(details) => (
                    Some(details.detail.clone()),
                    convert::documentation(&details.documentation, &details.tags, markdown),
                ),
                None => (None, None),
            };
            CompletionItem {
                label,
                kind: Some(convert::completion_kind(&entry.kind)),
                detail,
                documentation,
                sort_text: Some(entry.sort.clone()),
                filter_text: Some(entry.name.clone()),
                insert_text: text_edit.is_none().then_some(insert),
                text_edit,
                data: serde_json::to_value(data).ok(),
                ..Default::default()
            }
        })
        .collect();
    Ok(Some(CompletionResponse::List(CompletionList {
        is_incomplete: found.incomplete,
        items,
    })))
}

pub async fn completion_resolve(
    session: &Arc<Session>,
    mut item: CompletionItem,
) -> Result<CompletionItem> {
    if item.documentation.is_some() && item.detail.is_some() {
        return Ok(item);
    }
    let Some(data) = item
        .data
        .clone()
        .and_then(|d| serde_json::from_value::<ItemData>(d).ok())
    else {
        return Ok(item);
    };
    let Ok(uri) = Uri::from_str(&data.uri) else {
        return Ok(item);
    };
    let entry = item
        .filter_text
        .clone()
        .unwrap_or_else(|| item.label.clone());
    let at = convert::to_check(Position::new(data.line, data.character));
    let source = data.source.clone();
    let asked = ask_about(
        session,
        &uri,
        move |checker, program, target, timeout| async move {
            checker
                .details(&program, target, at, &entry, source.as_deref(), timeout)
                .await
        },
    );
    if let Some(Some(details)) = asked.await? {
        item.detail = Some(details.detail);
        item.documentation = convert::documentation(
            &details.documentation,
            &details.tags,
            session.caps().markdown,
        );
    }
    Ok(item)
}

pub async fn hover(session: &Arc<Session>, params: HoverParams) -> Result<Option<Hover>> {
    let uri = params.text_document_position_params.text_document.uri;
    let at = params.text_document_position_params.position;
    let asked = ask_about(
        session,
        &uri,
        move |checker, program, target, timeout| async move {
            checker
                .hover(&program, target, convert::to_check(at), timeout)
                .await
        },
    );
    let found = asked.await?.flatten();
    Ok(found.map(|h| convert::hover(&h, session.caps().markdown)))
}

pub async fn signature_help(
    session: &Arc<Session>,
    params: SignatureHelpParams,
) -> Result<Option<SignatureHelp>> {
    let uri = params.text_document_position_params.text_document.uri;
    let at = params.text_document_position_params.position;
    let asked = ask_about(
        session,
        &uri,
        move |checker, program, target, timeout| async move {
            checker
                .signature_help(&program, target, convert::to_check(at), timeout)
                .await
        },
    );
    let found = asked.await?.flatten();
    Ok(found.map(|h| convert::signature_help(&h, session.caps().markdown)))
}

pub async fn goto_definition(
    session: &Arc<Session>,
    params: GotoDefinitionParams,
) -> Result<Option<GotoDefinitionResponse>> {
    let uri = params.text_document_position_params.text_document.uri;
    let at = params.text_document_position_params.position;
    let Some((program, target, workspace)) = session.program_waiting(&uri).await else {
        return Ok(None);
    };
    let timeout = session.check_timeout(&workspace);
    let scripts = program.clone();
    let found = session
        .ask(move |checker| async move {
            checker
                .definition(&program, target, convert::to_check(at), timeout)
                .await
        })
        .await
        .map_err(failed)?;
    let api = workspace.api();
    let mut locations = Vec::new();
    for location in found {
        let target_uri = match &location.place {
            Place::Script(index) => {
                let slot = scripts.scripts.get(*index).map(|s| s.slot);
                session
                    .documents
                    .iter()
                    .find(|d| Some(d.slot) == slot)
                    .map(|d| d.key().clone())
            }
            Place::Api => session.generated_uri("api.d.ts", &api.text),
            Place::Prelude => session.generated_uri("prelude.d.ts", codegen::PRELUDE),
            Place::Lib(name) => {
                lib_text(name).and_then(|text| session.generated_uri(&format!("lib/{name}"), text))
            }
        };
        if let Some(target_uri) = target_uri {
            locations.push(Location::new(target_uri, convert::range(location.range)));
        }
    }
    Ok((!locations.is_empty()).then_some(GotoDefinitionResponse::Array(locations)))
}

pub async fn document_symbol(
    session: &Arc<Session>,
    params: DocumentSymbolParams,
) -> Result<Option<DocumentSymbolResponse>> {
    let uri = params.text_document.uri;
    let asked = ask_about(
        session,
        &uri,
        move |checker, program, target, timeout| async move {
            checker.symbols(&program, target, timeout).await
        },
    );
    let found = asked.await?;
    Ok(found.map(|symbols| DocumentSymbolResponse::Nested(convert::symbols(&symbols))))
}
