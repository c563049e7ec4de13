// The warm peer of codemode's checker benchmark: TypeScript 6.0.3 on Node, used the way an
// editor or agent host keeps it warm (a language service over the same files), doing the
// same work: a first check, then re-checks of the script after a one-line edit each.
//
//   node check6.mjs API.d.ts SCRIPT.ts EDITS PAUSE_MS
//     ->  {"firstMs": ..., "recheckMs": [...], "completionMs": [...]}
//
// completionMs: after typing `memory.` on a new last line, the time to its completions.
//
// Between edits it waits PAUSE_MS (as between keystrokes), as codemode's side does.
import { readFileSync } from "node:fs";
import ts from "typescript6";

const [apiPath, scriptPath, editsArg, pauseArg] = process.argv.slice(2);
const api = readFileSync(apiPath, "utf8");
const original = readFileSync(scriptPath, "utf8");
const libDir = new URL("./node_modules/typescript6/lib/", import.meta.url).pathname;
const options = {
  strict: true,
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.ESNext,
  moduleDetection: ts.ModuleDetectionKind.Force,
  lib: ["lib.es2023.d.ts"],
  types: [],
  noEmit: true,
  skipLibCheck: true,
};
const files = new Map([["/api.d.ts", { text: api, version: 1 }], ["/script.ts", { text: original, version: 1 }]]);
const host = {
  getCompilationSettings: () => options,
  getScriptFileNames: () => ["/api.d.ts", "/script.ts"],
  getScriptVersion: (name) => String(files.get(name)?.version ?? 0),
  getScriptSnapshot: (name) => {
    const text = files.get(name)?.text ?? (name.startsWith(libDir) ? readFileSync(name, "utf8") : undefined);
    return text === undefined ? undefined : ts.ScriptSnapshot.fromString(text);
  },
  getCurrentDirectory: () => "/",
  getDefaultLibFileName: (o) => libDir + ts.getDefaultLibFileName(o),
  fileExists: (name) => files.has(name) || (name.startsWith(libDir) && ts.sys.fileExists(name)),
  readFile: (name) => files.get(name)?.text ?? (name.startsWith(libDir) ? ts.sys.readFile(name) : undefined),
};
const service = ts.createLanguageService(host, ts.createDocumentRegistry());
const check = () => {
  const diagnostics = [...service.getSyntacticDiagnostics("/script.ts"), ...service.getSemanticDiagnostics("/script.ts")];
  if (diagnostics.length > 0) throw new Error(ts.flattenDiagnosticMessageText(diagnostics[0].messageText, "\n"));
};
let started = performance.now();
check();
const firstMs = performance.now() - started;
const recheckMs = [];
for (let i = 0; i < Number(editsArg); i++) {
  await new Promise((resolve) => setTimeout(resolve, Number(pauseArg)));
  const script = files.get("/script.ts");
  files.set("/script.ts", { text: original.replace("seen by the nightly job", `seen by the nightly job ${i}`), version: script.version + 1 });
  started = performance.now();
  check();
  recheckMs.push(performance.now() - started);
}
// Completion after typing `memory.` on a new last line, as the language server benchmark does.
const completionMs = [];
for (let i = 0; i < Number(editsArg); i++) {
  await new Promise((resolve) => setTimeout(resolve, Number(pauseArg)));
  const script = files.get("/script.ts");
  const typed = original + (original.endsWith("\n") ? "" : "\n") + "memory.";
  files.set("/script.ts", { text: typed, version: script.version + 1 });
  started = performance.now();
  const found = service.getCompletionsAtPosition("/script.ts", typed.length, {});
  completionMs.push(performance.now() - started);
  if (!found || !found.entries.some((e) => e.name === "readGraph")) throw new Error("no completion of memory.");
  files.set("/script.ts", { text: original, version: script.version + 2 });
  check();
}
process.stdout.write(JSON.stringify({ firstMs, recheckMs, completionMs }));
