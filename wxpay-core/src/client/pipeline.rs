//! The one path every request takes: refresh certificates if due, build and
//! check the target, sign, send, read (bounded), verify, and on an unknown
//! serial refresh once and check the same answer again.
//!
//! Typed `send`, dynamic requests, `execute`, uploads, downloads, the
//! certificate refresh and the blocking client all come through
//! [`Client::call`].

use std::borrow::Cow;
use std::time::Duration;

use super::response::{read_capped, transport_error, Unchecked};
use super::target::Target;
use super::{Client, RawResponse};
use crate::crypto::random_alphanumeric;
use crate::error::{Error, VerifyError};
use crate::keyring::unix_now;
use crate::request::Method;
use crate::sign::{authorize, SignInput};
use crate::verify::SignedBody;

/// One request as it is to be signed and sent.
pub(crate) struct Call<'a> {
    pub(crate) method: Method,
    /// Relative path, e.g. `v3/pay/transactions/jsapi` (checked by [`Target`]).
    pub(crate) path: &'a str,
    /// Encoded query, without `?`.
    pub(crate) query: &'a str,
    pub(crate) headers: &'a [(Cow<'static, str>, String)],
    /// The bytes that are signed, and sent unless `wire` is set.
    pub(crate) body: Option<&'a [u8]>,
    /// A multipart upload: content type and the bytes sent; only `body` (the
    /// `meta` JSON) is signed.
    pub(crate) wire: Option<(&'a str, &'a [u8])>,
}

/// What the caller wants back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Expect {
    /// A verified answer; routes WeChat does not sign are refused.
    Verified,
    /// A file: unsigned routes stream, signed ones are verified.
    Download,
    /// The bytes as read, unverified: only for the certificate refresh,
    /// which verifies its listing itself (it may bring its own key).
    CertificateListing,
}

/// What came back.
pub(crate) enum Answer {
    Verified(RawResponse),
    Stream(reqwest::Response),
    Unchecked(Unchecked),
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

fn check_headers(headers: &[(Cow<'static, str>, String)]) -> Result<(), Error> {
    for (i, (name, _)) in headers.iter().enumerate() {
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
    }
    Ok(())
}

impl Client {
    /// Refreshes managed certificates when due; a cheap check otherwise.
    pub(crate) async fn refresh_if_due(&self) {
        if let Some(auto) = &self.inner.auto_refresh {
            auto.maybe_refresh(self, false).await;
        }
    }

    /// Sends `call` the one way every request goes.
    pub(crate) async fn call(
        &self,
        call: &Call<'_>,
        expect: Expect,
        refreshed: bool,
    ) -> Result<Answer, Error> {
        if !refreshed && expect != Expect::CertificateListing {
            self.refresh_if_due().await;
        }
        let target = Target::new(&self.inner.base, call.path, call.query)?;
        check_headers(call.headers)?;
        if expect == Expect::Verified && target.signed_body == SignedBody::Unsigned {
            return Err(Error::InvalidRequest(format!(
                "{} is a file download WeChat Pay does not sign; use Client::download",
                target.signed
            )));
        }
        let timeout = match expect {
            Expect::Download => self.inner.download_timeout,
            _ => self.inner.timeout,
        };
        let response = self.dispatch(call, &target, timeout).await?;
        let status = response.status().as_u16();
        if expect == Expect::Download
            && target.signed_body == SignedBody::Unsigned
            && (200..300).contains(&status)
        {
            return Ok(Answer::Stream(response));
        }
        let answer = Unchecked {
            status,
            headers: response.headers().clone(),
            body: read_capped(response, self.inner.max_response_bytes).await?,
        };
        if expect == Expect::CertificateListing {
            return Ok(Answer::Unchecked(answer));
        }
        // A download whose answer is not a file (an error) is signed as usual.
        let signed_body = match target.signed_body {
            SignedBody::Unsigned => SignedBody::Raw,
            other => other,
        };
        let result = self.check_response(&answer, signed_body).await;
        match (&result, &self.inner.auto_refresh) {
            (
                Err(Error::Verification {
                    source: VerifyError::UnknownSerial(_),
                    ..
                }),
                Some(auto),
            ) => {
                // WeChat may have rotated its certificate: fetch the new ones
                // (rate-limited) and check the same answer again, unsent.
                auto.maybe_refresh(self, true).await;
                self.check_response(&answer, signed_body)
                    .await
                    .map(Answer::Verified)
            }
            _ => result.map(Answer::Verified),
        }
    }

    /// Signs exactly the target and body that go on the wire, and sends them.
    async fn dispatch(
        &self,
        call: &Call<'_>,
        target: &Target,
        timeout: Duration,
    ) -> Result<reqwest::Response, Error> {
        let inner = &*self.inner;
        let body = call.body.unwrap_or_default();
        let nonce = random_alphanumeric(32)?;
        let authorization = authorize(
            &*inner.signer,
            &inner.mchid,
            &inner.serial_no,
            SignInput {
                method: call.method.as_str(),
                target: &target.signed,
                timestamp: unix_now(),
                nonce: &nonce,
                body,
            },
        )
        .await?;

        let mut builder = inner
            .http
            .request(call.method.to_http(), target.url.clone())
            .timeout(timeout)
            .header(http::header::AUTHORIZATION, authorization.to_string())
            .header(http::header::ACCEPT, "application/json");
        for (name, value) in call.headers {
            let name = http::HeaderName::from_bytes(name.as_bytes())
                .map_err(|_| Error::InvalidRequest(format!("invalid header name {name:?}")))?;
            let value = http::HeaderValue::from_str(value)
                .map_err(|_| Error::InvalidRequest(format!("invalid value for header {name}")))?;
            builder = builder.header(name, value);
        }
        match (call.wire, call.body) {
            (Some((content_type, bytes)), _) => {
                builder = builder
                    .header(http::header::CONTENT_TYPE, content_type)
                    .body(bytes.to_vec());
            }
            (None, Some(body)) => {
                builder = builder
                    .header(http::header::CONTENT_TYPE, "application/json")
                    .body(body.to_vec());
            }
            (None, None) => {}
        }
        tracing::debug!(method = %call.method, target = %target.signed, "wxpay request");
        builder.send().await.map_err(transport_error)
    }

    /// [`call`](Self::call) for a verified answer.
    pub(crate) async fn call_verified(
        &self,
        call: &Call<'_>,
        refreshed: bool,
    ) -> Result<RawResponse, Error> {
        match self.call(call, Expect::Verified, refreshed).await? {
            Answer::Verified(raw) => Ok(raw),
            // `Expect::Verified` yields nothing else.
            Answer::Stream(_) | Answer::Unchecked(_) => Err(Error::InvalidRequest(
                "internal: unexpected answer kind".into(),
            )),
        }
    }
}
