//! The shapes of the configuration files as written, and their reading into [`Config`].
//!
//! Both the `mcpServers` family (Claude Desktop, Cursor, Claude Code) and VS Code's `servers`
//! are accepted; fields other tools keep in these files are ignored. Every rejection names
//! the field through [`Source::error_at`].

use std::path::PathBuf;
use std::time::Duration;

use indexmap::IndexMap;
use serde::Deserialize;

use serde_json::Value;

use super::clients::{Client, Layout};
use super::dialect::{Dialect, Entry, unknown_field};
use super::expand::{Expander, Prompt};
use super::source::{Source, pointer_segment};
use super::trust::Proposed;
use super::{
    Config, ConfigError, Hints, Limits, Origin, Secret, ServerConfig, Settings, Skipped,
    ToolFilter, Transport,
};

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct RawSettings {
    tool_timeout: Option<f64>,
    startup_timeout: Option<f64>,
    run_timeout: Option<f64>,
    check_timeout: Option<f64>,
    memory_limit_mb: Option<usize>,
    max_output_bytes: Option<usize>,
    max_result_bytes: Option<usize>,
    max_tool_calls: Option<usize>,
    max_concurrent_calls: Option<usize>,
    scripts: Option<Vec<String>>,
    allow_destructive: Option<bool>,
    allow_tools: Option<Vec<String>>,
    deny_tools: Option<Vec<String>>,
    auto_approve: Option<Vec<String>>,
    audit_log: Option<String>,
    http_token: Option<String>,
    max_response_bytes: Option<usize>,
    elicitation: Option<String>,
    catalog_max_age: Option<f64>,
}

/// The built-in servers, by the name `{"builtin": NAME}` takes.
const BUILTINS: [&str; 1] = ["demo"];

/// What a file is: a project's configuration, or a client's user-level file.
#[derive(Debug, Clone)]
pub(crate) enum Shape {
    /// codemode.json, `.mcp.json`, `.vscode/mcp.json`, `--config FILE`: `mcpServers` or
    /// `servers`, and codemode's own `codemode` section.
    Project,
    /// Another client's file, read for `project` (Claude Code keeps servers per folder).
    Client { client: Client, project: PathBuf },
}

/// The top-level fields of a project file.
const PROJECT_FIELDS: [&str; 5] = ["mcpServers", "servers", "codemode", "inputs", "$schema"];

/// The fields of the `codemode` section.
const SETTINGS_FIELDS: [&str; 19] = [
    "toolTimeout",
    "startupTimeout",
    "runTimeout",
    "checkTimeout",
    "memoryLimitMb",
    "maxOutputBytes",
    "maxResultBytes",
    "maxToolCalls",
    "maxConcurrentCalls",
    "scripts",
    "allowDestructive",
    "allowTools",
    "denyTools",
    "autoApprove",
    "auditLog",
    "httpToken",
    "maxResponseBytes",
    "elicitation",
    "catalogMaxAge",
];

pub(crate) fn interpret(
    source: &Source,
    expander: &Expander<'_>,
    shape: &Shape,
) -> Result<Config, ConfigError> {
    let Some(top) = source.value.as_object() else {
        return Err(source.error_at(
            "",
            "expected a JSON object with \"mcpServers\" or \"servers\"",
        ));
    };
    // VS Code's `inputs`: how to ask for each `${input:ID}`.
    for input in top
        .get("inputs")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        if let Some(id) = input.get("id").and_then(Value::as_str) {
            let prompt = Prompt {
                id: id.to_string(),
                description: input
                    .get("description")
                    .and_then(Value::as_str)
                    .map(str::to_string),
                password: input.get("password").and_then(Value::as_bool) == Some(true),
            };
            expander.prompts.borrow_mut().insert(id.to_string(), prompt);
        }
    }
    let (settings, groups, dialect) = match shape {
        Shape::Project => {
            for key in top.keys() {
                if !PROJECT_FIELDS.contains(&key.as_str()) {
                    return Err(source.error_at_key(
                        &format!("/{}", pointer_segment(key)),
                        unknown_field(key, &PROJECT_FIELDS),
                    ));
                }
            }
            let settings = match top.get("codemode") {
                Some(section) => settings(source, expander, section)?,
                None => Settings::default(),
            };
            let group = match (top.get("mcpServers"), top.get("servers")) {
                (Some(_), Some(_)) => {
                    return Err(source.error_at(
                        "/servers",
                        "the file has both \"mcpServers\" and \"servers\"; keep one",
                    ));
                }
                (Some(entries), None) => ("/mcpServers".to_string(), entries),
                (None, Some(entries)) => ("/servers".to_string(), entries),
                (None, None) => {
                    return Err(source.error_at(
                        "",
                        "no servers: expected \"mcpServers\": {NAME: {...}} (Claude Desktop, Cursor, \
                         Claude Code) or \"servers\": {NAME: {...}} (VS Code)",
                    ));
                }
            };
            (settings, vec![group], Dialect::Common)
        }
        Shape::Client { client, project } => {
            let mut groups = Vec::new();
            let mut add = |pointer: String| {
                if let Some(entries) = source.value.pointer(&pointer) {
                    groups.push((pointer, entries));
                }
            };
            match client.layout() {
                Layout::McpServers => add("/mcpServers".to_string()),
                Layout::Servers => add("/servers".to_string()),
                Layout::ContextServers => add("/context_servers".to_string()),
                Layout::CodexToml => add("/mcp_servers".to_string()),
                Layout::ClaudeCode => {
                    add("/mcpServers".to_string());
                    // The project's own servers: the nearest folder Claude Code knows.
                    let projects = top.get("projects").and_then(Value::as_object);
                    let known = project.ancestors().find_map(|dir| {
                        let key = dir.to_str()?;
                        projects?.get(key).map(|_| key.to_string())
                    });
                    if let Some(key) = known {
                        add(format!("/projects/{}/mcpServers", pointer_segment(&key)));
                    }
                }
            }
            (Settings::default(), groups, client.dialect())
        }
    };

    let mut servers: Vec<ServerConfig> = Vec::new();
    let mut skipped = Vec::new();
    for (pointer, entries) in groups {
        let Some(entries) = entries.as_object() else {
            return Err(source.error_at(&pointer, "expected an object of servers by name"));
        };
        for (name, value) in entries {
            let at = format!("{pointer}/{}", pointer_segment(name));
            let entry = dialect.read(source, &at, value)?;
            if entry.disabled {
                continue;
            }
            if name.trim().is_empty() {
                return Err(source.error_at(&at, "a server needs a non-empty name"));
            }
            if let Some(reason) = entry.unusable {
                skipped.push(Skipped {
                    name: name.clone(),
                    reason,
                });
                continue;
            }
            let server = server(source, expander, &at, name.clone(), entry, &settings)?;
            // A later group (Claude Code's project scope) replaces a server of the same name.
            match servers.iter_mut().find(|s| s.name == server.name) {
                Some(earlier) => *earlier = server,
                None => servers.push(server),
            }
        }
    }
    let origin = match shape {
        Shape::Project => Origin::File(source.path.clone()),
        Shape::Client { client, .. } => Origin::Client {
            client: *client,
            file: source.path.clone(),
        },
    };
    Ok(Config {
        origin,
        servers,
        settings,
        skipped,
        untrusted: None,
        refused: Vec::new(),
        trusted_folder: None,
    })
}

/// The `codemode` section.
fn settings(
    source: &Source,
    expander: &Expander<'_>,
    section: &Value,
) -> Result<Settings, ConfigError> {
    if let Some(map) = section.as_object() {
        for key in map.keys() {
            if !SETTINGS_FIELDS.contains(&key.as_str()) {
                return Err(source.error_at_key(
                    &format!("/codemode/{}", pointer_segment(key)),
                    unknown_field(key, &SETTINGS_FIELDS),
                ));
            }
        }
    }
    let raw: RawSettings = serde_path_to_error::deserialize(section.clone()).map_err(|error| {
        let pointer = format!("/codemode{}", pointer_of(error.path()));
        let message = error.into_inner().to_string();
        source.error_at(&pointer, message)
    })?;
    Settings::from_raw(source, expander, raw)
}

impl Settings {
    fn from_raw(
        source: &Source,
        expander: &Expander<'_>,
        raw: RawSettings,
    ) -> Result<Settings, ConfigError> {
        let defaults = Settings::default();
        Ok(Settings {
            tool_timeout: seconds(source, "/codemode/toolTimeout", raw.tool_timeout)?
                .unwrap_or(defaults.tool_timeout),
            startup_timeout: seconds(source, "/codemode/startupTimeout", raw.startup_timeout)?
                .unwrap_or(defaults.startup_timeout),
            limits: Limits {
                run_timeout: seconds(source, "/codemode/runTimeout", raw.run_timeout)?
                    .unwrap_or(defaults.limits.run_timeout),
                check_timeout: seconds(source, "/codemode/checkTimeout", raw.check_timeout)?
                    .unwrap_or(defaults.limits.check_timeout),
                memory_limit_mb: count(
                    source,
                    "/codemode/memoryLimitMb",
                    raw.memory_limit_mb,
                    16,
                    16 * 1024,
                )?
                .unwrap_or(defaults.limits.memory_limit_mb),
                max_output_bytes: count(
                    source,
                    "/codemode/maxOutputBytes",
                    raw.max_output_bytes,
                    1,
                    1 << 30,
                )?
                .unwrap_or(defaults.limits.max_output_bytes),
                max_result_bytes: count(
                    source,
                    "/codemode/maxResultBytes",
                    raw.max_result_bytes,
                    1,
                    1 << 30,
                )?
                .unwrap_or(defaults.limits.max_result_bytes),
                max_tool_calls: count(
                    source,
                    "/codemode/maxToolCalls",
                    raw.max_tool_calls,
                    1,
                    10_000_000,
                )?
                .unwrap_or(defaults.limits.max_tool_calls),
                max_concurrent_calls: count(
                    source,
                    "/codemode/maxConcurrentCalls",
                    raw.max_concurrent_calls,
                    1,
                    10_000,
                )?
                .unwrap_or(defaults.limits.max_concurrent_calls),
            },
            scripts: match raw.scripts {
                Some(list) => script_folders(source, list)?,
                None => defaults.scripts,
            },
            allow_destructive: raw.allow_destructive.unwrap_or(defaults.allow_destructive),
            allow_tools: match raw.allow_tools {
                Some(list) => Some(tool_patterns(source, "allowTools", list)?),
                None => None,
            },
            deny_tools: tool_patterns(source, "denyTools", raw.deny_tools.unwrap_or_default())?,
            auto_approve: tool_patterns(
                source,
                "autoApprove",
                raw.auto_approve.unwrap_or_default(),
            )?,
            audit_log: match raw.audit_log {
                Some(path) => Some(audit_log(source, expander, path)?),
                None => None,
            },
            http_token: match raw.http_token {
                Some(token) => Some(Secret(http_token(source, expander, &token)?)),
                None => None,
            },
            catalog_max_age: match raw.catalog_max_age {
                None => defaults.catalog_max_age,
                Some(s) if s.is_finite() && (0.0..=30.0 * 86_400.0).contains(&s) => {
                    Duration::from_secs_f64(s)
                }
                Some(s) => {
                    return Err(source.error_at(
                        "/codemode/catalogMaxAge",
                        format!(
                            "{s} is not an age: give seconds, from 0 (never use kept tool \
                             lists) to 2592000 (30 days)"
                        ),
                    ));
                }
            },
            max_response_bytes: count(
                source,
                "/codemode/maxResponseBytes",
                raw.max_response_bytes,
                256,
                1 << 30,
            )?
            .unwrap_or(defaults.max_response_bytes),
            elicitation: match raw.elicitation.as_deref() {
                None | Some("decline") => super::Elicitation::Decline,
                Some("ask") => super::Elicitation::Ask,
                Some(other) => {
                    return Err(source.error_at(
                        "/codemode/elicitation",
                        format!("{other:?} is not a choice: \"decline\" (the default) or \"ask\""),
                    ));
                }
            },
        })
    }
}

/// A server entry as written: its command line or URL (variables unexpanded, URL query
/// values and user information redacted), or which built-in server.
fn shown(raw: &Entry) -> String {
    match (&raw.command, &raw.url, &raw.builtin) {
        (Some(command), _, _) => {
            let mut line = command.clone();
            for arg in &raw.args {
                line.push(' ');
                line.push_str(arg);
            }
            line
        }
        (None, Some(url), _) => super::redact_url(url),
        (None, None, Some(builtin)) => format!("built-in {builtin}"),
        (None, None, None) => String::new(),
    }
}

/// What a project file would start and widen, read without interpreting anything in it:
/// nothing expanded, no file it names read, nobody asked.
pub(crate) struct Survey {
    pub servers: Vec<Proposed>,
    /// It starts nothing and expands nothing: only built-in servers, no `${…}` anywhere, no
    /// `inputs`, no audit log or HTTP token. Such a file needs no trust.
    pub inert: bool,
    pub widens: Vec<String>,
}

pub(crate) fn survey(source: &Source) -> Result<Survey, ConfigError> {
    let Some(top) = source.value.as_object() else {
        return Err(source.error_at(
            "",
            "expected a JSON object with \"mcpServers\" or \"servers\"",
        ));
    };
    let mut inert = !mentions_variable(&source.value) && !top.contains_key("inputs");
    let mut widens = Vec::new();
    if let Some(section) = top.get("codemode").and_then(Value::as_object) {
        let set = |key: &str| section.get(key).is_some_and(|v| !v.is_null());
        if set("auditLog") || set("httpToken") {
            inert = false;
        }
        if section.get("allowDestructive").and_then(Value::as_bool) == Some(true) {
            widens.push("allowDestructive: true".to_string());
        }
        if let Some(patterns) = section.get("autoApprove").and_then(Value::as_array)
            && !patterns.is_empty()
        {
            let names: Vec<&str> = patterns.iter().filter_map(Value::as_str).collect();
            widens.push(format!("autoApprove: {}", names.join(", ")));
        }
        if section.get("elicitation").and_then(Value::as_str) == Some("ask") {
            widens.push("elicitation: ask".to_string());
        }
        if let Some(path) = section.get("auditLog").and_then(Value::as_str) {
            widens.push(format!("auditLog: {path}"));
        }
    }
    let mut servers = Vec::new();
    for pointer in ["/mcpServers", "/servers"] {
        let Some(entries) = source.value.pointer(pointer).and_then(Value::as_object) else {
            continue;
        };
        for (name, value) in entries {
            let at = format!("{pointer}/{}", pointer_segment(name));
            let entry = Dialect::Common.read(source, &at, value)?;
            if entry.disabled || entry.unusable.is_some() {
                continue;
            }
            let built_in = entry.builtin.is_some()
                && entry.command.is_none()
                && entry.url.is_none()
                && entry.env_file.is_none()
                && entry.env.is_empty()
                && entry.headers.is_empty();
            inert &= built_in;
            servers.push(Proposed {
                name: name.clone(),
                shown: shown(&entry),
            });
        }
    }
    Ok(Survey {
        servers,
        inert,
        widens,
    })
}

/// Whether any string (or key) in `value` names a variable (`${…}`).
fn mentions_variable(value: &Value) -> bool {
    match value {
        Value::String(text) => text.contains("${"),
        Value::Array(items) => items.iter().any(mentions_variable),
        Value::Object(map) => map
            .iter()
            .any(|(key, value)| key.contains("${") || mentions_variable(value)),
        _ => false,
    }
}

fn server(
    source: &Source,
    expander: &Expander<'_>,
    at: &str,
    name: String,
    raw: Entry,
    settings: &Settings,
) -> Result<ServerConfig, ConfigError> {
    let expand = |field: &str, value: &str| {
        expander
            .expand(value)
            .map_err(|message| source.error_at(&format!("{at}/{field}"), message))
    };
    let expand_map = |field: &str, map: IndexMap<String, String>| {
        let mut out = IndexMap::new();
        for (key, value) in map {
            let expanded = expand(&format!("{field}/{}", pointer_segment(&key)), &value)?;
            out.insert(key, expanded);
        }
        Ok::<_, ConfigError>(out)
    };

    let taken_before = expander.taken_count();
    // As written: variables unexpanded, URL query values and user information redacted.
    let shown = shown(&raw);
    let kind = match raw.kind.as_deref() {
        Some("stdio") => Kind::Stdio,
        Some("http" | "streamable-http" | "streamableHttp") => Kind::Http,
        Some("sse") => {
            return Err(source.error_at(
                &format!("{at}/type"),
                "the legacy SSE transport is not supported; use the server's streamable HTTP \
                 endpoint with \"type\": \"http\"",
            ));
        }
        Some(other) => {
            return Err(source.error_at(
                &format!("{at}/type"),
                format!("unknown transport type {other:?}; expected \"stdio\" or \"http\""),
            ));
        }
        None => match (&raw.command, &raw.url, &raw.builtin) {
            (Some(_), None, None) => Kind::Stdio,
            (None, Some(_), None) => Kind::Http,
            (None, None, Some(_)) => Kind::Builtin,
            (None, None, None) => {
                return Err(source.error_at(
                    at,
                    "a server needs \"command\" (a program speaking MCP over stdio), \"url\" \
                     (a streamable HTTP endpoint) or \"builtin\"",
                ));
            }
            _ => {
                return Err(source.error_at(
                    at,
                    "a server takes only one of \"command\", \"url\" and \"builtin\"",
                ));
            }
        },
    };

    let transport = match kind {
        Kind::Stdio => {
            let Some(command) = raw.command.as_deref() else {
                return Err(source.error_at(at, "a stdio server needs \"command\""));
            };
            let command = expand("command", command)?;
            if command.trim().is_empty() {
                return Err(source.error_at(&format!("{at}/command"), "the command is empty"));
            }
            let mut args = Vec::new();
            for (index, arg) in raw.args.iter().enumerate() {
                args.push(expand(&format!("args/{index}"), arg)?);
            }
            let cwd = match raw.cwd.as_deref() {
                Some(cwd) => Some(PathBuf::from(expand("cwd", cwd)?)),
                None => None,
            };
            let mut env = match raw.env_file.as_deref() {
                Some(file) => env_file(source, expander, &format!("{at}/envFile"), file)?,
                None => IndexMap::new(),
            };
            // `env` wins over `envFile`, as in VS Code.
            env.extend(expand_map("env", raw.env)?);
            Transport::Stdio {
                command,
                args,
                env,
                cwd,
            }
        }
        Kind::Http => {
            let Some(url) = raw.url.as_deref() else {
                return Err(source.error_at(at, "an http server needs \"url\""));
            };
            let url = expand("url", url)?;
            if !(url.starts_with("http://") || url.starts_with("https://")) {
                return Err(source.error_at(
                    &format!("{at}/url"),
                    format!("{url:?} is not an http:// or https:// URL"),
                ));
            }
            let mut headers = expand_map("headers", raw.headers)?;
            for (header, (variable, prefix)) in raw.env_headers {
                let value = expand(&header, &format!("${{env:{variable}}}"))?;
                headers.insert(header, format!("{prefix}{value}"));
            }
            Transport::Http { url, headers }
        }
        Kind::Builtin => {
            let builtin = raw.builtin.clone().unwrap_or_default();
            if !BUILTINS.contains(&builtin.as_str()) {
                return Err(source.error_at(
                    &format!("{at}/builtin"),
                    format!(
                        "no built-in server named {builtin:?}; built-in servers: {}",
                        BUILTINS.join(", ")
                    ),
                ));
            }
            Transport::Builtin { name: builtin }
        }
    };

    let hints = match raw.trusted {
        Some(true) => Hints::Believed,
        Some(false) => Hints::Doubted,
        None => Hints::default_for(&transport),
    };
    let oauth = match raw.oauth {
        None => super::OAuthClient::default(),
        Some(oauth) => {
            if !matches!(transport, Transport::Http { .. }) {
                return Err(source.error_at(
                    &format!("{at}/oauth"),
                    "only servers reached over HTTP sign in; \"oauth\" needs \"url\"",
                ));
            }
            let metadata_url = oauth.metadata_url;
            if let Some(url) = &metadata_url
                && !url.starts_with("https://")
            {
                return Err(source.error_at(
                    &format!("{at}/oauth/clientMetadataUrl"),
                    "a client ID metadata document is an https:// URL",
                ));
            }
            super::OAuthClient {
                client_id: match oauth.client_id {
                    Some(id) => Some(expand("oauth/clientId", &id)?),
                    None => None,
                },
                client_secret: match oauth.client_secret {
                    Some(secret) => Some(Secret(expand("oauth/clientSecret", &secret)?)),
                    None => None,
                },
                metadata_url,
                scopes: oauth.scopes,
            }
        }
    };
    let mut taken = expander.taken_since(taken_before);
    if let Some(secret) = &oauth.client_secret {
        taken.push(secret.0.clone());
    }
    let secrets = super::collect_secrets(&transport, taken);
    Ok(ServerConfig {
        name,
        transport,
        shown,
        secrets,
        hints,
        tool_timeout: seconds(source, &format!("{at}/timeout"), raw.timeout)?
            .unwrap_or(settings.tool_timeout),
        startup_timeout: seconds(source, &format!("{at}/startupTimeout"), raw.startup_timeout)?
            .unwrap_or(settings.startup_timeout),
        tools: ToolFilter {
            only: raw.only_tools,
            never: raw.never_tools,
        },
        oauth,
    })
}

/// The variables of an `envFile` (`NAME=value` lines, `#` comments, quotes), relative to the
/// workspace folder; its values are secrets like `env`'s.
fn env_file(
    source: &Source,
    expander: &Expander<'_>,
    at: &str,
    file: &str,
) -> Result<IndexMap<String, String>, ConfigError> {
    let path = expander
        .expand(file)
        .map_err(|message| source.error_at(at, message))?;
    let path = expander.workspace.join(path);
    let lines = dotenvy::from_path_iter(&path)
        .map_err(|error| source.error_at(at, format!("cannot read {}: {error}", path.display())))?;
    let mut out = IndexMap::new();
    for line in lines {
        let (name, value) = line.map_err(|error| {
            source.error_at(
                at,
                format!("{} is not an env file: {error}", path.display()),
            )
        })?;
        expander.taken.borrow_mut().push(value.clone());
        out.insert(name, value);
    }
    Ok(out)
}

enum Kind {
    Stdio,
    Http,
    Builtin,
}

fn seconds(source: &Source, at: &str, value: Option<f64>) -> Result<Option<Duration>, ConfigError> {
    match value {
        None => Ok(None),
        Some(s) if s.is_finite() && s > 0.0 && s <= 86_400.0 => {
            Ok(Some(Duration::from_secs_f64(s)))
        }
        Some(s) => Err(source.error_at(
            at,
            format!("{s} is not a timeout: give seconds, more than 0 and at most 86400"),
        )),
    }
}

fn count(
    source: &Source,
    at: &str,
    value: Option<usize>,
    min: usize,
    max: usize,
) -> Result<Option<usize>, ConfigError> {
    match value {
        Some(n) if !(min..=max).contains(&n) => Err(source.error_at(
            at,
            format!("{n} is out of range: give a whole number from {min} to {max}"),
        )),
        other => Ok(other),
    }
}

fn pointer_of(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    let mut pointer = String::new();
    for segment in path.iter() {
        match segment {
            Segment::Seq { index } => pointer.push_str(&format!("/{index}")),
            Segment::Map { key } => pointer.push_str(&format!("/{}", pointer_segment(key))),
            Segment::Enum { .. } | Segment::Unknown => {}
        }
    }
    pointer
}

/// The `scripts` folders: relative to the file, no `..` out of it needed, none empty.
fn script_folders(source: &Source, list: Vec<String>) -> Result<Vec<String>, ConfigError> {
    for (i, folder) in list.iter().enumerate() {
        if folder.trim().is_empty() {
            return Err(source.error_at(
                &format!("/codemode/scripts/{i}"),
                "expected a folder, got an empty string",
            ));
        }
        if std::path::Path::new(folder).is_absolute() {
            return Err(source.error_at(
                &format!("/codemode/scripts/{i}"),
                "expected a folder relative to this file",
            ));
        }
    }
    Ok(list)
}

/// `allowTools`, `denyTools`, `autoApprove`: `server` or `server.tool` patterns, `*` and `?`
/// wildcards; each must compile.
fn tool_patterns(
    source: &Source,
    field: &str,
    list: Vec<String>,
) -> Result<Vec<String>, ConfigError> {
    for (i, pattern) in list.iter().enumerate() {
        let at = format!("/codemode/{field}/{i}");
        if pattern.trim().is_empty() {
            return Err(source.error_at(
                &at,
                "expected `server` or `server.tool`, got an empty string",
            ));
        }
        if let Err(error) = globset::Glob::new(pattern) {
            return Err(source.error_at(&at, format!("not a valid pattern: {}", error.kind())));
        }
    }
    Ok(list)
}

/// The audit log's path: `${env:..}` expanded, relative to the file's workspace folder.
fn audit_log(
    source: &Source,
    expander: &Expander<'_>,
    path: String,
) -> Result<PathBuf, ConfigError> {
    let at = "/codemode/auditLog";
    let path = expander
        .expand(&path)
        .map_err(|message| source.error_at(at, message))?;
    if path.trim().is_empty() {
        return Err(source.error_at(at, "expected a file path, got an empty string"));
    }
    Ok(expander.workspace.join(path))
}

/// The bearer token `codemode serve --http` requires: `${env:..}` expanded, long enough to
/// be a secret.
fn http_token(
    source: &Source,
    expander: &Expander<'_>,
    token: &str,
) -> Result<String, ConfigError> {
    let at = "/codemode/httpToken";
    let token = expander
        .expand(token)
        .map_err(|message| source.error_at(at, message))?;
    if token.chars().count() < 16 {
        return Err(source.error_at(
            at,
            "the token must be at least 16 characters (write \"${env:CODEMODE_HTTP_TOKEN}\" to keep it out of the file)",
        ));
    }
    Ok(token)
}
