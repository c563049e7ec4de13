//! `codemode run SCRIPT`: runs a script in the sandbox against the configured servers.
//! Human output by default (the script's console output and result on stdout, a summary on
//! stderr), or the whole report as JSON with `--json`.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::Outcome;
use crate::check::{self, Checker, Script};
use crate::codegen;
use crate::config::Config;
use crate::engine::Level;
use crate::host::Host;
use crate::runtime::{self, RunOptions, RunReport};

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

pub async fn run(
    args: Args,
    script: Script,
    checker: Option<&Checker>,
    host: &Host,
    config: &Config,
) -> anyhow::Result<Outcome> {
    let Script { file, text } = script;
    let mut options = RunOptions::from_settings(&config.settings);
    if let Some(seconds) = args.timeout {
        if !(seconds.is_finite() && seconds > 0.0 && seconds <= 86_400.0) {
            anyhow::bail!("--timeout takes seconds, more than 0 and at most 86400");
        }
        options.timeout = Duration::from_secs_f64(seconds);
    }
    let generated = codegen::generate(&host.catalog());
    let report = runtime::check_then_run(
        host,
        &generated,
        checker,
        &file,
        text.clone(),
        &options,
        &runtime::Unsupervised,
    )
    .await;
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

fn print_human(
    out: &mut impl Write,
    report: &RunReport,
    file: &str,
    source_text: &str,
) -> anyhow::Result<()> {
    for line in &report.logs {
        match line.level {
            Level::Log | Level::Info => writeln!(out, "{}", line.text)?,
            Level::Warn => writeln!(out, "warning: {}", line.text)?,
            Level::Error => writeln!(out, "error: {}", line.text)?,
        }
    }
    if report.dropped_output_bytes > 0 {
        writeln!(
            out,
            "… [{} more bytes of output were dropped at the output limit]",
            report.dropped_output_bytes
        )?;
    }
    if !report.diagnostics.is_empty() {
        eprint!(
            "{}",
            check::render(&report.diagnostics, |_| Some(source_text))
        );
    }
    if !report.result.is_null() {
        writeln!(out, "{}", serde_json::to_string_pretty(&report.result)?)?;
    }
    out.flush()?;
    let calls = report.tool_calls.len();
    let failed = report.tool_calls.iter().filter(|c| !c.ok).count();
    let mut summary = format!(
        "{calls} tool call{}{} · {} ms · {} of tool results kept out of this output",
        if calls == 1 { "" } else { "s" },
        if failed > 0 {
            format!(" ({failed} failed)")
        } else {
            String::new()
        },
        report.duration_ms,
        bytes(report.tool_result_bytes()),
    );
    match &report.error {
        None => eprintln!("✓ {summary}"),
        Some(error) => {
            let at = match (error.line, error.column) {
                (Some(line), Some(column)) => format!(" {file}:{line}:{column}:"),
                _ => String::new(),
            };
            eprintln!("error[{}]{at} {}", error.kind, error.message);
            if error.kind == "type" && report.diagnostics.is_empty() {
                eprintln!("  (`--no-check` runs it unchecked)");
            }
            summary.insert_str(0, "✗ ");
            eprintln!("{summary}");
        }
    }
    Ok(())
}

fn bytes(n: usize) -> String {
    match n {
        n if n < 1024 => format!("{n} B"),
        n if n < 1024 * 1024 => format!("{:.1} kB", n as f64 / 1024.0),
        n => format!("{:.1} MB", n as f64 / (1024.0 * 1024.0)),
    }
}
