// Runs once in each fresh isolate, before the script. Builds the script environment:
// the tool namespaces, `console`, `ToolError`; removes code generation from strings.
// Everything the bridge uses is captured here, before any script code runs, so a script
// that replaces `JSON.parse`, `Map.prototype.set` or `Reflect.apply` changes nothing here.
// Returns `settle(id, ok, payload)`, which the host calls when a tool call finishes.
(function bootstrap(hostCall, hostLog, api) {
  "use strict";
  const G = globalThis;
  const apply = Reflect.apply;
  const defineProperty = Object.defineProperty;
  const freeze = Object.freeze;
  const getPrototypeOf = Object.getPrototypeOf;
  const jsonParse = JSON.parse;
  const jsonStringify = JSON.stringify;
  const isArray = Array.isArray;
  const PromiseCtor = Promise;
  const ErrorCtor = Error;
  const TypeErrorCtor = TypeError;
  const MapCtor = Map;
  const mapGet = Map.prototype.get;
  const mapSet = Map.prototype.set;
  const mapDelete = Map.prototype.delete;
  const StringCtor = String;
  const pending = new MapCtor();
  // What the host's JSON conversion compares against, passed with every call so the host
  // holds no script values between calls.
  const intrinsics = freeze([Date, Date.prototype.toISOString, PromiseCtor]);

  const hidden = (target, name, value) =>
    defineProperty(target, name, { value, writable: false, enumerable: false, configurable: false });

  class ToolError extends ErrorCtor {
    constructor(server, tool, message) {
      super(message);
      defineProperty(this, "name", { value: "ToolError", writable: true, enumerable: false, configurable: true });
      hidden(this, "server", server);
      hidden(this, "tool", tool);
    }
  }

  function textOf(content) {
    let text = "";
    let first = true;
    for (let i = 0; i < content.length; i++) {
      const block = content[i];
      if (block !== null && typeof block === "object" && block.type === "text" && typeof block.text === "string") {
        text = first ? block.text : text + "\n" + block.text;
        first = false;
      }
    }
    return text;
  }

  function toolResult(out) {
    const content = isArray(out.content) ? out.content : [];
    const text = textOf(content);
    const result = {
      text,
      content,
      json() {
        try {
          return jsonParse(text);
        } catch (error) {
          const start = text.length > 60 ? text.slice(0, 60) + "…" : text;
          throw new ErrorCtor("the tool's text is not JSON (" + error.message + "): " + jsonStringify(start));
        }
      },
    };
    if (out.structured !== undefined) result.structured = out.structured;
    return freeze(result);
  }

  function settle(id, ok, payload) {
    const entry = apply(mapGet, pending, [id]);
    if (entry === undefined) return;
    apply(mapDelete, pending, [id]);
    const resolve = entry[0], server = entry[2], tool = entry[3], typed = entry[4], site = entry[5];
    const reject = (error) => {
      defineProperty(error, "stack", { value: site.stack, writable: true, enumerable: false, configurable: true });
      entry[1](error);
    };
    if (!ok) {
      reject(new ToolError(server, tool, payload));
      return;
    }
    const out = jsonParse(payload);
    const content = isArray(out.content) ? out.content : [];
    if (out.isError === true) {
      reject(new ToolError(server, tool, textOf(content) || "the tool reported an error without a message"));
    } else if (!typed) {
      resolve(toolResult(out));
    } else if (out.structured !== undefined && out.structured !== null) {
      resolve(out.structured);
    } else {
      // A tool with an outputSchema must send structuredContent; older servers put the JSON in text.
      try {
        resolve(jsonParse(textOf(content)));
      } catch (error) {
        reject(new ToolError(server, tool, "the tool declares an outputSchema but sent no structuredContent, and its text is not JSON"));
      }
    }
  }

  function tool(serverIndex, toolIndex, server, name, functionName, typed) {
    const call = {
      [functionName](input) {
        // Where the script called from, so a failure points at the call, not at the reply.
        const site = new ErrorCtor();
        return new PromiseCtor((resolve, reject) => {
          const id = hostCall(serverIndex, toolIndex, input, intrinsics, site.stack);
          apply(mapSet, pending, [id, [resolve, reject, server, name, typed, site]]);
        });
      },
    }[functionName];
    return freeze(call);
  }

  for (let s = 0; s < api.length; s++) {
    const entry = api[s];
    const namespace = {};
    for (let t = 0; t < entry.tools.length; t++) {
      const spec = entry.tools[t];
      defineProperty(namespace, spec.function, {
        value: tool(s, t, entry.server, spec.tool, spec.function, spec.typed),
        writable: false,
        enumerable: true,
        configurable: false,
      });
    }
    hidden(G, entry.namespace, freeze(namespace));
  }

  function inspect(value) {
    switch (typeof value) {
      case "string": return value;
      case "undefined": return "undefined";
      case "bigint": return StringCtor(value) + "n";
      case "symbol": return value.toString();
      case "function": return "[Function " + (value.name || "anonymous") + "]";
      case "object":
        if (value === null) return "null";
        if (value instanceof ErrorCtor) {
          return (value.name || "Error") + ": " + value.message;
        }
        try {
          return jsonStringify(value, function (key, v) {
            if (typeof v === "bigint") return StringCtor(v) + "n";
            if (typeof v === "function") return "[Function " + (v.name || "anonymous") + "]";
            return v;
          });
        } catch (error) {
          return "[unprintable: " + (error && error.message) + "]";
        }
      default: return StringCtor(value);
    }
  }

  function logger(level) {
    return function (...values) {
      let line = "";
      for (let i = 0; i < values.length; i++) {
        let text;
        try {
          text = inspect(values[i]);
        } catch (error) {
          text = "[unprintable]";
        }
        line = i === 0 ? text : line + " " + text;
      }
      hostLog(level, line, new ErrorCtor().stack);
    };
  }
  const console = {
    log: logger(0),
    info: logger(1),
    debug: logger(0),
    warn: logger(2),
    error: logger(3),
  };
  hidden(G, "console", freeze(console));
  hidden(G, "ToolError", ToolError);

  // No code from strings: same privilege, but nothing a model needs, and a common escape hatch.
  const noCodeFromStrings = function Function() {
    throw new TypeErrorCtor("code generation from strings is disabled in codemode scripts");
  };
  noCodeFromStrings.prototype = Function.prototype;
  const constructors = [
    Function.prototype,
    getPrototypeOf(async function () {}),
    getPrototypeOf(function* () {}),
    getPrototypeOf(async function* () {}),
  ];
  for (let i = 0; i < constructors.length; i++) {
    defineProperty(constructors[i], "constructor", { value: noCodeFromStrings, writable: false, enumerable: false, configurable: false });
  }
  hidden(G, "Function", noCodeFromStrings);
  delete G.eval;

  // The environment is ECMAScript plus what is declared for scripts: QuickJS-ng's web extras
  // (a high-resolution clock among them) go, so what runs matches what type-checks.
  const extras = ["performance", "queueMicrotask", "atob", "btoa", "DOMException"];
  for (let i = 0; i < extras.length; i++) delete G[extras[i]];

  return settle;
})
