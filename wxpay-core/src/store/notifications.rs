//! What the instances of a service share about notifications: the
//! deliveries seen (a replay is refused on any instance) and each
//! notification's claim (handled once, whichever instance it reaches).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use super::StoreError;
use crate::keyring::unix_now;
use crate::notify::replay::ReplayGuard;
use crate::sign::BoxFuture;

/// One signed delivery of a notification: what a replay repeats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct DeliveryKey<'a> {
    /// The signed `Wechatpay-Timestamp`.
    pub timestamp: &'a str,
    /// The signed `Wechatpay-Nonce`.
    pub nonce: &'a str,
    /// Unix seconds after which the delivery can no longer verify (and
    /// need not be remembered).
    pub expires_at: i64,
}

impl<'a> DeliveryKey<'a> {
    /// A delivery signed at `timestamp` with `nonce`, remembered until `expires_at`.
    pub fn new(timestamp: &'a str, nonce: &'a str, expires_at: i64) -> Self {
        Self {
            timestamp,
            nonce,
            expires_at,
        }
    }
}

/// What claiming a notification found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Claim {
    /// The caller holds the claim: run the handler, then
    /// [`finish`](NotificationStore::finish) or
    /// [`release`](NotificationStore::release).
    Claimed,
    /// Handled before: answer success, do nothing.
    Done,
    /// Another instance holds a live claim: answer `FAIL` (WeChat Pay
    /// delivers it again; by then it is done, or the claim of an instance
    /// that died has expired).
    Busy,
}

/// What admitting a delivery and claiming its notification found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Admission {
    /// The delivery was seen before: a replay, refused (nothing claimed).
    Replayed,
    /// A new delivery; what its claim found.
    Claim(Claim),
}

/// Deliveries seen and notifications claimed, shared by the instances of a
/// service (see [`Notifier::with_store`](crate::notify::Notifier::with_store)).
///
/// A notification is handled in two steps, each one call (one round trip
/// to Redis): [`admit_and_claim`](Self::admit_and_claim) before the
/// handler, [`finish`](Self::finish) (or [`release`](Self::release)) after.
/// `scope` is the merchant (its `mchid`); `owner` a random token naming one
/// handling of one delivery. A claim lasts `lease` unless renewed
/// ([`renew`](Self::renew)), so the claim of an instance that died expires.
pub trait NotificationStore: Send + Sync {
    /// Remembers a verified delivery until its `expires_at`: `true` if it
    /// is new, `false` if it was seen before (a replay).
    fn admit<'a>(
        &'a self,
        scope: &'a str,
        delivery: DeliveryKey<'a>,
    ) -> BoxFuture<'a, Result<bool, StoreError>>;

    /// Claims notification `id` for `owner` for `lease`.
    fn claim<'a>(
        &'a self,
        scope: &'a str,
        id: &'a str,
        owner: &'a str,
        lease: Duration,
    ) -> BoxFuture<'a, Result<Claim, StoreError>>;

    /// [`admit`](Self::admit), then (for a new delivery)
    /// [`claim`](Self::claim). A store that can do both at once (Redis: one
    /// script, one round trip) overrides this.
    fn admit_and_claim<'a>(
        &'a self,
        scope: &'a str,
        delivery: DeliveryKey<'a>,
        id: &'a str,
        owner: &'a str,
        lease: Duration,
    ) -> BoxFuture<'a, Result<Admission, StoreError>> {
        Box::pin(async move {
            if !self.admit(scope, delivery).await? {
                return Ok(Admission::Replayed);
            }
            Ok(Admission::Claim(self.claim(scope, id, owner, lease).await?))
        })
    }

    /// Extends `owner`'s claim to `lease` from now: `false` if it no longer
    /// holds it (it expired).
    fn renew<'a>(
        &'a self,
        scope: &'a str,
        id: &'a str,
        owner: &'a str,
        lease: Duration,
    ) -> BoxFuture<'a, Result<bool, StoreError>>;

    /// Marks `id` handled, remembered for `keep` (longer than WeChat Pay
    /// retries a notification).
    fn finish<'a>(
        &'a self,
        scope: &'a str,
        id: &'a str,
        owner: &'a str,
        keep: Duration,
    ) -> BoxFuture<'a, Result<(), StoreError>>;

    /// Gives up `owner`'s claim (the handler failed), so the next delivery
    /// of `id` is handled; a claim held by another is left alone.
    fn release<'a>(
        &'a self,
        scope: &'a str,
        id: &'a str,
        owner: &'a str,
    ) -> BoxFuture<'a, Result<(), StoreError>>;
}

/// The default capacity of a [`MemoryNotificationStore`]: deliveries and
/// notifications remembered, each.
pub const DEFAULT_MEMORY_CAPACITY: usize = 100_000;

#[derive(Debug, Clone, PartialEq, Eq)]
enum State {
    Claimed(String),
    Done,
}

/// [`NotificationStore`] in this process's memory: one instance's replay
/// guard and de-duplication. Bounded: when `capacity` deliveries (or
/// notifications) are live, a new one is refused (answered `FAIL`, WeChat
/// Pay retries) rather than one forgotten that could come back.
#[derive(Debug)]
pub struct MemoryNotificationStore {
    deliveries: ReplayGuard,
    claims: Mutex<HashMap<String, (State, Instant)>>,
    capacity: usize,
}

impl Default for MemoryNotificationStore {
    fn default() -> Self {
        Self::with_capacity(DEFAULT_MEMORY_CAPACITY)
    }
}

impl MemoryNotificationStore {
    /// A store remembering at most [`DEFAULT_MEMORY_CAPACITY`] of each.
    pub fn new() -> Self {
        Self::default()
    }

    /// A store remembering at most `capacity` deliveries and `capacity` notifications.
    pub fn with_capacity(capacity: usize) -> Self {
        Self {
            deliveries: ReplayGuard::new(capacity),
            claims: Mutex::new(HashMap::new()),
            capacity: capacity.max(1),
        }
    }

    fn update<T>(
        &self,
        scope: &str,
        id: &str,
        change: impl FnOnce(Option<&State>, Instant) -> (Option<(State, Instant)>, T),
    ) -> Result<T, StoreError> {
        let key = format!("{scope}\n{id}");
        let now = Instant::now();
        let mut claims = self.claims.lock().unwrap_or_else(|e| e.into_inner());
        let live = claims
            .get(&key)
            .filter(|(_, until)| *until > now)
            .map(|(state, _)| state.clone());
        let (next, answer) = change(live.as_ref(), now);
        match next {
            Some(entry) => {
                if !claims.contains_key(&key) && claims.len() >= self.capacity {
                    claims.retain(|_, (_, until)| *until > now);
                    if claims.len() >= self.capacity {
                        return Err(StoreError::new(format!(
                            "the notification store is full ({} notifications remembered); raise its capacity",
                            self.capacity
                        )));
                    }
                }
                claims.insert(key, entry);
            }
            None => {
                if live.is_none() {
                    claims.remove(&key);
                }
            }
        }
        Ok(answer)
    }
}

fn ready<'a, T: Send + 'a>(value: T) -> BoxFuture<'a, T> {
    Box::pin(std::future::ready(value))
}

impl NotificationStore for MemoryNotificationStore {
    fn admit<'a>(
        &'a self,
        scope: &'a str,
        delivery: DeliveryKey<'a>,
    ) -> BoxFuture<'a, Result<bool, StoreError>> {
        let key = format!("{scope}\n{}\n{}", delivery.timestamp, delivery.nonce);
        ready(
            match self
                .deliveries
                .admit_key(key, delivery.expires_at, unix_now())
            {
                Ok(()) => Ok(true),
                Err(crate::VerifyError::Replayed) => Ok(false),
                Err(e) => Err(StoreError::new(e.to_string())),
            },
        )
    }

    fn claim<'a>(
        &'a self,
        scope: &'a str,
        id: &'a str,
        owner: &'a str,
        lease: Duration,
    ) -> BoxFuture<'a, Result<Claim, StoreError>> {
        ready(self.update(scope, id, |state, now| match state {
            None => (
                Some((State::Claimed(owner.to_owned()), now + lease)),
                Claim::Claimed,
            ),
            Some(State::Done) => (None, Claim::Done),
            Some(State::Claimed(_)) => (None, Claim::Busy),
        }))
    }

    fn renew<'a>(
        &'a self,
        scope: &'a str,
        id: &'a str,
        owner: &'a str,
        lease: Duration,
    ) -> BoxFuture<'a, Result<bool, StoreError>> {
        ready(self.update(scope, id, |state, now| match state {
            Some(State::Claimed(held)) if held == owner => {
                (Some((State::Claimed(owner.to_owned()), now + lease)), true)
            }
            _ => (None, false),
        }))
    }

    fn finish<'a>(
        &'a self,
        scope: &'a str,
        id: &'a str,
        _owner: &'a str,
        keep: Duration,
    ) -> BoxFuture<'a, Result<(), StoreError>> {
        // Done whoever held the claim: the handler ran.
        ready(self.update(scope, id, |_, now| (Some((State::Done, now + keep)), ())))
    }

    fn release<'a>(
        &'a self,
        scope: &'a str,
        id: &'a str,
        owner: &'a str,
    ) -> BoxFuture<'a, Result<(), StoreError>> {
        let key = format!("{scope}\n{id}");
        let mut claims = self.claims.lock().unwrap_or_else(|e| e.into_inner());
        if matches!(claims.get(&key), Some((State::Claimed(held), _)) if held == owner) {
            claims.remove(&key);
        }
        ready(Ok(()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn block<T>(future: BoxFuture<'_, T>) -> T {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(future)
    }

    #[test]
    fn a_claim_is_done_busy_or_free_again() {
        let store = MemoryNotificationStore::with_capacity(4);
        let lease = Duration::from_secs(30);
        assert_eq!(
            block(store.claim("m", "n1", "a", lease)).unwrap(),
            Claim::Claimed
        );
        assert_eq!(
            block(store.claim("m", "n1", "b", lease)).unwrap(),
            Claim::Busy
        );
        block(store.release("m", "n1", "b")).unwrap(); // not b's: left alone
        assert_eq!(
            block(store.claim("m", "n1", "b", lease)).unwrap(),
            Claim::Busy
        );
        block(store.release("m", "n1", "a")).unwrap();
        assert_eq!(
            block(store.claim("m", "n1", "b", lease)).unwrap(),
            Claim::Claimed
        );
        block(store.finish("m", "n1", "b", lease)).unwrap();
        assert_eq!(
            block(store.claim("m", "n1", "c", lease)).unwrap(),
            Claim::Done
        );
        // Another merchant's notification of the same id is its own.
        assert_eq!(
            block(store.claim("other", "n1", "c", lease)).unwrap(),
            Claim::Claimed
        );
    }

    #[test]
    fn an_expired_claim_is_free() {
        let store = MemoryNotificationStore::new();
        assert_eq!(
            block(store.claim("m", "n", "dead", Duration::ZERO)).unwrap(),
            Claim::Claimed
        );
        assert!(!block(store.renew("m", "n", "dead", Duration::from_secs(1))).unwrap());
        assert_eq!(
            block(store.claim("m", "n", "alive", Duration::from_secs(30))).unwrap(),
            Claim::Claimed
        );
    }

    #[test]
    fn a_full_store_refuses_rather_than_forgets() {
        let store = MemoryNotificationStore::with_capacity(1);
        let lease = Duration::from_secs(30);
        block(store.claim("m", "n1", "a", lease)).unwrap();
        let full = block(store.claim("m", "n2", "a", lease)).unwrap_err();
        assert!(full.to_string().contains("full"), "{full}");
    }
}
