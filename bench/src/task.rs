//! Workloads 3 and 6: a realistic multi-step task against four real MCP servers (git and time
//! from PyPI, filesystem and memory from npm), end to end — `bench/scripts/task.ts` for
//! codemode, the same steps against the official MCP SDK (`bench/node/task-sdk.mjs`, the
//! floor) and for @utcp/code-mode (`bench/node/task-utcp.mjs`), all of which must return the
//! same summary — and what a model reads and writes to do it: plain tool calling (the tool
//! list, every call and every intermediate result) against Code Mode through `codemode serve`
//! (the facade's tool list, the types, the script and its output), plus the size of a
//! 100-tool list as JSON schemas and as generated TypeScript.

use std::path::Path;
use std::process::Command;
use std::time::Instant;

use serde_json::{Value, json};

use crate::check::Spread;
use crate::peers::Peers;
use crate::report::{Outcome, Table, ms, ratio, versus};

const COLD_ROUNDS: usize = 4;
/// Runs of the task in one warm process; the first is left out of the figures.
const WARM_ROUNDS: usize = 11;

/// A whole process per run, and runs in a process whose servers are up.
struct Timings {
    cold: Spread,
    warm: Spread,
}

/// Which of the [`Timings`] a row shows.
type Pick = fn(&Timings) -> Spread;

pub fn measure(repo: &Path, codemode: &Path, peers: &Peers, cloudflare: &str) -> String {
    let dir = std::env::temp_dir().join(format!("codemode-bench-task-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let memory = dir.join("memory.jsonl");
    let config = dir.join("codemode.json");
    let python = peers.python_path.display().to_string();
    let servers = json!({
        "git": {
            "command": "python3",
            "args": ["-m", "mcp_server_git", "--repository", repo],
            "env": {"PYTHONPATH": python}
        },
        "filesystem": {"command": "node", "args": [peers.npm_server("server-filesystem"), repo.join("server/src")]},
        "memory": {"command": "node", "args": [peers.npm_server("server-memory")], "env": {"MEMORY_FILE_PATH": memory}},
        "time": {
            "command": "python3",
            "args": ["-m", "mcp_server_time", "--local-timezone", "Etc/UTC"],
            "env": {"PYTHONPATH": python}
        }
    });
    std::fs::write(&config, json!({ "mcpServers": servers }).to_string()).unwrap();
    let template = std::fs::read_to_string(repo.join("bench/scripts/task.ts")).unwrap();
    let script = dir.join("task.ts");
    std::fs::write(
        &script,
        template.replace("__REPO__", &repo.display().to_string()),
    )
    .unwrap();
    let repo_arg = repo.display().to_string();

    let ours_cold = || {
        let mut command = Command::new(codemode);
        command
            .args(["run", "--quiet", "--config"])
            .arg(&config)
            .arg(&script);
        command
    };
    let sdk = |rounds: usize| {
        let mut command = peers.node("task-sdk.mjs");
        command.arg(&config).arg(&repo_arg).arg(rounds.to_string());
        command
    };
    let utcp = |rounds: usize| {
        peers.utcp("task-utcp.mjs").map(|mut command| {
            command.arg(&config).arg(&repo_arg).arg(rounds.to_string());
            command
        })
    };

    let (mut ours, mut theirs, mut utcps) = (Vec::new(), Vec::new(), Vec::new());
    let mut reference: Option<Value> = None;
    let mut utcp_failure: Option<String> = None;
    for round in 1..=COLD_ROUNDS {
        eprintln!("task, whole process: round {round}/{COLD_ROUNDS}…");
        let (ms, result) = cold_run(ours_cold(), &memory, false).expect("codemode runs the task");
        reference.get_or_insert(result.clone());
        assert_eq!(
            Some(&result),
            reference.as_ref(),
            "codemode's summary changed between runs"
        );
        ours.push(ms);
        let (ms, result) = cold_run(sdk(1), &memory, true).expect("the SDK peer runs the task");
        assert_eq!(
            Some(&result),
            reference.as_ref(),
            "the SDK peer's summary differs from codemode's"
        );
        theirs.push(ms);
        match utcp(1).and_then(|command| cold_run(command, &memory, true)) {
            Ok((ms, result)) if Some(&result) == reference.as_ref() => utcps.push(ms),
            Ok((_, result)) => utcp_failure = Some(format!("its summary differs: {result}")),
            Err(reason) => utcp_failure = Some(reason),
        }
    }

    eprintln!("task, servers up: {WARM_ROUNDS} runs in one process each…");
    let _ = std::fs::remove_file(&memory);
    let plain_transcript = dir.join("plain.json");
    let mut command = sdk(WARM_ROUNDS);
    let sdk_warm = warm_run(command.arg(&plain_transcript)).expect("the SDK peer runs the task");
    assert_eq!(
        Some(&sdk_warm.1),
        reference.as_ref(),
        "the SDK peer's summary differs"
    );
    let _ = std::fs::remove_file(&memory);
    let codemode_transcript = dir.join("codemode.json.transcript");
    let mut command = peers.node("task-serve.mjs");
    command
        .arg(codemode)
        .arg(&config)
        .arg(&script)
        .arg(WARM_ROUNDS.to_string())
        .arg(&codemode_transcript);
    let serve_warm = warm_run(&mut command).expect("codemode serve runs the task");
    assert_eq!(
        Some(&serve_warm.1),
        reference.as_ref(),
        "`serve`'s summary differs from `run`'s"
    );
    let _ = std::fs::remove_file(&memory);
    let utcp_warm = utcp(WARM_ROUNDS)
        .and_then(|mut command| warm_run(&mut command))
        .and_then(
            |(spread, result)| match Some(&result) == reference.as_ref() {
                true => Ok(spread),
                false => Err(format!("its summary differs: {result}")),
            },
        );

    let ours = Timings {
        cold: Spread::of(ours),
        warm: serve_warm.0,
    };
    let sdk = Timings {
        cold: Spread::of(theirs),
        warm: sdk_warm.0,
    };
    let utcp: Outcome<Timings> = match (utcp_failure, utcp_warm) {
        (Some(reason), _) | (None, Err(reason)) => Err(reason),
        (None, Ok(warm)) => Ok(Timings {
            cold: Spread::of(utcps),
            warm,
        }),
    };

    let mut table = Table::new(&[
        "Realistic task (14 tool calls on 4 real servers)",
        "codemode",
        "Node + official SDK (hand-written, no sandbox)",
        "@utcp/code-mode (isolated-vm)",
        "@cloudflare/codemode (workerd)",
    ]);
    let rows: [(&str, &str, Pick); 2] = [
        (
            "Whole process: start the servers, do the task, exit",
            "`codemode run` (type check included)",
            |t| t.cold,
        ),
        (
            "Servers already up: the task again",
            "`serve`'s `execute` (check and run)",
            |t| t.warm,
        ),
    ];
    for (what, how, figure) in rows {
        let peer = |t: &&Timings| {
            let spread = figure(t);
            format!(
                "{} · {}",
                ms(spread),
                ratio(spread.median, figure(&ours).median)
            )
        };
        table.row(&[
            what.into(),
            format!("{}, {how}", ms(figure(&ours))),
            versus(&Ok(&sdk), peer),
            versus(&utcp.as_ref().map_err(Clone::clone), peer),
            format!("not run: {cloudflare}"),
        ]);
    }
    let timing = format!(
        "The task (`bench/scripts/task.ts`): the last 30 commits from mcp-server-git, the language \
         server's Rust files listed and read (in parallel where the implementation allows) through \
         server-filesystem, a note of each written to server-memory and searched, the time from \
         mcp-server-time; every implementation returns the same summary, checked. Whole process: \
         {COLD_ROUNDS} interleaved rounds. Servers up: {} runs each after one not counted.\n\n{}",
        WARM_ROUNDS - 1,
        table.done()
    );

    let tokens = context_table(repo, peers, &dir, &plain_transcript, &codemode_transcript);
    let _ = std::fs::remove_dir_all(&dir);
    format!("{timing}\n{tokens}")
}

/// What plain tool calling and Code Mode put in a model's context for the task, and the size
/// of a 100-tool list both ways.
fn context_table(repo: &Path, peers: &Peers, dir: &Path, plain: &Path, codemode: &Path) -> String {
    let read =
        |path: &Path| -> Value { serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap() };
    let (plain, ours) = (read(plain), read(codemode));
    let tokens = |v: &Value| v["tokens"].as_f64().unwrap();
    let bytes = |v: &Value| v["bytes"].as_f64().unwrap();
    let cell = |v: &Value| format!("{} tokens ({:.1} kB)", tokens(v), bytes(v) / 1000.0);
    let sum = |values: &[&Value]| {
        json!({
            "tokens": values.iter().map(|v| tokens(v)).sum::<f64>(),
            "bytes": values.iter().map(|v| bytes(v)).sum::<f64>(),
        })
    };

    let mut table = Table::new(&[
        "What the model reads and writes for the task",
        "Plain tool calling",
        "codemode (`serve`)",
        "plain / codemode (tokens)",
    ]);
    let mut row = |what: String, p: Value, c: Value| {
        table.row(&[what, cell(&p), cell(&c), ratio(tokens(&p), tokens(&c))]);
    };
    row(
        format!(
            "Learning the tools: {} tools' JSON schemas / the facade's {} tools and a `get_types` of the seven the script calls",
            plain["tools"], ours["tools"]
        ),
        plain["toolList"].clone(),
        sum(&[&ours["toolList"], &ours["usedRequest"], &ours["used"]]),
    );
    row(
        "… or codemode with a `get_types` of all four servers".into(),
        plain["toolList"].clone(),
        sum(&[&ours["toolList"], &ours["typesRequest"], &ours["types"]]),
    );
    row(
        format!(
            "Written by the model: {} tool calls / one script",
            plain["calls"]
        ),
        plain["requests"].clone(),
        ours["script"].clone(),
    );
    row(
        "Read back: every intermediate result / the script's output".into(),
        plain["results"].clone(),
        ours["output"].clone(),
    );
    row(
        "**Total** (codemode: the seven tools' types)".into(),
        sum(&[&plain["toolList"], &plain["requests"], &plain["results"]]),
        sum(&[
            &ours["toolList"],
            &ours["usedRequest"],
            &ours["used"],
            &ours["script"],
            &ours["output"],
        ]),
    );
    let task = table.done();

    let (json_list, with_outputs, typescript, count) = hundred_tools(repo);
    let paths = [
        dir.join("tools.json"),
        dir.join("tools-outputs.json"),
        dir.join("api.d.ts"),
    ];
    for (path, text) in paths.iter().zip([json_list, with_outputs, typescript]) {
        std::fs::write(path, text).unwrap();
    }
    let sizes: Value =
        serde_json::from_slice(&crate::stdout_of(peers.node("tokens.mjs").args(&paths))).unwrap();
    let mut table = Table::new(&[
        format!("A {count}-tool list (real servers' schemas)").as_str(),
        "JSON schemas (name, description, inputSchema)",
        "Generated TypeScript (`codemode types`)",
        "JSON / TypeScript (tokens)",
    ]);
    table.row(&[
        "What the model reads to know the tools".into(),
        cell(&sizes[0]),
        cell(&sizes[2]),
        ratio(tokens(&sizes[0]), tokens(&sizes[2])),
    ]);
    table.row(&[
        "… with the output schemas too (the TypeScript declares every result's type)".into(),
        cell(&sizes[1]),
        cell(&sizes[2]),
        ratio(tokens(&sizes[1]), tokens(&sizes[2])),
    ]);
    format!(
        "Tokens are o200k_base's (gpt-tokenizer); plain tool calling counts only what a host sends \
         a model — each tool's name, description and input schema, each call's name and arguments, \
         each result's text — and Code Mode counts everything the agent exchanges with `codemode \
         serve`.\n\n{task}\n{}",
        table.done()
    )
}

/// The 100-tool API the checker benchmark uses: its JSON tool list without and with the
/// output schemas, its declarations, and how many tools that is.
fn hundred_tools(repo: &Path) -> (String, String, String, usize) {
    let (servers, count) = crate::check::corpus_servers(repo, 100);
    let tools = servers.iter().flat_map(|s| &s.tools);
    let plain: Vec<Value> = tools
        .clone()
        .map(|t| json!({"name": t.name, "description": t.description, "inputSchema": t.input_schema}))
        .collect();
    let with_outputs: Vec<Value> = tools
        .map(|t| {
            json!({"name": t.name, "description": t.description, "inputSchema": t.input_schema,
                   "outputSchema": t.output_schema})
        })
        .collect();
    let typescript = codemode::codegen::generate(&servers).declarations();
    (
        serde_json::to_string(&plain).unwrap(),
        serde_json::to_string(&with_outputs).unwrap(),
        typescript,
        count,
    )
}

/// One whole-process run: its wall time and the summary it printed (the SDK and UTCP peers
/// print `{"result": …}`, `codemode run` the result itself).
fn cold_run(mut command: Command, memory: &Path, wrapped: bool) -> Outcome<(f64, Value)> {
    let _ = std::fs::remove_file(memory);
    let started = Instant::now();
    let stdout = crate::try_stdout(&mut command)?;
    let ms = started.elapsed().as_secs_f64() * 1000.0;
    let answer: Value =
        serde_json::from_slice(&stdout).map_err(|e| format!("its answer is not JSON ({e})"))?;
    Ok((
        ms,
        if wrapped {
            answer["result"].clone()
        } else {
            answer
        },
    ))
}

/// The runs of a warm process after its first, and the summary it returned.
fn warm_run(command: &mut Command) -> Outcome<(Spread, Value)> {
    let answer: Value = serde_json::from_slice(&crate::try_stdout(command)?)
        .map_err(|e| format!("its answer is not JSON ({e})"))?;
    let runs: Vec<f64> = answer["taskMs"]
        .as_array()
        .ok_or("no taskMs in its answer")?
        .iter()
        .skip(1)
        .filter_map(Value::as_f64)
        .collect();
    Ok((Spread::of(runs), answer["result"].clone()))
}
