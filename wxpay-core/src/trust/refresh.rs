//! Managed platform certificates: download `v3/certificates`, decrypt them with
//! the APIv3 key, verify the download, keep them in the client's keyring.
//!
//! With a shared [`CertificateStore`] (a fleet), the refresh first reads
//! what another instance saved; only when that is older than the interval
//! does one instance, holding the store's lock, download and save for all.

use std::borrow::Cow;
use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use crate::client::Call;
use crate::crypto::ApiV3Key;
use crate::error::{Error, Origin, VerifyError};
use crate::keyring::{unix_now, Certificate, Keyring, VerificationKey};
use crate::notify::EncryptedResource;
use crate::store::{CertificateStore, StoreError};
use crate::transport::{Api, Deadline, RequestSpan};
use crate::verify::{self, SignatureHeaders};
use crate::Client;

/// What a certificate refresh found.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum RefreshOutcome {
    /// Certificates were downloaded and verified; `added` are the serials new to the keyring.
    Certificates {
        /// Every serial WeChat listed and that is valid now.
        current: Vec<String>,
        /// The ones that were not trusted before.
        added: Vec<String>,
        /// Expired certificates dropped from the keyring.
        removed: Vec<String>,
    },
    /// The merchant uses WeChat Pay public keys (`v3/certificates` answers 404
    /// `RESOURCE_NOT_EXISTS`); the configured public key stays in charge.
    PublicKeyMode,
}

#[derive(Deserialize)]
struct Listing {
    data: Vec<Entry>,
}

#[derive(Clone, Serialize, Deserialize)]
struct Entry {
    serial_no: String,
    encrypt_certificate: EncryptedResource,
}

/// Automatic refresh settings, kept by the client.
pub(crate) struct AutoRefresh {
    pub(crate) key: ApiV3Key,
    pub(crate) interval: Duration,
    /// When the last refresh started; a plain lock, never held across I/O.
    last_attempt: Mutex<Option<Instant>>,
    /// Held while a refresh runs, so only one runs at a time.
    running: tokio::sync::Mutex<()>,
    last_error: Mutex<Option<String>>,
    /// Shared with the other instances of a fleet, when set.
    store: Option<Arc<dyn CertificateStore>>,
    /// The next due refresh comes after the backoff, not the interval: the
    /// store failed, or another instance was downloading.
    retry_soon: Mutex<bool>,
}

/// What a fleet shares of one download: the listing as WeChat Pay sent it
/// (each certificate still encrypted with the APIv3 key, which authenticates
/// it to every reader) and when it was fetched.
#[derive(Serialize, Deserialize)]
struct Snapshot {
    /// Unix milliseconds.
    fetched_at_ms: i64,
    /// `v3/certificates` answered 404: the merchant uses public keys.
    #[serde(default)]
    public_key_mode: bool,
    #[serde(default)]
    data: Vec<Entry>,
}

/// A saved snapshot larger than this is refused unread (16 certificates
/// take about 40 KiB).
const MAX_SNAPSHOT_BYTES: usize = 256 * 1024;

/// How long one instance may hold the download lock (a download takes
/// seconds; the lock of an instance that died frees itself after this).
const LOCK_LEASE: Duration = Duration::from_secs(30);

/// How long an instance that found the lock taken waits for the holder's
/// download before downloading itself (only when it has no key yet, or
/// was answered with a serial it does not know).
const LOCK_WAIT: Duration = Duration::from_secs(10);
const LOCK_POLL: Duration = Duration::from_millis(100);

impl fmt::Debug for AutoRefresh {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AutoRefresh")
            .field("interval", &self.interval)
            .finish_non_exhaustive()
    }
}

/// The operation that lists the platform certificates.
const CERTIFICATES: &str = "v3/certificates";

/// After an unknown serial, no new download before this much time has passed.
const UNKNOWN_SERIAL_BACKOFF: Duration = Duration::from_secs(60);

/// WeChat lists a handful of certificates (two during a rotation); a longer
/// listing is refused before anything in it is decrypted.
const MAX_LISTED_CERTIFICATES: usize = 16;

impl AutoRefresh {
    pub(crate) fn new(
        key: ApiV3Key,
        interval: Duration,
        store: Option<Arc<dyn CertificateStore>>,
    ) -> Self {
        Self {
            key,
            interval,
            last_attempt: Mutex::new(None),
            running: tokio::sync::Mutex::new(()),
            last_error: Mutex::new(None),
            store,
            retry_soon: Mutex::new(false),
        }
    }

    pub(crate) fn last_error(&self) -> Option<String> {
        self.last_error
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    fn due(&self, force: bool) -> bool {
        let soon = force || *self.retry_soon.lock().unwrap_or_else(|e| e.into_inner());
        match *self.last_attempt.lock().unwrap_or_else(|e| e.into_inner()) {
            None => true,
            Some(at) if soon => at.elapsed() >= UNKNOWN_SERIAL_BACKOFF.min(self.interval),
            Some(at) => at.elapsed() >= self.interval,
        }
    }

    fn set_retry_soon(&self, soon: bool) {
        *self.retry_soon.lock().unwrap_or_else(|e| e.into_inner()) = soon;
    }

    /// Refreshes when the interval has passed (or `force` and the backoff has),
    /// one refresh at a time. A failure keeps the old keys and is remembered.
    ///
    /// While a refresh runs, callers that already have keys go on with them
    /// instead of waiting; only a client with no key yet waits for the first
    /// download.
    pub(crate) async fn maybe_refresh(&self, client: &Client, force: bool) {
        if !self.due(force) {
            return;
        }
        let _running = match self.running.try_lock() {
            Ok(guard) => guard,
            Err(_) if !client.keyring().is_empty() => return,
            Err(_) => self.running.lock().await,
        };
        if !self.due(force) {
            // Another caller refreshed while this one waited.
            return;
        }
        *self.last_attempt.lock().unwrap_or_else(|e| e.into_inner()) = Some(Instant::now());
        self.set_retry_soon(false);
        let result = match &self.store {
            None => client.refresh_certificates(&self.key).await.map(Some),
            Some(store) => self.refresh_shared(client, &**store, force).await,
        };
        let mut error = self.last_error.lock().unwrap_or_else(|e| e.into_inner());
        match result {
            Ok(Some(outcome)) => {
                tracing::info!(?outcome, "wxpay: platform certificates refreshed");
                *error = None;
            }
            Ok(None) => {
                // Another instance is downloading; look at the store again soon.
                self.set_retry_soon(true);
            }
            Err(e) => {
                let report = e.to_string();
                tracing::warn!(
                    error = report.as_str(),
                    "wxpay: platform certificate refresh failed; keeping the keys already trusted"
                );
                *error = Some(report);
            }
        }
    }

    /// The refresh of a fleet: use what another instance saved when it is
    /// fresh; else, holding the store's lock, look again, download and save.
    /// `None`: another instance holds the lock and this one goes on with
    /// the keys it has.
    async fn refresh_shared(
        &self,
        client: &Client,
        store: &dyn CertificateStore,
        force: bool,
    ) -> Result<Option<RefreshOutcome>, Error> {
        let mchid = client.mchid();
        let fresh_for = if force {
            UNKNOWN_SERIAL_BACKOFF.min(self.interval)
        } else {
            self.interval
        };
        match self.apply_fresh(client, store, fresh_for).await {
            Ok(Some(outcome)) => return Ok(Some(outcome)),
            Ok(None) => {}
            Err(e) => return self.without_store(client, force, e).await,
        }
        let token = match store.lock(mchid, LOCK_LEASE).await {
            Ok(Some(token)) => token,
            Ok(None) => {
                if !force && !client.keyring().is_empty() {
                    return Ok(None);
                }
                // This instance cannot verify without the download the
                // holder is making: wait for it, within bounds.
                let waited = Instant::now();
                while waited.elapsed() < LOCK_WAIT {
                    tokio::time::sleep(LOCK_POLL).await;
                    match self.apply_fresh(client, store, fresh_for).await {
                        Ok(Some(outcome)) => return Ok(Some(outcome)),
                        Ok(None) => {}
                        Err(e) => return self.without_store(client, force, e).await,
                    }
                }
                return client.refresh_certificates(&self.key).await.map(Some);
            }
            Err(e) => return self.without_store(client, force, e).await,
        };
        // Another instance may have saved between the first look and the lock.
        let outcome = match self.apply_fresh(client, store, fresh_for).await {
            Ok(Some(outcome)) => Ok(outcome),
            _ => {
                let downloaded = client.download_certificates(&self.key).await;
                if let Ok((_, snapshot)) = &downloaded {
                    if let Err(e) = store.save(mchid, snapshot).await {
                        warn_store("cannot save the downloaded certificates", &e);
                    }
                }
                downloaded.map(|(outcome, _)| outcome)
            }
        };
        if let Err(e) = store.unlock(mchid, &token).await {
            warn_store(
                "cannot release the certificate lock; it expires by itself",
                &e,
            );
        }
        outcome.map(Some)
    }

    /// Applies the saved snapshot when it was fetched less than `fresh_for` ago.
    async fn apply_fresh(
        &self,
        client: &Client,
        store: &dyn CertificateStore,
        fresh_for: Duration,
    ) -> Result<Option<RefreshOutcome>, StoreError> {
        let Some(bytes) = store.load(client.mchid()).await? else {
            return Ok(None);
        };
        if bytes.len() > MAX_SNAPSHOT_BYTES {
            return Err(StoreError::new(format!(
                "the saved certificates of {} are {} bytes (at most {MAX_SNAPSHOT_BYTES} are read)",
                client.mchid(),
                bytes.len()
            )));
        }
        let snapshot: Snapshot = serde_json::from_slice(&bytes).map_err(|e| {
            StoreError::with_source(
                format!("the saved certificates of {} do not decode", client.mchid()),
                e,
            )
        })?;
        let age_ms = unix_now_ms().saturating_sub(snapshot.fetched_at_ms);
        if age_ms < 0 || age_ms as u128 >= fresh_for.as_millis() {
            return Ok(None);
        }
        match client.apply_snapshot(&snapshot, &self.key) {
            Ok(outcome) => Ok(Some(outcome)),
            Err(e) => {
                // Not fatal: a fresh download replaces what cannot be used.
                tracing::warn!(
                    error = e.to_string().as_str(),
                    "wxpay: the saved platform certificates cannot be used; downloading"
                );
                Ok(None)
            }
        }
    }

    /// The store failed: with keys (and no unknown serial to resolve) go on
    /// with them and try the store again soon; else download directly.
    async fn without_store(
        &self,
        client: &Client,
        force: bool,
        error: StoreError,
    ) -> Result<Option<RefreshOutcome>, Error> {
        self.set_retry_soon(true);
        if !force && !client.keyring().is_empty() {
            return Err(Error::Store(error));
        }
        warn_store("the certificate store failed; downloading directly", &error);
        client.refresh_certificates(&self.key).await.map(Some)
    }
}

fn warn_store(what: &str, error: &StoreError) {
    tracing::warn!(
        error = crate::error::report(error).as_str(),
        "wxpay: {what}"
    );
}

fn unix_now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

impl Client {
    /// Downloads the platform certificates (`GET v3/certificates`), decrypts
    /// them with the APIv3 key, verifies the download and adds the certificates
    /// to this client's keyring, dropping expired ones.
    ///
    /// The very first download (no certificate trusted yet) is verified with
    /// the certificate it carries, or with a configured public key; later ones
    /// only with certificates already trusted. On any error the keyring is left
    /// as it was.
    pub async fn refresh_certificates(&self, key: &ApiV3Key) -> Result<RefreshOutcome, Error> {
        self.refresh_certificates_with_snapshot(key)
            .await
            .map(|(outcome, _)| outcome)
    }

    /// [`refresh_certificates`](Self::refresh_certificates), also giving
    /// the snapshot a fleet shares (see `AutoRefresh::refresh_shared`).
    async fn download_certificates(
        &self,
        key: &ApiV3Key,
    ) -> Result<(RefreshOutcome, Vec<u8>), Error> {
        let (outcome, snapshot) = self.refresh_certificates_with_snapshot(key).await?;
        let bytes = serde_json::to_vec(&snapshot)
            .map_err(|e| Error::Config(format!("cannot encode the certificates to share: {e}")))?;
        Ok((outcome, bytes))
    }

    async fn refresh_certificates_with_snapshot(
        &self,
        key: &ApiV3Key,
    ) -> Result<(RefreshOutcome, Snapshot), Error> {
        // Names a certificate already trusted, so that WeChat Pay signs the
        // listing with it after a rotation (it signs with the key a request
        // names, WECHATPAY-DEPLOYMENT.md): later listings must verify with a
        // trusted certificate (PROTOCOL.md).
        let named: Vec<(Cow<'static, str>, String)> = self
            .keyring()
            .newest_certificate()
            .map(|serial| (Cow::Borrowed(verify::headers::SERIAL), serial))
            .into_iter()
            .collect();
        let call = Call {
            headers: &named,
            ..Call::get(CERTIFICATES, "")
        };
        let span = RequestSpan::new(Api::V3, call.method, call.template, self.mchid());
        // Boxed: a refresh can start from inside a request's verification.
        let result = span
            .run(Box::pin(self.refresh_certificates_in(&span, &call, key)))
            .await;
        if let Err(e) = &result {
            span.error(e);
        }
        result
    }

    /// Trusts the certificates of a snapshot another instance saved: each
    /// is decrypted (so authenticated) with this merchant's APIv3 key.
    fn apply_snapshot(&self, snapshot: &Snapshot, key: &ApiV3Key) -> Result<RefreshOutcome, Error> {
        let keyring = self.keyring();
        if snapshot.public_key_mode {
            return if has_public_key(keyring) {
                Ok(RefreshOutcome::PublicKeyMode)
            } else {
                Err(Error::Config(format!(
                    "merchant {} uses WeChat Pay public keys (v3/certificates answered 404): \
                     configure its public key with wechatpay_public_key(\"PUB_KEY_ID_...\", key)",
                    self.mchid()
                )))
            };
        }
        if snapshot.data.len() > MAX_LISTED_CERTIFICATES {
            return Err(Error::Config(format!(
                "the saved listing has {} certificates (at most {MAX_LISTED_CERTIFICATES} are accepted)",
                snapshot.data.len()
            )));
        }
        let decode = |message: String| Error::Decode {
            origin: Origin::Answer,
            message: format!("saved certificates: {message}"),
            body_excerpt: String::new(),
            request_id: None,
        };
        let carried = snapshot
            .data
            .iter()
            .map(|entry| open_entry(entry, key, &decode))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(trust_certificates(keyring, carried))
    }

    async fn refresh_certificates_in(
        &self,
        span: &RequestSpan,
        call: &Call<'_>,
        key: &ApiV3Key,
    ) -> Result<(RefreshOutcome, Snapshot), Error> {
        let targets = self.transport().targets(call.path, call.query)?;
        let response = self
            .transmit(span, call, &targets, Deadline::Request)
            .await?;
        let answer = self.transport().read(response).await?;
        let (status, headers, body) = (answer.status, &answer.headers, &answer.body);
        let request_id = headers
            .get(verify::headers::REQUEST_ID)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let keyring = self.keyring();
        if !(200..300).contains(&status) {
            return match self.answer_error(answer).await {
                Error::Api(api)
                    if api.status == 404
                        && api.code == "RESOURCE_NOT_EXISTS"
                        && has_public_key(keyring) =>
                {
                    let snapshot = Snapshot {
                        fetched_at_ms: unix_now_ms(),
                        public_key_mode: true,
                        data: Vec::new(),
                    };
                    Ok((RefreshOutcome::PublicKeyMode, snapshot))
                }
                e => Err(e),
            };
        }
        let decode = |message: String| Error::Decode {
            origin: Origin::Answer,
            message,
            body_excerpt: String::from_utf8_lossy(&body[..body.len().min(256)]).into_owned(),
            request_id: request_id.clone(),
        };
        let verification_error = |reason| Error::Verification {
            reason,
            origin: Origin::Answer,
            request_id: request_id.clone(),
        };
        let signature =
            SignatureHeaders::from_headers(headers, unix_now()).map_err(verification_error)?;
        let signed = signature.with_body(body);
        let trusts_certificates = keyring
            .serials()
            .iter()
            .any(|s| matches!(keyring.get(s), Some(VerificationKey::Certificate(_))));
        let trusted_signer = keyring.get(&signature.serial).is_some();
        if trusted_signer {
            // Verified before a byte of it is decoded.
            self.verifier()
                .verify(&signed)
                .await
                .map_err(verification_error)?;
        } else if trusts_certificates {
            return Err(verification_error(VerifyError::UnknownSerial(
                signature.serial.clone(),
            )));
        }
        let listing: Listing = serde_json::from_slice(body)
            .map_err(|e| decode(format!("certificate listing: {e}")))?;
        if listing.data.len() > MAX_LISTED_CERTIFICATES {
            return Err(decode(format!(
                "the listing has {} certificates (at most {MAX_LISTED_CERTIFICATES} are accepted)",
                listing.data.len()
            )));
        }
        let open = |entry: &Entry| open_entry(entry, key, &decode);
        if !trusted_signer {
            // First download: only the certificate it carries can vouch for
            // it, so open that one alone, verify, and only then the rest.
            let own = listing
                .data
                .iter()
                .find(|e| e.serial_no.eq_ignore_ascii_case(&signature.serial))
                .ok_or_else(|| {
                    verification_error(VerifyError::UnknownSerial(signature.serial.clone()))
                })?;
            let bootstrap = Keyring::new();
            bootstrap.add_certificate(open(own)?);
            bootstrap
                .verify_message(&signed)
                .map_err(verification_error)?;
        }
        let carried = listing
            .data
            .iter()
            .map(open)
            .collect::<Result<Vec<_>, _>>()?;

        let snapshot = Snapshot {
            fetched_at_ms: unix_now_ms(),
            public_key_mode: false,
            data: listing.data,
        };
        Ok((trust_certificates(keyring, carried), snapshot))
    }

    /// Why the last automatic certificate refresh failed, if it did.
    pub fn last_certificate_refresh_error(&self) -> Option<String> {
        self.trust().refresh().and_then(AutoRefresh::last_error)
    }
}

/// Decrypts one listed certificate (AES-GCM authenticates it) and checks
/// it has the serial the listing names.
fn open_entry(
    entry: &Entry,
    key: &ApiV3Key,
    decode: &dyn Fn(String) -> Error,
) -> Result<Certificate, Error> {
    const WHAT: &str = "decrypt a platform certificate of the v3/certificates listing";
    let pem = entry
        .encrypt_certificate
        .decrypt(key)
        .map_err(Error::crypto(WHAT))?;
    let pem = String::from_utf8(pem)
        .map_err(|_| crate::CryptoError::NotUtf8)
        .map_err(Error::crypto(WHAT))?;
    let certificate = Certificate::from_pem(&pem)?;
    if !certificate.serial().eq_ignore_ascii_case(&entry.serial_no) {
        return Err(decode(format!(
            "listing names serial {} but its certificate has serial {}",
            entry.serial_no,
            certificate.serial()
        )));
    }
    Ok(certificate)
}

/// Adds the certificates valid now to the keyring and drops expired ones.
fn trust_certificates(keyring: &Keyring, carried: Vec<Certificate>) -> RefreshOutcome {
    let now = unix_now();
    let mut current = Vec::new();
    let mut added = Vec::new();
    for certificate in carried {
        if !certificate.is_valid_at(now) {
            continue;
        }
        let serial = certificate.serial().to_owned();
        if keyring.get(&serial).is_none() {
            added.push(serial.clone());
        }
        keyring.add_certificate(certificate);
        current.push(serial);
    }
    let removed = keyring.remove_expired(now);
    RefreshOutcome::Certificates {
        current,
        added,
        removed,
    }
}

fn has_public_key(keyring: &Keyring) -> bool {
    keyring
        .serials()
        .iter()
        .any(|s| s.starts_with(crate::keyring::PUBLIC_KEY_ID_PREFIX))
}
