// expect: 4 TS2339 'entities'
// hint: 4 Add `await`
const graph = memory.readGraph();
console.log(graph.entities.length);
