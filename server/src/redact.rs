//! The process's list of secrets, and the log writer that keeps them out of stderr: every
//! value a configuration took from the environment, every `env` and `headers` value, URL
//! query values and user information, the HTTP token. Logs come from libraries too (rmcp and
//! reqwest quote URLs in their errors), so redaction happens where log lines are written,
//! not where they are made.

use std::io::Write;
use std::sync::RwLock;

use tracing_subscriber::fmt::MakeWriter;

static SECRETS: RwLock<Vec<String>> = RwLock::new(Vec::new());

/// Adds `secrets` to what is never written to a log.
pub fn register(secrets: impl IntoIterator<Item = String>) {
    let mut known = SECRETS.write().unwrap_or_else(|e| e.into_inner());
    for secret in secrets {
        if secret.chars().count() >= 4 && !known.contains(&secret) {
            known.push(secret);
        }
    }
    // Longest first, so a secret that contains another is replaced whole.
    known.sort_by_key(|s| std::cmp::Reverse(s.len()));
}

/// `text` with every registered secret replaced by `***`.
pub fn scrub(text: &str) -> String {
    let known = SECRETS.read().unwrap_or_else(|e| e.into_inner());
    replace_all(text, known.iter().map(String::as_str))
}

/// `text` with each of `secrets` replaced by `***`, in the order given (longest first, so a
/// secret that contains another is replaced whole).
pub fn replace_all<'a>(text: &str, secrets: impl IntoIterator<Item = &'a str>) -> String {
    let mut out = text.to_string();
    for secret in secrets {
        if out.contains(secret) {
            out = out.replace(secret, "***");
        }
    }
    out
}

/// Standard error for `tracing`, with secrets scrubbed from each write.
#[derive(Clone, Copy, Default)]
pub struct Stderr;

impl<'a> MakeWriter<'a> for Stderr {
    type Writer = Scrubbing;

    fn make_writer(&'a self) -> Self::Writer {
        Scrubbing(Vec::new())
    }
}

/// Collects one log event and writes it, scrubbed, when dropped.
pub struct Scrubbing(Vec<u8>);

impl Write for Scrubbing {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Drop for Scrubbing {
    fn drop(&mut self) {
        let text = scrub(&String::from_utf8_lossy(&self.0));
        let _ = std::io::stderr().lock().write_all(text.as_bytes());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registered_secrets_are_scrubbed_longest_first() {
        register([
            "tok-1234".to_string(),
            "tok-1234-long".to_string(),
            "ab".to_string(),
        ]);
        assert_eq!(
            scrub("a tok-1234-long and a tok-1234, ab"),
            "a *** and a ***, ab"
        );
    }
}
