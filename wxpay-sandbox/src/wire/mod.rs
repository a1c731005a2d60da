//! WeChat Pay's side of the wire, written from PROTOCOL.md and WeChat's own
//! pages, never borrowed from the SDK: a mistake in the SDK's signing
//! message, its list of unsigned answers or its APIv2 tables then shows up
//! as a refused request or a failed verification in a test, instead of
//! being mirrored on both sides.
//!
//! - [`request`]: the `Authorization` header, the five-line message its
//!   signature covers, the 300 s window.
//! - [`answer`]: the three-line message of an answer's signature, the
//!   `Wechatpay-*` headers, which answers go unsigned.
//! - [`notification`]: the bytes of a notification envelope, valid JSON
//!   that no encoder writes, so a merchant re-encoding the body is caught.
//! - [`v2`]: the APIv2 sign (MD5, HMAC-SHA256), flat XML, the refund
//!   notification's `req_info`, and which operations need the certificate.
//!
//! What the sandbox shares with the SDK is only what is not protocol: the
//! key types and the RSA / AES-GCM primitives (`wxpay_core::{PrivateKey,
//! PublicKey, Certificate, ApiV3Key}`).

pub(crate) mod answer;
pub(crate) mod notification;
pub(crate) mod request;
pub(crate) mod v2;

/// The prefix of a WeChat Pay public key id (`PUB_KEY_ID_` + digits).
pub(crate) const PUBLIC_KEY_ID_PREFIX: &str = "PUB_KEY_ID_";
