// expect: 2 TS2353 'tz' does not exist in type 'GetCurrentTimeInput'
await time.getCurrentTime({ timezone: "UTC", tz: 1 });
