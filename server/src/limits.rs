//! The limits of a run, one struct with one name per limit, from the configuration's
//! `codemode` section (`runTimeout` is `run_timeout`, and so on) through the runtime to the
//! engine unchanged. Plain data: nothing here knows how a limit is enforced.

use std::time::Duration;

/// What one script run (and its type check) may use.
#[derive(Debug, Clone, PartialEq)]
pub struct Limits {
    /// Wall-clock limit of one script run (time spent waiting for a person's approval does
    /// not count).
    pub run_timeout: Duration,
    /// Wall-clock limit of type-checking a script.
    pub check_timeout: Duration,
    /// Heap limit of one run in MiB, array buffers included.
    pub memory_limit_mb: usize,
    /// Bytes of console output kept per run; the rest is dropped with a marker.
    pub max_output_bytes: usize,
    /// Bytes of a run's result (as JSON).
    pub max_result_bytes: usize,
    /// Tool calls one run may make.
    pub max_tool_calls: usize,
    /// Tool calls of one run in flight at once.
    pub max_concurrent_calls: usize,
}

impl Limits {
    /// The heap limit in bytes.
    pub fn memory_bytes(&self) -> usize {
        self.memory_limit_mb.saturating_mul(1024 * 1024)
    }
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            run_timeout: Duration::from_secs(30),
            check_timeout: Duration::from_secs(30),
            memory_limit_mb: 256,
            max_output_bytes: 1024 * 1024,
            max_result_bytes: 4 * 1024 * 1024,
            max_tool_calls: 10_000,
            max_concurrent_calls: 64,
        }
    }
}
