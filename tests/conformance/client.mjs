// The conformance suite's client under test: codemode's host, driven as a user would.
//
// The suite runs `node client.mjs <server URL>` with the scenario's name in
// MCP_CONFORMANCE_SCENARIO. This writes a codemode.json naming that server, signs in first
// when the server asks for it (following the authorization URL the way a browser would:
// the suite's authorization server approves at once and redirects to codemode's callback),
// then lists the tools and calls each of them from one script. It exits with codemode's
// status; the suite judges what codemode sent.
//
// CODEMODE_BIN names the binary.

import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const url = process.argv.at(-1);
const bin = process.env.CODEMODE_BIN ?? "codemode";
const dir = mkdtempSync(join(tmpdir(), "codemode-conformance-"));
// What the scenario hands a client: pre-registered credentials, for one.
const context = JSON.parse(process.env.MCP_CONFORMANCE_CONTEXT ?? "{}");
const oauth = {};
if (context.client_id) oauth.clientId = context.client_id;
if (context.client_secret) oauth.clientSecret = context.client_secret;
// A codemode deployment that publishes a client ID metadata document names it here; the
// suite expects this one.
if (process.env.MCP_CONFORMANCE_SCENARIO === "auth/basic-cimd") {
  oauth.clientMetadataUrl = "https://conformance-test.local/client-metadata.json";
}
const entry = { url, startupTimeout: 20 };
if (Object.keys(oauth).length > 0) entry.oauth = oauth;
// Questions the server asks while a tool runs reach the person (on the terminal).
const asks = process.env.MCP_CONFORMANCE_SCENARIO?.startsWith("elicitation");
const config = { mcpServers: { server: entry } };
if (asks) config.codemode = { elicitation: "ask" };
writeFileSync(join(dir, "codemode.json"), JSON.stringify(config));
const env = {
  ...process.env,
  HOME: dir,
  XDG_STATE_HOME: join(dir, "state"),
  CODEMODE_NO_USER_CONFIGS: "1",
};

// The person trusts the configuration they wrote.
const trusted = await codemode(["trust", join(dir, "codemode.json")]);
if (trusted.code !== 0) {
  console.error(`codemode trust failed: ${trusted.stderr}`);
  process.exit(1);
}

function codemode(args, onStderr) {
  return new Promise((resolve) => {
    const child = spawn(bin, args, { cwd: dir, env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => {
      stderr += d;
      onStderr?.(stderr);
    });
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

async function login() {
  let followed = false;
  const result = await codemode(["login", "server", "--no-browser"], async (stderr) => {
    const found = stderr.match(/^\s+(http\S+)$/m);
    if (!found || followed) return;
    followed = true;
    try {
      await fetch(found[1], { redirect: "follow" });
    } catch (error) {
      process.stderr.write(`client.mjs: following the sign-in URL failed: ${error}\n`);
    }
  });
  process.stderr.write(result.stderr);
  return result.code === 0;
}

// Signing in is the person's move: codemode says "run codemode login"; this does, at most
// three times in all (a server that never grants enough gets no endless loop).
let logins = 0;
async function signInAgain(output) {
  if (!output.includes("needs sign-in") || logins >= 3) return false;
  logins += 1;
  return await login();
}
let tools = await codemode(["tools", "--json"]);
while (await signInAgain(tools.stdout)) {
  tools = await codemode(["tools", "--json"]);
}
process.stderr.write(tools.stderr);
let listed;
try {
  listed = JSON.parse(tools.stdout);
} catch {
  process.stderr.write(tools.stdout);
  process.exit(1);
}
const server = listed.servers.find((s) => s.name === "server");
if (!server || server.status !== "ready") {
  process.stderr.write(`client.mjs: the server is not ready: ${JSON.stringify(server)}\n`);
  process.exit(1);
}
// One script calls every tool with the arguments its schema needs at least.
const calls = server.tools.map((tool) => {
  const input = {};
  for (const [name, schema] of Object.entries(tool.inputSchema?.properties ?? {})) {
    if (!(tool.inputSchema.required ?? []).includes(name)) continue;
    input[name] = schema.type === "number" || schema.type === "integer" ? 1 : schema.type === "boolean" ? true : "x";
  }
  return `  try { results[${JSON.stringify(tool.name)}] = await server.${tool.function}(${JSON.stringify(input)} as any); } catch (e) { results[${JSON.stringify(tool.name)}] = String(e); }`;
});
writeFileSync(join(dir, "all.ts"), `const results: Record<string, unknown> = {};\n${calls.join("\n")}\nexport default results;\n`);
// When the server asks questions, the run gets a terminal (a pseudo-terminal from Python's
// `pty`) and the person presses Enter at every prompt: the defaults.
function runOnATerminal(args) {
  return new Promise((resolve) => {
    const child = spawn(
      "python3",
      ["-c", "import pty, sys; sys.exit(pty.spawn(sys.argv[1:]) >> 8)", bin, ...args],
      { cwd: dir, env, stdio: ["pipe", "pipe", "pipe"] },
    );
    let stdout = "";
    child.stdout.on("data", (d) => {
      stdout += d;
      // Each prompt ends in ": " or "] "; answer it with Enter.
      if (/(: |\] )$/.test(stdout)) child.stdin.write("\n");
    });
    child.on("close", (code) => resolve({ code, stdout, stderr: "" }));
  });
}
const runOnce = () =>
  asks ? runOnATerminal(["run", "all.ts", "--no-check", "--yes"]) : codemode(["run", "all.ts", "--no-check", "--yes"]);
let run = await runOnce();
while (await signInAgain(run.stdout + run.stderr)) {
  run = await runOnce();
}
process.stdout.write(run.stdout);
process.stderr.write(run.stderr);
process.exit(run.code);
