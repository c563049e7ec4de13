//! A script that floods the job queue (every promise job queues two more) is answered at its
//! time limit, and its thread ends with the answer: the process's CPU time stops growing and
//! its memory stays bounded. A test binary of its own, so that no other test's work counts.

use std::time::{Duration, Instant};

use codemode::codegen;
use codemode::config::Config;
use codemode::host::Host;
use codemode::limits::Limits;
use codemode::runtime::{self, FailureKind};

/// This process's user and system CPU time.
fn cpu_time() -> Duration {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap();
    // Fields after the command name (which is in parentheses): utime and stime are the
    // 12th and 13th of them, in clock ticks (100 a second on Linux).
    let after = &stat[stat.rfind(')').unwrap() + 2..];
    let fields: Vec<&str> = after.split(' ').collect();
    let ticks: u64 = fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap();
    Duration::from_millis(ticks * 10)
}

fn resident_mb() -> usize {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|l| l.starts_with("VmRSS:")).unwrap();
    line.split_whitespace()
        .nth(1)
        .unwrap()
        .parse::<usize>()
        .unwrap()
        / 1024
}

fn script_threads() -> usize {
    std::fs::read_dir("/proc/self/task")
        .unwrap()
        .filter_map(|task| std::fs::read_to_string(task.ok()?.path().join("comm")).ok())
        .filter(|name| name.trim() == "codemode-script")
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_job_flood_ends_with_its_answer() {
    let host = Host::start(&Config::builtin_default(), &|_| {}).await;
    let index = codegen::index(&host.catalog());
    let limits = Limits {
        run_timeout: Duration::from_millis(500),
        memory_limit_mb: 64,
        ..Limits::default()
    };
    let before = resident_mb();
    let flood = "function f() { Promise.resolve().then(f); Promise.resolve().then(f); }\n\
                 f();\n\
                 await new Promise(() => {});\n";
    let started = Instant::now();
    let report = runtime::run(&host, &index, "s.ts", flood.into(), &limits).await;
    let answered = started.elapsed();
    let kind = report.error.as_ref().map(|e| e.kind);
    assert!(
        matches!(kind, Some(FailureKind::Timeout | FailureKind::Memory)),
        "{:?}",
        report.error
    );
    assert!(
        answered < Duration::from_secs(5),
        "answered after {answered:?}"
    );

    // Within a second of the answer the run's thread is gone...
    let deadline = Instant::now() + Duration::from_secs(1);
    while script_threads() > 0 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(script_threads(), 0, "the run's thread outlived its answer");
    // ...and nothing burns CPU or grows past the memory limit.
    let cpu = cpu_time();
    tokio::time::sleep(Duration::from_secs(1)).await;
    let burnt = cpu_time() - cpu;
    assert!(
        burnt < Duration::from_millis(300),
        "{burnt:?} of CPU in the second after the answer"
    );
    let grown = resident_mb().saturating_sub(before);
    assert!(grown < 64 + 64, "resident memory grew by {grown} MB");
    host.shutdown().await;
}
