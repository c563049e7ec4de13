// A run's results in the editor: after-line decorations with each line's logs and tool
// calls (cleared when the script is edited), the runtime error as a diagnostic at its
// TypeScript line, and the last report of each script for "Show Last Run Result".

import * as vscode from "vscode";
import type { LineNote, RunReport } from "./protocol";

export class InlineResults implements vscode.Disposable {
  private readonly normal = vscode.window.createTextEditorDecorationType({
    after: { margin: "0 0 0 2em", color: new vscode.ThemeColor("editorCodeLens.foreground"), fontStyle: "italic" },
    rangeBehavior: vscode.DecorationRangeBehavior.ClosedClosed,
  });
  private readonly failed = vscode.window.createTextEditorDecorationType({
    after: { margin: "0 0 0 2em", color: new vscode.ThemeColor("errorForeground"), fontStyle: "italic" },
    isWholeLine: true,
    backgroundColor: new vscode.ThemeColor("diffEditor.removedLineBackground"),
    rangeBehavior: vscode.DecorationRangeBehavior.ClosedClosed,
  });
  private readonly errors = vscode.languages.createDiagnosticCollection("codemode run");
  /** Notes shown per document (by URI string), while the text is the one that ran. */
  private readonly shown = new Map<string, LineNote[]>();
  /** The last report of each document, kept after edits. */
  readonly reports = new Map<string, RunReport>();
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor(private readonly enabled: () => boolean) {
    this.subscriptions.push(
      vscode.workspace.onDidChangeTextDocument((event) => {
        if (event.contentChanges.length > 0) this.clear(event.document.uri);
      }),
      vscode.workspace.onDidCloseTextDocument((document) => this.clear(document.uri)),
      vscode.window.onDidChangeVisibleTextEditors((editors) => editors.forEach((editor) => this.paint(editor))),
    );
  }

  /** Shows `report` for the document at `uri` if it is still at `version`. */
  show(uri: vscode.Uri, version: number, report: RunReport): void {
    const key = uri.toString();
    this.reports.set(key, report);
    const document = vscode.workspace.textDocuments.find((d) => d.uri.toString() === key);
    if (!document || document.version !== version) return;
    const notes = report.view.notes;
    this.shown.set(key, notes);
    const error = report.error;
    if (error && error.kind !== "type" && error.line !== undefined) {
      const line = Math.min(error.line - 1, document.lineCount - 1);
      const column = Math.max((error.column ?? 1) - 1, 0);
      const range = new vscode.Range(line, column, line, document.lineAt(line).range.end.character);
      const diagnostic = new vscode.Diagnostic(range, `${error.kind}: ${error.message}`, vscode.DiagnosticSeverity.Error);
      diagnostic.source = "codemode run";
      this.errors.set(uri, [diagnostic]);
    } else {
      this.errors.delete(uri);
    }
    for (const editor of vscode.window.visibleTextEditors) {
      if (editor.document.uri.toString() === key) this.paint(editor);
    }
  }

  /** Removes the inline results of `uri` (its text changed). */
  clear(uri: vscode.Uri): void {
    const key = uri.toString();
    if (!this.shown.delete(key)) return;
    this.errors.delete(uri);
    for (const editor of vscode.window.visibleTextEditors) {
      if (editor.document.uri.toString() === key) this.paint(editor);
    }
  }

  /** Draws every visible editor again (the setting changed). */
  repaint(): void {
    vscode.window.visibleTextEditors.forEach((editor) => this.paint(editor));
  }

  private paint(editor: vscode.TextEditor): void {
    const notes = this.enabled() ? (this.shown.get(editor.document.uri.toString()) ?? []) : [];
    const document = editor.document;
    const decoration = (note: LineNote): vscode.DecorationOptions => {
      const line = Math.min(note.line, document.lineCount - 1);
      const end = document.lineAt(line).range.end;
      const hover = new vscode.MarkdownString();
      hover.appendMarkdown("**codemode run**\n\n");
      hover.appendCodeblock(note.details.join("\n"), "text");
      return {
        range: new vscode.Range(end, end),
        hoverMessage: hover,
        renderOptions: { after: { contentText: `→ ${note.text}` } },
      };
    };
    editor.setDecorations(this.normal, notes.filter((n) => !n.error).map(decoration));
    editor.setDecorations(this.failed, notes.filter((n) => n.error).map(decoration));
  }

  dispose(): void {
    this.normal.dispose();
    this.failed.dispose();
    this.errors.dispose();
    this.subscriptions.forEach((s) => s.dispose());
  }
}
