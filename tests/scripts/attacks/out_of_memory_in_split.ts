// expect-kind: memory
// The error a script catches at its memory limit is an error, not `null`.
try {
  "a".repeat(2 ** 24).split("");
} catch (error) {
  if (error === null) throw new Error("caught null where an out-of-memory error belongs");
  throw error;
}
