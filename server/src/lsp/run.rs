//! Run from the editor: the `codemode.run` command, its ▶ Run code lens, and the last run
//! shown inline (a `codemode/runResult` notification for clients that draw it themselves,
//! inlay hints and a code lens title for the others). What a run shows is written once by
//! `view`; the answer and the notification carry it (`view`) beside the report.

use std::sync::Arc;

use serde::Serialize;
use serde_json::{Value, json};
use tower_lsp_server::ls_types::{
    self as lsp, CodeLens, Command, InlayHint, InlayHintLabel, MessageActionItem, MessageType, Uri,
};

use futures::future::BoxFuture;

use super::protocol::{RunResult, RunResultParams};
use super::session::{LastRun, Session};
use crate::approval::{Approvals, Ask, Decision, Request};
use crate::runtime::RunReport;
use crate::view::EditorView;

pub use super::protocol::{RUN_COMMAND as RUN, SHOW_LAST_RUN_COMMAND as SHOW_RUN};

/// The answer of `codemode.run` (and the `report` of `codemode/runResult`): the report's
/// fields, and the view of it.
#[derive(Serialize)]
pub struct RunAnswer<'a> {
    #[serde(flatten)]
    pub report: &'a RunReport,
    pub view: &'a EditorView,
}

/// The answer of a run as JSON.
pub fn answer(last: &LastRun) -> Value {
    serde_json::to_value(RunAnswer {
        report: &last.report,
        view: &last.view,
    })
    .unwrap_or(Value::Null)
}

/// Checks and runs the current text of `uri`; the answer is the run's report as JSON.
pub async fn run(session: &Arc<Session>, uri: Uri) -> Result<Value, String> {
    let Some((program, target, workspace)) = session.program(&uri).await else {
        return Err(format!(
            "{} is not an open agent script (*.mcp.ts, or a .ts file under a `scripts` folder of the configuration)",
            uri.as_str()
        ));
    };
    let Some(version) = session.documents.get(&uri).map(|d| d.version) else {
        return Err("the document is not open".into());
    };
    let script = program.scripts[target].clone();

    let progress = session
        .progress(&format!("codemode: running {}", script.file))
        .await;
    let file = script.file.clone();
    let text = script.text.to_string();
    let running = workspace.clone();
    // Approval per call: the editor is asked when the script calls a tool that needs it.
    let approvals = Approvals::new(
        EditorAsk {
            client: session.client.clone(),
            can_ask: session.caps().show_message_request,
        },
        &workspace,
    );
    // On its own task: a client that cancels the request does not stop the run half-way.
    let report = tokio::spawn(async move { running.run(&file, text, &approvals).await })
        .await
        .map_err(|e| format!("the run failed: {e}"))?;
    let view = EditorView::of(&report, &script.file);
    if let Some(progress) = progress {
        progress.finish(&view.headline).await;
    }
    let last = LastRun {
        version,
        report,
        view,
    };
    let value = answer(&last);
    session
        .client
        .send_notification::<RunResult>(RunResultParams {
            uri: uri.as_str().to_string(),
            version,
            report: value.clone(),
        })
        .await;
    session.runs.insert(uri, last);
    let caps = session.caps();
    if caps.inlay_hint_refresh {
        let _ = session.client.inlay_hint_refresh().await;
    }
    if caps.code_lens_refresh {
        let _ = session.client.code_lens_refresh().await;
    }
    Ok(value)
}

/// The editor, asked with `window/showMessageRequest` (Allow / Don't allow).
struct EditorAsk {
    client: tower_lsp_server::Client,
    can_ask: bool,
}

const ALLOW: &str = "Allow";
const DENY: &str = "Don't allow";

impl Ask for EditorAsk {
    fn cannot_ask(&self) -> Option<String> {
        (!self.can_ask).then(|| {
            "this editor cannot ask (it does not support window/showMessageRequest)".into()
        })
    }

    fn ask<'a>(&'a self, request: &'a Request) -> BoxFuture<'a, Decision> {
        Box::pin(async move {
            let action = |title: &str| MessageActionItem {
                title: title.into(),
                properties: Default::default(),
            };
            let asked = self
                .client
                .show_message_request(
                    MessageType::WARNING,
                    request.message(),
                    Some(vec![action(ALLOW), action(DENY)]),
                )
                .await;
            match asked {
                Ok(Some(choice)) if choice.title == ALLOW => Decision::Allow,
                Ok(Some(_)) => Decision::Decline,
                Ok(None) => Decision::Dismiss,
                Err(error) => Decision::Failed(error.message.to_string()),
            }
        })
    }
}

/// The ▶ Run lens at the top of a script, and the last run's summary beside it.
pub fn code_lenses(session: &Session, uri: &Uri) -> Vec<CodeLens> {
    let top = lsp::Range::new(lsp::Position::new(0, 0), lsp::Position::new(0, 0));
    let argument = json!(uri.as_str());
    let mut lenses = vec![CodeLens {
        range: top,
        command: Some(Command {
            title: "▶ Run".into(),
            command: RUN.into(),
            arguments: Some(vec![argument.clone()]),
        }),
        data: None,
    }];
    if let Some(last) = session.runs.get(uri) {
        let current = session.documents.get(uri).map(|d| d.version);
        let stale = if current == Some(last.version) {
            ""
        } else {
            " (edited since)"
        };
        lenses.push(CodeLens {
            range: top,
            command: Some(Command {
                title: format!("last run: {}{stale}", last.view.headline),
                command: SHOW_RUN.into(),
                arguments: Some(vec![argument]),
            }),
            data: None,
        });
    }
    lenses
}

/// At the end of each line that logged or called a tool in the last run: what it logged
/// and how long the calls took. Only while the text is the one that ran.
pub fn inlay_hints(session: &Session, uri: &Uri, range: lsp::Range) -> Vec<InlayHint> {
    let Some(last) = session.runs.get(uri) else {
        return Vec::new();
    };
    let Some(document) = session.documents.get(uri) else {
        return Vec::new();
    };
    if document.version != last.version {
        return Vec::new();
    }
    let text = document.text();
    let lines: Vec<&str> = text.lines().collect();
    last.view
        .notes
        .iter()
        .filter_map(|note| {
            if note.line < range.start.line || note.line > range.end.line {
                return None;
            }
            let end = lines.get(note.line as usize)?.encode_utf16().count() as u32;
            Some(InlayHint {
                position: lsp::Position::new(note.line, end),
                label: InlayHintLabel::String(format!("  → {}", note.text)),
                kind: None,
                text_edits: None,
                tooltip: None,
                padding_left: Some(true),
                padding_right: None,
                data: None,
            })
        })
        .collect()
}
