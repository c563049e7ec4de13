//! Starting only what a script uses: a script that calls one server (filesystem), as a whole
//! `codemode run` process, with five real servers configured and their tool lists kept from
//! an earlier run (only the server the script names starts), against the same script with
//! that one server configured alone, measured in the same run; and with no list kept (a
//! first run: still only the named server starts). Every variant prints the same text,
//! checked.

use std::path::Path;
use std::process::Command;
use std::time::Instant;

use serde_json::{Value, json};

use crate::check::Spread;
use crate::peers::Peers;
use crate::report::{Table, ms, ratio};

/// Rounds of each variant, interleaved; the median is reported.
const ROUNDS: usize = 5;

pub fn measure(repo: &Path, codemode: &Path, peers: &Peers) -> String {
    let dir = std::env::temp_dir().join(format!("codemode-bench-start-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("files")).unwrap();
    let python = peers.python_path.display().to_string();
    let filesystem = json!({
        "command": "node",
        "args": [peers.npm_server("server-filesystem"), dir.join("files")]
    });
    let five = json!({
        "git": {
            "command": "python3",
            "args": ["-m", "mcp_server_git", "--repository", repo],
            "env": {"PYTHONPATH": python}
        },
        "filesystem": filesystem,
        "memory": {
            "command": "node",
            "args": [peers.npm_server("server-memory")],
            "env": {"MEMORY_FILE_PATH": dir.join("memory.jsonl")}
        },
        "time": {
            "command": "python3",
            "args": ["-m", "mcp_server_time", "--local-timezone", "Etc/UTC"],
            "env": {"PYTHONPATH": python}
        },
        "everything": {"command": "node", "args": [peers.npm_server("server-everything")]}
    });
    let write = |name: &str, servers: Value| {
        let path = dir.join(name);
        std::fs::write(&path, json!({ "mcpServers": servers }).to_string()).unwrap();
        path
    };
    let five = write("five.json", five);
    let alone = write("alone.json", json!({ "filesystem": filesystem }));
    let script = dir.join("one.ts");
    std::fs::write(
        &script,
        "const dirs = await filesystem.listAllowedDirectories({});\nconsole.log(dirs.content);\n",
    )
    .unwrap();

    // (config, cache folder, fresh: no kept lists)
    let run = |config: &Path, cache: &Path, cold: bool| -> (f64, String) {
        if cold {
            let _ = std::fs::remove_dir_all(cache);
        }
        let started = Instant::now();
        let output = Command::new(codemode)
            .args(["run", "--quiet", "--yes", "--config"])
            .arg(config)
            .arg(&script)
            .env("XDG_CACHE_HOME", cache)
            .env("CODEMODE_TYPESCRIPT", "embedded")
            .output()
            .expect("codemode runs");
        let elapsed = started.elapsed().as_secs_f64() * 1000.0;
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        (
            elapsed,
            String::from_utf8_lossy(&output.stdout).into_owned(),
        )
    };
    let (warm_cache, alone_cache, cold_cache) =
        (dir.join("warm"), dir.join("alone"), dir.join("cold"));
    // Warm the kept lists (and the disk) once.
    let (_, expected) = run(&five, &warm_cache, true);
    run(&alone, &alone_cache, true);
    let (mut warm, mut one, mut every) = (Vec::new(), Vec::new(), Vec::new());
    for round in 1..=ROUNDS {
        eprintln!("start, round {round}/{ROUNDS}…");
        for (figures, config, cache, cold) in [
            (&mut warm, &five, &warm_cache, false),
            (&mut one, &alone, &alone_cache, false),
            (&mut every, &five, &cold_cache, true),
        ] {
            let (elapsed, printed) = run(config, cache, cold);
            assert_eq!(printed, expected, "every variant prints the same");
            figures.push(elapsed);
        }
    }
    let (warm, one, every) = (Spread::of(warm), Spread::of(one), Spread::of(every));
    let mut table = Table::new(&[
        "`codemode run` of a one-call script",
        "time",
        "× the one server alone",
    ]);
    table.row(&[
        "five servers configured, tool lists kept (only filesystem starts)".into(),
        ms(warm),
        ratio(warm.median, one.median),
    ]);
    table.row(&[
        "filesystem configured alone".into(),
        ms(one),
        "1.00×".into(),
    ]);
    table.row(&[
        "five servers configured, no list kept (a first run; only filesystem starts)".into(),
        ms(every),
        ratio(every.median, one.median),
    ]);
    format!(
        "{}\nThe goal: five configured servers with their lists kept cost at most 1.2× the one \
         server alone (here {}). Embedded TypeScript; medians of {ROUNDS} interleaved rounds.\n",
        table.done(),
        ratio(warm.median, one.median)
    )
}
