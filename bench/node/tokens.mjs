// Bytes and tokens (o200k_base) of each file named.
//
//   node tokens.mjs FILE...  ->  [{"bytes": n, "tokens": n}, ...]
import { readFileSync } from "node:fs";
import { size } from "./servers.mjs";

console.log(JSON.stringify(process.argv.slice(2).map((file) => size(readFileSync(file, "utf8")))));
