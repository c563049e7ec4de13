// expect-kind: memory
const kept: unknown[] = [];
for (;;) {
  const { cities } = await demo.listCities();
  kept.push(JSON.stringify(cities).repeat(10_000));
}
