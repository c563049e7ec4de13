//! `codemode check SCRIPT...`: type-checks scripts against the configured servers' API,
//! calling no tool, with TypeScript 7 when one is found, else the embedded TypeScript 6
//! (`check::choose`). Diagnostics on stdout (`file:line:col - error TS2322: message`, the
//! line, a caret, a hint), or `{diagnostics: [...], engine}` with `--json`; a summary naming
//! the engine on stderr. Exit 0 when there is no error, 1 when there are errors.

use std::io::Write;
use std::time::Instant;

use super::Outcome;
use crate::check::{self, Checker, Script, Severity};
use crate::codegen;
use crate::config::Config;
use crate::workspace::Workspace;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The scripts (TypeScript with top-level await); `-` reads standard input. Their
    /// configuration is found from the first script's folder.
    #[arg(required = true, value_name = "SCRIPT")]
    pub scripts: Vec<std::path::PathBuf>,

    /// Print {diagnostics: [{file, line, column, endLine, endColumn, code, severity,
    /// message, hint}], engine: {kind, version, binary?, note?}}: 1-based lines and columns
    /// (UTF-16 code units, as tsc counts), and the TypeScript that answered.
    #[arg(long)]
    json: bool,

    /// Check against this declaration file (written by `codemode types -o FILE`) instead of
    /// starting the configured servers.
    #[arg(long, value_name = "FILE")]
    pub api: Option<std::path::PathBuf>,

    /// Start the servers and list their tools again, instead of checking against the tool
    /// lists codemode keeps from the last time (used while fresh: within a server's `ttlMs`,
    /// else a day).
    #[arg(long, conflicts_with = "api")]
    pub fresh: bool,
}

/// The API of a declaration file written by `codemode types`: without the script
/// environment, which the checker adds itself.
pub fn read_api(path: &std::path::Path) -> anyhow::Result<String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?;
    Ok(match text.strip_prefix(codegen::PRELUDE) {
        Some(api) => api.to_string(),
        None => text,
    })
}

/// `codemode check --api FILE`: no server is started.
pub async fn run_offline(
    args: Args,
    api: String,
    scripts: Vec<Script>,
    config: &Config,
    quiet: bool,
) -> anyhow::Result<Outcome> {
    let checker = Checker::start_checking(config.trusted_folder.as_deref());
    let tools = check::tools_declared(&api);
    let timeout = config.settings.limits.check_timeout;
    report(args, &api, tools, scripts, &checker, timeout, quiet).await
}

/// `codemode check` against the tool lists kept from the last time: no server is started.
pub async fn run_cached(
    args: Args,
    catalog: Vec<crate::catalog::ServerTools>,
    scripts: Vec<Script>,
    config: &Config,
    checker: &Checker,
    quiet: bool,
) -> anyhow::Result<Outcome> {
    let generated = codegen::generate(&catalog);
    let tools = generated.index.tool_count();
    let timeout = config.settings.limits.check_timeout;
    report(
        args,
        &generated.api,
        tools,
        scripts,
        checker,
        timeout,
        quiet,
    )
    .await
}

pub async fn run(
    args: Args,
    scripts: Vec<Script>,
    workspace: &Workspace,
    quiet: bool,
) -> anyhow::Result<Outcome> {
    let api = workspace.api();
    let failed = workspace.host().failed();
    if !failed.is_empty() {
        eprintln!(
            "warning: the API leaves out {} (failed to start; see `codemode tools`), so calls to it are errors",
            failed.join(", ")
        );
    }
    let tools = api.generated.index.tool_count();
    let checker = workspace
        .checker()
        .ok_or_else(|| anyhow::anyhow!("no checker was started"))?;
    let timeout = workspace.limits().check_timeout;
    report(args, &api.text, tools, scripts, checker, timeout, quiet).await
}

async fn report(
    args: Args,
    api: &str,
    tools: usize,
    scripts: Vec<Script>,
    checker: &Checker,
    timeout: std::time::Duration,
    quiet: bool,
) -> anyhow::Result<Outcome> {
    let started = Instant::now();
    let diagnostics = checker.check(api, &scripts, timeout).await?;
    let mut out = std::io::stdout().lock();
    if args.json {
        let document =
            serde_json::json!({ "diagnostics": diagnostics, "engine": checker.engine() });
        writeln!(out, "{}", serde_json::to_string_pretty(&document)?)?;
    } else {
        let text = check::render(&diagnostics, |file| {
            scripts
                .iter()
                .find(|s| s.file == file)
                .map(|s| s.text.as_str())
        });
        out.write_all(crate::printable::escape(&text).as_bytes())?;
    }
    out.flush()?;
    let errors = diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count();
    let with_errors = scripts
        .iter()
        .filter(|s| {
            diagnostics
                .iter()
                .any(|d| d.file == s.file && d.severity == Severity::Error)
        })
        .count();
    if !quiet {
        let what = format!(
            "{} script{} against {tools} tools ({}, {} ms)",
            scripts.len(),
            if scripts.len() == 1 { "" } else { "s" },
            checker.engine(),
            started.elapsed().as_millis()
        );
        if errors == 0 {
            eprintln!("✓ no type errors in {what}");
        } else {
            eprintln!(
                "✗ {errors} type error{} in {with_errors} of {what}",
                if errors == 1 { "" } else { "s" }
            );
        }
    }
    Ok(if errors == 0 {
        Outcome::Success
    } else {
        Outcome::Failure
    })
}
