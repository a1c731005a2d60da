//! Signing and sending: one [`Call`] becomes attempts on the transport,
//! each signed afresh (a new timestamp and nonce) over exactly the target
//! and body bytes it sends.

use std::borrow::Cow;

use super::Client;
use crate::crypto::random_alphanumeric;
use crate::error::Error;
use crate::keyring::unix_now;
use crate::request::{EncodedRequest, Method};
use crate::sign::{authorize, SignInput};
use crate::transport::{Deadline, RequestSpan, Target};

/// One request as it is to be signed and sent.
pub(crate) struct Call<'a> {
    pub(crate) method: Method,
    /// The path template, for logs (no values: they may be personal data).
    pub(crate) template: &'a str,
    /// Relative path, e.g. `v3/pay/transactions/jsapi` (checked by [`Target`]).
    pub(crate) path: &'a str,
    /// Encoded query, without `?`.
    pub(crate) query: &'a str,
    pub(crate) headers: &'a [(Cow<'static, str>, String)],
    pub(crate) body: CallBody<'a>,
    /// The caller vouches that sending it twice does no harm.
    pub(crate) idempotent: bool,
}

/// What a call carries, and what of it is signed.
#[derive(Clone, Copy)]
pub(crate) enum CallBody<'a> {
    /// No body (a `GET`, a `POST` whose fields are all in the path).
    None,
    /// JSON: these exact bytes are signed and sent.
    Json(&'a [u8]),
    /// A media upload: `multipart/form-data` is sent, and only its `meta`
    /// part is signed.
    Multipart {
        meta: &'a [u8],
        content_type: &'a str,
        form: &'a [u8],
    },
}

impl CallBody<'_> {
    /// The bytes the signature covers.
    fn signed(&self) -> &[u8] {
        match self {
            CallBody::None => &[],
            CallBody::Json(bytes) => bytes,
            CallBody::Multipart { meta, .. } => meta,
        }
    }
}

impl<'a> Call<'a> {
    /// A `GET` of `path` (and an encoded `query`) with no header or body.
    pub(crate) fn get(path: &'a str, query: &'a str) -> Self {
        Self {
            method: Method::Get,
            template: path,
            path,
            query,
            headers: &[],
            body: CallBody::None,
            idempotent: false,
        }
    }

    /// An encoded request, to be sent as it is.
    pub(crate) fn encoded(
        request: &'a EncodedRequest,
        template: &'a str,
        idempotent: bool,
    ) -> Self {
        Self {
            method: request.method,
            template,
            path: &request.path,
            query: &request.query,
            headers: &request.headers,
            body: match &request.body {
                Some(bytes) => CallBody::Json(bytes),
                None => CallBody::None,
            },
            idempotent,
        }
    }
}

/// Headers the SDK writes itself; a caller's value would be a second,
/// conflicting one on the wire (or change what was signed).
const OWNED_HEADERS: [&str; 6] = [
    "authorization",
    "host",
    "content-type",
    "content-length",
    "transfer-encoding",
    "connection",
];

/// The caller's headers, checked and parsed once for every attempt.
fn parse_headers(
    headers: &[(Cow<'static, str>, String)],
) -> Result<Vec<(http::HeaderName, http::HeaderValue)>, Error> {
    let mut parsed = Vec::with_capacity(headers.len());
    for (i, (name, value)) in headers.iter().enumerate() {
        if OWNED_HEADERS.iter().any(|h| name.eq_ignore_ascii_case(h)) {
            return Err(Error::InvalidRequest(format!(
                "header {name} is set by the SDK and cannot be supplied"
            )));
        }
        if headers[..i]
            .iter()
            .any(|(n, _)| n.eq_ignore_ascii_case(name))
        {
            return Err(Error::InvalidRequest(format!(
                "header {name} is given twice"
            )));
        }
        let header_name = http::HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| Error::InvalidRequest(format!("invalid header name {name:?}")))?;
        let header_value = http::HeaderValue::from_str(value)
            .map_err(|_| Error::InvalidRequest(format!("invalid value for header {name}")))?;
        parsed.push((header_name, header_value));
    }
    Ok(parsed)
}

impl Client {
    /// Sends `call`: attempts across the base URLs as the retry policy
    /// allows, each signed afresh over the exact target and body it sends.
    /// The answer's body is not read yet.
    pub(crate) async fn transmit(
        &self,
        span: &RequestSpan,
        call: &Call<'_>,
        targets: &[Target],
        deadline: Deadline,
    ) -> Result<reqwest::Response, Error> {
        let headers = parse_headers(call.headers)?;
        let merchant = &self.inner.merchant;
        self.inner
            .transport
            .send(
                span,
                call.method,
                targets,
                call.idempotent,
                deadline,
                |base, builder| {
                    let target = &targets[base];
                    let headers = &headers;
                    async move {
                        let nonce = random_alphanumeric(32)?;
                        let authorization = authorize(
                            &*merchant.signer,
                            &merchant.mchid,
                            &merchant.serial_no,
                            SignInput {
                                method: call.method.as_str(),
                                target: &target.signed,
                                timestamp: unix_now(),
                                nonce: &nonce,
                                body: call.body.signed(),
                            },
                        )
                        .await?;
                        let mut builder = builder
                            .header(http::header::AUTHORIZATION, authorization.to_string())
                            .header(http::header::ACCEPT, "application/json");
                        for (name, value) in headers {
                            builder = builder.header(name, value);
                        }
                        Ok(match call.body {
                            CallBody::None => builder,
                            CallBody::Json(bytes) => builder
                                .header(http::header::CONTENT_TYPE, "application/json")
                                .body(bytes.to_vec()),
                            CallBody::Multipart {
                                content_type, form, ..
                            } => builder
                                .header(http::header::CONTENT_TYPE, content_type)
                                .body(form.to_vec()),
                        })
                    }
                },
            )
            .await
    }
}
