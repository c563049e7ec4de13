//! The language server under a person's typing, driven from a plain LSP client against the
//! real memory server: syntax and type errors reported together, ▶ Run right after opening
//! and after every edit, and a burst of edits that never piles up checks.

use serde_json::{Value, json};

use crate::lsp::{diagnostics, edit, memory_workspace, open};
use crate::lsp_client::{LspClient, file_uri};
use crate::support::{Workspace, resident_mb};
use std::path::Path;

fn codes(found: &[Value]) -> Vec<(u64, u64)> {
    found
        .iter()
        .map(|d| {
            (
                d["range"]["start"]["line"].as_u64().unwrap(),
                d["code"].as_u64().unwrap_or(0),
            )
        })
        .collect()
}

/// A half-typed line does not hide a type error elsewhere: both are published, as tsserver
/// gives them (`codemode check` keeps `tsc`'s order: syntax errors first).
#[test]
fn syntax_and_type_errors_are_published_together() {
    let workspace = memory_workspace();
    let text =
        "const n: number = 'text';\nconst graph = await memory.readGraph();\nawait memory.\n";
    let script = workspace.write("typing.mcp.ts", text);
    let uri = file_uri(&script);
    let mut client = LspClient::start(workspace.path(), &[]);
    client.initialize(workspace.path(), json!({}));
    open(&mut client, &uri, text);
    let (_, found) = diagnostics(&mut client, 0, &uri, 1);
    assert_eq!(codes(&found), [(2, 1003), (0, 2322)], "{found:#?}");

    let check = workspace.codemode(&["check", "typing.mcp.ts", "--json"]);
    let report: Value = serde_json::from_str(&check.stdout).unwrap();
    let checked: Vec<u64> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_u64().unwrap())
        .collect();
    assert_eq!(checked, [1003], "{report:#}");
    let (code, stderr) = client.shutdown();
    assert_eq!(code, Some(0), "{stderr}");
}

/// ▶ Run is listed at once (it needs no server), and every Run runs the text the client
/// sent just before it, answering with the report, 50 times in a row on a fresh document.
#[test]
fn run_right_after_open_and_after_every_edit() {
    let workspace = memory_workspace();
    let script = workspace.write("count.mcp.ts", "");
    let uri = file_uri(&script);
    let mut client = LspClient::start(workspace.path(), &[]);
    client.initialize(workspace.path(), json!({}));
    open(&mut client, &uri, "export default 0;\n");
    let lenses = client.request(
        "textDocument/codeLens",
        json!({"textDocument": {"uri": uri}}),
    );
    let titles: Vec<&str> = lenses
        .as_array()
        .unwrap_or_else(|| panic!("no lenses: {lenses}"))
        .iter()
        .map(|l| l["command"]["title"].as_str().unwrap())
        .collect();
    assert_eq!(titles, ["▶ Run"]);

    let run = json!({"command": "codemode.run", "arguments": [uri]});
    for round in 1..=50 {
        edit(
            &mut client,
            &uri,
            round + 1,
            [(0, 15), (0, 16 + (round - 1).to_string().len() as u32 - 1)],
            &round.to_string(),
        );
        let report = client.request("workspace/executeCommand", run.clone());
        assert_eq!(report["ok"], true, "round {round}: {report:#}");
        assert_eq!(report["result"], json!(round), "round {round}: {report:#}");
    }
    let (code, stderr) = client.shutdown();
    assert_eq!(code, Some(0), "{stderr}");
}

/// A burst of 30 edits, each arriving while the last one's check may still run: a document's
/// checks take turns and a superseded one is cancelled, so never more than one is under way
/// (so at most one for an outdated text), and the last text's diagnostics are published.
#[test]
fn a_burst_of_edits_leaves_at_most_one_outdated_check() {
    let workspace = memory_workspace();
    let mut text = String::from("const graph = await memory.readGraph();\n");
    for n in 0..60 {
        text.push_str(&format!(
            "function f{n}(x: number) {{ return graph.entities.filter((e) => e.name.length > x).map((e) => e.observations.length + {n}); }}\n"
        ));
    }
    text.push_str("const wrong: string = 0;\n");
    let lines = text.lines().count() as u32;
    let script = workspace.write("burst.mcp.ts", &text);
    let uri = file_uri(&script);
    let mut client = LspClient::start(workspace.path(), &[]);
    client.initialize(workspace.path(), json!({"statusNotifications": true}));
    open(&mut client, &uri, &text);
    let (seen, _) = diagnostics(&mut client, 0, &uri, 1);
    for version in 2..=31 {
        // Types one more digit on the last line: `0` → `10` → `110` ... (always one error).
        edit(
            &mut client,
            &uri,
            version,
            [(lines - 1, 22), (lines - 1, 22)],
            "1",
        );
        std::thread::sleep(std::time::Duration::from_millis(25));
    }
    let (_, last) = diagnostics(&mut client, seen, &uri, 31);
    assert_eq!(codes(&last), [(u64::from(lines - 1), 2322)], "{last:#?}");
    let most = client.notifications[seen..]
        .iter()
        .filter(|n| n["method"] == "codemode/status")
        .filter_map(|n| n["params"]["checking"].as_u64())
        .max()
        .unwrap();
    assert!(most <= 1, "{most} checks were under way at once");
    let published = client.notifications[seen..]
        .iter()
        .filter(|n| n["method"] == "textDocument/publishDiagnostics")
        .count();
    assert!(
        published < 30,
        "every edit was checked to the end: {published}"
    );
    let (code, stderr) = client.shutdown();
    assert_eq!(code, Some(0), "{stderr}");
}

/// `text` with LSP text edits applied (ASCII text: characters are bytes).
fn apply_edits(text: &str, edits: &[Value]) -> String {
    let offset = |p: &Value| {
        let line = p["line"].as_u64().unwrap() as usize;
        let start: usize = text.split_inclusive('\n').take(line).map(str::len).sum();
        start + p["character"].as_u64().unwrap() as usize
    };
    let mut spans: Vec<(usize, usize, &str)> = edits
        .iter()
        .map(|e| {
            (
                offset(&e["range"]["start"]),
                offset(&e["range"]["end"]),
                e["newText"].as_str().unwrap(),
            )
        })
        .collect();
    spans.sort_by_key(|s| std::cmp::Reverse(s.0));
    let mut out = text.to_string();
    for (start, end, new) in spans {
        out.replace_range(start..end, new);
    }
    out
}

/// Each quick fix, applied the way an editor applies it, leaves a script that checks clean;
/// its title is the fix `codemode check --json` leads the hint with.
#[test]
fn quick_fixes_leave_scripts_that_check_clean() {
    let workspace = memory_workspace();
    let fixtures = [
        "export default await memory.readGrahp();\n",
        "await memory.deleteEntities({ entity_names: [\"nobody\"] });\n",
        "const graph = memory.readGraph();\nexport default graph.entities.length;\n",
        "const graph = await memory.readGraph();\nreturn graph.entities.length;\n",
    ];
    let mut client = LspClient::start(workspace.path(), &[]);
    client.initialize(workspace.path(), json!({}));
    let mut seen = 0;
    for (n, text) in fixtures.iter().enumerate() {
        let name = format!("fix{n}.mcp.ts");
        let script = workspace.write(&name, text);
        let uri = file_uri(&script);
        open(&mut client, &uri, text);
        let (next, found) = diagnostics(&mut client, seen, &uri, 1);
        seen = next;
        let first = found.first().unwrap_or_else(|| panic!("{name}: no error"));
        let asked = json!({
            "textDocument": {"uri": uri},
            "range": first["range"],
            "context": {"diagnostics": [first], "only": ["quickfix"]}
        });
        let actions = client.request("textDocument/codeAction", asked);
        let action = &actions[0];
        assert_eq!(action["kind"], "quickfix", "{name}: {actions:#}");
        assert_eq!(action["isPreferred"], true, "{name}: {actions:#}");
        let title = action["title"].as_str().unwrap();
        // Without the diagnostics (a client that keeps no `data`): the same fixes.
        let fresh = client.request(
            "textDocument/codeAction",
            json!({"textDocument": {"uri": uri}, "range": first["range"], "context": {"diagnostics": []}}),
        );
        assert_eq!(fresh[0]["title"], title, "{name}: {fresh:#}");

        let edits = action["edit"]["changes"][uri.as_str()].as_array().unwrap();
        let fixed = apply_edits(text, edits);
        client.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri, "version": 2}, "contentChanges": [{"text": fixed}]}),
        );
        let (next, left) = diagnostics(&mut client, seen, &uri, 2);
        seen = next;
        assert_eq!(
            left,
            Vec::<Value>::new(),
            "{name} after `{title}`:\n{fixed}"
        );

        let check = workspace.codemode(&["check", &name, "--json"]);
        let report: Value = serde_json::from_str(&check.stdout).unwrap();
        let hint = report["diagnostics"][0]["hint"]
            .as_str()
            .unwrap_or_default();
        assert!(hint.starts_with(&format!("fix: {title}")), "{name}: {hint}");
    }
    let (code, stderr) = client.shutdown();
    assert_eq!(code, Some(0), "{stderr}");
}

#[test]
fn three_thousand_open_documents_cost_what_their_text_costs() {
    let workspace = Workspace::new();
    workspace.write(
        "codemode.json",
        &json!({"mcpServers": {"demo": {"builtin": "demo"}}}).to_string(),
    );
    let mut client = LspClient::start_with_env(
        workspace.path(),
        &[],
        &[("CODEMODE_TYPESCRIPT", Path::new("embedded"))],
    );
    client.initialize(workspace.path(), json!({}));
    let text = "const { sum } = await demo.add({ a: 1, b: 2 });\nexport default sum;\n";
    let mut last = String::new();
    for i in 0..3000 {
        last = file_uri(&workspace.path().join(format!("s{i}.mcp.ts")));
        client.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": last, "languageId": "typescript", "version": 1, "text": text}}),
        );
    }
    // Each is checked (the last one's diagnostics come, clean); a question about one of them
    // is about that one: answered, and the server holds about what the texts weigh
    // (3000 × 70 bytes), not a program of all 3000.
    let (_, found) = diagnostics(&mut client, 0, &last, 1);
    assert_eq!(found, Vec::<Value>::new());
    let asked = std::time::Instant::now();
    let hover = client.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": last}, "position": {"line": 0, "character": 28}}),
    );
    let shown = hover["contents"]["value"].as_str().unwrap_or_default();
    assert!(shown.contains("add"), "{hover}");
    let resident = resident_mb(client.pid());
    eprintln!(
        "3000 open documents: {resident} MiB resident, a hover answered in {:?}",
        asked.elapsed()
    );
    assert!(
        resident < 400,
        "3000 small open documents hold {resident} MiB"
    );
    let (code, stderr) = client.shutdown();
    assert_eq!(code, Some(0), "{stderr}");
}
