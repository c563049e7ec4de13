//! The cap on one message from a stdio server, kept so that the call waiting for an oversized
//! answer learns it at once. rmcp's line transport drops a line over its cap and logs it, so
//! the request it answered waited for the whole tool timeout and was then reported as "did not
//! answer". [`Guarded`] sits between the child's stdout and rmcp: lines within the cap pass
//! through untouched (nothing is buffered or copied beyond the read buffer); a line that
//! passes the cap is cut (rmcp sees an unparsable fragment, which it ignores), the rest of it
//! is read and thrown away while [`TopLevel`] watches for the message's top-level `"id"`, and
//! an error answer for that id ([`too_large`]) takes the line's place.
//!
//! A line within the cap that serde_json (and so rmcp) cannot read although it is JSON —
//! nested deeper than serde_json's recursion limit, or a number beyond a 64-bit float — would
//! be dropped the same way. The scan notices both as the line goes by, and an error answer
//! naming why ([`unreadable`]) follows the line for the request it answered.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use rmcp::model::ErrorData;
use tokio::io::{AsyncRead, ReadBuf};

/// The largest message a server may send, in bytes (without its newline): the same cap as
/// rmcp's for stdio and for streamable HTTP bodies and events.
pub const MAX_MESSAGE: usize = 16 * 1024 * 1024;

/// The JSON-RPC error code (in the implementation-defined server range) of the answer put in
/// place of an oversized one.
const TOO_LARGE_CODE: i32 = -32099;
const TOO_LARGE_MESSAGE: &str = "codemode: the answer was larger than the limit for one message";

/// Whether an error answer is the one [`Guarded`] put in place of an answer over the cap.
pub fn is_too_large(error: &ErrorData) -> bool {
    error.code.0 == TOO_LARGE_CODE && error.message == TOO_LARGE_MESSAGE
}

/// The JSON-RPC error code of the answer that follows an answer JSON readers refuse.
const UNREADABLE_CODE: i32 = -32098;
const UNREADABLE_PREFIX: &str = "codemode: the answer cannot be read: ";

/// Why an answer could not be read, when the error is the one [`Guarded`] sent after it.
pub fn unreadable_reason(error: &ErrorData) -> Option<&str> {
    if error.code.0 != UNREADABLE_CODE {
        return None;
    }
    error.message.strip_prefix(UNREADABLE_PREFIX)
}

/// The error answer (one line) that follows an unreadable answer to request `id`.
fn unreadable(id: &serde_json::Value, why: &str) -> Vec<u8> {
    let mut line = serde_json::to_vec(&serde_json::json!({
        "jsonrpc": "2.0",
        "id": id,
        "error": { "code": UNREADABLE_CODE, "message": format!("{UNREADABLE_PREFIX}{why}") },
    }))
    .unwrap_or_default();
    line.push(b'\n');
    line
}

/// The error answer (one line) that replaces an oversized answer to request `id`.
fn too_large(id: &serde_json::Value) -> Vec<u8> {
    let mut line = serde_json::to_vec(&serde_json::json!({
        "jsonrpc": "2.0",
        "id": id,
        "error": { "code": TOO_LARGE_CODE, "message": TOO_LARGE_MESSAGE },
    }))
    .unwrap_or_default();
    line.push(b'\n');
    line
}

/// A reader of a server's stdout that holds each message to `cap` bytes.
pub struct Guarded<R> {
    inner: R,
    cap: usize,
    server: String,
    buf: Box<[u8]>,
    start: usize,
    end: usize,
    /// Bytes of the current line so far (whether passed on or thrown away).
    line: usize,
    /// The current line passed the cap: the rest of it is thrown away.
    discarding: bool,
    scan: TopLevel,
    /// Bytes to hand out before anything else is read.
    pending: Vec<u8>,
}

impl<R> Guarded<R> {
    pub fn new(inner: R, cap: usize, server: &str) -> Self {
        Guarded {
            inner,
            cap,
            server: server.to_string(),
            buf: vec![0; 64 * 1024].into_boxed_slice(),
            start: 0,
            end: 0,
            line: 0,
            discarding: false,
            scan: TopLevel::default(),
            pending: Vec::new(),
        }
    }

    /// The current line ended (its newline has been consumed).
    fn end_line(&mut self) {
        if self.discarding {
            let scan = std::mem::take(&mut self.scan);
            match scan.answered() {
                Some(id) => {
                    tracing::warn!(
                        server = %self.server,
                        bytes = self.line,
                        "an answer was larger than the limit for one message; the call gets an error instead"
                    );
                    self.pending.extend(too_large(&id));
                }
                None => tracing::warn!(
                    server = %self.server,
                    bytes = self.line,
                    "a message from the server was larger than the limit for one message; dropped"
                ),
            }
        } else if let Some(why) = self.scan.unreadable() {
            if let Some(id) = self.scan.answered() {
                tracing::warn!(server = %self.server, "an answer cannot be read ({why}); the call gets an error instead");
                self.pending.extend(unreadable(&id, why));
            } else {
                tracing::warn!(server = %self.server, "a message from the server cannot be read ({why}); dropped");
            }
        }
        self.scan = TopLevel::default();
        self.line = 0;
        self.discarding = false;
    }
}

impl<R: AsyncRead + Unpin> AsyncRead for Guarded<R> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        out: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if out.remaining() == 0 {
            return Poll::Ready(Ok(()));
        }
        loop {
            if !this.pending.is_empty() {
                let n = this.pending.len().min(out.remaining());
                out.put_slice(&this.pending[..n]);
                this.pending.drain(..n);
                return Poll::Ready(Ok(()));
            }
            if this.start == this.end {
                let mut read = ReadBuf::new(&mut this.buf);
                ready!(Pin::new(&mut this.inner).poll_read(cx, &mut read))?;
                let n = read.filled().len();
                if n == 0 {
                    return Poll::Ready(Ok(()));
                }
                this.start = 0;
                this.end = n;
            }
            let chunk = &this.buf[this.start..this.end];
            let newline = memchr::memchr(b'\n', chunk);
            let content = newline.unwrap_or(chunk.len());
            if this.discarding {
                this.scan.feed(&chunk[..content]);
                this.line += content;
                this.start += content;
                if newline.is_some() {
                    this.start += 1;
                    this.end_line();
                }
                continue;
            }
            let room = this.cap - this.line;
            if content > room {
                // Pass what still fits, then cut the line: rmcp gets a fragment it cannot
                // parse (and ignores); the rest is watched for the id and thrown away.
                let n = room.min(out.remaining());
                this.scan.feed(&chunk[..n]);
                out.put_slice(&chunk[..n]);
                this.line += n;
                this.start += n;
                if this.line == this.cap {
                    this.discarding = true;
                    this.pending.push(b'\n');
                }
                if n > 0 {
                    return Poll::Ready(Ok(()));
                }
                continue;
            }
            let take = newline.map_or(content, |at| at + 1);
            let n = take.min(out.remaining());
            let passed = n.min(content);
            this.scan.feed(&chunk[..passed]);
            out.put_slice(&chunk[..n]);
            this.line += passed;
            this.start += n;
            if n > content {
                this.end_line();
            }
            return Poll::Ready(Ok(()));
        }
    }
}

/// Watches a JSON text go by, byte by byte and in pieces, for its top-level `"id"` and
/// `"method"`: whether it answers a request, and which. Strings are skipped with `memchr`;
/// nothing but the id's own text (at most [`TopLevel::MAX_ID`] bytes) is kept.
#[derive(Default)]
pub struct TopLevel {
    depth: u32,
    /// The deepest nesting seen.
    deepest: u32,
    /// The number being read, outside strings.
    number: Number,
    /// A number beyond a 64-bit float was seen.
    overflow: bool,
    in_string: bool,
    escaped: bool,
    /// At depth 1, the next string is a key.
    expect_key: bool,
    /// The key being read (only short keys are kept: the ones looked for are).
    key: Option<Vec<u8>>,
    /// The last complete top-level key.
    last_key: Vec<u8>,
    /// The id's value is being read.
    in_id: bool,
    id: Vec<u8>,
    id_seen: bool,
    method: bool,
}

impl TopLevel {
    const MAX_ID: usize = 256;
    /// The deepest nesting serde_json reads (its recursion limit).
    pub const MAX_DEPTH: u32 = 127;

    pub fn feed(&mut self, mut bytes: &[u8]) {
        while let Some((&byte, rest)) = bytes.split_first() {
            if !self.in_string {
                if matches!(byte, b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E') {
                    self.number.push(byte);
                } else if self.number.started {
                    self.overflow |= std::mem::take(&mut self.number).overflows();
                }
            }
            if self.in_string {
                if self.escaped {
                    self.escaped = false;
                } else if byte == b'\\' {
                    self.escaped = true;
                } else if byte == b'"' {
                    self.in_string = false;
                    if let Some(key) = self.key.take() {
                        self.last_key = key;
                    }
                } else if self.key.is_none() && !self.in_id {
                    // Nothing inside this string is kept: skip to its next quote or escape.
                    let skip = memchr::memchr2(b'"', b'\\', rest).unwrap_or(rest.len());
                    bytes = &rest[skip..];
                    continue;
                } else if let Some(key) = &mut self.key
                    && key.len() < 8
                {
                    key.push(byte);
                }
                self.keep(byte);
                bytes = rest;
                continue;
            }
            match byte {
                b'"' => {
                    self.in_string = true;
                    if self.depth == 1 && self.expect_key {
                        self.key = Some(Vec::new());
                        self.expect_key = false;
                    }
                }
                b'{' | b'[' => {
                    self.depth += 1;
                    self.deepest = self.deepest.max(self.depth);
                    if self.depth == 1 {
                        self.expect_key = byte == b'{';
                    }
                }
                b'}' | b']' => {
                    if self.depth == 1 {
                        self.end_value();
                    }
                    self.depth = self.depth.saturating_sub(1);
                }
                b':' if self.depth == 1 => match self.last_key.as_slice() {
                    b"id" => {
                        self.in_id = true;
                        self.id.clear();
                        bytes = rest;
                        continue;
                    }
                    b"method" => self.method = true,
                    _ => {}
                },
                b',' if self.depth == 1 => {
                    self.end_value();
                    self.expect_key = true;
                }
                _ => {}
            }
            self.keep(byte);
            bytes = rest;
        }
    }

    fn keep(&mut self, byte: u8) {
        if self.in_id && self.id.len() <= Self::MAX_ID {
            self.id.push(byte);
        }
    }

    fn end_value(&mut self) {
        if self.in_id {
            self.in_id = false;
            self.id_seen = true;
        }
        self.last_key.clear();
    }

    /// Why serde_json would refuse the message though it is JSON, if it would.
    pub fn unreadable(&self) -> Option<&'static str> {
        if self.deepest > Self::MAX_DEPTH {
            Some("it nests more than 127 levels deep, more than a JSON reader takes")
        } else if self.overflow || self.number.overflows() {
            Some("it holds a number too large for a 64-bit float")
        } else {
            None
        }
    }

    /// The id of the request this message answers: `None` when it has no id, or is itself a
    /// request (it has a method), or its id is not a JSON-RPC id (a string or a number).
    pub fn answered(&self) -> Option<serde_json::Value> {
        if self.method || !self.id_seen || self.id.len() > Self::MAX_ID {
            return None;
        }
        match serde_json::from_slice(&self.id).ok()? {
            id @ (serde_json::Value::String(_) | serde_json::Value::Number(_)) => Some(id),
            _ => None,
        }
    }
}

/// A JSON number read a byte at a time, kept as the decimal exponent of its leading digit.
#[derive(Default)]
struct Number {
    started: bool,
    /// Digits before the point, leading zeros left out.
    int_digits: i64,
    /// Zeros after the point before the first other digit (when the integer part is 0).
    frac_zeros: i64,
    nonzero_fraction: bool,
    in_fraction: bool,
    in_exponent: bool,
    exponent_negative: bool,
    exponent: i64,
    /// The first byte was a digit or `-` (else the run is a word's letters: `true`, `false`).
    numeric: bool,
}

impl Number {
    fn push(&mut self, byte: u8) {
        if !self.started {
            self.started = true;
            self.numeric = byte == b'-' || byte.is_ascii_digit();
        }
        match byte {
            b'e' | b'E' => self.in_exponent = true,
            b'.' => self.in_fraction = true,
            b'-' if self.in_exponent => self.exponent_negative = true,
            b'0'..=b'9' if self.in_exponent => {
                self.exponent = self
                    .exponent
                    .saturating_mul(10)
                    .saturating_add(i64::from(byte - b'0'));
            }
            b'0'..=b'9' if self.in_fraction => {
                if byte == b'0' && !self.nonzero_fraction {
                    self.frac_zeros += 1;
                } else {
                    self.nonzero_fraction = true;
                }
            }
            b'0' if self.int_digits == 0 => {}
            b'0'..=b'9' => self.int_digits += 1,
            _ => {}
        }
    }

    /// Whether the number is beyond a 64-bit float (about 1.8e308).
    fn overflows(&self) -> bool {
        if !self.numeric {
            return false;
        }
        let exponent = if self.exponent_negative {
            -self.exponent
        } else {
            self.exponent
        };
        let leading = if self.int_digits > 0 {
            self.int_digits - 1
        } else if self.nonzero_fraction {
            -(self.frac_zeros + 1)
        } else {
            return false;
        };
        leading.saturating_add(exponent) > 308
    }
}

#[cfg(test)]
mod tests;
