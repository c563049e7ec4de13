// expect: 3 TS2353 'tz' does not exist in type '{ timezone: string; }'
// hint: 3 time.getCurrentTime takes { timezone: string }
await time.getCurrentTime({ timezone: "UTC", tz: 1 });
