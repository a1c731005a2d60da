//! [`NotificationStore`] on Redis: each step one round trip (a command or
//! a Lua script on the merchant's keys, which share a hash tag).

use std::sync::LazyLock;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use redis::aio::ConnectionLike;
use redis::Script;
use wxpay_core::sign::BoxFuture;
use wxpay_core::store::{Admission, Claim, DeliveryKey, NotificationStore, StoreError};

use crate::certificates::RELEASE;
use crate::RedisStore;

/// What a handled notification's key holds (a claim holds its owner's
/// token: 24 letters and digits, never this).
const DONE: &str = "done";

/// KEYS[1] the delivery, KEYS[2] the notification; ARGV[1] how long the
/// delivery is remembered (ms), ARGV[2] the owner, ARGV[3] the lease (ms).
/// Admits the delivery and claims the notification: `replayed`, `claimed`,
/// `done` or `busy`.
static ADMIT_AND_CLAIM: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"if not redis.call('SET', KEYS[1], '1', 'NX', 'PX', ARGV[1]) then
            return 'replayed'
          end
          local state = redis.call('GET', KEYS[2])
          if not state then
            redis.call('SET', KEYS[2], ARGV[2], 'PX', ARGV[3])
            return 'claimed'
          end
          if state == 'done' then return 'done' end
          return 'busy'",
    )
});

/// KEYS[1] the notification; ARGV[1] the owner, ARGV[2] the lease (ms).
static CLAIM: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"local state = redis.call('GET', KEYS[1])
          if not state then
            redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
            return 'claimed'
          end
          if state == 'done' then return 'done' end
          return 'busy'",
    )
});

/// KEYS[1] the notification; ARGV[1] the owner, ARGV[2] the lease (ms).
static RENEW: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"if redis.call('GET', KEYS[1]) == ARGV[1] then
            return redis.call('PEXPIRE', KEYS[1], ARGV[2])
          end
          return 0",
    )
});

fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis())
        .unwrap_or(u64::MAX)
        .max(1)
}

/// How long from now until `expires_at` (unix seconds), at least a second.
fn until(expires_at: i64) -> u64 {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0);
    u64::try_from(expires_at.saturating_mul(1000).saturating_sub(now))
        .unwrap_or(0)
        .max(1000)
}

fn claim(answer: &str) -> Result<Claim, StoreError> {
    match answer {
        "claimed" => Ok(Claim::Claimed),
        "done" => Ok(Claim::Done),
        "busy" => Ok(Claim::Busy),
        other => Err(StoreError::new(format!(
            "Redis answered {other:?} to a claim (expected claimed, done or busy)"
        ))),
    }
}

impl<C> NotificationStore for RedisStore<C>
where
    C: ConnectionLike + Clone + Send + Sync + 'static,
{
    fn admit<'a>(
        &'a self,
        scope: &'a str,
        delivery: DeliveryKey<'a>,
    ) -> BoxFuture<'a, Result<bool, StoreError>> {
        Box::pin(async move {
            let mut connection = self.connection.clone();
            let key = self
                .keys
                .delivery(scope, delivery.timestamp, delivery.nonce);
            let set = self
                .call(
                    || format!("recording a delivery to {scope} in Redis"),
                    redis::cmd("SET")
                        .arg(&key)
                        .arg("1")
                        .arg("NX")
                        .arg("PX")
                        .arg(until(delivery.expires_at))
                        .query_async::<Option<String>>(&mut connection),
                )
                .await?;
            Ok(set.is_some())
        })
    }

    fn claim<'a>(
        &'a self,
        scope: &'a str,
        id: &'a str,
        owner: &'a str,
        lease: Duration,
    ) -> BoxFuture<'a, Result<Claim, StoreError>> {
        Box::pin(async move {
            let mut connection = self.connection.clone();
            let answer = self
                .call(
                    || format!("claiming notification {id} of {scope} in Redis"),
                    CLAIM
                        .key(self.keys.notification(scope, id))
                        .arg(owner)
                        .arg(millis(lease))
                        .invoke_async::<String>(&mut connection),
                )
                .await?;
            claim(&answer)
        })
    }

    fn admit_and_claim<'a>(
        &'a self,
        scope: &'a str,
        delivery: DeliveryKey<'a>,
        id: &'a str,
        owner: &'a str,
        lease: Duration,
    ) -> BoxFuture<'a, Result<Admission, StoreError>> {
        Box::pin(async move {
            let mut connection = self.connection.clone();
            let answer = self
                .call(
                    || format!("admitting notification {id} of {scope} in Redis"),
                    ADMIT_AND_CLAIM
                        .key(
                            self.keys
                                .delivery(scope, delivery.timestamp, delivery.nonce),
                        )
                        .key(self.keys.notification(scope, id))
                        .arg(until(delivery.expires_at))
                        .arg(owner)
                        .arg(millis(lease))
                        .invoke_async::<String>(&mut connection),
                )
                .await?;
            match answer.as_str() {
                "replayed" => Ok(Admission::Replayed),
                other => claim(other).map(Admission::Claim),
            }
        })
    }

    fn renew<'a>(
        &'a self,
        scope: &'a str,
        id: &'a str,
        owner: &'a str,
        lease: Duration,
    ) -> BoxFuture<'a, Result<bool, StoreError>> {
        Box::pin(async move {
            let mut connection = self.connection.clone();
            let renewed = self
                .call(
                    || format!("renewing the claim of notification {id} of {scope} in Redis"),
                    RENEW
                        .key(self.keys.notification(scope, id))
                        .arg(owner)
                        .arg(millis(lease))
                        .invoke_async::<i64>(&mut connection),
                )
                .await?;
            Ok(renewed == 1)
        })
    }

    fn finish<'a>(
        &'a self,
        scope: &'a str,
        id: &'a str,
        _owner: &'a str,
        keep: Duration,
    ) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(async move {
            let mut connection = self.connection.clone();
            // Done whoever holds the claim now: the handler ran.
            self.call(
                || format!("marking notification {id} of {scope} done in Redis"),
                redis::cmd("SET")
                    .arg(self.keys.notification(scope, id))
                    .arg(DONE)
                    .arg("PX")
                    .arg(millis(keep))
                    .query_async::<()>(&mut connection),
            )
            .await
        })
    }

    fn release<'a>(
        &'a self,
        scope: &'a str,
        id: &'a str,
        owner: &'a str,
    ) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(async move {
            let mut connection = self.connection.clone();
            self.call(
                || format!("releasing the claim of notification {id} of {scope} in Redis"),
                RELEASE
                    .key(self.keys.notification(scope, id))
                    .arg(owner)
                    .invoke_async::<i64>(&mut connection),
            )
            .await
            .map(drop)
        })
    }
}
