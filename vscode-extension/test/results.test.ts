import { strict as assert } from "node:assert";
import { test } from "node:test";
import type { RunReport } from "../src/protocol";
import { collapse, lineNotes, outputLines, summary } from "../src/results";

const report = (overrides: Partial<RunReport>): RunReport => ({
  ok: true,
  result: null,
  logs: [],
  toolCalls: [],
  error: null,
  diagnostics: [],
  checkMs: 5,
  durationMs: 42,
  droppedOutputBytes: 0,
  ...overrides,
});

test("each line gets its logs and tool calls, 0-based, in line order", () => {
  const notes = lineNotes(
    report({
      logs: [
        { level: "log", text: "found 3", line: 4 },
        { level: "warn", text: "slow", line: 2 },
        { level: "log", text: "no line" },
      ],
      toolCalls: [
        { server: "memory", tool: "read_graph", ok: true, ms: 12, bytes: 100, line: 2 },
        { server: "memory", tool: "read_graph", ok: false, ms: 3, bytes: 0, line: 2 },
      ],
    }),
  );
  assert.deepEqual(
    notes.map((n) => [n.line, n.text, n.error]),
    [
      [1, "warn: slow · memory.read_graph 12 ms · memory.read_graph 3 ms ✗", false],
      [3, "found 3", false],
    ],
  );
});

test("repeated entries collapse with a count", () => {
  assert.equal(collapse(["a", "a", "b", "a"]), "a ×3 · b");
  assert.equal(collapse(["1", "2", "3", "4", "5", "6"]), "1 · 2 · 3 · 4 · … 2 more");
});

test("a runtime error marks its line; a type error is left to the diagnostics", () => {
  const runtime = lineNotes(report({ ok: false, error: { kind: "runtime", message: "boom\nat x", line: 3, column: 7 } }));
  assert.deepEqual(runtime, [{ line: 2, text: "✗ runtime: boom ⏎ at x", details: ["✗ runtime: boom ⏎ at x"], error: true }]);
  const typed = lineNotes(report({ ok: false, error: { kind: "type", message: "1 type error", line: 1 } }));
  assert.deepEqual(typed, []);
});

test("long notes are cut", () => {
  const [note] = lineNotes(report({ logs: [{ level: "log", text: "x".repeat(500), line: 1 }] }));
  assert.equal([...note.text].length, 120);
  assert.ok(note.text.endsWith("…"));
  assert.equal(note.details[0].length, 500);
});

test("the summary and the output channel's lines", () => {
  assert.equal(summary(report({ toolCalls: [{ server: "s", tool: "t", ok: true, ms: 1, bytes: 10 }] })), "✓ 1 tool call · 42 ms");
  const lines = outputLines(
    report({
      logs: [{ level: "log", text: "a\nb", line: 1 }],
      toolCalls: [
        { server: "s", tool: "t", ok: true, ms: 1, bytes: 10, line: 1 },
        { server: "s", tool: "t", ok: true, ms: 1, bytes: 5, line: 1 },
      ],
      result: { n: 1 },
    }),
    "x.mcp.ts",
  );
  assert.deepEqual(lines, [
    "[log] x.mcp.ts:1  a",
    "[log] x.mcp.ts:1  b",
    'result: {"n":1}',
    "✓ 2 tool calls · 42 ms (s.t ×2) · 15 B of tool results kept out of the output",
  ]);
  const failed = outputLines(
    report({
      ok: false,
      error: { kind: "type", message: "1 type error" },
      diagnostics: [{ file: "x.mcp.ts", line: 2, column: 3, code: 2551, severity: "error", message: "no", hint: "try y" }],
    }),
    "x.mcp.ts",
  );
  assert.deepEqual(failed, ["x.mcp.ts:2:3 TS2551: no", "  hint: try y", "✗ type at x.mcp.ts: 1 type error", "✗ type: 1 type error"]);
});
