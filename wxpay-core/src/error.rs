//! The one error type of the crate.

use std::fmt;

/// Everything that can go wrong calling WeChat Pay or reading what it sent.
///
/// `Display` tells the whole story: what failed, why, and what to fix where
/// there is something to fix, so `{e}` alone is enough to act on. No error
/// of this crate returns a [`source`](std::error::Error::source): the cause
/// is part of the message, and stays typed in the variant's fields (e.g.
/// [`Error::Verification`]'s `reason`) for code that matches on it.
///
/// Match on the variant to decide what to do: [`Error::Api`] is WeChat's answer
/// (look at [`ApiError::code`]); [`Error::Verification`] means the answer or
/// callback could not be trusted and must not be acted on; [`Error::Transport`]
/// and [`Error::Timeout`] mean the outcome is unknown (query before retrying a
/// payment operation). [`Origin`] tells an answer from a callback where both
/// can fail the same way.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// WeChat Pay answered with a 4xx/5xx error.
    #[error("{0}")]
    Api(Box<ApiError>),

    /// An answer or a callback failed signature verification and was discarded.
    #[error("{}", VerificationMessage { reason, origin: *origin, request_id })]
    Verification {
        /// Why verification failed.
        reason: VerifyError,
        /// An answer to a request, or a callback.
        origin: Origin,
        /// The `Request-ID` header, if there was one.
        request_id: Option<String>,
    },

    /// The request could not be sent or the answer could not be read: the
    /// outcome is unknown.
    #[error("cannot reach WeChat Pay: {}; the outcome is unknown: query before retrying a payment operation", Chain(&**.0))]
    Transport(Box<dyn std::error::Error + Send + Sync>),

    /// The request or the connection timed out.
    #[error(
        "the request timed out; the outcome is unknown: query before retrying a payment operation"
    )]
    Timeout,

    /// A verified answer or callback could not be decoded into the expected type.
    #[error("{}", DecodeMessage { origin: *origin, message, body_excerpt, request_id })]
    Decode {
        /// An answer to a request, or a callback.
        origin: Origin,
        /// What could not be decoded into what, and what the decoder said.
        message: String,
        /// The first bytes of the body, lossily decoded as UTF-8; empty when
        /// the body is not shown (a decrypted callback resource may hold
        /// personal data).
        body_excerpt: String,
        /// The `Request-ID` header, if any.
        request_id: Option<String>,
    },

    /// The answer had a status this client does not accept (1xx, 3xx: redirects are never followed).
    #[error("WeChat Pay answered with HTTP {status}, which this client does not accept (redirects are never followed: is the base URL right?){}", RequestIdSuffix(.request_id))]
    UnexpectedStatus {
        /// HTTP status of the answer.
        status: u16,
        /// The `Request-ID` header, if any.
        request_id: Option<String>,
    },

    /// An answer or a callback body was larger than the configured limit.
    #[error("{} body exceeds the limit of {limit} bytes{}", origin.the_body(), origin.limit_hint())]
    BodyTooLarge {
        /// An answer to a request (or a download), or a callback.
        origin: Origin,
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
    #[error("signing the request failed: {}", Chain(&**.0))]
    Signing(Box<dyn std::error::Error + Send + Sync>),

    /// Encryption or decryption failed: AES-GCM with the APIv3 key
    /// (callbacks, certificate listings), RSA-OAEP (sensitive fields).
    #[error("cannot {what}: {reason}")]
    Crypto {
        /// What was being encrypted or decrypted, e.g. `decrypt the
        /// callback's resource`.
        what: &'static str,
        /// Why it failed.
        reason: CryptoError,
    },

    /// An APIv2 call failed: WeChat's `return_code`/`result_code`, refused
    /// XML, a missing merchant certificate (see [`V2Error`](crate::v2::V2Error)).
    #[error(transparent)]
    V2(#[from] crate::v2::V2Error),

    /// A shared store (Redis, with `wxpay-redis`) could not be read or
    /// written; see [`store`](crate::store) for what goes on meanwhile.
    #[error("the shared state store failed: {0}")]
    Store(crate::store::StoreError),

    /// A merchant of a [`MerchantRegistry`](crate::registry::MerchantRegistry)
    /// is unknown, its credentials could not be loaded, or a notification
    /// names no merchant the registry can find.
    #[error(transparent)]
    Merchant(#[from] crate::registry::MerchantError),
}

/// Where a message that failed came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Origin {
    /// An answer to a request this client sent (a download included).
    Answer,
    /// A callback (notification) WeChat Pay posted to the merchant's server.
    Callback,
}

impl Origin {
    fn the_body(self) -> &'static str {
        match self {
            Origin::Answer => "the answer's",
            Origin::Callback => "the callback's",
        }
    }

    fn limit_hint(self) -> &'static str {
        match self {
            Origin::Answer => " (raise it with ClientBuilder::max_response_bytes, or max_download_bytes for a file)",
            Origin::Callback => {
                " (WeChat Pay's callbacks are a few KiB: is this a callback? Notifier::with_max_body_bytes sets the limit)"
            }
        }
    }
}

impl Error {
    /// The `Request-ID` of the answer or callback this error came from, if
    /// any. Quote it when asking WeChat Pay support about a failed call.
    pub fn request_id(&self) -> Option<&str> {
        match self {
            Error::Api(e) => e.request_id.as_deref(),
            Error::Verification { request_id, .. }
            | Error::Decode { request_id, .. }
            | Error::UnexpectedStatus { request_id, .. } => request_id.as_deref(),
            _ => None,
        }
    }

    /// The WeChat error details if this is an API error.
    pub fn as_api(&self) -> Option<&ApiError> {
        match self {
            Error::Api(e) => Some(e),
            _ => None,
        }
    }

    /// An AES-GCM or RSA-OAEP failure while doing `what`.
    pub(crate) fn crypto(what: &'static str) -> impl Fn(CryptoError) -> Error {
        move |reason| Error::Crypto { what, reason }
    }
}

/// A foreign error and its sources, `: `-joined, each text once (a wrapper
/// that repeats its cause is said once).
struct Chain<'a>(&'a (dyn std::error::Error + 'static));

/// An error and its causes in one line (`what: why: why`), each cause
/// once: for errors of other crates, which keep their causes in `source`.
pub(crate) fn report(error: &(dyn std::error::Error + 'static)) -> String {
    Chain(error).to_string()
}

impl fmt::Display for Chain<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut last = self.0.to_string();
        f.write_str(&last)?;
        let mut source = self.0.source();
        while let Some(e) = source {
            let text = e.to_string();
            if !last.contains(&text) {
                write!(f, ": {text}")?;
            }
            last = text;
            source = e.source();
        }
        Ok(())
    }
}

struct VerificationMessage<'a> {
    reason: &'a VerifyError,
    origin: Origin,
    request_id: &'a Option<String>,
}

impl fmt::Display for VerificationMessage<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.origin {
            Origin::Answer => write!(
                f,
                "the answer failed signature verification and was discarded (do not act on it): {}",
                self.reason
            )?,
            Origin::Callback => write!(
                f,
                "the callback failed signature verification and was refused: {}",
                self.reason
            )?,
        }
        match (self.origin, self.reason) {
            (Origin::Callback, VerifyError::BadSignature) => f.write_str(
                "; pass the raw body bytes exactly as received: a web framework that parses \
                 and re-serialises the JSON (key order, spaces, escapes) changes what was signed. \
                 If the body is raw, the key configured for this serial is not WeChat Pay's",
            )?,
            (Origin::Answer, VerifyError::BadSignature) => f.write_str(
                "; the key configured for this serial is not WeChat Pay's (was the merchant \
                 certificate configured as the platform certificate?), or something between \
                 changed the answer",
            )?,
            (Origin::Callback, VerifyError::MissingHeader(_)) => f.write_str(
                "; WeChat Pay signs every callback: pass all the request's headers, or the \
                 request did not come from WeChat Pay",
            )?,
            _ => {}
        }
        RequestIdSuffix(self.request_id).fmt(f)
    }
}

struct DecodeMessage<'a> {
    origin: Origin,
    message: &'a str,
    body_excerpt: &'a str,
    request_id: &'a Option<String>,
}

impl fmt::Display for DecodeMessage<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.origin {
            Origin::Answer => write!(f, "cannot decode the answer: {}", self.message)?,
            Origin::Callback => write!(f, "cannot decode the callback: {}", self.message)?,
        }
        if !self.body_excerpt.is_empty() {
            write!(f, "; body starts: {:?}", self.body_excerpt)?;
        }
        RequestIdSuffix(self.request_id).fmt(f)
    }
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
    #[error("unknown Wechatpay-Serial {serial:?}: no platform certificate or public key with that serial is configured{fix}", serial = .0, fix = unknown_serial_fix(.0))]
    UnknownSerial(String),
    /// The trusted certificate for this serial is expired or not yet valid.
    #[error("platform certificate {0:?} is expired or not yet valid: download the current ones (ClientBuilder::auto_certificates keeps them current)")]
    KeyNotValidNow(String),
    /// `Wechatpay-Timestamp` is more than the allowed window away from now.
    #[error("Wechatpay-Timestamp {timestamp} is {skew} s away from local time (allowed: {allowed} s): check the local clock, or this is an old message replayed")]
    TimestampSkew {
        /// The header value.
        timestamp: i64,
        /// |now - timestamp| in seconds.
        skew: u64,
        /// The allowed window in seconds.
        allowed: u64,
    },
    /// The signature is WeChat Pay's `WECHATPAY/SIGNTEST/` probe, which never verifies.
    #[error("the signature is a WECHATPAY/SIGNTEST/ probe, which WeChat Pay sends to check that signatures are verified: refusing it is right")]
    SignTestProbe,
    /// The signature does not match the message.
    #[error("the signature does not match")]
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

/// What to do about an unknown serial: a public key id is configured by
/// hand; a platform certificate serial is downloaded.
fn unknown_serial_fix(serial: &str) -> &'static str {
    if serial.starts_with(crate::keyring::PUBLIC_KEY_ID_PREFIX) {
        ": configure WeChat Pay's public key with this id (pub_key.pem from the merchant platform, ClientBuilder::wechatpay_public_key)"
    } else {
        ": configure that platform certificate, or let the client download them (ClientBuilder::auto_certificates)"
    }
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
    #[error("the APIv3 key must be exactly 32 ASCII characters (the APIv3 key set in the merchant platform), got {0} bytes")]
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
    #[error("AES-GCM decryption failed: the APIv3 key is most likely wrong (it must be the 32-character APIv3 key set in the merchant platform, not the APIv2 key); otherwise the ciphertext, nonce or associated data was altered")]
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
