//! The generator over arbitrary catalogs, judged by TypeScript 7: every declaration file it
//! writes compiles under `tsc --strict` (the parse check over many more catalogs is in
//! `server/tests/codegen.rs`; this is the compile check over a sample).

use codemode::catalog::ServerTools;
use codemode::codegen;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

use crate::catalog::{name, tool};
use crate::support::{Workspace, tsc};

#[test]
fn a_sample_of_arbitrary_catalogs_compiles_under_typescript_7() {
    let strategy = prop::collection::vec((name(), prop::collection::vec(tool(), 0..4)), 1..3);
    let mut runner = TestRunner::new(Config {
        cases: 12,
        ..Config::default()
    });
    let workspace = Workspace::new();
    runner
        .run(&strategy, |servers| {
            let servers: Vec<ServerTools> = servers
                .into_iter()
                .map(|(server, tools)| ServerTools {
                    server,
                    tools,
                    ..Default::default()
                })
                .collect();
            let declarations = codegen::generate(&servers).declarations();
            std::fs::write(workspace.path().join("api.d.ts"), &declarations).unwrap();
            let diagnostics = tsc(workspace.path(), &["api.d.ts"]);
            prop_assert!(diagnostics.is_empty(), "{diagnostics:?}\n{declarations}");
            Ok(())
        })
        .unwrap();
}
