//! One notify endpoint for many merchants: the `Wechatpay-Serial` a
//! notification is signed with names a key only one merchant has (WeChat
//! Pay's platform certificates and public keys are per merchant), so it
//! finds the merchant before anything is decrypted; the merchant's own
//! notifier then verifies, decrypts and decodes.

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Mutex, RwLock};
use std::time::{Duration, Instant};

use http::HeaderMap;
use serde::de::DeserializeOwned;

use super::{MerchantError, MerchantRegistry};
use crate::error::{Error, Origin, VerifyError};
use crate::notify::{Handled, Notification, Notifier};
use crate::verify::headers::SERIAL;
use crate::Client;

/// A serial no loaded merchant has makes the index be rebuilt from the
/// merchants' keyrings (they learn new certificates on refresh), at most
/// this often, so forged serials cannot make every request scan them all.
const REBUILD_EVERY: Duration = Duration::from_secs(1);

/// Which merchant has which WeChat Pay key.
#[derive(Default)]
pub(super) struct Routes {
    by_serial: RwLock<HashMap<String, String>>,
    rebuilt: Mutex<Option<Instant>>,
}

impl Routes {
    /// Routes the keys `client` trusts now to its merchant.
    pub(super) fn add(&self, client: &Client) {
        let serials = client.keyring().serials();
        let mut by_serial = self.by_serial.write().unwrap_or_else(|e| e.into_inner());
        for serial in serials {
            by_serial.insert(serial, client.mchid().to_owned());
        }
    }

    fn get(&self, serial: &str) -> Option<String> {
        self.by_serial
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(serial)
            .cloned()
    }

    /// Whether the index may be rebuilt now (and, if so, notes that it is).
    fn may_rebuild(&self) -> bool {
        let mut rebuilt = self.rebuilt.lock().unwrap_or_else(|e| e.into_inner());
        if rebuilt.is_some_and(|at| at.elapsed() < REBUILD_EVERY) {
            return false;
        }
        *rebuilt = Some(Instant::now());
        true
    }
}

impl MerchantRegistry {
    /// The merchant a notification is for, by the serial it is signed with:
    /// among the merchants loaded (their keys as of now), else as the
    /// credential source's [`merchant_for_serial`](super::CredentialSource::merchant_for_serial) says.
    pub async fn route(&self, headers: &HeaderMap) -> Result<String, Error> {
        let serial = headers
            .get(SERIAL)
            .ok_or(VerifyError::MissingHeader(SERIAL))
            .and_then(|v| {
                v.to_str().map_err(|_| VerifyError::InvalidHeader {
                    name: SERIAL,
                    reason: "not visible ASCII".into(),
                })
            })
            .map_err(|reason| Error::Verification {
                reason,
                origin: Origin::Callback,
                request_id: None,
            })?;
        let routes = &self.inner.routes;
        if let Some(mchid) = routes.get(serial) {
            return Ok(mchid);
        }
        if routes.may_rebuild() {
            for loaded in self.loaded_entries() {
                routes.add(&loaded.client);
            }
            if let Some(mchid) = routes.get(serial) {
                return Ok(mchid);
            }
        }
        let found = self
            .inner
            .source
            .merchant_for_serial(serial)
            .await
            .map_err(|source| MerchantError::Source {
                mchid: format!("(the owner of {serial})"),
                source,
            })?;
        found.ok_or_else(|| MerchantError::UnroutedSerial(serial.to_owned()).into())
    }

    /// The notifier of the merchant a notification is for, found by
    /// [`route`](Self::route).
    pub async fn notifier_for(&self, headers: &HeaderMap) -> Result<Notifier, Error> {
        let mchid = self.route(headers).await?;
        self.notifier(&mchid).await
    }

    /// The one notify endpoint of all merchants: routes the delivery by its
    /// `Wechatpay-Serial`, then [`Notifier::handle`]s it with the merchant's
    /// notifier; `handler` is given the merchant id (a service provider's
    /// for its sub-merchants: the resource names the sub-merchant).
    pub async fn handle<T, F, Fut, E>(
        &self,
        headers: &HeaderMap,
        body: &[u8],
        handler: F,
    ) -> Handled
    where
        T: DeserializeOwned,
        F: FnOnce(String, Notification<T>) -> Fut,
        Fut: Future<Output = Result<(), E>>,
        E: std::fmt::Display,
    {
        match self.route(headers).await {
            Ok(mchid) => self.handle_for(&mchid, headers, body, handler).await,
            Err(e) => refused_or_unavailable(e),
        }
    }

    /// [`handle`](Self::handle) for a merchant named by the URL (one notify
    /// URL per merchant, e.g. `/notify/{mchid}`; a sub-merchant's id routes
    /// to its service provider). Works for a serial the registry has not
    /// seen: the merchant's certificates are refreshed, as for any client.
    pub async fn handle_for<T, F, Fut, E>(
        &self,
        mchid: &str,
        headers: &HeaderMap,
        body: &[u8],
        handler: F,
    ) -> Handled
    where
        T: DeserializeOwned,
        F: FnOnce(String, Notification<T>) -> Fut,
        Fut: Future<Output = Result<(), E>>,
        E: std::fmt::Display,
    {
        let notifier = match self.notifier(mchid).await {
            Ok(notifier) => notifier,
            Err(e) => return refused_or_unavailable(e),
        };
        let owner = notifier.mchid().unwrap_or(mchid).to_owned();
        let handled = notifier
            .handle(headers, body, move |n| handler(owner, n))
            .await;
        if let Some(client) = notifier_client(self, mchid) {
            // A refresh during verification may have taught it new serials.
            self.inner.routes.add(&client);
        }
        handled
    }
}

fn notifier_client(registry: &MerchantRegistry, mchid: &str) -> Option<Client> {
    let slots = registry
        .inner
        .slots
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    slots
        .get(mchid)
        .and_then(|slot| slot.loaded.get())
        .map(|loaded| loaded.client.clone())
}

/// A source that failed is like a store that failed: WeChat Pay retries.
fn refused_or_unavailable(e: Error) -> Handled {
    match e {
        Error::Merchant(MerchantError::Source { .. }) => Handled::StoreUnavailable(e),
        e => Handled::Refused(e),
    }
}
