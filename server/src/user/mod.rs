//! Per-user state: the one place codemode keeps what it remembers for a person — sign-in
//! tokens, the project files the person trusted, the servers' last tool lists (a cache) —
//! outside every project.
//!
//! This module alone knows the platform folders (`$XDG_STATE_HOME/codemode`,
//! `~/.local/state/codemode`, `~/Library/Application Support/codemode`,
//! `%LOCALAPPDATA%\codemode`). Records are JSON files readable by their owner only (0600 in a
//! 0700 folder), written whole to a temporary file and renamed over the old one, under a
//! lock so two processes (two editors, an agent and a terminal) never lose each other's
//! writes. Each record carries its format's version: a corrupt file, or one of another
//! version, reads as empty and is rewritten on the next change, never an error.

mod catalog;
mod trust;

pub use catalog::{CachedListing, CatalogCache};
pub use trust::{TrustAnswer, TrustBook, trusted};

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

/// This user's `codemode` state folder; `None` when there is no home to put it in.
pub fn state_dir() -> Option<PathBuf> {
    let var = |name: &str| {
        std::env::var_os(name)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    let base = if cfg!(windows) {
        var("LOCALAPPDATA")?
    } else if cfg!(target_os = "macos") {
        var("HOME")?.join("Library").join("Application Support")
    } else {
        var("XDG_STATE_HOME").or_else(|| Some(var("HOME")?.join(".local").join("state")))?
    };
    Some(base.join("codemode"))
}

/// This user's `codemode` cache folder (what can be rebuilt): `$XDG_CACHE_HOME/codemode`,
/// `~/.cache/codemode`, `~/Library/Caches/codemode`, `%LOCALAPPDATA%\codemode\cache`.
pub fn cache_dir() -> Option<PathBuf> {
    let var = |name: &str| {
        std::env::var_os(name)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    let dir = if cfg!(windows) {
        var("LOCALAPPDATA")?.join("codemode").join("cache")
    } else if cfg!(target_os = "macos") {
        var("HOME")?.join("Library").join("Caches").join("codemode")
    } else {
        var("XDG_CACHE_HOME")
            .or_else(|| Some(var("HOME")?.join(".cache")))?
            .join("codemode")
    };
    Some(dir)
}

/// A kind of record kept in the state folder: its file and its format's version.
pub trait Record: Serialize + DeserializeOwned + Default {
    /// The file's name in the state folder.
    const FILE: &'static str;
    /// Bumped when the format changes; a file of another version reads as empty.
    const VERSION: u32;
}

/// The state folder of one user.
#[derive(Debug, Clone)]
pub struct UserState {
    /// `None`: no state folder (no `HOME`); reads are empty and writes fail with why.
    dir: Option<PathBuf>,
}

#[derive(Serialize, Deserialize)]
struct Envelope<T> {
    version: u32,
    data: T,
}

impl UserState {
    /// The state of the user running codemode.
    pub fn current() -> UserState {
        UserState { dir: state_dir() }
    }

    /// The state kept in `dir` (tests, and a folder named on purpose).
    pub fn at(dir: impl Into<PathBuf>) -> UserState {
        UserState {
            dir: Some(dir.into()),
        }
    }

    /// Where the state is kept, if anywhere.
    pub fn dir(&self) -> Option<&Path> {
        self.dir.as_deref()
    }

    /// The record of kind `R` as stored; empty when there is none, or it cannot be read.
    pub fn get<R: Record>(&self) -> R {
        let Some(dir) = &self.dir else {
            return R::default();
        };
        read(&dir.join(R::FILE))
    }

    /// Changes the record of kind `R` and stores it, holding the record's lock from the read
    /// to the write so concurrent processes change it one at a time. Returns `f`'s answer.
    pub fn update<R: Record, T>(&self, f: impl FnOnce(&mut R) -> T) -> std::io::Result<T> {
        let Some(dir) = &self.dir else {
            return Err(std::io::Error::other(
                "no folder to keep it in (HOME is not set)",
            ));
        };
        create_private_dir(dir)?;
        let lock = private_file(&dir.join(format!("{}.lock", R::FILE)), false)?;
        lock.lock()?;
        let path = dir.join(R::FILE);
        let mut record: R = read(&path);
        let answer = f(&mut record);
        let text = serde_json::to_vec_pretty(&Envelope {
            version: R::VERSION,
            data: &record,
        })
        .map_err(std::io::Error::other)?;
        write_private(&path, &text)?;
        drop(lock);
        Ok(answer)
    }
}

fn read<R: Record>(path: &Path) -> R {
    read_versioned(path, R::VERSION).unwrap_or_default()
}

/// The data of the versioned file at `path`; `None` when there is none, or it is damaged or
/// of another version (said in the log: it is rewritten on the next change).
fn read_versioned<T: DeserializeOwned>(path: &Path, version: u32) -> Option<T> {
    let text = match std::fs::read(path) {
        Ok(text) => text,
        Err(error) => {
            if error.kind() != std::io::ErrorKind::NotFound {
                tracing::warn!("cannot read {}: {error}; treated as empty", path.display());
            }
            return None;
        }
    };
    match serde_json::from_slice::<Envelope<T>>(&text) {
        Ok(envelope) if envelope.version == version => Some(envelope.data),
        Ok(_) => None,
        Err(_) => {
            tracing::warn!(
                "{} is not a codemode file of this version; it is rewritten on the next change",
                path.display()
            );
            None
        }
    }
}

/// Writes `data` with its format's `version` to `path`, owner-only and atomically.
fn write_versioned<T: Serialize>(path: &Path, version: u32, data: &T) -> std::io::Result<()> {
    let text = serde_json::to_vec(&Envelope { version, data }).map_err(std::io::Error::other)?;
    write_private(path, &text)
}

/// Writes `bytes` to a new owner-only file beside `path` and renames it over `path`: a reader
/// sees the old file or the new one, never half of one.
pub fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    create_private_dir(dir)?;
    // tempfile creates the file 0600 with a random name, never following a link.
    let mut temporary = tempfile::NamedTempFile::new_in(dir)?;
    temporary.write_all(bytes)?;
    temporary.as_file().sync_all()?;
    temporary.persist(path).map_err(|error| error.error)?;
    Ok(())
}

/// Makes `dir` (and its parents) readable by this user only.
#[cfg(unix)]
pub fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
}

#[cfg(not(unix))]
pub fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)
}

/// `path` opened for writing (emptied when `truncate`), created readable by this user only.
#[cfg(unix)]
pub fn private_file(path: &Path, truncate: bool) -> std::io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(truncate)
        .mode(0o600)
        .open(path)
}

#[cfg(not(unix))]
pub fn private_file(path: &Path, truncate: bool) -> std::io::Result<File> {
    std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(truncate)
        .open(path)
}

#[cfg(test)]
mod tests;
