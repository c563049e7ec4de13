//! The generated API as the hints read it: each namespace's functions (with the type of
//! their input) and named types, parsed (oxc) from the declarations the checker is given.
//! Types are kept as written, in a small model that [`super::hints`] spells out.

use std::collections::HashMap;

use oxc_allocator::Allocator;
use oxc_ast::ast::{
    PropertyKey, Statement, TSNamespaceDeclarationBody, TSSignature, TSType, TSTypeName,
};
use oxc_parser::Parser;
use oxc_span::{GetSpan, SourceType};

/// A type of the API, as written.
#[derive(Debug, Clone, PartialEq)]
pub enum Shape {
    /// Anything written as its own text (keywords, literals, generics, tuples...).
    Text(String),
    /// `undefined`, which an optional property's `?` already says.
    Undefined,
    /// A type named without arguments; an API type when the namespace declares it.
    Named(String),
    Array(Box<Shape>),
    Object {
        members: Vec<Member>,
        index: Option<Box<Shape>>,
    },
    Union(Vec<Shape>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Member {
    pub key: String,
    pub optional: bool,
    pub shape: Shape,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Namespace {
    pub name: String,
    /// Functions in declaration order, each with its input's type (`None`: takes none).
    pub functions: Vec<(String, Option<Shape>)>,
    /// Interfaces and type aliases by name.
    pub types: HashMap<String, Shape>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct ApiModel {
    pub namespaces: Vec<Namespace>,
}

impl ApiModel {
    pub fn parse(api: &str) -> ApiModel {
        let allocator = Allocator::default();
        let parsed = Parser::new(&allocator, api, SourceType::d_ts()).parse();
        let mut namespaces = Vec::new();
        for statement in &parsed.program.body {
            let Statement::TSNamespaceDeclaration(namespace) = statement else {
                continue;
            };
            let TSNamespaceDeclarationBody::TSModuleBlock(block) = &namespace.body else {
                continue;
            };
            let mut found = Namespace {
                name: namespace.id.name.to_string(),
                ..Namespace::default()
            };
            for statement in &block.body {
                match statement {
                    Statement::FunctionDeclaration(function) => {
                        let Some(id) = &function.id else { continue };
                        let input = function.params.items.first().map(|p| {
                            p.type_annotation
                                .as_ref()
                                .map_or(Shape::Text("any".into()), |t| {
                                    shape(api, &t.type_annotation)
                                })
                        });
                        found.functions.push((id.name.to_string(), input));
                    }
                    Statement::TSInterfaceDeclaration(interface) => {
                        let object = object(api, &interface.body.body);
                        found.types.insert(interface.id.name.to_string(), object);
                    }
                    Statement::TSTypeAliasDeclaration(alias) => {
                        found.types.insert(
                            alias.id.name.to_string(),
                            shape(api, &alias.type_annotation),
                        );
                    }
                    _ => {}
                }
            }
            namespaces.push(found);
        }
        ApiModel { namespaces }
    }

    pub fn namespace(&self, name: &str) -> Option<&Namespace> {
        self.namespaces.iter().find(|n| n.name == name)
    }

    /// A named type: `memory.Entity`, or `Entity` when one namespace declares it.
    pub fn named(&self, name: &str) -> Option<(&Namespace, &Shape)> {
        if let Some((namespace, rest)) = name.split_once('.') {
            let namespace = self.namespace(namespace)?;
            return namespace.types.get(rest).map(|s| (namespace, s));
        }
        let mut found = self
            .namespaces
            .iter()
            .filter_map(|n| n.types.get(name).map(|s| (n, s)));
        let first = found.next()?;
        found.next().is_none().then_some(first)
    }
}

fn text(source: &str, span: oxc_span::Span) -> String {
    source
        .get(span.start as usize..span.end as usize)
        .unwrap_or_default()
        .to_string()
}

fn shape(source: &str, ty: &TSType) -> Shape {
    match ty {
        TSType::TSUndefinedKeyword(_) => Shape::Undefined,
        TSType::TSParenthesizedType(inner) => shape(source, &inner.type_annotation),
        TSType::TSArrayType(array) => Shape::Array(Box::new(shape(source, &array.element_type))),
        TSType::TSUnionType(union) => {
            Shape::Union(union.types.iter().map(|t| shape(source, t)).collect())
        }
        TSType::TSTypeLiteral(literal) => object(source, &literal.members),
        TSType::TSTypeReference(reference) => {
            match (&reference.type_name, &reference.type_arguments) {
                (TSTypeName::IdentifierReference(id), None) => Shape::Named(id.name.to_string()),
                (TSTypeName::IdentifierReference(id), Some(arguments))
                    if id.name == "Array" && arguments.params.len() == 1 =>
                {
                    Shape::Array(Box::new(shape(source, &arguments.params[0])))
                }
                _ => Shape::Text(text(source, reference.span)),
            }
        }
        other => Shape::Text(text(source, other.span())),
    }
}

fn object(source: &str, signatures: &[TSSignature]) -> Shape {
    let mut members = Vec::new();
    let mut index = None;
    for signature in signatures {
        match signature {
            TSSignature::TSPropertySignature(property) => {
                let key = match &property.key {
                    PropertyKey::StaticIdentifier(id) => id.name.to_string(),
                    PropertyKey::StringLiteral(s) => s.value.to_string(),
                    other => text(source, other.span()),
                };
                let shape = property
                    .type_annotation
                    .as_ref()
                    .map_or(Shape::Text("any".into()), |t| {
                        shape(source, &t.type_annotation)
                    });
                members.push(Member {
                    key,
                    optional: property.optional,
                    shape,
                });
            }
            TSSignature::TSIndexSignature(signature) => {
                index = Some(Box::new(shape(
                    source,
                    &signature.type_annotation.type_annotation,
                )));
            }
            _ => {}
        }
    }
    Shape::Object { members, index }
}
