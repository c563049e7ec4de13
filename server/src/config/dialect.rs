//! One server entry as each client writes it, read into one shape ([`Entry`]).
//!
//! Every client spells a few things its own way: Gemini CLI's `httpUrl` and timeouts in
//! milliseconds, Windsurf's `serverUrl`, Zed's `command` object, Codex's TOML with
//! `bearer_token_env_var` and `*_timeout_sec`. Each [`Dialect`] lists the fields it reads and
//! the fields it accepts and ignores on purpose (documented in the README); any other field
//! is an error that names it, the closest valid name, and the valid ones, so a misspelt
//! `"enviroment"` cannot start a server without its secrets.

use indexmap::IndexMap;
use serde_json::{Map, Value};

use super::ConfigError;
use super::source::{Source, pointer_segment};

/// How one file's server entries are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Dialect {
    /// codemode.json, `.mcp.json`, VS Code's `mcp.json`, Claude Desktop, Claude Code, Cursor.
    Common,
    Windsurf,
    Gemini,
    Zed,
    Codex,
}

/// A server entry in one shape; timeouts in seconds, names as codemode's.
#[derive(Debug, Default)]
pub(crate) struct Entry {
    pub kind: Option<String>,
    pub command: Option<String>,
    pub args: Vec<String>,
    pub env: IndexMap<String, String>,
    pub env_file: Option<String>,
    pub cwd: Option<String>,
    pub url: Option<String>,
    pub headers: IndexMap<String, String>,
    /// Headers whose value is an environment variable's (Codex's `env_http_headers` and
    /// `bearer_token_env_var`): header name → (variable, prefix).
    pub env_headers: IndexMap<String, (String, &'static str)>,
    pub builtin: Option<String>,
    pub disabled: bool,
    pub trusted: Option<bool>,
    pub timeout: Option<f64>,
    pub startup_timeout: Option<f64>,
    /// Only these tools, when set (Gemini's `includeTools`, Codex's `enabled_tools`).
    pub only_tools: Option<Vec<String>>,
    /// Never these tools (`excludeTools`, `disabledTools`, `disabled_tools`).
    pub never_tools: Vec<String>,
    /// Why codemode cannot start this entry, though the client can (a Zed extension).
    pub unusable: Option<String>,
    /// `oauth`: `clientId`, `clientSecret`, `clientMetadataUrl`, `scopes`.
    pub oauth: Option<RawOAuth>,
}

/// A server entry's `oauth` field as written.
#[derive(Debug, Default)]
pub(crate) struct RawOAuth {
    pub client_id: Option<String>,
    pub client_secret: Option<String>,
    pub metadata_url: Option<String>,
    pub scopes: Vec<String>,
}

const OAUTH_FIELDS: [&str; 4] = ["clientId", "clientSecret", "clientMetadataUrl", "scopes"];

impl Dialect {
    /// The fields read, in the order an error lists them.
    fn fields(self) -> &'static [&'static str] {
        match self {
            Dialect::Common => &[
                "type",
                "command",
                "args",
                "env",
                "envFile",
                "cwd",
                "url",
                "headers",
                "builtin",
                "disabled",
                "trusted",
                "timeout",
                "startupTimeout",
                "oauth",
            ],
            Dialect::Windsurf => &[
                "command",
                "args",
                "env",
                "serverUrl",
                "url",
                "headers",
                "disabled",
                "disabledTools",
                "trusted",
            ],
            Dialect::Gemini => &[
                "command",
                "args",
                "env",
                "cwd",
                "url",
                "httpUrl",
                "headers",
                "timeout",
                "trust",
                "includeTools",
                "excludeTools",
            ],
            Dialect::Zed => &[
                "command", "args", "env", "url", "headers", "enabled", "source",
            ],
            Dialect::Codex => &[
                "command",
                "args",
                "env",
                "cwd",
                "url",
                "http_headers",
                "env_http_headers",
                "bearer_token_env_var",
                "enabled",
                "startup_timeout_sec",
                "startup_timeout_ms",
                "tool_timeout_sec",
                "enabled_tools",
                "disabled_tools",
            ],
        }
    }

    /// Fields the client defines that codemode accepts and ignores on purpose.
    fn ignored(self) -> &'static [&'static str] {
        match self {
            // VS Code: `dev` (watch and debug a server under development), `gallery` and
            // `version` (where an installed server came from); `description` (several).
            Dialect::Common => &["dev", "gallery", "version", "description"],
            Dialect::Windsurf => &[],
            // Gemini CLI: sign-in settings (codemode discovers sign-in itself), a description.
            Dialect::Gemini => &["description", "oauth", "authProviderType"],
            // Zed: settings passed to an extension's server.
            Dialect::Zed => &["settings"],
            Dialect::Codex => &[],
        }
    }

    /// Reads the entry at `at` (a JSON pointer) of `source`.
    pub fn read(self, source: &Source, at: &str, value: &Value) -> Result<Entry, ConfigError> {
        let Some(map) = value.as_object() else {
            return Err(source.error_at(at, "expected an object describing the server"));
        };
        for key in map.keys() {
            if !self.fields().contains(&key.as_str()) && !self.ignored().contains(&key.as_str()) {
                return Err(source.error_at_key(
                    &format!("{at}/{}", pointer_segment(key)),
                    unknown_field(key, self.fields()),
                ));
            }
        }
        let get = Fields { source, at, map };
        let mut entry = Entry {
            // Zed's may be an object: read below.
            command: match self {
                Dialect::Zed => None,
                _ => get.string("command")?,
            },
            args: get.strings("args")?.unwrap_or_default(),
            env: get.string_map("env")?,
            url: get.string("url")?,
            ..Entry::default()
        };
        match self {
            Dialect::Common => {
                entry.kind = get.string("type")?;
                entry.env_file = get.string("envFile")?;
                entry.cwd = get.string("cwd")?;
                entry.headers = get.string_map("headers")?;
                entry.builtin = get.string("builtin")?;
                entry.disabled = get.bool("disabled")? == Some(true);
                entry.trusted = get.bool("trusted")?;
                entry.timeout = get.number("timeout")?;
                entry.startup_timeout = get.number("startupTimeout")?;
                entry.oauth = match map.get("oauth") {
                    None | Some(Value::Null) => None,
                    Some(Value::Object(oauth)) => {
                        let at = format!("{at}/oauth");
                        for key in oauth.keys() {
                            if !OAUTH_FIELDS.contains(&key.as_str()) {
                                return Err(source.error_at_key(
                                    &format!("{at}/{}", pointer_segment(key)),
                                    unknown_field(key, &OAUTH_FIELDS),
                                ));
                            }
                        }
                        let get = Fields {
                            source,
                            at: &at,
                            map: oauth,
                        };
                        Some(RawOAuth {
                            client_id: get.string("clientId")?,
                            client_secret: get.string("clientSecret")?,
                            metadata_url: get.string("clientMetadataUrl")?,
                            scopes: get.strings("scopes")?.unwrap_or_default(),
                        })
                    }
                    Some(_) => {
                        return Err(source.error_at(
                            &format!("{at}/oauth"),
                            "expected an object: {\"clientId\", \"clientSecret\", \"clientMetadataUrl\", \"scopes\"}",
                        ));
                    }
                };
            }
            Dialect::Windsurf => {
                entry.url = get.string("serverUrl")?.or(entry.url);
                entry.headers = get.string_map("headers")?;
                entry.disabled = get.bool("disabled")? == Some(true);
                entry.never_tools = get.strings("disabledTools")?.unwrap_or_default();
                entry.trusted = get.bool("trusted")?;
            }
            Dialect::Gemini => {
                if entry.url.is_some() {
                    // Gemini CLI's `url` is an SSE endpoint; `httpUrl` is streamable HTTP.
                    entry.kind = Some("sse".to_string());
                }
                if let Some(url) = get.string("httpUrl")? {
                    entry.kind = Some("http".to_string());
                    entry.url = Some(url);
                }
                entry.cwd = get.string("cwd")?;
                entry.headers = get.string_map("headers")?;
                // Milliseconds in Gemini CLI.
                entry.timeout = get.number("timeout")?.map(|ms| ms / 1000.0);
                entry.trusted = get.bool("trust")?;
                entry.only_tools = get.strings("includeTools")?;
                entry.never_tools = get.strings("excludeTools")?.unwrap_or_default();
            }
            Dialect::Zed => {
                // `"command": {"path", "args", "env"}` (older settings) or a plain string.
                if let Some(Value::Object(command)) = map.get("command") {
                    let nested = Fields {
                        source,
                        at: &format!("{at}/command"),
                        map: command,
                    };
                    for key in command.keys() {
                        if !["path", "args", "env"].contains(&key.as_str()) {
                            return Err(source.error_at_key(
                                &format!("{at}/command/{}", pointer_segment(key)),
                                unknown_field(key, &["path", "args", "env"]),
                            ));
                        }
                    }
                    entry.command = nested.string("path")?;
                    entry.args = nested.strings("args")?.unwrap_or_default();
                    entry.env = nested.string_map("env")?;
                } else {
                    entry.command = get.string("command")?;
                }
                entry.headers = get.string_map("headers")?;
                entry.disabled = get.bool("enabled")? == Some(false);
                if get.string("source")?.as_deref() == Some("extension") && entry.command.is_none()
                {
                    entry.unusable =
                        Some("it comes from a Zed extension, which only Zed can start".to_string());
                }
            }
            Dialect::Codex => {
                entry.cwd = get.string("cwd")?;
                entry.headers = get.string_map("http_headers")?;
                for (header, variable) in get.string_map("env_http_headers")? {
                    entry.env_headers.insert(header, (variable, ""));
                }
                if let Some(variable) = get.string("bearer_token_env_var")? {
                    entry
                        .env_headers
                        .insert("Authorization".to_string(), (variable, "Bearer "));
                }
                entry.disabled = get.bool("enabled")? == Some(false);
                entry.startup_timeout = match get.number("startup_timeout_sec")? {
                    Some(seconds) => Some(seconds),
                    None => get.number("startup_timeout_ms")?.map(|ms| ms / 1000.0),
                };
                entry.timeout = get.number("tool_timeout_sec")?;
                entry.only_tools = get.strings("enabled_tools")?;
                entry.never_tools = get.strings("disabled_tools")?.unwrap_or_default();
            }
        }
        Ok(entry)
    }
}

/// "unknown field `enviroment`; did you mean `env`? The fields of a server: …".
pub(crate) fn unknown_field(key: &str, valid: &[&str]) -> String {
    let closest = valid
        .iter()
        .map(|name| {
            let score = strsim::jaro_winkler(&key.to_lowercase(), &name.to_lowercase());
            (score, *name)
        })
        .filter(|(score, _)| *score >= 0.7)
        .max_by(|a, b| a.0.total_cmp(&b.0));
    let mut message = format!("unknown field `{key}`");
    if let Some((_, name)) = closest {
        message.push_str(&format!("; did you mean `{name}`?"));
    }
    message.push_str(&format!(" Valid fields: {}", valid.join(", ")));
    message
}

/// Typed reads of one object's fields, each error placed at its field.
struct Fields<'a> {
    source: &'a Source,
    at: &'a str,
    map: &'a Map<String, Value>,
}

impl Fields<'_> {
    fn error(&self, key: &str, expected: &str) -> ConfigError {
        self.source
            .error_at(&format!("{}/{}", self.at, pointer_segment(key)), expected)
    }

    fn string(&self, key: &str) -> Result<Option<String>, ConfigError> {
        match self.map.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(self.error(key, "expected a string")),
        }
    }

    fn bool(&self, key: &str) -> Result<Option<bool>, ConfigError> {
        match self.map.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(_) => Err(self.error(key, "expected true or false")),
        }
    }

    fn number(&self, key: &str) -> Result<Option<f64>, ConfigError> {
        match self.map.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Number(n)) => Ok(n.as_f64()),
            Some(_) => Err(self.error(key, "expected a number")),
        }
    }

    fn strings(&self, key: &str) -> Result<Option<Vec<String>>, ConfigError> {
        match self.map.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Array(items)) => {
                let mut out = Vec::with_capacity(items.len());
                for (index, item) in items.iter().enumerate() {
                    match item {
                        Value::String(s) => out.push(s.clone()),
                        _ => {
                            return Err(self.source.error_at(
                                &format!("{}/{}/{index}", self.at, pointer_segment(key)),
                                "expected a string",
                            ));
                        }
                    }
                }
                Ok(Some(out))
            }
            Some(_) => Err(self.error(key, "expected a list of strings")),
        }
    }

    fn string_map(&self, key: &str) -> Result<IndexMap<String, String>, ConfigError> {
        match self.map.get(key) {
            None | Some(Value::Null) => Ok(IndexMap::new()),
            Some(Value::Object(map)) => {
                let mut out = IndexMap::new();
                for (name, value) in map {
                    match value {
                        Value::String(s) => {
                            out.insert(name.clone(), s.clone());
                        }
                        // Numbers and booleans in `env` are common; they mean their text.
                        Value::Number(n) => {
                            out.insert(name.clone(), n.to_string());
                        }
                        Value::Bool(b) => {
                            out.insert(name.clone(), b.to_string());
                        }
                        _ => {
                            return Err(self.source.error_at(
                                &format!(
                                    "{}/{}/{}",
                                    self.at,
                                    pointer_segment(key),
                                    pointer_segment(name)
                                ),
                                "expected a string",
                            ));
                        }
                    }
                }
                Ok(out)
            }
            Some(_) => Err(self.error(key, "expected an object of names to strings")),
        }
    }
}
