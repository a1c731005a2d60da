//! Where a fleet keeps each merchant's platform certificates, and the lock
//! that lets one instance download them per refresh interval.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use super::{token, StoreError};
use crate::sign::BoxFuture;

/// Platform certificates shared by the instances of a service (one
/// instance downloads `v3/certificates`, the others read what it saved),
/// and the lock that makes it one instance per refresh interval.
///
/// A client given a store ([`ClientBuilder::certificate_store`](crate::ClientBuilder::certificate_store))
/// reads it when its refresh is due; only when what is saved is older than
/// the interval does it take the lock, look again, download, save and
/// unlock. What is saved is the listing as WeChat Pay sent it (each
/// certificate encrypted with the merchant's APIv3 key, which authenticates
/// it) with the time it was fetched, as opaque bytes: a store keeps them,
/// it never reads them.
///
/// When the store fails: a client that has keys keeps verifying with them
/// and tries the store again a minute later; a client with no key yet, or
/// that was answered with a serial it does not know, downloads by itself
/// (requests and callbacks keep working; only the fleet's download count
/// goes up while the store is away).
pub trait CertificateStore: Send + Sync {
    /// What was last saved for `mchid`; `None` if nothing was.
    fn load<'a>(&'a self, mchid: &'a str) -> BoxFuture<'a, Result<Option<Vec<u8>>, StoreError>>;

    /// Saves `listing` for `mchid`, replacing what was there.
    fn save<'a>(
        &'a self,
        mchid: &'a str,
        listing: &'a [u8],
    ) -> BoxFuture<'a, Result<(), StoreError>>;

    /// Takes the refresh lock of `mchid` for at most `lease` (a lock whose
    /// holder died frees itself then): `Some` when the caller holds it now,
    /// `None` when another does.
    fn lock<'a>(
        &'a self,
        mchid: &'a str,
        lease: Duration,
    ) -> BoxFuture<'a, Result<Option<LockToken>, StoreError>>;

    /// Releases a lock taken with [`lock`](Self::lock); one that expired
    /// and was taken by another since is left alone.
    fn unlock<'a>(
        &'a self,
        mchid: &'a str,
        token: &'a LockToken,
    ) -> BoxFuture<'a, Result<(), StoreError>>;
}

/// Names the holder of a lock: only it can release the lock.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LockToken(String);

impl LockToken {
    /// A fresh random token.
    pub fn generate() -> Result<Self, StoreError> {
        token().map(Self)
    }

    /// The token as text (what a store keeps as the lock's value).
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// [`CertificateStore`] in this process's memory: clients of one process
/// that name the same merchant share one download.
#[derive(Debug, Default)]
pub struct MemoryCertificateStore {
    listings: Mutex<HashMap<String, Vec<u8>>>,
    locks: Mutex<HashMap<String, (String, Instant)>>,
}

impl MemoryCertificateStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }
}

impl CertificateStore for MemoryCertificateStore {
    fn load<'a>(&'a self, mchid: &'a str) -> BoxFuture<'a, Result<Option<Vec<u8>>, StoreError>> {
        let listing = self
            .listings
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(mchid)
            .cloned();
        Box::pin(std::future::ready(Ok(listing)))
    }

    fn save<'a>(
        &'a self,
        mchid: &'a str,
        listing: &'a [u8],
    ) -> BoxFuture<'a, Result<(), StoreError>> {
        self.listings
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(mchid.to_owned(), listing.to_vec());
        Box::pin(std::future::ready(Ok(())))
    }

    fn lock<'a>(
        &'a self,
        mchid: &'a str,
        lease: Duration,
    ) -> BoxFuture<'a, Result<Option<LockToken>, StoreError>> {
        let taken = (|| {
            let mut locks = self.locks.lock().unwrap_or_else(|e| e.into_inner());
            let now = Instant::now();
            if locks.get(mchid).is_some_and(|(_, until)| *until > now) {
                return Ok(None);
            }
            let token = LockToken::generate()?;
            locks.insert(mchid.to_owned(), (token.0.clone(), now + lease));
            Ok(Some(token))
        })();
        Box::pin(std::future::ready(taken))
    }

    fn unlock<'a>(
        &'a self,
        mchid: &'a str,
        token: &'a LockToken,
    ) -> BoxFuture<'a, Result<(), StoreError>> {
        let mut locks = self.locks.lock().unwrap_or_else(|e| e.into_inner());
        if locks.get(mchid).is_some_and(|(held, _)| *held == token.0) {
            locks.remove(mchid);
        }
        Box::pin(std::future::ready(Ok(())))
    }
}
