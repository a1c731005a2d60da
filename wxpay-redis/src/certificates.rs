//! [`CertificateStore`] on Redis: the listing under one key, the refresh
//! lock a `SET NX PX` whose value names its holder.

use std::sync::LazyLock;
use std::time::Duration;

use redis::aio::ConnectionLike;
use redis::Script;
use wxpay_core::sign::BoxFuture;
use wxpay_core::store::{CertificateStore, LockToken, StoreError};

use crate::RedisStore;

/// A listing is rewritten every refresh interval (12 h by default); one of
/// a merchant no longer served goes away after this.
const LISTING_TTL: Duration = Duration::from_secs(7 * 24 * 60 * 60);

/// Deletes a key only when it still holds the caller's token.
pub(crate) static RELEASE: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"if redis.call('GET', KEYS[1]) == ARGV[1] then
            return redis.call('DEL', KEYS[1])
          end
          return 0",
    )
});

impl<C> CertificateStore for RedisStore<C>
where
    C: ConnectionLike + Clone + Send + Sync + 'static,
{
    fn load<'a>(&'a self, mchid: &'a str) -> BoxFuture<'a, Result<Option<Vec<u8>>, StoreError>> {
        Box::pin(async move {
            let mut connection = self.connection.clone();
            let key = self.keys.certificates(mchid);
            self.call(
                || format!("reading the certificates of {mchid} from Redis"),
                redis::cmd("GET")
                    .arg(&key)
                    .query_async::<Option<Vec<u8>>>(&mut connection),
            )
            .await
        })
    }

    fn save<'a>(
        &'a self,
        mchid: &'a str,
        listing: &'a [u8],
    ) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(async move {
            let mut connection = self.connection.clone();
            let key = self.keys.certificates(mchid);
            self.call(
                || format!("saving the certificates of {mchid} to Redis"),
                redis::cmd("SET")
                    .arg(&key)
                    .arg(listing)
                    .arg("PX")
                    .arg(LISTING_TTL.as_millis() as u64)
                    .query_async::<()>(&mut connection),
            )
            .await
        })
    }

    fn lock<'a>(
        &'a self,
        mchid: &'a str,
        lease: Duration,
    ) -> BoxFuture<'a, Result<Option<LockToken>, StoreError>> {
        Box::pin(async move {
            let token = LockToken::generate()?;
            let mut connection = self.connection.clone();
            let key = self.keys.certificate_lock(mchid);
            let taken = self
                .call(
                    || format!("taking the certificate lock of {mchid} in Redis"),
                    redis::cmd("SET")
                        .arg(&key)
                        .arg(token.as_str())
                        .arg("NX")
                        .arg("PX")
                        .arg(lease.as_millis().max(1) as u64)
                        .query_async::<Option<String>>(&mut connection),
                )
                .await?;
            Ok(taken.map(|_| token))
        })
    }

    fn unlock<'a>(
        &'a self,
        mchid: &'a str,
        token: &'a LockToken,
    ) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(async move {
            let mut connection = self.connection.clone();
            let key = self.keys.certificate_lock(mchid);
            self.call(
                || format!("releasing the certificate lock of {mchid} in Redis"),
                RELEASE
                    .key(&key)
                    .arg(token.as_str())
                    .invoke_async::<i64>(&mut connection),
            )
            .await
            .map(drop)
        })
    }
}
