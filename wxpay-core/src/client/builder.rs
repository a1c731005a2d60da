//! Configuring a [`Client`].

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use super::{Client, Inner, RetryPolicy, BACKUP_BASE_URL, DEFAULT_BASE_URL};
use crate::certificates::AutoRefresh;
use crate::crypto::{ApiV3Key, PrivateKey, PublicKey};
use crate::error::Error;
use crate::keyring::{Certificate, Keyring};
use crate::sign::Signer;
use crate::verify::Verifier;

const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
const DEFAULT_DOWNLOAD_TIMEOUT: Duration = Duration::from_secs(10 * 60);
const DEFAULT_MAX_RESPONSE_BYTES: usize = 16 * 1024 * 1024;
/// Bills of the largest merchants run to hundreds of MiB; a gzip bomb stops here.
const DEFAULT_MAX_DOWNLOAD_BYTES: u64 = 1 << 30;
const DEFAULT_MAX_INFLATED_BYTES: u64 = 4 << 30;
const DEFAULT_REFRESH_INTERVAL: Duration = Duration::from_secs(12 * 60 * 60);

/// Configures a [`Client`].
#[must_use]
pub struct ClientBuilder {
    mchid: Option<String>,
    serial_no: Option<String>,
    signer: Option<Arc<dyn Signer>>,
    private_key: Option<PrivateKey>,
    keyring: Keyring,
    keyring_set: bool,
    verifier: Option<Arc<dyn Verifier>>,
    base_urls: Vec<String>,
    retry: RetryPolicy,
    proxy: ProxySetting,
    http_client: Option<reqwest::Client>,
    timeout: Duration,
    connect_timeout: Duration,
    user_agent: Option<String>,
    max_response_bytes: usize,
    download_timeout: Duration,
    max_download_bytes: u64,
    max_inflated_bytes: u64,
    auto_certificates: Option<ApiV3Key>,
    refresh_interval: Duration,
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
            base_urls: vec![DEFAULT_BASE_URL.to_owned(), BACKUP_BASE_URL.to_owned()],
            retry: RetryPolicy::default(),
            proxy: ProxySetting::Environment,
            http_client: None,
            timeout: DEFAULT_TIMEOUT,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            user_agent: None,
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
            download_timeout: DEFAULT_DOWNLOAD_TIMEOUT,
            max_download_bytes: DEFAULT_MAX_DOWNLOAD_BYTES,
            max_inflated_bytes: DEFAULT_MAX_INFLATED_BYTES,
            auto_certificates: None,
            refresh_interval: DEFAULT_REFRESH_INTERVAL,
        }
    }
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("mchid", &self.mchid)
            .field("serial_no", &self.serial_no)
            .field("base_urls", &self.base_urls)
            .field("retry", &self.retry)
            .finish_non_exhaustive()
    }
}

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

    /// Verifies responses with a custom [`Verifier`] instead of the keyring.
    pub fn verifier(mut self, verifier: impl Verifier + 'static) -> Self {
        self.verifier = Some(Arc::new(verifier));
        self
    }

    /// One base URL, no failover; point it at the sandbox in tests. The
    /// default is WeChat Pay's primary host with its backup host
    /// ([`DEFAULT_BASE_URL`], then [`BACKUP_BASE_URL`]).
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_urls = vec![url.into()];
        self
    }

    /// Base URLs in failover order: a request that cannot connect, or gets a
    /// 5xx answer it may retry (see [`RetryPolicy`]), is tried on the next
    /// one, signed afresh. They must share one path, so the signed target is
    /// the same on every host.
    pub fn base_urls<I, S>(mut self, urls: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.base_urls = urls.into_iter().map(Into::into).collect();
        self
    }

    /// When and how often requests are tried again (default
    /// [`RetryPolicy::default`]: 3 attempts, only what is safe).
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// Sends every request through this proxy (never a loopback base URL).
    ///
    /// Without `proxy` or [`no_proxy`](Self::no_proxy), the environment's
    /// proxies are used as reqwest reads them (`HTTPS_PROXY`, `HTTP_PROXY`,
    /// `ALL_PROXY`, `NO_PROXY`), except when every base URL is loopback
    /// (`127.0.0.0/8`, `::1`, `localhost`, as for the sandbox): those are
    /// always reached directly.
    pub fn proxy(mut self, proxy: reqwest::Proxy) -> Self {
        self.proxy = ProxySetting::Explicit(Box::new(proxy));
        self
    }

    /// Uses no proxy, whatever the environment says.
    pub fn no_proxy(mut self) -> Self {
        self.proxy = ProxySetting::None;
        self
    }

    /// Sends with this `reqwest::Client` (its pool, TLS roots, interface
    /// binding, proxies), e.g. shared with the rest of an application or set
    /// up for tests. Build it with `redirect(reqwest::redirect::Policy::none())`:
    /// a followed redirect sends a signed request somewhere it was not signed
    /// for. `connect_timeout`, `user_agent` and the proxy settings here do
    /// not apply to it; the request and download timeouts do.
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http_client = Some(client);
        self
    }

    /// Total time allowed for one request, answer included (default 30 s).
    /// File downloads have their own, [`download_timeout`](Self::download_timeout).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Time allowed to connect (default 10 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Replaces the `User-Agent` (default names the SDK, its version and the platform).
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = Some(user_agent.into());
        self
    }

    /// The largest response body read into memory (default 16 MiB).
    pub fn max_response_bytes(mut self, limit: usize) -> Self {
        self.max_response_bytes = limit;
        self
    }

    /// Total time allowed for one file download (bills, images, receipts),
    /// from connecting to the last byte (default 10 minutes).
    pub fn download_timeout(mut self, timeout: Duration) -> Self {
        self.download_timeout = timeout;
        self
    }

    /// The most bytes a file download may bring over the wire (default
    /// 1 GiB); past it the download fails with [`Error::ResponseTooLarge`].
    pub fn max_download_bytes(mut self, limit: u64) -> Self {
        self.max_download_bytes = limit;
        self
    }

    /// The most bytes a gzip bill may inflate to (default 4 GiB); past it
    /// [`BillDownload`](crate::bills::BillDownload) fails with
    /// [`Error::ResponseTooLarge`] and `save_to` leaves no file behind.
    pub fn max_inflated_bytes(mut self, limit: u64) -> Self {
        self.max_inflated_bytes = limit;
        self
    }

    /// Checks the configuration and builds the client.
    pub fn build(self) -> Result<Client, Error> {
        let mchid = self
            .mchid
            .filter(|m| !m.is_empty())
            .ok_or_else(|| Error::Config("mchid is not set".into()))?;
        if !mchid.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(Error::Config(format!(
                "mchid {mchid:?} must be ASCII letters and digits"
            )));
        }
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
        let bases = parse_bases(&self.base_urls)?;
        let user_agent = self.user_agent.unwrap_or_else(|| {
            format!(
                "wxpay-rust/{} ({} {}; {})",
                env!("CARGO_PKG_VERSION"),
                std::env::consts::OS,
                std::env::consts::ARCH,
                crate::crypto::BACKEND
            )
        });
        let http = match self.http_client {
            Some(client) => client,
            None => {
                let builder = reqwest::Client::builder()
                    .user_agent(user_agent)
                    .connect_timeout(self.connect_timeout)
                    // A redirect would send a signed request to a target it was not signed for.
                    .redirect(reqwest::redirect::Policy::none());
                let loopback = bases.iter().all(is_loopback);
                let builder = match self.proxy {
                    _ if loopback => builder.no_proxy(),
                    ProxySetting::None => builder.no_proxy(),
                    ProxySetting::Environment => builder,
                    ProxySetting::Explicit(proxy) => {
                        builder.proxy((*proxy).no_proxy(reqwest::NoProxy::from_string(LOOPBACK)))
                    }
                };
                builder
                    .build()
                    .map_err(|e| Error::Config(format!("HTTP client: {e}")))?
            }
        };
        Ok(Client {
            inner: Arc::new(Inner {
                http,
                bases,
                retry: self.retry,
                mchid,
                serial_no,
                signer,
                verifier,
                keyring: self.keyring,
                max_response_bytes: self.max_response_bytes,
                timeout: self.timeout,
                download_timeout: self.download_timeout,
                max_download_bytes: self.max_download_bytes,
                max_inflated_bytes: self.max_inflated_bytes,
                auto_refresh: self
                    .auto_certificates
                    .map(|key| AutoRefresh::new(key, self.refresh_interval)),
                private_key: self.private_key,
            }),
        })
    }
}

/// Where the proxy comes from.
enum ProxySetting {
    Environment,
    None,
    Explicit(Box<reqwest::Proxy>),
}

/// Hosts never sent through a proxy.
const LOOPBACK: &str = "localhost,127.0.0.0/8,::1";

pub(crate) fn is_loopback(url: &reqwest::Url) -> bool {
    let Some(host) = url.host_str() else {
        return false;
    };
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// Parses the base URLs: http(s), no query, ending in `/`, one shared path.
fn parse_bases(urls: &[String]) -> Result<Vec<reqwest::Url>, Error> {
    if urls.is_empty() {
        return Err(Error::Config(
            "no base URL: base_urls(...) was given an empty list".into(),
        ));
    }
    let mut bases = Vec::with_capacity(urls.len());
    for url in urls {
        let mut text = url.clone();
        if !text.ends_with('/') {
            text.push('/');
        }
        let base = reqwest::Url::parse(&text)
            .map_err(|e| Error::Config(format!("base URL {url:?}: {e}")))?;
        if !matches!(base.scheme(), "http" | "https")
            || base.query().is_some()
            || base.fragment().is_some()
            || !base.username().is_empty()
        {
            return Err(Error::Config(format!(
                "base URL {url:?} must be http(s) without user, query or fragment"
            )));
        }
        if let Some(first) = bases.first() {
            let first: &reqwest::Url = first;
            if first.path() != base.path() {
                return Err(Error::Config(format!(
                    "base URLs {:?} and {url:?} have different paths; the signed target must be the same on every host",
                    first.as_str()
                )));
            }
        }
        bases.push(base);
    }
    Ok(bases)
}
