//! # wxpay-sandbox
//!
//! A local WeChat Pay APIv3 (微信支付) server that behaves like WeChat Pay at
//! the protocol level, so integration tests — ours, the quickstart's, and
//! those of SDKs in any language — run offline. WeChat Pay has no APIv3
//! sandbox of its own.
//!
//! - **Requests are verified as WeChat does**: the `Authorization` header is
//!   parsed, the merchant found by `mchid`, `serial_no` checked against its
//!   registered certificate or public key, the timestamp held to ±300 s,
//!   nonces remembered for that window (a replay is refused), and the
//!   signature checked over the exact request target and body bytes.
//!   Rejections answer 401 `{"code":"SIGN_ERROR","message":...}`.
//! - **Responses are signed as WeChat does**: `Wechatpay-Timestamp`, `-Nonce`,
//!   `-Signature`, `-Serial`, `-Signature-Type` and a fresh `Request-ID` on
//!   every answer, errors included, with the sandbox's own platform key served
//!   as a platform certificate or as a WeChat Pay public key ([`KeyMode`]).
//! - `GET /v3/certificates` returns the platform certificate encrypted with
//!   the merchant's APIv3 key (AES-256-GCM), in WeChat's shape; in public-key
//!   mode it answers 404 `RESOURCE_NOT_EXISTS`, as WeChat does.
//! - **Seed operations**, stateful and validated against WeChat's documentation
//!   ([`SEED_OPERATIONS`]): after-sales profit sharing and advance returns,
//!   each created and queried back on its own (no split or refund behind
//!   it). A missing or wrongly typed field answers 400 `PARAM_ERROR` naming
//!   the field, an unknown id 404 `RESOURCE_NOT_EXISTS`, a repeated request
//!   returns the existing order. The creating answer says `PROCESSING`; reads from
//!   [`settle_after`](SandboxBuilder::settle_after) later (default: at once)
//!   say `SUCCESS`.
//! - **The payment lifecycle** ([`PAYMENT_OPERATIONS`]): prepay for JSAPI,
//!   APP, H5 and Native, direct and partner; query; close; refunds; trade and
//!   fund-flow bills served unsigned at `v3/billdownload/file`, available as
//!   WeChat Pay's are (from 10:00 China time the next day, by a business
//!   clock tests move forward: [`Sandbox::advance_to_bill_time`],
//!   [`SandboxBuilder::start_clock_at`], [`SandboxBuilder::bills_same_day`]),
//!   also in the APIv2 layouts ([`Sandbox::bill_file`]). Orders are paid
//!   by a person on the sandbox's pay page, through the control API under
//!   `/sandbox/` (or [`Sandbox::pay_order`]), or after
//!   [`auto_pay`](SandboxBuilder::auto_pay). Payment and refund outcomes are
//!   notified as WeChat does, retried on WeChat's schedule
//!   ([`NOTIFY_RETRY_SCHEDULE`], scaled by
//!   [`time_scale`](SandboxBuilder::time_scale)) and logged
//!   ([`Sandbox::notification_attempts`]).
//! - **Profit sharing** ([`PROFIT_SHARING_OPERATIONS`], direct, partner and
//!   the e-commerce platform's `v3/ecommerce/profitsharing/...`, one book and
//!   one state machine): receivers added and deleted, splits of paid
//!   profit-sharing orders within what is left, PROCESSING → FINISHED with
//!   receivers SUCCESS or CLOSED ([`Sandbox::set_receiver_outcome`]),
//!   unfreezing (the e-commerce finish-order), returns taken from what a
//!   merchant receiver got (direct, partner and e-commerce), and
//!   `PROFITSHARING.SUCCESS` / `.RETURN` to receiving merchants.
//! - **Merchant transfers** ([`TRANSFER_OPERATIONS`], `transfer-bills`,
//!   direct and partner): WAIT_USER_CONFIRM with a confirm page
//!   ([`Sandbox::confirm_transfer`]), TRANSFERING → SUCCESS or FAIL,
//!   cancelling, and `MCHTRANSFER.BILL.FINISHED` on the transfer retry
//!   schedule ([`TRANSFER_NOTIFY_RETRY_SCHEDULE`]). States, codes and
//!   notification shapes are sourced in the crate's `docs/funds.md`.
//! - **Many merchants, each with its own keys** ([`NewMerchant`],
//!   [`Sandbox::add_merchant`], `--merchants N`, `POST /sandbox/merchants`):
//!   a merchant key pair, an APIv3 key and, as at WeChat Pay, a platform
//!   key of its own (certificate or public-key mode), rotated alone
//!   ([`Sandbox::rotate_platform_certificate_of`]); certificate downloads
//!   counted per merchant; one notification delivered to several URLs at
//!   once ([`Sandbox::resend_notification_to`]).
//! - **Partner mode visible**: each [`Merchant`]'s sub-merchants
//!   ([`SubMerchant`]) and bound appids are in `sandbox.json`, the startup
//!   text, the console and `GET /sandbox/merchants`; the notification log
//!   filters by `sub_mchid`; `out_trade_no` is scoped by the signing merchant.
//! - **Bounded**: connections served at once, idle connections, orders kept
//!   ([`max_orders`](SandboxBuilder::max_orders)); orders, refunds, profit
//!   sharing and transfers optionally kept in SQLite ([`database`](SandboxBuilder::database), feature `sqlite`).
//! - **Every other catalogued operation** ([`catalog`]: the 1,019 APIv3
//!   operations WeChat Pay documents): routed by method and path template,
//!   validated against the schema (400 `PARAM_ERROR` with WeChat's `detail`
//!   `{field, value, issue, location}`), answered
//!   with a signed body that satisfies the response schema, echoing the
//!   request's ids (204 where the catalog says so).
//! - **Encrypted fields checked everywhere**: every field the catalog marks
//!   sensitive, on every operation (stateful ones too), must be RSA-OAEP
//!   ciphertext for the platform key named by `Wechatpay-Serial` (else 400
//!   `PARAM_ERROR` `平台私钥解密失败` naming it); fields WeChat returns
//!   encrypted are encrypted for the calling merchant.
//! - **A console** for a person at `/sandbox/` (merchants and sub-merchants,
//!   orders, refunds, profit sharing, transfers, notification attempts, with
//!   buttons), also on a port of its own with
//!   [`console`](SandboxBuilder::console).
//! - Any other path answers 404 `NOT_FOUND`, signed.
//! - **Bad input** gets a WeChat-shaped 400 `PARAM_ERROR` (malformed JSON,
//!   non-UTF-8, a body over the cap — 1 MiB by default —, a wrong
//!   `Content-Type`, a missing field) and the server keeps serving.
//! - **Faults** on demand ([`Fault`]): delays, 5xx, connection resets,
//!   truncated or tampered bodies, wrong signatures, unknown serials, stale
//!   timestamps, missing headers, redirects.
//!
//! ## In-process, from Rust tests
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use wxpay_sandbox::{Fault, KeyMode, Sandbox};
//!
//! let sandbox = Sandbox::builder()
//!     .key_mode(KeyMode::PublicKey) // or KeyMode::Certificate (the default)
//!     .start()
//!     .await?; // listens on 127.0.0.1 at an ephemeral port
//! let client = sandbox.client_builder().build()?; // demo merchant, keys and base URL set
//!
//! let advance: serde_json::Value = client
//!     .request(wxpay_core::Method::Post, "v3/ecommerce/refunds/{refund_id}/return-advance")
//!     .path_param("refund_id", "50000000382019052709732678859")
//!     .json(&serde_json::json!({ "sub_mchid": "1900000109" }))
//!     .send()
//!     .await?;
//! assert_eq!(advance["result"], "PROCESSING");
//!
//! sandbox.inject(Fault::TamperedBody); // the next answer is tampered with
//! sandbox.shutdown().await;
//! # Ok(()) }
//! ```
//!
//! ## The payment lifecycle, in process
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use std::time::Duration;
//! use wxpay_sandbox::Sandbox;
//!
//! let sandbox = Sandbox::builder()
//!     .time_scale(0.001) // notification retries in milliseconds, not hours
//!     .start()
//!     .await?;
//! let client = sandbox.client_builder().build()?;
//! let mchid = sandbox.merchant().mchid.clone();
//! let prepay: serde_json::Value = client
//!     .request(wxpay_core::Method::Post, "v3/pay/transactions/native")
//!     .json(&serde_json::json!({
//!         "appid": "wxd678efh567hg6787", "mchid": mchid, "description": "a toy",
//!         "out_trade_no": "T20240101001", "notify_url": "http://127.0.0.1:8080/notify",
//!         "amount": { "total": 100 },
//!     }))
//!     .send()
//!     .await?;
//! println!("scan {}", prepay["code_url"]);
//! sandbox.pay_order(&mchid, "T20240101001")?; // TRANSACTION.SUCCESS goes to notify_url
//! tokio::time::sleep(Duration::from_millis(100)).await;
//! for attempt in sandbox.notification_attempts() {
//!     println!("{} → {:?} in {} ms", attempt.event_type, attempt.status, attempt.latency_ms);
//! }
//! # Ok(()) }
//! ```
//!
//! ## A merchant transfer and its user, in process
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use wxpay_sandbox::{ReceiverRef, Sandbox};
//!
//! let sandbox = Sandbox::builder().start().await?;
//! let client = sandbox.client_builder().build()?;
//! let mchid = sandbox.merchant().mchid.clone();
//! let bill: serde_json::Value = client
//!     .request(wxpay_core::Method::Post, "v3/fund-app/mch-transfer/transfer-bills")
//!     .json(&serde_json::json!({
//!         "appid": "wxd678efh567hg6787", "out_bill_no": "TB20240101001",
//!         "transfer_scene_id": "1000", "openid": "o-user", "transfer_amount": 100,
//!         "transfer_remark": "refund of the deposit",
//!         "transfer_scene_report_infos": [{ "info_type": "活动名称", "info_content": "deposit" }],
//!     }))
//!     .send()
//!     .await?;
//! assert_eq!(bill["state"], "WAIT_USER_CONFIRM");
//! // The user confirms (as wx.requestMerchantTransfer would): TRANSFERING, then SUCCESS.
//! sandbox.confirm_transfer(bill["package_info"].as_str().unwrap_or_default(), None)?;
//!
//! // Once `receivers/add` added it, shares to this receiver close with WeChat's reason.
//! sandbox.set_receiver_outcome(&ReceiverRef::merchant(&mchid, "1900000110"), Some("NO_RELATION"))?;
//! # Ok(()) }
//! ```
//!
//! ## Standalone, for any language
//!
//! ```text
//! cargo run -p wxpay-sandbox -- --listen 127.0.0.1:8707 --out ./sandbox-credentials
//! ```
//!
//! writes the demo merchant's private key, certificate, serial, mchid and
//! APIv3 key, the platform certificate and public key (see [`files`]) into the
//! directory and prints where; a later start with the same `--out` reuses
//! them. `--help` lists the flags, including those that register your own
//! merchant certificate or public key. Point your SDK's base URL at the
//! printed address.
//!
//! ## Faults
//!
//! Off by default. Per request, send the header [`FAULT_HEADER`]
//! (`Wxpay-Sandbox-Fault: tampered-body`, `... : delay=1500`); it is not part
//! of the signed message. In process, [`Sandbox::inject`] arms a fault for the
//! next request and [`Sandbox::set_fault`] for every request until cleared;
//! standalone, `--fault NAME` sets one for the whole run. The request is
//! handled first (verified, stored), then its answer is bent.
#![warn(missing_docs)]
#![forbid(unsafe_code)]
// docs.rs (nightly, `--cfg docsrs`): mark each item with the feature it needs.
#![cfg_attr(docsrs, feature(doc_cfg))]

mod app;
mod auth;
mod bill;
mod callbacks;
pub mod catalog;
mod certgen;
#[cfg(feature = "sqlite")]
mod cli;
mod clock;
#[cfg(feature = "sqlite")]
mod commands;
pub mod config;
mod control;
mod digest;
mod error;
mod fault;
pub mod files;
mod fleet;
mod gateway;
mod identity;
mod ledger;
mod lifecycle;
mod notify;
mod ops;
#[cfg(feature = "sqlite")]
mod persist;
mod platform;
mod random;
mod reply;
mod sandbox;
mod server;
mod store;
pub mod v2;
mod wire;

pub use bill::{BillApi, BillFile};
pub use callbacks::Delivery;
pub use control::ReceiverRef;
pub use error::SandboxError;
pub use fault::{Fault, UnknownFault, DEFAULT_DELAY, FAULT_HEADER, MAX_DELAY};
pub use fleet::{NewMerchant, MERCHANTS_DIR};
pub use identity::{DemoMerchant, KeyMode, Merchant, SubMerchant};
pub use notify::{
    NotificationAttempt, NOTIFY_ANSWER_TIMEOUT, NOTIFY_RETRY_SCHEDULE,
    TRANSFER_NOTIFY_RETRY_SCHEDULE,
};
pub use ops::profitsharing::PROFIT_SHARING_OPERATIONS;
pub use ops::transfer::TRANSFER_OPERATIONS;
pub use ops::{PAYMENT_OPERATIONS, SEED_OPERATIONS};
pub use platform::PlatformKeys;
pub use sandbox::{
    Sandbox, SandboxBuilder, DEFAULT_IDLE_TIMEOUT, DEFAULT_MAX_BODY_BYTES, DEFAULT_MAX_CONNECTIONS,
    DEFAULT_MAX_ORDERS, DEFAULT_MCHID, DEFAULT_SUB_MCHID,
};

/// **Unstable: not part of the public API.** What the `wxpay` command line
/// (`wxpay sandbox ...`) and this crate's own binary run; it may change in
/// any release.
#[doc(hidden)]
pub mod unstable {
    pub use crate::cli::main as cli_main;
}
