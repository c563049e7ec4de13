//! Workload 5: many agents at once. `codemode serve --http` in a process of its own, against
//! the zero-work server, and [`CLIENTS`] MCP clients (rmcp over streamable HTTP, each its own
//! session) each calling `execute` in a loop for [`DURATION`], every script a little
//! different (as agents' scripts are), so each one is type-checked; then the same again with
//! new clients. Reported: executes done, their latency (median, p95), errors (a transport
//! error or an error result; must be 0), the serve process's resident memory (peak while
//! loaded, and after each wave once every client has closed its session: a leak grows it
//! wave by wave), and whether its threads, open files and child processes went back to what
//! they were before the load.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use rmcp::ServiceExt;
use rmcp::model::CallToolRequestParams;
use rmcp::transport::StreamableHttpClientTransport;
use serde_json::json;

use crate::check::Spread;
use crate::report::{Table, ms, round};

pub const CLIENTS: usize = 50;
/// How long each wave of clients runs.
pub const DURATION: Duration = Duration::from_secs(15);
/// Waves of clients, one after the other: more sessions in all than `serve` holds at once
/// (128), so sessions that outlived their clients would refuse the last wave.
pub const WAVES: usize = 3;

/// What one run of the load measured.
pub struct LoadFigures {
    pub engine: &'static str,
    pub executes: usize,
    pub errors: usize,
    pub first_error: Option<String>,
    pub latency: Spread,
    pub per_second: f64,
    pub before: Process,
    pub peak_rss_mb: f64,
    /// After each wave.
    pub after: Vec<Process>,
}

/// What the serve process holds, from /proc.
#[derive(Clone, Copy)]
pub struct Process {
    pub rss_mb: f64,
    pub threads: usize,
    pub files: usize,
    pub children: usize,
}

impl Process {
    fn of(pid: u32) -> Process {
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
        let field = |name: &str| -> f64 {
            status
                .lines()
                .find_map(|l| l.strip_prefix(name))
                .and_then(|rest| rest.split_whitespace().next()?.parse().ok())
                .unwrap_or(f64::NAN)
        };
        // Each thread lists the children it started.
        let children = std::fs::read_dir(format!("/proc/{pid}/task"))
            .map(|tasks| {
                tasks
                    .filter_map(|task| {
                        std::fs::read_to_string(task.ok()?.path().join("children")).ok()
                    })
                    .map(|list| list.split_whitespace().count())
                    .sum()
            })
            .unwrap_or(0);
        Process {
            rss_mb: field("VmRSS:") / 1024.0,
            threads: field("Threads:") as usize,
            files: std::fs::read_dir(format!("/proc/{pid}/fd")).map_or(0, |d| d.count()),
            children,
        }
    }
}

/// Runs the load on the embedded checker and, when given, on TypeScript 7.
pub fn measure(codemode: &Path, zero_server: &Path, tsgo: Option<&Path>) -> String {
    let mut runs = vec![run(
        codemode,
        zero_server,
        "TypeScript 6.0.3 embedded",
        None,
    )];
    if let Some(tsgo) = tsgo {
        runs.push(run(codemode, zero_server, "TypeScript 7", Some(tsgo)));
    }
    let mut table = Table::new(&[
        "codemode serve --http, checker",
        "executes",
        "latency of one execute",
        "errors",
        "memory (RSS): idle → peak → after each wave",
        "threads, open files, child processes: before → after",
    ]);
    for f in &runs {
        table.row(&[
            f.engine.to_string(),
            format!("{} ({}/s)", f.executes, round(f.per_second)),
            ms(f.latency),
            match &f.first_error {
                None => f.errors.to_string(),
                Some(e) => format!("{} (first: {e})", f.errors),
            },
            format!(
                "{} → {} → {} MB",
                round(f.before.rss_mb),
                round(f.peak_rss_mb),
                f.after
                    .iter()
                    .map(|p| round(p.rss_mb))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            {
                let last = f.after.last().copied().unwrap_or(f.before);
                format!(
                    "{}, {}, {} → {}, {}, {}",
                    f.before.threads,
                    f.before.files,
                    f.before.children,
                    last.threads,
                    last.files,
                    last.children
                )
            },
        ]);
    }
    format!(
        "{CLIENTS} MCP clients at once (rmcp over streamable HTTP, a session each), each calling \
         `execute` in a loop for {} s with a script that calls the zero-work server's one tool \
         (each script a little different, so each is type-checked, then run in a fresh \
         sandbox); {WAVES} such waves, new clients each. \"before\" is after one client's \
         warm-up; \"after\" is 3 s after every client of a wave closed its session.\n\n{}",
        DURATION.as_secs(),
        table.done()
    )
}

/// One serve process under load.
fn run(
    codemode: &Path,
    zero_server: &Path,
    engine: &'static str,
    tsgo: Option<&Path>,
) -> LoadFigures {
    eprintln!(
        "load, {engine}: {CLIENTS} clients for {} s…",
        DURATION.as_secs()
    );
    let dir = std::env::temp_dir().join(format!("codemode-bench-load-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let config = dir.join("codemode.json");
    // The zero-work server's tool says nothing of what it changes: approved up front, as
    // an unattended agent's configuration would.
    let spec = json!({
        "mcpServers": {"zero": {"command": zero_server}},
        "codemode": {"autoApprove": ["zero.noop"]},
    });
    std::fs::write(&config, spec.to_string()).unwrap();
    let mut command = Command::new(codemode);
    command
        .args(["serve", "--http", "0", "--quiet", "--config"])
        .arg(&config)
        .env(
            "CODEMODE_TYPESCRIPT",
            tsgo.map_or("embedded".into(), |p| p.as_os_str().to_owned()),
        )
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    let mut serve = Serve(command.spawn().expect("codemode serve starts"));
    let url = listening_url(&mut serve.0);
    let pid = serve.0.id();

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let figures = runtime.block_on(async {
        // One client's warm-up: the checker loaded, the zero-work server's catalog in.
        let warm = client_loop(&url, 0, Instant::now() + Duration::from_secs(2)).await;
        assert_eq!(warm.errors, 0, "the warm-up failed: {:?}", warm.first_error);
        tokio::time::sleep(Duration::from_millis(500)).await;
        let before = Process::of(pid);
        let mut latencies = Vec::new();
        let (mut errors, mut first_error) = (0, None);
        let (mut elapsed, mut peak_rss_mb, mut after) = (0.0, f64::NAN, Vec::new());
        for wave in 0..WAVES {
            let until = Instant::now() + DURATION;
            let sampler = tokio::spawn(async move {
                let mut peak: f64 = 0.0;
                while Instant::now() < until {
                    peak = peak.max(Process::of(pid).rss_mb);
                    tokio::time::sleep(Duration::from_millis(250)).await;
                }
                peak
            });
            let started = Instant::now();
            let clients: Vec<_> = (1..=CLIENTS)
                .map(|n| {
                    let url = url.clone();
                    tokio::spawn(async move { client_loop(&url, wave * CLIENTS + n, until).await })
                })
                .collect();
            for client in clients {
                let done = client.await.expect("a client task");
                latencies.extend(done.latencies);
                errors += done.errors;
                first_error = first_error.or(done.first_error);
            }
            elapsed += started.elapsed().as_secs_f64();
            peak_rss_mb = peak_rss_mb.max(sampler.await.unwrap_or(f64::NAN));
            tokio::time::sleep(Duration::from_secs(3)).await;
            after.push(Process::of(pid));
        }
        let executes = latencies.len();
        LoadFigures {
            engine,
            executes,
            errors,
            first_error,
            latency: if latencies.is_empty() {
                Spread {
                    median: f64::NAN,
                    p95: f64::NAN,
                }
            } else {
                Spread::of(latencies)
            },
            per_second: executes as f64 / elapsed,
            before,
            peak_rss_mb,
            after,
        }
    });
    drop(serve);
    let _ = std::fs::remove_dir_all(&dir);
    figures
}

/// Ends the serve process however the measurement ends.
struct Serve(Child);

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Reads `codemode serve: listening on http://ADDR/mcp` from its stderr, then drains the rest
/// on a thread of its own (so the process never blocks writing it).
fn listening_url(child: &mut Child) -> String {
    use std::io::BufRead;
    let stderr = child.stderr.take().expect("stderr is piped");
    let mut lines = std::io::BufReader::new(stderr).lines();
    let mut seen = Vec::new();
    let url = loop {
        match lines.next() {
            Some(Ok(line)) => {
                if let Some(url) = line
                    .split_once("listening on ")
                    .map(|(_, rest)| rest.trim().to_string())
                {
                    break url;
                }
                seen.push(line);
            }
            _ => panic!("codemode serve did not start: {}", seen.join(" / ")),
        }
    };
    std::thread::spawn(move || for _ in lines {});
    url
}

struct ClientFigures {
    latencies: Vec<f64>,
    errors: usize,
    first_error: Option<String>,
}

/// One agent: a session, then `execute` again and again until `until`, then the session
/// closed.
async fn client_loop(url: &str, client: usize, until: Instant) -> ClientFigures {
    let mut figures = ClientFigures {
        latencies: Vec::new(),
        errors: 0,
        first_error: None,
    };
    let fail = |figures: &mut ClientFigures, why: String| {
        figures.errors += 1;
        figures.first_error.get_or_insert(why);
    };
    let session = match ().serve(StreamableHttpClientTransport::from_uri(url)).await {
        Ok(session) => session,
        Err(error) => {
            fail(&mut figures, format!("cannot connect: {error}"));
            return figures;
        }
    };
    let mut round = 0;
    while Instant::now() < until {
        round += 1;
        let code = format!(
            "const answer = await zero.noop();\nconsole.log(`client {client}, round {round}: ${{answer.text}}`);"
        );
        let arguments = json!({ "code": code });
        let params = CallToolRequestParams::new("execute")
            .with_arguments(arguments.as_object().cloned().unwrap_or_default());
        let started = Instant::now();
        match session.call_tool(params).await {
            Ok(result) if result.is_error != Some(true) => {
                figures
                    .latencies
                    .push(started.elapsed().as_secs_f64() * 1000.0);
            }
            Ok(result) => fail(
                &mut figures,
                format!("an error result: {}", json!(result.content)),
            ),
            Err(error) => fail(&mut figures, format!("{error}")),
        }
    }
    if let Err(error) = session.cancel().await {
        fail(&mut figures, format!("cannot close the session: {error}"));
    }
    figures
}
