//! The contract between a typed endpoint and the client, and the encoding
//! of a request down to the bytes that are signed and sent.
//!
//! [`ApiRequest`] is what `#[wxpay_api]` implements; the writers here are
//! what the generated code writes into ([`PathBuilder`], [`QueryBuilder`],
//! [`HeaderList`], [`BodyWriter`]), all in one explicit [`EncodeContext`]: the
//! calling merchant and the WeChat Pay key sensitive fields are encrypted
//! with (the `serialize` module applies it). [`EncodedRequest::encode`] runs them and
//! decides `Wechatpay-Serial`, in this one place. Encoding is kept
//! non-generic where it can be, so a thousand endpoints share one copy of
//! the machinery instead of monomorphising it a thousand times.

use std::borrow::Cow;
use std::fmt;

use serde::de::DeserializeOwned;
use serde::Serializer;

use crate::error::Error;

mod body;
mod context;
mod header;
pub(crate) mod path;
mod query;
pub(crate) mod serialize;

pub use body::BodyWriter;
pub use context::{EncodeContext, Encryptor};
pub use header::{HeaderList, HeaderParam};
pub use path::{PathBuilder, PathParam};
pub use query::QueryBuilder;

/// Request headers as encoded: (name, value), in order.
pub(crate) type Headers = Vec<(Cow<'static, str>, String)>;

/// The header naming the WeChat Pay key sensitive fields were encrypted with.
const SERIAL_HEADER: &str = crate::verify::headers::SERIAL;

/// The HTTP methods WeChat Pay APIv3 uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
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
/// hand only for shapes the attribute cannot express, with the writers of
/// this module ([`PathBuilder`], [`QueryBuilder`], [`HeaderList`],
/// [`BodyWriter`]: public and stable for that purpose; what the attribute's
/// expansion refers to is not). Signing and verification
/// never happen here: they belong to the [`Client`](crate::Client).
pub trait ApiRequest {
    /// What a successful (2xx) response body decodes into. An empty body (204)
    /// decodes as JSON `null`, so `()`, `Option<T>` and `serde_json::Value` accept it.
    type Response: DeserializeOwned;

    /// The HTTP method.
    const METHOD: Method;

    /// The declared path template, e.g. `v3/ecommerce/refunds/<refund_id>/return-advance`.
    const PATH_TEMPLATE: &'static str;

    /// Whether the request names the WeChat Pay key in `Wechatpay-Serial`
    /// even when it encrypts no field (some operations require the header,
    /// e.g. to say which key WeChat Pay should expect). A request that
    /// encrypts a field always names the key.
    const WECHATPAY_SERIAL: bool = false;

    /// Writes the request path (no leading `/`), binding every path parameter.
    fn write_path(&self, path: &mut PathBuilder) -> Result<(), Error>;

    /// Writes the query string parameters, if any.
    fn write_query(&self, _query: &mut QueryBuilder<'_>) -> Result<(), Error> {
        Ok(())
    }

    /// Adds request headers carried by fields (`#[wxpay(header = "...")]`).
    fn write_headers(&self, _headers: &mut HeaderList) -> Result<(), Error> {
        Ok(())
    }

    /// Writes the JSON body, if the request has one.
    fn write_body(&self, _body: &mut BodyWriter<'_>) -> Result<(), Error> {
        Ok(())
    }
}

/// A request encoded down to what goes on the wire, before signing.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
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
    /// Encodes a typed request in context `cx`: sensitive fields encrypted
    /// with its key, calling-merchant fields filled with its merchant, and
    /// `Wechatpay-Serial` naming the key when a field was encrypted (or the
    /// operation always names it).
    ///
    /// This is what [`Client::send`](crate::Client::send) does with the
    /// client's merchant id and current WeChat Pay key; call it yourself to
    /// get the exact bytes without sending them.
    pub fn encode<R: ApiRequest + ?Sized>(
        request: &R,
        cx: &EncodeContext<'_>,
    ) -> Result<Self, Error> {
        let mut path = PathBuilder::new();
        request.write_path(&mut path)?;
        let mut query = QueryBuilder::new(cx);
        request.write_query(&mut query)?;
        let mut headers = HeaderList::new();
        request.write_headers(&mut headers)?;
        let mut body = BodyWriter::new(cx);
        request.write_body(&mut body)?;
        let mut encoded = EncodedRequest {
            method: R::METHOD,
            path: path.finish(),
            query: query.finish(),
            headers: headers.into_vec(),
            body: body.finish(),
        };
        name_key(&mut encoded.headers, cx, R::WECHATPAY_SERIAL)?;
        Ok(encoded)
    }

    /// Encodes a typed request without a merchant or a key
    /// ([`EncodeContext::detached`]): a request with a sensitive field, or
    /// a calling-merchant field left to the client, fails to encode.
    pub fn from_api<R: ApiRequest + ?Sized>(request: &R) -> Result<Self, Error> {
        Self::encode(request, &EncodeContext::detached())
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

/// Decides `Wechatpay-Serial`, for every request that has one: the key of
/// `cx` when a field was encrypted with it or `always` asks for it. A
/// header the caller set is kept only when it names that same key (or
/// nothing was encrypted by the SDK, for values encrypted by hand).
pub(crate) fn name_key(
    headers: &mut Headers,
    cx: &EncodeContext<'_>,
    always: bool,
) -> Result<(), Error> {
    if !cx.encrypted_any() && !always {
        return Ok(());
    }
    let encryptor = cx.encryptor().ok_or_else(|| {
        Error::Config(
            "this operation names the WeChat Pay key in Wechatpay-Serial, but no key is              configured: call wechatpay_public_key(...) or auto_certificates(...) on the builder"
                .into(),
        )
    })?;
    let serial = encryptor.serial();
    match headers
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(SERIAL_HEADER))
    {
        Some((_, given)) if given == serial => Ok(()),
        Some((_, given)) if cx.encrypted_any() => Err(Error::InvalidRequest(format!(
            "Wechatpay-Serial is given as {given:?}, but the sensitive fields were encrypted with              {serial:?}: leave the header to the client"
        ))),
        Some(_) => Ok(()),
        None => {
            headers.push((Cow::Borrowed(SERIAL_HEADER), serial.to_owned()));
            Ok(())
        }
    }
}

/// `serialize_with` function for a field that must be the calling merchant
/// (`mchid` of a direct merchant's body, `sp_mchid` where a service provider
/// calls): `None` is written as the merchant id of the encoding context (the
/// client's own), `Some(id)` must equal it, or encoding fails naming both.
/// `#[wxpay(merchant)]` on a field does this.
pub fn calling_merchant<T: AsRef<str>, S: Serializer>(
    value: &Option<T>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.serialize_newtype_struct(
        serialize::CALLING_MERCHANT,
        &MerchantId(value.as_ref().map(AsRef::as_ref)),
    )
}

/// The value inside a calling-merchant mark: an explicit id reads as
/// itself to any serializer; a missing one only the encoder can fill.
struct MerchantId<'a>(Option<&'a str>);

impl serde::Serialize for MerchantId<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            Some(id) if serialize::is_capture::<S>() => serializer.serialize_some(id),
            Some(id) => serializer.serialize_str(id),
            None if serialize::is_capture::<S>() => serializer.serialize_none(),
            None => Err(serde::ser::Error::custom(
                "this field is the calling merchant's id, filled in when the request is encoded                  with a client (or EncodedRequest::encode with EncodeContext::new(mchid))",
            )),
        }
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
mod tests;
