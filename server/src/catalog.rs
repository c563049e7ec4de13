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
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ServerTools {
    pub server: String,
    pub tools: Vec<ToolInfo>,
    /// What else the server offers a script besides its tools.
    pub offers: Offers,
}

/// `resources/read`: how the policy and the audit log name a read of a resource.
pub const READ: &str = "resources/read";
/// `prompts/get`: how the policy and the audit log name getting a prompt.
pub const GET_PROMPT: &str = "prompts/get";

/// What a script asks of a server besides a tool call.
#[derive(Debug, Clone, PartialEq)]
pub enum ServerRequest {
    ListResources,
    ReadResource {
        uri: String,
    },
    ListTemplates,
    ListPrompts,
    GetPrompt {
        name: String,
        arguments: Map<String, Value>,
    },
}

impl ServerRequest {
    /// The MCP method, which also names the request in the policy and the audit log.
    pub fn method(&self) -> &'static str {
        match self {
            ServerRequest::ListResources => "resources/list",
            ServerRequest::ReadResource { .. } => READ,
            ServerRequest::ListTemplates => "resources/templates/list",
            ServerRequest::ListPrompts => "prompts/list",
            ServerRequest::GetPrompt { .. } => GET_PROMPT,
        }
    }
}

/// The MCP features besides tools a server declared (its `capabilities`), which the
/// generated API gives a script: `resources` (list, read, templates) and `prompts` (list,
/// get).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Offers {
    pub resources: bool,
    pub prompts: bool,
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
