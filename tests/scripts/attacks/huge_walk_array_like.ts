// expect-kind: limit
const join = Array.prototype.join;
export default join.call({ length: 2 ** 53 - 1 } as any, ",").length;
