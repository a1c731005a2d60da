//! Configuring a [`V2Client`]: merchant, key, sign type, base URLs and
//! retries, the merchant API certificate (PEM or PKCS#12), TLS roots.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use super::client::{Inner, V2Client};
use super::error::V2Error;
use super::sign::{ApiV2Key, SignType};
use crate::client::RetryPolicy;
use crate::client::{BACKUP_BASE_URL, DEFAULT_BASE_URL};
use crate::error::Error;

const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
const DEFAULT_MAX_RESPONSE_BYTES: usize = 16 * 1024 * 1024;

/// Configures a [`V2Client`].
#[must_use]
pub struct V2ClientBuilder {
    mchid: Option<String>,
    key: Option<ApiV2Key>,
    sign_type: SignType,
    base_urls: Vec<String>,
    retry: RetryPolicy,
    identity: Option<reqwest::Identity>,
    roots: Vec<reqwest::Certificate>,
    timeout: Duration,
    max_response_bytes: usize,
}

impl fmt::Debug for V2ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("V2ClientBuilder")
            .field("mchid", &self.mchid)
            .field("base_urls", &self.base_urls)
            .field("sign_type", &self.sign_type)
            .field("has_certificate", &self.identity.is_some())
            .finish_non_exhaustive()
    }
}

impl V2ClientBuilder {
    pub(super) fn new() -> Self {
        V2ClientBuilder {
            mchid: None,
            key: None,
            sign_type: SignType::default(),
            base_urls: vec![DEFAULT_BASE_URL.to_owned(), BACKUP_BASE_URL.to_owned()],
            retry: RetryPolicy::default(),
            identity: None,
            roots: Vec::new(),
            timeout: DEFAULT_TIMEOUT,
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
        }
    }
}

impl V2ClientBuilder {
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

    /// One base URL, no failover; the sandbox's in tests. The default is
    /// WeChat Pay's primary host with its backup host ([`DEFAULT_BASE_URL`],
    /// then [`BACKUP_BASE_URL`]), as for APIv3.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_urls = vec![url.into()];
        self
    }

    /// Base URLs in failover order: a call that cannot connect (nothing was
    /// sent), or an idempotent one answered 5xx, is tried on the next one,
    /// signed afresh.
    pub fn base_urls<I, S>(mut self, urls: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.base_urls = urls.into_iter().map(Into::into).collect();
        self
    }

    /// When and how often calls are tried again (default
    /// [`RetryPolicy::default`], the same rules as APIv3): a call that could
    /// not connect is always tried again; a timeout, a broken connection or a
    /// 5xx/429 answer only for calls marked idempotent
    /// ([`V2Request::idempotent`](super::V2Request::idempotent), [`V2Client::send_idempotent`]), since
    /// every APIv2 call is a `POST` WeChat Pay may have acted on.
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
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

    /// Trusts only this PEM certificate as the server's root (a sandbox's
    /// self-signed certificate); the default trusts the platform's roots.
    pub fn tls_root_certificate_pem(mut self, pem: &[u8]) -> Result<Self, Error> {
        let cert = reqwest::Certificate::from_pem(pem)
            .map_err(|e| Error::Config(format!("TLS root certificate: {e}")))?;
        self.roots.push(cert);
        Ok(self)
    }

    /// Total time allowed for one call (default 30 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The largest answer read into memory (default 16 MiB).
    pub fn max_response_bytes(mut self, limit: usize) -> Self {
        self.max_response_bytes = limit;
        self
    }

    /// Checks the configuration and builds the client.
    pub fn build(self) -> Result<V2Client, Error> {
        let mchid = self
            .mchid
            .filter(|m| !m.is_empty() && m.bytes().all(|b| b.is_ascii_alphanumeric()))
            .ok_or_else(|| {
                Error::Config("mchid is not set or not ASCII letters and digits".into())
            })?;
        let key = self
            .key
            .ok_or_else(|| Error::Config("no APIv2 key: call key(ApiV2Key::new(...)?)".into()))?;
        if self.base_urls.is_empty() {
            return Err(Error::Config("no base URL".into()));
        }
        let bases = self
            .base_urls
            .iter()
            .map(|url| {
                let mut text = url.clone();
                if !text.ends_with('/') {
                    text.push('/');
                }
                reqwest::Url::parse(&text)
                    .ok()
                    .filter(|u| matches!(u.scheme(), "http" | "https") && u.query().is_none())
                    .ok_or_else(|| Error::Config(format!("base URL {url:?} is not an http(s) URL")))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let mut http = reqwest::Client::builder()
            .user_agent(format!("wxpay-rust/{} (APIv2)", env!("CARGO_PKG_VERSION")))
            // A redirect would send the signed fields somewhere else.
            .redirect(reqwest::redirect::Policy::none());
        if bases.iter().all(crate::client::is_loopback) {
            http = http.no_proxy();
        }
        if !self.roots.is_empty() {
            http = http.tls_certs_only(self.roots);
        }
        let has_certificate = self.identity.is_some();
        if let Some(identity) = self.identity {
            http = http.identity(identity);
        }
        let http = http
            .build()
            .map_err(|e| Error::Config(format!("HTTP client: {e}")))?;
        Ok(V2Client {
            inner: Arc::new(Inner {
                http,
                bases,
                retry: self.retry,
                mchid,
                key,
                sign_type: self.sign_type,
                has_certificate,
                max_response_bytes: self.max_response_bytes,
                timeout: self.timeout,
            }),
        })
    }
}
