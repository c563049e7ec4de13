//! Ranking tools for a model's query: words of the query against each tool's names (MCP
//! name, function, namespace, server), title and description, weighted by how rare each
//! word is across the catalog. Word forms match by shared stem ("entity" finds "entities"),
//! and names tolerate one typo ("serch" finds "search"). Words a model uses for what tool
//! names say otherwise count as a little less than the word itself ([`SYNONYMS`]: "remove"
//! finds `delete_entities`, "history" finds `git_log`). A query naming a tool outright
//! (`memory.searchNodes`, `search_nodes`) puts it first.

use std::collections::HashSet;

use crate::catalog::ServerTools;
use crate::codegen::ApiIndex;

/// One tool that matched, as (server, tool) indices into the index and catalog.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Hit {
    pub server: usize,
    pub tool: usize,
    pub score: f64,
}

/// What one tool is searched by.
struct Document {
    server: usize,
    tool: usize,
    /// Words of its MCP name and function name.
    names: Vec<String>,
    /// Words of its server's key and namespace.
    servers: Vec<String>,
    /// Words of its title and description.
    words: HashSet<String>,
    /// `namespace.function`, `server.tool` and the bare names, lowercased, for exact hits.
    exact: Vec<String>,
}

/// The tools of `catalog` (named by `index`, generated from it) best matching `query`,
/// best first, at most `limit`. Tools matching no word of the query are left out.
pub fn search(index: &ApiIndex, catalog: &[ServerTools], query: &str, limit: usize) -> Vec<Hit> {
    let documents = documents(index, catalog);
    let terms: Vec<String> = {
        let mut seen = HashSet::new();
        words(query)
            .into_iter()
            .filter(|t| seen.insert(t.clone()))
            .collect()
    };
    let whole = query.trim().to_lowercase();
    let total = documents.len() as f64;
    let weights: Vec<f64> = terms
        .iter()
        .map(|term| {
            let containing = documents
                .iter()
                .filter(|d| term_score(term, d) > 0.0)
                .count() as f64;
            (1.0 + total / (1.0 + containing)).ln()
        })
        .collect();

    let mut hits: Vec<Hit> = documents
        .iter()
        .filter_map(|document| {
            let mut score: f64 = terms
                .iter()
                .zip(&weights)
                .map(|(term, weight)| term_score(term, document) * weight)
                .sum();
            if !whole.is_empty() && document.exact.contains(&whole) {
                score += 100.0;
            }
            (score > 0.0).then_some(Hit {
                server: document.server,
                tool: document.tool,
                score,
            })
        })
        .collect();
    hits.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then((a.server, a.tool).cmp(&(b.server, b.tool)))
    });
    hits.truncate(limit);
    hits
}

fn documents(index: &ApiIndex, catalog: &[ServerTools]) -> Vec<Document> {
    let mut documents = Vec::new();
    for (s, (entry, server)) in index.servers.iter().zip(catalog).enumerate() {
        let mut servers = words(&entry.server);
        servers.extend(words(&entry.namespace));
        for (t, (tool_entry, tool)) in entry.tools.iter().zip(&server.tools).enumerate() {
            let mut names = words(&tool.name);
            names.extend(words(&tool_entry.function));
            let mut text = String::new();
            for part in [
                tool.title.as_deref(),
                tool.annotations.title.as_deref(),
                tool.description.as_deref(),
            ]
            .into_iter()
            .flatten()
            {
                text.push_str(part);
                text.push(' ');
            }
            let exact = [
                format!("{}.{}", entry.namespace, tool_entry.function),
                format!("{}.{}", entry.server, tool.name),
                tool_entry.function.clone(),
                tool.name.clone(),
            ]
            .into_iter()
            .map(|name| name.to_lowercase())
            .collect();
            documents.push(Document {
                server: s,
                tool: t,
                names,
                servers: servers.clone(),
                words: words(&text).into_iter().collect(),
                exact,
            });
        }
    }
    documents
}

/// Groups of words that name the same thing in tool names and descriptions, for what a model
/// writes and a server says otherwise.
const SYNONYMS: &[&[&str]] = &[
    &["delete", "remove", "erase", "destroy", "drop"],
    &["create", "add", "make", "record", "insert", "new"],
    &["log", "history"],
    &["search", "find", "lookup", "query", "locate"],
    &["read", "get", "fetch", "open", "view", "show", "load"],
    &["list", "enumerate", "browse", "contents"],
    &["write", "save", "store", "put"],
    &["edit", "update", "modify", "change", "replace"],
    &["move", "rename"],
    &["directory", "folder"],
    &["observations", "notes", "facts"],
    &["relations", "links", "relationships", "connections"],
    &["diff", "differences", "compare"],
    &["time", "clock", "now"],
];

/// How much a synonym's match counts beside the word's own.
const SYNONYM: f64 = 0.7;

/// How well `term`, or a word of its group in [`SYNONYMS`], matches `document`.
fn term_score(term: &str, document: &Document) -> f64 {
    let own = field_score(term, document);
    let others = SYNONYMS
        .iter()
        .filter(|group| {
            group
                .iter()
                .any(|word| word_score(term, word, false) >= 0.8)
        })
        .flat_map(|group| group.iter())
        .filter(|word| **word != term)
        .map(|word| field_score(word, document) * SYNONYM)
        .fold(0.0, f64::max);
    own.max(others)
}

/// How well `term` matches the best field of `document`: names count most, then servers,
/// then the description.
fn field_score(term: &str, document: &Document) -> f64 {
    let names = document
        .names
        .iter()
        .map(|word| word_score(term, word, true))
        .fold(0.0, f64::max)
        * 3.0;
    let servers = document
        .servers
        .iter()
        .map(|word| word_score(term, word, false))
        .fold(0.0, f64::max)
        * 1.5;
    let words = document
        .words
        .iter()
        .map(|word| word_score(term, word, false))
        .fold(0.0, f64::max);
    names.max(servers).max(words)
}

/// 1 for the same word, 0.8 for the same stem (the query word begins the word, or both
/// share all but their last two letters, at least four), 0.6 for one typo in a name (words
/// of five letters or more), else 0. A short word does not match every longer word it
/// begins: "for" is not "forecast".
fn word_score(term: &str, word: &str, typos: bool) -> f64 {
    if term == word {
        return 1.0;
    }
    if term.len() >= 3 && word.starts_with(term) {
        return 0.8;
    }
    let shorter = term.len().min(word.len());
    let common = term
        .bytes()
        .zip(word.bytes())
        .take_while(|(a, b)| a == b)
        .count();
    if shorter >= 4 && common >= shorter.saturating_sub(2).max(4) {
        return 0.8;
    }
    if typos && term.len() >= 5 && strsim::damerau_levenshtein(term, word) == 1 {
        return 0.6;
    }
    0.0
}

/// Lowercase words of `text`, splitting at anything not alphanumeric and at camelCase
/// humps (`searchNodes` → `search`, `nodes`).
fn words(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut previous_lower = false;
    for c in text.chars() {
        if !c.is_alphanumeric() {
            if !current.is_empty() {
                out.push(std::mem::take(&mut current));
            }
            previous_lower = false;
            continue;
        }
        if c.is_uppercase() && previous_lower && !current.is_empty() {
            out.push(std::mem::take(&mut current));
        }
        previous_lower = c.is_lowercase() || c.is_numeric();
        current.extend(c.to_lowercase());
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::ToolList;
    use crate::codegen;

    /// The real tool lists of five servers, as one catalog.
    fn catalog() -> Vec<ServerTools> {
        ["memory", "filesystem", "git", "time", "everything"]
            .iter()
            .map(|name| {
                let path = format!(
                    "{}/../tests/corpus/schemas/{name}.json",
                    env!("CARGO_MANIFEST_DIR")
                );
                let list: ToolList =
                    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
                ServerTools {
                    server: name.to_string(),
                    tools: list.tools,
                    ..Default::default()
                }
            })
            .collect()
    }

    fn top(query: &str, n: usize) -> Vec<String> {
        let catalog = catalog();
        let index = codegen::index(&catalog);
        search(&index, &catalog, query, n)
            .into_iter()
            .map(|hit| {
                format!(
                    "{}.{}",
                    catalog[hit.server].server, catalog[hit.server].tools[hit.tool].name
                )
            })
            .collect()
    }

    #[test]
    fn the_tool_a_query_describes_comes_first() {
        assert_eq!(top("create entities", 1), ["memory.create_entities"]);
        assert_eq!(top("delete an entity", 1), ["memory.delete_entities"]);
        assert_eq!(top("what time is it now", 1), ["time.get_current_time"]);
        assert_eq!(
            top("convert a time between timezones", 1),
            ["time.convert_time"]
        );
        assert_eq!(top("commit changes", 1), ["git.git_commit"]);
        assert_eq!(
            top("search the knowledge graph", 1)[0],
            "memory.search_nodes"
        );
        let files = top("read a text file", 2);
        assert!(
            files.contains(&"filesystem.read_text_file".to_string()),
            "{files:?}"
        );
    }

    /// Words a model writes for what the names say otherwise, on the five real servers.
    #[test]
    fn synonyms_find_what_the_names_miss() {
        assert_eq!(top("remove an entity", 1), ["memory.delete_entities"]);
        assert_eq!(top("repository history", 1), ["git.git_log"]);
        assert_eq!(top("folder contents", 1), ["filesystem.list_directory"]);
        assert_eq!(top("rename a file", 1), ["filesystem.move_file"]);
        let facts = top("record facts about a person", 3);
        assert!(
            facts.contains(&"memory.add_observations".to_string())
                || facts.contains(&"memory.create_entities".to_string()),
            "{facts:?}"
        );
    }

    #[test]
    fn names_typos_and_exact_tools() {
        assert_eq!(top("serch nodes", 1), ["memory.search_nodes"]);
        assert_eq!(top("memory.openNodes", 1), ["memory.open_nodes"]);
        assert_eq!(top("git_diff_staged", 1), ["git.git_diff_staged"]);
        assert_eq!(top("getSum", 1), ["everything.get-sum"]);
        assert_eq!(top("xyzzy plugh", 5), Vec::<String>::new());
        assert_eq!(top("", 5), Vec::<String>::new());
        assert_eq!(top("file", 3).len(), 3, "the limit holds");
    }

    #[test]
    fn word_forms_match_but_short_words_do_not_match_everything() {
        assert_eq!(word_score("entity", "entities", false), 0.8);
        assert_eq!(word_score("dir", "directory", false), 0.8);
        assert_eq!(word_score("nodes", "node", false), 0.8);
        assert_eq!(word_score("forecast", "for", false), 0.0);
        assert_eq!(word_score("to", "tool", false), 0.0);
        assert_eq!(word_score("serch", "search", true), 0.6);
        assert_eq!(word_score("serch", "search", false), 0.0);
    }

    #[test]
    fn words_split_at_humps_and_punctuation() {
        assert_eq!(words("searchNodes"), ["search", "nodes"]);
        assert_eq!(
            words("get-current_time v2"),
            ["get", "current", "time", "v2"]
        );
        assert_eq!(words("HTTPServer"), ["httpserver"]);
    }
}
