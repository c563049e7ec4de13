//! A small model of TypeScript types and its printer.
//!
//! The schema translator builds [`Ty`] values; printing handles precedence (parentheses),
//! flattening and de-duplication of unions, and layout of object types (on one line when
//! short, one member per line otherwise), so no other part of the generator writes type
//! syntax by hand.

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

    /// Whether the type refers to the named type `name` anywhere inside.
    pub fn mentions(&self, name: &str) -> bool {
        match self {
            Ty::Named(named) => named == name,
            Ty::Array(element) => element.mentions(name),
            Ty::Tuple { elements, rest } => {
                elements.iter().any(|(ty, _)| ty.mentions(name))
                    || rest.as_ref().is_some_and(|rest| rest.mentions(name))
            }
            Ty::Object(object) => {
                object.properties.iter().any(|p| p.ty.mentions(name))
                    || object.index.as_ref().is_some_and(|ty| ty.mentions(name))
            }
            Ty::Union(members) | Ty::Intersection(members) => {
                members.iter().any(|ty| ty.mentions(name))
            }
            Ty::Unknown | Ty::Never | Ty::Keyword(_) | Ty::Literal(_) => false,
        }
    }

    /// The type as TypeScript, with nested object types indented from `indent`.
    pub fn print(&self, indent: usize) -> String {
        let mut out = String::new();
        self.write(&mut out, Layout::Lines(indent), Precedence::Top);
        out
    }

    /// The type on one line without docs, objects inside objects elided (`{…}`) when the
    /// whole is long: for a list of signatures, not for a checker.
    pub fn outline(&self) -> String {
        let mut out = String::new();
        self.write(&mut out, Layout::Outline, Precedence::Top);
        out
    }

    /// Writes the type. On one line ([`Layout::Flat`]) it gives up, returning false, as soon
    /// as `out` passes the limit, so trying a layout costs at most the limit.
    fn write(&self, out: &mut String, layout: Layout, context: Precedence) -> bool {
        match self {
            Ty::Unknown => out.push_str("unknown"),
            Ty::Never => out.push_str("never"),
            Ty::Keyword(keyword) => out.push_str(keyword),
            Ty::Literal(literal) => out.push_str(literal),
            Ty::Named(name) => out.push_str(name),
            Ty::Array(element) => {
                if !element.write(out, layout, Precedence::Postfix) {
                    return false;
                }
                out.push_str("[]");
            }
            Ty::Tuple { elements, rest } => {
                out.push('[');
                for (index, (element, optional)) in elements.iter().enumerate() {
                    if index > 0 {
                        out.push_str(", ");
                    }
                    if !element.write(out, layout, Precedence::Postfix) {
                        return false;
                    }
                    if *optional {
                        out.push('?');
                    }
                }
                if let Some(rest) = rest {
                    if !elements.is_empty() {
                        out.push_str(", ");
                    }
                    out.push_str("...");
                    if !rest.write(out, layout, Precedence::Postfix) {
                        return false;
                    }
                    out.push_str("[]");
                }
                out.push(']');
            }
            Ty::Object(object) => return object.write(out, layout),
            Ty::Union(members) | Ty::Intersection(members) => {
                let (separator, own, wrap) = match self {
                    Ty::Union(_) => (" | ", Precedence::Union, context > Precedence::Top),
                    _ => (" & ", Precedence::Intersection, context > Precedence::Union),
                };
                if wrap {
                    out.push('(');
                }
                for (index, member) in members.iter().enumerate() {
                    if index > 0 {
                        out.push_str(separator);
                    }
                    if !member.write(out, layout, own) {
                        return false;
                    }
                }
                if wrap {
                    out.push(')');
                }
            }
        }
        layout.fits(out)
    }
}

impl ObjectTy {
    /// The members of an interface or object literal type, one per line at `indent + 1`,
    /// each after its doc (on the same line when the doc is one line).
    pub fn write_members(&self, out: &mut String, indent: usize) {
        let pad = "  ".repeat(indent + 1);
        for property in &self.properties {
            jsdoc::lead(out, &pad, &property.doc);
            self.write_property(out, property, Layout::Lines(indent + 1));
            out.push_str(";\n");
        }
        if let Some(index) = &self.index {
            out.push_str(&pad);
            out.push_str("[key: string]: ");
            index.write(out, Layout::Lines(indent + 1), Precedence::Top);
            out.push_str(";\n");
        }
    }

    fn write_property(&self, out: &mut String, property: &Property, layout: Layout) -> bool {
        out.push_str(&property_key(&property.key));
        if property.optional {
            out.push('?');
        }
        out.push_str(": ");
        property.ty.write(out, layout, Precedence::Top)
    }

    fn write_flat(&self, out: &mut String, limit: usize, docs: bool) -> bool {
        let layout = Layout::Flat { limit, docs };
        if self.properties.is_empty() && self.index.is_none() {
            out.push_str("{}");
            return layout.fits(out);
        }
        out.push_str("{ ");
        let mut first = true;
        for property in &self.properties {
            if !first {
                out.push_str("; ");
            }
            first = false;
            if docs && !property.doc.is_empty() {
                let Some(doc) = jsdoc::one_line(&property.doc) else {
                    return false;
                };
                out.push_str(&doc);
                out.push(' ');
            }
            if !layout.fits(out) || !self.write_property(out, property, layout) {
                return false;
            }
        }
        if let Some(index) = &self.index {
            if !first {
                out.push_str("; ");
            }
            out.push_str("[key: string]: ");
            if !index.write(out, layout, Precedence::Top) {
                return false;
            }
        }
        out.push_str(" }");
        layout.fits(out)
    }

    fn write(&self, out: &mut String, layout: Layout) -> bool {
        let start = out.len();
        let (limit, docs) = match layout {
            Layout::Flat { limit, docs } => (limit, docs),
            Layout::Lines(_) => (start + ONE_LINE, true),
            Layout::Outline => return self.write_outline(out),
        };
        if self.write_flat(out, limit, docs) {
            return true;
        }
        out.truncate(start);
        let Layout::Lines(indent) = layout else {
            return false;
        };
        out.push_str("{\n");
        self.write_members(out, indent);
        out.push_str(&"  ".repeat(indent));
        out.push('}');
        true
    }

    /// `{ a: string; b?: {…} }`: the whole object on one line without docs when it is short,
    /// else its own properties with the objects inside them elided.
    fn write_outline(&self, out: &mut String) -> bool {
        let start = out.len();
        if self.write_flat(out, start + OUTLINE, false) {
            return true;
        }
        out.truncate(start);
        out.push_str("{ ");
        for (index, property) in self.properties.iter().enumerate() {
            if index > 0 {
                out.push_str("; ");
            }
            out.push_str(&property_key(&property.key));
            if property.optional {
                out.push('?');
            }
            out.push_str(": ");
            match &property.ty {
                Ty::Object(_) => out.push_str("{…}"),
                Ty::Array(element) if element.is_object() => out.push_str("{…}[]"),
                other => {
                    other.write(out, Layout::Outline, Precedence::Top);
                }
            }
        }
        if self.index.is_some() {
            out.push_str(if self.properties.is_empty() {
                "…"
            } else {
                "; …"
            });
        }
        out.push_str(" }");
        true
    }
}

/// The longest object type written on one line, in bytes.
const ONE_LINE: usize = 96;

/// The longest object type an outline writes in full, in bytes.
const OUTLINE: usize = 160;

/// How a type is laid out: objects one member per line from an indent, or all on one line
/// up to a limit (a position in the output), with or without docs.
#[derive(Debug, Clone, Copy)]
enum Layout {
    Lines(usize),
    Flat {
        limit: usize,
        docs: bool,
    },
    /// One line, no docs, objects inside the outer one as `{…}`: a signature to skim.
    Outline,
}

impl Layout {
    fn fits(self, out: &str) -> bool {
        match self {
            Layout::Lines(_) | Layout::Outline => true,
            Layout::Flat { limit, .. } => out.len() <= limit,
        }
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
