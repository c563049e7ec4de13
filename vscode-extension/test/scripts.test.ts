import { strict as assert } from "node:assert";
import { test } from "node:test";
import { inScriptsFolder } from "../src/scripts";

test("a .ts file under a scripts folder is an agent script", () => {
  assert.equal(inScriptsFolder("/w/agents/a.ts", "/w", ["agents"]), true);
  assert.equal(inScriptsFolder("/w/agents/deep/b.ts", "/w", ["./agents/"]), true);
  assert.equal(inScriptsFolder("/w/tools/x/c.ts", "/w", ["tools/x"]), true);
});

test("other files are not", () => {
  assert.equal(inScriptsFolder("/w/agents/a.js", "/w", ["agents"]), false);
  assert.equal(inScriptsFolder("/w/src/agents/a.ts", "/w", ["agents"]), false);
  assert.equal(inScriptsFolder("/w/agents2/a.ts", "/w", ["agents"]), false);
  assert.equal(inScriptsFolder("/w/agents.ts", "/w", ["agents"]), false);
  assert.equal(inScriptsFolder("/elsewhere/agents/a.ts", "/w", ["agents"]), false);
  assert.equal(inScriptsFolder("/w/agents/a.ts", undefined, ["agents"]), false);
  assert.equal(inScriptsFolder("/w/agents/a.ts", "/w", []), false);
});
