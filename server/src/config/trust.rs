//! Whether a project file found by the search may be used, before anything in it is read
//! for meaning: who owns it and who may write to it, its content's hash (what the person's
//! answer is kept against), and what it would start and widen if trusted ([`Untrusted`]).
//!
//! A project file (a repository's `.mcp.json`, `codemode.json`, `.vscode/mcp.json`,
//! `.cursor/mcp.json`) is used only once the person trusted it, unless it starts nothing and
//! expands nothing (only built-in servers, no `${…}`, no audit log, no inputs). Until then
//! none of its servers starts and none of its variables is expanded. A file owned by another
//! user, or one others may write to, is never used.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

/// A project file, read once: what is hashed is what is interpreted.
#[derive(Debug, Clone)]
pub struct ProjectFile {
    /// As found (for messages).
    pub path: PathBuf,
    /// Absolute, links resolved: what the person's answer is kept against.
    pub key: PathBuf,
    pub text: String,
    /// SHA-256 of `text`, in hex.
    pub sha256: String,
}

/// A project file found but not used until the person trusts it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Untrusted {
    /// Absolute, links resolved (what `codemode trust` is given).
    pub file: PathBuf,
    pub sha256: String,
    /// What it would start.
    pub servers: Vec<Proposed>,
    /// The settings it has that widen what runs without asking (`allowDestructive`, ...).
    pub widens: Vec<String>,
}

/// A server an untrusted file names, as written (variables unexpanded, URL query values
/// redacted).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Proposed {
    pub name: String,
    pub shown: String,
}

/// A project file passed over because it is not safe to use whatever the person says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused {
    pub file: PathBuf,
    pub reason: String,
}

impl ProjectFile {
    /// Reads `path`, or says why it must not be used.
    pub fn open(path: &Path) -> Result<ProjectFile, String> {
        let metadata =
            std::fs::metadata(path).map_err(|error| format!("cannot read it: {error}"))?;
        safe_owner(&metadata)?;
        let text =
            std::fs::read_to_string(path).map_err(|error| format!("cannot read it: {error}"))?;
        let key = std::fs::canonicalize(path)
            .or_else(|_| std::path::absolute(path))
            .unwrap_or_else(|_| path.to_path_buf());
        Ok(ProjectFile {
            path: path.to_path_buf(),
            key,
            sha256: sha256_hex(text.as_bytes()),
            text,
        })
    }
}

/// The SHA-256 of `bytes`, in hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A file owned by someone else, or writable by others, could have been put there or changed
/// by them. Group-writable is accepted only for the user's own group (the usual umask 002 of
/// systems that give each user a group of their own).
#[cfg(unix)]
fn safe_owner(metadata: &std::fs::Metadata) -> Result<(), String> {
    use std::os::unix::fs::MetadataExt;
    let uid = rustix::process::geteuid().as_raw();
    if metadata.uid() != uid {
        return Err(format!(
            "it belongs to another user (uid {}), not to you (uid {uid})",
            metadata.uid()
        ));
    }
    let mode = metadata.mode();
    if mode & 0o002 != 0 {
        return Err(format!("anyone may write to it (mode {:o})", mode & 0o777));
    }
    if mode & 0o020 != 0 && metadata.gid() != rustix::process::getegid().as_raw() {
        return Err(format!(
            "its group (gid {}) may write to it (mode {:o})",
            metadata.gid(),
            mode & 0o777
        ));
    }
    Ok(())
}

#[cfg(not(unix))]
fn safe_owner(_metadata: &std::fs::Metadata) -> Result<(), String> {
    Ok(())
}

impl Untrusted {
    /// The one command that trusts the file.
    pub fn command(&self) -> String {
        format!(
            "codemode trust {}",
            shell_word(&self.file.to_string_lossy())
        )
    }

    /// What the file would do, a line per server (and one for widened settings), for a
    /// question.
    pub fn describe(&self) -> String {
        let mut out = String::new();
        // The file's text, shown to a person: control characters escaped.
        let shown = crate::printable::escape;
        for server in &self.servers {
            out.push_str(&format!(
                "  {}: {}\n",
                shown(&server.name),
                shown(&server.shown)
            ));
        }
        if !self.widens.is_empty() {
            out.push_str(&format!("  and it sets {}\n", self.widens.join(", ")));
        }
        out
    }

    /// The refusal for someone who cannot be asked.
    pub fn refusal(&self) -> String {
        format!(
            "{} is not trusted, so none of its {} server(s) ({}) was started; to trust it \
             (and the servers it starts), run: {}",
            self.file.display(),
            self.servers.len(),
            self.servers
                .iter()
                .map(|s| s.name.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            self.command()
        )
    }
}

/// `text` quoted for a POSIX shell when it needs it.
fn shell_word(text: &str) -> String {
    if !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "/._-+:@%".contains(c))
    {
        text.to_string()
    } else {
        format!("'{}'", text.replace('\'', r"'\''"))
    }
}
