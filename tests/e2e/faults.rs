//! Misbehaving servers (the scriptable fixture `tests/fixtures/rogue_server.py`): each gets a
//! bounded, named error; the other servers keep working; no child process outlives the host.

use std::path::Path;
use std::time::Duration;

use codemode::config::Config;
use codemode::host::{CallError, Host, ServerState};
use serde_json::{Value, json};

use crate::support::{Workspace, rogue};

fn with_timeouts(mut server: Value, startup: u64, call: u64) -> Value {
    server["startupTimeout"] = json!(startup);
    server["timeout"] = json!(call);
    server
}

#[test]
fn servers_that_fail_to_start_are_named_with_their_stderr_and_others_work() {
    let workspace = Workspace::new();
    workspace.config(json!({
        "demo": {"builtin": "demo"},
        "exits": rogue("exit-at-init"),
        "hangs": with_timeouts(rogue("hang-at-init"), 2, 5),
        "garbage": with_timeouts(rogue("garbage-at-init"), 2, 5),
        "endless": with_timeouts(rogue("paginate-forever"), 5, 5),
        "missing": {"command": "no-such-mcp-server-binary"},
        "flood": rogue("stderr-flood"),
    }));
    let run = workspace.codemode(&["tools", "--json"]);
    assert_eq!(
        run.code, 1,
        "a failed server makes the command fail: {}",
        run.stderr
    );
    let listing = run.json();
    let server = |name: &str| -> Value {
        listing["servers"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["name"] == name)
            .unwrap()
            .clone()
    };
    assert_eq!(server("demo")["status"], "ready");
    assert_eq!(
        server("flood")["status"],
        "ready",
        "20 MB of stderr is not a failure"
    );

    let exits = server("exits");
    assert_eq!(exits["status"], "failed");
    let stderr: Vec<&str> = exits["stderr"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l.as_str().unwrap())
        .collect();
    assert!(
        stderr.contains(&"rogue: cannot open database /nonexistent/db.sqlite"),
        "{exits}"
    );

    let hangs = server("hangs");
    assert!(
        hangs["error"].as_str().unwrap().contains("within 2 s"),
        "{hangs}"
    );
    assert_eq!(server("garbage")["status"], "failed");
    assert_eq!(server("endless")["status"], "failed");
    let missing = server("missing");
    assert!(
        missing["error"]
            .as_str()
            .unwrap()
            .contains("no such program"),
        "{missing}"
    );

    // The human listing says the same.
    let run = workspace.codemode(&["tools"]);
    assert!(run.stdout.contains("exits  FAILED"), "{}", run.stdout);
    assert!(
        run.stdout.contains("    rogue: giving up"),
        "{}",
        run.stdout
    );
    assert!(run.stderr.contains("✗ missing"), "{}", run.stderr);
}

/// A host over the rogue server in normal mode (plus the demo), with its log and pid files.
async fn rogue_host(workspace: &Workspace, call_timeout: u64) -> Host {
    let mut server = with_timeouts(rogue("normal"), 10, call_timeout);
    server["env"] = json!({
        "ROGUE_LOG": workspace.path().join("rogue.log"),
        "ROGUE_PID_FILE": workspace.path().join("rogue.pid"),
    });
    let path = workspace.config(json!({"rogue": server, "demo": {"builtin": "demo"}}));
    let config = Config::from_file(&path).unwrap();
    let host = Host::start(&config, &|_| {}).await;
    for status in host.status() {
        assert!(
            matches!(status.state, ServerState::Ready { .. }),
            "{status:?}"
        );
    }
    host
}

fn text(value: &str) -> Option<serde_json::Map<String, Value>> {
    json!({"text": value}).as_object().cloned()
}

/// The host speaks each server's version: MCP 2026-07-28 (discovery, no `initialize`) with
/// the built-in server (rmcp), the `initialize` of 2025-11-25 with a server that answers
/// `server/discover` with "method not found" (the rogue fixture, as older servers do).
#[tokio::test]
async fn each_server_is_spoken_to_in_the_newest_version_it_knows() {
    let workspace = Workspace::new();
    let host = rogue_host(&workspace, 10).await;
    assert_eq!(host.protocol_version("demo").as_deref(), Some("2026-07-28"));
    assert_eq!(
        host.protocol_version("rogue").as_deref(),
        Some("2025-11-25")
    );
    host.shutdown().await;
}

#[tokio::test]
async fn a_hung_call_times_out_and_is_cancelled_upstream() {
    let workspace = Workspace::new();
    let host = rogue_host(&workspace, 1).await;
    let error = host.call_tool("rogue", "hang", None).await.unwrap_err();
    assert!(error.is_timeout(), "{error}");
    assert_eq!(
        error.to_string(),
        "rogue.hang did not answer within 1 s and was cancelled"
    );
    // The server was told: notifications/cancelled for the request it got.
    let log_path = workspace.path().join("rogue.log");
    let log = wait_for(|| {
        let log = std::fs::read_to_string(&log_path).unwrap_or_default();
        log.contains("cancelled").then_some(log)
    })
    .await;
    let called = log
        .lines()
        .find_map(|l| l.strip_prefix("hang called id="))
        .unwrap();
    assert!(log.contains(&format!("cancelled id={called}")), "{log}");
    // The connection is fine afterwards.
    let answer = host
        .call_tool("rogue", "echo", text("still here"))
        .await
        .unwrap();
    assert_eq!(answer.text(), "still here");
    host.shutdown().await;
}

#[tokio::test]
async fn a_crash_mid_call_is_reported_with_stderr_and_other_servers_keep_working() {
    let workspace = Workspace::new();
    let host = rogue_host(&workspace, 10).await;
    let error = host.call_tool("rogue", "crash", None).await.unwrap_err();
    let CallError::Unavailable { server, stderr, .. } = &error else {
        panic!("{error:?}");
    };
    assert_eq!(server, "rogue");
    assert!(
        stderr.iter().any(|l| l.contains("segfault in tool crash")),
        "{stderr:?}"
    );
    assert!(
        error.to_string().contains("last lines of its stderr"),
        "{error}"
    );
    // Later calls fail at once with the same explanation; the demo is unaffected.
    let again = host
        .call_tool("rogue", "echo", text("x"))
        .await
        .unwrap_err();
    assert!(matches!(again, CallError::Unavailable { .. }), "{again:?}");
    let status = host.status();
    assert!(matches!(status[0].state, ServerState::Failed { .. }));
    let sum = host
        .call_tool("demo", "add", json!({"a": 2, "b": 3}).as_object().cloned())
        .await
        .unwrap();
    assert_eq!(sum.structured, Some(json!({"sum": 5.0})));
    host.shutdown().await;
}

#[tokio::test]
async fn a_malformed_answer_is_a_bounded_error() {
    let workspace = Workspace::new();
    let host = rogue_host(&workspace, 2).await;
    let error = host.call_tool("rogue", "garbage", None).await.unwrap_err();
    assert!(
        matches!(
            error,
            CallError::Timeout { .. } | CallError::Unavailable { .. }
        ),
        "{error:?}"
    );
    host.shutdown().await;
}

/// An answer over the 16 MiB message cap fails its call at once (not after the tool timeout
/// of 120 s, as "did not answer"), says why, and the connection keeps working; an answer just
/// under the cap arrives whole.
#[tokio::test]
async fn an_answer_over_the_message_cap_fails_its_call_at_once() {
    let workspace = Workspace::new();
    let host = rogue_host(&workspace, 120).await;
    let mib = |n: f64| json!({"mib": n}).as_object().cloned();
    let error = host
        .call_tool("rogue", "bulk", mib(17.0))
        .await
        .unwrap_err();
    assert!(matches!(error, CallError::TooLarge { .. }), "{error:?}");
    assert_eq!(
        error.to_string(),
        "rogue.bulk answered with more than 16 MiB, the limit for one message; the answer was \
         not read (ask for less: a page, a filter, a smaller range)"
    );
    let whole = host.call_tool("rogue", "bulk", mib(15.5)).await.unwrap();
    assert_eq!(whole.text().len(), 15 * 1024 * 1024 + 512 * 1024);
    let answer = host
        .call_tool("rogue", "echo", text("after"))
        .await
        .unwrap();
    assert_eq!(answer.text(), "after");
    host.shutdown().await;
}

#[tokio::test]
async fn an_answer_json_readers_refuse_fails_its_call_at_once() {
    let workspace = Workspace::new();
    // A tool timeout of two minutes: an answer that is dropped would be seen as a hang.
    let host = rogue_host(&workspace, 120).await;
    for (tool, why) in [
        (
            "deep",
            "it nests more than 127 levels deep, more than a JSON reader takes",
        ),
        ("huge", "it holds a number too large for a 64-bit float"),
    ] {
        let started = std::time::Instant::now();
        let error = host.call_tool("rogue", tool, None).await.unwrap_err();
        assert!(
            started.elapsed() < std::time::Duration::from_secs(10),
            "{tool}: {error}"
        );
        assert!(matches!(error, CallError::Unreadable { .. }), "{error:?}");
        assert_eq!(
            error.to_string(),
            format!(
                "rogue.{tool} answered with JSON that cannot be read: {why}; the answer was not read"
            )
        );
    }
    let answer = host
        .call_tool("rogue", "echo", text("after"))
        .await
        .unwrap();
    assert_eq!(answer.text(), "after");
    host.shutdown().await;
}

#[tokio::test]
async fn unknown_servers_and_tools_are_refused_before_any_io() {
    let workspace = Workspace::new();
    let host = rogue_host(&workspace, 5).await;
    let error = host.call_tool("nope", "echo", None).await.unwrap_err();
    assert_eq!(error.to_string(), "no server named \"nope\" is configured");
    let error = host.call_tool("rogue", "ecko", None).await.unwrap_err();
    assert!(
        error
            .to_string()
            .starts_with("server \"rogue\" has no tool \"ecko\"; its tools: echo, grow"),
        "{error}"
    );
    let log = std::fs::read_to_string(workspace.path().join("rogue.log")).unwrap_or_default();
    assert!(!log.contains("ecko"), "{log}");
    host.shutdown().await;
}

#[tokio::test]
async fn tools_list_changed_refreshes_the_catalog() {
    let workspace = Workspace::new();
    let host = rogue_host(&workspace, 5).await;
    let mut revision = host.revision();
    let before = *revision.borrow_and_update();
    let tools = |host: &Host| -> Vec<String> {
        host.catalog()[0]
            .tools
            .iter()
            .map(|t| t.name.clone())
            .collect()
    };
    assert!(!tools(&host).contains(&"grown".to_string()));
    host.call_tool("rogue", "grow", None).await.unwrap();
    tokio::time::timeout(Duration::from_secs(10), revision.changed())
        .await
        .expect("the catalog was refreshed")
        .unwrap();
    assert!(*revision.borrow() > before);
    assert!(
        tools(&host).contains(&"grown".to_string()),
        "{:?}",
        tools(&host)
    );
    // The new tool is callable: the call reaches the server (which has no handler for it).
    let error = host.call_tool("rogue", "grown", None).await.unwrap_err();
    assert!(matches!(error, CallError::Protocol { .. }), "{error:?}");
    host.shutdown().await;
}

/// A tool list's `ttlMs` is honoured for a server that never says its tools changed:
/// `ttlMs: 0` lists again before each use, a positive one when it runs out, and a list
/// without one is kept until the server says otherwise.
#[tokio::test]
async fn a_tool_list_past_its_ttl_is_listed_again() {
    let workspace = Workspace::new();
    let start = |ttl: Option<u64>| {
        let mut server = with_timeouts(rogue("normal"), 10, 5);
        server["env"] = json!({"ROGUE_QUIET": "1"});
        if let Some(ttl) = ttl {
            server["env"]["ROGUE_TTL_MS"] = json!(ttl.to_string());
        }
        let path = workspace.config(json!({ "rogue": server }));
        async move { Host::start(&Config::from_file(&path).unwrap(), &|_| {}).await }
    };
    let has_grown = |host: &Host| host.catalog()[0].tools.iter().any(|t| t.name == "grown");
    let cases = [
        // (ttlMs, listed again before the next use, listed again on its own)
        (Some(0), true, false),
        (Some(1500), false, true),
        (None, false, false),
    ];
    for (ttl, before_use, on_its_own) in cases {
        let host = start(ttl).await;
        let mut revision = host.revision();
        revision.borrow_and_update();
        host.call_tool("rogue", "grow", None).await.unwrap();
        host.refresh_stale().await;
        assert_eq!(has_grown(&host), before_use, "ttlMs {ttl:?}, before use");
        if !before_use {
            let changed = tokio::time::timeout(Duration::from_secs(4), revision.changed()).await;
            assert_eq!(changed.is_ok(), on_its_own, "ttlMs {ttl:?}, on its own");
            assert_eq!(has_grown(&host), on_its_own, "ttlMs {ttl:?}, on its own");
        }
        host.shutdown().await;
    }
}

#[tokio::test]
async fn child_processes_do_not_outlive_the_host() {
    let workspace = Workspace::new();
    let host = rogue_host(&workspace, 5).await;
    let pid: u32 = std::fs::read_to_string(workspace.path().join("rogue.pid"))
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    let proc = format!("/proc/{pid}");
    assert!(Path::new(&proc).exists());
    host.shutdown().await;
    wait_for(|| (!Path::new(&proc).exists()).then_some(())).await;

    // Dropping a host without shutting it down kills its children too.
    let host = rogue_host(&workspace, 5).await;
    let pid = std::fs::read_to_string(workspace.path().join("rogue.pid")).unwrap();
    drop(host);
    let proc = format!("/proc/{}", pid.trim());
    wait_for(|| (!Path::new(&proc).exists()).then_some(())).await;
}

/// Polls `probe` until it gives a value (at most 10 s).
async fn wait_for<T>(mut probe: impl FnMut() -> Option<T>) -> T {
    for _ in 0..200 {
        if let Some(value) = probe() {
            return value;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("gave up waiting");
}

/// An HTTP server that cannot be used is said in one line of words with what to do, and
/// nothing lands at ERROR in the log under `-q`.
#[test]
fn unreachable_http_servers_are_explained_in_one_line_each() {
    let mut statuses = std::process::Command::new("python3")
        .arg(crate::support::repo().join("tests/fixtures/http_statuses.py"))
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut port = String::new();
    std::io::BufRead::read_line(
        &mut std::io::BufReader::new(statuses.stdout.take().unwrap()),
        &mut port,
    )
    .unwrap();
    let base = format!("http://127.0.0.1:{}", port.trim());
    // A port nothing listens on: bound, then let go.
    let free = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let closed = free.local_addr().unwrap().port();
    drop(free);
    let url = |path: &str| json!({"url": format!("{base}{path}"), "startupTimeout": 10});
    let workspace = Workspace::new();
    workspace.config(json!({
        "refused": {"url": format!("http://127.0.0.1:{closed}/mcp")},
        "unknown": {"url": "http://no-such-host.invalid/mcp", "startupTimeout": 10},
        "missing": url("/missing"),
        "signin": url("/signin"),
        "forbidden": url("/forbidden"),
        "page": url("/page"),
        "broken": url("/broken"),
        "tls": {"url": format!("https{}/mcp", base.trim_start_matches("http")), "startupTimeout": 10},
    }));
    let run = workspace.codemode(&["tools", "--quiet"]);
    let _ = statuses.kill();
    let _ = statuses.wait();
    assert_eq!(run.code, 1, "{}", run.stderr);
    let mut said = std::collections::BTreeMap::new();
    let lines: Vec<&str> = run.stdout.lines().collect();
    for pair in lines.windows(2) {
        let status = pair[0]
            .split_once("  FAILED")
            .or_else(|| pair[0].split_once("  NEEDS SIGN-IN"));
        if let Some((name, _)) = status {
            said.insert(name.to_string(), pair[1].trim().to_string());
        }
    }
    let expect = |name: &str, text: &str| {
        let line = said
            .get(name)
            .unwrap_or_else(|| panic!("{name}: {}", run.stdout));
        assert!(line.contains(text), "{name}: {line}");
        assert!(
            !line.contains("rmcp::") && !line.contains("Error {"),
            "{name}: {line}"
        );
    };
    expect(
        "refused",
        &format!("connection refused: nothing is listening at 127.0.0.1:{closed}"),
    );
    expect(
        "unknown",
        "cannot resolve the host name no-such-host.invalid",
    );
    expect("missing", "nothing at this URL (HTTP 404)");
    expect("signin", "needs sign-in: run `codemode login signin`");
    assert!(
        run.stdout.contains("signin  NEEDS SIGN-IN  ("),
        "{}",
        run.stdout
    );
    expect("forbidden", "the server refused access (HTTP 403)");
    expect("page", "not an MCP endpoint");
    expect("broken", "the server failed (HTTP 503)");
    expect("tls", "the TLS connection to 127.0.0.1");
    assert_eq!(said.len(), 8, "{}", run.stdout);
    assert!(!run.stderr.contains("ERROR"), "{}", run.stderr);
}
