// The realistic task through `codemode serve`, as an agent does it: an MCP client (the
// official SDK) calls the facade's `execute` with bench/scripts/task.ts, which codemode
// type-checks and runs, its tool calls going to the configured servers.
//
//   node task-serve.mjs CODEMODE CONFIG SCRIPT ROUNDS [TRANSCRIPT.json]
//     ->  {"result": ..., "connectMs": n, "taskMs": [...]}
//
// With TRANSCRIPT it also writes what the model reads and writes in Code Mode for the task:
// the facade's tool list, a `get_types` of the four servers (request and answer), the script
// (the `execute` request) and its answer, with their bytes and tokens; and, as an agent that
// searched first would, a `get_types` of only the seven tools the script calls.
import { readFileSync, writeFileSync } from "node:fs";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { serversOf, since, size } from "./servers.mjs";

const USED = [
  "git.gitLog", "filesystem.listDirectory", "filesystem.readTextFile", "memory.createEntities",
  "memory.createRelations", "memory.searchNodes", "time.getCurrentTime",
];
const [codemode, configPath, scriptPath, roundsArg, transcriptPath] = process.argv.slice(2);
const code = readFileSync(scriptPath, "utf8");

const started = process.hrtime.bigint();
const client = new Client({ name: "codemode-bench", version: "0" });
await client.connect(
  new StdioClientTransport({ command: codemode, args: ["serve", "--config", configPath], stderr: "ignore" }),
);
const connectMs = since(started);

const call = async (name, args) => {
  const answer = await client.callTool({ name, arguments: args }, undefined, { timeout: 120_000 });
  const text = answer.content.filter((c) => c.type === "text").map((c) => c.text).join("\n");
  if (answer.isError) throw new Error(`${name} failed: ${text}`);
  return { text, structured: answer.structuredContent };
};

let answer;
const taskMs = [];
for (let i = 0; i < Number(roundsArg); i++) {
  const t = process.hrtime.bigint();
  answer = await call("execute", { code });
  taskMs.push(since(t));
}
// The answer reads "result: <JSON>" then a line of the run's summary ("— 14 tool calls …").
const text = answer.text;
const result = JSON.parse(text.slice(text.indexOf("result: ") + "result: ".length, text.lastIndexOf("\n— ")));

if (transcriptPath) {
  const tools = (await client.listTools()).tools.map((tool) => ({
    name: tool.name,
    description: tool.description,
    inputSchema: tool.inputSchema,
  }));
  const typesRequest = { name: "get_types", arguments: { servers: Object.keys(serversOf(configPath)) } };
  const types = await call(typesRequest.name, typesRequest.arguments);
  // What an agent that searched first would ask for: the seven tools the script calls.
  const usedRequest = { name: "get_types", arguments: { tools: USED } };
  const used = await call(usedRequest.name, usedRequest.arguments);
  writeFileSync(transcriptPath, JSON.stringify({
    tools: tools.length,
    toolList: size(JSON.stringify(tools)),
    typesRequest: size(JSON.stringify(typesRequest)),
    types: size(types.text),
    usedRequest: size(JSON.stringify(usedRequest)),
    used: size(used.text),
    script: size(JSON.stringify({ name: "execute", arguments: { code } })),
    output: size(answer.text),
  }));
}
await client.close();
console.log(JSON.stringify({ result, connectMs, taskMs }));
