// The tour from the README: typed and untyped results, fan-out, a caught ToolError.
const { cities } = await demo.listCities();                       // typed: outputSchema
const forecasts = await Promise.all(                              // fan-out, concurrently
  cities.map((city) => demo.getForecast({ city: city.name, days: 7 })),
);
const guide = await demo.searchGuide({ query: "errors" });        // untyped: ToolResult
console.log(guide.text);
try {
  await demo.getForecast({ city: "Atlantis" });
} catch (error) {
  if (error instanceof ToolError) console.error(error.server, error.tool, error.message);
}
export default forecasts.map((f) => ({ city: f.city, high: Math.max(...f.days.map((d) => d.high)) }));
