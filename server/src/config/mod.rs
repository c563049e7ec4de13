//! Configuration: which MCP servers to connect to and codemode's own settings.
//!
//! Reads the formats people already have — `{"mcpServers": {...}}` (Claude Desktop, Cursor,
//! Claude Code's `.mcp.json`) and VS Code's `{"servers": {...}}` — from `--config FILE` or by
//! discovery from the working directory upward. The result is plain data ([`Config`]); this
//! module starts nothing and knows nothing about MCP or TypeScript.

mod clients;
mod dialect;
mod expand;
mod raw;
mod source;
mod trust;

pub use clients::{Client, Home, Os, tilde};
pub use expand::{Ask, Prompt};
pub use trust::{ProjectFile, Proposed, Refused, Untrusted, sha256_hex};

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use indexmap::IndexMap;

pub use crate::limits::Limits;

/// File names looked for, in this order, in each directory from the working directory up.
pub const DISCOVERED_FILES: [&str; 4] = [
    "codemode.json",
    ".mcp.json",
    ".vscode/mcp.json",
    ".cursor/mcp.json",
];

/// The default time a single tool call may take.
pub const DEFAULT_TOOL_TIMEOUT: Duration = Duration::from_secs(60);
/// The default time a server may take to start and answer `initialize` and `tools/list`.
pub const DEFAULT_STARTUP_TIMEOUT: Duration = Duration::from_secs(30);

/// Everything codemode was configured with.
#[derive(Debug, Clone)]
pub struct Config {
    /// Where the configuration came from.
    pub origin: Origin,
    /// The servers, in the order the file lists them.
    pub servers: Vec<ServerConfig>,
    pub settings: Settings,
    /// Entries left out because codemode cannot start them, with why (shown as notes).
    pub skipped: Vec<Skipped>,
    /// The project file found, when the person has not trusted it: none of its servers is
    /// in `servers`, and nothing in it was expanded.
    pub untrusted: Option<Untrusted>,
    /// Project files passed over on the way (another user's, or writable by others).
    pub refused: Vec<Refused>,
    /// The folder of the file when the person chose it (`--config`) or trusted it: the one
    /// folder whose `node_modules` TypeScript may be run from.
    pub trusted_folder: Option<PathBuf>,
}

/// A configured server codemode leaves out, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    pub name: String,
    pub reason: String,
}

/// Where a [`Config`] came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    File(PathBuf),
    /// Another client's user-level file (no project file was found, or `--from` named it).
    Client {
        client: Client,
        file: PathBuf,
    },
    /// No file was found; the built-in demo server is used.
    BuiltinDefault,
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::File(path) => write!(f, "{}", path.display()),
            Origin::Client { client, file } => {
                let home = Home::current();
                write!(f, "{} ({})", client.title(), tilde(file, home.as_ref()))
            }
            Origin::BuiltinDefault => f.write_str("built-in default (the demo server)"),
        }
    }
}

/// codemode's own settings, from the optional `"codemode"` section of the file.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    pub tool_timeout: Duration,
    pub startup_timeout: Duration,
    /// The limits of a run (`runTimeout`, `checkTimeout`, `memoryLimitMb`, ...).
    pub limits: Limits,
    /// Folders (relative to the configuration file) whose `.ts` files are agent scripts for
    /// the language server, besides any `*.mcp.ts`.
    pub scripts: Vec<String>,
    /// Whether tools that may be destructive run without asking (the language server's Run,
    /// `serve`'s execute).
    pub allow_destructive: bool,
    /// When set, only tools matching one of these patterns are exposed (`server` or
    /// `server.tool`, with `*` and `?`).
    pub allow_tools: Option<Vec<String>>,
    /// Tools never exposed, whatever `allow_tools` says.
    pub deny_tools: Vec<String>,
    /// Tools that may be destructive but run without asking.
    pub auto_approve: Vec<String>,
    /// Where every upstream tool call is appended as a JSON line, when set.
    pub audit_log: Option<PathBuf>,
    /// The bearer token `codemode serve --http` requires, when set.
    pub http_token: Option<Secret>,
    /// Bytes of text `serve`'s tools answer with at most; longer answers are cut with a marker.
    pub max_response_bytes: usize,
    /// Whether questions servers ask while a tool runs (MCP elicitation) reach the person.
    pub elicitation: Elicitation,
    /// How long a kept tool list whose server gave no `ttlMs` is used in place of asking the
    /// server (`check`, `types`); zero: never.
    pub catalog_max_age: Duration,
}

/// What happens to a question a server asks while one of its tools runs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Elicitation {
    /// Declined without asking anyone (and not offered to servers).
    #[default]
    Decline,
    /// Put to the person: on the terminal under `run`, to the agent's client under `serve`.
    Ask,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            tool_timeout: DEFAULT_TOOL_TIMEOUT,
            startup_timeout: DEFAULT_STARTUP_TIMEOUT,
            limits: Limits::default(),
            scripts: Vec::new(),
            allow_destructive: false,
            allow_tools: None,
            deny_tools: Vec::new(),
            auto_approve: Vec::new(),
            audit_log: None,
            http_token: None,
            max_response_bytes: 24 * 1024,
            elicitation: Elicitation::Decline,
            catalog_max_age: Duration::from_secs(24 * 3600),
        }
    }
}

/// A value that must not reach logs: its `Debug` shows only that it is set.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(pub String);

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(..)")
    }
}

/// One MCP server as configured.
#[derive(Debug, Clone, PartialEq)]
pub struct ServerConfig {
    /// The key the file gives it (`"memory"`); the generated namespace is derived from it.
    pub name: String,
    pub transport: Transport,
    /// Per-call timeout for this server's tools.
    pub tool_timeout: Duration,
    pub startup_timeout: Duration,
    /// How the server is shown to people: its command line or URL as written in the file
    /// (variables unexpanded), with URL query values and user information redacted.
    pub shown: String,
    /// Values that must never be shown: what variables expanded to, `env` and `headers`
    /// values, URL query values and user information ([`ServerConfig::redact`]).
    pub secrets: Vec<Secret>,
    /// Whether the server's tool annotations (`readOnlyHint`, `destructiveHint`) are believed
    /// when deciding what needs approval: the entry's `"trusted"`, else [`Hints::default_for`].
    pub hints: Hints,
    /// Which of its tools the entry itself limits scripts to (Gemini CLI's `includeTools` and
    /// `excludeTools`, Codex's `enabled_tools` and `disabled_tools`, Windsurf's
    /// `disabledTools`), on top of the `codemode` section's patterns.
    pub tools: ToolFilter,
    /// How codemode presents itself when signing in to this server (its `oauth` field).
    pub oauth: OAuthClient,
}

/// The client codemode signs in as, when a server's authorization server wants one it
/// knows: a pre-registered client, or a client ID metadata document codemode is published
/// at. Without either, codemode registers itself (dynamic client registration).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OAuthClient {
    pub client_id: Option<String>,
    pub client_secret: Option<Secret>,
    /// An HTTPS URL of a client ID metadata document describing codemode.
    pub metadata_url: Option<String>,
    /// Scopes to ask for instead of the ones the server names.
    pub scopes: Vec<String>,
}

/// Tool names one server entry permits.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ToolFilter {
    /// Only these, when set.
    pub only: Option<Vec<String>>,
    /// Never these.
    pub never: Vec<String>,
}

impl ToolFilter {
    pub fn permits(&self, tool: &str) -> bool {
        self.only
            .as_ref()
            .is_none_or(|only| only.iter().any(|t| t == tool))
            && !self.never.iter().any(|t| t == tool)
    }
}

/// Whether a server's own word about its tools (their annotations) is believed. The MCP
/// specification says annotations are untrusted unless they come from a trusted server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hints {
    /// Its `readOnlyHint: true` or `destructiveHint: false` lets a tool run without asking.
    Believed,
    /// Every tool of it may be destructive, whatever it says.
    Doubted,
}

impl ServerConfig {
    /// `text` with every secret of this server replaced by `***`: for error messages and
    /// stderr lines that may quote its command line, URL or environment.
    pub fn redact(&self, text: &str) -> String {
        crate::redact::replace_all(text, self.secrets.iter().map(|s| s.0.as_str()))
    }
}

/// `url` with the value of each query parameter and any user information replaced by `***`
/// (parameter names stay: `?api_key=***`). Text that is not a URL is left as it is.
pub fn redact_url(url: &str) -> String {
    let Ok(mut parsed) = url::Url::parse(url) else {
        return url.to_string();
    };
    if !parsed.username().is_empty() {
        let _ = parsed.set_username("***");
    }
    if parsed.password().is_some() {
        let _ = parsed.set_password(Some("***"));
    }
    if parsed.query().is_some() {
        let names: Vec<String> = parsed
            .query_pairs()
            .map(|(name, _)| name.into_owned())
            .collect();
        parsed
            .query_pairs_mut()
            .clear()
            .extend_pairs(names.iter().map(|name| (name.as_str(), "***")));
    }
    // The pairs were re-encoded; `***` reads better unescaped.
    parsed.to_string().replace("%2A%2A%2A", "***")
}

/// The query values and user information of `url`, for redaction.
fn url_secrets(url: &str) -> Vec<String> {
    let Ok(parsed) = url::Url::parse(url) else {
        return Vec::new();
    };
    let mut found: Vec<String> = parsed
        .query_pairs()
        .map(|(_, value)| value.into_owned())
        .collect();
    if let Some(query) = parsed.query() {
        // As sent, percent-encoded, too.
        found.extend(
            query
                .split('&')
                .filter_map(|pair| pair.split_once('='))
                .map(|(_, v)| v.to_string()),
        );
    }
    if !parsed.username().is_empty() {
        found.push(parsed.username().to_string());
    }
    if let Some(password) = parsed.password() {
        found.push(password.to_string());
    }
    found
}

/// The secrets of one server entry: values taken from the environment, `env` and `headers`
/// values, the URL's query values and user information; longest first (so a secret that
/// contains another is replaced whole), at least 4 characters (shorter ones would redact
/// ordinary words).
pub(crate) fn collect_secrets(transport: &Transport, taken: Vec<String>) -> Vec<Secret> {
    let mut secrets = taken;
    match transport {
        Transport::Stdio { env, .. } => secrets.extend(env.values().cloned()),
        Transport::Http { url, headers } => {
            secrets.extend(headers.values().cloned());
            for value in headers.values() {
                // `Bearer TOKEN`: the token alone, too.
                if let Some((_, token)) = value.split_once(' ') {
                    secrets.push(token.to_string());
                }
            }
            secrets.extend(url_secrets(url));
        }
        Transport::Builtin { .. } => {}
    }
    secrets.retain(|s| s.chars().count() >= 4);
    secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
    secrets.dedup();
    secrets.into_iter().map(Secret).collect()
}

impl Hints {
    /// A program the user configured to run on their machine (stdio) or one compiled into
    /// codemode is believed about its own tools: it already runs with the user's rights, so
    /// its hints add no power it lacks. A remote server (HTTP) is a third party whose hints
    /// the user never vetted: not believed unless the entry says `"trusted": true`.
    pub fn default_for(transport: &Transport) -> Hints {
        match transport {
            Transport::Stdio { .. } | Transport::Builtin { .. } => Hints::Believed,
            Transport::Http { .. } => Hints::Doubted,
        }
    }
}

/// How to reach a server.
#[derive(Clone, PartialEq)]
pub enum Transport {
    /// A child process speaking MCP over stdin/stdout.
    Stdio {
        command: String,
        args: Vec<String>,
        /// Only these variables (plus a few the platform needs) reach the child.
        env: IndexMap<String, String>,
        cwd: Option<PathBuf>,
    },
    /// A streamable HTTP endpoint.
    Http {
        url: String,
        headers: IndexMap<String, String>,
    },
    /// A server compiled into codemode, run in-process.
    Builtin { name: String },
}

/// Values of `env` and `headers` are secrets; they never appear in debug output.
impl fmt::Debug for Transport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Transport::Stdio {
                command,
                args,
                env,
                cwd,
                ..
            } => f
                .debug_struct("Stdio")
                .field("command", command)
                .field("args", args)
                .field("env", &env.keys().collect::<Vec<_>>())
                .field("cwd", cwd)
                .finish(),
            Transport::Http { url, headers } => f
                .debug_struct("Http")
                .field("url", url)
                .field("headers", &headers.keys().collect::<Vec<_>>())
                .finish(),
            Transport::Builtin { name } => f.debug_struct("Builtin").field("name", name).finish(),
        }
    }
}

/// A configuration problem, placed at a file, line, column and field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    pub file: PathBuf,
    pub line: usize,
    pub column: usize,
    /// The field in dotted form (`mcpServers.memory.env.TOKEN`); empty for the whole file.
    pub field: String,
    pub message: String,
}

impl ConfigError {
    pub(crate) fn at(
        file: &Path,
        line: usize,
        column: usize,
        field: &str,
        message: String,
    ) -> Self {
        ConfigError {
            file: file.to_path_buf(),
            line,
            column,
            field: field.to_string(),
            message,
        }
    }

    fn whole_file(file: &Path, message: String) -> Self {
        ConfigError::at(file, 0, 0, "", message)
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if self.line > 0 {
            write!(f, ":{}:{}", self.line, self.column)?;
        }
        if !self.field.is_empty() {
            write!(f, ": {}", self.field)?;
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for ConfigError {}

impl Config {
    /// The configuration used when no file is found: the built-in demo server.
    pub fn builtin_default() -> Config {
        let settings = Settings::default();
        Config {
            origin: Origin::BuiltinDefault,
            servers: vec![ServerConfig {
                name: "demo".to_string(),
                transport: Transport::Builtin {
                    name: "demo".to_string(),
                },
                tool_timeout: settings.tool_timeout,
                startup_timeout: settings.startup_timeout,
                shown: "built-in demo".to_string(),
                secrets: Vec::new(),
                hints: Hints::Believed,
                tools: ToolFilter::default(),
                oauth: OAuthClient::default(),
            }],
            settings,
            skipped: Vec::new(),
            untrusted: None,
            refused: Vec::new(),
            trusted_folder: None,
        }
    }

    /// A configuration with no servers at all.
    pub fn empty() -> Config {
        Config {
            origin: Origin::BuiltinDefault,
            servers: Vec::new(),
            settings: Settings::default(),
            skipped: Vec::new(),
            untrusted: None,
            refused: Vec::new(),
            trusted_folder: None,
        }
    }

    /// Loads `--config FILE` when given, else what [`Config::resolve`] finds from `start`
    /// for the current user.
    pub fn load(explicit: Option<&Path>, start: &Path) -> Result<Config, ConfigError> {
        let env = |name: &str| std::env::var(name).ok();
        Config::resolve(&Search {
            explicit,
            from: None,
            start,
            home: Home::current(),
            lookup: &env,
            ask: None,
            trusted: &crate::user::trusted,
        })
    }

    /// The configuration a search settles on, in this order: `--config FILE`; `--from
    /// CLIENT`'s file; the first project file from `start` upward ([`DISCOVERED_FILES`]) that
    /// is safe to use (see [`Refused`]), which is interpreted only when it needs no trust or
    /// the person trusted it ([`Config::untrusted`] otherwise); the first client's user-level
    /// file, in [`Client::ALL`]'s order, that lists a server; the built-in demo server.
    pub fn resolve(search: &Search<'_>) -> Result<Config, ConfigError> {
        if let Some(path) = search.explicit {
            let mut config = Config::from_file_with(path, search.lookup, search.ask)?;
            config.trusted_folder = Some(workspace_folder(path));
            return Ok(config);
        }
        if let Some(client) = search.from {
            let Some(home) = &search.home else {
                return Err(ConfigError::whole_file(
                    Path::new(client.id()),
                    "no home folder (HOME is not set), so no user configuration to read".into(),
                ));
            };
            let file = client.file(home);
            if !file.is_file() {
                return Err(ConfigError::whole_file(
                    &file,
                    format!("no {} configuration here", client.title()),
                ));
            }
            return Config::from_client(client, &file, search);
        }
        let mut refused = Vec::new();
        for path in project_files(search.start) {
            match ProjectFile::open(&path) {
                Ok(file) => {
                    let mut config = Config::from_project(file, search)?;
                    config.refused = refused;
                    return Ok(config);
                }
                Err(reason) => refused.push(Refused { file: path, reason }),
            }
        }
        for candidate in user_files(search) {
            let mut config = Config::from_client(candidate.0, &candidate.1, search)?;
            if !config.servers.is_empty() {
                config.refused = refused;
                return Ok(config);
            }
        }
        let mut config = Config::builtin_default();
        config.refused = refused;
        Ok(config)
    }

    /// A project file the search found: interpreted when it needs no trust or the person
    /// trusted this content; otherwise only surveyed, to say what it would start.
    fn from_project(file: ProjectFile, search: &Search<'_>) -> Result<Config, ConfigError> {
        let source = source::Source::parse(&file.path, file.text.clone())?;
        let survey = raw::survey(&source)?;
        let trusted = (search.trusted)(&file.key, &file.sha256);
        if survey.inert || trusted {
            let folder = workspace_folder(&file.path);
            let mut expander = expand::Expander::new(search.lookup, folder.clone());
            expander.ask = search.ask;
            let mut config = raw::interpret(&source, &expander, &raw::Shape::Project)?;
            config.trusted_folder = trusted.then_some(folder);
            return Ok(config);
        }
        let mut config = Config::empty();
        config.origin = Origin::File(file.path);
        config.untrusted = Some(Untrusted {
            file: file.key,
            sha256: file.sha256,
            servers: survey.servers,
            widens: survey.widens,
        });
        Ok(config)
    }

    /// Every place [`Config::resolve`] would look (but `--config`), in its order, and what
    /// each holds: for `codemode config sources`.
    pub fn sources(search: &Search<'_>) -> Vec<Candidate> {
        let mut out = Vec::new();
        for dir in search.start.ancestors() {
            for name in DISCOVERED_FILES {
                let path = dir.join(name);
                if path.is_file() {
                    let state = match ProjectFile::open(&path) {
                        Err(reason) => CandidateState::Refused(reason),
                        Ok(file) => match Config::from_project(file, search) {
                            Ok(Config {
                                untrusted: Some(untrusted),
                                ..
                            }) => CandidateState::Untrusted(
                                untrusted.servers.into_iter().map(|s| s.name).collect(),
                            ),
                            other => Candidate::state_of(other),
                        },
                    };
                    out.push(Candidate {
                        client: None,
                        path,
                        state,
                    });
                }
            }
        }
        if let Some(home) = &search.home {
            for client in Client::ALL {
                let path = client.file(home);
                let state = if path.is_file() {
                    Candidate::state_of(Config::from_client(client, &path, search))
                } else {
                    CandidateState::Missing
                };
                out.push(Candidate {
                    client: Some(client),
                    path,
                    state,
                });
            }
        }
        out
    }

    /// Reads and checks one file, expanding `${env:VAR}` from the process environment.
    pub fn from_file(path: &Path) -> Result<Config, ConfigError> {
        Config::from_file_with(path, &|name| std::env::var(name).ok(), None)
    }

    /// Reads a project file; `lookup` answers environment variables, `ask` the inputs
    /// they do not have.
    fn from_file_with(
        path: &Path,
        lookup: &dyn Fn(&str) -> Option<String>,
        ask: Option<expand::Ask<'_>>,
    ) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path)
            .map_err(|error| ConfigError::whole_file(path, format!("cannot read: {error}")))?;
        Config::from_text_asking(path, text, lookup, ask)
    }

    /// Reads `client`'s file at `path` for the folder the search starts from.
    fn from_client(
        client: Client,
        path: &Path,
        search: &Search<'_>,
    ) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path)
            .map_err(|error| ConfigError::whole_file(path, format!("cannot read: {error}")))?;
        let source = if client.layout() == clients::Layout::CodexToml {
            source::Source::parse_toml(path, text)?
        } else {
            source::Source::parse(path, text)?
        };
        let project = std::path::absolute(search.start).unwrap_or_else(|_| search.start.into());
        let mut expander = expand::Expander::new(search.lookup, project.clone());
        expander.bare = client == Client::Gemini;
        expander.ask = search.ask;
        raw::interpret(&source, &expander, &raw::Shape::Client { client, project })
    }

    /// Parses `text` as the file at `path`; `lookup` answers environment variables.
    pub fn from_text(
        path: &Path,
        text: String,
        lookup: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Config, ConfigError> {
        Config::from_text_asking(path, text, lookup, None)
    }

    fn from_text_asking(
        path: &Path,
        text: String,
        lookup: &dyn Fn(&str) -> Option<String>,
        ask: Option<expand::Ask<'_>>,
    ) -> Result<Config, ConfigError> {
        let source = source::Source::parse(path, text)?;
        let mut expander = expand::Expander::new(lookup, workspace_folder(path));
        expander.ask = ask;
        raw::interpret(&source, &expander, &raw::Shape::Project)
    }
}

/// Where to look for a configuration, and how to read it.
pub struct Search<'a> {
    /// `--config FILE`.
    pub explicit: Option<&'a Path>,
    /// `--from CLIENT`.
    pub from: Option<Client>,
    /// The folder project files are looked for from, upward.
    pub start: &'a Path,
    /// The user whose clients' files are read; none without a home folder.
    pub home: Option<Home>,
    /// Answers `${env:NAME}`.
    pub lookup: &'a dyn Fn(&str) -> Option<String>,
    /// Asks the person for a VS Code `${input:ID}` the environment does not have.
    pub ask: Option<expand::Ask<'a>>,
    /// Whether the person trusted a project file (its absolute path) with this content
    /// (its SHA-256): `UserState::trusts`.
    pub trusted: &'a dyn Fn(&Path, &str) -> bool,
}

/// One place a configuration may come from, and what it holds.
#[derive(Debug)]
pub struct Candidate {
    /// The client whose file it is; `None` for a project file.
    pub client: Option<Client>,
    pub path: PathBuf,
    pub state: CandidateState,
}

#[derive(Debug)]
pub enum CandidateState {
    Missing,
    /// It reads, with these servers.
    Servers(Vec<String>),
    /// A project file the person has not trusted, naming these servers.
    Untrusted(Vec<String>),
    /// A project file never used: another user's, or writable by others.
    Refused(String),
    Broken(ConfigError),
}

impl Candidate {
    fn state_of(config: Result<Config, ConfigError>) -> CandidateState {
        match config {
            Ok(config) => {
                CandidateState::Servers(config.servers.into_iter().map(|s| s.name).collect())
            }
            Err(error) => CandidateState::Broken(error),
        }
    }
}

/// The user-level files that exist, in the order they are tried.
fn user_files(search: &Search<'_>) -> Vec<(Client, PathBuf)> {
    let Some(home) = &search.home else {
        return Vec::new();
    };
    Client::ALL
        .into_iter()
        .map(|client| (client, client.file(home)))
        .filter(|(_, path)| path.is_file())
        .collect()
}

/// Globs made from the configuration's patterns (`scripts` folders, tool patterns), as one
/// set. The configuration checked each when it was read; one that does not compile is left
/// out with a warning naming `what` it is.
pub fn glob_set(globs: impl IntoIterator<Item = String>, what: &str) -> globset::GlobSet {
    let mut builder = globset::GlobSetBuilder::new();
    for glob in globs {
        match globset::Glob::new(&glob) {
            Ok(compiled) => {
                builder.add(compiled);
            }
            Err(error) => tracing::warn!("ignoring {what} {glob:?}: {error}"),
        }
    }
    builder.build().unwrap_or_else(|error| {
        tracing::warn!("ignoring every {what}: {error}");
        globset::GlobSet::empty()
    })
}

/// What a project file would start and widen if trusted, read without interpreting it.
pub fn survey(file: &ProjectFile) -> Result<Untrusted, ConfigError> {
    let source = source::Source::parse(&file.path, file.text.clone())?;
    let survey = raw::survey(&source)?;
    Ok(Untrusted {
        file: file.key.clone(),
        sha256: file.sha256.clone(),
        servers: survey.servers,
        widens: survey.widens,
    })
}

/// The project files in `start` and its ancestors, nearest first.
pub fn project_files(start: &Path) -> impl Iterator<Item = PathBuf> {
    start.ancestors().flat_map(|dir| {
        DISCOVERED_FILES
            .iter()
            .map(move |name| dir.join(name))
            .filter(|candidate| candidate.is_file())
    })
}

/// What `${workspaceFolder}` means for a file: the folder holding `.vscode/` for VS Code's
/// `mcp.json`, else the file's own folder. Relative paths in the file start there too.
pub fn workspace_folder(path: &Path) -> PathBuf {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let dir = absolute.parent().map(Path::to_path_buf).unwrap_or_default();
    if dir.file_name().is_some_and(|name| name == ".vscode") {
        dir.parent().map(Path::to_path_buf).unwrap_or(dir)
    } else {
        dir
    }
}

#[cfg(test)]
mod tests;
