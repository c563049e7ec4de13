// expect-kind: runtime
const results: string[] = [];
for (const attempt of [
  () => (0, (globalThis as any).eval)("1"),
  () => new Function("return 1")(),
  () => (async function () {}).constructor("return 1"),
  () => (function* () {}).constructor("yield 1"),
]) {
  try {
    attempt();
    results.push("ran");
  } catch (error) {
    results.push(String(error));
  }
}
throw new Error(results.join(" | "));
