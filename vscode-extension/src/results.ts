// A run's report as the editor shows it: one note per script line that logged, called a
// tool or failed (for the after-line decorations), and the full run as output lines. Pure:
// nothing here imports vscode.

import type { RunReport } from "./protocol";

export interface LineNote {
  /** 0-based line. */
  line: number;
  /** Short text after the line. */
  text: string;
  /** Everything the line did, one entry per log or call. */
  details: string[];
  /** The run failed on this line. */
  error: boolean;
}

const MAX_TEXT = 120;

/** The notes of a run, by line, in line order. */
export function lineNotes(report: RunReport): LineNote[] {
  const byLine = new Map<number, { entries: string[]; error: boolean }>();
  const at = (line: number) => {
    let entry = byLine.get(line);
    if (!entry) {
      entry = { entries: [], error: false };
      byLine.set(line, entry);
    }
    return entry;
  };
  for (const log of report.logs) {
    if (log.line === undefined) continue;
    const prefix = log.level === "warn" ? "warn: " : log.level === "error" ? "error: " : "";
    at(log.line).entries.push(prefix + oneLine(log.text));
  }
  for (const call of report.toolCalls) {
    if (call.line === undefined) continue;
    at(call.line).entries.push(`${call.server}.${call.tool} ${call.ms} ms${call.ok ? "" : " ✗"}`);
  }
  if (report.error?.line !== undefined && report.error.kind !== "type") {
    const entry = at(report.error.line);
    entry.entries.push(`✗ ${report.error.kind}: ${oneLine(report.error.message)}`);
    entry.error = true;
  }
  return [...byLine.entries()]
    .filter(([line]) => line >= 1)
    .sort(([a], [b]) => a - b)
    .map(([line, { entries, error }]) => ({
      line: line - 1,
      text: shorten(collapse(entries), MAX_TEXT),
      details: entries,
      error,
    }));
}

/** One line about a run: `✓ 3 tool calls · 120 ms` or `✗ runtime: message`. */
export function summary(report: RunReport): string {
  const calls = `${report.toolCalls.length} tool call${report.toolCalls.length === 1 ? "" : "s"}`;
  if (report.error) return `✗ ${report.error.kind}: ${shorten(oneLine(report.error.message), MAX_TEXT)}`;
  return `✓ ${calls} · ${report.durationMs} ms`;
}

/** The run as the output channel shows it: output, result, calls, error, summary. */
export function outputLines(report: RunReport, file: string): string[] {
  const lines: string[] = [];
  for (const log of report.logs) {
    const where = log.line !== undefined ? `${file}:${log.line}` : file;
    for (const text of log.text.split("\n")) lines.push(`[${log.level}] ${where}  ${text}`);
  }
  if (report.droppedOutputBytes > 0) lines.push(`… ${report.droppedOutputBytes} bytes of output dropped (over maxOutputBytes)`);
  for (const diagnostic of report.diagnostics) {
    lines.push(`${diagnostic.file}:${diagnostic.line}:${diagnostic.column} TS${diagnostic.code}: ${diagnostic.message}`);
    if (diagnostic.hint) lines.push(`  hint: ${diagnostic.hint}`);
  }
  if (report.error) {
    const where = report.error.line !== undefined ? `${file}:${report.error.line}:${report.error.column ?? 1}` : file;
    lines.push(`✗ ${report.error.kind} at ${where}: ${report.error.message}`);
    if (report.error.stack) lines.push(...report.error.stack.split("\n").map((l) => `  ${l}`));
  } else if (report.result !== null && report.result !== undefined) {
    lines.push(`result: ${shorten(JSON.stringify(report.result), 2000)}`);
  }
  const calls = new Map<string, number>();
  for (const call of report.toolCalls) calls.set(`${call.server}.${call.tool}`, (calls.get(`${call.server}.${call.tool}`) ?? 0) + 1);
  const byTool = [...calls].map(([tool, count]) => (count > 1 ? `${tool} ×${count}` : tool)).join(", ");
  const kept = report.toolCalls.reduce((sum, call) => sum + call.bytes, 0);
  lines.push(
    `${summary(report)}${byTool ? ` (${byTool})` : ""}${kept > 0 ? ` · ${kept} B of tool results kept out of the output` : ""}`,
  );
  return lines;
}

/** `a · a · b` as `a ×2 · b`, at most four distinct entries. */
export function collapse(entries: string[]): string {
  const counted: [string, number][] = [];
  for (const entry of entries) {
    const found = counted.find(([text]) => text === entry);
    if (found) found[1] += 1;
    else counted.push([entry, 1]);
  }
  const shown = counted.slice(0, 4).map(([text, count]) => (count > 1 ? `${text} ×${count}` : text));
  const more = counted.length > 4 ? ` · … ${counted.length - 4} more` : "";
  return shown.join(" · ") + more;
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, " ⏎ ").trim();
}

function shorten(text: string, max: number): string {
  return [...text].length <= max ? text : [...text].slice(0, max - 1).join("") + "…";
}
