//! A small model of TypeScript types and its printer.
//!
//! The schema translator builds [`Ty`] values; printing handles precedence (parentheses),
//! flattening and de-duplication of unions, and indentation of object types, so no other
//! part of the generator writes type syntax by hand.

use super::jsdoc;
use super::names::property_key;

#[derive(Debug, Clone, PartialEq)]
pub enum Ty {
    Unknown,
    Never,
    /// `string`, `number`, `boolean`, `null`.
    Keyword(&'static str),
    /// A literal type, already written as TypeScript (`"a"`, `1`, `true`).
    Literal(String),
    /// A named type.
    Named(String),
    Array(Box<Ty>),
    Tuple {
        elements: Vec<(Ty, bool)>,
        rest: Option<Box<Ty>>,
    },
    Object(ObjectTy),
    Union(Vec<Ty>),
    Intersection(Vec<Ty>),
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct ObjectTy {
    pub properties: Vec<Property>,
    /// `[key: string]: T`, when the object admits other keys.
    pub index: Option<Box<Ty>>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Property {
    pub key: String,
    pub optional: bool,
    pub ty: Ty,
    pub doc: Vec<String>,
}

impl Ty {
    /// A union with nested unions flattened, `never` dropped, duplicates removed, and
    /// `unknown` absorbing everything.
    pub fn union(members: Vec<Ty>) -> Ty {
        let mut flat: Vec<Ty> = Vec::new();
        for member in members {
            match member {
                Ty::Union(inner) => flat.extend(inner),
                Ty::Never => {}
                other => flat.push(other),
            }
        }
        if flat.contains(&Ty::Unknown) {
            return Ty::Unknown;
        }
        let mut unique: Vec<Ty> = Vec::new();
        for member in flat {
            if !unique.contains(&member) {
                unique.push(member);
            }
        }
        match unique.len() {
            0 => Ty::Never,
            1 => unique.pop().unwrap_or(Ty::Never),
            _ => Ty::Union(unique),
        }
    }

    /// An intersection with `unknown` members dropped.
    pub fn intersection(members: Vec<Ty>) -> Ty {
        let mut flat: Vec<Ty> = Vec::new();
        for member in members {
            match member {
                Ty::Intersection(inner) => flat.extend(inner),
                Ty::Unknown => {}
                other => {
                    if !flat.contains(&other) {
                        flat.push(other);
                    }
                }
            }
        }
        match flat.len() {
            0 => Ty::Unknown,
            1 => flat.pop().unwrap_or(Ty::Unknown),
            _ => Ty::Intersection(flat),
        }
    }

    pub fn is_object(&self) -> bool {
        matches!(self, Ty::Object(_))
    }

    /// The type as TypeScript, with nested object types indented from `indent`.
    pub fn print(&self, indent: usize) -> String {
        let mut out = String::new();
        self.write(&mut out, indent, Precedence::Top);
        out
    }

    fn write(&self, out: &mut String, indent: usize, context: Precedence) {
        match self {
            Ty::Unknown => out.push_str("unknown"),
            Ty::Never => out.push_str("never"),
            Ty::Keyword(keyword) => out.push_str(keyword),
            Ty::Literal(literal) => out.push_str(literal),
            Ty::Named(name) => out.push_str(name),
            Ty::Array(element) => {
                element.write(out, indent, Precedence::Postfix);
                out.push_str("[]");
            }
            Ty::Tuple { elements, rest } => {
                out.push('[');
                for (index, (element, optional)) in elements.iter().enumerate() {
                    if index > 0 {
                        out.push_str(", ");
                    }
                    element.write(out, indent, Precedence::Postfix);
                    if *optional {
                        out.push('?');
                    }
                }
                if let Some(rest) = rest {
                    if !elements.is_empty() {
                        out.push_str(", ");
                    }
                    out.push_str("...");
                    rest.write(out, indent, Precedence::Postfix);
                    out.push_str("[]");
                }
                out.push(']');
            }
            Ty::Object(object) => object.write(out, indent),
            Ty::Union(members) => {
                let wrap = context > Precedence::Top;
                if wrap {
                    out.push('(');
                }
                for (index, member) in members.iter().enumerate() {
                    if index > 0 {
                        out.push_str(" | ");
                    }
                    member.write(out, indent, Precedence::Union);
                }
                if wrap {
                    out.push(')');
                }
            }
            Ty::Intersection(members) => {
                let wrap = context > Precedence::Union;
                if wrap {
                    out.push('(');
                }
                for (index, member) in members.iter().enumerate() {
                    if index > 0 {
                        out.push_str(" & ");
                    }
                    member.write(out, indent, Precedence::Intersection);
                }
                if wrap {
                    out.push(')');
                }
            }
        }
    }
}

impl ObjectTy {
    /// The members of an interface or object literal type, one per line at `indent + 1`.
    pub fn write_members(&self, out: &mut String, indent: usize) {
        let pad = "  ".repeat(indent + 1);
        for property in &self.properties {
            jsdoc::write(out, &pad, &property.doc);
            out.push_str(&pad);
            out.push_str(&property_key(&property.key));
            if property.optional {
                out.push('?');
            }
            out.push_str(": ");
            property.ty.write(out, indent + 1, Precedence::Top);
            out.push_str(";\n");
        }
        if let Some(index) = &self.index {
            out.push_str(&pad);
            out.push_str("[key: string]: ");
            index.write(out, indent + 1, Precedence::Top);
            out.push_str(";\n");
        }
    }

    fn write(&self, out: &mut String, indent: usize) {
        if self.properties.is_empty() {
            match &self.index {
                None => out.push_str("{}"),
                Some(index) => {
                    out.push_str("{ [key: string]: ");
                    index.write(out, indent, Precedence::Top);
                    out.push_str(" }");
                }
            }
            return;
        }
        out.push_str("{\n");
        self.write_members(out, indent);
        out.push_str(&"  ".repeat(indent));
        out.push('}');
    }
}

/// How tightly a position binds: a union inside an array needs parentheses, and so on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Precedence {
    Top,
    Union,
    Intersection,
    Postfix,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn precedence_adds_parentheses_only_where_needed() {
        let union = Ty::union(vec![Ty::Keyword("string"), Ty::Keyword("null")]);
        assert_eq!(union.print(0), "string | null");
        assert_eq!(
            Ty::Array(Box::new(union.clone())).print(0),
            "(string | null)[]"
        );
        let both = Ty::intersection(vec![Ty::Named("A".into()), union]);
        assert_eq!(both.print(0), "A & (string | null)");
        assert_eq!(
            Ty::union(vec![Ty::Named("A".into()), Ty::Unknown]),
            Ty::Unknown
        );
        assert_eq!(Ty::union(vec![]), Ty::Never);
    }

    #[test]
    fn tuples() {
        let tuple = Ty::Tuple {
            elements: vec![
                (Ty::Keyword("number"), false),
                (Ty::Keyword("string"), true),
            ],
            rest: Some(Box::new(Ty::Unknown)),
        };
        assert_eq!(tuple.print(0), "[number, string?, ...unknown[]]");
    }
}
