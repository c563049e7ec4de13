// expect: 5 TS2322 Type 'string' is not assignable to type 'string[]'
// hint: 5 memory.createEntities takes { entities: Array<{ name: string; entityType: string; observations: string[] }> }
// expect: 7 TS2339 Property 'nodes' does not exist
// hint: 7 ReadGraphOutput has: entities:
await memory.createEntities({ entities: [{ name: "a", entityType: "b", observations: "c" }] });
const graph = await memory.readGraph();
for (const node of graph.nodes) console.log(node);
