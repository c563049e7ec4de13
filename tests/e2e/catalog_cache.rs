//! The catalog cache: `check` and `types` with every server's tool list kept from the last
//! time start no server and say the same as with `--fresh`; the kept lists hold no secret,
//! are the user's only, and a damaged one is listed again.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::json;

use crate::support::{Run, Workspace, repo, trust};

const CANARY: &str = "canary-catalog-5e1d";

/// A workspace whose one server records each start in `started`.
struct Counted {
    workspace: Workspace,
    cache: PathBuf,
}

impl Counted {
    fn new() -> Counted {
        let workspace = Workspace::new();
        let marker = workspace.path().join("started");
        let config = workspace.write(
            "codemode.json",
            &json!({"mcpServers": {"rogue": {
                "command": "sh",
                "args": ["-c", "echo started >> \"$0\"; exec python3 \"$1\" --mode normal",
                         marker, repo().join("tests/fixtures/rogue_server.py")],
                "env": {"ROGUE_SECRET": CANARY},
            }}})
            .to_string(),
        );
        trust(&config);
        workspace.write(
            "s.ts",
            "const r = await rogue.echo({ text: 1 });\nexport default r;\n",
        );
        let cache = workspace.path().join("cache");
        Counted { workspace, cache }
    }

    fn starts(&self) -> usize {
        std::fs::read_to_string(self.workspace.path().join("started"))
            .unwrap_or_default()
            .lines()
            .count()
    }

    fn codemode(&self, args: &[&str]) -> Run {
        let output = Command::new(env!("CARGO_BIN_EXE_codemode"))
            .args(args)
            .current_dir(self.workspace.path())
            .env("CODEMODE_NO_USER_CONFIGS", "1")
            .env("XDG_STATE_HOME", crate::support::state_home())
            .env("XDG_CACHE_HOME", &self.cache)
            .env("CODEMODE_TYPESCRIPT", "embedded")
            .env_remove("CODEMODE_CONFIG")
            .output()
            .unwrap();
        Run {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }
}

/// The summary line, with its milliseconds left out.
fn summary(run: &Run) -> String {
    let last = run.stderr.lines().last().unwrap_or_default();
    last.split(", ").next().unwrap_or_default().to_string()
}

fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        if entry.file_type().unwrap().is_dir() {
            out.extend(files(&entry.path()));
        } else {
            out.push(entry.path());
        }
    }
    out
}

#[test]
fn check_and_types_with_a_warm_cache_start_no_server_and_say_the_same() {
    let counted = Counted::new();
    // Cold: the server is started, and its list kept.
    let cold = counted.codemode(&["check", "s.ts"]);
    assert_eq!(cold.code, 1, "{}", cold.stderr);
    assert!(cold.stdout.contains("TS2322"), "{}", cold.stdout);
    assert_eq!(counted.starts(), 1);
    // Warm: nothing is started, the same diagnostics and summary.
    let warm = counted.codemode(&["check", "s.ts"]);
    assert_eq!(
        counted.starts(),
        1,
        "check started a server: {}",
        warm.stderr
    );
    assert_eq!((warm.code, &warm.stdout), (cold.code, &cold.stdout));
    assert_eq!(summary(&warm), summary(&cold));
    assert!(!warm.stderr.contains("starting"), "{}", warm.stderr);
    let warm_json = counted.codemode(&["check", "--json", "s.ts"]);
    assert_eq!(counted.starts(), 1);
    // `--fresh` starts it and says the same.
    let fresh = counted.codemode(&["check", "--fresh", "s.ts"]);
    assert_eq!(counted.starts(), 2);
    assert_eq!((fresh.code, &fresh.stdout), (warm.code, &warm.stdout));
    let fresh_json = counted.codemode(&["check", "--json", "--fresh", "s.ts"]);
    assert_eq!(
        fresh_json.json()["diagnostics"],
        warm_json.json()["diagnostics"]
    );
    assert_eq!(counted.starts(), 3);
    let types = counted.codemode(&["types"]);
    assert_eq!(counted.starts(), 3, "types started a server");
    let fresh_types = counted.codemode(&["types", "--fresh"]);
    assert_eq!(counted.starts(), 4);
    assert_eq!(types.stdout, fresh_types.stdout);
    assert!(types.stdout.contains("function echo"), "{}", types.stdout);

    // What is kept: the user's only, and no value the server was given.
    let kept = files(&counted.cache);
    assert!(kept.len() >= 2, "{kept:?}");
    for file in &kept {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(file).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{}", file.display());
        let text = std::fs::read(file).unwrap();
        assert!(
            !String::from_utf8_lossy(&text).contains(CANARY),
            "{} holds the server's secret",
            file.display()
        );
    }
    // A damaged list is listed again (the server started), never an error.
    for file in &kept {
        if file.extension().is_some_and(|e| e == "json") {
            std::fs::write(file, "{ damaged").unwrap();
        }
    }
    let again = counted.codemode(&["check", "s.ts"]);
    assert_eq!((again.code, &again.stdout), (cold.code, &cold.stdout));
    assert_eq!(counted.starts(), 5);
    let warm_again = counted.codemode(&["check", "s.ts"]);
    assert_eq!(warm_again.stdout, cold.stdout);
    assert_eq!(counted.starts(), 5);

    // `catalogMaxAge: 0`: kept lists are never used.
    let path = counted.workspace.path().join("codemode.json");
    let mut config: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    config["codemode"] = json!({"catalogMaxAge": 0});
    std::fs::write(&path, config.to_string()).unwrap();
    trust(&path);
    let uncached = counted.codemode(&["check", "s.ts"]);
    assert_eq!(uncached.stdout, cold.stdout);
    assert_eq!(counted.starts(), 6);
}
