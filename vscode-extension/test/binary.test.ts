import { strict as assert } from "node:assert";
import { test } from "node:test";
import { findServer, serverEnvironment, type Lookup } from "../src/binary";

const base = (executables: string[], overrides: Partial<Lookup> = {}): Lookup => ({
  setting: "",
  extensionPath: "/ext",
  workspaceFolder: "/work",
  platform: "linux",
  pathVariable: "/usr/local/bin:/usr/bin",
  isExecutable: (file) => executables.includes(file),
  ...overrides,
});

test("the setting wins over the bundled binary and PATH", () => {
  const found = findServer(base(["/opt/codemode", "/ext/bin/codemode", "/usr/bin/codemode"], { setting: "/opt/codemode" }));
  assert.deepEqual(found, { ok: true, path: "/opt/codemode", source: "setting" });
});

test("a relative setting is taken from the workspace folder", () => {
  const found = findServer(base(["/work/target/debug/codemode"], { setting: "target/debug/codemode" }));
  assert.deepEqual(found, { ok: true, path: "/work/target/debug/codemode", source: "setting" });
});

test("a setting that points nowhere is an error naming the setting, not a silent fallback", () => {
  const found = findServer(base(["/ext/bin/codemode"], { setting: "/nope/codemode" }));
  assert.equal(found.ok, false);
  assert.match(!found.ok ? found.message : "", /codemode\.server\.path is "\/nope\/codemode"/);
});

test("the bundled binary comes before PATH", () => {
  const found = findServer(base(["/ext/bin/codemode", "/usr/bin/codemode"]));
  assert.deepEqual(found, { ok: true, path: "/ext/bin/codemode", source: "bundled" });
});

test("PATH is searched in order", () => {
  const found = findServer(base(["/usr/bin/codemode", "/usr/local/bin/codemode"]));
  assert.deepEqual(found, { ok: true, path: "/usr/local/bin/codemode", source: "PATH" });
});

test("Windows looks for codemode.exe and splits PATH at semicolons", () => {
  const found = findServer(
    base(["C:\\tools\\codemode.exe"], { platform: "win32", pathVariable: "C:\\bin;C:\\tools", extensionPath: "C:\\ext" }),
  );
  assert.deepEqual(found, { ok: true, path: "C:\\tools\\codemode.exe", source: "PATH" });
});

test("nothing found: the message says how to fix it", () => {
  const found = findServer(base([]));
  assert.equal(found.ok, false);
  const message = !found.ok ? found.message : "";
  assert.match(message, /not found/);
  assert.match(message, /codemode\.server\.path/);
  assert.match(message, /cargo install/);
});

test("codemode.typescript reaches codemode lsp as CODEMODE_TYPESCRIPT, relative to the workspace", () => {
  const env = { PATH: "/usr/bin" };
  assert.deepEqual(serverEnvironment("", "/work", env), { PATH: "/usr/bin" });
  assert.equal(serverEnvironment(" embedded ", "/work", env).CODEMODE_TYPESCRIPT, "embedded");
  assert.equal(serverEnvironment("/opt/tsgo/tsc", "/work", env).CODEMODE_TYPESCRIPT, "/opt/tsgo/tsc");
  assert.equal(
    serverEnvironment("node_modules/@typescript/typescript-linux-x64/lib/tsc", "/work", env).CODEMODE_TYPESCRIPT,
    "/work/node_modules/@typescript/typescript-linux-x64/lib/tsc",
  );
  assert.equal(env.PATH, "/usr/bin");
});
