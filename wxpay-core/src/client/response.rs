//! What comes back: bounded reads, verification by route, and the mapping of
//! statuses and error bodies onto [`Error`].

use bytes::Bytes;
use http::HeaderMap;
use serde::de::DeserializeOwned;

use super::Client;
use crate::crypto::sha1_hex;
use crate::error::{ApiError, Error, VerifyError};
use crate::keyring::unix_now;
use crate::request::decode_body;
use crate::verify::{self, has_signature_headers, headers, SignedBody};

const EXCERPT_BYTES: usize = 256;

/// A response that passed verification (or an exempt one), before decoding.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct RawResponse {
    /// HTTP status (2xx).
    pub status: u16,
    /// Response headers.
    pub headers: HeaderMap,
    /// The verified body bytes.
    pub body: Bytes,
}

impl RawResponse {
    /// The `Request-ID` header.
    pub fn request_id(&self) -> Option<&str> {
        request_id(&self.headers)
    }

    /// Decodes the verified body; an empty body decodes as JSON `null`.
    pub fn json<T: DeserializeOwned>(&self) -> Result<T, Error> {
        decode_body(&self.body).map_err(|e| Error::Decode {
            status: self.status,
            message: e.to_string(),
            body_excerpt: excerpt(&self.body),
            request_id: self.request_id().map(str::to_owned),
        })
    }
}

/// A response as read off the wire, nothing checked yet.
pub(crate) struct Unchecked {
    pub(crate) status: u16,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Bytes,
}

impl Client {
    /// Verifies `answer` as its route requires; 4xx/5xx become [`Error::Api`].
    pub(crate) async fn check_response(
        &self,
        answer: &Unchecked,
        signed_body: SignedBody,
    ) -> Result<RawResponse, Error> {
        let Unchecked {
            status,
            headers,
            body,
        } = answer;
        let status = *status;
        let request_id = request_id(headers).map(str::to_owned);
        tracing::debug!(
            status,
            request_id = request_id.as_deref().unwrap_or(""),
            "wxpay response"
        );
        let verification_error = |source| Error::Verification {
            source,
            request_id: request_id.clone(),
        };
        match status {
            200..=299 => {
                self.verify(headers, body, signed_body)
                    .await
                    .map_err(verification_error)?;
                Ok(RawResponse {
                    status,
                    headers: headers.clone(),
                    body: body.clone(),
                })
            }
            400..=599 => {
                let signature_verified = has_signature_headers(headers);
                if signature_verified {
                    self.verify(headers, body, SignedBody::Raw)
                        .await
                        .map_err(verification_error)?;
                }
                Err(api_error(status, body, request_id, signature_verified))
            }
            _ => Err(Error::UnexpectedStatus { status, request_id }),
        }
    }

    async fn verify(
        &self,
        headers: &HeaderMap,
        body: &[u8],
        signed_body: SignedBody,
    ) -> Result<(), VerifyError> {
        let verifier = &*self.inner.verifier;
        match signed_body {
            SignedBody::Raw => verify::verify(verifier, headers, body, unix_now()).await,
            SignedBody::Unsigned => Ok(()),
            SignedBody::StatementSha1 => {
                let promised = headers
                    .get(headers::STATEMENT_SHA1)
                    .ok_or(VerifyError::MissingHeader(headers::STATEMENT_SHA1))?
                    .to_str()
                    .map_err(|_| VerifyError::InvalidHeader {
                        name: headers::STATEMENT_SHA1,
                        reason: "not visible ASCII".into(),
                    })?
                    .to_owned();
                let signed = serde_json::json!({ "sha1": promised }).to_string();
                verify::verify(verifier, headers, signed.as_bytes(), unix_now()).await?;
                let actual = sha1_hex(body);
                if !actual.eq_ignore_ascii_case(&promised) {
                    return Err(VerifyError::HashMismatch {
                        expected: promised,
                        actual,
                    });
                }
                Ok(())
            }
        }
    }
}

pub(crate) fn request_id(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(headers::REQUEST_ID)
        .and_then(|v| v.to_str().ok())
}

pub(crate) fn excerpt(body: &[u8]) -> String {
    let cut = body.len().min(EXCERPT_BYTES);
    String::from_utf8_lossy(&body[..cut]).into_owned()
}

fn api_error(
    status: u16,
    body: &[u8],
    request_id: Option<String>,
    signature_verified: bool,
) -> Error {
    #[derive(serde::Deserialize)]
    struct Body {
        #[serde(default)]
        code: String,
        #[serde(default)]
        message: String,
        #[serde(default)]
        detail: Option<serde_json::Value>,
    }
    let parsed: Option<Body> = serde_json::from_slice(body).ok();
    let (code, message, detail) = match parsed {
        Some(b) => (b.code, b.message, b.detail),
        None => (String::new(), excerpt(body), None),
    };
    Error::Api(Box::new(ApiError {
        status,
        code,
        message,
        detail,
        request_id,
        signature_verified,
    }))
}

pub(crate) fn transport_error(e: reqwest::Error) -> Error {
    if e.is_timeout() {
        Error::Timeout
    } else {
        Error::Transport(Box::new(e))
    }
}

/// Reads the whole body, refusing more than `limit` bytes.
pub(crate) async fn read_capped(
    mut response: reqwest::Response,
    limit: usize,
) -> Result<Bytes, Error> {
    if response.content_length().is_some_and(|n| n > limit as u64) {
        return Err(Error::ResponseTooLarge { limit });
    }
    let mut buf = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(transport_error)? {
        if buf.len() + chunk.len() > limit {
            return Err(Error::ResponseTooLarge { limit });
        }
        buf.extend_from_slice(&chunk);
    }
    Ok(Bytes::from(buf))
}
