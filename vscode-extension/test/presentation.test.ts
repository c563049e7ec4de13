import { strict as assert } from "node:assert";
import { test } from "node:test";
import { annotationHints, contentPage, declarationLine, serverDescription, statusText, toolText } from "../src/presentation";
import type { ServerInfo } from "../src/protocol";

test("the status bar: starting, ready, failed, checking, running", () => {
  assert.match(statusText(undefined, 0).text, /starting/);
  const ready = { state: "ready" as const, servers: { ready: 2, failed: 0 }, tools: 16, checking: 0, config: "/w/codemode.json" };
  assert.deepEqual(
    [statusText(ready, 0).text, statusText(ready, 0).warning],
    ["$(plug) 2/2 servers · 16 tools", false],
  );
  assert.match(statusText(ready, 0).tooltip, /\/w\/codemode\.json/);
  const failed = { ...ready, servers: { ready: 1, failed: 1 } };
  assert.equal(statusText(failed, 0).text, "$(warning) 1/2 servers · 16 tools");
  assert.equal(statusText(failed, 0).warning, true);
  assert.match(statusText({ ...ready, checking: 1 }, 0).text, /checking$/);
  assert.match(statusText({ ...ready, checking: 1 }, 1).text, /running$/);
  const native = { ...ready, typescript: { kind: "native" as const, version: "7.0.2", binary: "/p/tsc" } };
  assert.match(statusText(native, 0).tooltip, /Checked with TypeScript 7\.0\.2 \(native\)/);
  const fellBack = { ...ready, typescript: { kind: "embedded" as const, version: "6.0.3", note: "TypeScript 7.0.2 failed: TypeScript 7 exited" } };
  assert.match(statusText(fellBack, 0).tooltip, /Checked with TypeScript 6\.0\.3 \(embedded\): TypeScript 7\.0\.2 failed/);
});

const memory: ServerInfo = {
  name: "memory",
  namespace: "memory",
  transport: "node server-memory",
  status: "ready",
  tools: [
    { name: "create_entities", function: "createEntities", description: "Create entities\nin the graph", permitted: true },
    { name: "delete_entities", function: "deleteEntities", annotations: { destructiveHint: true }, permitted: false },
  ],
};

test("a server's description counts the tools scripts can use", () => {
  assert.deepEqual(serverDescription(memory), {
    description: "1 tool (1 hidden)",
    tooltip: "memory: ready, 1 tool, 1 hidden by allowTools/denyTools\nnode server-memory",
  });
  const failed = serverDescription({ name: "git", transport: "python3 -m mcp_server_git", status: "failed", error: "exited", stderr: ["Traceback"] });
  assert.equal(failed.description, "failed");
  assert.match(failed.tooltip, /exited[\s\S]*Traceback/);
});

test("a tool shows as namespace.function with its first description line", () => {
  const text = toolText(memory, memory.tools![0]);
  assert.equal(text.label, "memory.createEntities");
  assert.equal(text.description, "Create entities");
  assert.match(text.tooltip, /MCP tool `create_entities`/);
  assert.match(toolText(memory, memory.tools![1]).tooltip, /hidden by allowTools\/denyTools, destructive/);
});

test("annotations in words", () => {
  assert.deepEqual(annotationHints({ readOnlyHint: true, idempotentHint: true, openWorldHint: false }), ["read-only", "idempotent", "closed-world"]);
  assert.deepEqual(annotationHints(undefined), []);
});

test("a tool's declaration is found in its own namespace only", () => {
  const api = [
    "declare namespace a {",
    "  function read(input: X): Promise<ToolResult>;",
    "}",
    "declare namespace b {",
    "  /** doc */",
    "  function read(input: Y): Promise<ToolResult>;",
    "}",
    "declare namespace c {",
    "  /** Reads it · read-only */ function read(input: { path: string }): Promise<ToolResult>;",
    "}",
  ].join("\n");
  assert.equal(declarationLine(api, "b", "read"), 5);
  assert.equal(declarationLine(api, "a", "read"), 1);
  assert.equal(declarationLine(api, "c", "read"), 8, "a one-line doc on the function's line");
  assert.equal(declarationLine(api, "d", "read"), -1);
});

test("a run's content blocks: images inline, nothing a server sent escapes into the page", () => {
  const page = contentPage("chart.mcp.ts", [
    { type: "image", data: "iVBORw0K\nGgo=", mimeType: "image/png" },
    { type: "image", data: "x\" onerror=\"alert(1)", mimeType: "image/png" },
    { type: "resource_link", uri: "test://static/<b>1</b>", name: "Resource <1>" },
  ]);
  assert.match(page, /<img src="data:image\/png;base64,iVBORw0KGgo=" alt="content block 1">/);
  assert.match(page, /content block 2: image with an unusable media type or data/);
  assert.doesNotMatch(page, /onerror/);
  assert.match(page, /resource link Resource &#60;1&#62; — test:\/\/static\/&#60;b&#62;1&#60;\/b&#62;/);
  assert.match(page, /default-src 'none'; img-src data:/);
  assert.match(page, /3 content blocks/);
});
