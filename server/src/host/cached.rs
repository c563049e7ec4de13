//! The host's side of the catalog cache (`user::CatalogCache`): which parts of a server's
//! entry find its cached list, what a listing keeps, and the catalog of a configuration read
//! from the cache alone — when every server has a usable list — so that `check` and `types`
//! start no server.
//!
//! A cached list only ever describes tools: it never approves a call (approval reads the
//! live server's annotations through the policy), and `ttlMs: 0` ("do not reuse") is never
//! kept.

use std::collections::HashMap;
use std::time::{Duration, SystemTime};

use super::listing::Listing;
use super::resources;
use crate::catalog::{Offers, ServerTools};
use crate::config::{Config, ServerConfig, Transport};
use crate::policy::Policy;
use crate::user::{CachedListing, CatalogCache};

/// What finds a server's entry: how it is reached, never a value it is given (environment
/// and header values are left out; the cache salts what is left before hashing it).
fn parts(config: &ServerConfig) -> Vec<String> {
    let mut parts = vec![config.name.clone()];
    match &config.transport {
        Transport::Stdio {
            command,
            args,
            env,
            cwd,
        } => {
            parts.push("stdio".into());
            parts.push(command.clone());
            parts.extend(args.iter().cloned());
            parts.push(format!(
                "cwd={}",
                cwd.as_deref()
                    .unwrap_or_else(|| std::path::Path::new(""))
                    .display()
            ));
            let mut names: Vec<&String> = env.keys().collect();
            names.sort();
            parts.extend(names.into_iter().map(|name| format!("env={name}")));
        }
        Transport::Http { url, headers } => {
            parts.push("http".into());
            parts.push(url.clone());
            let mut names: Vec<String> = headers.keys().map(|n| n.to_ascii_lowercase()).collect();
            names.sort();
            parts.extend(names.into_iter().map(|name| format!("header={name}")));
        }
        Transport::Builtin { name } => {
            parts.push("builtin".into());
            parts.push(name.clone());
        }
    }
    parts
}

/// Keeps `listing` of `config`'s server, unless the server said not to reuse it.
pub fn keep(config: &ServerConfig, listing: &Listing, resources: bool, prompts: bool) {
    if listing.ttl == Some(Duration::ZERO) {
        return;
    }
    let kept = CachedListing::now(listing.tools.clone(), listing.ttl, resources, prompts);
    CatalogCache::current().put(&parts(config), &kept);
}

/// A configuration's servers as kept in the cache.
pub struct Cached {
    /// Each server's kept list, by its name.
    pub lists: HashMap<String, CachedListing>,
    /// As the host's `catalog()` would give it: the policy applied.
    pub catalog: Vec<ServerTools>,
    /// How long ago the oldest of the lists was read.
    pub oldest: Duration,
}

/// Every server of `config` as kept in the cache, when each has a usable list (within its
/// `ttlMs`, else `catalogMaxAge`).
pub fn catalog(config: &Config) -> Option<Cached> {
    let max_age = config.settings.catalog_max_age;
    if max_age.is_zero() {
        return None;
    }
    let cache = CatalogCache::current();
    let now = SystemTime::now();
    let policy = Policy::of(config);
    let mut oldest = Duration::ZERO;
    let mut lists = HashMap::new();
    let mut catalog = Vec::new();
    for server in &config.servers {
        let listing = cache.get(&parts(server))?;
        if !listing.usable(max_age, now) {
            return None;
        }
        oldest = oldest.max(listing.age(now));
        catalog.push(ServerTools {
            offers: Offers {
                resources: listing.resources && policy.permits(&server.name, resources::READ),
                prompts: listing.prompts && policy.permits(&server.name, resources::GET_PROMPT),
            },
            server: server.name.clone(),
            tools: listing.tools.clone(),
        });
        lists.insert(server.name.clone(), listing);
    }
    Some(Cached {
        lists,
        catalog: policy.filter(catalog),
        oldest,
    })
}
