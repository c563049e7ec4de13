//! `codemode login SERVER` and `codemode logout SERVER`: sign in to an HTTP server that asks
//! for it (OAuth, in the browser) and forget that sign-in. The tokens stay in the user's
//! state folder, readable by the user only; this prints where, never what.

use std::process::ExitCode;

use crate::config::{Config, Transport};
use crate::host::auth::{self, Step, TokenStore};

#[derive(clap::Args, Debug)]
pub struct LoginArgs {
    /// The server's name in the configuration.
    server: String,
    /// Print the sign-in URL without opening a browser.
    #[arg(long)]
    no_browser: bool,
}

#[derive(clap::Args, Debug)]
pub struct LogoutArgs {
    /// The server's name in the configuration.
    server: String,
}

pub async fn login(args: &LoginArgs, config: &Config) -> ExitCode {
    let (server, store) = match target(config, &args.server) {
        Ok(found) => found,
        Err(message) => {
            eprintln!("error: {message}");
            return ExitCode::from(2);
        }
    };
    let no_browser = args.no_browser;
    let report = move |step: Step<'_>| match step {
        Step::Open(url) => {
            let opened = !no_browser && open_browser(url);
            // The URL is the authorization server's: shown escaped.
            eprintln!(
                "Sign in to {} in your browser{}:\n  {}\nwaiting for the sign-in (5 minutes at most; Ctrl-C stops)…",
                server.name,
                if opened { " (opened)" } else { "" },
                crate::printable::escape(url)
            );
        }
    };
    match auth::login(server, store, &report).await {
        Ok(()) => {
            let place = auth::state_dir()
                .map(|d| d.display().to_string())
                .unwrap_or_default();
            eprintln!(
                "✓ signed in to {}; the tokens are kept in {place}, readable by you only",
                server.name
            );
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!(
                "error: cannot sign in to {}: {}",
                server.name,
                server.redact(&error)
            );
            ExitCode::from(1)
        }
    }
}

pub fn logout(args: &LogoutArgs, config: &Config) -> ExitCode {
    let (server, store) = match target(config, &args.server) {
        Ok(found) => found,
        Err(message) => {
            eprintln!("error: {message}");
            return ExitCode::from(2);
        }
    };
    match store.remove() {
        Ok(true) => {
            eprintln!("signed out of {}: its tokens are deleted", server.name);
            ExitCode::SUCCESS
        }
        Ok(false) => {
            eprintln!("not signed in to {}: nothing to delete", server.name);
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!(
                "error: cannot delete the sign-in of {}: {error}",
                server.name
            );
            ExitCode::from(1)
        }
    }
}

/// The HTTP server named `name`, and where its tokens are kept.
fn target<'a>(
    config: &'a Config,
    name: &str,
) -> Result<(&'a crate::config::ServerConfig, TokenStore), String> {
    let Some(server) = config.servers.iter().find(|s| s.name == name) else {
        let names: Vec<&str> = config.servers.iter().map(|s| s.name.as_str()).collect();
        return Err(format!(
            "no server named {name:?} in {}; its servers: {}",
            config.origin,
            names.join(", ")
        ));
    };
    let Transport::Http { url, .. } = &server.transport else {
        return Err(format!(
            "{name} is not reached over HTTP; only HTTP servers sign in"
        ));
    };
    let store = TokenStore::for_url(url)
        .ok_or("no home folder (HOME is not set), so nowhere to keep a sign-in")?;
    Ok((server, store))
}

/// Opens `url` in the default browser; whether a browser could be asked.
fn open_browser(url: &str) -> bool {
    let mut command = if cfg!(target_os = "macos") {
        std::process::Command::new("open")
    } else if cfg!(windows) {
        let mut command = std::process::Command::new("rundll32");
        command.arg("url.dll,FileProtocolHandler");
        command
    } else {
        if std::env::var_os("DISPLAY").is_none() && std::env::var_os("WAYLAND_DISPLAY").is_none() {
            return false;
        }
        std::process::Command::new("xdg-open")
    };
    command
        .arg(url)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .is_ok()
}
