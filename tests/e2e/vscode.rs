//! The VS Code extension, for real: its unit tests and type check (`npm test`, `npm run
//! check`), then the `.vsix` with the codemode binary inside, installed in VS Code itself
//! (code-server from npm) and driven in headless Chromium (Debian's package) by
//! playwright-core through `vscode.mjs`: a completion, a type error, ▶ Run with its results
//! inline, the MCP Servers view. Screenshots go to `target/tmp/vscode-e2e/screenshots/`.
//!
//! Without Chromium the browser test is skipped with the reason printed, unless
//! `CODEMODE_REQUIRE_BROWSER` is set (CI sets it, after installing Chromium).

use std::io::{BufRead, BufReader};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::support::{cached_install, deps, processes_mentioning, repo, run_install};

/// The extension's sources copied to `target/tmp/vscode-extension` with its npm
/// dependencies installed (again only when its lockfile changes).
fn extension_build() -> &'static Path {
    static BUILD: OnceLock<PathBuf> = OnceLock::new();
    BUILD.get_or_init(|| {
        let source = repo().join("vscode-extension");
        let dir = cached_install(
            "vscode-extension",
            &source,
            &["package.json", "package-lock.json"],
            "the VS Code extension's npm dependencies (esbuild, vsce, vscode-languageclient)",
            |dir| {
                run_install(
                    Command::new("npm")
                        .args(["ci", "--no-audit", "--no-fund", "--loglevel=error"])
                        .current_dir(dir),
                    "npm ci (vscode-extension)",
                )
            },
        );
        for entry in std::fs::read_dir(&dir).unwrap().flatten() {
            let name = entry.file_name();
            let keep = ["node_modules", ".lock", ".installed"];
            if !keep.iter().any(|k| name == *k) {
                let path = entry.path();
                if path.is_dir() {
                    std::fs::remove_dir_all(&path).unwrap();
                } else {
                    std::fs::remove_file(&path).unwrap();
                }
            }
        }
        copy_sources(&source, &dir);
        dir
    })
}

/// Copies the extension's files, leaving out what a build makes.
fn copy_sources(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).unwrap().flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if ["node_modules", "out", "bin"].contains(&name.as_ref()) || name.ends_with(".vsix") {
            continue;
        }
        let target = to.join(&*name);
        if entry.file_type().unwrap().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
            copy_sources(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

fn npm(dir: &Path, args: &[&str]) -> String {
    let output = Command::new("npm")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("npm runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(output.status.success(), "npm {args:?} failed:\n{text}");
    text
}

#[test]
fn vscode_extension_unit_tests_and_type_check() {
    let dir = extension_build();
    npm(dir, &["run", "check"]);
    let tests = npm(dir, &["test"]);
    let count = |what: &str| -> usize {
        tests
            .lines()
            .find_map(|line| line.strip_prefix(&format!("# {what} ")))
            .and_then(|n| n.trim().parse().ok())
            .unwrap_or_else(|| panic!("no `# {what}` line in the test output:\n{tests}"))
    };
    // Every test the extension's test files declare ran and passed.
    let declared: usize = std::fs::read_dir(repo().join("vscode-extension/test"))
        .unwrap()
        .flatten()
        .filter(|entry| entry.path().to_string_lossy().ends_with(".test.ts"))
        .map(|entry| {
            let text = std::fs::read_to_string(entry.path()).unwrap();
            text.lines().filter(|l| l.starts_with("test(")).count()
        })
        .sum();
    assert!(
        declared >= 10,
        "found {declared} tests in vscode-extension/test"
    );
    assert_eq!(count("pass"), declared, "{tests}");
    assert_eq!(count("fail"), 0, "{tests}");
    assert_eq!(count("skipped"), 0, "{tests}");
}

/// code-server, Node 24 and playwright-core, installed once into `target/tmp/vscode-deps`.
fn vscode_deps() -> PathBuf {
    let dir = cached_install(
        "vscode-deps",
        &repo().join("tests/deps/vscode"),
        &["package.json", "package-lock.json"],
        "code-server, Node 24 and playwright-core (npm; code-server builds native modules, a few minutes)",
        |dir| {
            run_install(
                Command::new("npm")
                    .args(["ci", "--no-audit", "--no-fund", "--loglevel=error"])
                    .env("FORCE_NODE_VERSION", "20")
                    .current_dir(dir),
                "npm ci (code-server)",
            )
        },
    );
    dir.join("node_modules")
}

/// A process group killed (TERM, then KILL) when dropped.
struct Group(Child);

impl Drop for Group {
    fn drop(&mut self) {
        let pid = self.0.id() as i32;
        // kill(1) on the whole group: the crate allows no `unsafe` for kill(2).
        let signal = |name: &str| {
            let _ = Command::new("kill")
                .args([&format!("-{name}"), "--", &format!("-{pid}")])
                .status();
        };
        signal("TERM");
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if matches!(self.0.try_wait(), Ok(Some(_))) {
                break;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        signal("KILL");
        let _ = self.0.wait();
    }
}

const SCRIPT: &str = r#"const graph = await memory.readGraph({});
console.log(`entities: ${graph.entities.length}`);
const note = { name: "vscode", entityType: "editor", observations: ["ran from the code lens"] };
await memory.createEntities({ entities: [note] });
export default graph.entities.length;
"#;

#[test]
fn vscode_extension_in_a_real_vscode() {
    let chromium = std::env::var_os("CHROMIUM")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"));
    if !chromium.exists() {
        let reason = format!(
            "{} not found (install Debian's chromium package, or set CHROMIUM)",
            chromium.display()
        );
        assert!(
            std::env::var_os("CODEMODE_REQUIRE_BROWSER").is_none(),
            "CODEMODE_REQUIRE_BROWSER is set but {reason}"
        );
        eprintln!("SKIPPED vscode_extension_in_a_real_vscode: {reason}");
        return;
    }
    let deps = deps();
    let vscode = vscode_deps();
    let build = extension_build();
    let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join("vscode-e2e");
    let _ = std::fs::remove_dir_all(&out);
    let screenshots = out.join("screenshots");
    std::fs::create_dir_all(&screenshots).unwrap();

    // The platform build of the extension, with this codemode binary inside.
    let bin = build.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    std::fs::copy(env!("CARGO_BIN_EXE_codemode"), bin.join("codemode")).unwrap();
    let vsix = out.join("codemode-linux-x64.vsix");
    npm(
        build,
        &[
            "exec",
            "--",
            "vsce",
            "package",
            "--no-dependencies",
            "--allow-missing-repository",
            "--target",
            "linux-x64",
            "--out",
            vsix.to_str().unwrap(),
        ],
    );

    // A workspace whose configuration names a real MCP server.
    let workspace = tempfile::Builder::new()
        .prefix("codemode-vscode-")
        .tempdir()
        .unwrap();
    let folder = workspace.path();
    let memory_file = folder.join("memory.jsonl");
    let config = json!({
        "mcpServers": {
            "memory": {
                "command": "node",
                "args": [deps.npm_server("server-memory")],
                "env": { "MEMORY_FILE_PATH": memory_file },
            }
        }
    });
    std::fs::write(
        folder.join("codemode.json"),
        serde_json::to_string_pretty(&config).unwrap(),
    )
    .unwrap();
    // The person trusts the project's configuration (in the state folder the codemode that
    // VS Code starts reads).
    crate::support::trust_in(&out.join("state"), &folder.join("codemode.json"));
    std::fs::write(folder.join("notes.mcp.ts"), SCRIPT).unwrap();
    let original = out.join("original.ts");
    std::fs::write(&original, SCRIPT).unwrap();

    // VS Code's own state, fresh each run: no restored editors, no auto-save, no tips.
    let user_data = out.join("user-data");
    let extensions = out.join("extensions");
    std::fs::create_dir_all(user_data.join("User")).unwrap();
    let settings = json!({
        "workbench.startupEditor": "none",
        "workbench.tips.enabled": false,
        "workbench.enableExperiments": false,
        "workbench.secondarySideBar.defaultVisibility": "hidden",
        "telemetry.telemetryLevel": "off",
        "extensions.autoCheckUpdates": false,
        "extensions.autoUpdate": false,
        "update.mode": "none",
        "security.workspace.trust.enabled": false,
        "chat.disableAIFeatures": true,
        "files.autoSave": "off",
        "files.hotExit": "off",
        "git.enabled": false,
        "editor.codeLens": true,
    });
    std::fs::write(
        user_data.join("User/settings.json"),
        serde_json::to_string_pretty(&settings).unwrap(),
    )
    .unwrap();
    let node24 = vscode.join("node/bin/node");
    let entry = vscode.join("code-server/out/node/entry.js");
    let code_server = |args: &[&str]| {
        let mut command = Command::new(&node24);
        command
            .arg(&entry)
            .args(args)
            .arg("--extensions-dir")
            .arg(&extensions)
            .arg("--user-data-dir")
            .arg(&user_data)
            .env("XDG_CONFIG_HOME", out.join("config"))
            .env("XDG_DATA_HOME", out.join("data"))
            .env("XDG_STATE_HOME", out.join("state"));
        command
    };
    let installed = code_server(&["--install-extension", vsix.to_str().unwrap()])
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&installed.stdout).to_string();
    assert!(
        installed.status.success() && said.contains("successfully installed"),
        "installing the .vsix failed:\n{said}{}",
        String::from_utf8_lossy(&installed.stderr)
    );

    let mut child = code_server(&[
        "--bind-addr",
        "127.0.0.1:0",
        "--auth",
        "none",
        "--disable-telemetry",
        "--disable-update-check",
        "--disable-workspace-trust",
        "--disable-getting-started-override",
    ])
    .arg(folder)
    .stdout(Stdio::piped())
    .stderr(Stdio::null())
    .process_group(0)
    .spawn()
    .unwrap();
    let stdout = child.stdout.take().unwrap();
    let server = Group(child);
    let (address, listened) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if let Some(at) = line.split("HTTP server listening on ").nth(1) {
                let _ = address.send(at.trim().trim_end_matches('/').to_string());
            }
        }
    });
    let url = listened
        .recv_timeout(Duration::from_secs(120))
        .expect("code-server said where it listens");

    let driven = Command::new("node")
        .arg(repo().join("tests/e2e/vscode.mjs"))
        .env("PLAYWRIGHT_CORE", vscode.join("playwright-core/index.mjs"))
        .env("CHROMIUM", &chromium)
        .env("CODEMODE_URL", &url)
        .env("CODEMODE_FOLDER", folder)
        .env("CODEMODE_SCRIPT", "notes.mcp.ts")
        .env("CODEMODE_ORIGINAL", &original)
        .env("CODEMODE_SCREENSHOTS", &screenshots)
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&driven.stdout).to_string();
    let complained = String::from_utf8_lossy(&driven.stderr).to_string();
    let logs = extension_host_logs(&user_data);
    assert!(
        driven.status.success(),
        "the browser session failed (screenshots in {}):\n{said}{complained}\nextension host log:\n{logs}",
        screenshots.display()
    );
    let seen: Value = serde_json::from_str(said.lines().last().unwrap_or("")).unwrap();
    eprintln!(
        "vscode: {} (screenshots in {})",
        seen["steps"],
        screenshots.display()
    );

    let text = |key: &str| seen[key].as_str().unwrap_or_default().to_string();
    let list = |key: &str| -> Vec<String> {
        seen[key]
            .as_array()
            .map(|items| {
                items
                    .iter()
                    .filter_map(|v| v.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    };
    // The status bar item counts the server and its tools.
    assert!(text("statusBar").contains("1/1 server · 9 tools"), "{seen}");
    // Completion after `memory.` lists the server's tools.
    let completion = list("completion");
    for tool in ["createEntities", "readGraph", "searchNodes"] {
        assert!(
            completion.iter().any(|c| c == tool),
            "{tool} in {completion:?}"
        );
    }
    // The misspelt tool is a TypeScript error from codemode, with the fix.
    let hover = text("hover");
    assert!(
        hover.contains("Property 'readGraf' does not exist")
            && hover.contains("Did you mean 'readGraph'?")
            && hover.contains("codemode(2551)"),
        "{hover}"
    );
    // Its quick fix, picked from the Ctrl+. menu, corrects the name in the editor.
    assert!(
        text("quickFix").contains("Change `readGraf` to `readGraph`"),
        "{seen}"
    );
    let fixed = list("quickFixed");
    assert!(
        fixed.len() == 1 && fixed[0].starts_with("memory.readGraph("),
        "{fixed:?}"
    );
    // ▶ Run: each line's calls and output after it; the lens sums it up.
    let decorations = list("decorations");
    assert!(
        decorations
            .iter()
            .any(|d| d.starts_with("→ memory.read_graph ") && d.ends_with(" ms")),
        "{decorations:?}"
    );
    assert!(
        decorations.iter().any(|d| d == "→ entities: 0"),
        "{decorations:?}"
    );
    assert!(
        decorations
            .iter()
            .any(|d| d.starts_with("→ memory.create_entities ")),
        "{decorations:?}"
    );
    assert!(
        list("lenses")
            .iter()
            .any(|l| l.contains("last run: ✓ 2 tool calls")),
        "{seen}"
    );
    // The run really called the server.
    let graph = std::fs::read_to_string(&memory_file).unwrap_or_default();
    assert!(graph.contains("ran from the code lens"), "{graph}");
    // The MCP Servers view, and the declaration a tool opens.
    assert!(
        text("server").starts_with("memory") && text("server").ends_with("9 tools"),
        "{seen}"
    );
    assert!(
        text("tool").starts_with("memory.createEntities")
            && text("tool").contains("Create multiple new entities"),
        "{seen}"
    );
    assert!(text("types").contains("function createEntities("), "{seen}");
    for name in [
        "01-script",
        "02-completion",
        "03-diagnostic",
        "04-run",
        "05-servers",
        "06-types",
    ] {
        assert!(
            screenshots.join(format!("{name}.png")).exists(),
            "{name}.png"
        );
    }

    // Closing VS Code stops the language server and the MCP server behind it.
    drop(server);
    let deadline = Instant::now() + Duration::from_secs(15);
    let mut left = processes_mentioning(&memory_file.display().to_string());
    while !left.is_empty() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(200));
        left = processes_mentioning(&memory_file.display().to_string());
    }
    assert!(left.is_empty(), "processes left behind: {left:?}");
}

/// The extension host's logs, for a failure message.
fn extension_host_logs(user_data: &Path) -> String {
    let mut text = String::new();
    let logs = user_data.join("logs");
    let mut stack = vec![logs];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.file_name().is_some_and(|n| {
                n.to_string_lossy().contains("exthost") || n.to_string_lossy().contains("codemode")
            }) {
                let body = std::fs::read_to_string(&path).unwrap_or_default();
                let tail: Vec<&str> = body.lines().rev().take(40).collect();
                text.push_str(&format!("--- {}\n", path.display()));
                for line in tail.into_iter().rev() {
                    text.push_str(line);
                    text.push('\n');
                }
            }
        }
    }
    text
}
