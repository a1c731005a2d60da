//! # wxpay-redis
//!
//! The state the instances of a WeChat Pay (微信支付) service share, on
//! Redis: [`RedisStore`] implements `wxpay-core`'s
//! [`CertificateStore`](wxpay_core::store::CertificateStore) (platform
//! certificates downloaded by one instance per refresh interval, read by
//! the others) and [`NotificationStore`](wxpay_core::store::NotificationStore)
//! (a delivery replayed to any instance is refused; a notification
//! delivered to every instance at once is handled once).
//!
//! ```no_run
//! use std::sync::Arc;
//! use wxpay_core::registry::{DirectorySource, MerchantRegistry};
//! use wxpay_redis::RedisStore;
//!
//! # fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! let store = Arc::new(RedisStore::open("redis://127.0.0.1:6379/")?);
//! let registry = MerchantRegistry::builder(DirectorySource::new("/etc/shop/merchants"))
//!     .certificate_store(store.clone())
//!     .notification_store(store)
//!     .build()?;
//! # let _ = registry; Ok(()) }
//! ```
//!
//! ## Keys
//!
//! Every key of a merchant carries its id as a hash tag,
//! `{prefix}:{<mchid>}:...` (prefix `wxpay` by default), so Redis Cluster
//! keeps a merchant's keys in one slot and each step below is one script
//! on one node:
//!
//! | key | holds | lives |
//! | --- | --- | --- |
//! | `wxpay:{M}:certificates` | the last `v3/certificates` listing, as WeChat Pay sent it (encrypted with the APIv3 key) | 7 days, rewritten each refresh |
//! | `wxpay:{M}:certificates:lock` | the token of the instance downloading | 30 s at most |
//! | `wxpay:{M}:delivery:{timestamp}:{nonce}` | a delivery seen | until it can no longer verify (300 s) |
//! | `wxpay:{M}:notification:{id}` | the claiming instance's token, or `done` | the claim's lease (30 s, renewed), then 3 days when done |
//!
//! A notification costs two round trips: one script admits the delivery
//! and claims the id, then one command marks it done (or one script gives
//! the claim up).
//!
//! ## When Redis is unreachable
//!
//! Every call is bounded ([`RedisStore::with_timeout`], 2 s by default) and
//! nothing is processed twice or lost:
//!
//! - **Notifications** are answered `FAIL` (HTTP 500) before the handler
//!   runs, so WeChat Pay delivers them again on its retry schedule and they
//!   are handled once Redis is back. A handler that already ran while Redis
//!   went away has its notification answered success (its work is done);
//!   its claim expires with its lease.
//! - **Outgoing requests** keep verifying with the certificates their
//!   clients hold and try Redis again a minute later; a client with none
//!   yet, or that meets a serial it does not know, downloads by itself.
//!
//! Run Redis with persistence (`appendonly yes`) so that a restarted Redis
//! still knows which notifications were handled; without it, a notification
//! WeChat Pay delivered again after the restart would be handled again.
//!
//! Nothing stored is secret: certificates stay encrypted with each
//! merchant's APIv3 key (which authenticates them to every reader), claims
//! are random tokens.
#![warn(missing_docs)]
#![forbid(unsafe_code)]

use std::sync::Arc;
use std::time::Duration;

use redis::aio::{ConnectionLike, ConnectionManager, ConnectionManagerConfig};
use wxpay_core::store::StoreError;

mod certificates;
mod keys;
mod notifications;

pub use redis;

/// How long one call to Redis may take before it counts as failed.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(2);

/// The key prefix unless [`RedisStore::with_prefix`] says otherwise.
pub const DEFAULT_PREFIX: &str = "wxpay";

/// What can go wrong setting up a [`RedisStore`] (its calls fail as
/// [`StoreError`]s, through the traits).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The URL is not a Redis URL (`redis://host:port/db`).
    #[error("invalid Redis URL: {0}")]
    InvalidUrl(#[source] redis::RedisError),
    /// The key prefix would break the hash tags.
    #[error("key prefix {0:?} must be non-empty, without `{{`, `}}` or spaces")]
    InvalidPrefix(String),
    /// Redis answered with an error, or the connection failed.
    #[error("Redis failed")]
    Redis(#[source] redis::RedisError),
    /// Redis did not answer in time.
    #[error("Redis did not answer within {0:?}")]
    Timeout(Duration),
}

/// Shared certificates and notification state on Redis.
///
/// `C` is the connection: by default a [`ConnectionManager`] (one
/// multiplexed connection that reconnects by itself); any
/// [`ConnectionLike`] that clones cheaply works, e.g. a cluster connection
/// built with the `redis` crate's `cluster-async` feature
/// ([`with_connection`](Self::with_connection)). Clones share the connection.
#[derive(Clone)]
pub struct RedisStore<C = ConnectionManager> {
    connection: C,
    keys: Arc<keys::Keys>,
    timeout: Duration,
}

impl<C> std::fmt::Debug for RedisStore<C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisStore")
            .field("prefix", &self.keys.prefix())
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

impl RedisStore<ConnectionManager> {
    /// A store on the Redis at `url` (`redis://[:password@]host:port/db`).
    /// Connects lazily and reconnects by itself: a service starts while
    /// Redis is down (its calls fail until Redis is back).
    pub fn open(url: &str) -> Result<Self, Error> {
        let client = redis::Client::open(url).map_err(Error::InvalidUrl)?;
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(DEFAULT_TIMEOUT))
            .set_response_timeout(Some(DEFAULT_TIMEOUT))
            .set_number_of_retries(2)
            .set_max_delay(Duration::from_millis(500));
        let connection =
            ConnectionManager::new_lazy_with_config(client, config).map_err(Error::Redis)?;
        Ok(Self::with_connection(connection))
    }
}

impl<C> RedisStore<C>
where
    C: ConnectionLike + Clone + Send + Sync + 'static,
{
    /// A store on a connection of your own (TLS, cluster, sentinel: build
    /// it with the `redis` crate's features, re-exported as [`redis`]).
    pub fn with_connection(connection: C) -> Self {
        Self {
            connection,
            keys: Arc::new(keys::Keys::new(DEFAULT_PREFIX)),
            timeout: DEFAULT_TIMEOUT,
        }
    }

    /// Keys start with `prefix` instead of `wxpay` (several applications
    /// on one Redis).
    pub fn with_prefix(mut self, prefix: &str) -> Result<Self, Error> {
        if prefix.is_empty() || prefix.contains(['{', '}', ' ']) {
            return Err(Error::InvalidPrefix(prefix.to_owned()));
        }
        self.keys = Arc::new(keys::Keys::new(prefix));
        Ok(self)
    }

    /// How long one call may take (default [`DEFAULT_TIMEOUT`]).
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Checks that Redis answers.
    pub async fn ping(&self) -> Result<(), Error> {
        let mut connection = self.connection.clone();
        let command = redis::cmd("PING");
        let ping = command.query_async::<String>(&mut connection);
        match tokio::time::timeout(self.timeout, ping).await {
            Ok(Ok(_)) => Ok(()),
            Ok(Err(e)) => Err(Error::Redis(e)),
            Err(_) => Err(Error::Timeout(self.timeout)),
        }
    }

    /// Runs one call with the timeout, naming `what` in its error.
    async fn call<T>(
        &self,
        what: impl FnOnce() -> String,
        call: impl std::future::Future<Output = redis::RedisResult<T>>,
    ) -> Result<T, StoreError> {
        match tokio::time::timeout(self.timeout, call).await {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(e)) => Err(StoreError::with_source(what(), Error::Redis(e))),
            Err(_) => Err(StoreError::with_source(
                what(),
                Error::Timeout(self.timeout),
            )),
        }
    }
}
