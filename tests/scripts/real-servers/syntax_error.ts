// expect: 3 TS1109 Expression expected
const graph = await memory.readGraph();
const count = ;
console.log(graph.entities.length, count);
