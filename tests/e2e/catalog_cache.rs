//! The catalog cache: `check` and `types` with every server's tool list kept from the last
//! time start no server and say the same as with `--fresh`; the kept lists hold no secret,
//! are the user's only, and a damaged one is listed again.

use std::path::{Path, PathBuf};

use serde_json::json;

use crate::support::{Run, Workspace, codemode_in_env, repo, trust};

const CANARY: &str = "canary-catalog-5e1d";

/// A workspace whose one server records each start in `started`.
struct Counted {
    workspace: Workspace,
    cache: PathBuf,
}

impl Counted {
    fn new() -> Counted {
        let workspace = Workspace::new();
        let marker = workspace.path().join("started");
        let config = workspace.write(
            "codemode.json",
            &json!({"mcpServers": {"rogue": {
                "command": "sh",
                "args": ["-c", "echo started >> \"$0\"; exec python3 \"$1\" --mode normal",
                         marker, repo().join("tests/fixtures/rogue_server.py")],
                "env": {"ROGUE_SECRET": CANARY},
            }}})
            .to_string(),
        );
        trust(&config);
        workspace.write(
            "s.ts",
            "const r = await rogue.echo({ text: 1 });\nexport default r;\n",
        );
        let cache = workspace.path().join("cache");
        Counted { workspace, cache }
    }

    fn starts(&self) -> usize {
        std::fs::read_to_string(self.workspace.path().join("started"))
            .unwrap_or_default()
            .lines()
            .count()
    }

    fn codemode(&self, args: &[&str]) -> Run {
        codemode(self.workspace.path(), &self.cache, args)
    }
}

/// `codemode ARGS` in `dir`, keeping tool lists in `cache`.
fn codemode(dir: &Path, cache: &Path, args: &[&str]) -> Run {
    let cache = cache.to_str().unwrap();
    codemode_in_env(
        dir,
        args,
        &[
            ("XDG_CACHE_HOME", cache),
            ("CODEMODE_TYPESCRIPT", "embedded"),
        ],
    )
}

/// The summary line, with its milliseconds left out.
fn summary(run: &Run) -> String {
    let last = run.stderr.lines().last().unwrap_or_default();
    last.split(", ").next().unwrap_or_default().to_string()
}

fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        if entry.file_type().unwrap().is_dir() {
            out.extend(files(&entry.path()));
        } else {
            out.push(entry.path());
        }
    }
    out
}

#[test]
fn check_and_types_with_a_warm_cache_start_no_server_and_say_the_same() {
    let counted = Counted::new();
    // Cold: the server is started, and its list kept.
    let cold = counted.codemode(&["check", "s.ts"]);
    assert_eq!(cold.code, 1, "{}", cold.stderr);
    assert!(cold.stdout.contains("TS2322"), "{}", cold.stdout);
    assert_eq!(counted.starts(), 1);
    // Warm: nothing is started, the same diagnostics and summary.
    let warm = counted.codemode(&["check", "s.ts"]);
    assert_eq!(
        counted.starts(),
        1,
        "check started a server: {}",
        warm.stderr
    );
    assert_eq!((warm.code, &warm.stdout), (cold.code, &cold.stdout));
    assert_eq!(summary(&warm), summary(&cold));
    assert!(!warm.stderr.contains("starting"), "{}", warm.stderr);
    let warm_json = counted.codemode(&["check", "--json", "s.ts"]);
    assert_eq!(counted.starts(), 1);
    // `--fresh` starts it and says the same.
    let fresh = counted.codemode(&["check", "--fresh", "s.ts"]);
    assert_eq!(counted.starts(), 2);
    assert_eq!((fresh.code, &fresh.stdout), (warm.code, &warm.stdout));
    let fresh_json = counted.codemode(&["check", "--json", "--fresh", "s.ts"]);
    assert_eq!(
        fresh_json.json()["diagnostics"],
        warm_json.json()["diagnostics"]
    );
    assert_eq!(counted.starts(), 3);
    let types = counted.codemode(&["types"]);
    assert_eq!(counted.starts(), 3, "types started a server");
    let fresh_types = counted.codemode(&["types", "--fresh"]);
    assert_eq!(counted.starts(), 4);
    assert_eq!(types.stdout, fresh_types.stdout);
    assert!(types.stdout.contains("function echo"), "{}", types.stdout);

    // What is kept: the user's only, and no value the server was given.
    let kept = files(&counted.cache);
    assert!(kept.len() >= 2, "{kept:?}");
    for file in &kept {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(file).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{}", file.display());
        let text = std::fs::read(file).unwrap();
        assert!(
            !String::from_utf8_lossy(&text).contains(CANARY),
            "{} holds the server's secret",
            file.display()
        );
    }
    // A damaged list is listed again (the server started), never an error.
    for file in &kept {
        if file.extension().is_some_and(|e| e == "json") {
            std::fs::write(file, "{ damaged").unwrap();
        }
    }
    let again = counted.codemode(&["check", "s.ts"]);
    assert_eq!((again.code, &again.stdout), (cold.code, &cold.stdout));
    assert_eq!(counted.starts(), 5);
    let warm_again = counted.codemode(&["check", "s.ts"]);
    assert_eq!(warm_again.stdout, cold.stdout);
    assert_eq!(counted.starts(), 5);

    // `catalogMaxAge: 0`: kept lists are never used.
    let path = counted.workspace.path().join("codemode.json");
    let mut config: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    config["codemode"] = json!({"catalogMaxAge": 0});
    std::fs::write(&path, config.to_string()).unwrap();
    trust(&path);
    let uncached = counted.codemode(&["check", "s.ts"]);
    assert_eq!(uncached.stdout, cold.stdout);
    assert_eq!(counted.starts(), 6);
}

/// Two servers of `listed_server.py` (`notes`, `other`), each with its own tools file and log.
struct Two {
    workspace: Workspace,
    cache: PathBuf,
}

impl Two {
    fn new() -> Two {
        let workspace = Workspace::new();
        let mut servers = serde_json::Map::new();
        for name in ["notes", "other"] {
            std::fs::write(
                workspace.path().join(format!("{name}.tools.json")),
                tools(&[]).to_string(),
            )
            .unwrap();
            servers.insert(
                name.to_string(),
                json!({"command": "python3", "args": [
                    repo().join("tests/fixtures/listed_server.py"),
                    workspace.path().join(format!("{name}.tools.json")),
                    workspace.path().join(format!("{name}.log")),
                ]}),
            );
        }
        let config = workspace.write(
            "codemode.json",
            &json!({ "mcpServers": servers }).to_string(),
        );
        trust(&config);
        let cache = workspace.path().join("cache");
        Two { workspace, cache }
    }

    /// What server `name` logged: its starts and calls.
    fn log(&self, name: &str) -> Vec<String> {
        std::fs::read_to_string(self.workspace.path().join(format!("{name}.log")))
            .unwrap_or_default()
            .lines()
            .map(str::to_string)
            .collect()
    }

    fn set_tools(&self, name: &str, extra: &[&str]) {
        std::fs::write(
            self.workspace.path().join(format!("{name}.tools.json")),
            tools(extra).to_string(),
        )
        .unwrap();
    }

    fn run(&self, script: &str) -> Run {
        self.workspace.write("task.ts", script);
        codemode(self.workspace.path(), &self.cache, &["run", "task.ts"])
    }
}

/// A `tools/list` answer with one read-only tool, `note`, taking `text` and the `extra`
/// string fields, all required.
fn tools(extra: &[&str]) -> serde_json::Value {
    let mut properties = serde_json::Map::new();
    properties.insert("text".into(), json!({"type": "string"}));
    let mut required = vec!["text".to_string()];
    for field in extra {
        properties.insert(field.to_string(), json!({"type": "string"}));
        required.push(field.to_string());
    }
    json!({"tools": [{
        "name": "note",
        "description": "Take a note.",
        "inputSchema": {"type": "object", "properties": properties, "required": required},
        "annotations": {"readOnlyHint": true},
    }]})
}

#[test]
fn run_starts_only_the_servers_its_script_names() {
    let two = Two::new();
    // Only the server the script names starts, its list kept or not.
    let cold = two.run("export default (await notes.note({ text: \"a\" })).text;");
    assert_eq!(cold.code, 0, "{}", cold.stderr);
    assert_eq!(two.log("notes"), ["started", "called note"]);
    assert_eq!(two.log("other"), Vec::<String>::new(), "{}", cold.stderr);
    let warm = two.run("export default (await notes.note({ text: \"b\" })).text;");
    assert_eq!(warm.code, 0, "{}", warm.stderr);
    assert_eq!(warm.stdout.trim(), "\"called note\"");
    assert_eq!(two.log("other"), Vec::<String>::new(), "{}", warm.stderr);
    assert_eq!(two.log("notes").len(), 4);
    assert!(
        warm.stderr.contains("1 more known from the last time"),
        "{}",
        warm.stderr
    );
    // A script that may reach a namespace by a name built at run time gets the servers
    // whose tools are not kept started for it.
    let reach = "const ns = (globalThis as any)[\"oth\" + \"er\"];\n\
                 export default (await ns.note({ text: \"c\" })).text;";
    let dynamic = two.run(reach);
    assert_eq!(dynamic.code, 0, "{}", dynamic.stderr);
    assert_eq!(two.log("other"), ["started", "called note"]);
    // With its list kept, such a server starts on its first call only.
    let again = two.run(reach);
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert!(
        again.stderr.contains("starting 0 MCP servers"),
        "{}",
        again.stderr
    );
    assert_eq!(
        two.log("other"),
        ["started", "called note", "started", "called note"]
    );
    let unused = two.run("export default 1;");
    assert_eq!(unused.code, 0, "{}", unused.stderr);
    assert_eq!(two.log("other").len(), 4);
    assert_eq!(two.log("notes").len(), 4);
}

#[test]
fn a_server_whose_tools_changed_is_checked_again_before_anything_is_called() {
    let two = Two::new();
    let script = "export default (await notes.note({ text: \"a\" })).text;";
    assert_eq!(two.run(script).code, 0);
    assert_eq!(two.log("notes"), ["started", "called note"]);
    // The server now wants a `tag`: the script is checked against its live list and refused.
    two.set_tools("notes", &["tag"]);
    let refused = two.run(script);
    assert_eq!(refused.code, 1, "{}", refused.stderr);
    assert!(
        refused.stdout.contains("tag") || refused.stderr.contains("tag"),
        "{}\n{}",
        refused.stdout,
        refused.stderr
    );
    assert!(
        refused.stderr.contains("TS2345") || refused.stderr.contains("TS2741"),
        "{}",
        refused.stderr
    );
    assert_eq!(
        two.log("notes"),
        ["started", "called note", "started"],
        "nothing was called"
    );
    // Reached by a name built at run time, a changed server refuses the call unsent (its
    // list kept by a `check`, which starts only the servers without one).
    let checked = codemode(two.workspace.path(), &two.cache, &["check", "task.ts"]);
    assert_eq!(two.log("other"), ["started"], "{}", checked.stderr);
    assert_eq!(
        two.log("notes").len(),
        3,
        "notes's list was kept: not started"
    );
    two.set_tools("other", &["tag"]);
    let dynamic = two.run(
        "const ns = (globalThis as any)[\"oth\" + \"er\"];\n\
         export default (await ns.note({ text: \"c\" })).text;",
    );
    assert_eq!(dynamic.code, 1, "{}", dynamic.stderr);
    assert!(
        dynamic
            .stderr
            .contains("the tools of other changed since the script was checked"),
        "{}",
        dynamic.stderr
    );
    assert!(!two.log("other").iter().any(|l| l.starts_with("called")));
}

#[test]
fn the_language_server_answers_from_kept_lists_before_any_server_is_up() {
    use crate::lsp_client::{LspClient, file_uri};
    let two = Two::new();
    let dir = two.workspace.path();
    // `notes` takes 20 s to start once `slow` exists (Python runs `sitecustomize` first).
    let slow = dir.join("slow");
    let py = dir.join("py");
    std::fs::create_dir_all(&py).unwrap();
    std::fs::write(
        py.join("sitecustomize.py"),
        format!(
            "import os, time\nif os.path.exists({:?}):\n    time.sleep(20)\n",
            slow.display().to_string()
        ),
    )
    .unwrap();
    let config = dir.join("codemode.json");
    let mut text: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&config).unwrap()).unwrap();
    text["mcpServers"]["notes"]["env"] = json!({ "PYTHONPATH": py });
    std::fs::write(&config, text.to_string()).unwrap();
    trust(&config);
    // Kept once (`types` lists both servers, quickly).
    let types = codemode(dir, &two.cache, &["types"]);
    assert_eq!(types.code, 0, "{}", types.stderr);
    assert_eq!(two.log("notes"), ["started"]);
    std::fs::write(&slow, "").unwrap();

    let mut client = LspClient::start_with_env(
        dir,
        &[],
        &[
            ("XDG_CACHE_HOME", &two.cache),
            ("CODEMODE_TYPESCRIPT", Path::new("embedded")),
        ],
    );
    client.initialize(dir, json!({}));
    let uri = file_uri(&dir.join("a.mcp.ts"));
    client.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri, "languageId": "typescript", "version": 1,
               "text": "await notes.\n"}}),
    );
    let found = client.request(
        "textDocument/completion",
        json!({"textDocument": {"uri": uri}, "position": {"line": 0, "character": 12}}),
    );
    let items = found["items"].as_array().cloned().unwrap_or_default();
    assert!(items.iter().any(|item| item["label"] == "note"), "{found}");
    // Answered from the kept list: the slow server is still starting.
    assert_eq!(two.log("notes"), ["started"], "{}", client.stderr());
    let _ = client.shutdown();
}
