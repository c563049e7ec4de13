//! The release archive (`server/release/build.sh`): codemode with TypeScript 7's `tsc` for
//! its platform in `tsgo/`, fetched from npm and checked against the registry's integrity;
//! unpacked anywhere, codemode checks with the TypeScript 7 shipped beside it.

use std::process::Command;

use serde_json::json;

use crate::support::{Workspace, codemode_in_env, repo};

#[test]
fn the_release_archive_checks_with_the_typescript_7_beside_codemode() {
    let workspace = Workspace::new();
    let out = workspace.path().join("out");
    let built = Command::new("bash")
        .arg(repo().join("server/release/build.sh"))
        .arg("--binary")
        .arg(env!("CARGO_BIN_EXE_codemode"))
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&built.stderr);
    assert!(built.status.success(), "{said}");
    let archive = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.to_string_lossy().ends_with(".tar.gz"))
        .expect("an archive");
    let unpacked = workspace.path().join("unpacked");
    std::fs::create_dir_all(&unpacked).unwrap();
    let status = Command::new("tar")
        .arg("xzf")
        .arg(&archive)
        .arg("-C")
        .arg(&unpacked)
        .status()
        .unwrap();
    assert!(status.success());
    let root = std::fs::read_dir(&unpacked)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let root = root.canonicalize().unwrap();
    for file in [
        "codemode",
        "tsgo/tsc",
        "tsgo/LICENSE",
        "tsgo/NOTICE.txt",
        "tsgo/lib.es2023.d.ts",
        "tsgo/lib.es5.d.ts",
    ] {
        assert!(
            root.join(file).is_file(),
            "{file} is missing from {}",
            root.display()
        );
    }
    let version = std::fs::read_to_string(root.join("tsgo/VERSION")).unwrap();
    assert!(version.starts_with("@typescript/typescript-"), "{version}");

    // The unpacked codemode, with nothing set, checks with the tsc beside it.
    workspace.write(
        "project/codemode.json",
        &json!({ "mcpServers": { "demo": { "builtin": "demo" } } }).to_string(),
    );
    workspace.write(
        "project/bad.ts",
        "const f = await demo.getForecast({ city: 1 });\n",
    );
    let project = workspace.path().join("project");
    let run = Command::new(root.join("codemode"))
        .args(["check", "--json", "bad.ts"])
        .current_dir(&project)
        .env("CODEMODE_NO_USER_CONFIGS", "1")
        .env("XDG_STATE_HOME", crate::support::state_home())
        .env_remove("CODEMODE_TYPESCRIPT")
        .env("PATH", "/usr/bin:/bin")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert_eq!(
        run.status.code(),
        Some(1),
        "{stdout}{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let answer: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(answer["engine"]["kind"], "native", "{answer}");
    assert_eq!(
        answer["engine"]["binary"],
        root.join("tsgo/tsc").display().to_string()
    );
    assert_eq!(answer["diagnostics"][0]["code"], 2322, "{answer}");
    // The same script, on the embedded engine, says the same.
    let embedded = codemode_in_env(
        &project,
        &["check", "--json", "bad.ts"],
        &[("CODEMODE_TYPESCRIPT", "embedded")],
    );
    assert_eq!(embedded.json()["diagnostics"], answer["diagnostics"]);
}
