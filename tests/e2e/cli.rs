//! The command line as a user meets it: the built-in default, configuration errors (exit 2,
//! with file, line and field), and help.

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
    assert!(
        run.stdout
            .contains("function getForecast(input: GetForecastInput): Promise<GetForecastOutput>;")
    );
    assert!(
        run.stdout
            .contains("function echo(input: EchoInput): Promise<ToolResult>;")
    );
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
