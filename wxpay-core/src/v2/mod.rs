//! WeChat Pay APIv2: the legacy XML API, still the only home of some
//! business (付款码支付 micropay, 企业付款到零钱, 现金红包, 代金券 ...).
//!
//! - [`V2Client`]: XML requests signed with the APIv2 key (MD5 or
//!   HMAC-SHA256), answers checked (`return_code`, `sign`, `result_code`),
//!   the merchant API certificate presented (mutual TLS). Typed calls:
//!   [`V2Client::send`] takes a [`V2Operation`] (declared with
//!   `#[wxpay_api(v2, POST, "v2/...", response = T)]`; 129 of the catalog's
//!   136 operations are generated in `wxpay-apis` under the `v2-*` features,
//!   each stating whether it needs the certificate and whether WeChat signs
//!   its answer) and decodes the answer; untyped calls: [`V2Client::call`]
//!   takes a path and fields ([`V2Request::needs_certificate`] and
//!   [`V2Request::unsigned_answer`] state those facts) and returns the
//!   answer's fields. Both share one path to the wire.
//! - [`to_fields`]/[`from_fields`]: typed values to and from the flat fields.
//! - [`V2ClientBuilder::merchant_certificate_pkcs12`]: the merchant
//!   certificate as WeChat hands it out (`apiclient_cert.p12`), read by a
//!   bounded PKCS#12 reader of our own ([`Pkcs12Error`] says why a file is refused).
//! - [`sign()`]/[`verify()`]/[`string_to_sign`]: the APIv2 signature.
//! - [`to_xml`]/[`from_xml`]: the flat XML, refusing DTDs and entities (XXE).
//! - [`notify`]: the payment notification verified, the refund
//!   notification's `req_info` decrypted, the XML answers.
//!
//! APIv2 calls go over the same transport as APIv3 (base URLs and failover,
//! proxy, timeouts, limits, retries): a call that could not connect is tried
//! on the next host; a timeout or a 5xx is tried again only for calls marked
//! idempotent ([`V2Client::send_idempotent`]), since most create or change
//! something (micropay, refund, transfers): query to learn the outcome of a
//! call that timed out.

mod builder;
mod client;
mod error;
mod fields;
pub mod notify;
mod operation;
pub(crate) mod pkcs12;
mod sign;
mod xml;

pub use builder::V2ClientBuilder;
pub use client::{V2Client, V2Request, V2Response};
pub use error::V2Error;
pub use fields::{from_fields, to_fields};
pub use operation::{FromV2Response, V2Bill, V2Fields, V2Operation};
pub use pkcs12::Pkcs12Error;
pub use sign::{sign, string_to_sign, verify, ApiV2Key, SignType};
pub use xml::{from_xml, to_xml};
