//! The red team's findings (issue #18), each as the behaviour a user relies on: a server's
//! word about its tools is believed only when the configuration trusts it, results that break
//! their output schema never reach a script as typed data, secrets in a command line or URL
//! stay out of what codemode prints and what an agent reads, control characters from servers
//! and scripts never reach a terminal or a declaration raw. (The runaway native calls are in
//! `run.rs`, with the attack suite; the language server's framing in `lsp.rs`.)

use serde_json::{Value, json};

use crate::mcp_client::McpClient;
use crate::serve::{connect, serve_stdio};
use crate::support::{Workspace, rogue};

/// The liar fixture (`rogue_server.py --mode liar`), logging its calls to `rogue.log`.
fn liar(workspace: &Workspace, trusted: Option<bool>) -> Value {
    let mut entry = rogue("liar");
    entry["env"] = json!({"ROGUE_LOG": workspace.path().join("rogue.log")});
    if let Some(trusted) = trusted {
        entry["trusted"] = json!(trusted);
    }
    entry
}

fn calls(workspace: &Workspace) -> String {
    std::fs::read_to_string(workspace.path().join("rogue.log")).unwrap_or_default()
}

/// `codemode serve` over the liar alone (`trusted` as given), with a client that cannot ask
/// for approval.
fn serve_liar(trusted: Option<bool>) -> (Workspace, McpClient) {
    let workspace = Workspace::new();
    let config = workspace.config(json!({"liar": liar(&workspace, trusted)}));
    let mut client = McpClient::new();
    connect(&mut client, serve_stdio(&workspace, &config), None);
    (workspace, client)
}

#[test]
fn a_servers_word_about_its_tools_is_taken_only_when_trusted() {
    // A local (stdio) server is trusted by default: its read-only tool runs without asking,
    // but a tool that says it is read-only and destructive at once is destructive.
    let (workspace, mut client) = serve_liar(None);
    let peek = client.call("execute", json!({"code": "await liar.peek({});"}));
    assert_ne!(peek["result"]["isError"], true, "{peek:#}");
    let wipe = client.call("execute", json!({"code": "await liar.wipe({});"}));
    assert_eq!(wipe["result"]["isError"], true, "{wipe:#}");
    let text = wipe["text"].as_str().unwrap();
    assert!(
        text.contains("liar.wipe") && text.contains("autoApprove"),
        "{text}"
    );
    client.send(json!({"op": "close"}));
    assert_eq!(calls(&workspace), "called peek\n");

    // `"trusted": false`: nothing it says about its tools is taken.
    let (workspace, mut client) = serve_liar(Some(false));
    let peek = client.call("execute", json!({"code": "await liar.peek({});"}));
    assert_eq!(peek["result"]["isError"], true, "{peek:#}");
    let text = peek["text"].as_str().unwrap();
    assert!(
        text.contains("not trusted") && text.contains("\"trusted\": true"),
        "{text}"
    );
    client.send(json!({"op": "close"}));
    assert_eq!(calls(&workspace), "");
}

/// A configuration whose secrets sit in a URL's query, in its user information and in a
/// command's arguments, each from the environment (`CANARY`), for servers that fail.
fn leaky_config(workspace: &Workspace) -> std::path::PathBuf {
    workspace.config(json!({
        "remote": {"url": "http://user:${env:CANARY}@127.0.0.1:9/mcp?api_key=${env:CANARY}&region=eu"},
        "local": {"command": "no-such-program-codemode-test", "args": ["--token=${env:CANARY}"]},
    }))
}

const CANARY: &str = "canary-5f2e9c1d7a";

fn codemode_with_canary(workspace: &Workspace, args: &[&str]) -> (String, String) {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_codemode"))
        .env("CODEMODE_NO_USER_CONFIGS", "1")
        .env("XDG_STATE_HOME", crate::support::state_home())
        .args(args)
        .current_dir(workspace.path())
        .env("CANARY", CANARY)
        .env_remove("CODEMODE_CONFIG")
        .output()
        .unwrap();
    (
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn secrets_in_urls_and_arguments_stay_out_of_what_codemode_prints() {
    let workspace = Workspace::new();
    leaky_config(&workspace);
    for args in [&["tools"][..], &["tools", "--json"], &["-vv", "tools"]] {
        let (stdout, stderr) = codemode_with_canary(&workspace, args);
        assert!(
            !stdout.contains(CANARY) && !stderr.contains(CANARY),
            "codemode {args:?} printed the secret:\n{stdout}\n{stderr}"
        );
        if args == ["tools"] {
            // Shown as written, the URL's query values and user information redacted.
            assert!(
                stdout.contains("http://***:***@127.0.0.1:9/mcp?api_key=***&region=***"),
                "{stdout}"
            );
            assert!(
                stdout.contains("no-such-program-codemode-test --token=${env:CANARY}"),
                "{stdout}"
            );
        }
    }
}

#[test]
fn an_agent_never_reads_a_servers_url_or_command_line() {
    let workspace = Workspace::new();
    let config = leaky_config(&workspace);
    let mut client = McpClient::new();
    let mut how = serve_stdio(&workspace, &config);
    how["stdio"]["env"]["CANARY"] = json!(CANARY);
    connect(&mut client, how, None);
    let listed = client.send(json!({"op": "listTools"}));
    let search = client.call("search_tools", json!({"query": "anything"}));
    let types = client.call("get_types", json!({}));
    let run = client.call(
        "execute",
        json!({"code": "console.log(JSON.stringify(globalThis)); export default 1;"}),
    );
    for (what, answer) in [
        ("the tool list", &listed),
        ("search_tools", &search),
        ("get_types", &types),
        ("execute", &run),
    ] {
        let text = answer.to_string();
        for needle in [CANARY, "127.0.0.1:9", "no-such-program", "api_key"] {
            assert!(!text.contains(needle), "{what} shows {needle:?}: {text}");
        }
    }
    assert!(
        listed.to_string().contains("unavailable: remote, local"),
        "{listed}"
    );
}

#[test]
fn results_that_break_their_output_schema_never_reach_a_script_as_typed_data() {
    let workspace = Workspace::new();
    workspace.config(json!({"liar": liar(&workspace, None)}));
    workspace.write(
        "double.ts",
        "const { count } = await liar.count({});\nexport default count * 2;\n",
    );
    let run = workspace.codemode(&["run", "double.ts", "--json", "--yes"]);
    let report = run.json();
    assert_eq!(report["ok"], false, "{report:#}");
    assert_eq!(report["error"]["kind"], "tool", "{report:#}");
    let message = report["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("does not match its outputSchema")
            && message.contains("/count")
            && message.contains("\"number\""),
        "{message}"
    );
    assert_eq!(report["error"]["line"], 1, "{report:#}");
}

/// Whether `text` holds a control character (but line feed and tab) or a bidi override.
fn has_raw_controls(text: &str) -> bool {
    text.chars().any(|c| {
        (c.is_control() && c != '\n' && c != '\t') || ('\u{202a}'..='\u{202e}').contains(&c)
    })
}

#[test]
fn control_characters_from_servers_and_scripts_are_shown_escaped() {
    let workspace = Workspace::new();
    workspace.config(json!({"liar": liar(&workspace, None)}));
    // The server's description: an OSC title, a screen clear, NUL and a bidi override.
    let tools = workspace.codemode(&["tools"]);
    assert!(!has_raw_controls(&tools.stdout), "{:?}", tools.stdout);
    assert!(tools.stdout.contains("\\u{1b}[2J"), "{}", tools.stdout);
    let json = workspace.codemode(&["tools", "--json"]).json();
    let secret = json["servers"][0]["tools"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "secret")
        .unwrap();
    assert_eq!(
        secret["description"],
        "Tidy\u{1b}]0;owned\u{7}\u{1b}[2J up\u{0} the \u{202e}txt.exe files.",
        "--json stays exact"
    );
    let types = workspace.codemode(&["types"]);
    assert!(!has_raw_controls(&types.stdout), "{:?}", types.stdout);
    assert!(types.stdout.contains("\"na\\u202Eme\""), "{}", types.stdout);

    // A script's console output.
    workspace.write(
        "clear.ts",
        "console.log(\"\\u001b[2J\\u202eabc\");\nexport default \"\\u0007\";\n",
    );
    let run = workspace.codemode(&["run", "clear.ts"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(!has_raw_controls(&run.stdout), "{:?}", run.stdout);
    assert!(
        run.stdout.contains("\\u{1b}[2J\\u{202e}abc"),
        "{}",
        run.stdout
    );
    let exact = workspace.codemode(&["run", "clear.ts", "--json"]).json();
    assert_eq!(exact["logs"][0]["text"], "\u{1b}[2J\u{202e}abc");
    assert_eq!(exact["result"], "\u{7}");
}

#[test]
fn secrets_stay_with_their_server() {
    // The server's own `env` holds a canary taken from codemode's environment, which also
    // holds a variable no server was given.
    let workspace = Workspace::new();
    let mut entry = liar(&workspace, None);
    entry["env"]["SECRET"] = json!("${env:CANARY}");
    let config = workspace.config(json!({"liar": entry}));
    let script = "const seen = await liar.environ({});\n\
        const everything = JSON.stringify(Object.getOwnPropertyNames(globalThis).map((name) => [name, String((globalThis as any)[name])]));\n\
        console.log(everything);\n\
        try { await (liar as any).nothing({}); } catch (error) { console.log(String(error)); }\n\
        export default seen.text;\n";
    let mut client = McpClient::new();
    let mut how = serve_stdio(&workspace, &config);
    how["stdio"]["env"]["CANARY"] = json!(CANARY);
    how["stdio"]["env"]["PARENT_ONLY"] = json!("not-for-servers");
    connect(&mut client, how, None);
    let types = client.call("get_types", json!({"servers": ["liar"]}));
    let search = client.call("search_tools", json!({"query": "environment"}));
    let run = client.call("execute", json!({"code": script}));
    let text = run["text"].as_str().unwrap();
    // The server got its own secret, and nothing of codemode's environment but what the
    // platform needs.
    let result: Value = serde_json::from_str(
        &serde_json::from_str::<String>(
            text.split("result: ")
                .nth(1)
                .and_then(|r| r.split("\n—").next())
                .unwrap_or_else(|| panic!("{text}")),
        )
        .unwrap(),
    )
    .unwrap();
    assert_eq!(result["secret"], CANARY, "{result}");
    let names: Vec<&str> = result["names"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(
        !names.contains(&"PARENT_ONLY") && !names.contains(&"CANARY"),
        "{names:?}"
    );
    // Nothing the agent reads holds the canary, but the value the tool itself returned.
    for (what, answer) in [("get_types", &types), ("search_tools", &search)] {
        assert!(!answer.to_string().contains(CANARY), "{what}: {answer}");
    }
    let before_result = text.split("result: ").next().unwrap();
    assert!(!before_result.contains(CANARY), "{before_result}");
    client.send(json!({"op": "close"}));
}

#[test]
fn serve_answers_every_attack_within_its_limits() {
    let workspace = Workspace::new();
    // The built-in demo server (what the attacks call), a short run and check limit.
    let config = workspace.write(
        "codemode.json",
        &json!({
            "mcpServers": {"demo": {"builtin": "demo"}},
            "codemode": {"runTimeout": 2, "checkTimeout": 10, "memoryLimitMb": 64}
        })
        .to_string(),
    );
    let bound = std::time::Duration::from_secs(10 + 2) + codemode::runtime::OVERSHOOT;
    let mut client = McpClient::new();
    connect(&mut client, serve_stdio(&workspace, &config), None);
    let dir = crate::support::repo().join("tests/scripts/attacks");
    let mut attacks: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    attacks.sort();
    for path in attacks {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if name == "deep_literal.ts" {
            continue; // Its source is made by run.rs; as a file it is one line.
        }
        let code = std::fs::read_to_string(&path).unwrap();
        let started = std::time::Instant::now();
        let answer = client.call("execute", json!({"code": code}));
        let took = started.elapsed();
        assert!(took < bound, "{name}: answered after {took:?}");
        assert_eq!(answer["result"]["isError"], true, "{name}: {answer:#}");
    }
    // And it still serves.
    let fine = client.call(
        "execute",
        json!({"code": "export default (await demo.add({ a: 2, b: 3 })).sum;"}),
    );
    assert!(
        fine["text"].as_str().unwrap().starts_with("result: 5"),
        "{fine:#}"
    );
}

#[test]
fn smaller_findings_stay_fixed() {
    let workspace = Workspace::new();
    // A rejection caught later is not reported as unhandled.
    workspace.write(
        "caught.ts",
        "const late = Promise.reject(new Error(\"later\"));\nawait null;\ntry { await late; } catch {}\nexport default 1;\n",
    );
    let caught = workspace.codemode(&["run", "caught.ts", "--json"]).json();
    assert_eq!(caught["ok"], true, "{caught:#}");
    assert_eq!(caught["logs"], json!([]), "{caught:#}");

    // A tool's failure points at the script's call, with none of the bootstrap's frames.
    workspace.write(
        "fails.ts",
        "await demo.getForecast({ city: \"Atlantis\" });\n",
    );
    let failed = workspace.codemode(&["run", "fails.ts", "--json"]).json();
    assert_eq!(failed["error"]["kind"], "tool", "{failed:#}");
    let stack = failed["error"]["stack"].as_str().unwrap_or_default();
    assert!(stack.contains("fails.ts:1:"), "{stack}");
    assert!(
        stack.lines().all(|frame| frame.contains("fails.ts:")),
        "frames not of the script: {stack}"
    );

    // A reader that goes away (`| head`) ends the command quietly.
    workspace.write(
        "flood.ts",
        "for (let i = 0; i < 100000; i++) console.log(\"line \" + i);\n",
    );
    let output = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!(
            "'{}' run flood.ts | head -n 1; echo \"status ${{PIPESTATUS:-}}\"",
            env!("CARGO_BIN_EXE_codemode")
        ))
        .current_dir(workspace.path())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stdout.starts_with("line 0\n"), "{stdout}");
    assert!(!stderr.contains("Broken pipe"), "{stderr}");

    // -vv logs codemode's debugging, not rmcp's Rust structures of whole messages.
    let verbose = workspace.codemode(&["-vv", "tools"]);
    assert_eq!(verbose.code, 0, "{}", verbose.stderr);
    assert!(
        !verbose.stderr.contains("peer_info=Some(")
            && !verbose.stderr.contains("ListToolsResult {"),
        "{}",
        verbose.stderr
    );
}

#[test]
fn a_storm_of_upstream_tool_changes_is_a_few_notifications() {
    let workspace = Workspace::new();
    let config = workspace.write(
        "codemode.json",
        &json!({
            "mcpServers": {"rogue": rogue("normal")},
            "codemode": {"autoApprove": ["rogue"]}
        })
        .to_string(),
    );
    let mut client = McpClient::new();
    connect(&mut client, serve_stdio(&workspace, &config), None);
    let ran = client.call(
        "execute",
        json!({"code": "for (let i = 0; i < 20; i++) await rogue.grow({});\nexport default 20;\n"}),
    );
    assert!(
        ran["text"].as_str().unwrap().starts_with("result: 20"),
        "{ran:#}"
    );
    std::thread::sleep(std::time::Duration::from_millis(500));
    let listed = client.send(json!({"op": "listTools"}));
    let notified = listed["listChanged"].as_u64().unwrap();
    assert!(
        (1..=6).contains(&notified),
        "20 upstream changes gave {notified} notifications"
    );
}
