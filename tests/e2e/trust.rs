//! A cloned repository's configuration runs nothing before the person trusts it: its
//! `.mcp.json` names a marker command and `${env:CANARY}`; every front door (`tools`,
//! `types`, `check`, `run`, `serve` over stdio and HTTP, `lsp`) starts nothing and expands
//! nothing until `codemode trust`, then does; a changed file is asked about again; a file
//! others could have written is never used; the repository's own `node_modules` TypeScript
//! is not run before trust.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::json;

use crate::lsp_client::LspClient;
use crate::support::Run;

const CANARY: &str = "canary-trust-7d3e1f";

/// A repository as cloned, in a fresh home: `.mcp.json` whose server is a marker command
/// that records its argument (`${env:CANARY}`), a script, and a `node_modules` TypeScript 7
/// binary that records being run.
struct Clone {
    home: tempfile::TempDir,
    repo: PathBuf,
}

impl Clone {
    fn new() -> Clone {
        let home = tempfile::tempdir().unwrap();
        let repo = home.path().join("repo");
        std::fs::create_dir_all(&repo).unwrap();
        let clone = Clone { home, repo };
        clone.write_config("");
        std::fs::write(clone.repo.join("s.ts"), "export default 1;\n").unwrap();
        let tsc = clone.repo.join(format!(
            "node_modules/@typescript/{}/lib/tsc",
            codemode::check::choose::platform_package()
        ));
        std::fs::create_dir_all(tsc.parent().unwrap()).unwrap();
        std::fs::write(
            &tsc,
            format!(
                "#!/bin/sh\necho ran >> '{}'\nexit 1\n",
                clone.tsc_marker().display()
            ),
        )
        .unwrap();
        set_mode(&tsc, 0o755);
        clone
    }

    /// The repository's `.mcp.json`, with `extra` in the marker's arguments (a change).
    fn write_config(&self, extra: &str) {
        let config = json!({"mcpServers": {"marker": {
            "command": "sh",
            "args": ["-c", "echo \"$1\" >> \"$0\"", self.marker(), format!("${{env:CANARY}}{extra}")],
        }}});
        std::fs::write(self.config(), config.to_string()).unwrap();
        set_mode(&self.config(), 0o644);
    }

    fn config(&self) -> PathBuf {
        self.repo.join(".mcp.json")
    }

    fn marker(&self) -> PathBuf {
        self.home.path().join("marker-ran")
    }

    fn tsc_marker(&self) -> PathBuf {
        self.home.path().join("tsc-ran")
    }

    /// What the marker command recorded: one line per start, its argument.
    fn started(&self) -> String {
        std::fs::read_to_string(self.marker()).unwrap_or_default()
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_codemode"));
        command
            .args(args)
            .current_dir(&self.repo)
            .env("HOME", self.home.path())
            .env_remove("XDG_STATE_HOME")
            .env_remove("XDG_CONFIG_HOME")
            .env_remove("CODEMODE_CONFIG")
            .env_remove("CODEMODE_TYPESCRIPT")
            .env("CODEMODE_NO_USER_CONFIGS", "1")
            .env("CANARY", CANARY)
            .stdin(Stdio::null());
        command
    }

    fn codemode(&self, args: &[&str]) -> Run {
        let output = self.command(args).output().unwrap();
        Run {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }
}

fn set_mode(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

#[test]
fn a_cloned_repositorys_configuration_runs_nothing_until_trusted() {
    let clone = Clone::new();
    let trust_command = format!(
        "codemode trust {}",
        clone.config().canonicalize().unwrap().display()
    );

    // Nothing can be asked (no terminal): each command refuses naming the file and the one
    // command that trusts it, and starts nothing.
    for args in [
        &["types"][..],
        &["check", "s.ts"],
        &["run", "s.ts"],
        &["serve", "--http", "0"],
    ] {
        let run = clone.codemode(args);
        assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
        assert!(
            run.stderr.contains("is not trusted") && run.stderr.contains(&trust_command),
            "{args:?}: {}",
            run.stderr
        );
        assert!(!run.stderr.contains(CANARY) && !run.stdout.contains(CANARY));
    }
    // `tools` lists the servers as not trusted.
    let tools = clone.codemode(&["tools"]);
    assert_eq!(tools.code, 0, "{}", tools.stderr);
    assert!(
        tools.stdout.contains("marker  NOT TRUSTED") && tools.stdout.contains(&trust_command),
        "{}",
        tools.stdout
    );
    let listed = clone.codemode(&["tools", "--json"]).json();
    assert_eq!(listed["servers"][0]["status"], "not-trusted");
    // `serve` over stdio tells the agent, in its tools' descriptions.
    let mut serve = clone
        .command(&["serve"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    {
        use std::io::Write;
        let stdin = serve.stdin.as_mut().unwrap();
        for message in [
            json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
                "protocolVersion": "2025-06-18", "capabilities": {},
                "clientInfo": {"name": "t", "version": "1"}}}),
            json!({"jsonrpc": "2.0", "method": "notifications/initialized"}),
            json!({"jsonrpc": "2.0", "id": 2, "method": "tools/list"}),
        ] {
            writeln!(stdin, "{message}").unwrap();
        }
    }
    let listed = read_until(&mut serve, "\"id\":2");
    assert!(
        listed.contains("not started: marker") && listed.contains("codemode trust"),
        "{listed}"
    );
    drop(serve.stdin.take());
    let _ = serve.wait();
    // The language server starts nothing, and asks; dismissed, nothing starts either.
    let mut lsp = lsp_in(&clone, None);
    lsp.until("the question", |c| {
        c.server_requests
            .iter()
            .any(|r| r["method"] == "window/showMessageRequest")
    });
    let asked = lsp
        .server_requests
        .iter()
        .find(|r| r["method"] == "window/showMessageRequest")
        .unwrap()["params"]["message"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        asked.contains(".mcp.json") && asked.contains("marker: sh -c"),
        "{asked}"
    );
    assert!(!asked.contains(CANARY), "nothing expanded in the question");
    let _ = lsp.shutdown();

    assert_eq!(clone.started(), "", "the marker ran before trust");
    assert!(
        !clone.tsc_marker().exists(),
        "the repository's tsc ran before trust"
    );

    // Trusted: the servers start, with the variables expanded, and the project's own
    // TypeScript is looked at.
    let trusted = clone.codemode(&["trust"]);
    assert_eq!(trusted.code, 0, "{}", trusted.stderr);
    assert!(
        trusted.stdout.contains("marker: sh -c"),
        "{}",
        trusted.stdout
    );
    let check = clone.codemode(&["check", "s.ts"]);
    assert!(!check.stderr.contains("is not trusted"), "{}", check.stderr);
    assert_eq!(clone.started(), format!("{CANARY}\n"));
    assert!(
        clone.tsc_marker().exists(),
        "a trusted project's TypeScript is used"
    );
    assert!(
        std::fs::read_to_string(clone.home.path().join(".local/state/codemode/trust.json"))
            .unwrap()
            .contains(".mcp.json"),
        "the answer is kept in the user's state folder"
    );
    assert!(
        !std::fs::read_dir(&clone.repo)
            .unwrap()
            .any(|e| { e.unwrap().file_name().to_string_lossy().contains("trust") })
    );

    // Changed: asked again, nothing started.
    clone.write_config(" changed");
    let run = clone.codemode(&["run", "s.ts"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("is not trusted"), "{}", run.stderr);
    assert_eq!(clone.started(), format!("{CANARY}\n"));

    // Trusted from the editor's question: the servers start.
    let mut lsp = lsp_in(&clone, Some("Trust and start"));
    lsp.until("the trusted servers to start", |_| {
        clone.started().lines().count() >= 2
    });
    assert_eq!(clone.started(), format!("{CANARY}\n{CANARY} changed\n"));
    let _ = lsp.shutdown();

    // Revoked: refused again.
    let revoked = clone.codemode(&["trust", "--revoke"]);
    assert_eq!(revoked.code, 0, "{}", revoked.stderr);
    assert_eq!(clone.codemode(&["types"]).code, 2);
}

#[test]
fn a_parent_folders_file_others_may_write_is_never_used() {
    let clone = Clone::new();
    std::fs::remove_file(clone.config()).unwrap();
    let planted = clone.home.path().join(".mcp.json");
    std::fs::write(
        &planted,
        json!({"mcpServers": {"planted": {"command": "touch", "args": [clone.marker()]}}})
            .to_string(),
    )
    .unwrap();
    set_mode(&planted, 0o666);
    let run = clone.codemode(&["tools"]);
    assert!(
        run.stderr.contains(&format!(
            "{} is not used: anyone may write to it",
            planted.display()
        )),
        "{}",
        run.stderr
    );
    // Not even `codemode trust` makes it usable.
    let trust = clone.codemode(&["trust", planted.to_str().unwrap()]);
    assert_eq!(trust.code, 2, "{}", trust.stderr);
    assert!(
        trust.stderr.contains("codemode never uses this file"),
        "{}",
        trust.stderr
    );
    assert!(!clone.marker().exists());
}

/// `codemode lsp` in the clone, answering the trust question with `answer`.
fn lsp_in(clone: &Clone, answer: Option<&str>) -> LspClient {
    let state = clone.home.path().join(".local/state");
    let mut client = LspClient::start_with_env(
        &clone.repo,
        &[],
        &[
            ("HOME", clone.home.path()),
            ("XDG_STATE_HOME", &state),
            ("CANARY", Path::new(CANARY)),
        ],
    );
    client.answer = answer.map(str::to_string);
    client.initialize(&clone.repo, json!({}));
    client
}

/// What `child` wrote on stdout up to the first line containing `needle`.
fn read_until(child: &mut std::process::Child, needle: &str) -> String {
    use std::io::BufRead;
    let stdout = child.stdout.as_mut().unwrap();
    let mut reader = std::io::BufReader::new(stdout);
    let mut seen = String::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap() == 0 {
            return seen;
        }
        seen.push_str(&line);
        if line.contains(needle) {
            return seen;
        }
    }
}
