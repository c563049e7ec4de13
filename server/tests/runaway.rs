//! A thousand runaway runs leak nothing: every run's thread ends and the host still serves.
//! A test binary of its own, so that no other test's threads are counted.

use std::time::Duration;

use codemode::codegen;
use codemode::config::Config;
use codemode::host::Host;
use codemode::limits::Limits;
use codemode::runtime::{self, FailureKind};
use serde_json::json;

/// Live threads of this process that run scripts (the runtime names them `codemode-script`).
fn script_threads() -> usize {
    std::fs::read_dir("/proc/self/task")
        .unwrap()
        .filter_map(|task| std::fs::read_to_string(task.ok()?.path().join("comm")).ok())
        .filter(|name| name.trim() == "codemode-script")
        .count()
}

fn all_threads() -> usize {
    std::fs::read_dir("/proc/self/task").unwrap().count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_runaway_runs_leak_no_threads() {
    let host = Host::start(&Config::builtin_default(), &|_| {}).await;
    let index = codegen::index(&host.catalog());
    let mut options = Limits::default();
    let sum = runtime::run(
        &host,
        &index,
        "s.ts",
        "export default (await demo.add({ a: 1, b: 2 })).sum;".into(),
        &options,
    )
    .await;
    assert_eq!(sum.result, json!(3));
    let before = all_threads();

    options.run_timeout = Duration::from_millis(5);
    for round in 0..1000 {
        let report = runtime::run(&host, &index, "s.ts", "for (;;) {}".into(), &options).await;
        let kind = report.error.map(|e| e.kind);
        assert_eq!(kind, Some(FailureKind::Timeout), "round {round}");
    }
    // Every run's thread has ended (give the last one a moment to be reaped).
    for _ in 0..100 {
        if script_threads() == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(script_threads(), 0);
    assert!(
        all_threads() <= before,
        "threads before {before}, after {}",
        all_threads()
    );

    options.run_timeout = Duration::from_secs(5);
    let sum = runtime::run(
        &host,
        &index,
        "s.ts",
        "export default (await demo.add({ a: 20, b: 22 })).sum;".into(),
        &options,
    )
    .await;
    assert_eq!(sum.result, json!(42));
    host.shutdown().await;
}
