//! Run from the editor: the `codemode.run` command, its ▶ Run code lens, and the last run
//! shown inline (a `codemode/runResult` notification for clients that draw it themselves,
//! inlay hints and a code lens title for the others).

use std::sync::Arc;

use serde_json::{Value, json};
use tower_lsp_server::ls_types::{
    self as lsp, CodeLens, Command, InlayHint, InlayHintLabel, MessageActionItem, MessageType, Uri,
    notification::Notification,
};

use super::session::{LastRun, Session};
use crate::engine::Level;
use crate::runtime::{self, RunOptions, RunReport};

pub const RUN: &str = "codemode.run";
/// What clicking the last run's code lens does: answer the last run's report.
pub const SHOW_RUN: &str = "codemode.showLastRun";

/// `codemode/runResult`: a run finished. Params: `{uri, version, report}`, the report as
/// `codemode run --json` prints it (its logs and tool calls carry their 1-based `line`).
pub enum RunResult {}

impl Notification for RunResult {
    type Params = Value;
    const METHOD: &'static str = "codemode/runResult";
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
    let api = workspace.api();

    let destructive = destructive_tools(session, &workspace, &program, target).await;
    if !destructive.is_empty() && !confirm(session, &destructive).await {
        return Ok(json!({
            "ok": false,
            "error": {
                "kind": "cancelled",
                "message": format!(
                    "not run: it calls tools that may be destructive ({}) and the run was not confirmed; list them in \"autoApprove\", or set \"allowDestructive\": true, in the configuration's \"codemode\" section to run them without asking",
                    destructive.join(", ")
                ),
            },
        }));
    }

    let progress = session
        .progress(&format!("codemode: running {}", script.file))
        .await;
    let options = RunOptions::from_settings(&workspace.config.settings);
    let checker = session.checker.clone();
    let host = workspace.host.clone();
    let generated = api.generated.clone();
    let file = script.file.clone();
    let text = script.text.to_string();
    // On its own task: a client that cancels the request does not stop the run half-way.
    let report = tokio::spawn(async move {
        runtime::check_then_run(
            &host,
            &generated,
            Some(&checker),
            &file,
            text,
            &options,
            &runtime::Unsupervised,
        )
        .await
    })
    .await
    .map_err(|e| format!("the run failed: {e}"))?;
    if let Some(progress) = progress {
        progress.finish(&summary(&report)).await;
    }
    let value = serde_json::to_value(&report).map_err(|e| e.to_string())?;
    session
        .client
        .send_notification::<RunResult>(json!({
            "uri": uri.as_str(),
            "version": version,
            "report": value,
        }))
        .await;
    session.runs.insert(uri, LastRun { version, report });
    let caps = session.caps();
    if caps.inlay_hint_refresh {
        let _ = session.client.inlay_hint_refresh().await;
    }
    if caps.code_lens_refresh {
        let _ = session.client.code_lens_refresh().await;
    }
    Ok(value)
}

/// The tools the script names that need approval under the configuration's policy (they
/// may be destructive, per their annotations and the MCP specification's defaults).
async fn destructive_tools(
    session: &Session,
    workspace: &super::workspace::Workspace,
    program: &crate::check::Program,
    target: usize,
) -> Vec<String> {
    let timeout = session.check_timeout(workspace);
    let program = program.clone();
    let used = session
        .ask(move |checker| async move { checker.tools_used(&program, target, timeout).await })
        .await
        .unwrap_or_default();
    let api = workspace.api();
    let catalog = workspace.host.catalog();
    let mut found = Vec::new();
    for function in used {
        let Some(server) = api
            .generated
            .index
            .servers
            .iter()
            .find(|s| s.namespace == function.namespace)
        else {
            continue;
        };
        let Some(tool) = server
            .tools
            .iter()
            .find(|t| t.function == function.function)
        else {
            continue;
        };
        let destructive = catalog
            .iter()
            .find(|s| s.server == server.server)
            .and_then(|s| s.tools.iter().find(|t| t.name == tool.tool))
            .is_some_and(|t| workspace.host.policy().needs_approval(&server.server, t));
        if destructive {
            found.push(format!("{}.{}", function.namespace, function.function));
        }
    }
    found
}

/// Asks the user whether to run a script that calls destructive tools.
async fn confirm(session: &Session, tools: &[String]) -> bool {
    if !session.caps().show_message_request {
        return false;
    }
    let run = MessageActionItem {
        title: "Run".into(),
        properties: Default::default(),
    };
    let cancel = MessageActionItem {
        title: "Cancel".into(),
        properties: Default::default(),
    };
    let message = format!(
        "This script calls tools marked destructive: {}. Run it?",
        tools.join(", ")
    );
    match session
        .client
        .show_message_request(MessageType::WARNING, message, Some(vec![run, cancel]))
        .await
    {
        Ok(Some(choice)) => choice.title == "Run",
        _ => false,
    }
}

/// One line about a run: `✓ 3 tool calls · 120 ms` or `✗ runtime: message`.
pub fn summary(report: &RunReport) -> String {
    let calls = report.tool_calls.len();
    let calls = format!("{calls} tool call{}", if calls == 1 { "" } else { "s" });
    match &report.error {
        None => format!("✓ {calls} · {} ms", report.duration_ms),
        Some(error) => {
            let message: String = error.message.chars().take(120).collect();
            format!("✗ {}: {message}", error.kind)
        }
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
                title: format!("last run: {}{stale}", summary(&last.report)),
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
    let mut by_line: std::collections::BTreeMap<u32, Vec<String>> = Default::default();
    for log in &last.report.logs {
        if let Some(line) = log.line {
            let prefix = match log.level {
                Level::Warn => "warn: ",
                Level::Error => "error: ",
                _ => "",
            };
            let text: String = log.text.chars().take(80).collect();
            by_line
                .entry(line)
                .or_default()
                .push(format!("{prefix}{text}"));
        }
    }
    for call in &last.report.tool_calls {
        if let Some(line) = call.line {
            let mark = if call.ok { "" } else { " ✗" };
            by_line.entry(line).or_default().push(format!(
                "{}.{} {} ms{mark}",
                call.server, call.tool, call.ms
            ));
        }
    }
    if let Some(error) = &last.report.error
        && let Some(line) = error.line
    {
        let message: String = error.message.chars().take(100).collect();
        by_line
            .entry(line)
            .or_default()
            .push(format!("✗ {}: {message}", error.kind));
    }
    by_line
        .into_iter()
        .filter_map(|(line, notes)| {
            let line = line.checked_sub(1)?;
            if line < range.start.line || line > range.end.line {
                return None;
            }
            let end = lines.get(line as usize)?.encode_utf16().count() as u32;
            Some(InlayHint {
                position: lsp::Position::new(line, end),
                label: InlayHintLabel::String(format!("  → {}", collapse(&notes))),
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

/// `a · a · b` as `a ×2 · b`, at most a few distinct entries.
fn collapse(notes: &[String]) -> String {
    let mut counted: Vec<(&str, usize)> = Vec::new();
    for note in notes {
        match counted.iter_mut().find(|(n, _)| *n == note.as_str()) {
            Some((_, count)) => *count += 1,
            None => counted.push((note, 1)),
        }
    }
    let shown: Vec<String> = counted
        .iter()
        .take(4)
        .map(|(n, c)| {
            if *c > 1 {
                format!("{n} ×{c}")
            } else {
                n.to_string()
            }
        })
        .collect();
    let mut out = shown.join(" · ");
    if counted.len() > 4 {
        out.push_str(&format!(" · … {} more", counted.len() - 4));
    }
    out
}
