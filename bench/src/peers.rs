//! The peers, installed from the registries by the benchmark itself: `npm ci` in
//! `bench/node` (the official MCP SDK, @utcp/code-mode with isolated-vm and Node 24, the
//! TypeScript checkers, the npm MCP servers, the tokenizer) and `pip install` of the Python
//! MCP servers the tests pin (`tests/deps/requirements.txt`) into `target/bench/py`. Both are
//! skipped when what they installed last time is still what is pinned.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::report::Outcome;

pub struct Peers {
    /// `bench/node`: the Node peers' scripts and their `node_modules`.
    pub node_dir: PathBuf,
    /// `PYTHONPATH` of mcp-server-time and mcp-server-git.
    pub python_path: PathBuf,
    /// Node 24 (from npm), when isolated-vm loads in it: @utcp/code-mode's runtime.
    pub utcp_node: Outcome<PathBuf>,
}

impl Peers {
    pub fn install(repo: &Path) -> Peers {
        let node_dir = repo.join("bench/node");
        let lock = std::fs::read_to_string(node_dir.join("package-lock.json")).unwrap();
        let stamp = node_dir.join("node_modules/.codemode-bench-installed");
        if std::fs::read_to_string(&stamp).ok().as_deref() != Some(lock.as_str()) {
            eprintln!("installing the Node peers (npm ci in bench/node, about a minute)…");
            run(
                Command::new("npm")
                    .args(["ci", "--no-audit", "--no-fund", "--loglevel=error"])
                    .current_dir(&node_dir),
                "npm ci in bench/node",
            );
            std::fs::write(&stamp, &lock).unwrap();
        }

        let requirements = repo.join("tests/deps/requirements.txt");
        let pinned = std::fs::read_to_string(&requirements).unwrap();
        let python_path = repo.join("target/bench/py");
        let stamp = repo.join("target/bench/py.installed");
        if std::fs::read_to_string(&stamp).ok().as_deref() != Some(pinned.as_str()) {
            eprintln!("installing mcp-server-time and mcp-server-git (pip, into target/bench/py)…");
            let _ = std::fs::remove_dir_all(&python_path);
            run(
                Command::new("python3")
                    .args([
                        "-m",
                        "pip",
                        "install",
                        "--quiet",
                        "--disable-pip-version-check",
                    ])
                    .arg("--target")
                    .arg(&python_path)
                    .arg("-r")
                    .arg(&requirements),
                "pip install -r tests/deps/requirements.txt",
            );
            std::fs::write(&stamp, &pinned).unwrap();
        }

        let utcp_node = utcp_runtime(&node_dir);
        Peers {
            node_dir,
            python_path,
            utcp_node,
        }
    }

    /// `node bench/node/SCRIPT` (the machine's Node).
    pub fn node(&self, script: &str) -> Command {
        let mut command = Command::new("node");
        command.arg(self.node_dir.join(script));
        command
    }

    /// `node24 bench/node/SCRIPT`, for the @utcp/code-mode peer.
    pub fn utcp(&self, script: &str) -> Outcome<Command> {
        let node = self.utcp_node.as_ref().map_err(Clone::clone)?;
        let mut command = Command::new(node);
        command.arg(self.node_dir.join(script));
        Ok(command)
    }

    /// The entry point of an npm MCP server, `@modelcontextprotocol/NAME`.
    pub fn npm_server(&self, name: &str) -> PathBuf {
        self.node_dir
            .join("node_modules/@modelcontextprotocol")
            .join(name)
            .join("dist/index.js")
    }
}

/// Node 24 from npm, if isolated-vm (a native module, prebuilt for some Node versions and
/// platforms) loads in it; otherwise why not.
fn utcp_runtime(node_dir: &Path) -> Outcome<PathBuf> {
    let node = node_dir.join("node_modules/.bin/node");
    let output = Command::new(&node)
        .args([
            "--input-type=module",
            "-e",
            "import ivm from 'isolated-vm'; new ivm.Isolate().dispose();",
        ])
        .current_dir(node_dir)
        .output()
        .map_err(|e| format!("Node 24 from npm does not start ({e})"))?;
    if output.status.success() {
        Ok(node)
    } else {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let first = stderr.lines().find(|l| l.contains("Error")).unwrap_or("");
        Err(format!("isolated-vm does not load here ({first})"))
    }
}

/// Runs an installer, which must succeed; its output is the panic otherwise.
fn run(command: &mut Command, what: &str) {
    let output = command
        .output()
        .unwrap_or_else(|e| panic!("{what}: cannot run: {e}"));
    assert!(
        output.status.success(),
        "{what} failed (the peers come from the npm registry and PyPI):\n{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}
