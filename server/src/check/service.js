// The checker's glue: runs inside the long-lived checker engine (engine/service.rs), after the
// vendored TypeScript compiler has set `globalThis.ts` and Rust has set
// `globalThis.codemodeLibs` (lib file name -> text). It keeps one TypeScript language service
// whose host serves a virtual file system: the libs under /lib/, the script environment and
// the generated API under /codemode/, and the scripts under /scripts/. Parsed files are
// reused across checks (the document registry keys them by version), so a re-check parses
// only what changed.
//
// Rust calls `codemodeAsk(json)` with an operation and the program's files, and gets JSON
// back: `check` answers diagnostics (1-based lines and columns in UTF-16 code units, as tsc
// counts; hints are added in Rust, the same for both engines); the language operations
// (completions, details, hover, signature, definition, symbols) take and answer 0-based
// positions in UTF-16 code units, as LSP counts; details, hover and signature answer null
// when there is nothing to say.
"use strict";
(() => {
  const ts = globalThis.ts;
  // QuickJS-ng has no Intl; TypeScript sorts completion entries with an Intl.Collator. A
  // collator in its spirit: case-insensitive first, lower case before upper on a tie.
  if (typeof globalThis.Intl === "undefined") {
    const order = (a, b) => (a < b ? -1 : a > b ? 1 : 0);
    class Collator {
      compare = (a, b) => order(a.toLowerCase(), b.toLowerCase()) || order(b, a);
    }
    globalThis.Intl = { Collator };
  }
  const libs = globalThis.codemodeLibs;
  // The one lib file: what the sandbox has, as `codemodeMakeLib` writes it at build time.
  const LIB = "/lib/lib.codemode.d.ts";
  const PRELUDE = "/codemode/prelude.d.ts";
  const API = "/codemode/api.d.ts";
  // The script environment: ECMAScript 2023 as the sandbox has it (LIB, no other lib), no
  // DOM, no Node; every script its own module with top-level await; strict. The same flags
  // the tests give the tsc oracle.
  const options = {
    strict: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    moduleDetection: ts.ModuleDetectionKind.Force,
    noLib: true,
    types: [],
    noEmit: true,
    skipLibCheck: true,
    allowJs: false,
  };

  // name -> {text, version, snapshot}
  const files = new Map();
  let roots = [];
  let clock = 0;
  const libSnapshots = new Map();

  function libText(name) {
    return name.startsWith("/lib/") ? libs[name.slice(5)] : undefined;
  }

  function put(name, text) {
    const known = files.get(name);
    if (known && known.text === text) return;
    clock += 1;
    files.set(name, { text, version: String(clock), snapshot: undefined });
  }

  // Asked at TypeScript's safe points: a superseded question stops there, and the engine
  // stays whole (`codemodeCancelled` is the host's, see engine/service.rs).
  const cancellation = {
    isCancellationRequested: () => typeof codemodeCancelled === "function" && codemodeCancelled(),
  };
  const host = {
    getCompilationSettings: () => options,
    getCancellationToken: () => cancellation,
    get jsDocParsingMode() {
      return jsDoc;
    },
    getScriptFileNames: () => roots,
    getScriptVersion: (name) => {
      const file = files.get(name);
      if (file) return file.version;
      return libText(name) === undefined ? "" : "lib";
    },
    getScriptSnapshot: (name) => {
      const file = files.get(name);
      if (file) return (file.snapshot ??= ts.ScriptSnapshot.fromString(file.text));
      const text = libText(name);
      if (text === undefined) return undefined;
      let snapshot = libSnapshots.get(name);
      if (!snapshot) libSnapshots.set(name, (snapshot = ts.ScriptSnapshot.fromString(text)));
      return snapshot;
    },
    getCurrentDirectory: () => "/",
    getDefaultLibFileName: () => LIB,
    fileExists: (name) => files.has(name) || libText(name) !== undefined,
    readFile: (name) => files.get(name)?.text ?? libText(name),
    directoryExists: (dir) => ["/", "/lib", "/codemode", "/scripts"].includes(dir) || dir.startsWith("/scripts/"),
    getDirectories: () => [],
    useCaseSensitiveFileNames: () => true,
    getNewLine: () => "\n",
  };
  // Lib files are parsed without their JSDoc: that halves their parse; only hover over lib
  // members misses it. A document registry parses in one mode, so lib files get a registry of
  // their own. Better still, they are not parsed at all: build.rs parses and binds them here
  // once (`codemodeLibSnapshot`), writes the result with QuickJS's object writer, and every
  // engine reads it back (`codemodeUseLibSnapshot`), ready to use.
  // Scripts, the prelude and the API are parsed with their JSDoc (hover, completion and
  // signature help show it), or, for a checker that only checks (`docs: false` in its
  // requests: `codemode check`, `run`, `serve`), without it: that halves the API's parse.
  let jsDoc = ts.JSDocParsingMode.ParseAll;
  // The registry of the scripts, the prelude and the API, and the language service; see
  // `renew`.
  let main, service;
  const forLib = (settings) =>
    settings && typeof settings === "object" ? { ...settings, jsDocParsingMode: ts.JSDocParsingMode.ParseNone } : settings;
  // name -> a parsed and bound lib SourceFile, from the snapshot.
  const libFiles = new Map();
  // A registry that serves the lib files from `snapshot` when it has them, else parses them
  // without JSDoc in a registry of their own.
  function registryOf(snapshot) {
    const libOnly = ts.createDocumentRegistry(true, "/", ts.JSDocParsingMode.ParseNone);
    return {
      ...main,
      acquireDocumentWithKey(name, path, settings, key, text, version, kind, options) {
        if (!name.startsWith("/lib/")) {
          return main.acquireDocumentWithKey(name, path, settings, key, text, version, kind, options);
        }
        return snapshot.get(name) ?? libOnly.acquireDocumentWithKey(name, path, settings, key, text, version, kind, forLib(options));
      },
      updateDocumentWithKey(name, path, settings, key, text, version, kind, options) {
        if (!name.startsWith("/lib/")) {
          return main.updateDocumentWithKey(name, path, settings, key, text, version, kind, options);
        }
        return snapshot.get(name) ?? libOnly.updateDocumentWithKey(name, path, settings, key, text, version, kind, forLib(options));
      },
      releaseDocumentWithKey(path, key, kind, format) {
        if (snapshot.has(path)) return;
        const owner = path.startsWith("/lib/") ? libOnly : main;
        return owner.releaseDocumentWithKey(path, key, kind, format);
      },
    };
  }
  // A new registry (in the current JSDoc mode) and a new language service over it; the lib
  // files stay, parsed and bound.
  function renew() {
    main = ts.createDocumentRegistry(true, "/", jsDoc);
    service = ts.createLanguageService(host, registryOf(libFiles));
  }
  renew();

  // After a question was stopped half-way (cancelled past its grace, or out of time): a new
  // language service over a new registry, so nothing the stopped question half-built (a
  // checker, a file half-bound) is used again. The lib files stay: they were parsed and bound
  // before, and a checker only reads them. Rust sends the prelude and the API again.
  globalThis.codemodeReset = () => {
    renew();
    files.clear();
    roots = [];
    return "";
  };

  const SEVERITY = ["warning", "error", "suggestion", "message"];

  // Brings the virtual file system in line with a request: the prelude and API (null: keep
  // what is there) and the open scripts, each `/scripts/<slot>/<name>`.
  function sync(request) {
    if (typeof request.prelude === "string") put(PRELUDE, request.prelude);
    if (typeof request.api === "string") put(API, request.api);
    const names = request.scripts.map((script) => {
      const name = `/scripts/${script.slot}/${script.name}`;
      put(name, script.text);
      return name;
    });
    for (const name of [...files.keys()]) {
      if (name.startsWith("/scripts/") && !names.includes(name)) files.delete(name);
    }
    roots = [LIB, PRELUDE, API, ...names];
    return names;
  }

  // The classes of the objects a parsed and bound file is made of. The object writer keeps
  // plain objects, arrays, maps and sets; these prototypes are put back after reading.
  const CLASSES = {
    node: ts.objectAllocator.getNodeConstructor(),
    token: ts.objectAllocator.getTokenConstructor(),
    identifier: ts.objectAllocator.getIdentifierConstructor(),
    privateIdentifier: ts.objectAllocator.getPrivateIdentifierConstructor(),
    sourceFile: ts.objectAllocator.getSourceFileConstructor(),
    symbol: ts.objectAllocator.getSymbolConstructor(),
  };

  // Every object reachable from `root`, each once: `visit(object)` for each.
  function walk(root, visit) {
    const seen = new Set();
    const stack = [root];
    while (stack.length > 0) {
      const value = stack.pop();
      if (value === null || typeof value !== "object" || seen.has(value)) continue;
      seen.add(value);
      visit(value);
      if (value instanceof Map) for (const [key, item] of value) stack.push(key, item);
      else if (value instanceof Set) for (const item of value) stack.push(item);
      else for (const key of Object.keys(value)) stack.push(value[key]);
    }
  }

  // The lib files of the program of an empty script, parsed as the language service parses
  // them (the same options, JSDoc skipped) and bound as its checker would bind them. A program
  // of its own: the language service checks as soon as it builds one, and nothing may have
  // been checked here, since the checker numbers symbols as it meets them, and numbers from
  // another engine would collide with this one's.
  function parseAndBindLibs() {
    const files = libProgram(options, forLib).getSourceFiles().filter((file) => file.fileName.startsWith("/lib/"));
    for (const file of files) ts.bindSourceFile(file, options);
    return files;
  }

  // A program of an empty script and the lib files `settings` name, each parsed with
  // `parsing(settings)`.
  function libProgram(settings, parsing) {
    const empty = "/scripts/empty.ts";
    const compilerHost = {
      getSourceFile: (name, settings) => {
        if (name === empty) return ts.createSourceFile(name, "export {};", settings, false);
        const text = libText(name);
        return text === undefined ? undefined : ts.createSourceFile(name, text, parsing(settings), false);
      },
      getDefaultLibFileName: (o) => "/lib/" + ts.getDefaultLibFileName(o),
      writeFile: () => {},
      getCurrentDirectory: () => "/",
      getCanonicalFileName: (name) => name,
      useCaseSensitiveFileNames: () => true,
      getNewLine: () => "\n",
      fileExists: (name) => name === empty || libText(name) !== undefined,
      readFile: (name) => libText(name),
      directoryExists: host.directoryExists,
      getDirectories: () => [],
    };
    const rootNames = settings.noLib ? [LIB, empty] : [empty];
    return ts.createProgram({ rootNames, options: settings, host: compilerHost });
  }

  // Build time (build.rs): LIB's text. TypeScript's ES2023 lib files (the vendored ones in
  // `codemodeLibs`), in the order a program loads them (so declarations merge as they would),
  // as one file: their `/// <reference lib>` lines cut, and what the sandbox lacks (its golden
  // list of globals, `tests/scripts/globals.golden`): `eval`, which it removes, and the values
  // of `namespace Intl` (its constructors and functions), which QuickJS-ng does not have; the
  // Intl interfaces stay, as `toLocaleString`'s options name them. One file binds its merged
  // interfaces once, where many files are merged again by every new type checker.
  globalThis.codemodeMakeLib = () => {
    const program = libProgram({ ...options, noLib: false, lib: ["lib.es2023.d.ts"] }, (settings) => settings);
    const parts = [];
    for (const file of program.getSourceFiles()) {
      if (!file.fileName.startsWith("/lib/")) continue;
      const cuts = [];
      for (const statement of file.statements) {
        if (ts.isFunctionDeclaration(statement) && statement.name?.text === "eval") {
          cuts.push([statement.getFullStart(), statement.end]);
        }
        if (!ts.isModuleDeclaration(statement) || statement.name.text !== "Intl") continue;
        for (const member of statement.body.statements) {
          if (!ts.isInterfaceDeclaration(member) && !ts.isTypeAliasDeclaration(member)) {
            cuts.push([member.getFullStart(), member.end]);
          }
        }
      }
      let text = file.text;
      for (const [from, to] of cuts.sort((a, b) => b[0] - a[0])) text = text.slice(0, from) + text.slice(to);
      text = text.replace(/^\/\/\/ <reference lib="[^"]*" \/>\r?\n/gm, "");
      parts.push(`// ${file.fileName.slice(5)}\n${text}`);
    }
    return parts.join("\n");
  };

  globalThis.codemodeLibSnapshot = () => {
    const files = parseAndBindLibs();
    const prototypes = new Map(Object.entries(CLASSES).map(([name, make]) => [make.prototype, name]));
    const classes = Object.fromEntries(Object.keys(CLASSES).map((name) => [name, []]));
    // The writer keeps an array's elements only; a syntax tree's arrays carry `pos`, `end`
    // and more, put back after reading.
    const arrays = [];
    const arrayFields = [];
    walk(files, (object) => {
      if (Array.isArray(object)) {
        const fields = Object.keys(object).filter((key) => !/^\d+$/.test(key));
        if (fields.length > 0) {
          arrays.push(object);
          arrayFields.push(Object.fromEntries(fields.map((key) => [key, object[key]])));
        }
      }
      const name = prototypes.get(Object.getPrototypeOf(object));
      if (name) classes[name].push(object);
      // Set again after reading (the same text twice would be written twice).
      if (name === "sourceFile") delete object.scriptSnapshot;
      for (const key of Object.keys(object)) {
        // The parser's `setExternalModuleIndicator` is the one function a file holds; it is
        // the options', and put back after reading.
        if (typeof object[key] === "function") {
          if (key !== "setExternalModuleIndicator") throw new Error(`a lib file holds a function at ${key}`);
          delete object[key];
        }
      }
      // The binder numbers the module declarations it meets (for a cache of its own); the
      // reading engine numbers nodes afresh.
      if (name === "node" || name === "token" || name === "identifier") object.id = 0;
      else if (object.id || object.mergeId) throw new Error("a lib file was checked before its snapshot");
    });
    return { typescript: ts.version, files, classes, arrays, arrayFields };
  };

  globalThis.codemodeUseLibSnapshot = (snapshot) => {
    if (snapshot.typescript !== ts.version) {
      throw new Error(`the lib snapshot is of TypeScript ${snapshot.typescript}, not ${ts.version}`);
    }
    for (const [name, objects] of Object.entries(snapshot.classes)) {
      const prototype = CLASSES[name].prototype;
      for (const object of objects) Object.setPrototypeOf(object, prototype);
    }
    snapshot.arrays.forEach((array, index) => Object.assign(array, snapshot.arrayFields[index]));
    const indicator = ts.getSetExternalModuleIndicator(options);
    for (const file of snapshot.files) {
      file.setExternalModuleIndicator = indicator;
      file.version = "lib";
      file.scriptSnapshot = host.getScriptSnapshot(file.fileName);
      libFiles.set(file.fileName, file);
    }
  };

  // Differences between the snapshot's lib files and the same files parsed and bound now (at
  // most `limit`), for the test that the snapshot is what a fresh parse gives.
  globalThis.codemodeCompareLibSnapshot = (limit) => {
    limit = Number(limit);
    const restored = [...libFiles.values()];
    if (restored.length === 0) return JSON.stringify(["no lib snapshot was taken"]);
    const fresh = parseAndBindLibs();
    const differences = [];
    const differ = (path, what) => differences.length < limit && differences.push(`${path}: ${what}`);
    const seen = new Map();
    const compare = (a, b, path) => {
      if (differences.length >= limit) return;
      if (a === null || b === null || typeof a !== "object" || typeof b !== "object") {
        if (a !== b && typeof a !== "function") differ(path, `${String(a)} ≠ ${String(b)}`);
        return;
      }
      if (seen.has(a)) {
        if (seen.get(a) !== b) differ(path, "shared differently");
        return;
      }
      seen.set(a, b);
      if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return differ(path, "another class");
      if (a instanceof Map) {
        if (a.size !== b.size) return differ(path, `${a.size} entries ≠ ${b.size}`);
        for (const [key, item] of a) compare(item, b.get(key), `${path}.get(${key})`);
        return;
      }
      const keys = Object.keys(a).filter((key) => !["id", "version", "scriptSnapshot", "setExternalModuleIndicator"].includes(key));
      for (const key of keys) compare(a[key], b[key], `${path}.${key}`);
      for (const key of Object.keys(b)) if (!(key in a) && typeof b[key] !== "function") differ(path, `no ${key}`);
    };
    const byName = new Map(restored.map((file) => [file.fileName, file]));
    if (byName.size !== fresh.length) differ("files", `${byName.size} ≠ ${fresh.length}`);
    for (const file of fresh) compare(byName.get(file.fileName), file, file.fileName);
    return JSON.stringify(differences);
  };

  // The one entry point: {op, prelude, api, scripts: [{slot, name, text}], target, ...} in,
  // JSON out. `target` is the index in `scripts` of the script a question is about.
  globalThis.codemodeAsk = (input) => {
    const request = JSON.parse(input);
    const mode = request.docs === false ? ts.JSDocParsingMode.ParseForTypeErrors : ts.JSDocParsingMode.ParseAll;
    if (mode !== jsDoc) {
      // A registry parses in one mode: a new one, and a language service over it.
      jsDoc = mode;
      renew();
    }
    const names = sync(request);
    const op = OPS[request.op];
    if (!op) throw new Error(`unknown checker operation ${request.op}`);
    return JSON.stringify(op(request, names));
  };

  const OPS = {
    // Diagnostics of every script, or only of `target`.
    check(request, names) {
      const program = service.getProgram();
      const diagnostics = [];
      if (request.target === undefined) {
        for (const diagnostic of program.getGlobalDiagnostics().concat(program.getOptionsDiagnostics())) {
          diagnostics.push(describe(diagnostic, -1, undefined));
        }
      }
      names.forEach((name, index) => {
        if (request.target !== undefined && request.target !== index) return;
        // As tsc does, a file's semantic errors only once it parses; as tsserver does (for
        // editors, `together`), both at once.
        let found = service.getSyntacticDiagnostics(name);
        if (found.length === 0 || request.together) found = found.concat(service.getSemanticDiagnostics(name));
        const file = program.getSourceFile(name);
        for (const diagnostic of found) diagnostics.push(describe(diagnostic, index, file));
      });
      return { diagnostics };
    },

    completions(request, names) {
      const name = names[request.target];
      const at = offsetOf(name, request);
      const info = service.getCompletionsAtPosition(name, at, PREFERENCES);
      if (!info) return { items: [], incomplete: false };
      const program = service.getProgram();
      const file = program.getSourceFile(name);
      const entries = info.entries.slice(0, MAX_COMPLETIONS);
      // After `x.` (a namespace's tools, a result's fields): each entry's docs now, read off
      // the members of `x`'s type, so clients that never resolve an item still show what
      // each tool does. (Asking TypeScript for each entry's details would redo the list.)
      const members = info.isMemberCompletion ? membersBefore(program, file, at) : undefined;
      const items = entries.map((entry) => {
        const item = {
          name: entry.name,
          kind: entry.kind,
          modifiers: entry.kindModifiers || undefined,
          sort: entry.sortText,
          insert: entry.insertText,
          source: entry.source,
          optional: (entry.kindModifiers ?? "").split(",").includes("optional") || undefined,
        };
        if (entry.replacementSpan) item.replace = span(file, entry.replacementSpan);
        const member = members?.get(entry.name);
        if (member) Object.assign(item, member());
        return item;
      });
      return { items, incomplete: info.entries.length > entries.length || !!info.isIncomplete };
    },

    details(request, names) {
      const name = names[request.target];
      const at = offsetOf(name, request);
      return entryDetails(name, at, request.entry, request.source ?? undefined, undefined) ?? null;
    },

    hover(request, names) {
      const name = names[request.target];
      const info = service.getQuickInfoAtPosition(name, offsetOf(name, request));
      if (!info) return null;
      const file = service.getProgram().getSourceFile(name);
      return {
        display: ts.displayPartsToString(info.displayParts),
        documentation: ts.displayPartsToString(info.documentation),
        tags: tags(info.tags),
        range: span(file, info.textSpan),
      };
    },

    signature(request, names) {
      const name = names[request.target];
      const help = service.getSignatureHelpItems(name, offsetOf(name, request), {
        triggerReason: { kind: "invoked" },
      });
      if (!help) return null;
      const signatures = help.items.map((item) => {
        let label = ts.displayPartsToString(item.prefixDisplayParts);
        const separator = ts.displayPartsToString(item.separatorDisplayParts);
        const parameters = item.parameters.map((parameter, i) => {
          if (i > 0) label += separator;
          const text = ts.displayPartsToString(parameter.displayParts);
          const start = label.length;
          label += text;
          return { start, end: label.length, documentation: ts.displayPartsToString(parameter.documentation) };
        });
        label += ts.displayPartsToString(item.suffixDisplayParts);
        return {
          label,
          documentation: ts.displayPartsToString(item.documentation),
          tags: tags(item.tags),
          parameters,
        };
      });
      return { signatures, active: help.selectedItemIndex, parameter: help.argumentIndex };
    },

    definition(request, names) {
      const name = names[request.target];
      const found = service.getDefinitionAtPosition(name, offsetOf(name, request)) ?? [];
      const program = service.getProgram();
      const locations = [];
      for (const definition of found) {
        const file = program.getSourceFile(definition.fileName);
        if (!file) continue;
        locations.push({ ...place(definition.fileName, names), range: span(file, definition.textSpan) });
      }
      return { locations };
    },

    symbols(request, names) {
      const name = names[request.target];
      const file = service.getProgram().getSourceFile(name);
      const tree = service.getNavigationTree(name);
      const convert = (item) => ({
        name: item.text,
        kind: item.kind,
        range: span(file, item.spans[0]),
        selection: span(file, item.nameSpan ?? item.spans[0]),
        children: (item.childItems ?? []).map(convert),
      });
      return { symbols: (tree.childItems ?? []).map(convert) };
    },
  };

  const MAX_COMPLETIONS = 2000;
  const EAGER_DETAILS = 60;

  // The members of the type of `x` in `x.|` at `at`, each a function answering its details.
  function membersBefore(program, file, at) {
    let node = tokenAt(file, Math.max(at - 1, 0));
    while (node && !ts.isPropertyAccessExpression(node)) node = node.parent;
    if (!node) return undefined;
    const checker = program.getTypeChecker();
    const type = checker.getNonNullableType(checker.getTypeAtLocation(node.expression));
    const properties = checker.getPropertiesOfType(type);
    if (properties.length === 0 || properties.length > EAGER_DETAILS) return undefined;
    const members = new Map();
    for (const symbol of properties) {
      members.set(symbol.name, () => {
        const declaration = symbol.valueDeclaration ?? symbol.declarations?.[0];
        const kind = declaration && ts.isFunctionDeclaration(declaration) ? "function" : "property";
        const owner = checker.typeToString(type);
        const memberType = checker.getTypeOfSymbolAtLocation(symbol, node);
        const signature = memberType.getCallSignatures()[0];
        const detail =
          kind === "function" && signature
            ? `function ${owner.replace(/^typeof /, "")}.${symbol.name}${checker.signatureToString(signature, file, ts.TypeFormatFlags.UseFullyQualifiedType | ts.TypeFormatFlags.NoTruncation)}`
            : `(property) ${symbol.name}: ${checker.typeToString(memberType)}`;
        return {
          detail,
          documentation: ts.displayPartsToString(symbol.getDocumentationComment(checker)),
          tags: symbol.getJsDocTags(checker).map((tag) => ({ name: tag.name, text: ts.displayPartsToString(tag.text) })),
        };
      });
    }
    return members;
  }
  const PREFERENCES = {
    includeCompletionsWithInsertText: true,
    includeCompletionsForModuleExports: false,
    includeAutomaticOptionalChainCompletions: true,
    includeCompletionsWithClassMemberSnippets: false,
    allowIncompleteCompletions: true,
  };

  function entryDetails(name, at, entry, source, data) {
    const details = service.getCompletionEntryDetails(name, at, entry, undefined, source, PREFERENCES, data);
    if (!details) return undefined;
    return {
      detail: ts.displayPartsToString(details.displayParts),
      documentation: ts.displayPartsToString(details.documentation),
      tags: tags(details.tags),
    };
  }

  function tags(list) {
    return (list ?? []).map((tag) => ({ name: tag.name, text: ts.displayPartsToString(tag.text) }));
  }

  // A 0-based {line, character} (UTF-16, as LSP counts) as an offset, clamped to the file.
  function offsetOf(name, request) {
    const file = service.getProgram().getSourceFile(name);
    if (!file) throw new Error(`no script ${name}`);
    const starts = file.getLineStarts();
    const line = Math.min(Math.max(request.line ?? 0, 0), starts.length - 1);
    const end = line + 1 < starts.length ? starts[line + 1] : file.text.length;
    return Math.min(starts[line] + Math.max(request.character ?? 0, 0), end);
  }

  function span(file, textSpan) {
    const start = file.getLineAndCharacterOfPosition(textSpan.start);
    const end = file.getLineAndCharacterOfPosition(textSpan.start + textSpan.length);
    return { start, end };
  }

  // Which file of the program a name is, in the terms Rust knows.
  function place(fileName, names) {
    if (fileName === API) return { file: "api" };
    if (fileName === PRELUDE) return { file: "prelude" };
    if (fileName.startsWith("/lib/")) return { file: "lib", lib: fileName.slice(5) };
    const index = names.indexOf(fileName);
    return index >= 0 ? { file: "script", script: index } : { file: "other" };
  }

  function describe(diagnostic, index, file) {
    const out = {
      script: index,
      code: diagnostic.code,
      severity: SEVERITY[diagnostic.category] ?? "error",
      message: ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n"),
    };
    if (file && diagnostic.start !== undefined) {
      const start = file.getLineAndCharacterOfPosition(diagnostic.start);
      const end = file.getLineAndCharacterOfPosition(diagnostic.start + (diagnostic.length ?? 0));
      out.line = start.line + 1;
      out.column = start.character + 1;
      out.endLine = end.line + 1;
      out.endColumn = end.character + 1;
    }
    return out;
  }

  // The innermost node that starts at `position`.
  function tokenAt(file, position) {
    let found;
    const visit = (node) => {
      if (node.pos <= position && position < node.end) {
        if (node.getStart(file) <= position) found = node;
        node.forEachChild(visit);
      }
    };
    file.forEachChild(visit);
    return found;
  }
})();
