// expect: 3 TS2551 Did you mean 'createEntities'?
// hint: 3 memory has these tools: 
await memory.createEntity({ entities: [] });
