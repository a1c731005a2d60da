//! Response and callback verification: the `Wechatpay-*` headers, the 300 s
//! window, the `WECHATPAY/SIGNTEST/` probe, and the [`Verifier`] trait.

use base64::Engine;
use http::HeaderMap;

use crate::error::VerifyError;
use crate::keyring::{unix_now, Keyring, VerificationKey};
use crate::sign::{BoxFuture, AUTH_SCHEME};

/// Responses and callbacks older or newer than this (seconds) are refused.
pub const MAX_CLOCK_SKEW_SECS: u64 = 300;

/// The prefix of WeChat Pay's signature probe, which must never verify.
pub const SIGNTEST_PREFIX: &str = "WECHATPAY/SIGNTEST/";

/// Header names WeChat Pay signs with.
pub mod headers {
    /// Unix seconds of the signature.
    pub const TIMESTAMP: &str = "Wechatpay-Timestamp";
    /// The nonce of the signature.
    pub const NONCE: &str = "Wechatpay-Nonce";
    /// Base64 signature.
    pub const SIGNATURE: &str = "Wechatpay-Signature";
    /// Platform certificate serial or `PUB_KEY_ID_...` of the signing key.
    pub const SERIAL: &str = "Wechatpay-Serial";
    /// The signature algorithm.
    pub const SIGNATURE_TYPE: &str = "Wechatpay-Signature-Type";
    /// WeChat's id of the request.
    pub const REQUEST_ID: &str = "Request-ID";
    /// SHA-1 of an overseas statement body, signed in its place.
    pub const STATEMENT_SHA1: &str = "Wechatpay-Statement-Sha1";
}

/// A signed message taken from headers and body, before the key check.
///
/// Exhaustive on purpose: these five are what WeChat Pay's signature
/// scheme covers, and a [`Verifier`] may be handed one built elsewhere (a
/// recorded answer checked again later).
#[derive(Debug, Clone, Copy)]
pub struct SignedMessage<'a> {
    /// `Wechatpay-Serial`: which key signed.
    pub serial: &'a str,
    /// `Wechatpay-Timestamp`, exactly as received.
    pub timestamp: &'a str,
    /// `Wechatpay-Nonce`, exactly as received.
    pub nonce: &'a str,
    /// The decoded `Wechatpay-Signature`.
    pub signature: &'a [u8],
    /// The raw body bytes, exactly as received.
    pub body: &'a [u8],
}

impl SignedMessage<'_> {
    /// The message the signature covers: `TIMESTAMP\nNONCE\nBODY\n`.
    pub fn message(&self) -> Vec<u8> {
        response_message(self.timestamp, self.nonce, self.body)
    }
}

/// `TIMESTAMP\nNONCE\nBODY\n`, the message of response and callback signatures.
pub fn response_message(timestamp: &str, nonce: &str, body: &[u8]) -> Vec<u8> {
    let mut m = Vec::with_capacity(timestamp.len() + nonce.len() + body.len() + 3);
    m.extend_from_slice(timestamp.as_bytes());
    m.push(b'\n');
    m.extend_from_slice(nonce.as_bytes());
    m.push(b'\n');
    m.extend_from_slice(body);
    m.push(b'\n');
    m
}

/// Checks the signature of a WeChat Pay response or callback against trusted keys.
///
/// The client has already checked that the headers are present, the timestamp
/// is inside the window and the signature is not the SIGNTEST probe; a verifier
/// decides whether the key named by `serial` signed `message()`.
/// [`Keyring`] is the standard implementation.
pub trait Verifier: Send + Sync {
    /// Accepts or refuses a signed message.
    fn verify<'a>(
        &'a self,
        signed: &'a SignedMessage<'a>,
    ) -> BoxFuture<'a, Result<(), VerifyError>>;
}

impl Keyring {
    /// Verifies a signed message synchronously against this keyring.
    pub fn verify_message(&self, signed: &SignedMessage<'_>) -> Result<(), VerifyError> {
        let key = self
            .get(signed.serial)
            .ok_or_else(|| VerifyError::UnknownSerial(signed.serial.to_owned()))?;
        if let VerificationKey::Certificate(cert) = &key {
            if !cert.is_valid_at(unix_now()) {
                return Err(VerifyError::KeyNotValidNow(signed.serial.to_owned()));
            }
        }
        if key
            .public_key()
            .verify_sha256(&signed.message(), signed.signature)
        {
            Ok(())
        } else {
            Err(VerifyError::BadSignature)
        }
    }
}

impl Verifier for Keyring {
    fn verify<'a>(
        &'a self,
        signed: &'a SignedMessage<'a>,
    ) -> BoxFuture<'a, Result<(), VerifyError>> {
        Box::pin(std::future::ready(self.verify_message(signed)))
    }
}

/// The `Wechatpay-*` headers of a response or callback, checked for presence,
/// algorithm, the probe and the time window; the signature is decoded.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct SignatureHeaders {
    /// `Wechatpay-Serial`.
    pub serial: String,
    /// `Wechatpay-Timestamp` as received.
    pub timestamp: String,
    /// `Wechatpay-Nonce`.
    pub nonce: String,
    /// The decoded signature.
    pub signature: Vec<u8>,
}

impl SignatureHeaders {
    /// Reads and checks the headers (names are case-insensitive) at time `now` (unix seconds).
    pub fn from_headers(headers: &HeaderMap, now: i64) -> Result<Self, VerifyError> {
        let get = |name: &'static str| -> Result<&str, VerifyError> {
            let mut values = headers.get_all(name).iter();
            let value = values.next().ok_or(VerifyError::MissingHeader(name))?;
            if values.next().is_some() {
                // Which one was signed would be a guess: refuse both.
                return Err(VerifyError::InvalidHeader {
                    name,
                    reason: "given more than once".into(),
                });
            }
            value
                .to_str()
                .map(str::trim)
                .map_err(|_| VerifyError::InvalidHeader {
                    name,
                    reason: "not visible ASCII".into(),
                })
        };
        if headers
            .get_all(headers::SIGNATURE_TYPE)
            .iter()
            .nth(1)
            .is_some()
        {
            return Err(VerifyError::InvalidHeader {
                name: headers::SIGNATURE_TYPE,
                reason: "given more than once".into(),
            });
        }
        if let Some(kind) = headers.get(headers::SIGNATURE_TYPE) {
            if kind.as_bytes() != AUTH_SCHEME.as_bytes() {
                return Err(VerifyError::UnsupportedSignatureType(
                    String::from_utf8_lossy(kind.as_bytes()).into_owned(),
                ));
            }
        }
        let serial = get(headers::SERIAL)?;
        let timestamp = get(headers::TIMESTAMP)?;
        let nonce = get(headers::NONCE)?;
        let signature = get(headers::SIGNATURE)?;
        if signature.starts_with(SIGNTEST_PREFIX) {
            return Err(VerifyError::SignTestProbe);
        }
        let ts: i64 = timestamp.parse().map_err(|_| VerifyError::InvalidHeader {
            name: headers::TIMESTAMP,
            reason: format!("{timestamp:?} is not unix seconds"),
        })?;
        check_window(ts, now)?;
        if serial.is_empty() {
            return Err(VerifyError::InvalidHeader {
                name: headers::SERIAL,
                reason: "empty".into(),
            });
        }
        let signature = base64::engine::general_purpose::STANDARD
            .decode(signature)
            .map_err(|_| VerifyError::InvalidHeader {
                name: headers::SIGNATURE,
                reason: "not base64".into(),
            })?;
        Ok(Self {
            serial: serial.to_owned(),
            timestamp: timestamp.to_owned(),
            nonce: nonce.to_owned(),
            signature,
        })
    }

    /// Pairs the headers with the body they sign.
    pub fn with_body<'a>(&'a self, body: &'a [u8]) -> SignedMessage<'a> {
        SignedMessage {
            serial: &self.serial,
            timestamp: &self.timestamp,
            nonce: &self.nonce,
            signature: &self.signature,
            body,
        }
    }
}

/// Refuses a timestamp more than [`MAX_CLOCK_SKEW_SECS`] away from `now`.
pub fn check_window(timestamp: i64, now: i64) -> Result<(), VerifyError> {
    let skew = now.abs_diff(timestamp);
    if skew > MAX_CLOCK_SKEW_SECS {
        return Err(VerifyError::TimestampSkew {
            timestamp,
            skew,
            allowed: MAX_CLOCK_SKEW_SECS,
        });
    }
    Ok(())
}

/// Whether headers carry a WeChat Pay signature at all (used for error responses,
/// which gateways in front of WeChat may send unsigned).
pub fn has_signature_headers(headers: &HeaderMap) -> bool {
    headers.contains_key(headers::SIGNATURE)
}

/// Verifies headers + raw body with `verifier` at time `now`: the whole check
/// for a response or a callback.
pub async fn verify(
    verifier: &dyn Verifier,
    headers: &HeaderMap,
    body: &[u8],
    now: i64,
) -> Result<(), VerifyError> {
    let parsed = SignatureHeaders::from_headers(headers, now)?;
    verifier.verify(&parsed.with_body(body)).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn window_is_300_seconds_each_way() {
        assert!(check_window(1000, 1300).is_ok());
        assert!(check_window(1300, 1000).is_ok());
        assert!(matches!(
            check_window(1000, 1301),
            Err(VerifyError::TimestampSkew { skew: 301, .. })
        ));
        assert!(check_window(1301, 1000).is_err());
        assert!(check_window(i64::MIN, i64::MAX).is_err());
    }

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, v.parse().unwrap());
        }
        h
    }

    #[test]
    fn header_checks_give_distinct_errors() {
        let now = 1_700_000_000;
        let ts = now.to_string();
        let full = [
            ("wechatpay-serial", "PUB_KEY_ID_01"),
            ("wechatpay-timestamp", ts.as_str()),
            ("wechatpay-nonce", "abc"),
            ("wechatpay-signature", "AAAA"),
        ];
        assert!(SignatureHeaders::from_headers(&headers(&full), now).is_ok());
        for missing in 0..4 {
            let partial: Vec<_> = full
                .iter()
                .enumerate()
                .filter(|(i, _)| *i != missing)
                .map(|(_, p)| *p)
                .collect();
            assert!(matches!(
                SignatureHeaders::from_headers(&headers(&partial), now),
                Err(VerifyError::MissingHeader(_))
            ));
        }
        let mut probe = full;
        probe[3] = ("wechatpay-signature", "WECHATPAY/SIGNTEST/abc");
        assert_eq!(
            SignatureHeaders::from_headers(&headers(&probe), now).unwrap_err(),
            VerifyError::SignTestProbe
        );
        let mut stale = full;
        stale[1] = ("wechatpay-timestamp", "1");
        assert!(matches!(
            SignatureHeaders::from_headers(&headers(&stale), now),
            Err(VerifyError::TimestampSkew { .. })
        ));
        let mut bad_ts = full;
        bad_ts[1] = ("wechatpay-timestamp", "soon");
        assert!(matches!(
            SignatureHeaders::from_headers(&headers(&bad_ts), now),
            Err(VerifyError::InvalidHeader { .. })
        ));
        let mut bad_b64 = full;
        bad_b64[3] = ("wechatpay-signature", "***");
        assert!(matches!(
            SignatureHeaders::from_headers(&headers(&bad_b64), now),
            Err(VerifyError::InvalidHeader { .. })
        ));
        let mut typed: Vec<_> = full.to_vec();
        typed.push(("wechatpay-signature-type", "WECHATPAY2-SM2-WITH-SM3"));
        assert!(matches!(
            SignatureHeaders::from_headers(&headers(&typed), now),
            Err(VerifyError::UnsupportedSignatureType(_))
        ));
    }
}
