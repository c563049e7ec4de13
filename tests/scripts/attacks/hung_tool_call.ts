// expect-kind: timeout
await demo.sleep({ ms: 100_000 });
