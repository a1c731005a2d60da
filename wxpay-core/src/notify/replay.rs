//! An optional guard against replayed deliveries: a captured notification
//! (headers and body) sent again within the 300 s window verifies like the
//! original, so the guard remembers each delivery's signature until its
//! timestamp leaves the window.
//!
//! It keys on the signed `Wechatpay-Timestamp` and `Wechatpay-Nonce`, not on
//! the notification `id`: WeChat Pay's own retries of a notification carry
//! the same `id` but are signed afresh, and must get through (de-duplicating
//! by `id` is the handler's job, as WeChat Pay documents).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use crate::error::VerifyError;
use crate::verify::MAX_CLOCK_SKEW_SECS;

#[derive(Debug, Clone)]
pub(crate) struct ReplayGuard {
    capacity: usize,
    /// Delivery key -> the time after which it can no longer verify.
    seen: Arc<Mutex<HashMap<String, i64>>>,
}

impl ReplayGuard {
    pub(crate) fn new(capacity: usize) -> Self {
        Self {
            capacity: capacity.max(1),
            seen: Arc::new(Mutex::new(HashMap::new())),
        }
    }

    /// Records a verified delivery; refuses one seen before. When full of
    /// deliveries still inside the window it refuses new ones (WeChat Pay
    /// retries later) rather than forget an entry that could be replayed.
    pub(super) fn admit(&self, timestamp: &str, nonce: &str, now: i64) -> Result<(), VerifyError> {
        let sent_at: i64 = timestamp.parse().unwrap_or(now);
        self.admit_key(
            format!("{timestamp}\n{nonce}"),
            sent_at.saturating_add(MAX_CLOCK_SKEW_SECS as i64),
            now,
        )
    }

    /// Records a delivery under `key` until `expires_at` (unix seconds);
    /// refuses a key seen before. The shared in-memory store
    /// ([`MemoryNotificationStore`](crate::store::MemoryNotificationStore))
    /// keys deliveries by merchant too.
    pub(crate) fn admit_key(
        &self,
        key: String,
        expires_at: i64,
        now: i64,
    ) -> Result<(), VerifyError> {
        let mut seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        if seen.contains_key(&key) {
            return Err(VerifyError::Replayed);
        }
        if seen.len() >= self.capacity {
            seen.retain(|_, expires| *expires >= now);
        }
        if seen.len() >= self.capacity {
            return Err(VerifyError::Other(format!(
                "the replay guard is full ({} deliveries inside the last {MAX_CLOCK_SKEW_SECS} s); raise its capacity",
                self.capacity
            )));
        }
        seen.insert(key, expires_at);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_expire_with_the_window() {
        let guard = ReplayGuard::new(1);
        guard.admit("1000", "a", 1000).unwrap();
        assert_eq!(guard.admit("1000", "a", 1000), Err(VerifyError::Replayed));
        assert!(guard.admit("1001", "b", 1001).is_err());
        // Once "a" can no longer verify, its place is free.
        guard.admit("1301", "b", 1301).unwrap();
    }
}
