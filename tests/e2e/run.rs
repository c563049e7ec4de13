//! `codemode run`: real scripts against the real servers (typed results, `ToolResult.text`,
//! fan-out, caught tool errors), and the attack suite in `tests/scripts/attacks/` (each file
//! says the error kind it must end in), run through one host that must serve a normal run
//! after every attack.

use std::time::Duration;

use codemode::codegen;
use codemode::config::Config;
use codemode::host::Host;
use codemode::limits::Limits;
use codemode::runtime::{self, RunReport};
use serde_json::{Value, json};

use crate::support::{Workspace, real_servers, repo};

fn demo_options() -> Limits {
    Limits {
        run_timeout: Duration::from_secs(3),
        memory_limit_mb: 64,
        max_tool_calls: 5_000,
        max_result_bytes: 1024 * 1024,
        ..Limits::default()
    }
}

async fn run_on(host: &Host, source: &str, options: &Limits) -> RunReport {
    let index = codegen::index(&host.catalog());
    runtime::run(host, &index, "script.ts", source.to_string(), options).await
}

/// A normal run, to show the host is still fine.
async fn assert_still_serves(host: &Host, after: &str) {
    let report = run_on(
        host,
        "export default (await demo.add({ a: 20, b: 22 })).sum;",
        &demo_options(),
    )
    .await;
    assert_eq!(report.result, json!(42), "after {after}: {report:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn attacks_are_contained_with_the_right_error_kind() {
    let host = Host::start(&Config::builtin_default(), &|_| {}).await;
    let dir = repo().join("tests/scripts/attacks");
    let mut entries: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    assert!(entries.len() >= 20);
    for path in entries {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let mut source = std::fs::read_to_string(&path).unwrap();
        let expected = source
            .lines()
            .find_map(|l| l.strip_prefix("// expect-kind: "))
            .unwrap_or_else(|| panic!("{name} has no expect-kind"))
            .to_string();
        if name == "deep_literal.ts" {
            source = format!(
                "export default {}1{};",
                "[".repeat(100_000),
                "]".repeat(100_000)
            );
        }
        let report = run_on(&host, &source, &demo_options()).await;
        let error = report
            .error
            .clone()
            .unwrap_or_else(|| panic!("{name} succeeded: {report:?}"));
        assert_eq!(error.kind.as_str(), expected, "{name}: {error:?}");
        assert!(!report.ok);
        if expected == "timeout" {
            assert!(
                report.duration_ms < 10_000,
                "{name} took {} ms",
                report.duration_ms
            );
        }
        assert_still_serves(&host, &name).await;
    }
    host.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bounded_built_ins_keep_their_meaning() {
    let host = Host::start(&Config::builtin_default(), &|_| {}).await;
    let source =
        std::fs::read_to_string(repo().join("tests/scripts/bounded_built_ins.ts")).unwrap();
    let report = run_on(&host, &source, &demo_options()).await;
    assert!(report.ok, "{report:?}");
    assert_eq!(
        report.result,
        json!({
            "concat": [1, [2], 3, [4], 5, {"0": 9, "length": 1}],
            "concatSpread": [0, "a", "b"],
            "holes": "6:false",
            "flat": [1, 2, 3, [4]],
            "flatInfinity": [1, 2, 3, 4],
            "flatMap": [1, 10, 2, 20],
            "sort": [1, 10, 9, "a", "b", null],
            "sortNumbers": [1, 9, 10],
            "toSorted": [1, 20, 3],
            "typedSort": ["-1", "-0", "0", "3", "NaN"],
            "joinArrayLike": "x--z",
            "joinString": "a+b+c",
            "lengthReadOnce": "p,q after 1 read",
            "proxyJoin": "1|2",
            "reverse": [3, 2, 1],
            "splice": [[1, 9, 4], [2, 3]],
            "pushOnArrayLike": "TypeError",
            "nullReceiver": "TypeError",
            "proxyConstructor": ["function", "Proxy", 2],
            "revocable": "revoked",
            "prepareStackTrace": "undefined",
            "stringOfArray": "1,2,3",
            "lengths": [1, 0, 1, 1, 1],
        })
    );
    host.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn specific_messages_say_what_happened() {
    let host = Host::start(&Config::builtin_default(), &|_| {}).await;
    let options = demo_options();
    let read = |name: &str| {
        std::fs::read_to_string(repo().join("tests/scripts/attacks").join(name)).unwrap()
    };

    let report = run_on(&host, &read("eval_and_function.ts"), &options).await;
    let message = report.error.unwrap().message;
    assert!(!message.contains("ran"), "code from strings ran: {message}");
    assert_eq!(
        message
            .matches("code generation from strings is disabled")
            .count(),
        3,
        "{message}"
    );
    // `eval` is gone altogether.
    assert!(
        message.starts_with("Error: TypeError: not a function |"),
        "{message}"
    );

    let report = run_on(&host, &read("hung_tool_call.ts"), &options).await;
    assert!(
        report
            .error
            .unwrap()
            .message
            .contains("1 pending tool call(s) were cancelled")
    );

    let report = run_on(&host, &read("cyclic_argument.ts"), &options).await;
    let error = report.error.unwrap();
    assert!(
        error
            .message
            .contains("demo.echo: input.self refers back to itself"),
        "{error:?}"
    );

    let report = run_on(&host, &read("uncaught_tool_error.ts"), &options).await;
    let error = report.error.unwrap();
    assert!(
        error.message.starts_with("unknown city \"Atlantis\""),
        "{error:?}"
    );
    assert_eq!(
        (error.line, error.column.is_some()),
        (Some(2), true),
        "the call's line: {error:?}"
    );
    host.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nothing_survives_from_one_run_to_the_next() {
    let host = Host::start(&Config::builtin_default(), &|_| {}).await;
    let options = demo_options();
    let first = run_on(
        &host,
        "(Object.prototype as any).leaked = 1; Array.prototype.map = () => { throw new Error('patched') };\
         (globalThis as any).kept = 'x'; export default 'polluted';",
        &options,
    )
    .await;
    assert!(first.ok, "{first:?}");
    let second = run_on(
        &host,
        "export default { leaked: ({} as any).leaked ?? null, kept: (globalThis as any).kept ?? null, mapped: [1, 2].map((x) => x * 2) };",
        &options,
    )
    .await;
    assert_eq!(
        second.result,
        json!({"leaked": null, "kept": null, "mapped": [2, 4]}),
        "{second:?}"
    );
    host.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_bridge_sends_exactly_what_was_written() {
    let host = Host::start(&Config::builtin_default(), &|_| {}).await;
    let source = r#"
        (Object.prototype as any).toJSON = () => ({ text: "hacked by toJSON" });
        (JSON as any).stringify = () => '{"text":"hacked by stringify"}';
        (JSON as any).parse = () => ({ text: "hacked by parse" });
        Map.prototype.set = function () { throw new Error("patched Map.set") };
        Reflect.apply = () => { throw new Error("patched Reflect.apply") };
        let reads = 0;
        const input = { get text() { reads += 1; return reads === 1 ? "first read" : "later read"; } };
        const echoed = await demo.echo(input);
        const parsed = (await demo.echo({ text: '{"__proto__": {"polluted": true}, "ok": 1}' })).json() as any;
        export default { echoed: echoed.text, reads, ok: parsed.ok, polluted: ({} as any).polluted ?? null };
    "#;
    let report = run_on(&host, source, &demo_options()).await;
    assert_eq!(
        report.result,
        json!({"echoed": "first read", "reads": 1, "ok": 1, "polluted": null}),
        "{report:?}"
    );
    host.shutdown().await;
}

#[test]
fn the_globals_a_script_sees_are_the_golden_list() {
    let workspace = Workspace::new();
    workspace.write(
        "globals.ts",
        "export default Object.getOwnPropertyNames(globalThis).sort();",
    );
    let run = workspace.codemode(&["run", "globals.ts", "--json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let got: Vec<String> = serde_json::from_value(run.json()["result"].clone()).unwrap();
    let golden_path = repo().join("tests/scripts/globals.golden");
    let golden: Vec<String> = std::fs::read_to_string(&golden_path)
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .map(str::to_string)
        .collect();
    assert_eq!(
        got,
        golden,
        "a global was added or removed; review, then update {}",
        golden_path.display()
    );
    for absent in [
        "process",
        "require",
        "Deno",
        "fetch",
        "WebSocket",
        "XMLHttpRequest",
        "eval",
        "std",
        "os",
        "performance",
    ] {
        assert!(!got.iter().any(|g| g == absent), "{absent} is reachable");
    }
}

#[test]
fn the_readme_example_runs_on_the_builtin_demo() {
    let run = crate::support::codemode_in(&repo(), &["run", "examples/weather.ts", "--json"]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let report = run.json();
    assert_eq!(report["ok"], true);
    assert_eq!(report["toolCalls"].as_array().unwrap().len(), 7);
    assert!(
        report["result"]["warmest"]["averageHigh"].as_f64().unwrap()
            >= report["result"]["coldest"]["averageHigh"].as_f64().unwrap()
    );
    assert_eq!(report["logs"][0]["text"], "checked 6 cities");

    // The human form: output on stdout, the summary on stderr.
    let run = crate::support::codemode_in(&repo(), &["run", "examples/weather.ts"]);
    assert_eq!(run.code, 0);
    assert!(
        run.stdout.starts_with("checked 6 cities\n{"),
        "{}",
        run.stdout
    );
    assert!(run.stderr.contains("✓ 7 tool calls"), "{}", run.stderr);
}

#[test]
fn scripts_run_against_the_real_servers() {
    let workspace = Workspace::new();
    let mut servers = real_servers(&workspace);
    servers["memory"]["env"]["API_TOKEN"] = json!("canary-51d0-memory-env");
    workspace.config(servers);
    workspace.write(
        "task.ts",
        r#"
        // Typed structured results (memory, time), with a $ref'd output type.
        await memory.createEntities({ entities: [
          { name: "Ada", entityType: "person", observations: ["wrote the first program"] },
          { name: "Analytical Engine", entityType: "machine", observations: ["never finished"] },
        ] });
        await memory.createRelations({ relations: [{ from: "Ada", to: "Analytical Engine", relationType: "programmed" }] });
        const graph = await memory.readGraph();
        const now = await time.getCurrentTime({ timezone: "Etc/UTC" });
        const converted = await time.convertTime({ source_timezone: "Etc/UTC", time: "12:00", target_timezone: "Asia/Tokyo" });

        // Untyped results: ToolResult.text.
        const status = await git.gitStatus({ repo_path: "repo" });
        const echoed = await everything.echo({ message: "hello" });
        const file = await filesystem.readTextFile({ path: "hello.txt" });

        // Fan-out: hundreds of concurrent calls.
        const sums = await Promise.all(Array.from({ length: 300 }, (_, i) => everything.getSum({ a: i, b: 1 })));
        const total = sums.reduce((acc, r) => acc + Number(r.text.match(/(\d+)\D*$/)![1]), 0);

        // Tool errors, caught.
        let refused = "";
        try {
          await filesystem.readTextFile({ path: "/etc/passwd" });
        } catch (error) {
          if (error instanceof ToolError) refused = `${error.server}.${error.tool}: ${error.message.slice(0, 40)}`;
        }

        // What a script can reach, stringified: no secret among it.
        const reachable = JSON.stringify(Object.getOwnPropertyNames(globalThis).map((name) => [name, String((globalThis as any)[name])]));
        const env = (await everything.getEnv()).text;

        export default {
          entities: graph.entities.map((e) => e.name).sort(),
          relations: graph.relations.length,
          utc: now.timezone,
          tokyo: converted.target.timezone,
          clean: status.text.includes("nothing to commit"),
          echoed: echoed.text,
          file: file.content.trim(),
          total,
          refused,
          leaks: [reachable, env].some((text) => text.includes("canary-51d0")),
        };
        "#,
    );
    let run = std::process::Command::new(env!("CARGO_BIN_EXE_codemode"))
        .env("CODEMODE_NO_USER_CONFIGS", "1")
        .env("XDG_STATE_HOME", crate::support::state_home())
        .args(["run", "task.ts", "--json", "--timeout", "60"])
        .current_dir(workspace.path())
        .env("CODEMODE_PARENT_SECRET", "canary-51d0-parent-env")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&run.stdout);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(run.status.success(), "{stdout}\n{stderr}");
    let report: Value = serde_json::from_str(&stdout).unwrap();
    let result = &report["result"];
    assert_eq!(result["entities"], json!(["Ada", "Analytical Engine"]));
    assert_eq!(result["relations"], 1);
    assert_eq!(result["utc"], "Etc/UTC");
    assert_eq!(result["tokyo"], "Asia/Tokyo");
    assert_eq!(result["clean"], true, "{result}");
    assert_eq!(result["echoed"], "Echo: hello");
    assert_eq!(result["file"], "hello from a real file");
    assert_eq!(result["total"], (0..300).map(|i| i + 1).sum::<i64>());
    assert!(
        result["refused"]
            .as_str()
            .unwrap()
            .starts_with("filesystem.read_text_file: "),
        "{result}"
    );
    assert_eq!(result["leaks"], false);
    let calls = report["toolCalls"].as_array().unwrap();
    assert_eq!(calls.len(), 8 + 300 + 1 + 1);
    assert_eq!(calls.iter().filter(|c| c["ok"] == false).count(), 1);
    assert!(!stdout.contains("canary-51d0") && !stderr.contains("canary-51d0"));
}

#[test]
fn the_examples_type_check_against_the_demo_api_and_run() {
    let workspace = Workspace::new();
    let run = workspace.codemode(&["types", "-q", "-o", "api.d.ts"]);
    assert_eq!(run.code, 0);
    let mut names = vec!["api.d.ts".to_string()];
    for entry in std::fs::read_dir(repo().join("examples")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "ts") {
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            std::fs::copy(&path, workspace.path().join(&name)).unwrap();
            let ran =
                crate::support::codemode_in(&repo(), &["run", "-q", &format!("examples/{name}")]);
            assert_eq!(ran.code, 0, "{name}: {}", ran.stderr);
            names.push(name);
        }
    }
    assert!(names.len() >= 3);
    let args: Vec<&str> = names.iter().map(String::as_str).collect();
    assert_eq!(crate::support::tsc(workspace.path(), &args), vec![]);
}

#[test]
fn an_output_flood_is_capped_with_a_marker() {
    let workspace = Workspace::new();
    workspace.write(
        "flood.ts",
        "for (let i = 0; i < 30_000; i++) console.log(`line ${i} ` + 'y'.repeat(100));\nexport default 'still here';",
    );
    let run = workspace.codemode(&["run", "flood.ts", "--json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let report = run.json();
    assert_eq!(report["result"], "still here");
    let kept: usize = report["logs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["text"].as_str().unwrap().len() + 1)
        .sum();
    assert!(kept <= 1024 * 1024, "kept {kept} bytes");
    assert!(
        report["droppedOutputBytes"].as_u64().unwrap() > 2_000_000,
        "{}",
        report["droppedOutputBytes"]
    );

    let run = workspace.codemode(&["run", "flood.ts"]);
    assert_eq!(run.code, 0);
    assert!(
        run.stdout
            .contains("more bytes of output were dropped at the output limit]"),
        "no marker"
    );
    assert!(run.stdout.len() < 1024 * 1024 + 4096);
}

mod bridge_fuzz {
    //! Any JSON value a script returns crosses the bridge unchanged: the engine's conversion
    //! (`engine/convert.rs`) and the runtime's report agree with the value written.

    use std::sync::OnceLock;

    use proptest::prelude::*;

    use super::*;

    /// One host and one async runtime for every case.
    fn demo() -> &'static (tokio::runtime::Runtime, Host) {
        static DEMO: OnceLock<(tokio::runtime::Runtime, Host)> = OnceLock::new();
        DEMO.get_or_init(|| {
            let runtime = tokio::runtime::Runtime::new().unwrap();
            let host = runtime.block_on(Host::start(&Config::builtin_default(), &|_| {}));
            (runtime, host)
        })
    }

    fn json_value() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::from),
            any::<i32>().prop_map(Value::from),
            (-1e12f64..1e12).prop_map(|f| json!(f)),
            "\\PC{0,12}".prop_map(Value::from),
        ];
        leaf.prop_recursive(4, 40, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..6).prop_map(Value::from),
                prop::collection::btree_map("[a-z_$][a-z0-9_]{0,6}|\\PC{1,6}", inner, 0..6)
                    .prop_map(|map| Value::Object(map.into_iter().collect())),
            ]
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

        #[test]
        fn any_json_crosses_the_bridge_unchanged(value in json_value()) {
            let (runtime, host) = demo();
            let source = format!("export default {};", serde_json::to_string(&value).unwrap());
            let report = runtime.block_on(run_on(host, &source, &demo_options()));
            prop_assert!(report.ok, "{report:?}");
            // JSON has no -0 nor integer/float distinction that survives a number's trip.
            let back = serde_json::to_string(&report.result).unwrap();
            let expected: Value = serde_json::from_str(&serde_json::to_string(&value).unwrap()).unwrap();
            let got: Value = serde_json::from_str(&back).unwrap();
            prop_assert!(same(&expected, &got), "{expected} became {got}");
        }
    }

    /// Equal, numbers compared as numbers.
    fn same(a: &Value, b: &Value) -> bool {
        match (a, b) {
            (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
            (Value::Array(x), Value::Array(y)) => {
                x.len() == y.len() && x.iter().zip(y).all(|(x, y)| same(x, y))
            }
            (Value::Object(x), Value::Object(y)) => {
                x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w)))
            }
            _ => a == b,
        }
    }
}
