//! The language server's figures: `codemode lsp` (release build) over stdio, a 50-line
//! script (`bench/scripts/check50.ts`) open against a 100-tool API served by `corpus-server`s
//! (real servers' recorded `tools/list` answers). After each one-line edit: the time to the
//! diagnostics of that version; after typing `memory.` on a new line: the time to the
//! completion answer. The peer is TypeScript 6's language service on Node doing the same
//! work in-process (`bench/node/check6.mjs`), with no protocol in between.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::check::{EDITS, PAUSE, Spread, tsc6_language_service};

pub struct LspFigures {
    /// `codemode lsp` on the embedded TypeScript 6.
    pub diagnostics: Spread,
    pub completion: Spread,
    /// `codemode lsp` on TypeScript 7 (native).
    pub diagnostics_native: Spread,
    pub completion_native: Spread,
    pub diagnostics_tsc6: Spread,
    pub completion_tsc6: Spread,
    pub tools: usize,
    pub lines: usize,
}

const CORPUS: [&str; 6] = ["memory", "filesystem", "everything", "time", "git", "demo"];
const TOOLS: usize = 100;
const EDITED: &str = "seen by the nightly job";

pub fn measure(
    repo: &Path,
    codemode: &Path,
    corpus_server: &Path,
    node_dir: &Path,
    tsgo: &Path,
) -> LspFigures {
    let dir = std::env::temp_dir().join(format!("codemode-bench-lsp-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (servers, tools) = servers(repo, corpus_server);
    std::fs::write(
        dir.join("codemode.json"),
        json!({ "mcpServers": servers }).to_string(),
    )
    .unwrap();
    let script = std::fs::read_to_string(repo.join("bench/scripts/check50.ts")).unwrap();
    let path = dir.join("bench.mcp.ts");
    std::fs::write(&path, &script).unwrap();
    let uri = format!("file://{}", path.display());
    let lines = script.lines().count();

    let (diagnostics, completion) = session(codemode, &dir, &uri, &script, "embedded");
    let tsgo = tsgo.display().to_string();
    let (diagnostics_native, completion_native) = session(codemode, &dir, &uri, &script, &tsgo);

    std::fs::write(dir.join("api.d.ts"), api_text(&dir, codemode)).unwrap();
    let peer = tsc6_language_service(node_dir, &dir.join("api.d.ts"), &path);
    let _ = std::fs::remove_dir_all(&dir);
    LspFigures {
        diagnostics: Spread::of(diagnostics),
        completion: Spread::of(completion),
        diagnostics_native: Spread::of(diagnostics_native),
        completion_native: Spread::of(completion_native),
        diagnostics_tsc6: Spread::of(peer.recheck_ms),
        completion_tsc6: Spread::of(peer.completion_ms),
        tools,
        lines,
    }
}

/// One `codemode lsp` session on `engine` (`CODEMODE_TYPESCRIPT`): the times to the
/// diagnostics of each edit, and to each completion.
fn session(
    codemode: &Path,
    dir: &Path,
    uri: &str,
    script: &str,
    engine: &str,
) -> (Vec<f64>, Vec<f64>) {
    let mut lsp = Lsp::start(codemode, dir, engine);
    lsp.request(
        "initialize",
        json!({
            "processId": std::process::id(),
            "rootUri": format!("file://{}", dir.display()),
            // As VS Code: completion items' details are resolved when shown.
            "capabilities": { "textDocument": { "completion": { "completionItem": {
                "resolveSupport": { "properties": ["documentation", "detail"] }
            } } } },
        }),
    );
    lsp.notify("initialized", json!({}));
    lsp.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri, "languageId": "typescript", "version": 0, "text": script}}),
    );
    let first = lsp.diagnostics(uri, 0);
    assert_eq!(first, json!([]), "the benchmark script must be clean");

    let lines: Vec<&str> = script.lines().collect();
    let edited_line = lines.iter().position(|l| l.contains(EDITED)).unwrap() as u32;
    let old_len = lines[edited_line as usize].encode_utf16().count() as u32;
    let end = lines.len() as u32;
    let mut version = 0;
    let (mut diagnostics, mut completion) = (Vec::new(), Vec::new());
    eprintln!("lsp ({engine}): {EDITS} edits and {EDITS} completions…");
    for i in 0..EDITS {
        std::thread::sleep(PAUSE);
        // A one-line edit; the time until its diagnostics arrive.
        version += 1;
        let line = lines[edited_line as usize].replace(EDITED, &format!("{EDITED} {i}"));
        let started = Instant::now();
        lsp.change(
            uri,
            version,
            (edited_line, 0),
            (edited_line, old_len),
            &line,
        );
        let found = lsp.diagnostics(uri, version);
        diagnostics.push(started.elapsed().as_secs_f64() * 1000.0);
        assert_eq!(found, json!([]));
        // Restore the line, so every round edits the same text.
        version += 1;
        let new_len = line.encode_utf16().count() as u32;
        lsp.change(
            uri,
            version,
            (edited_line, 0),
            (edited_line, new_len),
            lines[edited_line as usize],
        );
        lsp.diagnostics(uri, version);

        std::thread::sleep(PAUSE);
        // Typing `memory.` on a new last line, then asking for completions there.
        version += 1;
        let started = Instant::now();
        lsp.change(uri, version, (end, 0), (end, 0), "memory.");
        let answer = lsp.request(
            "textDocument/completion",
            json!({"textDocument": {"uri": uri}, "position": {"line": end, "character": 7}}),
        );
        completion.push(started.elapsed().as_secs_f64() * 1000.0);
        let items = answer["items"].as_array().map(Vec::len).unwrap_or(0);
        assert!(items >= 9, "memory's tools complete: {answer}");
        lsp.diagnostics(uri, version);
        version += 1;
        lsp.change(uri, version, (end, 0), (end, 7), "");
        lsp.diagnostics(uri, version);
    }
    lsp.shutdown();
    (diagnostics, completion)
}

/// The corpus servers making up the first `TOOLS` tools, as `check.rs` takes them.
fn servers(repo: &Path, corpus_server: &Path) -> (serde_json::Map<String, Value>, usize) {
    let corpus = repo.join("tests/corpus/schemas");
    let mut servers = serde_json::Map::new();
    let mut count = 0;
    'fill: for copy in 1.. {
        for name in CORPUS {
            let path = corpus.join(format!("{name}.json"));
            let list: Value =
                serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
            let take = list["tools"].as_array().unwrap().len().min(TOOLS - count);
            let key = if copy == 1 {
                name.to_string()
            } else {
                format!("{name}{copy}")
            };
            servers.insert(
                key,
                json!({"command": corpus_server, "args": [path, take.to_string()]}),
            );
            count += take;
            if count == TOOLS {
                break 'fill;
            }
        }
    }
    (servers, count)
}

/// The generated declarations the language server checked against (`codemode types`).
fn api_text(dir: &Path, codemode: &Path) -> String {
    let stdout = crate::stdout_of(
        Command::new(codemode)
            .args(["types", "--quiet", "--config"])
            .arg(dir.join("codemode.json"))
            .current_dir(dir),
    );
    String::from_utf8(stdout).unwrap()
}

/// Just enough of an LSP client.
struct Lsp {
    child: Child,
    stdin: ChildStdin,
    incoming: Receiver<Value>,
    /// Messages received while waiting for another.
    backlog: Vec<Value>,
    next_id: i64,
}

impl Lsp {
    fn start(codemode: &Path, dir: &Path, engine: &str) -> Lsp {
        // The configuration named, as a person who wrote it would (a project file found by
        // itself would wait for their trust).
        let mut child = Command::new(codemode)
            .args(["lsp", "--config"])
            .arg(dir.join("codemode.json"))
            .env("CODEMODE_TYPESCRIPT", engine)
            .current_dir(dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("codemode lsp starts");
        let stdin = child.stdin.take().unwrap();
        let mut reader = BufReader::new(child.stdout.take().unwrap());
        let (sender, incoming) = channel();
        std::thread::spawn(move || {
            loop {
                let mut length = 0;
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    let line = line.trim_end();
                    if line.is_empty() {
                        break;
                    }
                    if let Some(n) = line.strip_prefix("Content-Length: ") {
                        length = n.parse().unwrap();
                    }
                }
                let mut body = vec![0; length];
                if reader.read_exact(&mut body).is_err() {
                    return;
                }
                if sender.send(serde_json::from_slice(&body).unwrap()).is_err() {
                    return;
                }
            }
        });
        Lsp {
            child,
            stdin,
            incoming,
            backlog: Vec::new(),
            next_id: 0,
        }
    }

    fn send(&mut self, message: Value) {
        let body = message.to_string();
        write!(self.stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).unwrap();
        self.stdin.flush().unwrap();
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    fn request(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        self.send(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        self.wait(|m| m.get("method").is_none() && m["id"] == id)["result"].clone()
    }

    fn change(&mut self, uri: &str, version: i32, start: (u32, u32), end: (u32, u32), text: &str) {
        self.notify(
            "textDocument/didChange",
            json!({
                "textDocument": {"uri": uri, "version": version},
                "contentChanges": [{"range": {
                    "start": {"line": start.0, "character": start.1},
                    "end": {"line": end.0, "character": end.1}
                }, "text": text}]
            }),
        );
    }

    fn diagnostics(&mut self, uri: &str, version: i32) -> Value {
        self.wait(|m| {
            m["method"] == "textDocument/publishDiagnostics"
                && m["params"]["uri"] == uri
                && m["params"]["version"] == version
        })["params"]["diagnostics"]
            .clone()
    }

    /// The next message that `matches`; answers the server's requests on the way.
    fn wait(&mut self, matches: impl Fn(&Value) -> bool) -> Value {
        if let Some(at) = self.backlog.iter().position(&matches) {
            return self.backlog.remove(at);
        }
        loop {
            let message = match self.incoming.recv_timeout(Duration::from_secs(120)) {
                Ok(message) => message,
                Err(_) => panic!("the language server did not answer in 120 s"),
            };
            if std::env::var_os("BENCH_TRACE").is_some() {
                eprintln!(
                    "<- {}",
                    message.to_string().chars().take(200).collect::<String>()
                );
            }
            if let (Some(id), Some(_)) = (message.get("id"), message.get("method")) {
                let id = id.clone();
                self.send(json!({"jsonrpc": "2.0", "id": id, "result": null}));
                continue;
            }
            if matches(&message) {
                return message;
            }
            self.backlog.push(message);
        }
    }

    fn shutdown(mut self) {
        self.request("shutdown", Value::Null);
        self.notify("exit", Value::Null);
        let _ = self.child.wait();
    }
}
