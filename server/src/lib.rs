//! codemode: Code Mode for MCP, local.
//!
//! Data flows one way: configuration ([`config`]) names MCP servers, the host ([`host`])
//! connects to them and keeps a [`catalog`] of their tools, the generator ([`codegen`])
//! renders that catalog as TypeScript declarations, and the command line ([`cli`]) shows
//! the result. `docs/architecture.md` has the map and the rules each part keeps.

pub mod api;
pub mod approval;
pub mod catalog;
pub mod check;
pub mod cli;
pub mod codegen;
pub mod config;
pub mod content;
pub mod demo;
pub mod engine;
pub mod host;
pub mod inventory;
pub mod limits;
pub mod lsp;
pub mod policy;
pub mod printable;
pub mod redact;
pub mod runtime;
pub mod serve;
pub mod transpile;
pub mod user;
pub mod view;
pub mod workspace;
