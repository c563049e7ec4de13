//! A server run as a child process and spoken to over its stdin and stdout: rmcp's line
//! transport, reading through the [`Guarded`] cap, and the child's lifetime. Closing follows
//! the MCP stdio shutdown sequence (stdin closed, then `SIGTERM`, then `SIGKILL`, each after a
//! short wait); dropping kills the child's whole process group at once.

use std::time::Duration;

use process_wrap::tokio::{ChildWrapper, CommandWrap};
use rmcp::RoleClient;
use rmcp::service::{RxJsonRpcMessage, TxJsonRpcMessage};
use rmcp::transport::Transport;
use rmcp::transport::async_rw::AsyncRwTransport;
use tokio::process::{ChildStderr, ChildStdin, ChildStdout};

use super::oversize::{Guarded, MAX_MESSAGE};

/// How long a child has to exit after its stdin closes, and again after `SIGTERM`.
const GRACE: Duration = Duration::from_secs(3);

pub struct ChildTransport {
    child: Option<Box<dyn ChildWrapper>>,
    lines: AsyncRwTransport<RoleClient, Guarded<ChildStdout>, ChildStdin>,
}

impl ChildTransport {
    /// Starts `command` with piped stdin, stdout and stderr; the stderr is handed back for
    /// the caller to follow.
    pub fn spawn(
        mut command: CommandWrap,
        server: &str,
    ) -> std::io::Result<(Self, Option<ChildStderr>)> {
        command
            .command_mut()
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped());
        let mut child = command.spawn()?;
        let (Some(stdin), Some(stdout)) = (child.stdin().take(), child.stdout().take()) else {
            return Err(std::io::Error::other(
                "the child's stdin or stdout is missing",
            ));
        };
        let stderr = child.stderr().take();
        // The guard holds lines to MAX_MESSAGE; rmcp's own cap sits just above it (a cut line
        // plus its newline and a carriage return) so that it never drops one silently.
        let lines = AsyncRwTransport::new_client(Guarded::new(stdout, MAX_MESSAGE, server), stdin)
            .with_max_line_length(MAX_MESSAGE + 2);
        Ok((
            ChildTransport {
                child: Some(child),
                lines,
            },
            stderr,
        ))
    }

    async fn shut_down(&mut self) -> std::io::Result<()> {
        let Some(child) = self.child.as_mut() else {
            return Ok(());
        };
        self.lines.close().await?;
        if exited_within(child, GRACE).await {
            self.child = None;
            return Ok(());
        }
        #[cfg(unix)]
        if child.signal(libc::SIGTERM).is_ok() && exited_within(child, GRACE).await {
            self.child = None;
            return Ok(());
        }
        let result = Box::into_pin(child.kill()).await;
        self.child = None;
        result
    }
}

async fn exited_within(child: &mut Box<dyn ChildWrapper>, wait: Duration) -> bool {
    matches!(tokio::time::timeout(wait, child.wait()).await, Ok(Ok(_)))
}

impl Drop for ChildTransport {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            // Kill the group now; reap it in the background where a runtime is running.
            let _ = child.start_kill();
            if let Ok(runtime) = tokio::runtime::Handle::try_current() {
                runtime.spawn(async move {
                    let _ = child.wait().await;
                });
            }
        }
    }
}

impl Transport<RoleClient> for ChildTransport {
    type Error = std::io::Error;

    fn send(
        &mut self,
        item: TxJsonRpcMessage<RoleClient>,
    ) -> impl Future<Output = Result<(), Self::Error>> + Send + 'static {
        self.lines.send(item)
    }

    fn receive(&mut self) -> impl Future<Output = Option<RxJsonRpcMessage<RoleClient>>> + Send {
        self.lines.receive()
    }

    fn close(&mut self) -> impl Future<Output = Result<(), Self::Error>> + Send {
        self.shut_down()
    }
}
