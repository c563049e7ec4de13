//! Tidy checks, run with the tests: every source file says what it is for, no debugging
//! leftovers, nothing prints to stdout outside the command line (stdout is the protocol under
//! `lsp` and `serve`), formatting is rustfmt's, `docs/architecture.md` names every module and
//! its import rules hold, the vendored TypeScript matches its checksums, and every editor
//! set-up names the server's command and script pattern.

use std::path::{Path, PathBuf};
use std::process::Command;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

fn sources() -> Vec<PathBuf> {
    let mut files = Vec::new();
    for dir in ["server/src", "server/tests", "tests/e2e", "bench/src"] {
        rust_files(&repo().join(dir), &mut files);
    }
    files
}

#[test]
fn every_file_starts_with_a_module_doc() {
    let missing: Vec<_> = sources()
        .into_iter()
        .filter(|path| {
            let text = std::fs::read_to_string(path).unwrap();
            !text.trim_start().starts_with("//!")
        })
        .collect();
    assert!(
        missing.is_empty(),
        "files without a `//!` doc: {missing:#?}"
    );
}

#[test]
fn no_debugging_leftovers_or_stray_stdout() {
    let mut problems = Vec::new();
    for path in sources() {
        let text = std::fs::read_to_string(&path).unwrap();
        let in_cli = path.components().any(|c| c.as_os_str() == "cli");
        let is_library = path.starts_with(repo().join("server/src"));
        for (number, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            // Spelt in pieces so this file does not match itself.
            for banned in [
                concat!("dbg", "!("),
                concat!("todo", "!("),
                concat!("unimplemented", "!("),
            ] {
                if code.contains(banned) {
                    problems.push(format!("{}:{}: {banned}", path.display(), number + 1));
                }
            }
            let prints = [concat!("println", "!("), concat!(" print", "!(")];
            // The language server's transport is the one other writer of stdout.
            let is_transport = path.ends_with("server/src/lsp/mod.rs");
            // `io::stdout()`, not a child process's `.stdout()` pipe.
            let takes_stdout = code
                .match_indices(concat!("stdout", "()"))
                .any(|(at, _)| !code[..at].ends_with('.'));
            if is_library
                && !in_cli
                && (prints.iter().any(|p| code.contains(p)) || (takes_stdout && !is_transport))
            {
                problems.push(format!(
                    "{}:{}: prints to stdout",
                    path.display(),
                    number + 1
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{problems:#?}");
}

#[test]
fn formatting_is_rustfmt() {
    let output = Command::new(env!("CARGO"))
        .args(["fmt", "--all", "--check"])
        .current_dir(repo())
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "run `cargo fmt`:\n{}",
        String::from_utf8_lossy(&output.stdout)
    );
}

#[test]
fn the_architecture_document_names_every_module() {
    let doc = std::fs::read_to_string(repo().join("docs/architecture.md")).unwrap();
    let mut missing = Vec::new();
    for entry in std::fs::read_dir(repo().join("server/src")).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_stem().unwrap().to_str().unwrap().to_string();
        if ["lib", "main"].contains(&name.as_str()) {
            continue;
        }
        if !doc.contains(&format!("`server/src/{name}")) {
            missing.push(name);
        }
    }
    assert!(
        missing.is_empty(),
        "docs/architecture.md does not mention {missing:?}"
    );
}

/// What each part of `server/src/` must never name, as `docs/architecture.md` says.
const IMPORT_RULES: &[(&str, &[&str], &str)] = &[
    ("", &["rquickjs"], "only `engine/` knows QuickJS"),
    (
        "",
        &["tower_lsp_server", "ls_types"],
        "only `lsp/` knows LSP",
    ),
    (
        "",
        &["rmcp::"],
        "only `host/`, `serve/` and `demo/` know rmcp",
    ),
    (
        "",
        &["crate::lsp", "crate::serve", "crate::cli"],
        "nothing reaches up into a front door",
    ),
    (
        "cli/",
        &["crate::engine"],
        "front doors read run reports from `runtime`",
    ),
    (
        "lsp/",
        &["crate::engine"],
        "front doors read run reports from `runtime`",
    ),
    (
        "serve/",
        &["crate::engine"],
        "front doors read run reports from `runtime`",
    ),
    (
        "view.rs",
        &["crate::engine", "crate::host", "crate::workspace"],
        "the renderer reads a report, nothing else",
    ),
    (
        "host/",
        &[
            "crate::check",
            "crate::codegen",
            "crate::engine",
            "crate::runtime",
            "crate::workspace",
        ],
        "the host never sees a script or TypeScript",
    ),
    (
        "engine/",
        &[
            "crate::host",
            "crate::runtime",
            "crate::check",
            "crate::workspace",
        ],
        "the engine never sees the host",
    ),
    (
        "codegen/",
        &[
            "crate::host",
            "crate::engine",
            "crate::check",
            "crate::runtime",
        ],
        "the generator is pure",
    ),
    (
        "check/",
        &["crate::host", "crate::runtime", "crate::workspace"],
        "the checker never runs a script",
    ),
    (
        "config/",
        &[
            "crate::host",
            "crate::codegen",
            "crate::engine",
            "crate::check",
        ],
        "configuration is plain data",
    ),
    (
        "user/",
        &[
            "crate::config",
            "crate::host",
            "crate::check",
            "crate::engine",
            "crate::workspace",
            "crate::codegen",
        ],
        "per-user state stands below everything that keeps something in it",
    ),
];

/// Which files may name what a rule forbids everywhere else.
const IMPORT_HOMES: &[(&str, &str)] = &[
    ("rquickjs", "engine/"),
    ("tower_lsp_server", "lsp/"),
    ("ls_types", "lsp/"),
    ("rmcp::", "host/"),
    ("rmcp::", "serve/"),
    ("rmcp::", "demo/"),
    ("crate::lsp", "cli/"),
    ("crate::serve", "cli/"),
    ("crate::cli", "cli/"),
    ("crate::lsp", "lsp/"),
    ("crate::serve", "serve/"),
];

#[test]
fn the_architecture_import_rules_hold() {
    let src = repo().join("server/src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut broken = Vec::new();
    for path in files {
        let relative = path
            .strip_prefix(&src)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        let text = std::fs::read_to_string(&path).unwrap();
        for (prefix, banned, why) in IMPORT_RULES {
            if !relative.starts_with(prefix) {
                continue;
            }
            for name in *banned {
                let at_home = IMPORT_HOMES
                    .iter()
                    .any(|(n, home)| n == name && relative.starts_with(home));
                if at_home {
                    continue;
                }
                for (number, line) in text.lines().enumerate() {
                    let code = line.split("//").next().unwrap_or("");
                    if code.contains(name) {
                        broken.push(format!(
                            "server/src/{relative}:{}: names `{name}` ({why})",
                            number + 1
                        ));
                    }
                }
            }
        }
    }
    assert!(broken.is_empty(), "{broken:#?}");
}

#[test]
fn the_vendored_typescript_is_what_refresh_sh_fetched() {
    use sha2::{Digest, Sha256};
    let dir = repo().join("server/vendor/typescript");
    let sums = std::fs::read_to_string(dir.join("SHA256SUMS")).unwrap();
    let mut listed = Vec::new();
    for line in sums.lines() {
        let (sum, name) = line.split_once("  ").unwrap();
        let bytes = std::fs::read(dir.join(name)).unwrap();
        let actual: String = Sha256::digest(&bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(
            actual, sum,
            "{name} differs from SHA256SUMS: run refresh.sh"
        );
        listed.push(name.to_string());
    }
    for entry in std::fs::read_dir(&dir).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        if !["SHA256SUMS", "refresh.sh"].contains(&name.as_str()) {
            assert!(listed.contains(&name), "{name} is not in SHA256SUMS");
        }
    }
    assert!(
        listed.iter().any(|n| n == "lib.es5.d.ts") && listed.iter().any(|n| n == "typescript.js")
    );
    let version = std::fs::read_to_string(dir.join("VERSION")).unwrap();
    assert!(
        version.starts_with(&format!(
            "typescript@{} ",
            codemode::check::TYPESCRIPT_VERSION
        )),
        "{version}"
    );
}

#[test]
fn editor_setups_name_the_server_and_its_script_pattern() {
    // `**/*.mcp.ts` → `.mcp.ts`, written in each editor's own pattern syntax.
    let suffix = codemode::lsp::SCRIPT_GLOB
        .strip_prefix("**/*")
        .expect("SCRIPT_GLOB is **/*<suffix>");
    let lua = suffix.replace('.', "%.");
    let elisp = format!("{}\\\\'", suffix.replace('.', "\\\\."));
    let expected: [(&str, Vec<String>); 6] = [
        (
            "editors/neovim/lsp/codemode.lua",
            vec!["cmd = { 'codemode', 'lsp' }".into()],
        ),
        (
            "editors/neovim/ftdetect/codemode.lua",
            vec![format!("['.*{lua}']")],
        ),
        (
            "editors/helix/languages.toml",
            vec![
                "command = \"codemode\"".into(),
                "args = [\"lsp\"]".into(),
                format!("glob = \"*{suffix}\""),
            ],
        ),
        (
            "editors/emacs/codemode.el",
            vec!["(\"codemode\" \"lsp\")".into(), format!("\"{elisp}\"")],
        ),
        (
            "vscode-extension/package.json",
            vec![format!("\"extensions\": [\"{suffix}\"]")],
        ),
        (
            "vscode-extension/src/extension.ts",
            vec!["args: [\"lsp\",".into()],
        ),
    ];
    for (file, needles) in expected {
        let text = std::fs::read_to_string(repo().join(file)).unwrap();
        for needle in needles {
            assert!(
                text.contains(&needle),
                "{file} should contain {needle:?} (the server's command and script pattern)"
            );
        }
    }
}
