//! codemode's side of each MCP connection: who it says it is, and what it does when a server
//! notifies that its tools changed. It offers no sampling, roots or elicitation, so servers'
//! requests for them are declined.

use std::sync::Arc;

use rmcp::model::{ClientCapabilities, ClientConfig, Implementation, ProtocolVersion};
use rmcp::service::{NotificationContext, RoleClient};
use tokio::sync::Notify;

#[derive(Clone)]
pub struct Handler {
    /// Woken by `notifications/tools/list_changed`.
    pub tools_changed: Arc<Notify>,
}

impl Handler {
    pub fn new() -> Self {
        Handler {
            tools_changed: Arc::new(Notify::new()),
        }
    }
}

impl rmcp::ClientHandler for Handler {
    fn get_info(&self) -> ClientConfig {
        // The version an `initialize` handshake names: the newest that has one (2026-07-28
        // replaced it with `server/discover`, tried first: host/connect.rs).
        ClientConfig::new(
            ClientCapabilities::default(),
            Implementation::new("codemode", env!("CARGO_PKG_VERSION")),
        )
        .with_protocol_version(ProtocolVersion::LATEST_WITH_INITIALIZE)
    }

    async fn on_tool_list_changed(&self, _context: NotificationContext<RoleClient>) {
        self.tools_changed.notify_one();
    }
}
