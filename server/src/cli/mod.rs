//! The command line: parses arguments, loads the configuration, starts the MCP host and
//! hands each subcommand what it needs. Exit codes: 0 success, 1 the work failed (a server
//! failed, a script failed), 2 usage or configuration error.
//!
//! Results go to stdout; progress, warnings and logs go to stderr.

mod ask;
mod check;
mod login;
mod progress;
mod run;
mod serve;
mod sources;
mod tools;
mod trust;
mod types;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Parser, Subcommand};

use crate::check::{Checker, Script};
use crate::config::{Client, Config, DISCOVERED_FILES, Home, Origin, Search};
use crate::workspace::Workspace;

/// Code Mode for MCP, local: your MCP servers as a typed TypeScript API.
///
/// codemode connects to the MCP servers you already configured (a project's codemode.json,
/// .mcp.json or .vscode/mcp.json, or the user files of Claude Code, Claude Desktop, Cursor,
/// VS Code, Windsurf, Gemini CLI, Codex and Zed), turns every tool into a typed function, and
/// lets one script call them. With no configuration anywhere it uses its built-in demo
/// server. `codemode config sources` shows where it looks.
#[derive(Parser, Debug)]
#[command(name = "codemode", version, max_term_width = 100)]
pub struct Cli {
    /// Configuration file. Default: the first of codemode.json, .mcp.json, .vscode/mcp.json,
    /// .cursor/mcp.json found from the working directory (for `run` and `check`, the
    /// script's folder) upward; else the first client's user file that lists a server (in
    /// the order of --from's values); else the built-in demo server.
    #[arg(
        short,
        long,
        global = true,
        value_name = "FILE",
        env = "CODEMODE_CONFIG"
    )]
    config: Option<PathBuf>,

    /// Use this client's user-level MCP configuration (read, never written): claude-code,
    /// claude-desktop, cursor, vscode, windsurf, gemini, codex or zed.
    #[arg(
        long,
        global = true,
        value_name = "CLIENT",
        value_parser = client_id,
        conflicts_with = "config",
        env = "CODEMODE_FROM"
    )]
    from: Option<Client>,

    /// Read no other client's user file: only --config, a project file, or the demo.
    #[arg(
        long,
        global = true,
        env = "CODEMODE_NO_USER_CONFIGS",
        value_parser = clap::builder::FalseyValueParser::new(),
        conflicts_with = "from"
    )]
    no_user_configs: bool,

    /// Print no progress while servers start.
    #[arg(short, long, global = true)]
    quiet: bool,

    /// Log more on stderr (-v: info, -vv: debug, including servers' stderr). RUST_LOG overrides.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    verbose: u8,

    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Run a script in the sandbox: type-check it, then its tool calls go to the configured
    /// servers, and only its console output and result come back.
    Run(run::Args),
    /// Type-check scripts against the configured servers' API, calling no tool. With
    /// TypeScript 7 when one is found (CODEMODE_TYPESCRIPT, tsgo/ beside codemode, the
    /// project's node_modules, PATH), else the embedded TypeScript 6.0.3.
    Check(check::Args),
    /// List the configured servers, their status and their tools.
    Tools(tools::Args),
    /// Print the TypeScript declarations scripts are written against.
    Types(types::Args),
    /// Serve the Language Server Protocol on stdin/stdout: completion, hover, diagnostics,
    /// go to definition and Run for agent scripts (*.mcp.ts, and .ts files under the
    /// configuration's `codemode.scripts` folders) in any editor.
    Lsp(LspArgs),
    /// Sign in to an HTTP server that asks for it (OAuth in the browser; the tokens stay in
    /// your user's state folder, readable by you only).
    Login(login::LoginArgs),
    /// Forget the sign-in of a server (delete its tokens).
    Logout(login::LogoutArgs),
    /// Where codemode looks for its configuration (`config sources`).
    Config(sources::Args),
    /// Trust a project's MCP configuration (a repository's codemode.json, .mcp.json,
    /// .vscode/mcp.json or .cursor/mcp.json) so codemode may start its servers and expand
    /// the variables it names. The answer is kept per user against the file's content: a
    /// changed file is asked about again. --list shows the answers, --revoke forgets one.
    Trust(trust::Args),
    /// Serve Code Mode to any agent as an MCP server (stdio, or streamable HTTP with
    /// --http): three tools (search_tools, get_types, execute) in place of every configured
    /// server's tools; the agent writes one script and reads back only what it prints.
    Serve(serve::Args),
}

#[derive(clap::Args, Debug)]
struct LspArgs {
    /// Milliseconds diagnostics wait after an edit for the next one.
    #[arg(long, value_name = "MS", default_value_t = 15)]
    debounce_ms: u64,
    /// Accepted for clients that pass it; stdio is the only transport.
    #[arg(long, hide = true)]
    stdio: bool,
}

/// What a command asks the process to exit with.
pub enum Outcome {
    Success,
    /// The command ran but what it did failed (exit 1).
    Failure,
}

/// Runs the command line and returns the process's exit code.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging(cli.verbose);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("error: cannot start the async runtime: {error}");
            return ExitCode::from(1);
        }
    };
    let code = runtime.block_on(run(cli));
    // Children were shut down by the command; do not wait on stragglers.
    runtime.shutdown_timeout(std::time::Duration::from_secs(1));
    code
}

async fn run(cli: Cli) -> ExitCode {
    if let Command::Lsp(args) = &cli.command {
        // The workspace root comes from the client; the configuration is found from there.
        let clean = crate::lsp::serve(crate::lsp::Options {
            config: cli.config.clone(),
            from: cli.from,
            user_configs: !cli.no_user_configs,
            debounce: std::time::Duration::from_millis(args.debounce_ms),
        })
        .await;
        // As the specification says: 0 after `shutdown`, 1 when the client just left.
        return if clean {
            ExitCode::SUCCESS
        } else {
            ExitCode::from(1)
        };
    }
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    // A script's configuration is found from the script's folder, like a tsconfig.
    let mut search_from = cwd.clone();
    let paths = match &cli.command {
        Command::Run(args) => vec![args.script.clone()],
        Command::Check(args) => args.scripts.clone(),
        _ => Vec::new(),
    };
    let mut scripts = Vec::new();
    let as_given = matches!(&cli.command, Command::Check(_));
    for path in &paths {
        match run::read_script(path) {
            // `check` names each script as given, so two `x.ts` in two folders stay apart.
            Ok((_, text)) if as_given && path.as_os_str() != "-" => scripts.push(Script {
                file: path.display().to_string(),
                text,
            }),
            Ok((file, text)) => scripts.push(Script { file, text }),
            Err(error) => {
                eprintln!("error: {error:#}");
                return ExitCode::from(2);
            }
        }
    }
    if let Some(dir) = paths
        .first()
        .and_then(|p| p.parent())
        .filter(|d| !d.as_os_str().is_empty())
    {
        search_from = cwd.join(dir);
    }
    if let Command::Trust(args) = &cli.command {
        return trust::run(args, &cwd);
    }
    let offline = matches!(&cli.command, Command::Check(args) if args.api.is_some());
    let env = |name: &str| std::env::var(name).ok();
    // A VS Code `${input:ID}` the environment lacks is asked on the terminal, once each;
    // never over the protocol's stdin (`serve` over stdio), nor while listing sources.
    let typed = ask::Inputs::default();
    let ask_inputs = |prompt: &crate::config::Prompt| typed.ask(prompt);
    let may_ask = std::io::IsTerminal::is_terminal(&std::io::stdin())
        && match &cli.command {
            Command::Serve(args) => args.http.is_some(),
            Command::Config(_) => false,
            _ => true,
        };
    let search = Search {
        explicit: cli.config.as_deref(),
        from: cli.from,
        start: &search_from,
        home: if cli.no_user_configs {
            None
        } else {
            Home::current()
        },
        lookup: &env,
        ask: may_ask.then_some(&ask_inputs as crate::config::Ask<'_>),
        trusted: &crate::user::trusted,
    };
    if let Command::Config(args) = &cli.command {
        return sources::run(args, &search, &cwd);
    }
    let resolve = || match Config::resolve(&search) {
        Ok(config) => Ok(config),
        Err(mut error) => {
            if let Ok(relative) = error.file.strip_prefix(&cwd) {
                error.file = relative.to_path_buf();
            }
            eprintln!("error: {error}");
            Err(ExitCode::from(2))
        }
    };
    let mut config = match resolve() {
        Ok(config) => config,
        Err(code) => return code,
    };
    for refused in &config.refused {
        eprintln!(
            "warning: {} is not used: {} (codemode never uses a project file someone else \
             could have written)",
            refused.file.display(),
            refused.reason
        );
    }
    if let Some(untrusted) = config.untrusted.clone() {
        // `tools` shows the servers as not trusted, and `serve` over stdio tells the agent;
        // everything else asks on a terminal, or refuses saying how to trust the file.
        let lists = matches!(&cli.command, Command::Tools(_))
            || matches!(&cli.command, Command::Serve(args) if args.http.is_none());
        if lists {
            eprintln!("warning: {}", untrusted.refusal());
        } else if !offline {
            if !(trust::can_ask() && trust::ask(&untrusted)) {
                eprintln!("error: {}", untrusted.refusal());
                return ExitCode::from(2);
            }
            config = match resolve() {
                Ok(config) if config.untrusted.is_none() => config,
                Ok(config) => {
                    if let Some(still) = &config.untrusted {
                        eprintln!(
                            "error: the file changed while you were asked; {}",
                            still.refusal()
                        );
                    }
                    return ExitCode::from(2);
                }
                Err(code) => return code,
            };
        }
    }
    // The checker loads TypeScript while the servers start; a project's own TypeScript only
    // when the person chose or trusted its configuration.
    let project = config.trusted_folder.as_deref();
    let checker = match &cli.command {
        Command::Run(args) if args.no_check => None,
        Command::Check(args) if args.api.is_some() => None,
        Command::Run(_) | Command::Check(_) => Some(Arc::new(Checker::start_checking(project))),
        _ => None,
    };
    if !cli.quiet && !offline {
        match &config.origin {
            Origin::BuiltinDefault => eprintln!(
                "note: no configuration found (looked for {} from {} upward, and for the \
                 user files of other MCP clients: `codemode config sources`); using the \
                 built-in demo server",
                DISCOVERED_FILES.join(", "),
                search_from.display()
            ),
            Origin::Client { .. } if cli.from.is_none() => eprintln!(
                "note: no project configuration found; using the servers of {} \
                 (`codemode config sources` lists the others)",
                config.origin
            ),
            _ => {}
        }
        for skipped in &config.skipped {
            eprintln!("note: server {} left out: {}", skipped.name, skipped.reason);
        }
    }
    match &cli.command {
        Command::Login(args) => return login::login(args, &config).await,
        Command::Logout(args) => return login::logout(args, &config),
        _ => {}
    }
    let quiet = cli.quiet;
    let outcome = match cli.command {
        Command::Serve(args) => return serve::run(args, config, &search_from, quiet).await,
        Command::Run(args) => {
            let script = scripts.pop().unwrap_or(Script {
                file: String::new(),
                text: String::new(),
            });
            // Only the servers the script names start now; any other starts on its first
            // call (a name built at run time).
            let known = not_named(&config, &script.text);
            with_workspace_known(
                config,
                &search_from,
                checker,
                quiet,
                &known,
                async |workspace| {
                    workspace.host().set_asker(Arc::new(ask::TerminalAsker));
                    run::run(args, script, workspace).await
                },
            )
            .await
        }
        Command::Check(args) if args.api.is_some() => {
            match check::read_api(args.api.as_deref().unwrap_or(Path::new(""))) {
                Ok(api) => check::run_offline(args, api, scripts, &config, quiet).await,
                Err(error) => {
                    eprintln!("error: {error:#}");
                    return ExitCode::from(2);
                }
            }
        }
        Command::Check(args) => match kept(&config, args.fresh, quiet) {
            Kept::All(catalog) => match &checker {
                Some(checker) => {
                    check::run_cached(args, catalog, scripts, &config, checker, quiet).await
                }
                None => Err(anyhow::anyhow!("no checker was started")),
            },
            Kept::Some(known) => {
                with_workspace_known(config, &search_from, checker, quiet, &known, async |w| {
                    check::run(args, scripts, w, quiet).await
                })
                .await
            }
        },
        Command::Tools(args) => {
            with_workspace(config, &search_from, None, quiet, async |workspace| {
                tools::run(args, workspace).await
            })
            .await
        }
        Command::Types(args) => match kept(&config, args.fresh, quiet) {
            Kept::All(catalog) => types::run_cached(args, &catalog),
            Kept::Some(known) => {
                with_workspace_known(config, &search_from, None, quiet, &known, async |w| {
                    types::run(args, w).await
                })
                .await
            }
        },
        Command::Lsp(_)
        | Command::Config(_)
        | Command::Trust(_)
        | Command::Login(_)
        | Command::Logout(_) => {
            return ExitCode::SUCCESS;
        }
    };
    match outcome {
        Ok(Outcome::Success) => ExitCode::SUCCESS,
        Ok(Outcome::Failure) => ExitCode::from(1),
        // The reader went away (`codemode run x.ts | head`): nothing to say to anyone; the
        // exit status of a process ended by SIGPIPE, as git and others give.
        Err(error) if is_broken_pipe(&error) => ExitCode::from(141),
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::from(1)
        }
    }
}

/// Servers left unstarted, by name: with their kept list, or `None` when none is kept.
type Known = std::collections::HashMap<String, Option<crate::user::CachedListing>>;

/// What `check` and `types` take from the tool lists kept from the last time.
enum Kept {
    /// Every server's: the catalog, and no server starts.
    All(Vec<crate::catalog::ServerTools>),
    /// Some (or none, with `--fresh`): the servers that have one are not started.
    Some(Known),
}

/// The kept lists of `config`'s servers, unless `fresh`; says on stderr how old the lists
/// used are when over an hour.
fn kept(config: &Config, fresh: bool, quiet: bool) -> Kept {
    if fresh {
        return Kept::Some(Known::new());
    }
    let cached = crate::host::cached::lists(config);
    if !quiet && cached.oldest > std::time::Duration::from_secs(3600) {
        let age = std::time::Duration::from_secs(cached.oldest.as_secs() / 60 * 60);
        eprintln!(
            "note: the servers' tools as listed {} ago (`--fresh` lists them again)",
            humantime::format_duration(age)
        );
    }
    if cached.complete(config) {
        return Kept::All(cached.catalog(config));
    }
    Kept::Some(
        cached
            .lists
            .into_iter()
            .map(|(k, v)| (k, Some(v)))
            .collect(),
    )
}

/// The servers `script` does not name, left to start on their first call (with their kept
/// list when there is one); none when the script does not parse: the checker says why, and
/// nothing is left unstarted on a guess. A script that uses `globalThis` may reach any
/// namespace by a name built at run time: a server whose tools are not known from a kept
/// list is started for it, so its namespace has them.
fn not_named(config: &Config, script: &str) -> Known {
    let Some(names) = crate::check::referenced_names(script) else {
        return Known::new();
    };
    let dynamic = names.contains("globalThis");
    let cached = crate::host::cached::lists(config);
    let generated = crate::codegen::generate(&cached.catalog(config));
    let named: std::collections::HashSet<&str> = generated
        .index
        .servers
        .iter()
        .filter(|server| names.contains(&server.namespace))
        .map(|server| server.server.as_str())
        .collect();
    let mut lists = cached.lists;
    config
        .servers
        .iter()
        .filter(|server| !named.contains(server.name.as_str()))
        .map(|server| (server.name.clone(), lists.remove(&server.name)))
        .filter(|(_, list)| list.is_some() || !dynamic)
        .collect()
}

fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

/// Starts the workspace (its servers, with progress on stderr), runs `command`, and shuts
/// the servers down however it ends (including Ctrl-C, which exits 130).
async fn with_workspace<F>(
    config: Config,
    root: &Path,
    checker: Option<Arc<Checker>>,
    quiet: bool,
    command: F,
) -> anyhow::Result<Outcome>
where
    F: AsyncFnOnce(&Workspace) -> anyhow::Result<Outcome>,
{
    with_workspace_known(config, root, checker, quiet, &Default::default(), command).await
}

/// [`with_workspace`], leaving the servers in `known` to start on their first call.
async fn with_workspace_known<F>(
    config: Config,
    root: &Path,
    checker: Option<Arc<Checker>>,
    quiet: bool,
    known: &Known,
    command: F,
) -> anyhow::Result<Outcome>
where
    F: AsyncFnOnce(&Workspace) -> anyhow::Result<Outcome>,
{
    let reporter = progress::Reporter::new(quiet, &config, known.len());
    let workspace =
        Workspace::start_with(config, root, checker, &|event| reporter.event(event), known).await;
    let result = tokio::select! {
        result = command(&workspace) => Some(result),
        _ = tokio::signal::ctrl_c() => None,
    };
    workspace.close().await;
    match result {
        Some(result) => result,
        None => {
            eprintln!("interrupted");
            std::process::exit(130);
        }
    }
}

fn init_logging(verbose: u8) {
    use tracing_subscriber::EnvFilter;
    // rmcp warns about every message it could not send while a connection shuts down;
    // that is noise unless asked for.
    // rmcp's own errors are reported by codemode in words (a server that failed, a call that
    // failed); its log lines are for -v.
    let default = match verbose {
        0 => "warn,rmcp=off",
        1 => "info,rmcp=warn",
        // rmcp logs whole messages as Rust structures at info and debug: -vv is for codemode.
        _ => "debug,rmcp=warn",
    };
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(crate::redact::Stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_target(false)
        .try_init();
}

/// `--from`'s values: the clients' ids.
fn client_id(id: &str) -> Result<Client, String> {
    Client::from_id(id).ok_or_else(|| {
        let ids: Vec<&str> = Client::ALL.iter().map(|c| c.id()).collect();
        format!("expected one of: {}", ids.join(", "))
    })
}
