// expect: 4 TS2591 'process'
// expect: 5 TS2591 'require'
// hint: 4 no DOM or Node.js APIs
const home = process.env.HOME;
const fs = require("fs");
