//! Opening one MCP connection: a child process over stdio, a streamable HTTP endpoint, or a
//! built-in server in-process. Each ends in the same rmcp client service.
//!
//! A child gets only its own configured environment plus the few variables a platform needs
//! (never the parent's secrets), runs in its own process group, and is killed with that group
//! when its connection is dropped.

use std::collections::HashMap;
use std::time::Duration;

use process_wrap::tokio::{CommandWrap, KillOnDrop, ProcessGroup};
use rmcp::model::ProtocolVersion;
use rmcp::service::RunningService;
use rmcp::service::{ClientInitializeError, ClientLifecycleMode, ClientServiceExt};
use rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig;
use rmcp::{RoleClient, transport::StreamableHttpClientTransport};

use super::failure::Failure;
use super::handler::Handler;
use super::stderr::StderrTail;
use super::stdio::ChildTransport;
use crate::config::{ServerConfig, Transport};

/// Variables passed to every child server from codemode's own environment, as the MCP SDKs
/// do: what a program needs to find itself, its home and its locale. Nothing else is inherited.
const PLATFORM_ENV: &[&str] = &[
    "PATH",
    "HOME",
    "USER",
    "LOGNAME",
    "SHELL",
    "TERM",
    "LANG",
    "LC_ALL",
    "LC_CTYPE",
    "TMPDIR",
    "TZ",
    "SYSTEMROOT",
    "SYSTEMDRIVE",
    "WINDIR",
    "APPDATA",
    "LOCALAPPDATA",
    "USERPROFILE",
    "PROGRAMFILES",
    "TEMP",
    "TMP",
    "COMSPEC",
    "PATHEXT",
];

pub type Client = RunningService<RoleClient, Handler>;

/// A live connection and what is known about the other side.
pub struct Connection {
    pub client: Client,
    pub stderr: Option<StderrTail>,
}

/// Why a server could not be started.
#[derive(Debug)]
pub struct StartError {
    pub message: String,
    pub stderr: Vec<String>,
    pub why: super::Down,
}

/// Starts the server and completes `initialize`, within the configured startup time.
pub async fn connect(config: &ServerConfig, handler: Handler) -> Result<Connection, StartError> {
    let stderr = StderrTail::default();
    let attempt = async {
        match open(config, handler.clone(), &stderr, lifecycle()).await {
            // It answered `server/discover` with something else than a discovery or an
            // error (some servers answer every unknown method with `{}`): start again, the
            // 2025-11-25 way only.
            Err(Opening::DiscoveryMisread) => {
                open(config, handler, &stderr, ClientLifecycleMode::Initialize)
                    .await
                    .map_err(Opening::into_message)
            }
            other => other.map_err(Opening::into_message),
        }
    };
    match tokio::time::timeout(config.startup_timeout, attempt).await {
        Ok(Ok(client)) => Ok(Connection {
            client,
            stderr: matches!(config.transport, Transport::Stdio { .. }).then_some(stderr),
        }),
        Ok(Err((message, why))) => Err(StartError {
            message,
            stderr: settle(&stderr).await,
            why,
        }),
        Err(_) => Err(StartError {
            message: format!(
                "did not finish starting within {} (no answer to `initialize`); raise \
                 \"startupTimeout\" if it is only slow",
                seconds(config.startup_timeout)
            ),
            stderr: settle(&stderr).await,
            why: super::Down::Failed,
        }),
    }
}

/// The stderr tail after giving a dying child a moment to write its last words.
pub async fn settle(stderr: &StderrTail) -> Vec<String> {
    tokio::time::sleep(Duration::from_millis(100)).await;
    stderr.lines()
}

/// Why opening a connection did not work.
enum Opening {
    Failed(String),
    /// The server wants a sign-in first (said in the message).
    SignIn(String),
    /// The server answered `server/discover` with neither a discovery nor an error.
    DiscoveryMisread,
}

impl Opening {
    fn into_message(self) -> (String, super::Down) {
        match self {
            Opening::Failed(message) => (message, super::Down::Failed),
            Opening::SignIn(message) => (message, super::Down::NeedsSignIn),
            Opening::DiscoveryMisread => (
                "the server answered `server/discover` with something else than a discovery".into(),
                super::Down::Failed,
            ),
        }
    }
}

impl From<String> for Opening {
    fn from(message: String) -> Self {
        Opening::Failed(message)
    }
}

/// Sorts out a failed start: a misread discovery, or what `describe` says.
fn started(
    result: Result<Client, ClientInitializeError>,
    describe: impl FnOnce(&ClientInitializeError) -> Opening,
) -> Result<Client, Opening> {
    result.map_err(|error| match error {
        ClientInitializeError::ExpectedInitResult(_)
        | ClientInitializeError::ExpectedInitResponse(_) => Opening::DiscoveryMisread,
        other => describe(&other),
    })
}

async fn open(
    config: &ServerConfig,
    handler: Handler,
    stderr: &StderrTail,
    lifecycle: ClientLifecycleMode,
) -> Result<Client, Opening> {
    match &config.transport {
        Transport::Stdio {
            command,
            args,
            env,
            cwd,
        } => {
            let mut cmd = tokio::process::Command::new(command);
            cmd.args(args).env_clear();
            for name in PLATFORM_ENV {
                if let Some(value) = std::env::var_os(name) {
                    cmd.env(name, value);
                }
            }
            cmd.envs(env);
            if let Some(cwd) = cwd {
                cmd.current_dir(cwd);
            }
            let mut wrapped = CommandWrap::from(cmd);
            wrapped.wrap(ProcessGroup::leader()).wrap(KillOnDrop);
            let (transport, child_stderr) = ChildTransport::spawn(wrapped, &config.name)
                .map_err(|error| spawn_error(command, cwd.as_deref(), &error))?;
            if let Some(child_stderr) = child_stderr {
                stderr.follow(config.name.clone(), child_stderr);
            }
            started(
                handler.serve_with_lifecycle(transport, lifecycle).await,
                |error| {
                    Opening::Failed(format!(
                        "failed during `initialize`: {}",
                        super::failure::initialize_words(error)
                    ))
                },
            )
        }
        Transport::Http { url, headers } => {
            let mut custom = HashMap::new();
            for (name, value) in headers {
                let name = http::HeaderName::from_bytes(name.as_bytes())
                    .map_err(|_| format!("header name {name:?} is not a valid HTTP header name"))?;
                let value = http::HeaderValue::from_str(value).map_err(|_| {
                    format!("the value of header {name} is not a valid HTTP header value")
                })?;
                custom.insert(name, value);
            }
            let transport_config =
                StreamableHttpClientTransportConfig::with_uri(url.as_str()).custom_headers(custom);
            let served = match super::auth::client(url).await? {
                Some(signed_in) => {
                    handler
                        .serve_with_lifecycle(
                            StreamableHttpClientTransport::with_client(signed_in, transport_config),
                            lifecycle.clone(),
                        )
                        .await
                }
                None => {
                    handler
                        .serve_with_lifecycle(
                            StreamableHttpClientTransport::from_config(transport_config),
                            lifecycle,
                        )
                        .await
                }
            };
            started(served, |error| {
                match super::failure::http_failure(error, url) {
                    Failure::Other(what) => Opening::Failed(config.redact(&what)),
                    needs => Opening::SignIn(super::failure::sign_in_words(&needs, config)),
                }
            })
        }
        Transport::Builtin { name } => {
            let (client_side, server_side) = tokio::io::duplex(1 << 20);
            crate::demo::spawn(name, server_side).map_err(|e| e.to_string())?;
            started(
                handler.serve_with_lifecycle(client_side, lifecycle).await,
                |error| {
                    Opening::Failed(format!(
                        "built-in server {name} failed during `initialize`: {}",
                        super::failure::initialize_words(error)
                    ))
                },
            )
        }
    }
}

/// How a connection starts: MCP 2026-07-28's `server/discover` first, then, for a server
/// that does not know it (or says nothing within 10 s), the `initialize` handshake of
/// 2025-11-25 (which the server may answer with an older version it speaks).
fn lifecycle() -> ClientLifecycleMode {
    ClientLifecycleMode::Auto {
        preferred_versions: vec![ProtocolVersion::V_2026_07_28, ProtocolVersion::V_2025_11_25],
        legacy_version: Some(ProtocolVersion::LATEST_WITH_INITIALIZE),
    }
}

fn spawn_error(command: &str, cwd: Option<&std::path::Path>, error: &std::io::Error) -> String {
    match (error.kind(), cwd) {
        (std::io::ErrorKind::NotFound, Some(cwd)) if !cwd.is_dir() => {
            format!(
                "cannot start `{command}`: the working directory {} does not exist",
                cwd.display()
            )
        }
        (std::io::ErrorKind::NotFound, _) => {
            format!("cannot start `{command}`: no such program (is it installed and on PATH?)")
        }
        (std::io::ErrorKind::PermissionDenied, _) => {
            format!("cannot start `{command}`: permission denied (is it executable?)")
        }
        _ => format!("cannot start `{command}`: {error}"),
    }
}

pub fn seconds(duration: Duration) -> String {
    let secs = duration.as_secs_f64();
    if secs.fract() == 0.0 {
        format!("{secs:.0} s")
    } else {
        format!("{secs:.1} s")
    }
}
