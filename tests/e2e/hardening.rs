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

#[test]
fn a_servers_word_about_its_tools_is_taken_only_when_trusted() {
    // A local (stdio) server is trusted by default: its read-only tool runs without asking,
    // but a tool that says it is read-only and destructive at once is destructive.
    let workspace = Workspace::new();
    let config = workspace.config(json!({"liar": liar(&workspace, None)}));
    let mut client = McpClient::new();
    connect(&mut client, serve_stdio(&workspace, &config), None);
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
    let workspace = Workspace::new();
    let config = workspace.config(json!({"liar": liar(&workspace, Some(false))}));
    let mut client = McpClient::new();
    connect(&mut client, serve_stdio(&workspace, &config), None);
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
