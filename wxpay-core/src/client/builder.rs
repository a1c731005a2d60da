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
    merchant_certificate: Option<String>,
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
            merchant_certificate: None,
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
    ///
    /// Prefer [`merchant_certificate`](Self::merchant_certificate), which
    /// reads the serial from the certificate and checks the private key
    /// against it; given both, they must agree.
    pub fn merchant_serial(mut self, serial_no: impl Into<String>) -> Self {
        self.serial_no = Some(serial_no.into());
        self
    }

    /// The merchant API certificate (`apiclient_cert.pem`, PEM text): the
    /// serial requests are signed under is read from it, and
    /// [`build`](Self::build) checks that the [`private_key`](Self::private_key)
    /// is the certificate's, so a key and certificate that do not belong
    /// together fail here instead of as WeChat Pay's `401 SIGN_ERROR` on the
    /// first request. A [`signer`](Self::signer)'s key cannot be checked.
    ///
    /// ```no_run
    /// use wxpay_core::{Client, PrivateKey, PublicKey};
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let client = Client::builder()
    ///     .mchid("1900000100")
    ///     .merchant_certificate(std::fs::read_to_string("apiclient_cert.pem")?)
    ///     .private_key(PrivateKey::from_pem_file("apiclient_key.pem")?)
    ///     .wechatpay_public_key(
    ///         "PUB_KEY_ID_0119000001002025010100000000000000",
    ///         PublicKey::from_pem_file("pub_key.pem")?,
    ///     )?
    ///     .build()?;
    /// # let _ = client; Ok(()) }
    /// ```
    pub fn merchant_certificate(mut self, pem: impl Into<String>) -> Self {
        self.merchant_certificate = Some(pem.into());
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
        let signer = self.signer.ok_or_else(|| {
            Error::Config("no merchant private key: call private_key(...) or signer(...)".into())
        })?;
        let serial_no = merchant_serial(
            self.serial_no,
            self.merchant_certificate.as_deref(),
            self.private_key.as_ref(),
        )?;
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

/// The serial requests are signed under: the merchant certificate's (which
/// `key`, when known, must be the key of), or the one given, which must then
/// agree with the certificate.
fn merchant_serial(
    given: Option<String>,
    certificate_pem: Option<&str>,
    key: Option<&PrivateKey>,
) -> Result<String, Error> {
    let given = given
        .filter(|s| !s.is_empty())
        .map(|s| s.to_ascii_uppercase());
    let Some(pem) = certificate_pem else {
        let serial_no = given.ok_or_else(|| {
            Error::Config(
                "the merchant certificate is not set: call merchant_certificate(pem of \
                 apiclient_cert.pem) or merchant_serial(\"...\")"
                    .into(),
            )
        })?;
        if !serial_no.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(Error::Config(format!(
                "merchant certificate serial {serial_no:?} must be hexadecimal \
                 (the serial of apiclient_cert.pem, e.g. from `openssl x509 -noout -serial`)"
            )));
        }
        return Ok(serial_no);
    };
    let certificate = Certificate::from_pem(pem).map_err(|e| {
        Error::Config(format!(
            "the merchant certificate given to merchant_certificate (apiclient_cert.pem) \
             cannot be read: {e}"
        ))
    })?;
    let serial_no = certificate.serial().to_ascii_uppercase();
    if let Some(given) = given.filter(|given| *given != serial_no) {
        return Err(Error::Config(format!(
            "merchant_serial is {given} but the merchant certificate's serial is {serial_no}: \
             give one of them, or the serial of this certificate"
        )));
    }
    if key.is_some_and(|key| key.public_key() != certificate.public_key()) {
        return Err(Error::Config(format!(
            "the merchant private key does not belong to merchant certificate {serial_no}: \
             WeChat Pay would refuse every request (401 SIGN_ERROR); use the apiclient_key.pem \
             issued with this apiclient_cert.pem"
        )));
    }
    Ok(serial_no)
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
