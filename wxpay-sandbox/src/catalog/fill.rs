//! Values that satisfy a catalog schema: the catalog's example where it has
//! one that fits, otherwise a generated value of the right type; a request's
//! own ids echoed where the answer has a field of the same name.

use serde_json::{Map, Value};

use super::schema::{type_of, validate, MAX_DEPTH};
use super::sensitive::sensitive_names;

/// What a generated answer borrows from its request, and how it seals the
/// fields WeChat encrypts for the merchant.
pub(crate) struct Fill<'a> {
    /// A request value (path, query or top-level body field) by name.
    pub(crate) echo: &'a dyn Fn(&str) -> Option<String>,
    /// Encrypts a sensitive answer field (`x-is-sensitive`) for the caller.
    pub(crate) seal: &'a dyn Fn(&str) -> Option<String>,
}

impl Fill<'_> {
    const PLAIN: Fill<'static> = Fill {
        echo: &|_| None,
        seal: &|_| None,
    };
}

/// A value satisfying `schema`, from the catalog's examples where they fit
/// (every property filled, arrays with one element).
///
/// ```
/// use serde_json::json;
/// let schema = json!({"type": "object", "required": ["total"], "properties": {
///     "total": {"type": "integer", "example": 100},
///     "currency": {"type": "string", "enum": ["CNY"]}}});
/// assert_eq!(wxpay_sandbox::catalog::example(&schema), json!({"total": 100, "currency": "CNY"}));
/// ```
pub fn example(schema: &Value) -> Value {
    Fill::PLAIN.value(schema, None, 0)
}

impl Fill<'_> {
    /// A value for `schema`, the field being called `name`.
    pub(crate) fn value(&self, schema: &Value, name: Option<&str>, depth: usize) -> Value {
        if depth > MAX_DEPTH {
            return Value::Null;
        }
        if let Some(echoed) = name.and_then(|n| (self.echo)(n)) {
            if let Some(v) = coerce(schema, &echoed).filter(|v| validate(schema, v).is_ok()) {
                return v;
            }
        }
        let example = schema
            .get("example")
            .filter(|e| !e.is_null() && validate(schema, e).is_ok());
        match type_of(schema) {
            Some("object") => self.object(schema, depth),
            Some("array") => match schema.get("items") {
                Some(items) => Value::Array(vec![self.value(items, name, depth + 1)]),
                None => example.cloned().unwrap_or_else(|| Value::Array(Vec::new())),
            },
            Some("string") => match example {
                Some(e) => e.clone(),
                None => Value::String(self.string(schema, depth)),
            },
            Some("integer") => example.cloned().unwrap_or_else(|| {
                let from_text = schema
                    .get("example")
                    .and_then(Value::as_str)
                    .and_then(|t| t.parse::<i64>().ok())
                    .map(Value::from)
                    .filter(|v| validate(schema, v).is_ok());
                let from_enum = schema
                    .get("enum")
                    .and_then(Value::as_array)
                    .and_then(|e| e.first())
                    .and_then(|e| e.as_i64().or_else(|| e.as_str()?.parse().ok()))
                    .map(Value::from);
                from_text
                    .or(from_enum)
                    .unwrap_or_else(|| Value::from(bounded(schema, 1.0) as i64))
            }),
            Some("number") => example.cloned().unwrap_or_else(|| number(schema)),
            Some("boolean") => example.cloned().unwrap_or(Value::Bool(true)),
            _ => example.cloned().unwrap_or(Value::String(String::new())),
        }
    }

    fn object(&self, schema: &Value, depth: usize) -> Value {
        let mut map = Map::new();
        if let Some(props) = schema.get("properties").and_then(Value::as_object) {
            for (name, sub) in props {
                map.insert(name.clone(), self.value(sub, Some(name), depth + 1));
            }
        } else if let Some(Value::Object(example)) = schema.get("example") {
            return Value::Object(example.clone());
        }
        for name in sensitive_names(schema) {
            if let Some(Value::String(plain)) = map.get(name) {
                if let Some(sealed) = (self.seal)(plain) {
                    map.insert(name.to_owned(), Value::String(sealed));
                }
            }
        }
        Value::Object(map)
    }

    fn string(&self, schema: &Value, depth: usize) -> String {
        if let Some(first) = schema
            .get("enum")
            .and_then(Value::as_array)
            .and_then(|e| e.first())
        {
            return first
                .as_str()
                .map_or_else(|| first.to_string(), str::to_owned);
        }
        if let Some(inner) = schema.get("x-json") {
            return self.value(inner, None, depth + 1).to_string();
        }
        let text = match schema.get("format").and_then(Value::as_str) {
            Some("rfc3339" | "date-time") => "2024-01-01T10:00:00+08:00",
            Some("date") => "2024-01-01",
            Some("url" | "uri") => "https://example.com/wxpay",
            Some("int64" | "uint64") => "100",
            Some("base64") => "c2FuZGJveA==",
            Some("jsonObjectLike") => "{}",
            Some("jsonArrayLike") => "[]",
            _ => "sandbox",
        };
        let mut text: String = text.to_owned();
        if let Some(max) = schema.get("maxLength").and_then(Value::as_u64) {
            text = text.chars().take(max as usize).collect();
        }
        if let Some(min) = schema.get("minLength").and_then(Value::as_u64) {
            while (text.chars().count() as u64) < min {
                text.push('0');
            }
        }
        text
    }
}

/// A request's text as a value of the schema's type.
fn coerce(schema: &Value, text: &str) -> Option<Value> {
    match type_of(schema) {
        Some("string") => Some(Value::String(text.to_owned())),
        Some("integer") => text.parse::<i64>().ok().map(Value::from),
        // An integer stays one (see [`number`]).
        Some("number") => text.parse::<i64>().map(Value::from).ok().or_else(|| {
            text.parse::<f64>()
                .ok()
                .and_then(serde_json::Number::from_f64)
                .map(Value::Number)
        }),
        Some("boolean") => text.parse::<bool>().ok().map(Value::from),
        _ => None,
    }
}

/// A value for a `number` schema. WeChat's `number` fields are integers
/// nearly always (amounts in fen, counts, ids: WECHATPAY-LIFECYCLE.md §6,
/// "integer fen"), and the catalog's example text says which: `100` is sent
/// as the integer `100`, `0.13` as a fraction. Without an example, `1`.
fn number(schema: &Value) -> Value {
    let from_text = schema
        .get("example")
        .and_then(Value::as_str)
        .map(str::trim)
        .and_then(|t| match t.parse::<i64>() {
            Ok(n) => Some(Value::from(n)),
            Err(_) => t
                .parse::<f64>()
                .ok()
                .and_then(serde_json::Number::from_f64)
                .map(Value::Number),
        })
        .filter(|v| validate(schema, v).is_ok());
    from_text.unwrap_or_else(|| {
        let n = bounded(schema, 1.0);
        if n.fract() == 0.0 && n.abs() < 9.0e15 {
            Value::from(n as i64)
        } else {
            Value::from(n)
        }
    })
}

/// `preferred`, moved inside the schema's `minimum`/`maximum`.
fn bounded(schema: &Value, preferred: f64) -> f64 {
    let mut n = preferred;
    if let Some(min) = schema.get("minimum").and_then(Value::as_f64) {
        n = n.max(min);
    }
    if let Some(max) = schema.get("maximum").and_then(Value::as_f64) {
        n = n.min(max);
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn every_catalogued_schema_gets_a_value_that_satisfies_it() {
        for op in super::super::operations() {
            let mut schemas: Vec<&Value> = op.responses.values().collect();
            schemas.extend(op.body.iter());
            schemas.extend(op.query.iter().map(|p| &p.schema));
            for schema in schemas {
                let value = example(schema);
                assert_eq!(
                    validate(schema, &value),
                    Ok(()),
                    "{} {}",
                    op.method,
                    op.path
                );
            }
        }
    }

    #[test]
    fn numbers_are_integers_unless_the_example_has_a_fraction() {
        let n = |schema: Value| {
            example(&json!({"type": "object", "properties": {"n": schema}}))["n"].clone()
        };
        // Integers in the answer, as WeChat sends amounts and counts: the
        // typed side decodes them as i64 (a `1.0` would not decode).
        assert!(n(json!({"type": "number", "example": "100"})).is_i64());
        assert_eq!(n(json!({"type": "number", "example": "100"})), json!(100));
        assert!(n(json!({"type": "number"})).is_i64());
        assert_eq!(n(json!({"type": "number", "example": "0.13"})), json!(0.13));
        assert_eq!(
            n(json!({"type": "number", "minimum": 0.5, "maximum": 0.5})),
            json!(0.5)
        );
    }

    #[test]
    fn echoes_request_ids_and_seals_sensitive_fields() {
        let schema = json!({"type": "object", "x-is-sensitive": ["phone"], "properties": {
            "out_batch_no": {"type": "string", "example": "B1"},
            "amount": {"type": "integer", "example": 5},
            "phone": {"type": "string", "example": "13800000000"}}});
        let fill = Fill {
            echo: &|name| (name == "out_batch_no" || name == "amount").then(|| "B9".to_owned()),
            seal: &|plain| Some(format!("sealed({plain})")),
        };
        let value = fill.value(&schema, None, 0);
        // "B9" is no integer: the example stays.
        assert_eq!(
            value,
            json!({"out_batch_no": "B9", "amount": 5, "phone": "sealed(13800000000)"})
        );
    }
}
