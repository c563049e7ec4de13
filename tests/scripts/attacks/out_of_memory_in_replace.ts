// expect-kind: memory
// QuickJS, at its memory limit, could not build its own out-of-memory error and threw
// `null` (kind runtime, message "null").
const doubled = "a".repeat(2 ** 24).replace(/a/g, "bb");
export default doubled.length;
