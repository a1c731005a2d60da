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
#![warn(missing_docs)]
#![forbid(unsafe_code)]

mod client;
pub mod crypto;
mod enums;
mod error;
mod keyring;
mod request;
pub mod sign;
pub mod verify;

pub use client::{
    Client, ClientBuilder, Download, DynamicRequest, RawResponse, BACKUP_BASE_URL,
    DEFAULT_BASE_URL,
};
pub use crypto::{ApiV3Key, PrivateKey, PublicKey};
pub use enums::UnknownValue;
pub use error::{ApiError, CryptoError, Error, KeyError, VerifyError};
pub use keyring::{Certificate, Keyring, VerificationKey, PUBLIC_KEY_ID_PREFIX};
pub use request::{
    encode_component, json_body, ApiRequest, BodyBuilder, EncodedRequest, HeaderList,
    HeaderParam, Method, PathBuilder, PathParam, QueryBuilder,
};
pub use wxpay_macros::wxpay_api;

/// Not public API: what `#[wxpay_api]` expands to refers to these paths, so
/// users need not depend on serde, serde_json or http themselves.
#[doc(hidden)]
pub mod __private {
    pub use crate::client::Client;
    pub use crate::error::Error;
    pub use crate::request::{
        json_body, ApiRequest, BodyBuilder, HeaderList, Method, PathBuilder, QueryBuilder,
    };
    pub use core::result::Result;
    pub use serde;
    pub use serde_json;
}
