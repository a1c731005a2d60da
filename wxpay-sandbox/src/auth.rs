//! Request verification, as WeChat Pay does it: parse `Authorization`, find
//! the merchant by `mchid`, check `serial_no`, the 300 s window, the nonce and
//! the signature over the exact target and body bytes.

use std::collections::HashMap;
use std::sync::Mutex;

use crate::identity::Merchant;
use crate::reply::WxError;
use crate::wire::request::{in_window, signed_message, Authorization, WINDOW_SECS};
use base64::Engine;
use http::HeaderMap;

/// Nonces longer than this are refused, which also bounds the replay cache.
const MAX_NONCE_LEN: usize = 64;

/// The merchant a request was verified for; handlers read it from the
/// request extensions.
#[derive(Debug, Clone)]
pub(crate) struct Caller {
    pub(crate) mchid: String,
}

/// Everything `authenticate` looks at, taken from one request.
pub(crate) struct SignedRequest<'a> {
    pub(crate) method: &'a str,
    /// Path and `?query` exactly as received.
    pub(crate) target: &'a str,
    pub(crate) headers: &'a HeaderMap,
    pub(crate) body: &'a [u8],
}

/// Verifies a request; the nonce is remembered only once everything else passed,
/// so an unsigned request cannot burn a merchant's nonces.
pub(crate) fn authenticate(
    request: &SignedRequest<'_>,
    lookup: impl FnOnce(&str) -> Option<Merchant>,
    nonces: &Mutex<NonceCache>,
    now: i64,
) -> Result<Caller, WxError> {
    let header = request
        .headers
        .get(http::header::AUTHORIZATION)
        .ok_or_else(|| WxError::sign("Authorization header is missing"))?
        .to_str()
        .map_err(|_| WxError::sign("Authorization header is not visible ASCII"))?;
    let auth = Authorization::parse(header)
        .map_err(|e| WxError::sign(format!("Authorization header is malformed: {e}")))?;
    let merchant = lookup(&auth.mchid).ok_or_else(|| {
        WxError::sign(format!(
            "mchid {:?} is not a merchant of this sandbox",
            auth.mchid
        ))
    })?;
    if !auth.serial_no.eq_ignore_ascii_case(&merchant.serial_no) {
        return Err(WxError::sign(format!(
            "serial_no {:?} is not the registered merchant certificate or public key of mchid {}",
            auth.serial_no, merchant.mchid
        )));
    }
    let timestamp: i64 = auth.timestamp.parse().map_err(|_| {
        WxError::sign(format!(
            "timestamp {:?} is not unix seconds",
            auth.timestamp
        ))
    })?;
    if !in_window(timestamp, now) {
        return Err(WxError::sign(format!(
            "timestamp {timestamp} is more than {WINDOW_SECS} s away from the server time {now}"
        )));
    }
    let nonce = &auth.nonce_str;
    if nonce.is_empty()
        || nonce.len() > MAX_NONCE_LEN
        || !nonce.bytes().all(|b| b.is_ascii_alphanumeric())
    {
        return Err(WxError::sign(format!(
            "nonce_str must be 1 to {MAX_NONCE_LEN} characters of [0-9A-Za-z]"
        )));
    }
    let signature = base64::engine::general_purpose::STANDARD
        .decode(&auth.signature)
        .map_err(|_| WxError::sign("signature is not base64"))?;
    let message = signed_message(
        request.method,
        request.target,
        &auth.timestamp,
        nonce,
        request.body,
    );
    if !merchant.public_key.verify_sha256(&message, &signature) {
        return Err(WxError::sign(
            "signature does not match METHOD, target, timestamp, nonce_str and body; check the merchant private key",
        ));
    }
    let fresh = nonces.lock().unwrap_or_else(|e| e.into_inner()).insert(
        &merchant.mchid,
        nonce,
        timestamp,
        now,
    );
    if !fresh {
        return Err(WxError::sign(format!(
            "nonce_str {nonce} was already used within the last {WINDOW_SECS} s (replayed request)"
        )));
    }
    Ok(Caller {
        mchid: merchant.mchid,
    })
}

/// Nonces seen in the window, per merchant. A nonce is kept until no request
/// carrying it could pass the timestamp check any more, then pruned.
#[derive(Debug, Default)]
pub(crate) struct NonceCache {
    seen: HashMap<(String, String), i64>,
    next_prune: i64,
}

impl NonceCache {
    /// Records a nonce; `false` if it is a replay.
    pub(crate) fn insert(&mut self, mchid: &str, nonce: &str, timestamp: i64, now: i64) -> bool {
        if now >= self.next_prune {
            self.seen.retain(|_, expires| *expires >= now);
            self.next_prune = now.saturating_add(10);
        }
        let key = (mchid.to_owned(), nonce.to_owned());
        if self.seen.get(&key).is_some_and(|expires| *expires >= now) {
            return false;
        }
        // A request with this timestamp stays acceptable until timestamp + window.
        let expires = timestamp.saturating_add(WINDOW_SECS);
        self.seen.insert(key, expires);
        true
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.seen.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replays_are_refused_until_the_window_has_passed() {
        let mut cache = NonceCache::default();
        assert!(cache.insert("1900009191", "abc", 1000, 1000));
        assert!(!cache.insert("1900009191", "abc", 1000, 1200));
        // Another merchant may use the same nonce.
        assert!(cache.insert("1900009192", "abc", 1000, 1200));
        // Once timestamp + 300 has passed, the old entry is pruned.
        assert!(cache.insert("1900009191", "def", 1400, 1400));
        assert_eq!(cache.len(), 1);
        assert!(cache.insert("1900009191", "abc", 1400, 1401));
    }
}
