// expect: 3 TS2551 Did you mean 'timezone'?
const converted = await time.convertTime({ source_timezone: "UTC", time: "12:00", target_timezone: "UTC" });
console.log(converted.source.timezon);
