// The environment of a codemode script: ECMAScript itself (no DOM, no Node), plus what is
// declared here. There is no `fetch`, no `process`, no `require`: MCP tools, through the
// namespaces declared after this, are a script's only way out.

/** A block of a tool result's content, as the MCP server sent it. */
type ContentBlock =
  | { type: "text"; text: string }
  | { type: "image"; data: string; mimeType: string }
  | { type: "audio"; data: string; mimeType: string }
  | { type: "resource_link"; uri: string; name: string; title?: string; description?: string; mimeType?: string }
  | { type: "resource"; resource: { uri: string; mimeType?: string; text?: string; blob?: string } };

/** What a tool without an `outputSchema` resolves to. */
interface ToolResult {
  /** The text blocks of the result, joined with newlines. */
  readonly text: string;
  /** Every content block, as sent. */
  readonly content: ContentBlock[];
  /** `JSON.parse(text)`; throws an error that says so when the text is not JSON. */
  json(): unknown;
  /** The result's `structuredContent`, when the server sent one. */
  readonly structured?: unknown;
}

/** Thrown (as a rejection) when a tool answers with `isError`, or its call fails. */
declare class ToolError extends Error {
  readonly name: "ToolError";
  /** The server's name in the configuration. */
  readonly server: string;
  /** The tool's name as the server knows it. */
  readonly tool: string;
  /** What the tool or codemode said went wrong. */
  readonly message: string;
}

/** Output of a script. Captured: it is returned with the run's result, never printed by the engine. */
interface Console {
  log(...data: unknown[]): void;
  info(...data: unknown[]): void;
  warn(...data: unknown[]): void;
  error(...data: unknown[]): void;
  debug(...data: unknown[]): void;
}
declare var console: Console;
