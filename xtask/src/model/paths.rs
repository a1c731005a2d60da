//! Module paths, `#[wxpay_api]` templates and operation names, from the URL
//! path and the official documentation link.

use std::collections::HashSet;

use super::{feature_of, Model, Module, Op, Response};
use crate::catalog::Operation;
use crate::naming::{ident, is_identifier, pascal, snake, unraw, RESERVED_TYPES};
use crate::tables;

/// A catalog path split into the area, the module path and the URL prefix.
pub(super) struct PathParts {
    pub(super) area: String,
    pub(super) module: Vec<String>,
    url_segments: Vec<String>,
    /// Segments after the area (what names an operation).
    tail: Vec<Segment>,
}

#[derive(Debug, Clone)]
enum Segment {
    Literal(String),
    Param(String),
}

/// `v3/a/b/{c}/d` -> area `a`, module `a::b::d`. A leading `v3` is dropped;
/// `hk/v3/...` and `global/v3/...` keep theirs (`global::v3::customs`), since
/// `global/v3/customs/orders` and `v3/global/customs/orders` both exist.
pub(super) fn path_parts(path: &str) -> Result<PathParts, String> {
    let raw: Vec<&str> = path.split('/').collect();
    let (prefix, rest): (Vec<&str>, &[&str]) = if raw.first() == Some(&"v3") {
        (vec!["v3"], &raw[1..])
    } else {
        (Vec::new(), &raw[..])
    };
    let literals: Vec<&str> = rest
        .iter()
        .copied()
        .filter(|s| !s.starts_with('{'))
        .collect();
    let area = literals
        .first()
        .ok_or_else(|| format!("{path}: no literal segment"))?
        .to_string();
    let mut module = Vec::new();
    for lit in &literals {
        if lit.is_empty()
            || !lit
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            return Err(format!("{path}: segment `{lit}` cannot name a module"));
        }
        module.push(ident(&snake(lit)));
    }
    let mut url_segments: Vec<String> = prefix.iter().map(|s| s.to_string()).collect();
    url_segments.extend(literals.iter().map(|s| s.to_string()));
    // What names the operation: segments after the area (and after `v3` in
    // `hk/v3/...`, `global/v3/...`).
    let mut tail: Vec<Segment> = Vec::new();
    let mut seen_area = false;
    for seg in rest {
        if !seen_area {
            seen_area = *seg == area;
            continue;
        }
        if tail.is_empty() && *seg == "v3" {
            continue;
        }
        match seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
            Some("empty") => {}
            Some(p) => tail.push(Segment::Param(p.to_owned())),
            None => tail.push(Segment::Literal(seg.to_string())),
        }
    }
    Ok(PathParts {
        area,
        module,
        url_segments,
        tail,
    })
}

/// Placeholders of a path in order (`{empty}` excluded).
pub(super) fn placeholders(path: &str) -> Vec<String> {
    path.split('/')
        .filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
        .filter(|p| *p != "empty")
        .map(str::to_owned)
        .collect()
}

/// `v3/a/{b}/c` -> `v3/a/<b>/c`; `v3/a/{empty}` -> `v3/a/` (the catalog's
/// spelling of a trailing slash).
fn template(path: &str) -> String {
    path.split('/')
        .map(
            |s| match s.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                Some("empty") => String::new(),
                Some(p) => format!("<{p}>"),
                None => s.to_owned(),
            },
        )
        .collect::<Vec<_>>()
        .join("/")
}

/// The English slug of the operation's official page, when it has exactly one.
fn slug(op: &Operation) -> Option<String> {
    let mut slugs: Vec<String> = Vec::new();
    for link in &op.docs {
        if !link.contains("/docs/") {
            continue;
        }
        let Some(file) = link.rsplit('/').next() else {
            continue;
        };
        let Some(stem) = file.strip_suffix(".html") else {
            continue;
        };
        if stem
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            && !slugs.iter().any(|s| s == stem)
        {
            slugs.push(stem.to_owned());
        }
    }
    match slugs.as_slice() {
        [one] if !tables::GENERIC_SLUGS.contains(&one.as_str()) => Some(one.clone()),
        _ => None,
    }
}

/// The method + path name: `POST .../out-trade-no/{out_trade_no}/close` ->
/// `CloseTransactionsByOutTradeNo`, `GET .../id/{transaction_id}` ->
/// `QueryTransactionsById`.
fn method_path_name(method: &str, parts: &PathParts, allow_action: bool) -> String {
    // One literal after the area says too little (`combine-transactions/app`):
    // the area joins the name.
    let literals = parts
        .tail
        .iter()
        .filter(|s| matches!(s, Segment::Literal(_)))
        .count();
    let tail = if literals >= 2 {
        parts.tail.clone()
    } else {
        let mut t = vec![Segment::Literal(parts.area.clone())];
        t.extend(parts.tail.iter().cloned());
        t
    };
    // A literal naming the parameter after it is a selector: `id/{transaction_id}`.
    let is_selector = |i: usize| -> bool {
        match (tail.get(i), tail.get(i + 1)) {
            (Some(Segment::Literal(l)), Some(Segment::Param(p))) => {
                let l = snake(l);
                *p == l || p.ends_with(&format!("_{l}"))
            }
            _ => false,
        }
    };
    let last_literal = tail
        .iter()
        .rposition(|s| matches!(s, Segment::Literal(_)))
        .unwrap_or(0);
    let action = match &tail[last_literal] {
        Segment::Literal(l) if allow_action && !is_selector(last_literal) => {
            let first = l
                .split(['-', '_'])
                .next()
                .unwrap_or_default()
                .to_ascii_lowercase();
            let words = if method == "GET" {
                tables::GET_ACTION_WORDS
            } else {
                tables::ACTION_WORDS
            };
            words.contains(&first.as_str()).then(|| pascal(l))
        }
        _ => None,
    };
    let mut noun = String::new();
    for (i, seg) in tail.iter().enumerate() {
        if action.is_some() && i == last_literal {
            continue;
        }
        if let Segment::Literal(l) = seg {
            if is_selector(i) {
                noun.push_str("By");
            }
            noun.push_str(&pascal(l));
        }
    }
    match action {
        Some(verb) => verb + &noun,
        None => {
            let verb = match method {
                "GET" => "Query",
                "POST" => "Create",
                "PUT" => "Update",
                "PATCH" => "Modify",
                "DELETE" => "Delete",
                other => other,
            };
            format!("{verb}{noun}")
        }
    }
}

impl Model {
    /// Registers every operation in its module and gives it a name: the
    /// override, else the doc slug, else method + path; operations of one
    /// module that still share a name are told apart by method, then by
    /// their last path parameter.
    pub(super) fn name_ops(&mut self, generated: &[(Operation, PathParts)]) -> Result<(), String> {
        for (index, (op, parts)) in generated.iter().enumerate() {
            // Modules along the path.
            for depth in 1..=parts.module.len() {
                let path = parts.module[..depth].to_vec();
                let url =
                    parts.url_segments[..depth + usize::from(op.path.starts_with("v3/"))].join("/");
                let module = self.modules.entry(path.clone()).or_insert_with(|| Module {
                    path: path.clone(),
                    url,
                    ..Module::default()
                });
                if depth == 1 {
                    module.feature = Some(feature_of(&parts.area)?);
                }
                if depth < parts.module.len() {
                    module.children.insert(parts.module[depth].clone());
                }
            }
            let module = self
                .modules
                .get_mut(&parts.module)
                .ok_or("module just inserted")?;
            module.ops.push(index);
            self.ops.push(Op {
                cat: op.clone(),
                name: String::new(),
                template: template(&op.path),
                module: parts.module.clone(),
                feature: feature_of(&parts.area)?,
                request: usize::MAX,
                response: Response::Unit,
                encrypts: false,
                wechatpay_serial: false,
            });
        }
        // Child module names must not collide (`a-b` and `a_b`).
        for module in self.modules.values() {
            let mut seen = HashSet::new();
            for child in &module.children {
                if !seen.insert(unraw(child)) {
                    return Err(format!("two modules named `{child}` in {:?}", module.path));
                }
            }
        }
        // Names, module by module.
        let module_ops: Vec<Vec<usize>> = self.modules.values().map(|m| m.ops.clone()).collect();
        for ops in module_ops {
            let slugs: Vec<Option<String>> = ops.iter().map(|&i| slug(&generated[i].0)).collect();
            let mut names: Vec<(usize, String, bool)> = Vec::new();
            for (k, &i) in ops.iter().enumerate() {
                let (op, parts) = &generated[i];
                let fixed = tables::NAME_OVERRIDES
                    .iter()
                    .find(|(m, p, _)| *m == op.method && *p == op.path)
                    .map(|(_, _, n)| n.to_string());
                let unique_slug = slugs[k]
                    .clone()
                    .filter(|s| slugs.iter().filter(|o| o.as_ref() == Some(s)).count() == 1)
                    .map(|s| pascal(&s))
                    .filter(|n| is_identifier(n));
                let is_fixed = fixed.is_some();
                let name = fixed
                    .or(unique_slug)
                    .unwrap_or_else(|| method_path_name(&op.method, parts, true));
                names.push((i, name, is_fixed));
            }
            let counts = |names: &[(usize, String, bool)], n: &str| {
                names.iter().filter(|(_, m, _)| m == n).count()
            };
            let by_param = |names: &mut Vec<(usize, String, bool)>| {
                let snapshot = names.clone();
                for (i, name, fixed) in names.iter_mut() {
                    if !*fixed && counts(&snapshot, name) > 1 {
                        if let Some(last) = placeholders(&generated[*i].0.path).last() {
                            name.push_str("By");
                            name.push_str(&pascal(last));
                        }
                    }
                }
            };
            by_param(&mut names);
            let snapshot = names.clone();
            for (i, name, fixed) in names.iter_mut() {
                if !*fixed && counts(&snapshot, name) > 1 {
                    let (op, parts) = &generated[*i];
                    *name = method_path_name(&op.method, parts, false);
                }
            }
            by_param(&mut names);
            for (i, name, _) in &names {
                if counts(&names, name) > 1 {
                    return Err(format!(
                        "operations named `{name}` twice in one module ({}): add a NAME_OVERRIDES entry",
                        generated[*i].0.path
                    ));
                }
                if !is_identifier(name) || RESERVED_TYPES.contains(&name.as_str()) {
                    return Err(format!("`{name}` cannot name an operation"));
                }
                self.ops[*i].name = name.clone();
            }
        }
        for op in &self.ops {
            let module = self.modules.get_mut(&op.module).ok_or("op module")?;
            module.reserved.insert(op.request_name());
            module.reserved.insert(op.response_name());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(method: &str, path: &str) -> String {
        method_path_name(method, &path_parts(path).unwrap(), true)
    }

    #[test]
    fn method_and_path_names() {
        assert_eq!(
            name(
                "POST",
                "v3/pay/transactions/out-trade-no/{out_trade_no}/close"
            ),
            "CloseTransactionsByOutTradeNo"
        );
        assert_eq!(
            name("GET", "v3/pay/transactions/id/{transaction_id}"),
            "QueryTransactionsById"
        );
        assert_eq!(
            name("POST", "v3/pay/transactions/jsapi"),
            "CreateTransactionsJsapi"
        );
        assert_eq!(name("GET", "v3/certificates"), "QueryCertificates");
        assert_eq!(
            name("POST", "v3/combine-transactions/app"),
            "CreateCombineTransactionsApp"
        );
        assert_eq!(
            name("GET", "hk/v3/transactions/id/{transaction_id}"),
            "QueryTransactionsById"
        );
        assert_eq!(name("GET", "hk/v3/refunds"), "QueryHkRefunds");
        assert_eq!(
            name("GET", "v3/ecommerce/refunds/{refund_id}/return-advance"),
            "QueryRefundsReturnAdvance"
        );
        // In a GET, `refund` is a noun.
        assert_eq!(
            name("GET", "v3/marketing/favor/stocks/{stock_id}/refund-flow"),
            "QueryFavorStocksRefundFlow"
        );
    }

    #[test]
    fn templates_and_modules() {
        assert_eq!(
            template("v3/applyment4sub/applyment/{empty}"),
            "v3/applyment4sub/applyment/"
        );
        let p = path_parts("global/v3/customs/orders").unwrap();
        assert_eq!(p.module, ["global", "v3", "customs", "orders"]);
        let p = path_parts("v3/ecommerce/refunds/{refund_id}/return-advance").unwrap();
        assert_eq!(p.module, ["ecommerce", "refunds", "return_advance"]);
        assert_eq!(p.area, "ecommerce");
        let p = path_parts("v3/ecommerce/subsidies/return").unwrap();
        assert_eq!(p.module, ["ecommerce", "subsidies", "r#return"]);
    }
}
