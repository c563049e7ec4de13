// expect: 2 TS2741|TS2345 Property 'timezone' is missing
await time.getCurrentTime({});
