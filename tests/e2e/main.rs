//! End-to-end tests: the real `codemode` binary and library against real MCP servers from
//! npm and PyPI (installed on first use by `support::deps`), a misbehaving fixture server,
//! and TypeScript 7 as the oracle for the generated declarations.

#[path = "../strategies/catalog.rs"]
mod catalog;
mod catalog_cache;
mod check;
mod cli;
mod conformance;
mod differences;
mod engines;
mod faults;
mod fuzz;
mod hardening;
mod http;
mod lsp;
mod lsp_client;
mod lsp_editing;
mod mcp_client;
mod neovim;
mod real_servers;
mod release;
mod run;
mod serve;
mod signin;
mod support;
mod trust;
mod vscode;
