// The realistic task of bench/scripts/task.ts written directly against the official
// TypeScript MCP SDK: the hand-written floor, with no sandbox and no model in between.
//
//   node task-sdk.mjs CONFIG REPO ROUNDS [TRANSCRIPT.json]
//     ->  {"result": ..., "connectMs": n, "taskMs": [...]}
//
// With TRANSCRIPT it also writes what plain tool calling puts in a model's context for the
// same task: the tool list (name, description, inputSchema of every tool) and every call's
// request and result text, with their bytes and tokens.
import { writeFileSync } from "node:fs";
import { closeAll, connectAll, serversOf, since, size } from "./servers.mjs";

const [configPath, repo, roundsArg, transcriptPath] = process.argv.slice(2);
const started = process.hrtime.bigint();
const clients = await connectAll(serversOf(configPath));
const connectMs = since(started);
// The first run's calls, when a transcript is wanted.
const calls = [];
let recording = Boolean(transcriptPath);
const call = async (server, name, args) => {
  const answer = await clients[server].callTool({ name, arguments: args });
  if (answer.isError) throw new Error(`${server}.${name}: ${JSON.stringify(answer.content)}`);
  const text = answer.content.filter((c) => c.type === "text").map((c) => c.text).join("\n");
  if (recording) calls.push({ request: JSON.stringify({ name, arguments: args }), result: text });
  return { text, structured: answer.structuredContent };
};

async function task() {
  const dir = `${repo}/server/src/lsp`;
  const log = await call("git", "git_log", { repo_path: repo, max_count: 30 });
  const subjects = [...log.text.matchAll(/^Message: (.*)$/gm)].map((m) => m[1]);
  const authors = new Set([...log.text.matchAll(/^Author: (.*)$/gm)].map((m) => m[1]));

  const listing = await call("filesystem", "list_directory", { path: dir });
  const names = listing.structured.content
    .split("\n")
    .filter((line) => line.startsWith("[FILE] ") && line.endsWith(".rs"))
    .map((line) => line.slice("[FILE] ".length))
    .sort();
  const files = await Promise.all(
    names.map(async (name) => {
      const file = await call("filesystem", "read_text_file", { path: `${dir}/${name}` });
      const lines = file.structured.content.split("\n");
      return { name, lines: lines.length, functions: lines.filter((l) => /^\s*(pub(\(crate\))? )?(async )?fn /.test(l)).length };
    }),
  );

  await call("memory", "create_entities", {
    entities: files.map((f) => ({
      name: `lsp/${f.name}`,
      entityType: "module",
      observations: [`${f.lines} lines`, `${f.functions} functions`],
    })),
  });
  await call("memory", "create_relations", {
    relations: files.map((f) => ({ from: `lsp/${f.name}`, to: "codemode", relationType: "part_of" })),
  });
  const modules = await call("memory", "search_nodes", { query: "module" });
  const now = await call("time", "get_current_time", { timezone: "Europe/Paris" });

  return {
    commits: subjects.length,
    authors: authors.size,
    latest: subjects.slice(0, 3),
    files: files.length,
    lines: files.reduce((sum, f) => sum + f.lines, 0),
    biggest: [...files].sort((a, b) => b.lines - a.lines || a.name.localeCompare(b.name)).slice(0, 3).map((f) => f.name),
    modules: modules.structured.entities.length,
    at: now.structured.timezone,
  };
}

let result;
const taskMs = [];
for (let i = 0; i < Number(roundsArg); i++) {
  const t = process.hrtime.bigint();
  result = await task();
  recording = false;
  taskMs.push(since(t));
}

if (transcriptPath) {
  const tools = [];
  for (const client of Object.values(clients)) {
    for (const tool of (await client.listTools()).tools) {
      tools.push({ name: tool.name, description: tool.description, inputSchema: tool.inputSchema });
    }
  }
  const total = (key) => calls.reduce((sum, c) => ({ bytes: sum.bytes + size(c[key]).bytes, tokens: sum.tokens + size(c[key]).tokens }), { bytes: 0, tokens: 0 });
  writeFileSync(transcriptPath, JSON.stringify({
    tools: tools.length,
    toolList: size(JSON.stringify(tools)),
    calls: calls.length,
    requests: total("request"),
    results: total("result"),
  }));
}
await closeAll(clients);
console.log(JSON.stringify({ result, connectMs, taskMs }));
