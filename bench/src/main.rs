//! `cargo run --release -p codemode-bench [sandbox|check|lsp]`: codemode's figures side by side
//! with peers measured in the same run. Sandbox: the same workloads written directly against
//! the official TypeScript MCP SDK on Node (`bench/node/peer.mjs`), against the same zero-work
//! server (`zero-server`). Check: `codemode check` against `tsc` 6 on Node and TypeScript 7's
//! native `tsc` (`check.rs`). Language server: `codemode lsp`'s diagnostics and completion
//! after an edit against TypeScript 6's language service (`lsp.rs`). Rounds are interleaved;
//! the tables show medians, p95 and ratios.
//! Not a test: it prints figures and asserts only that every checker finds the script clean.

// The table on stdout is this program's output.
#![allow(clippy::print_stdout)]

mod check;
mod lsp;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use codemode::codegen;
use codemode::config::{Config, Settings};
use codemode::host::Host;
use codemode::runtime::{self, RunOptions};

const ROUNDS: usize = 3;
const STARTS: usize = 200;
const SEQUENTIAL: usize = 2_000;
const FANOUT: usize = 20_000;

fn main() {
    let which = std::env::args().nth(1).unwrap_or_default();
    if !["", "sandbox", "check", "lsp"].contains(&which.as_str()) {
        eprintln!("usage: codemode-bench [sandbox|check|lsp]   (default: all three)");
        std::process::exit(2);
    }
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let node_dir = repo.join("bench/node");
    eprintln!("installing the Node peers (npm ci in bench/node)…");
    let status = Command::new("npm")
        .args(["ci", "--no-audit", "--no-fund", "--loglevel=error"])
        .current_dir(&node_dir)
        .status()
        .expect("npm runs");
    assert!(status.success(), "npm ci failed in bench/node");
    if which.is_empty() || which == "sandbox" {
        sandbox(&node_dir);
    }
    if which.is_empty() || which == "check" {
        checker(&repo, &node_dir);
    }
    if which.is_empty() || which == "lsp" {
        language_server(&repo, &node_dir);
    }
    println!(
        "Machine: {} cores, {}.",
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1),
        cpu_model()
    );
}

/// The standard output of `command`, which must succeed (else its stderr is the panic).
fn stdout_of(command: &mut Command) -> Vec<u8> {
    let output = command
        .output()
        .unwrap_or_else(|e| panic!("{command:?} cannot run: {e}"));
    assert!(
        output.status.success(),
        "{command:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    output.stdout
}

/// `63 ms (p95 79)`.
fn ms(s: check::Spread) -> String {
    format!("{:.0} ms (p95 {:.0})", s.median, s.p95)
}

/// Builds the release `codemode` binary and answers its path.
fn release_codemode(repo: &Path) -> PathBuf {
    eprintln!("building the codemode binary (cargo build --release -p codemode)…");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
    let status = Command::new(cargo)
        .args(["build", "--release", "-p", "codemode", "--bin", "codemode"])
        .current_dir(repo)
        .status()
        .expect("cargo runs");
    assert!(status.success(), "cannot build the codemode binary");
    sibling_binary("codemode")
}

fn language_server(repo: &Path, node_dir: &Path) {
    let codemode = release_codemode(repo);
    let corpus_server = sibling_binary("corpus-server");
    let f = lsp::measure(repo, &codemode, &corpus_server, node_dir);
    println!(
        "| Language server, after an edit | codemode lsp (over stdio) | TypeScript 6.0.3 language service on Node (in-process) | tsc 6 / codemode (median) | Goal |"
    );
    println!("| --- | --- | --- | --- | --- |");
    println!(
        "| Diagnostics of the edited version | {} | {} | {:.2}× | p95 ≤ 150 ms |",
        ms(f.diagnostics),
        ms(f.diagnostics_tsc6),
        f.diagnostics_tsc6.median / f.diagnostics.median,
    );
    println!(
        "| Completion after typing `memory.` | {} | {} | {:.2}× | p95 ≤ 50 ms |",
        ms(f.completion),
        ms(f.completion_tsc6),
        f.completion_tsc6.median / f.completion.median,
    );
    println!();
    println!(
        "A {}-line script open against a {}-tool API (real servers' schemas, served by corpus-server); {} one-line edits and {} completions, {} ms apart. codemode's figures include the protocol round trip and its diagnostics debounce; the peer's are calls into the language service.",
        f.lines,
        f.tools,
        check::EDITS,
        check::EDITS,
        check::PAUSE.as_millis()
    );
}

fn checker(repo: &Path, node_dir: &Path) {
    let codemode = release_codemode(repo);
    let f = check::measure(repo, &codemode, node_dir);
    println!(
        "| Type check | codemode (TypeScript 6.0.3 in QuickJS) | tsc 6.0.3 on Node | TypeScript 7 native tsc | tsc 6 / codemode | tsc 7 / codemode | Goal |"
    );
    println!("| --- | --- | --- | --- | --- | --- | --- |");
    println!(
        "| Cold one-shot check, whole process | {} | {} | {} | {:.2}× | {:.2}× | ≤ 300 ms |",
        ms(f.cold),
        ms(f.cold_tsc6),
        ms(f.cold_tsc7),
        f.cold_tsc6.median / f.cold.median,
        f.cold_tsc7.median / f.cold.median,
    );
    println!(
        "| Warm re-check after a one-line edit | {} | {} (language service) | no in-process API | {:.2}× | | ≤ 60 ms |",
        ms(f.warm),
        ms(f.warm_tsc6),
        f.warm_tsc6.median / f.warm.median,
    );
    println!();
    println!(
        "A {}-line script against a {}-tool API (real servers' schemas), the same two files for every checker; \
         strict, ES2023 lib, skipLibCheck. Cold: {} interleaved rounds of each whole process; warm: {} edits, {} ms apart.",
        f.lines,
        f.tools,
        check::COLD_ROUNDS,
        check::EDITS,
        check::PAUSE.as_millis()
    );
}

fn sandbox(node_dir: &Path) {
    let zero = sibling_binary("zero-server");

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let mut ours = Vec::new();
    let mut peers = Vec::new();
    for round in 1..=ROUNDS {
        eprintln!("round {round}/{ROUNDS}: codemode…");
        ours.push(runtime.block_on(measure_codemode(&zero)));
        eprintln!("round {round}/{ROUNDS}: Node + official SDK…");
        peers.push(measure_peer(node_dir, &zero));
    }
    let peak_rss = peak_rss_mb();

    let median = |values: Vec<f64>| -> f64 {
        let mut values = values;
        values.sort_by(f64::total_cmp);
        values[values.len() / 2]
    };
    let ours_of = |f: fn(&Figures) -> f64| median(ours.iter().map(f).collect());
    let peer_of = |f: fn(&Figures) -> f64| median(peers.iter().map(f).collect());

    let start = ours_of(|f| f.start_ms);
    let start_p95 = ours_of(|f| f.start_p95_ms);
    let per_call = ours_of(|f| f.per_call_ms);
    let floor = ours_of(|f| f.host_per_call_ms);
    let fanout = ours_of(|f| f.fanout_per_second);
    let host_fanout = ours_of(|f| f.host_fanout_per_second);
    let peer_start = peer_of(|f| f.start_ms);
    let peer_call = peer_of(|f| f.per_call_ms);
    let peer_fanout = peer_of(|f| f.fanout_per_second);
    let peer_rss = peer_of(|f| f.peak_rss_mb);

    println!("| Workload | codemode | Node + official SDK | peer / codemode | Goal |");
    println!("| --- | --- | --- | --- | --- |");
    println!(
        "| Fresh isolate to first statement (median; p95 {start_p95:.2} ms) | {start:.2} ms | {peer_start:.2} ms (`vm.createContext`) | {:.1}× | ≤ 1 ms |",
        peer_start / start
    );
    println!(
        "| One tool call from a script, sequential (zero-work stdio server) | {per_call:.3} ms | {peer_call:.3} ms | {:.1}× | |",
        peer_call / per_call
    );
    println!(
        "| Added by the sandbox per call (script call − direct host call {floor:.3} ms) | {:.3} ms | | | ≤ 0.1 ms |",
        per_call - floor
    );
    println!(
        "| Fan-out: `Promise.all` of {FANOUT} calls | {fanout:.0} calls/s | {peer_fanout:.0} calls/s | {:.2}× | ≥ 30,000 calls/s |",
        peer_fanout / fanout
    );
    println!(
        "| Fan-out floor: the same {FANOUT} calls straight from Rust through the host, no sandbox | {host_fanout:.0} calls/s | | | |"
    );
    println!(
        "| Peak memory of the process (RSS) | {peak_rss:.0} MB | {peer_rss:.0} MB | {:.1}× | |",
        peer_rss / peak_rss
    );
    println!();
    println!(
        "{ROUNDS} interleaved rounds, medians; {STARTS} starts, {SEQUENTIAL} sequential calls and {FANOUT} concurrent calls per round; \
         codemode's default concurrency limit ({} calls in flight).",
        Settings::default().max_concurrent_calls,
    );
    println!();
}

#[derive(Debug, Clone, Copy)]
struct Figures {
    start_ms: f64,
    start_p95_ms: f64,
    per_call_ms: f64,
    host_per_call_ms: f64,
    fanout_per_second: f64,
    host_fanout_per_second: f64,
    peak_rss_mb: f64,
}

async fn measure_codemode(zero: &Path) -> Figures {
    let dir = std::env::temp_dir().join(format!("codemode-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("codemode.json");
    std::fs::write(
        &path,
        serde_json::json!({"mcpServers": {"zero": {"command": zero}}}).to_string(),
    )
    .unwrap();
    let config = Config::from_file(&path).unwrap();
    let host = Host::start(&config, &|_| {}).await;
    let index = codegen::index(&host.catalog());
    let mut options = RunOptions::from_settings(&Settings::default());
    options.max_tool_calls = FANOUT * 2;
    options.timeout = Duration::from_secs(120);

    let run = |source: String| {
        let (host, index, options) = (&host, &index, &options);
        async move {
            let report = runtime::run(host, index, "bench.ts", source, options).await;
            assert!(report.ok, "{:?}", report.error);
        }
    };

    // Warm up the process (allocator, code paths) before timing.
    for _ in 0..20 {
        run("export default 1;".to_string()).await;
    }
    let mut starts = Vec::with_capacity(STARTS);
    for _ in 0..STARTS {
        let started = Instant::now();
        run("export default 1;".to_string()).await;
        starts.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    starts.sort_by(f64::total_cmp);

    run("for (let i = 0; i < 200; i++) await zero.noop();".to_string()).await;
    let started = Instant::now();
    run(format!(
        "for (let i = 0; i < {SEQUENTIAL}; i++) await zero.noop();"
    ))
    .await;
    let per_call_ms = started.elapsed().as_secs_f64() * 1000.0 / SEQUENTIAL as f64;

    let started = Instant::now();
    for _ in 0..SEQUENTIAL {
        host.call_tool("zero", "noop", None).await.unwrap();
    }
    let host_per_call_ms = started.elapsed().as_secs_f64() * 1000.0 / SEQUENTIAL as f64;

    let started = Instant::now();
    run(format!(
        "await Promise.all(Array.from({{ length: {FANOUT} }}, () => zero.noop()));"
    ))
    .await;
    let fanout_per_second = FANOUT as f64 / started.elapsed().as_secs_f64();

    let started = Instant::now();
    let calls = (0..FANOUT).map(|_| host.call_tool("zero", "noop", None));
    for answer in futures_join_all(calls).await {
        answer.unwrap();
    }
    let host_fanout_per_second = FANOUT as f64 / started.elapsed().as_secs_f64();

    host.shutdown().await;
    let _ = std::fs::remove_dir_all(&dir);
    Figures {
        start_ms: starts[starts.len() / 2],
        start_p95_ms: starts[starts.len() * 95 / 100],
        per_call_ms,
        host_per_call_ms,
        fanout_per_second,
        host_fanout_per_second,
        peak_rss_mb: 0.0,
    }
}

fn measure_peer(node_dir: &Path, zero: &Path) -> Figures {
    let stdout = stdout_of(
        Command::new("node")
            .arg(node_dir.join("peer.mjs"))
            .arg(zero)
            .arg(SEQUENTIAL.to_string())
            .arg(FANOUT.to_string()),
    );
    let figures: serde_json::Value = serde_json::from_slice(&stdout).unwrap();
    let number = |key: &str| figures[key].as_f64().unwrap_or(f64::NAN);
    Figures {
        start_ms: number("startMedianMs"),
        start_p95_ms: f64::NAN,
        per_call_ms: number("perCallMs"),
        host_per_call_ms: f64::NAN,
        fanout_per_second: number("fanoutCallsPerSecond"),
        host_fanout_per_second: f64::NAN,
        peak_rss_mb: number("peakRssMb"),
    }
}

/// All of `futures`, awaited together (the host's calls are not `'static`, so no spawning).
async fn futures_join_all<F: std::future::Future>(
    futures: impl Iterator<Item = F>,
) -> Vec<F::Output> {
    futures::future::join_all(futures).await
}

/// A binary built beside this one (`cargo run` builds every binary of the package).
fn sibling_binary(name: &str) -> PathBuf {
    let path = std::env::current_exe().unwrap().with_file_name(name);
    assert!(
        path.exists(),
        "{} is missing: run `cargo build --release --workspace`",
        path.display()
    );
    path
}

fn peak_rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        })
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("model name"))
                .map(|v| v.trim_start_matches([' ', '\t', ':']).to_string())
        })
        .unwrap_or_else(|| "unknown CPU".to_string())
}
