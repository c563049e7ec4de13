//! The official MCP conformance suite (`@modelcontextprotocol/conformance`, on Node 24 from
//! npm) against codemode: its client scenarios against codemode's host, driven through the
//! command line by `tests/conformance/client.mjs` (which also signs in, as a person would),
//! and the server scenarios that apply to a facade against `codemode serve --http`.
//!
//! Every scenario the suite has for these protocol versions is listed here: the ones that
//! pass, and the ones that cannot yet with why. A listed failure that starts passing fails
//! the test too, so the list stays true.

use std::process::Command;

use crate::support::{deps, repo};

/// What a scenario is expected to do.
enum Expect {
    Pass,
    /// Fails today, for this reason.
    Fail(&'static str),
    /// Not run: it tests something a Code Mode facade does not have.
    NotApplicable(&'static str),
}

use Expect::*;

const CLIENT: &[(&str, Expect)] = &[
    ("initialize", Pass),
    ("tools_call", Pass),
    ("sse-retry", Pass),
    ("elicitation-sep1034-client-defaults", Pass),
    ("auth/metadata-default", Pass),
    ("auth/metadata-var1", Pass),
    ("auth/metadata-var2", Pass),
    ("auth/metadata-var3", Pass),
    ("auth/basic-cimd", Pass),
    ("auth/scope-from-www-authenticate", Pass),
    ("auth/scope-from-scopes-supported", Pass),
    ("auth/scope-omitted-when-undefined", Pass),
    ("auth/scope-step-up", Pass),
    ("auth/scope-retry-limit", Pass),
    ("auth/token-endpoint-auth-basic", Pass),
    ("auth/token-endpoint-auth-post", Pass),
    ("auth/token-endpoint-auth-none", Pass),
    ("auth/pre-registration", Pass),
    (
        "auth/2025-03-26-oauth-metadata-backcompat",
        Fail(
            "rmcp 3.9 refuses authorization-server metadata whose issuer differs from where it \
             was found (RFC 8414 section 3.3); the scenario serves issuer /oauth from the root",
        ),
    ),
    ("auth/2025-03-26-oauth-endpoint-fallback", Pass),
];

const SERVER: &[(&str, Expect)] = &[
    ("server-initialize", Pass),
    ("ping", Pass),
    ("tools-list", Pass),
    ("dns-rebinding-protection", Pass),
    ("completion-complete", Pass),
    (
        "logging-set-level",
        NotApplicable("serve declares no logging capability: it sends no log messages"),
    ),
];

/// The other server scenarios call the suite's own test tools, prompts and resources, which a
/// facade over someone else's servers does not have.
const SERVER_NEEDING_ITS_OWN_TOOLS: &[&str] = &[
    "tools-call-simple-text",
    "tools-call-image",
    "tools-call-audio",
    "tools-call-embedded-resource",
    "tools-call-mixed-content",
    "tools-call-with-logging",
    "tools-call-error",
    "tools-call-with-progress",
    "tools-call-sampling",
    "tools-call-elicitation",
    "json-schema-2020-12",
    "elicitation-sep1034-defaults",
    "server-sse-polling",
    "server-sse-multiple-streams",
    "elicitation-sep1330-enums",
    "resources-list",
    "resources-read-text",
    "resources-read-binary",
    "resources-templates-read",
    "resources-subscribe",
    "resources-unsubscribe",
    "prompts-list",
    "prompts-get-simple",
    "prompts-get-with-args",
    "prompts-get-embedded-resource",
    "prompts-get-with-image",
];

fn suite(args: &[&str]) -> (bool, String) {
    let modules = &deps().node_modules;
    let output = Command::new(modules.join("node/bin/node"))
        .arg(modules.join("@modelcontextprotocol/conformance/dist/index.js"))
        .args(args)
        .env("CODEMODE_BIN", env!("CARGO_BIN_EXE_codemode"))
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    let passed = text.contains("OVERALL: PASSED")
        || (output.status.success() && !text.contains("OVERALL: FAILED"));
    (passed, text)
}

/// The `Passed: N/M` line of a run.
fn tally(text: &str) -> String {
    text.lines()
        .filter(|l| l.starts_with("Passed:"))
        .collect::<Vec<_>>()
        .join("; ")
}

/// Runs each listed scenario and checks it did what the list says; returns the counts.
fn check(list: &[(&str, Expect)], args: impl Fn(&str) -> Vec<String>) -> (usize, usize, usize) {
    let (mut passed, mut failed, mut skipped) = (0, 0, 0);
    let mut wrong = Vec::new();
    for (scenario, expect) in list {
        if let NotApplicable(why) = expect {
            eprintln!("conformance {scenario}: not run ({why})");
            skipped += 1;
            continue;
        }
        let args = args(scenario);
        let (ok, text) = suite(&args.iter().map(String::as_str).collect::<Vec<_>>());
        eprintln!("conformance {scenario}: {}", tally(&text));
        match (expect, ok) {
            (Pass, true) => passed += 1,
            (Fail(_), false) => failed += 1,
            (Pass, false) => wrong.push(format!("{scenario} failed:\n{text}")),
            (Fail(why), true) => wrong.push(format!(
                "{scenario} passes now; take it off the list of failures ({why})"
            )),
            (NotApplicable(_), _) => {}
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n\n"));
    (passed, failed, skipped)
}

#[test]
fn the_conformance_suites_client_scenarios_against_codemodes_host() {
    let client = format!(
        "{} {}",
        deps().node_modules.join("node/bin/node").display(),
        repo().join("tests/conformance/client.mjs").display()
    );
    // Every client scenario of the suite for 2025-11-25 and older is listed.
    let (_, listing) = suite(&["list"]);
    let listed: Vec<&str> = listing
        .lines()
        .skip_while(|l| !l.starts_with("Client scenarios"))
        .filter_map(|l| l.trim().strip_prefix("- "))
        .filter(|l| !l.contains("[draft]") && !l.contains("[extension]"))
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    for scenario in &listed {
        assert!(
            CLIENT.iter().any(|(name, _)| name == scenario),
            "the suite has a client scenario this test does not list: {scenario}"
        );
    }
    let (passed, failed, _) = check(CLIENT, |scenario| {
        ["client", "--command", &client, "--scenario", scenario]
            .map(String::from)
            .to_vec()
    });
    eprintln!("conformance, client scenarios: {passed} pass, {failed} fail as listed");
}

#[test]
fn the_conformance_suites_server_scenarios_against_codemode_serve() {
    let dir = tempfile::tempdir().unwrap();
    let (mut serve, url) = crate::support::serve_http(dir.path(), &[]);
    let (_, listing) = suite(&["list"]);
    let listed: Vec<&str> = listing
        .lines()
        .skip_while(|l| !l.starts_with("Server scenarios"))
        .take_while(|l| !l.starts_with("Client scenarios"))
        .filter_map(|l| l.trim().strip_prefix("- "))
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    for scenario in &listed {
        assert!(
            SERVER.iter().any(|(name, _)| name == scenario)
                || SERVER_NEEDING_ITS_OWN_TOOLS.contains(scenario),
            "the suite has a server scenario this test does not list: {scenario}"
        );
    }
    let (passed, _, skipped) = check(SERVER, |scenario| {
        ["server", "--url", &url, "--scenario", scenario]
            .map(String::from)
            .to_vec()
    });
    let _ = serve.kill();
    let _ = serve.wait();
    eprintln!(
        "conformance, server scenarios: {passed} pass, {skipped} not applicable, {} need the suite's own tools",
        SERVER_NEEDING_ITS_OWN_TOOLS.len()
    );
}
