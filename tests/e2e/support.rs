//! What the end-to-end tests share: the real MCP servers and the TypeScript 7 oracle,
//! installed from npm and PyPI into a cache under `target/` the first time they are needed
//! (pinned by `tests/deps/`), a runner for the `codemode` binary, and workspaces with configs.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;

use serde_json::{Value, json};

/// The per-user state folder (`XDG_STATE_HOME`) of every codemode the tests start: where the
/// trust answers for the tests' project files are kept ([`trust`]), never the real user's.
pub fn state_home() -> &'static Path {
    static HOME: OnceLock<tempfile::TempDir> = OnceLock::new();
    HOME.get_or_init(|| tempfile::tempdir().unwrap()).path()
}

/// The cache folder (`XDG_CACHE_HOME`) of every codemode the tests start: the tool lists
/// they keep, shared by one run of the tests, never the real user's.
pub fn cache_home() -> &'static Path {
    static HOME: OnceLock<tempfile::TempDir> = OnceLock::new();
    HOME.get_or_init(|| tempfile::tempdir().unwrap()).path()
}

/// Trusts the project file `file` as it is now, as `codemode trust FILE` would, for every
/// codemode the tests start with [`state_home`].
pub fn trust(file: &Path) {
    trust_in(state_home(), file)
}

/// [`trust`], for a codemode started with `XDG_STATE_HOME=state_home`.
pub fn trust_in(state_home: &Path, file: &Path) {
    let key = file.canonicalize().unwrap();
    let text = std::fs::read(&key).unwrap();
    codemode::user::UserState::at(state_home.join("codemode"))
        .trust(&key, &codemode::config::sha256_hex(&text), vec![])
        .unwrap();
}

pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .canonicalize()
        .unwrap()
}

/// The `.ts` fixtures of `tests/scripts/FOLDER`, by name, sorted.
pub fn fixtures(folder: &str) -> Vec<String> {
    let dir = repo().join("tests/scripts").join(folder);
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.ends_with(".ts"))
        .collect();
    names.sort();
    names
}

/// Where the installed test dependencies live.
pub struct Deps {
    pub node_modules: PathBuf,
    pub python_path: PathBuf,
}

impl Deps {
    pub fn tsc(&self) -> PathBuf {
        self.node_modules.join(".bin/tsc")
    }

    /// TypeScript 7's binary itself (the platform package's, not the Node shim), as
    /// `CODEMODE_TYPESCRIPT` takes it.
    pub fn tsgo(&self) -> PathBuf {
        self.node_modules
            .join("@typescript")
            .join(codemode::check::choose::platform_package())
            .join("lib/tsc")
    }

    pub fn npm_server(&self, package: &str) -> String {
        self.node_modules
            .join("@modelcontextprotocol")
            .join(package)
            .join("dist/index.js")
            .display()
            .to_string()
    }
}

/// The installed dependencies; installs them (once, under a file lock) when missing or stale.
pub fn deps() -> &'static Deps {
    static DEPS: OnceLock<Deps> = OnceLock::new();
    DEPS.get_or_init(install)
}

fn install() -> Deps {
    let pinned = repo().join("tests/deps");
    let dir = cached_install(
        "test-deps",
        &pinned,
        &["package.json", "package-lock.json", "requirements.txt"],
        "the real MCP servers and tsc (npm, PyPI)",
        |dir| {
            run_install(
                Command::new("npm")
                    .args(["ci", "--no-audit", "--no-fund", "--loglevel=error"])
                    .current_dir(dir),
                "npm ci",
            );
            pip_install(&pinned.join("requirements.txt"), &dir.join("py"));
        },
    );
    Deps {
        node_modules: dir.join("node_modules"),
        python_path: dir.join("py"),
    }
}

/// `target/tmp/NAME`, installed by `install` (once, under a file lock) from the pinned
/// `files` of `pinned`, which are copied there first; installed again when they change.
pub fn cached_install(
    name: &str,
    pinned: &Path,
    files: &[&str],
    what: &str,
    install: impl FnOnce(&Path),
) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    std::fs::create_dir_all(&dir).unwrap();
    let lock = File::create(dir.join(".lock")).unwrap();
    lock.lock().unwrap();
    let wanted: String = files
        .iter()
        .map(|name| std::fs::read_to_string(pinned.join(name)).unwrap())
        .collect();
    let stamp = dir.join(".installed");
    if std::fs::read_to_string(&stamp).ok().as_deref() == Some(wanted.as_str()) {
        return dir;
    }
    eprintln!("installing {what} into {}", dir.display());
    for name in files.iter().filter(|name| name.starts_with("package")) {
        std::fs::copy(pinned.join(name), dir.join(name)).unwrap();
    }
    install(&dir);
    std::fs::write(&stamp, wanted).unwrap();
    dir
}

/// `pip install -r requirements --target target`, into an empty `target`.
pub fn pip_install(requirements: &Path, target: &Path) {
    let _ = std::fs::remove_dir_all(target);
    run_install(
        Command::new("python3")
            .args([
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
                "--target",
            ])
            .arg(target)
            .arg("-r")
            .arg(requirements),
        &format!("pip install -r {}", requirements.display()),
    );
}

pub fn run_install(command: &mut Command, what: &str) {
    let output = command
        .output()
        .unwrap_or_else(|e| panic!("{what}: cannot run: {e}"));
    assert!(
        output.status.success(),
        "{what} failed (the test dependencies come from the npm registry and PyPI):\n{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// A scratch directory holding a configuration file and whatever its servers need.
pub struct Workspace {
    pub dir: tempfile::TempDir,
}

impl Workspace {
    pub fn new() -> Workspace {
        Workspace {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Writes `codemode.json` with these `mcpServers`.
    pub fn config(&self, servers: Value) -> PathBuf {
        let path = self.path().join("codemode.json");
        std::fs::write(
            &path,
            serde_json::to_string_pretty(&json!({ "mcpServers": servers })).unwrap(),
        )
        .unwrap();
        trust(&path);
        path
    }

    pub fn write(&self, name: &str, text: &str) -> PathBuf {
        let path = self.path().join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).unwrap();
        }
        std::fs::write(&path, text).unwrap();
        // A project configuration the test writes is one its person trusts.
        if codemode::config::DISCOVERED_FILES
            .iter()
            .any(|name| path.ends_with(name))
        {
            trust(&path);
        }
        path
    }

    /// Runs `codemode ARGS` in this workspace.
    pub fn codemode(&self, args: &[&str]) -> Run {
        codemode_in(self.path(), args)
    }
}

/// Resident memory of process `pid`, in MiB.
pub fn resident_mb(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let line = status.lines().find(|l| l.starts_with("VmRSS:")).unwrap();
    line.split_whitespace()
        .nth(1)
        .unwrap()
        .parse::<u64>()
        .unwrap()
        / 1024
}

/// The five real servers of the issue, configured against files in `workspace`.
pub fn real_servers(workspace: &Workspace) -> Value {
    let deps = deps();
    let files = workspace.path().join("files");
    std::fs::create_dir_all(&files).unwrap();
    std::fs::write(files.join("hello.txt"), "hello from a real file\n").unwrap();
    let repo = workspace.path().join("repo");
    std::fs::create_dir_all(&repo).unwrap();
    git(&repo, &["init", "-q", "-b", "main"]);
    std::fs::write(repo.join("README.md"), "# test repo\n").unwrap();
    git(&repo, &["add", "README.md"]);
    git(
        &repo,
        &[
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@t",
            "commit",
            "-q",
            "-m",
            "first",
        ],
    );
    let python = deps.python_path.display().to_string();
    json!({
        "memory": {
            "command": "node",
            "args": [deps.npm_server("server-memory")],
            "env": {"MEMORY_FILE_PATH": workspace.path().join("memory.jsonl")}
        },
        "filesystem": {
            "command": "node",
            "args": [deps.npm_server("server-filesystem"), files]
        },
        "everything": {"command": "node", "args": [deps.npm_server("server-everything")]},
        "time": {
            "command": "python3",
            "args": ["-m", "mcp_server_time", "--local-timezone", "Etc/UTC"],
            "env": {"PYTHONPATH": python}
        },
        "git": {
            "command": "python3",
            "args": ["-m", "mcp_server_git", "--repository", repo],
            "env": {"PYTHONPATH": python}
        }
    })
}

fn git(dir: &Path, args: &[&str]) {
    let status = Command::new("git")
        .args(args)
        .current_dir(dir)
        .status()
        .unwrap();
    assert!(status.success(), "git {args:?}");
}

/// The rogue fixture server in `mode`.
pub fn rogue(mode: &str) -> Value {
    json!({
        "command": "python3",
        "args": [repo().join("tests/fixtures/rogue_server.py"), "--mode", mode]
    })
}

/// `codemode serve --http 0` in `dir` (with `env` added), and the URL it says it serves
/// at; the rest of its stderr is read and dropped.
pub fn serve_http(dir: &Path, env: &[(&str, &Path)]) -> (std::process::Child, String) {
    use std::io::{BufRead, BufReader};
    let mut serve = Command::new(env!("CARGO_BIN_EXE_codemode"))
        .args(["serve", "--http", "0"])
        .env("XDG_STATE_HOME", state_home())
        .envs(env.iter().copied())
        .current_dir(dir)
        .env("CODEMODE_NO_USER_CONFIGS", "1")
        .env_remove("CODEMODE_CONFIG")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(serve.stderr.take().unwrap()).lines();
    let url = loop {
        let line = lines.next().expect("serve said nothing").unwrap();
        if let Some(at) = line.find("http://") {
            break line[at..].trim().to_string();
        }
    };
    std::thread::spawn(move || for _ in lines {});
    (serve, url)
}

/// The server entry of the fixture whose tools ask the person (`asking_server.py`).
pub fn asking() -> Value {
    json!({
        "command": "python3",
        "args": [repo().join("tests/fixtures/asking_server.py")],
        "env": {"PYTHONPATH": deps().python_path}
    })
}

/// What a run of the binary did.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "stdout is not JSON ({e}):\n{}\nstderr:\n{}",
                self.stdout, self.stderr
            )
        })
    }
}

/// Runs `codemode ARGS` in `dir` on the embedded TypeScript (whatever TypeScript 7 the
/// machine has), so tests that compare with TypeScript 6 answer the same everywhere.
pub fn codemode_in(dir: &Path, args: &[&str]) -> Run {
    codemode_in_env(dir, args, &[("CODEMODE_TYPESCRIPT", "embedded")])
}

/// Runs `codemode ARGS` in `dir` with these environment variables.
pub fn codemode_in_env(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Run {
    let output: Output = Command::new(env!("CARGO_BIN_EXE_codemode"))
        .env("CODEMODE_NO_USER_CONFIGS", "1")
        .env("XDG_STATE_HOME", state_home())
        .env("XDG_CACHE_HOME", cache_home())
        .envs(env.iter().copied())
        .args(args)
        .current_dir(dir)
        .env_remove("CODEMODE_CONFIG")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// One diagnostic of the TypeScript oracle.
#[derive(Debug, Clone, PartialEq)]
pub struct TscDiagnostic {
    pub file: String,
    pub line: u32,
    pub column: u32,
    pub code: String,
    pub message: String,
}

/// Type-checks `files` with TypeScript 7 (`tsc`), as scripts are checked: strict, ES2023
/// library only, no DOM or Node types, every file a module.
pub fn tsc(dir: &Path, files: &[&str]) -> Vec<TscDiagnostic> {
    let mut command = Command::new(deps().tsc());
    command.args(["--types", ""]);
    oracle(command, dir, files)
}

/// The same with TypeScript 6.0.3 on Node: the compiler codemode embeds, run the usual way
/// (its `types` default is already none).
pub fn tsc6(dir: &Path, files: &[&str]) -> Vec<TscDiagnostic> {
    let mut command = Command::new("node");
    command.arg(deps().node_modules.join("typescript6/lib/tsc.js"));
    oracle(command, dir, files)
}

fn oracle(mut command: Command, dir: &Path, files: &[&str]) -> Vec<TscDiagnostic> {
    let (lib, text) = codemode::check::LIB;
    std::fs::write(dir.join(lib), text).unwrap();
    let output = command
        .args(["--noEmit", "--pretty", "false"])
        .args(codemode::check::TSC_FLAGS)
        .arg(lib)
        .args(files)
        .current_dir(dir)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&output.stdout);
    let mut diagnostics: Vec<TscDiagnostic> = Vec::new();
    for line in text.lines() {
        // file(line,col): error TS1234: message
        let parsed = line.split_once("): error ").and_then(|(location, rest)| {
            let (file, position) = location.rsplit_once('(')?;
            let line = position.split(',').next()?.parse().ok()?;
            let (code, message) = rest.split_once(": ")?;
            let column = position.split(',').nth(1)?.parse().ok()?;
            Some(TscDiagnostic {
                file: file.to_string(),
                line,
                column,
                code: code.to_string(),
                message: message.to_string(),
            })
        });
        match (parsed, diagnostics.last_mut()) {
            (Some(diagnostic), _) => diagnostics.push(diagnostic),
            // Continuation lines of a multi-line message.
            (None, Some(last)) => {
                last.message.push('\n');
                last.message.push_str(line.trim());
            }
            (None, None) => panic!("unexpected tsc output: {text}"),
        }
    }
    diagnostics
}

/// Processes whose environment or command line mentions `text`.
pub fn processes_mentioning(text: &str) -> Vec<u32> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let mentions = ["environ", "cmdline"].iter().any(|part| {
            std::fs::read(entry.path().join(part))
                .is_ok_and(|bytes| String::from_utf8_lossy(&bytes).contains(text))
        });
        if mentions && pid != std::process::id() {
            found.push(pid);
        }
    }
    found
}
