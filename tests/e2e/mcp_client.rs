//! The official TypeScript MCP SDK's client, for the end-to-end tests: `mcp_client.mjs`
//! on Node, driven with one JSON command per line (see that file for the commands).

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};

use serde_json::{Value, json};

use crate::support::{deps, repo};

pub struct McpClient {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
}

impl McpClient {
    pub fn new() -> McpClient {
        let sdk = deps().node_modules.join("@modelcontextprotocol/sdk");
        let mut child = Command::new("node")
            .arg(repo().join("tests/e2e/mcp_client.mjs"))
            .arg(sdk)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let stdin = child.stdin.take().unwrap();
        let stdout = BufReader::new(child.stdout.take().unwrap());
        McpClient {
            child,
            stdin,
            stdout,
        }
    }

    /// Sends one command and reads its answer; panics unless the answer says `ok`.
    pub fn send(&mut self, command: Value) -> Value {
        let answer = self.try_send(command.clone());
        assert_eq!(answer["ok"], true, "{command}\n→ {answer:#}");
        answer
    }

    /// Sends one command and reads its answer, whatever it says.
    pub fn try_send(&mut self, command: Value) -> Value {
        writeln!(self.stdin, "{command}").unwrap();
        self.stdin.flush().unwrap();
        let mut line = String::new();
        self.stdout.read_line(&mut line).unwrap();
        serde_json::from_str(&line)
            .unwrap_or_else(|e| panic!("the client answered {line:?} to {command}: {e}"))
    }

    /// Calls `name` with `arguments`; the answer has `result`, `text`, `contentBytes`,
    /// `progress` and `elicitations`.
    pub fn call(&mut self, name: &str, arguments: Value) -> Value {
        self.send(json!({"op": "call", "name": name, "arguments": arguments}))
    }
}

impl Drop for McpClient {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
