//! JavaScript values to JSON, for everything that leaves the isolate (tool arguments and the
//! script's result).
//!
//! Reads own enumerable data as it is, once: `toJSON` methods and a replaced `JSON.stringify`
//! play no part, so polluting `Object.prototype` cannot change what a tool receives, and a
//! getter that answers differently on each read is read exactly once. The rules follow
//! `JSON.stringify` where it has one: `undefined`, functions and symbols are left out of
//! objects (and are `null` in arrays), `NaN` and infinities are `null`, a `Date` is its ISO
//! string, `Map` and `Set` are `{}`. Cycles, `BigInt`, promises and nesting deeper than
//! [`MAX_DEPTH`] are errors that name the path. What JSON leaves out or empties without a
//! word (a function, a symbol, a `Map`) is noted by its path, for the script's author.

use rquickjs::{Ctx, Function, Object, Type, Value};
use serde_json::{Map, Number};

const MAX_DEPTH: usize = 64;

/// What the conversion needs from the isolate, captured before any script code ran.
pub struct Intrinsics<'js> {
    pub date: Object<'js>,
    pub date_to_iso: Function<'js>,
    pub promise: Object<'js>,
    /// `Map` and `Set`, for the notes on a result (see [`to_json_noting`]); a tool's input
    /// is converted without them, on every call.
    pub map_and_set: Option<(Object<'js>, Object<'js>)>,
}

impl<'js> Intrinsics<'js> {
    /// From the `[Date, Date.prototype.toISOString, Promise]` the bootstrap captured.
    pub fn from_array(array: &Object<'js>) -> rquickjs::Result<Self> {
        Ok(Intrinsics {
            date: array.get(0)?,
            date_to_iso: array.get(1)?,
            promise: array.get(2)?,
            map_and_set: None,
        })
    }

    pub fn capture(ctx: &Ctx<'js>) -> rquickjs::Result<Self> {
        let globals = ctx.globals();
        let date: Object = globals.get("Date")?;
        let prototype: Object = date.get("prototype")?;
        let promise: Object = globals.get("Promise")?;
        Ok(Intrinsics {
            date_to_iso: prototype.get("toISOString")?,
            date,
            promise,
            map_and_set: Some((globals.get("Map")?, globals.get("Set")?)),
        })
    }
}

/// Why a value did not become JSON.
#[derive(Debug, Clone, PartialEq)]
pub enum NotJson {
    /// It cannot be JSON (a cycle, a BigInt, a throwing getter…): the message says where.
    Invalid(String),
    /// Its JSON would be larger than the budget; converting stopped there (a sparse array of
    /// 2³² − 1 holes is refused at once, not walked).
    TooLarge,
}

impl From<String> for NotJson {
    fn from(message: String) -> NotJson {
        NotJson::Invalid(message)
    }
}

/// `value` as JSON of at most about `budget` bytes; `None` when it has no JSON form
/// (`undefined`, a function, a symbol).
pub fn to_json<'js>(
    intrinsics: &Intrinsics<'js>,
    value: &Value<'js>,
    path: &str,
    budget: usize,
) -> Result<Option<serde_json::Value>, NotJson> {
    to_json_noting(intrinsics, value, path, budget).map(|(json, _)| json)
}

/// [`to_json`], and what JSON left out or emptied inside the value, each as
/// "`path` is …, which JSON …" — at most [`MAX_NOTES`], then how many more.
pub fn to_json_noting<'js>(
    intrinsics: &Intrinsics<'js>,
    value: &Value<'js>,
    path: &str,
    budget: usize,
) -> Result<(Option<serde_json::Value>, Vec<String>), NotJson> {
    let mut walk = Walk {
        intrinsics,
        ancestors: Vec::new(),
        left: budget,
        notes: Vec::new(),
        unnoted: 0,
    };
    let json = walk.convert(value, path)?;
    let mut notes = walk.notes;
    if walk.unnoted > 0 {
        notes.push(format!("{} more like these", walk.unnoted));
    }
    Ok((json, notes))
}

/// Notes kept of what JSON left out.
pub const MAX_NOTES: usize = 3;

/// One conversion: where it is, what it has left to spend, and what it noted.
struct Walk<'a, 'js> {
    intrinsics: &'a Intrinsics<'js>,
    ancestors: Vec<Value<'js>>,
    left: usize,
    notes: Vec<String>,
    /// Notes past [`MAX_NOTES`], counted.
    unnoted: usize,
}

impl Walk<'_, '_> {
    /// Notes that the value at `path` (as errors name it: "the result.x") `what`.
    fn note(&mut self, path: &str, what: String) {
        if self.notes.len() < MAX_NOTES {
            let path = path.strip_prefix("the ").unwrap_or(path);
            self.notes.push(format!("`{path}` {what}"));
        } else {
            self.unnoted += 1;
        }
    }
}

/// What a value is, for a note, when JSON has no form for it.
fn lost_kind(value: &Value<'_>) -> Option<&'static str> {
    match value.type_of() {
        Type::Function | Type::Constructor => Some("a function"),
        Type::Symbol => Some("a symbol"),
        _ => None,
    }
}

impl<'js> Walk<'_, 'js> {
    /// Takes `bytes` from the budget.
    fn spend(&mut self, bytes: usize) -> Result<(), NotJson> {
        self.left = self.left.checked_sub(bytes).ok_or(NotJson::TooLarge)?;
        Ok(())
    }

    fn convert(
        &mut self,
        value: &Value<'js>,
        path: &str,
    ) -> Result<Option<serde_json::Value>, NotJson> {
        use serde_json::Value as Json;
        // The smallest JSON a value takes (`null`, a digit and a separator).
        self.spend(2)?;
        Ok(Some(match value.type_of() {
            Type::Undefined
            | Type::Uninitialized
            | Type::Symbol
            | Type::Function
            | Type::Constructor => {
                return Ok(None);
            }
            Type::Null => Json::Null,
            Type::Bool => Json::Bool(value.as_bool().unwrap_or(false)),
            Type::Int => Json::Number(Number::from(value.as_int().unwrap_or(0))),
            // As `JSON.stringify` writes them: integral values without a fraction.
            Type::Float => match value.as_float() {
                Some(f) if f.fract() == 0.0 && f.abs() < 9_007_199_254_740_992.0 => {
                    Json::Number(Number::from(f as i64))
                }
                Some(f) => Number::from_f64(f).map_or(Json::Null, Json::Number),
                None => Json::Null,
            },
            Type::String => {
                let text = value
                    .as_string()
                    .and_then(|s| s.to_string().ok())
                    .ok_or_else(|| format!("{path} is a string that is not valid Unicode"))?;
                self.spend(text.len())?;
                Json::String(text)
            }
            Type::BigInt => {
                return Err(format!(
                    "{path} is a BigInt, which JSON cannot hold; convert it with Number() or String()"
                )
                .into());
            }
            Type::Array | Type::Object | Type::Promise | Type::Exception | Type::Proxy => {
                let object = value
                    .as_object()
                    .ok_or_else(|| format!("{path} cannot be read"))?;
                if self.ancestors.iter().any(|a| a == value) {
                    return Err(format!("{path} refers back to itself (a cycle)").into());
                }
                if self.ancestors.len() >= MAX_DEPTH {
                    return Err(
                        format!("{path} is nested more than {MAX_DEPTH} levels deep").into(),
                    );
                }
                if object.is_instance_of(&self.intrinsics.promise) {
                    return Err(format!("{path} is a Promise; did you forget `await`?").into());
                }
                if object.is_instance_of(&self.intrinsics.date) {
                    let iso: rquickjs::Result<String> = self
                        .intrinsics
                        .date_to_iso
                        .call((rquickjs::function::This(object.clone()),));
                    return Ok(Some(iso.map(Json::String).unwrap_or(Json::Null)));
                }
                if let Some((map, set)) = &self.intrinsics.map_and_set {
                    if object.is_instance_of(map) {
                        self.note(
                            path,
                            "is a Map, which JSON writes as {} (return `Object.fromEntries(map)`)"
                                .into(),
                        );
                    } else if object.is_instance_of(set) {
                        self.note(
                            path,
                            "is a Set, which JSON writes as {} (return `[...set]`)".into(),
                        );
                    }
                }
                self.ancestors.push(value.clone());
                let converted = if value.is_array() {
                    self.array(object, path)
                } else {
                    self.fields(object, path)
                };
                self.ancestors.pop();
                converted?
            }
            _ => return Err(format!("{path} has no JSON form").into()),
        }))
    }

    fn array(&mut self, object: &Object<'js>, path: &str) -> Result<serde_json::Value, NotJson> {
        let length: usize = object
            .get("length")
            .map_err(|e| read_error(object, path, e))?;
        let mut items = Vec::with_capacity(length.min(1 << 16));
        for index in 0..length {
            let element: Value = object
                .get(index as u32)
                .map_err(|e| read_error(object, path, e))?;
            let element_path = format!("{path}[{index}]");
            if let Some(kind) = lost_kind(&element) {
                self.note(
                    &element_path,
                    format!("is {kind}, which JSON writes as null"),
                );
            }
            items.push(
                self.convert(&element, &element_path)?
                    .unwrap_or(serde_json::Value::Null),
            );
        }
        Ok(serde_json::Value::Array(items))
    }

    fn fields(&mut self, object: &Object<'js>, path: &str) -> Result<serde_json::Value, NotJson> {
        let mut map = Map::new();
        for key in object.keys::<String>() {
            let key = key.map_err(|e| read_error(object, path, e))?;
            self.spend(key.len() + 3)?;
            let field: Value = object
                .get(key.as_str())
                .map_err(|e| read_error(object, path, e))?;
            let field_path = format!("{path}.{key}");
            if let Some(kind) = lost_kind(&field) {
                self.note(&field_path, format!("is {kind}, which JSON leaves out"));
            }
            if let Some(json) = self.convert(&field, &field_path)? {
                map.insert(key, json);
            }
        }
        Ok(serde_json::Value::Object(map))
    }
}

/// A failed read (a throwing getter, a revoked proxy), with the exception taken off the context.
fn read_error(object: &Object<'_>, path: &str, error: rquickjs::Error) -> String {
    let reason = match error {
        rquickjs::Error::Exception => {
            let thrown = object.ctx().catch();
            thrown
                .as_object()
                .and_then(|o| o.get::<_, Option<String>>("message").ok().flatten())
                .unwrap_or_else(|| "it threw".to_string())
        }
        other => other.to_string(),
    };
    format!("{path} cannot be read: {reason}")
}
