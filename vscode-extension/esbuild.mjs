// Bundles the extension (src/extension.ts → out/extension.js) with esbuild, or the unit
// tests (test/*.test.ts → out/test/) with --tests. `vscode` is provided by the editor.
import { build, context } from "esbuild";
import { readdirSync } from "node:fs";

const args = new Set(process.argv.slice(2));
const production = args.has("--production");

const common = {
  bundle: true,
  platform: "node",
  format: "cjs",
  target: "node20",
  external: ["vscode"],
  logLevel: "warning",
};

const options = args.has("--tests")
  ? {
      ...common,
      entryPoints: readdirSync("test")
        .filter((name) => name.endsWith(".test.ts"))
        .map((name) => `test/${name}`),
      outdir: "out/test",
      sourcemap: "inline",
    }
  : {
      ...common,
      entryPoints: ["src/extension.ts"],
      outfile: "out/extension.js",
      minify: production,
      sourcemap: !production,
    };

if (args.has("--watch")) {
  await (await context(options)).watch();
} else {
  await build(options);
}
