//! codemode's side of each MCP connection: who it says it is, and what it does when a server
//! notifies that its tools changed. It offers no sampling, roots or elicitation, so servers'
//! requests for them are declined.

use std::sync::Arc;

use rmcp::model::{ClientCapabilities, ClientConfig, Implementation};
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
        ClientConfig::new(
            ClientCapabilities::default(),
            Implementation::new("codemode", env!("CARGO_PKG_VERSION")),
        )
    }

    async fn on_tool_list_changed(&self, _context: NotificationContext<RoleClient>) {
        self.tools_changed.notify_one();
    }
}
