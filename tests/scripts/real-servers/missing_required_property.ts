// expect: 2 TS2741 Property 'timezone' is missing
await time.getCurrentTime({});
