//! The MCP host: one client connection per configured server, started concurrently, and a
//! live catalog of their tools.
//!
//! A server that fails to start, crashes, hangs or speaks malformed JSON-RPC is reported
//! with its name and the last lines of its stderr; the others keep working. Calls have a
//! per-call timeout; a caller that gives up (timeout or dropped future) makes rmcp send
//! `notifications/cancelled`. `notifications/tools/list_changed`, or a listing's `ttlMs`
//! running out, refreshes the catalog and bumps [`Host::revision`] (`listing.rs`). Child
//! processes are shut down with the host and killed with their process group when dropped.
//!
//! The configuration's policy ([`crate::policy`]) leaves the tools it does not permit out of
//! the catalog and refuses calls to them; with an audit log configured, every call is
//! appended to it (`audit.rs`).
//!
//! Knows nothing of TypeScript, scripts or editors: it speaks MCP and hands out plain data.

mod audit;
pub mod auth;
pub mod cached;
mod call;
mod connect;
pub mod elicit;
pub(crate) mod failure;
mod handler;
mod listing;
mod oversize;
pub mod resources;
mod stderr;
mod stdio;
mod validate;

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use futures::future::join_all;
use rmcp::service::{Peer, RoleClient};
use tokio::sync::{Mutex, watch};
use tokio::task::JoinHandle;

pub use call::{CallError, ToolOutput};
pub use connect::seconds;

use crate::catalog::{Offers, ServerTools, ToolInfo};
use crate::config::{Config, ServerConfig};
use crate::policy::Policy;
use crate::user::CachedListing;
use audit::AuditLog;
use connect::Client;
use handler::Handler;
use listing::{ListError, list_tools, watch_tool_changes};
use stderr::StderrTail;

/// What happens while servers start, for progress output.
#[derive(Debug, Clone)]
pub enum StartEvent {
    Starting {
        server: String,
        transport: String,
    },
    Ready {
        server: String,
        tools: usize,
        elapsed: Duration,
    },
    Failed {
        server: String,
        error: String,
    },
}

/// A server's state as plain data.
#[derive(Debug, Clone, PartialEq)]
pub struct ServerStatus {
    pub server: String,
    /// How it is reached: its command line, URL, or `built-in demo`.
    pub transport: String,
    pub state: ServerState,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ServerState {
    Ready {
        tools: Vec<ToolInfo>,
    },
    Failed {
        error: String,
        stderr: Vec<String>,
        why: Down,
    },
}

/// Why a server is not running.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Down {
    /// It failed to start, or exited.
    Failed,
    /// It wants the person to sign in (`codemode login`) first, or again.
    NeedsSignIn,
}

/// The connections to every configured server.
pub struct Host {
    servers: Vec<Arc<Server>>,
    revision: watch::Sender<u64>,
    watchers: std::sync::Mutex<Vec<JoinHandle<()>>>,
    policy: Policy,
    /// The configured audit log, or why it cannot be opened.
    audit: Option<Result<Arc<AuditLog>, String>>,
    /// Where servers' questions go (when the configuration lets them reach the person).
    askers: elicit::Askers,
    /// The askers given to servers' handlers (`None`: questions are declined).
    offered: Option<elicit::Askers>,
}

struct Server {
    config: ServerConfig,
    state: RwLock<State>,
    /// The connection (shared by the calls in flight; taken at close). Calls go through it,
    /// not the bare peer, so that a 2026-07-28 `InputRequiredResult` is answered (by the
    /// handler's elicitation) and the call retried.
    client: Mutex<Option<Arc<Client>>>,
    /// Its tools' output schemas, compiled on first use.
    validators: validate::Validators,
    /// Held while a server known from the cache is started, so concurrent first calls
    /// start it once.
    starting: tokio::sync::Mutex<()>,
}

#[derive(Clone)]
enum State {
    Ready {
        peer: Peer<RoleClient>,
        /// Shared: every call clones the state it reads.
        tools: Arc<Vec<ToolInfo>>,
        /// When the listing stops being fresh (its `ttlMs`); `None`: when the server says.
        stale_at: Option<Instant>,
        stderr: Option<StderrTail>,
    },
    /// Known from the catalog cache and not started: started by its first call (a script
    /// that reached it by a name built at run time).
    Known {
        tools: Arc<Vec<ToolInfo>>,
        resources: bool,
        prompts: bool,
        /// Whether `tools` is a kept list (checked against the live one on start), or
        /// nothing is known of them (a server never listed, or whose list may not be kept).
        kept: bool,
    },
    Failed {
        error: String,
        stderr: Vec<String>,
        why: Down,
    },
}

impl Host {
    /// Starts every server of `config` at once and waits until each is ready or has failed.
    pub async fn start(config: &Config, progress: &(dyn Fn(StartEvent) + Sync)) -> Host {
        Host::start_with(config, &HashMap::new(), progress).await
    }

    /// [`Host::start`], but the servers in `known` are not started: their tools are taken
    /// as kept in the catalog cache (or, without a kept list, as none), and each is started
    /// by its first call.
    pub async fn start_with(
        config: &Config,
        known: &HashMap<String, Option<CachedListing>>,
        progress: &(dyn Fn(StartEvent) + Sync),
    ) -> Host {
        // Whatever logs what (rmcp and reqwest quote URLs), secrets stay out of stderr.
        crate::redact::register(
            config
                .servers
                .iter()
                .flat_map(|s| s.secrets.iter().map(|secret| secret.0.clone())),
        );
        if let Some(token) = &config.settings.http_token {
            crate::redact::register([token.0.clone()]);
        }
        let (revision, _) = watch::channel(0);
        let askers = elicit::Askers::default();
        let offered = (config.settings.elicitation == crate::config::Elicitation::Ask)
            .then(|| askers.clone());
        let started = join_all(config.servers.iter().map(|server| {
            let offered = offered.clone();
            async move {
                match known.get(&server.name) {
                    Some(listing) => (known_server(server, listing.as_ref()), None),
                    None => start_one(server, offered, progress).await,
                }
            }
        }))
        .await;
        let audit = config.settings.audit_log.as_deref().map(|path| {
            AuditLog::open(path).map(Arc::new).inspect_err(|error| {
                tracing::error!("{error}; tool calls will be refused");
            })
        });
        let mut host = Host {
            servers: Vec::new(),
            revision,
            watchers: Default::default(),
            policy: Policy::of(config),
            audit,
            askers,
            offered: offered.clone(),
        };
        for (server, tools_changed) in started {
            let server = Arc::new(server);
            if let Some(tools_changed) = tools_changed {
                host.watchers_mut().push(watch_tool_changes(
                    server.clone(),
                    tools_changed,
                    host.revision.clone(),
                ));
            }
            host.servers.push(server);
        }
        host
    }

    /// Lists again the tools of every server whose listing is past its `ttlMs`, before a
    /// script is checked or run against them.
    pub async fn refresh_stale(&self) {
        let now = Instant::now();
        join_all(
            self.servers
                .iter()
                .filter(|server| listing::is_stale(server, now))
                .map(|server| listing::refresh(server, &self.revision)),
        )
        .await;
    }

    /// Every server's state, in configuration order.
    pub fn status(&self) -> Vec<ServerStatus> {
        self.servers
            .iter()
            .map(|server| ServerStatus {
                server: server.config.name.clone(),
                transport: server.config.shown.clone(),
                state: match &*server.state.read().unwrap_or_else(|e| e.into_inner()) {
                    State::Ready { tools, .. } | State::Known { tools, .. } => ServerState::Ready {
                        tools: tools.to_vec(),
                    },
                    State::Failed { error, stderr, why } => ServerState::Failed {
                        error: error.clone(),
                        stderr: stderr.clone(),
                        why: *why,
                    },
                },
            })
            .collect()
    }

    /// How many servers are ready and how many have failed, without copying their tools.
    pub fn counts(&self) -> (usize, usize) {
        let ready = self
            .servers
            .iter()
            .filter(|server| {
                matches!(
                    &*server.state.read().unwrap_or_else(|e| e.into_inner()),
                    State::Ready { .. } | State::Known { .. }
                )
            })
            .count();
        (ready, self.servers.len() - ready)
    }

    /// Puts the questions servers ask while their tools run to `asker` (when the
    /// configuration's `elicitation` is `"ask"`; else they are declined before reaching it).
    pub fn set_asker(&self, asker: Arc<dyn elicit::Asker>) {
        self.askers.set(asker);
    }

    /// The MCP version a running server and codemode agreed on (`2026-07-28` after
    /// `server/discover`, else what the server answered `initialize` with).
    pub fn protocol_version(&self, server: &str) -> Option<String> {
        let server = self.servers.iter().find(|s| s.config.name == server)?;
        match &*server.state.read().unwrap_or_else(|e| e.into_inner()) {
            State::Ready { peer, .. } => peer
                .peer_info()
                .map(|info| info.protocol_version.to_string()),
            State::Known { .. } | State::Failed { .. } => None,
        }
    }

    /// The servers that failed to start (or later), in configuration order.
    pub fn failed(&self) -> Vec<String> {
        self.status()
            .into_iter()
            .filter(|s| matches!(s.state, ServerState::Failed { .. }))
            .map(|s| s.server)
            .collect()
    }

    /// The tools of every ready server that the configuration permits, for the generator.
    pub fn catalog(&self) -> Vec<ServerTools> {
        let ready = self
            .status()
            .into_iter()
            .filter_map(|status| match status.state {
                ServerState::Ready { tools } => Some(ServerTools {
                    offers: self.offers(&status.server),
                    server: status.server,
                    tools,
                }),
                ServerState::Failed { .. } => None,
            })
            .collect();
        self.policy.filter(ready)
    }

    /// The resources and prompts `server` declared, as far as the policy permits them
    /// (`server.resources/read`, `server.prompts/get` are named like tools in
    /// `allowTools` / `denyTools`).
    fn offers(&self, server: &str) -> Offers {
        let Some(entry) = self.servers.iter().find(|s| s.config.name == server) else {
            return Offers::default();
        };
        let (resources, prompts) = match &*entry.state.read().unwrap_or_else(|e| e.into_inner()) {
            State::Ready { peer, .. } => offered(peer),
            State::Known {
                resources, prompts, ..
            } => (*resources, *prompts),
            State::Failed { .. } => (false, false),
        };
        Offers {
            resources: resources && self.policy.permits(server, resources::READ),
            prompts: prompts && self.policy.permits(server, resources::GET_PROMPT),
        }
    }

    /// The configuration's tool policy.
    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    /// A counter that moves whenever a server's tool list changes.
    pub fn revision(&self) -> watch::Receiver<u64> {
        self.revision.subscribe()
    }

    /// Calls `tool` on `server` with `arguments`, within the server's per-call timeout.
    pub async fn call_tool(
        &self,
        server: &str,
        tool: &str,
        arguments: Option<serde_json::Map<String, serde_json::Value>>,
    ) -> Result<ToolOutput, CallError> {
        let Some(entry) = self.servers.iter().find(|s| s.config.name == server) else {
            return Err(CallError::UnknownServer {
                server: server.to_string(),
            });
        };
        let audit = self.audit_begin(server, tool, arguments.as_ref())?;
        let answer = if self.policy.permits(server, tool) {
            match self.ensure_started(entry).await {
                Ok(()) => call::call(entry, tool, arguments).await,
                Err(error) => Err(error),
            }
        } else {
            Err(CallError::Denied {
                server: server.to_string(),
                tool: tool.to_string(),
            })
        };
        audit_finish(audit, answer.as_ref().map(|output| output.is_error));
        answer
    }

    /// The audit log's entry for a call about to be made (`None` without a log); an error
    /// when the log cannot be written, so that no call is made.
    fn audit_begin(
        &self,
        server: &str,
        tool: &str,
        arguments: Option<&serde_json::Map<String, serde_json::Value>>,
    ) -> Result<Option<audit::Pending>, CallError> {
        match &self.audit {
            None => Ok(None),
            Some(Ok(log)) => Ok(Some(log.begin(server, tool, arguments))),
            Some(Err(message)) => Err(CallError::Audit {
                message: message.clone(),
            }),
        }
    }

    fn watchers_mut(&self) -> std::sync::MutexGuard<'_, Vec<JoinHandle<()>>> {
        self.watchers.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Connects to server `name` again (after a sign-in: a server that is not running, so
    /// no watcher of its old connection is left): its old connection is closed, and
    /// [`Host::revision`] moves when the new one is up. False when no server has that name.
    pub async fn reconnect(&self, name: &str) -> bool {
        let Some(server) = self.servers.iter().find(|s| s.config.name == name) else {
            return false;
        };
        let (fresh, tools_changed) = start_one(&server.config, self.offered.clone(), &|_| {}).await;
        let old = server.client.lock().await.take();
        if let Some(old) = old {
            old.cancellation_token().cancel();
        }
        let state = std::mem::replace(
            &mut *fresh.state.write().unwrap_or_else(|e| e.into_inner()),
            State::Failed {
                error: String::new(),
                stderr: Vec::new(),
                why: Down::Failed,
            },
        );
        *server.state.write().unwrap_or_else(|e| e.into_inner()) = state;
        *server.client.lock().await = fresh.client.lock().await.take();
        server.validators.clear();
        if let Some(tools_changed) = tools_changed {
            let watcher = watch_tool_changes(server.clone(), tools_changed, self.revision.clone());
            self.watchers_mut().push(watcher);
        }
        self.revision.send_modify(|r| *r += 1);
        true
    }

    /// Starts `server` when it is only known from the cache (once, however many calls wait
    /// for it). A server whose tools are no longer those the script was checked against
    /// refuses the call: the script must be checked again.
    async fn ensure_started(&self, server: &Arc<Server>) -> Result<(), CallError> {
        let is_known =
            |server: &Server| match &*server.state.read().unwrap_or_else(|e| e.into_inner()) {
                State::Known { tools, kept, .. } => Some(kept.then(|| tools.clone())),
                _ => None,
            };
        if is_known(server).is_none() {
            return Ok(());
        }
        let _one_at_a_time = server.starting.lock().await;
        let Some(kept) = is_known(server) else {
            return Ok(());
        };
        self.reconnect(&server.config.name).await;
        let live = match &*server.state.read().unwrap_or_else(|e| e.into_inner()) {
            State::Ready { tools, .. } => tools.clone(),
            _ => return Ok(()),
        };
        if kept.is_some_and(|kept| *live != *kept) {
            return Err(CallError::ToolsChanged {
                server: server.config.name.clone(),
            });
        }
        Ok(())
    }

    /// Starts every server known only from the cache, at once (the language server's
    /// background start); a live list replaces the kept one.
    pub async fn start_known(&self) {
        join_all(self.servers.iter().map(|server| async move {
            // A list that changed has replaced the kept one either way.
            let _ = self.ensure_started(server).await;
        }))
        .await;
    }

    /// Closes every connection (children get their stdin closed, then SIGTERM, then SIGKILL).
    pub async fn shutdown(self) {
        self.close().await;
    }

    /// [`Host::shutdown`] for a shared host: closes every connection; calls fail after it.
    pub async fn close(&self) {
        for watcher in self.watchers_mut().iter() {
            watcher.abort();
        }
        let closing = self.servers.iter().map(|server| async move {
            if let Some(client) = server.client.lock().await.take() {
                match Arc::try_unwrap(client) {
                    Ok(mut client) => {
                        let _ = client.close_with_timeout(Duration::from_secs(5)).await;
                    }
                    // A call still holds it: stop the connection; the last holder drops it
                    // (and, for a child process, its process group).
                    Err(shared) => shared.cancellation_token().cancel(),
                }
            }
        });
        join_all(closing).await;
    }
}

impl Drop for Host {
    fn drop(&mut self) {
        for watcher in self.watchers_mut().iter() {
            watcher.abort();
        }
    }
}

/// `lines` with `config`'s secrets redacted.
fn redact_all(config: &ServerConfig, lines: Vec<String>) -> Vec<String> {
    lines.into_iter().map(|line| config.redact(&line)).collect()
}

async fn start_one(
    config: &ServerConfig,
    askers: Option<elicit::Askers>,
    progress: &(dyn Fn(StartEvent) + Sync),
) -> (Server, Option<Arc<tokio::sync::Notify>>) {
    let started = Instant::now();
    progress(StartEvent::Starting {
        server: config.name.clone(),
        transport: config.shown.clone(),
    });
    let handler = Handler::new(&config.name, askers);
    let tools_changed = handler.tools_changed.clone();
    let failed = |error: String, stderr: Vec<String>, why: Down| {
        // Whatever a server or its transport said may quote its command line, URL or
        // environment: its secrets go before anyone sees it.
        let error = config.redact(&error);
        let stderr = redact_all(config, stderr);
        progress(StartEvent::Failed {
            server: config.name.clone(),
            error: error.clone(),
        });
        Server {
            config: config.clone(),
            state: RwLock::new(State::Failed { error, stderr, why }),
            client: Mutex::new(None),
            validators: Default::default(),
            starting: Default::default(),
        }
    };
    let connection = match connect::connect(config, handler).await {
        Ok(connection) => connection,
        Err(error) => return (failed(error.message, error.stderr, error.why), None),
    };
    let peer = connection.client.peer().clone();
    let listed = tokio::time::timeout(config.startup_timeout, list_tools(&peer)).await;
    let listing = match listed {
        Ok(Ok(listing)) => listing,
        Ok(Err(ListError::SignIn(needs))) => {
            let error = failure::sign_in_words(&needs, config);
            return (failed(error, Vec::new(), Down::NeedsSignIn), None);
        }
        Ok(Err(ListError::Other(error))) => {
            let stderr = stderr_of(&connection.stderr).await;
            return (
                failed(
                    format!("`tools/list` failed: {error}"),
                    stderr,
                    Down::Failed,
                ),
                None,
            );
        }
        Err(_) => {
            let stderr = stderr_of(&connection.stderr).await;
            let error = format!(
                "no answer to `tools/list` within {}",
                seconds(config.startup_timeout)
            );
            return (failed(error, stderr, Down::Failed), None);
        }
    };
    progress(StartEvent::Ready {
        server: config.name.clone(),
        tools: listing.tools.len(),
        elapsed: started.elapsed(),
    });
    let (resources, prompts) = offered(&peer);
    cached::keep(config, &listing, resources, prompts);
    let server = Server {
        config: config.clone(),
        state: RwLock::new(State::Ready {
            peer,
            tools: Arc::new(listing.tools),
            stale_at: listing.stale_at,
            stderr: connection.stderr,
        }),
        client: Mutex::new(Some(Arc::new(connection.client))),
        validators: Default::default(),
        starting: Default::default(),
    };
    (server, Some(tools_changed))
}

/// Whether the server declared `resources` and `prompts` (whatever the policy permits).
fn offered(peer: &Peer<RoleClient>) -> (bool, bool) {
    peer.peer_info().map_or((false, false), |info| {
        (
            info.capabilities.resources.is_some(),
            info.capabilities.prompts.is_some(),
        )
    })
}

/// A server not started: known from its kept list, or not at all.
fn known_server(config: &ServerConfig, listing: Option<&CachedListing>) -> Server {
    Server {
        config: config.clone(),
        state: RwLock::new(State::Known {
            tools: Arc::new(listing.map(|l| l.tools.clone()).unwrap_or_default()),
            resources: listing.is_some_and(|l| l.resources),
            prompts: listing.is_some_and(|l| l.prompts),
            kept: listing.is_some(),
        }),
        client: Mutex::new(None),
        validators: Default::default(),
        starting: Default::default(),
    }
}

async fn stderr_of(tail: &Option<StderrTail>) -> Vec<String> {
    match tail {
        Some(tail) => connect::settle(tail).await,
        None => Vec::new(),
    }
}

/// Writes how a call ended into its audit entry: `Ok(true)` is a tool that said it failed.
fn audit_finish(audit: Option<audit::Pending>, ended: Result<bool, &CallError>) {
    let Some(audit) = audit else {
        return;
    };
    match ended {
        Ok(true) => audit.finish("tool-error", None),
        Ok(false) => audit.finish("ok", None),
        Err(error @ CallError::Timeout { .. }) => audit.finish("timeout", Some(&error.to_string())),
        Err(error @ CallError::Denied { .. }) => audit.finish("denied", Some(&error.to_string())),
        Err(error) => audit.finish("error", Some(&error.to_string())),
    }
}
