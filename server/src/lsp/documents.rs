//! Open documents: a rope per document, edited incrementally with LSP's UTF-16 positions.

use std::path::PathBuf;
use std::sync::Arc;

use ropey::Rope;
use tower_lsp_server::ls_types::{Position, TextDocumentContentChangeEvent};

/// One open document.
pub struct Document {
    rope: Rope,
    /// The text, shared with the checker; rebuilt after each batch of edits.
    text: Arc<str>,
    pub version: i32,
    /// Its place in the checker's program while open.
    pub slot: u32,
    pub path: Option<PathBuf>,
    /// Whether it is an agent script (the workspace's globs match it).
    pub script: bool,
    /// Counts edits, so a late answer about an older text can be told apart.
    pub edits: u64,
}

impl Document {
    pub fn new(text: String, version: i32, slot: u32, path: Option<PathBuf>) -> Document {
        let rope = Rope::from_str(&text);
        Document {
            rope,
            text: Arc::from(text),
            version,
            slot,
            path,
            script: false,
            edits: 0,
        }
    }

    pub fn text(&self) -> Arc<str> {
        self.text.clone()
    }

    /// Applies a batch of changes (full or ranged) and moves to `version`.
    pub fn apply(&mut self, changes: Vec<TextDocumentContentChangeEvent>, version: i32) {
        for change in changes {
            match change.range {
                None => self.rope = Rope::from_str(&change.text),
                Some(range) => {
                    let start = self.char_index(range.start);
                    let end = self.char_index(range.end).max(start);
                    self.rope.remove(start..end);
                    self.rope.insert(start, &change.text);
                }
            }
        }
        self.text = Arc::from(self.rope.to_string());
        self.version = version;
        self.edits += 1;
    }

    /// The char index of an LSP position (UTF-16 code units), clamped to the text: past the
    /// end of a line means its end, past the last line means the end of the text.
    fn char_index(&self, position: Position) -> usize {
        let line = position.line as usize;
        if line >= self.rope.len_lines() {
            return self.rope.len_chars();
        }
        let start = self.rope.line_to_char(line);
        let slice = self.rope.line(line);
        // The line's own length, without its line break.
        let mut units = slice.len_utf16_cu();
        let chars = slice.len_chars();
        for ending in ["\r\n", "\n", "\r"] {
            if chars >= ending.len() && slice.slice(chars - ending.len()..) == ending {
                units -= ending.len();
                break;
            }
        }
        let wanted = (position.character as usize).min(units);
        start + slice.utf16_cu_to_char(wanted)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tower_lsp_server::ls_types::Range;

    fn change(start: (u32, u32), end: (u32, u32), text: &str) -> TextDocumentContentChangeEvent {
        TextDocumentContentChangeEvent {
            range: Some(Range::new(
                Position::new(start.0, start.1),
                Position::new(end.0, end.1),
            )),
            range_length: None,
            text: text.into(),
        }
    }

    #[test]
    fn edits_count_utf16_and_clamp() {
        // The clef is one char, two UTF-16 code units.
        let mut doc = Document::new("a𝄞b\r\nsecond\n".into(), 1, 0, None);
        doc.apply(vec![change((0, 3), (0, 4), "B")], 2);
        assert_eq!(&*doc.text(), "a𝄞B\r\nsecond\n");
        // Past the end of a line: its end, before the line break.
        doc.apply(vec![change((0, 99), (0, 99), "!")], 3);
        assert_eq!(&*doc.text(), "a𝄞B!\r\nsecond\n");
        // Several changes in one batch apply in order; past the last line: the end.
        doc.apply(
            vec![change((1, 0), (1, 6), "2nd"), change((9, 0), (9, 0), "end")],
            4,
        );
        assert_eq!(&*doc.text(), "a𝄞B!\r\n2nd\nend");
        assert_eq!((doc.version, doc.edits), (4, 3));
        let full = TextDocumentContentChangeEvent {
            range: None,
            range_length: None,
            text: "new".into(),
        };
        doc.apply(vec![full], 5);
        assert_eq!(&*doc.text(), "new");
    }
}
