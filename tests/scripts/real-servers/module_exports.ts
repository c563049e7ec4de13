// expect: 4 TS2591|TS2580 'module'
// hint: 4 export default
const graph = await memory.readGraph();
module.exports = graph.entities.length;
