//! Extractors that turn a verified request into what operations need, each
//! refusing bad input with a WeChat-shaped `PARAM_ERROR`.

use axum::extract::{FromRequest, FromRequestParts, Path, Request};
use http::request::Parts;
use percent_encoding::percent_decode_str;
use serde_json::{Map, Value};

use crate::auth::Caller;
use crate::catalog::sensitive::Plain;
use crate::reply::WxError;

/// Longest string value accepted in a field or query parameter (bytes).
pub(crate) const MAX_STRING_BYTES: usize = 256;

impl<S: Send + Sync> FromRequestParts<S> for Caller {
    type Rejection = WxError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, WxError> {
        // The gateway inserts the caller before routing; its absence is a sandbox bug.
        parts
            .extensions
            .get::<Caller>()
            .cloned()
            .ok_or_else(|| WxError::sign("request was not authenticated"))
    }
}

/// A JSON object body sent as `application/json` in UTF-8.
pub(crate) struct JsonObject(pub(crate) Map<String, Value>);

impl<S: Send + Sync> FromRequest<S> for JsonObject {
    type Rejection = WxError;

    async fn from_request(req: Request, _: &S) -> Result<Self, WxError> {
        let content_type = req
            .headers()
            .get(http::header::CONTENT_TYPE)
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
        let media_type = content_type
            .as_deref()
            .and_then(|v| v.split(';').next())
            .map(str::trim);
        if !media_type.is_some_and(|m| m.eq_ignore_ascii_case("application/json")) {
            return Err(WxError::param(format!(
                "Content-Type must be application/json, got {}",
                content_type
                    .as_deref()
                    .map_or("none".into(), |v| format!("{v:?}"))
            )));
        }
        // The gateway has already read (and capped) the body into memory.
        let bytes = axum::body::to_bytes(req.into_body(), usize::MAX)
            .await
            .map_err(|_| WxError::param("request body could not be read"))?;
        let text = std::str::from_utf8(&bytes).map_err(|e| {
            WxError::param(format!(
                "request body is not valid UTF-8 (bad byte at offset {})",
                e.valid_up_to()
            ))
        })?;
        match serde_json::from_str(text) {
            Ok(Value::Object(map)) => Ok(JsonObject(map)),
            Ok(_) => Err(WxError::param("request body must be a JSON object")),
            Err(e) => Err(WxError::param(format!(
                "request body is not valid JSON: {e}"
            ))),
        }
    }
}

/// A request checked against its catalogued operation's schema, as every
/// catalogued request is (`catalog::request`: path, query and body; 400
/// `PARAM_ERROR` with WeChat's `detail` otherwise), with what the stateful
/// operations read from it.
pub(crate) struct Checked {
    /// The path parameters, decoded.
    pub(crate) path: Vec<(&'static str, String)>,
    pub(crate) query: Query,
    /// The JSON body (empty for an operation without one).
    pub(crate) body: Map<String, Value>,
    /// The plaintexts of its encrypted fields (checked by the gateway).
    pub(crate) plain: Plain,
}

impl Checked {
    /// A path parameter.
    pub(crate) fn path(&self, name: &str) -> &str {
        self.path
            .iter()
            .find(|(n, _)| *n == name)
            .map_or("", |(_, v)| v.as_str())
    }
}

impl<S: Send + Sync> FromRequest<S> for Checked {
    type Rejection = WxError;

    async fn from_request(req: Request, _: &S) -> Result<Self, WxError> {
        let (parts, body) = req.into_parts();
        let (op, path) = crate::catalog::find(parts.method.as_str(), parts.uri.path())
            .ok_or_else(|| WxError::not_found(parts.method.as_str(), parts.uri.path()))?;
        // The gateway has already read (and capped) the body into memory.
        let body = axum::body::to_bytes(body, usize::MAX)
            .await
            .map_err(|_| WxError::param("request body could not be read"))?;
        let query = Query::parse(parts.uri.query().unwrap_or(""))?;
        let json = crate::catalog::request::check(op, &path, query.pairs(), &parts.headers, &body)?;
        let body = match json {
            Some(Value::Object(map)) => map,
            Some(_) => return Err(WxError::param("request body must be a JSON object")),
            None => Map::new(),
        };
        Ok(Checked {
            path,
            query,
            body,
            plain: parts.extensions.get::<Plain>().cloned().unwrap_or_default(),
        })
    }
}

/// The query string, percent-decoded, in order.
#[derive(Debug, Default)]
pub(crate) struct Query(Vec<(String, String)>);

impl<S: Send + Sync> FromRequestParts<S> for Query {
    type Rejection = WxError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, WxError> {
        Query::parse(parts.uri.query().unwrap_or(""))
    }
}

fn decode(component: &str) -> Result<String, WxError> {
    // Java servlet containers (WeChat's) read `+` in a query as a space.
    let spaced = component.replace('+', " ");
    percent_decode_str(&spaced)
        .decode_utf8()
        .map(|s| s.into_owned())
        .map_err(|_| WxError::param("query string is not valid UTF-8 after percent-decoding"))
}

impl Query {
    /// The pairs of a raw query string (what follows `?`).
    pub(crate) fn parse(raw: &str) -> Result<Self, WxError> {
        let mut pairs = Vec::new();
        for pair in raw.split('&').filter(|p| !p.is_empty()) {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            pairs.push((decode(name)?, decode(value)?));
        }
        Ok(Query(pairs))
    }

    /// The first value of `name`; empty values count as absent.
    pub(crate) fn optional(&self, name: &str) -> Result<Option<&str>, WxError> {
        match self.0.iter().find(|(n, _)| n == name) {
            Some((_, v)) if v.is_empty() => Ok(None),
            Some((_, v)) => check_length(name, v).map(Some),
            None => Ok(None),
        }
    }

    /// Every pair, decoded, in order (empty values kept).
    pub(crate) fn pairs(&self) -> &[(String, String)] {
        &self.0
    }

    pub(crate) fn required(&self, name: &str) -> Result<&str, WxError> {
        self.optional(name)?
            .ok_or_else(|| WxError::param(format!("missing required query parameter `{name}`")))
    }
}

/// The `{refund_id}` path segment.
pub(crate) struct RefundId(pub(crate) String);

impl<S: Send + Sync> FromRequestParts<S> for RefundId {
    type Rejection = WxError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, WxError> {
        let Path(id) = Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(|e| {
                WxError::param(format!("path parameter `refund_id`: {}", e.body_text()))
            })?;
        if id.trim().is_empty() {
            return Err(WxError::param(
                "path parameter `refund_id` must not be empty",
            ));
        }
        check_length("refund_id", &id)?;
        Ok(RefundId(id))
    }
}

fn check_length<'a>(name: &str, value: &'a str) -> Result<&'a str, WxError> {
    if value.len() > MAX_STRING_BYTES {
        return Err(WxError::param(format!(
            "`{name}` is longer than {MAX_STRING_BYTES} bytes"
        )));
    }
    Ok(value)
}

/// Typed access to the fields of a JSON body, naming the field in every error
/// (nested ones by their path, e.g. `amount.total`).
pub(crate) struct Fields<'a> {
    map: &'a Map<String, Value>,
    prefix: String,
}

impl<'a> Fields<'a> {
    /// The fields of a whole body.
    pub(crate) fn of(map: &'a Map<String, Value>) -> Self {
        Self {
            map,
            prefix: String::new(),
        }
    }

    /// The full name of a field, for messages.
    pub(crate) fn name(&self, name: &str) -> String {
        format!("{}{name}", self.prefix)
    }

    /// A string field that may be absent (`null` and `""` count as absent).
    pub(crate) fn optional_str(&self, name: &str) -> Result<Option<&'a str>, WxError> {
        match self.map.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) if s.is_empty() => Ok(None),
            Some(Value::String(s)) => check_length(&self.name(name), s).map(Some),
            Some(other) => Err(WxError::param(format!(
                "`{}` must be a string, got {}",
                self.name(name),
                kind(other)
            ))),
        }
    }

    /// A required, non-empty string field.
    pub(crate) fn string(&self, name: &str) -> Result<&'a str, WxError> {
        self.optional_str(name)?.ok_or_else(|| self.missing(name))
    }

    fn missing(&self, name: &str) -> WxError {
        WxError::param(format!("missing required field `{}`", self.name(name)))
    }

    /// A required amount in fen (分): a positive integer, never a float or a string.
    pub(crate) fn fen(&self, name: &str) -> Result<i64, WxError> {
        let full = self.name(name);
        match self.map.get(name) {
            None | Some(Value::Null) => Err(self.missing(name)),
            Some(Value::Number(n)) => match n.as_i64() {
                Some(fen) if fen > 0 => Ok(fen),
                Some(fen) => Err(WxError::param(format!(
                    "`{full}` must be a positive amount in fen (分), got {fen}"
                ))),
                None => Err(WxError::param(format!(
                    "`{full}` must be an integer amount in fen (分), got {n}"
                ))),
            },
            Some(other) => Err(WxError::param(format!(
                "`{full}` must be an integer amount in fen (分), got {}",
                kind(other)
            ))),
        }
    }

    /// A required string that must be one of the documented values.
    pub(crate) fn one_of(&self, name: &str, allowed: &[&str]) -> Result<&'a str, WxError> {
        let value = self.string(name)?;
        check_enum(&self.name(name), value, allowed)
    }

    /// An optional string that, when present, must be one of the documented values.
    pub(crate) fn optional_one_of(
        &self,
        name: &str,
        allowed: &[&str],
    ) -> Result<Option<&'a str>, WxError> {
        self.optional_str(name)?
            .map(|v| check_enum(&self.name(name), v, allowed))
            .transpose()
    }

    /// An optional boolean.
    pub(crate) fn optional_bool(&self, name: &str) -> Result<Option<bool>, WxError> {
        match self.map.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(other) => Err(WxError::param(format!(
                "`{}` must be a boolean, got {}",
                self.name(name),
                kind(other)
            ))),
        }
    }

    /// A nested object that may be absent.
    pub(crate) fn optional_object(&self, name: &str) -> Result<Option<Fields<'a>>, WxError> {
        match self.map.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Object(map)) => Ok(Some(Fields {
                map,
                prefix: format!("{}.", self.name(name)),
            })),
            Some(other) => Err(WxError::param(format!(
                "`{}` must be an object, got {}",
                self.name(name),
                kind(other)
            ))),
        }
    }

    /// A required nested object.
    pub(crate) fn object(&self, name: &str) -> Result<Fields<'a>, WxError> {
        self.optional_object(name)?
            .ok_or_else(|| self.missing(name))
    }

    /// An optional array (its items are not looked into).
    pub(crate) fn optional_array(&self, name: &str) -> Result<Option<&'a [Value]>, WxError> {
        match self.map.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Array(items)) => Ok(Some(items)),
            Some(other) => Err(WxError::param(format!(
                "`{}` must be an array, got {}",
                self.name(name),
                kind(other)
            ))),
        }
    }
}

fn check_enum<'a>(name: &str, value: &'a str, allowed: &[&str]) -> Result<&'a str, WxError> {
    if allowed.contains(&value) {
        Ok(value)
    } else {
        Err(WxError::param(format!(
            "`{name}` must be one of {}, got {value:?}",
            allowed.join(", ")
        )))
    }
}

/// A path segment, percent-decoded, named in errors.
pub(crate) fn segment(
    name: &str,
    path: Result<Path<String>, axum::extract::rejection::PathRejection>,
) -> Result<String, WxError> {
    let Path(value) =
        path.map_err(|e| WxError::param(format!("path parameter `{name}`: {}", e.body_text())))?;
    if value.trim().is_empty() {
        return Err(WxError::param(format!(
            "path parameter `{name}` must not be empty"
        )));
    }
    check_length(name, &value)?;
    Ok(value)
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn fields(v: Value) -> Map<String, Value> {
        match v {
            Value::Object(m) => m,
            _ => unreachable!(),
        }
    }

    #[test]
    fn field_errors_name_the_field() {
        let body = fields(json!({
            "amount": 10, "float": 10.5, "text": "10", "neg": -1,
            "scene": "RETURN_GOODS", "bad_scene": "X", "empty": ""
        }));
        let f = Fields::of(&body);
        assert_eq!(f.fen("amount").unwrap(), 10);
        for (name, needle) in [
            ("float", "integer"),
            ("text", "integer"),
            ("neg", "positive"),
            ("missing", "missing required field `missing`"),
        ] {
            let e = f.fen(name).unwrap_err();
            assert_eq!(e.code, "PARAM_ERROR");
            assert!(
                e.message.contains(name) && e.message.contains(needle),
                "{}",
                e.message
            );
        }
        assert_eq!(
            f.one_of("scene", &["RETURN_GOODS"]).unwrap(),
            "RETURN_GOODS"
        );
        assert!(f
            .one_of("bad_scene", &["RETURN_GOODS"])
            .unwrap_err()
            .message
            .contains("`bad_scene`"));
        assert!(f.string("empty").unwrap_err().message.contains("`empty`"));
        assert!(f
            .string("amount")
            .unwrap_err()
            .message
            .contains("must be a string"));
    }

    #[test]
    fn query_components_are_percent_decoded() {
        assert_eq!(decode("a%20b+c").unwrap(), "a b c");
        assert_eq!(decode("%E5%BE%AE").unwrap(), "微");
        assert!(decode("%FF").is_err());
    }
}
