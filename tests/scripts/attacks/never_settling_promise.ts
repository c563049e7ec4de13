// expect-kind: timeout
await new Promise(() => {});
