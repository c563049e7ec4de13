//! The catalog cache: each server's last tool list, so that `check` and `types` need not
//! start a server to learn its tools. In the user's cache folder (`…/codemode/catalog/`),
//! never in a project; one owner-only file per server.
//!
//! An entry is found by a key the host makes from the server's resolved entry (its command,
//! arguments and URL, and the *names* of its environment variables and headers, never their
//! values), hashed with a random salt kept beside the entries: a changed entry finds no list,
//! and no file name reveals (or lets anyone guess) what a server was given. An entry holds
//! only what `tools/list` answered, whether the server offers resources and prompts, when it
//! was listed, and the `ttlMs` the server gave. A damaged entry, or one of another format, is
//! treated as missing and rewritten by the next listing; the cache only ever saves time.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::catalog::ToolInfo;

/// The entries' format.
const VERSION: u32 = 1;
/// Bytes of salt.
const SALT_LEN: usize = 32;

/// One server's tools as last listed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CachedListing {
    /// When, in milliseconds since 1970 (a wall-clock time: it outlives the process).
    pub listed_at_ms: u64,
    /// How long the server said its list may be reused (MCP's `ttlMs`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ttl_ms: Option<u64>,
    /// Whether the server declared `resources` and `prompts`.
    pub resources: bool,
    pub prompts: bool,
    pub tools: Vec<ToolInfo>,
}

impl CachedListing {
    /// A listing made now.
    pub fn now(
        tools: Vec<ToolInfo>,
        ttl: Option<Duration>,
        resources: bool,
        prompts: bool,
    ) -> Self {
        CachedListing {
            listed_at_ms: millis(SystemTime::now()),
            ttl_ms: ttl.map(|t| u64::try_from(t.as_millis()).unwrap_or(u64::MAX)),
            resources,
            prompts,
            tools,
        }
    }

    /// How long ago it was listed (zero for a time in the future: the clock moved back).
    pub fn age(&self, now: SystemTime) -> Duration {
        Duration::from_millis(millis(now).saturating_sub(self.listed_at_ms))
    }

    /// Whether it may be used in place of asking the server: within the server's `ttlMs`,
    /// else within `max_age`; never one listed "in the future".
    pub fn usable(&self, max_age: Duration, now: SystemTime) -> bool {
        let limit = self.ttl_ms.map_or(max_age, Duration::from_millis);
        millis(now) >= self.listed_at_ms && self.age(now) < limit
    }
}

fn millis(time: SystemTime) -> u64 {
    time.duration_since(UNIX_EPOCH)
        .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
        .unwrap_or(0)
}

/// The catalog folder of one user.
#[derive(Debug)]
pub struct CatalogCache {
    /// `None`: no cache folder (no home); nothing is found and nothing kept.
    dir: Option<PathBuf>,
    /// The folder's salt, read (or made) on first use.
    salt: std::sync::OnceLock<Option<[u8; SALT_LEN]>>,
}

impl CatalogCache {
    /// The cache of the user running codemode.
    pub fn current() -> CatalogCache {
        CatalogCache {
            dir: super::cache_dir().map(|dir| dir.join("catalog")),
            salt: Default::default(),
        }
    }

    /// The cache kept in `dir`.
    pub fn at(dir: impl Into<PathBuf>) -> CatalogCache {
        CatalogCache {
            dir: Some(dir.into()),
            salt: Default::default(),
        }
    }

    /// The file name of the entry for a server described by `parts`.
    fn file(&self, parts: &[String]) -> Option<PathBuf> {
        let dir = self.dir.as_ref()?;
        let salt = (*self.salt.get_or_init(|| salt(dir)))?;
        let mut hash = Sha256::new();
        hash.update(salt);
        for part in parts {
            hash.update((part.len() as u64).to_le_bytes());
            hash.update(part.as_bytes());
        }
        let name: String = hash.finalize()[..16]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        Some(dir.join(format!("{name}.json")))
    }

    /// The listing kept for the server described by `parts`, if any.
    pub fn get(&self, parts: &[String]) -> Option<CachedListing> {
        super::read_versioned(&self.file(parts)?, VERSION)
    }

    /// Keeps `listing` for the server described by `parts`; a failure is only logged.
    pub fn put(&self, parts: &[String], listing: &CachedListing) {
        let Some(file) = self.file(parts) else {
            return;
        };
        if let Err(error) = super::write_versioned(&file, VERSION, listing) {
            tracing::warn!("cannot keep a tool list in {}: {error}", file.display());
        }
    }
}

/// The salt of the cache in `dir`, made (owner-only) the first time.
fn salt(dir: &Path) -> Option<[u8; SALT_LEN]> {
    let path = dir.join("salt");
    let read =
        |path: &Path| -> Option<[u8; SALT_LEN]> { std::fs::read(path).ok()?.try_into().ok() };
    if let Some(salt) = read(&path) {
        return Some(salt);
    }
    let mut fresh = [0u8; SALT_LEN];
    getrandom::fill(&mut fresh).ok()?;
    // A damaged salt is replaced: its entries are then simply not found again.
    if let Err(error) = super::write_private(&path, &fresh) {
        tracing::warn!("cannot keep tool lists in {}: {error}", dir.display());
        return None;
    }
    // Another process may have written its own at the same moment: use whichever stayed.
    read(&path)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tool(name: &str) -> ToolInfo {
        serde_json::from_value(serde_json::json!({"name": name})).unwrap()
    }

    #[test]
    fn an_entry_is_found_by_its_parts_and_used_while_fresh() {
        let dir = tempfile::tempdir().unwrap();
        let cache = CatalogCache::at(dir.path().join("catalog"));
        let parts = vec!["stdio".to_string(), "node".into(), "server.js".into()];
        assert_eq!(cache.get(&parts), None);
        let listing = CachedListing::now(vec![tool("echo")], None, true, false);
        cache.put(&parts, &listing);
        assert_eq!(cache.get(&parts), Some(listing.clone()));
        let other = vec!["stdio".to_string(), "node".into(), "other.js".into()];
        assert_eq!(cache.get(&other), None);
        let now = SystemTime::now();
        let day = Duration::from_secs(24 * 3600);
        assert!(listing.usable(day, now));
        assert!(!listing.usable(day, now + day + Duration::from_secs(1)));
        let short = CachedListing::now(vec![], Some(Duration::from_millis(10)), false, false);
        assert!(!short.usable(day, now + Duration::from_millis(20)));
        let future = CachedListing {
            listed_at_ms: millis(now) + 60_000,
            ..listing
        };
        assert!(!future.usable(day, now));
    }

    #[test]
    fn a_damaged_entry_is_missing_and_rewritten() {
        let dir = tempfile::tempdir().unwrap();
        let cache = CatalogCache::at(dir.path());
        let parts = vec!["http".to_string(), "https://example.test/mcp".into()];
        let listing = CachedListing::now(vec![tool("a")], None, false, false);
        cache.put(&parts, &listing);
        let file = cache.file(&parts).unwrap();
        std::fs::write(&file, "{ damaged").unwrap();
        assert_eq!(cache.get(&parts), None);
        cache.put(&parts, &listing);
        assert_eq!(cache.get(&parts), Some(listing));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            for path in [file, dir.path().join("salt")] {
                let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
                assert_eq!(mode, 0o600, "{}", path.display());
            }
        }
    }
}
