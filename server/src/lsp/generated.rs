//! Generated files (the API's declarations, the prelude, lib files) written to disk for
//! editors that cannot show `codemode:` documents, so go to definition has somewhere to go.
//!
//! They live in a folder this session creates itself: a fresh name no one could have
//! prepared (never an existing folder), readable by its owner only, removed with the session.
//! A file is replaced by removing it and creating it anew (`create_new`, which never follows
//! a link), and nothing outside the folder has its mode changed.

use std::io::Write;
use std::path::{Component, Path, PathBuf};

/// The session's folder of generated files, created on first use.
#[derive(Default)]
pub struct Generated {
    dir: Option<tempfile::TempDir>,
}

impl Generated {
    /// Writes `text` as `name` (a relative path of plain components) and returns its path;
    /// unchanged when the file already holds `text`.
    pub fn write(&mut self, name: &str, text: &str) -> std::io::Result<PathBuf> {
        let relative = Path::new(name);
        if !relative
            .components()
            .all(|c| matches!(c, Component::Normal(_)))
        {
            return Err(std::io::Error::other(format!(
                "{name:?} is not a plain relative name"
            )));
        }
        let dir = match &mut self.dir {
            Some(dir) => dir,
            none => none.insert(fresh_private_dir()?),
        };
        let path = dir.path().join(relative);
        let unchanged = std::fs::symlink_metadata(&path).is_ok_and(|m| m.is_file())
            && std::fs::read_to_string(&path).is_ok_and(|old| old == text);
        if unchanged {
            return Ok(path);
        }
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        match std::fs::remove_file(&path) {
            Ok(()) => {}
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
            Err(error) => return Err(error),
        }
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)?;
        file.write_all(text.as_bytes())?;
        // Read-only, so an editor does not offer to save changes to it.
        let mut permissions = file.metadata()?.permissions();
        permissions.set_readonly(true);
        file.set_permissions(permissions)?;
        Ok(path)
    }

    /// Removes the folder and what is in it (on Unix a read-only file in a folder of one's
    /// own is removed as it is; elsewhere its read-only flag is cleared first, through the
    /// open file, never through a link).
    pub fn remove(&mut self) {
        let Some(dir) = self.dir.take() else {
            return;
        };
        #[cfg(not(unix))]
        clear_read_only(dir.path());
        if let Err(error) = dir.close() {
            tracing::warn!("cannot remove the generated files: {error}");
        }
    }
}

/// A new folder with a random name (it fails rather than use one that exists), readable by
/// its owner only.
fn fresh_private_dir() -> std::io::Result<tempfile::TempDir> {
    let mut builder = tempfile::Builder::new();
    builder.prefix("codemode-lsp-");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o700));
    }
    builder.tempdir()
}

#[cfg(not(unix))]
fn clear_read_only(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        if kind.is_dir() {
            clear_read_only(&entry.path());
        } else if kind.is_file()
            && let Ok(file) = std::fs::OpenOptions::new().write(true).open(entry.path())
            && let Ok(metadata) = file.metadata()
        {
            let mut permissions = metadata.permissions();
            #[allow(clippy::permissions_set_readonly_false)]
            permissions.set_readonly(false);
            let _ = file.set_permissions(permissions);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_go_in_a_fresh_private_folder_and_leave_with_it() {
        let mut generated = Generated::default();
        let api = generated.write("api.d.ts", "declare const x: 1;").unwrap();
        let lib = generated.write("lib/lib.es5.d.ts", "x").unwrap();
        let dir = api.parent().unwrap().to_path_buf();
        assert_eq!(lib.parent().unwrap().parent().unwrap(), dir);
        assert!(
            dir.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("codemode-lsp-")
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&dir).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o700);
        }
        // Rewritten with new text, even though read-only.
        generated.write("api.d.ts", "declare const x: 2;").unwrap();
        assert_eq!(
            std::fs::read_to_string(&api).unwrap(),
            "declare const x: 2;"
        );
        assert!(generated.write("../escape.d.ts", "x").is_err());
        assert!(generated.write("/etc/passwd", "x").is_err());
        generated.remove();
        assert!(!dir.exists());
    }

    #[cfg(unix)]
    #[test]
    fn a_link_planted_in_the_folder_is_replaced_not_followed() {
        use std::os::unix::fs::PermissionsExt;
        let outside = tempfile::tempdir().unwrap();
        let target = outside.path().join("victim.txt");
        std::fs::write(&target, "keep").unwrap();
        std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o600)).unwrap();
        let mut generated = Generated::default();
        let api = generated.write("api.d.ts", "a").unwrap();
        std::fs::remove_file(&api).unwrap();
        std::os::unix::fs::symlink(&target, &api).unwrap();
        generated.write("api.d.ts", "b").unwrap();
        generated.remove();
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "keep");
        let mode = std::fs::metadata(&target).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "nothing outside the folder changes mode");
    }
}
