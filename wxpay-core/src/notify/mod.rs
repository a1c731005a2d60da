//! Callbacks (notifications): WeChat Pay POSTs a signed JSON envelope whose
//! `resource` is AES-256-GCM encrypted with the merchant's APIv3 key.
//!
//! Framework-neutral: hand [`Notifier::parse`] the raw headers and the raw
//! body bytes exactly as received (never a re-serialised body), then answer
//! with [`Notifier::success`] or [`Notifier::failure`]. With the `axum`
//! feature, the `axum` module does that in an extractor.

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

#[cfg(feature = "axum")]
pub mod axum;
mod handle;
pub(crate) mod replay;

pub use handle::{Handled, DEFAULT_CLAIM_LEASE, DEFAULT_DONE_KEPT};
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
    /// Shared replay guard and de-duplication (`handle.rs`).
    shared: Option<handle::Shared>,
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
            shared: None,
        }
    }

    /// The merchant whose client this notifier follows
    /// ([`for_client`](Self::for_client)); `None` for a notifier built
    /// with [`new`](Self::new).
    pub fn mchid(&self) -> Option<&str> {
        match &self.trust {
            Trusted::Client(client) => Some(client.mchid()),
            Trusted::Verifier(_) => None,
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

    /// The largest body [`parse`](Self::parse) accepts.
    pub fn max_body_bytes(&self) -> usize {
        self.max_body_bytes
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
        let signature = self.verified(headers, body, now).await?;
        match &self.shared {
            Some(shared) => shared.admit(self.scope(), headers, &signature).await?,
            None => {
                if let Some(guard) = &self.replay_guard {
                    // Only verified deliveries are remembered, so forgeries cannot fill the guard.
                    guard
                        .admit(&signature.timestamp, &signature.nonce, now)
                        .map_err(|source| verification_error(headers, source))?;
                }
            }
        }
        let envelope = self.envelope(headers, body)?;
        let resource = self.open(headers, &envelope)?;
        Ok(Notification { envelope, resource })
    }

    /// The size limit, then the signature over the raw body and the time
    /// window; the checked signature headers.
    async fn verified(
        &self,
        headers: &HeaderMap,
        body: &[u8],
        now: i64,
    ) -> Result<SignatureHeaders, Error> {
        if body.len() > self.max_body_bytes {
            return Err(Error::BodyTooLarge {
                origin: Origin::Callback,
                limit: self.max_body_bytes,
            });
        }
        let verified = match &self.trust {
            Trusted::Client(client) => client.trust().verify(client, headers, body, now).await,
            Trusted::Verifier(verifier) => verify::verify(&**verifier, headers, body, now).await,
        };
        verified.map_err(|source| verification_error(headers, source))?;
        SignatureHeaders::from_headers(headers, now)
            .map_err(|source| verification_error(headers, source))
    }

    /// The envelope of a verified body (its resource still encrypted).
    fn envelope(&self, headers: &HeaderMap, body: &[u8]) -> Result<Envelope, Error> {
        let decode_error = |message: String| Error::Decode {
            origin: Origin::Callback,
            message,
            body_excerpt: String::from_utf8_lossy(&body[..body.len().min(256)]).into_owned(),
            request_id: request_id(headers),
        };
        let envelope: Envelope = serde_json::from_slice(body).map_err(|e| {
            decode_error(format!(
                "the body is not WeChat Pay's notification envelope: {e}"
            ))
        })?;
        if envelope.resource.algorithm != RESOURCE_ALGORITHM {
            return Err(decode_error(format!(
                "{} (id {}): resource algorithm {:?} is not {RESOURCE_ALGORITHM}",
                envelope.event_type, envelope.id, envelope.resource.algorithm
            )));
        }
        Ok(envelope)
    }

    /// Decrypts the resource with the APIv3 key and decodes it.
    fn open<T: DeserializeOwned>(
        &self,
        headers: &HeaderMap,
        envelope: &Envelope,
    ) -> Result<T, Error> {
        let plaintext = envelope.resource.decrypt(&self.key).map_err(Error::crypto(
            "decrypt the callback's resource with the APIv3 key",
        ))?;
        serde_json::from_slice(&plaintext).map_err(|e| {
            // The plaintext may hold personal data: only the decoder's
            // message (a field name, a position) is reported.
            Error::Decode {
                origin: Origin::Callback,
                message: format!(
                    "{} (id {}): the decrypted resource does not decode into {}: {e}",
                    envelope.event_type,
                    envelope.id,
                    std::any::type_name::<T>()
                ),
                body_excerpt: String::new(),
                request_id: request_id(headers),
            }
        })
    }

    /// Where a shared store keeps this notifier's state: its merchant.
    fn scope(&self) -> &str {
        self.mchid().unwrap_or("-")
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

fn request_id(headers: &HeaderMap) -> Option<String> {
    headers
        .get(verify::headers::REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

fn verification_error(headers: &HeaderMap, reason: crate::VerifyError) -> Error {
    Error::Verification {
        reason,
        origin: Origin::Callback,
        request_id: request_id(headers),
    }
}

/// A type decoded from a notification by its event type: an enum of the
/// events one notify URL receives, with a case for each event type it knows
/// and one that keeps any other as it came.
///
/// [`Notifier::parse_event`] verifies and decrypts a notification, then
/// hands its event type and decrypted resource here. This crate knows no
/// endpoint, so it types no event: `wxpay_apis::events::Event` implements
/// this for WeChat Pay's payments, refunds, profit sharing, transfers and
/// complaints, and an application may implement it for its own enum.
///
/// ```
/// use serde::Deserialize;
/// use wxpay_core::notify::NotificationEvent;
///
/// #[derive(Debug, Deserialize)]
/// struct Paid {
///     out_trade_no: String,
/// }
///
/// #[derive(Debug)]
/// enum ShopEvent {
///     Paid(Paid),
///     Other(serde_json::Value),
/// }
///
/// impl NotificationEvent for ShopEvent {
///     fn from_resource(
///         event_type: &str,
///         resource: serde_json::Value,
///     ) -> Result<Self, serde_json::Error> {
///         Ok(match event_type {
///             "TRANSACTION.SUCCESS" => ShopEvent::Paid(serde_json::from_value(resource)?),
///             _ => ShopEvent::Other(resource),
///         })
///     }
/// }
///
/// let paid = ShopEvent::from_resource(
///     "TRANSACTION.SUCCESS",
///     serde_json::json!({"out_trade_no": "1217752501201407033233368018"}),
/// )?;
/// assert!(matches!(paid, ShopEvent::Paid(p) if p.out_trade_no == "1217752501201407033233368018"));
/// // A known event whose resource does not fit is an error, not `Other`.
/// assert!(ShopEvent::from_resource("TRANSACTION.SUCCESS", serde_json::json!({})).is_err());
/// # Ok::<(), serde_json::Error>(())
/// ```
pub trait NotificationEvent: Sized {
    /// Decodes the decrypted `resource` of a notification of type
    /// `event_type` (`TRANSACTION.SUCCESS`, `REFUND.CLOSED`, ...). An event
    /// type it types whose resource does not fit is an error (the notifier
    /// names the event type); one it does not type is kept, not refused.
    fn from_resource(
        event_type: &str,
        resource: serde_json::Value,
    ) -> Result<Self, serde_json::Error>;
}

impl Notifier {
    /// [`parse`](Self::parse), then the resource decoded by its event type
    /// into `E` ([`NotificationEvent`]): one notify URL that receives
    /// payments and refunds gets each as its own case.
    ///
    /// ```no_run
    /// # async fn handle(
    /// #     notifier: &wxpay_core::notify::Notifier,
    /// #     headers: &http::HeaderMap,
    /// #     body: &[u8],
    /// # ) -> Result<(), wxpay_core::Error> {
    /// # #[derive(Debug)] enum Event { Other(serde_json::Value) }
    /// # impl wxpay_core::notify::NotificationEvent for Event {
    /// #     fn from_resource(_: &str, v: serde_json::Value) -> Result<Self, serde_json::Error> { Ok(Event::Other(v)) }
    /// # }
    /// // With `wxpay_apis::events::Event` (or your own enum):
    /// let notification = notifier.parse_event::<Event>(headers, body).await?;
    /// println!("{}: {:?}", notification.event_type(), notification.resource);
    /// # Ok(()) }
    /// ```
    ///
    /// A resource that does not fit the case of its event type is an
    /// [`Error::Decode`] naming the event type (never quoting the
    /// decrypted resource, which may hold personal data).
    pub async fn parse_event<E: NotificationEvent>(
        &self,
        headers: &HeaderMap,
        body: &[u8],
    ) -> Result<Notification<E>, Error> {
        let n: Notification<serde_json::Value> = self.parse(headers, body).await?;
        let event =
            E::from_resource(&n.envelope.event_type, n.resource).map_err(|e| Error::Decode {
                origin: Origin::Callback,
                message: format!(
                    "{} (id {}): the decrypted resource does not decode into its event type: {e}",
                    n.envelope.event_type, n.envelope.id
                ),
                body_excerpt: String::new(),
                request_id: request_id(headers),
            })?;
        Ok(Notification {
            envelope: n.envelope,
            resource: event,
        })
    }
}
