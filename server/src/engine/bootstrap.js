// Runs once in each fresh isolate, before the script. Builds the script environment:
// the tool namespaces, `console`, `ToolError`; removes code generation from strings.
// Everything the bridge uses is captured here, before any script code runs, so a script
// that replaces `JSON.parse`, `Map.prototype.set` or `Reflect.apply` changes nothing here.
// Returns `settle(id, ok, payload)`, which the host calls when a tool call finishes.
// `maxWalk` bounds the native walks of array built-ins (see "Every walk is bounded" below);
// `hostLimit(message)` tells the host a limit refused something, as a tool-call limit does.
(function bootstrap(hostCall, hostAsk, hostLog, hostLimit, hostContent, api, maxWalk) {
  "use strict";
  const G = globalThis;
  const apply = Reflect.apply;
  const defineProperty = Object.defineProperty;
  const freeze = Object.freeze;
  const getPrototypeOf = Object.getPrototypeOf;
  const hasOwn = Object.hasOwn;
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

  // The content blocks a log line passes on rather than prints (see `content.rs`).
  const CONTENT_TYPES = freeze({ __proto__: null, image: true, audio: true, resource: true, resource_link: true });

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
    const result = { text, content };
    // Not enumerable: a returned ToolResult is data, its method no part of it.
    hidden(result, "json", function json() {
      try {
        return jsonParse(text);
      } catch (error) {
        const start = text.length > 60 ? text.slice(0, 60) + "…" : text;
        throw new ErrorCtor("the tool's text is not JSON (" + error.message + "): " + jsonStringify(start));
      }
    });
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
    // A resource or prompt request: the server's answer as it is.
    if (typed === RAW) {
      resolve(jsonParse(payload));
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

  // How `settle` tells a resource or prompt request from a tool call.
  const RAW = 2;

  // `namespace.resources.read(uri)` and the like: `kind` names the request for the host.
  function ask(serverIndex, server, method, kind, text, input) {
    const site = new ErrorCtor();
    return new PromiseCtor((resolve, reject) => {
      const id = hostAsk(serverIndex, kind, text === undefined ? "" : text, input, intrinsics, site.stack);
      apply(mapSet, pending, [id, [resolve, reject, server, method, RAW, site]]);
    });
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
    const functions = [];
    for (let t = 0; t < entry.tools.length; t++) {
      const spec = entry.tools[t];
      const value = tool(s, t, entry.server, spec.tool, spec.function, spec.typed);
      functions.push([spec.tool, value]);
      defineProperty(namespace, spec.function, {
        value,
        writable: false,
        enumerable: true,
        configurable: false,
      });
    }
    const member = (name, value) =>
      defineProperty(namespace, name, { value: freeze(value), writable: false, enumerable: true, configurable: false });
    const index = s, server = entry.server;
    if (entry.resources) {
      member("resources", {
        list: () => ask(index, server, "resources/list", "list"),
        read: (uri) => ask(index, server, "resources/read", "read", StringCtor(uri)),
        templates: () => ask(index, server, "resources/templates/list", "templates"),
      });
    }
    if (entry.prompts) {
      member("prompts", {
        list: () => ask(index, server, "prompts/list", "prompts"),
        get: (name, args) => ask(index, server, "prompts/get", "prompt", StringCtor(name), args),
      });
    }
    // A tool also answers to its MCP name where no function has that name (`memory.delete_entities`
    // beside `memory.deleteEntities`), unlisted: the types name only the functions.
    for (let f = 0; f < functions.length; f++) {
      const [name, value] = functions[f];
      if (!hasOwn(namespace, name)) hidden(namespace, name, value);
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
        if (typeof value.type === "string" && hasOwn(CONTENT_TYPES, value.type)) {
          // An image (audio, resource, link) leaves as a content block, named here.
          let placeholder;
          try {
            placeholder = hostContent(jsonStringify(value));
          } catch (error) {
            placeholder = undefined;
          }
          if (typeof placeholder === "string") return placeholder;
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

  // Every walk is bounded. QuickJS's array built-ins walk every index from 0 to `length` in
  // native code that never lets the interrupt handler (the time limit) in, and a sparse
  // array or an array-like costs no memory: one `Array(2**32 - 1).join()` could outlive any
  // limit. So: a receiver longer than `maxWalk` (what a dense array can hold in the memory
  // limit) is refused with a RangeError; one that is not a plain array (an array-like, a
  // Proxy, a string) is first copied into one by a loop in JavaScript, which the interrupt
  // reaches, so the length that was checked is the one walked; the default orders of `sort`
  // become JavaScript comparators (each call lets the interrupt in); `concat`, `flat` and
  // `flatMap`, which walk nested arrays, are written here in JavaScript.
  const ObjectCtor = Object;
  const ArrayProto = Array.prototype;
  const RangeErrorCtor = RangeError;
  const WeakSetCtor = WeakSet;
  const weakAdd = WeakSet.prototype.add;
  const weakHas = WeakSet.prototype.has;
  const spreadable = Symbol.isConcatSpreadable;
  const ProxyCtor = Proxy;
  const proxyRevocable = Proxy.revocable;
  const getOwnPropertyDescriptor = Object.getOwnPropertyDescriptor;
  const proxies = new WeakSetCtor();

  // Every proxy is known, so a Proxy around an array (which `Array.isArray` calls an array)
  // is not taken for one whose length cannot change between the check and the walk.
  const TrackedProxy = function Proxy(target, handler) {
    if (new.target === undefined) throw new TypeErrorCtor("Constructor Proxy requires 'new'");
    const proxy = new ProxyCtor(target, handler);
    apply(weakAdd, proxies, [proxy]);
    return proxy;
  };
  TrackedProxy.prototype = undefined;
  defineProperty(TrackedProxy, "revocable", {
    value: function revocable(target, handler) {
      const pair = apply(proxyRevocable, ProxyCtor, [target, handler]);
      apply(weakAdd, proxies, [pair.proxy]);
      return pair;
    },
    writable: true, enumerable: false, configurable: true,
  });
  defineProperty(G, "Proxy", { value: TrackedProxy, writable: true, enumerable: false, configurable: true });

  const isPlainArray = (value) => isArray(value) && !apply(weakHas, proxies, [value]);
  const toLength = (value) => {
    const n = +value;
    if (!(n > 0)) return 0;
    return n >= 9007199254740991 ? 9007199254740991 : n - (n % 1);
  };
  const tooLong = (what, length) => {
    const message = what + " would walk " + length + " elements; codemode scripts walk at most " + maxWalk + " (the memory limit's worth of a dense array)";
    hostLimit(message);
    return new RangeErrorCtor(message);
  };
  const put = (target, index, value) =>
    defineProperty(target, index, { value, writable: true, enumerable: true, configurable: true });
  const objectOf = (value, what) => {
    if (value === null || value === undefined) throw new TypeErrorCtor(what + " called on " + value);
    return ObjectCtor(value);
  };
  // A plain array with the elements (and holes) of `source`, walked in JavaScript.
  const copyOf = (source, what) => {
    const object = objectOf(source, what);
    const length = toLength(object.length);
    if (length > maxWalk) throw tooLong(what, length);
    const copy = [];
    for (let k = 0; k < length; k++) if (k in object) put(copy, k, object[k]);
    copy.length = length;
    return copy;
  };

  const byString = function (x, y) {
    const a = StringCtor(x), b = StringCtor(y);
    return a < b ? -1 : a > b ? 1 : 0;
  };
  const byNumber = function (x, y) {
    if (x !== x) return y !== y ? 0 : 1;
    if (y !== y) return -1;
    if (x < y) return -1;
    if (x > y) return 1;
    if (x === 0 && y === 0) {
      const nx = 1 / x < 0, ny = 1 / y < 0;
      return nx === ny ? 0 : nx ? -1 : 1;
    }
    return 0;
  };

  const mutating = ["copyWithin", "fill", "pop", "push", "reverse", "shift", "sort", "splice", "unshift"];
  const walking = ["join", "slice", "toLocaleString", "toReversed", "toSorted", "toSpliced", "with"];
  const sorts = ["sort", "toSorted"];
  const replace = (proto, name, method, length) => {
    defineProperty(method, "length", { value: length, writable: false, enumerable: false, configurable: true });
    defineProperty(proto, name, { value: method, writable: true, enumerable: false, configurable: true });
  };
  // Wraps `proto[name]`: `receive(receiver, what)` checks the receiver (and may answer a
  // copy to walk instead); a sort without a comparator gets `compare`.
  const guard = (proto, prefix, name, receive, compare) => {
    const original = proto[name];
    if (typeof original !== "function") return;
    const what = prefix + name;
    const sorting = sorts.includes(name);
    const wrapped = {
      [name](...args) {
        const receiver = receive(this, what);
        if (sorting && args[0] === undefined) args[0] = compare;
        return apply(original, receiver, args);
      },
    }[name];
    replace(proto, name, wrapped, original.length);
  };
  const arrayReceiver = (mutates) => (receiver, what) => {
    if (isPlainArray(receiver)) {
      if (receiver.length > maxWalk) throw tooLong(what, receiver.length);
      return receiver;
    }
    if (mutates) {
      objectOf(receiver, what);
      throw new TypeErrorCtor(what + " in a codemode script takes an array; copy an array-like with Array.from first");
    }
    return copyOf(receiver, what);
  };
  for (let i = 0; i < mutating.length; i++) guard(ArrayProto, "Array.prototype.", mutating[i], arrayReceiver(true), byString);
  for (let i = 0; i < walking.length; i++) guard(ArrayProto, "Array.prototype.", walking[i], arrayReceiver(false), byString);

  // Nested walks, in JavaScript.
  const flatInto = (out, source, length, depth, mapper, thisArg, what) => {
    for (let k = 0; k < length; k++) {
      if (!(k in source)) continue;
      let element = source[k];
      if (mapper !== undefined) element = apply(mapper, thisArg, [element, k, source]);
      if (depth > 0 && isArray(element)) {
        const inner = isPlainArray(element) ? element : copyOf(element, what);
        if (out.length + inner.length > maxWalk) throw tooLong(what, out.length + inner.length);
        flatInto(out, inner, inner.length, depth - 1, undefined, undefined, what);
      } else {
        if (out.length >= maxWalk) throw tooLong(what, out.length + 1);
        put(out, out.length, element);
      }
    }
    return out;
  };
  const methods = {
    concat(...items) {
      const what = "Array.prototype.concat";
      const out = [];
      let n = 0;
      for (let i = -1; i < items.length; i++) {
        const item = i < 0 ? objectOf(this, what) : items[i];
        let spread = false;
        if (item !== null && (typeof item === "object" || typeof item === "function")) {
          const flag = item[spreadable];
          spread = flag !== undefined ? !!flag : isArray(item);
        }
        if (!spread) {
          if (n >= maxWalk) throw tooLong(what, n + 1);
          put(out, n++, item);
          continue;
        }
        const source = isPlainArray(item) ? item : copyOf(item, what);
        if (n + source.length > maxWalk) throw tooLong(what, n + source.length);
        for (let k = 0; k < source.length; k++) if (k in source) put(out, n + k, source[k]);
        n += source.length;
      }
      out.length = n;
      return out;
    },
    flat(depth) {
      const what = "Array.prototype.flat";
      const source = isPlainArray(this) ? this : copyOf(this, what);
      if (source.length > maxWalk) throw tooLong(what, source.length);
      let levels = depth === undefined ? 1 : +depth;
      if (levels !== levels) levels = 0;
      return flatInto([], source, source.length, levels, undefined, undefined, what);
    },
    flatMap(mapper, thisArg) {
      const what = "Array.prototype.flatMap";
      const source = isPlainArray(this) ? this : copyOf(this, what);
      if (source.length > maxWalk) throw tooLong(what, source.length);
      if (typeof mapper !== "function") throw new TypeErrorCtor(what + ": the mapper is not a function");
      return flatInto([], source, source.length, 1, mapper, thisArg, what);
    },
  };
  const lengths = { concat: 1, flat: 0, flatMap: 1 };
  for (const name in methods) replace(ArrayProto, name, methods[name], lengths[name]);

  // Typed arrays hold real memory, but their walks are native too: bounded the same way.
  const TypedArrayProto = getPrototypeOf(Uint8Array.prototype);
  const typedLength = getOwnPropertyDescriptor(TypedArrayProto, "length").get;
  const typedWalks = ["copyWithin", "fill", "includes", "indexOf", "join", "lastIndexOf", "reverse", "set", "slice", "sort", "toLocaleString", "toReversed", "toSorted", "with"];
  const typedReceiver = (receiver, what) => {
    const length = apply(typedLength, receiver, []);
    if (length > maxWalk) throw tooLong(what, length);
    return receiver;
  };
  for (let i = 0; i < typedWalks.length; i++) guard(TypedArrayProto, "TypedArray.prototype.", typedWalks[i], typedReceiver, byNumber);

  // A stack trace's call sites do not hand out the functions on the stack (the bootstrap's
  // own among them).
  defineProperty(ErrorCtor, "prepareStackTrace", { value: undefined, writable: false, enumerable: false, configurable: false });

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
