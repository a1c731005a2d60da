//! Every APIv3 operation WeChat Pay documents (1,019 of them), as data: its
//! method, path template, parameters, request body and response schemas.
//!
//! `cargo xtask codegen` writes the table (`generated/operations.json`) from
//! the API catalog; the sandbox embeds it and routes every request by method
//! and path template. Operations the sandbox simulates with state (the
//! payment lifecycle, the seed operations) keep their own handlers; every
//! other catalogued operation is validated against its schema and answered
//! with a signed body that satisfies its response schema.
//!
//! The same data is public so tests can drive the whole surface:
//!
//! ```
//! let ops = wxpay_sandbox::catalog::operations();
//! assert_eq!(ops.len(), 1019);
//! let op = wxpay_sandbox::catalog::find("POST", "/v3/refund/domestic/refunds").unwrap().0;
//! let body = wxpay_sandbox::catalog::example(op.body.as_ref().unwrap());
//! assert!(wxpay_sandbox::catalog::validate(op.body.as_ref().unwrap(), &body).is_ok());
//! ```

use std::collections::{BTreeMap, HashMap};
use std::sync::OnceLock;

use serde::Deserialize;
use serde_json::Value;

pub(crate) mod answer;
mod detail;
mod fill;
pub(crate) mod multipart;
pub(crate) mod request;
mod schema;
pub(crate) mod sensitive;

pub use fill::example;
pub use schema::{validate, Violation};

/// The generated table: one JSON object per line.
const OPERATIONS_JSON: &str = include_str!("generated/operations.json");

/// One catalogued operation.
#[derive(Debug, Clone, Deserialize)]
#[non_exhaustive]
pub struct Operation {
    /// `GET`, `POST`, `PUT`, `PATCH` or `DELETE`.
    pub method: String,
    /// The URI template, e.g. `v3/refund/domestic/refunds/{out_refund_no}`; a
    /// trailing `{empty}` stands for a trailing slash.
    pub path: String,
    /// Path parameters (the path is authoritative: every `{name}` is required).
    #[serde(default)]
    pub path_params: Vec<Param>,
    /// Query parameters.
    #[serde(default)]
    pub query: Vec<Param>,
    /// Request headers (mostly `Wechatpay-Serial`).
    #[serde(default)]
    pub headers: Vec<Param>,
    /// Multipart form fields of an upload (`file`, `meta`).
    #[serde(default)]
    pub form: Vec<Param>,
    /// The JSON request body's schema, if the operation takes one.
    #[serde(default)]
    pub body: Option<Value>,
    /// Status code → response schema (`{}` for an empty body).
    #[serde(default)]
    pub responses: BTreeMap<String, Value>,
    /// Whether its requests can carry encrypted fields (worked out once).
    #[serde(skip)]
    pub(crate) takes_sensitive: bool,
}

/// One parameter of an operation.
#[derive(Debug, Clone, Deserialize)]
#[non_exhaustive]
pub struct Param {
    /// Its name on the wire.
    pub name: String,
    /// Whether the request must carry it.
    #[serde(default)]
    pub required: bool,
    /// Its schema (type, enum, example...).
    #[serde(default)]
    pub schema: Value,
    /// Whether it is encrypted (RSA-OAEP for the platform key, base64; a
    /// query parameter of an operation that takes `Wechatpay-Serial`). In
    /// bodies, an object's `x-is-sensitive` lists its encrypted properties.
    #[serde(default)]
    pub sensitive: bool,
}

impl Operation {
    /// The status WeChat answers on success (the lowest 2xx the catalog
    /// lists; 200 if it lists none) and that answer's schema.
    pub fn success(&self) -> (u16, Option<&Value>) {
        self.responses
            .iter()
            .filter_map(|(code, schema)| Some((code.parse::<u16>().ok()?, schema)))
            .filter(|(code, _)| (200..300).contains(code))
            .min_by_key(|(code, _)| *code)
            .map_or((200, None), |(code, schema)| (code, Some(schema)))
    }

    /// The template with a trailing `{empty}` written as the trailing slash it means.
    pub fn request_template(&self) -> String {
        match self.path.strip_suffix("{empty}") {
            Some(prefix) => prefix.to_owned(),
            None => self.path.clone(),
        }
    }

    /// The `{name}` placeholders of the path, in order (`{empty}` excluded).
    pub fn placeholders(&self) -> Vec<&str> {
        segments(&self.path)
            .filter_map(|s| match s {
                Segment::Param(name) => Some(name),
                Segment::Literal(_) => None,
            })
            .collect()
    }
}

/// A path template's segment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Segment<'a> {
    Literal(&'a str),
    Param(&'a str),
}

fn segments(template: &str) -> impl Iterator<Item = Segment<'_>> {
    template.split('/').map(
        |s| match s.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
            Some("empty") => Segment::Literal(""),
            Some(name) => Segment::Param(name),
            None => Segment::Literal(s),
        },
    )
}

struct Catalog {
    operations: Vec<Operation>,
    /// (method, number of segments) → indexes into `operations`.
    routes: HashMap<(String, usize), Vec<usize>>,
}

fn catalog() -> &'static Catalog {
    static CATALOG: OnceLock<Catalog> = OnceLock::new();
    CATALOG.get_or_init(|| {
        // The table is generated and checked by a unit test; should it ever
        // fail to parse, the sandbox serves no catalogued operation (404)
        // rather than failing.
        let mut operations: Vec<Operation> =
            serde_json::from_str(OPERATIONS_JSON).unwrap_or_default();
        for op in &mut operations {
            op.takes_sensitive = sensitive::takes_sensitive(op);
        }
        let mut routes: HashMap<(String, usize), Vec<usize>> = HashMap::new();
        for (i, op) in operations.iter().enumerate() {
            let count = segments(&op.path).count();
            routes
                .entry((op.method.clone(), count))
                .or_default()
                .push(i);
        }
        Catalog { operations, routes }
    })
}

/// Every catalogued APIv3 operation, sorted by path then method.
pub fn operations() -> &'static [Operation] {
    &catalog().operations
}

/// The operation a request is for, by method and path (`/v3/...`, as sent,
/// percent-encoded), with its path parameters decoded. Where two templates
/// match, the one with a literal segment earlier wins
/// (`v3/x/batch` before `v3/x/{id}`).
pub fn find<'a>(
    method: &str,
    path: &'a str,
) -> Option<(&'static Operation, Vec<(&'static str, String)>)> {
    let catalog = catalog();
    let path: &'a str = path.strip_prefix('/').unwrap_or(path);
    let parts: Vec<&str> = path.split('/').collect();
    let candidates = catalog.routes.get(&(method.to_owned(), parts.len()))?;
    let mut best: Option<(Vec<bool>, usize)> = None;
    for &i in candidates {
        let op = &catalog.operations[i];
        let mut literal = Vec::with_capacity(parts.len());
        let matches = segments(&op.path).zip(&parts).all(|(seg, part)| match seg {
            Segment::Literal(text) => {
                literal.push(true);
                text == *part
            }
            Segment::Param(_) => {
                literal.push(false);
                !part.is_empty()
            }
        });
        if matches && best.as_ref().is_none_or(|(b, _)| literal > *b) {
            best = Some((literal, i));
        }
    }
    let (_, i) = best?;
    let op = &catalog.operations[i];
    let mut params = Vec::new();
    for (seg, part) in segments(&op.path).zip(&parts) {
        if let Segment::Param(name) = seg {
            let value = percent_encoding::percent_decode_str(part)
                .decode_utf8()
                .ok()?
                .into_owned();
            params.push((name, value));
        }
    }
    Some((op, params))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_generated_table_parses_whole() {
        let ops = operations();
        assert_eq!(ops.len(), 1019);
        let lines = OPERATIONS_JSON
            .lines()
            .filter(|l| l.starts_with('{'))
            .count();
        assert_eq!(lines, ops.len());
    }

    #[test]
    fn routes_by_method_and_template() {
        let (op, params) = find("GET", "/v3/refund/domestic/refunds/R%2F1").unwrap();
        assert_eq!(op.path, "v3/refund/domestic/refunds/{out_refund_no}");
        assert_eq!(params, vec![("out_refund_no", "R/1".to_owned())]);
        let (op, _) = find("POST", "/v3/applyment4sub/applyment/").unwrap();
        assert_eq!(op.path, "v3/applyment4sub/applyment/{empty}");
        assert!(find("PUT", "/v3/refund/domestic/refunds/R1").is_none());
        assert!(find("GET", "/v3/no/such/thing").is_none());
    }

    #[test]
    fn a_literal_segment_wins_over_a_placeholder() {
        for op in operations() {
            let concrete: String = segments(&op.path)
                .map(|s| match s {
                    Segment::Literal(t) => t.to_owned(),
                    Segment::Param(_) => "P1".to_owned(),
                })
                .collect::<Vec<_>>()
                .join("/");
            let (found, _) = find(&op.method, &concrete).unwrap();
            // Another template may win only by having a literal where this
            // has a placeholder, or by having the same shape (the catalog's
            // cancel by `applyment_id` or by `business_code`).
            if found.path != op.path {
                let shape = |path: &str| {
                    segments(path)
                        .map(|s| matches!(s, Segment::Literal(_)))
                        .collect::<Vec<_>>()
                };
                assert!(shape(&found.path) >= shape(&op.path), "{}", op.path);
            }
        }
    }
}
