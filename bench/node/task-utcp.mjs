// The realistic task of bench/scripts/task.ts for @utcp/code-mode: the same steps as a script
// run by `callToolChain` in isolated-vm, the servers registered through @utcp/mcp. Its tool
// calls are synchronous inside the isolate (`manual.server_tool(args)`, no await), so the
// files are read one after another.
//
//   node task-utcp.mjs CONFIG REPO ROUNDS   (Node 24: isolated-vm 6 needs it)
//     ->  {"result": ..., "connectMs": n, "taskMs": [...]}
import { quiet, utcpClient } from "./utcp.mjs";
import { serversOf, since } from "./servers.mjs";

const [configPath, repo, roundsArg] = process.argv.slice(2);
const started = process.hrtime.bigint();
const client = await utcpClient("task", serversOf(configPath));
const connectMs = since(started);

const code = `
  const repo = ${JSON.stringify(repo)};
  const dir = repo + "/server/src/lsp";
  const log = task.git_git_log({ repo_path: repo, max_count: 30 });
  const subjects = [...log.matchAll(/^Message: (.*)$/gm)].map((m) => m[1]);
  const authors = new Set([...log.matchAll(/^Author: (.*)$/gm)].map((m) => m[1]));

  const listing = task.filesystem_list_directory({ path: dir });
  const names = listing
    .split("\\n")
    .filter((line) => line.startsWith("[FILE] ") && line.endsWith(".rs"))
    .map((line) => line.slice("[FILE] ".length))
    .sort();
  const files = names.map((name) => {
    const lines = task.filesystem_read_text_file({ path: dir + "/" + name }).split("\\n");
    return { name, lines: lines.length, functions: lines.filter((l) => /^\\s*(pub(\\(crate\\))? )?(async )?fn /.test(l)).length };
  });

  task.memory_create_entities({
    entities: files.map((f) => ({
      name: "lsp/" + f.name,
      entityType: "module",
      observations: [f.lines + " lines", f.functions + " functions"],
    })),
  });
  task.memory_create_relations({
    relations: files.map((f) => ({ from: "lsp/" + f.name, to: "codemode", relationType: "part_of" })),
  });
  const modules = task.memory_search_nodes({ query: "module" });
  const now = task.time_get_current_time({ timezone: "Europe/Paris" });

  return {
    commits: subjects.length,
    authors: authors.size,
    latest: subjects.slice(0, 3),
    files: files.length,
    lines: files.reduce((sum, f) => sum + f.lines, 0),
    biggest: [...files].sort((a, b) => b.lines - a.lines || a.name.localeCompare(b.name)).slice(0, 3).map((f) => f.name),
    modules: modules.entities.length,
    at: now.timezone,
  };`;

let result;
const taskMs = [];
for (let i = 0; i < Number(roundsArg); i++) {
  const t = process.hrtime.bigint();
  const answer = await client.callToolChain(code, 60_000);
  taskMs.push(since(t));
  if (answer.result === null || answer.result === undefined) {
    throw new Error(`the task failed: ${answer.logs.join("\n")}`);
  }
  result = answer.result;
}
await client.close();
quiet.print(JSON.stringify({ result, connectMs, taskMs }));
process.exit(0);
