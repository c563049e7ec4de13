// expect-kind: limit
const a: any[] = Array(2 ** 32 - 2);
export default a.unshift(1);
