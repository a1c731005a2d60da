//! axum glue (feature `axum`, for axum 0.8): a notify handler receives the
//! verified, decrypted notification as an extractor and answers with
//! [`Success`] or [`Failure`].
//!
//! ```no_run
//! use axum::routing::post;
//! use axum::Router;
//! use wxpay_core::notify::axum::{Failure, Success, Verified};
//! use wxpay_core::notify::Notifier;
//!
//! #[derive(serde::Deserialize)]
//! struct Paid {
//!     out_trade_no: String,
//! }
//!
//! async fn paid(Verified(notification): Verified<Paid>) -> Result<Success, Failure> {
//!     let order = &notification.resource.out_trade_no;
//!     // Record the payment idempotently, keyed by notification.envelope.id:
//!     // WeChat Pay may deliver one notification more than once.
//!     if order.is_empty() {
//!         return Err(Failure::new("unknown order")); // WeChat Pay retries later
//!     }
//!     Ok(Success)
//! }
//!
//! # fn app(notifier: Notifier) -> Router {
//! // The router's state is (or holds, through `FromRef`) the notifier.
//! Router::new()
//!     .route("/wxpay/notify", post(paid))
//!     .with_state(notifier)
//! # }
//! ```
//!
//! [`Verified`] reads the body itself, at most the notifier's
//! [`max_body_bytes`](Notifier::max_body_bytes), and hands the raw bytes to
//! [`Notifier::parse`]: the signature is checked over exactly what came off
//! the wire. A body that is too large, does not verify, does not decrypt
//! or does not decode as `T` never reaches the handler: it is answered
//! [`Failure`] (so WeChat Pay retries it) and logged as a `tracing` warning.
//! Put it last among the handler's arguments, as any extractor that reads
//! the body.
//!
//! Several event types at one URL (`REFUND.SUCCESS` and `REFUND.CLOSED`)
//! share a payload: check the envelope's `event_type`. For payloads of
//! different shapes at one URL (payments and refunds), extract
//! [`VerifiedEvent<E>`] with an enum of events (`wxpay_apis::events::Event`,
//! or your own [`NotificationEvent`]): each decodes into its own case.

use std::fmt;

use axum_core::body::Body;
use axum_core::extract::{FromRef, FromRequest, Request};
use axum_core::response::{IntoResponse, Response};
use bytes::Bytes;
use http_body_util::{BodyExt, LengthLimitError, Limited};
use serde::de::DeserializeOwned;

use super::{Notification, NotificationEvent, Notifier};
use crate::error::Error;

/// A notification whose signature verified and whose resource decrypted and
/// decoded as `T`: extract it in a handler whose state provides a
/// [`Notifier`] (`Notifier: FromRef<S>`; the notifier itself as the state
/// works, and clones of it are cheap).
#[derive(Debug, Clone, PartialEq)]
pub struct Verified<T = serde_json::Value>(pub Notification<T>);

impl<T> Verified<T> {
    /// The notification.
    pub fn into_inner(self) -> Notification<T> {
        self.0
    }
}

impl<S, T> FromRequest<S> for Verified<T>
where
    Notifier: FromRef<S>,
    S: Send + Sync,
    T: DeserializeOwned + Send,
{
    type Rejection = Rejected;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let (notifier, parts, body) = read(request, state).await?;
        notifier
            .parse(&parts.headers, &body)
            .await
            .map(Verified)
            .map_err(Rejected)
    }
}

/// A notification verified and decrypted as [`Verified`] is, its resource
/// decoded by its event type into `E` ([`Notifier::parse_event`]): one
/// notify URL for payments, refunds and the rest, each its own case.
///
/// ```no_run
/// use wxpay_core::notify::axum::{Success, VerifiedEvent};
/// # #[derive(Debug)]
/// # enum Event { Paid(serde_json::Value), Other(serde_json::Value) }
/// # impl wxpay_core::notify::NotificationEvent for Event {
/// #     fn from_resource(t: &str, r: serde_json::Value) -> Result<Self, serde_json::Error> {
/// #         Ok(if t == "TRANSACTION.SUCCESS" { Event::Paid(r) } else { Event::Other(r) })
/// #     }
/// # }
///
/// async fn notify(VerifiedEvent(notification): VerifiedEvent<Event>) -> Success {
///     match notification.resource {
///         Event::Paid(paid) => println!("paid: {paid}"),
///         Event::Other(_) => {}
///     }
///     Success
/// }
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct VerifiedEvent<E>(pub Notification<E>);

impl<E> VerifiedEvent<E> {
    /// The notification.
    pub fn into_inner(self) -> Notification<E> {
        self.0
    }
}

impl<S, E> FromRequest<S> for VerifiedEvent<E>
where
    Notifier: FromRef<S>,
    S: Send + Sync,
    E: NotificationEvent + Send,
{
    type Rejection = Rejected;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let (notifier, parts, body) = read(request, state).await?;
        notifier
            .parse_event(&parts.headers, &body)
            .await
            .map(VerifiedEvent)
            .map_err(Rejected)
    }
}

/// The state's notifier, the request's head and its body, read within the
/// notifier's limit.
async fn read<S>(
    request: Request,
    state: &S,
) -> Result<(Notifier, http::request::Parts, Bytes), Rejected>
where
    Notifier: FromRef<S>,
{
    let notifier = Notifier::from_ref(state);
    let limit = notifier.max_body_bytes();
    let (parts, body) = request.into_parts();
    let body = read_limited(body, limit).await.map_err(Rejected)?;
    Ok((notifier, parts, body))
}

/// Reads at most `limit` bytes: a longer body is refused as soon as the
/// limit is passed, not read whole first.
async fn read_limited(body: Body, limit: usize) -> Result<Bytes, Error> {
    match Limited::new(body, limit).collect().await {
        Ok(collected) => Ok(collected.to_bytes()),
        Err(e) if e.is::<LengthLimitError>() => Err(Error::BodyTooLarge {
            origin: crate::Origin::Callback,
            limit,
        }),
        Err(e) => Err(Error::Transport(e)),
    }
}

/// Why a notification was refused before the handler ran; answered with
/// [`Failure`], so WeChat Pay delivers it again later.
///
/// To see it in the handler instead (for metrics, say), extract
/// `Result<Verified<T>, Rejected>`; the handler then owes WeChat Pay a
/// [`Failure`] for the `Err` case itself.
#[derive(Debug)]
pub struct Rejected(Error);

impl Rejected {
    /// What went wrong: [`Error::Verification`] (not from WeChat Pay, or
    /// tampered with: never act on it), [`Error::BodyTooLarge`],
    /// [`Error::Crypto`] (check the APIv3 key), [`Error::Decode`].
    pub fn error(&self) -> &Error {
        &self.0
    }

    /// The error, owned.
    pub fn into_error(self) -> Error {
        self.0
    }

    /// The short reason WeChat Pay is told; the details stay in the log.
    fn reason(&self) -> &'static str {
        match &self.0 {
            Error::Verification { .. } => "signature verification failed",
            Error::BodyTooLarge { .. } => "notification body too large",
            Error::Crypto { .. } => "resource could not be decrypted",
            Error::Decode { .. } => "notification could not be decoded",
            _ => "notification could not be read",
        }
    }
}

impl fmt::Display for Rejected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "WeChat Pay notification rejected: {}", self.0)
    }
}

impl std::error::Error for Rejected {}

impl IntoResponse for Rejected {
    fn into_response(self) -> Response {
        tracing::warn!(error = %self, "wxpay: notification rejected, answered FAIL");
        Failure::new(self.reason()).into_response()
    }
}

/// The answer that tells WeChat Pay the notification was handled:
/// [`Notifier::success`] (204, no body).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Success;

impl IntoResponse for Success {
    fn into_response(self) -> Response {
        Notifier::success().map(Body::from)
    }
}

/// The answer that makes WeChat Pay deliver the notification again later:
/// [`Notifier::failure`] (500, `{"code":"FAIL","message":...}`). The
/// message goes to WeChat Pay: say what failed, not your internals.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    message: String,
}

impl Failure {
    /// A failure answer with this message.
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
        }
    }

    /// The message WeChat Pay is told.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl IntoResponse for Failure {
    fn into_response(self) -> Response {
        Notifier::failure(&self.message).map(Body::from)
    }
}
