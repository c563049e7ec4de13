// The MCP servers view: each configured server with its status, its tools with their
// descriptions; clicking a tool opens its declaration in the generated API.

import * as vscode from "vscode";
import { serverDescription, toolText } from "./presentation";
import type { ServerInfo, ServersAnswer, ToolInfo } from "./protocol";

type Node = { kind: "server"; server: ServerInfo } | { kind: "tool"; server: ServerInfo; tool: ToolInfo } | { kind: "note"; text: string };

export class ServersView implements vscode.TreeDataProvider<Node> {
  private answer: ServersAnswer | undefined;
  private problem: string | undefined;
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;

  /** Shows what the server answered to `codemode/servers`. */
  update(answer: ServersAnswer): void {
    this.answer = answer;
    this.problem = undefined;
    this.changed.fire();
  }

  /** Shows why there is nothing to show (no binary, the server stopped). */
  fail(problem: string): void {
    this.answer = undefined;
    this.problem = problem;
    this.changed.fire();
  }

  getChildren(node?: Node): Node[] {
    if (node?.kind === "server") return (node.server.tools ?? []).map((tool) => ({ kind: "tool", server: node.server, tool }));
    if (node) return [];
    if (this.problem) return [{ kind: "note", text: this.problem }];
    if (!this.answer) return [];
    if (this.answer.state === "starting") return [{ kind: "note", text: "Starting the MCP servers…" }];
    if (this.answer.servers.length === 0) return [{ kind: "note", text: `No servers in ${this.answer.config ?? "the configuration"}` }];
    return this.answer.servers.map((server) => ({ kind: "server", server }));
  }

  getTreeItem(node: Node): vscode.TreeItem {
    if (node.kind === "note") {
      const item = new vscode.TreeItem(node.text);
      item.iconPath = new vscode.ThemeIcon("info");
      return item;
    }
    if (node.kind === "server") {
      const { description, tooltip } = serverDescription(node.server);
      const ready = node.server.status === "ready";
      const item = new vscode.TreeItem(
        node.server.name,
        ready && (node.server.tools?.length ?? 0) > 0 ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None,
      );
      item.id = `server:${node.server.name}`;
      item.description = description;
      item.tooltip = tooltip;
      item.contextValue = ready ? "server-ready" : "server-failed";
      item.iconPath = ready
        ? new vscode.ThemeIcon("pass-filled", new vscode.ThemeColor("testing.iconPassed"))
        : new vscode.ThemeIcon("error", new vscode.ThemeColor("testing.iconFailed"));
      return item;
    }
    const { label, description, tooltip } = toolText(node.server, node.tool);
    const item = new vscode.TreeItem(label);
    item.id = `tool:${node.server.name}/${node.tool.name}`;
    item.description = description;
    item.tooltip = new vscode.MarkdownString(tooltip);
    item.contextValue = node.tool.permitted ? "tool" : "tool-hidden";
    item.iconPath = new vscode.ThemeIcon(node.tool.permitted ? "symbol-method" : "eye-closed");
    if (node.tool.permitted && node.tool.function && node.server.namespace) {
      item.command = {
        command: "codemode.showGeneratedTypes",
        title: "Show declaration",
        arguments: [{ namespace: node.server.namespace, function: node.tool.function }],
      };
    }
    return item;
  }
}
