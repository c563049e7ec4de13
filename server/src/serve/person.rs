//! The person behind an agent's MCP client, asked something while a script runs (an
//! approval, an upstream server's question) as a form elicitation, or sent to a page (a
//! sign-in) as a URL elicitation. How depends on the
//! client's protocol: a server-to-client `elicitation/create` request for clients of MCP
//! 2025-11-25 and older; for clients of 2026-07-28, which take no requests from a server, a
//! round trip (`execute` answers `InputRequiredResult` with the form, and the client calls
//! again with the reply: `rounds.rs` holds the run meanwhile).

use rmcp::model::{ElicitRequestParams, ElicitResult, ElicitationAction, ElicitationSchema};
use rmcp::service::{Peer, RequestContext, RoleServer};
use serde_json::{Map, Value};
use tokio::sync::{mpsc, oneshot};

/// A question for the person: what to say, and the fields to fill in (none for a yes/no).
pub struct Form {
    pub message: String,
    pub schema: ElicitationSchema,
}

impl Form {
    pub fn params(&self) -> ElicitRequestParams {
        ElicitRequestParams::FormElicitationParams {
            meta: None,
            message: self.message.clone(),
            requested_schema: self.schema.clone(),
        }
    }
}

/// What the person said.
#[derive(Debug, Clone, PartialEq)]
pub enum Reply {
    Accept(Map<String, Value>),
    Decline,
    /// Dismissed without choosing.
    Cancel,
}

impl Reply {
    pub fn from_result(result: ElicitResult) -> Reply {
        match result.action {
            ElicitationAction::Accept => Reply::Accept(
                result
                    .content
                    .and_then(|c| c.as_object().cloned())
                    .unwrap_or_default(),
            ),
            ElicitationAction::Decline => Reply::Decline,
            _ => Reply::Cancel,
        }
    }
}

/// An elicitation waiting for the next round trip, and where its reply goes.
pub struct Pending {
    pub params: ElicitRequestParams,
    pub reply: oneshot::Sender<Reply>,
}

/// How to reach the person of one `execute`.
#[derive(Clone)]
pub struct Person {
    way: Way,
    /// The client shows forms.
    forms: bool,
    /// The client opens URLs for the person (URL-mode elicitation).
    urls: bool,
}

#[derive(Clone)]
enum Way {
    /// An `elicitation/create` request to the client.
    Request(Peer<RoleServer>),
    /// The run's next `InputRequiredResult`.
    Rounds(mpsc::UnboundedSender<Pending>),
}

impl Person {
    /// The way to ask for the client of `context`; `rounds` is where a 2026-07-28 client's
    /// questions go.
    pub fn of(
        context: &RequestContext<RoleServer>,
        rounds: mpsc::UnboundedSender<Pending>,
    ) -> Person {
        let elicitation = context
            .client_capabilities()
            .and_then(|capabilities| capabilities.elicitation);
        // Form elicitation: declared as `form`, or as an empty `elicitation` (the form before
        // URL mode existed).
        let forms = elicitation
            .as_ref()
            .is_some_and(|e| e.form.is_some() || e.url.is_none());
        let urls = elicitation.as_ref().is_some_and(|e| e.url.is_some());
        let way = if uses_rounds(context) {
            Way::Rounds(rounds)
        } else {
            Way::Request(context.peer.clone())
        };
        Person { way, forms, urls }
    }

    pub fn can_ask(&self) -> bool {
        self.forms
    }

    pub fn can_open_urls(&self) -> bool {
        self.urls
    }

    /// Asks `form`; an `Err` says why nobody could be asked.
    pub async fn ask(&self, form: Form) -> Result<Reply, String> {
        if !self.forms {
            return Err("this MCP client cannot show a form".into());
        }
        self.put(form.params()).await
    }

    /// Asks the person to open `url` (a sign-in page); `Accept` means they agreed to.
    pub async fn send_to(&self, message: String, url: &str, id: String) -> Result<Reply, String> {
        if !self.urls {
            return Err("this MCP client cannot open a URL for the person".into());
        }
        self.put(ElicitRequestParams::UrlElicitationParams {
            meta: None,
            message,
            url: url.to_string(),
            elicitation_id: id,
        })
        .await
    }

    async fn put(&self, params: ElicitRequestParams) -> Result<Reply, String> {
        match &self.way {
            Way::Request(peer) => peer
                .create_elicitation(params)
                .await
                .map(Reply::from_result)
                .map_err(|error| error.to_string()),
            Way::Rounds(questions) => {
                let (reply, replied) = oneshot::channel();
                questions
                    .send(Pending { params, reply })
                    .map_err(|_| "the run is over".to_string())?;
                // The client never came back (or cancelled): as if dismissed.
                Ok(replied.await.unwrap_or(Reply::Cancel))
            }
        }
    }
}

/// Whether the client of `context` speaks MCP 2026-07-28 or newer (no server-to-client
/// requests; questions go by `InputRequiredResult`).
pub fn uses_rounds(context: &RequestContext<RoleServer>) -> bool {
    context
        .protocol_version()
        .is_some_and(|version| !version.has_initialize())
}
