//! The data `wxpay-sandbox` needs to answer every APIv3 operation offline:
//! each operation's method, path template, parameters, request body and
//! response schemas, taken from the catalog with the prose (labels, docs,
//! summaries, roles, tags) left out. Written as one JSON array, one operation
//! per line (diffs stay readable), which the sandbox embeds with
//! `include_str!` and parses once. The sandbox stays independent of
//! `wxpay-apis`: this reads `operations.json` itself, with the same
//! corrections the typed code gets (`catalog::corrected`: the order queries'
//! answers, the H5 prepays' `scene_info`), where WeChat's documentation and
//! the catalog disagree.
//!
//! Labels are prose, but one fact hides in them: which fields are encrypted.
//! The catalog marks a few with `x-is-sensitive` and the rest by saying so in
//! words (a `base64` field or a label with 加密, in an operation that takes
//! `Wechatpay-Serial`); [`mark_sensitive`] writes every such field into its
//! object's `x-is-sensitive` list (and `"sensitive": true` on a query
//! parameter) before the prose goes, so the sandbox checks them all.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::{Map, Value};

use crate::output::Tree;

/// Where the sandbox keeps the generated file (a folder the generator owns).
pub const DIR: &str = "wxpay-sandbox/src/catalog/generated";

/// The generated file's name inside [`DIR`].
pub const FILE: &str = "operations.json";

/// The keys of an operation that the sandbox uses, in the order written.
const OPERATION_KEYS: [&str; 8] = [
    "method",
    "path",
    "path_params",
    "query",
    "headers",
    "form",
    "body",
    "responses",
];

/// Schema keys that only describe (never constrain) a value.
const PROSE_KEYS: [&str; 1] = ["label"];

/// The generated folder for the sandbox, ready for `output::write`/`check`.
pub fn tree(root: &Path, catalog_dir: &Path) -> Result<Tree, String> {
    let path = catalog_dir.join("operations.json");
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let all: Value = serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    let Value::Array(all) = all else {
        return Err(format!("{}: expected a JSON array", path.display()));
    };
    let mut files = BTreeMap::new();
    files.insert(FILE.to_owned(), render(&all)?);
    Ok(Tree {
        dir: root.join(DIR),
        files,
        roots: Vec::new(),
    })
}

/// The APIv3 operations, one compact JSON object per line.
fn render(all: &[Value]) -> Result<String, String> {
    let mut lines = Vec::new();
    for op in all {
        if op.get("api").and_then(Value::as_str) != Some("v3") {
            continue;
        }
        let op = op.as_object().ok_or("an operation is not an object")?;
        let mut op = crate::catalog::corrected(op)?;
        mark_sensitive(&mut op);
        let mut kept = Map::new();
        for key in OPERATION_KEYS {
            let value = op.get(key).cloned().unwrap_or(Value::Null);
            kept.insert(key.to_owned(), strip(value));
        }
        let line = serde_json::to_string(&Value::Object(kept)).map_err(|e| e.to_string())?;
        lines.push(line);
    }
    if lines.is_empty() {
        return Err("the catalog holds no APIv3 operation".into());
    }
    Ok(format!("[\n{}\n]\n", lines.join(",\n")))
}

/// Whether the operation names the WeChat Pay key its encrypted fields are
/// encrypted with (the catalog's `Wechatpay-Serial` header).
fn takes_serial(op: &Map<String, Value>) -> bool {
    op.get("headers")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .any(|h| h.get("name").and_then(Value::as_str) == Some("Wechatpay-Serial"))
}

/// A string field the catalog describes as encrypted: `base64`, or a label
/// that says 加密 (but not one naming an algorithm, 加密算法).
fn described_as_encrypted(schema: &Value) -> bool {
    let string = schema
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or("string")
        == "string";
    let base64 = schema.get("format").and_then(Value::as_str) == Some("base64");
    let label = schema
        .get("label")
        .and_then(Value::as_str)
        .unwrap_or_default();
    string && (base64 || (label.contains("加密") && !label.contains("加密算法")))
}

/// Marks every encrypted field of the operation's body, answers and query.
fn mark_sensitive(op: &mut Map<String, Value>) {
    let serial = takes_serial(op);
    if let Some(body) = op.get_mut("body") {
        mark_object(body, serial, 0);
    }
    if let Some(Value::Object(responses)) = op.get_mut("responses") {
        for schema in responses.values_mut() {
            mark_object(schema, serial, 0);
        }
    }
    if let Some(Value::Array(query)) = op.get_mut("query") {
        for param in query.iter_mut().filter_map(Value::as_object_mut) {
            let encrypted = serial && param.get("schema").is_some_and(described_as_encrypted);
            if encrypted {
                param.insert("sensitive".into(), Value::Bool(true));
            }
        }
    }
}

/// Extends each object's `x-is-sensitive` list with its encrypted properties
/// (a single-name `x-is-sensitive`, an AES-GCM `ciphertext`, is left as is).
fn mark_object(schema: &mut Value, serial: bool, depth: usize) {
    if depth > 64 {
        return;
    }
    let Value::Object(map) = schema else {
        return;
    };
    if let Some(items) = map.get_mut("items") {
        mark_object(items, serial, depth + 1);
    }
    let Some(Value::Object(props)) = map.get_mut("properties") else {
        return;
    };
    let mut names: Vec<String> = Vec::new();
    for (name, sub) in props.iter_mut() {
        if serial && described_as_encrypted(sub) {
            names.push(name.clone());
        }
        mark_object(sub, serial, depth + 1);
    }
    match map.get_mut("x-is-sensitive") {
        Some(Value::Array(listed)) => {
            for name in names {
                if !listed.iter().any(|n| n.as_str() == Some(&name)) {
                    listed.push(Value::String(name));
                }
            }
        }
        Some(_) => {}
        None if names.is_empty() => {}
        None => {
            map.insert(
                "x-is-sensitive".into(),
                Value::Array(names.into_iter().map(Value::String).collect()),
            );
        }
    }
}

/// The schema without its prose.
fn strip(value: Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .filter(|(k, _)| !PROSE_KEYS.contains(&k.as_str()))
                .map(|(k, v)| {
                    // `properties` maps field names (which may be "label") to schemas.
                    if k == "properties" {
                        let props = match v {
                            Value::Object(props) => Value::Object(
                                props.into_iter().map(|(n, s)| (n, strip(s))).collect(),
                            ),
                            other => other,
                        };
                        (k, props)
                    } else {
                        (k, strip(v))
                    }
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(strip).collect()),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_v3_operations_without_prose() {
        let all = serde_json::json!([
            {"api": "v2", "method": "POST", "path": "pay/micropay"},
            {"api": "v3", "method": "GET", "path": "v3/x/{id}", "summary": "s", "docs": [],
             "path_params": [{"name": "id", "schema": {"type": "string", "label": "号"}}],
             "query": [], "headers": [], "form": [], "body": null,
             "responses": {"200": {"type": "object", "properties": {"label": {"type": "string", "label": "x"}}}}}
        ]);
        let text = render(all.as_array().unwrap()).unwrap();
        let ops: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(ops.as_array().unwrap().len(), 1);
        assert_eq!(
            ops[0]["path_params"][0]["schema"],
            serde_json::json!({"type": "string"})
        );
        assert_eq!(
            ops[0]["responses"]["200"]["properties"]["label"],
            serde_json::json!({"type": "string"})
        );
        assert!(ops[0].get("summary").is_none());
    }

    #[test]
    fn encrypted_fields_are_marked_before_the_labels_go() {
        let all = serde_json::json!([
            {"api": "v3", "method": "POST", "path": "v3/x", "query": [],
             "headers": [{"name": "Wechatpay-Serial", "schema": {}}], "form": [],
             "body": {"type": "object", "x-is-sensitive": ["kept"], "properties": {
                 "kept": {"type": "string"},
                 "name": {"type": "string", "format": "base64", "label": "姓名"},
                 "phone": {"type": "string", "label": "加密的手机号"},
                 "algorithm": {"type": "string", "label": "加密算法类型"},
                 "plain": {"type": "string", "label": "备注"},
                 "list": {"type": "array", "items": {"type": "object", "properties": {
                     "card": {"type": "string", "format": "base64"}}}}}},
             "responses": {"200": {"type": "object", "properties": {
                 "name": {"type": "string", "format": "base64"}}}}},
            {"api": "v3", "method": "GET", "path": "v3/y", "headers": [], "form": [],
             "query": [{"name": "q", "schema": {"type": "string", "format": "base64"}}],
             "body": null, "responses": {"200": {"type": "object", "properties": {
                 "name": {"type": "string", "format": "base64"}}}}},
            {"api": "v3", "method": "GET", "path": "v3/z", "form": [], "body": null,
             "headers": [{"name": "Wechatpay-Serial", "schema": {}}],
             "query": [{"name": "q", "schema": {"type": "string", "format": "base64"}}],
             "responses": {}}
        ]);
        let ops: Value = serde_json::from_str(&render(all.as_array().unwrap()).unwrap()).unwrap();
        let body = &ops[0]["body"];
        assert_eq!(
            body["x-is-sensitive"],
            serde_json::json!(["kept", "name", "phone"])
        );
        assert_eq!(
            body["properties"]["list"]["items"]["x-is-sensitive"],
            serde_json::json!(["card"])
        );
        assert_eq!(
            ops[0]["responses"]["200"]["x-is-sensitive"],
            serde_json::json!(["name"])
        );
        // Without `Wechatpay-Serial` a base64 field is just base64.
        assert!(ops[1]["responses"]["200"].get("x-is-sensitive").is_none());
        assert!(ops[1]["query"][0].get("sensitive").is_none());
        assert_eq!(ops[2]["query"][0]["sensitive"], true);
    }
}
