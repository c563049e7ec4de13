//! `codemode check` and the check before `codemode run`. Against the five real servers'
//! generated API, the embedded TypeScript 6 must say what the TypeScript 7 oracle says (same
//! codes, lines and messages) on the fixtures of `tests/scripts/real-servers/`, and add the
//! hints their `// hint: LINE TEXT` lines ask for. Hard inputs (a syntax error, an empty file,
//! a 1 MB file, a pathological type) get a clear answer in bounded time.

use std::time::Instant;

use serde_json::{Value, json};

use crate::differences::{agrees, normalised};
use crate::support::{self, TscDiagnostic, Workspace, real_servers, repo, tsc, tsc6};

/// `(line, "TS1234", message)` with each message line trimmed, as the oracle prints them.
type Said = (u32, String, String);

#[test]
fn check_agrees_with_tsc_on_the_real_server_fixtures() {
    let workspace = Workspace::new();
    workspace.config(real_servers(&workspace));
    let fixtures = repo().join("tests/scripts/real-servers");
    let names = support::fixtures("real-servers");
    assert!(names.len() >= 14, "{names:?}");
    for name in &names {
        workspace.write(name, &std::fs::read_to_string(fixtures.join(name)).unwrap());
    }

    let types = workspace.codemode(&["types", "-o", "api.d.ts", "--quiet"]);
    assert_eq!(types.code, 0, "{}", types.stderr);

    let mut args = vec!["check", "--json"];
    args.extend(names.iter().map(String::as_str));
    let run = workspace.codemode(&args);
    assert_eq!(run.code, 1, "errors exit 1: {}", run.stderr);
    assert!(run.stderr.contains("type errors in"), "{}", run.stderr);
    let ours: Vec<Value> = run.json()["diagnostics"].as_array().unwrap().clone();

    for name in &names {
        let source = std::fs::read_to_string(fixtures.join(name)).unwrap();
        let mine: Vec<&Value> = ours.iter().filter(|d| d["file"] == name.as_str()).collect();
        let said: Vec<Said> = mine
            .iter()
            .map(|d| {
                (
                    d["line"].as_u64().unwrap() as u32,
                    format!("TS{}", d["code"]),
                    normalised(d["message"].as_str().unwrap()),
                )
            })
            .collect();
        // One file at a time: tsc holds back every file's semantic errors when any file has
        // a syntax error. Against TypeScript 6.0.3 on Node (the same compiler, run the usual
        // way): the very same diagnostics, columns included.
        let node6 = tsc6(workspace.path(), &["api.d.ts", name]);
        let node6: Vec<(u32, u32, String, String)> = node6
            .iter()
            .filter(|d| d.file == *name)
            .map(|d| {
                // Less the setup advice codemode drops where its hint replaces it.
                let message = match d.message.find(" Do you need to ") {
                    Some(at) => d.message[..at].to_string(),
                    None => d.message.clone(),
                };
                (d.line, d.column, d.code.clone(), message)
            })
            .collect();
        let embedded: Vec<(u32, u32, String, String)> = mine
            .iter()
            .map(|d| {
                let message = d["message"].as_str().unwrap();
                (
                    d["line"].as_u64().unwrap() as u32,
                    d["column"].as_u64().unwrap() as u32,
                    format!("TS{}", d["code"]),
                    message
                        .lines()
                        .map(str::trim)
                        .collect::<Vec<_>>()
                        .join("\n"),
                )
            })
            .collect();
        assert_eq!(embedded, node6, "{name}: codemode check vs tsc 6 on Node");
        // Against the TypeScript 7 oracle: the same lines and errors (see `agrees`).
        let oracle: Vec<TscDiagnostic> = tsc(workspace.path(), &["api.d.ts", name])
            .into_iter()
            .filter(|d| d.file == *name)
            .collect();
        assert_eq!(
            said.len(),
            oracle.len(),
            "{name}: {said:#?} vs tsc 7 {oracle:#?}"
        );
        for (ours, theirs) in said.iter().zip(&oracle) {
            assert!(agrees(ours, theirs), "{name}: {ours:?} vs tsc 7 {theirs:?}");
        }

        let expected: Vec<(u32, &str, &str)> = source
            .lines()
            .filter_map(|l| l.strip_prefix("// expect: "))
            .filter(|e| *e != "clean")
            .map(|e| {
                let mut parts = e.splitn(3, ' ');
                let line = parts.next().unwrap().parse().unwrap();
                (line, parts.next().unwrap(), parts.next().unwrap_or(""))
            })
            .collect();
        assert_eq!(said.len(), expected.len(), "{name}: {said:#?}");
        for ((line, code, text), got) in expected.iter().zip(&said) {
            assert_eq!(got.0, *line, "{name}");
            assert!(
                code.split('|').any(|c| c == got.1),
                "{name}: {} is not {code}",
                got.1
            );
            assert!(
                got.2.contains(&normalised(text)),
                "{name}: {:?} lacks {text:?}",
                got.2
            );
        }
        for want in source.lines().filter_map(|l| l.strip_prefix("// hint: ")) {
            let (line, text) = want.split_once(' ').unwrap();
            let line: u64 = line.parse().unwrap();
            let hints: Vec<&str> = mine
                .iter()
                .filter(|d| d["line"] == line)
                .filter_map(|d| d["hint"].as_str())
                .collect();
            assert!(
                hints.iter().any(|h| h.contains(text)),
                "{name}:{line}: no hint with {text:?} in {hints:?}"
            );
        }
        // Advice that contradicts the sandbox (`npm i @types/node`) is not passed on.
        for unwanted in source.lines().filter_map(|l| l.strip_prefix("// lacks: ")) {
            let (line, text) = unwanted.split_once(' ').unwrap();
            let line: u64 = line.parse().unwrap();
            for d in mine.iter().filter(|d| d["line"] == line) {
                assert!(
                    !d.to_string().contains(text),
                    "{name}:{line}: {d} says {text:?}"
                );
            }
        }
        for d in &mine {
            for field in ["column", "endLine", "endColumn"] {
                assert!(d[field].as_u64().unwrap() >= 1, "{name}: {d}");
            }
            assert_eq!(d["severity"], "error");
        }
    }
    // Every fixture's file was checked; the clean one is clean.
    assert!(!ours.iter().any(|d| d["file"] == "clean.ts"));
}

#[test]
fn check_prints_diagnostics_with_the_line_and_exits_by_outcome() {
    let workspace = Workspace::new();
    workspace.write(
        "bad.ts",
        "const cities = await demo.listCitys({});\nconst f = await demo.getForecast({ city: 1 });\n",
    );
    workspace.write(
        "good.ts",
        "const c = await demo.listCities({});\nconsole.log(c.cities.length);\n",
    );
    workspace.write("empty.ts", "");
    workspace.write("syntax.ts", "const x = ;\n");

    let bad = workspace.codemode(&["check", "bad.ts"]);
    assert_eq!(bad.code, 1, "{}", bad.stderr);
    assert!(
        bad.stdout.contains(
            "bad.ts:1:27 - error TS2551: Property 'listCitys' does not exist on type 'typeof demo'. Did you mean 'listCities'?\n\n  1 | const cities = await demo.listCitys({});\n    |                           ^^^^^^^^^\n  hint: fix: Change `listCitys` to `listCities`; demo has these tools: add, echo, fail, getForecast, listCities, searchGuide, sleep\n"
        ),
        "{}",
        bad.stdout
    );
    assert!(
        bad.stdout.contains(
            "bad.ts:2:36 - error TS2322: Type 'number' is not assignable to type 'string'."
        ),
        "{}",
        bad.stdout
    );
    assert!(
        bad.stderr.contains("✗ 2 type errors in 1 of 1 script"),
        "{}",
        bad.stderr
    );

    let good = workspace.codemode(&["check", "good.ts", "empty.ts"]);
    assert_eq!(
        (good.code, good.stdout.as_str()),
        (0, ""),
        "{}",
        good.stderr
    );
    assert!(
        good.stderr
            .contains("✓ no type errors in 2 scripts against 7 tools"),
        "{}",
        good.stderr
    );
    // Against a saved API, no server started: the same tools counted.
    let saved = workspace.codemode(&["types", "-o", "api.d.ts"]);
    assert_eq!(saved.code, 0, "{}", saved.stderr);
    let offline = workspace.codemode(&["check", "--api", "api.d.ts", "good.ts"]);
    assert_eq!(offline.code, 0, "{}", offline.stderr);
    assert!(
        offline
            .stderr
            .contains("✓ no type errors in 1 script against 7 tools"),
        "{}",
        offline.stderr
    );

    let syntax = workspace.codemode(&["check", "--json", "syntax.ts"]);
    assert_eq!(syntax.code, 1);
    assert_eq!(
        syntax.json(),
        json!({"diagnostics": [{
            "file": "syntax.ts", "line": 1, "column": 11, "endLine": 1, "endColumn": 12,
            "code": 1109, "severity": "error", "message": "Expression expected."
        }], "engine": { "kind": "embedded", "version": "6.0.3" }})
    );

    let missing = workspace.codemode(&["check", "nowhere.ts"]);
    assert_eq!(missing.code, 2);
    assert!(
        missing.stderr.contains("cannot read nowhere.ts"),
        "{}",
        missing.stderr
    );
    let none = workspace.codemode(&["check"]);
    assert_eq!(none.code, 2, "{}", none.stderr);
}

#[test]
fn run_refuses_a_script_with_type_errors_and_calls_no_tool() {
    let workspace = Workspace::new();
    workspace.config(real_servers(&workspace));
    let script = "await memory.createEntities({ entities: [{ name: \"probe\", entityType: \"t\", observations: [] }] });\nconst n: number = \"not a number\";\nexport default n;\n";
    workspace.write("typed_wrong.ts", script);
    workspace.write(
        "count.ts",
        "export default (await memory.readGraph()).entities.length;\n",
    );

    let refused = workspace.codemode(&["run", "--json", "-q", "typed_wrong.ts"]);
    assert_eq!(refused.code, 1, "{}", refused.stderr);
    let report = refused.json();
    assert_eq!(report["ok"], false);
    assert_eq!(report["error"]["kind"], "type");
    assert_eq!(report["error"]["line"], 2);
    assert_eq!(report["toolCalls"], json!([]));
    assert_eq!(report["diagnostics"][0]["code"], 2322);
    assert!(report["checkMs"].as_u64().unwrap() > 0);
    let count = workspace.codemode(&["run", "--json", "-q", "count.ts"]);
    assert_eq!(
        count.json()["result"],
        0,
        "nothing was created: {}",
        count.stdout
    );

    // Human output names the error at its line, with the diagnostic.
    let human = workspace.codemode(&["run", "-q", "typed_wrong.ts"]);
    assert!(
        human.stderr.contains("typed_wrong.ts:2:7 - error TS2322"),
        "{}",
        human.stderr
    );
    assert!(
        human
            .stderr
            .contains("error[type] typed_wrong.ts:2:7: 1 type error, so the script was not run"),
        "{}",
        human.stderr
    );

    let unchecked = workspace.codemode(&["run", "--json", "-q", "--no-check", "typed_wrong.ts"]);
    assert_eq!(unchecked.code, 0, "{}", unchecked.stderr);
    assert_eq!(unchecked.json()["result"], "not a number");
    assert_eq!(unchecked.json()["checkMs"], 0);
    let count = workspace.codemode(&["run", "--json", "-q", "count.ts"]);
    assert_eq!(count.json()["result"], 1, "{}", count.stdout);
}

#[test]
fn hard_inputs_get_a_clear_answer_in_bounded_time() {
    let workspace = Workspace::new();
    // Two folders: one lets a check take 10 s, the other 300 (the default is 30).
    let config = |limit: u32| {
        format!(
            r#"{{"mcpServers": {{"demo": {{"builtin": "demo"}}}}, "codemode": {{"checkTimeout": {limit}}}}}"#
        )
    };
    workspace.write("short/codemode.json", &config(10));
    workspace.write("long/codemode.json", &config(300));

    // About 1 MB: 40,000 declarations, and one error on the last line.
    let mut big: String = (0..40_000)
        .map(|i| format!("const v{i}: number = {i};\n"))
        .collect();
    big.push_str("const last: string = 1;\n");
    assert!(big.len() > 1_000_000);
    workspace.write("long/big.ts", &big);
    let started = Instant::now();
    let run = workspace.codemode(&["check", "--json", "long/big.ts"]);
    eprintln!(
        "a {} byte script checked in {:?}",
        big.len(),
        started.elapsed()
    );
    let diagnostics = run.json()["diagnostics"].clone();
    assert_eq!(diagnostics.as_array().unwrap().len(), 1, "{diagnostics}");
    assert_eq!(
        (
            diagnostics[0]["line"].as_u64(),
            diagnostics[0]["code"].as_u64()
        ),
        (Some(40_001), Some(2322))
    );

    // Over the size limit: refused before the checker sees it.
    let huge = "// padding\n".repeat(400_000);
    workspace.write("short/huge.ts", &huge);
    let run = workspace.codemode(&["check", "short/huge.ts"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("scripts may be at most 4194304 bytes"),
        "{}",
        run.stderr
    );

    // TypeScript's own recursion limit answers this one.
    workspace.write(
        "short/deep_type.ts",
        "type Deep<T> = { a: Deep<Deep<T>>; b: T };\ndeclare const d: Deep<number>;\nconst n: string = d.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.b;\ntype Exp<T> = T extends [unknown, ...infer R] ? [Exp<R>, Exp<R>] : 0;\nconst e: Exp<[1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]> = 0;\n",
    );
    let run = workspace.codemode(&["check", "--json", "short/deep_type.ts"]);
    let codes: Vec<(u64, u64)> = run.json()["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["line"].as_u64().unwrap(), d["code"].as_u64().unwrap()))
        .collect();
    assert_eq!(codes, vec![(3, 2322), (5, 2322)]);

    // A type that takes TypeScript itself seconds (tsc 7 native: ~2.5 s; here, longer than
    // the limit): the check is stopped at the time or memory limit with a message that says
    // so, unless this machine is fast enough for TypeScript's own answer.
    workspace.write(
        "short/slow_type.ts",
        "type Nest<T, N extends unknown[] = []> = N[\"length\"] extends 5000 ? T : Nest<[T], [...N, 0]>;\nconst x: Nest<string> = \"a\";\n",
    );
    let started = Instant::now();
    let run = workspace.codemode(&["check", "short/slow_type.ts"]);
    let took = started.elapsed();
    eprintln!("the slow type was answered in {took:?}");
    assert_eq!(run.code, 1);
    let stopped = run
        .stderr
        .contains("type checking took longer than 10 s and was stopped");
    let out_of_memory = run.stderr.contains("type checking ran out of memory");
    let answered = run.stdout.contains("TS2589");
    assert!(
        stopped || out_of_memory || answered,
        "stdout: {}\nstderr: {}",
        run.stdout,
        run.stderr
    );
}
