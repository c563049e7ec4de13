//! The language features, data-driven in rust-analyzer's `check(fixture, expect)` style: a
//! script with a cursor marker (`$0`) over one shared checker and the real memory,
//! filesystem and everything servers' API, and a snapshot of the answer. `UPDATE_EXPECT=1
//! cargo test` rewrites the snapshots; review the diff.

use expect_test::{Expect, expect};

use super::testing::{TIME, block_on, checker, cursor, program};
use super::{Place, Reporting};

fn completion(fixture: &str, expect: Expect) {
    let (text, at) = cursor(fixture);
    let found = block_on(checker().completions(&program(&text), 0, at, true, TIME)).unwrap();
    let mut items: Vec<_> = found.items.iter().collect();
    items.sort_by(|a, b| (&a.sort, &a.name).cmp(&(&b.sort, &b.name)));
    let shown: Vec<String> = items
        .iter()
        .take(8)
        .map(|item| {
            let detail = item
                .details
                .as_ref()
                .map(|d| d.detail.as_str())
                .unwrap_or("");
            format!("{} {} {detail}", item.kind, item.name)
        })
        .collect();
    expect.assert_eq(&(shown.join("\n") + "\n"));
}

fn hover(fixture: &str, expect: Expect) {
    let (text, at) = cursor(fixture);
    let found = block_on(checker().hover(&program(&text), 0, at, TIME))
        .unwrap()
        .expect("a hover");
    let first_line = found.documentation.lines().next().unwrap_or_default();
    expect.assert_eq(&format!("{}\n---\n{first_line}\n", found.display));
}

fn signature(fixture: &str, expect: Expect) {
    let (text, at) = cursor(fixture);
    let found = block_on(checker().signature_help(&program(&text), 0, at, TIME))
        .unwrap()
        .expect("signature help");
    let signature = &found.signatures[found.active as usize];
    let parameter = signature
        .parameters
        .get(found.parameter as usize)
        .and_then(|p| signature.label.get(p.start as usize..p.end as usize))
        .unwrap_or_default();
    expect.assert_eq(&format!("{}\nactive: {parameter}\n", signature.label));
}

fn definition(fixture: &str, expect: Expect) {
    let (text, at) = cursor(fixture);
    let found = block_on(checker().definition(&program(&text), 0, at, TIME)).unwrap();
    let api = super::testing::api();
    let shown: Vec<String> = found
        .iter()
        .map(|location| {
            let line = location.range.start.line as usize;
            let source = match &location.place {
                Place::Api => api.lines().nth(line).unwrap_or_default().trim().to_string(),
                Place::Script(_) => text
                    .lines()
                    .nth(line)
                    .unwrap_or_default()
                    .trim()
                    .to_string(),
                other => format!("{other:?}"),
            };
            format!("{:?} line {}: {source}", location.place, line + 1)
        })
        .collect();
    expect.assert_eq(&(shown.join("\n") + "\n"));
}

fn diagnostics(text: &str, reporting: Reporting, expect: Expect) {
    let found = block_on(checker().diagnostics(&program(text), 0, reporting, TIME, None)).unwrap();
    let shown: Vec<String> = found
        .iter()
        .map(|d| {
            let hint = d
                .hint
                .as_deref()
                .map(|h| format!("\n  hint: {h}"))
                .unwrap_or_default();
            format!("{}:{} TS{} {}{hint}", d.line, d.column, d.code, d.message)
        })
        .collect();
    expect.assert_eq(&(shown.join("\n") + "\n"));
}

#[test]
fn completion_lists_a_servers_tools_with_their_signatures() {
    completion(
        "await memory.$0\n",
        expect![[r#"
            function addObservations function memory.addObservations(input: { observations: { entityName: string; contents: string[]; }[]; }): Promise<memory.AddObservationsOutput>
            function createEntities function memory.createEntities(input: { entities: { name: string; entityType: string; observations: string[]; }[]; }): Promise<memory.CreateEntitiesOutput>
            function createRelations function memory.createRelations(input: { relations: { from: string; to: string; relationType: string; }[]; }): Promise<memory.CreateRelationsOutput>
            function deleteEntities function memory.deleteEntities(input: { entityNames: string[]; }): Promise<memory.DeleteEntitiesOutput>
            function deleteObservations function memory.deleteObservations(input: { deletions: { entityName: string; observations: string[]; }[]; }): Promise<memory.DeleteObservationsOutput>
            function deleteRelations function memory.deleteRelations(input: { relations: { from: string; to: string; relationType: string; }[]; }): Promise<memory.DeleteRelationsOutput>
            function openNodes function memory.openNodes(input: { names: string[]; }): Promise<memory.OpenNodesOutput>
            function readGraph function memory.readGraph(input?: Record<string, never>): Promise<memory.ReadGraphOutput>
        "#]],
    );
}

#[test]
fn completion_offers_an_inputs_fields() {
    completion(
        "await filesystem.readTextFile({ $0 });\n",
        expect![[r#"
            property path 
            property head 
            property tail 
        "#]],
    );
}

#[test]
fn hover_shows_a_tools_signature_and_description() {
    hover(
        "await memory.read$0Graph();\n",
        expect![[r#"
            function memory.readGraph(input?: Record<string, never>): Promise<memory.ReadGraphOutput>
            ---
            Read the entire knowledge graph · read-only
        "#]],
    );
}

#[test]
fn signature_help_names_the_input() {
    signature(
        "await memory.searchNodes($0);\n",
        expect![[r#"
            searchNodes(input: { query: string; }): Promise<memory.SearchNodesOutput>
            active: input: { query: string; }
        "#]],
    );
}

#[test]
fn definition_goes_into_the_generated_api() {
    definition(
        "await memory.open$0Nodes({ names: [] });\n",
        expect![[r#"
            Api line 112: /** Open specific nodes in the knowledge graph by their names · read-only */ function openNodes(input: { /** An array of entity names to retrieve */ names: string[] }): Promise<OpenNodesOutput>;
        "#]],
    );
}

#[test]
fn definition_of_a_scripts_own_name() {
    definition(
        "const graph = await memory.readGraph();\nexport default gr$0aph.entities;\n",
        expect![[r#"
            Script(0) line 1: const graph = await memory.readGraph();
        "#]],
    );
}

#[test]
fn diagnostics_as_tsc_gives_them_syntax_first() {
    diagnostics(
        "const n: number = 'text';\nawait memory.\n",
        Reporting::ParseFirst,
        expect![[r#"
            2:14 TS1003 Identifier expected.
        "#]],
    );
}

#[test]
fn diagnostics_for_editors_give_syntax_and_type_errors_together() {
    diagnostics(
        "const n: number = 'text';\nawait memory.\n",
        Reporting::Together,
        expect![[r#"
            2:14 TS1003 Identifier expected.
            1:7 TS2322 Type 'string' is not assignable to type 'number'.
        "#]],
    );
}

#[test]
fn diagnostics_name_the_shape_a_tools_input_takes() {
    diagnostics(
        "await memory.createRelations({ relations: [{ from: 'a', to: 'b' }] });\n",
        Reporting::ParseFirst,
        expect![[r#"
            1:44 TS2741 Property 'relationType' is missing in type '{ from: string; to: string; }' but required in type '{ from: string; to: string; relationType: string; }'.
              hint: memory.createRelations takes { relations: Array<{ from: string; to: string; relationType: string }> }
        "#]],
    );
}

#[test]
fn diagnostics_of_node_globals_say_what_a_script_has_instead() {
    diagnostics(
        "const home = process.env.HOME;\n",
        Reporting::ParseFirst,
        expect![[r#"
            1:14 TS2591 Cannot find name 'process'.
              hint: scripts run in a sandbox with ECMAScript 2023 and no DOM or Node.js APIs (no fetch, require, process, setTimeout); MCP tools are the only way out, through the global namespaces memory, filesystem, everything, plus console and ToolError
        "#]],
    );
}
