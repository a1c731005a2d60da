//! The JSON body: the exact bytes that are signed and sent, written through
//! the request's [`EncodeContext`].

use std::fmt;

use serde::Serialize;

use super::context::EncodeContext;
use super::serialize::serialize_with;
use crate::error::Error;

/// Writes a request's JSON body: either a whole value
/// ([`json`](Self::json), what a `POST` declared with `#[wxpay_api]` does)
/// or an object field by field ([`field`](Self::field), for body fields of
/// a `GET`/`DELETE`). Sensitive values are encrypted and calling-merchant
/// fields filled through the context.
pub struct BodyWriter<'c> {
    cx: &'c EncodeContext<'c>,
    body: Body,
}

enum Body {
    None,
    Value(Vec<u8>),
    Object(Vec<u8>),
}

impl fmt::Debug for BodyWriter<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let bytes = match &self.body {
            Body::None => 0,
            Body::Value(b) | Body::Object(b) => b.len(),
        };
        f.debug_struct("BodyWriter")
            .field("bytes", &bytes)
            .finish_non_exhaustive()
    }
}

impl<'c> BodyWriter<'c> {
    /// No body yet, encoded in `cx`.
    pub fn new(cx: &'c EncodeContext<'c>) -> Self {
        Self {
            cx,
            body: Body::None,
        }
    }

    /// The body is `value` as JSON.
    pub fn json<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        if !matches!(self.body, Body::None) {
            return Err(Error::InvalidRequest(
                "the body was written twice (a whole value after other body fields)".into(),
            ));
        }
        let mut buf = Vec::with_capacity(128);
        serialize_with(value, &mut serde_json::Serializer::new(&mut buf), self.cx)
            .map_err(|e| Error::InvalidRequest(format!("cannot encode body: {e}")))?;
        self.body = Body::Value(buf);
        Ok(())
    }

    /// Starts an object body, `{}` until fields are added.
    pub fn begin_object(&mut self) {
        if matches!(self.body, Body::None) {
            self.body = Body::Object(Vec::new());
        }
    }

    /// Adds one field by its wire name to an object body; a value that
    /// serialises to `null` (a `None`) is left out.
    pub fn field<T: Serialize + ?Sized>(&mut self, name: &str, value: &T) -> Result<(), Error> {
        self.begin_object();
        let mut encoded = Vec::new();
        serialize_with(
            value,
            &mut serde_json::Serializer::new(&mut encoded),
            self.cx,
        )
        .map_err(|e| Error::InvalidRequest(format!("cannot encode body field `{name}`: {e}")))?;
        let Body::Object(buf) = &mut self.body else {
            return Err(Error::InvalidRequest(format!(
                "body field `{name}` added after a whole-value body"
            )));
        };
        if encoded == b"null" {
            return Ok(());
        }
        buf.push(if buf.is_empty() { b'{' } else { b',' });
        // A &str always serialises.
        buf.extend_from_slice(&serde_json::to_vec(name).unwrap_or_default());
        buf.push(b':');
        buf.extend_from_slice(&encoded);
        Ok(())
    }

    /// The finished body bytes, or `None` when nothing was written.
    pub(crate) fn finish(self) -> Option<Vec<u8>> {
        match self.body {
            Body::None => None,
            Body::Value(bytes) => Some(bytes),
            Body::Object(mut buf) => {
                if buf.is_empty() {
                    buf.push(b'{');
                }
                buf.push(b'}');
                Some(buf)
            }
        }
    }
}
