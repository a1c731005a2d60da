//! The contract between a typed endpoint and the client.
//!
//! [`ApiRequest`] is what `#[wxpay_api]` implements; the builders here are what
//! the generated code writes into. Encoding is kept non-generic where it can be
//! (one `PathBuilder`, one `QueryBuilder`) so a thousand endpoints share one copy
//! of the machinery instead of monomorphising it a thousand times.

use std::borrow::Cow;
use std::fmt;

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::error::Error;

/// The HTTP methods WeChat Pay APIv3 uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Method {
    /// `GET`
    Get,
    /// `POST`
    Post,
    /// `PUT`
    Put,
    /// `PATCH`
    Patch,
    /// `DELETE`
    Delete,
}

impl std::str::FromStr for Method {
    type Err = Error;

    /// `GET`, `POST`, `PUT`, `PATCH` or `DELETE`, in any letter case.
    ///
    /// ```
    /// use wxpay_core::Method;
    /// assert_eq!("post".parse::<Method>()?, Method::Post);
    /// assert!("HEAD".parse::<Method>().is_err());
    /// # Ok::<(), wxpay_core::Error>(())
    /// ```
    fn from_str(text: &str) -> Result<Self, Error> {
        [
            Method::Get,
            Method::Post,
            Method::Put,
            Method::Patch,
            Method::Delete,
        ]
        .into_iter()
        .find(|m| m.as_str().eq_ignore_ascii_case(text))
        .ok_or_else(|| {
            Error::InvalidRequest(format!(
                "method {text:?}: expected GET, POST, PUT, PATCH or DELETE"
            ))
        })
    }
}

impl Method {
    /// The method as it appears on the wire and in the signed message.
    pub const fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
        }
    }

    /// Whether fields default to the JSON body (`POST`, `PUT`, `PATCH`) rather
    /// than the query string (`GET`, `DELETE`).
    pub const fn has_body_by_default(self) -> bool {
        matches!(self, Method::Post | Method::Put | Method::Patch)
    }

    pub(crate) fn to_http(self) -> http::Method {
        match self {
            Method::Get => http::Method::GET,
            Method::Post => http::Method::POST,
            Method::Put => http::Method::PUT,
            Method::Patch => http::Method::PATCH,
            Method::Delete => http::Method::DELETE,
        }
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A typed WeChat Pay operation: how to encode the request and what a
/// successful response decodes into.
///
/// Normally implemented by [`#[wxpay_api]`](crate::wxpay_api); implement it by
/// hand only for shapes the attribute cannot express. Signing and verification
/// never happen here: they belong to the [`Client`](crate::Client).
pub trait ApiRequest {
    /// What a successful (2xx) response body decodes into. An empty body (204)
    /// decodes as JSON `null`, so `()`, `Option<T>` and `serde_json::Value` accept it.
    type Response: DeserializeOwned;

    /// The HTTP method.
    const METHOD: Method;

    /// The declared path template, e.g. `v3/ecommerce/refunds/<refund_id>/return-advance`.
    const PATH_TEMPLATE: &'static str;

    /// Writes the request path (no leading `/`), binding every path parameter.
    fn write_path(&self, path: &mut PathBuilder) -> Result<(), Error>;

    /// Writes the query string parameters, if any.
    fn write_query(&self, _query: &mut QueryBuilder) -> Result<(), Error> {
        Ok(())
    }

    /// Adds request headers carried by fields (`#[wxpay(header = "...")]`).
    fn write_headers(&self, _headers: &mut HeaderList) -> Result<(), Error> {
        Ok(())
    }

    /// The exact JSON body bytes, or `None` for a request without a body.
    fn body(&self) -> Result<Option<Vec<u8>>, Error> {
        Ok(None)
    }
}

/// A request encoded down to what goes on the wire, before signing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EncodedRequest {
    /// The method.
    pub method: Method,
    /// Path without leading `/`, every segment already percent-encoded.
    pub path: String,
    /// The query string without `?` (empty when there is none), already encoded.
    pub query: String,
    /// Extra headers (name, value).
    pub headers: Vec<(Cow<'static, str>, String)>,
    /// The body bytes; these exact bytes are signed and sent.
    pub body: Option<Vec<u8>>,
}

impl EncodedRequest {
    /// Encodes a typed request.
    pub fn from_api<R: ApiRequest + ?Sized>(request: &R) -> Result<Self, Error> {
        let mut path = PathBuilder::new();
        request.write_path(&mut path)?;
        let mut query = QueryBuilder::new();
        request.write_query(&mut query)?;
        let mut headers = HeaderList::new();
        request.write_headers(&mut headers)?;
        Ok(EncodedRequest {
            method: R::METHOD,
            path: path.finish(),
            query: query.finish(),
            headers: headers.into_vec(),
            body: request.body()?,
        })
    }

    /// The request target as signed: `/path?query`.
    pub fn target(&self) -> String {
        let mut target = String::with_capacity(self.path.len() + self.query.len() + 2);
        target.push('/');
        target.push_str(&self.path);
        if !self.query.is_empty() {
            target.push('?');
            target.push_str(&self.query);
        }
        target
    }
}

/// Bytes left as they are in a path segment or query component: RFC 3986
/// unreserved characters. Everything else, `/ ? # % + & =` and spaces among
/// them, is percent-encoded so a value can never leave its segment.
const COMPONENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// Percent-encodes one path segment or query component (RFC 3986 unreserved kept).
pub fn encode_component(value: &str) -> impl fmt::Display + '_ {
    utf8_percent_encode(value, COMPONENT)
}

/// Builds a request path from literal template pieces and bound parameters.
#[derive(Debug, Default)]
pub struct PathBuilder {
    buf: String,
    scratch: String,
}

impl PathBuilder {
    /// An empty path.
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends a literal piece of the template, as written.
    pub fn literal(&mut self, piece: &str) {
        self.buf.push_str(piece);
    }

    /// Appends the value of path parameter `name`, percent-encoded as one segment.
    ///
    /// Values are kept exactly (case included). Empty values, `.` and `..` are
    /// refused: each would change which resource the path names.
    pub fn param<P: PathParam + ?Sized>(&mut self, name: &str, value: &P) -> Result<(), Error> {
        self.scratch.clear();
        value.write_path_value(&mut self.scratch);
        match self.scratch.as_str() {
            "" => Err(Error::InvalidRequest(format!(
                "path parameter `{name}` is empty"
            ))),
            "." | ".." => Err(Error::InvalidRequest(format!(
                "path parameter `{name}` is `{}`, which would change the path",
                self.scratch
            ))),
            raw => {
                use fmt::Write;
                // Writing into a String cannot fail.
                let _ = write!(self.buf, "{}", encode_component(raw));
                Ok(())
            }
        }
    }

    /// The finished path.
    pub fn finish(self) -> String {
        self.buf
    }
}

/// A value that can fill a `<param>` of a path template: strings and integers.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be bound as a path parameter",
    label = "path parameters must be strings or integers",
    note = "path parameters are text in one URL segment; use `&str`, `String` or an integer type"
)]
pub trait PathParam {
    /// Writes the raw (unencoded) value.
    fn write_path_value(&self, out: &mut String);
}

impl PathParam for str {
    fn write_path_value(&self, out: &mut String) {
        out.push_str(self);
    }
}
impl PathParam for String {
    fn write_path_value(&self, out: &mut String) {
        out.push_str(self);
    }
}
impl PathParam for Cow<'_, str> {
    fn write_path_value(&self, out: &mut String) {
        out.push_str(self);
    }
}
impl<T: PathParam + ?Sized> PathParam for &T {
    fn write_path_value(&self, out: &mut String) {
        (**self).write_path_value(out);
    }
}
impl<T: PathParam + ?Sized> PathParam for Box<T> {
    fn write_path_value(&self, out: &mut String) {
        (**self).write_path_value(out);
    }
}
macro_rules! integer_params {
    ($($t:ty)*) => {$(
        impl PathParam for $t {
            fn write_path_value(&self, out: &mut String) {
                use fmt::Write;
                let _ = write!(out, "{self}");
            }
        }
        impl HeaderParam for $t {
            fn header_value(&self) -> Option<String> {
                Some(self.to_string())
            }
        }
    )*};
}
integer_params!(u8 u16 u32 u64 u128 usize i8 i16 i32 i64 i128 isize);

/// Collects query parameters in declaration order.
#[derive(Debug, Default)]
pub struct QueryBuilder {
    buf: String,
}

impl QueryBuilder {
    /// An empty query.
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends one `name=value` pair, both percent-encoded.
    pub fn pair(&mut self, name: &str, value: &str) {
        use fmt::Write;
        if !self.buf.is_empty() {
            self.buf.push('&');
        }
        let _ = write!(
            self.buf,
            "{}={}",
            encode_component(name),
            encode_component(value)
        );
    }

    /// Appends every field of a struct (or map) that serialises as a flat
    /// object. `null` (a `None`) is left out; strings, numbers and booleans are
    /// written as text; an array repeats its key once per element. Nested
    /// objects have no query form and are refused.
    pub fn serialize<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        let value = serde_json::to_value(value)
            .map_err(|e| Error::InvalidRequest(format!("cannot encode query: {e}")))?;
        let serde_json::Value::Object(map) = value else {
            return Err(Error::InvalidRequest(
                "query parameters must serialise as a struct or map".into(),
            ));
        };
        for (name, value) in &map {
            self.value(name, value)?;
        }
        Ok(())
    }

    /// Appends one field given by its wire name; `None` adds nothing.
    pub fn field<T: Serialize + ?Sized>(&mut self, name: &str, value: &T) -> Result<(), Error> {
        let value = serde_json::to_value(value).map_err(|e| {
            Error::InvalidRequest(format!("cannot encode query parameter `{name}`: {e}"))
        })?;
        self.value(name, &value)
    }

    fn value(&mut self, name: &str, value: &serde_json::Value) -> Result<(), Error> {
        use serde_json::Value;
        match value {
            Value::Null => {}
            Value::String(s) => self.pair(name, s),
            Value::Bool(b) => self.pair(name, if *b { "true" } else { "false" }),
            Value::Number(n) => self.pair(name, &n.to_string()),
            Value::Array(items) => {
                for item in items {
                    if matches!(item, Value::Array(_) | Value::Object(_)) {
                        return Err(Error::InvalidRequest(format!(
                            "query parameter `{name}` nests arrays or objects, which have no query form"
                        )));
                    }
                    self.value(name, item)?;
                }
            }
            Value::Object(_) => {
                return Err(Error::InvalidRequest(format!(
                    "query parameter `{name}` is an object, which has no query form"
                )))
            }
        }
        Ok(())
    }

    /// The finished query string, without `?`.
    pub fn finish(self) -> String {
        self.buf
    }
}

/// Headers a request carries from its fields.
#[derive(Debug, Default)]
pub struct HeaderList {
    headers: Vec<(Cow<'static, str>, String)>,
}

impl HeaderList {
    /// No headers.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds header `name` from a field; `None` adds nothing.
    pub fn push<H: HeaderParam + ?Sized>(&mut self, name: &'static str, value: &H) {
        if let Some(value) = value.header_value() {
            self.headers.push((Cow::Borrowed(name), value));
        }
    }

    /// The headers, in insertion order.
    pub fn into_vec(self) -> Vec<(Cow<'static, str>, String)> {
        self.headers
    }
}

/// A value that can fill a `#[wxpay(header = "...")]` field.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be sent as a header value",
    label = "header fields must be strings, integers or an `Option` of those"
)]
pub trait HeaderParam {
    /// The header value, or `None` to omit the header.
    fn header_value(&self) -> Option<String>;
}

impl HeaderParam for str {
    fn header_value(&self) -> Option<String> {
        Some(self.to_owned())
    }
}
impl HeaderParam for String {
    fn header_value(&self) -> Option<String> {
        Some(self.clone())
    }
}
impl HeaderParam for Cow<'_, str> {
    fn header_value(&self) -> Option<String> {
        Some(self.to_string())
    }
}
impl<T: HeaderParam + ?Sized> HeaderParam for &T {
    fn header_value(&self) -> Option<String> {
        (**self).header_value()
    }
}
impl<T: HeaderParam> HeaderParam for Option<T> {
    fn header_value(&self) -> Option<String> {
        self.as_ref().and_then(HeaderParam::header_value)
    }
}

/// Serialises a JSON body to the exact bytes that are signed and sent.
pub fn json_body<T: Serialize + ?Sized>(value: &T) -> Result<Vec<u8>, Error> {
    serde_json::to_vec(value).map_err(|e| Error::InvalidRequest(format!("cannot encode body: {e}")))
}

/// Builds a JSON object body field by field, for requests whose body fields
/// are not the struct's own serialisation (`#[wxpay(body)]` on a GET/DELETE).
#[derive(Debug, Default)]
pub struct BodyBuilder {
    buf: Vec<u8>,
}

impl BodyBuilder {
    /// An empty object.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds one field by its wire name; a value that serialises to `null` (a `None`) is left out.
    pub fn field<T: Serialize + ?Sized>(&mut self, name: &str, value: &T) -> Result<(), Error> {
        let value = serde_json::to_vec(value).map_err(|e| {
            Error::InvalidRequest(format!("cannot encode body field `{name}`: {e}"))
        })?;
        if value == b"null" {
            return Ok(());
        }
        self.buf.push(if self.buf.is_empty() { b'{' } else { b',' });
        // A &str always serialises.
        self.buf
            .extend_from_slice(&serde_json::to_vec(name).unwrap_or_default());
        self.buf.push(b':');
        self.buf.extend_from_slice(&value);
        Ok(())
    }

    /// The finished body bytes (`{}` when no field was added).
    pub fn finish(mut self) -> Vec<u8> {
        if self.buf.is_empty() {
            self.buf.push(b'{');
        }
        self.buf.push(b'}');
        self.buf
    }
}

/// Decodes a verified response body; an empty body decodes as JSON `null`.
pub(crate) fn decode_body<T: DeserializeOwned>(body: &[u8]) -> Result<T, serde_json::Error> {
    if body.iter().all(u8::is_ascii_whitespace) {
        T::deserialize(serde_json::Value::Null)
    } else {
        serde_json::from_slice(body)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_path_values_stay_in_one_segment() {
        for (raw, encoded) in [
            ("a/b", "a%2Fb"),
            ("a?b=c", "a%3Fb%3Dc"),
            ("a#frag", "a%23frag"),
            ("100%", "100%25"),
            ("a b", "a%20b"),
            ("../x", "..%2Fx"),
            ("a..b", "a..b"),
            (
                "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o",
                "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o",
            ),
            ("微信", "%E5%BE%AE%E4%BF%A1"),
            ("a+b&c", "a%2Bb%26c"),
        ] {
            let mut p = PathBuilder::new();
            p.literal("v3/x/");
            p.param("id", raw).unwrap();
            assert_eq!(p.finish(), format!("v3/x/{encoded}"), "value {raw:?}");
        }
    }

    #[test]
    fn dot_segments_and_empty_values_are_refused() {
        for raw in ["", ".", ".."] {
            let mut p = PathBuilder::new();
            let err = p.param("refund_id", raw).unwrap_err();
            assert!(
                err.to_string().contains("refund_id"),
                "error names the parameter: {err}"
            );
        }
    }

    #[test]
    fn query_skips_none_and_encodes_values() {
        #[derive(Serialize)]
        struct Q<'a> {
            sub_mchid: &'a str,
            out_order_no: Option<&'a str>,
            limit: u32,
            flag: bool,
            note: &'a str,
            list: Vec<&'a str>,
        }
        let mut q = QueryBuilder::new();
        q.serialize(&Q {
            sub_mchid: "1900000109",
            out_order_no: None,
            limit: 10,
            flag: true,
            note: "a b&c=d",
            list: vec!["x", "y"],
        })
        .unwrap();
        assert_eq!(
            q.finish(),
            "sub_mchid=1900000109&limit=10&flag=true&note=a%20b%26c%3Dd&list=x&list=y"
        );
    }

    #[test]
    fn query_refuses_nested_objects() {
        let mut q = QueryBuilder::new();
        let err = q
            .serialize(&serde_json::json!({"a": {"b": 1}}))
            .unwrap_err();
        assert!(err.to_string().contains("`a`"));
    }

    #[test]
    fn body_builder_writes_exact_json_and_skips_none() {
        let mut b = BodyBuilder::new();
        b.field("sub_mchid", "1900000109").unwrap();
        b.field("amount", &Option::<i64>::None).unwrap();
        b.field("note", "a\"b").unwrap();
        assert_eq!(b.finish(), br#"{"sub_mchid":"1900000109","note":"a\"b"}"#);
        assert_eq!(BodyBuilder::new().finish(), b"{}");
    }

    #[test]
    fn empty_body_decodes_as_null() {
        decode_body::<()>(b"").unwrap();
        assert_eq!(
            decode_body::<serde_json::Value>(b"").unwrap(),
            serde_json::Value::Null
        );
        assert!(decode_body::<std::collections::HashMap<String, i32>>(b"").is_err());
    }
}
