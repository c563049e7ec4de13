//! The checker's figures: cold one-shot `codemode check` and warm re-check of a 50-line script
//! (`bench/scripts/check50.ts`) against a 100-tool API (real servers' `tools/list` answers from
//! `tests/corpus/schemas/`), side by side with `tsc` 6.0.3 on Node and TypeScript 7's native
//! `tsc` on the same two files. codemode is measured on both its engines: the embedded
//! TypeScript 6 and TypeScript 7 (native, `CODEMODE_TYPESCRIPT` set to the same `tsc` the
//! peer column runs). Warm: codemode's in-process `Checker` on each engine and TypeScript 6's
//! language service on Node (`bench/node/check6.mjs`) re-check after a one-line edit each.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use codemode::catalog::{ServerTools, ToolList};
use codemode::check::choose::{Choice, Origin};
use codemode::check::{Checker, Script};
use codemode::codegen;

const TOOLS: usize = 100;
pub const COLD_ROUNDS: usize = 5;
pub const EDITS: usize = 20;
/// Between edits, as between keystrokes; both checkers may use it (codemode collects garbage then).
pub const PAUSE: Duration = Duration::from_millis(200);

/// Medians and 95th percentiles, in milliseconds.
pub struct CheckFigures {
    /// codemode on the embedded TypeScript 6.
    pub cold: Spread,
    /// codemode on TypeScript 7 (native).
    pub cold_native: Spread,
    pub warm_native: Spread,
    pub cold_tsc6: Spread,
    pub cold_tsc7: Spread,
    pub warm: Spread,
    pub warm_tsc6: Spread,
    pub tools: usize,
    pub lines: usize,
}

#[derive(Clone, Copy)]
pub struct Spread {
    pub median: f64,
    pub p95: f64,
}

impl Spread {
    pub fn of(mut values: Vec<f64>) -> Spread {
        values.sort_by(f64::total_cmp);
        let at = |q: f64| values[((values.len() - 1) as f64 * q).round() as usize];
        Spread {
            median: at(0.5),
            p95: at(0.95),
        }
    }
}

pub fn measure(repo: &Path, codemode: &Path, node_dir: &Path) -> CheckFigures {
    let dir = std::env::temp_dir().join(format!("codemode-bench-check-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (api, tools) = api_of(repo, TOOLS);
    let script = std::fs::read_to_string(repo.join("bench/scripts/check50.ts")).unwrap();
    std::fs::write(dir.join("api.d.ts"), &api).unwrap();
    std::fs::write(dir.join("script.ts"), &script).unwrap();
    let tsc6 = node_dir.join("node_modules/typescript6/lib/tsc.js");
    let tsc7 = tsgo(node_dir);

    let (lib, lib_text) = codemode::check::LIB;
    std::fs::write(dir.join(lib), lib_text).unwrap();
    let mut flags = vec!["--noEmit", "--skipLibCheck"];
    flags.extend(codemode::check::TSC_FLAGS);
    flags.extend([lib, "api.d.ts", "script.ts"]);
    let (mut ours, mut native, mut six, mut seven) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for round in 1..=COLD_ROUNDS {
        eprintln!("check, cold round {round}/{COLD_ROUNDS}…");
        let mut command = Command::new(codemode);
        command.args(["check", "--quiet", "--api", "api.d.ts", "script.ts"]);
        command.env("CODEMODE_TYPESCRIPT", "embedded");
        ours.push(timed(command, &dir));
        let mut command = Command::new(codemode);
        command.args(["check", "--quiet", "--api", "api.d.ts", "script.ts"]);
        command.env("CODEMODE_TYPESCRIPT", &tsc7);
        native.push(timed(command, &dir));
        let mut command = Command::new("node");
        command.arg(&tsc6).args(&flags);
        six.push(timed(command, &dir));
        let mut command = Command::new(&tsc7);
        command.args(&flags);
        seven.push(timed(command, &dir));
    }

    eprintln!("check, warm: {EDITS} edits…");
    let api_only = api_without_prelude(&api);
    let warm = warm_codemode(Checker::embedded(), &api_only, &script);
    let warm_native = warm_codemode(
        Checker::with_choice(Choice::Native {
            binary: tsc7.clone(),
            version: "7".into(),
            origin: Origin::Setting,
        }),
        &api_only,
        &script,
    );
    let warm_tsc6 =
        tsc6_language_service(node_dir, &dir.join("api.d.ts"), &dir.join("script.ts")).recheck_ms;
    let _ = std::fs::remove_dir_all(&dir);
    CheckFigures {
        cold: Spread::of(ours),
        cold_native: Spread::of(native),
        warm_native: Spread::of(warm_native),
        cold_tsc6: Spread::of(six),
        cold_tsc7: Spread::of(seven),
        warm: Spread::of(warm),
        warm_tsc6: Spread::of(warm_tsc6),
        tools,
        lines: script.lines().count(),
    }
}

/// What TypeScript 6's language service on Node (`bench/node/check6.mjs`) measured.
pub struct Tsc6Warm {
    /// Re-checks after a one-line edit each.
    pub recheck_ms: Vec<f64>,
    /// Completions after typing `memory.` on a new last line.
    pub completion_ms: Vec<f64>,
}

/// Runs `check6.mjs` over `api` and `script`: [`EDITS`] edits and completions, [`PAUSE`] apart.
pub fn tsc6_language_service(node_dir: &Path, api: &Path, script: &Path) -> Tsc6Warm {
    let stdout = crate::stdout_of(
        Command::new("node")
            .arg(node_dir.join("check6.mjs"))
            .arg(api)
            .arg(script)
            .arg(EDITS.to_string())
            .arg(PAUSE.as_millis().to_string()),
    );
    let answer: serde_json::Value = serde_json::from_slice(&stdout).unwrap();
    let figures = |key: &str| -> Vec<f64> {
        answer[key]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_f64().unwrap())
            .collect()
    };
    Tsc6Warm {
        recheck_ms: figures("recheckMs"),
        completion_ms: figures("completionMs"),
    }
}

/// Runs `command` in `dir`, which must find no error; its wall time in milliseconds.
fn timed(mut command: Command, dir: &Path) -> f64 {
    let started = Instant::now();
    let output = command.current_dir(dir).output().expect("the checker runs");
    let ms = started.elapsed().as_secs_f64() * 1000.0;
    assert!(
        output.status.success(),
        "{command:?} found errors in the benchmark script:\n{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    ms
}

/// TypeScript 7's `tsc` binary, installed with the peers.
pub fn tsgo(node_dir: &Path) -> PathBuf {
    node_dir.join("node_modules/@typescript/typescript-linux-x64/lib/tsc")
}

/// Re-check times of one of codemode's checkers, after a one-line edit each.
fn warm_codemode(checker: Checker, api: &str, script: &str) -> Vec<f64> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let check = |text: String| {
        let scripts = [Script {
            file: "script.ts".into(),
            text,
        }];
        let started = Instant::now();
        let diagnostics = runtime
            .block_on(checker.check(api, &scripts, Duration::from_secs(120)))
            .unwrap();
        assert!(diagnostics.is_empty(), "{diagnostics:#?}");
        started.elapsed().as_secs_f64() * 1000.0
    };
    check(script.to_string());
    (0..EDITS)
        .map(|i| {
            std::thread::sleep(PAUSE);
            check(script.replace(
                "seen by the nightly job",
                &format!("seen by the nightly job {i}"),
            ))
        })
        .collect()
}

/// The declarations of [`corpus_servers`], and how many tools they declare.
fn api_of(repo: &Path, limit: usize) -> (String, usize) {
    let (servers, count) = corpus_servers(repo, limit);
    (codegen::generate(&servers).declarations(), count)
}

/// The first `limit` tools of the corpus's real servers, taken again under new server names
/// until there are `limit`; and how many tools that is.
pub fn corpus_servers(repo: &Path, limit: usize) -> (Vec<ServerTools>, usize) {
    let corpus = repo.join("tests/corpus/schemas");
    let mut lists = Vec::new();
    for name in ["memory", "filesystem", "everything", "time", "git", "demo"] {
        let path: PathBuf = corpus.join(format!("{name}.json"));
        let list: ToolList = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        lists.push((name, list.tools));
    }
    let mut servers = Vec::new();
    let mut count = 0;
    'fill: for copy in 1.. {
        for (name, tools) in &lists {
            let take = tools.len().min(limit - count);
            servers.push(ServerTools {
                server: if copy == 1 {
                    name.to_string()
                } else {
                    format!("{name}{copy}")
                },
                tools: tools[..take].to_vec(),
                ..Default::default()
            });
            count += take;
            if count == limit {
                break 'fill;
            }
        }
    }
    (servers, count)
}

fn api_without_prelude(declarations: &str) -> String {
    declarations
        .strip_prefix(codegen::PRELUDE)
        .unwrap_or(declarations)
        .to_string()
}
