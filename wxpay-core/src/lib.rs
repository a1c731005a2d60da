//! # wxpay-core
//!
//! The core of the wxpay SDK for WeChat Pay APIv3 (微信支付): it signs every
//! request, verifies every response WeChat signs before anything is decoded,
//! and turns every failure into one typed [`Error`].
//!
//! - [`Client`]: one merchant's client (`Clone + Send + Sync`, one pool, rustls).
//! - [`wxpay_api`]: declare a typed endpoint with one attribute.
//! - [`crypto`]: keys, RSA signatures, RSA-OAEP, AES-256-GCM, digests
//!   (aws-lc-rs by default, pure Rust with the `rust-crypto` feature).
//! - [`Keyring`], [`Verifier`](verify::Verifier), [`Signer`](sign::Signer):
//!   who WeChat Pay is and who the merchant is, pluggable.
//! - [`notify`]: callbacks verified over the raw body, then decrypted.
//! - [`v2`]: the legacy XML APIv2 (micropay, red packets, transfers ...):
//!   [`V2Client`](v2::V2Client) with MD5/HMAC-SHA256 signs and mutual TLS,
//!   the APIv2 notifications.
//!
//! **reqwest in the public API, on purpose:** the transport is reqwest 0.13
//! (rustls), and three builder options take its types as they are:
//! [`ClientBuilder::proxy`] a `reqwest::Proxy`, [`ClientBuilder::http_client`]
//! a `reqwest::Client` (and the same on [`V2ClientBuilder`](v2::V2ClientBuilder),
//! whose mutual-TLS identity is configured from the merchant certificate
//! instead). Wrapping them would only copy reqwest's options and lag behind
//! them; a user who needs one of these has reqwest at hand. They follow
//! reqwest 0.13: a reqwest release that breaks them comes with a new minor
//! version of this crate (0.x), never silently. Depend on the same reqwest
//! 0.13 to pass your own.
//!
//! **Unstable:** the hidden modules `__private` (what `#[wxpay_api]`
//! expands to) and `unstable` (what the sandbox, the command line, fuzzing
//! and tests need) are not public API; they may change in any release.
//!
//! **Advisory:** with the `rust-crypto` feature, RSA comes from the `rsa`
//! crate, subject to RUSTSEC-2023-0071 (the Marvin timing attack on RSA
//! decryption, no fixed release): it concerns
//! [`Client::decrypt_sensitive`] when an attacker can time many decryptions.
//! The default backend is not affected.
//!
//! ## The map of the crate
//!
//! | module | holds |
//! | --- | --- |
//! | [`request`] | what a request is before signing: [`ApiRequest`], the path, query, header and body writers, the explicit [`EncodeContext`] (calling merchant, [`Encryptor`]) and the one place `Wechatpay-Serial` is decided |
//! | [`sensitive`] | [`Sensitive`](sensitive::Sensitive) request fields (written only encrypted), [`Encrypted`](sensitive::Encrypted) answer fields |
//! | `client` | the APIv3 [`Client`]: its builder, the send path, signing each attempt, checking answers, untyped calls, uploads, downloads |
//! | `transport` | the one transport under APIv3 and APIv2: HTTP client, base URLs and host pinning, retries and failover, bounded reads, the tracing span |
//! | `trust` | the keys answers and callbacks are verified with, and the refresh of platform certificates |
//! | [`sign`], [`verify`] | the request signature and the answer/callback signature checks |
//! | [`keyring`](Keyring), [`crypto`] | WeChat Pay's keys by serial; the primitives |
//! | [`notify`] | callbacks |
//! | [`registry`] | many merchants in one process: a [`Client`] per merchant from an application's credential source, one notify endpoint for all |
//! | [`store`] | state the instances of a service share: platform certificates, seen deliveries, notification claims (in memory here; Redis with `wxpay-redis`) |
//! | [`bills`] | bill files: download and check |
//! | [`v2`] | APIv2: XML, its signs, mutual TLS, its callbacks |
//!
//! ## The path of a request
//!
//! `request.send(&client)` (the method `#[wxpay_api]` writes) calls
//! [`Client::send`], which goes, in order and without coming back:
//!
//! 1. **keys ready** (`trust`): managed platform certificates are refreshed
//!    when due, the one place a request asks;
//! 2. **encode** ([`EncodedRequest::encode`]): path, query, headers and JSON
//!    body in the client's [`EncodeContext`]: `Sensitive` fields encrypted
//!    with the current WeChat Pay key, calling-merchant fields filled,
//!    `Wechatpay-Serial` decided;
//! 3. **sign and send** (`client::transmit`, `transport`): each attempt,
//!    across the base URLs as the [`RetryPolicy`] allows, signed afresh over
//!    exactly the target and bytes it sends;
//! 4. **read**: the answer, bounded by
//!    [`max_response_bytes`](ClientBuilder::max_response_bytes);
//! 5. **check** (`client::answer`, `trust`): a 2xx must verify (an unknown
//!    serial refreshes the certificates once and checks again); a 4xx/5xx
//!    becomes [`Error::Api`];
//! 6. **decode** ([`RawResponse::json`]) into the operation's response type.
//!
//! Untyped requests ([`Client::request`]), uploads and downloads join the
//! same path after their own encoding; the APIv2 client shares step 3.
//!
//! ## Declaring an endpoint
//!
//! ```no_run
//! use serde::Deserialize;
//! use wxpay_core::{wxpay_api, Client, PrivateKey, PublicKey};
//!
//! #[derive(Debug, Deserialize)]
//! pub struct ReturnAdvanceResponse {
//!     pub advance_return_id: String,
//!     pub return_amount: i64, // money is integer fen
//!     pub result: String,
//! }
//!
//! /// 垫付退款回补
//! #[wxpay_api(POST, "v3/ecommerce/refunds/<refund_id>/return-advance", response = ReturnAdvanceResponse)]
//! pub struct ReturnAdvanceRequest<'a> {
//!     /// Named in `<...>`: bound into the path, percent-encoded as one segment.
//!     pub refund_id: &'a str,
//!     /// Every other field of a POST goes to the JSON body (of a GET: the query).
//!     pub sub_mchid: &'a str,
//!     /// `None` is left out of the body.
//!     #[serde(skip_serializing_if = "Option::is_none")]
//!     pub memo: Option<&'a str>,
//! }
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let client = Client::builder()
//!     .mchid("1900000100")
//!     // The serial is read from it, and the private key checked against it.
//!     .merchant_certificate(std::fs::read_to_string("apiclient_cert.pem")?)
//!     .private_key(PrivateKey::from_pem_file("apiclient_key.pem")?)
//!     .wechatpay_public_key(
//!         "PUB_KEY_ID_0119000001002025010100000000000000",
//!         PublicKey::from_pem_file("pub_key.pem")?,
//!     )?
//!     .build()?;
//!
//! let advance = ReturnAdvanceRequest {
//!     refund_id: "50000000382019052709732678859",
//!     sub_mchid: "1900000109",
//!     memo: None,
//! }
//! .send(&client) // inherent method: no trait import needed
//! .await?;
//! println!("{} fen: {}", advance.return_amount, advance.result);
//!
//! // Any operation without a typed request, through the escape hatch:
//! let value: serde_json::Value = client
//!     .request(wxpay_core::Method::Get, "v3/ecommerce/refunds/{refund_id}/return-advance")
//!     .path_param("refund_id", "50000000382019052709732678859")
//!     .query_pair("sub_mchid", "1900000109")
//!     .send()
//!     .await?;
//! # let _ = value; Ok(()) }
//! ```
//!
//! Field roles: `<name>` fields are path parameters (`#[wxpay(path = "name")]`
//! binds one to a field named otherwise); the other fields are the JSON body
//! of `POST`/`PUT`/`PATCH` and the query of `GET`/`DELETE`;
//! `#[wxpay(query)]`, `#[wxpay(body)]` and `#[wxpay(header = "Name")]`
//! override that, and `#[wxpay(merchant)]` marks an `Option` field filled
//! with the client's merchant id. A sensitive value is typed
//! [`Sensitive<T>`](sensitive::Sensitive): encrypted by `send` wherever it
//! is, redacted in `Debug`. `serde` attributes apply as usual. `response =`
//! is required: `()` for an answer without a body, `serde_json::Value` to
//! read it untyped.
//!
//! An APIv2 (XML) operation is declared with `v2` first:
//! `#[wxpay_api(v2, POST, "v2/pay/micropay", response = T)]`. Its template
//! is written as WeChat Pay's catalog writes APIv2 paths, with a `v2/`
//! prefix that is not part of the URL (`"v2/pay/micropay"` is sent as
//! `POST /pay/micropay`), and it is sent with a [`v2::V2Client`]. See
//! [`wxpay_api`] for the whole syntax.
//!
//! ## What a response must pass
//!
//! Every 2xx (and every signed 4xx/5xx) response is verified before it is
//! decoded: the `Wechatpay-*` headers must be present, the timestamp within
//! 300 s, the serial known to the [`Keyring`], the signature valid, and not the
//! `WECHATPAY/SIGNTEST/` probe. Each failure is a distinct [`VerifyError`].
//! Files WeChat does not sign (bills, images) are only served through
//! [`Client::download`].
#![warn(missing_docs)]
#![forbid(unsafe_code)]

pub mod bills;
mod blocking;
mod client;
pub mod crypto;
mod enums;
mod error;
mod keyring;
pub mod notify;
pub mod paysign;
mod query_form;
pub mod registry;
pub mod request;
pub mod sensitive;
pub mod sign;
pub mod store;
#[cfg(feature = "test-faults")]
mod test_faults;
mod transport;
mod trust;
pub mod types;
pub mod v2;
pub mod verify;

pub use blocking::BlockingClient;
pub use client::{
    Client, ClientBuilder, Download, DownloadRequest, DynamicRequest, FileAnswer, RawResponse,
    Response, Upload,
};
pub use crypto::{ApiV3Key, PrivateKey, PublicKey};
pub use enums::UnknownValue;
pub use error::{ApiError, CryptoError, Error, KeyError, Origin, VerifyError};
pub use keyring::{Certificate, Keyring, VerificationKey, PUBLIC_KEY_ID_PREFIX};
pub use query_form::QueryObject;
pub use request::{ApiRequest, EncodeContext, EncodedRequest, Encryptor, Method};
pub use transport::{RetryPolicy, BACKUP_BASE_URL, DEFAULT_BASE_URL};
pub use trust::RefreshOutcome;
pub use wxpay_macros::wxpay_api;

/// Not public API: what `#[wxpay_api]` derives `Serialize` with. A compiler
/// message about the derive (a second `Serialize` derived above the
/// attribute) names this path, not the private one below.
#[doc(hidden)]
pub use serde;

/// Not public API: the compile-time check of query fields. Reachable here so
/// that the compiler's message about a nested object in a query names this
/// path, not the private one below.
#[doc(hidden)]
pub use query_form::probe as query_probe;

/// Not public API: what `#[wxpay_api]` expands to refers to these paths, so
/// users need not depend on serde, serde_json or http themselves.
#[doc(hidden)]
pub mod __private {
    pub use crate::blocking::BlockingClient;
    pub use crate::client::Client;
    pub use crate::error::Error;
    pub use crate::query_form::probe as query_probe;
    pub use crate::request::{
        calling_merchant, ApiRequest, BodyWriter, HeaderList, Method, PathBuilder, QueryBuilder,
    };
    pub use crate::v2::{
        to_fields as v2_fields, SignType as V2SignType, V2Client, V2Operation, V2Response,
    };
    pub use core::result::Result;
    pub use serde;
    pub use serde_json;
}

/// **Unstable: not part of the public API.** What this workspace's own
/// crates need beyond it (the sandbox, the command line, fuzzing,
/// benchmarks and tests): it may change or go in any release, semver or not.
/// Nothing here is needed to call WeChat Pay.
#[doc(hidden)]
pub mod unstable {
    use std::collections::BTreeMap;

    /// A fresh RSA-2048 key: keys made for a test run, the sandbox's own.
    /// A merchant's API key comes from WeChat Pay's certificate tool.
    pub fn generate_private_key() -> Result<crate::PrivateKey, crate::KeyError> {
        crate::PrivateKey::generate()
    }

    /// `len` characters of `[0-9A-Za-z]` from the operating system's CSPRNG.
    pub fn random_alphanumeric(len: usize) -> Result<String, crate::Error> {
        crate::crypto::random_alphanumeric(len)
    }

    /// SHA-256 of `data` as lowercase hex (a media upload's `meta.sha256`).
    pub fn sha256_hex(data: &[u8]) -> String {
        crate::crypto::sha256_hex(data)
    }

    /// `value` percent-encoded as a path segment or query value is.
    pub fn encode_component(value: &str) -> String {
        crate::request::path::encode_component(value).to_string()
    }

    /// SHA-1 of `data` as lowercase hex (a bill's `hash_value`).
    pub fn sha1_hex(data: &[u8]) -> String {
        crate::crypto::sha1_hex(data)
    }

    /// Parses an `Authorization: WECHATPAY2-SHA256-RSA2048 ...` header value.
    pub fn parse_authorization(header: &str) -> Result<crate::sign::Authorization, String> {
        crate::sign::Authorization::parse(header)
    }

    /// Encrypts fields as WeChat Pay does an APIv2 refund notification's `req_info`.
    pub fn encrypt_req_info(
        fields: &BTreeMap<String, String>,
        key: &crate::v2::ApiV2Key,
    ) -> String {
        crate::v2::notify::encrypt_req_info(fields, key)
    }

    pub use crate::v2::pkcs12::{fuzz as pkcs12_fuzz, read_pem as pkcs12_pem};

    /// Test-only fault switches (feature `test-faults`); see `test_faults.rs`.
    #[cfg(feature = "test-faults")]
    pub mod faults {
        pub use crate::test_faults::corrupt_signing_message;
    }
}
