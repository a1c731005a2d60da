//! Callbacks (notifications): WeChat Pay POSTs a signed JSON envelope whose
//! `resource` is AES-256-GCM encrypted with the merchant's APIv3 key.
//!
//! Framework-neutral: hand [`Notifier::parse`] the raw headers and the raw
//! body bytes exactly as received (never a re-serialised body), then answer
//! with [`Notifier::success`] or [`Notifier::failure`].

use std::fmt;
use std::sync::Arc;

use bytes::Bytes;
use http::HeaderMap;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::crypto::ApiV3Key;
use crate::error::{CryptoError, Error, Origin};
use crate::keyring::unix_now;
use crate::verify::{self, SignatureHeaders, Verifier};

mod replay;

use replay::ReplayGuard;

/// The default [`Notifier::with_max_body_bytes`]: WeChat Pay's notifications
/// are a few KiB.
pub const DEFAULT_MAX_NOTIFICATION_BYTES: usize = 1 << 20;

/// The only resource algorithm WeChat Pay uses.
pub const RESOURCE_ALGORITHM: &str = "AEAD_AES_256_GCM";

/// The encrypted `resource` of a notification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct EncryptedResource {
    /// Always `AEAD_AES_256_GCM`.
    pub algorithm: String,
    /// Base64 ciphertext with the 16-byte tag appended.
    pub ciphertext: String,
    /// The 12-character nonce.
    pub nonce: String,
    /// Associated data (may be absent or empty).
    #[serde(default)]
    pub associated_data: String,
    /// The object type before encryption, e.g. `transaction`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub original_type: Option<String>,
}

impl EncryptedResource {
    /// Decrypts the resource with the APIv3 key.
    pub fn decrypt(&self, key: &ApiV3Key) -> Result<Vec<u8>, CryptoError> {
        key.decrypt(&self.ciphertext, &self.nonce, &self.associated_data)
    }
}

/// The notification envelope as WeChat Pay sends it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Envelope {
    /// Notification id (unique; use it to de-duplicate retries).
    pub id: String,
    /// When the notification was created (RFC 3339).
    pub create_time: String,
    /// The event, e.g. `TRANSACTION.SUCCESS`, `REFUND.SUCCESS`.
    pub event_type: String,
    /// `encrypt-resource`.
    pub resource_type: String,
    /// A short human summary (回调摘要).
    #[serde(default)]
    pub summary: String,
    /// The encrypted payload.
    pub resource: EncryptedResource,
}

/// A verified, decrypted notification.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Notification<T = serde_json::Value> {
    /// The envelope (its `resource` still encrypted, for the record).
    pub envelope: Envelope,
    /// The decrypted resource.
    pub resource: T,
}

impl<T> Notification<T> {
    /// The event type, e.g. `TRANSACTION.SUCCESS`.
    pub fn event_type(&self) -> &str {
        &self.envelope.event_type
    }
}

/// Verifies and decrypts notifications for one merchant.
#[derive(Clone)]
pub struct Notifier {
    trust: Trusted,
    key: ApiV3Key,
    max_body_bytes: usize,
    replay_guard: Option<ReplayGuard>,
}

/// Whom a notifier trusts.
#[derive(Clone)]
enum Trusted {
    /// A client's keys, and their refresh: a callback signed by a platform
    /// certificate the client does not know yet (WeChat rotated it)
    /// refreshes the client's certificates, as an answer would.
    Client(crate::Client),
    /// A fixed verifier.
    Verifier(Arc<dyn Verifier>),
}

impl fmt::Debug for Notifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Notifier")
            .field("key", &self.key)
            .finish_non_exhaustive()
    }
}

impl Notifier {
    /// A notifier that trusts what `verifier` trusts (e.g. a [`Keyring`](crate::Keyring)).
    pub fn new(verifier: impl Verifier + 'static, key: ApiV3Key) -> Self {
        Self::with(Trusted::Verifier(Arc::new(verifier)), key)
    }

    /// A notifier that trusts what `client` trusts, and follows its
    /// certificates: a callback signed with a platform certificate the
    /// client does not hold yet (WeChat Pay rotates them; a new one signs
    /// about 24 h after it is listed) makes the client download its
    /// certificates, at most once a minute however many such callbacks
    /// arrive (shared with the client's own requests), then checks the
    /// callback again. A merchant whose server mostly receives callbacks
    /// keeps up with rotations without an outgoing request.
    pub fn for_client(client: &crate::Client, key: ApiV3Key) -> Self {
        Self::with(Trusted::Client(client.clone()), key)
    }

    fn with(trust: Trusted, key: ApiV3Key) -> Self {
        Self {
            trust,
            key,
            max_body_bytes: DEFAULT_MAX_NOTIFICATION_BYTES,
            replay_guard: None,
        }
    }

    /// Refuses a delivery seen before (the same signed timestamp and nonce)
    /// while it could still verify, remembering at most `capacity` deliveries
    /// of the last 300 s; when that many are live, new ones are refused (and
    /// WeChat Pay retries them later) rather than an entry forgotten. Clones
    /// of this notifier share the guard. WeChat Pay's own retries are signed
    /// afresh and get through; de-duplicate those by
    /// [`Envelope::id`].
    pub fn with_replay_guard(mut self, capacity: usize) -> Self {
        self.replay_guard = Some(ReplayGuard::new(capacity));
        self
    }

    /// Refuses bodies over `limit` bytes before any work is done (default
    /// [`DEFAULT_MAX_NOTIFICATION_BYTES`]). Limit the body in your web
    /// framework too, so it is never read whole.
    pub fn with_max_body_bytes(mut self, limit: usize) -> Self {
        self.max_body_bytes = limit;
        self
    }

    /// Verifies the signature over the raw body and the 300 s window (and,
    /// with [`with_replay_guard`](Self::with_replay_guard), that the delivery
    /// is new), then decrypts the resource and decodes it as `T`
    /// (`serde_json::Value` for any). Header names are matched
    /// case-insensitively; a body over the size limit is refused first.
    pub async fn parse<T: DeserializeOwned>(
        &self,
        headers: &HeaderMap,
        body: &[u8],
    ) -> Result<Notification<T>, Error> {
        self.parse_at(headers, body, unix_now()).await
    }

    /// [`parse`](Self::parse) as of `now` (Unix seconds) instead of the
    /// clock: to re-check a captured delivery at the time it was signed
    /// (e.g. `wxpay notify --allow-stale`). A web handler calls `parse`.
    pub async fn parse_at<T: DeserializeOwned>(
        &self,
        headers: &HeaderMap,
        body: &[u8],
        now: i64,
    ) -> Result<Notification<T>, Error> {
        let request_id = || {
            headers
                .get(verify::headers::REQUEST_ID)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        if body.len() > self.max_body_bytes {
            return Err(Error::BodyTooLarge {
                origin: Origin::Callback,
                limit: self.max_body_bytes,
            });
        }
        let verification_error = |reason| Error::Verification {
            reason,
            origin: Origin::Callback,
            request_id: request_id(),
        };
        let verified = match &self.trust {
            Trusted::Client(client) => client.trust().verify(client, headers, body, now).await,
            Trusted::Verifier(verifier) => verify::verify(&**verifier, headers, body, now).await,
        };
        verified.map_err(verification_error)?;
        if let Some(guard) = &self.replay_guard {
            // Only verified deliveries are remembered, so forgeries cannot fill the guard.
            let signature =
                SignatureHeaders::from_headers(headers, now).map_err(verification_error)?;
            guard
                .admit(&signature.timestamp, &signature.nonce, now)
                .map_err(verification_error)?;
        }
        let decode_error = |message: String, excerpt: &[u8]| Error::Decode {
            origin: Origin::Callback,
            message,
            body_excerpt: String::from_utf8_lossy(&excerpt[..excerpt.len().min(256)]).into_owned(),
            request_id: request_id(),
        };
        let envelope: Envelope = serde_json::from_slice(body).map_err(|e| {
            decode_error(
                format!("the body is not WeChat Pay's notification envelope: {e}"),
                body,
            )
        })?;
        let which = format!("{} (id {})", envelope.event_type, envelope.id);
        if envelope.resource.algorithm != RESOURCE_ALGORITHM {
            return Err(decode_error(
                format!(
                    "{which}: resource algorithm {:?} is not {RESOURCE_ALGORITHM}",
                    envelope.resource.algorithm
                ),
                body,
            ));
        }
        let plaintext = envelope.resource.decrypt(&self.key).map_err(Error::crypto(
            "decrypt the callback's resource with the APIv3 key",
        ))?;
        let resource = serde_json::from_slice(&plaintext).map_err(|e| {
            // The plaintext may hold personal data: only the decoder's
            // message (a field name, a position) is reported.
            decode_error(
                format!(
                    "{which}: the decrypted resource does not decode into {}: {e}",
                    std::any::type_name::<T>()
                ),
                b"",
            )
        })?;
        Ok(Notification { envelope, resource })
    }

    /// [`parse`](Self::parse) for an `http::Request` with its whole body.
    pub async fn parse_request<T: DeserializeOwned>(
        &self,
        request: &http::Request<Bytes>,
    ) -> Result<Notification<T>, Error> {
        self.parse(request.headers(), request.body()).await
    }

    /// The answer that tells WeChat Pay the notification was handled: 204, no body.
    pub fn success() -> http::Response<Bytes> {
        let mut response = http::Response::new(Bytes::new());
        *response.status_mut() = http::StatusCode::NO_CONTENT;
        response
    }

    /// The answer that makes WeChat Pay retry later:
    /// 500 with `{"code":"FAIL","message":...}`.
    pub fn failure(message: &str) -> http::Response<Bytes> {
        let body = serde_json::json!({ "code": "FAIL", "message": message }).to_string();
        let mut response = http::Response::new(Bytes::from(body));
        *response.status_mut() = http::StatusCode::INTERNAL_SERVER_ERROR;
        response.headers_mut().insert(
            http::header::CONTENT_TYPE,
            http::HeaderValue::from_static("application/json"),
        );
        response
    }
}

/// Typed resources of the common notifications. Every field WeChat may leave
/// out is optional, and fields this SDK does not name are kept in `other`, so a
/// new field never makes a payment notification undecodable.
///
/// States here are text, since this crate knows no endpoint. `wxpay-apis`
/// types the same payloads with the enumerations of its query answers
/// (`wxpay_apis::events::TransactionEvent`, whose `trade_state` is the
/// `PayTradeState` of the order query), decoded with
/// [`Notifier::parse`]; prefer those when you depend on it.
pub mod events {
    use serde::{Deserialize, Serialize};

    /// Money of a payment notification (fen).
    #[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
    pub struct TransactionAmount {
        /// 订单总金额
        #[serde(default)]
        pub total: i64,
        /// 用户支付金额
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub payer_total: Option<i64>,
        /// 货币类型, e.g. `CNY`
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub currency: Option<String>,
        /// 用户支付币种
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub payer_currency: Option<String>,
    }

    /// The payer of a payment.
    #[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
    pub struct Payer {
        /// openid under the merchant's appid (direct merchants).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub openid: Option<String>,
        /// openid under the service provider's appid (partners).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub sp_openid: Option<String>,
        /// openid under the sub-merchant's appid (partners).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub sub_openid: Option<String>,
    }

    /// `TRANSACTION.SUCCESS` (支付成功通知), direct and partner merchants.
    #[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
    pub struct Transaction {
        /// 商户订单号
        pub out_trade_no: String,
        /// 微信支付订单号
        #[serde(default)]
        pub transaction_id: String,
        /// 交易状态, e.g. `SUCCESS`
        #[serde(default)]
        pub trade_state: String,
        /// 交易类型, e.g. `JSAPI`
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub trade_type: Option<String>,
        /// 直连商户号
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub mchid: Option<String>,
        /// 服务商户号
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub sp_mchid: Option<String>,
        /// 子商户号
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub sub_mchid: Option<String>,
        /// 支付完成时间 (RFC 3339)
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub success_time: Option<String>,
        /// 订单金额
        #[serde(default)]
        pub amount: TransactionAmount,
        /// 支付者
        #[serde(default)]
        pub payer: Payer,
        /// 附加数据
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub attach: Option<String>,
        /// Fields not named above.
        #[serde(flatten)]
        pub other: serde_json::Map<String, serde_json::Value>,
    }

    /// Money of a refund notification (fen).
    #[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
    pub struct RefundAmount {
        /// 订单金额
        #[serde(default)]
        pub total: i64,
        /// 退款金额
        #[serde(default)]
        pub refund: i64,
        /// 用户支付金额
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub payer_total: Option<i64>,
        /// 用户退款金额
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub payer_refund: Option<i64>,
    }

    /// `REFUND.SUCCESS`, `REFUND.ABNORMAL`, `REFUND.CLOSED` (退款结果通知).
    #[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
    pub struct Refund {
        /// 商户订单号
        pub out_trade_no: String,
        /// 商户退款单号
        pub out_refund_no: String,
        /// 微信支付订单号
        #[serde(default)]
        pub transaction_id: String,
        /// 微信支付退款单号
        #[serde(default)]
        pub refund_id: String,
        /// 退款状态: `SUCCESS`, `CLOSED`, `ABNORMAL`
        #[serde(default)]
        pub refund_status: String,
        /// 退款成功时间
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub success_time: Option<String>,
        /// 退款入账账户
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub user_received_account: Option<String>,
        /// 金额信息
        #[serde(default)]
        pub amount: RefundAmount,
        /// Fields not named above.
        #[serde(flatten)]
        pub other: serde_json::Map<String, serde_json::Value>,
    }

    /// The receiver of a profit-sharing notification.
    #[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
    pub struct ProfitSharingReceiver {
        /// 分账接收方类型
        #[serde(default, rename = "type")]
        pub r#type: String,
        /// 分账接收方账号
        #[serde(default)]
        pub account: String,
        /// 分账动账金额 (fen)
        #[serde(default)]
        pub amount: i64,
        /// 分账/回退描述
        #[serde(default)]
        pub description: String,
    }

    /// `PROFITSHARING.SUCCESS`, `PROFITSHARING.RETURN` (分账动账通知).
    #[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
    pub struct ProfitSharing {
        /// 微信订单号
        #[serde(default)]
        pub transaction_id: String,
        /// 微信分账/回退单号
        #[serde(default)]
        pub order_id: String,
        /// 商户分账/回退单号
        #[serde(default)]
        pub out_order_no: String,
        /// 分账接收方
        #[serde(default)]
        pub receiver: ProfitSharingReceiver,
        /// 成功时间
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub success_time: Option<String>,
        /// Fields not named above.
        #[serde(flatten)]
        pub other: serde_json::Map<String, serde_json::Value>,
    }

    /// A notification resource, typed by its event type.
    #[derive(Debug, Clone, PartialEq)]
    #[non_exhaustive]
    pub enum Event {
        /// `TRANSACTION.*`
        Transaction(Transaction),
        /// `REFUND.*`
        Refund(Refund),
        /// `PROFITSHARING.*`
        ProfitSharing(ProfitSharing),
        /// Any other event, undecoded.
        Other(serde_json::Value),
    }

    impl Event {
        pub(super) fn from_value(
            event_type: &str,
            value: serde_json::Value,
        ) -> Result<Self, serde_json::Error> {
            let family = event_type.split('.').next().unwrap_or_default();
            Ok(match family {
                "TRANSACTION" => Event::Transaction(serde_json::from_value(value)?),
                "REFUND" => Event::Refund(serde_json::from_value(value)?),
                "PROFITSHARING" => Event::ProfitSharing(serde_json::from_value(value)?),
                _ => Event::Other(value),
            })
        }
    }
}

impl Notifier {
    /// [`parse`](Self::parse), typing the resource by the event type
    /// (payments, refunds, profit sharing; [`events::Event::Other`] for the rest).
    pub async fn parse_event(
        &self,
        headers: &HeaderMap,
        body: &[u8],
    ) -> Result<Notification<events::Event>, Error> {
        let n: Notification<serde_json::Value> = self.parse(headers, body).await?;
        let event = events::Event::from_value(&n.envelope.event_type, n.resource).map_err(|e| {
            Error::Decode {
                origin: Origin::Callback,
                message: format!(
                    "{} (id {}): the decrypted resource does not decode into its event type: {e}",
                    n.envelope.event_type, n.envelope.id
                ),
                body_excerpt: String::new(),
                request_id: None,
            }
        })?;
        Ok(Notification {
            envelope: n.envelope,
            resource: event,
        })
    }
}
