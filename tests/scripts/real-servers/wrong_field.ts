// expect: 3 TS2339 entitys
const graph = await memory.readGraph();
console.log(graph.entitys);
