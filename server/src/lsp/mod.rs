//! `codemode lsp`: the language server for agent scripts, over stdio.
//!
//! Agent scripts are `*.mcp.ts` files anywhere and `.ts` files under the configuration's
//! `codemode.scripts` folders; other documents are left alone. The configuration is found
//! from the workspace root as the command line finds it, and reloaded when it changes; the
//! MCP servers it names start in the background (with progress in the client) and their
//! `tools/list_changed` regenerates the API and re-checks open scripts.
//!
//! This module is the only part of codemode that knows LSP: the checker answers language
//! questions in its own terms (`check::language`), runs go through `runtime`, and here they
//! become LSP. Only protocol goes to stdout; logs go to stderr.

mod capabilities;
mod code_actions;
mod convert;
mod documents;
mod framing;
mod generated;
mod handlers;
mod protocol;
mod questions;
mod run;
mod server;
mod session;
mod sign_in;
mod status;
mod text_sync;
mod trust;

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::sync::mpsc;
use tower_lsp_server::{LspService, Server};

use server::Backend;
use session::Session;

pub use crate::workspace::SCRIPT_GLOB;

/// How the server is started.
#[derive(Debug, Clone)]
pub struct Options {
    /// A configuration file to use instead of discovering one from the workspace root.
    pub config: Option<PathBuf>,
    /// Another client's user-level configuration to use (`--from`).
    pub from: Option<crate::config::Client>,
    /// Whether other clients' user files are read when no project file is found.
    pub user_configs: bool,
    /// How long after an edit diagnostics wait for the next one before checking.
    pub debounce: Duration,
}

/// Serves LSP on stdin/stdout until the client says `exit` or closes the stream, then
/// closes the MCP servers. Answers whether the client asked for `shutdown` first (the exit
/// code is 0 then, 1 otherwise, as the specification says).
pub async fn serve(options: Options) -> bool {
    let sessions: Arc<Mutex<Option<Arc<Session>>>> = Arc::default();
    let keep = sessions.clone();
    let (service, socket) = LspService::build(move |client| {
        let session = Arc::new(Session::new(client, options));
        *keep.lock().unwrap_or_else(|e| e.into_inner()) = Some(session.clone());
        Backend { session }
    })
    .custom_method(
        protocol::VIRTUAL_TEXT_DOCUMENT,
        Backend::virtual_text_document,
    )
    .custom_method(protocol::SERVERS, Backend::servers)
    .finish();
    // tower-lsp-server reads and writes pipes; the real stdin and stdout are ours, so every
    // frame is checked before it is passed on (see `framing`).
    let (to_server, server_input) = tokio::io::duplex(1 << 16);
    let (server_output, from_server) = tokio::io::duplex(1 << 16);
    let (refusals, refused) = mpsc::unbounded_channel();
    let (frames, outgoing) = mpsc::unbounded_channel();
    let session = sessions.lock().unwrap_or_else(|e| e.into_inner()).clone();
    let reader = tokio::spawn(read_client(
        tokio::io::stdin(),
        to_server,
        refusals,
        session,
    ));
    let splitter = tokio::spawn(split_server_output(from_server, frames));
    let writer = tokio::spawn(write_client(tokio::io::stdout(), outgoing, refused));
    Server::new(server_input, server_output, socket)
        .serve(service)
        .await;
    reader.abort();
    let _ = splitter.await;
    let _ = writer.await;
    let session = sessions.lock().unwrap_or_else(|e| e.into_inner()).take();
    match session {
        Some(session) => {
            let clean = session.shutdown_requested();
            session.close().await;
            clean
        }
        None => false,
    }
}

/// Client → server: checked frames go on, text synchronisation applied first (in arrival
/// order, see `text_sync`); what cannot be served is answered.
async fn read_client(
    mut stdin: impl AsyncRead + Unpin,
    mut to_server: impl AsyncWrite + Unpin,
    refusals: mpsc::UnboundedSender<Vec<u8>>,
    session: Option<Arc<Session>>,
) {
    let mut framer = framing::Framer::default();
    let mut chunk = vec![0; 64 * 1024];
    loop {
        let read = match stdin.read(&mut chunk).await {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        framer.push(&chunk[..read]);
        while let Some(frame) = framer.next_frame() {
            match frame {
                framing::Frame::Message(body) => {
                    if let Some(session) = &session {
                        text_sync::apply(session, &body);
                    }
                    if to_server.write_all(&framing::frame(&body)).await.is_err() {
                        return;
                    }
                }
                framing::Frame::Refused(error) => {
                    tracing::warn!(
                        "refused a message from the client: {}",
                        error["error"]["message"]
                    );
                    let _ = refusals.send(error.to_string().into_bytes());
                }
            }
        }
    }
    // End of input: the server sees it and stops.
    let _ = to_server.shutdown().await;
}

/// The server's output as whole frames (so answers to refused messages go between them).
async fn split_server_output(
    from_server: impl AsyncRead + Unpin,
    frames: mpsc::UnboundedSender<Vec<u8>>,
) {
    let mut reader = tokio::io::BufReader::new(from_server);
    loop {
        let mut header = Vec::new();
        let mut length = None;
        loop {
            let mut line = String::new();
            match reader.read_line(&mut line).await {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
            header.extend_from_slice(line.as_bytes());
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            if let Some((name, value)) = line.split_once(':')
                && name.eq_ignore_ascii_case("content-length")
            {
                length = value.trim().parse::<usize>().ok();
            }
        }
        let Some(length) = length else { return };
        let mut body = vec![0; length];
        if reader.read_exact(&mut body).await.is_err() {
            return;
        }
        header.extend_from_slice(&body);
        if frames.send(header).is_err() {
            return;
        }
    }
}

/// Server → client: the server's frames and the answers to refused messages, whole.
async fn write_client(
    mut stdout: impl AsyncWrite + Unpin,
    mut frames: mpsc::UnboundedReceiver<Vec<u8>>,
    mut refused: mpsc::UnboundedReceiver<Vec<u8>>,
) {
    loop {
        let bytes = tokio::select! {
            frame = frames.recv() => match frame {
                Some(frame) => frame,
                None => break,
            },
            Some(body) = refused.recv() => framing::frame(&body),
        };
        if stdout.write_all(&bytes).await.is_err() || stdout.flush().await.is_err() {
            return;
        }
    }
}
