// expect: 2 TS2322 not assignable to type 'never'
await everything.getTinyImage({ size: 1 });
