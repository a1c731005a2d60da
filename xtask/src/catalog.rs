//! Reading `operations.json` into plain structs, normalising the quirks the
//! catalog's README lists (misspelt types, type-less nodes) on the way in.

use std::path::Path;

use serde_json::{Map, Value};

/// One operation of the catalog.
#[derive(Debug, Clone)]
pub struct Operation {
    pub method: String,
    pub path: String,
    pub summary: String,
    pub roles: Vec<String>,
    pub docs: Vec<String>,
    pub path_params: Vec<Param>,
    pub query: Vec<Param>,
    pub headers: Vec<Param>,
    pub form: Vec<Param>,
    pub body: Option<Schema>,
    /// Status code and schema, in catalog order.
    pub responses: Vec<(String, Schema)>,
    pub base_uri: Option<String>,
}

/// A path, query, header or form parameter.
#[derive(Debug, Clone)]
pub struct Param {
    pub name: String,
    pub required: bool,
    pub schema: Schema,
}

/// The kinds a schema node can have once the catalog's spelling slips
/// (`stringde`, `"string "`, `int`) are corrected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    String,
    Integer,
    Number,
    Boolean,
    Object,
    Array,
    File,
    /// No `type` at all: an empty response body, or a header.
    Untyped,
}

/// How a node marks sensitive data.
#[derive(Debug, Clone, Default, PartialEq)]
pub enum Sensitive {
    #[default]
    No,
    /// `x-is-sensitive: [names]` on an object: those properties are encrypted.
    Fields(Vec<String>),
    /// `x-is-sensitive: "name"` on an object: that one property is encrypted.
    Field(String),
}

/// A schema node.
#[derive(Debug, Clone)]
pub struct Schema {
    pub kind: Kind,
    pub format: Option<String>,
    /// Properties in catalog order (`None` when the node has no `properties`).
    pub properties: Option<Vec<(String, Schema)>>,
    pub required: Vec<String>,
    pub items: Option<Box<Schema>>,
    pub enum_values: Vec<String>,
    pub label: Option<String>,
    pub example: Option<String>,
    pub nullable: bool,
    pub sensitive: Sensitive,
    pub x_json: Option<Box<Schema>>,
    /// `x-one-of` (the generator's, see [`crate::tables::ONE_OF`]): the
    /// fields of which exactly one is sent, in order.
    pub one_of: Option<Vec<(String, Schema)>>,
}

impl Schema {
    pub fn property_list(&self) -> &[(String, Schema)] {
        self.properties.as_deref().unwrap_or(&[])
    }
}

fn read(dir: &Path) -> Result<Vec<Value>, String> {
    let file = dir.join("operations.json");
    let text = std::fs::read_to_string(&file)
        .map_err(|e| format!("cannot read {}: {e}", file.display()))?;
    let value: Value =
        serde_json::from_str(&text).map_err(|e| format!("{}: {e}", file.display()))?;
    let Value::Array(items) = value else {
        return Err(format!("{}: expected a JSON array", file.display()));
    };
    Ok(items)
}

/// The APIv2 (XML) operations, as the catalog has them, with the
/// [`ENUM_CORRECTIONS`](crate::tables::ENUM_CORRECTIONS) of APIv2 applied.
pub fn load_v2(dir: &Path) -> Result<Vec<Operation>, String> {
    let mut ops = Vec::new();
    let mut maps = Vec::new();
    for (index, item) in read(dir)?.iter().enumerate() {
        let op = item
            .as_object()
            .ok_or_else(|| format!("operation #{index} is not an object"))?;
        if str_field(op, "api") == "v2" {
            let mut op = op.clone();
            crate::corrections::apply(&mut op)?;
            ops.push(operation(&op).map_err(|e| format!("operation #{index}: {e}"))?);
            maps.push(op);
        }
    }
    let keys: Vec<(&str, &str)> = ops
        .iter()
        .map(|o| (o.method.as_str(), o.path.as_str()))
        .collect();
    crate::corrections::check_operations("v2", &keys)?;
    crate::corrections::check_contradictions(maps.iter())?;
    Ok(ops)
}

pub fn load(dir: &Path) -> Result<Vec<Operation>, String> {
    let items = read(dir)?;
    let mut ops = Vec::new();
    let mut maps = Vec::new();
    for (index, item) in items.iter().enumerate() {
        let op = item
            .as_object()
            .ok_or_else(|| format!("operation #{index} is not an object"))?;
        if str_field(op, "api") != "v3" {
            continue;
        }
        let op = corrected(op)?;
        let mut typed = op.clone();
        crate::corrections::apply_one_of(&mut typed)?;
        ops.push(operation(&typed).map_err(|e| format!("operation #{index}: {e}"))?);
        maps.push(op);
    }
    check_corrected(ops.iter().map(|o| (o.method.as_str(), o.path.as_str())))?;
    let keys: Vec<(&str, &str)> = ops
        .iter()
        .map(|o| (o.method.as_str(), o.path.as_str()))
        .collect();
    crate::corrections::check_operations("v3", &keys)?;
    crate::corrections::check_one_of_operations(&keys)?;
    crate::corrections::check_contradictions(maps.iter())?;
    Ok(ops)
}

/// An APIv3 operation of the catalog with the generator's corrections
/// applied (see [`crate::tables::ORDER_QUERIES`],
/// [`crate::tables::H5_PREPAYS`] and [`crate::tables::ENUM_CORRECTIONS`]):
/// what the typed code and the sandbox's schemas are both generated from.
pub fn corrected(op: &Map<String, Value>) -> Result<Map<String, Value>, String> {
    let key = (str_field(op, "method"), str_field(op, "path"));
    let in_table = |table: &[(&str, &str)]| table.iter().any(|(m, p)| (*m, *p) == key);
    let corrected = if in_table(crate::tables::ORDER_QUERIES) {
        correct_order_query(op)
    } else if in_table(crate::tables::H5_PREPAYS) {
        correct_h5_prepay(op)
    } else {
        Ok(op.clone())
    };
    let mut op = corrected.map_err(|e| format!("{} {}: {e}", key.0, key.1))?;
    for value in op.values_mut() {
        normalize_types(value, 0);
    }
    crate::corrections::apply(&mut op)?;
    Ok(op)
}

/// Node types both sides read alike: a `number` or `integer` node whose
/// `enum` values are all words (e.g. `discount_mode`: `DIS_CALC`,
/// `DIS_FLAG`, `DIS_SMKT`) is a string, as no number can take those values;
/// the catalog's one `int` (the shopping receipt's `brand_id`) is `integer`,
/// as the typed side already read it (the sandbox sent its example as text).
fn normalize_types(value: &mut Value, depth: usize) {
    if depth > 64 {
        return;
    }
    match value {
        Value::Object(map) => {
            let numeric = matches!(
                map.get("type").and_then(Value::as_str).map(str::trim),
                Some("number" | "integer" | "int")
            );
            let words = map
                .get("enum")
                .and_then(Value::as_array)
                .is_some_and(|values| {
                    !values.is_empty()
                        && values
                            .iter()
                            .all(|v| v.as_str().is_some_and(|t| t.trim().parse::<f64>().is_err()))
                });
            if numeric && words {
                map.insert("type".into(), Value::String("string".into()));
            } else if map.get("type").and_then(Value::as_str) == Some("int") {
                map.insert("type".into(), Value::String("integer".into()));
            }
            for sub in map.values_mut() {
                normalize_types(sub, depth + 1);
            }
        }
        Value::Array(items) => {
            for item in items {
                normalize_types(item, depth + 1);
            }
        }
        _ => {}
    }
}

/// Fails if a correction table names an operation the catalog lacks.
fn check_corrected<'a>(
    ops: impl Iterator<Item = (&'a str, &'a str)> + Clone,
) -> Result<(), String> {
    let tables = [
        ("ORDER_QUERIES", crate::tables::ORDER_QUERIES),
        ("H5_PREPAYS", crate::tables::H5_PREPAYS),
    ];
    for (name, table) in tables {
        for (method, path) in table {
            if !ops.clone().any(|(m, p)| m == *method && p == *path) {
                return Err(format!(
                    "{name} names `{method} {path}`, which the catalog does not have"
                ));
            }
        }
    }
    Ok(())
}

/// The H5 prepay request as WeChat requires it (see
/// [`crate::tables::H5_PREPAYS`]): `scene_info` with the payer's IP and the
/// H5 scene, whose `type` is required.
fn correct_h5_prepay(op: &Map<String, Value>) -> Result<Map<String, Value>, String> {
    let mut op = op.clone();
    let scene = op
        .get_mut("body")
        .and_then(|b| b.get_mut("properties"))
        .and_then(|p| p.get_mut("scene_info"))
        .and_then(Value::as_object_mut)
        .ok_or("the body has no `scene_info` to correct")?;
    let properties = scene
        .get_mut("properties")
        .and_then(Value::as_object_mut)
        .ok_or("`scene_info` has no properties")?;
    if properties.contains_key("payer_client_ip") {
        return Err("`scene_info` has `payer_client_ip` now: drop the H5_PREPAYS entry".into());
    }
    let h5_info = properties
        .get_mut("h5_info")
        .and_then(Value::as_object_mut)
        .ok_or("`scene_info` has no `h5_info`")?;
    h5_info.insert("required".into(), serde_json::json!(["type"]));
    properties.insert(
        "payer_client_ip".into(),
        serde_json::json!({
            "type": "string",
            "label": "用户终端IP",
            "example": "14.23.150.211"
        }),
    );
    scene.insert(
        "required".into(),
        serde_json::json!(["h5_info", "payer_client_ip"]),
    );
    Ok(op)
}

/// The answer of an order query as WeChat sends it (see
/// [`crate::tables::ORDER_QUERIES`]): without the request-only fields, with
/// an optional `amount` of `total` (always there when `amount` is) and the
/// fields paid orders add.
fn correct_order_query(op: &Map<String, Value>) -> Result<Map<String, Value>, String> {
    let mut op = op.clone();
    let answer = op
        .get_mut("responses")
        .and_then(|r| r.get_mut("200"))
        .and_then(Value::as_object_mut)
        .ok_or("no 200 answer to correct")?;
    let properties = answer
        .get_mut("properties")
        .and_then(Value::as_object_mut)
        .ok_or("the 200 answer has no properties")?;
    for field in crate::tables::REQUEST_ONLY_FIELDS {
        properties.remove(*field);
    }
    let amount = properties
        .get_mut("amount")
        .ok_or("the answer has no `amount` to correct")?;
    *amount = serde_json::json!({
        "type": "object",
        "label": "订单金额",
        "properties": {
            "total": {"type": "integer", "label": "订单总金额", "example": "100"},
            "payer_total": {"type": "integer", "label": "用户支付金额", "example": "100"},
            "currency": {"type": "string", "label": "货币类型", "example": "CNY"},
            "payer_currency": {"type": "string", "label": "用户支付币种", "example": "CNY"}
        },
        "required": ["total"]
    });
    if let Some(required) = answer.get_mut("required").and_then(Value::as_array_mut) {
        required.retain(|name| {
            name.as_str()
                .is_some_and(|n| n != "amount" && !crate::tables::REQUEST_ONLY_FIELDS.contains(&n))
        });
    }
    Ok(op)
}

fn str_field<'a>(map: &'a Map<String, Value>, key: &str) -> &'a str {
    map.get(key).and_then(Value::as_str).unwrap_or_default()
}

fn strings(map: &Map<String, Value>, key: &str) -> Vec<String> {
    map.get(key)
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

fn operation(op: &Map<String, Value>) -> Result<Operation, String> {
    let params = |key: &str| -> Result<Vec<Param>, String> {
        let Some(list) = op.get(key).and_then(Value::as_array) else {
            return Ok(Vec::new());
        };
        list.iter()
            .map(|p| {
                let p = p.as_object().ok_or("a parameter is not an object")?;
                Ok(Param {
                    name: str_field(p, "name").to_owned(),
                    required: p.get("required").and_then(Value::as_bool).unwrap_or(false),
                    schema: schema(p.get("schema").unwrap_or(&Value::Null)),
                })
            })
            .collect()
    };
    let responses = op
        .get("responses")
        .and_then(Value::as_object)
        .map(|r| r.iter().map(|(k, v)| (k.clone(), schema(v))).collect())
        .unwrap_or_default();
    Ok(Operation {
        method: str_field(op, "method").to_owned(),
        path: str_field(op, "path").to_owned(),
        summary: str_field(op, "summary").trim().to_owned(),
        roles: strings(op, "roles"),
        docs: strings(op, "docs"),
        path_params: params("path_params")?,
        query: params("query")?,
        headers: params("headers")?,
        form: params("form")?,
        body: op.get("body").filter(|b| !b.is_null()).map(schema),
        responses,
        base_uri: op
            .get("base_uri")
            .and_then(Value::as_str)
            .map(str::to_owned),
    })
}

fn scalar_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Null => None,
        other => Some(other.to_string()),
    }
}

fn schema(value: &Value) -> Schema {
    let empty = Map::new();
    let map = value.as_object().unwrap_or(&empty);
    let properties = map.get("properties").and_then(Value::as_object).map(|p| {
        p.iter()
            .map(|(name, s)| (name.clone(), schema(s)))
            .collect::<Vec<_>>()
    });
    let items = map.get("items").map(|i| Box::new(schema(i)));
    let kind = match map.get("type").and_then(Value::as_str).map(str::trim) {
        Some("string") | Some("stringde") => Kind::String,
        Some("integer") | Some("int") => Kind::Integer,
        Some("number") => Kind::Number,
        Some("boolean") => Kind::Boolean,
        Some("object") => Kind::Object,
        Some("array") => Kind::Array,
        Some("file") => Kind::File,
        Some(_) | None if properties.is_some() => Kind::Object,
        Some(_) | None if items.is_some() => Kind::Array,
        Some(_) | None => Kind::Untyped,
    };
    let sensitive = match map.get("x-is-sensitive") {
        Some(Value::Array(names)) => Sensitive::Fields(
            names
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect(),
        ),
        Some(Value::String(name)) => Sensitive::Field(name.clone()),
        _ => Sensitive::No,
    };
    Schema {
        kind,
        format: map.get("format").and_then(Value::as_str).map(str::to_owned),
        properties,
        required: strings(map, "required"),
        items,
        enum_values: map
            .get("enum")
            .and_then(Value::as_array)
            .map(|v| v.iter().filter_map(scalar_text).collect())
            .unwrap_or_default(),
        label: map
            .get("label")
            .and_then(Value::as_str)
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty()),
        example: map.get("example").and_then(scalar_text),
        nullable: map
            .get("nullable")
            .and_then(Value::as_bool)
            .unwrap_or(false),
        sensitive,
        x_json: map.get("x-json").map(|x| Box::new(schema(x))),
        one_of: map
            .get("x-one-of")
            .and_then(Value::as_array)
            .map(|variants| {
                variants
                    .iter()
                    .map(|v| {
                        let name = v.get("name").and_then(Value::as_str).unwrap_or_default();
                        (
                            name.to_owned(),
                            schema(v.get("schema").unwrap_or(&Value::Null)),
                        )
                    })
                    .collect()
            }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn op(value: Value) -> Map<String, Value> {
        value.as_object().unwrap().clone()
    }

    #[test]
    fn an_h5_prepay_gets_the_scene_wechat_requires() {
        let h5 = op(
            json!({"method": "POST", "path": "v3/pay/transactions/h5", "body": {
            "type": "object", "required": ["scene_info"], "properties": {"scene_info": {
                "type": "object", "properties": {"h5_info": {"type": "object",
                    "properties": {"type": {"type": "string"}}}}}}}}),
        );
        let fixed = corrected(&h5).unwrap();
        let scene = &fixed["body"]["properties"]["scene_info"];
        assert_eq!(scene["required"], json!(["h5_info", "payer_client_ip"]));
        assert_eq!(scene["properties"]["payer_client_ip"]["type"], "string");
        assert_eq!(scene["properties"]["h5_info"]["required"], json!(["type"]));
        // Fixed upstream: the entry must go.
        assert!(corrected(&fixed).is_err());
        // Other operations are left alone.
        let native = op(
            json!({"method": "POST", "path": "v3/pay/transactions/native",
            "body": h5["body"].clone()}),
        );
        assert_eq!(corrected(&native).unwrap(), native);
    }

    #[test]
    fn a_number_whose_values_are_words_is_a_string() {
        let answer = op(
            json!({"method": "POST", "path": "v3/x", "responses": {"200": {
            "type": "object", "properties": {
                "mode": {"type": "number", "enum": ["DIS_CALC", "DIS_FLAG"]},
                "level": {"type": "integer", "enum": ["1", "2"]}}}}}),
        );
        let fixed = corrected(&answer).unwrap();
        let props = &fixed["responses"]["200"]["properties"];
        assert_eq!(props["mode"]["type"], "string");
        assert_eq!(props["level"]["type"], "integer");
    }

    #[test]
    fn the_catalogs_int_is_an_integer() {
        let answer = op(
            json!({"method": "POST", "path": "v3/x", "responses": {"200": {
            "type": "object", "properties": {"receipt": {"type": "object", "properties": {
                "brand_id": {"type": "int", "example": "1142"}}}}}}}),
        );
        let fixed = corrected(&answer).unwrap();
        assert_eq!(
            fixed["responses"]["200"]["properties"]["receipt"]["properties"]["brand_id"]["type"],
            "integer"
        );
    }
}
