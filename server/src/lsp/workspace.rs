//! The language server's workspace: its configuration, the MCP host started from it, the
//! generated API (regenerated when a server's tools change) and which files are agent
//! scripts. Plain data and MCP: nothing here knows LSP.

use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

use globset::{Glob, GlobSet, GlobSetBuilder};

use crate::codegen::{self, Generated};
use crate::config::{self, Config, Origin};
use crate::host::{Host, StartEvent};

/// Files that are agent scripts wherever they are.
pub const SCRIPT_GLOB: &str = "**/*.mcp.ts";

/// The generated API at one moment.
#[derive(Clone)]
pub struct Api {
    pub generated: Arc<Generated>,
    /// `generated.api`, shared with the checker.
    pub text: Arc<str>,
}

impl Api {
    fn of(host: &Host) -> Api {
        let generated = codegen::generate(&host.catalog());
        let text = Arc::from(generated.api.as_str());
        Api {
            generated: Arc::new(generated),
            text,
        }
    }
}

pub struct Workspace {
    pub config: Config,
    /// Where the `scripts` folders are relative to: the configuration file's folder, else
    /// the workspace root.
    pub base: PathBuf,
    pub host: Arc<Host>,
    api: RwLock<Api>,
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
        let api = RwLock::new(Api::of(&host));
        Workspace {
            config,
            base,
            host: Arc::new(host),
            api,
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
        self.api.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Regenerates the API from the host's current catalog; whether it changed.
    pub fn refresh_api(&self) -> bool {
        let fresh = Api::of(&self.host);
        let mut api = self.api.write().unwrap_or_else(|e| e.into_inner());
        if api.text == fresh.text {
            return false;
        }
        *api = fresh;
        true
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
    let mut builder = GlobSetBuilder::new();
    for folder in folders {
        let folder = folder
            .trim_end_matches(['/', '\\'])
            .trim_start_matches("./");
        let pattern = format!("{}/**/*.ts", globset::escape(folder));
        match Glob::new(&pattern) {
            Ok(glob) => {
                builder.add(glob);
            }
            Err(error) => tracing::warn!("ignoring scripts folder {folder:?}: {error}"),
        }
    }
    builder.build().unwrap_or_else(|error| {
        tracing::warn!("ignoring the scripts folders: {error}");
        GlobSet::empty()
    })
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
