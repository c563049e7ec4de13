// expect: clean
const graph = await memory.readGraph();
const names: string[] = graph.entities.map((e) => e.name);
const now = await time.getCurrentTime({ timezone: "Etc/UTC" });
const dst: boolean = now.is_dst;
const converted = await time.convertTime({ source_timezone: "Etc/UTC", time: "12:00", target_timezone: "Asia/Tokyo" });
const zone: string = converted.target.timezone;
const echoed = await everything.echo({ message: "hi" });
const text: string = echoed.text;
const sum = await everything.getSum({ a: 1, b: 2 });
const status = await git.gitStatus({ repo_path: "." });
const listing = await filesystem.listDirectory({ path: "." });
const image = await everything.getTinyImage();
for (const block of image.content) {
  if (block.type === "image") console.log(block.mimeType);
}
try {
  await memory.openNodes({ names: ["nobody"] });
} catch (error) {
  if (error instanceof ToolError) console.error(error.server, error.tool, error.message);
}
console.log(names, dst, zone, text, sum.json(), status.text, listing);
