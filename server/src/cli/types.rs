//! `codemode types`: the whole declaration file scripts are checked against — the script
//! environment (`console`, `ToolResult`, `ToolError`) and one namespace per server.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context;

use super::Outcome;
use crate::workspace::Workspace;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Write the declarations to FILE instead of stdout.
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,

    /// Start the servers and list their tools again, instead of using the tool lists
    /// codemode keeps from the last time (used while fresh: within a server's `ttlMs`, else
    /// a day).
    #[arg(long)]
    pub fresh: bool,
}

/// `codemode types` from the tool lists kept from the last time: no server is started.
pub fn run_cached(args: Args, catalog: &[crate::catalog::ServerTools]) -> anyhow::Result<Outcome> {
    write(&args, &crate::codegen::generate(catalog))?;
    Ok(Outcome::Success)
}

fn write(args: &Args, generated: &crate::codegen::Generated) -> anyhow::Result<()> {
    for warning in &generated.warnings {
        eprintln!("warning: {warning}");
    }
    let text = generated.declarations();
    match &args.output {
        Some(path) => std::fs::write(path, &text)
            .with_context(|| format!("cannot write {}", path.display()))?,
        None => std::io::stdout().lock().write_all(text.as_bytes())?,
    }
    Ok(())
}

pub async fn run(args: Args, workspace: &Workspace) -> anyhow::Result<Outcome> {
    let host = workspace.host();
    let api = workspace.api();
    write(&args, &api.generated)?;
    let failed = host.failed();
    if failed.is_empty() {
        Ok(Outcome::Success)
    } else {
        eprintln!(
            "error: the declarations leave out {} (failed to start; see `codemode tools`)",
            failed.join(", ")
        );
        Ok(Outcome::Failure)
    }
}
