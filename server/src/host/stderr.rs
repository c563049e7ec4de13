//! The last lines a child server wrote to stderr, kept to explain its failures.
//!
//! Memory stays bounded whatever the child writes: 100 MB of stderr, or one line with no
//! newline, keeps at most [`KEPT_LINES`] lines of at most [`LINE_CHARS`] characters.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncRead, AsyncReadExt};

const KEPT_LINES: usize = 20;
const LINE_CHARS: usize = 300;

/// A shared, bounded tail of a child's stderr.
#[derive(Clone, Default)]
pub struct StderrTail {
    lines: Arc<Mutex<Tail>>,
}

#[derive(Default)]
struct Tail {
    done: VecDeque<String>,
    partial: String,
    /// Whether the current line was cut at `LINE_CHARS`.
    cut: bool,
}

impl StderrTail {
    /// Reads `stream` until it ends, keeping its tail; logs each line at debug level.
    pub fn follow(&self, server: String, mut stream: impl AsyncRead + Unpin + Send + 'static) {
        let tail = self.clone();
        tokio::spawn(async move {
            let mut buffer = vec![0u8; 8192];
            loop {
                match stream.read(&mut buffer).await {
                    Ok(0) | Err(_) => break,
                    Ok(n) => tail.push(&server, &String::from_utf8_lossy(&buffer[..n])),
                }
            }
            tail.finish(&server);
        });
    }

    fn push(&self, server: &str, text: &str) {
        let mut tail = self.lines.lock().unwrap_or_else(|e| e.into_inner());
        for (index, piece) in text.split('\n').enumerate() {
            if index > 0 {
                tail.end_line(server);
            }
            let room = LINE_CHARS.saturating_sub(tail.partial.chars().count());
            if piece.chars().count() > room {
                tail.partial.extend(piece.chars().take(room));
                tail.cut = true;
            } else {
                tail.partial.push_str(piece);
            }
        }
    }

    fn finish(&self, server: &str) {
        let mut tail = self.lines.lock().unwrap_or_else(|e| e.into_inner());
        if !tail.partial.is_empty() {
            tail.end_line(server);
        }
    }

    /// The kept lines, oldest first.
    pub fn lines(&self) -> Vec<String> {
        let tail = self.lines.lock().unwrap_or_else(|e| e.into_inner());
        let mut lines: Vec<String> = tail.done.iter().cloned().collect();
        if !tail.partial.is_empty() {
            lines.push(tail.partial.clone());
        }
        lines
    }
}

impl Tail {
    fn end_line(&mut self, server: &str) {
        let mut line = std::mem::take(&mut self.partial);
        if line.ends_with('\r') {
            line.pop();
        }
        if std::mem::take(&mut self.cut) {
            line.push_str(" …");
        }
        tracing::debug!(target: "codemode::server_stderr", server, "{line}");
        if line.trim().is_empty() {
            return;
        }
        if self.done.len() == KEPT_LINES {
            self.done.pop_front();
        }
        self.done.push_back(line);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn keeps_a_bounded_tail() {
        let tail = StderrTail::default();
        let mut text = String::new();
        for i in 0..1000 {
            text.push_str(&format!("line {i}\n"));
        }
        text.push_str(&"x".repeat(10_000));
        tail.push("s", &text);
        let lines = tail.lines();
        assert_eq!(lines.len(), KEPT_LINES + 1);
        assert_eq!(lines[0], "line 980");
        assert_eq!(lines.last().unwrap().len(), LINE_CHARS);
        tail.finish("s");
        assert_eq!(
            tail.lines().last().unwrap(),
            &format!("{} …", "x".repeat(LINE_CHARS))
        );
    }
}
