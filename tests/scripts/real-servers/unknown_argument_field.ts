// expect: 3 TS2353 'tz' does not exist in type 'GetCurrentTimeInput'
// hint: 3 time.getCurrentTime takes { timezone: string }
await time.getCurrentTime({ timezone: "UTC", tz: 1 });
