// Drives a real VS Code (code-server, started by tests/e2e/vscode.rs with the codemode
// extension installed) in headless Chromium with playwright-core, the way a person would:
// open an agent script, take a completion, see a type error and apply its quick fix, press
// ▶ Run, look at the MCP
// Servers view. Prints what it saw as one JSON line for the Rust test to judge, and saves a
// screenshot of each step. Exits 1 (with a screenshot) when something never appears.
//
// Environment: PLAYWRIGHT_CORE (its index.mjs), CHROMIUM, CODEMODE_URL, CODEMODE_FOLDER,
// CODEMODE_SCRIPT (file name in the folder), CODEMODE_ORIGINAL (a file with the script's
// text), CODEMODE_SCREENSHOTS (a folder).

import { readFileSync } from "node:fs";
import { join } from "node:path";

const env = (name) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};
const { chromium } = await import(env("PLAYWRIGHT_CORE"));
const shots = env("CODEMODE_SCREENSHOTS");
const script = env("CODEMODE_SCRIPT");
const original = readFileSync(env("CODEMODE_ORIGINAL"), "utf8");

const browser = await chromium.launch({
  executablePath: env("CHROMIUM"),
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
});
const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
const started = Date.now();
const seen = { steps: {} };
let step = "load";
const mark = (name) => {
  seen.steps[name] = Date.now() - started;
  step = name;
};
// Monaco renders spaces as no-break spaces.
const plain = (text) => text.replace(/\u00a0/g, " ");
const shot = (name) => page.screenshot({ path: join(shots, `${name}.png`) });
const editorText = (text) => page.locator(".editor-instance .view-lines span", { hasText: text }).first();

try {
  await page.goto(`${env("CODEMODE_URL")}/?folder=${encodeURIComponent(env("CODEMODE_FOLDER"))}`);
  const file = page.locator(".explorer-folders-view .monaco-list-row", { hasText: script });
  await file.waitFor({ timeout: 120_000 });
  mark("explorer");
  await file.click();

  // The ▶ Run lens appears once the extension has started `codemode lsp` and the server has
  // started the MCP servers.
  step = "code lens";
  const run = page.locator(".codelens-decoration a", { hasText: "Run" }).first();
  await run.waitFor({ timeout: 120_000 });
  mark("code lens");
  step = "status bar";
  const status = page.locator(".statusbar-item", { hasText: /servers? · \d+ tools?/ }).first();
  await status.waitFor({ timeout: 60_000 });
  seen.statusBar = (await status.innerText()).trim();
  mark("status bar");
  await shot("01-script");

  // Completion: the tools of the memory server after `memory.`.
  step = "completion";
  await editorText("graph").click();
  await page.keyboard.press("Control+End");
  await page.keyboard.press("Enter");
  await page.keyboard.type("memory.");
  await page.locator(".suggest-widget .monaco-list-row", { hasText: "createEntities" }).first().waitFor({ timeout: 60_000 });
  seen.completion = (await page.locator(".suggest-widget .monaco-list-row").allInnerTexts()).map((t) => t.split("\n")[0].trim());
  mark("completion");
  await shot("02-completion");
  await page.keyboard.press("Escape");

  // A type error: a misspelt tool, underlined, with the checker's message on hover.
  step = "diagnostic";
  await page.keyboard.type("readGraf(");
  await page.locator(".editor-instance .squiggly-error").first().waitFor({ timeout: 60_000 });
  await editorText(/^readGraf$/).hover();
  const hover = page.locator(".monaco-hover", { hasText: "readGraf" }).first();
  await hover.waitFor({ timeout: 30_000 });
  seen.hover = plain(await hover.innerText()).trim();
  mark("diagnostic");
  await shot("03-diagnostic");
  await page.keyboard.press("Escape");

  // Its quick fix: Ctrl+. on the name, the fix picked from the menu.
  step = "quick fix";
  await editorText(/^readGraf$/).click();
  await page.keyboard.press("Control+.");
  const fix = page.locator(".action-widget .monaco-list-row", { hasText: "readGraph" }).first();
  await fix.waitFor({ timeout: 30_000 });
  seen.quickFix = plain(await fix.innerText()).trim();
  await shot("03b-quick-fix");
  await fix.click();
  await page.waitForFunction(
    () => ![...document.querySelectorAll(".editor-instance .view-line span")].some((element) => element.textContent === "readGraf"),
    null,
    { timeout: 30_000 },
  );
  seen.quickFixed = await page.evaluate(() =>
    [...document.querySelectorAll(".editor-instance .view-line")]
      .map((line) => line.textContent.replace(/\u00a0/g, " ").trim())
      .filter((line) => line.startsWith("memory.readGraph")),
  );
  mark("quick fix");

  // Back to the script as it was; the error goes away.
  step = "fixed";
  await editorText("graph").click();
  await page.keyboard.press("Control+a");
  await page.keyboard.insertText(original);
  await page.waitForFunction(() => document.querySelectorAll(".editor-instance .squiggly-error").length === 0, null, { timeout: 60_000 });
  mark("fixed");

  // ▶ Run: each line's output and tool calls appear after it.
  step = "run";
  await run.click();
  const afterTexts = () =>
    page.evaluate(() =>
      [...document.querySelectorAll(".editor-instance .view-line span")]
        .map((element) => getComputedStyle(element, "::after").content)
        .filter((content) => content.includes("→"))
        .map((content) => JSON.parse(content)),
    );
  await page.waitForFunction(
    () =>
      [...document.querySelectorAll(".editor-instance .view-line span")].some((element) =>
        getComputedStyle(element, "::after").content.includes("→ memory.read_graph"),
      ),
    null,
    { timeout: 60_000 },
  );
  seen.decorations = await afterTexts();
  await page.locator(".codelens-decoration", { hasText: "last run" }).first().waitFor({ timeout: 30_000 });
  seen.lenses = (await page.locator(".codelens-decoration").allInnerTexts()).map((t) => t.trim());
  mark("run");
  await shot("04-run");

  // The MCP Servers view: the server, its tool count, its tools; a tool opens its declaration.
  step = "servers view";
  const header = page.locator(".pane-header", { hasText: "MCP Servers" }).first();
  if ((await header.getAttribute("aria-expanded")) !== "true") await header.click();
  const server = page.locator(".monaco-list-row", { hasText: "9 tools" }).first();
  await server.waitFor({ timeout: 30_000 });
  seen.server = (await server.innerText()).replace(/\s+/g, " ").trim();
  await server.click();
  const tool = page.locator(".monaco-list-row", { hasText: "memory.createEntities" }).first();
  await tool.waitFor({ timeout: 30_000 });
  seen.tool = (await tool.innerText()).replace(/\s+/g, " ").trim();
  mark("servers view");
  await shot("05-servers");
  step = "generated types";
  await tool.click();
  await page.locator(".tab", { hasText: "api.d.ts" }).first().waitFor({ timeout: 30_000 });
  await page.locator(".editor-instance .view-lines", { hasText: "function createEntities(" }).first().waitFor({ timeout: 30_000 });
  seen.types = plain(await page.locator(".editor-instance .view-lines", { hasText: "function createEntities(" }).first().innerText());
  mark("generated types");
  await shot("06-types");

  console.log(JSON.stringify(seen));
  await browser.close();
} catch (error) {
  await shot("failure").catch(() => {});
  console.error(`step "${step}" failed after ${Date.now() - started} ms: ${error.message}`);
  console.error(`what was seen so far: ${JSON.stringify(seen)}`);
  await browser.close();
  process.exit(1);
}
