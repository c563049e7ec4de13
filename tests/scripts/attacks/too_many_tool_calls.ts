// expect-kind: limit
await Promise.all(Array.from({ length: 20_000 }, (_, i) => demo.add({ a: i, b: 1 })));
