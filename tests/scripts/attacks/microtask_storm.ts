// expect-kind: timeout
Promise.resolve().then(function again() {
  Promise.resolve().then(again);
});
await demo.sleep({ ms: 100_000 });
