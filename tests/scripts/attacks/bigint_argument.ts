// expect-kind: runtime
await demo.add({ a: 1n as any, b: 2 });
