//! The fields that are the calling merchant's own id
//! ([`CALLER_RULES`](crate::tables::CALLER_RULES)), and those that only look
//! like it: which the rules pick, and why the others are left alone.

use crate::catalog::{Operation, Schema};
use crate::tables::{CallerRule, CALLER_RULES, MERCHANT_LIKE_FIELDS, NOT_CALLER_PATHS};

/// The rule that makes `name` (a top-level body or query field of `op`) the
/// calling merchant, if one does.
pub fn caller_rule(op: &Operation, name: &str, schema: &Schema) -> Option<&'static CallerRule> {
    let top = top_level(op);
    if NOT_CALLER_PATHS.iter().any(|(p, _)| op.path.starts_with(p)) {
        return None;
    }
    CALLER_RULES.iter().find(|rule| {
        rule.field == name
            && schema
                .label
                .as_deref()
                .is_some_and(|l| rule.labels.contains(&l))
            && !top.iter().any(|(n, _)| *n == rule.not_beside)
            && (rule.only_roles.is_empty()
                || (!op.roles.is_empty()
                    && op
                        .roles
                        .iter()
                        .all(|r| rule.only_roles.contains(&r.as_str()))))
            && !op
                .roles
                .iter()
                .any(|r| rule.not_roles.contains(&r.as_str()))
    })
}

/// One merchant-like field of the catalog and what the rules make of it.
pub struct Row {
    pub op: String,
    pub at: String,
    pub label: String,
    /// `Ok(rule source)`: the calling merchant; `Err(why not)`.
    pub verdict: Result<&'static str, String>,
}

/// Every merchant-like field of these operations, top-level and nested.
pub fn rows(ops: &[Operation]) -> Vec<Row> {
    let mut rows = Vec::new();
    for op in ops {
        let key = format!("{} {}", op.method, op.path);
        for (name, (schema, place)) in top_level(op) {
            if !MERCHANT_LIKE_FIELDS.contains(&name) {
                continue;
            }
            let verdict = match caller_rule(op, name, schema) {
                Some(rule) => Ok(rule.source),
                None => Err(why_not(op, name, schema)),
            };
            rows.push(Row {
                op: key.clone(),
                at: format!("{place} `{name}`"),
                label: schema.label.clone().unwrap_or_default(),
                verdict,
            });
        }
        if let Some(body) = &op.body {
            for (name, schema) in body.property_list() {
                nested(schema, name, &key, &mut rows, 0);
            }
        }
    }
    rows
}

fn nested(schema: &Schema, at: &str, op: &str, rows: &mut Vec<Row>, depth: usize) {
    if depth > 16 {
        return;
    }
    let children = schema
        .items
        .as_deref()
        .map(Schema::property_list)
        .unwrap_or_else(|| schema.property_list());
    for (name, sub) in children {
        let here = format!("{at}/{name}");
        if MERCHANT_LIKE_FIELDS.contains(&name.as_str()) {
            rows.push(Row {
                op: op.to_owned(),
                at: format!("body `{here}`"),
                label: sub.label.clone().unwrap_or_default(),
                verdict: Err(
                    "nested: names the merchant of that object (a sub-order, a receiver)".into(),
                ),
            });
        }
        nested(sub, &here, op, rows, depth + 1);
    }
}

fn why_not(op: &Operation, name: &str, schema: &Schema) -> String {
    let top = top_level(op);
    let label = schema.label.as_deref().unwrap_or_default();
    if let Some((_, why)) = NOT_CALLER_PATHS
        .iter()
        .find(|(p, _)| op.path.starts_with(p))
    {
        return (*why).to_owned();
    }
    let Some(rule) = CALLER_RULES.iter().find(|r| r.field == name) else {
        return "no rule: the legacy name is written by the client only on APIv2".into();
    };
    if !rule.labels.contains(&label) {
        return format!("its label (`{label}`) names another merchant or party");
    }
    if top.iter().any(|(n, _)| *n == rule.not_beside) {
        return format!(
            "the request also has `{}`: the operation merges the direct and the institution mode, \
             or names two parties",
            rule.not_beside
        );
    }
    if op
        .roles
        .iter()
        .any(|r| rule.not_roles.contains(&r.as_str()))
    {
        return format!(
            "direct merchants call it too (roles: {}), and send no `{name}` then",
            op.roles.join(", ")
        );
    }
    format!(
        "partners call it too (roles: {}): it may name the sub-merchant",
        op.roles.join(", ")
    )
}

/// Top-level query and body fields: name, schema and place.
fn top_level(op: &Operation) -> Vec<(&str, (&Schema, &'static str))> {
    let mut out: Vec<(&str, (&Schema, &'static str))> = op
        .query
        .iter()
        .map(|q| (q.name.as_str(), (&q.schema, "query")))
        .collect();
    if let Some(body) = &op.body {
        out.extend(
            body.property_list()
                .iter()
                .map(|(n, s)| (n.as_str(), (s, "body"))),
        );
    }
    out
}
