//! The MCP configurations other clients keep for their users: where each one's file is on
//! each operating system, and how its servers are written. codemode only reads these files.
//!
//! [`Client::ALL`] is also the order in which they are tried when there is no project file
//! (see [`super::Config::resolve`]).

use std::path::{Path, PathBuf};

use super::dialect::Dialect;

/// A client whose user-level MCP configuration codemode can read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Client {
    ClaudeCode,
    ClaudeDesktop,
    Cursor,
    VsCode,
    Windsurf,
    Gemini,
    Codex,
    Zed,
}

/// How a client's file holds its servers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Layout {
    /// `{"mcpServers": {...}}` among the client's other settings.
    McpServers,
    /// VS Code's `{"servers": {...}, "inputs": [...]}`.
    Servers,
    /// Claude Code's `~/.claude.json`: `mcpServers` (user scope) and
    /// `projects.<folder>.mcpServers` (the project's local scope, which wins).
    ClaudeCode,
    /// Zed's `settings.json`: `context_servers`.
    ContextServers,
    /// Codex's `config.toml`: `[mcp_servers.NAME]` tables.
    CodexToml,
}

/// The operating system whose conventions place the files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Os {
    Linux,
    MacOs,
    Windows,
}

/// Where a user's files are: the home folder and the variables that move some of them.
#[derive(Debug, Clone)]
pub struct Home {
    pub dir: PathBuf,
    pub os: Os,
    /// `%APPDATA%` (Windows).
    pub app_data: Option<PathBuf>,
    /// `$XDG_CONFIG_HOME` (Linux).
    pub xdg_config: Option<PathBuf>,
    /// `$CODEX_HOME`.
    pub codex_home: Option<PathBuf>,
}

impl Home {
    /// The current user's, from the environment; `None` without a home folder.
    pub fn current() -> Option<Home> {
        let os = if cfg!(target_os = "macos") {
            Os::MacOs
        } else if cfg!(windows) {
            Os::Windows
        } else {
            Os::Linux
        };
        let var = |name: &str| {
            std::env::var_os(name)
                .filter(|v| !v.is_empty())
                .map(PathBuf::from)
        };
        let dir = var("HOME").or_else(|| var("USERPROFILE"))?;
        Some(Home {
            dir,
            os,
            app_data: var("APPDATA"),
            xdg_config: var("XDG_CONFIG_HOME"),
            codex_home: var("CODEX_HOME"),
        })
    }

    /// `~/.config` or `$XDG_CONFIG_HOME`.
    fn config_dir(&self) -> PathBuf {
        self.xdg_config
            .clone()
            .unwrap_or_else(|| self.dir.join(".config"))
    }

    /// `%APPDATA%`, or where it usually is.
    fn app_data(&self) -> PathBuf {
        self.app_data
            .clone()
            .unwrap_or_else(|| self.dir.join("AppData").join("Roaming"))
    }

    /// The folder applications keep their settings in: `~/Library/Application Support`,
    /// `%APPDATA%`, `~/.config`.
    fn application_support(&self) -> PathBuf {
        match self.os {
            Os::MacOs => self.dir.join("Library").join("Application Support"),
            Os::Windows => self.app_data(),
            Os::Linux => self.config_dir(),
        }
    }
}

impl Client {
    /// In the order tried when there is no project file: the command-line agents first (their
    /// files are the ones most often kept for the folder at hand), then the editors.
    pub const ALL: [Client; 8] = [
        Client::ClaudeCode,
        Client::ClaudeDesktop,
        Client::Cursor,
        Client::VsCode,
        Client::Windsurf,
        Client::Gemini,
        Client::Codex,
        Client::Zed,
    ];

    /// The name `--from` takes.
    pub fn id(self) -> &'static str {
        match self {
            Client::ClaudeCode => "claude-code",
            Client::ClaudeDesktop => "claude-desktop",
            Client::Cursor => "cursor",
            Client::VsCode => "vscode",
            Client::Windsurf => "windsurf",
            Client::Gemini => "gemini",
            Client::Codex => "codex",
            Client::Zed => "zed",
        }
    }

    /// The name people know it by.
    pub fn title(self) -> &'static str {
        match self {
            Client::ClaudeCode => "Claude Code",
            Client::ClaudeDesktop => "Claude Desktop",
            Client::Cursor => "Cursor",
            Client::VsCode => "VS Code",
            Client::Windsurf => "Windsurf",
            Client::Gemini => "Gemini CLI",
            Client::Codex => "Codex",
            Client::Zed => "Zed",
        }
    }

    pub fn from_id(id: &str) -> Option<Client> {
        Client::ALL.into_iter().find(|c| c.id() == id)
    }

    /// Its user-level configuration file.
    pub fn file(self, home: &Home) -> PathBuf {
        let h = &home.dir;
        match self {
            Client::ClaudeCode => h.join(".claude.json"),
            Client::ClaudeDesktop => home
                .application_support()
                .join("Claude")
                .join("claude_desktop_config.json"),
            Client::Cursor => h.join(".cursor").join("mcp.json"),
            Client::VsCode => home
                .application_support()
                .join("Code")
                .join("User")
                .join("mcp.json"),
            Client::Windsurf => h.join(".codeium").join("windsurf").join("mcp_config.json"),
            Client::Gemini => h.join(".gemini").join("settings.json"),
            Client::Codex => home
                .codex_home
                .clone()
                .unwrap_or_else(|| h.join(".codex"))
                .join("config.toml"),
            Client::Zed => match home.os {
                Os::Windows => home.app_data().join("Zed").join("settings.json"),
                // Zed keeps `~/.config/zed` on macOS too.
                Os::MacOs | Os::Linux => home.config_dir().join("zed").join("settings.json"),
            },
        }
    }

    pub(crate) fn layout(self) -> Layout {
        match self {
            Client::ClaudeCode => Layout::ClaudeCode,
            Client::VsCode => Layout::Servers,
            Client::Zed => Layout::ContextServers,
            Client::Codex => Layout::CodexToml,
            Client::ClaudeDesktop | Client::Cursor | Client::Windsurf | Client::Gemini => {
                Layout::McpServers
            }
        }
    }

    pub(crate) fn dialect(self) -> Dialect {
        match self {
            Client::Windsurf => Dialect::Windsurf,
            Client::Gemini => Dialect::Gemini,
            Client::Zed => Dialect::Zed,
            Client::Codex => Dialect::Codex,
            Client::ClaudeCode | Client::ClaudeDesktop | Client::Cursor | Client::VsCode => {
                Dialect::Common
            }
        }
    }
}

/// `path` with the home folder written `~`, for people to read.
pub fn tilde(path: &Path, home: Option<&Home>) -> String {
    match home.and_then(|home| path.strip_prefix(&home.dir).ok()) {
        Some(rest) => format!("~/{}", rest.display()),
        None => path.display().to_string(),
    }
}
