//! The one error type of the crate.

use std::fmt;

/// Everything that can go wrong calling WeChat Pay.
///
/// `Display` says what failed and never repeats its [`source`](std::error::Error::source),
/// which says why: print the chain (or use [`Error::report`]) to see both.
///
/// Match on the variant to decide what to do: [`Error::Api`] is WeChat's answer
/// (look at [`ApiError::code`]); [`Error::Verification`] means the response
/// could not be trusted and must not be acted on; [`Error::Transport`] and
/// [`Error::Timeout`] mean the outcome is unknown (query before retrying a
/// payment operation).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// WeChat Pay answered with a 4xx/5xx error.
    #[error("{0}")]
    Api(Box<ApiError>),

    /// The response (or callback) failed signature verification and was discarded.
    #[error("response verification failed{}", RequestIdSuffix(.request_id))]
    Verification {
        /// Why verification failed.
        source: VerifyError,
        /// The `Request-ID` header, if the response had one.
        request_id: Option<String>,
    },

    /// The request could not be sent or the response could not be read.
    #[error("transport error")]
    Transport(#[source] Box<dyn std::error::Error + Send + Sync>),

    /// The request or the connection timed out.
    #[error("request timed out")]
    Timeout,

    /// A verified response body could not be decoded into the expected type.
    #[error("cannot decode response (HTTP {status}): {message}; body starts: {body_excerpt:?}{}", RequestIdSuffix(.request_id))]
    Decode {
        /// HTTP status of the response.
        status: u16,
        /// What the decoder said.
        message: String,
        /// The first bytes of the body, lossily decoded as UTF-8.
        body_excerpt: String,
        /// The `Request-ID` header, if any.
        request_id: Option<String>,
    },

    /// The response had a status this client does not accept (1xx, 3xx: redirects are never followed).
    #[error("unexpected HTTP status {status}{}", RequestIdSuffix(.request_id))]
    UnexpectedStatus {
        /// HTTP status of the response.
        status: u16,
        /// The `Request-ID` header, if any.
        request_id: Option<String>,
    },

    /// The response body was larger than the configured limit.
    #[error("response body exceeds the limit of {limit} bytes")]
    ResponseTooLarge {
        /// The configured limit.
        limit: usize,
    },

    /// The request could not be encoded (bad path value, query or body).
    #[error("invalid request: {0}")]
    InvalidRequest(String),

    /// The client or a key is misconfigured.
    #[error("configuration error: {0}")]
    Config(String),

    /// A key or certificate could not be loaded.
    #[error(transparent)]
    Key(#[from] KeyError),

    /// Signing the request failed (e.g. a remote signer was unreachable).
    #[error("signing failed")]
    Signing(#[source] Box<dyn std::error::Error + Send + Sync>),

    /// Encryption or decryption failed (AES-GCM, RSA-OAEP).
    #[error("crypto error")]
    Crypto(#[from] CryptoError),

    /// An APIv2 call failed: WeChat's `return_code`/`result_code`, refused
    /// XML, a missing merchant certificate (see [`V2Error`](crate::v2::V2Error)).
    #[error(transparent)]
    V2(#[from] crate::v2::V2Error),

    /// A shared store (Redis, with `wxpay-redis`) could not be read or
    /// written; see [`store`](crate::store) for what goes on meanwhile.
    #[error("the shared state store failed")]
    Store(#[source] crate::store::StoreError),

    /// A merchant of a [`MerchantRegistry`](crate::registry::MerchantRegistry)
    /// is unknown, its credentials could not be loaded, or a notification
    /// names no merchant the registry can find.
    #[error(transparent)]
    Merchant(#[from] crate::registry::MerchantError),
}

impl Error {
    /// The `Request-ID` of the response this error came from, if any. Quote it
    /// when asking WeChat Pay support about a failed call.
    pub fn request_id(&self) -> Option<&str> {
        match self {
            Error::Api(e) => e.request_id.as_deref(),
            Error::Verification { request_id, .. }
            | Error::Decode { request_id, .. }
            | Error::UnexpectedStatus { request_id, .. } => request_id.as_deref(),
            _ => None,
        }
    }

    /// The error and each of its sources, joined by `: `, e.g.
    /// `response verification failed: signature does not match`.
    pub fn report(&self) -> String {
        report(self)
    }

    /// The WeChat error details if this is an API error.
    pub fn as_api(&self) -> Option<&ApiError> {
        match self {
            Error::Api(e) => Some(e),
            _ => None,
        }
    }
}

/// `error: source: source ...`, each level once.
pub(crate) fn report(error: &dyn std::error::Error) -> String {
    let mut out = error.to_string();
    let mut source = error.source();
    while let Some(e) = source {
        out.push_str(": ");
        out.push_str(&e.to_string());
        source = e.source();
    }
    out
}

struct RequestIdSuffix<'a>(&'a Option<String>);

impl fmt::Display for RequestIdSuffix<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(id) => write!(f, " (Request-ID {id})"),
            None => Ok(()),
        }
    }
}

/// An error answer from WeChat Pay: `{"code": ..., "message": ..., "detail": ...}`.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ApiError {
    /// HTTP status.
    pub status: u16,
    /// WeChat's error code, e.g. `PARAM_ERROR`, `RESOURCE_NOT_EXISTS`. Empty if the body had none.
    pub code: String,
    /// WeChat's message.
    pub message: String,
    /// The `detail` object, if present.
    pub detail: Option<serde_json::Value>,
    /// The `Request-ID` header.
    pub request_id: Option<String>,
    /// Whether the error response carried a valid WeChat Pay signature.
    ///
    /// Signed error responses are always verified (a bad signature gives
    /// [`Error::Verification`] instead). Error answers from in front of WeChat
    /// (gateways, load balancers) are unsigned: they are reported with `false`
    /// here, so do not act on their `code` as if WeChat had said it.
    pub signature_verified: bool,
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "WeChat Pay error HTTP {}", self.status)?;
        if !self.code.is_empty() {
            write!(f, " {}", self.code)?;
        }
        if !self.message.is_empty() {
            write!(f, ": {}", self.message)?;
        }
        if !self.signature_verified {
            f.write_str(" [unsigned]")?;
        }
        RequestIdSuffix(&self.request_id).fmt(f)
    }
}

/// Why a response or callback signature was not accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum VerifyError {
    /// A required `Wechatpay-*` header is absent.
    #[error("missing header {0}")]
    MissingHeader(&'static str),
    /// A header is present but not valid (not ASCII, not a number, bad base64 ...).
    #[error("invalid header {name}: {reason}")]
    InvalidHeader {
        /// The header.
        name: &'static str,
        /// What is wrong with it.
        reason: String,
    },
    /// `Wechatpay-Signature-Type` names an algorithm this client does not implement.
    #[error("unsupported signature type {0:?}")]
    UnsupportedSignatureType(String),
    /// `Wechatpay-Serial` names no certificate or public key this client trusts.
    #[error("unknown Wechatpay-Serial {0:?}: no platform certificate or public key with that serial is configured")]
    UnknownSerial(String),
    /// The trusted certificate for this serial is expired or not yet valid.
    #[error("platform certificate {0:?} is not valid at this time")]
    KeyNotValidNow(String),
    /// `Wechatpay-Timestamp` is more than the allowed window away from now.
    #[error("timestamp {timestamp} is {skew} s away from local time (allowed: {allowed} s)")]
    TimestampSkew {
        /// The header value.
        timestamp: i64,
        /// |now - timestamp| in seconds.
        skew: u64,
        /// The allowed window in seconds.
        allowed: u64,
    },
    /// The signature is WeChat Pay's `WECHATPAY/SIGNTEST/` probe, which never verifies.
    #[error("signature is a WECHATPAY/SIGNTEST/ probe")]
    SignTestProbe,
    /// The signature does not match the message.
    #[error("signature does not match")]
    BadSignature,
    /// The same signed delivery was seen before (a replay), refused by
    /// [`Notifier::with_replay_guard`](crate::notify::Notifier::with_replay_guard).
    #[error("this delivery was seen before (replayed)")]
    Replayed,
    /// A body-hash check (e.g. `Wechatpay-Statement-Sha1`) failed.
    #[error("body hash mismatch: expected {expected}, got {actual}")]
    HashMismatch {
        /// The hash the signed header promises.
        expected: String,
        /// The hash of the bytes received.
        actual: String,
    },
    /// A custom verifier refused the message.
    #[error("{0}")]
    Other(String),
}

/// A key or certificate could not be loaded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum KeyError {
    /// The input holds no PEM block at all.
    #[error("no PEM block found (expected `-----BEGIN {expected}-----`)")]
    NotPem {
        /// What was expected.
        expected: &'static str,
    },
    /// The PEM block is of another kind than expected.
    #[error("found a PEM `{found}` block where {expected} was expected")]
    WrongPemLabel {
        /// The label that was found.
        found: String,
        /// What was expected.
        expected: &'static str,
    },
    /// The private key is encrypted (`ENCRYPTED PRIVATE KEY`).
    #[error("the private key is encrypted; decrypt it first (e.g. `openssl pkcs8 -in key.pem -nocrypt -out apiclient_key.pem`)")]
    Encrypted,
    /// The key is not an RSA key.
    #[error("expected an RSA key, found {0}")]
    NotRsa(String),
    /// The RSA key has the wrong size.
    #[error("expected an RSA-2048 key, found RSA-{0}")]
    WrongSize(usize),
    /// The DER inside is malformed.
    #[error("malformed {what}: {reason}")]
    Malformed {
        /// What was being parsed.
        what: &'static str,
        /// The parser's complaint.
        reason: String,
    },
    /// The file could not be read.
    #[error("cannot read {path}: {reason}")]
    Io {
        /// The file.
        path: String,
        /// The I/O error.
        reason: String,
    },
}

/// Encryption or decryption failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CryptoError {
    /// The APIv3 key is not 32 bytes of ASCII.
    #[error("the APIv3 key must be exactly 32 ASCII characters, got {0} bytes")]
    InvalidApiV3Key(usize),
    /// The AES-GCM nonce is not 12 bytes.
    #[error("the AES-GCM nonce must be 12 bytes, got {0}")]
    InvalidNonce(usize),
    /// Ciphertext is not valid base64.
    #[error("ciphertext is not valid base64")]
    InvalidBase64,
    /// Ciphertext is shorter than its 16-byte tag.
    #[error("ciphertext is truncated ({0} bytes, shorter than the 16-byte tag)")]
    Truncated(usize),
    /// AES-GCM authentication failed: wrong APIv3 key, tampered data or wrong associated data.
    #[error("AES-GCM decryption failed: wrong APIv3 key, or tampered ciphertext, nonce or associated data")]
    AeadAuthentication,
    /// RSA-OAEP failed.
    #[error("RSA-OAEP {0}")]
    Oaep(&'static str),
    /// The decrypted bytes are not UTF-8.
    #[error("decrypted data is not UTF-8")]
    NotUtf8,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_error_display_names_code_and_request_id() {
        let e = Error::Api(Box::new(ApiError {
            status: 400,
            code: "PARAM_ERROR".into(),
            message: "sub_mchid is missing".into(),
            detail: None,
            request_id: Some("08F4".into()),
            signature_verified: true,
        }));
        assert_eq!(
            e.to_string(),
            "WeChat Pay error HTTP 400 PARAM_ERROR: sub_mchid is missing (Request-ID 08F4)"
        );
        assert_eq!(e.request_id(), Some("08F4"));
    }
}
