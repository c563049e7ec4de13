//! Which upstream tools scripts may use, and which need a person's approval first: the
//! configuration's `allowTools`, `denyTools`, `autoApprove` and `allowDestructive`, and each
//! server entry's own tool lists, applied to the tool catalog.
//!
//! Patterns name `server` (all its tools) or `server.tool`, with `*` and `?` wildcards.
//! A tool may be destructive unless its server says otherwise, per the MCP specification's
//! defaults for tool annotations (`readOnlyHint` false, `destructiveHint` true) — and only a
//! server the configuration trusts is believed (`config::Hints`); hints that contradict each
//! other (read-only and destructive) count as destructive from any server. Plain data: the
//! host hides what is not permitted, callers ask for approval their own way.

use std::collections::{HashMap, HashSet};

use globset::GlobSet;

use crate::catalog::{Annotations, ServerTools, ToolInfo};
use crate::config::{self, Config, Hints, Settings, ToolFilter};

#[derive(Debug, Clone)]
pub struct Policy {
    allow: Option<GlobSet>,
    deny: GlobSet,
    auto_approve: GlobSet,
    allow_destructive: bool,
    /// The servers whose annotations are believed.
    trusted: HashSet<String>,
    /// Tool names each server's own entry limits scripts to.
    filters: HashMap<String, ToolFilter>,
}

impl Default for Policy {
    /// Every tool permitted; tools that may be destructive need approval; no server trusted.
    fn default() -> Self {
        Policy::from_settings(&Settings::default())
    }
}

impl Policy {
    /// The policy of `config`: its settings, and which of its servers are trusted.
    pub fn of(config: &Config) -> Policy {
        let mut policy = Policy::from_settings(&config.settings);
        policy.trusted = config
            .servers
            .iter()
            .filter(|server| server.hints == Hints::Believed)
            .map(|server| server.name.clone())
            .collect();
        policy.filters = config
            .servers
            .iter()
            .filter(|server| server.tools != ToolFilter::default())
            .map(|server| (server.name.clone(), server.tools.clone()))
            .collect();
        policy
    }

    /// The policy of `settings`, trusting no server's annotations.
    pub fn from_settings(settings: &Settings) -> Policy {
        Policy {
            allow: settings.allow_tools.as_deref().map(patterns),
            deny: patterns(&settings.deny_tools),
            auto_approve: patterns(&settings.auto_approve),
            allow_destructive: settings.allow_destructive,
            trusted: HashSet::new(),
            filters: HashMap::new(),
        }
    }

    /// Whether scripts may see and call `server`'s `tool`.
    pub fn permits(&self, server: &str, tool: &str) -> bool {
        let key = key(server, tool);
        let allowed = self.allow.as_ref().is_none_or(|allow| allow.is_match(&key));
        allowed
            && !self.deny.is_match(&key)
            && self.filters.get(server).is_none_or(|f| f.permits(tool))
    }

    /// The catalog without the tools this policy does not permit.
    pub fn filter(&self, catalog: Vec<ServerTools>) -> Vec<ServerTools> {
        catalog
            .into_iter()
            .map(|mut server| {
                server
                    .tools
                    .retain(|tool| self.permits(&server.server, &tool.name));
                server
            })
            .collect()
    }

    /// Whether a call of `server`'s `tool` needs a person's approval: it may be destructive
    /// and neither `allowDestructive` nor `autoApprove` covers it.
    pub fn needs_approval(&self, server: &str, tool: &ToolInfo) -> bool {
        let believed = self.trusted.contains(server);
        may_be_destructive(&tool.annotations, believed)
            && !self.allow_destructive
            && !self.auto_approve.is_match(key(server, &tool.name))
    }

    /// Whether `server`'s annotations are believed.
    pub fn trusts(&self, server: &str) -> bool {
        self.trusted.contains(server)
    }
}

/// Whether a tool with these annotations may change or delete things. The hints of a server
/// that is not `believed` say nothing; a believed one's are read with the MCP
/// specification's defaults: only a tool that says it is read-only, or that its changes are
/// not destructive, is safe — unless it also says it is destructive, which wins.
pub fn may_be_destructive(annotations: &Annotations, believed: bool) -> bool {
    if !believed || annotations.destructive_hint == Some(true) {
        return true;
    }
    annotations.read_only_hint != Some(true) && annotations.destructive_hint != Some(false)
}

/// How patterns see a tool: `server.tool`.
fn key(server: &str, tool: &str) -> String {
    format!("{server}.{tool}")
}

/// The set of `patterns`; a pattern without a `.` names a whole server.
fn patterns(patterns: &[String]) -> GlobSet {
    let globs = patterns.iter().map(|pattern| {
        if pattern.contains('.') {
            pattern.clone()
        } else {
            format!("{pattern}.*")
        }
    });
    config::glob_set(globs, "tool pattern")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tool(name: &str, read_only: Option<bool>, destructive: Option<bool>) -> ToolInfo {
        ToolInfo {
            name: name.into(),
            title: None,
            description: None,
            input_schema: serde_json::json!({"type": "object"}),
            output_schema: None,
            annotations: Annotations {
                read_only_hint: read_only,
                destructive_hint: destructive,
                ..Annotations::default()
            },
        }
    }

    fn policy(edit: impl FnOnce(&mut Settings)) -> Policy {
        let mut settings = Settings::default();
        edit(&mut settings);
        Policy::from_settings(&settings)
    }

    #[test]
    fn allow_and_deny_patterns_name_servers_and_tools() {
        let everything = Policy::default();
        assert!(everything.permits("memory", "delete_entities"));

        let p = policy(|s| {
            s.allow_tools = Some(vec!["memory".into(), "time.get_*".into()]);
            s.deny_tools = vec!["memory.delete_*".into()];
        });
        assert!(p.permits("memory", "read_graph"));
        assert!(!p.permits("memory", "delete_entities"), "deny wins");
        assert!(p.permits("time", "get_current_time"));
        assert!(!p.permits("time", "convert_time"));
        assert!(!p.permits("filesystem", "read_file"));
        // A server whose name is a prefix of another's is not named by it.
        assert!(!p.permits("memory2", "read_graph"));

        let catalog = vec![ServerTools {
            server: "memory".into(),
            tools: vec![
                tool("read_graph", None, None),
                tool("delete_entities", None, None),
            ],
            ..Default::default()
        }];
        let kept = p.filter(catalog);
        let names: Vec<&str> = kept[0].tools.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(names, ["read_graph"]);
    }

    #[test]
    fn approval_follows_the_specs_defaults_unless_configured() {
        let mut p = Policy::default();
        p.trusted.insert("s".into());
        assert!(p.needs_approval("s", &tool("unannotated", None, None)));
        assert!(p.needs_approval("s", &tool("writes", Some(false), None)));
        assert!(p.needs_approval("s", &tool("deletes", Some(false), Some(true))));
        assert!(!p.needs_approval("s", &tool("reads", Some(true), None)));
        assert!(!p.needs_approval("s", &tool("adds", Some(false), Some(false))));

        // Contradictory hints: destructive wins, even from a trusted server.
        assert!(p.needs_approval("s", &tool("contradicts", Some(true), Some(true))));
        // An untrusted server's word is not taken.
        assert!(p.needs_approval("remote", &tool("reads", Some(true), None)));
        assert!(p.needs_approval("remote", &tool("adds", Some(false), Some(false))));

        let trusting = policy(|s| s.auto_approve = vec!["s.deletes".into()]);
        assert!(!trusting.needs_approval("s", &tool("deletes", Some(false), Some(true))));
        assert!(trusting.needs_approval("s", &tool("unannotated", None, None)));

        let all = policy(|s| s.allow_destructive = true);
        assert!(!all.needs_approval("s", &tool("unannotated", None, None)));
    }
}
