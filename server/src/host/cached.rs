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

/// What the cache holds for a configuration's servers.
pub struct Cached {
    /// The usable kept list of each server that has one, by the server's name.
    pub lists: HashMap<String, CachedListing>,
    /// How long ago the oldest of them was read.
    pub oldest: Duration,
}

impl Cached {
    /// Whether every server of `config` has a usable list.
    pub fn complete(&self, config: &Config) -> bool {
        config
            .servers
            .iter()
            .all(|s| self.lists.contains_key(&s.name))
    }

    /// The catalog of `config` as the host's `catalog()` would give it (the policy
    /// applied), a server without a kept list with no tools.
    pub fn catalog(&self, config: &Config) -> Vec<ServerTools> {
        let policy = Policy::of(config);
        let catalog = config
            .servers
            .iter()
            .map(|server| {
                let listing = self.lists.get(&server.name);
                let (resources, prompts) =
                    listing.map_or((false, false), |l| (l.resources, l.prompts));
                ServerTools {
                    offers: Offers {
                        resources: resources && policy.permits(&server.name, resources::READ),
                        prompts: prompts && policy.permits(&server.name, resources::GET_PROMPT),
                    },
                    server: server.name.clone(),
                    tools: listing.map(|l| l.tools.clone()).unwrap_or_default(),
                }
            })
            .collect();
        policy.filter(catalog)
    }
}

/// The usable kept lists of `config`'s servers (within a server's `ttlMs`, else
/// `catalogMaxAge`; none at all when that is zero).
pub fn lists(config: &Config) -> Cached {
    let mut cached = Cached {
        lists: HashMap::new(),
        oldest: Duration::ZERO,
    };
    let max_age = config.settings.catalog_max_age;
    if max_age.is_zero() {
        return cached;
    }
    let cache = CatalogCache::current();
    let now = SystemTime::now();
    for server in &config.servers {
        if let Some(listing) = cache.get(&parts(server))
            && listing.usable(max_age, now)
        {
            cached.oldest = cached.oldest.max(listing.age(now));
            cached.lists.insert(server.name.clone(), listing);
        }
    }
    cached
}
