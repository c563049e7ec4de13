// Finds the `codemode` binary the extension starts: the `codemode.server.path` setting,
// then the binary bundled in a platform-specific build of the extension (`bin/`), then
// `codemode` on PATH. Pure: the file system and environment come in as arguments.

import * as path from "node:path";

export interface Lookup {
  /** The `codemode.server.path` setting ("" when unset). */
  setting: string;
  /** The extension's folder. */
  extensionPath: string;
  /** The first workspace folder, for a relative setting. */
  workspaceFolder?: string;
  platform: NodeJS.Platform;
  /** The PATH environment variable. */
  pathVariable: string;
  /** Whether `file` exists and can be executed. */
  isExecutable: (file: string) => boolean;
}

export type Found =
  | { ok: true; path: string; source: "setting" | "bundled" | "PATH" }
  | { ok: false; message: string };

export function findServer(lookup: Lookup): Found {
  const paths = lookup.platform === "win32" ? path.win32 : path.posix;
  const exe = lookup.platform === "win32" ? "codemode.exe" : "codemode";
  const setting = lookup.setting.trim();
  if (setting !== "") {
    const expanded = setting.startsWith("~/") && process.env.HOME ? paths.join(process.env.HOME, setting.slice(2)) : setting;
    const resolved =
      paths.isAbsolute(expanded) || !lookup.workspaceFolder ? expanded : paths.join(lookup.workspaceFolder, expanded);
    if (lookup.isExecutable(resolved)) return { ok: true, path: resolved, source: "setting" };
    return {
      ok: false,
      message: `codemode: the setting codemode.server.path is "${setting}", but no executable is there. Fix the path (or clear it to use the bundled binary or codemode on PATH).`,
    };
  }
  const bundled = paths.join(lookup.extensionPath, "bin", exe);
  if (lookup.isExecutable(bundled)) return { ok: true, path: bundled, source: "bundled" };
  const separator = lookup.platform === "win32" ? ";" : ":";
  for (const folder of lookup.pathVariable.split(separator)) {
    if (folder === "") continue;
    const candidate = paths.join(folder, exe);
    if (lookup.isExecutable(candidate)) return { ok: true, path: candidate, source: "PATH" };
  }
  return {
    ok: false,
    message:
      "codemode: the codemode binary was not found (this build of the extension bundles none, and it is not on PATH). " +
      "Install it (`cargo install --path server` in the codemode repository puts it on PATH) or set codemode.server.path to it.",
  };
}

/**
 * The environment of `codemode lsp`: the extension host's, with `CODEMODE_TYPESCRIPT` set
 * from the `codemode.typescript` setting when it is set (a path relative to the workspace
 * folder, or `embedded`).
 */
export function serverEnvironment(setting: string, workspaceFolder: string | undefined, env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const value = setting.trim();
  if (value === "") return { ...env };
  const keep = value === "embedded" || path.isAbsolute(value) || !workspaceFolder;
  const resolved = keep ? value : path.join(workspaceFolder, value);
  return { ...env, CODEMODE_TYPESCRIPT: resolved };
}
