// The parts of `codemode lsp` beyond LSP that the extension uses, as the server defines them
// in server/src/lsp/protocol.rs and docs/lsp-extensions.md documents them. Plain types:
// nothing here imports vscode.
// protocol.rs fingerprint: 1d30d7a87a6d4448 (a server test fails when protocol.rs changes
// without this file and the document).

/** `workspace/executeCommand` name that checks and runs a script (argument: its URI). */
export const RUN_COMMAND = "codemode.run";
/** The server's "last run" code lens command (argument: the URI). */
export const SHOW_LAST_RUN_COMMAND = "codemode.showLastRun";
/** Notification: a run finished. */
export const RUN_RESULT = "codemode/runResult";
/** Notification: servers starting or ready, tool count, checks under way. */
export const STATUS = "codemode/status";
/** Request (no params): every server with its state and tools. */
export const SERVERS = "codemode/servers";
/** Request `{uri}` → `{text}` for `codemode:` documents (the generated API, lib files). */
export const VIRTUAL_TEXT_DOCUMENT = "codemode/virtualTextDocument";
/** The generated API as a virtual document. */
export const API_URI = "codemode:/api.d.ts";

/** What the extension tells the server in `initializationOptions`. */
export const INITIALIZATION_OPTIONS = {
  virtualDocuments: true,
  clientDrawsRunResults: true,
  statusNotifications: true,
};

export interface LogLine {
  level: "log" | "info" | "warn" | "error";
  text: string;
  line?: number;
}

export interface ToolCall {
  server: string;
  tool: string;
  ok: boolean;
  ms: number;
  bytes: number;
  line?: number;
}

export interface RunError {
  kind: string;
  message: string;
  line?: number;
  column?: number;
  stack?: string;
}

export interface Diagnostic {
  file: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  code: number;
  severity: string;
  message: string;
  hint?: string;
  fixes?: DiagnosticData["fixes"];
}

/** What an editor draws after one line of the script that ran (written by the server). */
export interface LineNote {
  /** 0-based line. */
  line: number;
  /** The short text after the line. */
  text: string;
  /** Everything the line did, one entry per log, call or failure. */
  details: string[];
  /** The run failed on this line. */
  error: boolean;
}

/** A run as the server writes it for editors: the extension only draws it. */
export interface RunView {
  /** `✓ 3 tool calls · 120 ms` or `✗ runtime: message`. */
  headline: string;
  notes: LineNote[];
  /** The whole run for the output channel. */
  lines: string[];
}

/** A content block a run passed on (an image, audio, a resource or a link), as MCP writes it. */
export type ContentBlock =
  | { type: "image"; data: string; mimeType: string }
  | { type: "audio"; data: string; mimeType: string }
  | { type: "resource"; resource: { uri: string; mimeType?: string; text?: string; blob?: string } }
  | { type: "resource_link"; uri: string; name: string; title?: string; description?: string; mimeType?: string };

/** The document `codemode run --json` prints, with the server's `view` of it. */
export interface RunReport {
  ok: boolean;
  result: unknown;
  logs: LogLine[];
  toolCalls: ToolCall[];
  error: RunError | null;
  diagnostics: Diagnostic[];
  checkMs: number;
  durationMs: number;
  droppedOutputBytes: number;
  /** The blocks the run passed on; the result and log lines name each `content block N`. */
  content?: ContentBlock[];
  view: RunView;
}

export interface RunResultParams {
  uri: string;
  version: number;
  report: RunReport;
}

export interface Status {
  state: "starting" | "ready";
  config?: string;
  configPath?: string;
  servers?: { ready: number; failed: number };
  tools?: number;
  checking: number;
  scriptsBase?: string;
  scripts?: string[];
  /** The TypeScript that checks scripts (always sent; optional for servers before it was). */
  typescript?: TypeScriptEngine;
}

export interface TypeScriptEngine {
  kind: "native" | "embedded";
  version: string;
  binary?: string;
  /** Why a TypeScript 7 that was asked for, found or used is not answering. */
  note?: string;
}

export interface ToolAnnotations {
  title?: string;
  readOnlyHint?: boolean;
  destructiveHint?: boolean;
  idempotentHint?: boolean;
  openWorldHint?: boolean;
}

export interface ToolInfo {
  name: string;
  function?: string;
  title?: string;
  description?: string;
  annotations?: ToolAnnotations;
  permitted: boolean;
}

export interface ServerInfo {
  name: string;
  namespace?: string | null;
  transport: string;
  status: "ready" | "failed";
  tools?: ToolInfo[];
  error?: string;
  stderr?: string[];
}

export interface ServersAnswer {
  state: "starting" | "ready";
  config?: string;
  configPath?: string;
  servers: ServerInfo[];
}

/** What a diagnostic with quick fixes carries in `data` (1-based lines, UTF-16 columns). */
export interface DiagnosticData {
  fixes: {
    title: string;
    preferred?: boolean;
    edits: { line: number; column: number; endLine: number; endColumn: number; newText: string }[];
  }[];
}
