// expect-kind: limit
const bytes = new Uint8Array(48 * 1024 * 1024);
export default bytes.sort()[0];
