//! JSDoc comments from text a server sent: whatever the text holds, the comment stays a
//! comment (`*/` is broken up, control and bidirectional formatting characters are
//! dropped, line ends normalised). Lines that are each one line of text (a description and
//! its tags) share one `/** … */`; text with line breaks of its own keeps them.

/// Writes `/** ... */` for `lines` at `pad`; nothing when there are no lines.
pub fn write(out: &mut String, pad: &str, lines: &[String]) {
    let entries = sanitized(lines);
    match single(&entries) {
        Some(comment) => {
            out.push_str(pad);
            out.push_str(&comment);
            out.push('\n');
        }
        None => block(out, pad, &entries),
    }
}

/// Writes the doc of what follows at `pad`: `/** a */ ` on the same line when the doc is one
/// line, else the comment's lines above it; then `pad`, so the item is written next.
pub fn lead(out: &mut String, pad: &str, lines: &[String]) {
    let entries = sanitized(lines);
    match single(&entries) {
        Some(comment) => {
            out.push_str(pad);
            out.push_str(&comment);
            out.push(' ');
        }
        None => {
            block(out, pad, &entries);
            out.push_str(pad);
        }
    }
}

/// `/** a b */` when every non-blank line of `lines` is one line of text (blank lines only
/// at the edges); `None` when there is nothing to say or the text has line breaks.
pub fn one_line(lines: &[String]) -> Option<String> {
    single(&sanitized(lines))
}

/// Each entry of `lines` made safe ([`sanitize`]).
fn sanitized(lines: &[String]) -> Vec<String> {
    lines.iter().map(|line| sanitize(line)).collect()
}

/// [`one_line`] of entries already sanitised.
fn single(entries: &[String]) -> Option<String> {
    let entries = trim_blank_edges(entries);
    if entries.is_empty()
        || entries
            .iter()
            .any(|line| line.trim().is_empty() || line.trim().contains('\n'))
    {
        return None;
    }
    let text: Vec<&str> = entries.iter().map(|line| line.trim()).collect();
    Some(format!("/** {} */", text.join(" ")))
}

/// The comment over several lines, each line break of the (sanitised) entries starting a
/// line of its own; nothing when there is nothing to say.
fn block(out: &mut String, pad: &str, entries: &[String]) {
    let lines: Vec<String> = entries
        .iter()
        .flat_map(|entry| {
            if entry.is_empty() {
                vec![String::new()]
            } else {
                entry.lines().map(str::to_string).collect()
            }
        })
        .collect();
    let lines = trim_blank_edges(&lines);
    if lines.is_empty() {
        return;
    }
    out.push_str(pad);
    out.push_str("/**\n");
    for line in lines {
        let line = line.trim_end();
        if line.is_empty() {
            out.push_str(&format!("{pad} *\n"));
        } else {
            out.push_str(&format!("{pad} * {line}\n"));
        }
    }
    out.push_str(pad);
    out.push_str(" */\n");
}

/// Text made safe inside a block comment.
pub fn sanitize(text: &str) -> String {
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\n' | '\t' => out.push(c),
            '\u{2028}' | '\u{2029}' => out.push('\n'),
            c if crate::printable::is_unsafe(c) => {}
            c => out.push(c),
        }
    }
    // `*/` would end the comment; `*\/` reads the same in every editor's hover.
    out.replace("*/", "*\\/")
}

fn trim_blank_edges(lines: &[String]) -> &[String] {
    let start = lines.iter().position(|l| !l.trim().is_empty());
    let end = lines.iter().rposition(|l| !l.trim().is_empty());
    match (start, end) {
        (Some(start), Some(end)) => &lines[start..=end],
        _ => &[],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_cannot_be_broken_out_of() {
        let mut out = String::new();
        write(&mut out, "", &["evil */ declare const pwned: 1; /*".into()]);
        assert_eq!(out, "/** evil *\\/ declare const pwned: 1; /* */\n");
        let mut out = String::new();
        write(
            &mut out,
            "  ",
            &[
                "a\r\nb\u{2028}c\u{0}\u{1b}[2J\u{202e}".into(),
                String::new(),
            ],
        );
        assert_eq!(out, "  /**\n   * a\n   * b\n   * c[2J\n   */\n");
    }
}
