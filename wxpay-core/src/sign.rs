//! Request signing: the message, the `Authorization` header, and the
//! [`Signer`] trait for keys that live elsewhere (a signing service, an HSM).

use std::fmt;
use std::future::Future;
use std::pin::Pin;

use base64::Engine;

use crate::crypto::PrivateKey;
use crate::error::Error;

/// The `Authorization` scheme WeChat Pay APIv3 uses.
pub const AUTH_SCHEME: &str = "WECHATPAY2-SHA256-RSA2048";

/// A boxed future, as object-safe async traits return.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Signs request messages with the merchant API private key.
///
/// Implement it to keep the key out of the process (a remote signing service,
/// an HSM); [`PrivateKey`] implements it for the common case.
pub trait Signer: Send + Sync {
    /// Returns the RSASSA-PKCS1-v1_5 SHA-256 signature of `message` (raw bytes).
    fn sign<'a>(&'a self, message: &'a [u8]) -> BoxFuture<'a, Result<Vec<u8>, Error>>;
}

impl Signer for PrivateKey {
    fn sign<'a>(&'a self, message: &'a [u8]) -> BoxFuture<'a, Result<Vec<u8>, Error>> {
        Box::pin(std::future::ready(self.sign_sha256(message)))
    }
}

/// The five-line message a request signature covers:
/// `METHOD\nTARGET\nTIMESTAMP\nNONCE\nBODY\n`, where TARGET is the path with
/// its `?query` exactly as sent and BODY the exact bytes sent (empty if none).
pub fn request_message(
    method: &str,
    target: &str,
    timestamp: &str,
    nonce: &str,
    body: &[u8],
) -> Vec<u8> {
    let mut m = Vec::with_capacity(
        method.len() + target.len() + timestamp.len() + nonce.len() + body.len() + 5,
    );
    for part in [
        method.as_bytes(),
        target.as_bytes(),
        timestamp.as_bytes(),
        nonce.as_bytes(),
        body,
    ] {
        m.extend_from_slice(part);
        m.push(b'\n');
    }
    #[cfg(feature = "test-faults")]
    crate::test_faults::apply_to_signing_message(&mut m);
    m
}

/// The parts of an `Authorization: WECHATPAY2-SHA256-RSA2048 ...` header, as
/// [`authorize`] makes them; `Display` writes the header value.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Authorization {
    /// Merchant id.
    pub mchid: String,
    /// The 32-character nonce.
    pub nonce_str: String,
    /// Unix seconds, as text.
    pub timestamp: String,
    /// Merchant API certificate serial (uppercase hex).
    pub serial_no: String,
    /// Base64 signature.
    pub signature: String,
}

impl Authorization {
    /// Parses a header value; field order is free, every field required once
    /// ([`unstable::parse_authorization`](crate::unstable::parse_authorization)).
    pub(crate) fn parse(header: &str) -> Result<Self, String> {
        let rest = header
            .strip_prefix(AUTH_SCHEME)
            .and_then(|r| r.strip_prefix(' '))
            .ok_or_else(|| format!("scheme is not {AUTH_SCHEME}"))?;
        let (mut mchid, mut nonce, mut ts, mut serial, mut sig) = (None, None, None, None, None);
        for part in rest.split(',') {
            let (key, value) = part
                .trim()
                .split_once('=')
                .ok_or_else(|| format!("`{part}` is not key=\"value\""))?;
            let value = value
                .strip_prefix('"')
                .and_then(|v| v.strip_suffix('"'))
                .ok_or_else(|| format!("value of `{key}` is not quoted"))?
                .to_owned();
            let slot = match key {
                "mchid" => &mut mchid,
                "nonce_str" => &mut nonce,
                "timestamp" => &mut ts,
                "serial_no" => &mut serial,
                "signature" => &mut sig,
                other => return Err(format!("unknown field `{other}`")),
            };
            if slot.replace(value).is_some() {
                return Err(format!("field `{key}` repeated"));
            }
        }
        let need = |v: Option<String>, name: &str| v.ok_or_else(|| format!("missing `{name}`"));
        Ok(Self {
            mchid: need(mchid, "mchid")?,
            nonce_str: need(nonce, "nonce_str")?,
            timestamp: need(ts, "timestamp")?,
            serial_no: need(serial, "serial_no")?,
            signature: need(sig, "signature")?,
        })
    }
}

impl fmt::Display for Authorization {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{AUTH_SCHEME} mchid=\"{}\",nonce_str=\"{}\",timestamp=\"{}\",serial_no=\"{}\",signature=\"{}\"",
            self.mchid, self.nonce_str, self.timestamp, self.serial_no, self.signature
        )
    }
}

/// What one request signature covers.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct SignInput<'a> {
    /// `GET`, `POST`, ...
    pub method: &'a str,
    /// Path and `?query` exactly as sent.
    pub target: &'a str,
    /// Unix seconds.
    pub timestamp: i64,
    /// The 32-character nonce.
    pub nonce: &'a str,
    /// The exact body bytes sent (empty if none).
    pub body: &'a [u8],
}

impl<'a> SignInput<'a> {
    /// What a request sent as `method target` with `body` (empty if none)
    /// signs, at `timestamp` (Unix seconds) with `nonce` (32 characters of
    /// `[0-9A-Za-z]`, new for every request).
    pub fn new(
        method: crate::Method,
        target: &'a str,
        timestamp: i64,
        nonce: &'a str,
        body: &'a [u8],
    ) -> Self {
        Self {
            method: method.as_str(),
            target,
            timestamp,
            nonce,
            body,
        }
    }
}

/// Signs one request: builds the message over the exact target and body,
/// signs it and returns the `Authorization` header.
pub async fn authorize(
    signer: &dyn Signer,
    mchid: &str,
    serial_no: &str,
    input: SignInput<'_>,
) -> Result<Authorization, Error> {
    let timestamp = input.timestamp.to_string();
    let message = request_message(
        input.method,
        input.target,
        &timestamp,
        input.nonce,
        input.body,
    );
    let signature = signer.sign(&message).await?;
    Ok(Authorization {
        mchid: mchid.to_owned(),
        nonce_str: input.nonce.to_owned(),
        timestamp,
        serial_no: serial_no.to_owned(),
        signature: base64::engine::general_purpose::STANDARD.encode(signature),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_has_five_lines_each_ending_in_newline() {
        let m = request_message(
            "GET",
            "/v3/certificates",
            "1554208460",
            "593BEC0C930BF1AFEB40B4A08C8FB242",
            b"",
        );
        assert_eq!(
            m,
            b"GET\n/v3/certificates\n1554208460\n593BEC0C930BF1AFEB40B4A08C8FB242\n\n"
        );
    }

    #[test]
    fn authorization_round_trips_and_rejects_garbage() {
        let a = Authorization {
            mchid: "1900009191".into(),
            nonce_str: "593BEC0C930BF1AFEB40B4A08C8FB242".into(),
            timestamp: "1554208460".into(),
            serial_no: "1DDE55AD98ED71D6EDD4A4A16996DE7B47773A8C".into(),
            signature: "uOVRnA4qG/MNnYzdQxJanN+zU+lTgIcnU9BxGw5dKjK+VdEUz2FeIoC+D5sB/LN+nGzX3hfZg6r5wT1pl2ZobmIc6p0ldN7J6yDgUzbX8Uk3sD4a4eZVPTBvqNDoUqcYMlZ9uuDdCvNv4TM3c1WzsXUrExwVkI1XO5jCNbgDJ25nkT/c1gIFvqoogl7MdSFGc4W4xZsqCItnqbypR3RuGIlR9h9vlRsy7zJR9PBI83X8alLDIfR1ukt1P7tMnmogZ0cuDY8cZsd8ZlCgLadmvej58SLsIkVxFJ8XyUgx9FmutKSYTmYtWBZ0+tNvfGmbXU7cob8H/4nLBiCwIUFluw==".into(),
        };
        let header = a.to_string();
        assert!(header.starts_with("WECHATPAY2-SHA256-RSA2048 mchid=\"1900009191\",nonce_str="));
        assert_eq!(Authorization::parse(&header).unwrap(), a);
        // Field order is free.
        let reordered = format!(
            "{AUTH_SCHEME} signature=\"{}\",serial_no=\"{}\",timestamp=\"{}\",nonce_str=\"{}\",mchid=\"{}\"",
            a.signature, a.serial_no, a.timestamp, a.nonce_str, a.mchid
        );
        assert_eq!(Authorization::parse(&reordered).unwrap(), a);
        for bad in [
            "Bearer x",
            "WECHATPAY2-SHA256-RSA2048 mchid=\"1\"",
            "WECHATPAY2-SHA256-RSA2048 mchid=1,nonce_str=\"a\",timestamp=\"1\",serial_no=\"s\",signature=\"x\"",
            "WECHATPAY2-SHA256-RSA2048 mchid=\"1\",mchid=\"2\",nonce_str=\"a\",timestamp=\"1\",serial_no=\"s\",signature=\"x\"",
        ] {
            assert!(Authorization::parse(bad).is_err(), "{bad}");
        }
    }
}
