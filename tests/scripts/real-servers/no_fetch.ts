// expect: 2 TS2304 Cannot find name 'fetch'
const page = await fetch("https://example.com");
