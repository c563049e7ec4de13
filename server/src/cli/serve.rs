//! `codemode serve`: starts the configured servers behind the MCP facade, over stdio or
//! streamable HTTP, until the client leaves or the process is told to stop (Ctrl-C,
//! SIGTERM); then shuts the servers down. Progress and the HTTP address go to stderr.

use std::net::SocketAddr;
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

use futures::FutureExt;

use super::progress;
use crate::check::Checker;
use crate::config::{Config, Transport};
use crate::serve::{self, Facade};
use crate::workspace::{Shared, Workspace};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Serve streamable HTTP at ADDR (at path /mcp) instead of stdio: a port (bound on
    /// 127.0.0.1) or an address, e.g. 8765 or 127.0.0.1:8765 (port 0 picks a free port).
    /// Addresses other than loopback need "httpToken" in the configuration's "codemode"
    /// section; with a token, requests must send `Authorization: Bearer TOKEN`.
    #[arg(long, value_name = "ADDR", value_parser = parse_address)]
    pub http: Option<SocketAddr>,
}

pub async fn run(args: Args, mut config: Config, root: &Path, quiet: bool) -> ExitCode {
    // A client's own file (`.mcp.json`, `.vscode/mcp.json`) may list codemode itself; serving
    // it would start codemode inside codemode, forever.
    config.servers.retain(|server| {
        let itself = is_codemode_serve(&server.transport);
        if itself {
            eprintln!(
                "note: skipping server {:?} of {}: it is `codemode serve` itself",
                server.name, config.origin
            );
        }
        !itself
    });
    let token = config.settings.http_token.clone();
    let listener = match args.http {
        None => None,
        Some(address) => {
            if !address.ip().is_loopback() && token.is_none() {
                eprintln!(
                    "error: refusing to serve on {address} without a token: anyone who can reach it could call your tools. \
                     Set \"httpToken\" in the \"codemode\" section of the configuration (e.g. \"${{env:CODEMODE_HTTP_TOKEN}}\"), \
                     or bind to 127.0.0.1"
                );
                return ExitCode::from(2);
            }
            match tokio::net::TcpListener::bind(address).await {
                Ok(listener) => Some(listener),
                Err(error) => {
                    eprintln!("error: cannot listen on {address}: {error}");
                    return ExitCode::from(2);
                }
            }
        }
    };
    if let Some(listener) = &listener {
        match listener.local_addr() {
            Ok(bound) => eprintln!(
                "codemode serve: listening on http://{bound}/mcp{}",
                if token.is_some() {
                    " (bearer token required)"
                } else {
                    ""
                }
            ),
            Err(error) => {
                eprintln!("error: cannot read the bound address: {error}");
                return ExitCode::from(2);
            }
        }
    }

    // The checker loads TypeScript while the servers start; requests wait for both.
    let checker = Some(Arc::new(Checker::start_checking(
        config.trusted_folder.as_deref(),
    )));
    let shared = Shared::default();
    let facade = Facade::new(shared.ready());
    let start = async {
        let reporter = progress::Reporter::new(quiet, &config, 0);
        let workspace =
            Workspace::start(config, root, checker, &|event| reporter.event(event)).await;
        let workspace = Arc::new(workspace);
        shared.set(workspace.clone());
        workspace
    };
    let served = match listener {
        Some(listener) => serve::http(facade, listener, token, stop_signal()).boxed(),
        None => serve::stdio(facade, stop_signal()).boxed(),
    };
    let (workspace, served) = tokio::join!(start, served);
    // Requests still waiting for the servers see the shutdown.
    drop(shared);
    workspace.close().await;
    match served {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::from(1)
        }
    }
}

/// `PORT` (on loopback) or `IP:PORT`.
fn parse_address(text: &str) -> Result<SocketAddr, String> {
    if let Ok(port) = text.parse::<u16>() {
        return Ok(SocketAddr::from(([127, 0, 0, 1], port)));
    }
    text.parse().map_err(|_| {
        format!("expected a port (8765) or an address with a port (127.0.0.1:8765), got {text:?}")
    })
}

/// Whether a server entry runs `codemode serve` (by any path to the binary).
fn is_codemode_serve(transport: &Transport) -> bool {
    let Transport::Stdio { command, args, .. } = transport else {
        return false;
    };
    let program = std::path::Path::new(command)
        .file_stem()
        .and_then(|name| name.to_str())
        .unwrap_or_default();
    program == "codemode" && args.iter().any(|arg| arg == "serve")
}

/// Resolves on Ctrl-C or SIGTERM.
async fn stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut terminate) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = terminate.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
