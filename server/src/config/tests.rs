//! Tests of reading configuration files in the formats people already have.

use super::*;

fn parse(text: &str) -> Result<Config, ConfigError> {
    let lookup = |name: &str| match name {
        "GITHUB_TOKEN" => Some("ghp_canary".to_string()),
        _ => None,
    };
    Config::from_text(Path::new("/proj/.mcp.json"), text.to_string(), &lookup)
}

#[test]
fn reads_the_claude_desktop_format() {
    let config = parse(
        r#"{
          "mcpServers": {
            "memory": {"command": "npx", "args": ["-y", "@modelcontextprotocol/server-memory"],
                       "env": {"MEMORY_FILE_PATH": "${workspaceFolder}/memory.json"}},
            "remote": {"url": "https://example.test/mcp",
                       "headers": {"Authorization": "Bearer ${env:GITHUB_TOKEN}"}, "timeout": 5},
            "off": {"command": "nothing", "disabled": true},
            "demo": {"builtin": "demo"}
          },
          "codemode": {"toolTimeout": 12}
        }"#,
    )
    .unwrap();
    let names: Vec<_> = config.servers.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["memory", "remote", "demo"]);
    let Transport::Stdio {
        command, args, env, ..
    } = &config.servers[0].transport
    else {
        panic!("memory is stdio");
    };
    assert_eq!(command, "npx");
    assert_eq!(args[1], "@modelcontextprotocol/server-memory");
    assert_eq!(env["MEMORY_FILE_PATH"], "/proj/memory.json");
    assert_eq!(config.servers[0].tool_timeout, Duration::from_secs(12));
    let Transport::Http { headers, .. } = &config.servers[1].transport else {
        panic!("remote is http");
    };
    assert_eq!(headers["Authorization"], "Bearer ghp_canary");
    assert_eq!(config.servers[1].tool_timeout, Duration::from_secs(5));
}

#[test]
fn reads_the_vscode_format_with_comments() {
    let lookup = |_: &str| None;
    let config = Config::from_text(
        Path::new("/proj/.vscode/mcp.json"),
        r#"{
          // VS Code writes JSONC
          "servers": {
            "time": {"type": "stdio", "command": "uvx", "args": ["mcp-server-time"], "cwd": "${workspaceFolder}"},
            "api": {"type": "http", "url": "http://127.0.0.1:3000/mcp",},
          },
          "inputs": [],
        }"#
        .to_string(),
        &lookup,
    )
    .unwrap();
    assert_eq!(config.servers.len(), 2);
    let Transport::Stdio { cwd, .. } = &config.servers[0].transport else {
        panic!("time is stdio");
    };
    assert_eq!(cwd.as_deref(), Some(Path::new("/proj")));
    assert!(matches!(
        config.servers[1].transport,
        Transport::Http { .. }
    ));
}

#[test]
fn errors_name_file_line_and_field() {
    let error = parse("{\n  \"mcpServers\": {\n    \"gh\": {\"command\": \"gh\", \"env\": {\"T\": \"${env:NOPE}\"}}\n  }\n}")
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "/proj/.mcp.json:3:42: mcpServers.gh.env.T: environment variable NOPE is not set"
    );

    let error = parse("{\"mcpServers\": {\n \"x\": {\"command\": \"a\", \"args\": [\"ok\", 3]}}}")
        .unwrap_err();
    assert_eq!(
        (error.line, error.field.as_str()),
        (2, "mcpServers.x.args[1]")
    );
    assert!(error.message.contains("expected a string"), "{error}");

    let error = parse("{\"mcpServers\": {\"x\": {\"args\": []}}}").unwrap_err();
    assert!(error.message.contains("needs \"command\""), "{error}");

    let error = parse("{\"mcpServers\": {\"x\": {\"command\": \"a\", \"url\": \"http://h\"}}}")
        .unwrap_err();
    assert!(error.message.contains("only one of"), "{error}");

    let error =
        parse("{\"servers\": {\"x\": {\"type\": \"sse\", \"url\": \"http://h\"}}}").unwrap_err();
    assert_eq!(error.field, "servers.x.type");

    let error = parse("{\"mcpServers\": {\"x\": {\"url\": \"ftp://h\"}}}").unwrap_err();
    assert_eq!(error.field, "mcpServers.x.url");

    let error = parse("{\"mcpServers\": {\"x\": {\"builtin\": \"nope\"}}}").unwrap_err();
    assert!(error.message.contains("built-in servers: demo"), "{error}");

    let error = parse("{\"codemode\": {\"toolTimeut\": 3}, \"mcpServers\": {}}").unwrap_err();
    assert!(
        error.message.contains("unknown field `toolTimeut`"),
        "{error}"
    );

    let error =
        parse("{\"mcpServers\": {\"x\": {\"command\": \"a\", \"timeout\": -1}}}").unwrap_err();
    assert_eq!(error.field, "mcpServers.x.timeout");

    let error = parse("[]").unwrap_err();
    assert!(error.message.contains("JSON object"), "{error}");
    let error = parse("{\"other\": 1}").unwrap_err();
    assert!(error.message.contains("no servers"), "{error}");
}

#[test]
fn secrets_never_show_in_debug_output() {
    let config = parse(
        r#"{"mcpServers": {"r": {"url": "https://h/mcp", "headers": {"X": "${GITHUB_TOKEN}"}}}}"#,
    )
    .unwrap();
    let debug = format!("{config:?}");
    assert!(debug.contains("\"X\""));
    assert!(!debug.contains("ghp_canary"), "{debug}");
}

#[test]
fn discovery_walks_up_and_prefers_codemode_json() {
    let root = tempfile::tempdir().unwrap();
    let nested = root.path().join("a/b");
    std::fs::create_dir_all(&nested).unwrap();
    assert_eq!(discover(&nested), None);
    std::fs::create_dir_all(root.path().join(".vscode")).unwrap();
    std::fs::write(root.path().join(".vscode/mcp.json"), "{}").unwrap();
    assert_eq!(
        discover(&nested),
        Some(root.path().join(".vscode/mcp.json"))
    );
    std::fs::write(root.path().join("a/.mcp.json"), "{}").unwrap();
    assert_eq!(discover(&nested), Some(root.path().join("a/.mcp.json")));
    std::fs::write(root.path().join("a/codemode.json"), "{}").unwrap();
    assert_eq!(discover(&nested), Some(root.path().join("a/codemode.json")));
}

#[test]
fn no_file_means_the_builtin_demo() {
    let root = tempfile::tempdir().unwrap();
    let config = Config::load(None, root.path()).unwrap();
    assert_eq!(config.origin, Origin::BuiltinDefault);
    assert_eq!(
        config.servers[0].transport,
        Transport::Builtin {
            name: "demo".into()
        }
    );
}

mod fuzz {
    //! Any text, and any mangling of a valid file, reads as a configuration or as an error
    //! placed at a line and column inside the file: never a panic.

    use proptest::prelude::*;

    use super::*;

    const VALID: &str = r#"{
      "mcpServers": {
        "memory": {"command": "npx", "args": ["-y", "x"], "env": {"K": "${env:GITHUB_TOKEN}"}},
        "remote": {"url": "https://example.test/mcp?key=${GITHUB_TOKEN}", "trusted": true},
        "demo": {"builtin": "demo", "timeout": 5}
      },
      "codemode": {"runTimeout": 3, "allowTools": ["memory.*"], "scripts": ["agents"]}
    }"#;

    fn check(text: &str) -> Result<(), TestCaseError> {
        match parse(text) {
            Ok(_) => Ok(()),
            Err(error) => {
                let lines = text.lines().count().max(1);
                prop_assert!(
                    error.line >= 1 && error.line <= lines + 1,
                    "{error:?} in {text:?}"
                );
                prop_assert!(error.column >= 1, "{error:?}");
                prop_assert!(!error.message.is_empty());
                Ok(())
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

        #[test]
        fn any_text_is_a_config_or_a_placed_error(text in "\\PC{0,200}") {
            check(&text)?;
        }

        #[test]
        fn a_mangled_valid_file_is_a_config_or_a_placed_error(
            cut in 0..VALID.len(),
            length in 0usize..12,
            insert in "[\\]\\[{}\":,0-9a-z$ ]{0,6}",
        ) {
            let mut text = VALID.to_string();
            let start = (0..=cut).rev().find(|i| text.is_char_boundary(*i)).unwrap_or(0);
            let end = (start + length).min(text.len());
            let end = (end..=text.len()).find(|i| text.is_char_boundary(*i)).unwrap_or(text.len());
            text.replace_range(start..end, &insert);
            check(&text)?;
        }
    }
}
