// The codemode extension: starts `codemode lsp` for agent scripts and adds what an LSP
// client alone does not draw: results inline after a run, the run in an output channel,
// the MCP servers view, the status bar item, the generated API as a read-only document, and
// agent scripts under `codemode.scripts` folders given their own language (so VS Code's
// TypeScript server does not check them a second time).

import * as fs from "node:fs";
import * as path from "node:path";
import * as vscode from "vscode";
import { LanguageClient, State, type LanguageClientOptions, type ServerOptions } from "vscode-languageclient/node";
import { findServer, serverEnvironment } from "./binary";
import { InlineResults } from "./inline";
import { contentPage, declarationLine } from "./presentation";
import {
  API_URI,
  type ContentBlock,
  INITIALIZATION_OPTIONS,
  RUN_COMMAND,
  RUN_RESULT,
  SERVERS,
  SHOW_LAST_RUN_COMMAND,
  STATUS,
  VIRTUAL_TEXT_DOCUMENT,
  type RunResultParams,
  type ServersAnswer,
  type Status,
} from "./protocol";
import { inScriptsFolder, LANGUAGE_ID } from "./scripts";
import { ServersView } from "./serversView";
import { StatusBar } from "./statusBar";

let extension: Extension | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  extension = new Extension(context);
  await extension.start();
}

export async function deactivate(): Promise<void> {
  await extension?.stop();
  extension = undefined;
}

class Extension {
  private client: LanguageClient | undefined;
  private readonly log = vscode.window.createOutputChannel("codemode", { log: true });
  private readonly runs = vscode.window.createOutputChannel("codemode Runs", { log: true });
  /** The content blocks of the last run that passed some on. */
  private contentPanel: vscode.WebviewPanel | undefined;
  private readonly statusBar = new StatusBar();
  private readonly view = new ServersView();
  private readonly inline = new InlineResults(() => settings().get<boolean>("results.inline", true));
  private readonly apiChanged = new vscode.EventEmitter<vscode.Uri>();
  private status: Status | undefined;
  private apiKey = "";

  constructor(private readonly context: vscode.ExtensionContext) {
    const commands: [string, (...args: any[]) => unknown][] = [
      ["codemode.runScript", (uri?: vscode.Uri) => this.runScript(uri)],
      ["codemode.restartServer", () => this.restart()],
      ["codemode.showGeneratedTypes", (at?: { namespace: string; function: string }) => this.showTypes(at)],
      ["codemode.openConfig", () => this.openConfig()],
      ["codemode.refreshServers", () => this.refreshServers()],
      ["codemode.showRunResult", (uri?: vscode.Uri | string) => this.showRunResult(uri)],
      ["codemode.showOutput", () => this.runs.show(true)],
    ];
    context.subscriptions.push(
      this.log,
      this.runs,
      this.statusBar,
      this.inline,
      this.apiChanged,
      vscode.window.registerTreeDataProvider("codemode.servers", this.view),
      vscode.workspace.registerTextDocumentContentProvider("codemode", {
        onDidChange: this.apiChanged.event,
        provideTextDocumentContent: (uri) => this.virtualDocument(uri),
      }),
      vscode.workspace.onDidOpenTextDocument((document) => this.adoptScript(document)),
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (event.affectsConfiguration("codemode.server") || event.affectsConfiguration("codemode.typescript")) void this.restart();
        if (event.affectsConfiguration("codemode.results")) this.inline.repaint();
      }),
      ...commands.map(([id, run]) => vscode.commands.registerCommand(id, run)),
    );
  }

  /** Finds the binary and starts `codemode lsp`; says what to do when it cannot. */
  async start(): Promise<void> {
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    const found = findServer({
      setting: settings().get<string>("server.path", ""),
      extensionPath: this.context.extensionPath,
      workspaceFolder: folder,
      platform: process.platform,
      pathVariable: process.env.PATH ?? "",
      isExecutable,
    });
    if (!found.ok) {
      this.statusBar.fail(found.message);
      this.view.fail("The codemode binary was not found: see the codemode.server.path setting.");
      this.log.error(found.message);
      void vscode.window.showErrorMessage(found.message, "Open Settings").then((choice) => {
        if (choice) void vscode.commands.executeCommand("workbench.action.openSettings", "codemode.server.path");
      });
      return;
    }
    this.log.info(`starting ${found.path} lsp (found by ${found.source})`);
    const serverOptions: ServerOptions = {
      command: found.path,
      args: ["lsp", ...settings().get<string[]>("server.extraArgs", [])],
      options: { cwd: folder, env: serverEnvironment(settings().get<string>("typescript", ""), folder, process.env) },
    };
    const clientOptions: LanguageClientOptions = {
      documentSelector: [{ language: LANGUAGE_ID }],
      outputChannel: this.log,
      initializationOptions: INITIALIZATION_OPTIONS,
      markdown: { isTrusted: false, supportHtml: false },
      middleware: {
        executeCommand: async (command, args, next) => {
          if (command === SHOW_LAST_RUN_COMMAND) return this.showRunResult(args[0]);
          if (command !== RUN_COMMAND) return next(command, args);
          const done = this.statusBar.run();
          try {
            return await next(command, args);
          } catch (error) {
            void vscode.window.showErrorMessage(`codemode: the run failed: ${error instanceof Error ? error.message : String(error)}`);
            return undefined;
          } finally {
            done();
          }
        },
      },
    };
    const client = new LanguageClient("codemode", "codemode", serverOptions, clientOptions);
    this.client = client;
    client.onDidChangeState((event) => {
      if (event.newState === State.Stopped && this.client === client) {
        this.statusBar.fail("codemode lsp stopped; run “codemode: Restart Server”.");
        this.view.fail("codemode lsp is not running.");
      }
    });
    try {
      await client.start();
    } catch (error) {
      const message = `codemode: could not start ${found.path} lsp: ${error instanceof Error ? error.message : String(error)}`;
      this.statusBar.fail(message);
      this.view.fail(message);
      void vscode.window.showErrorMessage(message);
      return;
    }
    client.onNotification(STATUS, (status: Status) => this.onStatus(status));
    client.onNotification(RUN_RESULT, (params: RunResultParams) => this.onRunResult(params));
    vscode.workspace.textDocuments.forEach((document) => this.adoptScript(document));
    await this.refreshServers();
  }

  async stop(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (client?.isRunning()) await client.stop();
    await client?.dispose();
  }

  async restart(): Promise<void> {
    await this.stop();
    this.status = undefined;
    await this.start();
  }

  private onStatus(status: Status): void {
    const before = this.status;
    this.status = status;
    this.statusBar.update(status);
    const key = `${status.state}|${status.config}|${status.tools}|${status.servers?.ready}|${status.servers?.failed}`;
    if (key !== this.apiKey) {
      this.apiKey = key;
      this.apiChanged.fire(vscode.Uri.parse(API_URI));
      void this.refreshServers();
    }
    if (before?.scripts?.join() !== status.scripts?.join() || before?.scriptsBase !== status.scriptsBase) {
      vscode.workspace.textDocuments.forEach((document) => this.adoptScript(document));
    }
  }

  private onRunResult(params: RunResultParams): void {
    const uri = this.client?.protocol2CodeConverter.asUri(params.uri) ?? vscode.Uri.parse(params.uri);
    const file = path.basename(uri.fsPath);
    this.runs.info(`── ${file} ──`);
    for (const line of params.report.view.lines) {
      if (line.startsWith("✗") || line.startsWith("[error]")) this.runs.error(line);
      else if (line.startsWith("[warn]")) this.runs.warn(line);
      else this.runs.info(line);
    }
    this.inline.show(uri, params.version, params.report);
    this.showContent(file, params.report.content ?? []);
  }

  /** Shows the images, audio and resources a run passed on, beside the script. */
  private showContent(file: string, blocks: ContentBlock[]): void {
    if (blocks.length === 0) return;
    if (!this.contentPanel) {
      this.contentPanel = vscode.window.createWebviewPanel(
        "codemode.runContent",
        `codemode: ${file} content`,
        { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
        { enableScripts: false },
      );
      this.contentPanel.onDidDispose(() => (this.contentPanel = undefined));
    }
    this.contentPanel.title = `codemode: ${file} content`;
    this.contentPanel.webview.html = contentPage(file, blocks);
  }

  /** A TypeScript file under a `codemode.scripts` folder becomes an agent script. */
  private adoptScript(document: vscode.TextDocument): void {
    if (document.languageId !== "typescript" || document.uri.scheme !== "file") return;
    if (inScriptsFolder(document.uri.fsPath, this.status?.scriptsBase, this.status?.scripts)) {
      void vscode.languages.setTextDocumentLanguage(document, LANGUAGE_ID);
    }
  }

  private async runScript(uri?: vscode.Uri): Promise<void> {
    const document = uri
      ? await vscode.workspace.openTextDocument(uri)
      : vscode.window.activeTextEditor?.document;
    if (!document || document.languageId !== LANGUAGE_ID) {
      void vscode.window.showWarningMessage("codemode: open an agent script (*.mcp.ts) to run it.");
      return;
    }
    if (!this.client?.isRunning()) {
      void vscode.window.showErrorMessage("codemode: the language server is not running; run “codemode: Restart Server”.");
      return;
    }
    await vscode.commands.executeCommand(RUN_COMMAND, this.client.code2ProtocolConverter.asUri(document.uri));
  }

  private async showRunResult(uri?: vscode.Uri | string): Promise<void> {
    const target =
      typeof uri === "string"
        ? (this.client?.protocol2CodeConverter.asUri(uri) ?? vscode.Uri.parse(uri))
        : (uri ?? vscode.window.activeTextEditor?.document.uri);
    const report = target && this.inline.reports.get(target.toString());
    if (!report) {
      void vscode.window.showInformationMessage("codemode: this script has not been run yet (▶ Run at its top).");
      return;
    }
    const document = await vscode.workspace.openTextDocument({ language: "json", content: JSON.stringify(report, null, 2) });
    await vscode.window.showTextDocument(document, { viewColumn: vscode.ViewColumn.Beside, preview: true });
  }

  private async showTypes(at?: { namespace: string; function: string }): Promise<void> {
    const document = await vscode.workspace.openTextDocument(vscode.Uri.parse(API_URI));
    const editor = await vscode.window.showTextDocument(document, { preview: true });
    if (at) {
      const line = declarationLine(document.getText(), at.namespace, at.function);
      if (line >= 0) {
        const range = new vscode.Range(line, 0, line, 0);
        editor.selection = new vscode.Selection(range.start, range.start);
        editor.revealRange(range, vscode.TextEditorRevealType.AtTop);
      }
    }
  }

  private async virtualDocument(uri: vscode.Uri): Promise<string> {
    if (!this.client?.isRunning()) return "// codemode lsp is not running.";
    const answer = await this.client.sendRequest<{ text: string }>(VIRTUAL_TEXT_DOCUMENT, { uri: uri.toString(true) });
    return answer.text;
  }

  private async refreshServers(): Promise<void> {
    if (!this.client?.isRunning()) return;
    try {
      this.view.update(await this.client.sendRequest<ServersAnswer>(SERVERS));
    } catch (error) {
      this.view.fail(`codemode/servers failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  private async openConfig(): Promise<void> {
    const configured = this.status?.configPath;
    if (configured) {
      await vscode.window.showTextDocument(vscode.Uri.file(configured));
      return;
    }
    const folder = vscode.workspace.workspaceFolders?.[0];
    if (!folder) {
      void vscode.window.showInformationMessage("codemode: open a folder to give it a codemode.json.");
      return;
    }
    const file = vscode.Uri.joinPath(folder.uri, "codemode.json");
    const choice = await vscode.window.showInformationMessage(
      "codemode: this workspace has no configuration (codemode.json, .mcp.json or .vscode/mcp.json); scripts use the built-in demo server. Create codemode.json?",
      "Create codemode.json",
    );
    if (!choice) return;
    if (!fs.existsSync(file.fsPath)) fs.writeFileSync(file.fsPath, STARTER_CONFIG);
    await vscode.window.showTextDocument(file);
  }
}

const STARTER_CONFIG = `{
  "mcpServers": {
    "demo": { "builtin": "demo" },
    "memory": { "command": "npx", "args": ["-y", "@modelcontextprotocol/server-memory"] }
  },
  "codemode": { "runTimeout": 30 }
}
`;

function settings(): vscode.WorkspaceConfiguration {
  return vscode.workspace.getConfiguration("codemode");
}

function isExecutable(file: string): boolean {
  try {
    const stat = fs.statSync(file);
    if (!stat.isFile()) return false;
    if (process.platform !== "win32") fs.accessSync(file, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
