//! A plain LSP client over stdio for the end-to-end tests: frames JSON-RPC with
//! `Content-Length`, answers the server's requests (progress, registrations, refreshes,
//! `window/showMessageRequest` with a chosen action), keeps every notification, and fails
//! the test on anything on stdout that is not a well-formed message.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

pub const WAIT: Duration = Duration::from_secs(60);

pub struct LspClient {
    child: Child,
    stdin: Option<ChildStdin>,
    incoming: Receiver<Result<Value, String>>,
    next_id: i64,
    /// Every notification the server sent, in order.
    pub notifications: Vec<Value>,
    /// Every request the server sent, in order.
    pub server_requests: Vec<Value>,
    /// The title `window/showMessageRequest` is answered with (`None`: dismissed).
    pub answer: Option<String>,
    /// The URIs `window/showDocument` asked to open, in order.
    pub opened: Vec<String>,
    pub stderr: Arc<Mutex<String>>,
}

impl LspClient {
    /// Starts `codemode lsp` in `dir` with `args` after `lsp`.
    pub fn start(dir: &Path, args: &[&str]) -> LspClient {
        LspClient::start_with_env(dir, args, &[])
    }

    /// [`LspClient::start`] with these environment variables set too.
    pub fn start_with_env(dir: &Path, args: &[&str], env: &[(&str, &Path)]) -> LspClient {
        let mut child = Command::new(env!("CARGO_BIN_EXE_codemode"))
            .env("XDG_STATE_HOME", super::support::state_home())
            .env("XDG_CACHE_HOME", super::support::cache_home())
            .envs(env.iter().map(|(k, v)| (*k, *v)))
            .env("CODEMODE_NO_USER_CONFIGS", "1")
            .arg("lsp")
            .args(args)
            .current_dir(dir)
            .env_remove("CODEMODE_CONFIG")
            .env("RUST_LOG", "info")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (sender, incoming) = channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            loop {
                match read_message(&mut reader) {
                    Ok(Some(message)) => {
                        if sender.send(Ok(message)).is_err() {
                            return;
                        }
                    }
                    Ok(None) => return,
                    Err(error) => {
                        let _ = sender.send(Err(error));
                        return;
                    }
                }
            }
        });
        let stderr = Arc::new(Mutex::new(String::new()));
        let sink = stderr.clone();
        let mut pipe = child.stderr.take().unwrap();
        std::thread::spawn(move || {
            let mut buffer = [0u8; 4096];
            while let Ok(n) = pipe.read(&mut buffer) {
                if n == 0 {
                    break;
                }
                sink.lock()
                    .unwrap()
                    .push_str(&String::from_utf8_lossy(&buffer[..n]));
            }
        });
        let stdin = child.stdin.take();
        LspClient {
            child,
            stdin,
            incoming,
            next_id: 0,
            notifications: Vec::new(),
            server_requests: Vec::new(),
            answer: Some("Run".into()),
            opened: Vec::new(),
            stderr,
        }
    }

    /// `initialize` with the usual client capabilities (push diagnostics, progress,
    /// showMessageRequest, refreshes, markdown) and `initialized`.
    pub fn initialize(&mut self, root: &Path, options: Value) -> Value {
        let uri = file_uri(root);
        let answer = self.request(
            "initialize",
            json!({
                "processId": std::process::id(),
                "rootUri": uri,
                "workspaceFolders": [{"uri": uri, "name": "test"}],
                "initializationOptions": options,
                "capabilities": {
                    "window": {
                        "workDoneProgress": true,
                        "showMessage": {},
                        "showDocument": {"support": true}
                    },
                    "workspace": {
                        "didChangeWatchedFiles": {"dynamicRegistration": true},
                        "inlayHint": {"refreshSupport": true},
                        "codeLens": {"refreshSupport": true}
                    },
                    "textDocument": {
                        "hover": {"contentFormat": ["markdown", "plaintext"]},
                        "completion": {"completionItem": {"documentationFormat": ["markdown"]}},
                        "synchronization": {"didSave": true}
                    },
                    "general": {"positionEncodings": ["utf-16"]}
                }
            }),
        );
        self.notify("initialized", json!({}));
        answer
    }

    /// The server's process ID.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    pub fn send(&mut self, message: Value) {
        let body = message.to_string();
        let stdin = self.stdin.as_mut().expect("stdin is open");
        write!(stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).unwrap();
        stdin.flush().unwrap();
    }

    /// Writes `bytes` as they are: for what a broken client might send.
    pub fn send_raw(&mut self, bytes: &[u8]) {
        let stdin = self.stdin.as_mut().expect("stdin is open");
        stdin.write_all(bytes).unwrap();
        stdin.flush().unwrap();
    }

    /// Waits for a response (a message without `method`) that `matches`.
    pub fn response(&mut self, what: &str, matches: impl Fn(&Value) -> bool) -> Value {
        let deadline = Instant::now() + WAIT;
        loop {
            let message = self.next(deadline).unwrap_or_else(|| {
                panic!(
                    "no {what} in {WAIT:?}; stderr:
{}",
                    self.stderr()
                )
            });
            if message.get("method").is_none() && matches(&message) {
                return message;
            }
        }
    }

    /// Closes stdin without `shutdown` (the client went away) and waits for the exit status.
    pub fn hang_up(mut self) -> Option<i32> {
        self.stdin.take();
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status.code();
            }
            assert!(
                Instant::now() < deadline,
                "the server did not exit at the end of its input; stderr:\n{}",
                self.stderr()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    pub fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    /// Sends a request and waits for its response; the whole response (`result` or `error`).
    pub fn call(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        self.send(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        let deadline = Instant::now() + WAIT;
        loop {
            let message = self.next(deadline).unwrap_or_else(|| {
                panic!(
                    "no answer to {method} in {WAIT:?}; stderr:\n{}",
                    self.stderr()
                )
            });
            if message.get("method").is_none() && message["id"] == json!(id) {
                return message;
            }
        }
    }

    /// A request's `result`; fails the test on an error response.
    pub fn request(&mut self, method: &str, params: Value) -> Value {
        let response = self.call(method, params);
        if let Some(error) = response.get("error") {
            panic!("{method} failed: {error}; stderr:\n{}", self.stderr());
        }
        response["result"].clone()
    }

    /// Reads messages (answering the server's requests) until `done` holds.
    pub fn until(&mut self, what: &str, done: impl Fn(&LspClient) -> bool) {
        let deadline = Instant::now() + WAIT;
        while !done(self) {
            if self.next(deadline).is_none() {
                panic!("no {what} in {WAIT:?}; stderr:\n{}", self.stderr());
            }
        }
    }

    /// Waits for a notification that `matches` (also among those already received, after
    /// `from`); returns its index and params.
    pub fn wait_for(
        &mut self,
        from: usize,
        what: &str,
        matches: impl Fn(&Value) -> bool,
    ) -> (usize, Value) {
        let deadline = Instant::now() + WAIT;
        let mut seen = from;
        loop {
            while seen < self.notifications.len() {
                let note = &self.notifications[seen];
                seen += 1;
                if matches(note) {
                    return (seen, note["params"].clone());
                }
            }
            if self.next(deadline).is_none() {
                panic!(
                    "no {what} in {WAIT:?}; notifications: {:#?}\nstderr:\n{}",
                    self.notifications,
                    self.stderr()
                );
            }
        }
    }

    /// The next message, after answering it if it is a request from the server.
    fn next(&mut self, deadline: Instant) -> Option<Value> {
        let left = deadline.saturating_duration_since(Instant::now());
        let message = match self.incoming.recv_timeout(left) {
            Ok(Ok(message)) => message,
            Ok(Err(error)) => panic!("the server wrote something that is not LSP: {error}"),
            Err(RecvTimeoutError::Timeout) => return None,
            Err(RecvTimeoutError::Disconnected) => {
                panic!("the server closed stdout; stderr:\n{}", self.stderr())
            }
        };
        match (message.get("id"), message.get("method")) {
            (Some(id), Some(method)) => {
                let result = match method.as_str() {
                    Some("window/showMessageRequest") => match &self.answer {
                        Some(title) => json!({"title": title}),
                        None => Value::Null,
                    },
                    Some("window/showDocument") => {
                        if let Some(uri) = message["params"]["uri"].as_str() {
                            self.opened.push(uri.to_string());
                        }
                        json!({"success": true})
                    }
                    _ => Value::Null,
                };
                let id = id.clone();
                self.server_requests.push(message.clone());
                self.send(json!({"jsonrpc": "2.0", "id": id, "result": result}));
            }
            (None, Some(_)) => self.notifications.push(message.clone()),
            _ => {}
        }
        Some(message)
    }

    pub fn stderr(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }

    /// `shutdown`, `exit`, and the exit status (within 20 s).
    pub fn shutdown(mut self) -> (Option<i32>, String) {
        let answer = self.call("shutdown", Value::Null);
        assert_eq!(answer.get("result"), Some(&Value::Null), "{answer}");
        self.notify("exit", Value::Null);
        self.stdin.take();
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                // Nothing but protocol after the last response either.
                while let Ok(message) = self.incoming.try_recv() {
                    if let Err(error) = message {
                        panic!("the server wrote something that is not LSP: {error}");
                    }
                }
                return (status.code(), self.stderr());
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                panic!(
                    "the server did not exit after `exit`; stderr:\n{}",
                    self.stderr()
                );
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for LspClient {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn read_message(reader: &mut impl BufRead) -> Result<Option<Value>, String> {
    let mut length = None;
    loop {
        let mut line = String::new();
        let n = reader.read_line(&mut line).map_err(|e| e.to_string())?;
        if n == 0 {
            return Ok(None);
        }
        let line = line.trim_end_matches(['\r', '\n']);
        if line.is_empty() {
            break;
        }
        let (name, value) = line
            .split_once(':')
            .ok_or_else(|| format!("not a header: {line:?}"))?;
        if name.eq_ignore_ascii_case("content-length") {
            length = Some(value.trim().parse::<usize>().map_err(|e| e.to_string())?);
        }
    }
    let length = length.ok_or("a message without Content-Length")?;
    let mut body = vec![0; length];
    reader.read_exact(&mut body).map_err(|e| e.to_string())?;
    serde_json::from_slice(&body)
        .map(Some)
        .map_err(|e| e.to_string())
}

pub fn file_uri(path: &Path) -> String {
    let path = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
    format!("file://{}", path.display()).replace(' ', "%20")
}
