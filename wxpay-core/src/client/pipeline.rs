//! The one path every request takes: refresh certificates if due, build and
//! check the target, sign, send, read (bounded), verify, and on an unknown
//! serial refresh once and check the same answer again.
//!
//! Typed `send`, dynamic requests, `execute`, uploads, downloads, the
//! certificate refresh and the blocking client all come through
//! [`Client::call`].

use std::borrow::Cow;
use std::time::{Duration, Instant};

use tracing::Instrument;

use super::response::{read_capped, Unchecked};
use super::retry::{send_with_retries, Retryable, TransportFailure};
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
    /// The path template, for logs (no values: they may be personal data).
    pub(crate) template: &'a str,
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
    /// The caller vouches that sending it twice does no harm.
    pub(crate) idempotent: bool,
}

impl<'a> Call<'a> {
    /// A `GET` of `path` with no query, header or body.
    pub(crate) fn get(path: &'a str) -> Self {
        Self {
            method: Method::Get,
            template: path,
            path,
            query: "",
            headers: &[],
            body: None,
            wire: None,
            idempotent: false,
        }
    }
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

    /// Sends `call` the one way every request goes: attempts (each signed
    /// afresh) across the base URLs as the retry policy allows, then the
    /// answer verified as its route requires.
    pub(crate) async fn call(
        &self,
        call: &Call<'_>,
        expect: Expect,
        refreshed: bool,
    ) -> Result<Answer, Error> {
        let span = tracing::info_span!(
            "wxpay.request",
            method = call.method.as_str(),
            path = call.template,
            mchid = self.inner.mchid.as_str(),
            attempt = tracing::field::Empty,
            status = tracing::field::Empty,
            code = tracing::field::Empty,
            request_id = tracing::field::Empty,
            elapsed_ms = tracing::field::Empty,
        );
        let started = Instant::now();
        let result = self
            .call_attempts(call, expect, refreshed, &span)
            .instrument(span.clone())
            .await;
        span.record("elapsed_ms", started.elapsed().as_millis() as u64);
        match &result {
            Ok(Answer::Verified(raw)) => {
                span.record("status", raw.status);
                if let Some(id) = raw.request_id() {
                    span.record("request_id", id);
                }
            }
            Ok(Answer::Stream(response)) => {
                span.record("status", response.status().as_u16());
            }
            Ok(Answer::Unchecked(raw)) => {
                span.record("status", raw.status);
            }
            Err(Error::Api(api)) => {
                span.record("status", api.status);
                span.record("code", api.code.as_str());
                if let Some(id) = &api.request_id {
                    span.record("request_id", id.as_str());
                }
            }
            Err(_) => {}
        }
        result
    }

    async fn call_attempts(
        &self,
        call: &Call<'_>,
        expect: Expect,
        refreshed: bool,
        span: &tracing::Span,
    ) -> Result<Answer, Error> {
        if !refreshed && expect != Expect::CertificateListing {
            self.refresh_if_due().await;
        }
        check_headers(call.headers)?;
        let inner = &*self.inner;
        let targets = inner
            .bases
            .iter()
            .map(|base| Target::new(base, call.path, call.query))
            .collect::<Result<Vec<_>, _>>()?;
        let signed_body = targets[0].signed_body;
        if expect == Expect::Verified && signed_body == SignedBody::Unsigned {
            return Err(Error::InvalidRequest(format!(
                "{} is a file download WeChat Pay does not sign; use Client::download",
                targets[0].signed
            )));
        }
        let timeout = match expect {
            Expect::Download => inner.download_timeout,
            _ => inner.timeout,
        };
        let hosts: Vec<&str> = targets
            .iter()
            .map(|t| t.url.host_str().unwrap_or_default())
            .collect();
        let response = send_with_retries(
            &inner.retry,
            &hosts,
            Retryable::of(call.method, call.idempotent),
            span,
            |base| self.dispatch(call, &targets[base], timeout),
        )
        .await?;
        let status = response.status().as_u16();
        if expect == Expect::Download
            && signed_body == SignedBody::Unsigned
            && (200..300).contains(&status)
        {
            return Ok(Answer::Stream(response));
        }
        let answer = Unchecked {
            status,
            headers: response.headers().clone(),
            body: read_capped(response, inner.max_response_bytes).await?,
            operation: format!("{} /{}", call.method, call.template.trim_start_matches('/')),
        };
        if expect == Expect::CertificateListing {
            return Ok(Answer::Unchecked(answer));
        }
        // A download whose answer is not a file (an error) is signed as usual.
        let signed_body = match signed_body {
            SignedBody::Unsigned => SignedBody::Raw,
            other => other,
        };
        let result = self.check_response(&answer, signed_body).await;
        match (&result, &inner.auto_refresh) {
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
    ) -> Result<reqwest::Response, TransportFailure> {
        let inner = &*self.inner;
        let body = call.body.unwrap_or_default();
        let nonce = random_alphanumeric(32).map_err(TransportFailure::local)?;
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
        .await
        .map_err(TransportFailure::local)?;

        let mut builder = inner
            .http
            .request(call.method.to_http(), target.url.clone())
            .timeout(timeout)
            .header(http::header::AUTHORIZATION, authorization.to_string())
            .header(http::header::ACCEPT, "application/json");
        for (name, value) in call.headers {
            let name = http::HeaderName::from_bytes(name.as_bytes()).map_err(|_| {
                TransportFailure::local(Error::InvalidRequest(format!(
                    "invalid header name {name:?}"
                )))
            })?;
            let value = http::HeaderValue::from_str(value).map_err(|_| {
                TransportFailure::local(Error::InvalidRequest(format!(
                    "invalid value for header {name}"
                )))
            })?;
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
        builder.send().await.map_err(TransportFailure::transport)
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
