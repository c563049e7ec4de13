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

/** A resource a server lists. */
interface Resource {
  uri: string;
  name: string;
  title?: string;
  description?: string;
  mimeType?: string;
  size?: number;
}

/** What reading a resource gives: its text, or its bytes as base64 (`blob`). */
type ResourceContents =
  | { uri: string; mimeType?: string; text: string }
  | { uri: string; mimeType?: string; blob: string };

/** A pattern of resource URIs a server can read (RFC 6570: `file:///{path}`). */
interface ResourceTemplate {
  uriTemplate: string;
  name: string;
  title?: string;
  description?: string;
  mimeType?: string;
}

/** A server's resources, as `namespace.resources` where it offers them. */
interface McpResources {
  /** Every resource the server lists (all pages). */
  list(): Promise<Resource[]>;
  /** The contents of `uri`, e.g. of a `resource_link` one of the server's tools returned. */
  read(uri: string): Promise<ResourceContents[]>;
  /** The URI templates the server reads. */
  templates(): Promise<ResourceTemplate[]>;
}

/** A prompt a server offers, with the arguments `get` takes. */
interface Prompt {
  name: string;
  title?: string;
  description?: string;
  arguments?: { name: string; description?: string; required?: boolean }[];
}

/** A prompt filled in: the messages to send a model. */
interface PromptResult {
  description?: string;
  messages: { role: "user" | "assistant"; content: ContentBlock }[];
}

/** A server's prompts, as `namespace.prompts` where it offers them. */
interface McpPrompts {
  /** Every prompt the server offers (all pages). */
  list(): Promise<Prompt[]>;
  /** The prompt `name` filled in with `args` (strings, as MCP prompts take them). */
  get(name: string, args?: Record<string, string>): Promise<PromptResult>;
}
