//! What comes back: an answer checked by its status (2xx verified, a 4xx/5xx
//! verified when signed and turned into [`Error::Api`]) and decoded.

use bytes::Bytes;
use http::HeaderMap;
use serde::de::DeserializeOwned;

use super::Client;
use crate::error::{ApiError, Error, Origin};
use crate::request::decode_body;
use crate::transport::Answer;
use crate::trust::Signed;
use crate::verify::{has_signature_headers, headers};

const EXCERPT_BYTES: usize = 256;

/// A response that passed verification, before decoding.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct RawResponse {
    /// HTTP status (2xx).
    pub status: u16,
    /// Response headers.
    pub headers: HeaderMap,
    /// The verified body bytes.
    pub body: Bytes,
    /// `METHOD /path-template`, for error messages.
    pub(crate) operation: String,
}

impl RawResponse {
    /// The `Request-ID` header.
    pub fn request_id(&self) -> Option<&str> {
        request_id(&self.headers)
    }

    /// Decodes the verified body; an empty body decodes as JSON `null`.
    pub fn json<T: DeserializeOwned>(&self) -> Result<T, Error> {
        decode_body(&self.body).map_err(|e| Error::Decode {
            origin: Origin::Answer,
            message: if self.body.is_empty() {
                format!(
                    "the answer to {} (HTTP {}) has an empty body, which does not decode into {} \
                     (declare the response as `()` or an `Option`)",
                    self.operation,
                    self.status,
                    std::any::type_name::<T>()
                )
            } else {
                format!(
                    "the answer to {} (HTTP {}) does not decode into {}: {e}",
                    self.operation,
                    self.status,
                    std::any::type_name::<T>()
                )
            },
            body_excerpt: excerpt(&self.body),
            request_id: self.request_id().map(str::to_owned),
        })
    }
}

/// A decoded answer with what came with it.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Response<T> {
    /// The decoded body.
    pub value: T,
    /// HTTP status (2xx).
    pub status: u16,
    /// The `Request-ID` WeChat Pay gave the call (quote it to their support).
    pub request_id: Option<String>,
    /// The response headers.
    pub headers: HeaderMap,
}

impl<T: DeserializeOwned> Response<T> {
    pub(crate) fn decode(raw: RawResponse) -> Result<Self, Error> {
        Ok(Self {
            value: raw.json()?,
            status: raw.status,
            request_id: raw.request_id().map(str::to_owned),
            headers: raw.headers,
        })
    }
}

impl Client {
    /// Checks an answer: a 2xx must verify as `signed` says; anything else
    /// is the error [`answer_error`](Self::answer_error) makes of it.
    pub(crate) async fn check_answer(
        &self,
        answer: Answer,
        signed: Signed,
        operation: String,
    ) -> Result<RawResponse, Error> {
        if !(200..300).contains(&answer.status) {
            return Err(self.answer_error(answer).await);
        }
        self.trust()
            .verify_answer(self, &answer.headers, &answer.body, signed)
            .await
            .map_err(|reason| Error::Verification {
                reason,
                origin: Origin::Answer,
                request_id: request_id(&answer.headers).map(str::to_owned),
            })?;
        Ok(RawResponse {
            status: answer.status,
            headers: answer.headers,
            body: answer.body,
            operation,
        })
    }

    /// The error a non-2xx answer stands for: a 4xx/5xx is verified when it
    /// carries a signature (a bad one is [`Error::Verification`]) and
    /// becomes [`Error::Api`]; 1xx/3xx are [`Error::UnexpectedStatus`].
    pub(crate) async fn answer_error(&self, answer: Answer) -> Error {
        let Answer {
            status,
            headers,
            body,
        } = answer;
        let request_id = request_id(&headers).map(str::to_owned);
        if !(400..=599).contains(&status) {
            return Error::UnexpectedStatus { status, request_id };
        }
        let signature_verified = has_signature_headers(&headers);
        if signature_verified {
            if let Err(reason) = self
                .trust()
                .verify_answer(self, &headers, &body, Signed::Body)
                .await
            {
                return Error::Verification {
                    reason,
                    origin: Origin::Answer,
                    request_id,
                };
            }
        }
        api_error(status, &body, request_id, signature_verified)
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

/// A 4xx/5xx answer as [`Error::Api`], APIv3 and APIv2 alike: WeChat's
/// `{"code", "message", "detail"}` when the body has it, else the start of
/// the body as the message.
pub(crate) fn api_error(
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
