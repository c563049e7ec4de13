//! codemode's side of each MCP connection: who it says it is, what it does when a server
//! notifies that its tools changed, and the questions a server asks while a tool runs
//! (elicitation, declared only when the configuration lets them reach the person; see
//! `elicit.rs`). It offers no sampling or roots, so servers' requests for them are declined.

use std::sync::Arc;

use rmcp::ErrorData;
use rmcp::model::{
    ClientCapabilities, ClientConfig, ElicitRequestParams, ElicitResult, ElicitationAction,
    ElicitationCapability, FormElicitationCapability, Implementation, ProtocolVersion,
};
use rmcp::service::{NotificationContext, RequestContext, RoleClient};
use tokio::sync::Notify;

use super::elicit::{Answer, Askers, Question};

#[derive(Clone)]
pub struct Handler {
    /// Woken by `notifications/tools/list_changed`.
    pub tools_changed: Arc<Notify>,
    server: String,
    /// Where a server's questions go; `None`: declined, and not offered.
    askers: Option<Askers>,
}

impl Handler {
    pub fn new(server: &str, askers: Option<Askers>) -> Self {
        Handler {
            tools_changed: Arc::new(Notify::new()),
            server: server.to_string(),
            askers,
        }
    }
}

impl rmcp::ClientHandler for Handler {
    fn get_info(&self) -> ClientConfig {
        let mut capabilities = ClientCapabilities::default();
        if self.askers.is_some() {
            let mut elicitation = ElicitationCapability::default();
            elicitation.form = Some(FormElicitationCapability::default());
            capabilities.elicitation = Some(elicitation);
        }
        // The version an `initialize` handshake names: the newest that has one (2026-07-28
        // replaced it with `server/discover`, tried first: host/connect.rs).
        ClientConfig::new(
            capabilities,
            Implementation::new("codemode", env!("CARGO_PKG_VERSION")),
        )
        .with_protocol_version(ProtocolVersion::LATEST_WITH_INITIALIZE)
    }

    async fn on_tool_list_changed(&self, _context: NotificationContext<RoleClient>) {
        self.tools_changed.notify_one();
    }

    async fn create_elicitation(
        &self,
        request: ElicitRequestParams,
        _context: RequestContext<RoleClient>,
    ) -> Result<ElicitResult, ErrorData> {
        let (
            Some(askers),
            ElicitRequestParams::FormElicitationParams {
                message,
                requested_schema,
                ..
            },
        ) = (&self.askers, request)
        else {
            return Ok(ElicitResult::new(ElicitationAction::Decline));
        };
        let schema = serde_json::to_value(&requested_schema).unwrap_or_default();
        let question = Question {
            server: self.server.clone(),
            message,
            schema,
        };
        Ok(match askers.ask(question).await {
            Answer::Accept(content) => ElicitResult::new(ElicitationAction::Accept)
                .with_content(serde_json::Value::Object(content)),
            Answer::Decline => ElicitResult::new(ElicitationAction::Decline),
            Answer::Cancel => ElicitResult::new(ElicitationAction::Cancel),
        })
    }
}
