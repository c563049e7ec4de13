//! `codemode serve` end to end, with the official TypeScript MCP SDK client (`mcp_client.mjs`)
//! and real upstream servers: over stdio and over streamable HTTP, the three tools, a fan-out
//! script that returns only its aggregate, type errors as tool errors, destructive tools
//! refused without approval and run with it (elicitation), cancellation, the audit log, and
//! what a model would have read with and without codemode.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::mcp_client::McpClient;
use crate::support::{Workspace, deps, processes_mentioning, real_servers, resident_mb};

/// The SDK's `connect` command for `codemode serve` over stdio with `config`.
pub fn serve_stdio(workspace: &Workspace, config: &Path) -> Value {
    json!({"stdio": {
        "command": env!("CARGO_BIN_EXE_codemode"),
        "args": ["serve", "--config", config],
        "cwd": workspace.path(),
        "env": {"RUST_LOG": "info"}
    }})
}

pub fn connect(client: &mut McpClient, mut how: Value, elicitation: Option<&str>) -> Value {
    how["op"] = json!("connect");
    if let Some(answer) = elicitation {
        how["elicitation"] = json!(answer);
    }
    client.send(how)
}

/// Twelve project notes with 1 to 5 `TODO:` lines each, among plain prose.
fn write_notes(workspace: &Workspace) -> Vec<(String, usize)> {
    let mut notes = Vec::new();
    for i in 1..=12usize {
        let name = format!("note-{i:02}.md");
        let todos = (i * 7) % 5 + 1;
        let mut text = format!("# Note {i}\n\n");
        for line in 1..=20 {
            text.push_str(&format!(
                "Line {line} of note {i}: a summary of the meeting about the roadmap, its owners, the risks and the follow-ups.\n"
            ));
            if line % 4 == 0 && line / 4 <= todos {
                text.push_str(&format!("TODO: follow-up {} for note {i}\n", line / 4));
            }
        }
        workspace.write(&format!("files/notes/{name}"), &text);
        notes.push((name, todos));
    }
    notes
}

/// The notes task as one script.
fn notes_script(dir: &Path) -> String {
    format!(
        r#"const dir = {dir:?};
const listing = await filesystem.listDirectory({{ path: dir }});
const names = listing.content.split("\n").filter(l => l.startsWith("[FILE]")).map(l => l.slice(7).trim());
const notes = await Promise.all(names.map(async name => {{
  const {{ content }} = await filesystem.readTextFile({{ path: `${{dir}}/${{name}}` }});
  const todos = content.split("\n").filter(l => l.startsWith("TODO:")).map(l => l.slice(5).trim());
  return {{ name, todos }};
}}));
await memory.createEntities({{ entities: notes.map(n => ({{ name: n.name, entityType: "note", observations: n.todos }})) }});
const now = await time.getCurrentTime({{ timezone: "Etc/UTC" }});
const total = notes.reduce((sum, n) => sum + n.todos.length, 0);
console.log(`${{notes.length}} notes, ${{total}} TODOs, at ${{now.datetime}}`);
export default [...notes].sort((a, b) => b.todos.length - a.todos.length || a.name.localeCompare(b.name)).slice(0, 3).map(n => `${{n.name}}: ${{n.todos.length}}`);
"#,
        dir = dir.display().to_string()
    )
}

#[test]
fn serve_over_stdio_with_real_servers() {
    let workspace = Workspace::new();
    let mut servers = real_servers(&workspace);
    let config = workspace.write(
        "codemode.json",
        &json!({"mcpServers": servers.clone(), "codemode": {"auditLog": "audit.jsonl"}})
            .to_string(),
    );
    let notes = write_notes(&workspace);
    let notes_dir = workspace.path().join("files/notes");
    let mut client = McpClient::new();
    let connected = connect(&mut client, serve_stdio(&workspace, &config), None);
    assert_eq!(connected["server"]["name"], "codemode");

    // The agent sees three tools; their descriptions name the servers behind them.
    let listed = client.send(json!({"op": "listTools"}));
    let names: Vec<&str> = listed["tools"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["search_tools", "get_types", "execute"]);
    let execute_doc = listed["tools"][2]["description"].as_str().unwrap();
    for server in [
        "memory (9 tools)",
        "filesystem (14 tools)",
        "time (2 tools)",
        "git (12 tools)",
    ] {
        assert!(execute_doc.contains(server), "{execute_doc}");
    }
    let codemode_list_bytes = listed["bytes"].as_u64().unwrap();

    // Search: ranked, each hit's one-line description and signature; the full declarations
    // are one get_types away, and the answer says how.
    let found = client.call(
        "search_tools",
        json!({"query": "create entities in the knowledge graph", "limit": 3}),
    );
    let text = found["text"].as_str().unwrap();
    assert!(text.starts_with("memory.createEntities — "), "{text}");
    assert!(
        text.contains(
            "\n  function createEntities(input: { entities: { name: string; entityType: string; observations: string[] }[] }): Promise<CreateEntitiesOutput>;\n"
        ),
        "{text}"
    );
    assert!(!text.contains("/**"), "no docs in a list of hits: {text}");
    assert!(
        text.contains("get_types {\"tools\": [\"memory.createEntities\", "),
        "{text}"
    );
    assert!(
        !text.contains("function gitCommit("),
        "only the hits: {text}"
    );
    assert_ne!(found["result"]["isError"], true);
    let typo = client.call("search_tools", json!({"query": "curent time"}));
    assert!(
        typo["text"]
            .as_str()
            .unwrap()
            .starts_with("time.getCurrentTime"),
        "{typo:#}"
    );

    // Declarations by name; a misspelt name is a tool error with suggestions.
    let types = client.call(
        "get_types",
        json!({"tools": ["time.getCurrentTime", "git.git_status"]}),
    );
    let text = types["text"].as_str().unwrap();
    assert!(text.contains("function getCurrentTime("), "{text}");
    assert!(text.contains("function gitStatus("), "{text}");
    assert!(!text.contains("function convertTime("), "{text}");
    assert!(
        text.ends_with("Other tools, by what they do: search_tools {\"query\": \"…\"}; every namespace: get_types with no arguments."),
        "says how to find the others: {text}"
    );
    let wrong = client.call("get_types", json!({"tools": ["memory.serchNodes"]}));
    assert_eq!(wrong["result"]["isError"], true);
    assert!(
        wrong["text"]
            .as_str()
            .unwrap()
            .contains("did you mean memory.searchNodes"),
        "{wrong:#}"
    );
    let overview = client.call("get_types", json!({}));
    assert!(
        overview["text"]
            .as_str()
            .unwrap()
            .contains("- memory (server `memory`, 9 tools): createEntities,"),
        "{overview:#}"
    );

    // The multi-step task as one script: fan-out calls, only the aggregate comes back. A
    // model first reads the declarations of the tools it uses; they count as read too.
    let declarations = client.call(
        "get_types",
        json!({"tools": ["filesystem.listDirectory", "filesystem.readTextFile", "memory.createEntities", "time.getCurrentTime"]}),
    );
    let declaration_bytes = declarations["contentBytes"].as_u64().unwrap();
    let script = notes_script(&notes_dir);
    let ran = client.send(
        json!({"op": "call", "name": "execute", "arguments": {"code": script}, "progress": true}),
    );
    let text = ran["text"].as_str().unwrap();
    assert_ne!(ran["result"]["isError"], true, "{text}");
    let total: usize = notes.iter().map(|(_, n)| n).sum();
    assert!(
        text.starts_with(&format!("12 notes, {total} TODOs, at 20")),
        "{text}"
    );
    let mut expected = notes.clone();
    expected.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    for (name, count) in &expected[..3] {
        assert!(text.contains(&format!("\"{name}: {count}\"")), "{text}");
    }
    assert!(!text.contains("roadmap"), "no file text comes back: {text}");
    assert!(text.contains("15 tool calls (filesystem.list_directory, filesystem.read_text_file ×12, memory.create_entities, time.get_current_time)"), "{text}");
    let progress = ran["progress"].as_array().unwrap();
    assert!(
        progress.len() >= 15,
        "a progress notification per call: {progress:?}"
    );
    let steps: Vec<f64> = progress
        .iter()
        .map(|p| p["progress"].as_f64().unwrap())
        .collect();
    assert!(
        steps.windows(2).all(|w| w[0] < w[1]),
        "progress increases: {steps:?}"
    );
    let codemode_bytes = ran["contentBytes"].as_u64().unwrap() + declaration_bytes;

    // A type error comes back as a tool error with the TS code, and nothing runs.
    let wrong = client.call("execute", json!({"code": "const hits = await memory.searchNodes({ qery: \"note\" });\nconsole.log(hits);\n"}));
    assert_eq!(wrong["result"]["isError"], true);
    let text = wrong["text"].as_str().unwrap();
    assert!(text.contains("script.ts:1:"), "{text}");
    assert!(text.contains("TS2561"), "{text}");
    assert!(text.contains("'query'"), "what would be valid: {text}");
    assert!(text.contains("no tool was called"), "{text}");

    // A destructive tool without a way to ask: refused, with how to allow it.
    let refused = client.call("execute", json!({"code": "await memory.deleteEntities({ entityNames: [\"note-01.md\"] });\nconsole.log(\"deleted\");\n"}));
    assert_eq!(refused["result"]["isError"], true);
    let text = refused["text"].as_str().unwrap();
    assert!(
        text.contains("memory.delete_entities") && text.contains("\"autoApprove\""),
        "{text}"
    );
    assert!(
        text.contains(&config.display().to_string()),
        "names the file: {text}"
    );
    assert!(!text.contains("deleted\n"), "{text}");
    let still = client.call("execute", json!({"code": "const g = await memory.openNodes({ names: [\"note-01.md\"] });\nexport default g.entities.length;\n"}));
    assert!(
        still["text"].as_str().unwrap().starts_with("result: 1"),
        "{still:#}"
    );

    // Every upstream call is in the audit log; the refused one never went upstream.
    let audit = std::fs::read_to_string(workspace.path().join("audit.jsonl")).unwrap();
    let records: Vec<Value> = audit
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(records.len(), 16, "{audit}");
    assert_eq!(
        records
            .iter()
            .filter(|r| r["tool"] == "read_text_file")
            .count(),
        12
    );
    assert!(
        records
            .iter()
            .all(|r| r["outcome"] == "ok" && r["argumentsSha256"].as_str().unwrap().len() == 64)
    );
    assert!(!records.iter().any(|r| r["tool"] == "delete_entities"));
    client.send(json!({"op": "close"}));

    // The same task by plain tool calling: the same upstream calls, every result read by the model.
    servers["memory"]["env"]["MEMORY_FILE_PATH"] =
        json!(workspace.path().join("plain-memory.jsonl"));
    let mut plain_bytes = 0;
    let mut plain_written = 0;
    let mut upstream_list_bytes = 0;
    let mut tools_upstream = 0;
    for (name, server) in servers.as_object().unwrap() {
        let mut how = json!({"stdio": server});
        how["stdio"]["cwd"] = json!(workspace.path());
        connect(&mut client, how, None);
        let listed = client.send(json!({"op": "listTools"}));
        upstream_list_bytes += listed["bytes"].as_u64().unwrap();
        tools_upstream += listed["tools"].as_array().unwrap().len();
        let mut calls: Vec<(&str, Value)> = Vec::new();
        match name.as_str() {
            "filesystem" => {
                calls.push(("list_directory", json!({"path": notes_dir})));
                for (note, _) in &notes {
                    calls.push(("read_text_file", json!({"path": notes_dir.join(note)})));
                }
            }
            "memory" => {
                let entities: Vec<Value> = notes
                    .iter()
                    .map(|(note, _)| {
                        let text = std::fs::read_to_string(notes_dir.join(note)).unwrap();
                        let todos: Vec<&str> = text
                            .lines()
                            .filter_map(|l| l.strip_prefix("TODO:"))
                            .map(str::trim)
                            .collect();
                        json!({"name": note, "entityType": "note", "observations": todos})
                    })
                    .collect();
                calls.push(("create_entities", json!({"entities": entities})));
            }
            "time" => calls.push(("get_current_time", json!({"timezone": "Etc/UTC"}))),
            _ => {}
        }
        for (tool, arguments) in calls {
            plain_written += arguments.to_string().len() as u64;
            let answer = client.call(tool, arguments);
            assert_ne!(answer["result"]["isError"], true, "{answer:#}");
            plain_bytes += answer["contentBytes"].as_u64().unwrap();
        }
        client.send(json!({"op": "close"}));
    }
    let script_bytes = script.len() as u64;
    eprintln!(
        "what a model reads for the notes task (15 upstream calls): plain tool calling {plain_bytes} B of results \
         (+{plain_written} B of arguments it writes); codemode {codemode_bytes} B ({declaration_bytes} B of declarations from get_types, \
         the rest the script's answer; +{script_bytes} B of script it writes), {:.1}x less to read.\ntool list the model sees: {tools_upstream} upstream tools, {upstream_list_bytes} B of JSON schemas; \
         codemode 3 tools, {codemode_list_bytes} B ({:.1}x less)",
        plain_bytes as f64 / codemode_bytes as f64,
        upstream_list_bytes as f64 / codemode_list_bytes as f64,
    );
    assert!(
        codemode_bytes * 5 < plain_bytes,
        "{codemode_bytes} vs {plain_bytes}"
    );
    assert!(
        codemode_list_bytes * 3 < upstream_list_bytes,
        "{codemode_list_bytes} vs {upstream_list_bytes}"
    );
}

fn memory_config(workspace: &Workspace, settings: Value) -> std::path::PathBuf {
    let memory = json!({
        "command": "node",
        "args": [deps().npm_server("server-memory")],
        "env": {"MEMORY_FILE_PATH": workspace.path().join("memory.jsonl")}
    });
    workspace.write(
        "codemode.json",
        &json!({"mcpServers": {"memory": memory}, "codemode": settings}).to_string(),
    )
}

const DELETE: &str = "await memory.createEntities({ entities: [{ name: \"a\", entityType: \"t\", observations: [] }, { name: \"b\", entityType: \"t\", observations: [] }] });\n\
    for (const n of [\"a\", \"b\"]) await memory.deleteEntities({ entityNames: [n] });\n\
    export default (await memory.readGraph()).entities.length;\n";

#[test]
fn approval_through_elicitation_and_cancellation() {
    let workspace = Workspace::new();

    // A client that can ask: one question per tool per run, and the run goes ahead. The
    // person takes longer to answer than the run may last: waiting for them does not count.
    let config = memory_config(&workspace, json!({"runTimeout": 3}));
    let mut client = McpClient::new();
    let mut how = serve_stdio(&workspace, &config);
    how["elicitationDelayMs"] = json!(4500);
    connect(&mut client, how, Some("accept"));
    let ran = client.call("execute", json!({"code": DELETE}));
    assert_ne!(ran["result"]["isError"], true, "{ran:#}");
    assert!(
        ran["text"].as_str().unwrap().starts_with("result: 0"),
        "{ran:#}"
    );
    let asked = ran["elicitations"].as_array().unwrap();
    assert_eq!(asked.len(), 1, "two calls, one question: {asked:?}");
    let message = asked[0]["message"].as_str().unwrap();
    assert!(
        message.contains("memory.delete_entities") && message.contains("destructive"),
        "{message}"
    );
    client.send(json!({"op": "close"}));

    let config = memory_config(
        &workspace,
        json!({"auditLog": "audit.jsonl", "runTimeout": 120}),
    );
    let mut client = McpClient::new();
    connect(
        &mut client,
        serve_stdio(&workspace, &config),
        Some("accept"),
    );

    // Cancelling a run stops it: no tool call reaches the server after the cancellation.
    let looping = "for (;;) { await memory.readGraph(); }\n";
    let cancelled = client.try_send(json!({
        "op": "call", "name": "execute", "arguments": {"code": looping},
        // The first progress notification is the check; then one per finished call.
        "cancelAfterProgress": 4
    }));
    assert_eq!(cancelled["ok"], false, "{cancelled:#}");
    assert!(
        cancelled["error"]
            .as_str()
            .unwrap()
            .contains("cancelled by the test"),
        "{cancelled:#}"
    );
    let reads = || {
        std::fs::read_to_string(workspace.path().join("audit.jsonl"))
            .unwrap()
            .lines()
            .filter(|l| l.contains("\"read_graph\""))
            .count()
    };
    // The calls stop: the count settles (a loop still running adds one every few ms).
    let started = Instant::now();
    let mut count = reads();
    let mut settled_since = Instant::now();
    while settled_since.elapsed() < Duration::from_secs(2) {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the script kept calling after it was cancelled ({count} calls so far)"
        );
        std::thread::sleep(Duration::from_millis(100));
        let now = reads();
        if now != count {
            count = now;
            settled_since = Instant::now();
        }
    }
    assert!(count >= 3, "the loop ran before the cancellation: {count}");
    // The server is alive and well.
    let next = client.call("execute", json!({"code": "export default 1 + 1;\n"}));
    assert!(
        next["text"].as_str().unwrap().starts_with("result: 2"),
        "{next:#}"
    );
    client.send(json!({"op": "close"}));

    // A person who declines: the call is refused and the script sees a ToolError.
    let mut client = McpClient::new();
    connect(
        &mut client,
        serve_stdio(&workspace, &config),
        Some("decline"),
    );
    let refused = client.call("execute", json!({"code": DELETE}));
    assert_eq!(refused["result"]["isError"], true, "{refused:#}");
    assert!(
        refused["text"]
            .as_str()
            .unwrap()
            .contains("was not approved (the person declined)"),
        "{refused:#}"
    );
    client.send(json!({"op": "close"}));

    // `autoApprove` needs no question.
    let config = memory_config(&workspace, json!({"autoApprove": ["memory.delete_*"]}));
    let mut client = McpClient::new();
    connect(
        &mut client,
        serve_stdio(&workspace, &config),
        Some("decline"),
    );
    let ran = client.call("execute", json!({"code": DELETE}));
    assert_ne!(ran["result"]["isError"], true, "{ran:#}");
    assert_eq!(ran["elicitations"], json!([]));
    client.send(json!({"op": "close"}));
}

#[test]
fn serve_over_http_with_a_token() {
    let workspace = Workspace::new();
    let token = "correct-horse-battery-staple";
    let config = memory_config(
        &workspace,
        json!({"httpToken": "${env:E2E_TOKEN}", "denyTools": ["memory.read_graph"]}),
    );
    let marker = workspace.path().join("memory.jsonl").display().to_string();
    let (mut serve, url) = serve_with_token(&config, token);
    assert!(
        url.starts_with("http://127.0.0.1:"),
        "a bare port binds loopback: {url}"
    );

    // A request naming another host (DNS rebinding) is refused even with the token.
    let authority = url.trim_start_matches("http://").trim_end_matches("/mcp");
    // A client that sends half its headers and stops is not kept forever.
    let slow = {
        let authority = authority.to_string();
        std::thread::spawn(move || {
            use std::io::{Read, Write};
            let mut stream = std::net::TcpStream::connect(&authority).unwrap();
            stream.write_all(b"POST /mcp HTTP/1.1\r\nHost: ").unwrap();
            stream
                .set_read_timeout(Some(Duration::from_secs(60)))
                .unwrap();
            let started = Instant::now();
            let mut rest = Vec::new();
            let _ = stream.read_to_end(&mut rest);
            started.elapsed()
        })
    };
    let status = raw_post(authority, "evil.example", token);
    assert!(status.starts_with("HTTP/1.1 403"), "{status}");
    assert!(raw_post(authority, authority, "wrong-token-wrong-token").starts_with("HTTP/1.1 401"));
    // A web page of another origin is refused (DNS rebinding through a browser), its own
    // host's origin is not; the scheme `bearer` is the same as `Bearer`; a body that is not
    // JSON is a bad request.
    let lower = format!("bearer {token}");
    let evil = raw_request(
        authority,
        &[
            ("Host", authority),
            ("Origin", "http://evil.example"),
            ("Authorization", &lower),
        ],
        INITIALIZE,
    );
    assert!(evil.starts_with("HTTP/1.1 403"), "{evil}");
    let own = format!("http://{authority}");
    let same = raw_request(
        authority,
        &[
            ("Host", authority),
            ("Origin", &own),
            ("Authorization", &lower),
        ],
        INITIALIZE,
    );
    assert!(same.starts_with("HTTP/1.1 200"), "{same}");
    let garbage = raw_request(
        authority,
        &[("Host", authority), ("Authorization", &lower)],
        "{not json",
    );
    assert!(garbage.starts_with("HTTP/1.1 400"), "{garbage}");

    // Without the token: refused at the door.
    let mut client = McpClient::new();
    let refused = client.try_send(json!({"op": "connect", "http": {"url": url}}));
    assert_eq!(refused["ok"], false);
    assert!(
        refused["error"]
            .as_str()
            .unwrap()
            .contains("needs `Authorization: Bearer TOKEN`"),
        "{refused:#}"
    );

    let mut client = McpClient::new();
    connect(
        &mut client,
        json!({"http": {"url": url, "token": token}}),
        None,
    );
    let listed = client.send(json!({"op": "listTools"}));
    assert_eq!(listed["tools"].as_array().unwrap().len(), 3);
    let found = client.call("search_tools", json!({"query": "read the whole graph"}));
    let text = found["text"].as_str().unwrap();
    assert!(
        !text.contains("readGraph"),
        "denied tools are not offered: {text}"
    );
    let ran = client.call("execute", json!({"code": "const r = await Promise.all([\"x\", \"y\", \"z\"].map(q => memory.searchNodes({ query: q })));\nexport default r.map(g => g.entities.length);\n"}));
    assert!(
        ran["text"]
            .as_str()
            .unwrap()
            .starts_with("result: [\n  0,\n  0,\n  0\n]"),
        "{ran:#}"
    );
    assert!(
        ran["text"]
            .as_str()
            .unwrap()
            .contains("3 tool calls (memory.search_nodes ×3)"),
        "{ran:#}"
    );
    let denied = client.call("execute", json!({"code": "await memory.readGraph();\n"}));
    assert_eq!(denied["result"]["isError"], true);
    assert!(
        denied["text"].as_str().unwrap().contains("TS2339"),
        "a denied tool is not in the API: {denied:#}"
    );
    let destructive = client.call(
        "execute",
        json!({"code": "await memory.deleteEntities({ entityNames: [\"x\"] });\n"}),
    );
    assert_eq!(destructive["result"]["isError"], true);
    assert!(
        destructive["text"]
            .as_str()
            .unwrap()
            .contains("\"autoApprove\""),
        "{destructive:#}"
    );
    client.send(json!({"op": "close"}));

    // Sessions are bounded: new ones are refused once the cap is reached.
    let mut opened = 0;
    let refused = loop {
        let status = raw_post(authority, authority, token);
        if !status.starts_with("HTTP/1.1 200") {
            break status;
        }
        opened += 1;
        assert!(opened <= 200, "sessions are not capped");
    };
    assert!(refused.starts_with("HTTP/1.1 503"), "{refused}");
    assert!(opened >= 100, "only {opened} sessions before {refused}");
    let closed_after = slow.join().unwrap();
    assert!(
        closed_after < Duration::from_secs(30),
        "a half-sent request held its connection for {closed_after:?}"
    );

    // SIGTERM: a clean exit, and the upstream server is gone with it.
    assert!(!processes_mentioning(&marker).is_empty());
    let status = Command::new("kill")
        .args(["-TERM", &serve.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let started = Instant::now();
    let code = loop {
        if let Some(status) = serve.try_wait().unwrap() {
            break status.code();
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "serve did not stop on SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(code, Some(0));
    assert_eq!(processes_mentioning(&marker), Vec::<u32>::new());
}

/// The status line of an `initialize` POST to `/mcp` at `authority` with these `Host` and
/// bearer token.
const INITIALIZE: &str = r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"raw","version":"1"}}}"#;

/// `codemode serve --http 0 --config CONFIG` whose `httpToken` is `${env:E2E_TOKEN}` =
/// `token`, and the URL it serves at.
fn serve_with_token(config: &Path, token: &str) -> (std::process::Child, String) {
    let mut serve = Command::new(env!("CARGO_BIN_EXE_codemode"))
        .env("CODEMODE_NO_USER_CONFIGS", "1")
        .env("XDG_STATE_HOME", crate::support::state_home())
        .args(["serve", "--http", "0", "--config"])
        .arg(config)
        .env("E2E_TOKEN", token)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(serve.stderr.take().unwrap());
    let mut url = None;
    let mut seen = String::new();
    let started = Instant::now();
    while url.is_none() && started.elapsed() < Duration::from_secs(60) {
        let mut line = String::new();
        if stderr.read_line(&mut line).unwrap() == 0 {
            break;
        }
        seen.push_str(&line);
        url = line
            .split_whitespace()
            .find(|w| w.starts_with("http://"))
            .map(str::to_string);
    }
    let url = url.unwrap_or_else(|| panic!("no address in:\n{seen}"));
    assert!(seen.contains("bearer token required"), "{seen}");
    std::thread::spawn(move || std::io::copy(&mut stderr, &mut std::io::sink()));
    (serve, url)
}

#[test]
fn requests_without_the_token_cost_no_more_than_their_headers() {
    use std::io::Write;
    let workspace = Workspace::new();
    let token = "correct-horse-battery-staple";
    let config = memory_config(&workspace, json!({"httpToken": "${env:E2E_TOKEN}"}));
    let (mut serve, url) = serve_with_token(&config, token);
    let authority = url.trim_start_matches("http://").trim_end_matches("/mcp");
    let before = resident_mb(serve.id());
    // 260 clients without the token announce a 15 MiB body and send it slowly; 30 more send
    // it whole. None of them may hold a connection slot or the memory of a body.
    let header = |wrong: bool| {
        format!(
            "POST /mcp HTTP/1.1\r\nHost: {authority}\r\n{}Content-Type: application/json\r\n\
             Content-Length: {}\r\n\r\n",
            if wrong {
                "Authorization: Bearer wrong-wrong-wrong-wrong\r\n"
            } else {
                ""
            },
            15 * 1024 * 1024
        )
    };
    let mut slow = Vec::new();
    for i in 0..260 {
        if let Ok(mut stream) = std::net::TcpStream::connect(authority) {
            let _ = stream.write_all(header(i % 2 == 0).as_bytes());
            let _ = stream.write_all(b"[");
            slow.push(stream);
        }
    }
    let large: Vec<_> = (0..30)
        .map(|_| {
            let header = header(true);
            let authority = authority.to_string();
            std::thread::spawn(move || {
                let Ok(mut stream) = std::net::TcpStream::connect(&authority) else {
                    return;
                };
                let _ = stream.write_all(header.as_bytes());
                let chunk = vec![b' '; 1024 * 1024];
                for _ in 0..15 {
                    if stream.write_all(&chunk).is_err() {
                        return;
                    }
                }
            })
        })
        .collect();
    // Meanwhile the person's own client is answered promptly.
    let started = Instant::now();
    let status = raw_post(authority, authority, token);
    let took = started.elapsed();
    assert!(status.starts_with("HTTP/1.1 200"), "{status}");
    assert!(took < Duration::from_secs(5), "answered after {took:?}");
    for thread in large {
        let _ = thread.join();
    }
    let grown = resident_mb(serve.id()).saturating_sub(before);
    assert!(
        grown < 100,
        "serve grew by {grown} MiB for requests it refused"
    );
    drop(slow);
    let _ = serve.kill();
    let _ = serve.wait();
}

fn raw_post(authority: &str, host: &str, token: &str) -> String {
    let authorization = format!("Bearer {token}");
    raw_request(
        authority,
        &[("Host", host), ("Authorization", &authorization)],
        INITIALIZE,
    )
}

/// A POST to `/mcp` with these headers (and the JSON ones) and `body`: the status line.
fn raw_request(authority: &str, headers: &[(&str, &str)], body: &str) -> String {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(authority).unwrap();
    let mut request = "POST /mcp HTTP/1.1\r\n".to_string();
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str(&format!(
        "Content-Type: application/json\r\nAccept: application/json, text/event-stream\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    ));
    stream.write_all(request.as_bytes()).unwrap();
    let mut answer = String::new();
    let _ = stream.read_to_string(&mut answer);
    answer.lines().next().unwrap_or_default().to_string()
}

#[test]
fn serve_refuses_what_it_should() {
    let workspace = Workspace::new();
    let config = memory_config(&workspace, json!({}));
    let run = workspace.codemode(&[
        "serve",
        "--http",
        "0.0.0.0:0",
        "--config",
        config.to_str().unwrap(),
    ]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("refusing to serve on 0.0.0.0:0 without a token"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("\"httpToken\""), "{}", run.stderr);

    let short = memory_config(&workspace, json!({"httpToken": "short"}));
    let run = workspace.codemode(&["serve", "--config", short.to_str().unwrap()]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("codemode.httpToken: the token must be at least 16 characters"),
        "{}",
        run.stderr
    );

    // A client's file that lists codemode itself: that entry is skipped, not started.
    let listed = workspace.write(
        ".mcp.json",
        &json!({"mcpServers": {
            "codemode": {"command": env!("CARGO_BIN_EXE_codemode"), "args": ["serve"]},
        }})
        .to_string(),
    );
    std::fs::remove_file(workspace.path().join("codemode.json")).unwrap();
    let run = workspace.codemode(&["serve"]);
    assert!(
        run.stderr.contains(&format!(
            "note: skipping server \"codemode\" of {}: it is `codemode serve` itself",
            listed.display()
        )),
        "{}",
        run.stderr
    );
    assert!(
        !run.stderr.contains("starting 1 MCP server"),
        "{}",
        run.stderr
    );
    assert_eq!(run.code, 1, "no client on stdin: {}", run.stderr);
}

/// A client of MCP 2026-07-28 (no `initialize`: `server/discover`, then requests that each
/// carry their protocol version and client in `_meta`) gets the same facade.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_answers_a_client_of_2026_07_28() {
    let dir = tempfile::tempdir().unwrap();
    let mut modern = ModernClient::start(dir.path(), json!({}));
    let discovered = modern.ask("server/discover", None, json!({})).await;
    let versions = &discovered["result"]["supportedVersions"];
    assert!(
        versions.as_array().unwrap().contains(&json!("2026-07-28"))
            && versions.as_array().unwrap().contains(&json!("2025-11-25")),
        "{discovered:#}"
    );
    let listed = modern.ask("tools/list", None, json!({})).await;
    let names: Vec<&str> = listed["result"]["tools"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["search_tools", "get_types", "execute"],
        "{listed:#}"
    );
    let ran = modern
        .ask(
            "tools/call",
            Some("execute"),
            json!({"name": "execute", "arguments": {"code": "export default (await demo.add({ a: 20, b: 22 })).sum;"}}),
        )
        .await;
    assert_eq!(ran["result"]["isError"], json!(false), "{ran:#}");
    assert!(
        ran["result"]["content"][0]["text"]
            .as_str()
            .unwrap()
            .contains("42"),
        "{ran:#}"
    );
}

/// A client of MCP 2026-07-28 takes no requests from a server, so approval comes in round
/// trips: `execute` answers `input_required` with the question and a `requestState`, the
/// client calls again with the person's reply, and the held run goes on from where it
/// waited (a declined call is refused; a handle that names no run says so).
#[tokio::test(flavor = "multi_thread")]
async fn a_client_of_2026_07_28_is_asked_for_approval_in_round_trips() {
    let dir = tempfile::tempdir().unwrap();
    // The demo server not trusted: its read-only hints are not believed, every call asks.
    std::fs::write(
        dir.path().join("codemode.json"),
        json!({"mcpServers": {"demo": {"builtin": "demo", "trusted": false}}}).to_string(),
    )
    .unwrap();
    let mut modern = ModernClient::start(dir.path(), json!({"elicitation": {"form": {}}}));
    let script = "console.log('before');\n\
                  const { sum } = await demo.add({ a: 20, b: 22 });\n\
                  console.log('after');\n\
                  export default sum;";
    let call = json!({"name": "execute", "arguments": {"code": script}});
    let asked = modern
        .ask("tools/call", Some("execute"), call.clone())
        .await;
    let (key, question, handle) = the_question(&asked);
    assert_eq!(question["method"], json!("elicitation/create"), "{asked:#}");
    assert!(
        question["params"]["message"]
            .as_str()
            .unwrap()
            .contains("demo.add"),
        "{asked:#}"
    );

    let mut retry = call.clone();
    retry["inputResponses"] = json!({ key: {"action": "accept", "content": {}} });
    retry["requestState"] = handle;
    let ran = modern
        .ask("tools/call", Some("execute"), retry.clone())
        .await;
    let text = ran["result"]["content"][0]["text"]
        .as_str()
        .unwrap_or_default();
    assert_eq!(ran["result"]["isError"], json!(false), "{ran:#}");
    assert!(
        text.contains("before") && text.contains("after") && text.contains("42"),
        "{ran:#}"
    );
    // The run ended: its handle names nothing now.
    let again = modern.ask("tools/call", Some("execute"), retry).await;
    assert_eq!(again["result"]["isError"], json!(true), "{again:#}");
    assert!(
        again["result"]["content"][0]["text"]
            .as_str()
            .unwrap()
            .contains("no longer waiting"),
        "{again:#}"
    );

    // Declined: the call is refused inside the script, which goes on.
    let asked = modern
        .ask("tools/call", Some("execute"), call.clone())
        .await;
    let (key, _, handle) = the_question(&asked);
    let mut retry = call;
    retry["inputResponses"] = json!({ key: {"action": "decline"} });
    retry["requestState"] = handle;
    let ran = modern.ask("tools/call", Some("execute"), retry).await;
    let text = ran["result"]["content"][0]["text"]
        .as_str()
        .unwrap_or_default();
    assert_eq!(ran["result"]["isError"], json!(true), "{ran:#}");
    assert!(
        text.contains("before") && !text.contains("after") && text.contains("not approved"),
        "{ran:#}"
    );
}

/// `codemode serve --http` in `dir`, spoken to in MCP 2026-07-28 over plain HTTP: every
/// request carries its protocol version, client and capabilities in `_meta`.
pub struct ModernClient {
    serve: std::process::Child,
    url: String,
    http: reqwest::Client,
    meta: Value,
    next_id: u32,
}

impl ModernClient {
    fn start(dir: &Path, capabilities: Value) -> ModernClient {
        ModernClient::start_with(dir, capabilities, &[])
    }

    /// [`ModernClient::start`] with more environment for `serve`.
    pub fn start_with(dir: &Path, capabilities: Value, env: &[(&str, &Path)]) -> ModernClient {
        let (serve, url) = crate::support::serve_http(dir, env);
        ModernClient {
            serve,
            url,
            http: reqwest::Client::new(),
            meta: json!({
                "io.modelcontextprotocol/protocolVersion": "2026-07-28",
                "io.modelcontextprotocol/clientInfo": {"name": "modern", "version": "1"},
                "io.modelcontextprotocol/clientCapabilities": capabilities
            }),
            next_id: 0,
        }
    }

    pub async fn ask(
        &mut self,
        method: &'static str,
        name: Option<&'static str>,
        mut params: Value,
    ) -> Value {
        self.next_id += 1;
        params["_meta"] = self.meta.clone();
        let mut request = self
            .http
            .post(&self.url)
            .header("content-type", "application/json")
            .header("accept", "application/json, text/event-stream")
            .header("mcp-protocol-version", "2026-07-28")
            .header("mcp-method", method)
            .body(
                json!({"jsonrpc": "2.0", "id": self.next_id, "method": method, "params": params})
                    .to_string(),
            );
        if let Some(name) = name {
            request = request.header("mcp-name", name);
        }
        let text = request.send().await.unwrap().text().await.unwrap();
        // The answer: the one JSON-RPC response, as JSON or among server-sent events.
        text.lines()
            .filter_map(|l| l.strip_prefix("data: "))
            .chain(std::iter::once(text.as_str()))
            .filter_map(|body| serde_json::from_str::<Value>(body).ok())
            .find(|message| message.get("id").is_some())
            .unwrap_or_else(|| panic!("no answer to {method}: {text}"))
    }
}

/// The one question of an `input_required` answer: its key, the request, and the
/// `requestState` to send back with the reply.
pub fn the_question(answer: &Value) -> (String, Value, Value) {
    let result = &answer["result"];
    assert_eq!(result["resultType"], json!("input_required"), "{answer:#}");
    let (key, question) = result["inputRequests"]
        .as_object()
        .and_then(|q| q.iter().next())
        .unwrap_or_else(|| panic!("no question: {answer:#}"));
    (
        key.clone(),
        question.clone(),
        result["requestState"].clone(),
    )
}

impl Drop for ModernClient {
    fn drop(&mut self) {
        let _ = self.serve.kill();
        let _ = self.serve.wait();
    }
}

/// A question an upstream server asks while its tool runs (form elicitation) reaches the
/// agent's client when the configuration says `"elicitation": "ask"`; the fields the person
/// left out get the schema's defaults. By default it is declined without asking anyone, and
/// `codemode run` without a terminal declines it with a note.
#[test]
fn questions_from_servers_reach_the_person_only_when_allowed() {
    let workspace = Workspace::new();
    let asking = |settings: Value| {
        workspace.write(
            "codemode.json",
            &json!({
                "mcpServers": {"asking": crate::support::asking()},
                "codemode": settings
            })
            .to_string(),
        )
    };
    let book = json!({"code": "export default await asking.bookTable({});"});
    let answered = |ran: &Value| -> Value {
        let text = ran["text"].as_str().unwrap();
        let json = text
            .split_once("result: ")
            .map_or(text, |(_, rest)| rest)
            .trim();
        let json = json.split("\n— ").next().unwrap_or(json);
        // The tool's result as the script got it: `{"result": "<the JSON it wrote>"}`.
        let outer: Value = serde_json::from_str(json).unwrap_or_else(|_| panic!("{text}"));
        serde_json::from_str(outer["result"].as_str().unwrap_or_else(|| panic!("{text}")))
            .unwrap_or_else(|_| panic!("{text}"))
    };

    // Allowed: the client is asked, answers only the name; the defaults fill the rest.
    let config = asking(json!({"elicitation": "ask"}));
    let mut client = McpClient::new();
    let mut how = serve_stdio(&workspace, &config);
    how["elicitationContent"] = json!({"name": "Ada"});
    connect(&mut client, how, Some("accept"));
    let ran = client.call("execute", book.clone());
    assert_ne!(ran["result"]["isError"], true, "{ran:#}");
    // Two questions: codemode's own (the tool does not say it is read-only), then the
    // server's, passed on.
    let questions: Vec<&str> = ran["elicitations"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["message"].as_str())
        .collect();
    assert_eq!(questions.len(), 2, "{ran:#}");
    assert!(
        questions[0].contains("Allow it for this run?"),
        "{questions:#?}"
    );
    assert_eq!(
        questions[1],
        "The MCP server `asking` asks, while a codemode script runs: How should the table be booked?"
    );
    assert_eq!(
        answered(&ran),
        json!({"action": "accept", "content": {"name": "Ada", "seats": 2, "window": true, "tone": "calm"}}),
        "{ran:#}"
    );
    client.send(json!({"op": "close"}));

    // By default servers are not offered the capability: this one says it needs it, the
    // error says how to allow it, and the client is never asked the server's question.
    let config = asking(json!({}));
    let mut client = McpClient::new();
    connect(
        &mut client,
        serve_stdio(&workspace, &config),
        Some("accept"),
    );
    let ran = client.call("execute", book.clone());
    let passed_on = ran["elicitations"].as_array().unwrap().iter().any(|e| {
        e["message"]
            .as_str()
            .is_some_and(|m| m.contains("asks, while"))
    });
    assert!(!passed_on, "{ran:#}");
    let text = ran["text"].as_str().unwrap();
    assert!(
        text.contains(
            "\"elicitation\": \"ask\" in the configuration's \"codemode\" section lets it"
        ),
        "{text}"
    );
    client.send(json!({"op": "close"}));

    // `codemode run` with no terminal on stdin: declined, with a note.
    asking(json!({"elicitation": "ask"}));
    workspace.write("book.ts", "export default await asking.bookTable({});\n");
    let run = workspace.codemode(&["run", "book.ts", "--yes"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("decline"), "{}", run.stdout);
    assert!(
        run.stderr.contains(
            "asking asked \"How should the table be booked?\"; declined (no terminal to ask on)"
        ),
        "{}",
        run.stderr
    );
}

/// What `execute` answers keeps what matters: a flood of logs past `maxResponseBytes` gives
/// way to the result and the summary; a default export that is not data says so.
#[test]
fn answers_keep_the_result_and_the_summary() {
    let workspace = Workspace::new();
    let config = memory_config(&workspace, json!({"maxResponseBytes": 4096}));
    let mut client = McpClient::new();
    connect(&mut client, serve_stdio(&workspace, &config), None);
    let flood = "for (let i = 0; i < 5000; i++) console.log(`line ${i} of the flood`);\n\
                 export default { entities: (await memory.readGraph()).entities.length };\n";
    let ran = client.call("execute", json!({"code": flood}));
    let text = ran["text"].as_str().unwrap();
    assert_ne!(ran["result"]["isError"], true, "{ran:#}");
    assert!(text.len() <= 4096, "{} bytes", text.len());
    assert!(text.starts_with("line 0 of the flood"), "{text}");
    assert!(text.contains("… [truncated: "), "{text}");
    assert!(text.contains("result: {\n  \"entities\": 0\n}"), "{text}");
    assert!(text.contains("\n— 1 tool call"), "{text}");

    // The common mistakes get, through `execute`, the hint `codemode check` gives: the fix.
    let fixtures = crate::support::repo().join("tests/scripts/real-servers");
    for name in [
        "missing_await.ts",
        "top_level_return.ts",
        "module_exports.ts",
        "import_from_node.ts",
        "no_node_globals.ts",
    ] {
        let code = std::fs::read_to_string(fixtures.join(name)).unwrap();
        let answer = client.call("execute", json!({ "code": code }));
        let text = answer["text"].as_str().unwrap();
        assert_eq!(answer["result"]["isError"], true, "{name}: {text}");
        assert!(text.contains("no tool was called"), "{name}: {text}");
        for want in code.lines().filter_map(|l| l.strip_prefix("// hint: ")) {
            let (_, hint) = want.split_once(' ').unwrap();
            assert!(text.contains(hint), "{name}: no {hint:?} in {text}");
        }
        assert!(!text.contains("@types/node"), "{name}: {text}");
    }

    let function = client.call("execute", json!({"code": "export default () => 1;\n"}));
    let text = function["text"].as_str().unwrap();
    assert!(
        text.contains("the default export is a function, which is not data")
            && text.contains("`export default await f()`"),
        "{text}"
    );
    // What JSON leaves out or empties inside a result is named, with how to keep it.
    let code = "export default { total: 2, byCity: new Map([[\"Paris\", 2]]), f() {} };\n";
    let dropped = client.call("execute", json!({ "code": code }));
    let text = dropped["text"].as_str().unwrap();
    assert!(text.contains("\"total\": 2"), "{text}");
    assert!(
        text.contains(
            "`result.byCity` is a Map, which JSON writes as {} (return `Object.fromEntries(map)`)"
        ) && text.contains("`result.f` is a function, which JSON leaves out"),
        "{text}"
    );
    client.send(json!({"op": "close"}));
}

/// An image a tool returns reaches the agent as an MCP `image` block with the tool's own
/// bytes, not as base64 text, and the summary says it was passed on; a script reads a
/// resource a tool returned as a `resource_link` and gets a prompt, both in the audit log.
/// The official SDK client talks to server-everything directly for the reference and to
/// `codemode serve`.
#[test]
fn content_blocks_resources_and_prompts_through_execute() {
    let workspace = Workspace::new();
    let everything = json!({"command": "node", "args": [deps().npm_server("server-everything")]});
    let audit = workspace.path().join("audit.jsonl");
    let config = workspace.write(
        "codemode.json",
        &json!({"mcpServers": {"everything": everything}, "codemode": {"auditLog": audit}})
            .to_string(),
    );

    let mut direct = McpClient::new();
    connect(&mut direct, json!({"stdio": everything}), None);
    let reference = direct.call("get-tiny-image", json!({}));
    let image = |result: &Value| -> Vec<Value> {
        result["result"]["content"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|block| block["type"] == "image")
            .cloned()
            .collect()
    };
    let expected = image(&reference);
    assert_eq!(expected.len(), 1, "{reference:#}");
    let linked = direct.call("get-resource-links", json!({"count": 1}));
    let link = linked["result"]["content"]
        .as_array()
        .unwrap()
        .iter()
        .find(|block| block["type"] == "resource_link")
        .cloned()
        .unwrap_or_else(|| panic!("{linked:#}"));
    direct.send(json!({"op": "close"}));

    let mut client = McpClient::new();
    connect(&mut client, serve_stdio(&workspace, &config), None);
    let code = "const tiny = await everything.getTinyImage();\n\
                const logo = tiny.content.find((b) => b.type === \"image\");\n\
                console.log(\"logged:\", logo);\n\
                export default { note: \"the logo\", logo };\n";
    let ran = client.call("execute", json!({ "code": code }));
    assert_ne!(ran["result"]["isError"], true, "{ran:#}");
    let passed = image(&ran);
    assert_eq!(passed.len(), 2, "logged and returned: {ran:#}");
    for block in &passed {
        assert_eq!(block["data"], expected[0]["data"], "the tool's bytes");
        assert_eq!(block["mimeType"], expected[0]["mimeType"]);
    }
    let text = ran["text"].as_str().unwrap();
    let data = expected[0]["data"].as_str().unwrap();
    assert!(!text.contains(&data[..40]), "no base64 in the text: {text}");
    assert!(text.contains("\"note\": \"the logo\""), "{text}");
    assert!(
        text.starts_with("logged: [image/png image, ") && text.contains(": content block 1]\n"),
        "the log line names its block: {text}"
    );
    assert!(
        text.contains("\"logo\": \"[image/png image, ") && text.contains(": content block 2]\""),
        "the result names its block: {text}"
    );
    assert!(
        text.contains("2 images (") && text.contains(") passed on as content blocks"),
        "the summary says so: {text}"
    );

    let overview = client.call("get_types", json!({}));
    let overview = overview["text"].as_str().unwrap();
    assert!(
        overview.contains("; also resources (list, read, templates), prompts (list, get)"),
        "{overview}"
    );
    let types = client.call("get_types", json!({"servers": ["everything"]}));
    let types = types["text"].as_str().unwrap();
    assert!(types.contains(" const resources: McpResources;"), "{types}");

    // A `resource_link` a tool returned is read through the server's `resources`; a prompt
    // comes from its `prompts`. Both are typed, checked and audited like tool calls.
    let code = "const links = await everything.getResourceLinks({ count: 1 });\n\
                const link = links.content.find((b) => b.type === \"resource_link\");\n\
                if (link?.type !== \"resource_link\") throw new Error(\"no link\");\n\
                const [contents] = await everything.resources.read(link.uri);\n\
                const prompt = await everything.prompts.get(\"simple-prompt\");\n\
                export default { uri: contents.uri, read: \"text\" in contents ? \"text\" : \"blob\", said: prompt.messages[0].content };\n";
    let ran = client.call("execute", json!({ "code": code }));
    assert_ne!(ran["result"]["isError"], true, "{ran:#}");
    let text = ran["text"].as_str().unwrap();
    assert!(
        text.contains(&format!("\"uri\": \"{}\"", link["uri"].as_str().unwrap())),
        "{text}"
    );
    assert!(
        text.contains("This is a simple prompt without arguments."),
        "{text}"
    );
    assert!(
        text.contains("everything.prompts/get") && text.contains("everything.resources/read"),
        "the summary names them: {text}"
    );
    let log = std::fs::read_to_string(&audit).unwrap();
    for method in ["resources/read", "prompts/get"] {
        assert!(
            log.lines()
                .any(|line| line.contains(&format!("\"tool\":\"{method}\""))
                    && line.contains("\"outcome\":\"ok\"")),
            "{method} is audited: {log}"
        );
    }
    // A misspelt prompt name is the server's error, as a ToolError the script can catch.
    let wrong = client.call(
        "execute",
        json!({"code": "export default await everything.prompts.get(\"no-such-prompt\");\n"}),
    );
    assert_eq!(wrong["result"]["isError"], true, "{wrong:#}");
    assert!(
        wrong["text"].as_str().unwrap().contains("error[tool]"),
        "{wrong:#}"
    );
    client.send(json!({"op": "close"}));
}
