//! An MCP server over stdio that lists the tools of one real server's recorded `tools/list`
//! answer (`tests/corpus/schemas/NAME.json`), the first `TAKE` of them; calls are refused.
//! The language-server benchmark configures a set of these as its 100-tool API.
//!
//!   corpus-server SCHEMA.json TAKE

use rmcp::model::{
    CallToolRequestParams, CallToolResponse, ErrorData, ListToolsResult, PaginatedRequestParams,
    ServerCapabilities, ServerConfig,
};
use rmcp::service::{RequestContext, RoleServer};
use rmcp::{ServerHandler, ServiceExt};

struct Corpus {
    tools: ListToolsResult,
}

impl ServerHandler for Corpus {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
    }

    async fn list_tools(
        &self,
        _: Option<PaginatedRequestParams>,
        _: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        Ok(self.tools.clone())
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        _: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        Err(ErrorData::invalid_request(
            format!("{}: the corpus server only lists tools", request.name),
            None,
        ))
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [path, take] = args.as_slice() else {
        eprintln!("usage: corpus-server SCHEMA.json TAKE");
        std::process::exit(2);
    };
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| {
        eprintln!("corpus-server: cannot read {path}: {e}");
        std::process::exit(2);
    });
    let mut list: serde_json::Value = serde_json::from_str(&text).expect("a tools/list answer");
    let take: usize = take.parse().expect("TAKE is a number");
    if let Some(tools) = list["tools"].as_array_mut() {
        tools.truncate(take);
    }
    let tools: ListToolsResult = serde_json::from_value(list).expect("a tools/list answer");
    let service = match (Corpus { tools }).serve(rmcp::transport::stdio()).await {
        Ok(service) => service,
        Err(error) => {
            eprintln!("corpus-server: {error}");
            std::process::exit(1);
        }
    };
    let _ = service.waiting().await;
}
