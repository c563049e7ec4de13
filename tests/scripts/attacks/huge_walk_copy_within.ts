// expect-kind: limit
const a: any[] = Array(2 ** 32 - 1);
export default a.copyWithin(0, 1).length;
