// A real MCP client for the end-to-end tests: the official TypeScript MCP SDK's `Client`,
// driven one JSON command per line on stdin, one JSON answer per line on stdout.
//
//   node mcp_client.mjs SDK_DIR
//
// Commands:
//   {"op": "connect", "stdio": {"command", "args", "cwd", "env"}}   or  "http": {"url", "token"}
//        optional "elicitation": "accept" | "decline" (declares the capability and answers so,
//        after "elicitationDelayMs"; an accept carries "elicitationContent", default {})
//   {"op": "listTools"}
//   {"op": "call", "name", "arguments", "progress": bool, "cancelAfterMs": n,
//    "cancelAfterProgress": n (cancels once n progress notifications came)}
//   {"op": "close"}
// Answers: {"ok": true, ...} or {"ok": false, "error": message}. A call's answer carries the
// tool result, its content's size in bytes, the progress notifications and the elicitation
// requests seen during it, and how long it took.

import { createInterface } from "node:readline";
import { pathToFileURL } from "node:url";

const sdk = process.argv[2];
const load = (path) => import(pathToFileURL(`${sdk}/dist/esm/${path}`).href);
const { Client } = await load("client/index.js");
const { StdioClientTransport } = await load("client/stdio.js");
const { StreamableHTTPClientTransport } = await load("client/streamableHttp.js");
const { ElicitRequestSchema, ToolListChangedNotificationSchema } = await load("types.js");

let client = null;
let elicitations = [];
let listChanged = 0;
let stderr = "";

async function connect(command) {
  const capabilities = command.elicitation ? { elicitation: { form: {} } } : {};
  client = new Client({ name: "codemode-e2e", version: "1.0.0" }, { capabilities });
  elicitations = [];
  if (command.elicitation) {
    client.setRequestHandler(ElicitRequestSchema, async (request) => {
      elicitations.push(request.params);
      await new Promise((resolve) => setTimeout(resolve, command.elicitationDelayMs ?? 0));
      return command.elicitation === "accept"
        ? { action: "accept", content: command.elicitationContent ?? {} }
        : { action: "decline" };
    });
  }
  client.setNotificationHandler(ToolListChangedNotificationSchema, () => {
    listChanged += 1;
  });
  let transport;
  if (command.stdio) {
    transport = new StdioClientTransport({
      command: command.stdio.command,
      args: command.stdio.args ?? [],
      cwd: command.stdio.cwd,
      env: { ...process.env, ...(command.stdio.env ?? {}) },
      stderr: "pipe",
    });
    transport.stderr?.on("data", (chunk) => {
      stderr = (stderr + chunk.toString()).slice(-20000);
    });
  } else {
    const headers = command.http.token ? { Authorization: `Bearer ${command.http.token}` } : {};
    transport = new StreamableHTTPClientTransport(new URL(command.http.url), {
      requestInit: { headers },
    });
  }
  await client.connect(transport);
  return { server: client.getServerVersion(), capabilities: client.getServerCapabilities() };
}

async function call(command) {
  const progress = [];
  const seen = elicitations.length;
  const options = { timeout: 120000 };
  const controller = new AbortController();
  options.signal = controller.signal;
  if (command.progress || command.cancelAfterProgress) {
    options.onprogress = (p) => {
      progress.push(p);
      if (progress.length === command.cancelAfterProgress) controller.abort("cancelled by the test");
    };
  }
  if (command.cancelAfterMs) {
    setTimeout(() => controller.abort("cancelled by the test"), command.cancelAfterMs);
  }
  const started = performance.now();
  try {
    const result = await client.callTool(
      { name: command.name, arguments: command.arguments ?? {} },
      undefined,
      options,
    );
    return {
      ok: true,
      result,
      contentBytes: Buffer.byteLength(JSON.stringify(result.content)),
      text: result.content.filter((c) => c.type === "text").map((c) => c.text).join("\n"),
      progress,
      elicitations: elicitations.slice(seen),
      ms: performance.now() - started,
    };
  } catch (error) {
    return { ok: false, error: String(error?.message ?? error), progress, ms: performance.now() - started };
  }
}

const handlers = {
  connect,
  listTools: async () => {
    const list = await client.listTools();
    return { tools: list.tools, bytes: Buffer.byteLength(JSON.stringify(list.tools)), listChanged };
  },
  call,
  close: async () => {
    await client?.close();
    client = null;
    return { stderr };
  },
};

const lines = createInterface({ input: process.stdin });
for await (const line of lines) {
  if (!line.trim()) continue;
  let answer;
  try {
    const command = JSON.parse(line);
    const handler = handlers[command.op];
    if (!handler) throw new Error(`unknown op ${command.op}`);
    answer = { ok: true, ...(await handler(command)) };
  } catch (error) {
    answer = { ok: false, error: String(error?.stack ?? error), stderr };
  }
  process.stdout.write(JSON.stringify(answer) + "\n");
}
await client?.close();
