//! The byte stream from the editor, made safe to serve: `Content-Length` framing read
//! leniently and checked strictly before tower-lsp-server sees a byte. Its own reader ends
//! the whole server at the first message it cannot decode (and its MCP servers with it), so
//! here every frame is checked first: a malformed header, a missing or absurd
//! `Content-Length`, a body that is not JSON (`-32700`) or not a JSON-RPC message (`-32600`)
//! is answered with an error whose `id` is `null` (or the message's own, when it has one),
//! the stream resynchronises on the next `Content-Length` header, and serving goes on.

use serde_json::{Value, json};

/// The largest message taken; larger ones are refused, not buffered.
pub const MAX_MESSAGE: usize = 64 * 1024 * 1024;
/// The longest header block looked at before it is called malformed.
const MAX_HEADERS: usize = 8 * 1024;

/// What a frame of input turned out to be.
#[derive(Debug, PartialEq)]
pub enum Frame {
    /// A JSON-RPC message, as its body's bytes: pass it on.
    Message(Vec<u8>),
    /// Not a message: answer this error response (a JSON-RPC error with its `id`).
    Refused(Value),
}

/// Splits input bytes into frames, keeping what is not yet complete.
#[derive(Default)]
pub struct Framer {
    buffer: Vec<u8>,
    /// The body length of the frame whose headers were read.
    body: Option<usize>,
    /// After bad input: dropping bytes until the next `Content-Length` header.
    skipping: bool,
}

impl Framer {
    /// Takes bytes read from the client.
    pub fn push(&mut self, bytes: &[u8]) {
        self.buffer.extend_from_slice(bytes);
    }

    /// The next complete frame, if the buffer holds one.
    pub fn next_frame(&mut self) -> Option<Frame> {
        loop {
            if self.skipping && !self.skip_to_header() {
                return None;
            }
            if let Some(length) = self.body {
                if self.buffer.len() < length {
                    return None;
                }
                let body: Vec<u8> = self.buffer.drain(..length).collect();
                self.body = None;
                return Some(check_body(body));
            }
            match parse_headers(&self.buffer) {
                Headers::Incomplete => return None,
                Headers::Complete { length, consumed } => {
                    self.buffer.drain(..consumed);
                    if length > MAX_MESSAGE {
                        // Its body is not waited for: what follows is read as new input.
                        self.skipping = true;
                        return Some(refused(
                            -32700,
                            format!(
                                "Parse error: a message of {length} bytes is over the {} MiB limit",
                                MAX_MESSAGE / (1024 * 1024)
                            ),
                            Value::Null,
                        ));
                    }
                    self.body = Some(length);
                }
                Headers::Malformed { reason, .. } => {
                    // The next header may hide inside what was read as this one's block.
                    self.buffer.drain(..1);
                    self.skipping = true;
                    return Some(refused(
                        -32700,
                        format!("Parse error: {reason}"),
                        Value::Null,
                    ));
                }
            }
        }
    }

    /// Drops bytes up to the next `Content-Length` header; whether it was found (else all
    /// but a tail that may be the start of one are dropped).
    fn skip_to_header(&mut self) -> bool {
        match find_header_start(&self.buffer) {
            Some(at) => {
                self.buffer.drain(..at);
                self.skipping = false;
                true
            }
            None => {
                let keep = ("content-length".len() - 1).min(self.buffer.len());
                let cut = self.buffer.len() - keep;
                self.buffer.drain(..cut);
                false
            }
        }
    }
}

enum Headers {
    Incomplete,
    Complete {
        length: usize,
        consumed: usize,
    },
    /// Not a header block; `consumed` is how far it was read.
    Malformed {
        reason: String,
        consumed: usize,
    },
}

/// Reads a header block: `Name: value` lines ending in CRLF (a bare LF is accepted), then an
/// empty line. `Content-Length` is required; `Content-Type` must be UTF-8 JSON if present.
fn parse_headers(buffer: &[u8]) -> Headers {
    let mut at = 0;
    let mut length = None;
    loop {
        let Some(end) = buffer[at..].iter().position(|b| *b == b'\n') else {
            if buffer.len() > MAX_HEADERS {
                return Headers::Malformed {
                    reason: "a header line longer than 8 KiB".into(),
                    consumed: buffer.len(),
                };
            }
            return Headers::Incomplete;
        };
        let line = &buffer[at..at + end];
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        at += end + 1;
        if line.is_empty() {
            if at == 1 || at == 2 {
                // Blank lines between messages: skip them.
                return match parse_headers(&buffer[at..]) {
                    Headers::Complete { length, consumed } => Headers::Complete {
                        length,
                        consumed: consumed + at,
                    },
                    Headers::Malformed { reason, consumed } => Headers::Malformed {
                        reason,
                        consumed: consumed + at,
                    },
                    Headers::Incomplete => Headers::Incomplete,
                };
            }
            return match length {
                Some(length) => Headers::Complete {
                    length,
                    consumed: at,
                },
                None => Headers::Malformed {
                    reason: "a message without a Content-Length header".into(),
                    consumed: at,
                },
            };
        }
        let text = String::from_utf8_lossy(line);
        let Some((name, value)) = text.split_once(':') else {
            return Headers::Malformed {
                reason: format!("{:?} is not a header (`Name: value`)", shorten(&text)),
                consumed: at,
            };
        };
        if name.is_empty() || !name.bytes().all(is_token) {
            return Headers::Malformed {
                reason: format!("{:?} is not a header (`Name: value`)", shorten(&text)),
                consumed: at,
            };
        }
        let value = value.trim();
        if name.eq_ignore_ascii_case("content-length") {
            match value.parse::<usize>() {
                Ok(n) => length = Some(n),
                Err(_) => {
                    return Headers::Malformed {
                        reason: format!("Content-Length {value:?} is not a byte count"),
                        consumed: at,
                    };
                }
            }
        }
        if at > MAX_HEADERS {
            return Headers::Malformed {
                reason: "a header block longer than 8 KiB".into(),
                consumed: at,
            };
        }
    }
}

/// A header name's characters (RFC 9110 `token`).
fn is_token(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&byte)
}

/// Where the next `Content-Length` header may start in `bytes`.
fn find_header_start(bytes: &[u8]) -> Option<usize> {
    let needle = b"content-length";
    (0..bytes.len().saturating_sub(needle.len() - 1))
        .find(|&i| bytes[i..i + needle.len()].eq_ignore_ascii_case(needle))
}

/// Whether a body is a JSON-RPC message tower-lsp-server can take.
fn check_body(body: Vec<u8>) -> Frame {
    let value: Value = match serde_json::from_slice(&body) {
        Ok(value) => value,
        Err(error) => {
            return refused(
                -32700,
                format!("Parse error: the message is not JSON ({error})"),
                Value::Null,
            );
        }
    };
    let Value::Object(object) = &value else {
        return refused(
            -32600,
            "Invalid request: a message must be a JSON object (batches are not part of LSP)".into(),
            Value::Null,
        );
    };
    let id = match object.get("id") {
        Some(id @ (Value::Number(_) | Value::String(_))) => id.clone(),
        _ => Value::Null,
    };
    let is_request = serde_json::from_value::<tower_lsp_server::jsonrpc::Request>(value.clone());
    let is_response = serde_json::from_value::<tower_lsp_server::jsonrpc::Response>(value);
    if is_request.is_ok() || is_response.is_ok() {
        return Frame::Message(body);
    }
    refused(
        -32600,
        "Invalid request: not a JSON-RPC 2.0 request, notification or response".into(),
        id,
    )
}

fn refused(code: i64, message: String, id: Value) -> Frame {
    Frame::Refused(json!({
        "jsonrpc": "2.0",
        "id": id,
        "error": { "code": code, "message": format!("codemode: {message}") },
    }))
}

fn shorten(text: &str) -> String {
    text.chars().take(60).collect()
}

/// `body` framed for the wire.
pub fn frame(body: &[u8]) -> Vec<u8> {
    let mut out = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    out.extend_from_slice(body);
    out
}

#[cfg(test)]
mod tests {
    use expect_test::{Expect, expect};

    use super::*;

    /// Feeds `input` a few bytes at a time and lists what came out.
    fn check(input: &str, expect: Expect) {
        let mut framer = Framer::default();
        let mut out = String::new();
        for chunk in input.as_bytes().chunks(7) {
            framer.push(chunk);
            while let Some(frame) = framer.next_frame() {
                match frame {
                    Frame::Message(body) => {
                        out.push_str(&format!("message {}\n", String::from_utf8_lossy(&body)))
                    }
                    Frame::Refused(error) => out.push_str(&format!(
                        "refused {} {} {}\n",
                        error["id"], error["error"]["code"], error["error"]["message"]
                    )),
                }
            }
        }
        expect.assert_eq(&out);
    }

    const PING: &str = r#"{"jsonrpc":"2.0","id":1,"method":"ping"}"#;

    fn framed(body: &str) -> String {
        format!("Content-Length: {}\r\n\r\n{body}", body.len())
    }

    #[test]
    fn good_messages_pass_in_any_chunking() {
        check(
            &format!(
                "{}{}",
                framed(PING),
                framed(r#"{"jsonrpc":"2.0","method":"x"}"#)
            ),
            expect![[r#"
                message {"jsonrpc":"2.0","id":1,"method":"ping"}
                message {"jsonrpc":"2.0","method":"x"}
            "#]],
        );
    }

    #[test]
    fn bad_bodies_are_answered_and_the_next_message_is_served() {
        check(
            &format!(
                "{}{}{}{}{}",
                framed("{not json"),
                framed("[]"),
                framed(r#"{"id":7,"method":3}"#),
                framed("   "),
                framed(PING)
            ),
            expect![[r#"
                refused null -32700 "codemode: Parse error: the message is not JSON (key must be a string at line 1 column 2)"
                refused null -32600 "codemode: Invalid request: a message must be a JSON object (batches are not part of LSP)"
                refused 7 -32600 "codemode: Invalid request: not a JSON-RPC 2.0 request, notification or response"
                refused null -32700 "codemode: Parse error: the message is not JSON (EOF while parsing a value at line 1 column 3)"
                message {"jsonrpc":"2.0","id":1,"method":"ping"}
            "#]],
        );
    }

    #[test]
    fn bad_headers_are_answered_and_the_stream_resynchronises() {
        check(
            &format!(
                "Garbage without a colon\r\n\r\n{}Content-Length: -5\r\n\r\nxxxxx{}{{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"no-header\"}}\n{}",
                framed(PING),
                framed(PING),
                framed(PING)
            ),
            expect![[r#"
                refused null -32700 "codemode: Parse error: \"Garbage without a colon\" is not a header (`Name: value`)"
                message {"jsonrpc":"2.0","id":1,"method":"ping"}
                refused null -32700 "codemode: Parse error: Content-Length \"-5\" is not a byte count"
                message {"jsonrpc":"2.0","id":1,"method":"ping"}
                refused null -32700 "codemode: Parse error: \"{\\\"jsonrpc\\\":\\\"2.0\\\",\\\"id\\\":2,\\\"method\\\":\\\"no-header\\\"}\" is not a header (`Name: value`)"
                message {"jsonrpc":"2.0","id":1,"method":"ping"}
            "#]],
        );
    }

    #[test]
    fn an_absurd_length_is_refused_without_waiting_for_it() {
        check(
            &format!("Content-Length: 99999999999\r\n\r\n{}", framed(PING)),
            expect![[r#"
                refused null -32700 "codemode: Parse error: a message of 99999999999 bytes is over the 64 MiB limit"
                message {"jsonrpc":"2.0","id":1,"method":"ping"}
            "#]],
        );
    }
}

#[cfg(test)]
mod fuzz {
    //! Whatever bytes arrive, in whatever pieces: no panic, no endless loop, every byte read
    //! ends up in a frame, an answer or the bounded tail kept for the next header.

    use proptest::prelude::*;

    use super::*;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

        #[test]
        fn any_bytes_in_any_pieces(
            pieces in prop::collection::vec(
                prop_oneof![
                    prop::collection::vec(any::<u8>(), 0..40),
                    "(Content-Length: [0-9-]{0,4}\r?\n){0,2}\r?\n\\{[a-z\":,0-9]{0,20}\\}?"
                        .prop_map(String::into_bytes),
                ],
                0..12,
            )
        ) {
            let mut framer = Framer::default();
            let mut frames = 0usize;
            for piece in &pieces {
                framer.push(piece);
                while let Some(_frame) = framer.next_frame() {
                    frames += 1;
                    prop_assert!(frames < 10_000, "no progress");
                }
            }
            prop_assert!(framer.buffer.len() <= pieces.iter().map(Vec::len).sum::<usize>());
        }
    }
}
