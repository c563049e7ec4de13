//! The tool catalog: what each MCP server offers, as plain data.
//!
//! The MCP host fills it from `tools/list`; the generator, the CLI and (later) the language
//! server read it. It has the shape of MCP's `tools/list` answer so that answers dumped from
//! real servers can be read straight into it, but it knows nothing of rmcp or of transports.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// One tool as a server describes it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ToolInfo {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The JSON Schema of the arguments (an object schema, per the MCP spec).
    #[serde(default = "empty_object_schema")]
    pub input_schema: Value,
    /// The JSON Schema of `structuredContent`, when the tool declares one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output_schema: Option<Value>,
    #[serde(default, skip_serializing_if = "Annotations::is_empty")]
    pub annotations: Annotations,
}

/// The hints MCP lets a server attach to a tool. Hints, not guarantees: a server's word.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Annotations {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub read_only_hint: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub destructive_hint: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub idempotent_hint: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub open_world_hint: Option<bool>,
}

impl Annotations {
    pub fn is_empty(&self) -> bool {
        *self == Annotations::default()
    }
}

/// A `tools/list` answer: `{"tools": [...]}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ToolList {
    pub tools: Vec<ToolInfo>,
}

/// The tools of one configured server, under its configuration key.
#[derive(Debug, Clone, PartialEq)]
pub struct ServerTools {
    pub server: String,
    pub tools: Vec<ToolInfo>,
}

impl ServerTools {
    /// The tool this server calls `name`.
    pub fn tool(&self, name: &str) -> Option<&ToolInfo> {
        self.tools.iter().find(|t| t.name == name)
    }
}

/// `server`'s tool `tool` in a catalog.
pub fn find_tool<'a>(catalog: &'a [ServerTools], server: &str, tool: &str) -> Option<&'a ToolInfo> {
    catalog.iter().find(|s| s.server == server)?.tool(tool)
}

fn empty_object_schema() -> Value {
    let mut schema = Map::new();
    schema.insert("type".into(), Value::String("object".into()));
    Value::Object(schema)
}
