// expect-kind: tool
await demo.getForecast({ city: "Atlantis" });
