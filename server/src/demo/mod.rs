//! The built-in demo MCP server (`{"builtin": "demo"}`): a small, deterministic world of
//! cities and weather, served over real MCP in-process, so examples and first runs need
//! nothing installed.
//!
//! Some tools declare an `outputSchema` (typed results), some answer plain text (the shared
//! `ToolResult`), one always fails (`isError`), one sleeps (for timeouts).

use rmcp::handler::server::wrapper::{Json, Parameters};
use rmcp::{ServiceExt, schemars, tool, tool_router};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Starts built-in server `name` on `stream` (one end of an in-memory pipe).
pub fn spawn(
    name: &str,
    stream: tokio::io::DuplexStream,
) -> Result<tokio::task::JoinHandle<()>, String> {
    match name {
        "demo" => Ok(tokio::spawn(async move {
            match Demo.serve(stream).await {
                Ok(service) => {
                    let _ = service.waiting().await;
                }
                Err(error) => tracing::warn!("built-in demo server stopped: {error}"),
            }
        })),
        other => Err(format!("no built-in server named {other:?}")),
    }
}

#[derive(Clone)]
struct Demo;

#[derive(Serialize, JsonSchema)]
struct City {
    /// The city's name, as `get_forecast` takes it.
    name: String,
    country: String,
    population: u64,
}

#[derive(Serialize, JsonSchema)]
struct CityList {
    cities: Vec<City>,
}

#[derive(Deserialize, JsonSchema)]
struct ForecastInput {
    /// A city from `list_cities`.
    city: String,
    /// How many days, from 1 to 7.
    #[serde(default = "one")]
    days: u32,
    /// Temperature unit.
    #[serde(default)]
    unit: Unit,
}

fn one() -> u32 {
    1
}

#[derive(Deserialize, Serialize, JsonSchema, Clone, Copy, Default)]
#[serde(rename_all = "lowercase")]
enum Unit {
    #[default]
    Celsius,
    Fahrenheit,
}

#[derive(Serialize, JsonSchema)]
struct Forecast {
    city: String,
    unit: Unit,
    days: Vec<Day>,
}

#[derive(Serialize, JsonSchema)]
struct Day {
    /// 0 is today.
    day: u32,
    high: f64,
    low: f64,
    conditions: Conditions,
}

#[derive(Serialize, JsonSchema, Clone, Copy)]
#[serde(rename_all = "lowercase")]
enum Conditions {
    Sunny,
    Cloudy,
    Rain,
    Snow,
}

#[derive(Deserialize, JsonSchema)]
struct AddInput {
    a: f64,
    b: f64,
}

#[derive(Serialize, JsonSchema)]
struct Sum {
    sum: f64,
}

#[derive(Deserialize, JsonSchema)]
struct EchoInput {
    /// Text to send back.
    text: String,
}

#[derive(Deserialize, JsonSchema)]
struct SearchInput {
    /// Words to look for in the guide's titles and text.
    query: String,
    /// At most this many hits.
    limit: Option<usize>,
}

#[derive(Deserialize, JsonSchema)]
struct SleepInput {
    /// Milliseconds to wait, at most 120000.
    ms: u64,
}

#[derive(Deserialize, JsonSchema)]
struct FailInput {
    /// The error message the tool answers with.
    message: String,
}

const CITIES: [(&str, &str, u64); 6] = [
    ("Lisbon", "Portugal", 545_000),
    ("Oslo", "Norway", 709_000),
    ("Nairobi", "Kenya", 4_397_000),
    ("Osaka", "Japan", 2_752_000),
    ("Quito", "Ecuador", 2_800_000),
    ("Reykjavik", "Iceland", 139_000),
];

const GUIDE: [(&str, &str); 4] = [
    (
        "Getting started",
        "Write a script against the generated API and run it with codemode run.",
    ),
    (
        "Fan-out",
        "Promise.all runs tool calls concurrently; only the script's output returns.",
    ),
    (
        "Errors",
        "A tool that answers isError rejects with a ToolError you can catch.",
    ),
    (
        "Types",
        "Tools with an outputSchema resolve to typed results; others to ToolResult.",
    ),
];

/// A small deterministic hash, so the same city and day always have the same weather.
fn mix(text: &str, day: u32) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325 ^ u64::from(day);
    for b in text.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x100_0000_01b3);
    }
    h
}

#[tool_router(server_handler)]
impl Demo {
    #[tool(
        description = "List the cities the demo knows, with country and population.",
        annotations(read_only_hint = true, idempotent_hint = true, open_world_hint = false)
    )]
    async fn list_cities(&self) -> Json<CityList> {
        Json(CityList {
            cities: CITIES
                .iter()
                .map(|(name, country, population)| City {
                    name: name.to_string(),
                    country: country.to_string(),
                    population: *population,
                })
                .collect(),
        })
    }

    #[tool(
        description = "Weather forecast for a city, for 1 to 7 days. Unknown cities are an error.",
        annotations(read_only_hint = true, idempotent_hint = true, open_world_hint = false)
    )]
    async fn get_forecast(
        &self,
        Parameters(input): Parameters<ForecastInput>,
    ) -> Result<Json<Forecast>, String> {
        let Some((name, _, _)) = CITIES
            .iter()
            .find(|(n, _, _)| n.eq_ignore_ascii_case(&input.city))
        else {
            let known: Vec<_> = CITIES.iter().map(|(n, _, _)| *n).collect();
            return Err(format!(
                "unknown city {:?}; known cities: {}",
                input.city,
                known.join(", ")
            ));
        };
        if !(1..=7).contains(&input.days) {
            return Err(format!("days must be from 1 to 7, not {}", input.days));
        }
        let days = (0..input.days)
            .map(|day| {
                let h = mix(name, day);
                let high_c = 4.0 + (h % 28) as f64;
                let low_c = high_c - 3.0 - ((h >> 8) % 8) as f64;
                let convert = |c: f64| match input.unit {
                    Unit::Celsius => c,
                    Unit::Fahrenheit => (c * 9.0 / 5.0 + 32.0).round(),
                };
                let conditions = [
                    Conditions::Sunny,
                    Conditions::Cloudy,
                    Conditions::Rain,
                    Conditions::Snow,
                ][((h >> 16) % if low_c < 1.0 { 4 } else { 3 }) as usize];
                Day {
                    day,
                    high: convert(high_c),
                    low: convert(low_c),
                    conditions,
                }
            })
            .collect();
        Ok(Json(Forecast {
            city: name.to_string(),
            unit: input.unit,
            days,
        }))
    }

    #[tool(
        description = "Add two numbers.",
        annotations(read_only_hint = true, idempotent_hint = true, open_world_hint = false)
    )]
    async fn add(&self, Parameters(input): Parameters<AddInput>) -> Json<Sum> {
        Json(Sum {
            sum: input.a + input.b,
        })
    }

    #[tool(
        description = "Answer with the same text (plain text result, no output schema).",
        annotations(read_only_hint = true, idempotent_hint = true, open_world_hint = false)
    )]
    async fn echo(&self, Parameters(input): Parameters<EchoInput>) -> String {
        input.text
    }

    #[tool(
        description = "Search the demo guide. Answers JSON text: an array of {title, text} (use .json()).",
        annotations(read_only_hint = true, idempotent_hint = true, open_world_hint = false)
    )]
    async fn search_guide(&self, Parameters(input): Parameters<SearchInput>) -> String {
        let words: Vec<String> = input
            .query
            .split_whitespace()
            .map(str::to_lowercase)
            .collect();
        let hits: Vec<serde_json::Value> = GUIDE
            .iter()
            .filter(|(title, text)| {
                let haystack = format!("{title} {text}").to_lowercase();
                words.iter().any(|w| haystack.contains(w.as_str()))
            })
            .take(input.limit.unwrap_or(10))
            .map(|(title, text)| serde_json::json!({"title": title, "text": text}))
            .collect();
        serde_json::Value::Array(hits).to_string()
    }

    #[tool(
        description = "Wait for the given number of milliseconds, then answer (for trying timeouts).",
        annotations(read_only_hint = true, open_world_hint = false)
    )]
    async fn sleep(&self, Parameters(input): Parameters<SleepInput>) -> String {
        let ms = input.ms.min(120_000);
        tokio::time::sleep(std::time::Duration::from_millis(ms)).await;
        format!("slept {ms} ms")
    }

    #[tool(
        description = "Always fails with the given message (for trying error handling).",
        annotations(read_only_hint = true, open_world_hint = false)
    )]
    async fn fail(&self, Parameters(input): Parameters<FailInput>) -> Result<String, String> {
        Err(input.message)
    }
}
