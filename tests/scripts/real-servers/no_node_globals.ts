// expect: 3 TS2591 'process'
// expect: 4 TS2591 'require'
const home = process.env.HOME;
const fs = require("fs");
