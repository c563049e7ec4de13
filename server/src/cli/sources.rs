//! `codemode config sources`: every place the configuration may come from, in the order
//! codemode tries them, what each holds, and which one is used.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use crate::config::{Candidate, CandidateState, Config, Origin, Search, tilde};

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(subcommand)]
    what: What,
}

#[derive(clap::Subcommand, Debug)]
enum What {
    /// List the project files and other clients' user files codemode reads, in the order it
    /// tries them, with the servers each lists; the one in use is marked.
    Sources,
}

pub fn run(args: &Args, search: &Search<'_>, cwd: &Path) -> ExitCode {
    let What::Sources = args.what;
    let used = Config::resolve(search);
    let used_path = match &used {
        Ok(config) => match &config.origin {
            Origin::File(path) | Origin::Client { file: path, .. } => Some(path.clone()),
            Origin::BuiltinDefault => None,
        },
        Err(error) => Some(error.file.clone()),
    };
    let home = search.home.as_ref();
    let shown = |path: &Path| match path.strip_prefix(cwd) {
        Ok(relative) if !relative.as_os_str().is_empty() => relative.display().to_string(),
        _ => tilde(path, home),
    };
    let mut lines = Vec::new();
    if let Some(explicit) = search.explicit {
        lines.push(("--config".to_string(), shown(explicit), String::new()));
    }
    for Candidate {
        client,
        path,
        state,
    } in Config::sources(search)
    {
        let what = match client {
            Some(client) => client.title().to_string(),
            None => "project".to_string(),
        };
        let holds = match state {
            CandidateState::Missing => "not found".to_string(),
            CandidateState::Servers(names) if names.is_empty() => "no servers".to_string(),
            CandidateState::Servers(names) => format!(
                "{} server{}: {}",
                names.len(),
                if names.len() == 1 { "" } else { "s" },
                names.join(", ")
            ),
            CandidateState::Untrusted(names) => format!(
                "not trusted ({}): `codemode trust {}`",
                names.join(", "),
                shown(&path)
            ),
            CandidateState::Refused(reason) => format!("never used: {reason}"),
            CandidateState::Broken(error) => {
                let mut error = error;
                error.file = shown(&error.file).into();
                format!("error: {error}")
            }
        };
        lines.push((what, shown(&path), holds));
    }
    lines.push((
        "built-in".to_string(),
        "the demo server".to_string(),
        "1 server: demo".to_string(),
    ));
    let what_width = lines.iter().map(|l| l.0.chars().count()).max().unwrap_or(0);
    let path_width = lines.iter().map(|l| l.1.chars().count()).max().unwrap_or(0);
    let mut text = String::from("Configuration sources, in the order codemode tries them:\n");
    let mut marked = false;
    for (what, path, holds) in &lines {
        let is_used = !marked
            && match &used_path {
                Some(used) => *path == shown(used) || (what == "--config"),
                None => what == "built-in",
            };
        marked |= is_used;
        let mark = if is_used { "→" } else { " " };
        text.push_str(&format!(
            "{mark} {what:<what_width$}  {path:<path_width$}  {holds}\n",
            holds = crate::printable::escape(holds)
        ));
    }
    if let Err(error) = std::io::stdout().lock().write_all(text.as_bytes()) {
        return if error.kind() == std::io::ErrorKind::BrokenPipe {
            ExitCode::from(141)
        } else {
            ExitCode::from(1)
        };
    }
    match used {
        Ok(_) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::from(2)
        }
    }
}
