//! Configuring a [`Client`].

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use super::{Client, Inner, Merchant};
use crate::crypto::{ApiV3Key, PrivateKey, PublicKey};
use crate::error::Error;
use crate::keyring::{Certificate, Keyring};
use crate::sign::Signer;
use crate::store::CertificateStore;
use crate::transport::options::transport_setters;
use crate::transport::{Api, Transport, TransportOptions};
use crate::trust::{AutoRefresh, Trust};
use crate::verify::Verifier;

const DEFAULT_REFRESH_INTERVAL: Duration = Duration::from_secs(12 * 60 * 60);

/// Configures a [`Client`]: the merchant (id, certificate serial, private
/// key or signer), whom to trust (a WeChat Pay public key, managed platform
/// certificates, or both), and the transport (base URLs, retries, proxy,
/// timeouts, limits: the same options as
/// [`V2ClientBuilder`](crate::v2::V2ClientBuilder)'s). Setters never fail;
/// [`build`](Self::build) checks everything.
#[must_use]
pub struct ClientBuilder {
    mchid: Option<String>,
    serial_no: Option<String>,
    signer: Option<Arc<dyn Signer>>,
    private_key: Option<PrivateKey>,
    keyring: Keyring,
    keyring_set: bool,
    verifier: Option<Arc<dyn Verifier>>,
    auto_certificates: Option<ApiV3Key>,
    refresh_interval: Duration,
    certificate_store: Option<Arc<dyn CertificateStore>>,
    pub(crate) transport: TransportOptions,
    /// A transport already built (a merchant registry's, shared by its
    /// clients); `transport` is then unused.
    pub(crate) shared_transport: Option<Transport>,
}

impl Default for ClientBuilder {
    fn default() -> Self {
        Self {
            mchid: None,
            serial_no: None,
            signer: None,
            private_key: None,
            keyring: Keyring::new(),
            keyring_set: false,
            verifier: None,
            auto_certificates: None,
            refresh_interval: DEFAULT_REFRESH_INTERVAL,
            certificate_store: None,
            transport: TransportOptions::default(),
            shared_transport: None,
        }
    }
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("mchid", &self.mchid)
            .field("serial_no", &self.serial_no)
            .field("base_urls", &self.transport.base_urls)
            .field("retry", &self.transport.retry)
            .finish_non_exhaustive()
    }
}

transport_setters!(ClientBuilder);

impl ClientBuilder {
    /// The merchant id (商户号).
    pub fn mchid(mut self, mchid: impl Into<String>) -> Self {
        self.mchid = Some(mchid.into());
        self
    }

    /// The serial number of the merchant API certificate (商户API证书序列号).
    pub fn merchant_serial(mut self, serial_no: impl Into<String>) -> Self {
        self.serial_no = Some(serial_no.into());
        self
    }

    /// Signs with this merchant API private key.
    pub fn private_key(mut self, key: PrivateKey) -> Self {
        self.signer = Some(Arc::new(key.clone()));
        self.private_key = Some(key);
        self
    }

    /// Signs with a custom [`Signer`] (remote signing service, HSM).
    pub fn signer(mut self, signer: impl Signer + 'static) -> Self {
        self.signer = Some(Arc::new(signer));
        self.private_key = None;
        self
    }

    /// Trusts a WeChat Pay platform certificate.
    pub fn platform_certificate(mut self, certificate: Certificate) -> Self {
        self.keyring.add_certificate(certificate);
        self.keyring_set = true;
        self
    }

    /// Trusts a WeChat Pay public key with its id (`PUB_KEY_ID_...`).
    pub fn wechatpay_public_key(mut self, id: &str, key: PublicKey) -> Result<Self, Error> {
        self.keyring.add_public_key(id, key)?;
        self.keyring_set = true;
        Ok(self)
    }

    /// Uses (and shares) this keyring of trusted keys.
    pub fn keyring(mut self, keyring: Keyring) -> Self {
        self.keyring = keyring;
        self.keyring_set = true;
        self
    }

    /// Manages platform certificates: downloads `v3/certificates` before the
    /// first request, again every refresh interval (default 12 h) and when a
    /// response names an unknown serial (at most once a minute), decrypting
    /// them with this APIv3 key. A failed refresh keeps the trusted keys
    /// ([`Client::last_certificate_refresh_error`] says why). Works alongside a
    /// configured WeChat Pay public key.
    pub fn auto_certificates(mut self, apiv3_key: ApiV3Key) -> Self {
        self.auto_certificates = Some(apiv3_key);
        self.keyring_set = true;
        self
    }

    /// How often managed certificates are refreshed (default 12 hours).
    pub fn certificate_refresh_interval(mut self, interval: Duration) -> Self {
        self.refresh_interval = interval;
        self
    }

    /// Shares managed certificates with the other instances of a service
    /// through `store` (Redis, with `wxpay-redis`): when the refresh is due,
    /// the certificates another instance saved within the interval are used,
    /// and only when they are older does one instance, holding the store's
    /// lock, download for all (see [`CertificateStore`] for what happens when
    /// the store fails). With [`auto_certificates`](Self::auto_certificates).
    pub fn certificate_store(mut self, store: Arc<dyn CertificateStore>) -> Self {
        self.certificate_store = Some(store);
        self
    }

    /// Verifies responses with a custom [`Verifier`] instead of the keyring.
    pub fn verifier(mut self, verifier: impl Verifier + 'static) -> Self {
        self.verifier = Some(Arc::new(verifier));
        self
    }

    /// Checks the configuration and builds the client.
    pub fn build(self) -> Result<Client, Error> {
        let mchid = check_mchid(self.mchid)?;
        let serial_no = self
            .serial_no
            .filter(|s| !s.is_empty())
            .ok_or_else(|| {
                Error::Config("merchant certificate serial (merchant_serial) is not set".into())
            })?
            .to_ascii_uppercase();
        if !serial_no.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(Error::Config(format!(
                "merchant certificate serial {serial_no:?} must be hexadecimal"
            )));
        }
        let signer = self.signer.ok_or_else(|| {
            Error::Config("no merchant private key: call private_key(...) or signer(...)".into())
        })?;
        let verifier: Arc<dyn Verifier> = match self.verifier {
            Some(v) => v,
            None if self.keyring_set => Arc::new(self.keyring.clone()),
            None => {
                return Err(Error::Config(
                    "no WeChat Pay verification key: call auto_certificates(apiv3_key) to \
                     download platform certificates, or wechatpay_public_key(\"PUB_KEY_ID_...\", key) \
                     for a merchant in public-key mode (or platform_certificate, keyring, verifier)"
                        .into(),
                ))
            }
        };
        let transport = match self.shared_transport {
            Some(transport) => transport,
            None => self.transport.build(Api::V3, None)?,
        };
        let refresh = self
            .auto_certificates
            .map(|key| AutoRefresh::new(key, self.refresh_interval, self.certificate_store));
        Ok(Client {
            inner: Arc::new(Inner {
                transport,
                merchant: Merchant {
                    mchid,
                    serial_no,
                    signer,
                },
                trust: Trust::new(verifier, self.keyring, refresh),
                private_key: self.private_key,
            }),
        })
    }
}

/// The merchant id as both builders require it: set, ASCII letters and digits.
pub(crate) fn check_mchid(mchid: Option<String>) -> Result<String, Error> {
    let mchid = mchid.filter(|m| !m.is_empty()).ok_or_else(|| {
        Error::Config("mchid is not set: call mchid(\"...\") on the builder".into())
    })?;
    if !mchid.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(Error::Config(format!(
            "mchid {mchid:?} must be ASCII letters and digits"
        )));
    }
    Ok(mchid)
}
