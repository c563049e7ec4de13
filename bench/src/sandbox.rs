//! Workloads 1 and 2: a fresh sandbox to its first statement, one tool call from a script, what
//! the sandbox adds to a call, and fan-out — against a zero-work stdio MCP server
//! (`zero-server`) and against `@modelcontextprotocol/server-everything`. codemode in process
//! (`Host` and `runtime::run`, as `run` and `serve` use them); its peers: the same workloads
//! written directly against the official MCP SDK on Node (`bench/node/peer.mjs`, no sandbox:
//! the floor) and @utcp/code-mode on isolated-vm (`bench/node/utcp-sandbox.mjs`). Rounds are
//! interleaved: codemode, SDK, UTCP, codemode, …

use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use codemode::codegen;
use codemode::config::Config;
use codemode::host::Host;
use codemode::limits::Limits;
use codemode::runtime;

use crate::check::Spread;
use crate::peers::Peers;
use crate::report::{Outcome, Table, ratio, round, versus};

const ROUNDS: usize = 3;
const STARTS: usize = 200;
/// A UTCP start takes several milliseconds: fewer of them.
const UTCP_STARTS: usize = 50;
const SEQUENTIAL: usize = 1_000;
const FANOUT: usize = 10_000;
/// UTCP's calls run one at a time, at about a millisecond each: fewer of them.
const UTCP_FANOUT: usize = 1_000;

/// The server a table is measured against, and the call made to it.
pub struct Target {
    /// The server's name in the configuration, so its namespace in scripts.
    pub server: &'static str,
    pub spec: Value,
    pub tool: &'static str,
    pub arguments: Value,
    /// The same call as a script writes it.
    pub script_call: &'static str,
    /// What the table calls it.
    pub title: &'static str,
}

impl Target {
    pub fn zero(zero_server: &Path) -> Target {
        Target {
            server: "zero",
            spec: json!({"command": zero_server}),
            tool: "noop",
            arguments: json!({}),
            script_call: "zero.noop()",
            title: "zero-work stdio MCP server (`zero-server`, rmcp), tool `noop`",
        }
    }

    pub fn everything(peers: &Peers) -> Target {
        Target {
            server: "everything",
            spec: json!({"command": "node", "args": [peers.npm_server("server-everything")]}),
            tool: "echo",
            arguments: json!({"message": "hi"}),
            script_call: "everything.echo({ message: \"hi\" })",
            title: "`@modelcontextprotocol/server-everything` (Node, stdio), tool `echo`",
        }
    }
}

/// One round's figures of one implementation.
#[derive(Clone, Copy, Default)]
struct Figures {
    start_ms: f64,
    start_p95_ms: f64,
    per_call_ms: f64,
    /// The same call without the sandbox, to find what it adds.
    direct_per_call_ms: f64,
    fanout_per_second: f64,
    host_fanout_per_second: f64,
    peak_rss_mb: f64,
}

/// The table for `target`; `first` adds the rows that do not depend on the server (start,
/// memory), measured once.
pub fn measure(peers: &Peers, target: &Target, first: bool, cloudflare: &str) -> String {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    // Starts do not depend on the server: timed for the first table only.
    let starts = |count: usize| if first { count } else { 0 };
    let (mut ours, mut sdk, mut utcp) = (Vec::new(), Vec::new(), Vec::new());
    for round in 1..=ROUNDS {
        eprintln!("sandbox, {}: round {round}/{ROUNDS}…", target.server);
        ours.push(runtime.block_on(codemode_round(target, starts(STARTS))));
        sdk.push(peer_round(
            peers.node("peer.mjs"),
            target,
            starts(STARTS),
            FANOUT,
        ));
        utcp.push(
            peers
                .utcp("utcp-sandbox.mjs")
                .and_then(|c| peer_round(c, target, starts(UTCP_STARTS), UTCP_FANOUT)),
        );
    }
    let peak_rss = peak_rss_mb();
    let ours = median_of(&ours);
    let sdk = collect(sdk).map(|rounds| median_of(&rounds));
    let utcp = collect(utcp).map(|rounds| median_of(&rounds));
    let us = |f: &Figures| f.per_call_ms;

    let mut table = Table::new(&[
        "Workload",
        "codemode",
        "Node + official SDK (no sandbox)",
        "@utcp/code-mode (isolated-vm)",
        "@cloudflare/codemode (workerd)",
        "Goal",
    ]);
    let cf = || format!("not run: {cloudflare}");
    if first {
        table.row(&[
            "Fresh sandbox to first statement".into(),
            format!(
                "{} ms (p95 {})",
                round(ours.start_ms),
                round(ours.start_p95_ms)
            ),
            versus(&sdk, |f| {
                format!(
                    "{} ms, `vm.createContext` · {}",
                    round(f.start_ms),
                    ratio(f.start_ms, ours.start_ms)
                )
            }),
            versus(&utcp, |f| {
                format!(
                    "{} ms (p95 {}), `callToolChain` · {}",
                    round(f.start_ms),
                    round(f.start_p95_ms),
                    ratio(f.start_ms, ours.start_ms)
                )
            }),
            cf(),
            "≤ 1 ms".into(),
        ]);
    }
    table.row(&[
        "One tool call from a script, sequential".into(),
        format!("{} ms", round(ours.per_call_ms)),
        versus(&sdk, |f| {
            format!("{} ms · {}", round(us(f)), ratio(us(f), us(&ours)))
        }),
        versus(&utcp, |f| {
            format!("{} ms · {}", round(us(f)), ratio(us(f), us(&ours)))
        }),
        cf(),
        String::new(),
    ]);
    let added = |f: &Figures| f.per_call_ms - f.direct_per_call_ms;
    table.row(&[
        "Added by the sandbox per call (script call − the same call without it)".into(),
        format!("{} ms", round(added(&ours))),
        "– (no sandbox)".into(),
        versus(&utcp, |f| {
            format!("{} ms · {}", round(added(f)), ratio(added(f), added(&ours)))
        }),
        cf(),
        if first {
            "≤ 0.1 ms".into()
        } else {
            String::new()
        },
    ]);
    let rate = |f: &Figures| f.fanout_per_second;
    table.row(&[
        format!("Fan-out: `Promise.all` of {FANOUT} calls in one script (UTCP: {UTCP_FANOUT})"),
        format!("{:.0} calls/s", rate(&ours)),
        versus(&sdk, |f| {
            format!("{:.0} calls/s · {}", rate(f), ratio(rate(&ours), rate(f)))
        }),
        versus(&utcp, |f| {
            format!(
                "{:.0} calls/s, one at a time · {}",
                rate(f),
                ratio(rate(&ours), rate(f))
            )
        }),
        cf(),
        if first {
            "≥ 30,000 calls/s".into()
        } else {
            String::new()
        },
    ]);
    table.row(&[
        "Fan-out floor: the same calls straight from Rust through codemode's host, no sandbox"
            .into(),
        format!("{:.0} calls/s", ours.host_fanout_per_second),
        String::new(),
        String::new(),
        String::new(),
        String::new(),
    ]);
    if first {
        let rss = |f: &Figures| f.peak_rss_mb;
        table.row(&[
            "Peak memory of the process (RSS)".into(),
            format!("{peak_rss:.0} MB"),
            versus(&sdk, |f| {
                format!("{:.0} MB · {}", rss(f), ratio(rss(f), peak_rss))
            }),
            versus(&utcp, |f| {
                format!("{:.0} MB · {}", rss(f), ratio(rss(f), peak_rss))
            }),
            cf(),
            String::new(),
        ]);
    }
    let timed_starts = match first {
        true => format!("{STARTS} starts (UTCP: {UTCP_STARTS}), "),
        false => String::new(),
    };
    format!(
        "Against the {}: {ROUNDS} interleaved rounds, medians; per round {timed_starts}\
         {SEQUENTIAL} sequential calls; codemode's default limit of {} calls in flight.\n\n{}",
        target.title,
        Limits::default().max_concurrent_calls,
        table.done()
    )
}

/// One round of codemode against `target`, with `starts` timed fresh-sandbox starts (none: NaN).
async fn codemode_round(target: &Target, starts: usize) -> Figures {
    let dir = std::env::temp_dir().join(format!("codemode-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("codemode.json");
    let config = json!({"mcpServers": {target.server: target.spec}});
    std::fs::write(&path, config.to_string()).unwrap();
    let config = Config::from_file(&path).unwrap();
    let host = Host::start(&config, &|_| {}).await;
    assert!(host.failed().is_empty(), "{} did not start", target.server);
    let index = codegen::index(&host.catalog());
    let options = Limits {
        max_tool_calls: FANOUT * 2,
        run_timeout: Duration::from_secs(300),
        ..Limits::default()
    };

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
    let mut times = Vec::with_capacity(starts);
    for _ in 0..starts {
        let started = Instant::now();
        run("export default 1;".to_string()).await;
        times.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    let starts = match times.is_empty() {
        true => Spread {
            median: f64::NAN,
            p95: f64::NAN,
        },
        false => Spread::of(times),
    };

    let call = target.script_call;
    run(format!("for (let i = 0; i < 200; i++) await {call};")).await;
    let started = Instant::now();
    run(format!(
        "for (let i = 0; i < {SEQUENTIAL}; i++) await {call};"
    ))
    .await;
    let per_call_ms = started.elapsed().as_secs_f64() * 1000.0 / SEQUENTIAL as f64;

    let arguments = target.arguments.as_object().cloned();
    let started = Instant::now();
    for _ in 0..SEQUENTIAL {
        host.call_tool(target.server, target.tool, arguments.clone())
            .await
            .unwrap();
    }
    let direct_per_call_ms = started.elapsed().as_secs_f64() * 1000.0 / SEQUENTIAL as f64;

    let started = Instant::now();
    run(format!(
        "await Promise.all(Array.from({{ length: {FANOUT} }}, () => {call}));"
    ))
    .await;
    let fanout_per_second = FANOUT as f64 / started.elapsed().as_secs_f64();

    let started = Instant::now();
    let calls = (0..FANOUT).map(|_| host.call_tool(target.server, target.tool, arguments.clone()));
    for answer in futures::future::join_all(calls).await {
        answer.unwrap();
    }
    let host_fanout_per_second = FANOUT as f64 / started.elapsed().as_secs_f64();

    host.shutdown().await;
    let _ = std::fs::remove_dir_all(&dir);
    Figures {
        start_ms: starts.median,
        start_p95_ms: starts.p95,
        per_call_ms,
        direct_per_call_ms,
        fanout_per_second,
        host_fanout_per_second,
        peak_rss_mb: f64::NAN,
    }
}

/// One round of a Node peer (`peer.mjs` or `utcp-sandbox.mjs`) against `target`.
fn peer_round(
    mut command: std::process::Command,
    target: &Target,
    starts: usize,
    fanout: usize,
) -> Outcome<Figures> {
    let spec = json!({
        "starts": starts,
        "server": target.spec,
        "tool": target.tool,
        "arguments": target.arguments,
        "sequential": SEQUENTIAL,
        "fanout": fanout,
    });
    let answer: Value = serde_json::from_slice(&crate::try_stdout(command.arg(spec.to_string()))?)
        .map_err(|e| format!("its answer is not JSON ({e})"))?;
    let number = |key: &str| answer[key].as_f64().unwrap_or(f64::NAN);
    Ok(Figures {
        start_ms: number("startMedianMs"),
        start_p95_ms: number("startP95Ms"),
        per_call_ms: number("perCallMs"),
        direct_per_call_ms: number("directPerCallMs"),
        fanout_per_second: number("fanoutCallsPerSecond"),
        host_fanout_per_second: f64::NAN,
        peak_rss_mb: number("peakRssMb"),
    })
}

/// Every round's figures, or the first reason a round could not run.
fn collect(rounds: Vec<Outcome<Figures>>) -> Outcome<Vec<Figures>> {
    rounds.into_iter().collect()
}

/// The median of each figure over the rounds.
fn median_of(rounds: &[Figures]) -> Figures {
    let median = |f: fn(&Figures) -> f64| Spread::of(rounds.iter().map(f).collect()).median;
    Figures {
        start_ms: median(|f| f.start_ms),
        start_p95_ms: median(|f| f.start_p95_ms),
        per_call_ms: median(|f| f.per_call_ms),
        direct_per_call_ms: median(|f| f.direct_per_call_ms),
        fanout_per_second: median(|f| f.fanout_per_second),
        host_fanout_per_second: median(|f| f.host_fanout_per_second),
        peak_rss_mb: median(|f| f.peak_rss_mb),
    }
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
