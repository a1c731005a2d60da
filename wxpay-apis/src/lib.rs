//! # wxpay-apis
//!
//! The WeChat Pay APIv3 surface, typed: every JSON operation of the API
//! catalog is a request struct declared with
//! [`#[wxpay_api]`](wxpay_core::wxpay_api), the same attribute an application
//! uses for its own endpoints. The module path mirrors the URL
//! (`v3/ecommerce/refunds/{refund_id}/return-advance` →
//! `ecommerce::refunds::return_advance`), and business areas are cargo
//! features so an application compiles only what it uses.
//!
//! ```no_run
//! # #[cfg(feature = "ecommerce")]
//! # async fn run(client: wxpay_core::Client) -> Result<(), wxpay_core::Error> {
//! use wxpay_apis::ecommerce::refunds::return_advance::{
//!     ReturnAdvanceRequest, ReturnAdvanceRequired,
//! };
//!
//! let advance = ReturnAdvanceRequest::new(ReturnAdvanceRequired {
//!     refund_id: "50000000382019052709732678859",
//!     sub_mchid: "1900000109",
//! })
//! .send(&client)
//! .await?;
//! println!("{}: {} fen", advance.advance_return_id, advance.return_amount);
//! # Ok(()) }
//! ```
//!
//! ## Building a request
//!
//! Every generated struct is `#[non_exhaustive]`: fields WeChat Pay adds to
//! an operation later are not a breaking change for your code. A request (or
//! a request object: a payer, an amount) is built with `new`, and no call
//! can swap two required values without the compiler noticing. The rule, by
//! the number of required fields:
//!
//! - none: `new()`;
//! - one: `new(value)`, e.g. `PayAmount::new(100)`;
//! - two or more: `new(XRequired { .. })`, a struct literal naming each
//!   required field. It is `{Operation}Required` for a request
//!   (`JsapiPrepayRequest` → `JsapiPrepayRequired`) and `{Type}Required`
//!   for a request object (`CreateRefundAmount` →
//!   `CreateRefundAmountRequired`), declared next to the type. Its fields
//!   are public and it is not `#[non_exhaustive]`: a field WeChat Pay makes
//!   required is a breaking change whatever the shape, and the compiler then
//!   names the missing field.
//!
//! The fields that must be the calling merchant (`mchid` of a direct
//! merchant's request, `sp_mchid` where a service provider calls,
//! `combine_mchid`; the repository's `xtask/CORRECTIONS.md` lists them with
//! the rule) are not asked for by `new`: they are `Option`s marked
//! `#[wxpay(merchant)]`, and `None` sends the client's own merchant id. A
//! different id given explicitly is refused before sending, naming both.
//!
//! Where WeChat Pay takes exactly one of some fields (二选一: a refund names
//! its order by `transaction_id` or `out_trade_no`), they are one required
//! field whose enum names the field sent, so neither none nor both compile.
//! Optional fields start as `None` and are assigned on the value, as in
//! ruma:
//!
//! ```no_run
//! # #[cfg(feature = "ecommerce")]
//! # async fn run(client: wxpay_core::Client) -> Result<(), wxpay_core::Error> {
//! use wxpay_apis::ecommerce::profitsharing::returnorders::{
//!     CreateReturnOrderRequest, CreateReturnOrderRequired, SharingOrder,
//! };
//!
//! let mut request = CreateReturnOrderRequest::new(CreateReturnOrderRequired {
//!     sub_mchid: "1900000109",
//!     order: SharingOrder::OrderId("3008450740201411110007820472"),
//!     out_return_no: "R20190516001",
//!     return_mchid: "86693852",
//!     amount: 10, // fen
//!     description: "分账回退",
//! });
//! request.transaction_id = Some("4208450740201411110007820472");
//! let order = request.send(&client).await?;
//! # Ok(()) }
//! ```
//!
//! Nested request objects are built the same way:
//!
//! ```no_run
//! # #[cfg(feature = "pay")]
//! # async fn run(client: wxpay_core::Client) -> Result<(), wxpay_core::Error> {
//! use wxpay_apis::pay::transactions::jsapi::{
//!     JsapiPrepayPayer, JsapiPrepayRequest, JsapiPrepayRequired,
//! };
//! use wxpay_apis::pay::PayAmount;
//!
//! let mut prepay = JsapiPrepayRequest::new(JsapiPrepayRequired {
//!     amount: PayAmount::new(100), // fen
//!     appid: "wxd678efh567hg6787",
//!     description: "Image形象店-深圳腾大-QQ公仔",
//!     out_trade_no: "1217752501201407033233368018",
//!     notify_url: "https://www.weixin.qq.com/wxpay/pay.php",
//!     payer: JsapiPrepayPayer::new("oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"),
//! });
//! prepay.attach = Some("自定义数据");
//! let prepay_id = prepay.send(&client).await?.prepay_id;
//! # let _ = prepay_id; Ok(()) }
//! ```
//!
//! Public fields after `new` rather than a setter per optional field:
//! one function per type instead of one per field (some 20,000 more to
//! compile), and a field is written as it is read.
//!
//! ## How the types read
//!
//! - `{Operation}Request` is the request, `{Operation}Response` what a
//!   success decodes into (`()` for an empty 204/202). The operations most
//!   programs call carry the names the official English docs use
//!   (`JsapiPrepayRequest`, `QueryOrderByOutTradeNoRequest`,
//!   `CreateRefundRequest`, `TradeBillRequest`; partner variants start with
//!   `Partner`); the rest are named from the English slug of the official
//!   page (`create-return-advance`), else from the method and path. Search
//!   the docs by Chinese name (`JSAPI下单API`) or by `METHOD path`
//!   (`POST v3/pay/transactions/jsapi`): each request carries both as
//!   aliases.
//! - Requests borrow (`&'a str`, `&'a [T]`, [`Timestamp<&'a str>`](shared::Timestamp))
//!   and only serialise; responses own their data and both serialise and
//!   deserialise. Optional fields are `Option`s left out of the request when
//!   `None`.
//! - Money is integer fen (`i64`). Date-times are [`shared::Timestamp`],
//!   ids of uploaded files [`shared::MediaId`], JSON sent inside a string
//!   [`shared::JsonString`]. Enumerations keep values WeChat adds later
//!   (`is_unknown()`), so decoding does not fail on them.
//! - Objects several operations share are declared once, in the deepest
//!   module holding all of them, named `{Operation}{Field}` or after the words
//!   the operations share (`ReturnOrderResult`).
//! - Sensitive request fields (names, ID and card numbers, phone numbers),
//!   at the top of a request or nested in it, in the body or the query, are
//!   [`Sensitive`](wxpay_core::sensitive::Sensitive) values given in
//!   plaintext: `Debug` prints `<redacted>`, and `send` encrypts them with
//!   the client's WeChat Pay key and sets `Wechatpay-Serial` (so does a
//!   request whose operation names the key though it encrypts nothing).
//!   No request has a field for that header. Sensitive response fields are
//!   [`Encrypted`](wxpay_core::sensitive::Encrypted):
//!   `field.decrypt(&client)` gives the plaintext.
//! - File downloads, the inbound notifications and multipart uploads are
//!   not generated from the catalog (see the lists below) but typed by hand
//!   beside the generated code: [`download`] has the 7 file downloads
//!   (answering a streamed [`Download`](wxpay_core::Download)), [`events`]
//!   the notifications ([`events::Event`], decoded by event type with
//!   `Notifier::parse_event`, with the query answers' enums), [`media`] the
//!   14 uploads. Bill answers are
//!   [`BillInfo`](wxpay_core::bills::BillInfo), which
//!   `Client::download_bill` takes as it is.
//!
//! Everything under these modules is generated by `cargo xtask codegen` from
//! the catalog; do not edit it by hand.
#![doc = include_str!("generated/README.md")]
#![warn(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]
#![forbid(unsafe_code)]

pub mod download;
pub mod events;
mod generated;
pub mod media;

pub use generated::*;
