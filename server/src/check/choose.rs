//! Which TypeScript answers: TypeScript 7 (native) when one is found, else the embedded
//! TypeScript 6.
//!
//! In order: `CODEMODE_TYPESCRIPT` (a path to a TypeScript 7 `tsc`/`tsgo` binary, or
//! `embedded`; the VS Code extension's `codemode.typescript` setting sets it); a `tsgo/tsc`
//! shipped next to the codemode binary (the release archive and the VS Code package); the
//! platform package of `typescript@7` in a `node_modules` of the current folder or a folder
//! above it (`@typescript/typescript-<os>-<arch>/lib/tsc`, the binary itself, not the Node
//! shim), only for a project the person trusted (never the working folder as such: a cloned
//! repository's `node_modules` is its own code); `tsgo` or `tsc` on `PATH` when `--version` says 7.x (npm's `tsc`, a Node script,
//! is read from its `package.json` instead, and TypeScript 7's replaced by its platform
//! binary); else the embedded engine. A binary outside [`SUPPORTED`] is passed over with a
//! one-line note.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

/// The TypeScript 7 versions codemode is tested with: 7.0 and 7.1.
pub const SUPPORTED: (u32, std::ops::RangeInclusive<u32>) = (7, 0..=1);
/// How long `--version` may take.
const PROBE_TIMEOUT: Duration = Duration::from_secs(5);

/// Where a TypeScript 7 binary was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// `CODEMODE_TYPESCRIPT`.
    Setting,
    /// `tsgo/` next to the codemode binary.
    Bundled,
    /// A project's `node_modules`.
    NodeModules,
    /// `PATH`.
    Path,
}

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Origin::Setting => "CODEMODE_TYPESCRIPT",
            Origin::Bundled => "shipped with codemode",
            Origin::NodeModules => "node_modules",
            Origin::Path => "PATH",
        })
    }
}

/// The engine to use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Choice {
    Native {
        binary: PathBuf,
        version: String,
        origin: Origin,
    },
    /// The embedded engine; `note` says why a TypeScript 7 that was asked for or found is
    /// not used.
    Embedded { note: Option<String> },
}

/// What the choice is made from.
#[derive(Debug, Clone, Default)]
pub struct Inputs {
    /// `CODEMODE_TYPESCRIPT`.
    pub setting: Option<String>,
    /// The folder of the codemode binary.
    pub exe_dir: Option<PathBuf>,
    /// Where `node_modules` is looked for, upwards: only ever a trusted project's folder.
    pub start: Option<PathBuf>,
    /// `PATH`.
    pub path: Option<std::ffi::OsString>,
}

impl Inputs {
    /// The environment's inputs; `project` is the folder of a project the person trusted.
    pub fn from_env(project: Option<&Path>) -> Inputs {
        Inputs {
            setting: std::env::var("CODEMODE_TYPESCRIPT")
                .ok()
                .filter(|s| !s.trim().is_empty()),
            exe_dir: std::env::current_exe()
                .ok()
                .and_then(|p| p.parent().map(Path::to_path_buf)),
            start: project.map(Path::to_path_buf),
            path: std::env::var_os("PATH"),
        }
    }
}

pub fn choose(inputs: &Inputs) -> Choice {
    let mut notes = Vec::new();
    if let Some(setting) = &inputs.setting {
        let setting = setting.trim();
        if setting.eq_ignore_ascii_case("embedded") {
            return Choice::Embedded { note: None };
        }
        return match probe(Path::new(setting)) {
            Ok(version) => Choice::Native {
                binary: PathBuf::from(setting),
                version,
                origin: Origin::Setting,
            },
            Err(why) => Choice::Embedded {
                note: Some(format!("CODEMODE_TYPESCRIPT={setting}: {why}")),
            },
        };
    }
    let mut candidates: Vec<(PathBuf, Origin)> = Vec::new();
    if let Some(dir) = &inputs.exe_dir {
        candidates.push((dir.join("tsgo").join(binary_name("tsc")), Origin::Bundled));
    }
    if let Some(start) = &inputs.start {
        let package = platform_package();
        for dir in start.ancestors() {
            let binary = dir
                .join("node_modules/@typescript")
                .join(&package)
                .join("lib")
                .join(binary_name("tsc"));
            candidates.push((binary, Origin::NodeModules));
        }
    }
    if let Some(path) = &inputs.path {
        for dir in std::env::split_paths(path) {
            for name in ["tsgo", "tsc"] {
                candidates.push((dir.join(binary_name(name)), Origin::Path));
            }
        }
    }
    for (binary, origin) in candidates {
        if !binary.is_file() {
            continue;
        }
        // npm's `tsc` is a Node script: read its version instead of starting Node, and use
        // TypeScript 7's own binary rather than the script that would start it.
        let binary = match npm_tsc(&binary) {
            NpmTsc::Not => binary,
            NpmTsc::Seven(Some(native)) => native,
            NpmTsc::Seven(None) | NpmTsc::Other => continue,
        };
        match probe(&binary) {
            Ok(version) => {
                return Choice::Native {
                    binary,
                    version,
                    origin,
                };
            }
            // A TypeScript 6 `tsc` on PATH is not news; a 7 outside the range is.
            Err(Probe::OutOfRange(version)) => notes.push(format!(
                "{} is TypeScript {version}, outside the tested {}",
                binary.display(),
                supported()
            )),
            Err(_) => {}
        }
    }
    Choice::Embedded {
        note: (!notes.is_empty()).then(|| notes.join("; ")),
    }
}

/// What a `tsc` is, when it is npm's `typescript` package's.
enum NpmTsc {
    /// Not npm's: run it to ask.
    Not,
    /// `typescript@7`, with its platform package's binary when installed beside it.
    Seven(Option<PathBuf>),
    /// Another major version.
    Other,
}

/// Reads `bin/tsc`'s `package.json` when `binary` (through its links) is the `tsc` of npm's
/// `typescript` package.
fn npm_tsc(binary: &Path) -> NpmTsc {
    let Ok(real) = binary.canonicalize() else {
        return NpmTsc::Not;
    };
    let Some(package) = real
        .parent()
        .filter(|bin| bin.file_name().is_some_and(|n| n == "bin"))
        .and_then(Path::parent)
    else {
        return NpmTsc::Not;
    };
    let manifest = std::fs::read_to_string(package.join("package.json"))
        .ok()
        .and_then(|text| serde_json::from_str::<serde_json::Value>(&text).ok());
    let Some(manifest) = manifest.filter(|m| m["name"] == "typescript") else {
        return NpmTsc::Not;
    };
    let version = manifest["version"].as_str().unwrap_or_default();
    if !version.starts_with("7.") {
        return NpmTsc::Other;
    }
    let native = package.parent().map(|modules| {
        modules
            .join("@typescript")
            .join(platform_package())
            .join("lib")
            .join(binary_name("tsc"))
    });
    NpmTsc::Seven(native.filter(|n| n.is_file()))
}

/// Why a binary is not used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Probe {
    #[error("cannot run it ({0})")]
    Unrunnable(String),
    #[error("it does not say which TypeScript it is")]
    Unknown,
    #[error("it is TypeScript {0}, not 7")]
    NotSeven(String),
    #[error("it is TypeScript {0}, outside the tested {range}", range = supported())]
    OutOfRange(String),
}

fn supported() -> String {
    let (major, minors) = &SUPPORTED;
    format!("{major}.{}–{major}.{}", minors.start(), minors.end())
}

/// The version `binary --version` reports, when it is a supported TypeScript 7.
pub fn probe(binary: &Path) -> Result<String, Probe> {
    let mut child = Command::new(binary)
        .arg("--version")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| Probe::Unrunnable(e.to_string()))?;
    let started = std::time::Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if started.elapsed() < PROBE_TIMEOUT => {
                std::thread::sleep(Duration::from_millis(2))
            }
            Ok(None) => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(Probe::Unrunnable("`--version` did not finish".into()));
            }
            Err(error) => return Err(Probe::Unrunnable(error.to_string())),
        }
    };
    let mut out = String::new();
    if let Some(mut stdout) = child.stdout.take() {
        use std::io::Read;
        let _ = stdout.read_to_string(&mut out);
    }
    if !status.success() {
        return Err(Probe::Unrunnable(format!(
            "`--version` exited with {status}"
        )));
    }
    let version = version_of(&out).ok_or(Probe::Unknown)?;
    in_range(&version).map(|()| version)
}

/// `7.0.2` out of `Version 7.0.2`.
fn version_of(output: &str) -> Option<String> {
    let word = output
        .split_whitespace()
        .find(|w| w.starts_with(|c: char| c.is_ascii_digit()))?;
    Some(word.to_string())
}

fn in_range(version: &str) -> Result<(), Probe> {
    let mut parts = version.split(['.', '-']);
    let major: u32 = parts
        .next()
        .and_then(|p| p.parse().ok())
        .ok_or(Probe::Unknown)?;
    let minor: u32 = parts
        .next()
        .and_then(|p| p.parse().ok())
        .ok_or(Probe::Unknown)?;
    if major != SUPPORTED.0 {
        return Err(Probe::NotSeven(version.to_string()));
    }
    if !SUPPORTED.1.contains(&minor) {
        return Err(Probe::OutOfRange(version.to_string()));
    }
    Ok(())
}

/// `typescript-linux-x64`, the name of `typescript@7`'s package for this platform (in the
/// `@typescript` scope), which holds `lib/tsc`.
pub fn platform_package() -> String {
    let os = match std::env::consts::OS {
        "macos" => "darwin",
        "windows" => "win32",
        other => other,
    };
    let arch = match std::env::consts::ARCH {
        "x86_64" => "x64",
        "aarch64" => "arm64",
        other => other,
    };
    format!("typescript-{os}-{arch}")
}

fn binary_name(name: &str) -> String {
    format!("{name}{}", std::env::consts::EXE_SUFFIX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_inside_and_outside_the_tested_range() {
        assert_eq!(version_of("Version 7.0.2\n").as_deref(), Some("7.0.2"));
        assert_eq!(version_of("tsgo"), None);
        assert_eq!(in_range("7.0.2"), Ok(()));
        assert_eq!(in_range("7.1.0-dev.20261130.1"), Ok(()));
        assert_eq!(in_range("7.2.0"), Err(Probe::OutOfRange("7.2.0".into())));
        assert_eq!(in_range("6.0.3"), Err(Probe::NotSeven("6.0.3".into())));
        assert_eq!(in_range("x"), Err(Probe::Unknown));
    }

    #[test]
    fn embedded_when_asked_and_when_nothing_is_found() {
        let asked = Inputs {
            setting: Some("embedded".into()),
            ..Inputs::default()
        };
        assert_eq!(choose(&asked), Choice::Embedded { note: None });
        let nothing = Inputs::default();
        assert_eq!(choose(&nothing), Choice::Embedded { note: None });
        let missing = Inputs {
            setting: Some("/no/such/tsc".into()),
            ..Inputs::default()
        };
        let Choice::Embedded { note: Some(note) } = choose(&missing) else {
            panic!("a missing binary is not used");
        };
        assert!(
            note.starts_with("CODEMODE_TYPESCRIPT=/no/such/tsc: cannot run it"),
            "{note}"
        );
    }
}
