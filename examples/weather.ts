// Which demo city is warmest this week? One script: list the cities, fetch every
// forecast at once, aggregate. Only the summary comes back, not six forecasts.
const { cities } = await demo.listCities();

const forecasts = await Promise.all(
  cities.map((city) => demo.getForecast({ city: city.name, days: 7 })),
);

const ranked = forecasts
  .map((forecast) => ({
    city: forecast.city,
    averageHigh: forecast.days.reduce((sum, day) => sum + day.high, 0) / forecast.days.length,
    rainyDays: forecast.days.filter((day) => day.conditions === "rain").length,
  }))
  .sort((a, b) => b.averageHigh - a.averageHigh);

console.log(`checked ${forecasts.length} cities`);

export default {
  warmest: ranked[0],
  coldest: ranked[ranked.length - 1],
};
