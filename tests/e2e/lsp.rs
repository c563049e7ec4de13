//! `codemode lsp` driven over stdio by a plain LSP client, against the real memory server
//! from npm: completion, hover, signature help, definition, symbols, diagnostics that come
//! and go with edits, the ▶ Run lens and `codemode.run`, the destructive-tool question,
//! configuration reload, and a clean shutdown.

use std::path::Path;

use serde_json::{Value, json};

use crate::lsp_client::{LspClient, file_uri};
use crate::support::{Workspace, deps, processes_mentioning};

pub(crate) fn memory_workspace() -> Workspace {
    let workspace = Workspace::new();
    let memory = json!({
        "command": "node",
        "args": [deps().npm_server("server-memory")],
        "env": {"MEMORY_FILE_PATH": workspace.path().join("memory.jsonl")}
    });
    workspace.config(json!({ "memory": memory }));
    workspace
}

pub(crate) fn open(client: &mut LspClient, uri: &str, text: &str) {
    client.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri, "languageId": "typescript", "version": 1, "text": text}}),
    );
}

pub(crate) fn edit(
    client: &mut LspClient,
    uri: &str,
    version: i32,
    range: [(u32, u32); 2],
    text: &str,
) {
    client.notify(
        "textDocument/didChange",
        json!({
            "textDocument": {"uri": uri, "version": version},
            "contentChanges": [{
                "range": {
                    "start": {"line": range[0].0, "character": range[0].1},
                    "end": {"line": range[1].0, "character": range[1].1}
                },
                "text": text
            }]
        }),
    );
}

/// Waits for the diagnostics of `uri` at `version`.
pub(crate) fn diagnostics(
    client: &mut LspClient,
    from: usize,
    uri: &str,
    version: i32,
) -> (usize, Vec<Value>) {
    let (next, params) = client.wait_for(from, "diagnostics", |n| {
        n["method"] == "textDocument/publishDiagnostics"
            && n["params"]["uri"] == uri
            && n["params"]["version"] == version
    });
    (next, params["diagnostics"].as_array().unwrap().clone())
}

fn at(uri: &str, line: u32, character: u32) -> Value {
    json!({"textDocument": {"uri": uri}, "position": {"line": line, "character": character}})
}

fn hover_text(hover: &Value) -> String {
    hover["contents"]["value"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

#[test]
fn language_features_against_the_memory_server() {
    language_features("embedded");
}

/// The same questions answered by TypeScript 7 (the native engine).
#[test]
fn language_features_against_the_memory_server_on_typescript_7() {
    language_features(&deps().tsgo().display().to_string());
}

/// Diagnostics, completion, resolve, signature help, hover, definition, symbols and Run,
/// with `CODEMODE_TYPESCRIPT` set to `engine`.
fn language_features(engine: &str) {
    let workspace = memory_workspace();
    let script = workspace.write("graph.mcp.ts", "");
    let uri = file_uri(&script);
    let mut client = LspClient::start_with_env(
        workspace.path(),
        &[],
        &[("CODEMODE_TYPESCRIPT", Path::new(engine))],
    );
    let init = client.initialize(workspace.path(), json!({}));
    let caps = &init["capabilities"];
    assert_eq!(
        caps["executeCommandProvider"]["commands"][0],
        "codemode.run"
    );
    assert_eq!(caps["textDocumentSync"]["change"], 2, "incremental sync");

    // A type error on line 2 (0-based), after an astral character on line 1: the range
    // counts UTF-16 code units.
    let text = "const graph = await memory.readGraph();\nconst clef = \"𝄞\"; console.log(graph.entities.length);\nconst count: string = graph.entities.length;\n";
    open(&mut client, &uri, text);
    let (seen, found) = diagnostics(&mut client, 0, &uri, 1);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0]["code"], 2322);
    assert_eq!(
        found[0]["range"]["start"],
        json!({"line": 2, "character": 6})
    );
    assert!(
        found[0]["message"]
            .as_str()
            .unwrap()
            .contains("not assignable to type 'string'")
    );

    // Fixed by an edit after the clef on line 1 and one on line 2: the error goes away.
    edit(&mut client, &uri, 2, [(1, 16), (1, 16)], " ");
    edit(&mut client, &uri, 3, [(2, 13), (2, 19)], "number");
    let (_, found) = diagnostics(&mut client, seen, &uri, 3);
    assert_eq!(found, Vec::<Value>::new());

    // Server start was reported as progress.
    assert!(
        client
            .notifications
            .iter()
            .any(|n| n["method"] == "$/progress"
                && n["params"]["value"]["title"] == "codemode: starting MCP servers"),
        "{:#?}",
        client.notifications
    );

    // Completion after `memory.` lists the tools, with their descriptions.
    edit(&mut client, &uri, 4, [(3, 0), (3, 0)], "memory.");
    let list = client.request("textDocument/completion", at(&uri, 3, 7));
    let items = list["items"].as_array().unwrap();
    let labels: Vec<&str> = items.iter().map(|i| i["label"].as_str().unwrap()).collect();
    for tool in [
        "readGraph",
        "createEntities",
        "searchNodes",
        "deleteEntities",
    ] {
        assert!(labels.contains(&tool), "{labels:?}");
    }
    let read_graph = items.iter().find(|i| i["label"] == "readGraph").unwrap();
    let docs = read_graph["documentation"]["value"].as_str().unwrap();
    assert!(
        docs.contains("Read the entire knowledge graph"),
        "{read_graph:#}"
    );
    // Resolve answers the same details for an item that came without them.
    let mut bare = read_graph.clone();
    bare.as_object_mut().unwrap().remove("documentation");
    bare.as_object_mut().unwrap().remove("detail");
    let resolved = client.request("completionItem/resolve", bare);
    assert!(
        resolved["documentation"]["value"]
            .as_str()
            .unwrap()
            .contains("Read the entire knowledge graph")
    );
    assert!(resolved["detail"].as_str().unwrap().contains("readGraph"));

    // Input properties complete inside a call, with their types.
    edit(&mut client, &uri, 5, [(3, 7), (3, 7)], "searchNodes({  })");
    let list = client.request("textDocument/completion", at(&uri, 3, 21));
    let labels: Vec<&str> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["label"].as_str().unwrap())
        .collect();
    assert!(labels.contains(&"query"), "{labels:?}");
    let help = client.request("textDocument/signatureHelp", at(&uri, 3, 21));
    let label = help["signatures"][0]["label"].as_str().unwrap();
    assert!(
        label.starts_with("searchNodes(input: { query: string; })"),
        "{help:#}"
    );

    // Hover: the signature, the tool's description, its annotations.
    let hover = client.request("textDocument/hover", at(&uri, 0, 30));
    let shown = hover_text(&hover);
    assert!(
        shown.contains("function memory.readGraph(input?: Record<string, never>)"),
        "{shown}"
    );
    assert!(shown.contains("Read the entire knowledge graph"), "{shown}");
    assert!(shown.contains("read-only"), "{shown}");

    // Go to definition lands on the declaration in the generated API (a file for this
    // client, which did not ask for virtual documents).
    let found = client.request("textDocument/definition", at(&uri, 0, 30));
    let location = &found[0];
    let target = location["uri"].as_str().unwrap().to_string();
    assert!(
        target.starts_with("file://") && target.ends_with("/api.d.ts"),
        "{found:#}"
    );
    let api = std::fs::read_to_string(target.trim_start_matches("file://")).unwrap();
    let read_only = std::fs::metadata(target.trim_start_matches("file://"))
        .unwrap()
        .permissions()
        .readonly();
    assert!(read_only, "the generated API is written read-only");
    // In a folder of the session's own: a fresh random name (not one another user could
    // prepare), readable by its owner only, gone after shutdown.
    let generated = Path::new(target.trim_start_matches("file://"))
        .parent()
        .unwrap()
        .to_path_buf();
    let folder = generated
        .file_name()
        .unwrap()
        .to_string_lossy()
        .into_owned();
    assert!(
        folder.starts_with("codemode-lsp-") && folder != format!("codemode-lsp-{}", client.pid()),
        "{folder}"
    );
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&generated).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o700, "{}", generated.display());
    }
    let line = location["range"]["start"]["line"].as_u64().unwrap() as usize;
    assert!(
        api.lines()
            .nth(line)
            .unwrap()
            .contains("function readGraph"),
        "{found:#}"
    );

    let symbols = client.request(
        "textDocument/documentSymbol",
        json!({"textDocument": {"uri": uri}}),
    );
    let names: Vec<&str> = symbols
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["clef", "count", "graph"]);

    // Remove the call line again; the lens runs the script and the result comes back.
    edit(&mut client, &uri, 6, [(3, 0), (3, 24)], "");
    let lenses = client.request(
        "textDocument/codeLens",
        json!({"textDocument": {"uri": uri}}),
    );
    let lens = &lenses[0]["command"];
    assert_eq!(lens["title"], "▶ Run");
    let from = client.notifications.len();
    let report = client.request(
        "workspace/executeCommand",
        json!({"command": lens["command"], "arguments": lens["arguments"]}),
    );
    assert_eq!(report["ok"], true, "{report:#}");
    assert_eq!(report["logs"][0]["text"], "0");
    assert_eq!(report["logs"][0]["line"], 2);
    assert_eq!(report["toolCalls"][0]["tool"], "read_graph");
    assert_eq!(report["toolCalls"][0]["line"], 1);
    let (_, note) = client.wait_for(from, "codemode/runResult", |n| {
        n["method"] == "codemode/runResult"
    });
    assert_eq!(note["report"], report);
    assert_eq!(note["version"], 6);
    // Clients without special support see it as inlay hints and a lens title.
    let hints = client.request(
        "textDocument/inlayHint",
        json!({"textDocument": {"uri": uri}, "range": {"start": {"line": 0, "character": 0}, "end": {"line": 9, "character": 0}}}),
    );
    let labels: Vec<(u64, &str)> = hints
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            (
                h["position"]["line"].as_u64().unwrap(),
                h["label"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(labels.len(), 2, "{labels:?}");
    assert!(
        labels[0].0 == 0 && labels[0].1.contains("memory.read_graph"),
        "{labels:?}"
    );
    assert_eq!(labels[1], (1, "  → 0"));
    let lenses = client.request(
        "textDocument/codeLens",
        json!({"textDocument": {"uri": uri}}),
    );
    assert!(
        lenses[1]["command"]["title"]
            .as_str()
            .unwrap()
            .starts_with("last run: ✓ 1 tool call"),
        "{lenses:#}"
    );

    let marker = workspace.path().join("memory.jsonl").display().to_string();
    assert!(
        !processes_mentioning(&marker).is_empty(),
        "the memory server runs"
    );
    let (code, stderr) = client.shutdown();
    assert_eq!(code, Some(0), "{stderr}");
    assert!(!generated.exists(), "the generated files are removed");
    // Every answer came from the engine asked for, none from a fallback.
    assert!(!stderr.contains("failed to answer"), "{stderr}");
    if engine != "embedded" {
        assert!(
            stderr.contains("checking with TypeScript 7.0.2 (native"),
            "{stderr}"
        );
    }
    // The memory server went with it, and so did the generated files.
    assert_eq!(processes_mentioning(&marker), Vec::<u32>::new());
    assert!(!std::path::Path::new(target.trim_start_matches("file://")).exists());
}

#[test]
fn destructive_tools_ask_first() {
    let workspace = memory_workspace();
    let script = workspace.write("scripts/clean.ts", "");
    let uri = file_uri(&script);
    let mut client = LspClient::start(workspace.path(), &[]);
    client.initialize(workspace.path(), json!({}));
    open(
        &mut client,
        &uri,
        "const remove = (memory as any)[\"delete_\" + \"entities\"];\n\
         await remove({ entityNames: [\"nobody\"] });\n\
         await remove({ entityNames: [\"nobody either\"] });\n",
    );
    let run = json!({"command": "codemode.run", "arguments": [uri]});
    // Not under a `scripts` folder yet: not an agent script.
    let refused = client.call("workspace/executeCommand", run.clone());
    assert!(
        refused["error"]["message"]
            .as_str()
            .unwrap()
            .contains("not an open agent script"),
        "{refused}"
    );

    // The configuration names the folder; a save of it reloads the workspace.
    let config: Value = serde_json::from_str(
        &std::fs::read_to_string(workspace.path().join("codemode.json")).unwrap(),
    )
    .unwrap();
    let mut config = config;
    config["codemode"] = json!({"scripts": ["scripts"]});
    let config_path = workspace.path().join("codemode.json");
    std::fs::write(&config_path, config.to_string()).unwrap();
    // The person trusts the file as they changed it (a changed file is asked about again).
    crate::support::trust(&config_path);
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": file_uri(&config_path), "type": 2}]}),
    );
    let (seen, found) = diagnostics(&mut client, 0, &uri, 1);
    assert_eq!(found, Vec::<Value>::new());

    // Asked when the call is made (a name built at run time included), once per tool.
    client.answer = Some("Don't allow".into());
    let report = client.request("workspace/executeCommand", run.clone());
    assert_eq!(report["ok"], false);
    assert_eq!(report["error"]["kind"], "tool", "{report:#}");
    assert!(
        report["error"]["message"]
            .as_str()
            .unwrap()
            .contains("memory.delete_entities was not approved (the person declined)"),
        "{report:#}"
    );
    let asked: Vec<&Value> = client
        .server_requests
        .iter()
        .filter(|r| r["method"] == "window/showMessageRequest")
        .collect();
    assert_eq!(asked.len(), 1, "{asked:#?}");
    assert!(
        asked[0]["params"]["message"]
            .as_str()
            .unwrap()
            .contains("wants to call memory.delete_entities, which is marked destructive"),
        "{asked:#?}"
    );
    let titles: Vec<&str> = asked[0]["params"]["actions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["title"].as_str().unwrap())
        .collect();
    assert_eq!(titles, ["Allow", "Don't allow"]);
    assert_eq!(
        report["toolCalls"].as_array().unwrap().len(),
        1,
        "{report:#}"
    );
    assert!(
        client.notifications[seen..]
            .iter()
            .any(|n| n["method"] == "codemode/runResult")
    );

    client.answer = Some("Allow".into());
    let report = client.request("workspace/executeCommand", run);
    assert_eq!(report["ok"], true, "{report:#}");
    let calls: Vec<&str> = report["toolCalls"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["tool"].as_str().unwrap())
        .collect();
    assert_eq!(calls, ["delete_entities", "delete_entities"], "{report:#}");
    let asked = client
        .server_requests
        .iter()
        .filter(|r| r["method"] == "window/showMessageRequest")
        .count();
    assert_eq!(asked, 2, "one question per tool per run");

    let (code, stderr) = client.shutdown();
    assert_eq!(code, Some(0), "{stderr}");
}

#[test]
fn broken_config_bad_requests_and_other_files() {
    let workspace = Workspace::new();
    std::fs::write(
        workspace.path().join("codemode.json"),
        "{ \"mcpServers\": { \"x\": { \"command\": 3 } } }",
    )
    .unwrap();
    let other = workspace.write("notes.ts", "const x: number = 'not checked';\n");
    let script = workspace.write("a.mcp.ts", "const y: number = 'checked';\n");
    let mut client = LspClient::start(workspace.path(), &[]);
    client.initialize(workspace.path(), json!({"virtualDocuments": true}));
    // The broken configuration is a clear message, and scripts are still checked.
    let (seen, shown) = client.wait_for(0, "an error message", |n| {
        n["method"] == "window/showMessage"
    });
    let message = shown["message"].as_str().unwrap();
    assert!(
        message.contains("codemode.json") && message.contains("command"),
        "{message}"
    );
    open(
        &mut client,
        &file_uri(&other),
        "const x: number = 'not checked';\n",
    );
    open(
        &mut client,
        &file_uri(&script),
        "const y: number = 'checked';\n",
    );
    let (_, found) = diagnostics(&mut client, seen, &file_uri(&script), 1);
    assert_eq!(found[0]["code"], 2322);
    // A file that is not an agent script gets nothing.
    let none = client.request("textDocument/completion", at(&file_uri(&other), 0, 0));
    assert_eq!(none, Value::Null);
    assert!(
        !client
            .notifications
            .iter()
            .any(|n| n["params"]["uri"] == file_uri(&other).as_str())
    );
    // Bad requests are errors, not crashes.
    let answer = client.call(
        "workspace/executeCommand",
        json!({"command": "codemode.run", "arguments": []}),
    );
    assert!(
        answer["error"]["message"]
            .as_str()
            .unwrap()
            .contains("takes the script's URI"),
        "{answer}"
    );
    let answer = client.call(
        "codemode/virtualTextDocument",
        json!({"uri": "file:///etc/passwd"}),
    );
    assert!(answer.get("error").is_some(), "{answer}");
    let answer = client.call(
        "codemode/virtualTextDocument",
        json!({"uri": "codemode:/lib/../../x"}),
    );
    assert!(answer.get("error").is_some(), "{answer}");
    // The prelude is served as a virtual document to clients that ask for them.
    let prelude = client.request(
        "codemode/virtualTextDocument",
        json!({"uri": "codemode:/prelude.d.ts"}),
    );
    assert!(prelude["text"].as_str().unwrap().contains("ToolError"));
    // Positions past the end are clamped, not a crash.
    let hover = client.request("textDocument/hover", at(&file_uri(&script), 99, 99));
    assert_eq!(hover, Value::Null);
    let (code, stderr) = client.shutdown();
    assert_eq!(code, Some(0), "{stderr}");
}

#[test]
fn undecodable_messages_are_answered_and_the_server_keeps_serving() {
    let workspace = memory_workspace();
    let marker = workspace.path().join("memory.jsonl").display().to_string();
    let mut client = LspClient::start(workspace.path(), &[]);
    client.initialize(workspace.path(), json!({}));
    let garbage: [(&[u8], i64); 6] = [
        (b"Content-Length: 9\r\n\r\n{not json", -32700),
        (b"Content-Length: 2\r\n\r\n[]", -32600),
        (b"A header line without a colon\r\n\r\n", -32700),
        (b"Content-Length: -5\r\n\r\n", -32700),
        (
            b"{\"jsonrpc\": \"2.0\", \"id\": 99, \"method\": \"no header\"}\r\n\r\n",
            -32700,
        ),
        (
            b"Content-Length: 25\r\n\r\n{\"id\": 4, \"method\": true}",
            -32600,
        ),
    ];
    for (bytes, code) in garbage {
        client.send_raw(bytes);
        let answer = client.response("an error for the undecodable message", |m| {
            m.get("error").is_some() && (m["id"].is_null() || m["id"] == 4)
        });
        assert_eq!(
            answer["error"]["code"],
            code,
            "{answer} for {:?}",
            String::from_utf8_lossy(bytes)
        );
        // The stream is back in step: the next request is answered.
        let hover = client.call(
            "textDocument/hover",
            json!({"textDocument": {"uri": "file:///nowhere.mcp.ts"}, "position": {"line": 0, "character": 0}}),
        );
        assert!(hover.get("result").is_some(), "{hover}");
    }
    // Still serving: a request is answered, and the MCP server is still up.
    let uri = file_uri(&workspace.write("after.mcp.ts", "await memory.readGraph();\n"));
    open(&mut client, &uri, "await memory.readGraph();\n");
    let symbols = client.call(
        "textDocument/documentSymbol",
        json!({"textDocument": {"uri": uri}}),
    );
    assert!(symbols.get("result").is_some(), "{symbols}");
    assert!(
        !processes_mentioning(&marker).is_empty(),
        "the memory server is gone"
    );
    let (code, stderr) = client.shutdown();
    assert_eq!(code, Some(0), "{stderr}");

    // A client that goes away without `shutdown`: the server exits, with 1.
    let client = LspClient::start(workspace.path(), &[]);
    assert_eq!(client.hang_up(), Some(1));
}

/// With `"elicitation": "ask"`, a server's question during a Run reaches the person in the
/// editor as buttons when buttons can answer it (one yes/no field here); one that needs
/// typed text is declined with a message saying where it can be answered.
#[test]
fn servers_questions_reach_the_editor_as_buttons() {
    let workspace = Workspace::new();
    workspace.write(
        "codemode.json",
        &json!({
            "mcpServers": {"asking": crate::support::asking()},
            "codemode": {"elicitation": "ask", "autoApprove": ["asking"]}
        })
        .to_string(),
    );
    let script = workspace.write("ask.mcp.ts", "");
    let uri = file_uri(&script);
    let mut client = LspClient::start(workspace.path(), &[]);
    client.initialize(workspace.path(), json!({}));
    open(
        &mut client,
        &uri,
        "const confirmed = JSON.parse((await asking.confirm({})).result);\n\
         const booked = JSON.parse((await asking.bookTable({})).result);\n\
         export default { confirmed, booked };\n",
    );
    let (seen, found) = diagnostics(&mut client, 0, &uri, 1);
    assert_eq!(found, Vec::<Value>::new());
    client.answer = Some("Yes".into());
    let report = client.request(
        "workspace/executeCommand",
        json!({"command": "codemode.run", "arguments": [uri]}),
    );
    assert_eq!(report["ok"], true, "{report:#}");
    assert_eq!(
        report["result"],
        json!({
            "confirmed": {"action": "accept", "content": {"go": true}},
            "booked": {"action": "decline"}
        }),
        "{report:#}"
    );
    let asked = client
        .server_requests
        .iter()
        .find(|r| r["method"] == "window/showMessageRequest")
        .expect("no question");
    let titles: Vec<&str> = asked["params"]["actions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["title"].as_str().unwrap())
        .collect();
    assert_eq!(titles, ["Yes", "No", "Decline"], "{asked:#}");
    assert!(
        asked["params"]["message"]
            .as_str()
            .unwrap()
            .contains("`asking` asks: Go ahead?"),
        "{asked:#}"
    );
    assert!(
        client.notifications[seen..]
            .iter()
            .any(|n| n["method"] == "window/showMessage"
                && n["params"]["message"]
                    .as_str()
                    .unwrap_or_default()
                    .contains("How should the table be booked? — declined")),
        "no message about the declined question"
    );
    let (code, stderr) = client.shutdown();
    assert_eq!(code, Some(0), "{stderr}");
}
