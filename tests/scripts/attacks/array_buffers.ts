// expect-kind: memory
const kept: ArrayBuffer[] = [];
for (;;) kept.push(new ArrayBuffer(32 * 1024 * 1024));
