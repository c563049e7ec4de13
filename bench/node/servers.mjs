// What the Node peers share: the configuration's MCP servers, connected with the official
// TypeScript MCP SDK, and the token count of a text (o200k_base, the encoding of OpenAI's
// current models; no tokenizer is exact for every model, the ratios are what matter).
import { readFileSync } from "node:fs";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { countTokens } from "gpt-tokenizer/encoding/o200k_base";

/** The `mcpServers` of a codemode.json. */
export function serversOf(configPath) {
  return JSON.parse(readFileSync(configPath, "utf8")).mcpServers;
}

/** One SDK client per server, connected: {name: Client}. */
export async function connectAll(servers) {
  const entries = await Promise.all(
    Object.entries(servers).map(async ([name, spec]) => {
      const client = new Client({ name: "codemode-bench", version: "0" });
      await client.connect(
        new StdioClientTransport({
          command: spec.command,
          args: spec.args ?? [],
          env: { ...process.env, ...(spec.env ?? {}) },
          stderr: "ignore",
        }),
      );
      return [name, client];
    }),
  );
  return Object.fromEntries(entries);
}

export async function closeAll(clients) {
  await Promise.all(Object.values(clients).map((client) => client.close()));
}

/** Bytes (UTF-8) and tokens of `text`. */
export function size(text) {
  return { bytes: Buffer.byteLength(text), tokens: countTokens(text) };
}

/** Milliseconds since `start` (a `process.hrtime.bigint()`). */
export function since(start) {
  return Number(process.hrtime.bigint() - start) / 1e6;
}
