//! Each quick fix, data-driven (`check(script, expect)`) over one shared checker and the
//! real memory, filesystem and everything servers' generated API: what TypeScript says, the
//! fixes offered, the script after the first, and that the fixed script checks clean.

use expect_test::{Expect, expect};

use super::apply;
use crate::check::testing::{TIME, block_on, checker, program};
use crate::check::{Diagnostic, Reporting};

fn diagnostics(text: &str) -> Vec<Diagnostic> {
    block_on(checker().diagnostics(&program(text), 0, Reporting::ParseFirst, TIME, None)).unwrap()
}

/// The first diagnostic's code and fixes, and the script after its first fix, which must
/// check clean.
fn check(script: &str, expect: Expect) {
    let found = diagnostics(script);
    let first = found.first().expect("the script has an error");
    let mut shown = format!("TS{}\n", first.code);
    for fix in &first.fixes {
        let mark = if fix.preferred {
            "preferred"
        } else {
            "offered"
        };
        shown.push_str(&format!("{mark}: {}\n", fix.title));
    }
    let fix = first.fixes.first().expect("a fix is offered");
    let fixed = apply(script, &fix.edits).expect("the edits apply");
    shown.push_str("---\n");
    shown.push_str(&fixed);
    expect.assert_eq(&shown);
    let hint = first.hint.as_deref().unwrap_or_default();
    assert!(
        hint.contains(&fix.title),
        "the hint leads with the fix: {hint}"
    );
    let left = diagnostics(&fixed);
    assert!(
        left.is_empty(),
        "the fixed script still has errors: {left:#?}"
    );
}

#[test]
fn a_misspelt_tool() {
    check(
        "export default await memory.readGrahp();\n",
        expect![[r#"
            TS2551
            preferred: Change `readGrahp` to `readGraph`
            ---
            export default await memory.readGraph();
        "#]],
    );
}

#[test]
fn a_tool_by_its_mcp_name() {
    check(
        "export default await memory.read_graph();\n",
        expect![[r#"
            TS2551
            preferred: Change `read_graph` to `readGraph`
            ---
            export default await memory.readGraph();
        "#]],
    );
}

#[test]
fn a_misspelt_input_field() {
    check(
        "await memory.deleteEntities({ entityNams: [\"a\"] });\n",
        expect![[r#"
            TS2561
            preferred: Change `entityNams` to `entityNames`
            ---
            await memory.deleteEntities({ entityNames: ["a"] });
        "#]],
    );
}

#[test]
fn an_input_field_by_its_snake_case_name() {
    check(
        "await memory.deleteEntities({ entity_names: [\"a\"] });\n",
        expect![[r#"
            TS2561
            preferred: Change `entity_names` to `entityNames`
            ---
            await memory.deleteEntities({ entityNames: ["a"] });
        "#]],
    );
}

#[test]
fn a_misspelt_result_field() {
    check(
        "const graph = await memory.readGraph();\nexport default graph.entites.length;\n",
        expect![[r#"
            TS2551
            preferred: Change `entites` to `entities`
            ---
            const graph = await memory.readGraph();
            export default graph.entities.length;
        "#]],
    );
}

#[test]
fn a_missing_await_on_a_call() {
    check(
        "export default memory.readGraph().entities.length;\n",
        expect![[r#"
            TS2339
            preferred: Add `await`: `(await memory.readGraph())`
            ---
            export default (await memory.readGraph()).entities.length;
        "#]],
    );
}

#[test]
fn a_missing_await_where_the_result_is_named() {
    check(
        "const graph = memory.readGraph();\nexport default graph.entities.length;\n",
        expect![[r#"
            TS2339
            preferred: Add `await` where `graph` is declared
            ---
            const graph = await memory.readGraph();
            export default graph.entities.length;
        "#]],
    );
}

#[test]
fn a_field_of_an_untyped_result() {
    check(
        "const echoed = await everything.echo({ message: \"hi\" });\nexport default echoed.message;\n",
        expect![[r#"
            TS2339
            offered: Read the result as JSON: `(echoed.json() as any).message`
            offered: Use the result's text: `echoed.text`
            ---
            const echoed = await everything.echo({ message: "hi" });
            export default (echoed.json() as any).message;
        "#]],
    );
}

#[test]
fn a_top_level_return() {
    check(
        "const graph = await memory.readGraph();\nreturn graph.entities.length;\n",
        expect![[r#"
            TS1108
            preferred: Write `export default` instead of `return`: a script's result is its default export
            ---
            const graph = await memory.readGraph();
            export default graph.entities.length;
        "#]],
    );
}

#[test]
fn an_import_of_node_fs() {
    check(
        "import * as fs from \"node:fs\";\nexport default await fs.listDirectory({ path: \".\" });\n",
        expect![[r#"
            TS2591
            preferred: Use the `filesystem` namespace: `const fs = filesystem;` (scripts import nothing; MCP tools are globals)
            ---
            const fs = filesystem;
            export default await fs.listDirectory({ path: "." });
        "#]],
    );
}

#[test]
fn a_require_of_fs() {
    check(
        "const fs = require(\"fs\");\nexport default await fs.listDirectory({ path: \".\" });\n",
        expect![[r#"
            TS2591
            preferred: Use the `filesystem` namespace instead of `require("fs")` (MCP tools are globals)
            ---
            const fs = filesystem;
            export default await fs.listDirectory({ path: "." });
        "#]],
    );
}

#[test]
fn json_parse_of_a_tool_result() {
    check(
        "const echoed = await everything.echo({ message: \"{}\" });\nexport default JSON.parse(echoed);\n",
        expect![[r#"
            TS2345
            preferred: Use `echoed.json()`: a tool's result is a ToolResult, and `.json()` parses its text
            ---
            const echoed = await everything.echo({ message: "{}" });
            export default echoed.json();
        "#]],
    );
}

#[test]
fn module_exports() {
    check(
        "const graph = await memory.readGraph();\nmodule.exports = graph.entities.length;\n",
        expect![[r#"
            TS2591
            preferred: Write `export default` instead of `module.exports =`
            ---
            const graph = await memory.readGraph();
            export default graph.entities.length;
        "#]],
    );
}
