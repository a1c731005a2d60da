//! Handling a notification exactly once: verify, claim its id in a shared
//! [`NotificationStore`], run the handler, mark the id done (or give the
//! claim up when the handler fails, so WeChat Pay's retry is handled).

use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::HeaderMap;
use serde::de::DeserializeOwned;

use super::{verification_error, Notification, Notifier};
use crate::error::{Error, VerifyError};
use crate::keyring::unix_now;
use crate::store::{Admission, Claim, DeliveryKey, NotificationStore};
use crate::verify::{SignatureHeaders, MAX_CLOCK_SKEW_SECS};

/// How long a claim lasts unless renewed (a handler that runs longer has it
/// renewed every third of it): the claim of an instance that died frees
/// itself after this.
pub const DEFAULT_CLAIM_LEASE: Duration = Duration::from_secs(30);

/// How long a handled notification's id is remembered: longer than WeChat
/// Pay retries one (24 h 4 min; 22 h 53 min for transfers), with a margin.
pub const DEFAULT_DONE_KEPT: Duration = Duration::from_secs(3 * 24 * 60 * 60);

/// A notifier's shared store and its times.
#[derive(Clone)]
pub(super) struct Shared {
    store: Arc<dyn NotificationStore>,
    lease: Duration,
    kept: Duration,
}

impl Shared {
    /// Admits a verified delivery (the shared replay guard).
    pub(super) async fn admit(
        &self,
        scope: &str,
        headers: &HeaderMap,
        signature: &SignatureHeaders,
    ) -> Result<(), Error> {
        match self.store.admit(scope, delivery(signature)).await {
            Ok(true) => Ok(()),
            Ok(false) => Err(verification_error(headers, VerifyError::Replayed)),
            Err(e) => Err(Error::Store(e)),
        }
    }

    /// Runs `work` while holding the claim, renewing it every third of the
    /// lease until `work` ends.
    async fn run_claimed<W: Future>(
        &self,
        scope: &str,
        id: &str,
        owner: &str,
        work: W,
    ) -> W::Output {
        let mut work = std::pin::pin!(work);
        let every = (self.lease / 3).max(Duration::from_millis(10));
        loop {
            tokio::select! {
                output = &mut work => return output,
                () = tokio::time::sleep(every) => {
                    match self.store.renew(scope, id, owner, self.lease).await {
                        Ok(true) => {}
                        Ok(false) => tracing::error!(
                            notification = id,
                            "wxpay: the claim of a notification expired while its handler ran; \
                             another instance may handle it too (raise the claim lease)"
                        ),
                        Err(e) => tracing::warn!(
                            notification = id,
                            error = crate::error::report(&e).as_str(),
                            "wxpay: cannot renew a notification's claim"
                        ),
                    }
                }
            }
        }
    }
}

fn delivery(signature: &SignatureHeaders) -> DeliveryKey<'_> {
    let signed_at: i64 = signature.timestamp.parse().unwrap_or_else(|_| unix_now());
    DeliveryKey::new(
        &signature.timestamp,
        &signature.nonce,
        signed_at.saturating_add(MAX_CLOCK_SKEW_SECS as i64),
    )
}

/// What [`Notifier::handle`] did with a delivery, and what to answer
/// WeChat Pay ([`response`](Self::response)).
#[derive(Debug)]
#[non_exhaustive]
pub enum Handled {
    /// The handler ran and succeeded; answered success.
    Processed,
    /// The notification was handled before (a retry, or a delivery to
    /// several instances); answered success, the handler not run.
    Duplicate,
    /// Another instance is handling it now; answered `FAIL`, so WeChat Pay
    /// delivers it again (by then it is done, or the claim of an instance
    /// that died has expired).
    Busy,
    /// The handler failed (its message); its claim was given up and the
    /// answer is `FAIL`, so WeChat Pay's retry is handled.
    HandlerFailed(String),
    /// Not verified, replayed, too large or undecodable; answered `FAIL`
    /// (401 when the signature was the problem, else 400).
    Refused(Error),
    /// The shared store could not be reached; answered `FAIL`, so WeChat
    /// Pay delivers it again later and nothing is lost.
    StoreUnavailable(Error),
}

impl Handled {
    /// Whether WeChat Pay is told the notification was handled.
    pub fn is_success(&self) -> bool {
        matches!(self, Handled::Processed | Handled::Duplicate)
    }

    /// The answer for WeChat Pay: 204 for success, otherwise a status
    /// other than 200/204 with `{"code":"FAIL","message":...}` (the message
    /// never carries the handler's error text).
    pub fn response(&self) -> http::Response<Bytes> {
        let (status, message) = match self {
            Handled::Processed | Handled::Duplicate => return Notifier::success(),
            Handled::Busy => (500, "being handled; retry later".to_owned()),
            Handled::HandlerFailed(_) => (500, "the handler failed; retry later".to_owned()),
            Handled::Refused(e @ Error::Verification { .. }) => (401, e.to_string()),
            Handled::Refused(e) => (400, e.to_string()),
            Handled::StoreUnavailable(_) => {
                (500, "state store unavailable; retry later".to_owned())
            }
        };
        let mut response = Notifier::failure(&message);
        *response.status_mut() =
            http::StatusCode::from_u16(status).unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR);
        response
    }
}

impl fmt::Display for Handled {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Handled::Processed => f.write_str("handled"),
            Handled::Duplicate => f.write_str("handled before (duplicate)"),
            Handled::Busy => f.write_str("being handled by another instance"),
            Handled::HandlerFailed(message) => write!(f, "the handler failed: {message}"),
            Handled::Refused(e) => write!(f, "refused: {e}"),
            Handled::StoreUnavailable(e) => write!(f, "store unavailable: {e}"),
        }
    }
}

impl Notifier {
    /// Shares the replay guard and de-duplication through `store` (e.g.
    /// Redis, with `wxpay-redis`; [`MemoryNotificationStore`](crate::store::MemoryNotificationStore)
    /// within one process): a delivery replayed to any instance is refused
    /// ([`parse`](Self::parse) and [`handle`](Self::handle)), and
    /// [`handle`](Self::handle) runs the handler once per notification
    /// across every instance using the store. Replaces
    /// [`with_replay_guard`](Self::with_replay_guard). State is kept per
    /// merchant (the client's `mchid`, with [`for_client`](Self::for_client)).
    pub fn with_store(mut self, store: Arc<dyn NotificationStore>) -> Self {
        self.shared = Some(Shared {
            store,
            lease: DEFAULT_CLAIM_LEASE,
            kept: DEFAULT_DONE_KEPT,
        });
        self
    }

    /// How long a claim lasts unless renewed (default
    /// [`DEFAULT_CLAIM_LEASE`]) and how long a handled id is remembered
    /// (default [`DEFAULT_DONE_KEPT`]); with [`with_store`](Self::with_store).
    pub fn with_claim_times(mut self, lease: Duration, kept: Duration) -> Self {
        if let Some(shared) = &mut self.shared {
            shared.lease = lease.max(Duration::from_millis(30));
            shared.kept = kept;
        }
        self
    }

    /// Verifies, de-duplicates and handles one delivery, and says what to
    /// answer ([`Handled::response`]).
    ///
    /// With a store ([`with_store`](Self::with_store)), in two calls to it:
    /// the delivery is admitted (a replay is refused) and the notification
    /// id claimed at once; then `handler` runs, and the id is marked done,
    /// or, if the handler failed, the claim is given up so WeChat Pay's
    /// retry is handled. A notification delivered to several instances at
    /// once runs its handler on one of them; the others answer
    /// [`Handled::Busy`] (WeChat Pay delivers it again) or
    /// [`Handled::Duplicate`]. A handler that outlives its claim's lease
    /// has the claim renewed; one that panics leaves a claim that expires.
    /// If marking done fails after the handler succeeded, success is still
    /// answered (the work is done; answering `FAIL` would make WeChat Pay
    /// deliver it again and an instance run it twice once the claim
    /// expired). Without a store, the handler runs for every verified
    /// delivery (and the local replay guard, if any, applies).
    pub async fn handle<T, F, Fut, E>(
        &self,
        headers: &HeaderMap,
        body: &[u8],
        handler: F,
    ) -> Handled
    where
        T: DeserializeOwned,
        F: FnOnce(Notification<T>) -> Fut,
        Fut: Future<Output = Result<(), E>>,
        E: fmt::Display,
    {
        let now = unix_now();
        let signature = match self.verified(headers, body, now).await {
            Ok(signature) => signature,
            Err(e) => return Handled::Refused(e),
        };
        let envelope = match self.envelope(headers, body) {
            Ok(envelope) => envelope,
            Err(e) => return Handled::Refused(e),
        };
        let Some(shared) = &self.shared else {
            if let Some(guard) = &self.replay_guard {
                if let Err(e) = guard.admit(&signature.timestamp, &signature.nonce, now) {
                    return Handled::Refused(verification_error(headers, e));
                }
            }
            return match self.open(headers, &envelope) {
                Ok(resource) => match handler(Notification { envelope, resource }).await {
                    Ok(()) => Handled::Processed,
                    Err(e) => Handled::HandlerFailed(e.to_string()),
                },
                Err(e) => Handled::Refused(e),
            };
        };
        let scope = self.scope();
        let owner = match crate::store::token() {
            Ok(owner) => owner,
            Err(e) => return Handled::StoreUnavailable(Error::Store(e)),
        };
        let id = envelope.id.clone();
        let admitted = shared
            .store
            .admit_and_claim(scope, delivery(&signature), &id, &owner, shared.lease)
            .await;
        match admitted {
            Err(e) => return Handled::StoreUnavailable(Error::Store(e)),
            Ok(Admission::Replayed) => {
                return Handled::Refused(verification_error(headers, VerifyError::Replayed))
            }
            Ok(Admission::Claim(Claim::Done)) => return Handled::Duplicate,
            Ok(Admission::Claim(Claim::Busy)) => return Handled::Busy,
            Ok(Admission::Claim(Claim::Claimed)) => {}
        }
        let outcome = match self.open(headers, &envelope) {
            Ok(resource) => {
                let work = handler(Notification { envelope, resource });
                match shared.run_claimed(scope, &id, &owner, work).await {
                    Ok(()) => Ok(()),
                    Err(e) => Err(Handled::HandlerFailed(e.to_string())),
                }
            }
            Err(e) => Err(Handled::Refused(e)),
        };
        match outcome {
            Ok(()) => {
                if let Err(e) = shared.store.finish(scope, &id, &owner, shared.kept).await {
                    tracing::warn!(
                        notification = id.as_str(),
                        error = crate::error::report(&e).as_str(),
                        "wxpay: handled, but cannot mark the notification done; answering success"
                    );
                }
                Handled::Processed
            }
            Err(failed) => {
                if let Err(e) = shared.store.release(scope, &id, &owner).await {
                    tracing::warn!(
                        notification = id.as_str(),
                        error = crate::error::report(&e).as_str(),
                        "wxpay: cannot give up a notification's claim; it expires with its lease"
                    );
                }
                failed
            }
        }
    }
}
