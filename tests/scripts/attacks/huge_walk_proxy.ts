// expect-kind: limit
const target: any[] = [];
const a = new Proxy(target, { get: (t, k) => (k === "length" ? 2 ** 32 - 1 : Reflect.get(t, k)) });
export default a.join(",").length;
