//! State several instances of a service share: platform certificates
//! ([`CertificateStore`]: one instance downloads, the others read) and
//! notifications ([`NotificationStore`]: a delivery replayed to another
//! instance is refused, a notification delivered to every instance at once
//! is handled once).
//!
//! Both are traits with an in-memory implementation here
//! ([`MemoryCertificateStore`], [`MemoryNotificationStore`]), which is what a
//! single process uses; the `wxpay-redis` crate implements them on Redis for
//! a fleet. A store keeps state per merchant: every method names the
//! merchant (its `mchid`) it is about, and stores may keep each merchant's
//! keys apart (the Redis store puts them under one hash tag, so Redis
//! Cluster keeps a merchant's keys in one slot).
//!
//! Nothing a store holds is secret or trusted on its own word: certificates
//! are kept as WeChat Pay sent them, encrypted with the merchant's APIv3 key,
//! and each instance decrypts (and so authenticates) them itself; a
//! notification's claim and done marks hold no payload.
//!
//! When a store fails (Redis unreachable), nothing is processed twice and
//! nothing is lost: a notification is answered `FAIL` so WeChat Pay
//! delivers it again later, and a client keeps verifying with the keys it
//! has (see [`CertificateStore`] for the details).

use std::fmt;

mod certificates;
mod notifications;

pub use certificates::{CertificateStore, LockToken, MemoryCertificateStore};
pub use notifications::{
    Admission, Claim, DeliveryKey, MemoryNotificationStore, NotificationStore,
    DEFAULT_MEMORY_CAPACITY,
};

/// A shared store could not be read or written (e.g. Redis is unreachable).
///
/// Stores wrap their own error: `Display` says what failed and why (the
/// wrapped error and its causes), as every error of this crate does.
#[derive(Debug)]
pub struct StoreError {
    what: String,
    source: Option<Box<dyn std::error::Error + Send + Sync>>,
}

impl StoreError {
    /// An error saying `what` failed, without a cause.
    pub fn new(what: impl Into<String>) -> Self {
        Self {
            what: what.into(),
            source: None,
        }
    }

    /// An error saying `what` failed because of `source`.
    pub fn with_source(
        what: impl Into<String>,
        source: impl Into<Box<dyn std::error::Error + Send + Sync>>,
    ) -> Self {
        Self {
            what: what.into(),
            source: Some(source.into()),
        }
    }
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.what)?;
        match &self.source {
            Some(source) => write!(f, ": {}", crate::error::report(&**source)),
            None => Ok(()),
        }
    }
}

impl std::error::Error for StoreError {}

/// A fresh random token naming one holder of a lock or claim.
pub(crate) fn token() -> Result<String, StoreError> {
    crate::crypto::random_alphanumeric(24)
        .map_err(|e| StoreError::with_source("no randomness for a claim token", e))
}
