//! `codemode run SCRIPT`: runs a script in the sandbox against the configured servers.
//! Human output by default (the script's console output and result on stdout, a summary on
//! stderr), or the whole report as JSON with `--json`.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::Outcome;
use super::ask::TerminalApproval;
use crate::approval::Approvals;
use crate::check::{self, Script};
use crate::printable;
use crate::runtime::{self, FailureKind, RunReport};
use crate::view;
use crate::workspace::Workspace;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The script: TypeScript (or JavaScript) with top-level await; `-` reads standard input.
    /// Its `export default` value is the result.
    pub script: PathBuf,

    /// Print the whole outcome as JSON: {ok, result, logs, toolCalls, error, diagnostics}.
    #[arg(long)]
    json: bool,

    /// Wall-clock limit of the run in seconds [default: 30, or "codemode": {"runTimeout"}].
    #[arg(long, value_name = "SECONDS")]
    timeout: Option<f64>,

    /// Run without type-checking first. By default a script with type errors is not run:
    /// the run fails with kind `type` and the diagnostics, and no tool is called.
    #[arg(long)]
    pub no_check: bool,

    /// Allow every tool call that needs approval without asking. By default each tool that
    /// may be destructive is asked about on the terminal when the script first calls it (once
    /// per run); with no terminal such calls are refused, unless the configuration's
    /// "autoApprove" or "allowDestructive" allows them.
    #[arg(long, short = 'y')]
    yes: bool,
}

/// The script's text and the name it is reported under; an error exits 2.
pub fn read_script(path: &Path) -> anyhow::Result<(String, String)> {
    if path == Path::new("-") {
        let mut text = String::new();
        std::io::Read::read_to_string(&mut std::io::stdin(), &mut text)?;
        return Ok(("stdin.ts".to_string(), text));
    }
    let text = std::fs::read_to_string(path)
        .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "script.ts".to_string());
    Ok((name, text))
}

pub async fn run(args: Args, script: Script, workspace: &Workspace) -> anyhow::Result<Outcome> {
    let Script { file, text } = script;
    let mut limits = workspace.limits().clone();
    if let Some(seconds) = args.timeout {
        if !(seconds.is_finite() && seconds > 0.0 && seconds <= 86_400.0) {
            anyhow::bail!("--timeout takes seconds, more than 0 and at most 86400");
        }
        limits.run_timeout = Duration::from_secs_f64(seconds);
    }
    let report = if args.yes {
        workspace
            .run_with(&file, text.clone(), &limits, &runtime::Unsupervised)
            .await
    } else {
        let approvals = Approvals::new(TerminalApproval, workspace);
        workspace
            .run_with(&file, text.clone(), &limits, &approvals)
            .await
    };
    let mut out = std::io::stdout().lock();
    if args.json {
        writeln!(out, "{}", serde_json::to_string_pretty(&report)?)?;
    } else {
        print_human(&mut out, &report, &file, &text)?;
    }
    Ok(if report.ok {
        Outcome::Success
    } else {
        Outcome::Failure
    })
}

/// The script's output and result on `out`, its diagnostics, error and summary on stderr.
fn print_human(
    out: &mut impl Write,
    report: &RunReport,
    file: &str,
    source_text: &str,
) -> anyhow::Result<()> {
    out.write_all(view::console(report).as_bytes())?;
    if !report.diagnostics.is_empty() {
        eprint!(
            "{}",
            printable::escape(&check::render(&report.diagnostics, |_| Some(source_text)))
        );
    }
    if !report.result.is_null() {
        let result = serde_json::to_string_pretty(&report.result)?;
        writeln!(out, "{}", printable::escape(&result))?;
    }
    out.flush()?;
    let summary = view::summary(report, view::Place::Output);
    match view::error_line(report, file) {
        None => eprintln!("✓ {summary}"),
        Some(error) => {
            eprintln!("{error}");
            if report.failure() == Some(FailureKind::Type) && report.diagnostics.is_empty() {
                eprintln!("  (`--no-check` runs it unchecked)");
            }
            eprintln!("✗ {summary}");
        }
    }
    Ok(())
}
