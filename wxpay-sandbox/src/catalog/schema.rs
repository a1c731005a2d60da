//! Checking a JSON value against a catalog schema: types, required fields,
//! enums, lengths and bounds, nested objects and arrays, and `x-json`
//! strings (JSON text that must itself satisfy a schema).

use serde_json::Value;

/// How deep schemas and values are followed (the catalog's are far shallower;
/// this bounds the work on hostile input).
pub(crate) const MAX_DEPTH: usize = 32;

/// The first place a value breaks its schema, as WeChat reports it in a
/// `PARAM_ERROR`'s `detail`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Violation {
    /// Where, as a JSON pointer into the checked value (`/amount/total`,
    /// `/goods_detail/0/quantity`); empty for the value itself.
    pub field: String,
    /// The offending value (absent when a required field is missing).
    pub value: Option<Value>,
    /// What is wrong.
    pub issue: String,
}

impl std::fmt::Display for Violation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let field = if self.field.is_empty() {
            "/"
        } else {
            &self.field
        };
        write!(f, "{field}: {}", self.issue)
    }
}

/// Checks `value` against `schema`. A `null` property counts as absent.
///
/// ```
/// use serde_json::json;
/// let schema = json!({"type": "object", "required": ["total"],
///                     "properties": {"total": {"type": "integer"}}});
/// assert!(wxpay_sandbox::catalog::validate(&schema, &json!({"total": 1})).is_ok());
/// let v = wxpay_sandbox::catalog::validate(&schema, &json!({"total": "1"})).unwrap_err();
/// assert_eq!(v.field, "/total");
/// ```
pub fn validate(schema: &Value, value: &Value) -> Result<(), Violation> {
    check(schema, value, "", 0)
}

/// The schema's type, inferred from `properties` or `items` when unstated.
pub(crate) fn type_of(schema: &Value) -> Option<&str> {
    schema.get("type").and_then(Value::as_str).or_else(|| {
        if schema.get("properties").is_some() {
            Some("object")
        } else if schema.get("items").is_some() {
            Some("array")
        } else {
            None
        }
    })
}

fn violation(at: &str, value: Option<&Value>, issue: impl Into<String>) -> Violation {
    Violation {
        field: at.to_owned(),
        value: value.cloned(),
        issue: issue.into(),
    }
}

fn check(schema: &Value, value: &Value, at: &str, depth: usize) -> Result<(), Violation> {
    if depth > MAX_DEPTH {
        return Err(violation(at, None, "nested too deeply"));
    }
    if value.is_null() {
        return if schema.get("nullable").and_then(Value::as_bool) == Some(true)
            || type_of(schema).is_none()
        {
            Ok(())
        } else {
            Err(violation(at, Some(value), "must not be null"))
        };
    }
    match type_of(schema) {
        Some("string") => {
            let Some(text) = value.as_str() else {
                return Err(violation(at, Some(value), "must be a string"));
            };
            check_enum(schema, value, at)?;
            let chars = text.chars().count();
            if let Some(max) = schema.get("maxLength").and_then(Value::as_u64) {
                if chars as u64 > max {
                    return Err(violation(
                        at,
                        Some(value),
                        format!("longer than {max} characters"),
                    ));
                }
            }
            if let Some(min) = schema.get("minLength").and_then(Value::as_u64) {
                if (chars as u64) < min {
                    return Err(violation(
                        at,
                        Some(value),
                        format!("shorter than {min} characters"),
                    ));
                }
            }
            if let Some(inner) = schema.get("x-json") {
                let parsed: Value = serde_json::from_str(text).map_err(|_| {
                    violation(at, Some(value), "must be a string holding JSON text")
                })?;
                check(inner, &parsed, "", depth + 1).map_err(|v| Violation {
                    field: at.to_owned(),
                    value: Some(value.clone()),
                    issue: format!(
                        "its JSON text is wrong at {}: {}",
                        display(&v.field),
                        v.issue
                    ),
                })?;
            }
            Ok(())
        }
        Some("integer") => {
            if !(value.is_i64() || value.is_u64()) {
                return Err(violation(at, Some(value), "must be an integer"));
            }
            check_enum(schema, value, at)?;
            check_bounds(schema, value, at)
        }
        Some("number") => {
            if !value.is_number() {
                return Err(violation(at, Some(value), "must be a number"));
            }
            check_bounds(schema, value, at)
        }
        Some("boolean") => {
            if value.is_boolean() {
                Ok(())
            } else {
                Err(violation(at, Some(value), "must be true or false"))
            }
        }
        Some("object") => {
            let Some(map) = value.as_object() else {
                return Err(violation(at, Some(value), "must be an object"));
            };
            let props = schema.get("properties").and_then(Value::as_object);
            for name in schema
                .get("required")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                // The catalog lists some nested fields as required one level
                // up (`appid` of `receiver`); only declared properties count.
                .filter(|name| props.is_some_and(|p| p.contains_key(*name)))
            {
                if map.get(name).is_none_or(Value::is_null) {
                    return Err(violation(
                        &format!("{at}/{name}"),
                        None,
                        "missing required field",
                    ));
                }
            }
            if let Some(props) = props {
                for (name, sub) in props {
                    if let Some(v) = map.get(name).filter(|v| !v.is_null()) {
                        check(sub, v, &format!("{at}/{name}"), depth + 1)?;
                    }
                }
            }
            Ok(())
        }
        Some("array") => {
            let Some(items) = value.as_array() else {
                return Err(violation(at, Some(value), "must be an array"));
            };
            if let Some(item_schema) = schema.get("items") {
                for (i, item) in items.iter().enumerate() {
                    check(item_schema, item, &format!("{at}/{i}"), depth + 1)?;
                }
            }
            Ok(())
        }
        // "file" (a multipart part) or no type: anything goes.
        _ => Ok(()),
    }
}

fn display(field: &str) -> &str {
    if field.is_empty() {
        "/"
    } else {
        field
    }
}

fn check_enum(schema: &Value, value: &Value, at: &str) -> Result<(), Violation> {
    let Some(allowed) = schema.get("enum").and_then(Value::as_array) else {
        return Ok(());
    };
    // Where the catalog's own example is outside its enum (20 fields, e.g.
    // `relation_type`: example SUPPLIER, enum MERCHANT_ID/PERSONAL_OPENID),
    // the enum is a copying slip of the source, not WeChat's rule.
    if let Some(example) = schema.get("example") {
        let text = example
            .as_str()
            .map_or_else(|| example.to_string(), str::to_owned);
        if !allowed
            .iter()
            .any(|a| a == example || a.as_str() == Some(text.as_str()))
        {
            return Ok(());
        }
    }
    let as_text = match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    if allowed
        .iter()
        .any(|a| a == value || a.as_str() == Some(as_text.as_str()))
    {
        Ok(())
    } else {
        let names: Vec<String> = allowed
            .iter()
            .map(|a| a.as_str().map_or_else(|| a.to_string(), str::to_owned))
            .collect();
        Err(violation(
            at,
            Some(value),
            format!("must be one of {}", names.join(", ")),
        ))
    }
}

fn check_bounds(schema: &Value, value: &Value, at: &str) -> Result<(), Violation> {
    let Some(n) = value.as_f64() else {
        return Ok(());
    };
    if let Some(max) = schema.get("maximum").and_then(Value::as_f64) {
        if n > max {
            return Err(violation(at, Some(value), format!("must be at most {max}")));
        }
    }
    if let Some(min) = schema.get("minimum").and_then(Value::as_f64) {
        if n < min {
            return Err(violation(
                at,
                Some(value),
                format!("must be at least {min}"),
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn order() -> Value {
        json!({"type": "object", "required": ["amount", "goods"], "properties": {
            "amount": {"type": "object", "required": ["total"], "properties": {
                "total": {"type": "integer", "minimum": 1},
                "currency": {"type": "string", "enum": ["CNY"]}}},
            "goods": {"type": "array", "items": {"type": "object", "required": ["id"],
                "properties": {"id": {"type": "string", "maxLength": 4}}}},
            "photos": {"type": "string", "x-json": {"type": "array", "items": {"type": "string"}}}
        }})
    }

    #[test]
    fn accepts_a_conforming_value() {
        let v = json!({"amount": {"total": 1, "currency": "CNY"}, "goods": [{"id": "a"}],
                       "photos": "[\"m1\"]", "extra": 1});
        assert_eq!(validate(&order(), &v), Ok(()));
    }

    #[test]
    fn names_the_first_broken_field() {
        let cases = [
            (json!({"goods": []}), "/amount", "missing required field"),
            (
                json!({"amount": {"total": "1"}, "goods": []}),
                "/amount/total",
                "must be an integer",
            ),
            (
                json!({"amount": {"total": 0}, "goods": []}),
                "/amount/total",
                "must be at least 1",
            ),
            (
                json!({"amount": {"total": 1, "currency": "USD"}, "goods": []}),
                "/amount/currency",
                "must be one of CNY",
            ),
            (
                json!({"amount": {"total": 1}, "goods": [{"id": "toolong"}]}),
                "/goods/0/id",
                "longer than 4 characters",
            ),
            (
                json!({"amount": {"total": 1}, "goods": [{}]}),
                "/goods/0/id",
                "missing required field",
            ),
            (
                json!({"amount": {"total": 1}, "goods": {}}),
                "/goods",
                "must be an array",
            ),
            (
                json!({"amount": {"total": 1}, "goods": [], "photos": "[1]"}),
                "/photos",
                "its JSON text is wrong at /0: must be a string",
            ),
            (
                json!({"amount": {"total": 1}, "goods": null}),
                "/goods",
                "missing required field",
            ),
        ];
        for (value, field, issue) in cases {
            let v = validate(&order(), &value).unwrap_err();
            assert_eq!(
                (v.field.as_str(), v.issue.as_str()),
                (field, issue),
                "{value}"
            );
        }
    }

    #[test]
    fn depth_is_bounded() {
        let mut schema = json!({"type": "string"});
        let mut value = json!("x");
        for _ in 0..40 {
            schema = json!({"type": "array", "items": schema});
            value = json!([value]);
        }
        assert_eq!(
            validate(&schema, &value).unwrap_err().issue,
            "nested too deeply"
        );
    }
}
