//! TypeScript in, JavaScript out: types are stripped with oxc, and a position map remembers
//! where each piece of output came from, so errors and stack frames point at the TypeScript.
//!
//! Sources are bounded before parsing (size, and bracket nesting, which a recursive-descent
//! parser would otherwise turn into a native stack overflow). Knows nothing of the engine.

use std::path::Path;

use oxc_allocator::Allocator;
use oxc_codegen::{Codegen, CodegenOptions};
use oxc_parser::Parser;
use oxc_semantic::SemanticBuilder;
use oxc_span::SourceType;
use oxc_transformer::{TransformOptions, Transformer};

/// Scripts larger than this are refused before parsing.
pub const MAX_SOURCE_BYTES: usize = 4 * 1024 * 1024;
/// Brackets nested deeper than this are refused before parsing.
pub const MAX_NESTING: usize = 500;

/// A script ready for the engine.
#[derive(Debug, Clone)]
pub struct Transpiled {
    pub code: String,
    pub map: PositionMap,
}

/// A syntax error (or a refused source), at a 1-based TypeScript line and column.
#[derive(Debug, Clone, PartialEq)]
pub struct SyntaxError {
    pub message: String,
    pub line: Option<u32>,
    pub column: Option<u32>,
    /// The source was refused for its size or nesting, not for its syntax.
    pub over_limit: bool,
}

/// Output position → source position, from the source map (0-based inside, 1-based out).
#[derive(Debug, Clone, Default)]
pub struct PositionMap {
    /// (output line, output column, source line, source column), sorted.
    tokens: Vec<(u32, u32, u32, u32)>,
}

impl PositionMap {
    /// The 1-based TypeScript position of a 1-based JavaScript position.
    pub fn to_source(&self, line: u32, column: u32) -> Option<(u32, u32)> {
        let (line, column) = (line.checked_sub(1)?, column.saturating_sub(1));
        let index = self
            .tokens
            .partition_point(|t| (t.0, t.1) <= (line, column));
        let token = self.tokens.get(index.checked_sub(1)?)?;
        (token.0 == line).then_some((token.2 + 1, token.3 + 1))
    }
}

/// Strips the types of `source` (a module with top-level await).
pub fn transpile(file: &str, source: &str) -> Result<Transpiled, SyntaxError> {
    within_limits(source)?;
    let allocator = Allocator::default();
    let source_type = SourceType::ts().with_module(true);
    let parsed = Parser::new(&allocator, source, source_type).parse();
    if let Some(error) = parsed.diagnostics.first() {
        let offset = error.labels.first().map(|label| label.offset());
        let (line, column) = match offset {
            Some(offset) => {
                let (line, column) = line_column(source, offset);
                (Some(line), Some(column))
            }
            None => (None, None),
        };
        return Err(SyntaxError {
            message: error.message.to_string(),
            line,
            column,
            over_limit: false,
        });
    }
    let mut program = parsed.program;
    let scoping = SemanticBuilder::new()
        .build(&program)
        .semantic
        .into_scoping();
    let path = Path::new(file);
    let transformed = Transformer::new(&allocator, path, &TransformOptions::default())
        .build_with_scoping(scoping, &mut program);
    if let Some(error) = transformed.diagnostics.first() {
        return Err(SyntaxError {
            message: error.message.to_string(),
            line: None,
            column: None,
            over_limit: false,
        });
    }
    let generated = Codegen::new()
        .with_options(CodegenOptions {
            source_map_path: Some(path.to_path_buf()),
            ..CodegenOptions::default()
        })
        .build(&program);
    let tokens = generated
        .map
        .map(|map| {
            map.get_tokens()
                .map(|t| {
                    (
                        t.get_dst_line(),
                        t.get_dst_col(),
                        t.get_src_line(),
                        t.get_src_col(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    Ok(Transpiled {
        code: generated.code,
        map: PositionMap { tokens },
    })
}

/// Whether `source` is within the size and nesting limits every consumer of a script
/// (transpiler, checker, engine) relies on; the error says which it is over.
pub fn within_limits(source: &str) -> Result<(), SyntaxError> {
    if source.len() > MAX_SOURCE_BYTES {
        return Err(SyntaxError {
            message: format!(
                "the script is {} bytes; scripts may be at most {MAX_SOURCE_BYTES} bytes",
                source.len()
            ),
            line: None,
            column: None,
            over_limit: true,
        });
    }
    if let Some((line, column)) = too_deep(source) {
        return Err(SyntaxError {
            message: format!("brackets are nested more than {MAX_NESTING} levels deep"),
            line: Some(line),
            column: Some(column),
            over_limit: true,
        });
    }
    Ok(())
}

/// Where brackets first nest deeper than [`MAX_NESTING`], skipping strings and comments.
fn too_deep(source: &str) -> Option<(u32, u32)> {
    let bytes = source.as_bytes();
    let mut depth = 0usize;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'(' | b'[' | b'{' => {
                depth += 1;
                if depth > MAX_NESTING {
                    return Some(line_column(source, i as u32));
                }
            }
            b')' | b']' | b'}' => depth = depth.saturating_sub(1),
            quote @ (b'"' | b'\'' | b'`') => {
                i += 1;
                while i < bytes.len() && bytes[i] != quote {
                    if bytes[i] == b'\\' {
                        i += 1;
                    }
                    i += 1;
                }
            }
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                i += 2;
                while i + 1 < bytes.len() && !(bytes[i] == b'*' && bytes[i + 1] == b'/') {
                    i += 1;
                }
                i += 1;
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// 1-based line and column (in UTF-16 units, as editors and TypeScript count) of a byte offset.
pub fn line_column(source: &str, offset: u32) -> (u32, u32) {
    let offset = (offset as usize).min(source.len());
    let mut start = offset;
    while !source.is_char_boundary(start) {
        start -= 1;
    }
    let before = &source[..start];
    let line = before.matches('\n').count() as u32 + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].encode_utf16().count() as u32 + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_types_and_maps_positions_back() {
        let source =
            "interface A { x: number }\nconst a: A = { x: 1 };\n\nthrow new Error(String(a.x));\n";
        let out = transpile("s.ts", source).unwrap();
        assert!(!out.code.contains("interface"), "{}", out.code);
        let throw_line = out.code.lines().position(|l| l.contains("throw")).unwrap() as u32 + 1;
        assert_eq!(out.map.to_source(throw_line, 1), Some((4, 1)));
    }

    #[test]
    fn refuses_what_would_hurt_the_parser() {
        let error = transpile("s.ts", "const x = ;").unwrap_err();
        assert_eq!((error.line, error.column), (Some(1), Some(11)));
        let deep = format!("const x = {}1{};", "[".repeat(100_000), "]".repeat(100_000));
        let error = transpile("s.ts", &deep).unwrap_err();
        assert!(error.message.contains("nested"), "{error:?}");
        let strings = format!("const s = \"{}\";", "[".repeat(10_000));
        assert!(transpile("s.ts", &strings).is_ok());
        let huge = " ".repeat(MAX_SOURCE_BYTES + 1);
        assert!(
            transpile("s.ts", &huge)
                .unwrap_err()
                .message
                .contains("at most")
        );
    }
}
