//! The generator: tool catalogs in, TypeScript declarations out.
//!
//! Pure and deterministic: the same catalog always gives the same text, and every catalog
//! gives valid TypeScript (what cannot be typed becomes `unknown`, with a warning). Each
//! server is a global namespace, each tool a function taking its input type and resolving to
//! its output type (from `outputSchema`) or to the shared `ToolResult`. The [`ApiIndex`] says
//! which function is which tool, for the runtime that binds them.
//!
//! Knows nothing of MCP transports, of the engine, or of how declarations are used.

mod jsdoc;
mod names;
mod schema;
mod ts;

use std::collections::{HashMap, HashSet};

use serde::Serialize;

use crate::catalog::{Annotations, ServerTools, ToolInfo};
use schema::{Decl, Registry, Translator};
use ts::Ty;

pub use names::{camel_case, is_identifier};

/// The declarations of the script environment: `console`, `ToolResult`, `ToolError`,
/// `ContentBlock`. The generated API refers to them.
pub const PRELUDE: &str = include_str!("prelude.d.ts");

/// What the generator made of a set of catalogs.
#[derive(Debug, Clone)]
pub struct Generated {
    /// The namespaces, one per server (without the prelude).
    pub api: String,
    pub index: ApiIndex,
    /// Everything that was typed `unknown` because it could not be expressed, and why.
    pub warnings: Vec<String>,
    /// Each namespace of `api` in pieces, for [`Generated::excerpt`]; parallel to
    /// `index.servers`.
    parts: Vec<Parts>,
}

/// One namespace as pieces: its opening, each tool's function and each named type.
#[derive(Debug, Clone, Default)]
struct Parts {
    opening: String,
    functions: Vec<String>,
    /// Each function on one line without docs, for lists (see [`Generated::signature`]).
    signatures: Vec<String>,
    /// (name, text, the tool whose schemas brought it in)
    decls: Vec<(String, String, usize)>,
    /// `resources` and `prompts`, when the server offers them: in the whole namespace only.
    extras: String,
}

impl Parts {
    /// The namespace with the functions of `tools` (indices, ascending) and every type they
    /// need; with all tools, the namespace as generated.
    fn write(&self, tools: &[usize]) -> String {
        let needed = self.types_needed(tools);
        let mut out = self.opening.clone();
        let mut first = true;
        for &tool in tools {
            if !first {
                out.push('\n');
            }
            first = false;
            out.push_str(&self.functions[tool]);
            for (index, (_, text, owner)) in self.decls.iter().enumerate() {
                if *owner == tool && needed[index] {
                    out.push('\n');
                    out.push_str(text);
                }
            }
        }
        for (index, (_, text, owner)) in self.decls.iter().enumerate() {
            if needed[index] && !tools.contains(owner) {
                out.push('\n');
                out.push_str(text);
            }
        }
        if !self.extras.is_empty() && tools.len() == self.functions.len() {
            out.push('\n');
            out.push_str(&self.extras);
        }
        out.push_str("}\n");
        out
    }

    /// Which decls the functions of `tools` refer to, directly or through other decls.
    fn types_needed(&self, tools: &[usize]) -> Vec<bool> {
        let by_name: HashMap<&str, usize> = self
            .decls
            .iter()
            .enumerate()
            .map(|(index, (name, _, _))| (name.as_str(), index))
            .collect();
        let mut needed = vec![false; self.decls.len()];
        let mut queue: Vec<&str> = tools.iter().map(|&t| self.functions[t].as_str()).collect();
        while let Some(text) = queue.pop() {
            // Identifier characters as TypeScript reads them (a combining mark continues
            // a name: `T\u{1bc9d}Input` is one word, found by the property test).
            for word in text.split(|c: char| !(unicode_ident::is_xid_continue(c) || c == '$')) {
                if let Some(&index) = by_name.get(word)
                    && !needed[index]
                {
                    needed[index] = true;
                    queue.push(&self.decls[index].1);
                }
            }
        }
        needed
    }
}

impl Generated {
    /// The whole declaration file a script is checked against: prelude, then API.
    pub fn declarations(&self) -> String {
        format!("{PRELUDE}\n{}", self.api)
    }

    /// `function name(input: { … }): Promise<…>;` on one line without docs, objects inside
    /// the input elided when it is long: what a list of search hits shows of a tool.
    pub fn signature(&self, server: usize, tool: usize) -> Option<&str> {
        Some(self.parts.get(server)?.signatures.get(tool)?.as_str())
    }

    /// The declarations of some tools only, as (server, tool) indices into `index`: their
    /// namespaces, functions and the types those need, valid TypeScript on their own. For
    /// showing a model just the tools it asked about.
    pub fn excerpt(&self, tools: &[(usize, usize)]) -> String {
        let mut out = String::new();
        for (server, parts) in self.parts.iter().enumerate() {
            let mut chosen: Vec<usize> = tools
                .iter()
                .filter(|(s, t)| *s == server && *t < parts.functions.len())
                .map(|(_, t)| *t)
                .collect();
            chosen.sort_unstable();
            chosen.dedup();
            if chosen.is_empty() {
                continue;
            }
            if !out.is_empty() {
                out.push('\n');
            }
            out.push_str(&parts.write(&chosen));
        }
        out
    }
}

/// Which identifier stands for which server and tool.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ApiIndex {
    pub servers: Vec<ServerEntry>,
}

impl ApiIndex {
    /// The server whose configuration key is `server`.
    pub fn server(&self, server: &str) -> Option<&ServerEntry> {
        self.servers.iter().find(|s| s.server == server)
    }

    /// How many tools (functions) the API declares.
    pub fn tool_count(&self) -> usize {
        self.servers.iter().map(|s| s.tools.len()).sum()
    }

    /// The server whose namespace is `namespace`.
    pub fn namespace(&self, namespace: &str) -> Option<&ServerEntry> {
        self.servers.iter().find(|s| s.namespace == namespace)
    }

    /// The server and tool at these positions (as a script's call names them).
    pub fn tool_at(&self, server: usize, tool: usize) -> Option<(&ServerEntry, &ToolEntry)> {
        let entry = self.servers.get(server)?;
        Some((entry, entry.tools.get(tool)?))
    }

    /// `namespace.function` of `server`'s `tool`.
    pub fn function_of(&self, server: &str, tool: &str) -> Option<String> {
        let entry = self.server(server)?;
        let tool = entry.tool(tool)?;
        Some(format!("{}.{}", entry.namespace, tool.function))
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ServerEntry {
    /// The server's key in the configuration.
    pub server: String,
    /// Its namespace in the generated API.
    pub namespace: String,
    pub tools: Vec<ToolEntry>,
    /// The namespace has `resources` (the server offers them and no tool took the name).
    pub resources: bool,
    /// The namespace has `prompts`, likewise.
    pub prompts: bool,
}

impl ServerEntry {
    /// The tool the server calls `tool`.
    pub fn tool(&self, tool: &str) -> Option<&ToolEntry> {
        self.tools.iter().find(|t| t.tool == tool)
    }

    /// The tool whose function in the namespace is `function`.
    pub fn function(&self, function: &str) -> Option<&ToolEntry> {
        self.tools.iter().find(|t| t.function == function)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ToolEntry {
    /// The tool's name as the server knows it.
    pub tool: String,
    /// Its function in the namespace.
    pub function: String,
    /// Whether it resolves to typed `structuredContent` (it has an `outputSchema`).
    pub typed_output: bool,
}

/// Names every server and tool; the generator and the runtime agree through this.
pub fn index(servers: &[ServerTools]) -> ApiIndex {
    let keys: Vec<&str> = servers.iter().map(|s| s.server.as_str()).collect();
    let namespaces = names::assign(&keys, "server");
    let servers = servers
        .iter()
        .zip(namespaces)
        .map(|(server, namespace)| {
            let tool_names: Vec<&str> = server.tools.iter().map(|t| t.name.as_str()).collect();
            let functions = names::assign(&tool_names, "tool");
            // A tool's function keeps its name; the namespace then goes without that member.
            let free = |member: &str| !functions.iter().any(|f| f == member);
            let (resources, prompts) = (
                server.offers.resources && free("resources"),
                server.offers.prompts && free("prompts"),
            );
            ServerEntry {
                server: server.server.clone(),
                namespace,
                resources,
                prompts,
                tools: server
                    .tools
                    .iter()
                    .zip(functions)
                    .map(|(tool, function)| ToolEntry {
                        tool: tool.name.clone(),
                        function,
                        typed_output: tool.output_schema.is_some(),
                    })
                    .collect(),
            }
        })
        .collect();
    ApiIndex { servers }
}

/// Generates the declarations of every server's tools.
pub fn generate(servers: &[ServerTools]) -> Generated {
    let index = index(servers);
    let mut warnings = Vec::new();
    let mut api = String::from("// Generated by codemode. Do not edit.\n");
    let mut parts = Vec::new();
    for (server, entry) in servers.iter().zip(&index.servers) {
        let namespace = namespace(server, entry, &mut warnings);
        let all: Vec<usize> = (0..namespace.functions.len()).collect();
        api.push('\n');
        api.push_str(&namespace.write(&all));
        parts.push(namespace);
    }
    Generated {
        api,
        index,
        warnings,
        parts,
    }
}

fn namespace(server: &ServerTools, entry: &ServerEntry, warnings: &mut Vec<String>) -> Parts {
    let mut registry = Registry::default();
    // Input and output type names are claimed first so no schema title can take them.
    let type_names: Vec<(String, String)> = entry
        .tools
        .iter()
        .map(|tool| {
            let base = names::pascal_case(&tool.function);
            (
                registry.fresh(&format!("{base}Input")),
                registry.fresh(&format!("{base}Output")),
            )
        })
        .collect();

    // Each tool: its function, then the types it brought into the namespace.
    let mut sections: Vec<(String, std::ops::Range<usize>)> = Vec::new();
    let mut signatures = Vec::new();
    for ((tool, tool_entry), (input_name, output_name)) in
        server.tools.iter().zip(&entry.tools).zip(&type_names)
    {
        let first_decl = registry.decls.len();
        let context = |part: &str| format!("{}: {}: {part} schema", server.server, tool.name);
        let input = Translator::new(
            &mut registry,
            warnings,
            &tool.input_schema,
            input_name,
            context("input"),
        )
        .declare_root(Vec::new());
        let input_optional = !has_required(&input);
        // The arguments are written in the signature unless a type refers back to them.
        let (input_type, input_outline) = if registry.decls[first_decl..]
            .iter()
            .any(|decl| decl.ty.mentions(input_name))
        {
            (input_name.clone(), input_name.clone())
        } else {
            registry.decls.remove(first_decl);
            match &input {
                Ty::Object(object)
                    if object.properties.is_empty()
                        && object.index.as_deref() == Some(&Ty::Never) =>
                {
                    let none = "Record<string, never>".to_string();
                    (none.clone(), none)
                }
                _ => (input.print(1), input.outline()),
            }
        };
        let output = match &tool.output_schema {
            Some(schema) => {
                Translator::new(
                    &mut registry,
                    warnings,
                    schema,
                    output_name,
                    context("output"),
                )
                .declare_root(Vec::new());
                output_name.clone()
            }
            None => "ToolResult".to_string(),
        };
        // The doc shares the function's line when it is one line.
        let doc = tool_doc(tool, &tool_entry.function);
        let mut text = String::new();
        jsdoc::lead(&mut text, "  ", &doc);
        let optional = if input_optional { "?" } else { "" };
        let function = &tool_entry.function;
        text.push_str(&format!(
            "function {function}(input{optional}: {input_type}): Promise<{output}>;\n"
        ));
        signatures.push(format!(
            "function {function}(input{optional}: {input_outline}): Promise<{output}>;"
        ));
        sections.push((text, first_decl..registry.decls.len()));
    }

    break_alias_cycles(&mut registry.decls, &server.server, warnings);

    let mut parts = Parts {
        signatures,
        ..Parts::default()
    };
    let count = server.tools.len();
    jsdoc::write(
        &mut parts.opening,
        "",
        &[format!(
            "MCP server `{}`: {count} tool{}.",
            server.server,
            if count == 1 { "" } else { "s" }
        )],
    );
    parts
        .opening
        .push_str(&format!("declare namespace {} {{\n", entry.namespace));
    if entry.resources {
        parts.extras.push_str(
            "  /** The server's resources: `list()`, `read(uri)` (a `resource_link` a tool returned too), `templates()`. */ const resources: McpResources;\n",
        );
    }
    if entry.prompts {
        parts.extras.push_str(
            "  /** The server's prompts: `list()`, `get(name, args)`. */ const prompts: McpPrompts;\n",
        );
    }
    for (tool, (function, decls)) in sections.into_iter().enumerate() {
        parts.functions.push(function);
        for decl in &registry.decls[decls] {
            let mut text = String::new();
            write_decl(&mut text, decl);
            parts.decls.push((decl.name.clone(), text, tool));
        }
    }
    parts
}

fn write_decl(out: &mut String, decl: &Decl) {
    jsdoc::write(out, "  ", &decl.doc);
    match &decl.ty {
        Ty::Object(object) => {
            out.push_str(&format!("  interface {} {{\n", decl.name));
            object.write_members(out, 1);
            out.push_str("  }\n");
        }
        other => out.push_str(&format!("  type {} = {};\n", decl.name, other.print(1))),
    }
}

/// Whether an input type has a required property (else the argument may be left out).
fn has_required(ty: &Ty) -> bool {
    match ty {
        Ty::Object(object) => object.properties.iter().any(|p| !p.optional),
        Ty::Intersection(members) => members.iter().any(has_required),
        Ty::Union(members) => members.iter().all(has_required),
        // A named or unusual input: keep it required so its type is checked.
        Ty::Named(_) | Ty::Array(_) | Ty::Tuple { .. } | Ty::Keyword(_) | Ty::Literal(_) => true,
        Ty::Unknown | Ty::Never => false,
    }
}

/// A tool's documentation, on one line where its description is: `Title: description ·
/// facts`, the title only where it says more than the name, the facts only where the name
/// or the server's hints add something.
fn tool_doc(tool: &ToolInfo, function: &str) -> Vec<String> {
    let mut facts: Vec<String> = Vec::new();
    if camel_case(&tool.name) != function {
        facts.push(format!("MCP tool `{}`", tool.name));
    }
    let annotations = &tool.annotations;
    if annotations.read_only_hint == Some(true) {
        facts.push("read-only".into());
    } else {
        if annotations.destructive_hint == Some(true) {
            facts.push("destructive".into());
        }
        if annotations.idempotent_hint == Some(true) {
            facts.push("idempotent".into());
        }
    }
    let facts = facts.join(" · ");

    let title = tool
        .title
        .as_ref()
        .or(annotations.title.as_ref())
        .map(|title| without_tool(title.trim()))
        .filter(|title| words_of(title) != words_of(&tool.name));
    let description = tool
        .description
        .as_deref()
        .map(str::trim)
        .filter(|d| !d.is_empty());
    // A title is a name for people to read in a list; the description says more to a model.
    let title = title.filter(|_| description.is_none());
    let mut doc = Vec::new();
    match (title, description) {
        (Some(title), Some(description)) if !description.contains(['\n', '\r']) => {
            doc.push(format!("{title}: {description}"));
        }
        (title, description) => {
            doc.extend(title.map(str::to_string));
            if let Some(description) = description {
                if !doc.is_empty() {
                    doc.push(String::new());
                }
                doc.push(description.to_string());
            }
        }
    }
    if !facts.is_empty() {
        let single = doc.len() == 1;
        match doc.last_mut() {
            Some(last) if single && !last.contains(['\n', '\r']) => {
                last.push_str(" · ");
                last.push_str(&facts);
            }
            Some(_) => {
                doc.push(String::new());
                doc.push(facts);
            }
            None => doc.push(facts),
        }
    }
    doc
}

/// A title without a closing " Tool", which every tool could say.
fn without_tool(title: &str) -> &str {
    match title.rsplit_once(char::is_whitespace) {
        Some((rest, last)) if last.eq_ignore_ascii_case("tool") => rest.trim_end(),
        _ => title,
    }
}

/// A name or title as bare lower-case letters and digits: `Get Sum`, `get-sum` and
/// `getSum` are the same.
fn words_of(text: &str) -> String {
    text.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// The hints a server declared, in words.
pub fn hints(annotations: &Annotations) -> Vec<&'static str> {
    let mut out = Vec::new();
    if annotations.read_only_hint == Some(true) {
        out.push("read-only");
    }
    match annotations.destructive_hint {
        Some(true) => out.push("destructive"),
        Some(false) if annotations.read_only_hint != Some(true) => out.push("non-destructive"),
        _ => {}
    }
    if annotations.idempotent_hint == Some(true) {
        out.push("idempotent");
    }
    match annotations.open_world_hint {
        Some(true) => out.push("open-world"),
        Some(false) => out.push("closed-world"),
        None => {}
    }
    out
}

/// `type A = B | string; type B = A | number;` is an error in TypeScript: a type alias may
/// not refer to itself except through an object, array or tuple. Such references become
/// `unknown` (interfaces are never aliases, so recursion through objects is untouched).
fn break_alias_cycles(decls: &mut [Decl], server: &str, warnings: &mut Vec<String>) {
    let aliases: HashMap<String, usize> = decls
        .iter()
        .enumerate()
        .filter(|(_, d)| !d.ty.is_object())
        .map(|(i, d)| (d.name.clone(), i))
        .collect();
    // Depth-first search over top-level references between aliases.
    let mut done: HashSet<usize> = HashSet::new();
    for start in 0..decls.len() {
        if !aliases.values().any(|&i| i == start) || done.contains(&start) {
            continue;
        }
        let mut stack: Vec<usize> = Vec::new();
        visit(
            start, decls, &aliases, &mut stack, &mut done, server, warnings,
        );
    }
}

fn visit(
    at: usize,
    decls: &mut [Decl],
    aliases: &HashMap<String, usize>,
    stack: &mut Vec<usize>,
    done: &mut HashSet<usize>,
    server: &str,
    warnings: &mut Vec<String>,
) {
    stack.push(at);
    let mut refs = Vec::new();
    top_level_refs(&decls[at].ty, &mut refs);
    for name in refs {
        let Some(&next) = aliases.get(&name) else {
            continue;
        };
        if stack.contains(&next) {
            warnings.push(format!(
                "{server}: type {} refers to itself through {name} with no object in between; \
                 that reference is typed as unknown",
                decls[at].name
            ));
            let ty = std::mem::replace(&mut decls[at].ty, Ty::Unknown);
            decls[at].ty = replace_top_level(ty, &name);
        } else if !done.contains(&next) {
            visit(next, decls, aliases, stack, done, server, warnings);
        }
    }
    stack.pop();
    done.insert(at);
}

fn top_level_refs(ty: &Ty, out: &mut Vec<String>) {
    match ty {
        Ty::Named(name) => out.push(name.clone()),
        Ty::Union(members) | Ty::Intersection(members) => {
            members.iter().for_each(|m| top_level_refs(m, out))
        }
        _ => {}
    }
}

fn replace_top_level(ty: Ty, name: &str) -> Ty {
    match ty {
        Ty::Named(n) if n == name => Ty::Unknown,
        Ty::Union(members) => Ty::union(
            members
                .into_iter()
                .map(|m| replace_top_level(m, name))
                .collect(),
        ),
        Ty::Intersection(members) => Ty::intersection(
            members
                .into_iter()
                .map(|m| replace_top_level(m, name))
                .collect(),
        ),
        other => other,
    }
}

#[cfg(test)]
mod tests;
