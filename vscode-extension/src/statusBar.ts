// The status bar item: servers up, tools in the API, and whether a check or a run is under
// way; a click shows the MCP servers view.

import * as vscode from "vscode";
import { statusText } from "./presentation";
import type { Status } from "./protocol";

export class StatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem("codemode.status", vscode.StatusBarAlignment.Left, 10);
  private status: Status | undefined;
  private running = 0;

  constructor() {
    this.item.name = "codemode";
    this.item.command = "codemode.servers.focus";
    this.render();
    this.item.show();
  }

  update(status: Status): void {
    this.status = status;
    this.render();
  }

  /** Shows a run under way until the returned function is called. */
  run(): () => void {
    this.running += 1;
    this.render();
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.running -= 1;
      this.render();
    };
  }

  /** Shows that the server is not running, and why. */
  fail(message: string): void {
    this.status = undefined;
    this.item.text = "$(error) codemode";
    this.item.tooltip = message;
    this.item.backgroundColor = new vscode.ThemeColor("statusBarItem.errorBackground");
  }

  private render(): void {
    const { text, tooltip, warning } = statusText(this.status, this.running);
    this.item.text = text;
    this.item.tooltip = tooltip;
    this.item.backgroundColor = warning ? new vscode.ThemeColor("statusBarItem.warningBackground") : undefined;
  }

  dispose(): void {
    this.item.dispose();
  }
}
