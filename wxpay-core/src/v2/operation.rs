//! Typed APIv2 operations: what `#[wxpay_api(v2, POST, "v2/...")]`
//! implements, and the answers a typed call decodes into.

use std::collections::BTreeMap;
use std::ops::Deref;

use bytes::Bytes;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::client::V2Response;
use super::sign::SignType;
use crate::error::Error;

/// One typed APIv2 operation: its path, its fields and what its answer
/// decodes into. Declare it with `#[wxpay_api(v2, POST, "v2/pay/micropay",
/// response = T)]` rather than by hand; send it with
/// [`V2Client::send`](super::V2Client::send) (or the struct's own `send`).
///
/// `mch_id`, `nonce_str`, `sign_type` and `sign` are the client's to add
/// (`#[wxpay_api(v2, ...)]` refuses fields sent under those names); the
/// transfer operations name the merchant `mchid` instead, given as the
/// client's own id, and then get no `mch_id`. An operation WeChat accepts
/// with one sign type only names it in [`SIGN_TYPE`](Self::SIGN_TYPE).
pub trait V2Operation {
    /// The path as the catalog writes it (`v2/pay/micropay`); the `v2/` prefix
    /// is not part of the URL.
    const PATH: &'static str;
    /// What a successful answer decodes into.
    type Response: FromV2Response;
    /// The sign type WeChat accepts for this operation, when it accepts only
    /// one (profit sharing, combined orders ... take only HMAC-SHA256): the
    /// request is signed so, and says so in `sign_type`, whatever the
    /// client's default. `None`: the client's sign type.
    const SIGN_TYPE: Option<SignType> = None;
    /// Whether the operation needs the merchant API certificate (mutual
    /// TLS): refunds, reversals, red packets, transfers ... A client
    /// without one refuses the call before sending.
    const NEEDS_CERTIFICATE: bool = false;
    /// Whether WeChat signs the answer (`sign`): false for the few
    /// operations answered without one (bills, red packets, transfers ...),
    /// whose `return_code`/`result_code` are still checked.
    const SIGNED_ANSWER: bool = true;
    /// The request's fields as sent (before `mch_id`, `nonce_str`, `sign`).
    fn fields(&self) -> Result<BTreeMap<String, String>, Error>;
}

/// What a checked APIv2 answer can be decoded into: any `DeserializeOwned`
/// struct (its fields read by [`from_fields`](super::from_fields)), the
/// untyped [`V2Response`], or the raw [`V2Bill`].
pub trait FromV2Response: Sized {
    /// Whether the answer is a file (a bill), read with the client's
    /// download timeout and size limit rather than a request's.
    const FILE: bool = false;

    /// Decodes the answer.
    fn from_v2_response(response: V2Response) -> Result<Self, Error>;
}

impl<T: DeserializeOwned> FromV2Response for T {
    fn from_v2_response(response: V2Response) -> Result<Self, Error> {
        super::from_fields(response.fields()).map_err(|e| {
            let excerpt = &response.raw()[..response.raw().len().min(256)];
            let message = match e {
                super::V2Error::Fields(message) => message,
                other => other.to_string(),
            };
            Error::Decode {
                origin: crate::Origin::Answer,
                message,
                body_excerpt: String::from_utf8_lossy(excerpt).into_owned(),
                request_id: None,
            }
        })
    }
}

impl FromV2Response for V2Response {
    fn from_v2_response(response: V2Response) -> Result<Self, Error> {
        Ok(response)
    }
}

/// A bill as WeChat sends it (`pay/downloadbill`, `pay/downloadfundflow`):
/// the raw text, or gzip data when `tar_type=GZIP` was asked for. Unsigned, as
/// WeChat serves it; an XML error answer is reported as an error instead.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct V2Bill {
    bytes: Bytes,
}

impl V2Bill {
    /// The bill's bytes.
    pub fn bytes(&self) -> &Bytes {
        &self.bytes
    }

    /// The bill's bytes, owned.
    pub fn into_bytes(self) -> Bytes {
        self.bytes
    }

    /// The bill as text (the uncompressed bill is UTF-8 CSV-like text), or
    /// `None` if it is not UTF-8 (gzip data).
    pub fn text(&self) -> Option<&str> {
        std::str::from_utf8(&self.bytes).ok()
    }
}

impl FromV2Response for V2Bill {
    const FILE: bool = true;

    fn from_v2_response(response: V2Response) -> Result<Self, Error> {
        Ok(V2Bill {
            bytes: response.raw().clone(),
        })
    }
}

/// The fields of an answer that are not struct fields: the numbered ones
/// (`coupon_fee_0`, `refund_id_1`, `coupon_refund_fee_0_1` ...; the catalog
/// writes them `coupon_fee_$n`, `coupon_refund_fee_$n_$m`) and any WeChat
/// adds later. Generated answers keep them in a field named `other`.
///
/// ```
/// let other: wxpay_core::v2::V2Fields = [("refund_status_1", "SUCCESS")]
///     .into_iter()
///     .map(|(k, v)| (k.to_owned(), v.to_owned()))
///     .collect::<std::collections::BTreeMap<_, _>>()
///     .into();
/// assert_eq!(other.indexed("refund_status_$n", &[1]), Some("SUCCESS"));
/// assert_eq!(other.get("refund_status_1").map(String::as_str), Some("SUCCESS"));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct V2Fields(BTreeMap<String, String>);

impl V2Fields {
    /// The field named by `pattern` with `$n`, then `$m`, replaced by
    /// `indices` in order: `indexed("coupon_refund_fee_$n_$m", &[0, 1])` is
    /// `coupon_refund_fee_0_1`.
    pub fn indexed(&self, pattern: &str, indices: &[usize]) -> Option<&str> {
        let mut name = pattern.to_owned();
        for (placeholder, index) in ["$n", "$m"].iter().zip(indices) {
            name = name.replacen(placeholder, &index.to_string(), 1);
        }
        self.0.get(&name).map(String::as_str)
    }

    /// The fields, owned.
    pub fn into_inner(self) -> BTreeMap<String, String> {
        self.0
    }
}

impl Deref for V2Fields {
    type Target = BTreeMap<String, String>;
    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

impl From<BTreeMap<String, String>> for V2Fields {
    fn from(fields: BTreeMap<String, String>) -> Self {
        V2Fields(fields)
    }
}
