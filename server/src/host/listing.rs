//! A server's tool list: read page by page (bounded against servers that paginate forever),
//! and read again when the server says it changed (`notifications/tools/list_changed`) or
//! when the listing's freshness runs out (MCP 2026-07-28's `ttlMs`, SEP-2549).
//!
//! A listing with a `ttlMs` is stale that long after it was read: the server's watcher lists
//! again then (not more often than [`MIN_REFRESH`], so a server cannot make the host poll
//! it in a loop), and [`super::Host::refresh_stale`] lists again any stale server before a
//! run uses it, which is how `ttlMs: 0` ("do not reuse") is honoured without polling. A
//! listing without one is fresh until the server says otherwise.

use std::sync::Arc;
use std::time::{Duration, Instant};

use rmcp::model::PaginatedRequestParams;
use rmcp::service::{Peer, RoleClient};
use tokio::sync::watch;
use tokio::task::JoinHandle;

use super::{Server, State, failure};
use crate::catalog::ToolInfo;

/// At most this many `tools/list` pages are read from one server.
const MAX_PAGES: usize = 1000;
/// At most this many tools are kept from one server.
const MAX_TOOLS: usize = 50_000;
/// The watcher lists a server again at most this often, whatever its `ttlMs`.
const MIN_REFRESH: Duration = Duration::from_secs(1);

/// Every tool of a server, and until when the list may be reused.
pub struct Listing {
    pub tools: Vec<ToolInfo>,
    /// The shortest `ttlMs` of its pages, as the server gave it.
    pub ttl: Option<Duration>,
    /// `None`: until the server says its tools changed.
    pub stale_at: Option<Instant>,
}

/// Why the tools could not be listed.
pub enum ListError {
    /// The server wants a sign-in (or more of one) first.
    SignIn(failure::Failure),
    Other(String),
}

impl std::fmt::Display for ListError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ListError::SignIn(_) => f.write_str("the server wants a sign-in"),
            ListError::Other(error) => f.write_str(error),
        }
    }
}

impl From<String> for ListError {
    fn from(error: String) -> Self {
        ListError::Other(error)
    }
}

/// Every page of `tools/list`. The listing is fresh for the shortest `ttlMs` of its pages.
pub async fn list_tools(peer: &Peer<RoleClient>) -> Result<Listing, ListError> {
    let started = Instant::now();
    let mut tools = Vec::new();
    let mut ttl: Option<u64> = None;
    let mut cursor: Option<String> = None;
    let mut seen_cursors = std::collections::HashSet::new();
    for _ in 0..MAX_PAGES {
        let params = PaginatedRequestParams::default().with_cursor(cursor.clone());
        let page =
            peer.list_tools(Some(params))
                .await
                .map_err(|e| match failure::needs_sign_in(&e) {
                    Some(needs) => ListError::SignIn(needs),
                    None => ListError::Other(e.to_string()),
                })?;
        if let Some(page_ttl) = page.ttl_ms {
            ttl = Some(ttl.map_or(page_ttl, |t| t.min(page_ttl)));
        }
        for tool in page.tools {
            let value = serde_json::to_value(&tool).map_err(|e| e.to_string())?;
            let info: ToolInfo = serde_json::from_value(value)
                .map_err(|e| format!("tool {:?} is malformed: {e}", tool.name))?;
            tools.push(info);
        }
        if tools.len() > MAX_TOOLS {
            return Err(format!("more than {MAX_TOOLS} tools").into());
        }
        match page.next_cursor {
            None => {
                let stale_at = ttl.map(|ms| {
                    started
                        .checked_add(Duration::from_millis(ms))
                        .unwrap_or(started + Duration::from_secs(365 * 24 * 3600))
                });
                return Ok(Listing {
                    tools,
                    ttl: ttl.map(Duration::from_millis),
                    stale_at,
                });
            }
            Some(next) => {
                if !seen_cursors.insert(next.clone()) {
                    return Err(format!("pagination repeats cursor {next:?}").into());
                }
                cursor = Some(next);
            }
        }
    }
    Err(format!("more than {MAX_PAGES} pages of tools").into())
}

/// Lists `server`'s tools again; a change bumps `revision`.
pub async fn refresh(server: &Server, revision: &watch::Sender<u64>) {
    let peer = match &*server.state.read().unwrap_or_else(|e| e.into_inner()) {
        State::Ready { peer, .. } => peer.clone(),
        State::Known { .. } | State::Failed { .. } => return,
    };
    let listed = tokio::time::timeout(server.config.startup_timeout, list_tools(&peer)).await;
    match listed {
        Ok(Ok(listing)) => {
            let (resources, prompts) = super::offered(&peer);
            super::cached::keep(&server.config, &listing, resources, prompts);
            let changed = {
                let mut state = server.state.write().unwrap_or_else(|e| e.into_inner());
                let State::Ready {
                    tools, stale_at, ..
                } = &mut *state
                else {
                    return;
                };
                *stale_at = listing.stale_at;
                let changed = **tools != listing.tools;
                if changed {
                    *tools = Arc::new(listing.tools);
                }
                changed
            };
            if changed {
                server.validators.clear();
                tracing::info!(server = %server.config.name, "tool list changed");
                revision.send_modify(|r| *r += 1);
            }
        }
        Ok(Err(error)) => {
            tracing::warn!(server = %server.config.name, "refreshing tools failed: {error}")
        }
        Err(_) => {
            tracing::warn!(server = %server.config.name, "refreshing tools timed out")
        }
    }
}

/// Whether `server`'s listing has run out of freshness.
pub fn is_stale(server: &Server, now: Instant) -> bool {
    matches!(
        &*server.state.read().unwrap_or_else(|e| e.into_inner()),
        State::Ready { stale_at: Some(at), .. } if *at <= now
    )
}

/// Lists a server's tools again whenever it says they changed, and when its listing's
/// `ttlMs` runs out.
pub fn watch_tool_changes(
    server: Arc<Server>,
    tools_changed: Arc<tokio::sync::Notify>,
    revision: watch::Sender<u64>,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut listed_at = Instant::now();
        loop {
            let stale_at = match &*server.state.read().unwrap_or_else(|e| e.into_inner()) {
                State::Ready { stale_at, .. } => *stale_at,
                State::Known { .. } | State::Failed { .. } => return,
            };
            // `ttlMs: 0` is honoured before each use (`Host::refresh_stale`), not by polling.
            let wake = stale_at
                .filter(|at| *at > listed_at)
                .map(|at| at.max(listed_at + MIN_REFRESH));
            match wake {
                Some(at) => tokio::select! {
                    () = tools_changed.notified() => {}
                    () = tokio::time::sleep_until(at.into()) => {}
                },
                None => tools_changed.notified().await,
            }
            listed_at = Instant::now();
            refresh(&server, &revision).await;
        }
    })
}
