// expect-kind: runtime
await import("data:text/javascript,export default 1");
