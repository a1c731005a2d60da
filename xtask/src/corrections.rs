//! Applying [`ENUM_CORRECTIONS`](crate::tables::ENUM_CORRECTIONS) to the
//! catalog's operations, and finding the contradictions no entry settles:
//! an enum whose example is not among its values.

use serde_json::{Map, Value};

use crate::tables::{Correction, Fix, OneOf, ENUM_CORRECTIONS, ONE_OF};

/// Applies the corrections of one operation (a JSON object of the catalog).
/// Fails on an entry that no longer changes anything: the catalog was fixed
/// upstream, and the entry must go.
pub fn apply(op: &mut Map<String, Value>) -> Result<(), String> {
    let method = text(op, "method").to_owned();
    let path = text(op, "path").to_owned();
    for (m, p, at, fix, _) in ENUM_CORRECTIONS {
        if (*m, *p) != (method.as_str(), path.as_str()) {
            continue;
        }
        let stale = |why: &str| format!("ENUM_CORRECTIONS `{m} {p}` `{at}`: {why}; drop the entry");
        match fix {
            Fix::Optional => {
                let (parent, name) = at.rsplit_once('/').ok_or_else(|| stale("no parent"))?;
                let parent = node(op, parent).ok_or_else(|| stale("no such object"))?;
                let required = parent.get_mut("required").and_then(Value::as_array_mut);
                let required = required.ok_or_else(|| stale("nothing is required"))?;
                let before = required.len();
                required.retain(|r| r.as_str() != Some(name.trim_end_matches("[]")));
                if required.len() == before {
                    return Err(stale("the field is optional already"));
                }
            }
            Fix::Values(values) => {
                let node = node(op, at).ok_or_else(|| stale("no such field"))?;
                let new = Value::from(values.to_vec());
                if node.get("enum") == Some(&new) {
                    return Err(stale("the catalog lists these values already"));
                }
                node.insert("enum".into(), new);
            }
            Fix::AddValues(values) => {
                let node = node(op, at).ok_or_else(|| stale("no such field"))?;
                let list = node.get_mut("enum").and_then(Value::as_array_mut);
                let list = list.ok_or_else(|| stale("the field has no values to add to"))?;
                for v in *values {
                    if list.iter().any(|x| x.as_str() == Some(v)) {
                        return Err(stale(&format!("`{v}` is listed already")));
                    }
                    list.push(Value::from(*v));
                }
            }
            Fix::Example(example) => {
                let node = node(op, at).ok_or_else(|| stale("no such field"))?;
                let listed = |v: &str| enum_values(node).iter().any(|e| e == v);
                if let Some(old) = node.get("example").and_then(scalar) {
                    if listed(&old) {
                        return Err(stale(&format!("the example `{old}` is listed already")));
                    }
                }
                if !listed(example) {
                    return Err(format!(
                        "ENUM_CORRECTIONS `{m} {p}` `{at}`: `{example}` is not among the values"
                    ));
                }
                node.insert("example".into(), Value::from(*example));
            }
        }
    }
    Ok(())
}

/// Fails if an entry names an operation `ops` lacks (of those `api` holds:
/// `v3` or `v2`).
pub fn check_operations(api: &str, ops: &[(&str, &str)]) -> Result<(), String> {
    for (m, p, at, _, _) in ENUM_CORRECTIONS {
        if p.starts_with("v2/") != (api == "v2") {
            continue;
        }
        if !ops.iter().any(|(om, op)| om == m && op == p) {
            return Err(format!(
                "ENUM_CORRECTIONS names `{m} {p}` (`{at}`), which the catalog does not have"
            ));
        }
    }
    Ok(())
}

/// Fails on the contradictions of these (corrected) operations.
pub fn check_contradictions<'a>(
    ops: impl Iterator<Item = &'a Map<String, Value>>,
) -> Result<(), String> {
    let found: Vec<String> = ops.flat_map(contradictions).collect();
    if found.is_empty() {
        return Ok(());
    }
    Err(format!(
        "the catalog contradicts itself in {} enum fields (an example that is not among the \
         values); settle each with a sourced ENUM_CORRECTIONS entry in \
         xtask/src/tables/corrections.rs:\n  {}",
        found.len(),
        found.join("\n  ")
    ))
}

/// Replaces the fields of each [`ONE_OF`] entry of this operation with one
/// required property, the group, marked `x-one-of` (the member fields and
/// their schemas, in the table's order) at the place of the first member.
/// For the typed code only: the sandbox's schemas keep the catalog's fields.
pub fn apply_one_of(op: &mut Map<String, Value>) -> Result<(), String> {
    let method = text(op, "method").to_owned();
    let path = text(op, "path").to_owned();
    for one in ONE_OF
        .iter()
        .filter(|o| (o.method, o.path) == (method.as_str(), path.as_str()))
    {
        let fail = |why: &str| format!("ONE_OF `{method} {path}` `{}`: {why}", one.object);
        if one.object == "query" {
            let params = op
                .get_mut("query")
                .and_then(Value::as_array_mut)
                .ok_or_else(|| fail("no query"))?;
            let mut members = Map::new();
            let mut at = None;
            for name in one.fields {
                let index = params
                    .iter()
                    .position(|p| p.get("name").and_then(Value::as_str) == Some(name))
                    .ok_or_else(|| fail(&format!("no query parameter `{name}`")))?;
                at = Some(at.map_or(index, |a: usize| a.min(index)));
                let param = params.remove(index);
                members.insert(
                    (*name).into(),
                    param.get("schema").cloned().unwrap_or_default(),
                );
            }
            let group = serde_json::json!({
                "name": one.group,
                "in": "query",
                "required": true,
                "schema": one_of_schema(one, members),
            });
            params.insert(at.unwrap_or(params.len()).min(params.len()), group);
            continue;
        }
        let object = node(op, one.object).ok_or_else(|| fail("no such object"))?;
        let properties = object
            .get("properties")
            .and_then(Value::as_object)
            .ok_or_else(|| fail("no properties"))?;
        if let Some(missing) = one.fields.iter().find(|f| !properties.contains_key(**f)) {
            return Err(fail(&format!("no field `{missing}`")));
        }
        let mut members = Map::new();
        let mut rebuilt = Map::new();
        for (name, schema) in properties {
            if one.fields.contains(&name.as_str()) {
                if members.is_empty() {
                    rebuilt.insert(one.group.into(), Value::Null);
                }
                members.insert(name.clone(), schema.clone());
            } else {
                rebuilt.insert(name.clone(), schema.clone());
            }
        }
        rebuilt.insert(one.group.into(), one_of_schema(one, members));
        object.insert("properties".into(), Value::Object(rebuilt));
        let mut required: Vec<Value> = object
            .get("required")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        required.retain(|r| !r.as_str().is_some_and(|r| one.fields.contains(&r)));
        required.push(Value::from(one.group));
        object.insert("required".into(), Value::Array(required));
    }
    Ok(())
}

/// `{"x-one-of": [{"name", "schema"}, ...]}` in the table's order, each
/// variant's label with the table's note.
fn one_of_schema(one: &OneOf, mut members: Map<String, Value>) -> Value {
    let variants: Vec<Value> = one
        .fields
        .iter()
        .map(|name| {
            let mut schema = members.remove(*name).unwrap_or_default();
            if let (Some(map), Some((_, note))) = (
                schema.as_object_mut(),
                one.notes.iter().find(|(field, _)| field == name),
            ) {
                let label = map.get("label").and_then(Value::as_str).unwrap_or_default();
                let label = format!("{label} {note}").trim().to_owned();
                map.insert("label".into(), Value::from(label));
            }
            serde_json::json!({"name": name, "schema": schema})
        })
        .collect();
    serde_json::json!({
        "type": "object",
        "label": format!("二选一: exactly one of {}", one.fields.join(", ")),
        "x-one-of": variants,
    })
}

/// Fails if a [`ONE_OF`] entry names an operation `ops` lacks.
pub fn check_one_of_operations(ops: &[(&str, &str)]) -> Result<(), String> {
    for one in ONE_OF {
        if !ops.iter().any(|(m, p)| (*m, *p) == (one.method, one.path)) {
            return Err(format!(
                "ONE_OF names `{} {}`, which the catalog does not have",
                one.method, one.path
            ));
        }
    }
    Ok(())
}

/// Every enum of the operation whose example is not one of its values, as
/// `METHOD path location: ...` lines.
pub fn contradictions(op: &Map<String, Value>) -> Vec<String> {
    let mut found = Vec::new();
    let mut visit = |at: &str, schema: &Value| walk(schema, at, &mut found, 0);
    for key in ["path_params", "query", "headers"] {
        for p in op.get(key).and_then(Value::as_array).into_iter().flatten() {
            let name = p.get("name").and_then(Value::as_str).unwrap_or_default();
            if let Some(schema) = p.get("schema") {
                visit(
                    &format!("{}/{name}", key.trim_end_matches("_params")),
                    schema,
                );
            }
        }
    }
    if let Some(body) = op.get("body") {
        visit("body", body);
    }
    for (code, schema) in op
        .get("responses")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        visit(&format!("responses/{code}"), schema);
    }
    let (m, p) = (text(op, "method"), text(op, "path"));
    found
        .into_iter()
        .map(|line| format!("{m} {p} {line}"))
        .collect()
}

fn walk(schema: &Value, at: &str, found: &mut Vec<String>, depth: usize) {
    let Some(map) = schema.as_object() else {
        return;
    };
    if depth > 64 {
        return;
    }
    let values = enum_values(map);
    if let Some(example) = map.get("example").and_then(scalar) {
        if !values.is_empty() && !values.contains(&example) {
            found.push(format!(
                "`{at}`: the example `{example}` is not among {values:?}"
            ));
        }
    }
    for (name, sub) in map
        .get("properties")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        walk(sub, &format!("{at}/{name}"), found, depth + 1);
    }
    if let Some(items) = map.get("items") {
        walk(items, &format!("{at}[]"), found, depth + 1);
    }
    if let Some(inner) = map.get("x-json") {
        walk(inner, &format!("{at}{{json}}"), found, depth + 1);
    }
}

/// The schema node at `at` (see [`crate::tables::Location`]).
fn node<'a>(op: &'a mut Map<String, Value>, at: &str) -> Option<&'a mut Map<String, Value>> {
    let mut parts = at.split('/');
    let mut current: &mut Value = match parts.next()? {
        "body" => op.get_mut("body")?,
        "responses" => op.get_mut("responses")?.get_mut(parts.next()?)?,
        kind @ ("query" | "path" | "headers") => {
            let key = if kind == "path" { "path_params" } else { kind };
            let name = parts.next()?;
            op.get_mut(key)?
                .as_array_mut()?
                .iter_mut()
                .find(|p| p.get("name").and_then(Value::as_str) == Some(name))?
                .get_mut("schema")?
        }
        _ => return None,
    };
    for part in parts {
        let (name, item) = match part.strip_suffix("[]") {
            Some(name) => (name, true),
            None => (part, false),
        };
        current = current.get_mut("properties")?.get_mut(name)?;
        if item {
            current = current.get_mut("items")?;
        }
    }
    current.as_object_mut()
}

fn enum_values(map: &Map<String, Value>) -> Vec<String> {
    map.get("enum")
        .and_then(Value::as_array)
        .map(|v| v.iter().filter_map(scalar).collect())
        .unwrap_or_default()
}

fn scalar(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Null | Value::Array(_) | Value::Object(_) => None,
        other => Some(other.to_string()),
    }
}

fn text<'a>(map: &'a Map<String, Value>, key: &str) -> &'a str {
    map.get(key).and_then(Value::as_str).unwrap_or_default()
}

/// Every correction, for the docs: `(method, path, where, what, source)`.
pub fn listing() -> impl Iterator<Item = &'static Correction> {
    ENUM_CORRECTIONS.iter()
}

/// The generated part of `xtask/CORRECTIONS.md`: every correction, same-answer
/// group and one-of with its source, and the calling-merchant fields.
pub fn markdown(merchant: &[crate::merchant::Row]) -> String {
    use std::fmt::Write;
    let cell = |text: &str| text.replace('|', "\\|").replace('\n', " ");
    let mut out = String::new();
    writeln!(
        out,
        "## Enum corrections ({} entries)\n\n\
         | operation | where | correction | source |\n| --- | --- | --- | --- |",
        ENUM_CORRECTIONS.len()
    )
    .unwrap();
    for (m, p, at, fix, source) in listing() {
        let fix = match fix {
            Fix::Values(v) => format!("values: {}", v.join(", ")),
            Fix::AddValues(v) => format!("add: {}", v.join(", ")),
            Fix::Example(e) => format!("example: {e}"),
            Fix::Optional => "may be absent".to_owned(),
        };
        writeln!(
            out,
            "| `{m} {p}` | `{at}` | {} | {} |",
            cell(&fix),
            cell(source)
        )
        .unwrap();
    }
    writeln!(
        out,
        "\n## Operations that answer the same object\n\n\
         The generator fails when these lower to different types.\n\n\
         | operations | source |\n| --- | --- |"
    )
    .unwrap();
    for (group, source) in crate::tables::SAME_ANSWERS {
        let ops: Vec<String> = group.iter().map(|o| format!("`{o}`")).collect();
        writeln!(out, "| {} | {} |", ops.join("<br>"), cell(source)).unwrap();
    }
    writeln!(
        out,
        "\nLook-alike answers (the same top-level fields in one area) typed differently, \
         left as they are ({}; a new one fails the generator):\n\n\
         | operations | why |\n| --- | --- |",
        crate::tables::DIFFERENT_ANSWERS.len()
    )
    .unwrap();
    for (group, why) in crate::tables::DIFFERENT_ANSWERS {
        let ops: Vec<String> = group.iter().map(|o| format!("`{o}`")).collect();
        writeln!(out, "| {} | {} |", ops.join("<br>"), cell(why)).unwrap();
    }
    writeln!(
        out,
        "\n## One-of fields (二选一)\n\n\
         Typed as one required field whose enum names the field sent.\n\n\
         | operation | object | field | one of | source |\n| --- | --- | --- | --- | --- |"
    )
    .unwrap();
    for one in ONE_OF {
        writeln!(
            out,
            "| `{} {}` | `{}` | `{}` | {} | {} |",
            one.method,
            one.path,
            one.object,
            one.group,
            one.fields.join(", "),
            cell(one.source)
        )
        .unwrap();
    }
    let picked: Vec<&crate::merchant::Row> =
        merchant.iter().filter(|r| r.verdict.is_ok()).collect();
    writeln!(
        out,
        "\n## The calling merchant\n\n\
         {} fields are the calling merchant's own id (rules: `CALLER_RULES` in \
         `xtask/src/tables/merchant.rs`, each with its source). Each is an `Option` marked \
         `#[wxpay(merchant)]`, left out of `new`: `None` sends the client's own merchant id, \
         and a different id is refused before sending, naming both.\n\n\
         | operation | field | label |\n| --- | --- | --- |",
        picked.len(),
    )
    .unwrap();
    for r in &picked {
        writeln!(out, "| `{}` | {} | {} |", r.op, r.at, cell(&r.label)).unwrap();
    }
    writeln!(
        out,
        "\nFields that look like it but are left alone:\n\n\
         | operation | field | label | why not |\n| --- | --- | --- | --- |"
    )
    .unwrap();
    for r in merchant.iter() {
        if let Err(why) = &r.verdict {
            writeln!(
                out,
                "| `{}` | {} | {} | {} |",
                r.op,
                r.at,
                cell(&r.label),
                cell(why)
            )
            .unwrap();
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn op(value: Value) -> Map<String, Value> {
        value.as_object().unwrap().clone()
    }

    #[test]
    fn an_example_outside_the_values_is_a_contradiction() {
        let answer = op(
            json!({"method": "GET", "path": "v3/x", "responses": {"200": {
            "type": "object", "properties": {
                "state": {"type": "string", "enum": ["CLOSED", "SUCCESS"], "example": "FINISHED"},
                "list": {"type": "array", "items": {"type": "object", "properties": {
                    "result": {"type": "string", "enum": ["A"], "example": "A"}}}}}}},
            "query": [{"name": "lang", "schema": {"type": "string", "enum": ["ZH_CN"], "example": "zh_CN"}}]}),
        );
        let found = contradictions(&answer);
        assert_eq!(found.len(), 2, "{found:?}");
        assert!(found[0].contains("query/lang"), "{found:?}");
        assert!(found[1].contains("responses/200/state"), "{found:?}");
    }

    #[test]
    fn locations_reach_nested_items_and_parameters() {
        let mut answer = op(json!({"responses": {"200": {"properties": {"receivers": {
            "type": "array", "items": {"properties": {"result": {"type": "string"}}}}}}},
            "query": [{"name": "lang", "schema": {"type": "string"}}]}));
        assert!(node(&mut answer, "responses/200/receivers[]/result").is_some());
        assert!(node(&mut answer, "query/lang").is_some());
        assert!(node(&mut answer, "responses/200/nothing").is_none());
    }
}
