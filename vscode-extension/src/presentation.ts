// Texts of the status bar item and the MCP servers view, from what the server reports.
// Pure: nothing here imports vscode.

import type { ServerInfo, Status, ToolAnnotations, ToolInfo, TypeScriptEngine } from "./protocol";

export interface StatusText {
  text: string;
  tooltip: string;
  /** Something is wrong: a server failed. */
  warning: boolean;
}

/** The status bar: `$(plug) 3/3 servers · 40 tools`, spinning while starting or checking. */
export function statusText(status: Status | undefined, running: number): StatusText {
  if (!status || status.state === "starting") {
    return { text: "$(sync~spin) codemode: starting servers", tooltip: "codemode: starting the MCP servers", warning: false };
  }
  const ready = status.servers?.ready ?? 0;
  const failed = status.servers?.failed ?? 0;
  const total = ready + failed;
  const tools = status.tools ?? 0;
  const counts = `${ready}/${total} server${total === 1 ? "" : "s"} · ${tools} tool${tools === 1 ? "" : "s"}`;
  const icon = running > 0 ? "$(sync~spin)" : status.checking > 0 ? "$(loading~spin)" : failed > 0 ? "$(warning)" : "$(plug)";
  const doing = running > 0 ? " · running" : status.checking > 0 ? " · checking" : "";
  const tooltip = [
    `codemode: ${ready} of ${total} MCP servers ready${failed > 0 ? `, ${failed} failed` : ""}, ${tools} tools in the API`,
    `Configuration: ${status.config ?? "none"}`,
    ...(status.typescript ? [`Checked with ${typescriptText(status.typescript)}`] : []),
    "Click to show the MCP servers.",
  ].join("\n");
  return { text: `${icon} ${counts}${doing}`, tooltip, warning: failed > 0 };
}

/** The checker's engine, as `codemode check` names it, with why TypeScript 7 is not used. */
export function typescriptText(engine: TypeScriptEngine): string {
  const name = `TypeScript ${engine.version} (${engine.kind})`;
  return engine.note ? `${name}: ${engine.note}` : name;
}

/** A server's line in the view: its description and tooltip. */
export function serverDescription(server: ServerInfo): { description: string; tooltip: string } {
  if (server.status === "failed") {
    const stderr = server.stderr?.length ? `\n\nLast lines of its stderr:\n${server.stderr.join("\n")}` : "";
    return { description: "failed", tooltip: `${server.name} (${server.transport})\n\n${server.error ?? "failed"}${stderr}` };
  }
  const tools = server.tools ?? [];
  const hidden = tools.filter((tool) => !tool.permitted).length;
  const count = `${tools.length - hidden} tool${tools.length - hidden === 1 ? "" : "s"}`;
  const namespace = server.namespace && server.namespace !== server.name ? ` · ${server.namespace}` : "";
  return {
    description: `${count}${hidden > 0 ? ` (${hidden} hidden)` : ""}${namespace}`,
    tooltip: `${server.name}: ready, ${count}${hidden > 0 ? `, ${hidden} hidden by allowTools/denyTools` : ""}\n${server.transport}`,
  };
}

/** A tool's label (`namespace.function`), description (its summary) and tooltip (markdown). */
export function toolText(server: ServerInfo, tool: ToolInfo): { label: string; description: string; tooltip: string } {
  const name = tool.function && server.namespace ? `${server.namespace}.${tool.function}` : tool.name;
  const summary = (tool.description ?? "").split("\n").find((line) => line.trim() !== "")?.trim() ?? "";
  const hints = annotationHints(tool.annotations);
  if (!tool.permitted) hints.unshift("hidden by allowTools/denyTools");
  const tooltip = [
    `**${name}**${tool.name !== tool.function ? ` (MCP tool \`${tool.name}\`)` : ""}`,
    tool.description ?? "",
    hints.length ? `_${hints.join(", ")}_` : "",
  ]
    .filter((part) => part !== "")
    .join("\n\n");
  return { label: name, description: summary, tooltip };
}

/** The annotations as words: `read-only`, `destructive`, `idempotent`, `open-world`. */
export function annotationHints(annotations: ToolAnnotations | undefined): string[] {
  if (!annotations) return [];
  const hints: string[] = [];
  if (annotations.readOnlyHint === true) hints.push("read-only");
  if (annotations.destructiveHint === true) hints.push("destructive");
  if (annotations.destructiveHint === false && annotations.readOnlyHint !== true) hints.push("not destructive");
  if (annotations.idempotentHint === true) hints.push("idempotent");
  if (annotations.openWorldHint === true) hints.push("open-world");
  if (annotations.openWorldHint === false) hints.push("closed-world");
  return hints;
}

/** The line of `function NAME(` in the generated API, 0-based, or -1. */
export function declarationLine(api: string, namespace: string, fn: string): number {
  const lines = api.split("\n");
  let inNamespace = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (/^\s*declare namespace /.test(line)) inNamespace = new RegExp(`^\\s*declare namespace ${escape(namespace)}\\s*\\{`).test(line);
    if (inNamespace && new RegExp(`^\\s*(export\\s+)?function ${escape(fn)}\\s*\\(`).test(line)) return i;
  }
  return -1;
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
