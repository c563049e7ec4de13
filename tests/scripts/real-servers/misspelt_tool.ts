// expect: 2 TS2551 Did you mean 'createEntities'?
await memory.createEntity({ entities: [] });
