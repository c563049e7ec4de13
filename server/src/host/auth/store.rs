//! Sign-in tokens on disk, outside every project: one file per server URL under the user's
//! state folder (`$XDG_STATE_HOME/codemode/sign-in`, `~/.local/state/…`, `~/Library/
//! Application Support/codemode/sign-in`, `%LOCALAPPDATA%\codemode\sign-in`), readable by
//! its owner only. rmcp's authorization manager reads and writes it through
//! [`CredentialStore`]; nothing else in codemode opens these files, and no script, log,
//! error or generated file ever holds what is in them.

use std::io::Write;
use std::path::{Path, PathBuf};

use rmcp::transport::auth::{AuthError, CredentialStore, StoredCredentials};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The tokens of one server, kept in one file.
#[derive(Debug, Clone)]
pub struct TokenStore {
    path: PathBuf,
    url: String,
}

#[derive(Serialize, Deserialize)]
struct OnDisk {
    /// The server these tokens are for (checked when read: a file is never used for another).
    url: String,
    credentials: Option<StoredCredentials>,
    /// Scopes the server asked for since (a 403 `insufficient_scope`): the next sign-in asks
    /// for them too.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    wanted_scopes: Vec<String>,
}

impl TokenStore {
    /// The store for the server at `url`; `None` when the user has no state folder.
    pub fn for_url(url: &str) -> Option<TokenStore> {
        let dir = state_dir()?;
        Some(TokenStore::in_dir(&dir, url))
    }

    pub fn in_dir(dir: &Path, url: &str) -> TokenStore {
        let digest = Sha256::digest(url.as_bytes());
        let name: String = digest[..12].iter().map(|b| format!("{b:02x}")).collect();
        TokenStore {
            path: dir.join(format!("{name}.json")),
            url: url.to_string(),
        }
    }

    /// Whether tokens are stored for this server.
    pub fn exists(&self) -> bool {
        self.path.is_file()
    }

    /// Forgets the tokens; whether there were any.
    pub fn remove(&self) -> std::io::Result<bool> {
        match std::fs::remove_file(&self.path) {
            Ok(()) => Ok(true),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(false),
            Err(error) => Err(error),
        }
    }

    /// Remembers scopes the server asked for, for the next sign-in.
    pub fn want_scopes(&self, scope: &str) {
        let Ok(mut on_disk) = self.read_all() else {
            return;
        };
        let on_disk = on_disk.get_or_insert_with(|| OnDisk {
            url: self.url.clone(),
            credentials: None,
            wanted_scopes: Vec::new(),
        });
        for scope in scope.split_whitespace() {
            if !on_disk.wanted_scopes.iter().any(|s| s == scope) {
                on_disk.wanted_scopes.push(scope.to_string());
            }
        }
        if let Err(error) = self.write_all(on_disk) {
            tracing::warn!("cannot remember the scopes a server asked for: {error}");
        }
    }

    /// The scopes the server asked for since the last sign-in.
    pub fn wanted_scopes(&self) -> Vec<String> {
        match self.read_all() {
            Ok(Some(on_disk)) => on_disk.wanted_scopes,
            _ => Vec::new(),
        }
    }

    /// Forgets the scopes asked for (a sign-in just asked for them).
    pub fn clear_wanted_scopes(&self) -> Result<(), String> {
        match self.read_all()? {
            Some(mut on_disk) if !on_disk.wanted_scopes.is_empty() => {
                on_disk.wanted_scopes.clear();
                self.write_all(&on_disk)
            }
            _ => Ok(()),
        }
    }

    fn read(&self) -> Result<Option<StoredCredentials>, String> {
        Ok(self.read_all()?.and_then(|on_disk| on_disk.credentials))
    }

    fn read_all(&self) -> Result<Option<OnDisk>, String> {
        let text = match std::fs::read_to_string(&self.path) {
            Ok(text) => text,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(error) => return Err(format!("cannot read {}: {error}", self.path.display())),
        };
        let on_disk: OnDisk = serde_json::from_str(&text).map_err(|_| {
            format!(
                "{} is not a codemode sign-in file; remove it (codemode logout)",
                self.path.display()
            )
        })?;
        Ok((on_disk.url == self.url).then_some(on_disk))
    }

    fn write(&self, credentials: StoredCredentials) -> Result<(), String> {
        let wanted_scopes = self
            .read_all()
            .ok()
            .flatten()
            .map(|on_disk| on_disk.wanted_scopes)
            .unwrap_or_default();
        self.write_all(&OnDisk {
            url: self.url.clone(),
            credentials: Some(credentials),
            wanted_scopes,
        })
    }

    fn write_all(&self, on_disk: &OnDisk) -> Result<(), String> {
        let dir = self.path.parent().unwrap_or(Path::new("."));
        create_private_dir(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        let text = serde_json::to_vec(on_disk).map_err(|e| e.to_string())?;
        // Written beside the file, then moved over it: a reader never sees half a file.
        let partial = self.path.with_extension("json.partial");
        let mut file = private_file(&partial)
            .map_err(|e| format!("cannot write {}: {e}", partial.display()))?;
        file.write_all(&text)
            .and_then(|()| file.sync_all())
            .map_err(|e| format!("cannot write {}: {e}", partial.display()))?;
        std::fs::rename(&partial, &self.path)
            .map_err(|e| format!("cannot write {}: {e}", self.path.display()))
    }
}

#[async_trait::async_trait]
impl CredentialStore for TokenStore {
    async fn load(&self) -> Result<Option<StoredCredentials>, AuthError> {
        self.read().map_err(AuthError::CredentialStoreError)
    }

    async fn save(&self, credentials: StoredCredentials) -> Result<(), AuthError> {
        self.write(credentials)
            .map_err(AuthError::CredentialStoreError)
    }

    async fn clear(&self) -> Result<(), AuthError> {
        self.remove()
            .map(|_| ())
            .map_err(|e| AuthError::CredentialStoreError(e.to_string()))
    }
}

/// Where sign-in files live for this user.
pub fn state_dir() -> Option<PathBuf> {
    Some(crate::user::state_dir()?.join("sign-in"))
}

#[cfg(unix)]
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
}

#[cfg(not(unix))]
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)
}

#[cfg(unix)]
fn private_file(path: &Path) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)
}

#[cfg(not(unix))]
fn private_file(path: &Path) -> std::io::Result<std::fs::File> {
    std::fs::File::create(path)
}
