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
