//! A zero-work MCP server over stdio: one tool, `noop`, that answers "ok" at once. The floor
//! against which per-call overhead and fan-out are measured, for codemode and its peers alike.

use rmcp::{ServiceExt, tool, tool_router};

#[derive(Clone)]
struct Zero;

#[tool_router(server_handler)]
impl Zero {
    #[tool(description = "Do nothing and answer \"ok\".")]
    async fn noop(&self) -> String {
        "ok".to_string()
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let service = match Zero.serve(rmcp::transport::stdio()).await {
        Ok(service) => service,
        Err(error) => {
            eprintln!("zero-server: {error}");
            std::process::exit(1);
        }
    };
    let _ = service.waiting().await;
}
