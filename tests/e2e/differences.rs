//! The known differences between TypeScript 6 (the embedded engine, and `tsc` 6 on Node) and
//! TypeScript 7 (the native engine, and its `tsc`), in one place. Everything else (lines,
//! columns, codes, messages, hints) must be the same.
//!
//! 1. **Union order.** TypeScript 7 writes a union's members in a stable order of its own,
//!    TypeScript 6 in the order the checker met them: `'"error" | "success" | "debug"'` (6)
//!    is `'"debug" | "error" | "success"'` (7). [`normalised`] sorts the members of every
//!    quoted union.
//! 2. **An argument's elaborated cause.** Where an object argument lacks a property,
//!    TypeScript 7 reports the cause at once (TS2741 "Property 'x' is missing in type …",
//!    or the like),
//!    TypeScript 6 reports TS2345 "Argument of type … is not assignable to parameter of
//!    type …" whose chain of messages holds that very message. [`agrees`] accepts either,
//!    on the same line.
//!
//! codemode drops TypeScript's setup advice ("Do you need to install type definitions for
//! node? Try `npm i …`") where its own hint says what a script can use instead; the oracle's
//! messages are compared without it.

/// `(line, "TS1234", message)`.
pub type Said = (u32, String, String);

/// A message with its lines trimmed, the members of each quoted union sorted, and without
/// TypeScript's setup advice (" Do you need to install type definitions …").
pub fn normalised(message: &str) -> String {
    let message = match message.find(" Do you need to ") {
        Some(at) => &message[..at],
        None => message,
    };
    let trimmed = message
        .lines()
        .map(str::trim)
        .collect::<Vec<_>>()
        .join("\n");
    trimmed
        .split('\'')
        .enumerate()
        .map(|(i, part)| {
            if i % 2 == 1 && part.contains(" | ") {
                let mut members: Vec<&str> = part.split(" | ").collect();
                members.sort_unstable();
                members.join(" | ")
            } else {
                part.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("'")
}

/// Whether `six` (said by TypeScript 6) and `seven` (by TypeScript 7) say the same: the same
/// line, code and normalised message, or difference 2.
pub fn agrees(six: &Said, seven: &crate::support::TscDiagnostic) -> bool {
    let message = normalised(&seven.message);
    six.0 == seven.line
        && ((six.1 == seven.code && six.2 == message)
            || (six.1 == "TS2345" && six.2.lines().skip(1).any(|l| l == message)))
}
