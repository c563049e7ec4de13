//! The language server's workspace: its configuration, the MCP host started from it, the
//! generated API (regenerated when a server's tools change) and which files are agent
//! scripts. Plain data and MCP: nothing here knows LSP.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use globset::GlobSet;

pub use crate::api::Api;
use crate::api::LiveApi;
use crate::config::{self, Config, Origin};
use crate::host::{Host, StartEvent};

/// Files that are agent scripts wherever they are.
pub const SCRIPT_GLOB: &str = "**/*.mcp.ts";

pub struct Workspace {
    pub config: Config,
    /// Where the `scripts` folders are relative to: the configuration file's folder, else
    /// the workspace root.
    pub base: PathBuf,
    pub host: Arc<Host>,
    api: LiveApi,
    scripts: GlobSet,
}

impl Workspace {
    /// Starts the servers of `config`, telling `progress` as each starts.
    pub async fn start(
        config: Config,
        root: &Path,
        progress: &(dyn Fn(StartEvent) + Sync),
    ) -> Workspace {
        let host = Host::start(&config, progress).await;
        let base = match &config.origin {
            Origin::File(path) => config::workspace_folder(path),
            Origin::BuiltinDefault => root.to_path_buf(),
        };
        let scripts = script_globs(&config.settings.scripts);
        let host = Arc::new(host);
        Workspace {
            config,
            base,
            api: LiveApi::new(host.clone()),
            host,
            scripts,
        }
    }

    /// A workspace with no servers, for when the configuration cannot be read: the editor
    /// still checks scripts, against an empty API.
    pub async fn empty(root: &Path) -> Workspace {
        let config = Config {
            origin: Origin::BuiltinDefault,
            servers: Vec::new(),
            settings: Default::default(),
        };
        Workspace::start(config, root, &|_| {}).await
    }

    pub fn api(&self) -> Api {
        self.api.get()
    }

    /// Whether the file at `path` is an agent script: `*.mcp.ts` anywhere, or a `.ts` file
    /// under one of the configured `scripts` folders.
    pub fn is_script(&self, path: &Path) -> bool {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if name.ends_with(".mcp.ts") {
            return true;
        }
        match path.strip_prefix(&self.base) {
            Ok(relative) => self.scripts.is_match(relative),
            Err(_) => false,
        }
    }
}

/// `folder/**/*.ts` for each `scripts` folder. Folders are literal paths, so glob
/// metacharacters in them are escaped.
fn script_globs(folders: &[String]) -> GlobSet {
    let globs = folders.iter().map(|folder| {
        let folder = folder
            .trim_end_matches(['/', '\\'])
            .trim_start_matches("./");
        format!("{}/**/*.ts", globset::escape(folder))
    });
    config::glob_set(globs, "scripts folder")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_are_mcp_ts_files_and_ts_files_under_the_folders() {
        let globs = script_globs(&["agents/".into(), "./tools [x]".into()]);
        assert!(globs.is_match("agents/a.ts"));
        assert!(globs.is_match("agents/deep/b.ts"));
        assert!(globs.is_match("tools [x]/c.ts"));
        assert!(!globs.is_match("agents/a.js"));
        assert!(!globs.is_match("src/agents/a.ts"));
        assert!(!globs.is_match("tools x/c.ts"));
    }
}
