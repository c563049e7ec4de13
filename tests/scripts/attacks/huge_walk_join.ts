// expect-kind: limit
const a: any[] = Array(2 ** 32 - 1);
export default a.join(",").length;
