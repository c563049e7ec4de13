// expect: 3 TS2304 Cannot find name 'fetch'
// hint: 3 memory, filesystem, everything, time, git
const page = await fetch("https://example.com");
