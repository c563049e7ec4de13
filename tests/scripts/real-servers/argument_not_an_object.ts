// expect: 3 TS2345 Argument of type 'string' is not assignable to parameter of type '{ timezone: string; }'
// hint: 3 time.getCurrentTime takes { timezone: string }
await time.getCurrentTime("UTC");
