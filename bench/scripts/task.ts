// The benchmark's realistic multi-step task, as a model would write it for codemode: survey a
// repository with four real MCP servers (git, filesystem, memory, time) and keep a note of it.
// `__REPO__` is replaced by the benchmark with the repository's path. The same task is written
// against the official MCP SDK (bench/node/task-sdk.mjs) and for @utcp/code-mode
// (bench/node/task-utcp.mjs); all must return the same summary.
const repo = "__REPO__";
const dir = `${repo}/server/src/lsp`;

// The last 30 commits: their subjects and authors.
const log = await git.gitLog({ repo_path: repo, max_count: 30 });
const subjects = [...log.text.matchAll(/^Message: (.*)$/gm)].map((m) => m[1]);
const authors = new Set([...log.text.matchAll(/^Author: (.*)$/gm)].map((m) => m[1]));

// Every Rust file of the language server, read at once, measured.
const listing = await filesystem.listDirectory({ path: dir });
const names = listing.content
  .split("\n")
  .filter((line) => line.startsWith("[FILE] ") && line.endsWith(".rs"))
  .map((line) => line.slice("[FILE] ".length))
  .sort();
const files = await Promise.all(
  names.map(async (name) => {
    const file = await filesystem.readTextFile({ path: `${dir}/${name}` });
    const lines = file.content.split("\n");
    return { name, lines: lines.length, functions: lines.filter((l) => /^\s*(pub(\(crate\))? )?(async )?fn /.test(l)).length };
  }),
);

// A note of it in the knowledge graph, then read back.
await memory.createEntities({
  entities: files.map((f) => ({
    name: `lsp/${f.name}`,
    entityType: "module",
    observations: [`${f.lines} lines`, `${f.functions} functions`],
  })),
});
await memory.createRelations({
  relations: files.map((f) => ({ from: `lsp/${f.name}`, to: "codemode", relationType: "part_of" })),
});
const modules = await memory.searchNodes({ query: "module" });
const now = await time.getCurrentTime({ timezone: "Europe/Paris" });

export default {
  commits: subjects.length,
  authors: authors.size,
  latest: subjects.slice(0, 3),
  files: files.length,
  lines: files.reduce((sum, f) => sum + f.lines, 0),
  biggest: [...files].sort((a, b) => b.lines - a.lines || a.name.localeCompare(b.name)).slice(0, 3).map((f) => f.name),
  modules: modules.entities.length,
  at: now.timezone,
};
