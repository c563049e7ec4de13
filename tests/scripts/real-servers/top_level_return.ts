// expect: 4 TS1108 'return'
// hint: 4 export default
const graph = await memory.readGraph();
return graph.entities.length;
