//! The command line as a user meets it: the built-in default, configuration errors (exit 2,
//! with file, line and field), and help.

use std::process::Command;

use serde_json::json;

use crate::support::Workspace;

#[test]
fn without_a_config_the_builtin_demo_is_used() {
    let workspace = Workspace::new();
    let run = workspace.codemode(&["tools"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr.contains("using the built-in demo server"),
        "{}",
        run.stderr
    );
    assert!(
        run.stdout.starts_with("demo  ready  7 tools"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("demo.getForecast"), "{}", run.stdout);

    let run = workspace.codemode(&["types", "--quiet"]);
    assert_eq!(run.code, 0);
    assert!(run.stderr.is_empty(), "--quiet: {}", run.stderr);
    assert!(run.stdout.contains(
        "function getForecast(input: {\n    /** A city from `list_cities`. */ city: string;"
    ));
    assert!(run.stdout.contains(
        "function echo(input: { /** Text to send back. */ text: string }): Promise<ToolResult>;"
    ));
}

#[test]
fn config_errors_name_file_line_and_field_and_exit_2() {
    let workspace = Workspace::new();
    workspace.write(
        "codemode.json",
        "{\n  \"mcpServers\": {\n    \"a\": {\"command\": \"x\",, }\n  }\n}\n",
    );
    let run = workspace.codemode(&["tools"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.starts_with("error: "), "{}", run.stderr);
    assert!(run.stderr.contains("codemode.json:3:"), "{}", run.stderr);

    workspace.write(
        ".mcp.json",
        "{\"mcpServers\": {\n  \"gh\": {\"command\": \"gh\", \"env\": {\"TOKEN\": \"${env:CODEMODE_TEST_UNSET}\"}}}}",
    );
    std::fs::remove_file(workspace.path().join("codemode.json")).unwrap();
    let run = workspace.codemode(&["types"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains(".mcp.json:2:")
            && run.stderr.contains(
                "mcpServers.gh.env.TOKEN: environment variable CODEMODE_TEST_UNSET is not set"
            ),
        "{}",
        run.stderr
    );

    let run = workspace.codemode(&["--config", "nowhere.json", "tools"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("nowhere.json: cannot read"),
        "{}",
        run.stderr
    );
}

#[test]
fn vscode_config_is_discovered_from_a_subdirectory() {
    let workspace = Workspace::new();
    workspace.write(
        ".vscode/mcp.json",
        &serde_json::to_string(&json!({"servers": {"my-demo": {"type": "stdio", "command": "definitely-missing"}, "demo": {"builtin": "demo"}}})).unwrap(),
    );
    std::fs::create_dir_all(workspace.path().join("src/deep")).unwrap();
    let run = crate::support::codemode_in(&workspace.path().join("src/deep"), &["tools", "--json"]);
    assert_eq!(run.code, 1, "one server cannot start: {}", run.stderr);
    let listing = run.json();
    assert!(
        listing["config"]
            .as_str()
            .unwrap()
            .ends_with(".vscode/mcp.json")
    );
    assert_eq!(listing["servers"][0]["name"], "my-demo");
    assert_eq!(listing["servers"][1]["namespace"], "demo");
}

#[test]
fn usage_errors_exit_2_and_help_reads_well() {
    let workspace = Workspace::new();
    let run = workspace.codemode(&["frobnicate"]);
    assert_eq!(run.code, 2);
    let run = workspace.codemode(&["--help"]);
    assert_eq!(run.code, 0);
    for text in [
        "tools",
        "types",
        "--config",
        "codemode.json, .mcp.json, .vscode/mcp.json",
    ] {
        assert!(
            run.stdout.contains(text),
            "--help lacks {text:?}:\n{}",
            run.stdout
        );
    }
}

/// Runs codemode in `dir` as a user whose home is `home`, with the user files read.
fn as_user(dir: &std::path::Path, home: &std::path::Path, args: &[&str]) -> crate::support::Run {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_codemode"))
        .args(args)
        .current_dir(dir)
        .env_remove("CODEMODE_CONFIG")
        .env_remove("CODEMODE_NO_USER_CONFIGS")
        .env_remove("XDG_CONFIG_HOME")
        .env_remove("CODEX_HOME")
        .env("HOME", home)
        .env("TOKEN", "tok_canary_cli")
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    crate::support::Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

#[test]
fn config_sources_lists_every_clients_file_in_order_and_marks_the_one_used() {
    let home = crate::support::repo().join("tests/fixtures/home");
    let workspace = Workspace::new();
    let run = as_user(workspace.path(), &home, &["config", "sources"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(
        lines[0],
        "Configuration sources, in the order codemode tries them:"
    );
    let expected = [
        ("→ Claude Code", "~/.claude.json", "1 server: memory"),
        (
            "  Claude Desktop",
            "~/.config/Claude/claude_desktop_config.json",
            "2 servers: memory, search",
        ),
        (
            "  Cursor",
            "~/.cursor/mcp.json",
            "2 servers: memory, search",
        ),
        (
            "  VS Code",
            "~/.config/Code/User/mcp.json",
            "2 servers: memory, search",
        ),
        (
            "  Windsurf",
            "~/.codeium/windsurf/mcp_config.json",
            "2 servers: memory, search",
        ),
        (
            "  Gemini CLI",
            "~/.gemini/settings.json",
            "2 servers: memory, search",
        ),
        (
            "  Codex",
            "~/.codex/config.toml",
            "2 servers: memory, search",
        ),
        (
            "  Zed",
            "~/.config/zed/settings.json",
            "2 servers: memory, search",
        ),
        ("  built-in", "the demo server", "1 server: demo"),
    ];
    assert_eq!(lines.len(), expected.len() + 1, "{}", run.stdout);
    for (line, (what, path, holds)) in lines[1..].iter().zip(expected) {
        assert!(line.starts_with(what), "{line}");
        assert!(line.contains(path), "{line}");
        assert!(line.ends_with(holds), "{line}");
    }
    // Secrets read from the environment for those files never show.
    assert!(!run.stdout.contains("tok_canary"), "{}", run.stdout);

    // A project file comes first and is the one used.
    workspace.config(json!({"demo": {"builtin": "demo"}}));
    let run = as_user(workspace.path(), &home, &["config", "sources"]);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert!(lines[1].starts_with("→ project"), "{}", run.stdout);
    assert!(lines[2].starts_with("  Claude Code"), "{}", run.stdout);

    // `--from` names a client; a client codemode does not know is a usage error.
    let run = as_user(
        workspace.path(),
        &home,
        &["--from", "gemini", "config", "sources"],
    );
    assert!(
        run.stdout.lines().any(|l| l.starts_with("→ Gemini CLI")),
        "{}",
        run.stdout
    );
    let run = as_user(workspace.path(), &home, &["--from", "emacs", "tools"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("expected one of: claude-code, claude-desktop"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_misspelt_field_on_a_server_is_an_error_naming_the_closest_one() {
    let workspace = Workspace::new();
    workspace.write(
        ".mcp.json",
        "{\n  \"mcpServers\": {\n    \"db\": {\n      \"command\": \"db-server\",\n      \"enviroment\": {\"TOKEN\": \"x\"}\n    }\n  }\n}\n",
    );
    let run = workspace.codemode(&["tools"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert_eq!(
        run.stderr.trim(),
        "error: .mcp.json:5:7: mcpServers.db.enviroment: unknown field `enviroment`; did you \
         mean `env`? Valid fields: type, command, args, env, envFile, cwd, url, headers, \
         builtin, disabled, trusted, timeout, startupTimeout, oauth"
    );
}

/// A VS Code `${input:ID}` the environment lacks is asked for on the terminal, with the
/// description the file's `inputs` give it, a `password` input without echo, and the value
/// reaches the server it is for. Without a terminal, the error says how to provide it.
#[test]
fn vscode_inputs_are_asked_on_a_terminal() {
    let workspace = Workspace::new();
    let mut rogue = crate::support::rogue("liar");
    rogue["env"] = json!({"SECRET": "${input:rogue-key}"});
    workspace.write(
        ".vscode/mcp.json",
        &json!({
            "inputs": [{"type": "promptString", "id": "rogue-key",
                        "description": "Rogue API key", "password": true}],
            "servers": {"rogue": rogue}
        })
        .to_string(),
    );
    workspace.write(
        "key.ts",
        "const { secret } = (await rogue.environ({})).json() as { secret: string };\n\
         export default `${secret.length} characters, ends ${secret.slice(-3)}`;\n",
    );
    let output = Command::new("python3")
        .arg(crate::support::repo().join("tests/fixtures/on_a_terminal.py"))
        .args(["Rogue API key", "hunter2-typed-unseen", "--"])
        .arg(env!("CARGO_BIN_EXE_codemode"))
        .args(["run", "key.ts"])
        .current_dir(workspace.path())
        .env("CODEMODE_NO_USER_CONFIGS", "1")
        .env("XDG_STATE_HOME", crate::support::state_home())
        .env_remove("CODEMODE_CONFIG")
        .env_remove("ROGUE_KEY")
        .output()
        .unwrap();
    let shown = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{shown}");
    assert!(
        shown.contains("Rogue API key (${input:rogue-key}): "),
        "{shown}"
    );
    assert!(shown.contains("20 characters, ends een"), "{shown}");
    assert!(
        !shown.contains("hunter2"),
        "the password was echoed: {shown}"
    );

    let run = workspace.codemode(&["run", "key.ts"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains(
            "reads it from the environment variable ROGUE_KEY, which is not set (run codemode \
             in a terminal to be asked for it)"
        ),
        "{}",
        run.stderr
    );
}

/// Approval per call under `codemode run`: a destructive tool named only at run time is
/// caught when it is called. With no terminal the call is refused with the settings that
/// would allow it, and nothing is deleted; on a terminal the person is asked once per tool,
/// and `y` lets the calls through.
#[test]
fn run_asks_before_a_destructive_call_and_refuses_without_a_terminal() {
    let workspace = Workspace::new();
    let memory_file = workspace.path().join("memory.jsonl");
    workspace.config(json!({"memory": {
        "command": "node",
        "args": [crate::support::deps().npm_server("server-memory")],
        "env": {"MEMORY_FILE_PATH": memory_file}
    }}));
    workspace.write(
        "seed.ts",
        "await memory.createEntities({ entities: [{ name: \"keep\", entityType: \"t\", observations: [] }] });\n",
    );
    let seeded = workspace.codemode(&["run", "seed.ts"]);
    assert_eq!(seeded.code, 0, "{}", seeded.stderr);
    let held = || std::fs::read_to_string(&memory_file).unwrap();
    assert!(held().contains("\"keep\""));

    workspace.write(
        "delete.ts",
        "const remove = (memory as any)[\"delete_\" + \"entities\"];\n\
         await remove({ entityNames: [\"nobody\"] });\n\
         await remove({ entityNames: [\"keep\"] });\n\
         export default (await memory.readGraph()).entities.length;\n",
    );
    let refused = workspace.codemode(&["run", "delete.ts", "--json"]);
    assert_eq!(refused.code, 1, "{}", refused.stderr);
    let report: serde_json::Value = serde_json::from_str(&refused.stdout).unwrap();
    let message = report["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("memory.delete_entities is marked destructive")
            && message.contains("no terminal to ask on")
            && message.contains("\"autoApprove\"")
            && message.contains("--yes"),
        "{report:#}"
    );
    assert!(held().contains("\"keep\""), "deleted without approval");

    let output = Command::new("python3")
        .arg(crate::support::repo().join("tests/fixtures/on_a_terminal.py"))
        .args(["allow? [y/N]", "y", "--"])
        .arg(env!("CARGO_BIN_EXE_codemode"))
        .args(["run", "delete.ts"])
        .current_dir(workspace.path())
        .env("CODEMODE_NO_USER_CONFIGS", "1")
        .env("XDG_STATE_HOME", crate::support::state_home())
        .env_remove("CODEMODE_CONFIG")
        .output()
        .unwrap();
    let shown = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{shown}");
    assert_eq!(shown.matches("allow? [y/N]").count(), 1, "{shown}");
    assert!(
        shown.contains("wants to call memory.delete_entities"),
        "{shown}"
    );
    assert!(!held().contains("\"keep\""), "{shown}");
}
