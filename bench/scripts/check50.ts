// The benchmark's 50-line script: a realistic multi-step task over the 100-tool API.
// Every checker in the benchmark must find it clean.
const started = await time.getCurrentTime({ timezone: "Etc/UTC" });
const graph = await memory.readGraph();
const people = graph.entities.filter((e) => e.entityType === "person");
const byType = new Map<string, number>();
for (const entity of graph.entities) {
  byType.set(entity.entityType, (byType.get(entity.entityType) ?? 0) + 1);
}
const found = await memory.searchNodes({ query: "project" });
const names = found.entities.map((e) => e.name).slice(0, 10);
await memory.addObservations({
  observations: names.map((name) => ({ entityName: name, contents: ["seen by the nightly job"] })),
});
const allowed = await filesystem.listAllowedDirectories();
const root = allowed.content.split("\n")[1] ?? ".";
const listing = await filesystem.listDirectory({ path: root });
const files = listing.content
  .split("\n")
  .filter((line) => line.startsWith("[FILE]"))
  .map((line) => line.slice(7));
const sizes: { file: string; lines: number }[] = [];
for (const file of files.slice(0, 5)) {
  const text = await filesystem.readTextFile({ path: `${root}/${file}`, head: 100 });
  sizes.push({ file, lines: text.content.split("\n").length });
}
const status = await git.gitStatus({ repo_path: "." });
const log = await git.gitLog({ repo_path: ".", max_count: 5 });
const cities = await demo.listCities({});
const forecasts = await Promise.all(
  cities.cities.slice(0, 3).map((city) => demo.getForecast({ city: city.name, days: 2, unit: "celsius" })),
);
const warmest = forecasts
  .map((f) => ({ city: f.city, high: Math.max(...f.days.map((d) => d.high)) }))
  .sort((a, b) => b.high - a.high)[0];
const sum = await demo.add({ a: people.length, b: names.length });
const echoed = await everything.echo({ message: `people: ${sum.sum}` });
try {
  await demo.fail({ message: "on purpose" });
} catch (error) {
  if (error instanceof ToolError) console.warn(`expected failure from ${error.server}.${error.tool}`);
}
const converted = await time.convertTime({
  source_timezone: started.timezone,
  time: "12:00",
  target_timezone: "Europe/Paris",
});
console.log(echoed.text, status.text.length, log.text.length);
export default {
  people: people.length, types: Object.fromEntries(byType), files: sizes,
  warmest: warmest?.city ?? null, paris: converted.target.datetime,
};
