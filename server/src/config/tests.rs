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
    let error = parse("{}").unwrap_err();
    assert!(error.message.contains("no servers"), "{error}");
    let error = parse("{\"other\": 1}").unwrap_err();
    assert!(error.message.contains("unknown field `other`"), "{error}");
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
    assert_eq!(project_files(&nested).next(), None);
    std::fs::create_dir_all(root.path().join(".vscode")).unwrap();
    std::fs::write(root.path().join(".vscode/mcp.json"), "{}").unwrap();
    assert_eq!(
        project_files(&nested).next(),
        Some(root.path().join(".vscode/mcp.json"))
    );
    std::fs::write(root.path().join("a/.mcp.json"), "{}").unwrap();
    assert_eq!(
        project_files(&nested).next(),
        Some(root.path().join("a/.mcp.json"))
    );
    std::fs::write(root.path().join("a/codemode.json"), "{}").unwrap();
    assert_eq!(
        project_files(&nested).next(),
        Some(root.path().join("a/codemode.json"))
    );
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

/// The fixture home folder (`tests/fixtures/home`): each client's user file in its own
/// format, listing the same two servers.
fn fixture_home() -> Home {
    Home {
        dir: Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/home"),
        os: Os::Linux,
        app_data: None,
        xdg_config: None,
        codex_home: None,
    }
}

fn from_client(client: Option<Client>, start: &Path) -> Result<Config, ConfigError> {
    let lookup = |name: &str| (name == "TOKEN").then(|| "tok_canary_1234".to_string());
    Config::resolve(&Search {
        explicit: None,
        from: client,
        start,
        home: Some(fixture_home()),
        lookup: &lookup,
        ask: None,
        trusted: &|_, _| false,
    })
}

/// One line per server: what a server entry comes to, whatever client wrote it.
fn summary(config: &Config) -> String {
    let mut out = String::new();
    for server in &config.servers {
        let transport = match &server.transport {
            Transport::Stdio {
                command, args, env, ..
            } => {
                format!("stdio {command} {} env {env:?}", args.join(" "))
            }
            Transport::Http { url, headers } => format!("http {url} headers {headers:?}"),
            Transport::Builtin { name } => format!("builtin {name}"),
        };
        out.push_str(&format!(
            "{}: {transport}; timeout {:?}\n",
            server.name, server.tool_timeout
        ));
    }
    out
}

#[test]
fn every_clients_user_file_gives_the_same_servers() {
    let expected = "memory: stdio npx -y @modelcontextprotocol/server-memory env \
                    {\"MEMORY_FILE_PATH\": \"/tmp/memory.json\"}; timeout 60s\n\
                    search: http https://mcp.example.test/mcp headers \
                    {\"Authorization\": \"Bearer tok_canary_1234\"}; timeout 60s\n";
    for client in Client::ALL {
        let config = from_client(Some(client), Path::new("/work/project/src"))
            .unwrap_or_else(|error| panic!("{}: {error}", client.id()));
        assert_eq!(summary(&config), expected, "{}", client.id());
        assert!(
            matches!(&config.origin, Origin::Client { client: c, .. } if *c == client),
            "{:?}",
            config.origin
        );
        // The token is a secret of the server it belongs to.
        let search = &config.servers[1];
        assert!(
            search.secrets.iter().any(|s| s.0 == "tok_canary_1234"),
            "{}",
            client.id()
        );
        assert!(
            !format!("{config:?}").contains("tok_canary"),
            "{}",
            client.id()
        );
    }
}

#[test]
fn client_specific_fields_mean_what_they_mean_there() {
    let start = Path::new("/work/project");
    // Tool lists of one server: Windsurf's disabledTools, Gemini's excludeTools, Codex's
    // disabled_tools.
    for client in [Client::Windsurf, Client::Gemini, Client::Codex] {
        let config = from_client(Some(client), start).unwrap();
        assert_eq!(
            config.servers[1].tools.never,
            ["delete_index"],
            "{}",
            client.id()
        );
        assert!(!config.servers[1].tools.permits("delete_index"));
        assert!(config.servers[1].tools.permits("search"));
    }
    // A Zed extension's server is left out, with why.
    let config = from_client(Some(Client::Zed), start).unwrap();
    assert_eq!(config.skipped.len(), 1);
    assert_eq!(config.skipped[0].name, "postgres-extension");
    assert!(config.skipped[0].reason.contains("Zed extension"));
    // Claude Code: only the project's own servers, besides the user's.
    let config = from_client(Some(Client::ClaudeCode), Path::new("/work/other")).unwrap();
    let names: Vec<_> = config.servers.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["memory", "elsewhere"]);
}

#[test]
fn the_user_files_are_tried_in_order_after_the_project() {
    // No project file: Claude Code's file comes first.
    let config = from_client(None, Path::new("/work/project")).unwrap();
    assert!(matches!(
        config.origin,
        Origin::Client {
            client: Client::ClaudeCode,
            ..
        }
    ));
    // A project file wins over every user file.
    let project = tempfile::tempdir().unwrap();
    std::fs::write(
        project.path().join(".mcp.json"),
        r#"{"mcpServers": {"demo": {"builtin": "demo"}}}"#,
    )
    .unwrap();
    let config = from_client(None, project.path()).unwrap();
    assert_eq!(
        config.origin,
        Origin::File(project.path().join(".mcp.json"))
    );
    // `sources` lists the project file, then every client, in that order.
    let lookup = |_: &str| Some("x".to_string());
    let found = Config::sources(&Search {
        explicit: None,
        from: None,
        start: project.path(),
        home: Some(fixture_home()),
        lookup: &lookup,
        ask: None,
        trusted: &|_, _| false,
    });
    let order: Vec<_> = found.iter().map(|c| c.client.map(Client::id)).collect();
    let mut expected = vec![None];
    expected.extend(Client::ALL.iter().map(|c| Some(c.id())));
    assert_eq!(order, expected);
}

#[test]
fn each_clients_file_is_where_that_client_keeps_it() {
    let home = |os| Home {
        dir: PathBuf::from("/home/u"),
        os,
        app_data: (os == Os::Windows).then(|| PathBuf::from("/home/u/AppData/Roaming")),
        xdg_config: None,
        codex_home: None,
    };
    let mut table = String::new();
    for os in [Os::Linux, Os::MacOs, Os::Windows] {
        for client in Client::ALL {
            table.push_str(&format!(
                "{os:?} {}: {}\n",
                client.id(),
                client.file(&home(os)).display()
            ));
        }
    }
    expect_test::expect![[r#"
        Linux claude-code: /home/u/.claude.json
        Linux claude-desktop: /home/u/.config/Claude/claude_desktop_config.json
        Linux cursor: /home/u/.cursor/mcp.json
        Linux vscode: /home/u/.config/Code/User/mcp.json
        Linux windsurf: /home/u/.codeium/windsurf/mcp_config.json
        Linux gemini: /home/u/.gemini/settings.json
        Linux codex: /home/u/.codex/config.toml
        Linux zed: /home/u/.config/zed/settings.json
        MacOs claude-code: /home/u/.claude.json
        MacOs claude-desktop: /home/u/Library/Application Support/Claude/claude_desktop_config.json
        MacOs cursor: /home/u/.cursor/mcp.json
        MacOs vscode: /home/u/Library/Application Support/Code/User/mcp.json
        MacOs windsurf: /home/u/.codeium/windsurf/mcp_config.json
        MacOs gemini: /home/u/.gemini/settings.json
        MacOs codex: /home/u/.codex/config.toml
        MacOs zed: /home/u/.config/zed/settings.json
        Windows claude-code: /home/u/.claude.json
        Windows claude-desktop: /home/u/AppData/Roaming/Claude/claude_desktop_config.json
        Windows cursor: /home/u/.cursor/mcp.json
        Windows vscode: /home/u/AppData/Roaming/Code/User/mcp.json
        Windows windsurf: /home/u/.codeium/windsurf/mcp_config.json
        Windows gemini: /home/u/.gemini/settings.json
        Windows codex: /home/u/.codex/config.toml
        Windows zed: /home/u/AppData/Roaming/Zed/settings.json
    "#]]
    .assert_eq(&table);
}

/// A server entry's fields, checked: `check(file, expect)` shows the error (or the servers).
fn check(text: &str, expect: expect_test::Expect) {
    let shown = match parse(text) {
        Ok(config) => summary(&config),
        Err(error) => error.to_string(),
    };
    expect.assert_eq(&shown);
}

#[test]
fn unknown_fields_are_errors_that_name_the_closest_valid_one() {
    check(
        r#"{"mcpServers": {"db": {
             "command": "db-server",
             "enviroment": {"TOKEN": "x"}}}}"#,
        expect_test::expect![[
            r#"/proj/.mcp.json:3:14: mcpServers.db.enviroment: unknown field `enviroment`; did you mean `env`? Valid fields: type, command, args, env, envFile, cwd, url, headers, builtin, disabled, trusted, timeout, startupTimeout, oauth"#
        ]],
    );
    check(
        r#"{"mcpServers": {"db": {"comand": "db-server"}}}"#,
        expect_test::expect![[
            r#"/proj/.mcp.json:1:24: mcpServers.db.comand: unknown field `comand`; did you mean `command`? Valid fields: type, command, args, env, envFile, cwd, url, headers, builtin, disabled, trusted, timeout, startupTimeout, oauth"#
        ]],
    );
    check(
        r#"{"mcpServers": {}, "codemode": {"toolTimeut": 3}}"#,
        expect_test::expect![
            "/proj/.mcp.json:1:33: codemode.toolTimeut: unknown field `toolTimeut`; did you mean `toolTimeout`? Valid fields: toolTimeout, startupTimeout, runTimeout, checkTimeout, memoryLimitMb, maxOutputBytes, maxResultBytes, maxToolCalls, maxConcurrentCalls, scripts, allowDestructive, allowTools, denyTools, autoApprove, auditLog, httpToken, maxResponseBytes, elicitation, catalogMaxAge"
        ],
    );
    check(
        r#"{"mcpServer": {"db": {"command": "x"}}}"#,
        expect_test::expect![
            "/proj/.mcp.json:1:2: mcpServer: unknown field `mcpServer`; did you mean `mcpServers`? Valid fields: mcpServers, servers, codemode, inputs, $schema"
        ],
    );
    // Fields other clients define and codemode ignores on purpose.
    check(
        r#"{"servers": {"db": {"command": "x", "dev": {"watch": "src/**"}, "description": "d"}}}"#,
        expect_test::expect![[r#"
            db: stdio x  env {}; timeout 60s
        "#]],
    );
    check(
        r#"{"mcpServers": {"db": {"command": "x", "env": {"PORT": 5432, "DEBUG": true}}}}"#,
        expect_test::expect![[r#"
            db: stdio x  env {"PORT": "5432", "DEBUG": "true"}; timeout 60s
        "#]],
    );
}

#[test]
fn oauth_names_the_client_codemode_signs_in_as() {
    let config = parse(
        r#"{"mcpServers": {"notes": {"url": "https://notes.test/mcp", "oauth": {
             "clientId": "codemode-notes", "clientSecret": "${GITHUB_TOKEN}",
             "clientMetadataUrl": "https://codemode.test/client.json", "scopes": ["notes:read"]}}}}"#,
    )
    .unwrap();
    let oauth = &config.servers[0].oauth;
    assert_eq!(oauth.client_id.as_deref(), Some("codemode-notes"));
    assert_eq!(oauth.client_secret, Some(Secret("ghp_canary".into())));
    assert_eq!(oauth.scopes, ["notes:read"]);
    assert!(
        config.servers[0]
            .secrets
            .contains(&Secret("ghp_canary".into()))
    );
    assert!(!format!("{config:?}").contains("ghp_canary"));
    check(
        r#"{"mcpServers": {"db": {"command": "db", "oauth": {"clientId": "x"}}}}"#,
        expect_test::expect![[
            r#"/proj/.mcp.json:1:50: mcpServers.db.oauth: only servers reached over HTTP sign in; "oauth" needs "url""#
        ]],
    );
    check(
        r#"{"mcpServers": {"n": {"url": "https://n.test/mcp", "oauth": {"clientMetadataUrl": "http://n.test/c.json"}}}}"#,
        expect_test::expect![[
            r#"/proj/.mcp.json:1:83: mcpServers.n.oauth.clientMetadataUrl: a client ID metadata document is an https:// URL"#
        ]],
    );
    check(
        r#"{"mcpServers": {"n": {"url": "https://n.test/mcp", "oauth": {"client_id": "x"}}}}"#,
        expect_test::expect![
            "/proj/.mcp.json:1:62: mcpServers.n.oauth.client_id: unknown field `client_id`; did you mean `clientId`? Valid fields: clientId, clientSecret, clientMetadataUrl, scopes"
        ],
    );
}

#[test]
fn a_codex_toml_error_is_placed_in_the_toml() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join(".codex")).unwrap();
    std::fs::write(
        dir.path().join(".codex/config.toml"),
        "[mcp_servers.db]\ncommand = \"x\"\nenv_vars = { A = \"b\" }\n",
    )
    .unwrap();
    let lookup = |_: &str| None;
    let error = Config::resolve(&Search {
        explicit: None,
        from: Some(Client::Codex),
        start: dir.path(),
        home: Some(Home {
            dir: dir.path().to_path_buf(),
            os: Os::Linux,
            app_data: None,
            xdg_config: None,
            codex_home: None,
        }),
        lookup: &lookup,
        ask: None,
        trusted: &|_, _| false,
    })
    .unwrap_err();
    assert_eq!((error.line, error.column), (3, 1), "{error}");
    assert_eq!(error.field, "mcp_servers.db.env_vars");
    assert!(error.message.contains("did you mean `env`"), "{error}");
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

/// Resolves from a folder holding `.mcp.json` with `text`, the person having trusted the
/// files `trusted` answers yes for; the environment has `CANARY`.
fn resolve_project(text: &str, trusted: &dyn Fn(&Path, &str) -> bool) -> (Config, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(".mcp.json");
    std::fs::write(&path, text).unwrap();
    let asked = std::cell::Cell::new(0);
    let lookup = |name: &str| {
        asked.set(asked.get() + 1);
        (name == "CANARY").then(|| "canary-value".to_string())
    };
    let config = Config::resolve(&Search {
        explicit: None,
        from: None,
        start: dir.path(),
        home: None,
        lookup: &lookup,
        ask: None,
        trusted,
    })
    .unwrap();
    if config.untrusted.is_some() {
        assert_eq!(asked.get(), 0, "nothing of an untrusted file is expanded");
    }
    (config, std::fs::canonicalize(path).unwrap())
}

#[test]
fn a_project_file_is_used_only_once_trusted_unless_it_starts_and_expands_nothing() {
    // (file, needs trust)
    let cases = [
        (r#"{"mcpServers": {"demo": {"builtin": "demo"}}}"#, false),
        (
            r#"{"mcpServers": {"demo": {"builtin": "demo"}}, "codemode": {"runTimeout": 5}}"#,
            false,
        ),
        (r#"{"mcpServers": {"m": {"command": "marker"}}}"#, true),
        (
            r#"{"servers": {"r": {"url": "https://example.test/mcp"}}}"#,
            true,
        ),
        (
            r#"{"mcpServers": {"demo": {"builtin": "demo"}}, "codemode": {"auditLog": "${env:CANARY}"}}"#,
            true,
        ),
        (
            r#"{"mcpServers": {"demo": {"builtin": "demo"}}, "codemode": {"auditLog": "/home/x/.bashrc"}}"#,
            true,
        ),
        (
            r#"{"mcpServers": {"demo": {"builtin": "demo"}}, "codemode": {"httpToken": "known-to-them"}}"#,
            true,
        ),
        (
            r#"{"inputs": [{"id": "k", "type": "promptString"}], "servers": {"demo": {"builtin": "demo"}}}"#,
            true,
        ),
        (
            r#"{"mcpServers": {"demo": {"builtin": "demo", "env": {"X": "${env:CANARY}"}}}}"#,
            true,
        ),
    ];
    for (text, needs_trust) in cases {
        let (config, _) = resolve_project(text, &|_, _| false);
        assert_eq!(config.untrusted.is_some(), needs_trust, "{text}");
        if needs_trust {
            assert!(config.servers.is_empty(), "{text}: nothing starts");
            assert_eq!(config.trusted_folder, None);
        }
    }
}

#[test]
fn trust_is_kept_against_the_file_and_its_content() {
    let text = r#"{"mcpServers": {"m": {"command": "marker", "args": ["${env:CANARY}"]}},
                   "codemode": {"allowDestructive": true, "autoApprove": ["m.*"]}}"#;
    let (config, file) = resolve_project(text, &|_, _| false);
    let untrusted = config.untrusted.unwrap();
    assert_eq!(untrusted.file, file);
    assert_eq!(untrusted.sha256, sha256_hex(text.as_bytes()));
    assert_eq!(
        untrusted.servers,
        [Proposed {
            name: "m".into(),
            shown: "marker ${env:CANARY}".into()
        }]
    );
    assert_eq!(
        untrusted.widens,
        ["allowDestructive: true", "autoApprove: m.*"]
    );
    assert!(
        untrusted
            .refusal()
            .contains(&format!("codemode trust {}", file.display()))
    );
    // Trusted with this content: read and expanded.
    let hash = sha256_hex(text.as_bytes());
    let (config, _) = resolve_project(text, &|f, h| f.ends_with(".mcp.json") && h == hash);
    assert!(config.untrusted.is_none());
    let Transport::Stdio { args, .. } = &config.servers[0].transport else {
        panic!("stdio expected")
    };
    assert_eq!(args, &["canary-value"]);
    assert!(config.trusted_folder.is_some());
    // Another content (the file changed since): asked again.
    let (config, _) = resolve_project(text, &|_, h| h == "an older hash");
    assert!(config.untrusted.is_some());
}

#[cfg(unix)]
#[test]
fn a_project_file_others_may_write_is_never_used() {
    use std::os::unix::fs::PermissionsExt;
    let parent = tempfile::tempdir().unwrap();
    let planted = parent.path().join(".mcp.json");
    std::fs::write(&planted, r#"{"mcpServers": {"m": {"command": "marker"}}}"#).unwrap();
    std::fs::set_permissions(&planted, std::fs::Permissions::from_mode(0o666)).unwrap();
    let start = parent.path().join("project");
    std::fs::create_dir(&start).unwrap();
    let lookup = |_: &str| None;
    let config = Config::resolve(&Search {
        explicit: None,
        from: None,
        start: &start,
        home: None,
        lookup: &lookup,
        ask: None,
        // Even an answer of yes does not make it safe.
        trusted: &|_, _| true,
    })
    .unwrap();
    assert_eq!(config.origin, Origin::BuiltinDefault);
    assert_eq!(config.refused.len(), 1);
    assert!(
        config.refused[0].reason.contains("anyone may write to it"),
        "{:?}",
        config.refused
    );
}
