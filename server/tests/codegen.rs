//! Snapshot tests of the generator over a corpus of real `tools/list` answers (dumped from
//! real MCP servers) and hostile ones, plus a property test: for any schema the generator is
//! total and its output parses as TypeScript.
//!
//! Refresh the snapshots with `UPDATE_EXPECT=1 cargo test --test codegen` and review the diff.
//! The end-to-end suite also compiles every snapshot with the real TypeScript compiler.

use std::path::{Path, PathBuf};

use codemode::catalog::{ServerTools, ToolInfo, ToolList};
use codemode::codegen;
use proptest::prelude::*;

#[path = "../../tests/strategies/catalog.rs"]
mod catalog;
use catalog::{name, tool};
use serde_json::json;

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/corpus")
}

/// Declarations and warnings of one corpus file, as its snapshot holds them.
fn snapshot_of(name: &str, list: ToolList) -> String {
    let generated = codegen::generate(&[ServerTools {
        server: name.to_string(),
        tools: list.tools,
        ..Default::default()
    }]);
    let mut text = generated.api;
    for warning in &generated.warnings {
        text.push_str(&format!(
            "// warning: {}\n",
            warning.replace(['\n', '\r'], " ")
        ));
    }
    text
}

#[test]
fn corpus_snapshots() {
    let mut seen = 0;
    let mut entries: Vec<_> = std::fs::read_dir(corpus().join("schemas"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for path in entries {
        let name = path.file_stem().unwrap().to_str().unwrap().to_string();
        let list: ToolList = serde_json::from_str(&std::fs::read_to_string(&path).unwrap())
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let snapshot = corpus().join("generated").join(format!("{name}.d.ts"));
        expect_test::expect_file![snapshot].assert_eq(&snapshot_of(&name, list));
        seen += 1;
    }
    assert!(seen >= 6, "the corpus has {seen} files");
}

#[test]
fn generation_is_deterministic_and_order_independent_for_names() {
    let list: ToolList = serde_json::from_str(
        &std::fs::read_to_string(corpus().join("schemas/hostile.json")).unwrap(),
    )
    .unwrap();
    let once = snapshot_of("hostile", list.clone());
    assert_eq!(once, snapshot_of("hostile", list.clone()));
    let mut reversed = list.clone();
    reversed.tools.reverse();
    let index = codegen::index(&[ServerTools {
        server: "h".into(),
        tools: reversed.tools,
        ..Default::default()
    }]);
    let forward = codegen::index(&[ServerTools {
        server: "h".into(),
        tools: list.tools,
        ..Default::default()
    }]);
    for entry in &forward.servers[0].tools {
        let other = index.servers[0]
            .tools
            .iter()
            .find(|t| t.tool == entry.tool)
            .unwrap();
        assert_eq!(entry.function, other.function, "{}", entry.tool);
    }
}

/// Parses TypeScript declarations with oxc; the errors, if any.
fn parse_errors(source: &str) -> Vec<String> {
    let allocator = oxc_allocator::Allocator::default();
    let source_type = oxc_span::SourceType::d_ts();
    let parsed = oxc_parser::Parser::new(&allocator, source, source_type).parse();
    parsed.diagnostics.iter().map(|e| e.to_string()).collect()
}

#[test]
fn the_prelude_and_corpus_output_parse() {
    assert_eq!(parse_errors(codegen::PRELUDE), Vec::<String>::new());
    let list: ToolList = serde_json::from_str(
        &std::fs::read_to_string(corpus().join("schemas/hostile.json")).unwrap(),
    )
    .unwrap();
    let tools = list.tools.len();
    let text = snapshot_of("hostile", list);
    assert_eq!(parse_errors(&text), Vec::<String>::new());
    // Nothing a server wrote escaped its comment or string: the file declares one namespace
    // holding one function per tool and otherwise only types.
    let shape = declaration_shape(&text);
    assert_eq!(shape.len(), 1, "{shape:?}");
    assert_eq!(shape[0].0, "hostile");
    let functions = shape[0].1.iter().filter(|kind| *kind == "function").count();
    assert_eq!(functions, tools);
    assert!(
        shape[0]
            .1
            .iter()
            .all(|k| ["function", "interface", "type"].contains(&k.as_str()))
    );
}

/// The top-level namespaces of a declaration file and the kinds of their statements.
fn declaration_shape(source: &str) -> Vec<(String, Vec<String>)> {
    use oxc_ast::ast::{Statement, TSNamespaceDeclarationBody};
    let allocator = oxc_allocator::Allocator::default();
    let parsed = oxc_parser::Parser::new(&allocator, source, oxc_span::SourceType::d_ts()).parse();
    parsed
        .program
        .body
        .iter()
        .map(|statement| match statement {
            Statement::TSNamespaceDeclaration(module) => {
                let kinds = match &module.body {
                    TSNamespaceDeclarationBody::TSModuleBlock(block) => block
                        .body
                        .iter()
                        .map(|s| match s {
                            Statement::FunctionDeclaration(_) => "function",
                            Statement::TSInterfaceDeclaration(_) => "interface",
                            Statement::TSTypeAliasDeclaration(_) => "type",
                            _ => "other",
                        })
                        .map(str::to_string)
                        .collect(),
                    _ => vec!["other".to_string()],
                };
                (module.id.to_string(), kinds)
            }
            _ => ("<not a namespace>".to_string(), Vec::new()),
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn any_catalog_generates_declarations_that_parse(
        servers in prop::collection::vec((name(), prop::collection::vec(tool(), 0..5)), 1..4)
    ) {
        let servers: Vec<ServerTools> = servers
            .into_iter()
            .map(|(server, tools)| ServerTools { server, tools, ..Default::default() })
            .collect();
        let generated = codegen::generate(&servers);
        let errors = parse_errors(&generated.declarations());
        prop_assert!(errors.is_empty(), "{errors:?}\n{}", generated.api);
        // Every tool has a distinct function in its namespace.
        for server in &generated.index.servers {
            let mut functions: Vec<_> = server.tools.iter().map(|t| &t.function).collect();
            functions.sort();
            functions.dedup();
            prop_assert_eq!(functions.len(), server.tools.len());
        }
    }
}

/// An excerpt (the declarations of some tools only, what `codemode serve` shows a model)
/// names no type it does not declare: for every tool of every corpus file, the names left
/// unresolved in the excerpt of that tool are among those of the whole file (the globals
/// of the prelude and TypeScript's libs).
#[test]
fn excerpts_declare_every_type_their_tools_need() {
    let mut checked = 0;
    for entry in std::fs::read_dir(corpus().join("schemas")).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_stem().unwrap().to_str().unwrap().to_string();
        let list: ToolList =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let generated = codegen::generate(&[ServerTools {
            server: name.clone(),
            tools: list.tools,
            ..Default::default()
        }]);
        let globals = unresolved(&generated.api);
        let all: Vec<(usize, usize)> = (0..generated.index.servers[0].tools.len())
            .map(|tool| (0, tool))
            .collect();
        assert_eq!(
            generated.excerpt(&all),
            generated.api.split_once("\n\n").unwrap().1,
            "{name}: the excerpt of every tool is the namespace as generated"
        );
        for tool in all {
            let excerpt = generated.excerpt(&[tool]);
            assert_eq!(parse_errors(&excerpt), Vec::<String>::new(), "{excerpt}");
            let missing: Vec<String> = unresolved(&excerpt)
                .into_iter()
                .filter(|n| !globals.contains(n))
                .collect();
            assert_eq!(missing, Vec::<String>::new(), "{name}: {excerpt}");
            let function = &generated.index.servers[0].tools[tool.1].function;
            assert!(excerpt.contains(&format!("function {function}(")));
            checked += 1;
        }
    }
    assert!(checked > 60, "{checked} tools");
}

#[test]
fn excerpt_of_two_tools() {
    let list: ToolList = serde_json::from_str(
        &std::fs::read_to_string(corpus().join("schemas/filesystem.json")).unwrap(),
    )
    .unwrap();
    let generated = codegen::generate(&[ServerTools {
        server: "filesystem".into(),
        tools: list.tools,
        ..Default::default()
    }]);
    let tool = |name: &str| {
        let index = generated.index.servers[0]
            .tools
            .iter()
            .position(|t| t.tool == name)
            .unwrap();
        (0, index)
    };
    expect_test::expect_file!["../../tests/corpus/generated/excerpt.d.ts"]
        .assert_eq(&generated.excerpt(&[tool("list_directory_with_sizes"), tool("edit_file")]));
}

/// The names a declaration file refers to but does not declare.
fn unresolved(source: &str) -> std::collections::BTreeSet<String> {
    let allocator = oxc_allocator::Allocator::default();
    let parsed = oxc_parser::Parser::new(&allocator, source, oxc_span::SourceType::d_ts()).parse();
    let semantic = oxc_semantic::SemanticBuilder::new()
        .build(&parsed.program)
        .semantic;
    semantic
        .scoping()
        .root_unresolved_references()
        .keys()
        .map(|name| name.to_string())
        .collect()
}

/// Found by `tests/e2e/fuzz.rs`: a name with a combining mark (which continues an
/// identifier) kept its function but lost the types it refers to.
#[test]
fn names_with_combining_marks_keep_their_types() {
    let tool: ToolInfo = serde_json::from_value(json!({
        "name": "\u{1bc9d}",
        "inputSchema": {"type": "object", "properties": {"a": {"type": "string"}}, "required": ["a"]},
        "outputSchema": {"type": "object", "properties": {"b": {"type": "number"}}}
    }))
    .unwrap();
    let generated = codegen::generate(&[ServerTools {
        server: "a".into(),
        tools: vec![tool],
        ..Default::default()
    }]);
    assert!(
        generated
            .api
            .contains("(input: { a: string }): Promise<T\u{1bc9d}Output>;"),
        "the function lost its types:\n{}",
        generated.api
    );
    let excerpt = generated.excerpt(&[(0, 0)]);
    assert!(
        excerpt.contains("interface T\u{1bc9d}Output "),
        "the excerpt does not declare the output:\n{excerpt}"
    );
}

/// The JSON a `tools/list` answer spends on what the declarations replace: each tool's name,
/// description, input and output schema, compact.
fn schema_json(list: &ToolList) -> String {
    let tools: Vec<serde_json::Value> = list
        .tools
        .iter()
        .map(|tool| {
            let mut entry = json!({ "name": tool.name, "inputSchema": tool.input_schema });
            if let Some(description) = &tool.description {
                entry["description"] = json!(description);
            }
            if let Some(output) = &tool.output_schema {
                entry["outputSchema"] = output.clone();
            }
            entry
        })
        .collect();
    serde_json::to_string(&tools).unwrap()
}

/// Code Mode's promise is that a model reads less: for every catalog of the corpus, the
/// generated declarations cost at most 0.75× the tokens (o200k, GPT-4o's encoding) of the
/// JSON schemas they replace. Prints the figures (to stderr; `--nocapture`).
#[test]
fn declarations_cost_fewer_tokens_than_the_schemas_they_replace() {
    let bpe = tiktoken_rs::o200k_base().unwrap();
    let tokens = |text: &str| bpe.encode_ordinary(text).len();
    let mut entries: Vec<_> = std::fs::read_dir(corpus().join("schemas"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    let mut over = Vec::new();
    eprintln!(
        "{:<12} {:>6} {:>8} {:>8} {:>6}",
        "catalog", "tools", "json", "d.ts", "ratio"
    );
    for path in entries {
        let name = path.file_stem().unwrap().to_str().unwrap().to_string();
        let list: ToolList =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let json = tokens(&schema_json(&list));
        let count = list.tools.len();
        let generated = codegen::generate(&[ServerTools {
            server: name.clone(),
            tools: list.tools,
            ..Default::default()
        }]);
        let declarations = tokens(&generated.api);
        let ratio = declarations as f64 / json as f64;
        eprintln!("{name:<12} {count:>6} {json:>8} {declarations:>8} {ratio:>6.3}");
        if ratio > 0.75 {
            over.push(format!("{name}: {ratio:.2}"));
        }
    }
    assert!(
        over.is_empty(),
        "declarations above 0.75× their JSON: {over:?}"
    );
}

/// What a list of search hits shows of each tool: one line, no docs, long inputs outlined.
#[test]
fn signatures_are_one_line_outlines() {
    let mut text = String::new();
    for name in ["memory", "notion"] {
        let list: ToolList = serde_json::from_str(
            &std::fs::read_to_string(corpus().join(format!("schemas/{name}.json"))).unwrap(),
        )
        .unwrap();
        let count = list.tools.len();
        let generated = codegen::generate(&[ServerTools {
            server: name.into(),
            tools: list.tools,
            ..Default::default()
        }]);
        for tool in 0..count.min(6) {
            text.push_str(generated.signature(0, tool).unwrap());
            text.push('\n');
        }
    }
    expect_test::expect![[r#"
        function createEntities(input: { entities: { name: string; entityType: string; observations: string[] }[] }): Promise<CreateEntitiesOutput>;
        function createRelations(input: { relations: { from: string; to: string; relationType: string }[] }): Promise<CreateRelationsOutput>;
        function addObservations(input: { observations: { entityName: string; contents: string[] }[] }): Promise<AddObservationsOutput>;
        function deleteEntities(input: { entityNames: string[] }): Promise<DeleteEntitiesOutput>;
        function deleteObservations(input: { deletions: { entityName: string; observations: string[] }[] }): Promise<DeleteObservationsOutput>;
        function deleteRelations(input: { relations: { from: string; to: string; relationType: string }[] }): Promise<DeleteRelationsOutput>;
        function apiGetUser(input: { user_id: string }): Promise<ToolResult>;
        function apiGetUsers(input?: { start_cursor?: string; page_size?: number }): Promise<ToolResult>;
        function apiGetSelf(input?: Record<string, never>): Promise<ToolResult>;
        function apiPostSearch(input?: { query?: string; sort?: { direction?: string; timestamp?: string; [key: string]: unknown } | string; filter?: { value?: "page" | "data_source"; property?: string; [key: string]: unknown } | string; start_cursor?: string; page_size?: number }): Promise<ToolResult>;
        function apiGetBlockChildren(input: { block_id: string; start_cursor?: string; page_size?: number }): Promise<ToolResult>;
        function apiPatchBlockChildren(input: { block_id: string; children: (BlockObjectRequest | string | { [key: string]: unknown })[]; after?: string }): Promise<ToolResult>;
    "#]].assert_eq(&text);
}

/// A server that offers resources and prompts gets them as members of its namespace (not
/// in an excerpt of its tools); a tool that has the name keeps it, and the member is left out.
#[test]
fn resources_and_prompts_are_members_where_offered() {
    let tool = |name: &str| -> ToolInfo {
        serde_json::from_value(json!({"name": name, "inputSchema": {"type": "object"}})).unwrap()
    };
    let offers = codemode::catalog::Offers {
        resources: true,
        prompts: true,
    };
    let generated = codegen::generate(&[
        ServerTools {
            server: "docs".into(),
            tools: vec![tool("search"), tool("fetch")],
            offers,
        },
        ServerTools {
            server: "odd".into(),
            tools: vec![tool("prompts")],
            offers,
        },
    ]);
    let index = &generated.index.servers;
    assert_eq!((index[0].resources, index[0].prompts), (true, true));
    assert_eq!((index[1].resources, index[1].prompts), (true, false));
    let docs = generated.api.split("declare namespace odd").next().unwrap();
    assert!(docs.contains(" const resources: McpResources;\n"), "{docs}");
    assert!(docs.contains(" const prompts: McpPrompts;\n"), "{docs}");
    let odd = generated.api.split("declare namespace odd").nth(1).unwrap();
    assert!(odd.contains("function prompts("), "{odd}");
    assert!(!odd.contains("McpPrompts"), "{odd}");
    assert!(!generated.excerpt(&[(0, 0)]).contains("McpResources"));
}
