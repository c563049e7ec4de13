//! The project files a person trusted: by the file's path and the SHA-256 of its content, so
//! a changed file is asked about again. `codemode trust` writes an answer, `codemode trust
//! --revoke` removes it; the configuration search reads them (`config::Search::trusted`).

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::{Record, UserState};

/// Every trusted project file, by its absolute path.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct TrustBook {
    files: BTreeMap<String, TrustAnswer>,
}

/// What the person agreed to for one file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TrustAnswer {
    /// The SHA-256 of the file's content when it was trusted, in hex.
    pub sha256: String,
    /// When, in seconds since the Unix epoch.
    pub trusted_at: u64,
    /// The servers it named then (for `codemode trust --list`).
    pub servers: Vec<String>,
}

impl Record for TrustBook {
    const FILE: &'static str = "trust.json";
    const VERSION: u32 = 1;
}

fn key(file: &Path) -> String {
    file.to_string_lossy().into_owned()
}

impl TrustBook {
    /// Whether `file` was trusted with exactly this content.
    pub fn trusts(&self, file: &Path, sha256: &str) -> bool {
        self.files
            .get(&key(file))
            .is_some_and(|answer| answer.sha256 == sha256)
    }

    /// The trusted files, by path.
    pub fn entries(&self) -> impl Iterator<Item = (&str, &TrustAnswer)> {
        self.files
            .iter()
            .map(|(path, answer)| (path.as_str(), answer))
    }
}

/// Whether the user running codemode trusted `file` (an absolute path) with this content:
/// what every configuration search is given as `Search::trusted`.
pub fn trusted(file: &Path, sha256: &str) -> bool {
    UserState::current().trusts(file, sha256)
}

impl UserState {
    /// Whether the person trusted `file` (an absolute path) with this content.
    pub fn trusts(&self, file: &Path, sha256: &str) -> bool {
        self.get::<TrustBook>().trusts(file, sha256)
    }

    /// Remembers that the person trusts `file` with this content (replacing an older answer).
    pub fn trust(&self, file: &Path, sha256: &str, servers: Vec<String>) -> std::io::Result<()> {
        let trusted_at = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        self.update(|book: &mut TrustBook| {
            book.files.insert(
                key(file),
                TrustAnswer {
                    sha256: sha256.to_string(),
                    trusted_at,
                    servers,
                },
            );
        })
    }

    /// Forgets the answer for `file`; whether there was one.
    pub fn revoke(&self, file: &Path) -> std::io::Result<bool> {
        self.update(|book: &mut TrustBook| book.files.remove(&key(file)).is_some())
    }
}
