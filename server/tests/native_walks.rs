//! One long native call ends at the run's limit, and nothing of it keeps burning a core once
//! the run is answered: each `tests/scripts/attacks/huge_walk_*` script (the array built-ins
//! that walk every index in native code) under a short time limit. A test binary of its
//! own, so the process's CPU time is this test's alone.

use std::path::Path;
use std::time::Duration;

use codemode::codegen;
use codemode::config::Config;
use codemode::host::Host;
use codemode::limits::Limits;
use codemode::runtime::{self, FailureKind};

/// CPU time this process has used (user + system), from `/proc/self/stat`.
fn cpu_time() -> Duration {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap();
    // Fields after the command name, which is in parentheses and may hold spaces.
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .unwrap()
        .1
        .split_whitespace()
        .collect();
    let ticks: u64 = fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap();
    // The kernel counts in clock ticks of 1/100 s on Linux.
    Duration::from_millis(ticks * 10)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn long_native_walks_end_at_their_limit_and_leave_no_core_burning() {
    let host = Host::start(&Config::builtin_default(), &|_| {}).await;
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/scripts/attacks");
    let mut walks: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("huge_walk_")
        })
        .collect();
    walks.sort();
    // Every built-in the red team named: join, reverse, sort, splice, shift, unshift,
    // copyWithin, flat, String(a), join on an array-like; and the others of the class.
    assert!(walks.len() >= 14, "{walks:?}");
    let limits = Limits {
        run_timeout: Duration::from_secs(2),
        ..Limits::default()
    };
    for path in walks {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let source = std::fs::read_to_string(&path).unwrap();
        let started = std::time::Instant::now();
        let index = codegen::index(&host.catalog());
        let report = runtime::run(&host, &index, &name, source, &limits).await;
        let answered = started.elapsed();
        let kind = report.error.as_ref().map(|e| e.kind);
        assert!(
            matches!(kind, Some(FailureKind::Limit | FailureKind::Timeout)),
            "{name}: {report:?}"
        );
        assert!(
            answered < limits.run_timeout + runtime::OVERSHOOT,
            "{name} answered after {answered:?}"
        );
        // Once answered, nothing of the run is left burning a core.
        tokio::time::sleep(Duration::from_millis(100)).await;
        let before = cpu_time();
        tokio::time::sleep(Duration::from_millis(1000)).await;
        let burnt = cpu_time() - before;
        assert!(
            burnt < Duration::from_millis(200),
            "{name}: {burnt:?} of CPU in the second after the run was answered"
        );
    }
    let index = codegen::index(&host.catalog());
    let sum = runtime::run(
        &host,
        &index,
        "s.ts",
        "export default (await demo.add({ a: 20, b: 22 })).sum;".into(),
        &limits,
    )
    .await;
    assert_eq!(
        sum.result,
        serde_json::json!(42),
        "after the long walks: {sum:?}"
    );
    host.shutdown().await;
}
