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
        let op = crate::catalog::corrected(op)?;
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
}
