//! Many merchants in one process: a [`MerchantRegistry`] hands out a
//! [`Client`] per merchant, all on one HTTP connection pool, with
//! credentials from the application's [`CredentialSource`] loaded on first
//! use (and again on [`reload`](MerchantRegistry::reload)); and one notify
//! endpoint for all of them ([`notifier_for`](MerchantRegistry::notifier_for),
//! by the `Wechatpay-Serial` a notification is signed with, or
//! [`notifier`](MerchantRegistry::notifier), by a merchant id in the URL).
//!
//! Nothing runs per merchant: no thread, no timer. Certificates are
//! refreshed by each merchant's requests and notifications when due, and
//! shared across instances through the registry's
//! [`CertificateStore`].
//!
//! Service providers (服务商) and platforms: a service provider is one
//! merchant of the registry; its sub-merchants are served by its client
//! (the source may answer for a sub-merchant with the service provider's
//! credentials, or list them with
//! [`MerchantCredentials::sub_merchants`]), and their notifications, signed
//! with the service provider's key and encrypted with its APIv3 key, route
//! to it like any other.
//!
//! ```no_run
//! use std::sync::Arc;
//! use wxpay_core::registry::{DirectorySource, MerchantRegistry};
//! use wxpay_core::store::{MemoryCertificateStore, MemoryNotificationStore};
//!
//! # async fn demo(headers: http::HeaderMap, body: bytes::Bytes) -> Result<(), wxpay_core::Error> {
//! let registry = MerchantRegistry::builder(DirectorySource::new("/etc/shop/merchants"))
//!     .certificate_store(Arc::new(MemoryCertificateStore::new())) // Redis with wxpay-redis
//!     .notification_store(Arc::new(MemoryNotificationStore::new()))
//!     .build()?;
//!
//! // Outgoing: a client per merchant, loaded on first use.
//! let client = registry.client("1900000100").await?;
//! # let _ = client;
//!
//! // Incoming: one endpoint for every merchant, routed by Wechatpay-Serial.
//! let handled = registry
//!     .handle(&headers, &body, |mchid, n: wxpay_core::notify::Notification| async move {
//!         println!("{mchid}: {} {}", n.event_type(), n.resource["out_trade_no"]);
//!         Ok::<(), String>(())
//!     })
//!     .await;
//! let answer = handled.response(); // 204, or FAIL so that WeChat Pay retries
//! # let _ = answer; Ok(()) }
//! ```

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::OnceCell;

use crate::crypto::ApiV3Key;
use crate::error::Error;
use crate::notify::Notifier;
use crate::store::{CertificateStore, NotificationStore};
use crate::transport::{Api, Transport, TransportOptions};
use crate::Client;

mod route;
mod source;

pub use source::{
    files, CredentialSource, DirectorySource, MerchantCredentials, MerchantCredentialsRequired,
    SourceError,
};

/// The default refresh interval of the registry's managed certificates.
const DEFAULT_REFRESH_INTERVAL: Duration = Duration::from_secs(12 * 60 * 60);

/// The longest merchant id accepted (WeChat's are 10 digits).
const MAX_MCHID_LEN: usize = 32;

/// Why a registry could not serve a merchant.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MerchantError {
    /// The merchant id is not ASCII letters and digits (or too long).
    #[error("merchant id {0:?} must be 1 to 32 ASCII letters and digits")]
    InvalidMchid(String),
    /// The credential source has no such merchant.
    #[error("merchant {0} is unknown to the credential source")]
    Unknown(String),
    /// The credential source failed.
    #[error("cannot load the credentials of merchant {mchid}: {}", crate::error::report(&**.source))]
    Source {
        /// The merchant asked for.
        mchid: String,
        /// What the source said.
        source: SourceError,
    },
    /// A notification is signed with a key no merchant of the registry has
    /// (yet): WeChat Pay delivers it again; route by URL
    /// ([`MerchantRegistry::notifier`]) where this happens.
    #[error(
        "no merchant of the registry has the WeChat Pay key {0:?}: preload the merchants, \
         teach the credential source merchant_for_serial, or give each merchant its own notify URL"
    )]
    UnroutedSerial(String),
}

/// Clients for many merchants, loaded from a [`CredentialSource`] on first
/// use and sharing one connection pool. Cheap to clone (shared).
#[derive(Clone)]
pub struct MerchantRegistry {
    inner: Arc<Inner>,
}

struct Inner {
    source: Arc<dyn CredentialSource>,
    transport: Transport,
    refresh_interval: Duration,
    certificate_store: Option<Arc<dyn CertificateStore>>,
    notification_store: Option<Arc<dyn NotificationStore>>,
    /// By merchant id, and by each sub-merchant id of a service provider.
    slots: Mutex<HashMap<String, Arc<Slot>>>,
    routes: route::Routes,
}

/// One merchant: loaded once, however many callers ask at the same time.
#[derive(Default)]
struct Slot {
    loaded: OnceCell<Loaded>,
}

#[derive(Clone)]
struct Loaded {
    client: Client,
    apiv3_key: ApiV3Key,
}

impl fmt::Debug for MerchantRegistry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MerchantRegistry")
            .field("loaded", &self.loaded().len())
            .finish_non_exhaustive()
    }
}

/// Configures a [`MerchantRegistry`]: the transport every merchant's client
/// shares (the same setters as [`ClientBuilder`](crate::ClientBuilder)'s),
/// the certificate refresh, and the stores a fleet shares.
#[must_use]
pub struct MerchantRegistryBuilder {
    source: Arc<dyn CredentialSource>,
    refresh_interval: Duration,
    certificate_store: Option<Arc<dyn CertificateStore>>,
    notification_store: Option<Arc<dyn NotificationStore>>,
    pub(crate) transport: TransportOptions,
}

crate::transport::options::transport_setters!(MerchantRegistryBuilder);

impl fmt::Debug for MerchantRegistryBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MerchantRegistryBuilder")
            .field("base_urls", &self.transport.base_urls)
            .field("refresh_interval", &self.refresh_interval)
            .finish_non_exhaustive()
    }
}

impl MerchantRegistryBuilder {
    /// How often managed certificates are refreshed (default 12 hours).
    pub fn certificate_refresh_interval(mut self, interval: Duration) -> Self {
        self.refresh_interval = interval;
        self
    }

    /// Shares managed certificates across instances (see
    /// [`ClientBuilder::certificate_store`](crate::ClientBuilder::certificate_store)).
    pub fn certificate_store(mut self, store: Arc<dyn CertificateStore>) -> Self {
        self.certificate_store = Some(store);
        self
    }

    /// Shares the replay guard and de-duplication of notifications across
    /// instances (see [`Notifier::with_store`]). Without one, each
    /// notifier of the registry guards against replays in memory.
    pub fn notification_store(mut self, store: Arc<dyn NotificationStore>) -> Self {
        self.notification_store = Some(store);
        self
    }

    /// Checks the transport settings and builds the registry (no merchant
    /// is loaded yet).
    pub fn build(self) -> Result<MerchantRegistry, Error> {
        let transport = self.transport.build(Api::V3, None)?;
        Ok(MerchantRegistry {
            inner: Arc::new(Inner {
                source: self.source,
                transport,
                refresh_interval: self.refresh_interval,
                certificate_store: self.certificate_store,
                notification_store: self.notification_store,
                slots: Mutex::new(HashMap::new()),
                routes: route::Routes::default(),
            }),
        })
    }
}

impl MerchantRegistry {
    /// Starts configuring a registry of the merchants `source` knows.
    pub fn builder(source: impl CredentialSource + 'static) -> MerchantRegistryBuilder {
        MerchantRegistryBuilder {
            source: Arc::new(source),
            refresh_interval: DEFAULT_REFRESH_INTERVAL,
            certificate_store: None,
            notification_store: None,
            transport: TransportOptions::default(),
        }
    }

    /// The client of `mchid` (or of the service provider acting for it),
    /// loading its credentials on first use. Concurrent first calls load
    /// once; a merchant the source does not know is not remembered, so it
    /// is asked again next time.
    pub async fn client(&self, mchid: &str) -> Result<Client, Error> {
        Ok(self.loaded_entry(mchid).await?.client)
    }

    /// Loads `mchid` afresh from the source (new keys after a rotation of
    /// the merchant API certificate or the APIv3 key) and serves it from
    /// now on; clients handed out before keep working with the old keys.
    pub async fn reload(&self, mchid: &str) -> Result<Client, Error> {
        check_mchid(mchid)?;
        let (loaded, subs) = self.load(mchid).await?;
        let slot = Arc::new(Slot::default());
        // Just made: cannot be set already.
        let _ = slot.loaded.set(loaded.clone());
        self.install(mchid, &loaded, &subs, &slot);
        Ok(loaded.client)
    }

    /// Forgets `mchid` (and the sub-merchants it served): the next call loads it again.
    pub fn forget(&self, mchid: &str) {
        let mut slots = self.inner.slots.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(slot) = slots.get(mchid).cloned() {
            slots.retain(|_, s| !Arc::ptr_eq(s, &slot));
        }
    }

    /// Loads these merchants now (and downloads what they need to verify),
    /// so that notifications signed with their keys route to them from the
    /// first one. Stops at the first error.
    pub async fn preload<I, S>(&self, mchids: I) -> Result<(), Error>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        for mchid in mchids {
            self.client(mchid.as_ref()).await?;
        }
        Ok(())
    }

    /// The merchant ids loaded now, sorted (service providers, not their
    /// sub-merchants).
    pub fn loaded(&self) -> Vec<String> {
        let mut loaded: Vec<String> = self
            .loaded_entries()
            .into_iter()
            .map(|l| l.client.mchid().to_owned())
            .collect();
        loaded.sort();
        loaded.dedup();
        loaded
    }

    /// A notifier for `mchid`'s notifications (the fallback of one notify
    /// URL per merchant, e.g. `/notify/{mchid}`): it verifies with the
    /// merchant's keys (refreshing its certificates on an unknown serial),
    /// decrypts with its APIv3 key, and shares the registry's notification
    /// store.
    pub async fn notifier(&self, mchid: &str) -> Result<Notifier, Error> {
        let loaded = self.loaded_entry(mchid).await?;
        let notifier = Notifier::for_client(&loaded.client, loaded.apiv3_key.clone());
        Ok(match &self.inner.notification_store {
            Some(store) => notifier.with_store(store.clone()),
            None => notifier,
        })
    }

    async fn loaded_entry(&self, mchid: &str) -> Result<Loaded, Error> {
        check_mchid(mchid)?;
        let slot = {
            let mut slots = self.inner.slots.lock().unwrap_or_else(|e| e.into_inner());
            slots.entry(mchid.to_owned()).or_default().clone()
        };
        let loaded = slot
            .loaded
            .get_or_try_init(|| async {
                let (loaded, subs) = self.load(mchid).await?;
                self.install(mchid, &loaded, &subs, &slot);
                Ok::<_, Error>(loaded)
            })
            .await
            .cloned();
        if loaded.is_err() {
            // Not remembered: an unknown merchant or a failing source is asked again.
            let mut slots = self.inner.slots.lock().unwrap_or_else(|e| e.into_inner());
            if slots.get(mchid).is_some_and(|s| Arc::ptr_eq(s, &slot)) {
                slots.remove(mchid);
            }
        }
        loaded
    }

    /// Asks the source and builds the merchant's client on the shared
    /// pool; also the sub-merchants it serves.
    async fn load(&self, mchid: &str) -> Result<(Loaded, Vec<String>), Error> {
        let inner = &self.inner;
        let credentials = inner
            .source
            .load(mchid)
            .await
            .map_err(|source| MerchantError::Source {
                mchid: mchid.to_owned(),
                source,
            })?
            .ok_or_else(|| MerchantError::Unknown(mchid.to_owned()))?;
        check_mchid(&credentials.mchid)?;
        let mut builder = Client::builder()
            .mchid(credentials.mchid.clone())
            .merchant_serial(credentials.merchant_serial.clone())
            .private_key(credentials.private_key.clone());
        builder.shared_transport = Some(inner.transport.clone());
        builder = match &credentials.public_key {
            Some((id, key)) => builder.wechatpay_public_key(id, key.clone())?,
            None => {
                let builder = builder
                    .auto_certificates(credentials.apiv3_key.clone())
                    .certificate_refresh_interval(inner.refresh_interval);
                match &inner.certificate_store {
                    Some(store) => builder.certificate_store(store.clone()),
                    None => builder,
                }
            }
        };
        let client = builder.build()?;
        // The keys it verifies with, now: notifications signed with them
        // route to it from the first one.
        client.trust().ready(&client).await;
        let subs = credentials
            .sub_merchants
            .iter()
            .filter(|sub| check_mchid(sub).is_ok())
            .cloned()
            .collect();
        let loaded = Loaded {
            client,
            apiv3_key: credentials.apiv3_key,
        };
        Ok((loaded, subs))
    }

    /// Serves `slot` for `mchid`, the merchant's own id and its
    /// sub-merchants, and routes its keys to it.
    fn install(&self, mchid: &str, loaded: &Loaded, subs: &[String], slot: &Arc<Slot>) {
        {
            let mut slots = self.inner.slots.lock().unwrap_or_else(|e| e.into_inner());
            let own = loaded.client.mchid();
            for id in std::iter::once(mchid)
                .chain([own])
                .chain(subs.iter().map(String::as_str))
            {
                slots.insert(id.to_owned(), slot.clone());
            }
        }
        self.inner.routes.add(&loaded.client);
    }

    fn loaded_entries(&self) -> Vec<Loaded> {
        let slots = self.inner.slots.lock().unwrap_or_else(|e| e.into_inner());
        slots
            .values()
            .filter_map(|slot| slot.loaded.get().cloned())
            .collect()
    }
}

fn check_mchid(mchid: &str) -> Result<(), MerchantError> {
    if mchid.is_empty()
        || mchid.len() > MAX_MCHID_LEN
        || !mchid.bytes().all(|b| b.is_ascii_alphanumeric())
    {
        return Err(MerchantError::InvalidMchid(
            mchid.chars().take(MAX_MCHID_LEN + 1).collect(),
        ));
    }
    Ok(())
}
