// expect: 4 TS2591 Cannot find name 'fs'.
// hint: 4 scripts cannot import anything
// lacks: 4 @types/node
import { readFileSync } from "fs";
console.log(readFileSync("/etc/passwd", "utf8"));
