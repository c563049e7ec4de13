//! The checker against the demo server's generated API: what a model most often gets wrong,
//! and what a hostile or broken script does to the checker.

use std::time::Duration;

use super::*;
use crate::catalog::{ServerTools, ToolList};
use crate::codegen;

fn demo_api() -> String {
    let list: ToolList =
        serde_json::from_str(include_str!("../../../tests/corpus/schemas/demo.json")).unwrap();
    codegen::generate(&[ServerTools {
        server: "demo".into(),
        tools: list.tools,
        ..Default::default()
    }])
    .api
}

fn script(text: &str) -> Vec<Script> {
    vec![Script {
        file: "script.ts".into(),
        text: text.into(),
    }]
}

fn check(checker: &Checker, api: &str, text: &str) -> Result<Vec<Diagnostic>, CheckError> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(checker.check(api, &script(text), Duration::from_secs(60)))
}

fn codes(diagnostics: &[Diagnostic]) -> Vec<(u32, u32)> {
    diagnostics.iter().map(|d| (d.line, d.code)).collect()
}

#[test]
fn clean_and_wrong_scripts() {
    let checker = Checker::embedded();
    let api = demo_api();
    let clean = "const c = await demo.listCities({});\nconsole.log(c.cities.length);\n";
    assert_eq!(check(&checker, &api, clean).unwrap(), vec![]);

    let wrong =
        "const c = await demo.listCitys({});\nconst f = await demo.getForecast({ city: 1 });\n";
    let found = check(&checker, &api, wrong).unwrap();
    assert_eq!(codes(&found), vec![(1, 2551), (2, 2322)], "{found:#?}");
    assert!(found[0].message.contains("Did you mean 'listCities'?"));
    let hint = found[0].hint.as_deref().unwrap();
    assert!(
        hint.contains("demo has these tools:") && hint.contains("getForecast"),
        "{hint}"
    );
    let hint = found[1].hint.as_deref().unwrap();
    assert!(
        hint.starts_with("demo.getForecast takes { city: string"),
        "{hint}"
    );
    assert_eq!((found[1].column, found[1].end_column), (36, 40));

    // Hints that list names are for the generated API; the script's own types keep
    // TypeScript's message, and its "Did you mean" as the fix.
    let own = check(
        &checker,
        &api,
        "const mine = { total: 1 };\nconsole.log(mine.totl);\n",
    )
    .unwrap();
    assert_eq!(codes(&own), vec![(2, 2551)]);
    assert_eq!(
        own[0].hint.as_deref(),
        Some("fix: Change `totl` to `total`")
    );

    let rendered = render(&found, |_| Some(wrong));
    assert!(
        rendered.contains("script.ts:1:22 - error TS2551: Property 'listCitys' does not exist"),
        "{rendered}"
    );
    assert!(
        rendered.contains(
            "  1 | const c = await demo.listCitys({});\n    |                      ^^^^^^^^^\n"
        ),
        "{rendered}"
    );
}

#[test]
fn faults_leave_a_working_checker() {
    let checker = Checker::embedded();
    let api = demo_api();
    let syntax = check(&checker, &api, "const x = ;\n").unwrap();
    assert_eq!(codes(&syntax), vec![(1, 1109)]);
    assert_eq!(check(&checker, &api, "").unwrap(), vec![]);
    let deep = format!("const x = {}1{};\n", "[".repeat(600), "]".repeat(600));
    assert!(matches!(
        check(&checker, &api, &deep),
        Err(CheckError::Limit { .. })
    ));
    // A triple-slash directive would bring the DOM's types (or read a file): refused, at
    // its line, before the engine sees the script.
    let dom = check(
        &checker,
        &api,
        "const a = 1;\n/// <reference lib=\"dom\" />\ndocument.title = 'x';\n",
    );
    let Err(CheckError::Limit {
        line,
        column,
        message,
        ..
    }) = dom
    else {
        panic!("a directive is refused: {dom:?}");
    };
    assert_eq!((line, column), (2, 1));
    assert!(
        message.starts_with("triple-slash directives are not allowed"),
        "{message}"
    );
    // The deadline stops a check, and the next check gets a fresh language service.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let slow = runtime.block_on(checker.check(&api, &script("const a = 1;\n"), Duration::ZERO));
    assert_eq!(slow, Err(CheckError::Timeout(Duration::ZERO)));
    assert_eq!(
        check(&checker, &api, "const a: number = 1;\n").unwrap(),
        vec![]
    );
}

#[test]
fn dropping_a_check_cancels_it() {
    let checker = Checker::embedded();
    let api = demo_api();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    // Takes TypeScript many seconds (TS2589 in the end).
    let slow = "type Nest<T, N extends unknown[] = []> = N[\"length\"] extends 5000 ? T : Nest<[T], [...N, 0]>;\nconst x: Nest<string> = \"a\";\n";
    let started = std::time::Instant::now();
    let gave_up = runtime.block_on(async {
        tokio::time::timeout(
            Duration::from_millis(1500),
            checker.check(&api, &script(slow), Duration::from_secs(600)),
        )
        .await
    });
    assert!(gave_up.is_err(), "the slow check finished: {gave_up:?}");
    // The cancelled check stops, and the next one is answered.
    assert_eq!(
        check(&checker, &api, "const a: number = 1;\n").unwrap(),
        vec![]
    );
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "the cancelled check was not stopped: {:?}",
        started.elapsed()
    );
}

#[test]
fn language_questions() {
    let checker = Checker::embedded();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let time = Duration::from_secs(60);
    // An astral character before the cursor: positions count UTF-16 code units.
    let text = "const s = \"𝄞\"; const c = await demo.listCities({});\nconst f = await demo.\n";
    let program = Program {
        api: Arc::from(demo_api()),
        scripts: vec![
            Source::new(
                7,
                "other.mcp.ts",
                Arc::from("export const x: number = 'no';\n"),
            ),
            Source::new(3, "a.mcp.ts", Arc::from(text)),
        ],
    };
    let at = |line, character| Position { line, character };
    runtime.block_on(async {
        let completions = checker
            .completions(&program, 1, at(1, 21), true, time)
            .await
            .unwrap();
        let names: Vec<&str> = completions.items.iter().map(|c| c.name.as_str()).collect();
        assert!(
            names.contains(&"listCities") && names.contains(&"getForecast"),
            "{names:?}"
        );
        let forecast = completions
            .items
            .iter()
            .find(|c| c.name == "getForecast")
            .unwrap();
        let details = forecast
            .details
            .as_ref()
            .expect("short lists come with details");
        assert!(
            details
                .documentation
                .contains("Weather forecast for a city"),
            "{details:?}"
        );
        assert!(
            details
                .detail
                .starts_with("function demo.getForecast(input: { city: string; days?: number;"),
            "{details:?}"
        );

        // `listCities` starts at UTF-16 column 37 of line 0 (the clef is two code units).
        let hover = checker
            .hover(&program, 1, at(0, 40), time)
            .await
            .unwrap()
            .unwrap();
        assert!(hover.display.contains("listCities"), "{hover:?}");
        assert_eq!(hover.range.start, at(0, 37));

        let found = checker
            .definition(&program, 1, at(0, 40), time)
            .await
            .unwrap();
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].place, Place::Api);
        let api_line = program
            .api
            .lines()
            .nth(found[0].range.start.line as usize)
            .unwrap();
        assert!(api_line.contains("function listCities"), "{api_line}");

        let help = checker
            .signature_help(&program, 1, at(0, 49), time)
            .await
            .unwrap()
            .unwrap();
        assert!(
            help.signatures[0]
                .label
                .starts_with("listCities(input?: Record<string, never>)"),
            "{help:?}"
        );

        let symbols = checker.symbols(&program, 1, time).await.unwrap();
        let names: Vec<&str> = symbols.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["c", "f", "s"]);

        // Only the target's diagnostics, named by its file.
        let found = checker
            .diagnostics(&program, 0, Reporting::ParseFirst, time, None)
            .await
            .unwrap();
        assert_eq!(codes(&found), vec![(1, 2322)]);
        assert_eq!(found[0].file, "other.mcp.ts");
        let found = checker
            .diagnostics(&program, 1, Reporting::ParseFirst, time, None)
            .await
            .unwrap();
        assert_eq!(codes(&found), vec![(2, 1003)], "{found:?}");
    });
}

/// A check cancelled by a newer edit stops long before it would end (about ten seconds
/// here), at one of TypeScript's safe points or after a short grace, and the engine stays
/// loaded: the next question needs no reload, and is answered right.
#[test]
fn a_superseded_check_stops_and_keeps_the_engine() {
    let checker = Checker::embedded();
    let api = demo_api();
    assert_eq!(
        check(&checker, &api, "const a: number = 1;\n").unwrap(),
        vec![]
    );
    let loads = checker.engine_embedded().loads();
    let text: String = (0..2000)
        .map(|n| {
            format!(
                "function f{n}(x: number) {{ return [x, {n}].map((y) => y * 2).filter((z) => z > 1).reduce((a, b) => a + b, 0); }}\n"
            )
        })
        .collect();
    let program = Program {
        api: Arc::from(api.as_str()),
        scripts: vec![Source::new(0, "long.mcp.ts", Arc::from(text))],
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let stop = tokio_util::sync::CancellationToken::new();
    let stopped = runtime.block_on(async {
        let cancel = async {
            tokio::time::sleep(Duration::from_millis(400)).await;
            stop.cancel();
            std::future::pending::<()>().await
        };
        let checked = checker.diagnostics(
            &program,
            0,
            Reporting::Together,
            Duration::from_secs(600),
            Some(&stop),
        );
        tokio::select! {
            checked = checked => checked,
            () = cancel => unreachable!(),
        }
    });
    assert_eq!(stopped, Err(CheckError::Cancelled));
    assert_eq!(
        checker.engine_embedded().loads(),
        loads,
        "the engine was reloaded"
    );
    assert_eq!(
        check(&checker, &api, "const b: string = 2;\n")
            .unwrap()
            .len(),
        1
    );
    assert_eq!(checker.engine_embedded().loads(), loads);
}

/// The global values a declaration file declares: its `declare var`/`const`/`function`/
/// `class`, and the namespaces that hold a value (a namespace of types only is no value).
fn declared_values(text: &str) -> std::collections::BTreeSet<String> {
    use oxc_ast::ast::{BindingPattern, Statement, TSNamespaceDeclarationBody};
    fn holds_a_value(body: &TSNamespaceDeclarationBody<'_>) -> bool {
        match body {
            TSNamespaceDeclarationBody::TSNamespaceDeclaration(inner) => holds_a_value(&inner.body),
            TSNamespaceDeclarationBody::TSModuleBlock(block) => block.body.iter().any(|s| {
                !matches!(
                    s,
                    Statement::TSInterfaceDeclaration(_) | Statement::TSTypeAliasDeclaration(_)
                )
            }),
        }
    }
    let allocator = oxc_allocator::Allocator::default();
    let parsed = oxc_parser::Parser::new(&allocator, text, oxc_span::SourceType::d_ts()).parse();
    assert!(
        parsed.diagnostics.is_empty(),
        "{:?}",
        parsed.diagnostics.first()
    );
    let mut names = std::collections::BTreeSet::new();
    for statement in &parsed.program.body {
        match statement {
            Statement::VariableDeclaration(declaration) => {
                for declarator in &declaration.declarations {
                    if let BindingPattern::BindingIdentifier(id) = &declarator.id {
                        names.insert(id.name.to_string());
                    }
                }
            }
            Statement::FunctionDeclaration(function) => {
                names.extend(function.id.as_ref().map(|id| id.name.to_string()));
            }
            Statement::ClassDeclaration(class) => {
                names.extend(class.id.as_ref().map(|id| id.name.to_string()));
            }
            Statement::TSNamespaceDeclaration(namespace) if holds_a_value(&namespace.body) => {
                names.insert(namespace.id.name.to_string());
            }
            _ => {}
        }
    }
    names
}

#[test]
fn the_lib_declares_only_what_the_sandbox_has() {
    let golden: std::collections::BTreeSet<String> =
        include_str!("../../../tests/scripts/globals.golden")
            .lines()
            .filter(|line| !line.is_empty() && !line.starts_with('#'))
            .map(String::from)
            .collect();
    let lib = declared_values(LIB.1);
    let prelude = declared_values(codegen::PRELUDE);
    // A value the lib types that a script would not find at run time.
    let missing: Vec<&String> = lib.iter().filter(|n| !golden.contains(*n)).collect();
    assert!(
        missing.is_empty(),
        "the lib declares what the sandbox lacks: {missing:?}"
    );
    assert!(lib.contains("Array") && lib.contains("Reflect") && !lib.contains("Intl"));
    // What the sandbox has that neither the lib nor the prelude declares: the language's own
    // names, the API's namespace (the golden list is the demo's), and QuickJS-ng's built-ins
    // beyond ECMAScript 2023, which scripts may use untyped. A change here is a change to
    // what the sandbox offers: review it with the golden list.
    let untyped: Vec<&str> = golden
        .iter()
        .filter(|n| !lib.contains(*n) && !prelude.contains(*n))
        .map(String::as_str)
        .collect();
    assert_eq!(
        untyped,
        [
            "AsyncDisposableStack",
            "DisposableStack",
            "Float16Array",
            "InternalError",
            "Iterator",
            "SuppressedError",
            "demo",
            "globalThis",
            "undefined"
        ]
    );
}

#[test]
fn the_names_a_script_refers_to_are_read_off_its_syntax() {
    let names = |text: &str| -> Vec<String> {
        let mut found: Vec<String> = super::syntax::referenced_names(text)
            .unwrap()
            .into_iter()
            .collect();
        found.sort();
        found
    };
    assert_eq!(
        names("const r = await memory.readGraph({});\nlet t: time.Zone;\nexport default r;"),
        ["memory", "r", "time"]
    );
    // A name only written as a property or a string is not a reference.
    assert_eq!(
        names("const o = { memory: 1 }; const s = 'git'; export default o.memory + s;"),
        ["o", "s"]
    );
    assert_eq!(
        names("const ns = (globalThis as any)['git'];"),
        ["globalThis"]
    );
    assert_eq!(super::syntax::referenced_names("const = ;"), None);
}
