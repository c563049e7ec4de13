// The sandbox workloads for @utcp/code-mode (isolated-vm; run with Node 24): a fresh
// `callToolChain` to its first statement, one tool call from a script (sequential), the same
// call straight through the UTCP client (to find what the sandbox adds), and a fan-out of
// calls from one script. UTCP's calls are synchronous inside the isolate, so its fan-out runs
// one call at a time. Prints one JSON object.
//
//   node utcp-sandbox.mjs SPEC   (SPEC as for peer.mjs)
import { since } from "./servers.mjs";
import { quiet, utcpClient } from "./utcp.mjs";

const spec = JSON.parse(process.argv[2]);
const client = await utcpClient("bench", { server: spec.server });
const fn = `bench.server_${spec.tool}`;
const args = JSON.stringify(spec.arguments);

const chain = async (code) => {
  const answer = await client.callToolChain(code, 600_000);
  if (answer.result === null || answer.result === undefined) {
    throw new Error(`the script failed: ${answer.logs.join("\n")}`);
  }
};

for (let i = 0; i < 10; i++) await chain("return 1;"); // warm-up
const starts = [];
for (let i = 0; i < spec.starts; i++) {
  const t = process.hrtime.bigint();
  await chain("return 1;");
  starts.push(since(t));
}
starts.sort((a, b) => a - b);

await chain(`for (let i = 0; i < 200; i++) ${fn}(${args}); return 1;`); // warm-up
let t = process.hrtime.bigint();
await chain(`for (let i = 0; i < ${spec.sequential}; i++) ${fn}(${args}); return 1;`);
const perCallMs = since(t) / spec.sequential;

t = process.hrtime.bigint();
for (let i = 0; i < spec.sequential; i++) await client.callTool(`bench.server.${spec.tool}`, spec.arguments);
const directPerCallMs = since(t) / spec.sequential;

t = process.hrtime.bigint();
await chain(`await Promise.all(Array.from({ length: ${spec.fanout} }, () => ${fn}(${args}))); return 1;`);
const fanoutCallsPerSecond = spec.fanout / (since(t) / 1000);
await client.close();

quiet.print(JSON.stringify({
  startMedianMs: starts.length ? starts[starts.length >> 1] : null,
  startP95Ms: starts.length ? starts[Math.round((starts.length - 1) * 0.95)] : null,
  perCallMs,
  directPerCallMs,
  fanoutCallsPerSecond,
  peakRssMb: process.resourceUsage().maxRSS / 1024,
}));
process.exit(0);
