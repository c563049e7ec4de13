// The hand-written floor of the sandbox benchmark: the same workloads as codemode's, written
// directly against the official TypeScript MCP SDK, against the same server. Prints one JSON
// object.
//
//   node peer.mjs SPEC   SPEC: {"server": {command, args, env}, "tool", "arguments",
//                               "starts", "sequential", "fanout"}
import vm from "node:vm";
import { closeAll, connectAll, since } from "./servers.mjs";

const spec = JSON.parse(process.argv[2]);

// Fresh context to first statement: Node's nearest equivalent of a fresh isolate per run.
const starts = [];
for (let i = 0; i < spec.starts; i++) {
  const t = process.hrtime.bigint();
  vm.runInContext("1", vm.createContext({}));
  starts.push(since(t));
}
starts.sort((a, b) => a - b);

const { server: client } = await connectAll({ server: spec.server });
const call = () => client.callTool({ name: spec.tool, arguments: spec.arguments });
for (let i = 0; i < 200; i++) await call(); // warm-up

let t = process.hrtime.bigint();
for (let i = 0; i < spec.sequential; i++) await call();
const sequentialMs = since(t);

t = process.hrtime.bigint();
await Promise.all(Array.from({ length: spec.fanout }, call));
const fanoutMs = since(t);
await closeAll({ client });

console.log(JSON.stringify({
  startMedianMs: starts.length ? starts[starts.length >> 1] : null,
  perCallMs: sequentialMs / spec.sequential,
  fanoutCallsPerSecond: spec.fanout / (fanoutMs / 1000),
  peakRssMb: process.resourceUsage().maxRSS / 1024,
}));
