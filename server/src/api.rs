//! The generated API of a running host, kept in step with its tools: regenerated from the
//! host's (policy-filtered) catalog whenever a server's tool list changes.
//!
//! The language server and `codemode serve` read it; neither generates on its own.

use std::sync::{Arc, RwLock};

use tokio::sync::watch;

use crate::catalog::ServerTools;
use crate::codegen::{self, Generated};
use crate::host::Host;

/// The generated API at one moment, with the catalog it came from.
#[derive(Clone)]
pub struct Api {
    pub generated: Arc<Generated>,
    /// `generated.api`, shared with the checker.
    pub text: Arc<str>,
    /// The tools `generated` declares, parallel to `generated.index`.
    pub catalog: Arc<Vec<ServerTools>>,
}

impl Api {
    fn of(host: &Host) -> Api {
        let catalog = host.catalog();
        let generated = codegen::generate(&catalog);
        let text = Arc::from(generated.api.as_str());
        Api {
            generated: Arc::new(generated),
            text,
            catalog: Arc::new(catalog),
        }
    }
}

pub struct LiveApi {
    host: Arc<Host>,
    revision: watch::Receiver<u64>,
    /// The API and the host revision it was generated at.
    current: RwLock<(u64, Api)>,
}

impl LiveApi {
    pub fn new(host: Arc<Host>) -> LiveApi {
        let revision = host.revision();
        let at = *revision.borrow();
        let current = RwLock::new((at, Api::of(&host)));
        LiveApi {
            host,
            revision,
            current,
        }
    }

    pub fn host(&self) -> &Arc<Host> {
        &self.host
    }

    /// The API as of now: regenerated first if a server's tools changed since.
    pub fn get(&self) -> Api {
        let now = *self.revision.borrow();
        {
            let current = self.current.read().unwrap_or_else(|e| e.into_inner());
            if current.0 == now {
                return current.1.clone();
            }
        }
        // The catalog is read after the revision, so a change during generation is seen
        // again by the next `get`.
        let fresh = Api::of(&self.host);
        let mut current = self.current.write().unwrap_or_else(|e| e.into_inner());
        *current = (now, fresh.clone());
        fresh
    }
}
