// expect-kind: limit
export default "x".repeat(50 * 1024 * 1024);
