//! APIv2 signatures: fields sorted by name, `sign` and empty values skipped,
//! `k=v&...&key=SECRET`, then upper-case hex MD5 or HMAC-SHA256 (keyed with
//! the APIv2 key).

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use hmac::{Hmac, Mac};
use md5::{Digest, Md5};
use sha2::Sha256;
use zeroize::Zeroizing;

use super::error::V2Error;
use crate::error::{Error, Origin, VerifyError};

/// The APIv2 key (API密钥), set in the merchant platform: the secret every
/// APIv2 sign is made with. It never appears in `Debug` and is wiped from
/// memory when the last clone is dropped.
#[derive(Clone)]
pub struct ApiV2Key(Arc<Zeroizing<String>>);

impl ApiV2Key {
    /// Checks and wraps the key text (WeChat issues 32 characters; any
    /// non-empty printable ASCII is accepted).
    ///
    /// ```
    /// let key = wxpay_core::v2::ApiV2Key::new("192006250b4c09247ec02edce69f6a2d")?;
    /// assert_eq!(format!("{key:?}"), "ApiV2Key(<redacted>)");
    /// # Ok::<(), wxpay_core::v2::V2Error>(())
    /// ```
    pub fn new(key: &str) -> Result<Self, V2Error> {
        if key.is_empty() || !key.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(V2Error::InvalidKey(key.len()));
        }
        Ok(Self(Arc::new(Zeroizing::new(key.to_owned()))))
    }

    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for ApiV2Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiV2Key(<redacted>)")
    }
}

/// How a request is signed (`sign_type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum SignType {
    /// Upper-case hex MD5 (the default; `sign_type` may be omitted).
    #[default]
    Md5,
    /// Upper-case hex HMAC-SHA256 keyed with the APIv2 key (`sign_type=HMAC-SHA256`).
    HmacSha256,
}

impl SignType {
    /// The `sign_type` value.
    pub fn as_str(self) -> &'static str {
        match self {
            SignType::Md5 => "MD5",
            SignType::HmacSha256 => "HMAC-SHA256",
        }
    }

    /// The type a received `sign` was made with: 64 hex digits mean
    /// HMAC-SHA256, anything else is checked as MD5.
    pub fn of_sign(sign: &str) -> Self {
        if sign.len() == 64 {
            SignType::HmacSha256
        } else {
            SignType::Md5
        }
    }
}

/// The text that is hashed, without the trailing `&key=...`: fields in
/// byte order of their names, `sign` and empty values skipped.
///
/// ```
/// use std::collections::BTreeMap;
/// let fields = BTreeMap::from([
///     ("mch_id".to_owned(), "10000100".to_owned()),
///     ("body".to_owned(), "test".to_owned()),
///     ("empty".to_owned(), String::new()),
///     ("sign".to_owned(), "X".to_owned()),
/// ]);
/// assert_eq!(wxpay_core::v2::string_to_sign(&fields), "body=test&mch_id=10000100");
/// ```
pub fn string_to_sign(fields: &BTreeMap<String, String>) -> String {
    let mut out = String::new();
    for (k, v) in fields {
        if k == "sign" || v.is_empty() {
            continue;
        }
        if !out.is_empty() {
            out.push('&');
        }
        out.push_str(k);
        out.push('=');
        out.push_str(v);
    }
    out
}

/// Signs `fields` (any `sign` among them is ignored): upper-case hex.
pub fn sign(fields: &BTreeMap<String, String>, key: &ApiV2Key, sign_type: SignType) -> String {
    let mut message = Zeroizing::new(string_to_sign(fields));
    if !message.is_empty() {
        message.push('&');
    }
    message.push_str("key=");
    message.push_str(key.expose());
    let digest = digest_hex(message.as_bytes(), key.expose().as_bytes(), sign_type);
    scrub_stack();
    digest
}

/// The hash itself, in its own frame so that [`scrub_stack`] can wipe what
/// the hashers leave behind (their block buffers hold the message's tail,
/// which is the key).
#[inline(never)]
fn digest_hex(message: &[u8], key: &[u8], sign_type: SignType) -> String {
    match sign_type {
        SignType::Md5 => hex_upper(&Md5::digest(message)),
        SignType::HmacSha256 => {
            let Ok(mut mac) = <Hmac<Sha256> as Mac>::new_from_slice(key) else {
                unreachable!("HMAC takes keys of any length")
            };
            mac.update(message);
            hex_upper(&mac.finalize().into_bytes())
        }
    }
}

/// Overwrites the stack just below the caller, where the hashers' frames
/// were: MD5, SHA-256 and HMAC keep copies of the last block (the key) in
/// buffers and locals that are not wiped when they return.
#[inline(never)]
pub(crate) fn scrub_stack() {
    let mut area = [0u8; 8 * 1024];
    zeroize::Zeroize::zeroize(&mut area[..]);
    std::hint::black_box(&area);
}

/// Checks the `sign` of received fields; its type is read from its length
/// (64 characters: HMAC-SHA256), whatever `sign_type` says. The comparison
/// takes the same time wherever the first difference is.
pub fn verify(fields: &BTreeMap<String, String>, key: &ApiV2Key) -> Result<(), Error> {
    verify_from(fields, key, Origin::Answer)
}

/// [`verify`] of fields from `origin` (an answer, or a notification).
pub(crate) fn verify_from(
    fields: &BTreeMap<String, String>,
    key: &ApiV2Key,
    origin: Origin,
) -> Result<(), Error> {
    let Some(received) = fields.get("sign").filter(|s| !s.is_empty()) else {
        return Err(Error::Verification {
            reason: VerifyError::Other("the APIv2 message carries no sign".into()),
            origin,
            request_id: None,
        });
    };
    let expected = sign(fields, key, SignType::of_sign(received));
    let received = received.to_ascii_uppercase();
    let same = expected.len() == received.len()
        && expected
            .bytes()
            .zip(received.bytes())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0;
    if same {
        Ok(())
    } else {
        Err(Error::Verification {
            reason: VerifyError::BadSignature,
            origin,
            request_id: None,
        })
    }
}

/// MD5 of `data` as lower-case hex (the `req_info` key is this of the APIv2 key).
pub(crate) fn md5_hex_lower(data: &[u8]) -> Zeroizing<String> {
    let hex = Zeroizing::new(md5_hex_inner(data).to_ascii_lowercase());
    scrub_stack();
    hex
}

#[inline(never)]
fn md5_hex_inner(data: &[u8]) -> Zeroizing<String> {
    Zeroizing::new(hex_upper(&Md5::digest(data)))
}

fn hex_upper(bytes: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(HEX[(b >> 4) as usize] as char);
        out.push(HEX[(b & 15) as usize] as char);
    }
    out
}
