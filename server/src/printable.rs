//! Text from servers and scripts made safe to show: C0 and C1 control characters, DEL and
//! the bidirectional controls (which reorder what a reader sees, U+202E among them) never
//! reach a terminal, an editor or a declaration raw. People get them escaped (`\u{1b}`),
//! visible and harmless; generated comments drop them. `--json` output stays exact.

/// Whether `c` must not be shown as it is: a control character other than line feed and
/// tab, or a bidirectional formatting character.
pub fn is_unsafe(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t') || is_bidi_control(c)
}

/// The Unicode bidirectional formatting characters: marks, embeddings, overrides, isolates.
pub fn is_bidi_control(c: char) -> bool {
    matches!(
        c,
        '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'
    )
}

/// `text` with every unsafe character written as an escape (`\u{1b}`); the rest unchanged.
pub fn escape(text: &str) -> String {
    if !text.chars().any(is_unsafe) {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if is_unsafe(c) {
            out.push_str(&c.escape_unicode().to_string());
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_and_bidi_overrides_are_escaped_and_text_kept() {
        assert_eq!(
            escape("\u{1b}]0;owned\u{7}\u{1b}[2J tidy\u{0} up\u{202e}txt.exe\u{7f}\u{85}"),
            "\\u{1b}]0;owned\\u{7}\\u{1b}[2J tidy\\u{0} up\\u{202e}txt.exe\\u{7f}\\u{85}"
        );
        assert_eq!(escape("two\nlines\tand é ✓"), "two\nlines\tand é ✓");
    }
}
