//! What the checker's data-driven tests share: one embedded checker for the whole test
//! binary, and the generated API of the real memory, filesystem and everything servers
//! (from `tests/corpus/schemas`).

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use super::{Checker, Position, Program, Source};
use crate::catalog::{ServerTools, ToolList};
use crate::codegen;

/// How long any one question may take in a test.
pub const TIME: Duration = Duration::from_secs(120);

pub fn api() -> &'static str {
    static API: OnceLock<String> = OnceLock::new();
    API.get_or_init(|| {
        let servers = [
            (
                "memory",
                include_str!("../../../tests/corpus/schemas/memory.json"),
            ),
            (
                "filesystem",
                include_str!("../../../tests/corpus/schemas/filesystem.json"),
            ),
            (
                "everything",
                include_str!("../../../tests/corpus/schemas/everything.json"),
            ),
        ];
        let servers: Vec<ServerTools> = servers
            .iter()
            .map(|(server, list)| ServerTools {
                server: server.to_string(),
                tools: serde_json::from_str::<ToolList>(list).unwrap().tools,
                ..Default::default()
            })
            .collect();
        codegen::generate(&servers).api
    })
}

pub fn checker() -> &'static Checker {
    static CHECKER: OnceLock<Checker> = OnceLock::new();
    CHECKER.get_or_init(Checker::embedded)
}

/// A program of one script, `text`.
pub fn program(text: &str) -> Program {
    Program {
        api: Arc::from(api()),
        scripts: vec![Source::new(0, "fixture.mcp.ts", Arc::from(text))],
    }
}

/// `fixture` without its cursor marker `$0`, and the cursor's position (UTF-16 columns).
pub fn cursor(fixture: &str) -> (String, Position) {
    let at = fixture
        .find("$0")
        .expect("the fixture marks the cursor with $0");
    let before = &fixture[..at];
    let line = before.matches('\n').count() as u32;
    let line_start = before.rfind('\n').map_or(0, |n| n + 1);
    let character = before[line_start..].encode_utf16().count() as u32;
    (fixture.replacen("$0", "", 1), Position { line, character })
}

/// Runs `future` to its end on a runtime of its own.
pub fn block_on<T>(future: impl Future<Output = T>) -> T {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(future)
}
