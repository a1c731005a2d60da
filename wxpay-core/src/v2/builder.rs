//! Configuring a [`V2Client`]: merchant, key, sign type, base URLs and
//! retries, the merchant API certificate (PEM or PKCS#12), TLS roots.

use std::fmt;
use std::sync::Arc;

use super::client::{Inner, V2Client};
use super::error::V2Error;
use super::sign::{ApiV2Key, SignType};
use crate::client::check_mchid;
use crate::error::Error;
use crate::transport::options::transport_setters;
use crate::transport::{Api, TransportOptions};

/// Configures a [`V2Client`]: the merchant (id, APIv2 key, default sign
/// type, the API certificate for mutual TLS) and the transport, with the
/// same options, defaults and checks as
/// [`ClientBuilder`](crate::ClientBuilder)'s (base URLs and failover,
/// retries, proxy, timeouts, limits, TLS roots). Setters never fail, but
/// for reading a certificate; [`build`](Self::build) checks the rest.
#[must_use]
pub struct V2ClientBuilder {
    mchid: Option<String>,
    key: Option<ApiV2Key>,
    sign_type: SignType,
    identity: Option<reqwest::Identity>,
    pub(crate) transport: TransportOptions,
}

impl fmt::Debug for V2ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("V2ClientBuilder")
            .field("mchid", &self.mchid)
            .field("base_urls", &self.transport.base_urls)
            .field("sign_type", &self.sign_type)
            .field("has_certificate", &self.identity.is_some())
            .finish_non_exhaustive()
    }
}

transport_setters!(V2ClientBuilder);

impl V2ClientBuilder {
    pub(super) fn new() -> Self {
        V2ClientBuilder {
            mchid: None,
            key: None,
            sign_type: SignType::default(),
            identity: None,
            transport: TransportOptions::default(),
        }
    }

    /// The merchant id (`mch_id`).
    pub fn mchid(mut self, mchid: impl Into<String>) -> Self {
        self.mchid = Some(mchid.into());
        self
    }

    /// The APIv2 key requests are signed and answers verified with.
    pub fn key(mut self, key: ApiV2Key) -> Self {
        self.key = Some(key);
        self
    }

    /// How requests are signed (default MD5).
    pub fn sign_type(mut self, sign_type: SignType) -> Self {
        self.sign_type = sign_type;
        self
    }

    /// The merchant API certificate and its private key, PEM
    /// (`apiclient_cert.pem`, `apiclient_key.pem`), presented in the TLS
    /// handshake (mutual TLS), which certificate operations need. WeChat's
    /// `apiclient_cert.p12` is read directly by
    /// [`merchant_certificate_pkcs12`](Self::merchant_certificate_pkcs12).
    pub fn merchant_certificate_pem(self, cert: &[u8], key: &[u8]) -> Result<Self, Error> {
        let mut pem = zeroize::Zeroizing::new(Vec::with_capacity(cert.len() + key.len() + 1));
        pem.extend_from_slice(cert);
        pem.push(b'\n');
        pem.extend_from_slice(key);
        self.identity_pem(&pem)
    }

    /// The merchant API certificate and its private key from a PKCS#12 file
    /// (DER), as WeChat Pay hands it out: `apiclient_cert.p12`, whose
    /// password is the merchant id. Presented in the TLS handshake like
    /// [`merchant_certificate_pem`](Self::merchant_certificate_pem)'s.
    ///
    /// The file's MAC is checked first (HMAC-SHA1 or HMAC-SHA256); its
    /// content may be encrypted with pbeWithSHAAnd3-KeyTripleDES-CBC or
    /// pbeWithSHAAnd40BitRC2-CBC (WeChat's files, `openssl pkcs12 -legacy`)
    /// or PBES2 with PBKDF2 and AES-CBC (OpenSSL 3's default). The key's
    /// certificate is found by its `localKeyId`; other certificates in the
    /// file follow it as the chain. A file without a MAC, with an iteration
    /// count over 1,000,000 (or 8,000,000 over the whole file), larger than
    /// 256 KiB, in BER rather than DER or otherwise unreadable is refused with [`V2Error::Pkcs12`] (its source, a
    /// [`Pkcs12Error`](super::Pkcs12Error), says why: a wrong password is
    /// [`MacMismatch`](super::Pkcs12Error::MacMismatch)).
    ///
    /// ```no_run
    /// use wxpay_core::v2::{ApiV2Key, V2Client};
    ///
    /// # fn run() -> Result<(), wxpay_core::Error> {
    /// let client = V2Client::builder()
    ///     .mchid("1900000100")
    ///     .key(ApiV2Key::new("192006250b4c09247ec02edce69f6a2d")?)
    ///     .merchant_certificate_pkcs12(&std::fs::read("apiclient_cert.p12").unwrap(), "1900000100")?
    ///     .build()?;
    /// # Ok(()) }
    /// ```
    pub fn merchant_certificate_pkcs12(self, der: &[u8], password: &str) -> Result<Self, Error> {
        let identity = super::pkcs12::read(der, password, super::pkcs12::Mac::Verify)
            .map_err(V2Error::Pkcs12)?;
        let pem = identity.to_pem().map_err(V2Error::Pkcs12)?;
        self.identity_pem(&pem)
    }

    /// The one way an identity is loaded: certificates then the key, PEM.
    fn identity_pem(mut self, pem: &[u8]) -> Result<Self, Error> {
        let identity = reqwest::Identity::from_pem(pem)
            .map_err(|e| Error::Config(format!("merchant API certificate: {e}")))?;
        self.identity = Some(identity);
        Ok(self)
    }

    /// Checks the configuration and builds the client.
    pub fn build(self) -> Result<V2Client, Error> {
        let mchid = check_mchid(self.mchid)?;
        let key = self
            .key
            .ok_or_else(|| Error::Config("no APIv2 key: call key(ApiV2Key::new(...)?)".into()))?;
        let has_certificate = self.identity.is_some();
        let transport = self.transport.build(Api::V2, self.identity)?;
        Ok(V2Client {
            inner: Arc::new(Inner {
                transport,
                mchid,
                key,
                sign_type: self.sign_type,
                has_certificate,
            }),
        })
    }
}
