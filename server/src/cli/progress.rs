//! Progress on stderr while servers start: one line when starting, one per server as it
//! becomes ready or fails, so a slow server is visible while the others are done.

use crate::config::Config;
use crate::host::StartEvent;

pub struct Reporter {
    quiet: bool,
    width: usize,
}

impl Reporter {
    /// `later` servers are left to start when a script first calls them.
    pub fn new(quiet: bool, config: &Config, later: usize) -> Reporter {
        let count = config.servers.len().saturating_sub(later);
        if !quiet && count + later > 0 {
            let later = match later {
                0 => String::new(),
                n => format!(
                    " ({n} more known from the last time, started if the script calls them)"
                ),
            };
            eprintln!(
                "starting {count} MCP server{} from {}{later}",
                if count == 1 { "" } else { "s" },
                config.origin
            );
        }
        Reporter {
            quiet,
            width: config
                .servers
                .iter()
                .map(|s| s.name.chars().count())
                .max()
                .unwrap_or(0),
        }
    }

    pub fn event(&self, event: StartEvent) {
        if self.quiet {
            return;
        }
        match event {
            StartEvent::Starting { server, transport } => {
                tracing::info!(server, transport, "starting");
            }
            StartEvent::Ready {
                server,
                tools,
                elapsed,
            } => eprintln!(
                "  ✓ {server:<width$}  {tools} tool{}  ({} ms)",
                if tools == 1 { "" } else { "s" },
                elapsed.as_millis(),
                width = self.width
            ),
            StartEvent::Failed { server, error } => {
                eprintln!(
                    "  ✗ {server:<width$}  {}",
                    crate::printable::escape(&error),
                    width = self.width
                )
            }
        }
    }
}
