// expect-kind: limit
// A sparse array of 2**32 - 1 holes is walked by nobody: the result's JSON budget stops it.
export default Array(2 ** 32 - 1);
