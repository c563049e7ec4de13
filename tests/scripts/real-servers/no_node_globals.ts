// expect: 6 TS2591 'process'
// expect: 7 TS2591 'require'
// hint: 6 no DOM or Node.js APIs
// lacks: 6 @types/node
// lacks: 7 @types/node
const home = process.env.HOME;
const fs = require("fs");
