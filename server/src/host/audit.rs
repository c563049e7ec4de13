//! The audit log: one JSON line appended per upstream tool call (time, server, tool, a hash of
//! the arguments, outcome, duration), when the configuration's `auditLog` names a file.
//!
//! The file is opened for appending only; each record is written with one `write` so lines
//! from concurrent calls never interleave. A call whose caller gave up is logged as
//! `cancelled` when its future is dropped.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Instant, SystemTime};

use serde::Serialize;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

/// An open audit log.
pub struct AuditLog {
    path: PathBuf,
    file: Mutex<File>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Record<'a> {
    time: String,
    server: &'a str,
    tool: &'a str,
    /// SHA-256 of the arguments' JSON, so calls can be matched without logging their values.
    arguments_sha256: &'a str,
    /// `ok`, `tool-error` (the tool answered `isError`), `error`, `timeout`, `denied` or
    /// `cancelled`.
    outcome: &'a str,
    ms: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<&'a str>,
}

impl AuditLog {
    /// Opens (creating) `path` for appending.
    pub fn open(path: &Path) -> Result<AuditLog, String> {
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .map_err(|error| format!("cannot open the audit log {}: {error}", path.display()))?;
        Ok(AuditLog {
            path: path.to_path_buf(),
            file: Mutex::new(file),
        })
    }

    /// Starts the record of one call; it is written when finished, or as `cancelled` when
    /// dropped unfinished.
    pub fn begin(
        self: &Arc<Self>,
        server: &str,
        tool: &str,
        arguments: Option<&Map<String, Value>>,
    ) -> Pending {
        let json = match arguments {
            Some(map) => serde_json::to_string(map).unwrap_or_default(),
            None => "{}".to_string(),
        };
        let hash = Sha256::digest(json.as_bytes());
        Pending {
            log: self.clone(),
            server: server.to_string(),
            tool: tool.to_string(),
            hash: hash.iter().map(|b| format!("{b:02x}")).collect(),
            started: Instant::now(),
            done: false,
        }
    }

    fn append(&self, record: &Record<'_>) {
        let mut line = match serde_json::to_vec(record) {
            Ok(line) => line,
            Err(error) => {
                tracing::error!("cannot encode an audit record: {error}");
                return;
            }
        };
        line.push(b'\n');
        let mut file = self.file.lock().unwrap_or_else(|e| e.into_inner());
        if let Err(error) = file.write_all(&line) {
            tracing::error!(
                "cannot write the audit log {}: {error}",
                self.path.display()
            );
        }
    }
}

/// A call being audited.
pub struct Pending {
    log: Arc<AuditLog>,
    server: String,
    tool: String,
    hash: String,
    started: Instant,
    done: bool,
}

impl Pending {
    pub fn finish(mut self, outcome: &str, error: Option<&str>) {
        self.write(outcome, error);
    }

    fn write(&mut self, outcome: &str, error: Option<&str>) {
        self.done = true;
        self.log.append(&Record {
            time: humantime::format_rfc3339_millis(SystemTime::now()).to_string(),
            server: &self.server,
            tool: &self.tool,
            arguments_sha256: &self.hash,
            outcome,
            ms: self.started.elapsed().as_millis() as u64,
            error,
        });
    }
}

impl Drop for Pending {
    fn drop(&mut self) {
        if !self.done {
            self.write("cancelled", None);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn appends_one_line_per_call_and_logs_dropped_calls_as_cancelled() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("audit.jsonl");
        std::fs::write(&path, "{\"earlier\":true}\n").unwrap();
        let log = Arc::new(AuditLog::open(&path).unwrap());
        let mut arguments = Map::new();
        arguments.insert("query".into(), Value::from("secret value"));
        log.begin("memory", "search_nodes", Some(&arguments))
            .finish("ok", None);
        drop(log.begin("memory", "read_graph", None));

        let text = std::fs::read_to_string(&path).unwrap();
        let lines: Vec<Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines.len(), 3, "appended, not truncated: {text}");
        assert_eq!(lines[1]["server"], "memory");
        assert_eq!(lines[1]["tool"], "search_nodes");
        assert_eq!(lines[1]["outcome"], "ok");
        // sha256 of `{"query":"secret value"}`, as Python's hashlib gives it.
        assert_eq!(
            lines[1]["argumentsSha256"],
            "ed77385e218243c6764b17e1bd3fd8d941a01e76d93e8db7e6c3679cfff38a9d"
        );
        assert!(!text.contains("secret value"), "values are not logged");
        assert!(lines[1]["time"].as_str().unwrap().ends_with('Z'));
        assert_eq!(lines[2]["outcome"], "cancelled");
    }
}
