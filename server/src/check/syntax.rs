//! What the checker reads off a script's syntax (oxc), the same whichever engine answers:
//! the directives refused before any engine sees the script, whether it parses, the API
//! call an argument belongs to (for hints), and the constructs quick fixes edit (for
//! [`super::fixes`]).

use oxc_allocator::Allocator;
use oxc_ast::ast::{
    Argument, BindingPattern, CallExpression, Expression, ImportDeclaration,
    ImportDeclarationSpecifier, Statement, StaticMemberExpression, VariableDeclarator,
};
use oxc_ast_visit::{Visit, walk};
use oxc_parser::Parser;
use oxc_span::{GetSpan, SourceType};

/// A triple-slash directive: its 1-based line and column, and why it is refused.
/// `/// <reference lib="dom" />` would let code check that cannot run in the sandbox, and
/// `/// <reference path>` would have the checker read files.
pub fn directive(text: &str) -> Option<(u32, u32, String)> {
    for (index, line) in text.lines().enumerate() {
        let trimmed = line.trim_start();
        let Some(rest) = trimmed.strip_prefix("///") else {
            continue;
        };
        let rest = rest.trim_start();
        if rest.starts_with("<reference") || rest.starts_with("<amd-") {
            let column = line.len() - trimmed.len() + 1;
            return Some((
                index as u32 + 1,
                column as u32,
                "triple-slash directives are not allowed in scripts: a script sees only \
                 ECMAScript 2023 and the MCP tools' namespaces, and reads no files"
                    .into(),
            ));
        }
    }
    None
}

fn source_type() -> SourceType {
    SourceType::ts().with_module(true)
}

/// Whether the script parses.
pub fn parses(text: &str) -> bool {
    let allocator = Allocator::default();
    let parsed = Parser::new(&allocator, text, source_type()).parse();
    parsed.diagnostics.is_empty() && !parsed.panicked
}

/// The names a script refers to (identifier references, in code and in types), when it
/// parses: which namespaces, and so which servers, it names. A namespace reached another
/// way (`globalThis[name]`) is not among them.
pub fn referenced_names(text: &str) -> Option<std::collections::HashSet<String>> {
    struct Names(std::collections::HashSet<String>);
    impl<'a> Visit<'a> for Names {
        fn visit_identifier_reference(&mut self, it: &oxc_ast::ast::IdentifierReference<'a>) {
            self.0.insert(it.name.to_string());
        }
    }
    let allocator = Allocator::default();
    let parsed = Parser::new(&allocator, text, source_type()).parse();
    if parsed.panicked || !parsed.diagnostics.is_empty() {
        return None;
    }
    let mut names = Names(Default::default());
    names.visit_program(&parsed.program);
    Some(names.0)
}

/// A call of the form `namespace.function(...)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiCall {
    /// The callee as written (`memory.createEntities`).
    pub callee: String,
    pub namespace: String,
    pub function: String,
}

/// For each byte offset, the `namespace.function(...)` call whose arguments hold it, when
/// nothing but expressions stand between them (a statement inside an argument, a callback's
/// body, ends the search). The script is parsed once for all of them.
pub fn calls_at(text: &str, offsets: &[u32]) -> Vec<Option<ApiCall>> {
    if offsets.is_empty() {
        return Vec::new();
    }
    let allocator = Allocator::default();
    let parsed = Parser::new(&allocator, text, source_type()).parse();
    offsets
        .iter()
        .map(|&offset| {
            let mut finder = CallFinder {
                offset,
                statements: 0,
                deepest_statement: 0,
                call: None,
                text,
            };
            finder.visit_program(&parsed.program);
            let (depth, found) = finder.call?;
            (finder.deepest_statement <= depth).then_some(found)?
        })
        .collect()
}

struct CallFinder<'s> {
    offset: u32,
    statements: usize,
    deepest_statement: usize,
    /// The innermost call holding the offset in an argument, with the statements around it.
    call: Option<(usize, Option<ApiCall>)>,
    text: &'s str,
}

impl<'a> Visit<'a> for CallFinder<'_> {
    fn visit_statement(&mut self, it: &Statement<'a>) {
        let span = it.span();
        if !(span.start <= self.offset && self.offset < span.end) {
            return;
        }
        self.statements += 1;
        self.deepest_statement = self.deepest_statement.max(self.statements);
        walk::walk_statement(self, it);
        self.statements -= 1;
    }

    fn visit_call_expression(&mut self, it: &CallExpression<'a>) {
        let holds = it.arguments.iter().any(|a| {
            let span = a.span();
            span.start <= self.offset && self.offset < span.end
        });
        if holds {
            let callee = match &it.callee {
                Expression::StaticMemberExpression(member) => match &member.object {
                    Expression::Identifier(object) => Some(ApiCall {
                        callee: self
                            .text
                            .get(it.callee.span().start as usize..it.callee.span().end as usize)
                            .unwrap_or_default()
                            .to_string(),
                        namespace: object.name.to_string(),
                        function: member.property.name.to_string(),
                    }),
                    _ => None,
                },
                _ => None,
            };
            self.call = Some((self.statements, callee));
        }
        walk::walk_call_expression(self, it);
    }
}

/// What a property is read from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Object {
    /// A call (`memory.readGraph()`).
    Call,
    /// A name (`graph`).
    Name(String),
    Other,
}

/// A property read `object.property`: what the object is, and its byte span.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    pub object: Object,
    pub object_start: u32,
    pub object_end: u32,
}

/// The property read whose property name starts at byte `offset`.
pub fn member_at(text: &str, offset: u32) -> Option<Member> {
    struct Find {
        offset: u32,
        found: Option<Member>,
    }
    impl<'a> Visit<'a> for Find {
        fn visit_static_member_expression(&mut self, it: &StaticMemberExpression<'a>) {
            if it.property.span.start == self.offset {
                let span = it.object.span();
                let object = match it.object.get_inner_expression() {
                    Expression::CallExpression(_) => Object::Call,
                    Expression::Identifier(name) => Object::Name(name.name.to_string()),
                    _ => Object::Other,
                };
                self.found = Some(Member {
                    object,
                    object_start: span.start,
                    object_end: span.end,
                });
            }
            walk::walk_static_member_expression(self, it);
        }
    }
    visited(
        text,
        Find {
            offset,
            found: None,
        },
    )
    .found
}

/// Where the initializer of `const name = call(...)` starts, when it is a call not awaited.
pub fn unawaited_initializer(text: &str, name: &str) -> Option<u32> {
    struct Find<'n> {
        name: &'n str,
        found: Option<u32>,
    }
    impl<'a> Visit<'a> for Find<'_> {
        fn visit_variable_declarator(&mut self, it: &VariableDeclarator<'a>) {
            if let (BindingPattern::BindingIdentifier(id), Some(Expression::CallExpression(call))) =
                (&it.id, &it.init)
                && id.name == self.name
            {
                self.found = Some(call.span.start);
            }
            walk::walk_variable_declarator(self, it);
        }
    }
    visited(text, Find { name, found: None }).found
}

/// What an import binds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Binding {
    /// `import x from`, `import * as x from`.
    Name(String),
    /// `import { a, b } from`.
    Names(Vec<String>),
    Nothing,
}

/// An `import ... from "module"` statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Import {
    pub start: u32,
    pub end: u32,
    pub module: String,
    pub binding: Binding,
}

/// The import statement whose module specifier holds byte `offset`.
pub fn import_at(text: &str, offset: u32) -> Option<Import> {
    struct Find {
        offset: u32,
        found: Option<Import>,
    }
    impl<'a> Visit<'a> for Find {
        fn visit_import_declaration(&mut self, it: &ImportDeclaration<'a>) {
            let source = it.source.span;
            if !(source.start <= self.offset && self.offset < source.end) {
                return;
            }
            let specifiers = it
                .specifiers
                .as_ref()
                .map(|s| s.as_slice())
                .unwrap_or_default();
            let mut names = Vec::new();
            let mut name = None;
            for specifier in specifiers {
                match specifier {
                    ImportDeclarationSpecifier::ImportSpecifier(s) => {
                        let imported = s.imported.name();
                        if imported == s.local.name {
                            names.push(imported.to_string());
                        } else {
                            names.push(format!("{imported}: {}", s.local.name));
                        }
                    }
                    ImportDeclarationSpecifier::ImportDefaultSpecifier(s) => {
                        name = Some(s.local.name.to_string());
                    }
                    ImportDeclarationSpecifier::ImportNamespaceSpecifier(s) => {
                        name = Some(s.local.name.to_string());
                    }
                }
            }
            let binding = match (name, names.is_empty()) {
                (Some(name), true) => Binding::Name(name),
                (None, false) => Binding::Names(names),
                _ => Binding::Nothing,
            };
            self.found = Some(Import {
                start: it.span.start,
                end: it.span.end,
                module: it.source.value.to_string(),
                binding,
            });
        }
    }
    visited(
        text,
        Find {
            offset,
            found: None,
        },
    )
    .found
}

/// A `require("module")` call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Require {
    pub start: u32,
    pub end: u32,
    pub module: String,
}

/// The `require("module")` call whose callee starts at byte `offset`.
pub fn require_at(text: &str, offset: u32) -> Option<Require> {
    struct Find {
        offset: u32,
        found: Option<Require>,
    }
    impl<'a> Visit<'a> for Find {
        fn visit_call_expression(&mut self, it: &CallExpression<'a>) {
            if let (Expression::Identifier(callee), [Argument::StringLiteral(module)]) =
                (&it.callee, it.arguments.as_slice())
                && callee.name == "require"
                && callee.span.start == self.offset
            {
                self.found = Some(Require {
                    start: it.span.start,
                    end: it.span.end,
                    module: module.value.to_string(),
                });
            }
            walk::walk_call_expression(self, it);
        }
    }
    visited(
        text,
        Find {
            offset,
            found: None,
        },
    )
    .found
}

/// `visitor` after it walked `text`'s syntax tree.
fn visited<V: for<'a> Visit<'a>>(text: &str, mut visitor: V) -> V {
    let allocator = Allocator::default();
    let parsed = Parser::new(&allocator, text, source_type()).parse();
    visitor.visit_program(&parsed.program);
    visitor
}

/// The byte span of the `JSON.parse(x)` call whose first argument starts at byte `offset`.
pub fn json_parse_at(text: &str, offset: u32) -> Option<(u32, u32)> {
    struct Find {
        offset: u32,
        found: Option<(u32, u32)>,
    }
    impl<'a> Visit<'a> for Find {
        fn visit_call_expression(&mut self, it: &CallExpression<'a>) {
            if let (Expression::StaticMemberExpression(callee), Some(first)) =
                (&it.callee, it.arguments.first())
                && callee.property.name == "parse"
                && matches!(&callee.object, Expression::Identifier(o) if o.name == "JSON")
                && first.span().start == self.offset
                && it.arguments.len() == 1
            {
                self.found = Some((it.span.start, it.span.end));
            }
            walk::walk_call_expression(self, it);
        }
    }
    visited(
        text,
        Find {
            offset,
            found: None,
        },
    )
    .found
}

/// The 1-based line and UTF-16 column of byte `offset` in `text`.
pub fn position_of(text: &str, offset: u32) -> (u32, u32) {
    let offset = (offset as usize).min(text.len());
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() as u32 + 1;
    let line_start = before.rfind('\n').map_or(0, |at| at + 1);
    let column = before[line_start..].encode_utf16().count() as u32 + 1;
    (line, column)
}

/// The byte offset of a 1-based line and UTF-16 column in `text`.
pub fn offset_of(text: &str, line: u32, column: u32) -> Option<u32> {
    let mut start = 0usize;
    for _ in 1..line {
        start += text[start..].find('\n')? + 1;
    }
    let mut units = 0u32;
    for (at, c) in text[start..].char_indices() {
        if units + 1 >= column || c == '\n' {
            return u32::try_from(start + at).ok();
        }
        units += c.len_utf16() as u32;
    }
    u32::try_from(text.len()).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_call_an_argument_belongs_to() {
        let text = "await memory.read({ q: 1 });\nawait memory.read({ q: [1].map((x) => { const y: string = x; return y; }) });\n";
        let at = text.find("q: 1").unwrap() as u32;
        let inner = text.find("y: string").unwrap() as u32;
        let found = calls_at(text, &[at, inner]);
        assert_eq!(
            found[0],
            Some(ApiCall {
                callee: "memory.read".into(),
                namespace: "memory".into(),
                function: "read".into()
            })
        );
        assert_eq!(found[1], None);
    }

    #[test]
    fn directives_are_found_and_columns_count_utf16() {
        assert_eq!(
            directive("const a = 1;\n  /// <reference lib=\"dom\" />\n").map(|d| (d.0, d.1)),
            Some((2, 3))
        );
        assert_eq!(
            directive("// <reference lib=\"dom\" />\n/// plain comment\n"),
            None
        );
        assert_eq!(offset_of("ab\n€x", 2, 2), Some(6));
        assert_eq!(offset_of("ab\ncd", 2, 1), Some(3));
    }
}
