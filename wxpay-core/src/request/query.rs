//! The query string: fields in declaration order, each value
//! percent-encoded, written through the request's [`EncodeContext`] (so a
//! sensitive query parameter is sent encrypted and a calling-merchant one
//! is the client's id).

use std::fmt;

use serde::Serialize;

use super::context::EncodeContext;
use super::path::encode_component;
use super::serialize::serialize_with;
use crate::error::Error;

/// Collects query parameters in declaration order.
pub struct QueryBuilder<'c> {
    buf: String,
    cx: &'c EncodeContext<'c>,
}

impl fmt::Debug for QueryBuilder<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("QueryBuilder")
            .field("query", &self.buf)
            .finish_non_exhaustive()
    }
}

impl<'c> QueryBuilder<'c> {
    /// An empty query, encoded in `cx`.
    pub fn new(cx: &'c EncodeContext<'c>) -> Self {
        Self {
            buf: String::new(),
            cx,
        }
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
        let value = self
            .to_value(value)
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
        let value = self.to_value(value).map_err(|e| {
            Error::InvalidRequest(format!("cannot encode query parameter `{name}`: {e}"))
        })?;
        self.value(name, &value)
    }

    fn to_value<T: Serialize + ?Sized>(
        &self,
        value: &T,
    ) -> Result<serde_json::Value, serde_json::Error> {
        serialize_with(value, serde_json::value::Serializer, self.cx)
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
