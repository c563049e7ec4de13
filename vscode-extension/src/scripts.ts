// Which files are agent scripts, as the server decides: `*.mcp.ts` anywhere, and `.ts`
// files under the configuration's `codemode.scripts` folders (relative to its folder).
// Pure: nothing here imports vscode.

import * as path from "node:path";

/** The language id the extension gives agent scripts. */
export const LANGUAGE_ID = "codemode-script";

/** Whether `file` is a `.ts` file under one of `folders` of `base`. */
export function inScriptsFolder(file: string, base: string | undefined, folders: string[] | undefined): boolean {
  if (!base || !folders?.length || !file.endsWith(".ts")) return false;
  const relative = path.relative(base, file);
  if (relative.startsWith("..") || path.isAbsolute(relative)) return false;
  const parts = relative.split(path.sep);
  return folders.some((folder) => {
    const wanted = folder.replace(/^\.\//, "").replace(/[/\\]+$/, "").split(/[/\\]/).filter((p) => p !== "");
    return wanted.length > 0 && wanted.length < parts.length && wanted.every((part, i) => parts[i] === part);
  });
}
