// The peer: the same workloads as codemode's, written directly against the official
// TypeScript MCP SDK, against the same zero-work server. Prints one JSON object.
// Usage: node peer.mjs ZERO_SERVER_BINARY SEQUENTIAL_CALLS FANOUT_CALLS
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import vm from "node:vm";

const [server, sequential, fanout] = [process.argv[2], Number(process.argv[3]), Number(process.argv[4])];

// Fresh context to first statement: node's nearest equivalent of a fresh isolate per run.
const starts = [];
for (let i = 0; i < 200; i++) {
  const t = process.hrtime.bigint();
  vm.runInContext("1", vm.createContext({}));
  starts.push(Number(process.hrtime.bigint() - t) / 1e6);
}
starts.sort((a, b) => a - b);

const client = new Client({ name: "bench-peer", version: "0" });
await client.connect(new StdioClientTransport({ command: server }));
for (let i = 0; i < 200; i++) await client.callTool({ name: "noop" }); // warm-up

let t = process.hrtime.bigint();
for (let i = 0; i < sequential; i++) await client.callTool({ name: "noop" });
const sequentialMs = Number(process.hrtime.bigint() - t) / 1e6;

t = process.hrtime.bigint();
await Promise.all(Array.from({ length: fanout }, () => client.callTool({ name: "noop" })));
const fanoutMs = Number(process.hrtime.bigint() - t) / 1e6;
await client.close();

console.log(JSON.stringify({
  startMedianMs: starts[starts.length >> 1],
  perCallMs: sequentialMs / sequential,
  fanoutCallsPerSecond: fanout / (fanoutMs / 1000),
  peakRssMb: process.resourceUsage().maxRSS / 1024,
}));
