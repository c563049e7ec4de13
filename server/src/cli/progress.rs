//! Progress on stderr while servers start: one line when starting, one per server as it
//! becomes ready or fails, so a slow server is visible while the others are done.

use crate::config::Config;
use crate::host::StartEvent;

pub struct Reporter {
    quiet: bool,
    width: usize,
}

impl Reporter {
    pub fn new(quiet: bool, config: &Config) -> Reporter {
        let count = config.servers.len();
        if !quiet && count > 0 {
            eprintln!(
                "starting {count} MCP server{} from {}",
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
