// What the extension's manifest promises about workspace trust: a workspace's settings can
// never choose what runs (the binary, its arguments, the TypeScript), and in Restricted Mode
// the extension runs limited, leaving the workspace's MCP configuration to codemode's own
// trust question.
import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";

// The tests run from out/test/, two folders below the manifest.
const manifest = JSON.parse(readFileSync(join(__dirname, "..", "..", "package.json"), "utf8"));
const settings: Record<string, { scope?: string }> = manifest.contributes.configuration.properties;
const runs = ["codemode.server.path", "codemode.server.extraArgs", "codemode.typescript"];

test("settings that choose what runs are user settings only", () => {
  for (const name of runs) {
    assert.ok(settings[name], `${name} is declared`);
    assert.ok(
      ["machine", "application"].includes(settings[name].scope ?? "window"),
      `${name} has scope ${settings[name].scope}, which a workspace can set`,
    );
  }
});

test("restricted mode is limited, and restricts what runs", () => {
  const untrusted = manifest.capabilities?.untrustedWorkspaces;
  assert.equal(untrusted?.supported, "limited");
  assert.deepEqual([...untrusted.restrictedConfigurations].sort(), [...runs].sort());
  assert.ok(untrusted.description.length > 0);
});
