//! The streamable HTTP transport against a real server: `server-everything` in its
//! `streamableHttp` mode on a loopback port.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use codemode::config::Config;
use codemode::host::{Host, ServerState};
use serde_json::json;

use crate::support::{Workspace, deps};

/// A server-everything process serving streamable HTTP; killed when dropped.
struct HttpServer {
    child: Child,
    url: String,
}

impl Drop for HttpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_http_server() -> HttpServer {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut child = Command::new("node")
        .arg(deps().npm_server("server-everything"))
        .arg("streamableHttp")
        .env("PORT", port.to_string())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    loop {
        line.clear();
        assert!(
            stderr.read_line(&mut line).unwrap() > 0,
            "server-everything exited"
        );
        if line.contains("listening on port") {
            break;
        }
    }
    // Keep draining its stderr so it never blocks on a full pipe.
    std::thread::spawn(move || std::io::copy(&mut stderr, &mut std::io::sink()));
    HttpServer {
        child,
        url: format!("http://127.0.0.1:{port}/mcp"),
    }
}

#[test]
fn tools_are_listed_over_streamable_http() {
    let server = start_http_server();
    let workspace = Workspace::new();
    workspace.config(json!({"remote": {"type": "http", "url": server.url, "headers": {"X-Trace": "codemode-test"}}}));
    let run = workspace.codemode(&["tools", "--json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let listing = run.json();
    assert_eq!(listing["servers"][0]["status"], "ready");
    let tools = listing["servers"][0]["tools"].as_array().unwrap();
    assert!(
        tools
            .iter()
            .any(|t| t["name"] == "get-sum" && t["function"] == "getSum"),
        "{tools:?}"
    );
}

#[tokio::test]
async fn tools_are_called_over_streamable_http() {
    let server = start_http_server();
    let workspace = Workspace::new();
    let path = workspace.config(json!({"remote": {"url": server.url}}));
    let host = Host::start(&Config::from_file(&path).unwrap(), &|_| {}).await;
    assert!(
        matches!(host.status()[0].state, ServerState::Ready { .. }),
        "{:?}",
        host.status()
    );
    let answer = host
        .call_tool(
            "remote",
            "get-sum",
            json!({"a": 40, "b": 2}).as_object().cloned(),
        )
        .await
        .unwrap();
    assert!(answer.text().contains("42"), "{answer:?}");
    let typed = host
        .call_tool(
            "remote",
            "get-structured-content",
            json!({"location": "New York"}).as_object().cloned(),
        )
        .await
        .unwrap();
    assert!(
        typed
            .structured
            .as_ref()
            .is_some_and(|s| s.get("temperature").is_some()),
        "{typed:?}"
    );
    host.shutdown().await;
}
