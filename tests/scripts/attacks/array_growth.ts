// expect-kind: memory
const kept: number[][] = [];
for (;;) kept.push(new Array(1_000_000).fill(1));
