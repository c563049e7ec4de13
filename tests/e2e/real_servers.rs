//! The generated API of the five real servers: it compiles under `tsc --strict`, and scripts
//! written against it get the errors a person would expect (the fixtures in
//! `tests/scripts/real-servers/` say which, in `// expect: LINE CODE TEXT` lines; `CODE` may name
//! alternatives, `TS2741|TS2345`, where TypeScript 6 and 7 word the same error differently).

use serde_json::json;

use crate::support::{Workspace, real_servers, repo, tsc};

#[test]
fn real_servers_are_listed_with_their_tools() {
    let workspace = Workspace::new();
    workspace.config(real_servers(&workspace));
    let run = workspace.codemode(&["tools", "--json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let listing = run.json();
    let servers = listing["servers"].as_array().unwrap();
    let names: Vec<&str> = servers
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["memory", "filesystem", "everything", "time", "git"]);
    for server in servers {
        assert_eq!(server["status"], "ready", "{server}");
    }
    let memory_tools: Vec<(&str, &str)> = servers[0]["tools"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| (t["name"].as_str().unwrap(), t["function"].as_str().unwrap()))
        .collect();
    assert!(
        memory_tools.contains(&("create_entities", "createEntities")),
        "{memory_tools:?}"
    );
    assert!(memory_tools.contains(&("read_graph", "readGraph")));
    // Progress went to stderr, one line per server.
    for name in names {
        assert!(run.stderr.contains(&format!("✓ {name}")), "{}", run.stderr);
    }
}

#[test]
fn declarations_compile_and_scripts_get_the_expected_errors() {
    let workspace = Workspace::new();
    workspace.config(real_servers(&workspace));
    let run = workspace.codemode(&["types", "-o", "api.d.ts", "--quiet"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let api = std::fs::read_to_string(workspace.path().join("api.d.ts")).unwrap();
    for namespace in ["memory", "filesystem", "everything", "time", "git"] {
        assert!(
            api.contains(&format!("declare namespace {namespace} {{")),
            "{namespace}"
        );
    }
    assert!(api.contains("declare class ToolError extends Error"));
    assert_eq!(
        tsc(workspace.path(), &["api.d.ts"]),
        vec![],
        "the declarations must compile"
    );

    let fixtures = repo().join("tests/scripts/real-servers");
    let mut checked = 0;
    for entry in std::fs::read_dir(&fixtures).unwrap() {
        let path = entry.unwrap().path();
        let source = std::fs::read_to_string(&path).unwrap();
        let name = path.file_name().unwrap().to_str().unwrap().to_string();
        workspace.write(&name, &source);
        let diagnostics = tsc(workspace.path(), &["api.d.ts", &name]);
        let expected: Vec<(u32, String, String)> = source
            .lines()
            .filter_map(|line| line.strip_prefix("// expect: "))
            .filter(|e| *e != "clean")
            .map(|e| {
                let mut parts = e.splitn(3, ' ');
                let line = parts.next().unwrap().parse().unwrap();
                let code = parts.next().unwrap().to_string();
                (line, code, parts.next().unwrap_or("").to_string())
            })
            .collect();
        assert_eq!(
            diagnostics.len(),
            expected.len(),
            "{name}: {diagnostics:#?}"
        );
        for ((line, code, text), got) in expected.iter().zip(&diagnostics) {
            assert_eq!(got.line, *line, "{name}: {got:?}");
            assert!(
                code.split('|').any(|c| c == got.code),
                "{name}: {got:?} is not {code}"
            );
            assert!(
                got.message.contains(text.as_str()),
                "{name}: {:?} lacks {text:?}",
                got.message
            );
        }
        checked += 1;
    }
    assert!(checked >= 10, "only {checked} fixtures");
}

#[test]
fn the_corpus_snapshots_compile() {
    let corpus = repo().join("tests/corpus/generated");
    let mut files = vec![
        repo()
            .join("server/src/codegen/prelude.d.ts")
            .display()
            .to_string(),
    ];
    for entry in std::fs::read_dir(&corpus).unwrap() {
        files.push(entry.unwrap().path().display().to_string());
    }
    assert!(files.len() >= 8, "{files:?}");
    let args: Vec<&str> = files.iter().map(String::as_str).collect();
    // Checked from a scratch folder: the oracle writes its lib file where it runs, and the
    // corpus folder holds the snapshots alone.
    let scratch = Workspace::new();
    assert_eq!(tsc(scratch.path(), &args), vec![]);
}

#[test]
fn secrets_in_env_and_headers_never_reach_the_output() {
    let workspace = Workspace::new();
    let mut servers = real_servers(&workspace);
    servers["memory"]["env"]["API_TOKEN"] = json!("canary-7f3a9c-env");
    servers["remote"] = json!({
        "url": "http://127.0.0.1:9/mcp",
        "headers": {"Authorization": "Bearer canary-7f3a9c-header"},
        "startupTimeout": 3
    });
    workspace.config(servers);
    for args in [
        &["tools", "--json"][..],
        &["tools"],
        &["types"],
        &["-vv", "tools"],
    ] {
        let run = workspace.codemode(args);
        assert_eq!(run.code, 1, "the unreachable server fails: {}", run.stderr);
        for output in [&run.stdout, &run.stderr] {
            assert!(
                !output.contains("canary-7f3a9c"),
                "{args:?} leaked a secret:\n{output}"
            );
        }
    }
}
