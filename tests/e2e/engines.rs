//! The two engines behind the checker: every fixture of `tests/scripts/` checked by the
//! embedded TypeScript 6 and by TypeScript 7 (native), and by TypeScript 7's own `tsc` as the
//! oracle: the same lines, columns, codes and hints, messages differing only as
//! `differences` lists. A TypeScript 7 that dies or hangs mid-check is answered for by the
//! embedded engine within the check's deadline, leaving no process behind; the engine is
//! chosen as documented and named in what `codemode check` prints.

use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::differences::{agrees, normalised};
use crate::support::{
    self, TscDiagnostic, Workspace, codemode_in_env, deps, processes_mentioning, real_servers,
    repo, tsc,
};

/// `codemode check --json --api api.d.ts NAME` on one engine: its diagnostics and engine.
fn check(dir: &Path, name: &str, engine: &str) -> (i32, Vec<Value>, Value, String) {
    let run = codemode_in_env(
        dir,
        &["check", "--json", "--api", "api.d.ts", name],
        &[("CODEMODE_TYPESCRIPT", engine)],
    );
    if run.code == 2 {
        return (2, Vec::new(), Value::Null, run.stderr);
    }
    assert_eq!(run.code, run.code.clamp(0, 1), "{name}: {}", run.stderr);
    let document = run.json();
    (
        run.code,
        document["diagnostics"].as_array().unwrap().clone(),
        document["engine"].clone(),
        run.stderr,
    )
}

fn field(d: &Value, name: &str) -> u64 {
    d[name].as_u64().unwrap()
}

/// The fixtures of `tests/scripts/FOLDER` checked against the API of `servers`: how many
/// fixtures, and how many diagnostics and hints the engines agreed on.
fn compare(folder: &str, servers: Value) -> (usize, usize, usize) {
    let (mut diagnostics, mut hints) = (0, 0);
    let workspace = Workspace::new();
    workspace.config(servers);
    let types = workspace.codemode(&["types", "-o", "api.d.ts", "--quiet"]);
    assert_eq!(types.code, 0, "{}", types.stderr);
    let fixtures = repo().join("tests/scripts").join(folder);
    let names = support::fixtures(folder);
    let tsgo = deps().tsgo().display().to_string();
    for name in &names {
        let text = std::fs::read_to_string(fixtures.join(name)).unwrap();
        workspace.write(name, &text);
        let (code6, six, engine6, stderr6) = check(workspace.path(), name, "embedded");
        let (code7, seven, engine7, stderr7) = check(workspace.path(), name, &tsgo);
        assert_eq!(code6, code7, "{folder}/{name}: {stderr6}\n{stderr7}");
        if code6 == 2 {
            // Refused before any engine saw it (a limit): the same words from both.
            let reason = |s: &str| s.lines().last().unwrap_or_default().to_string();
            assert_eq!(reason(&stderr6), reason(&stderr7), "{folder}/{name}");
            continue;
        }
        assert_eq!(engine6["kind"], "embedded", "{folder}/{name}");
        assert_eq!(engine7["kind"], "native", "{folder}/{name}: {stderr7}");
        assert_eq!(
            six.len(),
            seven.len(),
            "{folder}/{name}: {six:#?}\n{seven:#?}"
        );
        diagnostics += six.len();
        hints += six.iter().filter(|d| d["hint"].is_string()).count();
        for (a, b) in six.iter().zip(&seven) {
            for key in ["line", "column", "endLine", "endColumn"] {
                assert_eq!(a[key], b[key], "{folder}/{name}: {key} of {a} vs {b}");
            }
            assert_eq!(a["hint"], b["hint"], "{folder}/{name}: hints of {a} vs {b}");
            let said = (
                field(a, "line") as u32,
                format!("TS{}", a["code"]),
                normalised(a["message"].as_str().unwrap()),
            );
            let native = TscDiagnostic {
                file: name.clone(),
                line: field(b, "line") as u32,
                column: field(b, "column") as u32,
                code: format!("TS{}", b["code"]),
                message: b["message"].as_str().unwrap().to_string(),
            };
            assert!(agrees(&said, &native), "{folder}/{name}: {a} vs {b}");
        }
        // The native engine says what TypeScript 7's own tsc says, to the column.
        let oracle: Vec<(u64, u64, String, String)> = tsc(workspace.path(), &["api.d.ts", name])
            .into_iter()
            .filter(|d| d.file == *name)
            .map(|d| {
                (
                    d.line.into(),
                    d.column.into(),
                    d.code,
                    normalised(&d.message),
                )
            })
            .collect();
        let native: Vec<(u64, u64, String, String)> = seven
            .iter()
            .map(|d| {
                (
                    field(d, "line"),
                    field(d, "column"),
                    format!("TS{}", d["code"]),
                    normalised(d["message"].as_str().unwrap()),
                )
            })
            .collect();
        assert_eq!(native, oracle, "{folder}/{name}: native vs tsc 7");
    }
    (names.len(), diagnostics, hints)
}

#[test]
fn both_engines_and_typescript_7_agree_on_every_fixture() {
    let demo = json!({ "demo": { "builtin": "demo" } });
    let workspace = Workspace::new();
    let folders = [
        compare("", demo.clone()),
        compare("attacks", demo),
        compare("real-servers", real_servers(&workspace)),
    ];
    let (fixtures, diagnostics, hints) = folders
        .iter()
        .fold((0, 0, 0), |t, f| (t.0 + f.0, t.1 + f.1, t.2 + f.2));
    eprintln!("{fixtures} fixtures: {diagnostics} diagnostics, {hints} hints the same");
    assert!(fixtures >= 50, "only {fixtures} fixtures");
    assert!(
        diagnostics >= 15 && hints >= 8,
        "{diagnostics} diagnostics, {hints} hints"
    );
}

/// A `tsc` that passes messages to the real one until it is asked for diagnostics, then
/// dies or hangs (`tests/fixtures/faulty_tsgo.py`).
fn faulty(workspace: &Workspace, mode: &str) -> String {
    let python = std::process::Command::new("python3")
        .args(["-c", "import sys; print(sys.executable)"])
        .output()
        .unwrap();
    let python = String::from_utf8(python.stdout).unwrap();
    let script = format!(
        "#!/bin/sh\nexec {} {} {mode} {} \"$@\"\n",
        python.trim(),
        repo().join("tests/fixtures/faulty_tsgo.py").display(),
        deps().tsgo().display()
    );
    let path = workspace.write(&format!("faulty-{mode}"), &script);
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path.display().to_string()
}

#[test]
fn a_typescript_7_that_dies_or_hangs_is_answered_for_by_the_embedded_engine() {
    let workspace = Workspace::new();
    let limit = 6;
    workspace.write(
        "codemode.json",
        &json!({ "mcpServers": { "demo": { "builtin": "demo" } }, "codemode": { "checkTimeout": limit } })
            .to_string(),
    );
    workspace.write(
        "bad.ts",
        "const c = await demo.listCitys({});\nconst f = await demo.getForecast({ city: 1 });\n",
    );
    let types = workspace.codemode(&["types", "-o", "api.d.ts", "--quiet"]);
    assert_eq!(types.code, 0, "{}", types.stderr);
    let (_, expected, _, _) = check(workspace.path(), "bad.ts", "embedded");
    assert_eq!(expected.len(), 2);

    for (mode, why) in [
        ("die", "TypeScript 7 exited"),
        ("hang", "did not answer in time"),
    ] {
        let binary = faulty(&workspace, mode);
        let started = Instant::now();
        let (code, found, engine, stderr) = check(workspace.path(), "bad.ts", &binary);
        let took = started.elapsed();
        assert_eq!(code, 1, "{mode}: {stderr}");
        assert_eq!(found, expected, "{mode}: the embedded engine's answer");
        assert_eq!(engine["kind"], "embedded", "{mode}: {engine}");
        assert!(
            engine["note"].as_str().unwrap().contains(why),
            "{mode}: {engine}"
        );
        assert!(
            stderr.contains("the embedded TypeScript 6.0.3 answers"),
            "{mode}: {stderr}"
        );
        assert!(took < Duration::from_secs(limit), "{mode}: took {took:?}");
        // Nothing of it is left running.
        std::thread::sleep(Duration::from_millis(300));
        assert_eq!(processes_mentioning(&binary), Vec::<u32>::new(), "{mode}");
    }
}

#[test]
fn the_engine_is_chosen_from_the_setting_node_modules_and_path() {
    let workspace = Workspace::new();
    workspace.config(json!({ "demo": { "builtin": "demo" } }));
    workspace.write("ok.ts", "const c = await demo.listCities({});\n");
    let types = workspace.codemode(&["types", "-o", "api.d.ts", "--quiet"]);
    assert_eq!(types.code, 0, "{}", types.stderr);
    let tsgo = deps().tsgo();
    let engine_of = |env: &[(&str, &str)]| {
        let run = codemode_in_env(
            workspace.path(),
            &["check", "--json", "--api", "api.d.ts", "ok.ts"],
            env,
        );
        assert_eq!(run.code, 0, "{env:?}: {}", run.stderr);
        (run.json()["engine"].clone(), run.stderr)
    };
    let empty_path = workspace.path().join("no-bin");
    std::fs::create_dir_all(&empty_path).unwrap();
    let empty_path = empty_path.display().to_string();

    // Nothing found: embedded, without a note.
    let (engine, _) = engine_of(&[("PATH", &empty_path)]);
    assert_eq!(engine, json!({ "kind": "embedded", "version": "6.0.3" }));

    // The setting, to the binary.
    let (engine, stderr) = engine_of(&[("CODEMODE_TYPESCRIPT", &tsgo.display().to_string())]);
    assert_eq!(engine["kind"], "native", "{stderr}");
    assert_eq!(engine["version"], "7.0.2");
    assert!(stderr.contains("(TypeScript 7.0.2 (native)"), "{stderr}");

    // A project's node_modules, from a folder below it.
    let package = tsgo.parent().unwrap().parent().unwrap();
    let scoped = workspace.path().join("node_modules/@typescript");
    std::fs::create_dir_all(&scoped).unwrap();
    std::os::unix::fs::symlink(package, scoped.join(package.file_name().unwrap())).unwrap();
    let (engine, _) = engine_of(&[("PATH", &empty_path)]);
    assert_eq!(engine["kind"], "native");
    assert!(
        engine["binary"]
            .as_str()
            .unwrap()
            .contains("node_modules/@typescript"),
        "{engine}"
    );
    // ... unless the setting says embedded.
    let (engine, _) = engine_of(&[("PATH", &empty_path), ("CODEMODE_TYPESCRIPT", "embedded")]);
    assert_eq!(engine["kind"], "embedded");
    std::fs::remove_dir_all(workspace.path().join("node_modules")).unwrap();

    // PATH: a `tsc` that is TypeScript 6 is passed over quietly; a 7 outside the tested
    // range with a note; a 7 inside it is used.
    let bin = workspace.path().join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let fake = |name: &str, version: &str| {
        let path = bin.join(name);
        std::fs::write(&path, format!("#!/bin/sh\necho 'Version {version}'\n")).unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    };
    let on_path = format!("{}:/usr/bin:/bin", bin.display());
    fake("tsc", "6.0.3");
    let (engine, _) = engine_of(&[("PATH", &on_path)]);
    assert_eq!(engine, json!({ "kind": "embedded", "version": "6.0.3" }));
    fake("tsc", "7.9.0");
    let (engine, stderr) = engine_of(&[("PATH", &on_path)]);
    assert_eq!(engine["kind"], "embedded");
    assert!(
        engine["note"]
            .as_str()
            .unwrap()
            .contains("TypeScript 7.9.0, outside the tested 7.0–7.1"),
        "{engine}"
    );
    assert!(
        stderr.contains("checking with the embedded TypeScript 6.0.3"),
        "{stderr}"
    );
    std::os::unix::fs::symlink(&tsgo, bin.join("tsgo")).unwrap();
    let (engine, _) = engine_of(&[("PATH", &on_path)]);
    assert_eq!(engine["kind"], "native", "{engine}");

    // npm's `tsc` (a Node script) on PATH: TypeScript 7's is replaced by its platform
    // binary; TypeScript 6's is passed over quietly.
    let npm_bin = deps().node_modules.join(".bin").display().to_string();
    let (engine, _) = engine_of(&[("PATH", &npm_bin)]);
    assert_eq!(engine["kind"], "native", "{engine}");
    let used = Path::new(engine["binary"].as_str().unwrap())
        .canonicalize()
        .unwrap();
    assert_eq!(used, tsgo.canonicalize().unwrap());
    let six = workspace.path().join("six");
    std::fs::create_dir_all(&six).unwrap();
    std::os::unix::fs::symlink(
        deps().node_modules.join("typescript6/bin/tsc"),
        six.join("tsc"),
    )
    .unwrap();
    let (engine, _) = engine_of(&[("PATH", &six.display().to_string())]);
    assert_eq!(engine, json!({ "kind": "embedded", "version": "6.0.3" }));

    // A setting that names no TypeScript 7: embedded, saying why.
    let (engine, _) = engine_of(&[("CODEMODE_TYPESCRIPT", "/nowhere/tsc")]);
    assert_eq!(engine["kind"], "embedded");
    assert!(
        engine["note"]
            .as_str()
            .unwrap()
            .starts_with("CODEMODE_TYPESCRIPT=/nowhere/tsc: cannot run it"),
        "{engine}"
    );
}
