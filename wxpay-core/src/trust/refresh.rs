//! Managed platform certificates: download `v3/certificates`, decrypt them with
//! the APIv3 key, verify the download, keep them in the client's keyring.

use std::borrow::Cow;
use std::fmt;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde::Deserialize;

use crate::client::Call;
use crate::crypto::ApiV3Key;
use crate::error::{Error, Origin, VerifyError};
use crate::keyring::{unix_now, Certificate, Keyring, VerificationKey};
use crate::notify::EncryptedResource;
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

#[derive(Deserialize)]
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
}

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
    pub(crate) fn new(key: ApiV3Key, interval: Duration) -> Self {
        Self {
            key,
            interval,
            last_attempt: Mutex::new(None),
            running: tokio::sync::Mutex::new(()),
            last_error: Mutex::new(None),
        }
    }

    pub(crate) fn last_error(&self) -> Option<String> {
        self.last_error
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    fn due(&self, force: bool) -> bool {
        match *self.last_attempt.lock().unwrap_or_else(|e| e.into_inner()) {
            None => true,
            Some(at) if force => at.elapsed() >= UNKNOWN_SERIAL_BACKOFF.min(self.interval),
            Some(at) => at.elapsed() >= self.interval,
        }
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
        let result = client.refresh_certificates(&self.key).await;
        let mut error = self.last_error.lock().unwrap_or_else(|e| e.into_inner());
        match result {
            Ok(outcome) => {
                tracing::info!(?outcome, "wxpay: platform certificates refreshed");
                *error = None;
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

    async fn refresh_certificates_in(
        &self,
        span: &RequestSpan,
        call: &Call<'_>,
        key: &ApiV3Key,
    ) -> Result<RefreshOutcome, Error> {
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
                    Ok(RefreshOutcome::PublicKeyMode)
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
        let open = |entry: &Entry| -> Result<Certificate, Error> {
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
        };
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
        Ok(RefreshOutcome::Certificates {
            current,
            added,
            removed,
        })
    }

    /// Why the last automatic certificate refresh failed, if it did.
    pub fn last_certificate_refresh_error(&self) -> Option<String> {
        self.trust().refresh().and_then(AutoRefresh::last_error)
    }
}

fn has_public_key(keyring: &Keyring) -> bool {
    keyring
        .serials()
        .iter()
        .any(|s| s.starts_with(crate::keyring::PUBLIC_KEY_ID_PREFIX))
}
