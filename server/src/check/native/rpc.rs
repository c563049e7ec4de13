//! A JSON-RPC client over a child's pipes, in LSP's framing (`Content-Length` headers): the
//! wire under the native engine. Runtime-agnostic: a thread of its own reads the child's
//! stdout and completes each request's oneshot, so any tokio runtime (or none) may ask; and
//! a thread of its own writes, so a child that stops reading never blocks the asker (whose
//! deadline then ends the wait).
//!
//! Requests the server sends the client (`client/registerCapability`,
//! `workspace/configuration`) are answered at once with empty results; its notifications
//! (logs, pushed diagnostics) are dropped. When the child's stdout closes, every pending
//! request fails with [`RpcError::Gone`]. Dropping the client kills the child.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, ChildStdout};
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::sync::mpsc::Sender;
use std::sync::{Arc, Mutex};

use serde_json::{Value, json};

/// The largest message accepted from the child.
const MAX_MESSAGE: usize = 256 * 1024 * 1024;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RpcError {
    #[error("TypeScript 7 exited")]
    Gone,
    #[error("TypeScript 7 answered with an error: {0}")]
    Answered(String),
    #[error("cannot write to TypeScript 7: {0}")]
    Write(String),
}

type Reply = tokio::sync::oneshot::Sender<Result<Value, RpcError>>;
type Pending = Arc<Mutex<HashMap<i64, Reply>>>;
/// Framed messages on their way to the child's stdin.
type Outgoing = Sender<Vec<u8>>;

pub struct Rpc {
    child: Mutex<Child>,
    outgoing: Mutex<Outgoing>,
    pending: Pending,
    /// Set when the child's stdout has closed: nothing more will be answered.
    closed: Arc<AtomicBool>,
    next: AtomicI64,
}

impl Rpc {
    /// Takes over `child`, whose stdin and stdout must be piped.
    pub fn new(mut child: Child) -> std::io::Result<Rpc> {
        let (Some(stdin), Some(stdout)) = (child.stdin.take(), child.stdout.take()) else {
            let _ = child.kill();
            let _ = child.wait();
            return Err(std::io::Error::other("the child's pipes are not set up"));
        };
        let (outgoing, messages) = std::sync::mpsc::channel::<Vec<u8>>();
        let pending: Pending = Arc::default();
        let closed = Arc::new(AtomicBool::new(false));
        let writer = std::thread::Builder::new()
            .name("codemode-tsgo-write".into())
            .spawn(move || write_loop(stdin, &messages));
        let reader = writer.and_then(|_| {
            let (outgoing, pending, closed) = (outgoing.clone(), pending.clone(), closed.clone());
            std::thread::Builder::new()
                .name("codemode-tsgo-read".into())
                .spawn(move || read_loop(stdout, &outgoing, &pending, &closed))
        });
        if let Err(error) = reader {
            let _ = child.kill();
            let _ = child.wait();
            return Err(error);
        }
        Ok(Rpc {
            child: Mutex::new(child),
            outgoing: Mutex::new(outgoing),
            pending,
            closed,
            next: AtomicI64::new(1),
        })
    }

    /// Sends a request and waits for its result. Dropping the future cancels the request
    /// (`$/cancelRequest`: TypeScript stops at its next safe point) and forgets it (its
    /// answer, when it comes, is dropped).
    pub async fn request(&self, method: &str, params: Value) -> Result<Value, RpcError> {
        let id = self.next.fetch_add(1, Ordering::Relaxed);
        let (reply, answer) = tokio::sync::oneshot::channel();
        if let Ok(mut pending) = self.pending.lock() {
            pending.insert(id, reply);
        }
        let _forget = Forget { rpc: self, id };
        let message = json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params });
        self.send(&message)?;
        // The reader fails what is pending when it ends; a request it never saw fails here.
        if self.closed.load(Ordering::Acquire) {
            return Err(RpcError::Gone);
        }
        answer.await.unwrap_or(Err(RpcError::Gone))
    }

    pub fn notify(&self, method: &str, params: Value) -> Result<(), RpcError> {
        self.send(&json!({ "jsonrpc": "2.0", "method": method, "params": params }))
    }

    fn send(&self, message: &Value) -> Result<(), RpcError> {
        let outgoing = self
            .outgoing
            .lock()
            .map_err(|_| RpcError::Write("the queue's lock is poisoned".into()))?;
        outgoing
            .send(frame(message))
            .map_err(|_| RpcError::Write("the pipe is closed".into()))
    }

    /// Whether the child is still running.
    pub fn alive(&self) -> bool {
        self.child
            .lock()
            .map(|mut c| matches!(c.try_wait(), Ok(None)))
            .unwrap_or(false)
    }
}

impl Drop for Rpc {
    fn drop(&mut self) {
        if let Ok(mut child) = self.child.lock() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// Removes a request nobody waits for any more, and cancels it when it was unanswered.
struct Forget<'a> {
    rpc: &'a Rpc,
    id: i64,
}

impl Drop for Forget<'_> {
    fn drop(&mut self) {
        let unanswered = self
            .rpc
            .pending
            .lock()
            .ok()
            .and_then(|mut pending| pending.remove(&self.id))
            .is_some();
        if unanswered && !self.rpc.closed.load(Ordering::Acquire) {
            let _ = self.rpc.notify("$/cancelRequest", json!({ "id": self.id }));
        }
    }
}

fn frame(message: &Value) -> Vec<u8> {
    let body = message.to_string();
    let mut framed = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    framed.extend_from_slice(body.as_bytes());
    framed
}

/// Writes queued messages until the queue closes (the client is gone) or the pipe does.
fn write_loop(mut stdin: ChildStdin, messages: &std::sync::mpsc::Receiver<Vec<u8>>) {
    for message in messages {
        if stdin
            .write_all(&message)
            .and_then(|()| stdin.flush())
            .is_err()
        {
            return;
        }
    }
}

/// Reads messages until the child's stdout closes or is unreadable, then fails whatever is
/// still pending.
fn read_loop(stdout: ChildStdout, outgoing: &Outgoing, pending: &Pending, closed: &AtomicBool) {
    let mut reader = BufReader::new(stdout);
    while let Some(message) = read_message(&mut reader) {
        let id = message.get("id").cloned();
        match (message.get("method"), id) {
            // A request of the server's: answered at once, with nothing.
            (Some(method), Some(id)) => {
                let result = if method == "workspace/configuration" {
                    let items = message["params"]["items"].as_array().map_or(0, Vec::len);
                    Value::Array(vec![Value::Null; items])
                } else {
                    Value::Null
                };
                let answer = json!({ "jsonrpc": "2.0", "id": id, "result": result });
                let _ = outgoing.send(frame(&answer));
            }
            (Some(_), None) => {}
            (None, Some(id)) => {
                let Some(id) = id.as_i64() else { continue };
                let reply = pending.lock().ok().and_then(|mut p| p.remove(&id));
                let Some(reply) = reply else { continue };
                let outcome = match message.get("error") {
                    Some(error) => Err(RpcError::Answered(
                        error["message"]
                            .as_str()
                            .unwrap_or("no message")
                            .to_string(),
                    )),
                    None => Ok(message.get("result").cloned().unwrap_or(Value::Null)),
                };
                let _ = reply.send(outcome);
            }
            (None, None) => {}
        }
    }
    closed.store(true, Ordering::Release);
    if let Ok(mut pending) = pending.lock() {
        for (_, reply) in pending.drain() {
            let _ = reply.send(Err(RpcError::Gone));
        }
    }
}

/// One framed message, or `None` at the end of the stream or on anything malformed.
fn read_message(reader: &mut impl BufRead) -> Option<Value> {
    let mut length = None;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':')
            && name.eq_ignore_ascii_case("content-length")
        {
            length = value.trim().parse::<usize>().ok();
        }
    }
    let length = length.filter(|&n| n <= MAX_MESSAGE)?;
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    serde_json::from_slice(&body).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_framed_messages_and_stops_at_the_first_malformed_one() {
        let stream = b"Content-Length: 7\r\n\r\n{\"a\":1}content-length:2\r\n\r\n[]Content-Length: 9\r\n\r\nnot json!";
        let mut reader = &stream[..];
        assert_eq!(read_message(&mut reader), Some(json!({"a": 1})));
        assert_eq!(read_message(&mut reader), Some(json!([])));
        assert_eq!(read_message(&mut reader), None);
    }

    #[test]
    fn a_length_past_the_cap_is_refused_without_reading_it() {
        let stream = format!("Content-Length: {}\r\n\r\n", MAX_MESSAGE + 1);
        let mut reader = stream.as_bytes();
        assert_eq!(read_message(&mut reader), None);
    }
}
