//! `codemode tools`: the configured servers, their status and their tools, for people
//! (a readable list) or programs (`--json`).

use std::fmt::Write as _;
use std::io::Write;

use serde_json::json;

use super::Outcome;
use crate::codegen;
use crate::host::{Down, ServerState};
use crate::inventory;
use crate::printable;
use crate::workspace::Workspace;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Print JSON: every server with its status, and every tool with its function name and schemas.
    #[arg(long)]
    json: bool,
}

pub async fn run(args: Args, workspace: &Workspace) -> anyhow::Result<Outcome> {
    let host = workspace.host();
    let config = &workspace.config;
    let status = host.status();
    let api = workspace.api();
    let index = &api.generated.index;
    let function_of = |server: &str, tool: &str| -> Option<(String, String)> {
        let entry = index.server(server)?;
        let tool = entry.tool(tool)?;
        Some((entry.namespace.clone(), tool.function.clone()))
    };
    let failed = status
        .iter()
        .any(|s| matches!(s.state, ServerState::Failed { .. }));
    let mut out = std::io::stdout().lock();

    if args.json {
        let mut servers = inventory::servers(host);
        servers.extend(inventory::untrusted(config));
        let document = json!({ "config": config.origin.to_string(), "servers": servers });
        writeln!(out, "{}", serde_json::to_string_pretty(&document)?)?;
    } else {
        // Tool descriptions and stderr lines are the servers' text: shown escaped.
        let mut text = String::new();
        for (index, server) in status.iter().enumerate() {
            if index > 0 {
                writeln!(text)?;
            }
            match &server.state {
                ServerState::Ready { tools } => {
                    writeln!(
                        out,
                        "{}  ready  {} tool{}  ({})",
                        server.server,
                        tools.len(),
                        if tools.len() == 1 { "" } else { "s" },
                        server.transport
                    )?;
                    let named: Vec<(String, &crate::catalog::ToolInfo)> = tools
                        .iter()
                        .map(|tool| {
                            let name = function_of(&server.server, &tool.name)
                                .map(|(ns, f)| format!("{ns}.{f}"))
                                .unwrap_or_else(|| tool.name.clone());
                            (name, tool)
                        })
                        .collect();
                    let width = named
                        .iter()
                        .map(|(n, _)| n.chars().count())
                        .max()
                        .unwrap_or(0);
                    for (name, tool) in named {
                        let summary = tool
                            .description
                            .as_deref()
                            .and_then(|d| d.lines().find(|l| !l.trim().is_empty()))
                            .unwrap_or("")
                            .trim();
                        let summary = shorten(summary, 90);
                        let mut hints = codegen::hints(&tool.annotations);
                        if !host.policy().permits(&server.server, &tool.name) {
                            hints.insert(0, "hidden by allowTools/denyTools");
                        }
                        let hints = if hints.is_empty() {
                            String::new()
                        } else {
                            format!("  [{}]", hints.join(", "))
                        };
                        writeln!(text, "  {name:<width$}  {summary}{hints}")?;
                    }
                }
                ServerState::Failed { error, stderr, why } => {
                    let status = match why {
                        Down::Failed => "FAILED",
                        Down::NeedsSignIn => "NEEDS SIGN-IN",
                    };
                    writeln!(text, "{}  {status}  ({})", server.server, server.transport)?;
                    writeln!(text, "  {error}")?;
                    if !stderr.is_empty() {
                        writeln!(text, "  last lines of its stderr:")?;
                        for line in stderr {
                            writeln!(text, "    {line}")?;
                        }
                    }
                }
            }
        }
        if let Some(untrusted) = &config.untrusted {
            for server in &untrusted.servers {
                if !text.is_empty() {
                    writeln!(text)?;
                }
                writeln!(text, "{}  NOT TRUSTED  ({})", server.name, server.shown)?;
            }
            writeln!(
                text,
                "\n{} is not trusted: nothing in it was started or expanded. To trust it: {}",
                untrusted.file.display(),
                untrusted.command()
            )?;
        } else if status.is_empty() {
            writeln!(text, "no servers configured in {}", config.origin)?;
        }
        out.write_all(printable::escape(&text).as_bytes())?;
    }
    Ok(if failed {
        Outcome::Failure
    } else {
        Outcome::Success
    })
}

fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_string()
    } else {
        let cut: String = text.chars().take(max - 1).collect();
        format!("{}…", cut.trim_end())
    }
}
