// @utcp/code-mode, set up the way its README shows: one manual of MCP servers (stdio, through
// @utcp/mcp). UTCP logs every tool call with console.log; that is silenced, so a peer's
// standard output carries only its JSON answer (`quiet.print`).
import { CodeModeUtcpClient } from "@utcp/code-mode";
import "@utcp/mcp";

const print = console.log.bind(console);
console.log = () => {};
export const quiet = { print };

/** A CodeModeUtcpClient with the `servers` (a codemode.json's `mcpServers`) as manual `name`. */
export async function utcpClient(name, servers) {
  const client = await CodeModeUtcpClient.create();
  const mcpServers = Object.fromEntries(
    Object.entries(servers).map(([server, spec]) => [server, { transport: "stdio", args: [], ...spec }]),
  );
  await client.registerManual({ name, call_template_type: "mcp", config: { mcpServers } });
  return client;
}
