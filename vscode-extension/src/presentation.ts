// Texts of the status bar item and the MCP servers view, from what the server reports.
// Pure: nothing here imports vscode.

import type { ContentBlock, ServerInfo, Status, ToolAnnotations, ToolInfo, TypeScriptEngine } from "./protocol";

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
    // A one-line doc shares the function's line: `/** … */ function name(`.
    if (inNamespace && new RegExp(`^\\s*(/\\*\\*.*?\\*/\\s*)?(export\\s+)?function ${escape(fn)}\\s*\\(`).test(line)) return i;
  }
  return -1;
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * The page that shows the content blocks of a run (images and audio inline, resources and
 * links by name), for a webview that runs no script and loads nothing but `data:` media.
 * Whatever a server sent, only a media type of the right shape and base64 data reach an
 * attribute; every other text is escaped.
 */
export function contentPage(file: string, blocks: ContentBlock[]): string {
  const items = blocks.map((block, index) => {
    const label = `content block ${index + 1}`;
    switch (block.type) {
      case "image":
      case "audio": {
        const media = block.type === "image" ? /^image\/[\w.+-]+$/ : /^audio\/[\w.+-]+$/;
        if (!media.test(block.mimeType) || !/^[A-Za-z0-9+/=\s]*$/.test(block.data)) {
          return `<li><p>${label}: ${escapeHtml(block.type)} with an unusable media type or data</p></li>`;
        }
        const source = `data:${block.mimeType};base64,${block.data.replace(/\s/g, "")}`;
        const media_ = block.type === "image" ? `<img src="${source}" alt="${label}">` : `<audio controls src="${source}"></audio>`;
        return `<li><p>${label}: ${escapeHtml(block.mimeType)} ${block.type}</p>${media_}</li>`;
      }
      case "resource": {
        const size = (block.resource.text ?? block.resource.blob ?? "").length;
        return `<li><p>${label}: resource ${escapeHtml(block.resource.uri)} (${size} characters)</p></li>`;
      }
      case "resource_link":
        return `<li><p>${label}: resource link ${escapeHtml(block.name)} — ${escapeHtml(block.uri)}</p></li>`;
      default:
        return `<li><p>${label}</p></li>`;
    }
  });
  return [
    "<!DOCTYPE html>",
    `<html><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; media-src data:; style-src 'unsafe-inline';">`,
    "<style>ul{list-style:none;padding:0}li{margin:0 0 1.5em}img{max-width:100%;image-rendering:pixelated;background:#fff}</style>",
    `</head><body><h3>${escapeHtml(file)}: ${blocks.length} content block${blocks.length === 1 ? "" : "s"}</h3><ul>${items.join("")}</ul></body></html>`,
  ].join("\n");
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
