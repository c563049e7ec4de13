// expect: 2 TS2322 Type 'string' is not assignable to type 'number'
await everything.getSum({ a: "1", b: 2 });
