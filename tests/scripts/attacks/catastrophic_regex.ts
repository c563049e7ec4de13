// expect-kind: timeout
const match = /^(a+)+$/.test("a".repeat(40) + "!");
export default match;
