//! `execute` over round trips, for clients of MCP 2026-07-28 (SEP-2322): when a run needs
//! the person, `execute` answers `InputRequiredResult` with the form and a `requestState`
//! handle, and the run waits here; the client asks the person and calls `execute` again
//! with the reply and the handle, and the run goes on until it ends or asks again.
//!
//! The handle is random and only names a run held in this process (nothing in it is
//! trusted); a run whose client never comes back is dropped, and with it its script, after
//! [`HOLD`].

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rmcp::model::{
    CallToolResponse, CallToolResult, ContentBlock, ElicitRequest, ElicitResult, InputRequest,
    InputRequiredResult, InputResponses,
};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;
use tokio_util::task::AbortOnDropHandle;

use super::person::{Pending, Reply};

/// The key of the one question in an `InputRequiredResult`.
const QUESTION: &str = "question";
/// How long a run waits for its client to come back with a reply.
pub const HOLD: Duration = Duration::from_secs(10 * 60);

/// A run in progress: its task (dropping it stops the script) and the questions it asks.
pub struct Run {
    task: AbortOnDropHandle<CallToolResult>,
    questions: mpsc::UnboundedReceiver<Pending>,
}

impl Run {
    pub fn new(
        task: tokio::task::JoinHandle<CallToolResult>,
        questions: mpsc::UnboundedReceiver<Pending>,
    ) -> Run {
        Run {
            task: AbortOnDropHandle::new(task),
            questions,
        }
    }
}

struct Held {
    run: Run,
    reply: tokio::sync::oneshot::Sender<Reply>,
    since: Instant,
}

/// The runs waiting for their client, by handle. Shared by every session of the process.
#[derive(Clone, Default)]
pub struct Rounds(Arc<Mutex<HashMap<String, Held>>>);

impl Rounds {
    /// Waits for `run` to end or ask; a question is answered as `InputRequiredResult` and
    /// the run held until [`Rounds::resume`].
    pub async fn drive(&self, mut run: Run, cancelled: CancellationToken) -> CallToolResponse {
        enum Next {
            Done(Result<CallToolResult, tokio::task::JoinError>),
            Asked(Pending),
            Cancelled,
        }
        let next = tokio::select! {
            done = &mut run.task => Next::Done(done),
            Some(pending) = run.questions.recv() => Next::Asked(pending),
            () = cancelled.cancelled() => Next::Cancelled,
        };
        match next {
            Next::Done(Ok(result)) => CallToolResponse::Complete(result),
            Next::Done(Err(error)) => {
                tracing::warn!("a run's task failed: {error}");
                CallToolResponse::Complete(error_result("the run stopped unexpectedly"))
            }
            Next::Cancelled => {
                CallToolResponse::Complete(error_result("the run was cancelled by the client"))
            }
            Next::Asked(pending) => {
                let question = InputRequest::Elicitation(ElicitRequest::new(pending.params));
                let handle = self.hold(run, pending.reply);
                CallToolResponse::InputRequired(InputRequiredResult::new(
                    Some(BTreeMap::from([(QUESTION.to_string(), question)])),
                    Some(handle),
                ))
            }
        }
    }

    /// Gives the client's reply to the run held under `handle` and drives it on.
    pub async fn resume(
        &self,
        handle: &str,
        responses: Option<InputResponses>,
        cancelled: CancellationToken,
    ) -> CallToolResponse {
        let held = self.lock().remove(handle);
        let Some(held) = held else {
            return CallToolResponse::Complete(error_result(
                "this run is no longer waiting for an answer (it ended, or waited longer than \
                 10 minutes); run the script again",
            ));
        };
        let reply = responses
            .and_then(|mut responses| responses.remove(QUESTION))
            .and_then(|value| serde_json::from_value::<ElicitResult>(value).ok())
            .map_or(Reply::Cancel, Reply::from_result);
        let _ = held.reply.send(reply);
        self.drive(held.run, cancelled).await
    }

    fn hold(&self, run: Run, reply: tokio::sync::oneshot::Sender<Reply>) -> String {
        let handle = new_handle();
        let mut held = self.lock();
        // Runs whose client went away are dropped (their scripts stop) as others arrive.
        held.retain(|_, h| h.since.elapsed() < HOLD);
        held.insert(
            handle.clone(),
            Held {
                run,
                reply,
                since: Instant::now(),
            },
        );
        handle
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Held>> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// 128 random bits, hex.
fn new_handle() -> String {
    let mut bytes = [0u8; 16];
    if let Err(error) = getrandom::fill(&mut bytes) {
        // Without the OS's randomness, a handle from the clock still names one run; it is
        // never trusted for anything but finding it.
        tracing::warn!("no randomness for a run handle: {error}");
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        bytes = nanos.to_le_bytes();
    }
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn error_result(message: &str) -> CallToolResult {
    CallToolResult::error(vec![ContentBlock::text(message.to_string())])
}
