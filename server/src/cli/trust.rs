//! `codemode trust`: the person's consent to a project file (a repository's `.mcp.json`,
//! `codemode.json`, ...), kept per user against the file's path and content; `--list` and
//! `--revoke`. Also the question other commands ask on a terminal when the project file they
//! found is not trusted yet, and the refusal when nobody can be asked.

use std::io::{BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::config::{self, ProjectFile, Untrusted};
use crate::user::{TrustBook, UserState};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The project file to trust (or revoke). Default: the one codemode finds from the
    /// working folder upward (codemode.json, .mcp.json, .vscode/mcp.json, .cursor/mcp.json).
    #[arg(value_name = "FILE")]
    file: Option<PathBuf>,
    /// Forget the answer for the file: its servers are not started until it is trusted again.
    #[arg(long, conflicts_with = "list")]
    revoke: bool,
    /// List the trusted files.
    #[arg(long)]
    list: bool,
}

pub fn run(args: &Args, cwd: &Path) -> ExitCode {
    let state = UserState::current();
    if args.list {
        return list(&state);
    }
    let path = match &args.file {
        Some(file) => cwd.join(file),
        None => match config::project_files(cwd).next() {
            Some(path) => path,
            None => {
                eprintln!(
                    "error: no project file from {} upward ({}); name one: codemode trust FILE",
                    cwd.display(),
                    config::DISCOVERED_FILES.join(", ")
                );
                return ExitCode::from(2);
            }
        },
    };
    if args.revoke {
        let key = std::fs::canonicalize(&path).unwrap_or(path.clone());
        return match state.revoke(&key) {
            Ok(true) => print(format!("revoked: {} is no longer trusted\n", key.display())),
            Ok(false) => print(format!("{} was not trusted\n", key.display())),
            Err(error) => {
                eprintln!("error: cannot change the trust answers: {error}");
                ExitCode::from(1)
            }
        };
    }
    let file = match ProjectFile::open(&path) {
        Ok(file) => file,
        Err(reason) => {
            eprintln!(
                "error: {}: codemode never uses this file: {reason}",
                path.display()
            );
            return ExitCode::from(2);
        }
    };
    let untrusted = match config::survey(&file) {
        Ok(untrusted) => untrusted,
        Err(error) => {
            eprintln!("error: {error}");
            return ExitCode::from(2);
        }
    };
    match remember(&state, &untrusted) {
        Ok(()) => {
            let mut text = format!(
                "trusted {} (as it is now; a change asks again). It may start:\n{}",
                untrusted.file.display(),
                untrusted.describe()
            );
            if untrusted.servers.is_empty() {
                text.push_str("  (no servers)\n");
            }
            print(text)
        }
        Err(error) => {
            eprintln!("error: cannot keep the answer: {error}");
            ExitCode::from(1)
        }
    }
}

fn list(state: &UserState) -> ExitCode {
    let book: TrustBook = state.get();
    let mut text = String::new();
    for (path, answer) in book.entries() {
        let now = Path::new(path);
        let status = match ProjectFile::open(now) {
            Ok(file) if file.sha256 == answer.sha256 => "trusted",
            Ok(_) => "changed since (asks again)",
            Err(_) => "gone or unusable",
        };
        text.push_str(&format!(
            "{path}  [{status}]  {}\n",
            answer.servers.join(", ")
        ));
    }
    if text.is_empty() {
        text.push_str("no project file is trusted\n");
    }
    if let Some(dir) = state.dir() {
        eprintln!("(kept in {})", dir.join("trust.json").display());
    }
    print(crate::printable::escape(&text))
}

/// Writes `text` on stdout: 0, or 141 when the reader went away.
fn print(text: String) -> ExitCode {
    match std::io::stdout().lock().write_all(text.as_bytes()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) if error.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::from(141),
        Err(_) => ExitCode::from(1),
    }
}

fn remember(state: &UserState, untrusted: &Untrusted) -> std::io::Result<()> {
    state.trust(
        &untrusted.file,
        &untrusted.sha256,
        untrusted.servers.iter().map(|s| s.name.clone()).collect(),
    )
}

/// Whether the person can be asked on this terminal.
pub fn can_ask() -> bool {
    std::io::stdin().is_terminal() && std::io::stderr().is_terminal()
}

/// Asks on the terminal whether to trust `untrusted`; keeps a yes. Whether it was trusted.
pub fn ask(untrusted: &Untrusted) -> bool {
    let mut stderr = std::io::stderr();
    let _ = write!(
        stderr,
        "{} is a project file you have not trusted. Trusting it lets codemode start:\n{}\
         and expand the environment variables it names.\nTrust this file? [y/N] ",
        untrusted.file.display(),
        untrusted.describe()
    );
    let _ = stderr.flush();
    let mut line = String::new();
    if std::io::stdin().lock().read_line(&mut line).is_err() {
        return false;
    }
    if !matches!(line.trim(), "y" | "Y" | "yes" | "Yes") {
        return false;
    }
    match remember(&UserState::current(), untrusted) {
        Ok(()) => true,
        Err(error) => {
            eprintln!("error: cannot keep the answer: {error}");
            false
        }
    }
}
